// Notifications and webhooks (issue 8) over HTTP against the real binary. Before the server starts,
// `rectify supervise run` passes at injected instants urge and then supervise a task of 长安区 (the
// fixture's tree: 河北省 2 > 石家庄市 3 > 长安区 4, 桥西区 5), so two notices wait in 长安区's inbox.
// Users act through API tokens: two clerks of 长安区, one of 桥西区, and an org_admin of 石家庄市.
#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

class NotificationApi : public ApiServer {
protected:
    void BeforeServe() override {
        WriteFile(dir_.path() / "p.csv", "title,owner_org_id,created_at\n河道黑臭水体整治,4,2026-01-05\n");
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"import", "problems", dir_.File("p.csv")},
                 {"task", "create", "--problem", "1", "--org", "4", "--title", "清淤截污", "--responsible", "张三",
                  "--due", "2030-06-28T18:00:00+08:00"},
                 {"supervise", "run", "--at", "2030-07-01T09:00:00+08:00"},     // urge
                 {"supervise", "run", "--at", "2030-07-04T00:00:00+08:00"}}) {  // supervise
            std::vector<std::string> argv{"--db", db_, "--log-level", "warn"};
            argv.insert(argv.end(), args.begin(), args.end());
            auto r = RunRectify(dir_.path(), argv);
            ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.out << r.err;
        }
        changan_ = MakeUserToken(dir_.path(), db_, "changan.clerk", "code:130102", {"clerk"});
        changan2_ = MakeUserToken(dir_.path(), db_, "changan.clerk2", "code:130102", {"clerk"});
        qiaoxi_ = MakeUserToken(dir_.path(), db_, "qiaoxi.clerk", "code:130104", {"clerk"});
        sjz_admin_ = MakeUserToken(dir_.path(), db_, "sjz.admin", "code:1301", {"org_admin"});
        for (const auto* t : {&changan_, &changan2_, &qiaoxi_, &sjz_admin_}) ASSERT_FALSE(t->empty());
    }

    HttpResponse As(const std::string& token, const std::string& method, const std::string& target,
                    const std::string& body = "", Headers more = {}) {
        more.emplace_back("Authorization", "Bearer " + token);
        return Send(port(), method, target, body, more);
    }
    std::int64_t Unread(const std::string& token) {
        auto r = As(token, "GET", "/api/v1/notifications/unread_count");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.Json().value("unread", std::int64_t{-1});
    }

    std::string changan_, changan2_, qiaoxi_, sjz_admin_;
};

