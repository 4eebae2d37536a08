#include "http/api.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <utility>

#include "domain/json.hpp"
#include "http/detail/input.hpp"
#include "http/workflow_api.hpp"
#include "service/json.hpp"

namespace rectify::http {
namespace {

using detail::ObjectReader;
using detail::QueryReader;
using nlohmann::json;

struct Ctx {
    service::Service& service;
    const domain::Actor& actor;
};
using HandlerFn = Result<Response> (*)(const Ctx&, const RouteArgs&);

std::string ETag(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

Response Json(int status, const json& value, std::optional<std::int64_t> version = std::nullopt) {
    Response r = JsonResponse(status, value);
    if (version) r.SetHeader("ETag", ETag(*version));
    return r;
}

Response Created(const json& value, const std::string& location, std::int64_t version) {
    Response r = Json(201, value, version);
    r.SetHeader("Location", location);
    return r;
}

json Items(json array) { return {{"items", std::move(array)}}; }

std::size_t ChildCount(const std::shared_ptr<const index::OrgTree>& tree, domain::OrgId id) {
    return tree ? tree->Children(id).size() : 0;
}

json OrgJson(const domain::Org& org, const std::shared_ptr<const index::OrgTree>& tree) {
    json j = domain::ToJson(org);
    j["child_count"] = ChildCount(tree, org.id);
    return j;
}

json OrgList(const std::vector<domain::Org>& orgs, const std::shared_ptr<const index::OrgTree>& tree) {
    json items = json::array();
    for (const auto& o : orgs) items.push_back(OrgJson(o, tree));
    return Items(std::move(items));
}

Result<std::int64_t> PathId(const RouteArgs& a, std::string_view what) {
    return detail::ParseId(a.params.Get("id"), what);
}

Result<json> Body(const RouteArgs& a) { return detail::ParseJsonObject(a.request.body); }

Status NoQuery(const RouteArgs& a) { return QueryReader(a.target.query).CheckKnown({}); }

// ---- health ----

Result<Response> Healthz(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(int version, c.service.store().SchemaVersion());
    return Json(200, {{"status", "ok"}, {"schema_version", version}});
}

// ---- orgs ----

Result<Response> GetOrg(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto org, c.service.GetOrg(c.actor, id));
    return Json(200, OrgJson(org, c.service.Tree()), org.version);
}

Result<Response> OrgChildren(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto children, c.service.ListChildren(c.actor, id));
    return Json(200, OrgList(children, c.service.Tree()));
}

Result<Response> OrgAncestors(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto chain, c.service.Ancestors(c.actor, id));
    return Json(200, OrgList(chain, c.service.Tree()));
}

Result<Response> FindOrgs(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"division_code", "q", "limit"}));
    ASSIGN_OR_RETURN(auto code, q.NonEmpty("division_code"));
    ASSIGN_OR_RETURN(auto text, q.NonEmpty("q"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, 100));
    if (code && text) return InvalidArgument("give either division_code or q, not both");
    if (code) {
        if (limit) return InvalidArgument("query parameter \"limit\" goes with q, not with division_code");
        auto org = c.service.FindOrgByDivisionCode(c.actor, *code);
        if (!org.ok() && org.status().code() == StatusCode::kNotFound) return Json(200, Items(json::array()));
        if (!org.ok()) return org.status();
        return Json(200, OrgList({*org}, c.service.Tree()));
    }
    if (text) {
        ASSIGN_OR_RETURN(auto orgs, c.service.SearchOrgs(c.actor, *text, limit.value_or(20)));
        return Json(200, OrgList(orgs, c.service.Tree()));
    }
    return InvalidArgument("give division_code=<code> to look up one org, or q=<text> to search");
}

