#include "http/study_api.hpp"

#include <utility>

#include "common/time.hpp"
#include "domain/json.hpp"
#include "domain/study.hpp"
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
using detail::PageJson;
using detail::PathId;
using detail::QueryReader;
using nlohmann::json;

// "hours": a JSON number, 0 < hours <= 24, at most two decimals.
Result<std::int64_t> ReadHours(const json& body) {
    const json& v = body["hours"];
    if (!v.is_number()) return InvalidArgument("/hours: expected a number of hours, e.g. 2.5");
    auto h = domain::HoursToHundredths(v.get<double>());
    if (!h.ok()) return InvalidArgument("/" + h.status().message());
    return h;
}

Result<std::int64_t> ReadCount(const ObjectReader& r, std::string_view name) {
    ASSIGN_OR_RETURN(std::int64_t n, r.Int(name));
    if (n < 0 || n > 1000000) return InvalidArgument("/" + std::string(name) + ": expected 0..1000000");
    return n;
}

Result<std::vector<domain::AttendanceEntry>> ReadAttendance(const json& value) {
    if (!value.is_array()) return InvalidArgument("/attendance: expected an array of {\"name\", \"present\"}");
    std::vector<domain::AttendanceEntry> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string at = "/attendance/" + std::to_string(i);
        if (!value[i].is_object()) return InvalidArgument(at + ": expected an object {\"name\", \"present\"}");
        ObjectReader r(value[i]);
        domain::AttendanceEntry e;
        auto read = [&]() -> Status {
            RETURN_IF_ERROR(r.CheckKnown({"name", "present"}));
            RETURN_IF_ERROR(r.Require("name"));
            ASSIGN_OR_RETURN(e.name, r.String("name"));
            RETURN_IF_ERROR(r.Require("present"));
            ASSIGN_OR_RETURN(e.present, r.Bool("present"));
            return Status::Ok();
        };
        RETURN_IF_ERROR(Nested(read(), at));
        out.push_back(std::move(e));
    }
    return out;
}

Result<std::vector<std::string>> ReadStrings(const json& value, const std::string& pointer) {
    if (!value.is_array()) return InvalidArgument(pointer + ": expected an array of strings");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_string()) return InvalidArgument(pointer + "/" + std::to_string(i) + ": expected a string");
        out.push_back(value[i].get<std::string>());
    }
    return out;
}

Result<std::vector<service::VisitOpinionDraft>> ReadOpinions(const json& value) {
    if (!value.is_array()) return InvalidArgument("/opinions: expected an array of {\"text\", ...}");
    std::vector<service::VisitOpinionDraft> out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string at = "/opinions/" + std::to_string(i);
        if (!value[i].is_object()) return InvalidArgument(at + ": expected an object {\"text\", ...}");
        ObjectReader r(value[i]);
        service::VisitOpinionDraft d;
        auto read = [&]() -> Status {
            RETURN_IF_ERROR(r.CheckKnown(
                {"text", "title", "kind", "org_id", "category_id", "submitter", "division_code", "sla_class"}));
            RETURN_IF_ERROR(r.Require("text"));
            ASSIGN_OR_RETURN(d.text, r.String("text"));
            ASSIGN_OR_RETURN(d.title, detail::OptString(r, "title"));
            if (r.Has("kind")) {
                ASSIGN_OR_RETURN(d.kind, r.Enum<domain::OpinionKind>("kind"));
            }
            if (r.Has("org_id") && !r.IsNull("org_id")) {
                ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
            }
            if (r.Has("category_id") && !r.IsNull("category_id")) {
                ASSIGN_OR_RETURN(d.category_id, r.Id("category_id"));
            }
            ASSIGN_OR_RETURN(d.submitter, detail::OptString(r, "submitter"));
            ASSIGN_OR_RETURN(d.division_code, detail::OptString(r, "division_code"));
            if (r.Has("sla_class")) {
                ASSIGN_OR_RETURN(d.sla_class, r.Enum<domain::SlaClass>("sla_class"));
            }
            return Status::Ok();
        };
        RETURN_IF_ERROR(Nested(read(), at));
        out.push_back(std::move(d));
    }
    return out;
}

// An error of a service check on a nested field ("attendance[1].name: ...") as the JSON pointer the body
// used ("/attendance/1/name: ..."), so every 400 of these routes names a pointer into what was sent.
Status AsPointer(const Status& s) {
    if (s.ok() || s.code() != StatusCode::kInvalidArgument) return s;
    const std::string& m = s.message();
    const auto colon = m.find(": ");
    if (colon == std::string::npos || m.empty() || m.front() == '/') return s;
    std::string path = m.substr(0, colon);
    if (path.find(' ') != std::string::npos) return s;
    std::string pointer = "/";
    for (char ch : path) {
        if (ch == '[' || ch == '.') {
            pointer += '/';
        } else if (ch != ']') {
            pointer += ch;
        }
    }
    return Status(s.code(), pointer + m.substr(colon));
}
template <typename T>
Result<T> AsPointer(Result<T> r) {
    if (r.ok()) return r;
    return AsPointer(r.status());
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
    return InvalidArgument(
        "missing required field \"version\" (the version you read; or send it as If-Match: \"<version>\")");
}

