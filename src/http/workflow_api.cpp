#include "http/workflow_api.hpp"

#include <cmath>
#include <utility>

#include <spdlog/spdlog.h>

#include "common/text.hpp"
#include "domain/json.hpp"
#include "domain/workflow.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"
#include "service/json.hpp"

namespace rectify::http {
namespace detail {
extern const char* const kOpenApiJson;  // generated from src/http/openapi.json (embed_text.cmake)
}  // namespace detail

namespace {

using detail::Body;
using detail::ObjectReader;
using detail::QueryReader;
using detail::ExtValue;
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

// The version of an update: the body's "version" and/or If-Match, which must agree; one is required.
Result<std::int64_t> RequiredVersion(const RouteArgs& a, const ObjectReader& r) {
    ASSIGN_OR_RETURN(auto header, IfMatch(a));
    if (r.Has("version")) {
        ASSIGN_OR_RETURN(std::int64_t v, r.Id("version"));
        if (header && *header != v) {
            return InvalidArgument("the body's version " + std::to_string(v) + " and the If-Match version " +
                                   std::to_string(*header) + " differ");
        }
        return v;
    }
    if (header) return *header;
    return InvalidArgument(
        "missing required field \"version\" (the version you read; or send it as If-Match: \"<version>\")");
}


template <typename T, typename F>
Result<std::optional<T>> Optional(const ObjectReader& r, std::string_view name, F get) {
    if (!r.Has(name) || r.IsNull(name)) return std::optional<T>();
    ASSIGN_OR_RETURN(T v, get(name));
    return std::optional<T>(std::move(v));
}

// A share 0 < w <= 1 with at most four decimals, as basis points.
Result<int> WeightBp(const json& v) {
    if (!v.is_number()) return InvalidArgument("/weight: expected a number more than 0 and at most 1, e.g. 0.25");
    const double w = v.get<double>();
    const double bp = w * 10000.0;
    const double rounded = std::round(bp);
    if (!(w > 0.0) || w > 1.0) return InvalidArgument("/weight: must be more than 0 and at most 1");
    if (std::fabs(bp - rounded) > 1e-6) return InvalidArgument("/weight: at most four decimals (e.g. 0.3333)");
    return static_cast<int>(rounded);
}

Result<std::vector<UnixSeconds>> Times(const json& v, const std::string& pointer) {
    if (!v.is_array()) return InvalidArgument(pointer + ": expected an array of RFC 3339 strings");
    std::vector<UnixSeconds> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string p = pointer + "/" + std::to_string(i);
        if (!v[i].is_string()) return InvalidArgument(p + ": expected an RFC 3339 string");
        auto t = ParseIso(v[i].get<std::string>());
        if (!t.ok()) return InvalidArgument(p + ": " + t.status().message());
        out.push_back(*t);
    }
    return out;
}

Result<std::vector<std::string>> Strings(const json& v, const std::string& pointer) {
    if (!v.is_array()) return InvalidArgument(pointer + ": expected an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) return InvalidArgument(pointer + "/" + std::to_string(i) + ": expected a string");
        out.push_back(v[i].get<std::string>());
    }
    return out;
}

// ---- tasks ----

Result<Response> CreateTask(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto problem, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"org_id", "title", "description", "responsible_person", "lead_official", "type",
                                  "due_at", "review_dates", "weight"}));
    service::TaskDraft d;
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    ASSIGN_OR_RETURN(d.title, RequiredString(r, "title"));
    if (r.Has("description")) {
        ASSIGN_OR_RETURN(d.description, r.String("description"));
    }
    ASSIGN_OR_RETURN(d.responsible_person, RequiredString(r, "responsible_person"));
    ASSIGN_OR_RETURN(d.lead_official, OptString(r, "lead_official"));
    RETURN_IF_ERROR(r.Require("type"));
    ASSIGN_OR_RETURN(d.type, r.Enum<domain::TaskType>("type"));
    ASSIGN_OR_RETURN(d.due_at, Optional<UnixSeconds>(r, "due_at", [&](std::string_view n) { return r.Time(n); }));
    if (r.Has("review_dates")) {
        ASSIGN_OR_RETURN(d.review_dates, Times(body["review_dates"], "/review_dates"));
    }
    if (r.Has("weight") && !r.IsNull("weight")) {
        ASSIGN_OR_RETURN(d.weight_bp, WeightBp(body["weight"]));
    }
    ASSIGN_OR_RETURN(auto task, c.service.CreateTask(c.actor, problem, d, version));
    return Created(domain::ToJson(task), "/api/v1/tasks/" + std::to_string(task.id), task.version);
}

