#include "http/api.hpp"

#include <exception>
#include <functional>
#include <filesystem>
#include <map>
#include <sstream>
#include <utility>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "common/crypto.hpp"
#include "common/csv.hpp"
#include "domain/account.hpp"
#include "domain/json.hpp"
#include "domain/public_intake.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"
#include "http/campaign_api.hpp"
#include "http/study_api.hpp"
#include "http/cause_api.hpp"
#include "http/linkage_api.hpp"
#include "http/notification_api.hpp"
#include "http/open311_api.hpp"
#include "http/public_api.hpp"
#include "http/supervision_api.hpp"
#include "http/text_api.hpp"
#include "http/workflow_api.hpp"
#include "service/json.hpp"

namespace rectify::http {
namespace {

using detail::ObjectReader;
using detail::QueryReader;
using detail::ExtValue;
using detail::Body;
using detail::Created;
using detail::ETag;
using detail::IfMatch;
using detail::Items;
using detail::ItemsOf;
using detail::Json;
using detail::NoQuery;
using detail::OptionalBody;
using detail::OptString;
using detail::PageJson;
using detail::PathId;
using detail::RequiredString;
using nlohmann::json;

// The id of the request this thread is handling, for error log lines (handlers run synchronously).
thread_local std::string current_request_id;

// The body limit of POST /api/v1/ledger/import (a whole sheet: 100,000 rows of a few hundred bytes each fit).
constexpr std::size_t kLedgerImportMaxBodyBytes = 64u << 20;

struct Ctx {
    service::Service& service;
    const domain::Actor& actor;          // the request's actor (an empty one on public routes)
    const service::Authenticated* who;  // null on public routes
    const ApiOptions& options;
};
using HandlerFn = Result<Response> (*)(const Ctx&, const RouteArgs&);


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

// The query of GET /orgs/{id}/stats and /stats/children: category_depth (1..3), category_id (a top-level
// category id, or "none" for problems without a category), source, campaign_id, special_item_id, batch (0..2),
// org_kind, created_from / created_to (RFC 3339; created in [from, to)), due_soon_days (0..365), weeks (0..520).
Result<service::StatsQuery> StatsQueryOf(const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"category_depth", "category_id", "source", "campaign_id", "special_item_id", "batch",
                                  "org_kind", "created_from", "created_to", "due_soon_days", "weeks"}));
    service::StatsQuery sq;
    ASSIGN_OR_RETURN(auto depth, q.IntInRange("category_depth", 1, 3));
    sq.category_depth = depth.value_or(1);
    ASSIGN_OR_RETURN(auto category, q.NonEmpty("category_id"));
    if (category && *category == "none") {
        sq.uncategorised = true;
    } else if (category) {
        ASSIGN_OR_RETURN(sq.category_id, q.Id("category_id"));
    }
    ASSIGN_OR_RETURN(sq.source, q.Enum<domain::ProblemSource>("source"));
    ASSIGN_OR_RETURN(sq.campaign_id, q.Id("campaign_id"));
    ASSIGN_OR_RETURN(sq.special_item_id, q.Id("special_item_id"));
    ASSIGN_OR_RETURN(sq.batch, q.IntInRange("batch", 0, 2));
    ASSIGN_OR_RETURN(sq.org_kind, q.Enum<domain::OrgKind>("org_kind"));
    ASSIGN_OR_RETURN(sq.created_from, q.Time("created_from"));
    ASSIGN_OR_RETURN(sq.created_to, q.Time("created_to"));
    ASSIGN_OR_RETURN(auto due_soon, q.IntInRange("due_soon_days", 0, 365));
    sq.due_soon_days = due_soon.value_or(sq.due_soon_days);
    ASSIGN_OR_RETURN(auto weeks, q.IntInRange("weeks", 0, 520));
    sq.weeks = weeks.value_or(sq.weeks);
    return sq;
}

Result<Response> OrgStats(const Ctx& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto query, StatsQueryOf(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto stats, c.service.Stats(c.actor, id, query));
    return Json(200, service::ToJson(stats));
}

