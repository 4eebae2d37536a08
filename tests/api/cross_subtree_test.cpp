// The cross-subtree test (issue 4): users of two sibling subtrees, 河北省 and 天津市, each walk EVERY
// route the server has — the list comes from the server's own router (Api::Routes()), so a route added
// without a probe here fails the test — with the other side's ids (orgs, problems, opinions, users,
// grants, tokens) in the path, the query and the body. Nothing of the other side may be read or
// changed: the answers are 404 (or another 4xx where the actor lacks the role anyway), never 2xx,
// and no answer contains any of the other side's names or titles. Afterwards the other side's data is
// unchanged. Each probe is also sent with the actor's own ids (a control: the request is well-formed
// and would reach real data), and every non-public route answers 401 without credentials.
// Run for clerks and for subtree admins (the strongest role inside a subtree), over bearer tokens and
// over session cookies with their CSRF token.
#include <map>
#include <set>

#include "api_fixture.hpp"
#include "http/api.hpp"
#include "store/store.hpp"

namespace rectify::testing {
namespace {

// One side: its orgs, records, users and credentials. Placeholders in probes: {org}, {district},
// {code}, {orgname}, {problem}, {opinion}, {user}, {username}, {helper}, {grant}, {token}; "{own.x}"
// always names the acting side's x.
struct Side {
    std::string key;  // "hebei" or "tianjin"
    std::map<std::string, std::string> values;
    std::string token;   // bearer secret of the side's user
    std::string password;
    BrowserSession session;
    std::vector<std::string> markers;  // strings that only this side's data contains