Result<Response> ListTasks(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"round"}));
    ASSIGN_OR_RETURN(auto round, q.IntInRange("round", 1, 1000000));
    ASSIGN_OR_RETURN(auto problem, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto tasks, c.service.ListTasks(c.actor, problem, round));
    return Json(200, ItemsOf(tasks));
}

Result<Response> GetTask(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(auto task, c.service.GetTask(c.actor, id));
    return Json(200, domain::ToJson(task), task.version);
}

Result<Response> PatchTask(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"version", "title", "description", "responsible_person", "lead_official", "type",
                                  "due_at", "review_dates", "weight"}));
    service::TaskPatch p;
    ASSIGN_OR_RETURN(p.version, RequiredVersion(a, r));
    if (r.Has("title")) {
        ASSIGN_OR_RETURN(p.title, r.String("title"));
    }
    if (r.Has("description")) {
        ASSIGN_OR_RETURN(p.description, r.String("description"));
    }
    if (r.Has("responsible_person")) {
        ASSIGN_OR_RETURN(p.responsible_person, r.String("responsible_person"));
    }
    if (r.Has("lead_official")) {
        ASSIGN_OR_RETURN(auto lead, OptString(r, "lead_official"));
        p.lead_official = lead;
    }
    if (r.Has("type")) {
        ASSIGN_OR_RETURN(p.type, r.Enum<domain::TaskType>("type"));
    }
    if (r.Has("due_at")) {
        ASSIGN_OR_RETURN(auto due, Optional<UnixSeconds>(r, "due_at", [&](std::string_view n) { return r.Time(n); }));
        p.due_at = due;
    }
    if (r.Has("review_dates")) {
        ASSIGN_OR_RETURN(p.review_dates, Times(body["review_dates"], "/review_dates"));
    }
    if (r.Has("weight")) {
        if (r.IsNull("weight")) {
            p.weight_bp = std::optional<int>();
        } else {
            ASSIGN_OR_RETURN(int bp, WeightBp(body["weight"]));
            p.weight_bp = std::optional<int>(bp);
        }
    }
    ASSIGN_OR_RETURN(auto task, c.service.UpdateTask(c.actor, id, p));
    return Json(200, domain::ToJson(task), task.version);
}

// A task transition whose body may carry one text field (`field`: "reason", "comment" or none).
enum class TextField { kNone, kOptionalComment, kRequiredReason };

template <typename F>
Result<Response> TaskTransition(const RouteArgs& a, TextField field, F call) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, OptionalBody(a));
    ObjectReader r(body);
    std::optional<std::string> text;
    switch (field) {
        case TextField::kNone: RETURN_IF_ERROR(r.CheckKnown({})); break;
        case TextField::kOptionalComment: {
            RETURN_IF_ERROR(r.CheckKnown({"comment"}));
            ASSIGN_OR_RETURN(text, OptString(r, "comment"));
            break;
        }
        case TextField::kRequiredReason: {
            RETURN_IF_ERROR(r.CheckKnown({"reason"}));
            ASSIGN_OR_RETURN(text, RequiredString(r, "reason"));
            break;
        }
    }
    ASSIGN_OR_RETURN(domain::Task task, call(id, text, version));
    return Json(200, domain::ToJson(task), task.version);
}

Result<Response> StartTask(const WorkflowContext& c, const RouteArgs& a) {
    return TaskTransition(a, TextField::kNone, [&](auto id, auto&, auto v) { return c.service.StartTask(c.actor, id, v); });
}
Result<Response> SubmitTask(const WorkflowContext& c, const RouteArgs& a) {
    return TaskTransition(a, TextField::kNone, [&](auto id, auto&, auto v) { return c.service.SubmitTask(c.actor, id, v); });
}
Result<Response> AcceptTask(const WorkflowContext& c, const RouteArgs& a) {
    return TaskTransition(a, TextField::kOptionalComment,
                          [&](auto id, auto& t, auto v) { return c.service.AcceptTask(c.actor, id, t, v); });
}
Result<Response> ReturnTask(const WorkflowContext& c, const RouteArgs& a) {
    return TaskTransition(a, TextField::kRequiredReason,
                          [&](auto id, auto& t, auto v) { return c.service.ReturnTask(c.actor, id, *t, v); });
}
Result<Response> RequestWithdrawal(const WorkflowContext& c, const RouteArgs& a) {
    return TaskTransition(a, TextField::kRequiredReason,
                          [&](auto id, auto& t, auto v) { return c.service.RequestWithdrawal(c.actor, id, *t, v); });
}
Result<Response> DeclineWithdrawal(const WorkflowContext& c, const RouteArgs& a) {
    return TaskTransition(a, TextField::kRequiredReason,
                          [&](auto id, auto& t, auto v) { return c.service.DeclineWithdrawal(c.actor, id, *t, v); });
}
Result<Response> WithdrawTask(const WorkflowContext& c, const RouteArgs& a) {
    return TaskTransition(a, TextField::kRequiredReason,
                          [&](auto id, auto& t, auto v) { return c.service.WithdrawTask(c.actor, id, *t, v); });
}