Result<Response> CreateOrg(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"parent_id", "name", "level", "kind", "batch", "division_code"}));
    domain::Org draft;
    RETURN_IF_ERROR(r.Require("parent_id"));
    ASSIGN_OR_RETURN(draft.parent_id, r.Id("parent_id"));
    RETURN_IF_ERROR(r.Require("name"));
    ASSIGN_OR_RETURN(draft.name, r.String("name"));
    RETURN_IF_ERROR(r.Require("level"));
    ASSIGN_OR_RETURN(draft.level, r.String("level"));
    if (r.Has("kind")) {
        ASSIGN_OR_RETURN(draft.kind, r.Enum<domain::OrgKind>("kind"));
    }
    if (r.Has("batch")) {
        ASSIGN_OR_RETURN(auto batch, r.Int("batch"));
        if (batch < 0 || batch > 2) return InvalidArgument("/batch: expected 0 (none), 1 or 2");
        draft.batch = static_cast<int>(batch);
    }
    if (r.Has("division_code") && !r.IsNull("division_code")) {
        ASSIGN_OR_RETURN(draft.division_code, r.String("division_code"));
    }
    ASSIGN_OR_RETURN(auto org, c.service.CreateOrg(c.actor, std::move(draft)));
    return Created(OrgJson(org, c.service.Tree()), "/api/v1/orgs/" + std::to_string(org.id), org.version);
}

// POST /api/v1/orgs/{id}/move {"parent_id": N}: re-parents the org with its subtree (history is the
// event log). Both orgs must be in scope.
Result<Response> MoveOrg(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(std::int64_t id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"parent_id"}));
    RETURN_IF_ERROR(r.Require("parent_id"));
    ASSIGN_OR_RETURN(std::int64_t parent, r.Id("parent_id"));
    ASSIGN_OR_RETURN(auto org, c.service.MoveOrg(c.actor, id, parent));
    return Json(200, OrgJson(org, c.service.Tree()), org.version);
}

Result<int> CategoryDepth(const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"category_depth"}));
    ASSIGN_OR_RETURN(auto depth, q.IntInRange("category_depth", 1, 3));
    return depth.value_or(1);
}

Result<Response> OrgStats(const Ctx& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(int depth, CategoryDepth(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto stats, c.service.Stats(c.actor, id, depth));
    return Json(200, service::ToJson(stats));
}

Result<Response> OrgChildStats(const Ctx& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(int depth, CategoryDepth(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto all, c.service.ChildStats(c.actor, id, depth));
    json items = json::array();
    for (const auto& s : all) items.push_back(service::ToJson(s));
    return Json(200, Items(std::move(items)));
}

Result<Response> Levels(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto levels, c.service.ListLevels());
    json items = json::array();
    for (const auto& l : levels) items.push_back(domain::ToJson(l));
    return Json(200, Items(std::move(items)));
}

Result<Response> Categories(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto categories, c.service.ListCategories());
    json items = json::array();
    for (const auto& cat : categories) items.push_back(domain::ToJson(cat));
    return Json(200, Items(std::move(items)));
}

// ---- events ----

Result<Response> Events(const Ctx& c, const RouteArgs& a, const std::string& entity) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, entity + " id"));
    ASSIGN_OR_RETURN(auto events, c.service.History(c.actor, entity, id));
    json items = json::array();
    for (const auto& e : events) items.push_back(service::ToJson(e));
    return Json(200, Items(std::move(items)));
}
Result<Response> OrgEvents(const Ctx& c, const RouteArgs& a) { return Events(c, a, "org"); }
Result<Response> ProblemEvents(const Ctx& c, const RouteArgs& a) { return Events(c, a, "problem"); }
Result<Response> OpinionEvents(const Ctx& c, const RouteArgs& a) { return Events(c, a, "opinion"); }

// ---- problems ----

template <typename T>
json PageJson(const service::Page<T>& page) {
    json items = json::array();
    for (const auto& item : page.items) items.push_back(domain::ToJson(item));
    return {{"items", std::move(items)}, {"next_cursor", page.next_cursor ? json(*page.next_cursor) : json(nullptr)}};
}