TEST_F(NotificationApi, TheInboxCountsAndMarksReadPerUser) {
    EXPECT_EQ(Unread(changan_), 2);
    EXPECT_EQ(Unread(changan2_), 2);
    EXPECT_EQ(Unread(qiaoxi_), 0);

    auto first = As(changan_, "GET", "/api/v1/notifications?limit=1");
    ASSERT_EQ(first.status, 200) << first.body;
    const json page1 = first.Json();
    ASSERT_EQ(page1["items"].size(), 1u);
    EXPECT_EQ(page1["items"][0]["kind"], "supervise");  // newest first
    EXPECT_EQ(page1["items"][0]["org_id"], 4);
    EXPECT_EQ(page1["items"][0]["task_id"], 1);
    EXPECT_EQ(page1["items"][0]["read"], false);
    EXPECT_EQ(page1["items"][0]["created_at"], "2030-07-04T00:00:00+08:00");
    ASSERT_TRUE(page1["next_cursor"].is_string());
    auto second = As(changan_, "GET", "/api/v1/notifications?limit=1&cursor=" + page1["next_cursor"].get<std::string>());
    ASSERT_EQ(second.status, 200) << second.body;
    const json page2 = second.Json();
    ASSERT_EQ(page2["items"].size(), 1u);
    EXPECT_EQ(page2["items"][0]["kind"], "urge");
    EXPECT_EQ(page2["items"][0]["created_at"], "2030-07-01T09:00:00+08:00");
    EXPECT_TRUE(page2["next_cursor"].is_null());
    const std::string urge_id = std::to_string(page2["items"][0]["id"].get<std::int64_t>());

    // 桥西区's clerk cannot touch 长安区's notice; its inbox stays empty.
    EXPECT_TRUE(IsError(As(qiaoxi_, "POST", "/api/v1/notifications/" + urge_id + "/read"), 404, "not_found"));
    auto read = As(changan_, "POST", "/api/v1/notifications/" + urge_id + "/read");
    ASSERT_EQ(read.status, 200) << read.body;
    EXPECT_EQ(read.Json()["read"], true);
    EXPECT_TRUE(read.Json()["read_at"].is_string());
    EXPECT_EQ(Unread(changan_), 1);
    EXPECT_EQ(Unread(changan2_), 2);

    auto unread = As(changan_, "GET", "/api/v1/notifications?unread=true");
    ASSERT_EQ(unread.status, 200);
    ASSERT_EQ(unread.Json()["items"].size(), 1u);
    EXPECT_EQ(unread.Json()["items"][0]["kind"], "supervise");
    auto all = As(changan_, "POST", "/api/v1/notifications/read_all");
    ASSERT_EQ(all.status, 200) << all.body;
    EXPECT_EQ(all.Json()["marked"], 1);
    EXPECT_EQ(Unread(changan_), 0);
    EXPECT_EQ(Unread(changan2_), 2);

    EXPECT_TRUE(IsError(As(changan_, "GET", "/api/v1/notifications?unread=maybe"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(As(changan_, "GET", "/api/v1/notifications?limit=0"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(As(changan_, "GET", "/api/v1/notifications?sort=id"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(As(changan_, "POST", "/api/v1/notifications/read_all", R"({"all":true})"), 400,
                        "invalid_argument"));
}

TEST_F(NotificationApi, WebhooksAreManagedByOrgAdminsAndTheSecretIsShownOnce) {
    auto created = As(sjz_admin_, "POST", "/api/v1/webhooks",
                      R"({"org_id":4,"url":"https://sms.example.gov.cn/rectify","kinds":["urge","supervise"]})");
    ASSERT_EQ(created.status, 201) << created.body;
    const json w = created.Json();
    const std::string id = std::to_string(w["id"].get<std::int64_t>());
    EXPECT_EQ(created.Header("location"), "/api/v1/webhooks/" + id);
    EXPECT_EQ(created.Header("etag"), "\"1\"");
    const std::string secret = w["secret"];
    EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
    EXPECT_EQ(secret.size(), 49u);
    EXPECT_EQ(w["kinds"], json::parse(R"(["urge","supervise"])"));
    EXPECT_EQ(w["active"], true);
    EXPECT_EQ(w["created_by"].get<std::string>().rfind("sjz.admin[token:", 0), 0u) << w["created_by"];

    auto got = As(sjz_admin_, "GET", "/api/v1/webhooks/" + id);
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_FALSE(got.Json().contains("secret"));
    EXPECT_EQ(got.body.find(secret), std::string::npos);
    auto list = As(sjz_admin_, "GET", "/api/v1/webhooks?org_id=3");
    ASSERT_EQ(list.status, 200);
    ASSERT_EQ(list.Json()["items"].size(), 1u);
    EXPECT_EQ(list.body.find(secret), std::string::npos);
    EXPECT_EQ(As(changan_, "GET", "/api/v1/webhooks").Json()["items"].size(), 0u);  // a clerk administers none

    // Roles and scope.
    EXPECT_TRUE(IsError(As(changan_, "POST", "/api/v1/webhooks", R"({"org_id":4,"url":"http://127.0.0.1:9/"})"), 403,
                        "permission_denied"));
    EXPECT_TRUE(IsError(As(sjz_admin_, "POST", "/api/v1/webhooks", R"({"org_id":8,"url":"http://127.0.0.1:9/"})"),
                        404, "not_found"));
    EXPECT_TRUE(IsError(As(qiaoxi_, "GET", "/api/v1/webhooks/" + id), 404, "not_found"));
    EXPECT_TRUE(IsError(As(changan_, "GET", "/api/v1/webhooks/" + id), 403, "permission_denied"));
    // Input.
    auto ftp = As(sjz_admin_, "POST", "/api/v1/webhooks", R"({"org_id":4,"url":"ftp://sms.example.gov.cn/"})");
    EXPECT_TRUE(IsError(ftp, 400, "invalid_argument"));
    EXPECT_EQ(Message(ftp), "url: must start with http:// or https://");
    auto kind = As(sjz_admin_, "POST", "/api/v1/webhooks", R"({"org_id":4,"url":"http://x/","kinds":["sms"]})");
    EXPECT_EQ(Message(kind), "kinds: unknown notification kind \"sms\"; the kinds are urge, supervise, interview");
    auto secret_field = As(sjz_admin_, "POST", "/api/v1/webhooks", R"({"org_id":4,"url":"http://x/","secret":"mine"})");
    EXPECT_EQ(Message(secret_field), "unknown field \"secret\"");

    // Changes with If-Match.
    EXPECT_TRUE(IsError(As(sjz_admin_, "PATCH", "/api/v1/webhooks/" + id, R"({"active":false})", {{"If-Match", "\"7\""}}),
                        409, "aborted"));
    auto paused = As(sjz_admin_, "PATCH", "/api/v1/webhooks/" + id, R"({"active":false,"kinds":null})",
                     {{"If-Match", "\"1\""}});
    ASSERT_EQ(paused.status, 200) << paused.body;
    EXPECT_EQ(paused.Json()["active"], false);
    EXPECT_EQ(paused.Json()["kinds"], json::array());
    EXPECT_EQ(paused.Json()["version"], 2);
    EXPECT_EQ(paused.Header("etag"), "\"2\"");
    EXPECT_TRUE(IsError(As(sjz_admin_, "PATCH", "/api/v1/webhooks/" + id, R"({"url":"http://"})"), 400,
                        "invalid_argument"));

    auto deliveries = As(sjz_admin_, "GET", "/api/v1/webhooks/" + id + "/deliveries?limit=10");
    ASSERT_EQ(deliveries.status, 200) << deliveries.body;
    EXPECT_EQ(deliveries.Json()["items"], json::array());  // made after the notices: nothing queued for it
}

TEST_F(NotificationApi, AnAdminWithoutNoticesHasAnEmptyInbox) {
    // The root admin's token belongs to the user "tester" (org 1, the root): notices go to the task's
    // org, so its inbox is empty (an admin sees every subtree, but the inbox is the user's own org's).
    auto r = Get("/api/v1/notifications");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json(), json::parse(R"({"items":[],"next_cursor":null})"));
}

}  // namespace
}  // namespace rectify::testing