Result<Response> OrgChildStats(const Ctx& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto query, StatsQueryOf(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto all, c.service.ChildStats(c.actor, id, query));
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


// The orders of GET /api/v1/problems?sort=: a field, descending with a leading "-".
Result<store::ProblemOrder> ProblemOrderOf(const std::optional<std::string>& sort) {
    using O = store::ProblemOrder;
    if (!sort || *sort == "-id") return O::kIdDesc;
    static const std::pair<std::string_view, O> kOrders[] = {
        {"created_at", O::kCreatedAsc}, {"-created_at", O::kCreatedDesc}, {"due_at", O::kDueAsc},
        {"-due_at", O::kDueDesc},       {"closed_at", O::kClosedAsc},     {"-closed_at", O::kClosedDesc}};
    for (const auto& [name, order] : kOrders) {
        if (*sort == name) return order;
    }
    return InvalidArgument("sort: expected one of -id, created_at, -created_at, due_at, -due_at, closed_at, -closed_at, not " +
                           detail::Quote(*sort));
}

// The filter fields of a problem query (the problem list and the ledger): org_id, status (comma list),
// category_id, source, created_from, created_to (RFC 3339), overdue (true/false), campaign_id, special_item_id,
// batch, org_kind, cause_category_id, ids (comma list of problem ids, at most service::kMaxProblemIds).
Status ReadProblemFilter(const QueryReader& q, service::ProblemQuery& query) {
    ASSIGN_OR_RETURN(query.org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(query.statuses, q.EnumList<domain::ProblemStatus>("status"));
    ASSIGN_OR_RETURN(query.category_id, q.Id("category_id"));
    ASSIGN_OR_RETURN(query.source, q.Enum<domain::ProblemSource>("source"));
    ASSIGN_OR_RETURN(query.created_from, q.Time("created_from"));
    ASSIGN_OR_RETURN(query.created_to, q.Time("created_to"));
    ASSIGN_OR_RETURN(query.overdue, q.Bool("overdue"));
    ASSIGN_OR_RETURN(query.campaign_id, q.Id("campaign_id"));
    ASSIGN_OR_RETURN(query.special_item_id, q.Id("special_item_id"));
    ASSIGN_OR_RETURN(query.batch, q.IntInRange("batch", 0, 2));
    ASSIGN_OR_RETURN(query.org_kind, q.Enum<domain::OrgKind>("org_kind"));
    ASSIGN_OR_RETURN(query.cause_category_id, q.Id("cause_category_id"));  // issue 12 (the problem list only)
    ASSIGN_OR_RETURN(query.ids, q.IdList("ids", service::kMaxProblemIds));  // chosen rows (out of scope: left out)
    return Status::Ok();
}

Result<Response> ListProblems(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id", "status", "category_id", "source", "created_from", "created_to", "overdue",
                                  "campaign_id", "special_item_id", "batch", "org_kind", "cause_category_id", "ids", "sort", "offset", "total",
                                  "cursor", "limit"}));
    service::ProblemQuery query;
    RETURN_IF_ERROR(ReadProblemFilter(q, query));
    ASSIGN_OR_RETURN(auto sort, q.NonEmpty("sort"));
    ASSIGN_OR_RETURN(query.order, ProblemOrderOf(sort));
    ASSIGN_OR_RETURN(auto offset, q.IntInRange("offset", 0, static_cast<int>(service::kMaxOffset)));
    query.offset = offset.value_or(0);
    ASSIGN_OR_RETURN(auto total, q.Bool("total"));
    query.with_total = total.value_or(false);
    ASSIGN_OR_RETURN(query.cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    query.limit = limit.value_or(service::kDefaultPageSize);
    ASSIGN_OR_RETURN(auto page, c.service.ListProblems(c.actor, query));
    json body = PageJson(page);
    // Names for lists: the owner org's name and the category's path (both in the caller's scope).
    ASSIGN_OR_RETURN(auto categories, c.service.ListCategories());
    std::map<domain::CategoryId, std::string> paths;
    for (const auto& cat : categories) paths[cat.id] = cat.path;
    std::map<domain::OrgId, std::string> names;
    ASSIGN_OR_RETURN(auto tags, c.service.ProblemTagLabels(page.items));  // campaigns (issue 5)
    for (std::size_t i = 0; i < page.items.size(); ++i) {
        const auto& p = page.items[i];
        if (p.campaign_id) {
            const auto& campaign = tags.campaigns.at(*p.campaign_id);
            body["items"][i]["campaign"] = {{"id", campaign.id}, {"code", campaign.code}, {"name", campaign.name}};
        } else {
            body["items"][i]["campaign"] = nullptr;
        }
        json labels = json::array();
        for (auto id : p.special_item_ids) {
            auto it = tags.items.find(id);
            if (it != tags.items.end()) {
                labels.push_back({{"id", id}, {"code", it->second.code}, {"title", it->second.title}});
            }
        }
        body["items"][i]["special_items"] = std::move(labels);
        auto it = names.find(p.owner_org_id);
        if (it == names.end()) {
            ASSIGN_OR_RETURN(auto org, c.service.GetOrg(c.actor, p.owner_org_id));
            it = names.emplace(p.owner_org_id, org.name).first;
        }
        body["items"][i]["owner_name"] = it->second;
        auto cat = p.category_id ? paths.find(*p.category_id) : paths.end();
        body["items"][i]["category_path"] = cat != paths.end() ? json(cat->second) : json(nullptr);
    }
    if (page.total) body["total"] = *page.total;
    return Json(200, body);
}

// GET /api/v1/ledger?list=problems|tasks&format=xlsx|csv + the problem list's filters: the ledger (台账) as a
// file download. XLSX is written to a temporary file (libxlsxwriter needs one) that is removed afterwards.
Result<Response> Ledger(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"list", "format", "org_id", "status", "category_id", "source", "created_from",
                                  "created_to", "overdue", "campaign_id", "special_item_id", "batch", "org_kind", "ids"}));
    ASSIGN_OR_RETURN(auto list_name, q.NonEmpty("list"));
    if (!list_name) return InvalidArgument("list: required (problems or tasks)");
    ASSIGN_OR_RETURN(service::LedgerList list, service::ParseLedgerList(*list_name));
    ASSIGN_OR_RETURN(auto format_name, q.NonEmpty("format"));
    ASSIGN_OR_RETURN(service::LedgerFormat format, service::ParseLedgerFormat(format_name.value_or("xlsx")));
    service::ProblemQuery query;
    RETURN_IF_ERROR(ReadProblemFilter(q, query));
    const std::string file_name = service::LedgerTitle(list) + "-" + FormatIso(NowSeconds()).substr(0, 10) +
                                  (format == service::LedgerFormat::kCsv ? ".csv" : ".xlsx");
    return detail::LedgerDownload(format, "ledger", file_name, [&](service::LedgerSink& sink) {
        return c.service.ExportLedger(c.actor, list, query, sink).status();
    });
}

