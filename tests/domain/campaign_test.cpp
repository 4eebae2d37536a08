// Campaign, batch and special-item rules (issue 5, docs/LINKAGE.md#campaigns): dates, batch order, codes,
// and the tags of a problem. The expected messages and values are written out by hand.
#include "domain/campaign.hpp"
#include "test_util.hpp"

namespace rectify::domain {
namespace {

// The sample of data/campaigns: two batches of three months each.
Campaign Sample() {
    Campaign c;
    c.code = "bwcx-2019-tianjin";
    c.name = "不忘初心、牢记使命主题教育";
    c.owner_org_id = 12;
    c.start_date = "2019-06-01";
    c.end_date = "2019-11-30";
    c.batches = {{1, "2019-06-01", "2019-08-31"}, {2, "2019-09-01", "2019-11-30"}};
    return c;
}

std::string Message(const Status& s) { return s.message(); }

TEST(CampaignDates, CalendarDatesAreCheckedIncludingLeapDays) {
    EXPECT_TRUE(IsCalendarDate("2019-09-01"));
    EXPECT_TRUE(IsCalendarDate("2020-02-29"));   // 2020 is a leap year
    EXPECT_FALSE(IsCalendarDate("2019-02-29"));  // 2019 is not
    EXPECT_FALSE(IsCalendarDate("1900-02-29"));  // divisible by 100, not by 400
    EXPECT_TRUE(IsCalendarDate("2000-02-29"));   // divisible by 400
    EXPECT_FALSE(IsCalendarDate("2019-9-1"));
    EXPECT_FALSE(IsCalendarDate("2019-04-31"));
    EXPECT_FALSE(IsCalendarDate("2019-13-01"));
    EXPECT_FALSE(IsCalendarDate("2019/09/01"));
}

TEST(CampaignValidation, AcceptsTheSampleCampaign) { EXPECT_OK(ValidateCampaign(Sample())); }

TEST(CampaignValidation, NamesTheFieldThatIsWrong) {
    Campaign c = Sample();
    c.code = "bad code";
    EXPECT_EQ(Message(ValidateCampaign(c)),
              "code: \"bad code\" may hold only letters A-Z a-z, digits, '.', '_' and '-'");
    c = Sample();
    c.name = "  ";
    EXPECT_EQ(Message(ValidateCampaign(c)), "name: must not be empty");
    c = Sample();
    c.start_date = "2019-06-31";
    EXPECT_EQ(Message(ValidateCampaign(c)), "start_date: \"2019-06-31\" is not a date YYYY-MM-DD");
    c = Sample();
    c.end_date = "2019-05-31";
    EXPECT_EQ(Message(ValidateCampaign(c)), "end_date: 2019-05-31 is before start_date 2019-06-01");
    c = Sample();
    c.owner_org_id = 0;
    EXPECT_EQ(Message(ValidateCampaign(c)), "owner_org_id: required");
}

TEST(CampaignValidation, BatchesAreNumberedInOrderInsideTheCampaignWithoutOverlap) {
    Campaign c = Sample();
    c.batches[1].number = 3;
    EXPECT_EQ(Message(ValidateCampaign(c)), "batches[1].number: expected 2 (batches are numbered 1..n in order), got 3");
    c = Sample();
    c.batches[1].start_date = "2019-08-31";  // the first batch's last day
    EXPECT_EQ(Message(ValidateCampaign(c)),
              "batches[1].start_date: 2019-08-31 is not after batch 1's end_date 2019-08-31 (batches follow each other)");
    c = Sample();
    c.batches[0].start_date = "2019-05-31";
    EXPECT_EQ(Message(ValidateCampaign(c)),
              "batches[0].start_date: 2019-05-31 is before the campaign's start_date 2019-06-01");
    c = Sample();
    c.batches[1].end_date = "2019-12-01";
    EXPECT_EQ(Message(ValidateCampaign(c)),
              "batches[1].end_date: 2019-12-01 is after the campaign's end_date 2019-11-30");
    c = Sample();
    c.batches[0].end_date = "2019-05-01";
    EXPECT_EQ(Message(ValidateCampaign(c)), "batches[0].end_date: 2019-05-01 is before its start_date 2019-06-01");
    c = Sample();
    c.batches.clear();  // a campaign may have no batches
    EXPECT_OK(ValidateCampaign(c));
}

TEST(CampaignBatches, ADateFallsInTheBatchThatHoldsIt) {
    const Campaign c = Sample();
    EXPECT_EQ(BatchOn(c, "2019-06-01"), 1);
    EXPECT_EQ(BatchOn(c, "2019-08-31"), 1);
    EXPECT_EQ(BatchOn(c, "2019-09-01"), 2);
    EXPECT_EQ(BatchOn(c, "2019-12-01"), std::nullopt);
}

TEST(SpecialItemValidation, NeedsCodeAndTitle) {
    SpecialItem s{0, 1, "zhengzhi-yishi", "政治意识", std::nullopt, "", 0, 0, 1};
    EXPECT_OK(ValidateSpecialItem(s));
    s.title = "";
    EXPECT_EQ(Message(ValidateSpecialItem(s)), "title: must not be empty");
    s.title = "政治意识";
    s.code = "";
    EXPECT_EQ(Message(ValidateSpecialItem(s)), "code: must not be empty");
}

TEST(ProblemTags, ItemsMustBelongToTheProblemsCampaignOnceEach) {
    SpecialItem a{5, 1, "a", "A", std::nullopt, "", 0, 0, 1};
    SpecialItem b{6, 1, "b", "B", std::nullopt, "", 0, 0, 1};
    SpecialItem other{7, 2, "c", "C", std::nullopt, "", 0, 0, 1};
    EXPECT_OK(ValidateProblemTags(std::nullopt, {}));
    EXPECT_OK(ValidateProblemTags(1, {}));
    EXPECT_OK(ValidateProblemTags(1, {a, b}));
    EXPECT_EQ(Message(ValidateProblemTags(1, {a, other})),
              "special_item_ids[1]: special item 7 belongs to campaign 2, not campaign 1");
    EXPECT_EQ(Message(ValidateProblemTags(1, {a, b, a})), "special_item_ids[2]: special item 5 is listed twice");
    EXPECT_EQ(Message(ValidateProblemTags(std::nullopt, {a})),
              "special_item_ids: given without campaign_id (items belong to a campaign)");
}

}  // namespace
}  // namespace rectify::domain