struct ListArgs {
    std::optional<std::string> from, to, cursor;
    int limit = service::kDefaultPageSize;
};
Result<ListArgs> ReadListArgs(const QueryReader& q) {
    ListArgs out;
    ASSIGN_OR_RETURN(out.from, q.NonEmpty("from"));
    ASSIGN_OR_RETURN(out.to, q.NonEmpty("to"));
    ASSIGN_OR_RETURN(out.cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    out.limit = limit.value_or(service::kDefaultPageSize);
    return out;
}

// ---- study sessions ----

Result<Response> CreateStudySession(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(
        r.CheckKnown({"held_on", "topic", "form", "materials", "hours", "expected", "present", "attendance", "notes"}));
    service::StudySessionDraft d;
    d.org_id = org;
    RETURN_IF_ERROR(r.Require("held_on"));
    ASSIGN_OR_RETURN(d.held_on, r.String("held_on"));
    RETURN_IF_ERROR(r.Require("topic"));
    ASSIGN_OR_RETURN(d.topic, r.String("topic"));
    RETURN_IF_ERROR(r.Require("form"));
    ASSIGN_OR_RETURN(d.form, r.Enum<domain::StudyForm>("form"));
    if (r.Has("materials")) {
        ASSIGN_OR_RETURN(d.materials, r.String("materials"));
    }
    RETURN_IF_ERROR(r.Require("hours"));
    ASSIGN_OR_RETURN(d.hours_x100, ReadHours(body));
    if (r.Has("expected")) {
        ASSIGN_OR_RETURN(d.expected, ReadCount(r, "expected"));
    }
    if (r.Has("present")) {
        ASSIGN_OR_RETURN(d.present, ReadCount(r, "present"));
    }
    if (r.Has("attendance")) {
        ASSIGN_OR_RETURN(d.attendance, ReadAttendance(body["attendance"]));
    }
    if (r.Has("notes")) {
        ASSIGN_OR_RETURN(d.notes, r.String("notes"));
    }
    ASSIGN_OR_RETURN(auto s, AsPointer(c.service.CreateStudySession(c.actor, d)));
    return Created(domain::ToJson(s), "/api/v1/study-sessions/" + std::to_string(s.id), s.version);
}

Result<Response> ListStudySessions(const WorkflowContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"from", "to", "form", "cursor", "limit"}));
    ASSIGN_OR_RETURN(ListArgs l, ReadListArgs(q));
    ASSIGN_OR_RETURN(auto form, q.Enum<domain::StudyForm>("form"));
    ASSIGN_OR_RETURN(auto page, c.service.ListStudySessions(c.actor, org, l.from, l.to, form, l.cursor, l.limit));
    return Json(200, PageJson(page));
}

Result<Response> GetStudySession(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "study session id"));
    ASSIGN_OR_RETURN(auto s, c.service.GetStudySession(c.actor, id));
    return Json(200, domain::ToJson(s), s.version);
}

Result<Response> PatchStudySession(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "study session id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown(
        {"version", "held_on", "topic", "form", "materials", "hours", "expected", "present", "attendance", "notes"}));
    ASSIGN_OR_RETURN(std::int64_t version, PatchVersion(a, r));
    service::StudySessionPatch p;
    auto text = [&](std::string_view name, std::optional<std::string>& out) -> Status {
        if (!r.Has(name)) return Status::Ok();
        ASSIGN_OR_RETURN(std::string v, r.String(name));
        out = std::move(v);
        return Status::Ok();
    };
    RETURN_IF_ERROR(text("held_on", p.held_on));
    RETURN_IF_ERROR(text("topic", p.topic));
    RETURN_IF_ERROR(text("materials", p.materials));
    RETURN_IF_ERROR(text("notes", p.notes));
    if (r.Has("form")) {
        ASSIGN_OR_RETURN(p.form, r.Enum<domain::StudyForm>("form"));
    }
    if (r.Has("hours")) {
        ASSIGN_OR_RETURN(p.hours_x100, ReadHours(body));
    }
    if (r.Has("expected")) {
        ASSIGN_OR_RETURN(p.expected, ReadCount(r, "expected"));
    }
    if (r.Has("present")) {
        ASSIGN_OR_RETURN(p.present, ReadCount(r, "present"));
    }
    if (r.Has("attendance")) {
        ASSIGN_OR_RETURN(p.attendance, ReadAttendance(body["attendance"]));
    }
    ASSIGN_OR_RETURN(auto s, AsPointer(c.service.UpdateStudySession(c.actor, id, p, version)));
    return Json(200, domain::ToJson(s), s.version);
}

Result<Response> DeleteStudySession(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "study session id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    RETURN_IF_ERROR(c.service.DeleteStudySession(c.actor, id, version));
    Response res;
    res.status = 204;
    res.content_type.clear();
    return res;
}

