// Handling-time limits of opinions (domain/opinion_sla.hpp): the default profile's values are those of
// 北京市接诉即办工作条例 (2h / 24h / 7d / 15d); working-day limits use the official 2025 calendar
// (国办发明电〔2024〕12号: Spring Festival 28 Jan – 4 Feb off, Sunday 26 Jan and Saturday 8 Feb worked).
// Expected instants and rates are worked out by hand in the comments.
#include <gtest/gtest.h>

#include "common/time.hpp"
#include "domain/opinion_sla.hpp"

namespace rectify::domain {
namespace {

class OpinionSlaTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(SetDisplayZone("Asia/Shanghai").ok()); }
};

TEST_F(OpinionSlaTest, DefaultLimitsAreTheBeijingRegulationsValues) {
    const SlaProfile p;
    EXPECT_EQ(p.LimitsText(), "emergency=2h,utility=24h,general=7d,complex=15d");
    const WorkCalendar& cal = WorkCalendar::BuiltIn();
    const UnixSeconds received = FromLocal(2025, 3, 3, 9, 30, 0);
    EXPECT_EQ(SlaDueAt(received, SlaClass::kEmergency, p, cal), FromLocal(2025, 3, 3, 11, 30, 0));
    EXPECT_EQ(SlaDueAt(received, SlaClass::kUtility, p, cal), FromLocal(2025, 3, 4, 9, 30, 0));
    EXPECT_EQ(SlaDueAt(received, SlaClass::kGeneral, p, cal), FromLocal(2025, 3, 10, 9, 30, 0));
    EXPECT_EQ(SlaDueAt(received, SlaClass::kComplex, p, cal), FromLocal(2025, 3, 18, 9, 30, 0));
}

TEST_F(OpinionSlaTest, WorkingDayLimitsSkipTheSpringFestivalAndCountMakeUpDays) {
    SlaProfile p;
    ASSERT_TRUE(p.SetLimits("general=3wd,complex=1wd").ok());
    EXPECT_EQ(p.LimitsText(), "emergency=2h,utility=24h,general=3wd,complex=1wd");
    const WorkCalendar& cal = WorkCalendar::BuiltIn();
    // Friday 24 Jan: the 25th is off, Sunday the 26th worked (1), Monday the 27th (2), then 28 Jan – 4 Feb
    // off, Wednesday 5 Feb (3): due at the end of 5 Feb, i.e. 6 Feb 00:00.
    const UnixSeconds friday = FromLocal(2025, 1, 24, 16, 0, 0);
    EXPECT_EQ(SlaDueAt(friday, SlaClass::kGeneral, p, cal), FromLocal(2025, 2, 6, 0, 0, 0));
    // The day of receipt never counts, even when it is worked: Monday 27 Jan + 1wd = 5 Feb.
    EXPECT_EQ(SlaDueAt(FromLocal(2025, 1, 27, 8, 0, 0), SlaClass::kComplex, p, cal), FromLocal(2025, 2, 6, 0, 0, 0));
}

TEST_F(OpinionSlaTest, LimitsAndWeightsAreCheckedItemByItem) {
    SlaProfile p;
    EXPECT_EQ(p.SetLimits("general=7x").message(),
              "opinion time limits: general: '7x' is not a time limit: give hours, days or working days, e.g. 2h, "
              "7d, 15wd");
    EXPECT_EQ(p.SetLimits("urgent=2h").message(),
              "opinion time limits: 'urgent' is no class (emergency, utility, general or complex)");
    EXPECT_EQ(p.SetLimits("general=7d,general=8d").message(), "opinion time limits: general is given twice");
    EXPECT_EQ(p.SetLimits("general=0d").message(),
              "opinion time limits: general: '0d': the amount must be a whole number from 1 to 365");
    EXPECT_EQ(p.SetLimits("general=7d,").message(), "opinion time limits: item 2 '' is not NAME=VALUE");
    EXPECT_EQ(p.LimitsText(), "emergency=2h,utility=24h,general=7d,complex=15d");  // nothing half-applied
    EXPECT_EQ(p.SetWeights("response=0,resolution=0,satisfaction=0").message(),
              "opinion rate weights: not all weights may be 0");
    EXPECT_EQ(p.SetWeights("speed=1").message(),
              "opinion rate weights: 'speed' is no rate (response, resolution or satisfaction)");
    ASSERT_TRUE(p.SetWeights("response=10,resolution=45").ok());
    EXPECT_EQ(p.weights, (std::array<int, 3>{10, 45, 1}));
    auto wd = ParseSlaLimit("15wd");
    ASSERT_TRUE(wd.ok());
    EXPECT_EQ(wd->unit, SlaLimit::Unit::kWorkingDays);
    EXPECT_EQ(FormatSlaLimit(*wd), "15wd");
    EXPECT_FALSE(ParseSlaLimit("8761h").ok());
    EXPECT_TRUE(ParseSlaLimit("8760h").ok());
}

TEST_F(OpinionSlaTest, StateAgainstTheLimit) {
    const UnixSeconds due = 1000;
    EXPECT_EQ(SlaStateOf(due, std::nullopt, 1000), SlaState::kOpen);  // at the limit is still in time
    EXPECT_EQ(SlaStateOf(due, std::nullopt, 1001), SlaState::kOverdue);
    EXPECT_EQ(SlaStateOf(due, 1000, 5000), SlaState::kOnTime);
    EXPECT_EQ(SlaStateOf(due, 1001, 1001), SlaState::kLate);
}

TEST_F(OpinionSlaTest, ScoreWeighsTheRatesThatHaveADenominator) {
    OpinionSlaCounts c;
    c.due = 10;
    c.responded_on_time = 9;  // 0.9
    c.resolvable = 5;
    c.resolved = 3;           // 0.6
    SlaProfile p;
    // No rating: (0.9 + 0.6) / 2.
    ASSERT_TRUE(SlaScore(c, p).has_value());
    EXPECT_DOUBLE_EQ(*SlaScore(c, p), 0.75);
    c.rated = 4;
    c.satisfied = 1;
    c.basically_satisfied = 2;  // satisfaction 3/4 with 基本满意, 1/4 without
    EXPECT_EQ(SatisfiedCount(c, p), 3);
    EXPECT_DOUBLE_EQ(*SlaScore(c, p), (0.9 + 0.6 + 0.75) / 3);
    p.basically_satisfied_counts = false;
    ASSERT_TRUE(p.SetWeights("response=10,resolution=45,satisfaction=45").ok());
    EXPECT_EQ(SatisfiedCount(c, p), 1);
    EXPECT_DOUBLE_EQ(*SlaScore(c, p), (10 * 0.9 + 45 * 0.6 + 45 * 0.25) / 100);
    EXPECT_EQ(SlaScore(OpinionSlaCounts{}, p), std::nullopt);
}

}  // namespace
}  // namespace rectify::domain