Result<Response> CreateReport(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"text", "percent", "evidence_ids"}));
    service::ReportDraft d;
    ASSIGN_OR_RETURN(d.text, RequiredString(r, "text"));
    RETURN_IF_ERROR(r.Require("percent"));
    ASSIGN_OR_RETURN(auto percent, r.Int("percent"));
    if (percent < 0 || percent > 100) return InvalidArgument("/percent: must be 0 to 100");
    d.percent = static_cast<int>(percent);
    if (r.Has("evidence_ids")) {
        ASSIGN_OR_RETURN(d.evidence_ids, r.IdArray("evidence_ids"));
    }
    ASSIGN_OR_RETURN(auto report, c.service.ReportProgress(c.actor, id, d, version));
    return Created(domain::ToJson(report), "/api/v1/tasks/" + std::to_string(id) + "/reports", std::nullopt);
}

Result<Response> ListReports(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(auto reports, c.service.ListReports(c.actor, id));
    return Json(200, ItemsOf(reports));
}

Result<Response> UploadEvidence(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"filename"}));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    auto name = q.Get("filename");
    if (!name || name->empty()) {
        return InvalidArgument(
            "query parameter \"filename\" is required: the original name of the file, e.g. ?filename=现场照片.jpg");
    }
    ASSIGN_OR_RETURN(auto evidence, c.service.UploadEvidence(c.actor, id, *name, a.request.content_type.value_or(""),
                                                             a.request.body));
    return Created(domain::ToJson(evidence), "/api/v1/evidence/" + std::to_string(evidence.id), std::nullopt);
}

Result<Response> ListEvidence(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(auto files, c.service.ListEvidence(c.actor, id));
    return Json(200, ItemsOf(files));
}

Result<Response> GetEvidence(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "evidence id"));
    ASSIGN_OR_RETURN(auto e, c.service.GetEvidence(c.actor, id));
    return Json(200, domain::ToJson(e));
}

Result<Response> DownloadEvidence(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "evidence id"));
    ASSIGN_OR_RETURN(auto file, c.service.DownloadEvidence(c.actor, id));
    Response r;
    r.status = 200;
    r.content_type = file.first.content_type;
    r.body = std::move(file.second);
    r.SetHeader("Content-Disposition", "attachment; filename=\"evidence-" + std::to_string(id) + "\"; filename*=" +
                                           ExtValue(file.first.original_name));
    r.SetHeader("ETag", "\"" + file.first.sha256 + "\"");
    r.SetHeader("Cache-Control", "private, no-cache");
    return r;
}

Result<Response> TaskEvents(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    RETURN_IF_ERROR(c.service.GetTask(c.actor, id));
    ASSIGN_OR_RETURN(auto events, c.service.store().ListEvents("task", id));
    json items = json::array();
    for (const auto& e : events) items.push_back(service::ToJson(e));
    return Json(200, Items(std::move(items)));
}

// ---- problems ----

Result<Response> ProblemTransition(const RouteArgs& a,
                                   std::initializer_list<std::string_view> known,
                                   const std::function<Result<domain::Problem>(std::int64_t, const ObjectReader&,
                                                                               std::optional<std::int64_t>)>& call) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, OptionalBody(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown(known));
    ASSIGN_OR_RETURN(domain::Problem p, call(id, r, version));
    return Json(200, domain::ToJson(p), p.version);
}

Result<Response> CloseProblem(const WorkflowContext& c, const RouteArgs& a) {
    return ProblemTransition(a, {}, [&](std::int64_t id, const ObjectReader&, auto v) {
        return c.service.CloseProblem(c.actor, id, v);
    });
}

Result<Response> ReopenProblem(const WorkflowContext& c, const RouteArgs& a) {
    return ProblemTransition(a, {"cause", "reason"},
                             [&](std::int64_t id, const ObjectReader& r, auto v) -> Result<domain::Problem> {
                                 RETURN_IF_ERROR(r.Require("cause"));
                                 ASSIGN_OR_RETURN(auto cause, r.Enum<domain::ReopenCause>("cause"));
                                 ASSIGN_OR_RETURN(auto reason, RequiredString(r, "reason"));
                                 return c.service.ReopenProblem(c.actor, id, cause, reason, v);
                             });
}

