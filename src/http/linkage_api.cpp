#include "http/linkage_api.hpp"

#include <utility>

#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/json.hpp"
#include "domain/linkage.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"

namespace rectify::http {
namespace {

using detail::ObjectReader;
using detail::QueryReader;
using detail::Created;
using detail::ETag;
using detail::IfMatch;
using detail::Items;
using detail::ItemsOf;
using detail::Json;
using detail::Nested;
using detail::NoQuery;
using detail::OptionalBody;
using detail::OptString;
using detail::PageJson;
using detail::PathId;
using detail::RequiredString;
using nlohmann::json;

Result<domain::CascadeTargets> ReadTargets(const json& body) {
    if (!body.contains("targets")) return InvalidArgument("missing required field \"targets\"");
    const json& t = body["targets"];
    if (!t.is_object()) {
        return InvalidArgument("/targets: expected an object, e.g. {\"scope\": \"level\", \"level\": \"county\"}");
    }
    ObjectReader r(t);
    domain::CascadeTargets out;
    auto read = [&]() -> Status {
        RETURN_IF_ERROR(r.CheckKnown({"scope", "level", "org_ids", "kind", "batch"}));
        RETURN_IF_ERROR(r.Require("scope"));
        ASSIGN_OR_RETURN(out.scope, r.Enum<domain::CascadeScope>("scope"));
        if (r.Has("level") && !r.IsNull("level")) {
            ASSIGN_OR_RETURN(std::string level, r.String("level"));
            out.level = std::move(level);
        }
        if (r.Has("org_ids")) {
            ASSIGN_OR_RETURN(out.org_ids, r.IdArray("org_ids"));
        }
        if (r.Has("kind") && !r.IsNull("kind")) {
            ASSIGN_OR_RETURN(domain::OrgKind kind, r.Enum<domain::OrgKind>("kind"));
            out.kind = kind;
        }
        if (r.Has("batch") && !r.IsNull("batch")) {
            ASSIGN_OR_RETURN(std::int64_t batch, r.Int("batch"));
            if (batch < 0 || batch > 2) return InvalidArgument("/batch: must be 0, 1 or 2");
            out.batch = static_cast<int>(batch);
        }
        return Status::Ok();
    };
    RETURN_IF_ERROR(Nested(read(), "/targets"));
    return out;
}

// ---- escalations ----

Result<Response> CreateEscalation(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto problem, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"to_org_id", "reason", "kind"}));
    service::EscalationDraft d;
    if (r.Has("kind") && !r.IsNull("kind")) {
        ASSIGN_OR_RETURN(d.kind, r.Enum<domain::EscalationKind>("kind"));
    }
    RETURN_IF_ERROR(r.Require("to_org_id"));
    ASSIGN_OR_RETURN(d.to_org_id, r.Id("to_org_id"));
    ASSIGN_OR_RETURN(d.reason, RequiredString(r, "reason"));
    ASSIGN_OR_RETURN(auto e, c.service.EscalateProblem(c.actor, problem, d, version));
    Response resp = Json(201, domain::ToJson(e), e.version);
    resp.SetHeader("Location", "/api/v1/escalations/" + std::to_string(e.id));
    return resp;
}

Result<Response> ListEscalations(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto problem, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto list, c.service.ListEscalations(c.actor, problem));
    json items = json::array();
    for (const auto& e : list) items.push_back(domain::ToJson(e));
    return Json(200, {{"items", std::move(items)}});
}

Result<Response> GetEscalation(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "escalation id"));
    ASSIGN_OR_RETURN(auto e, c.service.GetEscalation(c.actor, id));
    return Json(200, domain::ToJson(e), e.version);
}

// A decision whose body carries "comment" (optional) or "reason" (required).
template <typename F>
Result<Response> Decide(const RouteArgs& a, std::string_view field, bool required, F call) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "escalation id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, OptionalBody(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({field}));
    std::optional<std::string> text;
    if (required) {
        ASSIGN_OR_RETURN(std::string t, RequiredString(r, field));
        text = std::move(t);
    } else {
        ASSIGN_OR_RETURN(text, OptString(r, field));
    }
    ASSIGN_OR_RETURN(domain::Escalation e, call(id, text, version));
    return Json(200, domain::ToJson(e), e.version);
}

Result<Response> AcceptEscalation(const WorkflowContext& c, const RouteArgs& a) {
    return Decide(a, "comment", false,
                  [&](auto id, auto& t, auto v) { return c.service.AcceptEscalation(c.actor, id, t, v); });
}
Result<Response> DeclineEscalation(const WorkflowContext& c, const RouteArgs& a) {
    return Decide(a, "reason", true,
                  [&](auto id, auto& t, auto v) { return c.service.DeclineEscalation(c.actor, id, *t, v); });
}
Result<Response> WithdrawEscalation(const WorkflowContext& c, const RouteArgs& a) {
    return Decide(a, "reason", true,
                  [&](auto id, auto& t, auto v) { return c.service.WithdrawEscalation(c.actor, id, *t, v); });
}

// ---- co-owners (同题共答) ----

