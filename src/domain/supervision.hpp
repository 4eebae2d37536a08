// Supervision (督促指导, issue 8): the working-day calendar, task warnings (预警), the escalation ladder
// urge → supervise → interview (催办 → 督办 → 约谈) and the records it leaves. Pure functions, no I/O;
// src/service stores and schedules; docs/SUPERVISION.md explains the rules with worked examples.
//
// Days here are calendar dates in the display zone (common/time.hpp), as day numbers (1970-01-01 is
// day 0). Instants are UTC seconds. Everything is thread-safe; a WorkCalendar is immutable once built.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/enum_names.hpp"
#include "domain/workflow.hpp"

namespace rectify::domain {

// ---- the working-day calendar ----

// Which days are worked: Monday to Friday, except public holidays, plus the make-up working days
// (调休上班) that fall on weekends. The official mainland China calendar is published each year by the
// General Office of the State Council (国务院办公厅关于 YYYY 年部分节假日安排的通知); rectify ships
// 2024–2026 (data/calendar/cn_public_holidays.csv, built into the binary). Outside the years a calendar
// covers, only weekends are off — say so to users (CoveredYears) rather than guess.
class WorkCalendar {
public:
    // Monday to Friday, no holidays.
    WorkCalendar() = default;

    // From CSV text with the header `date,kind,name,notice`: date YYYY-MM-DD, kind `holiday` or
    // `workday` (a weekend day worked), name and notice free text. Errors: kInvalidArgument naming the
    // row (1-based data row) and column: a bad date, an unknown kind, a date listed twice, a `workday`
    // that is not a Saturday or Sunday.
    static Result<WorkCalendar> FromCsv(std::string_view csv_text);
    // The calendar built into the binary: data/calendar/cn_public_holidays.csv (2024–2026).
    static const WorkCalendar& BuiltIn();

