#include "http/supervision_api.hpp"

#include <utility>

#include "common/time.hpp"
#include "domain/json.hpp"
#include "domain/supervision.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"
#include "service/json.hpp"

namespace rectify::http {
namespace {

using detail::Json;
using detail::NoQuery;
using detail::ObjectReader;
using detail::OptString;
using detail::PathId;
using detail::QueryReader;
using detail::RequiredString;
using nlohmann::json;

json WarningJson(const domain::TaskWarning& w) {
    json j{{"level", domain::ToString(w.level)}, {"stalled", w.stalled}, {"last_activity_at", FormatIso(w.last_activity_at)}};
    j["working_days"] = w.working_days ? json(*w.working_days) : json(nullptr);
    return j;
}

// ---- a task's supervision ----

Result<Response> GetTaskSupervision(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(auto s, c.service.GetTaskSupervision(c.actor, id, NowSeconds()));
    json steps = json::array();
    for (const auto& st : s.steps) steps.push_back(service::StepToJson(st));
    return Json(200, {{"task_id", s.task.id},
                      {"task_status", domain::ToString(s.task.status)},
                      {"warning", WarningJson(s.warning)},
                      {"steps", std::move(steps)}});
}

Result<Response> TakeSupervisionStep(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "task id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"kind", "reason", "feedback_due_at", "feedback_every_days", "official", "held_at", "notes"}));
    service::SupervisionDraft d;
    RETURN_IF_ERROR(r.Require("kind"));
    ASSIGN_OR_RETURN(d.kind, r.Enum<domain::SupervisionKind>("kind"));
    ASSIGN_OR_RETURN(d.reason, RequiredString(r, "reason"));
    if (r.Has("feedback_due_at") && !r.IsNull("feedback_due_at")) {
        ASSIGN_OR_RETURN(UnixSeconds t, r.Time("feedback_due_at"));
        d.feedback_due_at = t;
    }
    if (r.Has("feedback_every_days") && !r.IsNull("feedback_every_days")) {
        ASSIGN_OR_RETURN(std::int64_t n, r.Int("feedback_every_days"));
        if (n < 1 || n > 365) return InvalidArgument("/feedback_every_days: between 1 and 365");
        d.feedback_every_days = static_cast<int>(n);
    }
    ASSIGN_OR_RETURN(d.official, OptString(r, "official"));
    if (r.Has("held_at") && !r.IsNull("held_at")) {
        ASSIGN_OR_RETURN(UnixSeconds t, r.Time("held_at"));
        d.held_at = t;
    }
    ASSIGN_OR_RETURN(d.notes, OptString(r, "notes"));
    ASSIGN_OR_RETURN(auto step, c.service.TakeSupervisionStep(c.actor, id, d, NowSeconds()));
    return detail::Created(service::StepToJson(step), "/api/v1/tasks/" + std::to_string(id) + "/supervision",
                           std::nullopt);
}

// ---- work queues ----

Result<Response> Queue(const WorkflowContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(service::WorkQueue queue, service::ParseWorkQueue(a.params.Get("kind")));
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id", "offset", "limit"}));
    service::QueueQuery query;
    ASSIGN_OR_RETURN(query.org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(auto offset, q.IntInRange("offset", 0, static_cast<int>(service::kMaxOffset)));
    query.offset = offset.value_or(0);
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    query.limit = limit.value_or(service::kDefaultPageSize);
    const UnixSeconds now = NowSeconds();
    ASSIGN_OR_RETURN(auto page, c.service.ListQueue(c.actor, queue, query, now));
    json items = json::array();
    for (const auto& item : page.items) {
        json j{{"why", item.why}, {"why_text", item.why_text}};
        if (item.task) {
            j["task"] = domain::ToJson(item.task->task);
            j["problem_title"] = item.task->problem_title;
            j["org_name"] = item.task->org_name;
            j["returns"] = item.task->returns;
            j["last_report_at"] = item.task->last_report_at ? json(FormatIso(*item.task->last_report_at)) : json(nullptr);
            j["ladder"] = item.task->ladder ? json(domain::ToString(*item.task->ladder)) : json(nullptr);
        }
        if (item.warning) j["warning"] = WarningJson(*item.warning);
        if (item.opinion) j["opinion"] = domain::ToJson(*item.opinion);
        if (item.escalation) {
            j["escalation"] = domain::ToJson(item.escalation->escalation);
            j["problem_title"] = item.escalation->problem_title;
            j["to_org_name"] = item.escalation->to_org_name;
        }
        items.push_back(std::move(j));
    }
    return Json(200, {{"kind", a.params.Get("kind")},
                      {"at", FormatIso(now)},
                      {"items", std::move(items)},
                      {"total", page.total.value_or(0)},
                      {"offset", query.offset},
                      {"limit", query.limit}});
}

// ---- opinion rates (响应率, 解决率, 满意率) ----

json RatesRowJson(const service::OpinionRatesRow& r) {
    const auto& c = r.counts;
    return {{"org", {{"id", r.org.id}, {"name", r.org.name}}},
            {"received", c.received},
            {"due", c.due},
            {"overdue", c.overdue},
            {"response", service::ToJson(r.response)},
            {"resolution", service::ToJson(r.resolution)},
            {"satisfaction", service::ToJson(r.satisfaction)},
            {"ratings",
             {{"satisfied", c.satisfied}, {"basically_satisfied", c.basically_satisfied}, {"dissatisfied", c.dissatisfied}}},
            {"transfers", {{"opinions_transferred", c.transferred}, {"transfers", c.transfers}}},
            {"score", r.score ? json(*r.score) : json(nullptr)}};
}

Result<Response> OpinionRates(const WorkflowContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto id, PathId(a, "org id"));
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"from", "to"}));
    const UnixSeconds now = NowSeconds();
    ASSIGN_OR_RETURN(auto from, q.Time("from"));
    ASSIGN_OR_RETURN(auto to, q.Time("to"));
    // Default: the current calendar month in the display zone, up to now.
    const domain::CivilDate today = domain::CivilOf(LocalDayNumber(now));
    ASSIGN_OR_RETURN(auto rates, c.service.GetOpinionRates(c.actor, id,
                                                           from.value_or(FromLocal(today.year, today.month, 1, 0, 0, 0)),
                                                           to.value_or(now + 1), now));
    json children = json::array();
    for (const auto& r : rates.children) children.push_back(RatesRowJson(r));
    return Json(200, {{"from", FormatIso(rates.from)},
                      {"to", FormatIso(rates.to)},
                      {"at", FormatIso(rates.at)},
                      {"limits", rates.limits},
                      {"weights",
                       {{"response", rates.weights[0]},
                        {"resolution", rates.weights[1]},
                        {"satisfaction", rates.weights[2]}}},
                      {"basically_satisfied_counts", rates.basically_satisfied_counts},
                      {"total", RatesRowJson(rates.total)},
                      {"children", std::move(children)}});
}