// POST /api/v1/ledger/import?dry_run=true|false (default true): a ledger read back (docs/API.md#ledger-import).
// Body: text/csv (the file), or JSON {"rows": [[cell, ...], ...], "mapping": {field: header}} or
// {"csv": "...", "mapping": {...}}. A dry run answers 200 with the report; a commit answers 200 with the
// report when stored, or 400 with the error and the report (every rejected row) when nothing was stored.
Result<Response> LedgerImport(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"dry_run"}));
    ASSIGN_OR_RETURN(auto dry_run, q.Bool("dry_run"));
    service::LedgerImportInput input;
    std::string type = a.request.content_type.value_or("");
    for (char& ch : type) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (type.rfind("text/csv", 0) == 0) {
        ASSIGN_OR_RETURN(input.rows, service::LedgerRowsFromCsv(a.request.body));
    } else {
        ASSIGN_OR_RETURN(json body, Body(a));
        ObjectReader r(body);
        RETURN_IF_ERROR(r.CheckKnown({"rows", "csv", "mapping"}));
        if (r.Has("rows") == r.Has("csv")) return InvalidArgument("/rows, /csv: give exactly one of them");
        if (r.Has("csv")) {
            ASSIGN_OR_RETURN(std::string text, r.String("csv"));
            ASSIGN_OR_RETURN(input.rows, service::LedgerRowsFromCsv(text));
        } else {
            const json& rows = body["rows"];
            if (!rows.is_array()) return InvalidArgument("/rows: expected an array of rows");
            if (rows.size() > service::Service::kMaxLedgerImportRows) {
                return InvalidArgument("/rows: " + std::to_string(rows.size()) + " rows; at most " +
                                       std::to_string(service::Service::kMaxLedgerImportRows));
            }
            input.rows.reserve(rows.size());
            for (std::size_t i = 0; i < rows.size(); ++i) {
                if (!rows[i].is_array()) return InvalidArgument("/rows/" + std::to_string(i) + ": expected an array");
                std::vector<std::string> cells;
                for (std::size_t k = 0; k < rows[i].size(); ++k) {
                    const json& v = rows[i][k];
                    if (v.is_string()) {
                        cells.push_back(v.get<std::string>());
                    } else if (v.is_number_integer()) {
                        cells.push_back(std::to_string(v.get<std::int64_t>()));
                    } else if (v.is_null()) {
                        cells.emplace_back();
                    } else {
                        return InvalidArgument("/rows/" + std::to_string(i) + "/" + std::to_string(k) +
                                               ": expected a string, an integer or null");
                    }
                }
                input.rows.push_back(std::move(cells));
            }
        }
        if (r.Has("mapping")) {
            const json& m = body["mapping"];
            if (!m.is_object()) return InvalidArgument("/mapping: expected an object {field: column header}");
            for (const auto& [key, v] : m.items()) {
                if (v.is_null()) {
                    input.mapping[key] = "";
                } else if (v.is_string()) {
                    input.mapping[key] = v.get<std::string>();
                } else {
                    return InvalidArgument("/mapping/" + key + ": expected a column header (string) or null");
                }
            }
        }
    }
    const auto mode = dry_run.value_or(true) ? service::LedgerImportMode::kDryRun : service::LedgerImportMode::kCommit;
    ASSIGN_OR_RETURN(service::LedgerImportReport report, c.service.ImportLedger(c.actor, input, mode));
    json report_json = json::parse(service::LedgerImportReportJson(report));
    if (mode == service::LedgerImportMode::kCommit && !report.committed) {
        Response err = ErrorResponse(InvalidArgument(
            std::to_string(report.rejected.size()) + " rows rejected (see report.rejected: row, column, reason); "
            "nothing was stored"));
        json b = json::parse(err.body);
        b["report"] = std::move(report_json);
        err.body = b.dump();
        return err;
    }
    return Json(200, report_json);
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
        {"title", "description", "source", "category_id", "severity", "owner_org_id", "due_at", "opinion_ids",
         "campaign_id", "special_item_ids"}));
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
    if (r.Has("campaign_id") && !r.IsNull("campaign_id")) {
        ASSIGN_OR_RETURN(d.campaign_id, r.Id("campaign_id"));
    }
    if (r.Has("special_item_ids")) {
        ASSIGN_OR_RETURN(d.special_item_ids, r.IdArray("special_item_ids"));
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
    RETURN_IF_ERROR(r.CheckKnown(
        {"version", "title", "description", "category_id", "severity", "due_at", "campaign_id", "special_item_ids"}));
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
    if (r.Has("campaign_id")) {
        if (r.IsNull("campaign_id")) {
            p.campaign_id = std::optional<domain::CampaignId>();
        } else {
            ASSIGN_OR_RETURN(auto campaign, r.Id("campaign_id"));
            p.campaign_id = std::optional<domain::CampaignId>(campaign);
        }
    }
    if (r.Has("special_item_ids")) {
        ASSIGN_OR_RETURN(auto items, r.IdArray("special_item_ids"));
        p.special_item_ids = std::move(items);
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
    json j = domain::ToJson(opinion);
    // ---- issue 9: an opinion from the public carries its intake for the staff (contact to call back) ----
    ASSIGN_OR_RETURN(auto intake, c.service.PublicIntakeOf(c.actor, id));
    if (intake) {
        auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
        j["public_intake"] = {
            {"tracking_code", domain::FormatTrackingCode(intake->tracking_code)},
            {"via", intake->via},
            {"address", opt(intake->address)},
            {"latitude", opt(intake->latitude)},
            {"longitude", opt(intake->longitude)},
            {"service_code", opt(intake->service_code)},
            {"contact", {{"name", opt(intake->contact_name)}, {"phone", opt(intake->contact_phone)},
                         {"email", opt(intake->contact_email)}}},
            {"photo", intake->photo_sha256 ? json{{"content_type", *intake->photo_type},
                                                  {"size_bytes", intake->photo_size.value_or(0)},
                                                  {"url", "/api/v1/opinions/" + std::to_string(id) + "/photo"}}
                                           : json(nullptr)}};
    } else {
        j["public_intake"] = nullptr;
    }
    return Json(200, j, opinion.version);
}

// GET /api/v1/opinions/{id}/photo: the photo sent with an opinion from the public (scope as the opinion).
Result<Response> OpinionPhoto(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "opinion id"));
    ASSIGN_OR_RETURN(auto photo, c.service.PublicPhoto(c.actor, id));
    Response r;
    r.status = 200;
    r.content_type = photo.first.photo_type.value_or("application/octet-stream");
    r.body = std::move(photo.second);
    r.SetHeader("Content-Disposition", "inline; filename=\"opinion-" + std::to_string(id) + "-photo\"");
    r.SetHeader("Cache-Control", "private, no-cache");
    return r;
}

