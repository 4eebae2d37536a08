#include "http/cause_api.hpp"

#include <utility>

#include "common/time.hpp"
#include "domain/cause.hpp"
#include "domain/json.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"
#include "service/service.hpp"

namespace rectify::http {
namespace {

using detail::Created;
using detail::IfMatch;
using detail::Json;
using detail::NoQuery;
using detail::ObjectReader;
using detail::PathId;
using detail::QueryReader;
using nlohmann::json;

// The version of a change: If-Match, or "version" in the body (they must agree when both are sent).
// `required`: without either, kInvalidArgument; else nullopt.
Result<std::optional<std::int64_t>> ChangeVersion(const RouteArgs& a, const ObjectReader& r, bool required,
                                                  bool zero_allowed = false) {
    ASSIGN_OR_RETURN(auto header, IfMatch(a));
    std::optional<std::int64_t> body;
    if (r.Has("version") && !r.IsNull("version")) {
        ASSIGN_OR_RETURN(std::int64_t v, r.Int("version"));
        if (v < (zero_allowed ? 0 : 1)) {
            return InvalidArgument(std::string("/version: expected ") + (zero_allowed ? "0 or more" : "a positive integer"));
        }
        body = v;
    }
    if (header && body && *header != *body) {
        return InvalidArgument("the body's version " + std::to_string(*body) + " and the If-Match version " +
                               std::to_string(*header) + " differ");
    }
    if (header) return header;
    if (body) return body;
    if (required) {
        return InvalidArgument("missing required field \"version\" (the version you read; or send it as If-Match: \"<version>\")");
    }
    return std::optional<std::int64_t>();
}

Result<int> SortOrder(const ObjectReader& r) {
    ASSIGN_OR_RETURN(std::int64_t v, r.Int("sort_order"));
    if (v < -100000 || v > 100000) return InvalidArgument("/sort_order: between -100000 and 100000");
    return static_cast<int>(v);
}

// ---- cause categories ----

Result<Response> ListCauseCategories(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto list, c.service.ListCauseCategories(c.actor));
    json items = json::array();
    for (const auto& cat : list) items.push_back(domain::ToJson(cat));
    return Json(200, {{"items", std::move(items)}});
}

Result<Response> CreateCauseCategory(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"code", "name_zh", "name_en", "higher_level", "sort_order", "active"}));
    service::CauseCategoryDraft d;
    RETURN_IF_ERROR(r.Require("code"));
    ASSIGN_OR_RETURN(d.code, r.String("code"));
    RETURN_IF_ERROR(r.Require("name_zh"));
    ASSIGN_OR_RETURN(d.name_zh, r.String("name_zh"));
    RETURN_IF_ERROR(r.Require("name_en"));
    ASSIGN_OR_RETURN(d.name_en, r.String("name_en"));
    if (r.Has("higher_level")) {
        ASSIGN_OR_RETURN(d.higher_level, r.Bool("higher_level"));
    }
    if (r.Has("sort_order")) {
        ASSIGN_OR_RETURN(d.sort_order, SortOrder(r));
    }
    if (r.Has("active")) {
        ASSIGN_OR_RETURN(d.active, r.Bool("active"));
    }
    ASSIGN_OR_RETURN(auto cat, c.service.CreateCauseCategory(c.actor, d));
    return Created(domain::ToJson(cat), "/api/v1/cause-categories/" + std::to_string(cat.id), cat.version);
}

Result<Response> PutCauseCategory(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "cause category id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"version", "code", "name_zh", "name_en", "higher_level", "sort_order", "active"}));
    ASSIGN_OR_RETURN(auto version, ChangeVersion(a, r, true));
    service::CauseCategoryPatch p;
    for (auto [name, field] : {std::pair{"code", &p.code}, std::pair{"name_zh", &p.name_zh}, std::pair{"name_en", &p.name_en}}) {
        if (r.Has(name)) {
            ASSIGN_OR_RETURN(std::string v, r.String(name));
            *field = std::move(v);
        }
    }
    if (r.Has("higher_level")) {
        ASSIGN_OR_RETURN(bool v, r.Bool("higher_level"));
        p.higher_level = v;
    }
    if (r.Has("active")) {
        ASSIGN_OR_RETURN(bool v, r.Bool("active"));
        p.active = v;
    }
    if (r.Has("sort_order")) {
        ASSIGN_OR_RETURN(int v, SortOrder(r));
        p.sort_order = v;
    }
    ASSIGN_OR_RETURN(auto cat, c.service.UpdateCauseCategory(c.actor, id, p, *version));
    return Json(200, domain::ToJson(cat), cat.version);
}

