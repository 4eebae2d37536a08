// Logins, sessions, CSRF, tokens, user management, the audit export and the access log, over HTTP
// against the real binary (fixture in api_fixture.hpp; org tree there).
#include <regex>
#include <set>
#include <thread>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

constexpr const char* kPassword = "clerk password 1";

class Sessions : public ApiServer {
protected:
    void BeforeServe() override {
        std::string error;
        ASSERT_TRUE(AddUser(dir_.path(), db_, "sjz.clerk", "code:1301", {"clerk"}, kPassword, &error)) << error;
    }
};

TEST_F(Sessions, LoginSetsAStrictHttpOnlyCookieAndReturnsTheCsrfToken) {
    auto r = Send(port(), "POST", "/api/v1/session", json{{"name", "sjz.clerk"}, {"password", kPassword}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    const std::string cookie = r.Header("set-cookie");
    EXPECT_TRUE(std::regex_match(cookie, std::regex("rectify_session=[A-Za-z0-9_-]{43}; Path=/; Max-Age=43200; "
                                                    "HttpOnly; SameSite=Strict")))
        << cookie;
    json j = r.Json();
    EXPECT_EQ(j["user"]["name"], "sjz.clerk");
    EXPECT_EQ(j["auth"], "session");
    EXPECT_EQ(j["must_change_password"], false);
    EXPECT_EQ(j["grants"], json::array({{{"role", "clerk"}, {"org_id", 3}}}));
    ASSERT_EQ(j["scope"].size(), 1u);
    EXPECT_EQ(j["scope"][0]["name"], "石家庄市");
    EXPECT_EQ(j["user"].contains("password_hash"), false);
    const std::string csrf = j["csrf_token"];
    EXPECT_EQ(csrf.size(), 43u);

    BrowserSession s{cookie.substr(0, cookie.find(';')), csrf};
    auto me = Send(port(), "GET", "/api/v1/session", "", s.Auth(false));
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.Json()["csrf_token"], csrf);
    EXPECT_EQ(Send(port(), "GET", "/api/v1/orgs/3", "", s.Auth(false)).status, 200);
    EXPECT_TRUE(IsError(Send(port(), "GET", "/api/v1/orgs/2", "", s.Auth(false)), 404, "not_found"));
}

TEST_F(Sessions, CookieRequestsNeedTheCsrfTokenForUnsafeMethods) {
    auto s = Login("sjz.clerk", kPassword);
    const std::string body = json{{"title", "路灯不亮"}, {"owner_org_id", 4}}.dump();
    EXPECT_TRUE(IsError(Send(port(), "POST", "/api/v1/problems", body, s.Auth(false)), 403, "permission_denied"));
    auto wrong = s;
    wrong.csrf = std::string(43, 'A');
    EXPECT_TRUE(IsError(Send(port(), "POST", "/api/v1/problems", body, wrong.Auth()), 403, "permission_denied"));
    EXPECT_EQ(Send(port(), "POST", "/api/v1/problems", body, s.Auth()).status, 201);
    // A bearer token needs no CSRF token: browsers never attach one by themselves.
    EXPECT_EQ(Post("/api/v1/problems", body).status, 201);
}

TEST_F(Sessions, LoginNeedsJsonAndSaysTheSameForUnknownNamesAndWrongPasswords) {
    auto text = Send(port(), "POST", "/api/v1/session", json{{"name", "sjz.clerk"}, {"password", kPassword}}.dump(),
                     {{"Content-Type", "text/plain"}});
    EXPECT_TRUE(IsError(text, 400, "invalid_argument"));
    auto wrong = Send(port(), "POST", "/api/v1/session", json{{"name", "sjz.clerk"}, {"password", "nope nope"}}.dump());
    auto unknown = Send(port(), "POST", "/api/v1/session", json{{"name", "nobody"}, {"password", "nope nope"}}.dump());
    EXPECT_TRUE(IsError(wrong, 401, "unauthenticated"));
    EXPECT_TRUE(IsError(unknown, 401, "unauthenticated"));
    EXPECT_EQ(Message(wrong), Message(unknown));
    EXPECT_EQ(wrong.Header("set-cookie"), "");
}

TEST_F(Sessions, RepeatedFailuresAreAnsweredTooManyRequestsWithRetryAfter) {
    const std::string bad = json{{"name", "sjz.clerk"}, {"password", "guess guess"}}.dump();
    for (int i = 0; i < 6; ++i) EXPECT_EQ(Send(port(), "POST", "/api/v1/session", bad).status, 401) << i;
    // The 6th failure set a back-off of 1 s (5 free failures per name, then 1 s doubling).
    auto r = Send(port(), "POST", "/api/v1/session", json{{"name", "sjz.clerk"}, {"password", kPassword}}.dump());
    ASSERT_TRUE(IsError(r, 429, "resource_exhausted")) << r.body;
    EXPECT_EQ(r.Header("retry-after"), "1");
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    EXPECT_EQ(Send(port(), "POST", "/api/v1/session", json{{"name", "sjz.clerk"}, {"password", kPassword}}.dump()).status,
              201);
}

TEST_F(Sessions, LogoutEndsTheSessionAndClearsTheCookie) {
    auto s = Login("sjz.clerk", kPassword);
    EXPECT_TRUE(IsError(Send(port(), "DELETE", "/api/v1/session", "", s.Auth(false)), 403, "permission_denied"));
    auto out = Send(port(), "DELETE", "/api/v1/session", "", s.Auth());
    ASSERT_EQ(out.status, 204) << out.body;
    EXPECT_EQ(out.Header("set-cookie"), "rectify_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    auto after = Send(port(), "GET", "/api/v1/session", "", s.Auth(false));
    EXPECT_TRUE(IsError(after, 401, "unauthenticated"));
    EXPECT_EQ(after.Header("www-authenticate"), "Bearer realm=\"rectify\"");
}

TEST_F(Sessions, AnAdminMadeAccountMustChangeItsPasswordBeforeAnythingElse) {
    auto created = Post("/api/v1/users", json{{"name", "new.clerk"},
                                              {"display_name", "新来的"},
                                              {"org_id", 5},
                                              {"grants", {{{"role", "clerk"}, {"org_id", 5}}}}}
                                             .dump());
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(created.Header("location"), "/api/v1/users/" + std::to_string(created.Json()["user"]["id"].get<int>()));
    const std::string generated = created.Json()["password"];
    EXPECT_TRUE(std::regex_match(generated, std::regex("([2-9a-km-z]{5}-){3}[2-9a-km-z]{5}"))) << generated;
    auto s = Login("new.clerk", generated);
    EXPECT_TRUE(IsError(Send(port(), "GET", "/api/v1/orgs/5", "", s.Auth(false)), 403, "permission_denied"));
    EXPECT_EQ(Send(port(), "GET", "/api/v1/session", "", s.Auth(false)).Json()["must_change_password"], true);
    auto weak = Send(port(), "POST", "/api/v1/session/password",
                     json{{"old_password", generated}, {"new_password", "short"}}.dump(), s.Auth());
    EXPECT_TRUE(IsError(weak, 400, "invalid_argument"));
    auto changed = Send(port(), "POST", "/api/v1/session/password",
                        json{{"old_password", generated}, {"new_password", "my own password"}}.dump(), s.Auth());
    ASSERT_EQ(changed.status, 204) << changed.body;
    EXPECT_EQ(Send(port(), "GET", "/api/v1/orgs/5", "", s.Auth(false)).status, 200);
    EXPECT_EQ(Send(port(), "POST", "/api/v1/session", json{{"name", "new.clerk"}, {"password", generated}}.dump()).status,
              401);
}

TEST_F(Sessions, UsersAreManagedOverHttpAndEveryChangeIsInTheAuditLog) {
    auto list = Get("/api/v1/users?org_id=3");
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.Json()["items"].size(), 1u);
    const auto id = list.Json()["items"][0]["id"].get<std::int64_t>();
    const std::string user = "/api/v1/users/" + std::to_string(id);
    auto granted = Post(user + "/grants", json{{"role", "reviewer"}, {"org_id", 4}}.dump());
    ASSERT_EQ(granted.status, 201) << granted.body;
    std::int64_t grant_id = 0;
    const json grants = granted.Json()["grants"];  // named: a range-for over a temporary's member dangles
    for (const auto& g : grants) {
        if (g["role"] == "reviewer") grant_id = g["id"];
    }
    ASSERT_GT(grant_id, 0);
    EXPECT_TRUE(IsError(Post(user + "/grants", json{{"role", "reviewer"}, {"org_id", 4}}.dump()), 409, "already_exists"));
    auto revoked = Send(port(), "DELETE", user + "/grants/" + std::to_string(grant_id), "", Auth());
    ASSERT_EQ(revoked.status, 200) << revoked.body;
    EXPECT_EQ(revoked.Json()["grants"].size(), 1u);
    auto disabled = Patch(user, json{{"disabled", true}}.dump());
    ASSERT_EQ(disabled.status, 200) << disabled.body;
    EXPECT_TRUE(IsError(Send(port(), "POST", "/api/v1/session", json{{"name", "sjz.clerk"}, {"password", kPassword}}.dump()),
                        401, "unauthenticated"));
    auto reset = Post(user + "/password", json::object().dump());
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_TRUE(reset.Json()["password"].is_string());

    auto audit = Get("/api/v1/audit/events?org_id=3");
    ASSERT_EQ(audit.status, 200) << audit.body;
    std::vector<std::string> actions;
    const json items = audit.Json()["items"];
    for (const auto& e : items) {
        EXPECT_TRUE(std::regex_match(e["hash"].get<std::string>(), std::regex("[0-9a-f]{64}"))) << e.dump();
        // 石家庄市's subtree: 石家庄市 3, 长安区 4, 桥西区 5, 建北街道 6 (the org import's events included).
        EXPECT_TRUE((std::set<std::int64_t>{3, 4, 5, 6}).count(e["org_id"].get<std::int64_t>())) << e.dump();
        if (e["entity"] == "user") actions.push_back(e["action"]);
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"create", "grant", "revoke", "disable", "password_reset"}));
}

