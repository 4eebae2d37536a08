// Text mining (issue 9) over HTTP against the real binary: GET /api/v1/opinions/{id}/suggestions and
// GET /api/v1/orgs/{id}/hot-issues, on the fixture's tree (api_fixture.hpp): 长安区 (4) and 桥西区 (5)
// under 石家庄市. Similarities are worked out by hand from the character 3-grams (docs/TEXT.md).
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

class TextApi : public ApiServer {
protected:
    void BeforeServe() override {
        changan_ = MakeUserToken(dir_.path(), db_, "changan.clerk", "code:130102", {"clerk"});
        qiaoxi_ = MakeUserToken(dir_.path(), db_, "qiaoxi.clerk", "code:130104", {"clerk"});
        ASSERT_FALSE(changan_.empty());
        ASSERT_FALSE(qiaoxi_.empty());
    }
    HttpResponse As(const std::string& token, const std::string& method, const std::string& target,
                    const std::string& body = "") {
        return Send(port(), method, target, body, {{"Authorization", "Bearer " + token}});
    }
    std::int64_t NewOpinion(const std::string& token, std::int64_t org, const std::string& title,
                            const std::string& submitter, const std::string& at) {
        json body = {{"channel", "web"}, {"title", title}, {"org_id", org}, {"submitter", submitter}, {"received_at", at}};
        auto r = As(token, "POST", "/api/v1/opinions", body.dump());
        EXPECT_EQ(r.status, 201) << r.body;
        return r.Json().value("id", std::int64_t{0});
    }
    std::string changan_, qiaoxi_;
};

// A  = 丽发新城搅拌站噪音扰民: 9 trigrams; B = 丽发新城搅拌站粉尘扰民: 9 trigrams, 5 shared
// (丽发新 发新城 新城搅 城搅拌 搅拌站): Jaccard 5 / 13 = 0.385. The problem's title equals A: 1.0.
TEST_F(TextApi, SuggestionsListOpenProblemsAndOpinionsInScopeAboveTheThresholdMostSimilarFirst) {
    const auto a = NewOpinion(changan_, 4, "丽发新城搅拌站噪音扰民", "U1", "2019-11-19T10:00:00+08:00");
    const auto b = NewOpinion(changan_, 4, "丽发新城搅拌站粉尘扰民", "U2", "2019-11-25T10:00:00+08:00");
    const auto unrelated = NewOpinion(changan_, 4, "建北街道路灯不亮", "U3", "2019-11-20T10:00:00+08:00");
    const auto elsewhere = NewOpinion(qiaoxi_, 5, "丽发新城搅拌站噪音扰民", "U4", "2019-11-21T10:00:00+08:00");
    auto p = As(changan_, "POST", "/api/v1/problems", json{{"title", "丽发新城搅拌站噪音扰民"}, {"owner_org_id", 4}}.dump());
    ASSERT_EQ(p.status, 201) << p.body;
    const auto problem = p.Json()["id"].get<std::int64_t>();
    (void)unrelated;

    const std::string target = "/api/v1/opinions/" + std::to_string(a) + "/suggestions";
    auto r = As(changan_, "GET", target);
    ASSERT_EQ(r.status, 200) << r.body;
    const json s = r.Json();
    EXPECT_EQ(s["opinion_id"], a);
    EXPECT_EQ(s["duplicate_threshold"], 0.15);
    // Compared: B, the unrelated opinion and the problem (not A itself; 桥西区 is out of scope).
    EXPECT_EQ(s["compared"], 3);
    ASSERT_EQ(s["duplicates"].size(), 2u) << s.dump();
    EXPECT_EQ(s["duplicates"][0]["kind"], "problem");
    EXPECT_EQ(s["duplicates"][0]["id"], problem);
    EXPECT_EQ(s["duplicates"][0]["similarity"], 1.0);
    EXPECT_EQ(s["duplicates"][0]["status"], "registered");
    EXPECT_EQ(s["duplicates"][1]["kind"], "opinion");
    EXPECT_EQ(s["duplicates"][1]["id"], b);
    EXPECT_EQ(s["duplicates"][1]["similarity"], 0.385);
    EXPECT_EQ(s["duplicates"][1]["at"], "2019-11-25T10:00:00+08:00");
    // The fixture's catalogue has two top-level categories: only they are suggested, scores summing to
    // at most 1 (the model also knows the built-in messages' other classes).
    ASSERT_EQ(s["categories"].size(), 2u) << s.dump();
    double sum = 0;
    for (const auto& c : s["categories"]) {
        EXPECT_TRUE(c["name"] == "环境保护" || c["name"] == "城乡建设") << c.dump();
        EXPECT_EQ(c["category_id"], CategoryId(c["name"].get<std::string>()));
        sum += c["score"].get<double>();
    }
    EXPECT_LE(sum, 1.0 + 1e-9);
    EXPECT_GE(s["categories"][0]["score"].get<double>(), s["categories"][1]["score"].get<double>());

    // The admin over the whole tree also sees 桥西区's identical opinion.
    auto all = Get(target);
    ASSERT_EQ(all.status, 200) << all.body;
    ASSERT_EQ(all.Json()["duplicates"].size(), 3u) << all.body;
    EXPECT_EQ(all.Json()["duplicates"][0]["kind"], "problem");
    EXPECT_EQ(all.Json()["duplicates"][1]["id"], elsewhere);
    EXPECT_EQ(all.Json()["duplicates"][1]["similarity"], 1.0);

    // Suggestions change nothing: the opinion is still received, with no category.
    auto o = As(changan_, "GET", "/api/v1/opinions/" + std::to_string(a));
    EXPECT_EQ(o.Json()["status"], "received");
    EXPECT_TRUE(o.Json()["category_id"].is_null());

    // Outside the subtree: not found, nothing revealed.
    EXPECT_TRUE(IsError(As(qiaoxi_, "GET", target), 404, "not_found"));
    EXPECT_TRUE(IsError(As(changan_, "GET", "/api/v1/opinions/" + std::to_string(elsewhere) + "/suggestions"), 404,
                        "not_found"));
    EXPECT_TRUE(IsError(As(changan_, "GET", target + "?x=1"), 400, "invalid_argument"));
}

