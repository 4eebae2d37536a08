// The REST routes of campaigns, batches and special items (issue 5, docs/API.md "Campaigns",
// docs/LINKAGE.md#campaigns): list, create, read and change campaigns, add and change their special items,
// and the per-item figures of an org's subtree. Api::AddRoutes registers them through AddCampaignRoutes
// (authenticated; the actor is the caller's, whose scope and grants the service checks). The CLI's
// `rectify campaign load` reads its file with CampaignDraftFromJson, so a file and a POST body are one
// format. Thread-safe: handlers keep no state.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/workflow_api.hpp"
#include "service/service.hpp"

namespace rectify::http {

// Calls `add(method, pattern, handler)` once for every campaign route.
void AddCampaignRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add);

// The body of POST /api/v1/campaigns: {"code", "name", "description"?, "owner_org_id", "start_date",
// "end_date", "batches"?: [{"number"?, "start_date", "end_date"}], "source"?, "special_items"?: [{"code",
// "title", "lead_org_id"?, "description"?}]}. A batch without "number" takes its position (1-based).
// Errors: kInvalidArgument naming the JSON pointer ("/batches/1/start_date: expected a string", "unknown
// field \"foo\"", "missing required field \"code\"").
Result<service::CampaignDraft> CampaignDraftFromJson(const nlohmann::json& body);

}  // namespace rectify::http