    // True when the date (day number) is worked.
    bool IsWorkingDay(std::int64_t day) const;
    // The name of the holiday on `day` ("春节"), or "" when it is no listed holiday.
    std::string HolidayName(std::int64_t day) const;
    // The day `n` working days after `day` (n >= 0): n = 0 gives `day` itself when it is worked, else
    // the next working day; n = 1 the first working day after `day`, and so on.
    std::int64_t AddWorkingDays(std::int64_t day, int n) const;
    // The working days in (from, to]: how many working days pass after `from` until `to` (0 when to <=
    // from). WorkingDaysBetween(d, AddWorkingDays(d, n)) == n for n >= 1.
    std::int64_t WorkingDaysBetween(std::int64_t from, std::int64_t to) const;
    // First and last year with listed days (0, 0 for the plain weekday calendar).
    std::pair<int, int> CoveredYears() const;

private:
    std::set<std::int64_t> holidays_;
    std::set<std::int64_t> workdays_;
    std::vector<std::pair<std::int64_t, std::string>> names_;  // holidays by day, sorted
    int first_year_ = 0;
    int last_year_ = 0;
};

// Day number of a civil date (proleptic Gregorian), and back; pure arithmetic, no time zone.
std::int64_t DayNumberOf(int year, int month, int day);
struct CivilDate {
    int year = 1970, month = 1, day = 1;
};
CivilDate CivilOf(std::int64_t day);
// 0 = Monday ... 6 = Sunday.
int Weekday(std::int64_t day);

// ---- warnings (预警) ----

// When a task is warned. Working days come from the calendar; stalled counts calendar days.
struct WarningPolicy {
    int due_soon_working_days = 3;  // yellow: due by the end of the Nth working day from today (0..60)
    int stalled_days = 14;          // stalled: no progress report for this many days (1..365)
};

// yellow: due soon; red: overdue. `stalled` is independent of the colour.
enum class WarningLevel { kNone, kYellow, kRed };
template <>
struct EnumNames<WarningLevel> {
    static constexpr std::string_view kWhat = "warning level";
    static constexpr std::array<std::pair<WarningLevel, std::string_view>, 3> kNames{{
        {WarningLevel::kNone, "none"},
        {WarningLevel::kYellow, "yellow"},  // 黄色预警: 临期
        {WarningLevel::kRed, "red"},        // 红色预警: 逾期
    }};
};

struct TaskWarning {
    WarningLevel level = WarningLevel::kNone;
    bool stalled = false;
    // red: WorkingDaysBetween(deadline day, today) — working days past the deadline day (0 when it
    // passed today); yellow: WorkingDaysBetween(today, deadline day) — working days left (0: due today).
    std::optional<std::int64_t> working_days;
    UnixSeconds last_activity_at = 0;  // the newest of created, returned and the last report
};

// True for the task statuses whose deadline runs: pending, in progress, returned. A submitted task
// waits for the level above, an accepted or withdrawn one is done — none of them is ever warned.
bool DeadlineRuns(TaskStatus s);

// The start of the day after `day` in the display zone: the first instant that lies past the end of
// that day.
UnixSeconds EndOfLocalDay(std::int64_t day);

// The warning of `task` at instant `now`, from its status, deadline and last activity (`last_report_at`:
// the newest progress report's instant, if any). Red when now > due_at; yellow when now <= due_at <
// EndOfLocalDay(AddWorkingDays(today, policy.due_soon_working_days)); stalled when the last activity is
// at least policy.stalled_days * 86,400 s before now. A task whose deadline does not run gets no warning
// at all — a task accepted a minute ago is never overdue.
TaskWarning WarningOf(const Task& task, std::optional<UnixSeconds> last_report_at, UnixSeconds now,
                      const WorkCalendar& calendar, const WarningPolicy& policy);

// The instant before which a deadline is "due soon" at `now`: EndOfLocalDay(AddWorkingDays(today, n)).
UnixSeconds DueSoonLimit(UnixSeconds now, const WorkCalendar& calendar, int working_days);

// ---- the ladder (催办 → 督办 → 约谈) ----

enum class SupervisionKind { kUrge, kSupervise, kInterview };
template <>
struct EnumNames<SupervisionKind> {
    static constexpr std::string_view kWhat = "supervision kind";
    static constexpr std::array<std::pair<SupervisionKind, std::string_view>, 3> kNames{{
        {SupervisionKind::kUrge, "urge"},            // 催办: a notice to the responsible org and person
        {SupervisionKind::kSupervise, "supervise"},  // 督办: listed with a number, feedback date, frequency
        {SupervisionKind::kInterview, "interview"},  // 约谈: a meeting with the responsible official
    }};
};

using SupervisionStepId = std::int64_t;

// One step of the ladder on a task. Automatic steps carry the deadline that triggered them
// (`trigger_due_at`): one automatic step of each kind per task and deadline, so a step is never taken
// twice, and moving the deadline starts a new cycle.
struct SupervisionStep {
    SupervisionStepId id = 0;
    TaskId task_id = 0;
    ProblemId problem_id = 0;
    OrgId org_id = 0;  // the task's org (the responsible unit)
    SupervisionKind kind = SupervisionKind::kUrge;
    bool automatic = false;
    std::optional<UnixSeconds> trigger_due_at;
    std::string reason;
    // supervise: the supervision number (督办号) "督办〔2026〕12号", the date feedback is due and how
    // often feedback is expected afterwards (days).
    std::optional<std::string> number;
    std::optional<UnixSeconds> feedback_due_at;
    std::optional<int> feedback_every_days;
    // interview: whom, when, and the record.
    std::optional<std::string> official;
    std::optional<UnixSeconds> held_at;
    std::optional<std::string> notes;
    std::string actor;
    UnixSeconds at = 0;
};

// When the ladder climbs by itself. Defaults follow common 督办 practice: urge when the deadline passes,
// supervise 2 more working days later, feedback within 3 working days then weekly; interviews are only
// ever held by people.
struct LadderPolicy {
    bool auto_urge = true;
    int urge_after_working_days = 0;  // urge at EndOfLocalDay(AddWorkingDays(due day, N)) — 0: right at the deadline
    bool auto_supervise = true;
    int supervise_after_working_days = 2;  // after the automatic urge, counted from the urge's day
    int feedback_working_days = 3;         // supervise: feedback due this many working days after
    int feedback_every_days = 7;
};

// The automatic step due for `task` at `now`, given the automatic steps already taken for its current
// deadline (`urged_at`: the automatic urge's instant, if any; `supervised`: whether an automatic
// supervise exists). nullopt: nothing due. Only tasks whose deadline runs and that have a deadline.
// Rules: urge when now > due_at (urge_after_working_days 0) or now >= EndOfLocalDay(AddWorkingDays(due
// day, N)) for N > 0 — the unit had N more full working days; supervise when urged automatically and
// now >= EndOfLocalDay(AddWorkingDays(day of the urge, supervise_after_working_days)).
std::optional<SupervisionKind> DueLadderStep(const Task& task, std::optional<UnixSeconds> urged_at, bool supervised,
                                             UnixSeconds now, const WorkCalendar& calendar,
                                             const LadderPolicy& policy);

// The supervision number for the nth supervise step of `year`: "督办〔2026〕12号".
std::string SupervisionNumber(int year, std::int64_t n);

// ---- supervision teams (指导组 / 督导组) ----

using TeamId = std::int64_t;
using TeamAssignmentId = std::int64_t;

enum class TeamKind { kGuidance, kInspection };
template <>
struct EnumNames<TeamKind> {
    static constexpr std::string_view kWhat = "team kind";
    static constexpr std::array<std::pair<TeamKind, std::string_view>, 2> kNames{{
        {TeamKind::kGuidance, "guidance"},      // 指导组
        {TeamKind::kInspection, "inspection"},  // 督导组
    }};
};

struct TeamMember {
    std::int64_t user_id = 0;
    std::string added_by;
    UnixSeconds added_at = 0;
};

// A team's assignment to the subtree of org_id; active while ended_at is empty.
struct TeamAssignment {
    TeamAssignmentId id = 0;
    OrgId org_id = 0;
    std::string assigned_by;
    UnixSeconds assigned_at = 0;
    std::optional<std::string> ended_by;
    std::optional<UnixSeconds> ended_at;
};

// A supervision team formed by org_id (whose org admins manage it) for a campaign.
struct SupervisionTeam {
    TeamId id = 0;
    OrgId org_id = 0;
    std::string name;
    TeamKind kind = TeamKind::kGuidance;
    std::optional<std::string> campaign;
    std::string created_by;
    UnixSeconds created_at = 0;
    std::int64_t version = 1;
    std::vector<TeamMember> members;          // by user id
    std::vector<TeamAssignment> assignments;  // oldest first
};

// The roles a member of a team with an active assignment over an org holds over that org's subtree:
// what a supervision team does (see everything, verify and return tasks as the level above, act on the
// ladder). Source: issue 8 "Supervision teams".
inline constexpr std::array<Role, 2> kTeamMemberRoles{Role::kSupervisor, Role::kVerifier};

// ---- bulletins (通报) ----

// One child org's line of a bulletin. Rates carry numerator and denominator.
struct BulletinRow {
    OrgId org_id = 0;
    std::string org_name;
    std::int64_t problems = 0;           // created in the period in the child's subtree (not invalid/merged)
    std::int64_t closed = 0;
    std::int64_t closed_on_time = 0;     // closed at or before the deadline
    std::int64_t closed_with_deadline = 0;
    std::int64_t overdue = 0;            // open and past the deadline at the bulletin's instant
    std::int64_t rated = 0;              // opinions rated in the period
    std::int64_t satisfied = 0;          // rated 满意 (satisfied)
    std::int64_t basically_satisfied = 0;  // rated 基本满意; in the rate's numerator only when the opinion SLA
                                           // profile says so (SlaProfile::basically_satisfied_counts)
    std::int64_t supervised = 0;         // supervise steps in the period
    std::optional<int> rank;             // 1-based; nullopt when problems < min_sample (样本不足)
};

// Ranks rows in place: rows with problems >= min_sample first, by completion rate (closed/problems)
// descending, then on-time rate descending, then overdue ascending, then org id; equal keys share a
// rank (competition ranking "1224"). The rest follow unranked, by org id. Completion and on-time rates
// of a row without a denominator count as 0.
void RankBulletin(std::vector<BulletinRow>& rows, std::int64_t min_sample);

// ---- notifications and webhooks ----

using NotificationId = std::int64_t;
using WebhookId = std::int64_t;
using DeliveryId = std::int64_t;
using BulletinId = std::int64_t;

// A notice in the in-app inbox of an org (every user whose org it is sees it) or of one user.
struct Notification {
    NotificationId id = 0;
    OrgId org_id = 0;
    std::optional<std::int64_t> user_id;  // nullopt: the whole org
    std::string kind;                     // "urge", "supervise", "interview", ...
    std::optional<TaskId> task_id;
    std::optional<ProblemId> problem_id;
    std::string title;
    std::string body;
    UnixSeconds created_at = 0;
    std::optional<UnixSeconds> read_at;  // for the user who reads the inbox
};

// An outgoing webhook: every notification of an org in the subtree of `org_id` whose kind is in `kinds`
// (empty: every kind) is POSTed to `url` as JSON, signed with HMAC-SHA256 under `secret` over
// "<timestamp>.<body>" (docs/SECURITY.md#webhook-signatures).
struct Webhook {
    WebhookId id = 0;
    OrgId org_id = 0;
    std::string url;
    std::string secret;  // never returned by the API after creation
    std::vector<std::string> kinds;
    bool active = true;
    std::string created_by;
    UnixSeconds created_at = 0;
    std::int64_t version = 1;
};

enum class DeliveryStatus { kPending, kDelivered, kDead };
template <>
struct EnumNames<DeliveryStatus> {
    static constexpr std::string_view kWhat = "delivery status";
    static constexpr std::array<std::pair<DeliveryStatus, std::string_view>, 3> kNames{{
        {DeliveryStatus::kPending, "pending"},
        {DeliveryStatus::kDelivered, "delivered"},
        {DeliveryStatus::kDead, "dead"},  // dead letter: gave up after the last attempt
    }};
};

struct WebhookDelivery {
    DeliveryId id = 0;
    WebhookId webhook_id = 0;
    NotificationId notification_id = 0;
    std::string payload;  // the exact body sent (JSON)
    DeliveryStatus status = DeliveryStatus::kPending;
    int attempts = 0;
    UnixSeconds next_attempt_at = 0;
    std::optional<int> last_status;  // HTTP status of the last attempt
    std::optional<std::string> last_error;
    std::optional<UnixSeconds> delivered_at;
    UnixSeconds created_at = 0;
};

// A published bulletin: its rows as computed when published (body_json), never recomputed.
struct Bulletin {
    BulletinId id = 0;
    OrgId org_id = 0;
    std::string title;
    UnixSeconds period_from = 0;  // [from, to), UTC seconds
    UnixSeconds period_to = 0;
    std::int64_t min_sample = 0;
    std::string body_json;
    std::string published_by;
    UnixSeconds published_at = 0;
};

}  // namespace rectify::domain
