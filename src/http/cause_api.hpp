// The REST routes of root-cause analysis and leaders' own problem lists (issue 12, docs/API.md "Root-cause
// analysis" and "Self-inspection lists", docs/CAUSES.md): the cause categories, the analysis of a problem,
// the figures by cause category, and the self-inspection items with their figures. Api::AddRoutes registers
// them through AddCauseRoutes (authenticated; the service checks scope and roles). Thread-safe: handlers
// keep no state.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/workflow_api.hpp"

namespace rectify::http {

// Calls `add(method, pattern, handler)` once for every route of issue 12.
void AddCauseRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add);

}  // namespace rectify::http