// ---- research visits ----

Result<Response> CreateResearchVisit(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"visitors", "visited_org_id", "place", "visited_on", "met", "summary", "opinions"}));
    service::ResearchVisitDraft d;
    d.org_id = org;
    RETURN_IF_ERROR(r.Require("visitors"));
    ASSIGN_OR_RETURN(d.visitors, ReadStrings(body["visitors"], "/visitors"));
    if (r.Has("visited_org_id") && !r.IsNull("visited_org_id")) {
        ASSIGN_OR_RETURN(d.visited_org_id, r.Id("visited_org_id"));
    }
    if (r.Has("place")) {
        ASSIGN_OR_RETURN(d.place, r.String("place"));
    }
    RETURN_IF_ERROR(r.Require("visited_on"));
    ASSIGN_OR_RETURN(d.visited_on, r.String("visited_on"));
    if (r.Has("met")) {
        ASSIGN_OR_RETURN(d.met, r.String("met"));
    }
    if (r.Has("summary")) {
        ASSIGN_OR_RETURN(d.summary, r.String("summary"));
    }
    if (r.Has("opinions")) {
        ASSIGN_OR_RETURN(d.opinions, ReadOpinions(body["opinions"]));
    }
    ASSIGN_OR_RETURN(auto v, AsPointer(c.service.CreateResearchVisit(c.actor, d)));
    return Created(service::ToJson(v), "/api/v1/research-visits/" + std::to_string(v.visit.id), v.visit.version);
}

Result<Response> ListResearchVisits(const WorkflowContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"from", "to", "cursor", "limit"}));
    ASSIGN_OR_RETURN(ListArgs l, ReadListArgs(q));
    ASSIGN_OR_RETURN(auto page, c.service.ListResearchVisits(c.actor, org, l.from, l.to, l.cursor, l.limit));
    return Json(200, PageJson(page));
}

Result<Response> GetResearchVisit(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "research visit id"));
    ASSIGN_OR_RETURN(auto v, c.service.GetResearchVisit(c.actor, id));
    return Json(200, service::ToJson(v), v.visit.version);
}

Result<Response> AddVisitOpinions(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "research visit id"));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"opinions"}));
    RETURN_IF_ERROR(r.Require("opinions"));
    ASSIGN_OR_RETURN(auto opinions, ReadOpinions(body["opinions"]));
    ASSIGN_OR_RETURN(auto v, AsPointer(c.service.AddVisitOpinions(c.actor, id, opinions)));
    return Json(201, service::ToJson(v), v.visit.version);
}

// ---- figures and the queue ----

Result<Response> StudyStats(const WorkflowContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"from", "to"}));
    ASSIGN_OR_RETURN(auto from, q.NonEmpty("from"));
    ASSIGN_OR_RETURN(auto to, q.NonEmpty("to"));
    ASSIGN_OR_RETURN(auto stats, c.service.GetStudyStats(c.actor, org, from, to));
    return Json(200, service::ToJson(stats));
}

Result<Response> InactiveStudyOrgs(const WorkflowContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto org, PathId(a, "org id"));
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"weeks", "level", "kind", "offset", "limit"}));
    service::InactiveStudyQuery query;
    query.org_id = org;
    ASSIGN_OR_RETURN(auto weeks, q.IntInRange("weeks", 1, 104));
    query.weeks = weeks.value_or(4);
    ASSIGN_OR_RETURN(query.level, q.NonEmpty("level"));
    ASSIGN_OR_RETURN(query.kind, q.Enum<domain::OrgKind>("kind"));
    ASSIGN_OR_RETURN(auto offset, q.IntInRange("offset", 0, 100000000));
    query.offset = offset.value_or(0);
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    query.limit = limit.value_or(service::kDefaultPageSize);
    ASSIGN_OR_RETURN(auto page, c.service.ListInactiveStudyOrgs(c.actor, query, NowSeconds()));
    return Json(200, service::ToJson(page));
}

}  // namespace

void AddStudyRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add) {
    add("GET", "/api/v1/orgs/{id}/study-sessions", ListStudySessions);
    add("POST", "/api/v1/orgs/{id}/study-sessions", CreateStudySession);
    add("GET", "/api/v1/study-sessions/{id}", GetStudySession);
    add("PATCH", "/api/v1/study-sessions/{id}", PatchStudySession);
    add("DELETE", "/api/v1/study-sessions/{id}", DeleteStudySession);
    add("GET", "/api/v1/orgs/{id}/research-visits", ListResearchVisits);
    add("POST", "/api/v1/orgs/{id}/research-visits", CreateResearchVisit);
    add("GET", "/api/v1/research-visits/{id}", GetResearchVisit);
    add("POST", "/api/v1/research-visits/{id}/opinions", AddVisitOpinions);
    add("GET", "/api/v1/orgs/{id}/stats/study", StudyStats);
    add("GET", "/api/v1/orgs/{id}/study/inactive", InactiveStudyOrgs);
}

}  // namespace rectify::http
