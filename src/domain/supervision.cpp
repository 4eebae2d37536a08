#include "domain/supervision.hpp"

#include <algorithm>
#include <tuple>

#include "common/csv.hpp"

namespace rectify::domain {

namespace detail {
extern const char* const kBuiltInCalendarCsv;  // generated from data/calendar/cn_public_holidays.csv
}

// Days from civil and back: the algorithms of H. Hinnant, "chrono-Compatible Low-Level Date
// Algorithms" (days_from_civil, civil_from_days), proleptic Gregorian calendar.
std::int64_t DayNumberOf(int year, int month, int day) {
    const std::int64_t y = year - (month <= 2 ? 1 : 0);
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (month + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

CivilDate CivilOf(std::int64_t z) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    const int y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
    return {y, m, d};
}

int Weekday(std::int64_t day) {
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    return static_cast<int>(((day % 7) + 7 + 3) % 7);
}

namespace {

Result<std::int64_t> ParseDate(std::string_view s) {
    auto digits = [&](std::size_t from, std::size_t n, int& out) {
        out = 0;
        for (std::size_t i = from; i < from + n; ++i) {
            if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
            out = out * 10 + (s[i] - '0');
        }
        return true;
    };
    int y = 0, m = 0, d = 0;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d) ||
        m < 1 || m > 12 || d < 1 || d > 31) {
        return InvalidArgument("not a date YYYY-MM-DD: \"" + std::string(s) + "\"");
    }
    const std::int64_t n = DayNumberOf(y, m, d);
    const CivilDate back = CivilOf(n);
    if (back.month != m || back.day != d) return InvalidArgument("no such date: \"" + std::string(s) + "\"");
    return n;
}

}  // namespace

Result<WorkCalendar> WorkCalendar::FromCsv(std::string_view csv_text) {
    auto table = ParseCsv(csv_text);
    if (!table.ok()) return InvalidArgument("calendar: " + table.status().message());
    const auto date_col = table->Column("date");
    const auto kind_col = table->Column("kind");
    const auto name_col = table->Column("name");
    if (!date_col || !kind_col) return InvalidArgument("calendar: the header must name the columns date and kind");
    WorkCalendar c;
    for (std::size_t i = 0; i < table->rows.size(); ++i) {
        const auto& r = table->rows[i];
        const std::string where = "calendar row " + std::to_string(i + 1);
        auto cell = [&](std::optional<std::size_t> col) { return col && *col < r.size() ? r[*col] : std::string(); };
        const std::string date = cell(date_col), kind = cell(kind_col);
        auto day = ParseDate(date);
        if (!day.ok()) return InvalidArgument(where + " column date: " + day.status().message());
        if (c.holidays_.count(*day) || c.workdays_.count(*day)) {
            return InvalidArgument(where + " column date: " + date + " is listed twice");
        }
        if (kind == "holiday") {
            c.holidays_.insert(*day);
            c.names_.emplace_back(*day, cell(name_col));
        } else if (kind == "workday") {
            if (Weekday(*day) < 5) {
                return InvalidArgument(where + " column kind: " + date +
                                       " is a weekday; a make-up working day (workday) must be a Saturday or Sunday");
            }
            c.workdays_.insert(*day);
        } else {
            return InvalidArgument(where + " column kind: \"" + kind + "\" is neither holiday nor workday");
        }
        const int y = CivilOf(*day).year;
        c.first_year_ = c.first_year_ == 0 ? y : std::min(c.first_year_, y);
        c.last_year_ = std::max(c.last_year_, y);
    }
    std::sort(c.names_.begin(), c.names_.end());
    return c;
}

const WorkCalendar& WorkCalendar::BuiltIn() {
    static const WorkCalendar calendar = [] {
        auto c = FromCsv(detail::kBuiltInCalendarCsv);
        // The file is checked by the domain tests; a broken one must not ship silently.
        if (!c.ok()) std::abort();
        return *std::move(c);
    }();
    return calendar;
}

bool WorkCalendar::IsWorkingDay(std::int64_t day) const {
    if (holidays_.count(day)) return false;
    if (workdays_.count(day)) return true;
    return Weekday(day) < 5;
}

std::string WorkCalendar::HolidayName(std::int64_t day) const {
    auto it = std::lower_bound(names_.begin(), names_.end(), std::make_pair(day, std::string()));
    return it != names_.end() && it->first == day ? it->second : std::string();
}

std::int64_t WorkCalendar::AddWorkingDays(std::int64_t day, int n) const {
    while (!IsWorkingDay(day)) ++day;
    for (int i = 0; i < n; ++i) {
        ++day;
        while (!IsWorkingDay(day)) ++day;
    }
    return day;
}

