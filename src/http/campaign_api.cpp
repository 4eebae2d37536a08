#include "http/campaign_api.hpp"

#include <utility>

#include "common/time.hpp"
#include "domain/campaign.hpp"
#include "domain/json.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"
#include "service/json.hpp"

namespace rectify::http {
namespace {

using detail::Created;
using detail::IfMatch;
using detail::Json;
using detail::Nested;
using detail::NoQuery;
using detail::ObjectReader;
using detail::PathId;
using detail::QueryReader;
using nlohmann::json;

Result<std::vector<domain::CampaignBatch>> ReadBatches(const json& value) {
    if (!value.is_array()) return InvalidArgument("/batches: expected an array of {\"start_date\", \"end_date\"}");
    std::vector<domain::CampaignBatch> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string at = "/batches/" + std::to_string(i);
        if (!value[i].is_object()) return InvalidArgument(at + ": expected an object");
        ObjectReader r(value[i]);
        domain::CampaignBatch b;
        b.number = static_cast<int>(i) + 1;
        auto read = [&]() -> Status {
            RETURN_IF_ERROR(r.CheckKnown({"number", "start_date", "end_date"}));
            if (r.Has("number")) {
                ASSIGN_OR_RETURN(std::int64_t n, r.Int("number"));
                if (n < 1 || n > 1000) return InvalidArgument("/number: expected 1.." + std::to_string(value.size()));
                b.number = static_cast<int>(n);
            }
            RETURN_IF_ERROR(r.Require("start_date"));
            ASSIGN_OR_RETURN(b.start_date, r.String("start_date"));
            RETURN_IF_ERROR(r.Require("end_date"));
            ASSIGN_OR_RETURN(b.end_date, r.String("end_date"));
            return Status::Ok();
        };
        RETURN_IF_ERROR(Nested(read(), at));
        out.push_back(std::move(b));
    }
    return out;
}

Result<service::SpecialItemDraft> ReadItemDraft(const json& body) {
    if (!body.is_object()) return InvalidArgument("expected a JSON object");
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"code", "title", "lead_org_id", "description"}));
    service::SpecialItemDraft d;
    RETURN_IF_ERROR(r.Require("code"));
    ASSIGN_OR_RETURN(d.code, r.String("code"));
    RETURN_IF_ERROR(r.Require("title"));
    ASSIGN_OR_RETURN(d.title, r.String("title"));
    if (r.Has("lead_org_id") && !r.IsNull("lead_org_id")) {
        ASSIGN_OR_RETURN(d.lead_org_id, r.Id("lead_org_id"));
    }
    if (r.Has("description")) {
        ASSIGN_OR_RETURN(d.description, r.String("description"));
    }
    return d;
}

// The version of a PATCH: If-Match, or "version" in the body (they must agree when both are sent).
Result<std::int64_t> PatchVersion(const RouteArgs& a, const ObjectReader& r) {
    ASSIGN_OR_RETURN(auto header, IfMatch(a));
    std::optional<std::int64_t> body;
    if (r.Has("version")) {
        ASSIGN_OR_RETURN(std::int64_t v, r.Id("version"));
        body = v;
    }
    if (header && body && *header != *body) {
        return InvalidArgument("the body's version " + std::to_string(*body) + " and the If-Match version " +
                               std::to_string(*header) + " differ");
    }
    if (header) return *header;
    if (body) return *body;
    return InvalidArgument("missing required field \"version\" (the version you read; or send it as If-Match: \"<version>\")");
}

// ---- campaigns ----

Result<Response> ListCampaigns(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id"}));
    ASSIGN_OR_RETURN(auto org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(auto list, c.service.ListCampaigns(c.actor, org_id));
    json items = json::array();
    for (const auto& campaign : list) items.push_back(domain::ToJson(campaign));
    return Json(200, {{"items", std::move(items)}});
}

Result<Response> CreateCampaign(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ASSIGN_OR_RETURN(auto draft, CampaignDraftFromJson(body));
    ASSIGN_OR_RETURN(auto detail, c.service.CreateCampaign(c.actor, draft));
    return Created(service::ToJson(detail), "/api/v1/campaigns/" + std::to_string(detail.campaign.id),
                   detail.campaign.version);
}

Result<Response> GetCampaign(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "campaign id"));
    ASSIGN_OR_RETURN(auto detail, c.service.GetCampaign(c.actor, id));
    return Json(200, service::ToJson(detail), detail.campaign.version);
}

Result<Response> PatchCampaign(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "campaign id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(
        r.CheckKnown({"version", "code", "name", "description", "start_date", "end_date", "batches", "source"}));
    ASSIGN_OR_RETURN(std::int64_t version, PatchVersion(a, r));
    service::CampaignPatch p;
    auto text = [&](std::string_view name, std::optional<std::string>& out) -> Status {
        if (!r.Has(name)) return Status::Ok();
        ASSIGN_OR_RETURN(std::string v, r.String(name));
        out = std::move(v);
        return Status::Ok();
    };
    RETURN_IF_ERROR(text("code", p.code));
    RETURN_IF_ERROR(text("name", p.name));
    RETURN_IF_ERROR(text("description", p.description));
    RETURN_IF_ERROR(text("start_date", p.start_date));
    RETURN_IF_ERROR(text("end_date", p.end_date));
    if (r.Has("batches")) {
        ASSIGN_OR_RETURN(auto batches, ReadBatches(body["batches"]));
        p.batches = std::move(batches);
    }
    if (r.Has("source")) {
        if (r.IsNull("source")) {
            p.source = std::optional<std::string>();
        } else {
            ASSIGN_OR_RETURN(std::string source, r.String("source"));
            p.source = std::optional<std::string>(std::move(source));
        }
    }
    ASSIGN_OR_RETURN(auto detail, c.service.UpdateCampaign(c.actor, id, p, version));
    return Json(200, service::ToJson(detail), detail.campaign.version);
}