// ---- the analysis of a problem ----

Result<Response> PutCauseAnalysis(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"version", "cause_category_ids", "text"}));
    service::CauseAnalysisInput in;
    ASSIGN_OR_RETURN(in.version, ChangeVersion(a, r, false, true));
    RETURN_IF_ERROR(r.Require("cause_category_ids"));
    ASSIGN_OR_RETURN(in.category_ids, r.IdArray("cause_category_ids"));
    if (r.Has("text")) {
        ASSIGN_OR_RETURN(in.text, r.String("text"));
    }
    ASSIGN_OR_RETURN(auto res, c.service.SetCauseAnalysis(c.actor, id, in));
    json causes = json::array();
    for (const auto& cat : res.causes) causes.push_back(domain::ToJson(cat));
    return Json(200,
                {{"problem_id", id},
                 {"cause_analysis", domain::ToJson(res.analysis)},
                 {"causes", std::move(causes)},
                 {"higher_level_cause_ids", res.higher_level_ids},
                 {"escalation_suggested", res.escalation_suggested}},
                res.analysis.version);
}

json CountsJson(const store::CauseCounts& c) {
    return {{"problems", c.problems}, {"closed", c.closed}, {"open", c.open}, {"overdue", c.overdue}};
}

Result<Response> CauseStats(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"category_id", "source", "campaign_id", "special_item_id", "batch", "org_kind",
                                  "created_from", "created_to"}));
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    service::CauseStatsQuery query;
    ASSIGN_OR_RETURN(query.category_id, q.Id("category_id"));
    ASSIGN_OR_RETURN(query.source, q.Enum<domain::ProblemSource>("source"));
    ASSIGN_OR_RETURN(query.campaign_id, q.Id("campaign_id"));
    ASSIGN_OR_RETURN(query.special_item_id, q.Id("special_item_id"));
    ASSIGN_OR_RETURN(query.batch, q.IntInRange("batch", 0, 2));
    ASSIGN_OR_RETURN(query.org_kind, q.Enum<domain::OrgKind>("org_kind"));
    ASSIGN_OR_RETURN(query.created_from, q.Time("created_from"));
    ASSIGN_OR_RETURN(query.created_to, q.Time("created_to"));
    ASSIGN_OR_RETURN(auto stats, c.service.GetCauseStats(c.actor, org, query, NowSeconds()));
    json rows = json::array();
    for (const auto& [cat, counts] : stats.categories) {
        json row = CountsJson(counts);
        row["cause_category"] = domain::ToJson(cat);
        rows.push_back(std::move(row));
    }
    return Json(200, {{"org", {{"id", stats.org.id}, {"name", stats.org.name}}},
                      {"at", FormatIso(stats.at)},
                      {"categories", std::move(rows)},
                      {"analysed", CountsJson(stats.analysed)},
                      {"without_analysis", CountsJson(stats.without_analysis)},
                      {"counting", "problems not invalid or merged, owned in the subtree; a problem with several "
                                   "cause categories counts under each of them, once in analysed"}});
}

// ---- self-inspection items ----

json ViewJson(const service::SelfInspectionView& v) {
    json j = domain::ToJson(v.item);
    j["org_name"] = v.org_name;
    j["can_edit"] = v.can_edit;
    return j;
}

Result<Response> ListItems(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"kind", "subtree"}));
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto kind, q.Enum<domain::SelfInspectionKind>("kind"));
    ASSIGN_OR_RETURN(auto subtree, q.Bool("subtree"));
    ASSIGN_OR_RETURN(auto list, c.service.ListSelfInspectionItems(c.actor, org, subtree.value_or(false), kind));
    json items = json::array();
    for (const auto& v : list) items.push_back(ViewJson(v));
    return Json(200, {{"items", std::move(items)}});
}