TEST_F(Sessions, TokensAreMadeInASessionUsedAsBearerAndRevoked) {
    auto s = Login("sjz.clerk", kPassword);
    auto made = Send(port(), "POST", "/api/v1/tokens", json{{"name", "报表脚本"}, {"expires_in_days", 7}}.dump(), s.Auth());
    ASSERT_EQ(made.status, 201) << made.body;
    const std::string secret = made.Json()["secret"];
    const auto id = made.Json()["token"]["id"].get<std::int64_t>();
    Headers bearer{{"Authorization", "Bearer " + secret}};
    auto me = Send(port(), "GET", "/api/v1/session", "", bearer);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(me.Json()["auth"], "token");
    EXPECT_FALSE(me.Json().contains("csrf_token"));
    // A token does not make tokens, and is not logged out.
    EXPECT_TRUE(IsError(Send(port(), "POST", "/api/v1/tokens", json{{"name", "x"}}.dump(), bearer), 403,
                        "permission_denied"));
    EXPECT_TRUE(IsError(Send(port(), "DELETE", "/api/v1/session", "", bearer), 409, "failed_precondition"));
    auto listed = Send(port(), "GET", "/api/v1/tokens", "", s.Auth(false));
    ASSERT_EQ(listed.status, 200);
    ASSERT_EQ(listed.Json()["items"].size(), 1u);
    EXPECT_EQ(listed.Json()["items"][0]["prefix"], secret.substr(0, 8));
    EXPECT_EQ(listed.body.find(secret), std::string::npos);
    EXPECT_EQ(Send(port(), "DELETE", "/api/v1/tokens/" + std::to_string(id), "", s.Auth()).status, 204);
    EXPECT_TRUE(IsError(Send(port(), "GET", "/api/v1/session", "", bearer), 401, "unauthenticated"));
    EXPECT_TRUE(IsError(Send(port(), "GET", "/api/v1/session", "", {{"Authorization", "Basic dXNlcjpwYXNz"}}), 401,
                        "unauthenticated"));
}