// ---- bulletins ----

json BulletinSummary(const domain::Bulletin& b) {
    return {{"id", b.id},
            {"org_id", b.org_id},
            {"title", b.title},
            {"period_from", FormatIso(b.period_from)},
            {"period_to", FormatIso(b.period_to)},
            {"min_sample", b.min_sample},
            {"published_by", b.published_by},
            {"published_at", FormatIso(b.published_at)}};
}

json BulletinJson(const domain::Bulletin& b) {
    json j = BulletinSummary(b);
    json body = json::parse(b.body_json);
    j["org"] = body["org"];
    j["cut"] = body.contains("cut") ? body["cut"] : json(nullptr);  // issue 5; absent before
    j["rows"] = body["rows"];
    j["total"] = body["total"];
    // Issue 12: the leaders' own lists, apart from the unit figures (absent from bulletins published before).
    j["self_inspection"] = body.contains("self_inspection") ? body["self_inspection"] : json(nullptr);
    return j;
}

Result<Response> PublishBulletin(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(
        r.CheckKnown({"org_id", "title", "period_from", "period_to", "min_sample", "campaign_id", "special_item_id"}));
    service::BulletinDraft d;
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    ASSIGN_OR_RETURN(d.title, RequiredString(r, "title"));
    RETURN_IF_ERROR(r.Require("period_from"));
    ASSIGN_OR_RETURN(d.period_from, r.Time("period_from"));
    RETURN_IF_ERROR(r.Require("period_to"));
    ASSIGN_OR_RETURN(d.period_to, r.Time("period_to"));
    if (r.Has("min_sample") && !r.IsNull("min_sample")) {
        ASSIGN_OR_RETURN(d.min_sample, r.Int("min_sample"));
    }
    if (r.Has("campaign_id") && !r.IsNull("campaign_id")) {
        ASSIGN_OR_RETURN(d.campaign_id, r.Id("campaign_id"));
    }
    if (r.Has("special_item_id") && !r.IsNull("special_item_id")) {
        ASSIGN_OR_RETURN(d.special_item_id, r.Id("special_item_id"));
    }
    ASSIGN_OR_RETURN(auto b, c.service.PublishBulletin(c.actor, d, NowSeconds()));
    return detail::Created(BulletinJson(b), "/api/v1/bulletins/" + std::to_string(b.id), std::nullopt);
}