Result<Response> InvalidProblem(const WorkflowContext& c, const RouteArgs& a) {
    return ProblemTransition(a, {"reason"},
                             [&](std::int64_t id, const ObjectReader& r, auto v) -> Result<domain::Problem> {
                                 ASSIGN_OR_RETURN(auto reason, RequiredString(r, "reason"));
                                 return c.service.MarkProblemInvalid(c.actor, id, reason, v);
                             });
}

Result<Response> MergeProblem(const WorkflowContext& c, const RouteArgs& a) {
    return ProblemTransition(a, {"into_problem_id", "reason"},
                             [&](std::int64_t id, const ObjectReader& r, auto v) -> Result<domain::Problem> {
                                 RETURN_IF_ERROR(r.Require("into_problem_id"));
                                 ASSIGN_OR_RETURN(auto into, r.Id("into_problem_id"));
                                 ASSIGN_OR_RETURN(auto reason, RequiredString(r, "reason"));
                                 return c.service.MergeProblem(c.actor, id, into, reason, v);
                             });
}

Result<Response> Timeline(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "problem id"));
    ASSIGN_OR_RETURN(auto entries, c.service.Timeline(c.actor, id));
    json items = json::array();
    for (const auto& e : entries) items.push_back(service::ToJson(e));
    return Json(200, Items(std::move(items)));
}

// ---- opinions ----

Result<Response> OpinionTransition(const RouteArgs& a,
                                   std::initializer_list<std::string_view> known,
                                   const std::function<Result<domain::Opinion>(std::int64_t, const ObjectReader&,
                                                                               std::optional<std::int64_t>)>& call) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "opinion id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, OptionalBody(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown(known));
    ASSIGN_OR_RETURN(domain::Opinion o, call(id, r, version));
    return Json(200, domain::ToJson(o), o.version);
}

Result<Response> AcceptOpinion(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "opinion id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, OptionalBody(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(
        r.CheckKnown({"problem_id", "title", "description", "owner_org_id", "category_id", "severity", "due_at"}));
    service::OpinionAcceptance how;
    ASSIGN_OR_RETURN(how.problem_id,
                     Optional<std::int64_t>(r, "problem_id", [&](std::string_view n) { return r.Id(n); }));
    ASSIGN_OR_RETURN(how.title, OptString(r, "title"));
    ASSIGN_OR_RETURN(how.description, OptString(r, "description"));
    ASSIGN_OR_RETURN(how.owner_org_id,
                     Optional<std::int64_t>(r, "owner_org_id", [&](std::string_view n) { return r.Id(n); }));
    ASSIGN_OR_RETURN(how.category_id,
                     Optional<std::int64_t>(r, "category_id", [&](std::string_view n) { return r.Id(n); }));
    ASSIGN_OR_RETURN(how.severity, Optional<domain::Severity>(r, "severity", [&](std::string_view n) {
                         return r.Enum<domain::Severity>(n);
                     }));
    ASSIGN_OR_RETURN(how.due_at, Optional<UnixSeconds>(r, "due_at", [&](std::string_view n) { return r.Time(n); }));
    ASSIGN_OR_RETURN(auto accepted, c.service.AcceptOpinion(c.actor, id, how, version));
    return Json(200, service::ToJson(accepted), accepted.opinion.version);
}

Result<Response> DeclineOpinion(const WorkflowContext& c, const RouteArgs& a) {
    return OpinionTransition(a, {"reason"},
                             [&](std::int64_t id, const ObjectReader& r, auto v) -> Result<domain::Opinion> {
                                 ASSIGN_OR_RETURN(auto reason, RequiredString(r, "reason"));
                                 return c.service.DeclineOpinion(c.actor, id, reason, v);
                             });
}

Result<Response> DuplicateOpinion(const WorkflowContext& c, const RouteArgs& a) {
    return OpinionTransition(
        a, {"of_opinion_id", "of_problem_id", "reason"},
        [&](std::int64_t id, const ObjectReader& r, auto v) -> Result<domain::Opinion> {
            ASSIGN_OR_RETURN(auto of_opinion,
                             Optional<std::int64_t>(r, "of_opinion_id", [&](std::string_view n) { return r.Id(n); }));
            ASSIGN_OR_RETURN(auto of_problem,
                             Optional<std::int64_t>(r, "of_problem_id", [&](std::string_view n) { return r.Id(n); }));
            ASSIGN_OR_RETURN(auto reason, OptString(r, "reason"));
            return c.service.MarkOpinionDuplicate(c.actor, id, of_opinion, of_problem, reason, v);
        });
}

