// Study sessions and research visits (issue 12, docs/STUDY.md) over HTTP against the real binary: recording
// a session with an attendance list, validation errors that name the JSON pointer, scope (an org outside the
// caller's subtree is 404 on every route) and roles, PATCH and DELETE with versions, list filters and pages;
// a visit whose opinions enter the opinion inbox and whose accepted opinion's problem links back; the
// figures of a subtree and its children checked against counts worked out by hand below; and the
// supervisor's queue of orgs without study or research. The org tree is api_fixture.hpp's (河北省 2 >
// 石家庄市 3 > 长安区 4 > 建北街道 6, 桥西区 5; 唐山市 7; 山西省 8).
#include <chrono>
#include <ctime>
#include <set>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

// "YYYY-MM-DD" of `days` days before now, UTC (the server counts in its display zone, at most a day apart:
// the dates below keep several days from every boundary).
std::string DaysAgo(int days) {
    const std::time_t t = std::time(nullptr) - static_cast<std::time_t>(days) * 86400;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
    return buf;
}

class StudyApi : public ApiServer {
  protected:
    void BeforeServe() override {
        sjz_clerk_ = MakeUserToken(dir_.path(), db_, "sjz.clerk", "code:1301", {"clerk"});
        sjz_leader_ = MakeUserToken(dir_.path(), db_, "sjz.leader", "code:1301", {"leader"});
        shanxi_admin_ = MakeUserToken(dir_.path(), db_, "shanxi.admin", "code:14", {"admin"});
        for (const auto* t : {&sjz_clerk_, &sjz_leader_, &shanxi_admin_}) ASSERT_FALSE(t->empty());
    }

    HttpResponse As(const std::string& token, const std::string& method, const std::string& target,
                    const std::string& body = "", Headers headers = {}) {
        headers.emplace_back("Authorization", "Bearer " + token);
        return Send(port(), method, target, body, headers);
    }

    // Records a session as the root admin and returns its id (asserting 201).
    std::int64_t Session(std::int64_t org, const std::string& date, double hours, std::int64_t expected,
                         std::int64_t present, const std::string& form = "collective_study") {
        json body = {{"held_on", date}, {"topic", "学习"},      {"form", form},
                     {"hours", hours},  {"expected", expected}, {"present", present}};
        auto r = Post("/api/v1/orgs/" + std::to_string(org) + "/study-sessions", body.dump());
        EXPECT_EQ(r.status, 201) << r.body;
        return r.Json().value("id", std::int64_t{0});
    }

    // Records a visit as the root admin with `opinions` opinions heard; returns the visit's JSON.
    json Visit(std::int64_t org, const std::string& date, int opinions) {
        json ops = json::array();
        for (int i = 0; i < opinions; ++i) ops.push_back({{"text", "意见 " + std::to_string(i + 1)}});
        json body = {{"visitors", {"调研组"}}, {"place", "某社区"}, {"visited_on", date}, {"opinions", ops}};
        auto r = Post("/api/v1/orgs/" + std::to_string(org) + "/research-visits", body.dump());
        EXPECT_EQ(r.status, 201) << r.body;
        return r.Json();
    }

    // Accepts an opinion into a new problem (or into `problem` when given); returns the problem id.
    std::int64_t Accept(std::int64_t opinion, std::optional<std::int64_t> problem = std::nullopt) {
        json body = problem ? json{{"problem_id", *problem}} : json{{"title", "问题 " + std::to_string(opinion)}};
        auto r = Post("/api/v1/opinions/" + std::to_string(opinion) + "/accept", body.dump());
        EXPECT_EQ(r.status, 200) << r.body;
        return r.Json()["problem"].value("id", std::int64_t{0});
    }

    std::string sjz_clerk_, sjz_leader_, shanxi_admin_;
};

// The error message of a 400 starts with the JSON pointer `pointer` followed by ": ".
::testing::AssertionResult Names(const HttpResponse& r, const std::string& pointer) {
    if (!IsError(r, 400, "invalid_argument")) return IsError(r, 400, "invalid_argument");
    const std::string m = Message(r);
    if (m.rfind(pointer + ": ", 0) != 0) return ::testing::AssertionFailure() << "message \"" << m << "\"";
    return ::testing::AssertionSuccess();
}