Result<Response> CreateOpinion(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown(
        {"channel", "kind", "title", "text", "org_id", "division_code", "submitter", "category_id", "received_at",
         "sla_class"}));
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
    if (r.Has("sla_class")) {
        ASSIGN_OR_RETURN(d.sla_class, r.Enum<domain::SlaClass>("sla_class"));
    }
    ASSIGN_OR_RETURN(auto opinion, c.service.CreateOpinion(c.actor, d));
    return Created(domain::ToJson(opinion), "/api/v1/opinions/" + std::to_string(opinion.id), opinion.version);
}

// ---- sessions (issue 4) ----

bool EqualsIgnoreCaseAscii(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

std::string_view TrimSpaces(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::string_view CookieName(const ApiOptions& o) { return o.secure_cookies ? kSecureSessionCookie : kSessionCookie; }

// The value of cookie `name` in the Cookie header ("a=1; b=2", RFC 6265 §5.4), or nullopt.
std::optional<std::string> CookieValue(const Request& r, std::string_view name) {
    auto header = r.Header("Cookie");
    if (!header) return std::nullopt;
    std::string_view rest = *header;
    while (!rest.empty()) {
        auto semi = rest.find(';');
        std::string_view pair = TrimSpaces(rest.substr(0, semi));
        rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
        auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        if (TrimSpaces(pair.substr(0, eq)) == name) return std::string(TrimSpaces(pair.substr(eq + 1)));
    }
    return std::nullopt;
}

// Set-Cookie for the session: HttpOnly (no script reads it), SameSite=Strict (never sent on a
// cross-site request), Secure and __Host- behind TLS; Max-Age 0 clears it.
std::string SessionCookie(const ApiOptions& o, const std::string& value, std::int64_t max_age) {
    return std::string(CookieName(o)) + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age) +
           "; HttpOnly; SameSite=Strict" + (o.secure_cookies ? "; Secure" : "");
}

bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD" || m == "OPTIONS"; }

// Who sent the request: the bearer token when there is an Authorization header, else the session
// cookie (and then, for unsafe methods, the CSRF token). Errors: kUnauthenticated, kPermissionDenied
// (CSRF).
Result<service::Authenticated> Authenticate(service::Service& svc, const ApiOptions& o, const Request& r) {
    if (auto auth = r.Header("Authorization")) {
        std::string_view v = TrimSpaces(*auth);
        if (v.size() < 7 || !EqualsIgnoreCaseAscii(v.substr(0, 7), "Bearer ")) {
            return Unauthenticated("Authorization: only \"Bearer <API token>\" is accepted (RFC 6750)");
        }
        return svc.ResolveToken(std::string(TrimSpaces(v.substr(7))));
    }
    auto secret = CookieValue(r, CookieName(o));
    if (!secret) {
        return Unauthenticated("log in first (POST /api/v1/session), or send Authorization: Bearer <API token>");
    }
    ASSIGN_OR_RETURN(auto who, svc.ResolveSession(*secret));
    if (!IsSafeMethod(r.method)) {
        auto csrf = r.Header("X-CSRF-Token");
        if (!csrf || !ConstantTimeEquals(TrimSpaces(*csrf), who.session->csrf_token)) {
            return PermissionDenied("missing or wrong X-CSRF-Token: send the csrf_token of your session "
                                    "(from POST or GET /api/v1/session) with every POST, PATCH, PUT and DELETE");
        }
    }
    return who;
}

json GrantsJson(const std::vector<domain::Grant>& grants) {
    json out = json::array();
    for (const auto& g : grants) out.push_back(domain::ToJson(g));
    return out;
}

// GET /api/v1/session's shape (also the answer to the login).
json SessionJson(service::Service& svc, const service::Authenticated& who) {
    json scope = json::array();
    auto tree = svc.Tree();
    for (auto id : who.actor.scope) {
        auto org = svc.GetOrg(who.actor, id);
        if (org.ok()) scope.push_back(OrgJson(*org, tree));
    }
    json j = {{"user", domain::ToJson(who.user)},
              {"auth", who.session ? "session" : "token"},
              {"grants", GrantsJson(who.actor.grants)},
              {"scope", std::move(scope)},
              {"must_change_password", who.user.must_change_password}};
    if (who.session) {
        j["csrf_token"] = who.session->csrf_token;
        j["expires_at"] = FormatIso(who.session->expires_at);
    } else if (who.token) {
        j["expires_at"] = FormatIso(who.token->expires_at);
        j["token_id"] = who.token->id;
    }
    return j;
}

Status RequireJsonContentType(const Request& r) {
    auto type = r.Header("Content-Type");
    std::string_view t = type ? TrimSpaces(*type) : std::string_view();
    t = t.substr(0, t.find(';'));
    if (!EqualsIgnoreCaseAscii(TrimSpaces(t), "application/json")) {
        return InvalidArgument("Content-Type must be application/json");
    }
    return Status::Ok();
}

Result<Response> Login(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    // A cross-site form cannot send application/json without a CORS preflight, which rectify never
    // allows: this keeps other sites from logging a browser in to an attacker's account (login CSRF).
    RETURN_IF_ERROR(RequireJsonContentType(a.request));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"name", "password"}));
    RETURN_IF_ERROR(r.Require("name"));
    RETURN_IF_ERROR(r.Require("password"));
    ASSIGN_OR_RETURN(std::string name, r.String("name"));
    ASSIGN_OR_RETURN(std::string password, r.String("password"));
    auto login = c.service.Login(name, password, a.request.client);
    if (!login.ok()) {
        Response res = ErrorResponse(login.status());
        if (login.status().code() == StatusCode::kResourceExhausted) {
            const auto wait = std::max<std::int64_t>(1, c.service.LoginRetryAfter(name, a.request.client));
            res.SetHeader("Retry-After", std::to_string(wait));
        }
        return res;
    }
    ASSIGN_OR_RETURN(auto who, c.service.ResolveSession(login->session_secret));
    Response res = Json(201, SessionJson(c.service, who));
    res.SetHeader("Set-Cookie", SessionCookie(c.options, login->session_secret,
                                              login->session.expires_at - login->session.created_at));
    res.log_auth = "session";
    return res;
}