Result<Response> CreateItem(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"kind", "leader_name", "position", "problem_text", "measures", "deadline", "note"}));
    service::SelfInspectionDraft d;
    if (r.Has("kind")) {
        ASSIGN_OR_RETURN(d.kind, r.Enum<domain::SelfInspectionKind>("kind"));
    }
    if (r.Has("leader_name") && !r.IsNull("leader_name")) {
        ASSIGN_OR_RETURN(std::string v, r.String("leader_name"));
        d.leader_name = std::move(v);
    }
    if (r.Has("position")) {
        ASSIGN_OR_RETURN(d.position, r.String("position"));
    }
    RETURN_IF_ERROR(r.Require("problem_text"));
    ASSIGN_OR_RETURN(d.problem_text, r.String("problem_text"));
    if (r.Has("measures")) {
        ASSIGN_OR_RETURN(d.measures, r.String("measures"));
    }
    RETURN_IF_ERROR(r.Require("deadline"));
    ASSIGN_OR_RETURN(d.deadline, r.String("deadline"));
    if (r.Has("note")) {
        ASSIGN_OR_RETURN(d.note, r.String("note"));
    }
    ASSIGN_OR_RETURN(auto view, c.service.CreateSelfInspectionItem(c.actor, org, d));
    return Created(ViewJson(view), "/api/v1/self-inspection-items/" + std::to_string(view.item.id), view.item.version);
}

Result<Response> GetItem(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "self-inspection item id"));
    ASSIGN_OR_RETURN(auto view, c.service.GetSelfInspectionItem(c.actor, id));
    return Json(200, ViewJson(view), view.item.version);
}

Result<Response> PatchItem(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "self-inspection item id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"version", "leader_name", "position", "problem_text", "measures", "deadline", "note",
                                  "status", "done_on"}));
    ASSIGN_OR_RETURN(auto version, ChangeVersion(a, r, true));
    service::SelfInspectionPatch p;
    for (auto [name, field] : {std::pair{"leader_name", &p.leader_name}, std::pair{"position", &p.position},
                               std::pair{"problem_text", &p.problem_text}, std::pair{"measures", &p.measures},
                               std::pair{"deadline", &p.deadline}, std::pair{"note", &p.note}}) {
        if (r.Has(name)) {
            ASSIGN_OR_RETURN(std::string v, r.String(name));
            *field = std::move(v);
        }
    }
    if (r.Has("status")) {
        ASSIGN_OR_RETURN(std::string s, r.String("status"));
        if (s != "open" && s != "done") return InvalidArgument("/status: expected \"open\" or \"done\"");
        p.done = s == "done";
    }
    if (r.Has("done_on") && !r.IsNull("done_on")) {
        ASSIGN_OR_RETURN(std::string v, r.String("done_on"));
        p.done_on = std::move(v);
    }
    ASSIGN_OR_RETURN(auto view, c.service.UpdateSelfInspectionItem(c.actor, id, p, *version));
    return Json(200, ViewJson(view), view.item.version);
}

json FiguresJson(const store::SelfInspectionFigures& f) {
    return {{"personal", domain::ToJson(f.personal)}, {"leadership_group", domain::ToJson(f.leadership_group)}};
}

Result<Response> SelfInspectionStats(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto stats, c.service.GetSelfInspectionStats(c.actor, org, NowSeconds()));
    json children = json::array();
    for (const auto& [child, f] : stats.children) {
        json row = FiguresJson(f);
        row["org_id"] = child.id;
        row["org_name"] = child.name;
        children.push_back(std::move(row));
    }
    json body = FiguresJson(stats.total);
    body["org"] = {{"id", stats.org.id}, {"name", stats.org.name}};
    body["at"] = FormatIso(stats.at);
    body["today"] = stats.today;
    body["children"] = std::move(children);
    return Json(200, body);
}

}  // namespace

void AddCauseRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add) {
    add("GET", "/api/v1/cause-categories", ListCauseCategories);
    add("POST", "/api/v1/cause-categories", CreateCauseCategory);
    add("PUT", "/api/v1/cause-categories/{id}", PutCauseCategory);
    add("PUT", "/api/v1/problems/{id}/cause-analysis", PutCauseAnalysis);
    add("GET", "/api/v1/orgs/{id}/stats/causes", CauseStats);
    add("GET", "/api/v1/orgs/{id}/self-inspection-items", ListItems);
    add("POST", "/api/v1/orgs/{id}/self-inspection-items", CreateItem);
    add("GET", "/api/v1/self-inspection-items/{id}", GetItem);
    add("PATCH", "/api/v1/self-inspection-items/{id}", PatchItem);
    add("GET", "/api/v1/orgs/{id}/stats/self-inspection", SelfInspectionStats);
}

}  // namespace rectify::http
