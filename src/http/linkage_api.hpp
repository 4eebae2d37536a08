// The REST routes of upper–lower linkage (issue 5, docs/API.md "Linkage", docs/LINKAGE.md): escalations
// of a problem up the tree (下题上答) with their accept/decline/withdraw decisions, the cascade of a task
// down to many orgs (上题下答) with its children's roll-up, and co-owners of a joint problem (同题共答). Api::AddRoutes registers them through
// AddLinkageRoutes (authenticated like every route; the actor is the caller's). Plain C++, no Beast.
// Thread-safe: handlers keep no state; the service is thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/workflow_api.hpp"

namespace rectify::http {

// Calls `add(method, pattern, handler)` once for every linkage route.
void AddLinkageRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add);

}  // namespace rectify::http