Result<Response> WhoAmI(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    return Json(200, SessionJson(c.service, *c.who));
}

Result<Response> Logout(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    if (!c.who->session) {
        return FailedPrecondition("a token has no session to end; revoke it with DELETE /api/v1/tokens/{id}");
    }
    RETURN_IF_ERROR(c.service.Logout(*c.who));
    Response res;
    res.status = 204;
    res.content_type.clear();
    res.SetHeader("Set-Cookie", SessionCookie(c.options, "", 0));
    return res;
}

Result<Response> ChangePassword(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"old_password", "new_password"}));
    RETURN_IF_ERROR(r.Require("old_password"));
    RETURN_IF_ERROR(r.Require("new_password"));
    ASSIGN_OR_RETURN(std::string old_password, r.String("old_password"));
    ASSIGN_OR_RETURN(std::string new_password, r.String("new_password"));
    RETURN_IF_ERROR(c.service.ChangeOwnPassword(*c.who, old_password, new_password));
    Response res;
    res.status = 204;
    res.content_type.clear();
    return res;
}

// ---- users and tokens (issue 4) ----

// "grants": [{"role": "clerk", "org_id": 7}, ...]. Errors name the pointer ("/grants/1/role: ...").
Result<std::vector<domain::Grant>> GrantList(const json& body, std::string_view name) {
    const json& arr = body.at(std::string(name));
    const std::string where = "/" + std::string(name);
    if (!arr.is_array()) return InvalidArgument(where + ": expected an array of {\"role\", \"org_id\"}");
    if (arr.size() > 100) return InvalidArgument(where + ": at most 100 grants");
    std::vector<domain::Grant> out;
    for (std::size_t i = 0; i < arr.size(); ++i) {
        const std::string at = where + "/" + std::to_string(i);
        if (!arr[i].is_object()) return InvalidArgument(at + ": expected an object {\"role\", \"org_id\"}");
        ObjectReader g(arr[i]);
        auto grant = [&]() -> Result<domain::Grant> {
            RETURN_IF_ERROR(g.CheckKnown({"role", "org_id"}));
            RETURN_IF_ERROR(g.Require("role"));
            RETURN_IF_ERROR(g.Require("org_id"));
            domain::Grant out_grant;
            ASSIGN_OR_RETURN(out_grant.role, g.Enum<domain::Role>("role"));
            ASSIGN_OR_RETURN(out_grant.org_id, g.Id("org_id"));
            return out_grant;
        }();
        if (!grant.ok()) {
            const std::string m = grant.status().message();  // a copy: status() returns a temporary
            return InvalidArgument(at + (m.rfind("/", 0) == 0 ? m : ": " + m));
        }
        out.push_back(*grant);
    }
    return out;
}

Result<Response> ListUsers(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id"}));
    ASSIGN_OR_RETURN(auto org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(auto users, c.service.ListUsers(c.actor, org_id));
    json items = json::array();
    for (const auto& u : users) items.push_back(domain::ToJson(u));
    return Json(200, Items(std::move(items)));
}

Result<Response> CreateUser(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"name", "display_name", "org_id", "password", "grants", "must_change_password"}));
    service::UserDraft d;
    RETURN_IF_ERROR(r.Require("name"));
    ASSIGN_OR_RETURN(d.name, r.String("name"));
    if (r.Has("display_name")) {
        ASSIGN_OR_RETURN(d.display_name, r.String("display_name"));
    }
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    if (r.Has("password") && !r.IsNull("password")) {
        ASSIGN_OR_RETURN(d.password, r.String("password"));
        if (d.password.empty()) return InvalidArgument("/password: leave it out to have one generated");
    }
    if (r.Has("grants")) {
        ASSIGN_OR_RETURN(d.grants, GrantList(body, "grants"));
    }
    if (r.Has("must_change_password")) {
        ASSIGN_OR_RETURN(d.must_change_password, r.Bool("must_change_password"));
    }
    ASSIGN_OR_RETURN(auto created, c.service.AddUser(c.actor, d));
    json out = {{"user", domain::ToJson(created.user)},
                {"password", created.generated_password ? json(*created.generated_password) : json(nullptr)}};
    return Created(out, "/api/v1/users/" + std::to_string(created.user.id), created.user.version);
}

Result<std::int64_t> ParamId(const RouteArgs& a, std::string_view name, std::string_view what) {
    return detail::ParseId(a.params.Get(name), what);
}

