// Root-cause analysis and self-inspection rules (issue 12, docs/CAUSES.md): category fields, the analysis
// of a problem against the categories it names, self-inspection items, their completion counts, and the
// cadre-rank setting. The expected messages and values are written out by hand.
#include "domain/cause.hpp"
#include "test_util.hpp"

namespace rectify::domain {
namespace {

CauseCategory Category(CauseCategoryId id, std::string code, bool active = true) {
    CauseCategory c;
    c.id = id;
    c.code = std::move(code);
    c.name_zh = "制度机制不健全";
    c.name_en = "Rules and mechanisms incomplete";
    c.active = active;
    return c;
}

SelfInspectionItem Item() {
    SelfInspectionItem it;
    it.org_id = 4;
    it.kind = SelfInspectionKind::kPersonal;
    it.owner_user_id = 7;
    it.leader_name = "张三";
    it.problem_text = "调查研究不够深入";
    it.deadline = "2024-06-30";
    return it;
}

TEST(CauseCategories, CodeNamesAndSortOrderAreChecked) {
    EXPECT_OK(ValidateCauseCategory(Category(1, "mechanism")));
    EXPECT_EQ(ValidateCauseCategory(Category(1, "")).message(), "code: must not be empty");
    EXPECT_EQ(ValidateCauseCategory(Category(1, "制度")).message(),
              "code: \"制度\" may hold only letters A-Z a-z, digits, '.', '_' and '-'");
    auto c = Category(1, "x");
    c.name_en = "  ";
    EXPECT_EQ(ValidateCauseCategory(c).message(), "name_en: must not be empty");
    c = Category(1, "x");
    c.sort_order = 100001;
    EXPECT_EQ(ValidateCauseCategory(c).message(), "sort_order: between -100000 and 100000");
}

TEST(CauseAnalysis, NeedsKnownDistinctActiveCategories) {
    CauseAnalysis a;
    a.problem_id = 1;
    a.category_ids = {3, 5};
    const std::vector<std::optional<CauseCategory>> found = {Category(3, "mechanism"), Category(5, "funding")};
    EXPECT_OK(ValidateCauseAnalysis(a, found, {}));

    CauseAnalysis none = a;
    none.category_ids = {};
    EXPECT_EQ(ValidateCauseAnalysis(none, {}, {}).message(), "cause_category_ids: at least one category");

    CauseAnalysis twice = a;
    twice.category_ids = {3, 3};
    EXPECT_EQ(ValidateCauseAnalysis(twice, {Category(3, "m"), Category(3, "m")}, {}).message(),
              "cause_category_ids[1]: category 3 is listed twice");

    EXPECT_EQ(ValidateCauseAnalysis(a, {Category(3, "mechanism"), std::nullopt}, {}).message(),
              "cause_category_ids[1]: category 5 does not exist");

    // An inactive category may stay where it was, not be added.
    const std::vector<std::optional<CauseCategory>> with_inactive = {Category(3, "mechanism"), Category(5, "legacy", false)};
    EXPECT_EQ(ValidateCauseAnalysis(a, with_inactive, {3}).message(),
              "cause_category_ids[1]: category 5 (legacy) is inactive");
    EXPECT_OK(ValidateCauseAnalysis(a, with_inactive, {3, 5}));

    CauseAnalysis many = a;
    many.category_ids = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    EXPECT_EQ(ValidateCauseAnalysis(many, {}, {}).message(), "cause_category_ids: at most 10 categories");
}

TEST(SelfInspectionItems, FieldsDatesAndOwnerAreChecked) {
    EXPECT_OK(ValidateSelfInspectionItem(Item()));
    auto it = Item();
    it.deadline = "2024-02-30";
    EXPECT_EQ(ValidateSelfInspectionItem(it).message(),
              "deadline: \"2024-02-30\" is not a date YYYY-MM-DD from 2000-01-01 on");
    it = Item();
    it.done = true;
    EXPECT_EQ(ValidateSelfInspectionItem(it).message(), "done_on: required when status is done");
    it.done_on = "2024-06-01";
    EXPECT_OK(ValidateSelfInspectionItem(it));
    it.done = false;
    EXPECT_EQ(ValidateSelfInspectionItem(it).message(), "done_on: only with status done");
    it = Item();
    it.owner_user_id.reset();
    EXPECT_EQ(ValidateSelfInspectionItem(it).message(), "owner_user_id: a personal item has an owner");
    it.kind = SelfInspectionKind::kLeadershipGroup;
    EXPECT_OK(ValidateSelfInspectionItem(it));
    it.owner_user_id = 7;
    EXPECT_EQ(ValidateSelfInspectionItem(it).message(), "owner_user_id: only personal items have an owner");
    it = Item();
    it.problem_text = "";
    EXPECT_EQ(ValidateSelfInspectionItem(it).message(), "problem_text: must not be empty");
}

TEST(SelfInspectionItems, CompletionCountsDoneOnTimeAndOverdue) {
    // Four items judged on 2024-07-01: done early, done late, open past the deadline, open on its deadline day.
    SelfInspectionCounts c;
    auto early = Item();
    early.done = true;
    early.done_on = "2024-06-30";  // on the deadline day counts as on time
    auto late = Item();
    late.done = true;
    late.done_on = "2024-07-01";
    auto overdue = Item();
    overdue.deadline = "2024-06-30";
    auto due_today = Item();
    due_today.deadline = "2024-07-01";
    for (const auto* it : {&early, &late, &overdue, &due_today}) CountSelfInspectionItem(*it, "2024-07-01", c);
    EXPECT_EQ(c.items, 4);
    EXPECT_EQ(c.done, 2);
    EXPECT_EQ(c.done_on_time, 1);
    EXPECT_EQ(c.overdue, 1);
}

TEST(CadreRanks, TheSettingListsKnownRanksOnce) {
    auto ranks = ParseCadreRanks("division, bureau,province");
    ASSERT_OK(ranks);
    EXPECT_EQ(*ranks, (std::vector<std::string>{"division", "bureau", "province"}));
    EXPECT_EQ(ParseCadreRanks("division,colonel").status().message(),
              "leading cadre ranks: unknown rank \"colonel\" (known: section, division, bureau, province, state)");
    EXPECT_EQ(ParseCadreRanks("division,division").status().message(),
              "leading cadre ranks: \"division\" is listed twice");
    EXPECT_EQ(ParseCadreRanks("division,").status().message(), "leading cadre ranks: empty rank in \"division,\"");
    EXPECT_TRUE(IsCadreRank("state"));
    EXPECT_FALSE(IsCadreRank("Division"));
}

}  // namespace
}  // namespace rectify::domain