Result<Response> ReplyOpinion(const WorkflowContext& c, const RouteArgs& a) {
    return OpinionTransition(a, {"text", "reply_org_id"},
                             [&](std::int64_t id, const ObjectReader& r, auto v) -> Result<domain::Opinion> {
                                 ASSIGN_OR_RETURN(auto text, RequiredString(r, "text"));
                                 ASSIGN_OR_RETURN(auto org, Optional<std::int64_t>(r, "reply_org_id",
                                                                                   [&](std::string_view n) {
                                                                                       return r.Id(n);
                                                                                   }));
                                 return c.service.ReplyOpinion(c.actor, id, text, org, v);
                             });
}

Result<Response> RateOpinion(const WorkflowContext& c, const RouteArgs& a) {
    return OpinionTransition(a, {"satisfaction", "comment"},
                             [&](std::int64_t id, const ObjectReader& r, auto v) -> Result<domain::Opinion> {
                                 RETURN_IF_ERROR(r.Require("satisfaction"));
                                 ASSIGN_OR_RETURN(auto s, r.Enum<domain::Satisfaction>("satisfaction"));
                                 ASSIGN_OR_RETURN(auto comment, OptString(r, "comment"));
                                 return c.service.RateOpinion(c.actor, id, s, comment, v);
                             });
}

Result<Response> TransferOpinion(const WorkflowContext& c, const RouteArgs& a) {
    return OpinionTransition(a, {"to_org_id", "reason"},
                             [&](std::int64_t id, const ObjectReader& r, auto v) -> Result<domain::Opinion> {
                                 RETURN_IF_ERROR(r.Require("to_org_id"));
                                 ASSIGN_OR_RETURN(auto to, r.Id("to_org_id"));
                                 ASSIGN_OR_RETURN(auto reason, RequiredString(r, "reason"));
                                 return c.service.TransferOpinion(c.actor, id, to, reason, v);
                             });
}

Result<Response> OpinionRouting(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "opinion id"));
    ASSIGN_OR_RETURN(auto steps, c.service.OpinionRoutingOf(c.actor, id));
    json items = json::array();
    for (const auto& step : steps) items.push_back(domain::ToJson(step));
    return Json(200, Items(std::move(items)));
}

// ---- routing rules (docs/LINKAGE.md#routing-rules) ----

Result<Response> GetRoutingRules(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"version"}));
    ASSIGN_OR_RETURN(auto version, q.IntInRange("version", 1, 1000000000));
    ASSIGN_OR_RETURN(auto set, c.service.GetRoutingRules(c.actor, version));
    return Json(200, domain::ToJson(set));
}

// One rule of the body; errors name it as rules[i].field, the form domain::CheckRoutingRules uses.
Result<domain::RoutingRule> RoutingRuleAt(const json& value, std::size_t i) {
    const std::string at = "rules[" + std::to_string(i) + "]";
    if (!value.is_object()) return InvalidArgument(at + ": expected an object");
    ObjectReader r(value);
    auto named = [&](const Status& s) { return InvalidArgument(at + "." + s.message().substr(1)); };
    domain::RoutingRule rule;
    if (Status s = r.CheckKnown({"division_code", "category_id", "org_id", "note"}); !s.ok()) {
        return InvalidArgument(at + ": " + s.message());
    }
    if (Status s = r.Require("org_id"); !s.ok()) return InvalidArgument(at + ": " + s.message());
    auto org = r.Id("org_id");
    if (!org.ok()) return named(org.status());
    rule.org_id = *org;
    auto code = OptString(r, "division_code");
    if (!code.ok()) return named(code.status());
    rule.division_code = *code;
    auto category = Optional<std::int64_t>(r, "category_id", [&](std::string_view n) { return r.Id(n); });
    if (!category.ok()) return named(category.status());
    rule.category_id = *category;
    auto note = OptString(r, "note");
    if (!note.ok()) return named(note.status());
    rule.note = note->value_or("");
    return rule;
}

Result<Response> ReplaceRoutingRules(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"rules", "note"}));
    RETURN_IF_ERROR(r.Require("rules"));
    ASSIGN_OR_RETURN(auto note, RequiredString(r, "note"));
    const json& list = body["rules"];
    if (!list.is_array()) return InvalidArgument("/rules: expected an array of rules");
    std::vector<domain::RoutingRule> rules;
    rules.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        ASSIGN_OR_RETURN(auto rule, RoutingRuleAt(list[i], i));
        rules.push_back(std::move(rule));
    }
    ASSIGN_OR_RETURN(auto set, c.service.ReplaceRoutingRules(c.actor, std::move(rules), note));
    return Json(201, domain::ToJson(set));
}