Result<Response> GetUser(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "user id"));
    ASSIGN_OR_RETURN(auto user, c.service.GetUser(c.actor, id));
    return Json(200, domain::ToJson(user), user.version);
}

Result<Response> PatchUser(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "user id"));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"disabled", "cadre_rank"}));
    if (!r.Has("disabled") && !r.Has("cadre_rank")) {
        return InvalidArgument("expected \"disabled\" (true or false) or \"cadre_rank\" (a rank or null)");
    }
    std::optional<domain::User> user;
    if (r.Has("cadre_rank")) {  // issue 12: docs/CAUSES.md#leading-cadres
        std::optional<std::string> rank;
        if (!r.IsNull("cadre_rank")) {
            ASSIGN_OR_RETURN(std::string v, r.String("cadre_rank"));
            rank = std::move(v);
        }
        ASSIGN_OR_RETURN(user, c.service.SetUserCadreRank(c.actor, id, std::move(rank)));
    }
    if (r.Has("disabled")) {
        ASSIGN_OR_RETURN(bool disabled, r.Bool("disabled"));
        ASSIGN_OR_RETURN(user, c.service.SetUserDisabled(c.actor, id, disabled));
    }
    return Json(200, domain::ToJson(*user), user->version);
}

Result<Response> ResetUserPassword(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "user id"));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"password", "must_change_password"}));
    std::string password;
    if (r.Has("password") && !r.IsNull("password")) {
        ASSIGN_OR_RETURN(password, r.String("password"));
        if (password.empty()) return InvalidArgument("/password: leave it out to have one generated");
    }
    bool must_change = true;
    if (r.Has("must_change_password")) {
        ASSIGN_OR_RETURN(must_change, r.Bool("must_change_password"));
    }
    ASSIGN_OR_RETURN(auto generated, c.service.ResetPassword(c.actor, id, password, must_change));
    return Json(200, {{"password", generated ? json(*generated) : json(nullptr)}});
}

Result<Response> AddGrant(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "user id"));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"role", "org_id"}));
    RETURN_IF_ERROR(r.Require("role"));
    RETURN_IF_ERROR(r.Require("org_id"));
    domain::Grant g;
    ASSIGN_OR_RETURN(g.role, r.Enum<domain::Role>("role"));
    ASSIGN_OR_RETURN(g.org_id, r.Id("org_id"));
    ASSIGN_OR_RETURN(auto user, c.service.GrantRole(c.actor, id, g));
    return Created(domain::ToJson(user), "/api/v1/users/" + std::to_string(user.id), user.version);
}

Result<Response> DeleteGrant(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "user id"));
    ASSIGN_OR_RETURN(auto grant_id, ParamId(a, "grant_id", "grant id"));
    ASSIGN_OR_RETURN(auto user, c.service.RevokeGrant(c.actor, id, grant_id));
    return Json(200, domain::ToJson(user), user.version);
}

Result<Response> ListTokens(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"user_id"}));
    ASSIGN_OR_RETURN(auto user_id, q.Id("user_id"));
    ASSIGN_OR_RETURN(auto tokens, c.service.ListTokens(c.actor, user_id));
    json items = json::array();
    for (const auto& t : tokens) items.push_back(domain::ToJson(t));
    return Json(200, Items(std::move(items)));
}

Result<Response> CreateToken(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"name", "grants", "expires_in_days"}));
    service::TokenDraft d;
    RETURN_IF_ERROR(r.Require("name"));
    ASSIGN_OR_RETURN(d.name, r.String("name"));
    if (r.Has("grants")) {
        ASSIGN_OR_RETURN(d.grants, GrantList(body, "grants"));
    }
    if (r.Has("expires_in_days")) {
        ASSIGN_OR_RETURN(d.expires_in_days, r.Int("expires_in_days"));
    }
    ASSIGN_OR_RETURN(auto created, c.service.CreateToken(c.actor, d));
    json out = {{"token", domain::ToJson(created.token)}, {"secret", created.secret}};
    Response res = Json(201, out);
    res.SetHeader("Location", "/api/v1/tokens/" + std::to_string(created.token.id));
    return res;
}

Result<Response> RevokeToken(const Ctx& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "token id"));
    RETURN_IF_ERROR(c.service.RevokeToken(c.actor, id));
    Response res;
    res.status = 204;
    res.content_type.clear();
    return res;
}

// ---- audit (issue 4) ----

json AuditJson(const store::Event& e) {
    json j = service::ToJson(e);
    j["org_id"] = e.org_id ? json(*e.org_id) : json(nullptr);
    j["prev_hash"] = e.prev_hash;
    j["hash"] = e.hash;
    return j;
}

Result<Response> AuditEvents(const Ctx& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id", "from", "to", "cursor", "limit"}));
    service::AuditQuery query;
    ASSIGN_OR_RETURN(query.org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(query.from, q.Time("from"));
    ASSIGN_OR_RETURN(query.to, q.Time("to"));
    ASSIGN_OR_RETURN(query.cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxAuditPage));
    query.limit = limit.value_or(500);
    ASSIGN_OR_RETURN(auto page, c.service.AuditEvents(c.actor, query));
    json items = json::array();
    for (const auto& e : page.items) items.push_back(AuditJson(e));
    return Json(200, {{"items", std::move(items)},
                      {"next_cursor", page.next_cursor ? json(*page.next_cursor) : json(nullptr)}});
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
    public_limiter_ = std::make_unique<RateLimiter>(options_.public_rate_per_minute, options_.public_burst);
    AddRoutes();
}