Result<Response> ListProblems(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(
        q.CheckKnown({"org_id", "status", "category_id", "source", "created_from", "created_to", "cursor", "limit"}));
    service::ProblemQuery query;
    ASSIGN_OR_RETURN(query.org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(query.statuses, q.EnumList<domain::ProblemStatus>("status"));
    ASSIGN_OR_RETURN(query.category_id, q.Id("category_id"));
    ASSIGN_OR_RETURN(query.source, q.Enum<domain::ProblemSource>("source"));
    ASSIGN_OR_RETURN(query.created_from, q.Time("created_from"));
    ASSIGN_OR_RETURN(query.created_to, q.Time("created_to"));
    ASSIGN_OR_RETURN(query.cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    query.limit = limit.value_or(service::kDefaultPageSize);
    ASSIGN_OR_RETURN(auto page, c.service.ListProblems(c.actor, query));
    return Json(200, PageJson(page));
}

Result<Response> GetProblem(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto detail, c.service.GetProblem(c.actor, id));
    return Json(200, service::ToJson(detail), detail.problem.version);
}

Result<Response> CreateProblem(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown(
        {"title", "description", "source", "category_id", "severity", "owner_org_id", "due_at", "opinion_ids"}));
    service::ProblemDraft d;
    RETURN_IF_ERROR(r.Require("title"));
    ASSIGN_OR_RETURN(d.title, r.String("title"));
    if (r.Has("description")) {
        ASSIGN_OR_RETURN(d.description, r.String("description"));
    }
    if (r.Has("source")) {
        ASSIGN_OR_RETURN(d.source, r.Enum<domain::ProblemSource>("source"));
    }
    if (r.Has("category_id") && !r.IsNull("category_id")) {
        ASSIGN_OR_RETURN(d.category_id, r.Id("category_id"));
    }
    if (r.Has("severity")) {
        ASSIGN_OR_RETURN(d.severity, r.Enum<domain::Severity>("severity"));
    }
    RETURN_IF_ERROR(r.Require("owner_org_id"));
    ASSIGN_OR_RETURN(d.owner_org_id, r.Id("owner_org_id"));
    if (r.Has("due_at") && !r.IsNull("due_at")) {
        ASSIGN_OR_RETURN(d.due_at, r.Time("due_at"));
    }
    if (r.Has("opinion_ids")) {
        ASSIGN_OR_RETURN(d.opinion_ids, r.IdArray("opinion_ids"));
    }
    ASSIGN_OR_RETURN(auto problem, c.service.CreateProblem(c.actor, d));
    return Created(domain::ToJson(problem), "/api/v1/problems/" + std::to_string(problem.id), problem.version);
}

// The version of an If-Match header: `"3"` (or a bare 3). Errors: kInvalidArgument.
Result<std::int64_t> IfMatchVersion(const std::string& header) {
    std::string_view v = header;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    auto n = detail::ParseId(v, "If-Match version");
    if (!n.ok()) {
        return InvalidArgument("If-Match must be the ETag of the version you read, e.g. \"3\", not " +
                               detail::Quote(header));
    }
    return *n;
}

Result<Response> PatchProblem(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"version", "title", "description", "category_id", "severity", "due_at"}));
    service::ProblemPatch p;
    if (r.Has("version")) {
        ASSIGN_OR_RETURN(p.version, r.Id("version"));
        if (a.request.if_match) {
            ASSIGN_OR_RETURN(auto header_version, IfMatchVersion(*a.request.if_match));
            if (header_version != p.version) {
                return InvalidArgument("the body's version " + std::to_string(p.version) +
                                       " and the If-Match version " + std::to_string(header_version) + " differ");
            }
        }
    } else if (a.request.if_match) {
        ASSIGN_OR_RETURN(p.version, IfMatchVersion(*a.request.if_match));
    } else {
        return InvalidArgument(
            "missing required field \"version\" (the version you read; or send it as If-Match: \"<version>\")");
    }
    if (r.Has("title")) {
        ASSIGN_OR_RETURN(p.title, r.String("title"));
    }
    if (r.Has("description")) {
        ASSIGN_OR_RETURN(p.description, r.String("description"));
    }
    if (r.Has("category_id")) {
        if (r.IsNull("category_id")) {
            p.category_id = std::optional<domain::CategoryId>();
        } else {
            ASSIGN_OR_RETURN(auto cat, r.Id("category_id"));
            p.category_id = std::optional<domain::CategoryId>(cat);
        }
    }
    if (r.Has("severity")) {
        ASSIGN_OR_RETURN(p.severity, r.Enum<domain::Severity>("severity"));
    }
    if (r.Has("due_at")) {
        if (r.IsNull("due_at")) {
            p.due_at = std::optional<UnixSeconds>();
        } else {
            ASSIGN_OR_RETURN(auto due, r.Time("due_at"));
            p.due_at = std::optional<UnixSeconds>(due);
        }
    }
    ASSIGN_OR_RETURN(auto problem, c.service.UpdateProblem(c.actor, id, p));
    return Json(200, domain::ToJson(problem), problem.version);
}

