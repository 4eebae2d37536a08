// Routing rules and transfers (issue 5, docs/LINKAGE.md#routing-rules and #transfers) against the real
// binary: a rule table routes public opinions by area and category with the precedence of
// domain/routing.hpp, each opinion records the rule that routed it, the table is versioned, bad tables are
// refused whole with the rule and field named, and 转办 counts transfers without stopping the clock.
// Org tree and categories: tests/api/api_fixture.hpp.
#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

class RoutingApi : public ApiServer {
protected:
    std::vector<std::string> ServeArgs() override { return {"--public-rate-per-minute", "0"}; }
    void BeforeServe() override {
        changan_clerk_ = MakeUserToken(dir_.path(), db_, "changan.clerk", "code:130102", {"clerk"});
        ASSERT_FALSE(changan_clerk_.empty());
    }
    std::string changan_clerk_;

    // Files a public opinion; returns the staff's opinion JSON (GET /api/v1/opinions/{id}).
    json FilePublic(const std::string& division_code, const std::string& category_path, const std::string& title) {
        json body = {{"category_id", CategoryId(category_path)},
                     {"division_code", division_code},
                     {"title", title},
                     {"text", "群众反映的问题，请相关单位尽快处理，谢谢。"}};
        auto r = Send(port(), "POST", "/api/v1/public/opinions", body.dump());
        EXPECT_EQ(r.status, 201) << r.body;
        // The public answer carries no staff id: find it among the staff's opinions by its title.
        auto list = Get("/api/v1/opinions?limit=500");
        EXPECT_EQ(list.status, 200) << list.body;
        const json items = list.Json()["items"];
        for (const auto& o : items) {
            if (o["title"] == title) return o;
        }
        ADD_FAILURE() << "no opinion titled " << title << " in " << list.body;
        return json::object();
    }
    HttpResponse PostRules(const json& rules, const std::string& note, const std::string& token = "") {
        json body = {{"note", note}, {"rules", rules}};
        return Send(port(), "POST", "/api/v1/routing-rules", body.dump(),
                    {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
    }
    HttpResponse Transfer(std::int64_t id, std::int64_t to, const std::string& reason, const std::string& token) {
        json body = {{"to_org_id", to}, {"reason", reason}};
        return Send(port(), "POST", "/api/v1/opinions/" + std::to_string(id) + "/transfer", body.dump(),
                    {{"Authorization", "Bearer " + token}});
    }
};

TEST_F(RoutingApi, RulesRouteByCategoryInTheMostSpecificAreaThenByFallbackAndTheOpinionRecordsTheRule) {
    // Before any table: version 0, no rules.
    auto empty = Get("/api/v1/routing-rules");
    ASSERT_EQ(empty.status, 200) << empty.body;
    EXPECT_EQ(empty.Json()["version"], 0);
    EXPECT_EQ(empty.Json()["rules"].size(), 0u);

    const json rules = json::array({
        {{"division_code", "13"}, {"category_id", CategoryId("环境保护")}, {"org_id", 3}, {"note", "河北环保"}},
        {{"division_code", "130102"}, {"category_id", CategoryId("环境保护/环境污染/水污染")}, {"org_id", 4}},
        {{"division_code", "1301"}, {"org_id", 5}, {"note", "石家庄市兜底"}},
    });
    auto stored = PostRules(rules, "first table");
    ASSERT_EQ(stored.status, 201) << stored.body;
    const json set = stored.Json();
    EXPECT_EQ(set["version"], 1);
    EXPECT_EQ(set["note"], "first table");
    ASSERT_EQ(set["rules"].size(), 3u);
    const std::int64_t env_rule = set["rules"][0]["id"], water_rule = set["rules"][1]["id"],
                       fallback_rule = set["rules"][2]["id"];

    struct Case {
        const char* area;
        const char* category;
        std::int64_t org;
        std::optional<std::int64_t> rule;
    };
    const std::vector<Case> cases = {
        // Water pollution in 建北街道: 长安区's category rule beats 河北省's environment rule.
        {"130102001", "环境保护/环境污染/水污染", 4, water_rule},
        // Air pollution there: only the environment rule (an ancestor category) matches.
        {"130102001", "环境保护/环境污染/大气污染", 3, env_rule},
        // Street lights there: no category rule, so 石家庄市's fallback — not 建北街道, the default.
        {"130102001", "城乡建设/市政设施/路灯", 5, fallback_rule},
        // Street lights in 山西: no rule matches; the default, the deepest org on the code's chain.
        {"140105", "城乡建设/市政设施/路灯", 8, std::nullopt},
    };
    int n = 0;
    for (const auto& c : cases) {
        const json o = FilePublic(c.area, c.category, "路由测试 " + std::to_string(++n));
        EXPECT_EQ(o["org_id"], c.org) << c.area << " " << c.category;
        auto routing = Get("/api/v1/opinions/" + std::to_string(o["id"].get<std::int64_t>()) + "/routing");
        ASSERT_EQ(routing.status, 200) << routing.body;
        const json steps = routing.Json()["items"];
        ASSERT_EQ(steps.size(), 1u) << routing.body;
        EXPECT_TRUE(steps[0]["from_org_id"].is_null());
        EXPECT_EQ(steps[0]["to_org_id"], c.org);
        if (c.rule) {
            EXPECT_EQ(steps[0]["rule_id"], *c.rule) << c.area << " " << c.category;
        } else {
            EXPECT_TRUE(steps[0]["rule_id"].is_null()) << routing.body;
        }
        EXPECT_EQ(steps[0]["actor"], "public:portal");
    }

    // A new table is version 2; version 1 stays readable as it was.
    auto second = PostRules(json::array({{{"org_id", 2}}}), "one fallback");
    ASSERT_EQ(second.status, 201) << second.body;
    EXPECT_EQ(second.Json()["version"], 2);
    EXPECT_EQ(Get("/api/v1/routing-rules").Json()["version"], 2);
    auto first = Get("/api/v1/routing-rules?version=1");
    ASSERT_EQ(first.status, 200);
    EXPECT_EQ(first.Json()["rules"], set["rules"]);
    EXPECT_TRUE(IsError(Get("/api/v1/routing-rules?version=9"), 404, "not_found"));
    // Now everything without a better rule goes to 河北省, even street lights in 山西.
    EXPECT_EQ(FilePublic("140105", "城乡建设/市政设施/路灯", "路由测试 新表")["org_id"], 2);
}

TEST_F(RoutingApi, ABadTableIsRefusedWholeNamingTheRuleAndFieldAndOnlyTheRootAdminMayTouchIt) {
    auto bad_code = PostRules(json::array({{{"org_id", 2}}, {{"division_code", "35010"}, {"org_id", 3}}}), "x");
    EXPECT_TRUE(IsError(bad_code, 400, "invalid_argument"));
    EXPECT_EQ(Message(bad_code).rfind("rules[1].division_code: \"35010\" is not a division code", 0), 0u)
        << bad_code.body;
    auto no_org = PostRules(json::array({{{"org_id", 999}}}), "x");
    EXPECT_EQ(Message(no_org), "rules[0].org_id: no org 999");
    auto bad_type = PostRules(json::array({{{"org_id", "two"}}}), "x");
    EXPECT_EQ(Message(bad_type), "rules[0].org_id: expected a positive integer") << bad_type.body;
    auto unknown = PostRules(json::array({{{"org_id", 2}, {"area", "13"}}}), "x");
    EXPECT_EQ(Message(unknown), "rules[0]: unknown field \"area\"") << unknown.body;
    auto twice = PostRules(json::array({{{"org_id", 2}}, {{"org_id", 3}}}), "x");
    EXPECT_EQ(Message(twice).rfind("rules[1]: the same area and category as rules[0]", 0), 0u) << twice.body;
    auto no_category = PostRules(json::array({{{"org_id", 2}, {"category_id", 9999}}}), "x");
    EXPECT_EQ(Message(no_category), "rules[0].category_id: no category 9999");
    // Nothing was stored by any of them.
    EXPECT_EQ(Get("/api/v1/routing-rules").Json()["version"], 0);

    // A clerk of 长安区 may neither read nor replace the table.
    EXPECT_TRUE(IsError(PostRules(json::array({{{"org_id", 4}}}), "x", changan_clerk_), 403, "permission_denied"));
    auto read = Send(port(), "GET", "/api/v1/routing-rules", "", {{"Authorization", "Bearer " + changan_clerk_}});
    EXPECT_TRUE(IsError(read, 403, "permission_denied"));
    EXPECT_EQ(Get("/api/v1/routing-rules").Json()["version"], 0);
}

TEST_F(RoutingApi, TransfersCountEachPassKeepTheDeadlineAndFollowScope) {
    // No rules: the default routes it to 建北街道 (6), inside the 长安区 clerk's scope.
    const json filed = FilePublic("130102001", "城乡建设/市政设施/路灯", "转办测试");
    const std::int64_t id = filed["id"];
    ASSERT_EQ(filed["org_id"], 6);
    EXPECT_EQ(filed["transfer_count"], 0);

    // The clerk may not send it to 山西省 (outside the scope and not above it): as if it did not exist.
    EXPECT_TRUE(IsError(Transfer(id, 8, "不属于本辖区", changan_clerk_), 404, "not_found"));
    EXPECT_TRUE(IsError(Transfer(id, 6, "原地", changan_clerk_), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Transfer(id, 4, "", changan_clerk_), 400, "invalid_argument"));

    // 建北街道 → 长安区 (in scope), then 长安区 → 石家庄市 (an ancestor, outside the scope: sent back up).
    auto t1 = Transfer(id, 4, "涉及区级职能", changan_clerk_);
    ASSERT_EQ(t1.status, 200) << t1.body;
    EXPECT_EQ(t1.Json()["org_id"], 4);
    EXPECT_EQ(t1.Json()["transfer_count"], 1);
    auto t2 = Transfer(id, 3, "需市级统筹", changan_clerk_);
    ASSERT_EQ(t2.status, 200) << t2.body;
    EXPECT_EQ(t2.Json()["transfer_count"], 2);
    // Now outside the clerk's scope.
    auto gone = Send(port(), "GET", "/api/v1/opinions/" + std::to_string(id), "",
                     {{"Authorization", "Bearer " + changan_clerk_}});
    EXPECT_TRUE(IsError(gone, 404, "not_found"));
    // The admin passes it to 桥西区.
    auto t3 = Transfer(id, 5, "桥西区负责", token_);
    ASSERT_EQ(t3.status, 200) << t3.body;
    const json after = t3.Json();
    EXPECT_EQ(after["org_id"], 5);
    EXPECT_EQ(after["transfer_count"], 3);
    EXPECT_EQ(after["status"], "received");
    // The deadline did not move, and a transfer is not a response.
    EXPECT_EQ(after["reply_due_at"], filed["reply_due_at"]);
    EXPECT_TRUE(after["responded_at"].is_null());

    auto routing = Get("/api/v1/opinions/" + std::to_string(id) + "/routing");
    ASSERT_EQ(routing.status, 200) << routing.body;
    const json steps = routing.Json()["items"];
    ASSERT_EQ(steps.size(), 4u);
    const std::vector<std::pair<json, std::int64_t>> hops = {{nullptr, 6}, {6, 4}, {4, 3}, {3, 5}};
    for (std::size_t i = 0; i < hops.size(); ++i) {
        EXPECT_EQ(steps[i]["from_org_id"], hops[i].first) << i;
        EXPECT_EQ(steps[i]["to_org_id"], hops[i].second) << i;
    }
    EXPECT_EQ(steps[1]["reason"], "涉及区级职能");
    EXPECT_EQ(steps[3]["actor"].get<std::string>().rfind("tester", 0), 0u) << steps[3];

    // Once handled it stays where it is.
    auto accepted = Post("/api/v1/opinions/" + std::to_string(id) + "/accept", "{}");
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_TRUE(IsError(Transfer(id, 3, "再转", token_), 409, "failed_precondition"));
}

}  // namespace
}  // namespace rectify::testing
