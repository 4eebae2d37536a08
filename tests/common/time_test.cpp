// Tests of common/time: RFC 3339 and local wall-clock parsing, formatting with the display zone's
// offset. Every expected instant was worked out by hand from days since 1970-01-01 (2019-01-01 is
// day 17897, 2020-01-01 day 18262) and checked with `TZ=Asia/Shanghai date -d '...' +%s`.
#include "common/time.hpp"

#include <ctime>

#include "test_util.hpp"

namespace rectify {
namespace {

class TimeTest : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_OK(SetDisplayZone("Asia/Shanghai")); }
    void TearDown() override { ASSERT_OK(SetDisplayZone("Asia/Shanghai")); }
};

TEST_F(TimeTest, ParsesAMessageBoardTimeWithOneDigitMonthAndHour) {
    // 2019-04-25 09:32:09 +08:00 = 01:32:09Z; day 17897 + 31 + 28 + 31 + 24 = 18011.
    // 18011 * 86400 + 1 * 3600 + 32 * 60 + 9 = 1556155929.
    auto t = ParseLocalDateTime("2019/4/25 9:32:09");
    ASSERT_OK(t);
    EXPECT_EQ(*t, 1556155929);
}

TEST_F(TimeTest, ParsesADashedLocalTime) {
    // 2017-01-01 is day 17167; + 151 + 7 = 17325; 17325 * 86400 + 09:31:20 (34280 s) = 1496914280.
    auto t = ParseLocalDateTime("2017-06-08 17:31:20");
    ASSERT_OK(t);
    EXPECT_EQ(*t, 1496914280);
}

TEST_F(TimeTest, ReadsABareDateAsLocalMidnightAndSecondsAsOptional) {
    // 2020-09-03 is day 18262 + 246 = 18508; 18508 * 86400 - 8 h = 1599062400.
    auto d = ParseLocalDateTime("2020-09-03");
    ASSERT_OK(d);
    EXPECT_EQ(*d, 1599062400);
    auto m = ParseLocalDateTime("2020-09-03 00:00:00");
    ASSERT_OK(m);
    EXPECT_EQ(*m, 1599062400);
    auto hm = ParseLocalDateTime("2020-09-03 8:30");
    ASSERT_OK(hm);
    EXPECT_EQ(*hm, 1599062400 + 8 * 3600 + 30 * 60);
}

TEST_F(TimeTest, AcceptsFebruary29OnlyInALeapYear) {
    // 2020-02-29: day 18262 + 31 + 28 = 18321; 18321 * 86400 - 28800 = 1582905600.
    auto leap = ParseLocalDateTime("2020-02-29 00:00:00");
    ASSERT_OK(leap);
    EXPECT_EQ(*leap, 1582905600);
    EXPECT_EQ(ParseLocalDateTime("2019-02-29 00:00:00").status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ParseLocalDateTime("2019/2/29 9:00:00").status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ParseIso("2019-02-29T00:00:00Z").status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ParseIso("1900-02-29").status().code(), StatusCode::kInvalidArgument);  // 1900 is not leap
    EXPECT_OK(ParseIso("2000-02-29"));                                                // 2000 is
}