// ---- opinions ----

Result<Response> ListOpinions(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown(
        {"org_id", "status", "channel", "category_id", "replied", "received_from", "received_to", "cursor", "limit"}));
    service::OpinionQuery query;
    ASSIGN_OR_RETURN(query.org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(query.statuses, q.EnumList<domain::OpinionStatus>("status"));
    ASSIGN_OR_RETURN(query.channel, q.Enum<domain::OpinionChannel>("channel"));
    ASSIGN_OR_RETURN(query.category_id, q.Id("category_id"));
    ASSIGN_OR_RETURN(query.replied, q.Bool("replied"));
    ASSIGN_OR_RETURN(query.received_from, q.Time("received_from"));
    ASSIGN_OR_RETURN(query.received_to, q.Time("received_to"));
    ASSIGN_OR_RETURN(query.cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    query.limit = limit.value_or(service::kDefaultPageSize);
    ASSIGN_OR_RETURN(auto page, c.service.ListOpinions(c.actor, query));
    return Json(200, PageJson(page));
}

Result<Response> GetOpinion(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "opinion id"));
    ASSIGN_OR_RETURN(auto opinion, c.service.GetOpinion(c.actor, id));
    return Json(200, domain::ToJson(opinion), opinion.version);
}

Result<Response> CreateOpinion(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown(
        {"channel", "kind", "title", "text", "org_id", "division_code", "submitter", "category_id", "received_at"}));
    service::OpinionDraft d;
    RETURN_IF_ERROR(r.Require("channel"));
    ASSIGN_OR_RETURN(d.channel, r.Enum<domain::OpinionChannel>("channel"));
    if (r.Has("kind")) {
        ASSIGN_OR_RETURN(d.kind, r.Enum<domain::OpinionKind>("kind"));
    }
    RETURN_IF_ERROR(r.Require("title"));
    ASSIGN_OR_RETURN(d.title, r.String("title"));
    if (r.Has("text")) {
        ASSIGN_OR_RETURN(d.text, r.String("text"));
    }
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    if (r.Has("division_code") && !r.IsNull("division_code")) {
        ASSIGN_OR_RETURN(d.division_code, r.String("division_code"));
    }
    if (r.Has("submitter") && !r.IsNull("submitter")) {
        ASSIGN_OR_RETURN(d.submitter, r.String("submitter"));
    }
    if (r.Has("category_id") && !r.IsNull("category_id")) {
        ASSIGN_OR_RETURN(d.category_id, r.Id("category_id"));
    }
    if (r.Has("received_at") && !r.IsNull("received_at")) {
        ASSIGN_OR_RETURN(d.received_at, r.Time("received_at"));
    }
    ASSIGN_OR_RETURN(auto opinion, c.service.CreateOpinion(c.actor, d));
    return Created(domain::ToJson(opinion), "/api/v1/opinions/" + std::to_string(opinion.id), opinion.version);
}

Response MethodNotAllowed(const Request& request, const std::string& path, const std::string& allow) {
    Response r = ErrorResponse(InvalidArgument("method " + detail::Quote(request.method) + " is not allowed on " +
                                               detail::Quote(path) + " (allowed: " + allow + ")"));
    r.status = 405;
    r.SetHeader("Allow", allow);
    return r;
}

}  // namespace

Api::Api(service::Service& service, ApiOptions options) : service_(service), options_(std::move(options)) {
    if (!options_.static_dir.empty()) static_files_.emplace(options_.static_dir);
    AddRoutes();
}

