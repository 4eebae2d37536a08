// The REST routes of study sessions and research visits (issue 12, docs/API.md "Study and research",
// docs/STUDY.md): record, list, read, change and delete study sessions; record research visits with the
// opinions heard; the figures of a subtree and its children; the supervisor's queue of orgs without study or
// research. Api::AddRoutes registers them through AddStudyRoutes (authenticated; the actor is the caller's,
// whose scope and grants the service checks). Thread-safe: handlers keep no state.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/workflow_api.hpp"

namespace rectify::http {

// Calls `add(method, pattern, handler)` once for every study and research route.
void AddStudyRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add);

}  // namespace rectify::http