Result<Response> ListBulletins(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id"}));
    ASSIGN_OR_RETURN(auto org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(auto list, c.service.ListBulletins(c.actor, org_id));
    json items = json::array();
    for (const auto& b : list) items.push_back(BulletinSummary(b));
    return Json(200, {{"items", std::move(items)}});
}

Result<Response> GetBulletin(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "bulletin id"));
    ASSIGN_OR_RETURN(auto b, c.service.GetBulletin(c.actor, id));
    return Json(200, BulletinJson(b));
}

std::string RateText(const json& r) {
    if (r["rate"].is_null()) return "—";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * r["rate"].get<double>());
    return buf;
}

// The printable page of a bulletin (print it or save it as PDF from the browser).
std::string BulletinHtml(const domain::Bulletin& b) {
    using detail::EscapeHtml;
    const json body = json::parse(b.body_json);
    std::string h = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + EscapeHtml(b.title) +
                    "</title><style>body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em}"
                    "h1{text-align:center;font-size:1.6em}p.meta{text-align:center;color:#555}"
                    "table{border-collapse:collapse;width:100%;margin-top:1em}th,td{border:1px solid #333;padding:4px 8px;"
                    "text-align:center}td.name{text-align:left}tr.unranked td{color:#777}"
                    "@media print{body{margin:0}}</style></head><body>";
    h += "<h1>" + EscapeHtml(b.title) + "</h1><p class=\"meta\">" + EscapeHtml(body["org"]["name"].get<std::string>()) +
         "　统计期间 " + EscapeHtml(FormatIso(b.period_from).substr(0, 10)) + " 至 " +
         EscapeHtml(FormatIso(b.period_to - 1).substr(0, 10)) + "　发布时间 " +
         EscapeHtml(FormatIso(b.published_at).substr(0, 16)) + "　最小样本 " + std::to_string(b.min_sample) + " 件" +
         EscapeHtml(service::BulletinCutText(body)) + "</p>";
    h += "<table><thead><tr><th>排名</th><th>单位</th><th>问题数</th><th>已办结</th><th>办结率</th><th>按期办结率</th>"
         "<th>逾期</th><th>满意率</th><th>督办数</th></tr></thead><tbody>";
    for (const auto& r : body["rows"]) {
        const bool ranked = !r["rank"].is_null();
        h += std::string("<tr") + (ranked ? "" : " class=\"unranked\"") + "><td>" +
             (ranked ? std::to_string(r["rank"].get<int>()) : std::string("样本不足")) + "</td><td class=\"name\">" +
             EscapeHtml(r["org_name"].get<std::string>()) + "</td><td>" + std::to_string(r["problems"].get<std::int64_t>()) +
             "</td><td>" + std::to_string(r["closed"].get<std::int64_t>()) + "</td><td>" + RateText(r["completion"]) +
             "</td><td>" + RateText(r["closed_on_time"]) + "</td><td>" + std::to_string(r["overdue"].get<std::int64_t>()) +
             "</td><td>" + RateText(r["satisfaction"]) + "</td><td>" +
             std::to_string(r["supervised"].get<std::int64_t>()) + "</td></tr>";
    }
    h += "</tbody></table>";
    // Issue 12: the leaders' own lists, apart from the ranked unit figures (docs/CAUSES.md#bulletins).
    if (body.contains("self_inspection") && body["self_inspection"].is_object()) {
        const json& si = body["self_inspection"];
        h += "<h2>个人检视和领导班子检视问题清单完成情况（不计入上表排名）</h2>"
             "<table><thead><tr><th rowspan=\"2\">单位</th><th colspan=\"4\">领导干部个人清单</th>"
             "<th colspan=\"4\">领导班子清单</th></tr><tr><th>问题数</th><th>已完成</th><th>按期完成</th><th>超期未完成</th>"
             "<th>问题数</th><th>已完成</th><th>按期完成</th><th>超期未完成</th></tr></thead><tbody>";
        auto cells = [](const json& c) {
            std::string out;
            for (const char* k : {"items", "done", "done_on_time", "overdue"}) {
                out += "<td>" + std::to_string(c[k].get<std::int64_t>()) + "</td>";
            }
            return out;
        };
        for (const auto& r : si["rows"]) {
            h += "<tr><td class=\"name\">" + EscapeHtml(r["org_name"].get<std::string>()) + "</td>" + cells(r["personal"]) +
                 cells(r["leadership_group"]) + "</tr>";
        }
        h += "<tr><td class=\"name\">合计</td>" + cells(si["total"]["personal"]) + cells(si["total"]["leadership_group"]) +
             "</tr></tbody></table>";
    }
    h += "</body></html>";
    return h;
}