void Api::AddRoutes() {
    auto add = [this](std::string method, std::string_view pattern, HandlerFn fn) {
        router_.Add(std::move(method), pattern, [this, fn](const RouteArgs& a) -> Response {
            Result<Response> r = fn(Ctx{service_, options_.actor}, a);
            if (r.ok()) return std::move(r).value();
            if (r.status().code() == StatusCode::kInternal) {
                spdlog::error("{} {}: {}", a.request.method, a.target.path, r.status().message());
            }
            return ErrorResponse(r.status());
        });
    };
    add("GET", "/healthz", Healthz);

    add("GET", "/api/v1/orgs", FindOrgs);
    add("POST", "/api/v1/orgs", CreateOrg);
    add("GET", "/api/v1/orgs/{id}", GetOrg);
    add("GET", "/api/v1/orgs/{id}/children", OrgChildren);
    add("GET", "/api/v1/orgs/{id}/ancestors", OrgAncestors);
    add("POST", "/api/v1/orgs/{id}/move", MoveOrg);
    add("GET", "/api/v1/orgs/{id}/stats", OrgStats);
    add("GET", "/api/v1/orgs/{id}/stats/children", OrgChildStats);
    add("GET", "/api/v1/orgs/{id}/events", OrgEvents);
    add("GET", "/api/v1/levels", Levels);
    add("GET", "/api/v1/categories", Categories);

    add("GET", "/api/v1/problems", ListProblems);
    add("POST", "/api/v1/problems", CreateProblem);
    add("GET", "/api/v1/problems/{id}", GetProblem);
    add("PATCH", "/api/v1/problems/{id}", PatchProblem);
    add("GET", "/api/v1/problems/{id}/events", ProblemEvents);

    add("GET", "/api/v1/opinions", ListOpinions);
    add("POST", "/api/v1/opinions", CreateOpinion);
    add("GET", "/api/v1/opinions/{id}", GetOpinion);
    add("GET", "/api/v1/opinions/{id}/events", OpinionEvents);

    // ---- workflow (issue 3): src/http/workflow_api.cpp ----
    AddWorkflowRoutes([this](std::string method, std::string_view pattern, WorkflowHandler fn) {
        router_.Add(std::move(method), pattern, [this, fn](const RouteArgs& a) -> Response {
            return WorkflowAnswer(a, fn(WorkflowContext{service_, options_.actor}, a));
        });
    });
}

std::optional<std::size_t> Api::UploadLimit(std::string_view method, std::string_view target) const {
    return WorkflowUploadLimit(service_, method, target);
}

Response Api::Dispatch(const Request& request) const {
    auto target = ParseTarget(request.target);
    if (!target.ok()) return ErrorResponse(target.status());

    const auto& segments = target->segments;
    const bool is_api = !segments.empty() && segments.front() == "api";
    const bool is_health = segments.size() == 1 && segments.front() == "healthz";
    if (is_api || is_health) {
        Router::Match m = router_.Find(request.method, segments);
        switch (m.kind) {
            case Router::Match::Kind::kFound:
                // ---- workflow (issue 3): a POST with an Idempotency-Key runs at most once ----
                if (request.method == "POST" && request.idempotency_key) {
                    return RunIdempotent(service_, options_.actor, request, target->path,
                                         [&] { return (*m.handler)(RouteArgs{request, *target, m.params}); });
                }
                return (*m.handler)(RouteArgs{request, *target, m.params});
            case Router::Match::Kind::kMethodNotAllowed:
                return MethodNotAllowed(request, target->path, m.allow);
            case Router::Match::Kind::kNotFound:
                return ErrorResponse(
                    NotFound("no route for " + detail::Quote(target->path) + " (the API is described in docs/API.md)"));
        }
    }
    if (!static_files_) return ErrorResponse(NotFound("no route for " + detail::Quote(target->path)));
    if (request.method != "GET" && request.method != "HEAD") {
        return MethodNotAllowed(request, target->path, "GET, HEAD");
    }
    return static_files_->Serve(*target);
}

Response Api::Handle(const Request& request) const {
    Response response;
    try {
        response = Dispatch(request);
    } catch (const std::exception& e) {
        spdlog::error("{} request failed with an exception: {}", request.method, e.what());
        response = ErrorResponse(Internal(e.what()));
    } catch (...) {
        spdlog::error("{} request failed with an unknown exception", request.method);
        response = ErrorResponse(Internal("unknown exception"));
    }
    AddSecurityHeaders(response);
    return response;
}

}  // namespace rectify::http