    std::int64_t Id(const std::string& k) const { return std::stoll(values.at(k)); }
};

enum class Expect {
    kNotFound,  // 404
    kDenied,    // any 4xx (never 2xx): the actor lacks the role anyway, or the request is refused
    kNoLeak,    // any status but 5xx; the body shows nothing of the other side
    kOwnSession,  // acts on the caller's own session only (logout): may succeed; shows nothing else
};

struct Probe {
    std::string target;
    std::string body;  // "" for none
    Expect expect;
};

// Every route of the server with its probes. Keyed by "METHOD pattern" as Api::Routes() lists them.
const std::map<std::string, std::vector<Probe>>& ProbeTable() {
    static const std::map<std::string, std::vector<Probe>> table = {
        {"GET /healthz", {{"/healthz", "", Expect::kNoLeak}}},
        {"POST /api/v1/session",
         {{"/api/v1/session", R"({"name":"{username}","password":"not the password"})", Expect::kDenied}}},
        {"GET /api/v1/session", {{"/api/v1/session", "", Expect::kNoLeak}}},
        {"DELETE /api/v1/session", {{"/api/v1/session", "", Expect::kOwnSession}}},
        {"POST /api/v1/session/password",
         {{"/api/v1/session/password", R"({"old_password":"not the password","new_password":"whatever 12345"})",
           Expect::kDenied}}},
        {"GET /api/v1/users", {{"/api/v1/users?org_id={org}", "", Expect::kNotFound}, {"/api/v1/users", "", Expect::kNoLeak}}},
        {"POST /api/v1/users",
         {{"/api/v1/users", R"({"name":"intruder.a","org_id":{org},"password":"intruder password"})", Expect::kNotFound},
          {"/api/v1/users",
           R"({"name":"intruder.b","org_id":{own.org},"password":"intruder password","grants":[{"role":"clerk","org_id":{org}}]})",
           Expect::kDenied}}},
        {"GET /api/v1/users/{id}", {{"/api/v1/users/{user}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/users/{id}", {{"/api/v1/users/{helper}", R"({"disabled":true})", Expect::kNotFound}}},
        {"POST /api/v1/users/{id}/password", {{"/api/v1/users/{helper}/password", "{}", Expect::kNotFound}}},
        {"POST /api/v1/users/{id}/grants",
         {{"/api/v1/users/{helper}/grants", R"({"role":"clerk","org_id":{own.org}})", Expect::kNotFound},
          {"/api/v1/users/{own.helper}/grants", R"({"role":"leader","org_id":{org}})", Expect::kDenied}}},
        {"DELETE /api/v1/users/{id}/grants/{grant_id}",
         {{"/api/v1/users/{helper}/grants/{grant}", "", Expect::kNotFound},
          {"/api/v1/users/{own.helper}/grants/{grant}", "", Expect::kDenied}}},
        {"GET /api/v1/tokens", {{"/api/v1/tokens?user_id={user}", "", Expect::kNotFound}, {"/api/v1/tokens", "", Expect::kNoLeak}}},
        {"POST /api/v1/tokens",
         {{"/api/v1/tokens", R"({"name":"probe","grants":[{"role":"clerk","org_id":{org}}]})", Expect::kDenied}}},
        {"DELETE /api/v1/tokens/{id}", {{"/api/v1/tokens/{token}", "", Expect::kNotFound}}},
        {"GET /api/v1/audit/events",
         {{"/api/v1/audit/events?org_id={org}", "", Expect::kNotFound}, {"/api/v1/audit/events", "", Expect::kNoLeak}}},
        {"GET /api/v1/orgs",
         {{"/api/v1/orgs?division_code={code}", "", Expect::kNoLeak}, {"/api/v1/orgs?q={orgname}", "", Expect::kNoLeak}}},
        {"POST /api/v1/orgs", {{"/api/v1/orgs", R"({"parent_id":{org},"name":"入侵区","level":"county"})", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}", {{"/api/v1/orgs/{org}", "", Expect::kNotFound}, {"/api/v1/orgs/{district}", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/children", {{"/api/v1/orgs/{org}/children", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/ancestors", {{"/api/v1/orgs/{district}/ancestors", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/stats", {{"/api/v1/orgs/{org}/stats", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/stats/children", {{"/api/v1/orgs/{org}/stats/children", "", Expect::kNotFound}}},
        {"GET /api/v1/orgs/{id}/events", {{"/api/v1/orgs/{district}/events", "", Expect::kNotFound}}},
        {"GET /api/v1/levels", {{"/api/v1/levels", "", Expect::kNoLeak}}},
        {"GET /api/v1/categories", {{"/api/v1/categories", "", Expect::kNoLeak}}},
        {"GET /api/v1/problems",
         {{"/api/v1/problems?org_id={org}", "", Expect::kNotFound}, {"/api/v1/problems", "", Expect::kNoLeak}}},
        {"POST /api/v1/problems",
         {{"/api/v1/problems", R"({"title":"入侵问题","owner_org_id":{district}})", Expect::kNotFound},
          {"/api/v1/problems", R"({"title":"入侵问题","owner_org_id":{own.district},"opinion_ids":[{opinion}]})",
           Expect::kNotFound}}},
        {"GET /api/v1/problems/{id}", {{"/api/v1/problems/{problem}", "", Expect::kNotFound}}},
        {"PATCH /api/v1/problems/{id}", {{"/api/v1/problems/{problem}", R"({"version":1,"title":"改掉"})", Expect::kNotFound}}},
        {"GET /api/v1/problems/{id}/events", {{"/api/v1/problems/{problem}/events", "", Expect::kNotFound}}},
        {"GET /api/v1/opinions",
         {{"/api/v1/opinions?org_id={org}", "", Expect::kNotFound}, {"/api/v1/opinions", "", Expect::kNoLeak}}},
        {"POST /api/v1/opinions",
         {{"/api/v1/opinions", R"({"channel":"web","title":"入侵意见","org_id":{district}})", Expect::kNotFound}}},
        {"GET /api/v1/opinions/{id}", {{"/api/v1/opinions/{opinion}", "", Expect::kNotFound}}},
        {"GET /api/v1/opinions/{id}/events", {{"/api/v1/opinions/{opinion}/events", "", Expect::kNotFound}}},
    };
    return table;
}

// Every route the server has, from its router (an Api over a throwaway database).
std::vector<http::RouteInfo> ServerRoutes() {
    TempDir dir;
    auto store = store::Store::OpenSqlite(dir.File("routes.db"), store::OpenMode::kCreateIfMissing);
    EXPECT_TRUE(store.ok());
    auto svc = service::Service::Create(std::move(store).value());
    EXPECT_TRUE(svc.ok());
    http::Api api(**svc, http::ApiOptions{});
    return api.Routes();
}

std::string Fill(std::string text, const Side& target, const Side& own) {
    auto replace_all = [&](const std::string& key, const std::string& value) {
        for (std::size_t at; (at = text.find(key)) != std::string::npos;) text.replace(at, key.size(), value);
    };
    for (const auto& [k, v] : own.values) replace_all("{own." + k + "}", v);
    for (const auto& [k, v] : target.values) replace_all("{" + k + "}", v);
    return text;
}

class CrossSubtree : public ApiServer, public ::testing::WithParamInterface<std::string> {
protected:
    // Users are made before the server starts (the CLI); records after (over HTTP, as the root admin).
    void BeforeServe() override {
        WriteFile(dir_.path() / "tianjin.csv",
                  "path,level,kind,batch,division_code\n"
                  "天津市,province,party_gov_agency,1,12\n"
                  "天津市/和平区,county,party_gov_agency,1,120101\n");
        auto imported = RunRectify(dir_.path(), {"--db", db_, "import", "orgs", dir_.File("tianjin.csv")});
        ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
        // Orgs: 河北省 2 > 石家庄市 3 (from the fixture); 天津市 9 > 和平区 10.
        hebei_ = {"hebei", {{"org", "2"}, {"district", "3"}, {"code", "13"}, {"orgname", "%E6%B2%B3%E5%8C%97"}}};
        tianjin_ = {"tianjin", {{"org", "9"}, {"district", "10"}, {"code", "12"}, {"orgname", "%E5%A4%A9%E6%B4%A5"}}};
        for (Side* s : {&hebei_, &tianjin_}) {
            const std::string org = "code:" + s->values["code"];
            s->password = "password of " + s->key;
            std::string error;
            ASSERT_TRUE(AddUser(dir_.path(), db_, s->key + ".user", org, {GetParam()}, s->password, &error)) << error;
            const std::string district = s->key == "hebei" ? "code:1301" : "code:120101";
            ASSERT_TRUE(AddUser(dir_.path(), db_, s->key + ".helper", district, {"clerk"}, "helper password", &error))
                << error;
            s->values["username"] = s->key + ".user";
            for (const char* name : {"auth", "spare"}) {
                auto t = RunRectify(dir_.path(), {"--db", db_, "token", "create", "--user", s->key + ".user", "--name",
                                                  std::string(name) + " token of " + s->key});
                ASSERT_EQ(t.exit_code, 0) << t.err;
                json j = json::parse(t.out);
                if (std::string(name) == "auth") {
                    s->token = j["secret"];
                } else {
                    s->values["token"] = std::to_string(j["token"]["id"].get<std::int64_t>());
                }
            }
        }
        hebei_.markers = {"河北省", "石家庄市", "hebei.", "机密问题-河北", "机密意见-河北", "token of hebei"};
        tianjin_.markers = {"天津市", "和平区", "tianjin.", "机密问题-天津", "机密意见-天津", "token of tianjin"};
    }

    // The records of each side, made by the root admin; then ids of users and grants; then sessions.
    void MakeRecords() {
        for (Side* s : {&hebei_, &tianjin_}) {
            const std::string side = s->key == "hebei" ? "河北" : "天津";
            s->values["problem"] = std::to_string(CreateProblem("机密问题-" + side, s->Id("district")));
            auto op = Post("/api/v1/opinions",
                           json{{"channel", "web"}, {"title", "机密意见-" + side}, {"org_id", s->Id("district")}}.dump());
            ASSERT_EQ(op.status, 201) << op.body;
            s->values["opinion"] = std::to_string(op.Json()["id"].get<std::int64_t>());
            auto users = Get("/api/v1/users?org_id=" + s->values["org"]);
            ASSERT_EQ(users.status, 200) << users.body;
            const json items = users.Json()["items"];
            for (const auto& u : items) {
                const std::string name = u["name"];
                if (name == s->key + ".user") s->values["user"] = std::to_string(u["id"].get<std::int64_t>());
                if (name == s->key + ".helper") {
                    s->values["helper"] = std::to_string(u["id"].get<std::int64_t>());
                    s->values["grant"] = std::to_string(u["grants"][0]["id"].get<std::int64_t>());
                }
            }
            ASSERT_TRUE(s->values.count("user") && s->values.count("helper"));
            s->session = Login(s->key + ".user", s->password);
            ASSERT_FALSE(s->session.csrf.empty());
        }
    }

    // What a side looks like to the root admin: compared before and after the other side's walk.
    json Snapshot(const Side& s) {
        json snap;
        for (const std::string& p : {"/api/v1/problems/" + s.values.at("problem"),
                                     "/api/v1/opinions/" + s.values.at("opinion"), "/api/v1/users/" + s.values.at("user"),
                                     "/api/v1/users/" + s.values.at("helper"), "/api/v1/orgs/" + s.values.at("org"),
                                     "/api/v1/orgs/" + s.values.at("org") + "/children",
                                     "/api/v1/orgs/" + s.values.at("org") + "/stats",
                                     "/api/v1/users?org_id=" + s.values.at("org"),
                                     "/api/v1/tokens?user_id=" + s.values.at("user"),
                                     "/api/v1/audit/events?org_id=" + s.values.at("org") + "&limit=5000"}) {
            auto r = Get(p);
            EXPECT_EQ(r.status, 200) << p << ": " << r.body;
            json j = r.Json();
            if (j.is_object() && j.contains("items")) {
                for (auto& item : j["items"]) item.erase("last_used_at");  // reads may touch this
            }
            j.erase("last_used_at");
            snap[p] = j;
        }
        return snap;
    }

    Headers AuthOf(const Side& s, bool session, const std::string& method) {
        if (session) return s.session.Auth(method != "GET");
        return {{"Authorization", "Bearer " + s.token}};
    }

    // `attacker` walks every probe with `target`'s ids. Returns the number of requests made.
    int Walk(const Side& attacker, const Side& target, bool session, bool control) {
        const std::string who = attacker.key + (session ? " (session)" : " (token)") +
                                (control ? " on its own data" : " against " + target.key);
        int requests = 0;
        std::vector<std::pair<std::string, Probe>> last;  // the logout goes last
        auto send = [&](const std::string& method, const std::string& route, const Probe& p) {
            const std::string path = Fill(p.target, target, attacker);
            const std::string body = Fill(p.body, target, attacker);
            auto r = Send(port(), method, path, body, AuthOf(attacker, session, method));
            ++requests;
            const std::string what = who + ": " + method + " " + path + (body.empty() ? "" : " " + body);
            EXPECT_LT(r.status, 500) << what << " -> " << r.status << " " << r.body;
            if (control) {
                // The same request on its own data is well-formed and finds what it names.
                EXPECT_NE(r.status, 400) << what << " -> " << r.body;
                if (p.expect == Expect::kNotFound) EXPECT_NE(r.status, 404) << what << " -> " << r.body;
                return;
            }
            if (p.expect == Expect::kNotFound) EXPECT_EQ(r.status, 404) << what << " -> " << r.body;
            if (p.expect == Expect::kDenied) {
                EXPECT_TRUE(r.status >= 400 && r.status < 500) << what << " -> " << r.status << " " << r.body;
            }
            if (r.status >= 200 && r.status < 300 && p.expect != Expect::kOwnSession) {
                EXPECT_EQ(method, "GET") << what << ": a change was accepted -> " << r.status << " " << r.body;
            }
            for (const auto& m : target.markers) {
                if (path.find(m) != std::string::npos || body.find(m) != std::string::npos) continue;
                EXPECT_EQ(r.body.find(m), std::string::npos) << what << " shows \"" << m << "\": " << r.body;
            }
        };
        for (const auto& route : routes_) {
            const std::string key = route.method + " " + route.pattern;
            for (const auto& p : ProbeTable().at(key)) {
                if (key == "DELETE /api/v1/session") {
                    last.emplace_back(route.method, p);
                    continue;
                }
                // Controls that would end the walk's own credentials or lock its own user are skipped.
                if (control && (key.rfind("POST /api/v1/session", 0) == 0)) continue;
                send(route.method, route.pattern, p);
            }
        }
        if (!control) {
            for (const auto& [method, p] : last) send(method, "DELETE /api/v1/session", p);
        }
        return requests;
    }

    Side hebei_, tianjin_;
    std::vector<http::RouteInfo> routes_ = ServerRoutes();
};

TEST_P(CrossSubtree, NeitherSideReadsOrChangesTheOthersDataOnAnyRoute) {
    MakeRecords();
    ASSERT_FALSE(HasFatalFailure());
    // The probe table covers exactly the server's routes.
    std::set<std::string> routes;
    for (const auto& r : routes_) routes.insert(r.method + " " + r.pattern);
    for (const auto& key : routes) EXPECT_TRUE(ProbeTable().count(key)) << "no probe for the route " << key;
    for (const auto& [key, probes] : ProbeTable()) EXPECT_TRUE(routes.count(key)) << "probe for no route: " << key;
    ASSERT_FALSE(HasFailure());

    const json hebei_before = Snapshot(hebei_);
    const json tianjin_before = Snapshot(tianjin_);
    int requests = 0;
    for (bool session : {false, true}) {
        requests += Walk(hebei_, tianjin_, session, false);
        requests += Walk(tianjin_, hebei_, session, false);
    }
    EXPECT_GE(requests, 4 * static_cast<int>(routes_.size()));
    EXPECT_EQ(Snapshot(hebei_), hebei_before) << "河北省's data changed";
    EXPECT_EQ(Snapshot(tianjin_), tianjin_before) << "天津市's data changed";

    // Controls, after the attacks: each probe on the actor's own data is well-formed and finds it.
    for (Side* s : {&hebei_, &tianjin_}) {
        s->session = Login(s->key + ".user", s->password);
        Walk(*s, *s, false, true);
    }
}

TEST_P(CrossSubtree, EveryRouteButTheLoginAndHealthAnswers401WithoutValidCredentials) {
    MakeRecords();
    ASSERT_FALSE(HasFatalFailure());
    int checked = 0;
    for (const auto& route : routes_) {
        const std::string key = route.method + " " + route.pattern;
        for (const auto& p : ProbeTable().at(key)) {
            const std::string path = Fill(p.target, hebei_, hebei_);
            const std::string body = Fill(p.body, hebei_, hebei_);
            const std::vector<Headers> anonymous = {
                {},
                {{"Authorization", "Bearer rct_" + std::string(43, 'x')}},
                {{"Authorization", "Bearer " + hebei_.token + "x"}},
                {{"Cookie", "rectify_session=" + std::string(43, 'x')}, {"X-CSRF-Token", hebei_.session.csrf}},
                {{"Authorization", "Basic aGViZWkudXNlcjpwYXNzd29yZCBvZiBoZWJlaQ=="}},
            };
            for (const auto& headers : anonymous) {
                auto r = Send(port(), route.method, path, body, headers);
                if (route.access == http::Access::kPublic) continue;  // health, and the login itself
                EXPECT_TRUE(IsError(r, 401, "unauthenticated")) << route.method << " " << path;
                EXPECT_EQ(r.Header("www-authenticate"), "Bearer realm=\"rectify\"") << path;
                ++checked;
            }
        }
    }
    EXPECT_GT(checked, 5 * 30);
}

INSTANTIATE_TEST_SUITE_P(Roles, CrossSubtree, ::testing::Values("clerk", "admin"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rectify::testing
