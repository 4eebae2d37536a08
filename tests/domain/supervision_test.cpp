// The working-day calendar against the State Council's notices (国办发明电〔2023〕7号, 〔2024〕12号,
// 〔2025〕7号), warnings, the ladder's timing and bulletin ranking. Expected values are read off the
// notices and a printed calendar, not computed by the code under test.
#include "domain/supervision.hpp"

#include <gtest/gtest.h>

namespace rectify::domain {
namespace {

std::int64_t D(int y, int m, int d) { return DayNumberOf(y, m, d); }

class SupervisionTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(SetDisplayZone("Asia/Shanghai").ok()); }
    const WorkCalendar& cal = WorkCalendar::BuiltIn();
};

TEST_F(SupervisionTest, CivilDatesAndWeekdays) {
    EXPECT_EQ(D(1970, 1, 1), 0);
    EXPECT_EQ(D(2000, 3, 1), 11017);
    EXPECT_EQ(Weekday(D(2026, 11, 29)), 6);  // a Sunday
    EXPECT_EQ(Weekday(D(2025, 1, 28)), 1);   // 除夕 2025 was a Tuesday (the notice says 周二)
    const CivilDate c = CivilOf(D(2024, 2, 29));
    EXPECT_EQ(c.year, 2024);
    EXPECT_EQ(c.month, 2);
    EXPECT_EQ(c.day, 29);
}

TEST_F(SupervisionTest, SpringFestival2025) {
    // 1月28日至2月4日放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
    EXPECT_TRUE(cal.IsWorkingDay(D(2025, 1, 26)));   // Sunday, worked
    EXPECT_TRUE(cal.IsWorkingDay(D(2025, 1, 27)));
    for (int d = 28; d <= 31; ++d) EXPECT_FALSE(cal.IsWorkingDay(D(2025, 1, d))) << d;
    for (int d = 1; d <= 4; ++d) EXPECT_FALSE(cal.IsWorkingDay(D(2025, 2, d))) << d;
    EXPECT_TRUE(cal.IsWorkingDay(D(2025, 2, 5)));
    EXPECT_TRUE(cal.IsWorkingDay(D(2025, 2, 8)));    // Saturday, worked
    EXPECT_FALSE(cal.IsWorkingDay(D(2025, 2, 9)));   // an ordinary Sunday
    EXPECT_EQ(cal.HolidayName(D(2025, 1, 30)), "春节");
    EXPECT_EQ(cal.HolidayName(D(2025, 2, 5)), "");

    // Friday 24 January + 1 working day = Sunday 26 January (调休上班).
    EXPECT_EQ(cal.AddWorkingDays(D(2025, 1, 24), 1), D(2025, 1, 26));
    // Monday 27 January + 1 = Wednesday 5 February, after the eight days off.
    EXPECT_EQ(cal.AddWorkingDays(D(2025, 1, 27), 1), D(2025, 2, 5));
    EXPECT_EQ(cal.AddWorkingDays(D(2025, 1, 27), 5), D(2025, 2, 10));  // 5,6,7,8(Sat),10
    // From a holiday, 0 working days is the next working day.
    EXPECT_EQ(cal.AddWorkingDays(D(2025, 1, 30), 0), D(2025, 2, 5));
    // Worked in (24 Jan, 10 Feb]: 26, 27 Jan; 5, 6, 7, 8, 10 Feb.
    EXPECT_EQ(cal.WorkingDaysBetween(D(2025, 1, 24), D(2025, 2, 10)), 7);
    EXPECT_EQ(cal.WorkingDaysBetween(D(2025, 2, 10), D(2025, 1, 24)), 0);
}