TEST_F(TimeTest, RejectsOutOfRangeFieldsAndJunk) {
    for (const char* bad :
         {"2019/13/01 00:00:00", "2019/4/31 00:00:00", "2019/4/25 24:00:00", "2019/4/25 9:60:00", "2019/4/25 9:32:60",
          "2019/4/25 9:32:09x", "19/4/25", "2019.4.25", "", "2019/4-25", "2019/4/25 9"}) {
        EXPECT_EQ(ParseLocalDateTime(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    }
}

TEST_F(TimeTest, ParsesRfc3339WithAnyOffsetToTheSameInstant) {
    // 2020-09-03T00:30:00Z = 18508 * 86400 + 1800 = 1599093000.
    for (const char* text : {"2020-09-03T08:30:00+08:00", "2020-09-03T00:30:00Z", "2020-09-03 00:30:00.123z",
                             "2020-09-02T19:30:00-05:00", "2020-09-03t06:00:00+05:30"}) {
        auto t = ParseIso(text);
        ASSERT_OK(t);
        EXPECT_EQ(*t, 1599093000) << text;
    }
    auto date = ParseIso("2020-09-03");
    ASSERT_OK(date);
    EXPECT_EQ(*date, 1599062400);  // midnight in the display zone
}

TEST_F(TimeTest, RejectsRfc3339WithoutOffsetOrWithBadFields) {
    for (const char* bad :
         {"2020-09-03T08:30:00", "2020-9-03T08:30:00Z", "2020-09-03T08:30Z", "2020-09-03T08:30:00+24:00",
          "2020-09-03T08:30:00+08", "2020-09-03T08:30:00.Z", "2020-09-03T08:30:00Zjunk", "2020-00-03T08:30:00Z"}) {
        EXPECT_EQ(ParseIso(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    }
}

TEST_F(TimeTest, FormatsWithTheDisplayZoneOffset) {
    EXPECT_EQ(FormatIso(1599093000), "2020-09-03T08:30:00+08:00");
    EXPECT_EQ(FormatIso(0), "1970-01-01T08:00:00+08:00");
    ASSERT_OK(SetDisplayZone("UTC"));
    EXPECT_EQ(FormatIso(1599093000), "2020-09-03T00:30:00+00:00");
    // New York in July is on daylight time, UTC-4: 2020-07-01 12:00 local = 16:00Z;
    // day 18262 + 182 = 18444; 18444 * 86400 + 16 * 3600 = 1593619200.
    ASSERT_OK(SetDisplayZone("America/New_York"));
    auto ny = ParseLocalDateTime("2020-07-01 12:00:00");
    ASSERT_OK(ny);
    EXPECT_EQ(*ny, 1593619200);
    EXPECT_EQ(FormatIso(1593619200), "2020-07-01T12:00:00-04:00");
}

TEST_F(TimeTest, FormatIsoParsesBackToTheSameInstant) {
    for (UnixSeconds t : {UnixSeconds{0}, UnixSeconds{1556155929}, UnixSeconds{1599093000}, UnixSeconds{4102444800}}) {
        auto back = ParseIso(FormatIso(t));
        ASSERT_OK(back);
        EXPECT_EQ(*back, t);
    }
}

TEST_F(TimeTest, RefusesAnUnknownZone) {
    EXPECT_EQ(SetDisplayZone("Mars/Olympus_Mons").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(SetDisplayZone("../etc/passwd").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(DisplayZone(), "Asia/Shanghai");
}

TEST_F(TimeTest, WeeksStartOnMondayMidnightInTheDisplayZone) {
    // 2020-09-03 (a Thursday) is day 18508 (see above); week = floor((18508 + 3) / 7) = 2644, whose Monday is
    // day 7 * 2644 - 3 = 18505 = 2020-08-31; 00:00 +08:00 = 18505 * 86400 - 28800 = 1598803200.
    EXPECT_EQ(LocalDayNumber(1599062400), 18508);
    EXPECT_EQ(LocalWeekNumber(1599062400), 2644);
    EXPECT_EQ(LocalWeekStart(2644), 1598803200);
    EXPECT_EQ(LocalWeekNumber(1598803200), 2644);
    EXPECT_EQ(LocalWeekNumber(1598803200 - 1), 2643);  // Sunday 23:59:59 belongs to the week before
    // The same instant is Sunday 2020-08-30 16:00 in UTC: the week before.
    ASSERT_OK(SetDisplayZone("UTC"));
    EXPECT_EQ(LocalWeekNumber(1598803200), 2643);
    EXPECT_EQ(LocalWeekStart(2644), 18505 * 86400);
}

TEST_F(TimeTest, WeekZeroStartsOnMonday1969December29) {
    // 1970-01-01 08:00 +08:00 is day 0, a Thursday: week floor(3 / 7) = 0; its Monday is day -3, and
    // 00:00 +08:00 that day is -3 * 86400 - 28800 = -288000.
    EXPECT_EQ(LocalDayNumber(0), 0);
    EXPECT_EQ(LocalWeekNumber(0), 0);
    EXPECT_EQ(LocalWeekStart(0), -288000);
    EXPECT_EQ(LocalWeekNumber(-288000 - 1), -1);
    EXPECT_EQ(LocalDayNumber(-288000 - 1), -4);
}

TEST_F(TimeTest, AWeekWithADaylightSavingChangeIsAnHourShort) {
    // New York went to EDT on Sunday 2020-03-08. Monday 2020-03-02 is day 18262 + 31 + 29 + 1 = 18323 (week
    // (18323 + 3) / 7 = 2618), 00:00 EST (-05:00) = 18323 * 86400 + 18000 = 1583125200; Monday 2020-03-09
    // (day 18330, week 2619) 00:00 EDT (-04:00) = 18330 * 86400 + 14400 = 1583726400: 7 days less one hour.
    ASSERT_OK(SetDisplayZone("America/New_York"));
    EXPECT_EQ(LocalWeekStart(2618), 1583125200);
    EXPECT_EQ(LocalWeekStart(2619), 1583726400);
    EXPECT_EQ(LocalWeekNumber(1583726400 - 1), 2618);
    EXPECT_EQ(LocalWeekNumber(1583726400), 2619);
}

// LocalDayNumber caches zone offsets per UTC day; it must agree with localtime_r's date at every instant,
// including around DST changes, half-hour shifts (Lord Howe Island moves by 30 minutes), changes at local
// midnight (Santiago turns Saturday 24:00 back to 23:00, so an instant's date depends on the new offset) and
// zone switches.
TEST_F(TimeTest, LocalDayNumberAgreesWithTheCLibraryAcrossOffsetChanges) {
    auto date_of = [](UnixSeconds t) {
        std::time_t tt = static_cast<std::time_t>(t);
        std::tm tm{};
        localtime_r(&tt, &tm);
        // Days from 1970-01-01 by counting: whole years, then months, then days.
        std::int64_t days = 0;
        int year = tm.tm_year + 1900;
        for (int y = 1970; y < year; ++y) days += (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 366 : 365;
        return days + tm.tm_yday;
    };
    for (const char* zone : {"America/New_York", "America/Santiago", "Australia/Lord_Howe", "Europe/London",
                             "Asia/Shanghai", "UTC"}) {
        ASSERT_OK(SetDisplayZone(zone));
        // 2020-03-01 .. 2020-11-30 in steps of 7 minutes 13 seconds: every DST change of these zones in 2020.
        for (UnixSeconds t = 1583020800; t < 1606780800; t += 433) {
            ASSERT_EQ(LocalDayNumber(t), date_of(t)) << zone << " at " << t;
        }
    }
}

}  // namespace
}  // namespace rectify