TEST_F(StudyApi, RecordsASessionWithAttendanceAndKeepsItInsideTheOrgsSubtree) {
    const json body = {{"held_on", "2026-03-01"},
                       {"topic", "学习党章党规"},
                       {"form", "collective_study"},
                       {"materials", "《中国共产党章程》"},
                       {"hours", 2.5},
                       {"attendance",
                        {{{"name", "张三"}, {"present", true}},
                         {{"name", "李四"}, {"present", false}},
                         {{"name", "王五"}, {"present", true}}}}};
    auto created = As(sjz_clerk_, "POST", "/api/v1/orgs/4/study-sessions", body.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const json s = created.Json();
    const std::string path = "/api/v1/study-sessions/" + std::to_string(s["id"].get<std::int64_t>());
    EXPECT_EQ(created.Header("location"), path);
    EXPECT_EQ(s["org_id"], 4);
    EXPECT_EQ(s["hours"], 2.5);
    EXPECT_EQ(s["expected"], 3);  // three names
    EXPECT_EQ(s["present"], 2);   // 张三 and 王五
    EXPECT_DOUBLE_EQ(s["participation"].get<double>(), 2.0 / 3.0);
    EXPECT_EQ(s["attendance"][1], json({{"name", "李四"}, {"present", false}}));
    EXPECT_EQ(s["version"], 1);

    // Outside the subtree every route answers 404; a leader may read but not write (403).
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", path), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "PATCH", path, R"({"topic":"x","version":1})"), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "DELETE", path, "", {{"If-Match", "\"1\""}}), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/4/study-sessions"), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "POST", "/api/v1/orgs/4/study-sessions", body.dump()), 404, "not_found"));
    EXPECT_TRUE(IsError(As(sjz_clerk_, "POST", "/api/v1/orgs/8/study-sessions", body.dump()), 404, "not_found"));
    EXPECT_EQ(As(sjz_leader_, "GET", path).status, 200);
    EXPECT_TRUE(
        IsError(As(sjz_leader_, "POST", "/api/v1/orgs/4/study-sessions", body.dump()), 403, "permission_denied"));

    // Validation names the field by its JSON pointer, and nothing is stored.
    auto with = [&](const json& change) {
        json b = body;
        b.update(change);
        return As(sjz_clerk_, "POST", "/api/v1/orgs/4/study-sessions", b.dump());
    };
    EXPECT_TRUE(Names(with({{"hours", 0}}), "/hours"));
    EXPECT_TRUE(Names(with({{"hours", 24.5}}), "/hours"));
    EXPECT_TRUE(Names(with({{"hours", 1.234}}), "/hours"));
    EXPECT_TRUE(Names(with({{"hours", "2"}}), "/hours"));
    EXPECT_TRUE(Names(with({{"held_on", "2026-02-30"}}), "/held_on"));
    EXPECT_TRUE(Names(with({{"form", "lecture"}}), "/form"));
    EXPECT_TRUE(Names(with({{"topic", " "}}), "/topic"));
    EXPECT_TRUE(Names(with({{"expected", 4}}), "/expected"));  // the roster has 3 names
    EXPECT_TRUE(Names(with({{"present", 3}}), "/present"));    // 2 are marked present
    EXPECT_TRUE(
        Names(with({{"attendance", {{{"name", "张三"}, {"present", true}}, {{"name", "张三"}, {"present", false}}}}}),
              "/attendance/1/name"));
    EXPECT_TRUE(Names(with({{"attendance", {{{"name", "张三"}}}}}), "/attendance/0"));
    json no_roster = body;
    no_roster.erase("attendance");
    no_roster["expected"] = 10;
    no_roster["present"] = 11;
    EXPECT_TRUE(Names(As(sjz_clerk_, "POST", "/api/v1/orgs/4/study-sessions", no_roster.dump()), "/present"));
    no_roster.erase("present");
    EXPECT_TRUE(Names(As(sjz_clerk_, "POST", "/api/v1/orgs/4/study-sessions", no_roster.dump()), "/present"));
    EXPECT_EQ(Get("/api/v1/orgs/4/study-sessions").Json()["items"].size(), 1u);

    // PATCH: a stale version is 409; the roster changed makes the counts follow it.
    EXPECT_TRUE(IsError(As(sjz_clerk_, "PATCH", path, R"({"topic":"x","version":7})"), 409, "aborted"));
    json roster = {{"attendance",
                    {{{"name", "张三"}, {"present", true}},
                     {{"name", "李四"}, {"present", true}},
                     {{"name", "王五"}, {"present", true}},
                     {{"name", "赵六"}, {"present", false}}}}};
    auto patched = As(sjz_clerk_, "PATCH", path, roster.dump(), {{"If-Match", "\"1\""}});
    ASSERT_EQ(patched.status, 200) << patched.body;
    EXPECT_EQ(patched.Json()["expected"], 4);
    EXPECT_EQ(patched.Json()["present"], 3);
    EXPECT_EQ(patched.Json()["version"], 2);
    EXPECT_EQ(patched.Json()["topic"], "学习党章党规");  // untouched

    // DELETE with a stale If-Match is 409; with the current one the session is gone.
    EXPECT_TRUE(IsError(As(sjz_clerk_, "DELETE", path, "", {{"If-Match", "\"1\""}}), 409, "aborted"));
    auto deleted = As(sjz_clerk_, "DELETE", path, "", {{"If-Match", "\"2\""}});
    EXPECT_EQ(deleted.status, 204) << deleted.body;
    EXPECT_TRUE(IsError(Get(path), 404, "not_found"));

    // The event log holds the three changes of the session.
    auto events = Get("/api/v1/audit/events?org_id=4");
    ASSERT_EQ(events.status, 200) << events.body;
    std::vector<std::string> actions;
    const json log = events.Json();
    for (const auto& e : log["items"]) {
        if (e["entity"] == "study_session") actions.push_back(e["action"].get<std::string>());
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"create", "update", "delete"}));
}