TEST_F(TextApi, HotIssuesClusterAlikeOpinionsOfCompatiblePlacesAndShowOnlyTheSubtree) {
    const auto a = NewOpinion(changan_, 4, "丽发新城搅拌站噪音扰民", "U1", "2019-11-19T10:00:00+08:00");
    const auto b = NewOpinion(changan_, 4, "丽发新城搅拌站粉尘扰民", "U2", "2019-11-25T10:00:00+08:00");
    NewOpinion(changan_, 4, "建北街道路灯不亮", "U3", "2019-11-20T10:00:00+08:00");
    NewOpinion(qiaoxi_, 5, "丽发新城搅拌站噪音扰民", "U4", "2019-11-21T10:00:00+08:00");
    // One person's three messages are not a hot issue.
    for (const char* day : {"2019-11-02", "2019-11-03", "2019-11-04"}) {
        NewOpinion(changan_, 4, "请加快石家庄市一圈二场三道建设力度", "U9", std::string(day) + "T09:00:00+08:00");
    }
    const std::string window = "from=2019-11-01T00:00:00%2B08:00&to=2019-12-01T00:00:00%2B08:00";

    auto r = As(changan_, "GET", "/api/v1/orgs/4/hot-issues?" + window);
    ASSERT_EQ(r.status, 200) << r.body;
    json h = r.Json();
    EXPECT_EQ(h["org_id"], 4);
    EXPECT_EQ(h["opinions"], 6);
    EXPECT_EQ(h["truncated"], false);
    EXPECT_EQ(h["from"], "2019-11-01T00:00:00+08:00");
    ASSERT_EQ(h["items"].size(), 1u) << h.dump();
    const json& c = h["items"][0];
    EXPECT_EQ(c["size"], 2);
    EXPECT_EQ(c["people"], 2);
    EXPECT_EQ(c["likes"], 0);
    // Heat: 2 people, no likes, last 5 days 14 hours before the window's end (2019-12-01T00:00+08:00):
    // 2 · 2^(-5.58333/30) = 1.75794.
    EXPECT_NEAR(c["heat"].get<double>(), 1.75794, 1e-4);
    EXPECT_EQ(c["opinion_ids"], json::array({a, b}));
    EXPECT_EQ(c["org_ids"], json::array({4}));
    EXPECT_EQ(c["first_at"], "2019-11-19T10:00:00+08:00");
    EXPECT_EQ(c["last_at"], "2019-11-25T10:00:00+08:00");
    EXPECT_EQ(c["representative_id"], a);  // a tie of mean similarity goes to the oldest
    EXPECT_EQ(c["title"], "丽发新城搅拌站噪音扰民");

    // From the root: 桥西区's identical opinion is in another district (places not compatible), so the
    // cluster stays the same.
    auto root = Get("/api/v1/orgs/1/hot-issues?" + window);
    ASSERT_EQ(root.status, 200) << root.body;
    EXPECT_EQ(root.Json()["opinions"], 7);
    ASSERT_EQ(root.Json()["items"].size(), 1u) << root.body;
    EXPECT_EQ(root.Json()["items"][0]["opinion_ids"], json::array({a, b}));

    // A window that ends before B leaves no cluster.
    auto early = As(changan_, "GET", "/api/v1/orgs/4/hot-issues?from=2019-11-01T00:00:00%2B08:00&to=2019-11-22T00:00:00%2B08:00");
    ASSERT_EQ(early.status, 200) << early.body;
    EXPECT_EQ(early.Json()["items"].size(), 0u);

    EXPECT_TRUE(IsError(As(qiaoxi_, "GET", "/api/v1/orgs/4/hot-issues?" + window), 404, "not_found"));
    auto reversed = As(changan_, "GET", "/api/v1/orgs/4/hot-issues?from=2019-12-01&to=2019-11-01");
    EXPECT_TRUE(IsError(reversed, 400, "invalid_argument"));
    EXPECT_EQ(Message(reversed), "from: must be before to");
    EXPECT_TRUE(IsError(As(changan_, "GET", "/api/v1/orgs/4/hot-issues?limit=101"), 400, "invalid_argument"));

    // The same board again is the cached answer; a new alike opinion drops it (docs/TEXT.md#hot-issue-cache):
    // the cluster has three opinions and three people at once.
    EXPECT_EQ(As(changan_, "GET", "/api/v1/orgs/4/hot-issues?" + window).body, r.body);
    const auto c3 = NewOpinion(changan_, 4, "丽发新城搅拌站噪音扰民", "U7", "2019-11-26T10:00:00+08:00");
    auto after = As(changan_, "GET", "/api/v1/orgs/4/hot-issues?" + window);
    ASSERT_EQ(after.status, 200) << after.body;
    ASSERT_EQ(after.Json()["items"].size(), 1u) << after.body;
    EXPECT_EQ(after.Json()["items"][0]["opinion_ids"], json::array({a, b, c3}));
    EXPECT_EQ(after.Json()["items"][0]["people"], 3);
}