void Api::AddRoutes() {
    auto add = [this](std::string method, std::string_view pattern,
                      std::function<Result<Response>(const Ctx&, const RouteArgs&)> fn,
                      Access access = Access::kAuthenticated) {
        routes_.push_back(RouteInfo{method, std::string(pattern), access});
        router_.Add(std::move(method), pattern,
                    [this, fn, access, route = std::string(pattern)](const RouteArgs& a) -> Response {
                        const domain::Actor nobody;
                        std::optional<service::Authenticated> who;
                        std::string auth = "none";
                        if (access != Access::kPublic) {
                            auto authenticated = Authenticate(service_, options_, a.request);
                            if (!authenticated.ok()) {
                                Response r = ErrorResponse(authenticated.status());
                                if (r.status == 401) {
                                    r.SetHeader("WWW-Authenticate", "Bearer realm=\"rectify\"");
                                    // A stale cookie is cleared, so the browser stops sending it.
                                    if (!a.request.Header("Authorization") && CookieValue(a.request, CookieName(options_))) {
                                        r.SetHeader("Set-Cookie", SessionCookie(options_, "", 0));
                                    }
                                }
                                r.log_route = route;
                                return r;
                            }
                            who = std::move(authenticated).value();
                            auth = who->session ? "session" : "token";
                            if (who->session && who->user.must_change_password &&
                                access != Access::kDuringPasswordChange) {
                                Response r = ErrorResponse(PermissionDenied(
                                    "change your password first (POST /api/v1/session/password): it was set by "
                                    "someone else"));
                                r.log_route = route;
                                r.log_auth = auth;
                                return r;
                            }
                        }
                        const Ctx ctx{service_, who ? who->actor : nobody, who ? &*who : nullptr, options_};
                        auto run = [&]() -> Response {
                            Result<Response> r = fn(ctx, a);
                            if (r.ok()) return std::move(r).value();
                            if (r.status().code() == StatusCode::kInternal) {
                                spdlog::error("request {}: {} {}: {}", current_request_id, a.request.method, route,
                                              r.status().message());
                            }
                            return ErrorResponse(r.status());
                        };
                        // ---- workflow (issue 3): a POST with an Idempotency-Key runs at most once per
                        // actor; only once the actor is known, so public routes (login) never replay.
                        Response res = who && a.request.method == "POST" && a.request.idempotency_key
                                           ? RunIdempotent(service_, who->actor, a.request, a.target.path, run)
                                           : run();
                        res.log_route = route;
                        if (res.log_auth == "none") res.log_auth = auth;
                        return res;
                    });
    };
    add("GET", "/healthz", Healthz, Access::kPublic);

    add("POST", "/api/v1/session", Login, Access::kPublic);
    add("GET", "/api/v1/session", WhoAmI, Access::kDuringPasswordChange);
    add("DELETE", "/api/v1/session", Logout, Access::kDuringPasswordChange);
    add("POST", "/api/v1/session/password", ChangePassword, Access::kDuringPasswordChange);

    add("GET", "/api/v1/users", ListUsers);
    add("POST", "/api/v1/users", CreateUser);
    add("GET", "/api/v1/users/{id}", GetUser);
    add("PATCH", "/api/v1/users/{id}", PatchUser);
    add("POST", "/api/v1/users/{id}/password", ResetUserPassword);
    add("POST", "/api/v1/users/{id}/grants", AddGrant);
    add("DELETE", "/api/v1/users/{id}/grants/{grant_id}", DeleteGrant);

    add("GET", "/api/v1/tokens", ListTokens);
    add("POST", "/api/v1/tokens", CreateToken);
    add("DELETE", "/api/v1/tokens/{id}", RevokeToken);

    add("GET", "/api/v1/audit/events", AuditEvents);

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
    add("GET", "/api/v1/ledger", Ledger);
    add("POST", "/api/v1/ledger/import", LedgerImport);
    add("POST", "/api/v1/problems", CreateProblem);
    add("GET", "/api/v1/problems/{id}", GetProblem);
    add("PATCH", "/api/v1/problems/{id}", PatchProblem);
    add("GET", "/api/v1/problems/{id}/events", ProblemEvents);

    add("GET", "/api/v1/opinions", ListOpinions);
    add("POST", "/api/v1/opinions", CreateOpinion);
    add("GET", "/api/v1/opinions/{id}", GetOpinion);
    add("GET", "/api/v1/opinions/{id}/events", OpinionEvents);
    add("GET", "/api/v1/opinions/{id}/photo", OpinionPhoto);

    // ---- workflow (issue 3): src/http/workflow_api.cpp ----
    // Registered through `add` like every other route: authenticated (the OpenAPI document excepted),
    // CSRF-checked for sessions, logged, and run as the authenticated actor, whose scope and grants
    // the workflow service checks.
    AddWorkflowRoutes([&add](std::string method, std::string_view pattern, WorkflowHandler fn) {
        add(
            std::move(method), pattern,
            [fn](const Ctx& c, const RouteArgs& a) { return fn(WorkflowContext{c.service, c.actor}, a); },
            pattern == "/api/openapi.json" ? Access::kPublic : Access::kAuthenticated);
    });
    // The routes of linkage (issue 5, src/http/linkage_api.cpp), supervision (issue 8,
    // src/http/supervision_api.cpp) and notifications and webhooks (issue 8, src/http/notification_api.cpp):
    // authenticated, run as the caller.
    auto as_caller = [&add](std::string method, std::string_view pattern, WorkflowHandler fn) {
        add(
            std::move(method), pattern,
            [fn](const Ctx& c, const RouteArgs& a) { return fn(WorkflowContext{c.service, c.actor}, a); },
            Access::kAuthenticated);
    };
    AddLinkageRoutes(as_caller);
    AddCampaignRoutes(as_caller);  // campaigns and special items (issue 5, src/http/campaign_api.cpp)
    AddStudyRoutes(as_caller);  // study sessions and research visits (issue 12, src/http/study_api.cpp)
    AddCauseRoutes(as_caller);  // root-cause analysis and self-inspection lists (issue 12, src/http/cause_api.cpp)
    AddSupervisionRoutes(as_caller);
    AddNotificationRoutes(as_caller);
    // Text mining (issue 9, src/http/text_api.cpp): suggestions and hot issues, run as the caller.
    AddTextRoutes(as_caller);
    // The public portal (issue 9, src/http/public_api.cpp): no login.
    auto as_public = [&add, this](std::string method, std::string_view pattern, PublicHandler fn) {
        add(
            std::move(method), pattern,
            [fn, this](const Ctx& c, const RouteArgs& a) { return fn(PublicContext{c.service, *public_limiter_}, a); },
            Access::kPublic);
    };
    AddPublicRoutes(as_public);
    // Open311 GeoReport v2 (issue 9, src/http/open311_api.cpp): public; POST requests take an api_key.
    AddOpen311Routes(as_public);
}

