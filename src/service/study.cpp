// Study sessions (学习教育) and research visits (调查研究), issue 12, docs/STUDY.md: the use cases that record
// and read them, the opinions heard on visits (registered through the opinion path, channel research_visit),
// the figures of a subtree and its children, and the supervisor's queue of orgs without study or research.
// Thread-safe like Service.
//
// The figures are counted by SQL over the org path (store::Store::StudyFigures), not by the roll-up index:
// they are asked for one subtree and a date range at a time, and the rows read are only the sessions and
// visits of that range (docs/STUDY.md#figures).
#include "domain/study.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "common/text.hpp"
#include "domain/json.hpp"
#include "service/detail/checks.hpp"
#include "service/json.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

const domain::RoleSet kStudyWriters{domain::Role::kClerk, domain::Role::kOrgAdmin};
constexpr std::size_t kMaxOpinionsPerVisitCall = 200;
constexpr std::size_t kDefaultTitleChars = 40;

std::string Id(std::int64_t id) { return std::to_string(id); }

// A status with "<prefix>" in front of its message (the field path of a nested record).
Status Prefixed(const Status& s, const std::string& prefix) {
    if (s.ok()) return s;
    return Status(s.code(), prefix + s.message());
}

// The first `n` code points of UTF-8 `text`, line breaks as spaces, with "…" when cut.
std::string TitleOf(const std::string& text, std::size_t n) {
    std::string out;
    std::size_t points = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) != 0x80) {
            if (points == n) return out + "…";
            ++points;
        }
        out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : text[i];
    }
    return out;
}

Status CheckDateArg(const std::string& field, const std::optional<std::string>& date) {
    if (date && !domain::IsCalendarDate(*date)) {
        return InvalidArgument(field + ": \"" + *date + "\" is not a date YYYY-MM-DD");
    }
    return Status::Ok();
}

Status CheckRange(const std::optional<std::string>& from, const std::optional<std::string>& to) {
    RETURN_IF_ERROR(CheckDateArg("from", from));
    RETURN_IF_ERROR(CheckDateArg("to", to));
    if (from && to && *to < *from) return InvalidArgument("to: " + *to + " is before from " + *from);
    return Status::Ok();
}

// Cursors of the date-ordered lists: "<date>.<id>" of the last row of the page.
std::string DateCursor(const std::string& date, std::int64_t id) { return date + "." + Id(id); }
Result<std::pair<std::string, std::int64_t>> ParseDateCursor(const std::string& cursor) {
    const auto dot = cursor.find('.');
    const auto bad = InvalidArgument("cursor: \"" + cursor + "\" is not a cursor of this list (use next_cursor)");
    if (dot == std::string::npos || !domain::IsCalendarDate(cursor.substr(0, dot))) return bad;
    const std::string digits = cursor.substr(dot + 1);
    if (digits.empty() || digits.size() > 18 || digits.find_first_not_of("0123456789") != std::string::npos) return bad;
    return std::make_pair(cursor.substr(0, dot), static_cast<std::int64_t>(std::stoll(digits)));
}

template <typename T, typename DateOf>
Page<T> DatePage(std::vector<T> items, int limit, DateOf date_of) {
    Page<T> page;
    if (static_cast<int>(items.size()) > limit) {
        items.resize(static_cast<std::size_t>(limit));
        page.next_cursor = DateCursor(date_of(items.back()), items.back().id);
    }
    page.items = std::move(items);
    return page;
}

Status CheckLimit(int limit) {
    if (limit < 1 || limit > kMaxPageSize) {
        return InvalidArgument("limit: must be between 1 and " + std::to_string(kMaxPageSize));
    }
    return Status::Ok();
}

StudyFigures FiguresOf(const store::StudyOrgCounts& c, std::int64_t problems) {
    StudyFigures f;
    f.sessions = c.sessions;
    f.hours_x100 = c.hours_x100;
    f.participation = MakeRate(c.present, c.expected);
    f.visits = c.visits;
    f.opinions = c.opinions;
    if (c.visits > 0) f.opinions_per_visit = static_cast<double>(c.opinions) / static_cast<double>(c.visits);
    f.problems = problems;
    return f;
}

void Add(store::StudyOrgCounts& into, const store::StudyOrgCounts& c) {
    into.sessions += c.sessions;
    into.hours_x100 += c.hours_x100;
    into.expected += c.expected;
    into.present += c.present;
    into.visits += c.visits;
    into.opinions += c.opinions;
}

}  // namespace

// ---- study sessions ----