TEST_F(StudyApi, ListsSessionsOfASubtreeNewestFirstWithFiltersAndPages) {
    const auto a = Session(4, "2026-03-01", 2, 10, 8);
    const auto b = Session(6, "2026-03-05", 1, 4, 3, "party_lecture");
    const auto c = Session(5, "2026-04-01", 3, 20, 15);
    const auto d = Session(8, "2026-04-02", 3, 20, 15);  // 山西省: outside 石家庄市
    auto list = [&](const std::string& query) {
        auto r = Get("/api/v1/orgs/3/study-sessions" + query);
        EXPECT_EQ(r.status, 200) << r.body;
        return Ids(r.Json()["items"]);
    };
    EXPECT_EQ(list(""), (std::vector<std::int64_t>{c, b, a}));
    EXPECT_EQ(list("?from=2026-03-02&to=2026-03-31"), (std::vector<std::int64_t>{b}));
    EXPECT_EQ(list("?form=party_lecture"), (std::vector<std::int64_t>{b}));
    auto first = Get("/api/v1/orgs/3/study-sessions?limit=2");
    ASSERT_EQ(Ids(first.Json()["items"]), (std::vector<std::int64_t>{c, b}));
    const std::string cursor = first.Json()["next_cursor"].get<std::string>();
    auto second = Get("/api/v1/orgs/3/study-sessions?limit=2&cursor=" + UrlEncode(cursor));
    EXPECT_EQ(Ids(second.Json()["items"]), (std::vector<std::int64_t>{a}));
    EXPECT_TRUE(second.Json()["next_cursor"].is_null());
    EXPECT_EQ(list("?limit=10").size(), 3u);
    EXPECT_NE(d, 0);
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/study-sessions?from=2026-13-01"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/study-sessions?from=2026-05-01&to=2026-04-01"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/study-sessions?cursor=zzz"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/study-sessions?form=x"), 400, "invalid_argument"));
}