Result<service::TaskDraft> ReadPart(const json& body) {
    if (!body.contains("task")) return InvalidArgument("missing required field \"task\"");
    const json& t = body["task"];
    if (!t.is_object()) return InvalidArgument("/task: expected an object (the co-owner's part)");
    ObjectReader r(t);
    service::TaskDraft d;
    auto read = [&]() -> Status {
        RETURN_IF_ERROR(r.CheckKnown({"title", "description", "responsible_person", "lead_official", "type", "due_at",
                                      "review_dates"}));
        ASSIGN_OR_RETURN(d.title, RequiredString(r, "title"));
        if (r.Has("description")) {
            ASSIGN_OR_RETURN(d.description, r.String("description"));
        }
        ASSIGN_OR_RETURN(d.responsible_person, RequiredString(r, "responsible_person"));
        ASSIGN_OR_RETURN(d.lead_official, OptString(r, "lead_official"));
        RETURN_IF_ERROR(r.Require("type"));
        ASSIGN_OR_RETURN(d.type, r.Enum<domain::TaskType>("type"));
        if (r.Has("due_at") && !r.IsNull("due_at")) {
            ASSIGN_OR_RETURN(UnixSeconds due, r.Time("due_at"));
            d.due_at = due;
        }
        if (r.Has("review_dates")) {
            const json& v = t["review_dates"];
            if (!v.is_array()) return InvalidArgument("/review_dates: expected an array of RFC 3339 strings");
            for (std::size_t i = 0; i < v.size(); ++i) {
                const std::string p = "/review_dates/" + std::to_string(i);
                if (!v[i].is_string()) return InvalidArgument(p + ": expected an RFC 3339 string");
                auto at = ParseIso(v[i].get<std::string>());
                if (!at.ok()) return InvalidArgument(p + ": " + at.status().message());
                d.review_dates.push_back(*at);
            }
        }
        return Status::Ok();
    };
    RETURN_IF_ERROR(Nested(read(), "/task"));
    return d;
}

Result<Response> AddCoOwner(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto problem, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"org_id", "task"}));
    service::CoOwnerDraft d;
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    ASSIGN_OR_RETURN(d.task, ReadPart(body));
    ASSIGN_OR_RETURN(auto added, c.service.AddCoOwner(c.actor, problem, d, version));
    Response resp = Json(201, {{"co_owner", domain::ToJson(added.co_owner)}, {"task", domain::ToJson(added.task)}});
    resp.SetHeader("Location", "/api/v1/tasks/" + std::to_string(added.task.id));
    return resp;
}

Result<Response> ListCoOwners(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto problem, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto list, c.service.ListCoOwners(c.actor, problem));
    json items = json::array();
    for (const auto& co : list) items.push_back(domain::ToJson(co));
    return Json(200, {{"items", std::move(items)}});
}

// ---- cascade ----

Result<Response> CascadeTask(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"targets", "responsible_person", "title", "description", "due_at"}));
    service::CascadeDraft d;
    ASSIGN_OR_RETURN(d.targets, ReadTargets(body));
    ASSIGN_OR_RETURN(d.responsible_person, RequiredString(r, "responsible_person"));
    ASSIGN_OR_RETURN(d.title, OptString(r, "title"));
    ASSIGN_OR_RETURN(d.description, OptString(r, "description"));
    if (r.Has("due_at") && !r.IsNull("due_at")) {
        ASSIGN_OR_RETURN(UnixSeconds due, r.Time("due_at"));
        d.due_at = due;
    }
    ASSIGN_OR_RETURN(auto cascade, c.service.CascadeTask(c.actor, id, d, version));
    Response resp = Json(201, domain::ToJson(cascade));
    resp.SetHeader("Location", "/api/v1/tasks/" + std::to_string(id) + "/children");
    return resp;
}

Result<Response> ListChildren(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"cursor", "limit"}));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, 1000));
    ASSIGN_OR_RETURN(auto cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(auto page, c.service.ListChildTasks(c.actor, id, cursor, limit.value_or(100)));
    json items = json::array();
    for (const auto& t : page.items) items.push_back(domain::ToJson(t));
    return Json(200, {{"rollup", domain::ToJson(page.rollup)},
                      {"items", std::move(items)},
                      {"next_cursor", page.next_cursor ? json(*page.next_cursor) : json(nullptr)}});
}

}  // namespace

void AddLinkageRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add) {
    add("GET", "/api/v1/problems/{id}/escalations", ListEscalations);
    add("POST", "/api/v1/problems/{id}/escalations", CreateEscalation);
    add("GET", "/api/v1/problems/{id}/co-owners", ListCoOwners);
    add("POST", "/api/v1/problems/{id}/co-owners", AddCoOwner);
    add("GET", "/api/v1/escalations/{id}", GetEscalation);
    add("POST", "/api/v1/escalations/{id}/accept", AcceptEscalation);
    add("POST", "/api/v1/escalations/{id}/decline", DeclineEscalation);
    add("POST", "/api/v1/escalations/{id}/withdraw", WithdrawEscalation);
    add("POST", "/api/v1/tasks/{id}/cascade", CascadeTask);
    add("GET", "/api/v1/tasks/{id}/children", ListChildren);
}

}  // namespace rectify::http