Result<domain::StudySession> Service::CreateStudySession(const Actor& actor, const StudySessionDraft& draft) {
    if (!InScope(actor, draft.org_id)) return NotFound("org " + Id(draft.org_id) + " does not exist");
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kStudyWriters, draft.org_id, "recording a study session"));
    domain::StudySession s;
    s.org_id = draft.org_id;
    s.held_on = draft.held_on;
    s.topic = draft.topic;
    s.form = draft.form;
    s.materials = draft.materials;
    s.hours_x100 = draft.hours_x100;
    s.attendance = draft.attendance;
    s.notes = draft.notes;
    if (s.attendance.empty()) {
        if (!draft.expected) return InvalidArgument("expected: required (or give attendance, a list of names)");
        if (!draft.present) return InvalidArgument("present: required (or give attendance, a list of names)");
    }
    domain::DeriveCounts(s);
    if (draft.expected) s.expected = *draft.expected;
    if (draft.present) s.present = *draft.present;
    s.created_at = s.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateStudySession(s));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertStudySession(s));
        auto ev = MakeEvent(actor, "study_session", s.id, "create", std::nullopt, domain::ToJson(s));
        ev.org_id = s.org_id;
        return tx.AppendEvent(ev);
    }));
    return s;
}

Result<domain::StudySession> Service::GetStudySession(const Actor& actor, domain::StudySessionId id) {
    auto s = store_->GetStudySession(id);
    if (!s.ok() || !InScope(actor, s->org_id)) {
        if (!s.ok() && s.status().code() != StatusCode::kNotFound) return s.status();
        return NotFound("study session " + Id(id) + " does not exist");
    }
    return s;
}

Result<domain::StudySession> Service::UpdateStudySession(const Actor& actor, domain::StudySessionId id,
                                                         const StudySessionPatch& patch, std::int64_t version) {
    ASSIGN_OR_RETURN(domain::StudySession before, GetStudySession(actor, id));
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kStudyWriters, before.org_id, "changing a study session"));
    RETURN_IF_ERROR(detail::CheckVersion("study session", id, version, before.version));
    domain::StudySession s = before;
    if (patch.held_on) s.held_on = *patch.held_on;
    if (patch.topic) s.topic = *patch.topic;
    if (patch.form) s.form = *patch.form;
    if (patch.materials) s.materials = *patch.materials;
    if (patch.hours_x100) s.hours_x100 = *patch.hours_x100;
    if (patch.notes) s.notes = *patch.notes;
    if (patch.attendance) s.attendance = *patch.attendance;
    domain::DeriveCounts(s);                           // a kept roster decides the counts ...
    if (patch.expected) s.expected = *patch.expected;  // ... and counts sent must agree with it
    if (patch.present) s.present = *patch.present;
    s.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateStudySession(s));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateStudySession(s));  // re-checks the version inside the transaction
        auto ev = MakeEvent(actor, "study_session", id, "update", domain::ToJson(before), domain::ToJson(s));
        ev.org_id = s.org_id;
        return tx.AppendEvent(ev);
    }));
    return s;
}

Status Service::DeleteStudySession(const Actor& actor, domain::StudySessionId id, std::optional<std::int64_t> version) {
    ASSIGN_OR_RETURN(domain::StudySession before, GetStudySession(actor, id));
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kStudyWriters, before.org_id, "deleting a study session"));
    RETURN_IF_ERROR(detail::CheckVersion("study session", id, version, before.version));
    return store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.DeleteStudySession(id, before.version));
        auto ev = MakeEvent(actor, "study_session", id, "delete", domain::ToJson(before), std::nullopt);
        ev.org_id = before.org_id;
        return tx.AppendEvent(ev);
    });
}

Result<Page<domain::StudySession>> Service::ListStudySessions(const Actor& actor, domain::OrgId org_id,
                                                              const std::optional<std::string>& from,
                                                              const std::optional<std::string>& to,
                                                              std::optional<domain::StudyForm> form,
                                                              const std::optional<std::string>& cursor, int limit) {
    RETURN_IF_ERROR(CheckLimit(limit));
    RETURN_IF_ERROR(CheckRange(from, to));
    store::StudyListFilter f;
    ASSIGN_OR_RETURN(f.subtree_paths, ScopePaths(actor, org_id));
    f.from = from;
    f.to = to;
    f.form = form;
    if (cursor) {
        ASSIGN_OR_RETURN(f.before, ParseDateCursor(*cursor));
    }
    f.limit = limit + 1;
    ASSIGN_OR_RETURN(auto items, store_->ListStudySessions(f));
    return DatePage(std::move(items), limit, [](const domain::StudySession& s) { return s.held_on; });
}