TEST_F(Sessions, RequestIdsAreEchoedOrMadeAndTheAccessLogIsJsonWithoutPersonalData) {
    auto given = Send(port(), "GET", "/healthz", "", {{"X-Request-Id", "nginx-42.a_b"}});
    EXPECT_EQ(given.Header("x-request-id"), "nginx-42.a_b");
    auto unsafe = Send(port(), "GET", "/healthz", "", {{"X-Request-Id", "evil\"id with spaces"}});
    EXPECT_TRUE(std::regex_match(unsafe.Header("x-request-id"), std::regex("[A-Za-z0-9_-]{16}")))
        << unsafe.Header("x-request-id");
    Login("sjz.clerk", kPassword);
    auto search = Get("/api/v1/orgs?q=" + UrlEncode("长安"));
    ASSERT_EQ(search.status, 200);
    server_->Signal(SIGTERM);
    ASSERT_EQ(server_->Wait(std::chrono::seconds(15)), std::optional<int>(0));
    const std::string log = server_->log();
    std::set<std::string> ids;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        json j = json::parse(line, nullptr, false);
        ASSERT_TRUE(j.is_object()) << "not JSON: " << line;
        EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("msg")) << line;
        if (j["msg"] == "request") ids.insert(j["request_id"].get<std::string>());
    }
    EXPECT_TRUE(ids.count("nginx-42.a_b"));
    EXPECT_TRUE(ids.count(search.Header("x-request-id")));
    for (const char* secret : {"sjz.clerk", kPassword, "长安", "%E9%95%BF", "127.0.0.1\""}) {
        EXPECT_EQ(log.find(secret), std::string::npos) << secret << " in the log:\n" << log;
    }
}

