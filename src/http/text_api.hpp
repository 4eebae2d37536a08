// The REST routes of text mining (issue 9, docs/API.md "Text mining", docs/TEXT.md): an opinion's
// suggested categories and possible duplicates, and an org subtree's hot issues (热点问题).
// Api::AddRoutes registers them through AddTextRoutes (authenticated; the actor is the caller's, and
// the service answers kNotFound outside its scope). Thread-safe: handlers keep no state.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/workflow_api.hpp"

namespace rectify::http {

// Calls `add(method, pattern, handler)` once for every text-mining route.
void AddTextRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add);

}  // namespace rectify::http