std::optional<std::size_t> Api::PublicBodyLimit(const Request& head) const {
    if (head.method != "POST") return std::nullopt;
    auto t = ParseTarget(head.target);
    if (!t.ok()) return std::nullopt;
    const auto& s = t->segments;
    const bool portal = s.size() == 4 && s[0] == "api" && s[1] == "v1" && s[2] == "public" && s[3] == "opinions";
    const bool open311 = s.size() == 3 && s[0] == "open311" && s[1] == "v2" &&
                         (s[2] == "requests.json" || s[2] == "requests.xml" || s[2] == "requests");
    if (portal || open311) return options_.public_max_body_bytes;
    return std::nullopt;
}

std::optional<std::size_t> Api::UploadLimit(const Request& head) const {
    auto limit = WorkflowUploadLimit(service_, head.method, head.target);
    if (!limit && head.method == "POST") {
        // A ledger import carries the whole sheet (docs/API.md#ledger-import).
        auto target = ParseTarget(head.target);
        if (target.ok() && target->path == "/api/v1/ledger/import") limit = kLedgerImportMaxBodyBytes;
    }
    if (!limit || !Authenticate(service_, options_, head).ok()) return std::nullopt;
    return limit;
}

Response Api::ReadErrorResponse(std::string_view target, const Status& status) const {
    if (IsOpen311Target(target)) return Open311Error(status, Open311FormatOfTarget(target));
    return ErrorResponse(status);
}

Response Api::Dispatch(const Request& request) const {
    auto target = ParseTarget(request.target);
    if (!target.ok()) return ErrorResponse(target.status());

    const auto& segments = target->segments;
    const bool is_api = !segments.empty() && (segments.front() == "api" || segments.front() == "open311");
    const bool is_health = segments.size() == 1 && segments.front() == "healthz";
    if (is_api || is_health) {
        Router::Match m = router_.Find(request.method, segments);
        Response r;
        switch (m.kind) {
            case Router::Match::Kind::kFound:
                r = (*m.handler)(RouteArgs{request, *target, m.params});
                break;
            case Router::Match::Kind::kMethodNotAllowed:
                r = MethodNotAllowed(request, target->path, m.allow);
                break;
            case Router::Match::Kind::kNotFound:
                r = ErrorResponse(NotFound("no route for " + detail::Quote(target->path) +
                                           " (the API is described in docs/API.md)"));
                break;
        }
        // Under /open311/v2/ every error is the spec's list of {code, description}, in the format asked
        // for (docs/PUBLIC.md#open311): here the router's own 404 and 405.
        if (m.kind != Router::Match::Kind::kFound && IsOpen311Target(target->path)) {
            const std::string format = Open311FormatOfTarget(target->path);
            if (m.kind == Router::Match::Kind::kMethodNotAllowed) {
                r = Open311Error(405, "method " + detail::Quote(request.method) + " is not allowed on " +
                                          detail::Quote(target->path) + " (allowed: " + m.allow + ")",
                                 format);
                r.SetHeader("Allow", m.allow);
            } else {
                r = Open311Error(404, "no resource " + detail::Quote(target->path) +
                                          " (GET /open311/v2/discovery.xml lists the endpoint; docs/API.md)",
                                 format);
            }
        }
        // API answers depend on who asks: never stored by browsers or proxies.
        if (is_api) r.SetHeader("Cache-Control", "no-store");
        return r;
    }
    if (!static_files_) return ErrorResponse(NotFound("no route for " + detail::Quote(target->path)));
    if (request.method != "GET" && request.method != "HEAD") {
        return MethodNotAllowed(request, target->path, "GET, HEAD");
    }
    Response r = static_files_->Serve(*target);
    r.log_route = "(static)";
    return r;
}

Response Api::Handle(const Request& request) const {
    Response response;
    auto incoming = request.Header("X-Request-Id");
    const std::string request_id = incoming && IsAcceptableRequestId(*incoming) ? *incoming : NewRequestId();
    try {
        current_request_id = request_id;
        response = Dispatch(request);
    } catch (const std::exception& e) {
        spdlog::error("request {}: {} failed with an exception: {}", request_id, request.method, e.what());
        response = ErrorResponse(Internal(e.what()));
    } catch (...) {
        spdlog::error("request {}: {} failed with an unknown exception", request_id, request.method);
        response = ErrorResponse(Internal("unknown exception"));
    }
    AddSecurityHeaders(response);
    response.SetHeader("X-Request-Id", request_id);
    return response;
}

}  // namespace rectify::http