TEST_F(SupervisionTest, OtherYearsOfTheShippedCalendar) {
    // 2024 劳动节: 5月1日至5日; 4月28日（星期日）、5月11日（星期六）上班.
    EXPECT_TRUE(cal.IsWorkingDay(D(2024, 4, 28)));
    EXPECT_FALSE(cal.IsWorkingDay(D(2024, 5, 3)));
    EXPECT_TRUE(cal.IsWorkingDay(D(2024, 5, 11)));
    // 2026 国庆节: 10月1日至7日; 9月20日（周日）、10月10日（周六）上班.
    EXPECT_EQ(cal.AddWorkingDays(D(2026, 9, 30), 1), D(2026, 10, 8));
    EXPECT_TRUE(cal.IsWorkingDay(D(2026, 10, 10)));
    EXPECT_TRUE(cal.IsWorkingDay(D(2026, 9, 20)));
    // 2026 春节 is nine days: 2月15日 to 23日.
    EXPECT_EQ(cal.WorkingDaysBetween(D(2026, 2, 13), D(2026, 2, 24)), 2);  // 14 (Sat, worked) and 24
    const auto years = cal.CoveredYears();
    EXPECT_EQ(years.first, 2024);
    EXPECT_EQ(years.second, 2026);
    // Outside the covered years, only weekends are off.
    EXPECT_TRUE(cal.IsWorkingDay(D(2027, 1, 1)));  // a Friday; 2027's notice is not in the data
}

TEST_F(SupervisionTest, CalendarFileErrorsNameRowAndColumn) {
    auto bad_kind = WorkCalendar::FromCsv("date,kind,name,notice\n2025-01-01,holiday,元旦,x\n2025-01-02,party,?,x\n");
    ASSERT_FALSE(bad_kind.ok());
    EXPECT_NE(bad_kind.status().message().find("row 2 column kind"), std::string::npos) << bad_kind.status().message();
    auto weekday = WorkCalendar::FromCsv("date,kind\n2025-01-02,workday\n");
    ASSERT_FALSE(weekday.ok());
    EXPECT_NE(weekday.status().message().find("is a weekday"), std::string::npos);
    auto twice = WorkCalendar::FromCsv("date,kind\n2025-01-01,holiday\n2025-01-01,holiday\n");
    ASSERT_FALSE(twice.ok());
    EXPECT_NE(twice.status().message().find("row 2 column date"), std::string::npos);
    auto no_date = WorkCalendar::FromCsv("date,kind\n2025-02-30,holiday\n");
    ASSERT_FALSE(no_date.ok());
    EXPECT_NE(no_date.status().message().find("no such date"), std::string::npos);
}

Task OpenTask(UnixSeconds created, std::optional<UnixSeconds> due) {
    Task t;
    t.id = 1;
    t.status = TaskStatus::kInProgress;
    t.created_at = created;
    t.due_at = due;
    return t;
}

TEST_F(SupervisionTest, WarningsFollowWorkingDays) {
    const WarningPolicy policy;  // 3 working days, 14 days stalled
    // Today Friday 24 January 2025, 10:00 Beijing time. Three working days on: 26, 27 Jan, 5 Feb.
    const UnixSeconds now = FromLocal(2025, 1, 24, 10, 0, 0);
    const UnixSeconds created = FromLocal(2025, 1, 20, 9, 0, 0);
    auto due_feb5 = OpenTask(created, FromLocal(2025, 2, 5, 18, 0, 0));
    auto w = WarningOf(due_feb5, std::nullopt, now, cal, policy);
    EXPECT_EQ(w.level, WarningLevel::kYellow);
    EXPECT_EQ(w.working_days, 3);
    auto due_feb6 = OpenTask(created, FromLocal(2025, 2, 6, 0, 0, 0));
    EXPECT_EQ(WarningOf(due_feb6, std::nullopt, now, cal, policy).level, WarningLevel::kNone);
    // Overdue since Tuesday 21 January: working days past = 22, 23, 24 January.
    auto late = OpenTask(created, FromLocal(2025, 1, 21, 17, 0, 0));
    w = WarningOf(late, std::nullopt, now, cal, policy);
    EXPECT_EQ(w.level, WarningLevel::kRed);
    EXPECT_EQ(w.working_days, 3);
    // Accepted a minute ago: no warning, whatever the deadline.
    late.status = TaskStatus::kAccepted;
    EXPECT_EQ(WarningOf(late, std::nullopt, now, cal, policy).level, WarningLevel::kNone);
    late.status = TaskStatus::kSubmitted;
    EXPECT_EQ(WarningOf(late, std::nullopt, now, cal, policy).level, WarningLevel::kNone);
}