// ---- research visits ----

Result<ResearchVisitDetail> Service::CreateResearchVisit(const Actor& actor, const ResearchVisitDraft& draft) {
    if (!InScope(actor, draft.org_id)) return NotFound("org " + Id(draft.org_id) + " does not exist");
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kStudyWriters, draft.org_id, "recording a research visit"));
    if (draft.visited_org_id && !InScope(actor, *draft.visited_org_id)) {
        return NotFound("visited_org_id: org " + Id(*draft.visited_org_id) + " does not exist");
    }
    domain::ResearchVisit v;
    v.org_id = draft.org_id;
    v.visitors = draft.visitors;
    v.visited_org_id = draft.visited_org_id;
    v.place = draft.place;
    v.visited_on = draft.visited_on;
    v.met = draft.met;
    v.summary = draft.summary;
    v.created_at = v.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateResearchVisit(v));
    ASSIGN_OR_RETURN(auto opinions, VisitOpinions(actor, v, draft.opinions));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertResearchVisit(v));
        auto ev = MakeEvent(actor, "research_visit", v.id, "create", std::nullopt, domain::ToJson(v));
        ev.org_id = v.org_id;
        RETURN_IF_ERROR(tx.AppendEvent(ev));
        return StoreVisitOpinions(actor, tx, v, opinions);
    }));
    return GetResearchVisit(actor, v.id);
}

Result<std::vector<domain::Opinion>> Service::VisitOpinions(const Actor& actor, const domain::ResearchVisit& v,
                                                            const std::vector<VisitOpinionDraft>& drafts) const {
    if (drafts.size() > kMaxOpinionsPerVisitCall) {
        return InvalidArgument("opinions: at most " + std::to_string(kMaxOpinionsPerVisitCall) + " at a time");
    }
    std::vector<domain::Opinion> out;
    for (std::size_t i = 0; i < drafts.size(); ++i) {
        const VisitOpinionDraft& d = drafts[i];
        const std::string at = "opinions[" + std::to_string(i) + "].";
        RETURN_IF_ERROR(Prefixed(domain::CheckRequiredText("text", d.text, domain::kMaxTextChars), at));
        OpinionDraft o;
        o.channel = domain::OpinionChannel::kResearchVisit;
        o.kind = d.kind;
        o.title = d.title.value_or(TitleOf(std::string(TrimAscii(d.text)), kDefaultTitleChars));
        o.text = d.text;
        o.org_id = d.org_id.value_or(v.org_id);
        o.division_code = d.division_code;
        o.submitter = d.submitter;
        o.category_id = d.category_id;
        o.sla_class = d.sla_class;
        auto opinion = NewOpinion(actor, o);
        if (!opinion.ok()) return Prefixed(opinion.status(), at);
        out.push_back(std::move(opinion).value());
    }
    return out;
}

Status Service::StoreVisitOpinions(const Actor& actor, store::WriteTx& tx, const domain::ResearchVisit& v,
                                   std::vector<domain::Opinion>& opinions) {
    for (auto& o : opinions) {
        RETURN_IF_ERROR(tx.InsertOpinion(o));
        auto oe = MakeEvent(actor, "opinion", o.id, "create", std::nullopt, domain::ToJson(o));
        RETURN_IF_ERROR(tx.AppendEvent(oe));
        RETURN_IF_ERROR(tx.LinkVisitOpinion(v.id, o.id));
        auto le = MakeEvent(actor, "research_visit", v.id, "add_opinion", std::nullopt,
                            nlohmann::json{{"opinion_id", o.id}, {"org_id", v.org_id}});
        le.org_id = v.org_id;
        RETURN_IF_ERROR(tx.AppendEvent(le));
    }
    return Status::Ok();
}

