// Routing rules (domain/routing.hpp): the worked examples of docs/LINKAGE.md#routing-rules, on real
// division codes of 福州市 (3501): 鼓楼区 350102 and its 鼓东街道 350102001, 台江区 350103.
#include "domain/routing.hpp"

#include <gtest/gtest.h>

namespace rectify::domain {
namespace {

constexpr CategoryId kEnvironment = 10;   // 生态环境 (top level)
constexpr CategoryId kNoise = 11;         // 噪声污染, a child of 生态环境
constexpr CategoryId kTraffic = 20;       // 交通运输 (top level)

constexpr OrgId kCityOffice = 1;          // 福州市12345 (the whole jurisdiction's fallback)
constexpr OrgId kGulou = 2;               // 鼓楼区
constexpr OrgId kGudong = 3;              // 鼓东街道
constexpr OrgId kCityEnvBureau = 4;       // 福州市生态环境局
constexpr OrgId kGulouEnvBranch = 5;      // 鼓楼区 branch of the environment bureau
constexpr OrgId kTaijiang = 6;            // 台江区

RoutingRule Rule(std::optional<std::string> area, std::optional<CategoryId> category, OrgId org) {
    RoutingRule r;
    r.division_code = std::move(area);
    r.category_id = category;
    r.org_id = org;
    return r;
}

// The example table of docs/LINKAGE.md#routing-rules.
std::vector<RoutingRule> ExampleRules() {
    return {
        Rule(std::nullopt, std::nullopt, kCityOffice),       // 0: whole jurisdiction, fallback
        Rule("350102", std::nullopt, kGulou),                // 1: 鼓楼区 fallback (兜底)
        Rule("350102001", std::nullopt, kGudong),            // 2: 鼓东街道 fallback
        Rule(std::nullopt, kEnvironment, kCityEnvBureau),    // 3: environment anywhere → the city bureau
        Rule("350102", kNoise, kGulouEnvBranch),             // 4: noise in 鼓楼区 → the district branch
        Rule("350103", std::nullopt, kTaijiang),             // 5: 台江区 fallback
    };
}

OrgId Route(const std::vector<RoutingRule>& rules, RoutingInput in) {
    auto i = PickRoutingRule(rules, in);
    return i ? rules[*i].org_id : 0;
}

TEST(RoutingRules, TheMostSpecificAreaFallbackTakesWhatNoCategoryRuleClaims) {
    const auto rules = ExampleRules();
    // A traffic opinion in 鼓东街道: no traffic rule, so the township's own fallback.
    EXPECT_EQ(Route(rules, {{"350102001", "350102", "3501", "35"}, {kTraffic}}), kGudong);
    // The same in another township of 鼓楼区 (鼓西街道 350102002): the district's fallback.
    EXPECT_EQ(Route(rules, {{"350102002", "350102", "3501", "35"}, {kTraffic}}), kGulou);
    // In 仓山区 (350104), which has no rule: the whole jurisdiction's fallback.
    EXPECT_EQ(Route(rules, {{"350104", "3501", "35"}, {kTraffic}}), kCityOffice);
    // A free address only (no area): the whole jurisdiction's fallback.
    EXPECT_EQ(Route(rules, {{}, {kTraffic}}), kCityOffice);
    // No category either.
    EXPECT_EQ(Route(rules, {{"350103", "3501", "35"}, {}}), kTaijiang);
}

TEST(RoutingRules, ACategoryRuleAtAnyLevelBeatsAFallback) {
    const auto rules = ExampleRules();
    // Environment (not noise) in 鼓东街道: the city-wide environment rule beats the township's fallback.
    EXPECT_EQ(Route(rules, {{"350102001", "350102", "3501", "35"}, {kEnvironment}}), kCityEnvBureau);
    // Noise in 鼓东街道: the 鼓楼区 noise rule (area rank 1) beats the city-wide environment rule (rank 4).
    EXPECT_EQ(Route(rules, {{"350102001", "350102", "3501", "35"}, {kNoise, kEnvironment}}), kGulouEnvBranch);
    // Noise in 台江区: no noise rule there; the ancestor category's city-wide rule applies.
    EXPECT_EQ(Route(rules, {{"350103", "3501", "35"}, {kNoise, kEnvironment}}), kCityEnvBureau);
}

TEST(RoutingRules, WithinOneAreaTheDeepestCategoryWins) {
    std::vector<RoutingRule> rules = {Rule("350102", kEnvironment, kCityEnvBureau),
                                      Rule("350102", kNoise, kGulouEnvBranch)};
    EXPECT_EQ(Route(rules, {{"350102", "3501", "35"}, {kNoise, kEnvironment}}), kGulouEnvBranch);
    // Order in the table does not matter.
    std::swap(rules[0], rules[1]);
    EXPECT_EQ(Route(rules, {{"350102", "3501", "35"}, {kNoise, kEnvironment}}), kGulouEnvBranch);
}

TEST(RoutingRules, NothingMatchesWithoutAFallbackOrAMatchingRule) {
    std::vector<RoutingRule> rules = {Rule("350102", kNoise, kGulouEnvBranch)};
    EXPECT_FALSE(PickRoutingRule(rules, {{"350103", "3501", "35"}, {kNoise}}).has_value());
    EXPECT_FALSE(PickRoutingRule(rules, {{"350102", "3501", "35"}, {kTraffic}}).has_value());
    EXPECT_FALSE(PickRoutingRule({}, {{"350102"}, {kNoise}}).has_value());
}

TEST(RoutingRules, CheckNamesTheRuleAndTheField) {
    EXPECT_TRUE(CheckRoutingRules(ExampleRules()).ok());

    auto rules = ExampleRules();
    rules[3].division_code = "35010";
    Status s = CheckRoutingRules(rules);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message().rfind("rules[3].division_code: \"35010\" is not a division code", 0), 0u) << s.message();

    rules = ExampleRules();
    rules.push_back(Rule("350102", kNoise, kGulou));
    s = CheckRoutingRules(rules);
    EXPECT_EQ(s.message().rfind("rules[6]: the same area and category as rules[4]", 0), 0u) << s.message();

    rules = ExampleRules();
    rules.push_back(Rule(std::nullopt, std::nullopt, kGulou));
    s = CheckRoutingRules(rules);
    EXPECT_EQ(s.message().rfind("rules[6]: the same area and category as rules[0]", 0), 0u) << s.message();

    rules = ExampleRules();
    rules[1].org_id = 0;
    EXPECT_EQ(CheckRoutingRules(rules).message(), "rules[1].org_id: required, an org id");

    rules = ExampleRules();
    rules[2].note = std::string(201, 'x');
    EXPECT_EQ(CheckRoutingRules(rules).message(), "rules[2].note: longer than 200 characters");
    rules[2].note = std::string(200, 'x');
    EXPECT_TRUE(CheckRoutingRules(rules).ok());

    rules = ExampleRules();
    rules[4].category_id = -1;
    EXPECT_EQ(CheckRoutingRules(rules).message(), "rules[4].category_id: -1 is not a category id");

    std::vector<RoutingRule> many(kMaxRoutingRules + 1, Rule(std::nullopt, std::nullopt, kGulou));
    EXPECT_EQ(CheckRoutingRules(many).message().rfind("rules: 20001 rules, more than the limit of 20000", 0), 0u);
}

}  // namespace
}  // namespace rectify::domain