TEST_F(StudyApi, AVisitFilesItsOpinionsIntoTheInboxAndLinksTheProblemsTheyBecame) {
    const json body = {
        {"visitors", {"张书记", "李主任"}},
        {"visited_org_id", 6},
        {"place", "建北街道某小区"},
        {"visited_on", "2026-03-10"},
        {"met", "居民代表 5 人"},
        {"summary", "路灯和垃圾清运问题反映集中"},
        {"opinions",
         {{{"text", "小区路灯不亮，晚上出行不便"}},
          {{"text", "垃圾清运不及时，夏天气味大"}, {"title", "垃圾清运"}, {"org_id", 4}, {"kind", "complaint"}}}}};
    auto created = As(sjz_clerk_, "POST", "/api/v1/orgs/3/research-visits", body.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const json v = created.Json();
    const std::string path = "/api/v1/research-visits/" + std::to_string(v["id"].get<std::int64_t>());
    EXPECT_EQ(created.Header("location"), path);
    EXPECT_EQ(v["visitors"], json({"张书记", "李主任"}));
    EXPECT_EQ(v["visited_org"]["name"], "建北街道");
    ASSERT_EQ(v["opinions"].size(), 2u);
    const json o1 = v["opinions"][0], o2 = v["opinions"][1];
    EXPECT_EQ(o1["channel"], "research_visit");
    EXPECT_EQ(o1["status"], "received");
    EXPECT_EQ(o1["org_id"], 3);                            // the visit's org by default
    EXPECT_EQ(o1["title"], "小区路灯不亮，晚上出行不便");  // the text, under 40 characters
    EXPECT_EQ(o2["org_id"], 4);
    EXPECT_EQ(o2["title"], "垃圾清运");
    EXPECT_EQ(o2["kind"], "complaint");
    EXPECT_TRUE(o1["problem"].is_null());
    const auto op1 = o1["id"].get<std::int64_t>(), op2 = o2["id"].get<std::int64_t>();

    // Both are in the opinion inbox (status received, channel research_visit) of 石家庄市's subtree.
    auto inbox = As(sjz_clerk_, "GET", "/api/v1/opinions?org_id=3&status=received&channel=research_visit");
    ASSERT_EQ(inbox.status, 200) << inbox.body;
    auto ids = Ids(inbox.Json()["items"]);
    EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()), (std::set<std::int64_t>{op1, op2}));

    // Accepting the first makes a problem; the visit lists it, and the problem lists the opinion.
    const auto problem = Accept(op1);
    ASSERT_NE(problem, 0);
    auto detail = As(sjz_clerk_, "GET", path);
    ASSERT_EQ(detail.status, 200) << detail.body;
    EXPECT_EQ(detail.Json()["opinions"][0]["problem"]["id"], problem);
    EXPECT_EQ(detail.Json()["opinions"][0]["problem_id"], problem);
    EXPECT_EQ(detail.Json()["opinions"][0]["status"], "accepted");
    EXPECT_TRUE(detail.Json()["opinions"][1]["problem"].is_null());
    auto p = Get("/api/v1/problems/" + std::to_string(problem));
    EXPECT_EQ(p.Json()["opinion_ids"], json({op1}));

    // More opinions later; a bad one stores nothing of the call.
    EXPECT_TRUE(Names(As(sjz_clerk_, "POST", path + "/opinions", R"({"opinions":[{"text":"好"},{"text":"  "}]})"),
                      "/opinions/1/text"));
    EXPECT_TRUE(IsError(As(sjz_clerk_, "POST", path + "/opinions", R"({"opinions":[{"text":"x","org_id":8}]})"), 404,
                        "not_found"));
    EXPECT_EQ(As(sjz_clerk_, "GET", path).Json()["opinions"].size(), 2u);
    auto more = As(sjz_clerk_, "POST", path + "/opinions", R"({"opinions":[{"text":"希望增加健身设施"}]})");
    ASSERT_EQ(more.status, 201) << more.body;
    EXPECT_EQ(more.Json()["opinions"].size(), 3u);

    // Scope and roles: 404 outside the subtree (the visit, its org, a visited org), 403 for a leader.
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", path), 404, "not_found"));
    EXPECT_TRUE(
        IsError(As(shanxi_admin_, "POST", path + "/opinions", R"({"opinions":[{"text":"x"}]})"), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/3/research-visits"), 404, "not_found"));
    json elsewhere = body;
    elsewhere["visited_org_id"] = 8;
    EXPECT_TRUE(IsError(As(sjz_clerk_, "POST", "/api/v1/orgs/3/research-visits", elsewhere.dump()), 404, "not_found"));
    EXPECT_TRUE(
        IsError(As(sjz_leader_, "POST", "/api/v1/orgs/3/research-visits", body.dump()), 403, "permission_denied"));
    EXPECT_TRUE(IsError(As(sjz_leader_, "POST", path + "/opinions", R"({"opinions":[{"text":"x"}]})"), 403,
                        "permission_denied"));

    // Validation names the field; a visit with a bad opinion stores neither the visit nor any opinion.
    auto with = [&](const json& change) {
        json b = body;
        b.update(change);
        return As(sjz_clerk_, "POST", "/api/v1/orgs/3/research-visits", b.dump());
    };
    EXPECT_TRUE(Names(with({{"visitors", json::array()}}), "/visitors"));
    EXPECT_TRUE(Names(with({{"visitors", {"张书记", ""}}}), "/visitors/1"));
    EXPECT_TRUE(Names(with({{"visited_on", "2026-3-10"}}), "/visited_on"));
    json nowhere = body;
    nowhere.erase("visited_org_id");
    nowhere["place"] = "";
    EXPECT_TRUE(Names(As(sjz_clerk_, "POST", "/api/v1/orgs/3/research-visits", nowhere.dump()), "/place"));
    EXPECT_TRUE(
        Names(with({{"opinions", {{{"text", "好"}}, {{"text", "x"}, {"kind", "praise"}}}}}), "/opinions/1/kind"));
    EXPECT_TRUE(Names(with({{"opinions", {{{"text", "好"}}, {{"text", ""}}}}}), "/opinions/1/text"));
    EXPECT_EQ(Ids(Get("/api/v1/orgs/3/research-visits").Json()["items"]).size(), 1u);
    EXPECT_EQ(Get("/api/v1/opinions?org_id=3&channel=research_visit").Json()["items"].size(), 3u);
}

// Sessions and visits worked out by hand (range 2026-01-01..2026-06-30 unless noted):
//   sessions  S1 长安区 4   2026-03-01  2.5 h  8/10
//             S2 建北街道 6 2026-03-05  1 h    3/4 (roster)
//             S3 桥西区 5   2026-04-01  3 h    15/20
//             S4 唐山市 7   2026-05-01  2 h    5/5     (outside 石家庄市)
//             S5 长安区 4   2025-12-31  4 h    10/10   (before the range)
//             S6 石家庄市 3 2026-02-01  1.5 h  6/6     (the org itself)
//   visits    V1 长安区 4   2026-03-10  2 opinions -> problem X (both: the second joins X)
//             V2 建北街道 6 2026-03-11  1 opinion  -> problem Y
//             V3 桥西区 5   2026-04-02  0 opinions
//             V4 长安区 4   2026-07-01  1 opinion (after the range; not accepted)
// 石家庄市 3 in range: sessions S1 S2 S3 S6 = 4, hours 8, present 32 of 40; visits 3, opinions 3, 1 per
// visit, problems {X, Y} = 2. Own: S6 only. Child 长安区 4 (with 建北街道): S1 S2 = 2, 3.5 h, 11/14; V1 V2 = 2
// visits, 3 opinions, 1.5 per visit, 2 problems. Child 桥西区 5: 1 session, 3 h, 15/20; 1 visit, 0 opinions.
// Without a range: + S5 (5 sessions, 12 h, 42/50) and + V4 (4 visits, 4 opinions, still 2 problems).
TEST_F(StudyApi, FiguresOfASubtreeAndItsChildrenEqualCountsWorkedOutByHand) {
    Session(4, "2026-03-01", 2.5, 10, 8);
    json roster = {{"held_on", "2026-03-05"},
                   {"topic", "专题党课"},
                   {"form", "party_lecture"},
                   {"hours", 1},
                   {"attendance",
                    {{{"name", "甲"}, {"present", true}},
                     {{"name", "乙"}, {"present", true}},
                     {{"name", "丙"}, {"present", true}},
                     {{"name", "丁"}, {"present", false}}}}};
    ASSERT_EQ(Post("/api/v1/orgs/6/study-sessions", roster.dump()).status, 201);
    Session(5, "2026-04-01", 3, 20, 15);
    Session(7, "2026-05-01", 2, 5, 5);
    Session(4, "2025-12-31", 4, 10, 10);
    Session(3, "2026-02-01", 1.5, 6, 6);
    const json v1 = Visit(4, "2026-03-10", 2);
    const json v2 = Visit(6, "2026-03-11", 1);
    Visit(5, "2026-04-02", 0);
    Visit(4, "2026-07-01", 1);
    const auto x = Accept(v1["opinions"][0]["id"].get<std::int64_t>());
    EXPECT_EQ(Accept(v1["opinions"][1]["id"].get<std::int64_t>(), x), x);
    Accept(v2["opinions"][0]["id"].get<std::int64_t>());

    auto r = Get("/api/v1/orgs/3/stats/study?from=2026-01-01&to=2026-06-30");
    ASSERT_EQ(r.status, 200) << r.body;
    const json s = r.Json();
    auto rate = [](std::int64_t n, std::int64_t d) {
        return json{{"numerator", n}, {"denominator", d}, {"rate", static_cast<double>(n) / static_cast<double>(d)}};
    };
    EXPECT_EQ(s["from"], "2026-01-01");
    EXPECT_EQ(s["total"]["sessions"], 4);
    EXPECT_EQ(s["total"]["hours"], 8.0);
    EXPECT_EQ(s["total"]["participation"], rate(32, 40));
    EXPECT_EQ(s["total"]["visits"], 3);
    EXPECT_EQ(s["total"]["opinions"], 3);
    EXPECT_EQ(s["total"]["opinions_per_visit"], 1.0);
    EXPECT_EQ(s["total"]["problems"], 2);
    EXPECT_EQ(s["own"]["sessions"], 1);
    EXPECT_EQ(s["own"]["hours"], 1.5);
    EXPECT_EQ(s["own"]["participation"], rate(6, 6));
    EXPECT_EQ(s["own"]["visits"], 0);
    EXPECT_TRUE(s["own"]["opinions_per_visit"].is_null());
    ASSERT_EQ(s["children"].size(), 2u);
    const json c4 = s["children"][0], c5 = s["children"][1];
    EXPECT_EQ(c4["org"]["id"], 4);
    EXPECT_EQ(c4["sessions"], 2);
    EXPECT_EQ(c4["hours"], 3.5);
    EXPECT_EQ(c4["participation"], rate(11, 14));
    EXPECT_EQ(c4["visits"], 2);
    EXPECT_EQ(c4["opinions"], 3);
    EXPECT_EQ(c4["opinions_per_visit"], 1.5);
    EXPECT_EQ(c4["problems"], 2);
    EXPECT_EQ(c5["org"]["id"], 5);
    EXPECT_EQ(c5["sessions"], 1);
    EXPECT_EQ(c5["hours"], 3.0);
    EXPECT_EQ(c5["participation"], rate(15, 20));
    EXPECT_EQ(c5["visits"], 1);
    EXPECT_EQ(c5["opinions"], 0);
    EXPECT_EQ(c5["opinions_per_visit"], 0.0);
    EXPECT_EQ(c5["problems"], 0);

    auto all = Get("/api/v1/orgs/3/stats/study").Json();
    EXPECT_EQ(all["total"]["sessions"], 5);
    EXPECT_EQ(all["total"]["hours"], 12.0);
    EXPECT_EQ(all["total"]["participation"], rate(42, 50));
    EXPECT_EQ(all["total"]["visits"], 4);
    EXPECT_EQ(all["total"]["opinions"], 4);
    EXPECT_EQ(all["total"]["problems"], 2);

    // A leaf with nothing in the range: zeros and a null rate.
    auto empty = Get("/api/v1/orgs/5/stats/study?from=2026-06-01").Json();
    EXPECT_EQ(empty["total"]["sessions"], 0);
    EXPECT_TRUE(empty["total"]["participation"]["rate"].is_null());
    EXPECT_EQ(empty["children"], json::array());

    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/3/stats/study"), 404, "not_found"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/stats/study?from=2026-02-30"), 400, "invalid_argument"));
}