// ---- mechanisms ----

Result<Response> ListMechanisms(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id", "problem_id", "cursor", "limit"}));
    ASSIGN_OR_RETURN(auto org, q.Id("org_id"));
    ASSIGN_OR_RETURN(auto problem, q.Id("problem_id"));
    ASSIGN_OR_RETURN(auto cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    ASSIGN_OR_RETURN(auto page, c.service.ListMechanisms(c.actor, org, problem, cursor,
                                                         limit.value_or(service::kDefaultPageSize)));
    return Json(200, PageJson(page));
}

Result<Response> CreateMechanism(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"org_id", "title", "text", "adopted_at", "problem_ids"}));
    service::MechanismDraft d;
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    ASSIGN_OR_RETURN(d.title, RequiredString(r, "title"));
    if (r.Has("text")) {
        ASSIGN_OR_RETURN(d.text, r.String("text"));
    }
    ASSIGN_OR_RETURN(d.adopted_at, Optional<UnixSeconds>(r, "adopted_at", [&](std::string_view n) { return r.Time(n); }));
    if (r.Has("problem_ids")) {
        ASSIGN_OR_RETURN(d.problem_ids, r.IdArray("problem_ids"));
    }
    ASSIGN_OR_RETURN(auto m, c.service.CreateMechanism(c.actor, d));
    return Created(domain::ToJson(m), "/api/v1/mechanisms/" + std::to_string(m.id), m.version);
}

Result<Response> GetMechanism(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "mechanism id"));
    ASSIGN_OR_RETURN(auto m, c.service.GetMechanism(c.actor, id));
    return Json(200, domain::ToJson(m), m.version);
}

Result<Response> PatchMechanism(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "mechanism id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"version", "title", "text", "adopted_at"}));
    service::MechanismPatch p;
    ASSIGN_OR_RETURN(p.version, RequiredVersion(a, r));
    if (r.Has("title")) {
        ASSIGN_OR_RETURN(p.title, r.String("title"));
    }
    if (r.Has("text")) {
        ASSIGN_OR_RETURN(p.text, r.String("text"));
    }
    if (r.Has("adopted_at")) {
        ASSIGN_OR_RETURN(p.adopted_at, r.Time("adopted_at"));
    }
    ASSIGN_OR_RETURN(auto m, c.service.UpdateMechanism(c.actor, id, p));
    return Json(200, domain::ToJson(m), m.version);
}

Result<Response> LinkMechanism(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "mechanism id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"problem_id"}));
    RETURN_IF_ERROR(r.Require("problem_id"));
    ASSIGN_OR_RETURN(auto problem, r.Id("problem_id"));
    ASSIGN_OR_RETURN(auto m, c.service.LinkMechanismProblem(c.actor, id, problem));
    return Json(200, domain::ToJson(m), m.version);
}

Result<Response> UnlinkMechanism(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "mechanism id"));
    ASSIGN_OR_RETURN(auto problem, PathId(a, "problem id", "problem_id"));
    ASSIGN_OR_RETURN(auto m, c.service.UnlinkMechanismProblem(c.actor, id, problem));
    return Json(200, domain::ToJson(m), m.version);
}

// ---- meetings ----

Result<Response> ListMeetings(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id", "cursor", "limit"}));
    ASSIGN_OR_RETURN(auto org, q.Id("org_id"));
    ASSIGN_OR_RETURN(auto cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    ASSIGN_OR_RETURN(auto page,
                     c.service.ListMeetings(c.actor, org, cursor, limit.value_or(service::kDefaultPageSize)));
    return Json(200, PageJson(page));
}

Result<Response> CreateMeeting(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"org_id", "kind", "title", "held_at", "attendees", "notes", "findings"}));
    service::MeetingDraft d;
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    RETURN_IF_ERROR(r.Require("kind"));
    ASSIGN_OR_RETURN(d.kind, r.Enum<domain::MeetingKind>("kind"));
    ASSIGN_OR_RETURN(d.title, RequiredString(r, "title"));
    RETURN_IF_ERROR(r.Require("held_at"));
    ASSIGN_OR_RETURN(d.held_at, r.Time("held_at"));
    if (r.Has("attendees")) {
        ASSIGN_OR_RETURN(auto n, r.Int("attendees"));
        if (n < 0 || n > 1000000) return InvalidArgument("/attendees: must be 0 to 1,000,000");
        d.attendees = static_cast<int>(n);
    }
    if (r.Has("notes")) {
        ASSIGN_OR_RETURN(d.notes, r.String("notes"));
    }
    if (r.Has("findings")) {
        ASSIGN_OR_RETURN(d.findings, Strings(body["findings"], "/findings"));
    }
    ASSIGN_OR_RETURN(auto m, c.service.CreateMeeting(c.actor, d));
    return Created(service::ToJson(m), "/api/v1/meetings/" + std::to_string(m.meeting.id), m.meeting.version);
}