// ---- special items ----

Result<Response> CreateSpecialItem(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto campaign, PathId(a, "campaign id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ASSIGN_OR_RETURN(auto draft, ReadItemDraft(body));
    ASSIGN_OR_RETURN(auto item, c.service.AddSpecialItem(c.actor, campaign, draft));
    return Created(domain::ToJson(item), "/api/v1/special-items/" + std::to_string(item.id), item.version);
}

Result<Response> GetSpecialItem(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "special item id"));
    ASSIGN_OR_RETURN(auto item, c.service.GetSpecialItem(c.actor, id));
    return Json(200, domain::ToJson(item), item.version);
}

Result<Response> PatchSpecialItem(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "special item id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"version", "code", "title", "lead_org_id", "description"}));
    ASSIGN_OR_RETURN(std::int64_t version, PatchVersion(a, r));
    service::SpecialItemPatch p;
    if (r.Has("code")) {
        ASSIGN_OR_RETURN(std::string v, r.String("code"));
        p.code = std::move(v);
    }
    if (r.Has("title")) {
        ASSIGN_OR_RETURN(std::string v, r.String("title"));
        p.title = std::move(v);
    }
    if (r.Has("description")) {
        ASSIGN_OR_RETURN(std::string v, r.String("description"));
        p.description = std::move(v);
    }
    if (r.Has("lead_org_id")) {
        if (r.IsNull("lead_org_id")) {
            p.lead_org_id = std::optional<domain::OrgId>();
        } else {
            ASSIGN_OR_RETURN(auto org, r.Id("lead_org_id"));
            p.lead_org_id = std::optional<domain::OrgId>(org);
        }
    }
    ASSIGN_OR_RETURN(auto item, c.service.UpdateSpecialItem(c.actor, id, p, version));
    return Json(200, domain::ToJson(item), item.version);
}

// ---- figures ----

Result<Response> SpecialItemStats(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"campaign_id"}));
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto campaign, q.Id("campaign_id"));
    if (!campaign) return InvalidArgument("query parameter \"campaign_id\" is required");
    ASSIGN_OR_RETURN(auto stats, c.service.GetSpecialItemStats(c.actor, org, *campaign, NowSeconds()));
    return Json(200, service::ToJson(stats));
}

}  // namespace

Result<service::CampaignDraft> CampaignDraftFromJson(const json& body) {
    if (!body.is_object()) return InvalidArgument("expected a JSON object");
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"code", "name", "description", "owner_org_id", "start_date", "end_date", "batches",
                                  "source", "special_items"}));
    service::CampaignDraft d;
    RETURN_IF_ERROR(r.Require("code"));
    ASSIGN_OR_RETURN(d.code, r.String("code"));
    RETURN_IF_ERROR(r.Require("name"));
    ASSIGN_OR_RETURN(d.name, r.String("name"));
    if (r.Has("description")) {
        ASSIGN_OR_RETURN(d.description, r.String("description"));
    }
    RETURN_IF_ERROR(r.Require("owner_org_id"));
    ASSIGN_OR_RETURN(d.owner_org_id, r.Id("owner_org_id"));
    RETURN_IF_ERROR(r.Require("start_date"));
    ASSIGN_OR_RETURN(d.start_date, r.String("start_date"));
    RETURN_IF_ERROR(r.Require("end_date"));
    ASSIGN_OR_RETURN(d.end_date, r.String("end_date"));
    if (r.Has("batches")) {
        ASSIGN_OR_RETURN(d.batches, ReadBatches(body["batches"]));
    }
    if (r.Has("source") && !r.IsNull("source")) {
        ASSIGN_OR_RETURN(std::string source, r.String("source"));
        d.source = std::move(source);
    }
    if (r.Has("special_items")) {
        const json& items = body["special_items"];
        if (!items.is_array()) return InvalidArgument("/special_items: expected an array");
        for (std::size_t i = 0; i < items.size(); ++i) {
            auto item = ReadItemDraft(items[i]);
            if (!item.ok()) return Nested(item.status(), "/special_items/" + std::to_string(i));
            d.items.push_back(std::move(item).value());
        }
    }
    return d;
}

void AddCampaignRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add) {
    add("GET", "/api/v1/campaigns", ListCampaigns);
    add("POST", "/api/v1/campaigns", CreateCampaign);
    add("GET", "/api/v1/campaigns/{id}", GetCampaign);
    add("PATCH", "/api/v1/campaigns/{id}", PatchCampaign);
    add("POST", "/api/v1/campaigns/{id}/special-items", CreateSpecialItem);
    add("GET", "/api/v1/special-items/{id}", GetSpecialItem);
    add("PATCH", "/api/v1/special-items/{id}", PatchSpecialItem);
    add("GET", "/api/v1/orgs/{id}/stats/special-items", SpecialItemStats);
}

}  // namespace rectify::http
