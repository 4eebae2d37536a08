// Study sessions (学习教育) and research visits (调查研究) of a campaign's first two strands (issue 12,
// docs/STUDY.md): the records, their checks and JSON forms. No I/O: the service validates with these
// before the store writes. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"

namespace rectify::domain {

using StudySessionId = std::int64_t;
using ResearchVisitId = std::int64_t;

// How a study session was held (学习形式).
enum class StudyForm {
    kCollectiveStudy,  // 集中学习
    kPartyLecture,     // 专题党课
    kSelfStudy,        // 自学
    kSiteVisit,        // 现场教学 / 参观
    kOther,
};
template <>
struct EnumNames<StudyForm> {
    static constexpr std::string_view kWhat = "study form";
    static constexpr std::array<std::pair<StudyForm, std::string_view>, 5> kNames{{
        {StudyForm::kCollectiveStudy, "collective_study"},
        {StudyForm::kPartyLecture, "party_lecture"},
        {StudyForm::kSelfStudy, "self_study"},
        {StudyForm::kSiteVisit, "site_visit"},
        {StudyForm::kOther, "other"},
    }};
};

// One name of a session's roster and whether the person was there.
struct AttendanceEntry {
    std::string name;  // 1..200 characters, unique within the session
    bool present = false;
};

// A study session held by `org_id` (a party branch, a leadership group 领导班子 or a unit). `hours_x100` is
// the length in hundredths of an hour (250 = 2.5 h; the API speaks decimal hours). `expected` members were
// to attend and `present` did; when `attendance` is non-empty the counts are the roster's (expected = its
// size, present = those marked present): DeriveCounts sets them and ValidateStudySession checks they agree.
struct StudySession {
    StudySessionId id = 0;
    OrgId org_id = 0;
    std::string held_on;  // calendar date "YYYY-MM-DD"
    std::string topic;    // 1..500 characters
    StudyForm form = StudyForm::kCollectiveStudy;
    std::string materials;  // 0..20,000 characters
    std::int64_t hours_x100 = 0;
    std::int64_t expected = 0;
    std::int64_t present = 0;
    std::vector<AttendanceEntry> attendance;  // empty: counts only (no roster kept)
    std::string notes;                        // 0..20,000 characters
    UnixSeconds created_at = 0;
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
};

// A research visit (调研) recorded by `org_id` (the org whose people went). Where: `visited_org_id` (an
// org in the recorder's scope) and/or `place` (free text); at least one. The opinions heard are opinions of
// channel research_visit linked to the visit (store: research_visit_opinion).
struct ResearchVisit {
    ResearchVisitId id = 0;
    OrgId org_id = 0;
    std::vector<std::string> visitors;  // who went: 1..50 names of 1..200 characters
    std::optional<OrgId> visited_org_id;
    std::string place;       // 0..500 characters
    std::string visited_on;  // calendar date "YYYY-MM-DD"
    std::string met;         // whom they met (free text), 0..20,000 characters
    std::string summary;     // what they heard, 0..20,000 characters
    UnixSeconds created_at = 0;
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
};

inline constexpr std::size_t kMaxAttendance = 2000;
inline constexpr std::size_t kMaxVisitors = 50;
inline constexpr std::int64_t kMaxStudyHoursX100 = 2400;  // 24 hours: a session is held within a day

// Converts decimal hours (from JSON) to hundredths. Errors: kInvalidArgument "hours: ..." when not
// 0 < hours <= 24 or finer than 0.01 h.
Result<std::int64_t> HoursToHundredths(double hours);

// Sets expected and present from a non-empty attendance list (no-op when it is empty).
void DeriveCounts(StudySession& session);

// Checks a session before it is stored. Errors: kInvalidArgument naming the field as a JSON path:
// "held_on: \"2023-02-30\" is not a date YYYY-MM-DD", "topic: must not be empty", "hours: ...",
// "present: 12 is more than expected 10", "attendance[3].name: \"王芳\" is listed twice",
// "expected: 9 does not agree with the attendance list (10 names)".
Status ValidateStudySession(const StudySession& session);

// Checks a visit. Errors: kInvalidArgument naming the field: "visitors: at least one name",
// "visitors[1]: must not be empty", "place: give visited_org_id or place", "visited_on: ...".
Status ValidateResearchVisit(const ResearchVisit& visit);

// JSON forms. StudySession {"id", "org_id", "held_on", "topic", "form", "materials", "hours" (decimal),
// "expected", "present", "participation": present/expected|null, "attendance": [{"name", "present"}],
// "notes", "created_at", "updated_at", "version"}; ResearchVisit {"id", "org_id", "visitors": [..],
// "visited_org_id"|null, "place", "visited_on", "met", "summary", "created_at", "updated_at", "version"}.
nlohmann::json ToJson(const StudySession& session);
nlohmann::json ToJson(const ResearchVisit& visit);

}  // namespace rectify::domain