Result<Response> GetMeeting(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "meeting id"));
    ASSIGN_OR_RETURN(auto m, c.service.GetMeeting(c.actor, id));
    return Json(200, service::ToJson(m), m.meeting.version);
}

Result<Response> AddFinding(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "meeting id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"text"}));
    ASSIGN_OR_RETURN(auto text, RequiredString(r, "text"));
    ASSIGN_OR_RETURN(auto f, c.service.AddFinding(c.actor, id, text, version));
    return Created(domain::ToJson(f), "/api/v1/meetings/" + std::to_string(id), std::nullopt);
}

Result<Response> FindingToProblem(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "meeting id"));
    ASSIGN_OR_RETURN(auto finding, PathId(a, "finding id", "finding_id"));
    ASSIGN_OR_RETURN(json body, OptionalBody(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"title", "owner_org_id", "category_id", "severity", "due_at"}));
    service::FindingProblemDraft d;
    ASSIGN_OR_RETURN(d.title, OptString(r, "title"));
    ASSIGN_OR_RETURN(d.owner_org_id,
                     Optional<std::int64_t>(r, "owner_org_id", [&](std::string_view n) { return r.Id(n); }));
    ASSIGN_OR_RETURN(d.category_id,
                     Optional<std::int64_t>(r, "category_id", [&](std::string_view n) { return r.Id(n); }));
    ASSIGN_OR_RETURN(d.severity, Optional<domain::Severity>(r, "severity", [&](std::string_view n) {
                         return r.Enum<domain::Severity>(n);
                     }));
    ASSIGN_OR_RETURN(d.due_at, Optional<UnixSeconds>(r, "due_at", [&](std::string_view n) { return r.Time(n); }));
    ASSIGN_OR_RETURN(auto p, c.service.FindingToProblem(c.actor, id, finding, d));
    return Created(domain::ToJson(p), "/api/v1/problems/" + std::to_string(p.id), p.version);
}

// ---- the OpenAPI document ----

Result<Response> OpenApi(const WorkflowContext&, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    Response r;
    r.status = 200;
    r.body = std::string(OpenApiJson());
    r.SetHeader("Cache-Control", "no-cache");
    return r;
}

}  // namespace

std::string_view OpenApiJson() { return detail::kOpenApiJson; }

void AddWorkflowRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add) {
    add("GET", "/api/openapi.json", OpenApi);

    add("GET", "/api/v1/problems/{id}/tasks", ListTasks);
    add("POST", "/api/v1/problems/{id}/tasks", CreateTask);
    add("GET", "/api/v1/problems/{id}/timeline", Timeline);
    add("POST", "/api/v1/problems/{id}/close", CloseProblem);
    add("POST", "/api/v1/problems/{id}/reopen", ReopenProblem);
    add("POST", "/api/v1/problems/{id}/invalid", InvalidProblem);
    add("POST", "/api/v1/problems/{id}/merge", MergeProblem);

    add("GET", "/api/v1/tasks/{id}", GetTask);
    add("PATCH", "/api/v1/tasks/{id}", PatchTask);
    add("GET", "/api/v1/tasks/{id}/events", TaskEvents);
    add("POST", "/api/v1/tasks/{id}/start", StartTask);
    add("GET", "/api/v1/tasks/{id}/reports", ListReports);
    add("POST", "/api/v1/tasks/{id}/reports", CreateReport);
    add("GET", "/api/v1/tasks/{id}/evidence", ListEvidence);
    add("POST", "/api/v1/tasks/{id}/evidence", UploadEvidence);
    add("POST", "/api/v1/tasks/{id}/submit", SubmitTask);
    add("POST", "/api/v1/tasks/{id}/accept", AcceptTask);
    add("POST", "/api/v1/tasks/{id}/return", ReturnTask);
    add("POST", "/api/v1/tasks/{id}/withdrawal-request", RequestWithdrawal);
    add("POST", "/api/v1/tasks/{id}/withdrawal-decline", DeclineWithdrawal);
    add("POST", "/api/v1/tasks/{id}/withdraw", WithdrawTask);

    add("GET", "/api/v1/evidence/{id}", GetEvidence);
    add("GET", "/api/v1/evidence/{id}/content", DownloadEvidence);

    add("POST", "/api/v1/opinions/{id}/accept", AcceptOpinion);
    add("POST", "/api/v1/opinions/{id}/decline", DeclineOpinion);
    add("POST", "/api/v1/opinions/{id}/duplicate", DuplicateOpinion);
    add("POST", "/api/v1/opinions/{id}/reply", ReplyOpinion);
    add("POST", "/api/v1/opinions/{id}/rating", RateOpinion);
    add("POST", "/api/v1/opinions/{id}/transfer", TransferOpinion);
    add("GET", "/api/v1/opinions/{id}/routing", OpinionRouting);
    add("GET", "/api/v1/routing-rules", GetRoutingRules);
    add("POST", "/api/v1/routing-rules", ReplaceRoutingRules);

    add("GET", "/api/v1/mechanisms", ListMechanisms);
    add("POST", "/api/v1/mechanisms", CreateMechanism);
    add("GET", "/api/v1/mechanisms/{id}", GetMechanism);
    add("PATCH", "/api/v1/mechanisms/{id}", PatchMechanism);
    add("POST", "/api/v1/mechanisms/{id}/problems", LinkMechanism);
    add("DELETE", "/api/v1/mechanisms/{id}/problems/{problem_id}", UnlinkMechanism);

    add("GET", "/api/v1/meetings", ListMeetings);
    add("POST", "/api/v1/meetings", CreateMeeting);
    add("GET", "/api/v1/meetings/{id}", GetMeeting);
    add("POST", "/api/v1/meetings/{id}/findings", AddFinding);
    add("POST", "/api/v1/meetings/{id}/findings/{finding_id}/problem", FindingToProblem);
}

std::optional<std::size_t> WorkflowUploadLimit(const service::Service& service, std::string_view method,
                                               std::string_view target) {
    if (method != "POST") return std::nullopt;
    auto t = ParseTarget(target);
    if (!t.ok()) return std::nullopt;
    const auto& s = t->segments;
    if (s.size() == 5 && s[0] == "api" && s[1] == "v1" && s[2] == "tasks" && !s[3].empty() && s[4] == "evidence") {
        return static_cast<std::size_t>(service.evidence_options().policy.max_bytes);
    }
    return std::nullopt;
}

Response RunIdempotent(service::Service& service, const domain::Actor& actor, const Request& request,
                       const std::string& path, const std::function<Response()>& run) {
    const std::string& key = *request.idempotency_key;
    const std::string fingerprint = Sha256Hex(request.method + "\n" + request.target + "\n" +
                                              request.content_type.value_or("") + "\n" + request.body);
    auto begun = service.BeginIdempotent(actor, key, request.method, path, fingerprint);
    if (!begun.ok()) return ErrorResponse(begun.status());
    if (begun->has_value()) {
        const store::IdempotencyRecord& rec = **begun;
        Response replay;
        replay.status = rec.status.value_or(200);
        replay.content_type = rec.content_type.value_or(std::string(kJsonContentType));
        replay.body = rec.body.value_or("");
        if (rec.headers_json) {
            json headers = json::parse(*rec.headers_json, nullptr, false);
            if (headers.is_array()) {
                for (const auto& h : headers) {
                    if (h.is_array() && h.size() == 2 && h[0].is_string() && h[1].is_string()) {
                        replay.SetHeader(h[0].get<std::string>(), h[1].get<std::string>());
                    }
                }
            }
        }
        replay.SetHeader("Idempotent-Replayed", "true");
        return replay;
    }
    Response r = run();
    if (r.status >= 200 && r.status < 300) {
        store::IdempotencyRecord rec;
        rec.key = key;
        rec.status = r.status;
        rec.content_type = r.content_type;
        rec.body = r.body;
        json headers = json::array();
        for (const auto& [name, value] : r.headers) headers.push_back({name, value});
        rec.headers_json = headers.dump();
        if (Status s = service.FinishIdempotent(actor, rec); !s.ok()) {
            spdlog::error("{} {}: could not store the response of Idempotency-Key: {}", request.method, path,
                          s.ToString());
        }
    } else if (Status s = service.AbandonIdempotent(actor, key); !s.ok()) {
        spdlog::error("{} {}: could not free Idempotency-Key: {}", request.method, path, s.ToString());
    }
    return r;
}

}  // namespace rectify::http