// Likes (点赞数) from a 问政 file that has them (附件3's columns, data/wenzheng/messages_with_votes.csv):
// stored on the opinions, on the opinion JSON, summed per hot issue and counted in its heat.
class TextApiLikes : public TextApi {
protected:
    void BeforeServe() override {
        TextApi::BeforeServe();
        WriteFile(dir_.File("votes.csv"),
                  "留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数\n"
                  "1001,U1,长安区丽发新城搅拌站噪音扰民,2019/11/19 10:00:00,夜间施工噪音很大,0,7\n"
                  "1002,U2,长安区丽发新城搅拌站噪音扰民,2019/11/25 10:00:00,粉尘也很大,1,35\n"
                  "1003,U3,长安区伊景园滨河苑捆绑销售车位,2019/11/20 09:00:00,开发商捆绑销售,0,0\n"
                  "1004,U4,长安区伊景园滨河苑捆绑销售车位,2019/11/22 09:00:00,车位必须一起买,2,0\n"
                  "1005,U5,长安区伊景园滨河苑捆绑销售车位,2019/11/24 09:00:00,请查处,0,\n");
        WriteFile(dir_.File("bad.csv"),
                  "留言编号,留言用户,留言主题,留言时间,留言详情,反对数,点赞数\n"
                  "1006,U6,长安区路灯不亮,2019/11/24 09:00:00,很多天了,0,x3\n");
        auto bad = RunRectify(dir_.path(), {"--db", db_, "import", "opinions", dir_.File("bad.csv"), "--format",
                                            "wenzheng", "--org", "code:1301"});
        bad_exit_ = bad.exit_code;
        bad_out_ = bad.out + bad.err;
        auto r = RunRectify(dir_.path(), {"--db", db_, "import", "opinions", dir_.File("votes.csv"), "--format",
                                          "wenzheng", "--org", "code:1301"});
        import_out_ = r.out + r.err;
        ASSERT_EQ(r.exit_code, 0) << import_out_;
    }
    int bad_exit_ = -1;
    std::string bad_out_, import_out_;
};