Result<ResearchVisitDetail> Service::GetResearchVisit(const Actor& actor, domain::ResearchVisitId id) {
    auto v = store_->GetResearchVisit(id);
    if (!v.ok() || !InScope(actor, v->org_id)) {
        if (!v.ok() && v.status().code() != StatusCode::kNotFound) return v.status();
        return NotFound("research visit " + Id(id) + " does not exist");
    }
    ResearchVisitDetail d;
    d.visit = std::move(v).value();
    ASSIGN_OR_RETURN(d.org, store_->GetOrg(d.visit.org_id));
    if (d.visit.visited_org_id && InScope(actor, *d.visit.visited_org_id)) {
        ASSIGN_OR_RETURN(domain::Org visited, store_->GetOrg(*d.visit.visited_org_id));
        d.visited_org = std::move(visited);
    }
    ASSIGN_OR_RETURN(auto opinions, store_->ListVisitOpinions(id));
    for (auto& o : opinions) {
        VisitOpinion vo;
        if (o.problem_id) {
            auto p = store_->GetProblem(*o.problem_id);
            if (p.ok() && InScope(actor, p->owner_org_id)) vo.problem = std::move(p).value();
        }
        vo.opinion = std::move(o);
        d.opinions.push_back(std::move(vo));
    }
    return d;
}

Result<ResearchVisitDetail> Service::AddVisitOpinions(const Actor& actor, domain::ResearchVisitId id,
                                                      const std::vector<VisitOpinionDraft>& drafts) {
    ASSIGN_OR_RETURN(ResearchVisitDetail d, GetResearchVisit(actor, id));
    RETURN_IF_ERROR(
        detail::AuthorizeRoles(*this, actor, kStudyWriters, d.visit.org_id, "adding opinions to a research visit"));
    if (drafts.empty()) return InvalidArgument("opinions: at least one opinion");
    ASSIGN_OR_RETURN(auto opinions, VisitOpinions(actor, d.visit, drafts));
    RETURN_IF_ERROR(
        store_->Write([&](store::WriteTx& tx) -> Status { return StoreVisitOpinions(actor, tx, d.visit, opinions); }));
    return GetResearchVisit(actor, id);
}

Result<Page<domain::ResearchVisit>> Service::ListResearchVisits(const Actor& actor, domain::OrgId org_id,
                                                                const std::optional<std::string>& from,
                                                                const std::optional<std::string>& to,
                                                                const std::optional<std::string>& cursor, int limit) {
    RETURN_IF_ERROR(CheckLimit(limit));
    RETURN_IF_ERROR(CheckRange(from, to));
    store::StudyListFilter f;
    ASSIGN_OR_RETURN(f.subtree_paths, ScopePaths(actor, org_id));
    f.from = from;
    f.to = to;
    if (cursor) {
        ASSIGN_OR_RETURN(f.before, ParseDateCursor(*cursor));
    }
    f.limit = limit + 1;
    ASSIGN_OR_RETURN(auto items, store_->ListResearchVisits(f));
    return DatePage(std::move(items), limit, [](const domain::ResearchVisit& v) { return v.visited_on; });
}

// ---- figures and the supervisor's queue ----

Result<StudyStats> Service::GetStudyStats(const Actor& actor, domain::OrgId org_id,
                                          const std::optional<std::string>& from,
                                          const std::optional<std::string>& to) {
    StudyStats out;
    ASSIGN_OR_RETURN(out.org, GetOrgInScope(actor, org_id));
    RETURN_IF_ERROR(CheckRange(from, to));
    out.from = from;
    out.to = to;
    ASSIGN_OR_RETURN(store::StudyFiguresRows rows, store_->StudyFigures(out.org.path, from, to));
    const std::string& root = out.org.path;
    // The child of the asked org whose subtree holds `path`; nullopt for the org itself.
    auto child_of = [&root](const std::string& path) -> std::optional<domain::OrgId> {
        if (path.size() <= root.size()) return std::nullopt;
        const std::string rest = path.substr(root.size());
        return static_cast<domain::OrgId>(std::stoll(rest.substr(0, rest.find('/'))));
    };
    store::StudyOrgCounts total, own;
    std::map<domain::OrgId, store::StudyOrgCounts> by_child;
    for (const auto& c : rows.by_org) {
        Add(total, c);
        if (auto child = child_of(c.path)) {
            Add(by_child[*child], c);
        } else {
            Add(own, c);
        }
    }
    std::set<domain::ProblemId> all, own_problems;
    std::map<domain::OrgId, std::set<domain::ProblemId>> child_problems;
    for (const auto& [path, problem] : rows.visit_problems) {
        all.insert(problem);
        if (auto child = child_of(path)) {
            child_problems[*child].insert(problem);
        } else {
            own_problems.insert(problem);
        }
    }
    out.total = FiguresOf(total, static_cast<std::int64_t>(all.size()));
    out.own = FiguresOf(own, static_cast<std::int64_t>(own_problems.size()));
    ASSIGN_OR_RETURN(auto kids, store_->ListChildren(out.org.id));  // one query, however many children
    for (auto& child : kids) {
        const domain::OrgId id = child.id;
        out.children.emplace_back(std::move(child),
                                  FiguresOf(by_child[id], static_cast<std::int64_t>(child_problems[id].size())));
    }
    std::sort(out.children.begin(), out.children.end(),
              [](const auto& a, const auto& b) { return a.first.id < b.first.id; });
    return out;
}

