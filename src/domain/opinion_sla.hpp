// Handling-time limits of public opinions (办理时限, the "SLA profile" of issue 8) and the three
// rates a hotline office is judged by: response rate (响应率), resolution rate (解决率) and satisfaction
// rate (满意率). Pure functions, no I/O; docs/SUPERVISION.md#opinion-time-limits explains the rules with
// worked examples.
//
// The default limits are those of 北京市接诉即办工作条例 (Beijing Regulations on Handling Complaints
// Upon Receipt, adopted by the Standing Committee of the 15th Beijing Municipal People's Congress on
// 2021-09-24, in force 2021-09-24), chapter on handling (诉求办理): emergencies that may cause loss of life or property
// 2 hours; time-critical utility matters (water, power, gas, heating) 24 hours; general matters 7 days;
// complex and difficult matters 15 days — each "办理并反馈" (handled and answered). Every limit is
// configurable (rectify serve --opinion-sla).
//
// Instants are UTC seconds; "days" are 86,400-second days; working days come from the WorkCalendar and
// a working-day limit ends at the end of that working day in the display zone (common/time.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/enum_names.hpp"
#include "domain/supervision.hpp"

namespace rectify::domain {

// One limit: an amount of hours, days (86,400 s) or working days.
struct SlaLimit {
    enum class Unit { kHours, kDays, kWorkingDays };
    int amount = 7;
    Unit unit = Unit::kDays;
};

// Parses "2h", "24h", "7d", "15wd" (amount 1..8760 hours, 1..365 days or working days).
// Errors: kInvalidArgument saying what was expected.
Result<SlaLimit> ParseSlaLimit(std::string_view text);
// The inverse of ParseSlaLimit ("2h", "7d", "15wd").
std::string FormatSlaLimit(const SlaLimit& limit);

// The limits per class and how the three rates are combined into one score.
struct SlaProfile {
    // Indexed by SlaClass: emergency 2 h, utility 24 h, general 7 d, complex 15 d (北京市接诉即办工作条例).
    std::array<SlaLimit, 4> limits{{{2, SlaLimit::Unit::kHours},
                                    {24, SlaLimit::Unit::kHours},
                                    {7, SlaLimit::Unit::kDays},
                                    {15, SlaLimit::Unit::kDays}}};
    // Weights of response, resolution and satisfaction in the score (each 0..100, not all 0). No
    // national standard fixes them — each office's 考核办法 does, and they change yearly — so the
    // default weighs the three equally; set them from your own assessment rules.
    std::array<int, 3> weights{{1, 1, 1}};
    // Whether 基本满意 counts as satisfied in the satisfaction rate (default yes, as in 满意率 = (满意 +
    // 基本满意) / 参评, the usual 回访 practice; some offices count only 满意).
    bool basically_satisfied_counts = true;

    const SlaLimit& LimitOf(SlaClass c) const { return limits[static_cast<std::size_t>(c)]; }
    // "emergency=2h,utility=24h,general=7d,complex=15d": each class at most once, unnamed classes keep
    // their current limit. Errors: kInvalidArgument naming the item.
    Status SetLimits(std::string_view spec);
    // "response=1,resolution=1,satisfaction=1" (same rules). Errors: kInvalidArgument.
    Status SetWeights(std::string_view spec);
    std::string LimitsText() const;  // the SetLimits form of the current limits
};

// When an opinion received at `received_at` in `sla_class` must have been answered:
//   hours / days: received_at + amount × 3,600 / 86,400 s;
//   working days: the end (display zone) of the amount-th working day after the day of receipt — the
//   day of receipt itself never counts (次日起算), e.g. received Friday 2025-01-24 with 3wd: the 26th
//   (Sunday) is a make-up working day, so the 26th, 27th and then — 28 Jan to 4 Feb being Spring Festival
//   holidays — 5 Feb: due at the end of 2025-02-05.
UnixSeconds SlaDueAt(UnixSeconds received_at, SlaClass sla_class, const SlaProfile& profile,
                     const WorkCalendar& calendar);

// Where an opinion stands against its limit at `now`: open (not yet answered, limit not passed),
// overdue (not answered, limit passed), on_time / late (answered at or before / after the limit).
// "Answered" is the first response: accepted, linked, declined, marked duplicate or replied.
enum class SlaState { kOpen, kOverdue, kOnTime, kLate };
template <>
struct EnumNames<SlaState> {
    static constexpr std::string_view kWhat = "sla state";
    static constexpr std::array<std::pair<SlaState, std::string_view>, 4> kNames{{
        {SlaState::kOpen, "open"},
        {SlaState::kOverdue, "overdue"},
        {SlaState::kOnTime, "on_time"},
        {SlaState::kLate, "late"},
    }};
};
SlaState SlaStateOf(UnixSeconds reply_due_at, std::optional<UnixSeconds> responded_at, UnixSeconds now);

// The counts behind the three rates for a set of opinions (those received in a period and routed into
// an org subtree), at an instant `now`. Definitions (docs/SUPERVISION.md#opinion-rates):
//   due:        answered, or not answered and past the limit (an open one inside its limit is not yet
//               judged);
//   responded_on_time: first response at or before the limit;
//   resolvable: due, and neither declined (不予受理) nor marked duplicate — those are answered
//               elsewhere or not taken up, and are not counted for resolution;
//   resolved:   resolvable, replied, the problem it became (if any) closed, and not rated 不满意;
//   rated / satisfied / basically_satisfied / dissatisfied: by the last rating of the last reply.
struct OpinionSlaCounts {
    std::int64_t received = 0;
    std::int64_t due = 0;
    std::int64_t responded_on_time = 0;
    std::int64_t overdue = 0;  // not answered and past the limit
    std::int64_t resolvable = 0;
    std::int64_t resolved = 0;
    std::int64_t rated = 0;
    std::int64_t satisfied = 0;
    std::int64_t basically_satisfied = 0;
    std::int64_t dissatisfied = 0;
    // 转办 (docs/LINKAGE.md#transfers): opinions passed on at least once, and the transfers in all.
    std::int64_t transferred = 0;
    std::int64_t transfers = 0;

    OpinionSlaCounts& operator+=(const OpinionSlaCounts& o);
};

// The satisfaction rate's numerator: satisfied, plus basically satisfied when the profile counts them.
std::int64_t SatisfiedCount(const OpinionSlaCounts& counts, const SlaProfile& profile);

// The weighted score in [0, 1]: Σ weight_i × rate_i / Σ weight_i over the rates that have a
// denominator (response = responded_on_time/due, resolution = resolved/resolvable, satisfaction =
// SatisfiedCount/rated); nullopt when none has. E.g. weights 1,1,1 with rates 0.9, 0.6 and no rating:
// (0.9 + 0.6) / 2 = 0.75.
std::optional<double> SlaScore(const OpinionSlaCounts& counts, const SlaProfile& profile);

}  // namespace rectify::domain