TEST_F(SupervisionTest, StalledCountsFromTheLastActivity) {
    const WarningPolicy policy;
    const UnixSeconds created = FromLocal(2025, 3, 1, 9, 0, 0);
    const UnixSeconds now = created + 14 * kSecondsPerDay;
    auto t = OpenTask(created, std::nullopt);
    EXPECT_TRUE(WarningOf(t, std::nullopt, now, cal, policy).stalled);
    EXPECT_FALSE(WarningOf(t, std::nullopt, now - 1, cal, policy).stalled);
    EXPECT_FALSE(WarningOf(t, created + 5 * kSecondsPerDay, now, cal, policy).stalled);  // a report 9 days ago
    t.returned_at = created + 10 * kSecondsPerDay;
    EXPECT_FALSE(WarningOf(t, std::nullopt, now, cal, policy).stalled);
    EXPECT_EQ(WarningOf(t, std::nullopt, now, cal, policy).last_activity_at, *t.returned_at);
}

TEST_F(SupervisionTest, LadderUrgesAtTheDeadlineAndSupervisesTwoWorkingDaysLater) {
    const LadderPolicy policy;
    // Due Monday 27 January 2025 18:00, just before the Spring Festival.
    auto t = OpenTask(FromLocal(2025, 1, 20, 9, 0, 0), FromLocal(2025, 1, 27, 18, 0, 0));
    EXPECT_EQ(DueLadderStep(t, std::nullopt, false, *t.due_at, cal, policy), std::nullopt);
    EXPECT_EQ(DueLadderStep(t, std::nullopt, false, *t.due_at + 1, cal, policy), SupervisionKind::kUrge);
    // Urged at 18:00:01 on the 27th: two more working days are 5 and 6 February; supervise from the
    // start of 7 February, not during the holiday.
    const UnixSeconds urged = *t.due_at + 1;
    EXPECT_EQ(DueLadderStep(t, urged, false, FromLocal(2025, 2, 4, 12, 0, 0), cal, policy), std::nullopt);
    EXPECT_EQ(DueLadderStep(t, urged, false, FromLocal(2025, 2, 6, 23, 59, 59), cal, policy), std::nullopt);
    EXPECT_EQ(DueLadderStep(t, urged, false, FromLocal(2025, 2, 7, 0, 0, 0), cal, policy), SupervisionKind::kSupervise);
    EXPECT_EQ(DueLadderStep(t, urged, true, FromLocal(2025, 3, 1, 0, 0, 0), cal, policy), std::nullopt);
    // Submitted for close-out: the ladder stops.
    t.status = TaskStatus::kSubmitted;
    EXPECT_EQ(DueLadderStep(t, urged, false, FromLocal(2025, 3, 1, 0, 0, 0), cal, policy), std::nullopt);
    // Urging a working day after the deadline day instead.
    t.status = TaskStatus::kInProgress;
    LadderPolicy later = policy;
    later.urge_after_working_days = 1;
    EXPECT_EQ(DueLadderStep(t, std::nullopt, false, FromLocal(2025, 2, 5, 23, 0, 0), cal, later), std::nullopt);
    EXPECT_EQ(DueLadderStep(t, std::nullopt, false, FromLocal(2025, 2, 6, 0, 0, 0), cal, later), SupervisionKind::kUrge);
    EXPECT_EQ(SupervisionNumber(2025, 12), "督办〔2025〕12号");
}

TEST_F(SupervisionTest, BulletinRanksWithMinimumSampleAndTies) {
    std::vector<BulletinRow> rows(4);
    rows[0] = {.org_id = 10, .org_name = "甲", .problems = 2, .closed = 2};             // too few
    rows[1] = {.org_id = 11, .org_name = "乙", .problems = 10, .closed = 8, .closed_on_time = 6, .closed_with_deadline = 8};
    rows[2] = {.org_id = 12, .org_name = "丙", .problems = 20, .closed = 16, .closed_on_time = 12, .closed_with_deadline = 16};
    rows[3] = {.org_id = 13, .org_name = "丁", .problems = 5, .closed = 5, .closed_on_time = 5, .closed_with_deadline = 5};
    RankBulletin(rows, 5);
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].org_id, 13);  // 100%
    EXPECT_EQ(rows[0].rank, 1);
    EXPECT_EQ(rows[1].org_id, 11);  // 80%, 75% on time — tied with 丙
    EXPECT_EQ(rows[1].rank, 2);
    EXPECT_EQ(rows[2].org_id, 12);
    EXPECT_EQ(rows[2].rank, 2);
    EXPECT_EQ(rows[3].org_id, 10);  // 2 problems < 5: unranked, last
    EXPECT_FALSE(rows[3].rank.has_value());
}

}  // namespace
}  // namespace rectify::domain