// The queue of orgs without study or research in the last N weeks (docs/STUDY.md#inactive). Leaves of the
// tree under 1: 桥西区 5, 建北街道 6, 唐山市 7, 山西省 8.
//   5: session and visit 3 days ago        -> active
//   6: session 3 days ago, no visit        -> listed, missing research
//   7: session 60 days ago, visit 3 days   -> listed (4 weeks), missing study; active over 104 weeks
//   8: nothing                             -> listed, missing both
TEST_F(StudyApi, TheInactiveQueueListsOrgsWithoutRecentStudyOrResearch) {
    const std::string recent = DaysAgo(3), old = DaysAgo(60);
    Session(5, recent, 2, 10, 10);
    Visit(5, recent, 0);
    Session(6, recent, 2, 10, 10);
    Session(7, old, 2, 10, 10);
    Visit(7, recent, 0);

    auto r = Get("/api/v1/orgs/1/study/inactive?weeks=4");
    ASSERT_EQ(r.status, 200) << r.body;
    const json q = r.Json();
    EXPECT_EQ(q["weeks"], 4);
    EXPECT_EQ(q["total"], 3);
    ASSERT_EQ(Ids(json::array({q["items"][0]["org"], q["items"][1]["org"], q["items"][2]["org"]})),
              (std::vector<std::int64_t>{6, 7, 8}));
    EXPECT_EQ(q["items"][0]["last_study_on"], recent);
    EXPECT_TRUE(q["items"][0]["last_visit_on"].is_null());
    EXPECT_EQ(q["items"][0]["missing"], json({"research"}));
    EXPECT_EQ(q["items"][1]["last_study_on"], old);
    EXPECT_EQ(q["items"][1]["missing"], json({"study"}));
    EXPECT_EQ(q["items"][2]["missing"], json({"study", "research"}));

    auto org_ids = [&](const std::string& target, const std::string& token) {
        auto res = As(token, "GET", target);
        EXPECT_EQ(res.status, 200) << res.body;
        std::vector<std::int64_t> out;
        const json body = res.Json();  // kept: a loop over a temporary's member would dangle
        for (const auto& item : body["items"]) out.push_back(item["org"]["id"].get<std::int64_t>());
        return out;
    };
    const std::string admin = token_;
    EXPECT_EQ(org_ids("/api/v1/orgs/1/study/inactive?weeks=104", admin), (std::vector<std::int64_t>{6, 8}));
    EXPECT_EQ(org_ids("/api/v1/orgs/1/study/inactive?level=county", admin), (std::vector<std::int64_t>{4}));
    EXPECT_EQ(org_ids("/api/v1/orgs/1/study/inactive?kind=school", admin), (std::vector<std::int64_t>{}));
    EXPECT_EQ(org_ids("/api/v1/orgs/1/study/inactive?limit=1&offset=1", admin), (std::vector<std::int64_t>{7}));
    EXPECT_EQ(org_ids("/api/v1/orgs/3/study/inactive", sjz_clerk_), (std::vector<std::int64_t>{6}));
    EXPECT_TRUE(IsError(As(sjz_clerk_, "GET", "/api/v1/orgs/1/study/inactive"), 404, "not_found"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/1/study/inactive?weeks=0"), 400, "invalid_argument"));
}

}  // namespace
}  // namespace rectify::testing