Result<Response> ExportBulletin(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"format"}));
    ASSIGN_OR_RETURN(auto id, PathId(a, "bulletin id"));
    ASSIGN_OR_RETURN(auto format_name, q.NonEmpty("format"));
    const std::string format = format_name.value_or("xlsx");
    if (format == "html") {
        ASSIGN_OR_RETURN(auto b, c.service.GetBulletin(c.actor, id));
        Response r;
        r.status = 200;
        r.body = BulletinHtml(b);
        r.content_type = "text/html; charset=utf-8";
        r.SetHeader("Cache-Control", "private, no-store");
        r.SetHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
        return r;
    }
    auto ledger_format = service::ParseLedgerFormat(format);
    if (!ledger_format.ok()) return InvalidArgument("format: xlsx, csv or html");
    ASSIGN_OR_RETURN(auto b, c.service.GetBulletin(c.actor, id));
    const std::string name = "通报-" + std::to_string(b.id) + (*ledger_format == service::LedgerFormat::kCsv ? ".csv" : ".xlsx");
    return detail::LedgerDownload(*ledger_format, "bulletin-" + std::to_string(b.id), name,
                                  [&](service::LedgerSink& sink) { return c.service.ExportBulletin(c.actor, id, sink); });
}

// ---- supervision teams ----

json TeamJson(const domain::SupervisionTeam& t) {
    json members = json::array();
    for (const auto& m : t.members) {
        members.push_back({{"user_id", m.user_id}, {"added_by", m.added_by}, {"added_at", FormatIso(m.added_at)}});
    }
    json assignments = json::array();
    for (const auto& a : t.assignments) {
        assignments.push_back({{"id", a.id},
                               {"org_id", a.org_id},
                               {"assigned_by", a.assigned_by},
                               {"assigned_at", FormatIso(a.assigned_at)},
                               {"ended_by", a.ended_by ? json(*a.ended_by) : json(nullptr)},
                               {"ended_at", a.ended_at ? json(FormatIso(*a.ended_at)) : json(nullptr)},
                               {"active", !a.ended_at.has_value()}});
    }
    return {{"id", t.id},
            {"org_id", t.org_id},
            {"name", t.name},
            {"kind", domain::ToString(t.kind)},
            {"campaign", t.campaign ? json(*t.campaign) : json(nullptr)},
            {"created_by", t.created_by},
            {"created_at", FormatIso(t.created_at)},
            {"members", std::move(members)},
            {"assignments", std::move(assignments)}};
}