std::int64_t WorkCalendar::WorkingDaysBetween(std::int64_t from, std::int64_t to) const {
    std::int64_t n = 0;
    // Whole weeks hold 5 working days unless a listed day falls in them; the loop is short for the
    // spans supervision asks about (deadlines weeks or months away), so count day by day.
    for (std::int64_t d = from + 1; d <= to; ++d) n += IsWorkingDay(d) ? 1 : 0;
    return n;
}

std::pair<int, int> WorkCalendar::CoveredYears() const { return {first_year_, last_year_}; }

// ---- warnings ----

bool DeadlineRuns(TaskStatus s) {
    return s == TaskStatus::kPending || s == TaskStatus::kInProgress || s == TaskStatus::kReturned;
}

UnixSeconds EndOfLocalDay(std::int64_t day) {
    const CivilDate next = CivilOf(day + 1);
    return FromLocal(next.year, next.month, next.day, 0, 0, 0);
}

UnixSeconds DueSoonLimit(UnixSeconds now, const WorkCalendar& calendar, int working_days) {
    return EndOfLocalDay(calendar.AddWorkingDays(LocalDayNumber(now), working_days));
}

TaskWarning WarningOf(const Task& task, std::optional<UnixSeconds> last_report_at, UnixSeconds now,
                      const WorkCalendar& calendar, const WarningPolicy& policy) {
    TaskWarning w;
    w.last_activity_at = std::max({task.created_at, task.returned_at.value_or(0), last_report_at.value_or(0)});
    if (!DeadlineRuns(task.status)) return w;
    w.stalled = now - w.last_activity_at >= static_cast<std::int64_t>(policy.stalled_days) * kSecondsPerDay;
    if (!task.due_at) return w;
    const std::int64_t today = LocalDayNumber(now);
    const std::int64_t due_day = LocalDayNumber(*task.due_at);
    if (now > *task.due_at) {
        w.level = WarningLevel::kRed;
        w.working_days = calendar.WorkingDaysBetween(due_day, today);
    } else if (*task.due_at < DueSoonLimit(now, calendar, policy.due_soon_working_days)) {
        w.level = WarningLevel::kYellow;
        w.working_days = calendar.WorkingDaysBetween(today, due_day);
    }
    return w;
}

// ---- the ladder ----

std::optional<SupervisionKind> DueLadderStep(const Task& task, std::optional<UnixSeconds> urged_at, bool supervised,
                                             UnixSeconds now, const WorkCalendar& calendar,
                                             const LadderPolicy& policy) {
    if (!DeadlineRuns(task.status) || !task.due_at) return std::nullopt;
    if (!urged_at) {
        if (!policy.auto_urge) return std::nullopt;
        const bool due = policy.urge_after_working_days <= 0
                             ? now > *task.due_at
                             : now >= EndOfLocalDay(calendar.AddWorkingDays(LocalDayNumber(*task.due_at),
                                                                            policy.urge_after_working_days));
        return due ? std::optional(SupervisionKind::kUrge) : std::nullopt;
    }
    if (supervised || !policy.auto_supervise) return std::nullopt;
    const UnixSeconds at = EndOfLocalDay(
        calendar.AddWorkingDays(LocalDayNumber(*urged_at), std::max(0, policy.supervise_after_working_days)));
    return now >= at ? std::optional(SupervisionKind::kSupervise) : std::nullopt;
}

std::string SupervisionNumber(int year, std::int64_t n) {
    return "督办〔" + std::to_string(year) + "〕" + std::to_string(n) + "号";
}

// ---- bulletins ----

void RankBulletin(std::vector<BulletinRow>& rows, std::int64_t min_sample) {
    auto rate = [](std::int64_t num, std::int64_t den) { return den > 0 ? static_cast<double>(num) / den : 0.0; };
    auto key = [&](const BulletinRow& r) {
        // Larger is better for the first two; fewer overdue is better.
        return std::make_tuple(-rate(r.closed, r.problems), -rate(r.closed_on_time, r.closed_with_deadline), r.overdue);
    };
    std::stable_sort(rows.begin(), rows.end(), [&](const BulletinRow& a, const BulletinRow& b) {
        const bool ra = a.problems >= min_sample, rb = b.problems >= min_sample;
        if (ra != rb) return ra;
        if (!ra) return a.org_id < b.org_id;
        const auto ka = key(a), kb = key(b);
        if (ka != kb) return ka < kb;
        return a.org_id < b.org_id;
    });
    for (std::size_t i = 0; i < rows.size(); ++i) {
        auto& r = rows[i];
        if (r.problems < min_sample) {
            r.rank.reset();
            continue;
        }
        r.rank = (i > 0 && rows[i - 1].rank && key(rows[i - 1]) == key(r)) ? rows[i - 1].rank
                                                                              : std::optional<int>(static_cast<int>(i) + 1);
    }
}

}  // namespace rectify::domain