// A database without users: `serve` makes the admin and prints its one-time password once.
TEST(FirstStart, ServeMakesAnAdminWithAOneTimePasswordThatMustBeChanged) {
    RECTIFY_SKIP_WITHOUT_BACKEND();
    TempDir dir;
    TestDatabase test_db(dir);
    ASSERT_EQ(test_db.error(), "");
    const std::string db = test_db.url();
    ASSERT_EQ(RunRectify(dir.path(), {"--db", db, "init"}).exit_code, 0);
    std::string password;
    {
        ServerProcess server(dir.path(), db, {});
        ASSERT_TRUE(server.started()) << server.log();
        std::ifstream out(dir.path() / "serve.out");
        std::string text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
        std::smatch m;
        ASSERT_TRUE(std::regex_search(text, m, std::regex("\n    (([2-9a-km-z]{5}-){3}[2-9a-km-z]{5})\n"))) << text;
        password = m[1];
        auto login = Send(server.port(), "POST", "/api/v1/session", json{{"name", "admin"}, {"password", password}}.dump());
        ASSERT_EQ(login.status, 201) << login.body;
        EXPECT_EQ(login.Json()["must_change_password"], true);
        EXPECT_EQ(login.Json()["grants"], json::array({{{"role", "admin"}, {"org_id", 1}}}));
        server.Signal(SIGTERM);
        EXPECT_EQ(server.Wait(std::chrono::seconds(15)), std::optional<int>(0));
    }
    ServerProcess again(dir.path(), db, {});
    ASSERT_TRUE(again.started()) << again.log();
    std::ifstream out(dir.path() / "serve.out");
    std::string text((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find(password), std::string::npos) << "the password is shown only once";
    EXPECT_EQ(text.find("one-time password"), std::string::npos);
}

TEST(FirstStartSqliteOnly, OnlyOneServerServesADatabase) {
    RECTIFY_SQLITE_ONLY("the lock file next to a SQLite database; several servers may share a PostgreSQL one");
    TempDir dir;
    const std::string db = dir.File("r.db");
    ASSERT_EQ(RunRectify(dir.path(), {"--db", db, "init"}).exit_code, 0);
    ServerProcess first(dir.path(), db, {});
    ASSERT_TRUE(first.started()) << first.log();
    TempDir other;
    ServerProcess second(other.path(), db, {});
    EXPECT_FALSE(second.started());
    EXPECT_NE(second.log().find("holds"), std::string::npos) << second.log();
    auto restore = RunRectify(dir.path(), {"--db", db, "restore", db, "--force"});
    EXPECT_EQ(restore.exit_code, 1);
    EXPECT_NE(restore.err.find("stop it before `restore`"), std::string::npos) << restore.err;
}

}  // namespace
}  // namespace rectify::testing
