// The REST routes of notifications and webhooks (issue 8, docs/API.md "Notifications and webhooks"):
// the acting user's inbox with unread counts and read marks, and outgoing webhooks with their delivery
// log. Api::AddRoutes registers them through AddNotificationRoutes (authenticated like every route; the
// actor is the caller's). Plain C++, no Beast. Thread-safe: handlers keep no state.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/workflow_api.hpp"

namespace rectify::http {

// Calls `add(method, pattern, handler)` once for every notification and webhook route.
void AddNotificationRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add);

}  // namespace rectify::http
