// The REST routes of supervision (issue 8, docs/API.md "Supervision", docs/SUPERVISION.md): a task's
// warning and ladder steps (催办 / 督办 / 约谈), the work queues, and bulletins (通报) with their XLSX, CSV
// and printable HTML exports. Api::AddRoutes registers them through AddSupervisionRoutes
// (authenticated like every route; the actor is the caller's). Thread-safe: handlers keep no state.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/workflow_api.hpp"

namespace rectify::http {

// Calls `add(method, pattern, handler)` once for every supervision route.
void AddSupervisionRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add);

}  // namespace rectify::http
