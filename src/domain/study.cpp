#include "domain/study.hpp"

#include <cmath>
#include <set>

#include "common/text.hpp"
#include "domain/campaign.hpp"

namespace rectify::domain {
namespace {

// 250 -> 2.5 (exact for hundredths).
double Hours(std::int64_t hours_x100) { return static_cast<double>(hours_x100) / 100.0; }

}  // namespace

Result<std::int64_t> HoursToHundredths(double hours) {
    if (!std::isfinite(hours) || hours <= 0 || hours > 24) {
        return InvalidArgument("hours: expected more than 0 and at most 24 (hours of one session)");
    }
    const double scaled = hours * 100.0;
    const double rounded = std::round(scaled);
    if (std::fabs(scaled - rounded) > 1e-6) return InvalidArgument("hours: at most two decimals (0.01 h)");
    return static_cast<std::int64_t>(rounded);
}

void DeriveCounts(StudySession& s) {
    if (s.attendance.empty()) return;
    s.expected = static_cast<std::int64_t>(s.attendance.size());
    s.present = 0;
    for (const auto& a : s.attendance) s.present += a.present ? 1 : 0;
}

Status ValidateStudySession(const StudySession& s) {
    if (s.org_id <= 0) return InvalidArgument("org_id: required");
    RETURN_IF_ERROR(CheckCalendarDate("held_on", s.held_on));
    RETURN_IF_ERROR(CheckTextField("topic", s.topic, kMaxTitleChars, true));
    RETURN_IF_ERROR(CheckTextField("materials", s.materials, kMaxTextChars, false));
    RETURN_IF_ERROR(CheckTextField("notes", s.notes, kMaxTextChars, false));
    if (s.hours_x100 <= 0 || s.hours_x100 > kMaxStudyHoursX100) {
        return InvalidArgument("hours: expected more than 0 and at most 24 (hours of one session)");
    }
    if (s.expected < 0) return InvalidArgument("expected: must not be negative");
    if (s.present < 0) return InvalidArgument("present: must not be negative");
    if (s.present > s.expected) {
        return InvalidArgument("present: " + std::to_string(s.present) + " is more than expected " +
                               std::to_string(s.expected));
    }
    if (s.attendance.size() > kMaxAttendance) {
        return InvalidArgument("attendance: at most " + std::to_string(kMaxAttendance) + " names");
    }
    if (!s.attendance.empty()) {
        std::set<std::string> names;
        std::int64_t present = 0;
        for (std::size_t i = 0; i < s.attendance.size(); ++i) {
            const std::string at = "attendance[" + std::to_string(i) + "].name";
            RETURN_IF_ERROR(CheckTextField(at, s.attendance[i].name, kMaxNameChars, true));
            if (!names.insert(std::string(TrimAscii(s.attendance[i].name))).second) {
                return InvalidArgument(at + ": \"" + s.attendance[i].name + "\" is listed twice");
            }
            present += s.attendance[i].present ? 1 : 0;
        }
        const auto size = static_cast<std::int64_t>(s.attendance.size());
        if (s.expected != size) {
            return InvalidArgument("expected: " + std::to_string(s.expected) +
                                   " does not agree with the attendance list (" + std::to_string(size) + " names)");
        }
        if (s.present != present) {
            return InvalidArgument("present: " + std::to_string(s.present) +
                                   " does not agree with the attendance list (" + std::to_string(present) +
                                   " marked present)");
        }
    }
    return Status::Ok();
}

Status ValidateResearchVisit(const ResearchVisit& v) {
    if (v.org_id <= 0) return InvalidArgument("org_id: required");
    if (v.visitors.empty()) return InvalidArgument("visitors: at least one name (who went)");
    if (v.visitors.size() > kMaxVisitors) {
        return InvalidArgument("visitors: at most " + std::to_string(kMaxVisitors) + " names");
    }
    for (std::size_t i = 0; i < v.visitors.size(); ++i) {
        RETURN_IF_ERROR(CheckTextField("visitors[" + std::to_string(i) + "]", v.visitors[i], kMaxNameChars, true));
    }
    RETURN_IF_ERROR(CheckTextField("place", v.place, kMaxTitleChars, false));
    if (!v.visited_org_id && TrimAscii(v.place).empty()) {
        return InvalidArgument("place: give visited_org_id or place (where the visit went)");
    }
    if (v.visited_org_id && *v.visited_org_id <= 0) return InvalidArgument("visited_org_id: not an org id");
    RETURN_IF_ERROR(CheckCalendarDate("visited_on", v.visited_on));
    RETURN_IF_ERROR(CheckTextField("met", v.met, kMaxTextChars, false));
    RETURN_IF_ERROR(CheckTextField("summary", v.summary, kMaxTextChars, false));
    return Status::Ok();
}

nlohmann::json ToJson(const StudySession& s) {
    nlohmann::json attendance = nlohmann::json::array();
    for (const auto& a : s.attendance) attendance.push_back({{"name", a.name}, {"present", a.present}});
    return {{"id", s.id},
            {"org_id", s.org_id},
            {"held_on", s.held_on},
            {"topic", s.topic},
            {"form", ToString(s.form)},
            {"materials", s.materials},
            {"hours", Hours(s.hours_x100)},
            {"expected", s.expected},
            {"present", s.present},
            {"participation",
             s.expected > 0 ? nlohmann::json(static_cast<double>(s.present) / s.expected) : nlohmann::json(nullptr)},
            {"attendance", std::move(attendance)},
            {"notes", s.notes},
            {"created_at", FormatIso(s.created_at)},
            {"updated_at", FormatIso(s.updated_at)},
            {"version", s.version}};
}

nlohmann::json ToJson(const ResearchVisit& v) {
    return {{"id", v.id},
            {"org_id", v.org_id},
            {"visitors", v.visitors},
            {"visited_org_id", v.visited_org_id ? nlohmann::json(*v.visited_org_id) : nlohmann::json(nullptr)},
            {"place", v.place},
            {"visited_on", v.visited_on},
            {"met", v.met},
            {"summary", v.summary},
            {"created_at", FormatIso(v.created_at)},
            {"updated_at", FormatIso(v.updated_at)},
            {"version", v.version}};
}

}  // namespace rectify::domain