TEST_F(TextApiLikes, ImportsLikesAndRanksHotIssuesByThem) {
    // A file whose 点赞数 is not a count is refused, naming the column and the value.
    EXPECT_NE(bad_exit_, 0) << bad_out_;
    EXPECT_NE(bad_out_.find("点赞数"), std::string::npos) << bad_out_;
    EXPECT_NE(bad_out_.find("x3"), std::string::npos) << bad_out_;
    auto list = Get("/api/v1/opinions?limit=50");
    ASSERT_EQ(list.status, 200) << list.body;
    std::map<std::string, std::int64_t> likes;
    const json listed = list.Json();
    for (const auto& o : listed["items"]) likes[o["source_ref"].get<std::string>()] = o["likes"].get<std::int64_t>();
    EXPECT_EQ(likes, (std::map<std::string, std::int64_t>{{"wenzheng:1001", 7},
                                                            {"wenzheng:1002", 35},
                                                            {"wenzheng:1003", 0},
                                                            {"wenzheng:1004", 0},
                                                            {"wenzheng:1005", 0}}))
        << list.body;
    // Hot issues of 长安区 in November 2019, ages counted to 2019-12-01T00:00+08:00:
    //   搅拌站: 2 people, 42 likes, last 11-25 10:00 (5.58333 days): (2 + log2 43) · 2^(-5.58333/30) = 6.52748
    //   车位:   3 people,  0 likes, last 11-24 09:00 (6.625 days):    3 · 2^(-6.625/30) = 2.57421
    // By people alone 车位 (3) would come first; with likes 搅拌站 does.
    auto r = Get("/api/v1/orgs/4/hot-issues?from=2019-11-01T00:00:00%2B08:00&to=2019-12-01T00:00:00%2B08:00");
    ASSERT_EQ(r.status, 200) << r.body;
    const json items = r.Json()["items"];
    ASSERT_EQ(items.size(), 2u) << r.body;
    EXPECT_EQ(items[0]["likes"], 42);
    EXPECT_EQ(items[0]["people"], 2);
    EXPECT_NEAR(items[0]["heat"].get<double>(), 6.52748, 1e-4);
    EXPECT_EQ(items[1]["likes"], 0);
    EXPECT_EQ(items[1]["people"], 3);
    EXPECT_NEAR(items[1]["heat"].get<double>(), 2.57421, 1e-4);
}

}  // namespace
}  // namespace rectify::testing