Result<Response> CreateTeam(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"org_id", "name", "kind", "campaign"}));
    service::TeamDraft d;
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    ASSIGN_OR_RETURN(d.name, RequiredString(r, "name"));
    if (r.Has("kind") && !r.IsNull("kind")) {
        ASSIGN_OR_RETURN(d.kind, r.Enum<domain::TeamKind>("kind"));
    }
    ASSIGN_OR_RETURN(d.campaign, OptString(r, "campaign"));
    ASSIGN_OR_RETURN(auto t, c.service.CreateTeam(c.actor, d));
    return detail::Created(TeamJson(t), "/api/v1/teams/" + std::to_string(t.id), std::nullopt);
}

Result<Response> ListTeams(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id"}));
    ASSIGN_OR_RETURN(auto org_id, q.Id("org_id"));
    ASSIGN_OR_RETURN(auto list, c.service.ListTeams(c.actor, org_id));
    json items = json::array();
    for (const auto& t : list) items.push_back(TeamJson(t));
    return Json(200, {{"items", std::move(items)}});
}

Result<Response> GetTeam(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "team id"));
    ASSIGN_OR_RETURN(auto t, c.service.GetTeam(c.actor, id));
    return Json(200, TeamJson(t));
}

// A team change whose body holds one id field (`field`), or none.
template <typename F>
Result<Response> TeamChange(const RouteArgs& a, std::string_view field, F call) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "team id"));
    ASSIGN_OR_RETURN(json body, detail::OptionalBody(a));
    ObjectReader r(body);
    std::int64_t value = 0;
    if (!field.empty()) {
        RETURN_IF_ERROR(r.CheckKnown({field}));
        RETURN_IF_ERROR(r.Require(field));
        ASSIGN_OR_RETURN(value, r.Id(field));
    } else {
        RETURN_IF_ERROR(r.CheckKnown({}));
    }
    ASSIGN_OR_RETURN(domain::SupervisionTeam t, call(id, value));
    return Json(200, TeamJson(t));
}

Result<Response> AddTeamMember(const WorkflowContext& c, const RouteArgs& a) {
    return TeamChange(a, "user_id", [&](auto id, auto user) { return c.service.AddTeamMember(c.actor, id, user); });
}
Result<Response> RemoveTeamMember(const WorkflowContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto user, PathId(a, "user id", "user_id"));
    return TeamChange(a, "", [&](auto id, auto) { return c.service.RemoveTeamMember(c.actor, id, user); });
}
Result<Response> AssignTeam(const WorkflowContext& c, const RouteArgs& a) {
    return TeamChange(a, "org_id", [&](auto id, auto org) { return c.service.AssignTeam(c.actor, id, org); });
}
Result<Response> EndTeamAssignment(const WorkflowContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto assignment, PathId(a, "assignment id", "assignment_id"));
    return TeamChange(a, "", [&](auto id, auto) { return c.service.EndTeamAssignment(c.actor, id, assignment); });
}

}  // namespace

void AddSupervisionRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add) {
    add("GET", "/api/v1/tasks/{id}/supervision", GetTaskSupervision);
    add("POST", "/api/v1/tasks/{id}/supervision", TakeSupervisionStep);
    add("GET", "/api/v1/queues/{kind}", Queue);
    add("GET", "/api/v1/orgs/{id}/opinion-rates", OpinionRates);
    add("POST", "/api/v1/bulletins", PublishBulletin);
    add("GET", "/api/v1/bulletins", ListBulletins);
    add("GET", "/api/v1/bulletins/{id}", GetBulletin);
    add("GET", "/api/v1/bulletins/{id}/export", ExportBulletin);
    add("POST", "/api/v1/teams", CreateTeam);
    add("GET", "/api/v1/teams", ListTeams);
    add("GET", "/api/v1/teams/{id}", GetTeam);
    add("POST", "/api/v1/teams/{id}/members", AddTeamMember);
    add("DELETE", "/api/v1/teams/{id}/members/{user_id}", RemoveTeamMember);
    add("POST", "/api/v1/teams/{id}/assignments", AssignTeam);
    add("POST", "/api/v1/teams/{id}/assignments/{assignment_id}/end", EndTeamAssignment);
}

}  // namespace rectify::http