Result<InactiveStudyPage> Service::ListInactiveStudyOrgs(const Actor& actor, const InactiveStudyQuery& query,
                                                         UnixSeconds now) {
    ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, query.org_id));
    if (query.weeks < 1 || query.weeks > 104) return InvalidArgument("weeks: must be between 1 and 104");
    RETURN_IF_ERROR(CheckLimit(query.limit));
    if (query.offset < 0) return InvalidArgument("offset: must not be negative");
    InactiveStudyPage out;
    out.weeks = query.weeks;
    out.cutoff = FormatIso(now - static_cast<UnixSeconds>(query.weeks) * 7 * 86400).substr(0, 10);
    store::InactiveStudyFilter f;
    f.subtree_path = org.path;
    f.level = query.level;
    f.kind = query.kind;
    f.cutoff = out.cutoff;
    f.offset = query.offset;
    f.limit = query.limit;
    ASSIGN_OR_RETURN(out.items, store_->ListInactiveStudyOrgs(f));
    ASSIGN_OR_RETURN(out.total, store_->CountInactiveStudyOrgs(f));
    return out;
}

// ---- JSON forms (declared in service/json.hpp) ----

nlohmann::json ToJson(const ResearchVisitDetail& d) {
    nlohmann::json j = domain::ToJson(d.visit);
    j["org"] = domain::ToJson(d.org);
    j["visited_org"] = d.visited_org ? domain::ToJson(*d.visited_org) : nlohmann::json(nullptr);
    nlohmann::json opinions = nlohmann::json::array();
    for (const auto& vo : d.opinions) {
        nlohmann::json o = domain::ToJson(vo.opinion);
        o["problem"] = vo.problem ? nlohmann::json{{"id", vo.problem->id},
                                                   {"title", vo.problem->title},
                                                   {"status", domain::ToString(vo.problem->status)},
                                                   {"owner_org_id", vo.problem->owner_org_id}}
                                  : nlohmann::json(nullptr);
        opinions.push_back(std::move(o));
    }
    j["opinions"] = std::move(opinions);
    return j;
}

nlohmann::json ToJson(const StudyFigures& f) {
    return {
        {"sessions", f.sessions},
        {"hours", static_cast<double>(f.hours_x100) / 100.0},
        {"participation", ToJson(f.participation)},
        {"visits", f.visits},
        {"opinions", f.opinions},
        {"opinions_per_visit", f.opinions_per_visit ? nlohmann::json(*f.opinions_per_visit) : nlohmann::json(nullptr)},
        {"problems", f.problems}};
}

nlohmann::json ToJson(const StudyStats& s) {
    nlohmann::json children = nlohmann::json::array();
    for (const auto& [org, figures] : s.children) {
        nlohmann::json c = ToJson(figures);
        c["org"] = domain::ToJson(org);
        children.push_back(std::move(c));
    }
    return {{"org", domain::ToJson(s.org)},
            {"from", s.from ? nlohmann::json(*s.from) : nlohmann::json(nullptr)},
            {"to", s.to ? nlohmann::json(*s.to) : nlohmann::json(nullptr)},
            {"total", ToJson(s.total)},
            {"own", ToJson(s.own)},
            {"children", std::move(children)}};
}

nlohmann::json ToJson(const InactiveStudyPage& p) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& row : p.items) {
        nlohmann::json missing = nlohmann::json::array();
        if (!row.last_study_on || *row.last_study_on < p.cutoff) missing.push_back("study");
        if (!row.last_visit_on || *row.last_visit_on < p.cutoff) missing.push_back("research");
        items.push_back(
            {{"org", domain::ToJson(row.org)},
             {"last_study_on", row.last_study_on ? nlohmann::json(*row.last_study_on) : nlohmann::json(nullptr)},
             {"last_visit_on", row.last_visit_on ? nlohmann::json(*row.last_visit_on) : nlohmann::json(nullptr)},
             {"missing", std::move(missing)}});
    }
    return {{"weeks", p.weeks}, {"cutoff", p.cutoff}, {"total", p.total}, {"items", std::move(items)}};
}

}  // namespace rectify::service
