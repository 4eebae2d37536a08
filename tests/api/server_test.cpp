// API tests against the real binary (fixture in api_fixture.hpp): each test initialises a temporary
// database, imports a small org tree, starts `rectify serve --port 0` as a child process and talks
// HTTP to it over loopback as an admin with an API token.
//
// The org tree of every test (ids in insertion order; init makes the root, id 1):
//   1 全国 (central)
//   ├─ 2 河北省 (13)
//   │  ├─ 3 石家庄市 (1301)
//   │  │  ├─ 4 长安区 (130102)
//   │  │  │  └─ 6 建北街道 (130102001)
//   │  │  └─ 5 桥西区 (130104)
//   │  └─ 7 唐山市 (1302)
//   └─ 8 山西省 (14)
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api_fixture.hpp"
#include "common/time.hpp"

namespace rectify::testing {
namespace {

// ---- health and headers ----

TEST_F(ApiServer, HealthzReportsOkAndTheSchemaVersion) {
    // The schema version is the number of migrations shipped in src/store/schema (001_..., 002_...).
    int migrations = 0;
    for (const auto& e : fs::directory_iterator(SourceDir() / "src/store/schema"))
        migrations += e.path().extension() == ".sql";
    auto r = Get("/healthz");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json(), (json{{"status", "ok"}, {"schema_version", migrations}}));
    EXPECT_EQ(r.Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
}

TEST_F(ApiServer, HeadAnswersTheLengthOfGetWithoutABody) {
    auto get = Get("/healthz");
    auto head = Send(port(), "HEAD", "/healthz");
    ASSERT_EQ(head.status, 200) << head.error;
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
}

TEST_F(ApiServer, KeepsTheConnectionOpenForASecondRequest) {
    Connection c(port());
    ASSERT_TRUE(c.connected()) << c.error();
    auto first = c.Send("GET", "/healthz");
    ASSERT_EQ(first.status, 200) << first.error;
    EXPECT_NE(first.Header("connection"), "close");
    auto second = c.Send("GET", "/api/v1/orgs/1", "", Auth());
    ASSERT_EQ(second.status, 200) << second.error;
    EXPECT_EQ(second.Json()["name"], "全国");
}

// ---- orgs ----

TEST_F(ApiServer, GetsAnOrgWithItsChildCountAndETag) {
    auto r = Get("/api/v1/orgs/3");
    ASSERT_EQ(r.status, 200) << r.body;
    json j = r.Json();
    EXPECT_EQ(j["id"], 3);
    EXPECT_EQ(j["name"], "石家庄市");
    EXPECT_EQ(j["level"], "city");
    EXPECT_EQ(j["parent_id"], 2);
    EXPECT_EQ(j["division_code"], "1301");
    EXPECT_EQ(j["path"], "/1/2/3/");
    EXPECT_EQ(j["kind"], "party_gov_agency");
    EXPECT_EQ(j["batch"], 1);
    EXPECT_EQ(j["child_count"], 2);  // 长安区, 桥西区
    EXPECT_EQ(j["version"], 1);
    EXPECT_EQ(r.Header("etag"), "\"1\"");
}

TEST_F(ApiServer, ListsChildrenInIdOrderWithTheirChildCounts) {
    auto r = Get("/api/v1/orgs/3/children");
    ASSERT_EQ(r.status, 200) << r.body;
    json items = r.Json()["items"];
    ASSERT_EQ(Ids(items), (std::vector<std::int64_t>{4, 5}));
    EXPECT_EQ(items[0]["name"], "长安区");
    EXPECT_EQ(items[0]["child_count"], 1);  // 建北街道
    EXPECT_EQ(items[1]["name"], "桥西区");
    EXPECT_EQ(items[1]["child_count"], 0);
}

TEST_F(ApiServer, ListsAncestorsFromTheRootDown) {
    auto r = Get("/api/v1/orgs/6/ancestors");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(Ids(r.Json()["items"]), (std::vector<std::int64_t>{1, 2, 3, 4, 6}));
}

TEST_F(ApiServer, LooksUpAnOrgByDivisionCode) {
    auto found = Get("/api/v1/orgs?division_code=130104");
    ASSERT_EQ(found.status, 200) << found.body;
    EXPECT_EQ(Ids(found.Json()["items"]), (std::vector<std::int64_t>{5}));
    EXPECT_EQ(found.Json()["items"][0]["name"], "桥西区");

    auto missing = Get("/api/v1/orgs?division_code=130199");
    ASSERT_EQ(missing.status, 200) << missing.body;
    EXPECT_EQ(missing.Json(), (json{{"items", json::array()}}));

    EXPECT_TRUE(IsError(Get("/api/v1/orgs"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs?division_code=13&q=x"), 400, "invalid_argument"));
}

TEST_F(ApiServer, SearchesOrgsByNameAndLimitsTheResult) {
    auto r = Get("/api/v1/orgs?q=" + UrlEncode("区"));
    ASSERT_EQ(r.status, 200) << r.body;
    auto ids = Ids(r.Json()["items"]);
    EXPECT_EQ(std::set<std::int64_t>(ids.begin(), ids.end()), (std::set<std::int64_t>{4, 5}));

    auto city = Get("/api/v1/orgs?q=" + UrlEncode("石家庄"));
    ASSERT_EQ(city.status, 200) << city.body;
    EXPECT_EQ(Ids(city.Json()["items"]), (std::vector<std::int64_t>{3}));

    auto one = Get("/api/v1/orgs?limit=1&q=" + UrlEncode("区"));
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_EQ(one.Json()["items"].size(), 1u);

    EXPECT_TRUE(IsError(Get("/api/v1/orgs?limit=0&q=x"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs?q=%FF"), 400, "invalid_argument"));  // not UTF-8
}

TEST_F(ApiServer, CreatesAnOrgUnderAParent) {
    auto r = Post("/api/v1/orgs",
                  json{{"parent_id", 7}, {"name", "路北区"}, {"level", "county"}, {"division_code", "130203"}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    json j = r.Json();
    EXPECT_EQ(j["id"], 9);  // after the 8 orgs of the fixture
    EXPECT_EQ(j["path"], "/1/2/7/9/");
    EXPECT_EQ(r.Header("location"), "/api/v1/orgs/9");
    EXPECT_EQ(Get("/api/v1/orgs/7").Json()["child_count"], 1);
    // The same name under the same parent again: a conflict.
    auto again = Post("/api/v1/orgs", json{{"parent_id", 7}, {"name", "路北区"}, {"level", "county"}}.dump());
    EXPECT_TRUE(IsError(again, 409, "already_exists"));
    EXPECT_TRUE(
        IsError(Post("/api/v1/orgs", json{{"parent_id", 7}, {"name", "x"}, {"level", "county"}, {"batch", 3}}.dump()),
                400, "invalid_argument"));
}

TEST_F(ApiServer, ListsLevelsAndCategories) {
    auto levels = Get("/api/v1/levels");
    ASSERT_EQ(levels.status, 200) << levels.body;
    std::vector<std::string> keys;
    const json level_items = levels.Json()["items"];
    for (const auto& l : level_items) keys.push_back(l["key"]);
    for (const char* k : {"central", "province", "city", "county", "township"}) {
        EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
    }
    auto cats = Get("/api/v1/categories");
    ASSERT_EQ(cats.status, 200) << cats.body;
    // 3 leaves with shared ancestors: 环境保护, 环境保护/环境污染, .../水污染, .../大气污染, 城乡建设,
    // 城乡建设/市政设施, .../路灯.
    EXPECT_EQ(cats.Json()["items"].size(), 7u);
}

// ---- problems ----

TEST_F(ApiServer, CreatesAProblemAndGetsItsDetail) {
    auto created = Post("/api/v1/problems", json{{"title", "路灯不亮"},
                                                 {"description", "建北街道三处路灯夜间不亮"},
                                                 {"owner_org_id", 6},
                                                 {"source", "self_inspection"},
                                                 {"severity", "serious"},
                                                 {"due_at", "2030-06-30T00:00:00Z"}}
                                                .dump());
    ASSERT_EQ(created.status, 201) << created.body;
    json p = created.Json();
    const auto id = p["id"].get<std::int64_t>();
    EXPECT_EQ(created.Header("location"), "/api/v1/problems/" + std::to_string(id));
    EXPECT_EQ(created.Header("etag"), "\"1\"");
    EXPECT_EQ(p["status"], "registered");
    EXPECT_EQ(p["owner_org_id"], 6);
    EXPECT_EQ(p["severity"], "serious");
    EXPECT_EQ(p["source"], "self_inspection");
    EXPECT_EQ(p["version"], 1);
    EXPECT_EQ(*ParseIso(p["due_at"].get<std::string>()), *ParseIso("2030-06-30T00:00:00Z"));

    auto got = Get("/api/v1/problems/" + std::to_string(id));
    ASSERT_EQ(got.status, 200) << got.body;
    json d = got.Json();
    EXPECT_EQ(d["title"], "路灯不亮");
    EXPECT_EQ(d["description"], "建北街道三处路灯夜间不亮");
    EXPECT_EQ(d["owner"]["name"], "建北街道");
    EXPECT_EQ(d["category"], nullptr);
    EXPECT_EQ(d["opinion_ids"], json::array());
    EXPECT_EQ(got.Header("etag"), "\"1\"");
}

TEST_F(ApiServer, PaginatesProblemsNewestFirstWithACursor) {
    std::vector<std::int64_t> created;
    for (int i = 1; i <= 7; ++i) created.push_back(CreateProblem("问题 " + std::to_string(i), 4));
    CreateProblem("另一个区的问题", 5);  // outside the listed subtree

    std::vector<std::vector<std::int64_t>> pages;
    std::string target = "/api/v1/problems?org_id=4&limit=3";
    for (int guard = 0; guard < 5; ++guard) {
        auto r = Get(target);
        ASSERT_EQ(r.status, 200) << r.body;
        json j = r.Json();
        pages.push_back(Ids(j["items"]));
        if (j["next_cursor"].is_null()) break;
        ASSERT_TRUE(j["next_cursor"].is_string()) << r.body;
        target = "/api/v1/problems?org_id=4&limit=3&cursor=" + UrlEncode(j["next_cursor"]);
    }
    // Ids grow with creation, so newest first is the creation order reversed: 7 6 5 | 4 3 2 | 1.
    ASSERT_EQ(pages.size(), 3u);
    EXPECT_EQ(pages[0], (std::vector<std::int64_t>{created[6], created[5], created[4]}));
    EXPECT_EQ(pages[1], (std::vector<std::int64_t>{created[3], created[2], created[1]}));
    EXPECT_EQ(pages[2], (std::vector<std::int64_t>{created[0]}));

    EXPECT_TRUE(IsError(Get("/api/v1/problems?limit=0"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?limit=501"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?limit=3x"), 400, "invalid_argument"));
    EXPECT_EQ(Get("/api/v1/problems?limit=500").status, 200);
}

TEST_F(ApiServer, FiltersProblemsBySubtreeStatusSourceCategoryAndTime) {
    const auto water = CategoryId("环境保护/环境污染/水污染");
    const auto lamps = CategoryId("城乡建设/市政设施/路灯");
    const auto env = CategoryId("环境保护");
    const auto a = CreateProblem("A", 4, {{"source", "audit"}, {"category_id", water}});
    const auto b = CreateProblem("B", 5, {{"source", "self_inspection"}, {"category_id", lamps}});
    const auto c = CreateProblem("C", 6, {{"source", "audit"}});
    const auto d = CreateProblem("D", 8, {{"source", "audit"}});

    auto ids = [&](const std::string& query) {
        auto r = Get("/api/v1/problems?" + query);
        EXPECT_EQ(r.status, 200) << query << ": " << r.body;
        return Ids(r.Json()["items"]);
    };
    using V = std::vector<std::int64_t>;
    EXPECT_EQ(ids("org_id=4"), (V{c, a}));     // 长安区 and its 建北街道
    EXPECT_EQ(ids("org_id=3"), (V{c, b, a}));  // 石家庄市
    EXPECT_EQ(ids(""), (V{d, c, b, a}));       // the whole scope
    EXPECT_EQ(ids("org_id=3&source=audit"), (V{c, a}));
    EXPECT_EQ(ids("status=registered,closed"), (V{d, c, b, a}));
    EXPECT_EQ(ids("status=closed"), V{});
    EXPECT_EQ(ids("category_id=" + std::to_string(env)), (V{a}));  // 环境保护 and below
    EXPECT_EQ(ids("created_from=2000-01-01"), (V{d, c, b, a}));
    EXPECT_EQ(ids("created_to=2000-01-01T00:00:00%2B08:00"), V{});
    EXPECT_EQ(ids("created_to=2000-01-01T00:00:00+08:00"), V{});  // unescaped '+' read as the offset sign

    EXPECT_TRUE(IsError(Get("/api/v1/problems?status=bogus"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?status=registered,"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?source=rumour"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?created_from=yesterday"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?org_id=abc"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?colour=red"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?cursor=%FF"), 400, "invalid_argument"));
}

TEST_F(ApiServer, ListsProblemsWithNamesTotalOverdueSortAndOffset) {
    // Deadlines lie ahead (a new problem's due_at cannot precede its creation); the overdue rule itself
    // is tested in tests/service/service_test.cpp on records with historical dates.
    const auto lamps = CategoryId("城乡建设/市政设施/路灯");
    const auto a = CreateProblem("甲", 4, {{"due_at", "2099-01-01"}, {"category_id", lamps}});
    const auto b = CreateProblem("乙", 6, {{"due_at", "2098-01-01"}});
    const auto c = CreateProblem("丙", 4);
    const auto d = CreateProblem("丁", 5, {{"due_at", "2097-06-01"}});
    using V = std::vector<std::int64_t>;

    // Names for the list: the owner's name and the category's path, null without a category.
    auto r = Get("/api/v1/problems?org_id=4&total=true");
    ASSERT_EQ(r.status, 200) << r.body;
    json j = r.Json();
    EXPECT_EQ(Ids(j["items"]), (V{c, b, a}));
    EXPECT_EQ(j["total"], 3);
    EXPECT_EQ(j["items"][0]["owner_name"], "长安区");
    EXPECT_EQ(j["items"][0]["category_path"], nullptr);
    EXPECT_EQ(j["items"][1]["owner_name"], "建北街道");
    EXPECT_EQ(j["items"][2]["category_path"], "城乡建设/市政设施/路灯");
    EXPECT_FALSE(Get("/api/v1/problems?org_id=4").Json().contains("total"));  // only when asked

    auto ids = [&](const std::string& query) {
        auto res = Get("/api/v1/problems?" + query);
        EXPECT_EQ(res.status, 200) << query << ": " << res.body;
        return Ids(res.Json()["items"]);
    };
    EXPECT_EQ(ids("overdue=true"), V{});
    EXPECT_EQ(ids("overdue=false"), (V{d, c, b, a}));
    // Sort by deadline, missing deadlines last; page a sorted list with offset and total.
    EXPECT_EQ(ids("sort=due_at"), (V{d, b, a, c}));
    EXPECT_EQ(ids("sort=-due_at"), (V{a, b, d, c}));
    EXPECT_EQ(ids("sort=-id"), (V{d, c, b, a}));
    r = Get("/api/v1/problems?sort=due_at&limit=2&offset=1&total=true");
    ASSERT_EQ(r.status, 200) << r.body;
    j = r.Json();
    EXPECT_EQ(Ids(j["items"]), (V{b, a}));
    EXPECT_EQ(j["total"], 4);
    EXPECT_EQ(j["next_cursor"], nullptr);  // a cursor continues only the newest-first order
    EXPECT_EQ(ids("limit=2&offset=2"), (V{b, a}));
    EXPECT_EQ(Get("/api/v1/problems?org_id=3&total=true&limit=1").Json()["total"], 4);

    EXPECT_TRUE(IsError(Get("/api/v1/problems?sort=title"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?offset=-1"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?offset=1000001"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?overdue=maybe"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?sort=due_at&cursor=c1"), 400, "invalid_argument"));
}

TEST_F(ApiServer, PatchNeedsTheCurrentVersionAndBumpsIt) {
    const auto id = CreateProblem("初稿", 4);
    const std::string target = "/api/v1/problems/" + std::to_string(id);

    auto ok = Patch(target, json{{"version", 1}, {"title", "定稿"}, {"severity", "critical"}}.dump());
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.Json()["version"], 2);
    EXPECT_EQ(ok.Json()["title"], "定稿");
    EXPECT_EQ(ok.Json()["severity"], "critical");
    EXPECT_EQ(ok.Header("etag"), "\"2\"");

    auto stale = Patch(target, json{{"version", 1}, {"title", "过时的修改"}}.dump());
    EXPECT_TRUE(IsError(stale, 409, "aborted"));

    // The version may come from If-Match instead of the body.
    auto via_header = Patch(target, json{{"due_at", "2031-01-01"}}.dump(), {{"If-Match", "\"2\""}});
    ASSERT_EQ(via_header.status, 200) << via_header.body;
    EXPECT_EQ(via_header.Json()["version"], 3);
    EXPECT_FALSE(via_header.Json()["due_at"].is_null());
    // null clears due_at.
    auto cleared = Patch(target, json{{"version", 3}, {"due_at", nullptr}}.dump());
    ASSERT_EQ(cleared.status, 200) << cleared.body;
    EXPECT_TRUE(cleared.Json()["due_at"].is_null());

    EXPECT_TRUE(IsError(Patch(target, json{{"title", "无版本"}}.dump()), 400, "invalid_argument"));
    EXPECT_TRUE(
        IsError(Patch(target, json{{"title", "x"}}.dump(), {{"If-Match", "W/\"4\""}}), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Patch(target, json{{"version", 4}, {"status", "closed"}}.dump()), 400, "invalid_argument"));

    auto got = Get(target);
    EXPECT_EQ(got.Json()["title"], "定稿");
    EXPECT_EQ(got.Json()["version"], 4);
}

TEST_F(ApiServer, ProblemEventsShowTheCreateAndTheUpdate) {
    const auto id = CreateProblem("有记录的问题", 4);
    const std::string target = "/api/v1/problems/" + std::to_string(id);
    ASSERT_EQ(Patch(target, json{{"version", 1}, {"title", "改过的问题"}}.dump()).status, 200);

    auto r = Get(target + "/events");
    ASSERT_EQ(r.status, 200) << r.body;
    json items = r.Json()["items"];
    ASSERT_EQ(items.size(), 2u) << r.body;
    EXPECT_EQ(items[0]["action"], "create");
    EXPECT_EQ(items[0]["entity"], "problem");
    EXPECT_EQ(items[0]["entity_id"], id);
    EXPECT_EQ(items[0]["after"]["title"], "有记录的问题");
    EXPECT_EQ(items[1]["action"], "update");
    EXPECT_EQ(items[1]["before"]["title"], "有记录的问题");
    EXPECT_EQ(items[1]["after"]["title"], "改过的问题");

    EXPECT_TRUE(IsError(Get("/api/v1/problems/999/events"), 404, "not_found"));
    auto org_events = Get("/api/v1/orgs/4/events");
    ASSERT_EQ(org_events.status, 200) << org_events.body;
}

TEST_F(ApiServer, StatsCountTheProblemsOfTheSubtree) {
    const auto water = CategoryId("环境保护/环境污染/水污染");
    const auto air = CategoryId("环境保护/环境污染/大气污染");
    const auto lamps = CategoryId("城乡建设/市政设施/路灯");
    const auto env = CategoryId("环境保护");
    const auto city = CategoryId("城乡建设");
    CreateProblem("p1", 4, {{"category_id", water}});
    CreateProblem("p2", 4, {{"category_id", air}});
    CreateProblem("p3", 6, {{"category_id", lamps}});
    CreateProblem("p4", 5);
    CreateProblem("p5", 7, {{"category_id", water}});
    CreateProblem("p6", 8);

    // 石家庄市 (3) holds 4, 5 and 6: p1, p2, p3, p4.
    auto r = Get("/api/v1/orgs/3/stats");
    ASSERT_EQ(r.status, 200) << r.body;
    json s = r.Json();
    EXPECT_EQ(s["org"]["id"], 3);
    EXPECT_EQ(s["problems"], 4);
    EXPECT_EQ(s["by_status"]["registered"], 4);
    EXPECT_EQ(s["by_status"]["closed"], 0);
    EXPECT_EQ(s["closed"], 0);
    EXPECT_EQ(s["opinions"], 0);
    std::map<std::string, std::int64_t> by_category;  // at depth 1: 环境保护 2 (p1, p2), 城乡建设 1, none 1
    for (const auto& c : s["by_category"]) {
        by_category[c["category_id"].is_null() ? "none" : std::to_string(c["category_id"].get<std::int64_t>())] =
            c["count"];
    }
    EXPECT_EQ(by_category,
              (std::map<std::string, std::int64_t>{{std::to_string(env), 2}, {std::to_string(city), 1}, {"none", 1}}));

    // 河北省 (2): p1-p5; the root: all six.
    EXPECT_EQ(Get("/api/v1/orgs/2/stats").Json()["problems"], 5);
    EXPECT_EQ(Get("/api/v1/orgs/1/stats").Json()["problems"], 6);
    EXPECT_EQ(Get("/api/v1/orgs/6/stats").Json()["problems"], 1);

    // Per child of 石家庄市, in id order: 长安区 (4: p1, p2, p3 via 建北街道) and 桥西区 (5: p4).
    auto children = Get("/api/v1/orgs/3/stats/children");
    ASSERT_EQ(children.status, 200) << children.body;
    json items = children.Json()["items"];
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0]["org"]["id"], 4);
    EXPECT_EQ(items[0]["problems"], 3);
    EXPECT_EQ(items[1]["org"]["id"], 5);
    EXPECT_EQ(items[1]["problems"], 1);

    // At depth 3 the two 环境保护 problems of 长安区 split into 水污染 and 大气污染.
    auto deep = Get("/api/v1/orgs/4/stats?category_depth=3");
    ASSERT_EQ(deep.status, 200) << deep.body;
    std::set<std::int64_t> deep_ids;
    const json deep_categories = deep.Json()["by_category"];
    for (const auto& c : deep_categories) {
        if (!c["category_id"].is_null()) deep_ids.insert(c["category_id"].get<std::int64_t>());
    }
    EXPECT_EQ(deep_ids, (std::set<std::int64_t>{water, air, lamps}));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/stats?category_depth=4"), 400, "invalid_argument"));

    // Filters: 环境保护 in 石家庄市 is p1 and p2; uncategorised is p4.
    EXPECT_EQ(Get("/api/v1/orgs/3/stats?category_id=" + std::to_string(env)).Json()["problems"], 2);
    EXPECT_EQ(Get("/api/v1/orgs/3/stats?category_id=none").Json()["problems"], 1);
    auto by_env = Get("/api/v1/orgs/3/stats/children?category_id=" + std::to_string(env)).Json()["items"];
    ASSERT_EQ(by_env.size(), 2u);
    EXPECT_EQ(by_env[0]["problems"], 2);  // 长安区: p1, p2
    EXPECT_EQ(by_env[1]["problems"], 0);  // 桥西区
    // All six problems were created just now without a due date: open, none overdue, all created this week.
    json all = Get("/api/v1/orgs/1/stats?weeks=2").Json();
    EXPECT_EQ(all["open"], 6);
    EXPECT_EQ(all["overdue"], 0);
    EXPECT_EQ(all["completion"]["numerator"], 0);
    EXPECT_EQ(all["completion"]["denominator"], 6);
    ASSERT_EQ(all["weekly"].size(), 2u);
    EXPECT_EQ(all["weekly"][1]["created"], 6);
    EXPECT_EQ(all["weekly"][0]["created"], 0);
    EXPECT_TRUE(all["median_days_to_close"].is_null());
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/stats?category_id=" + std::to_string(water)), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/stats?category_depth=3&source=other"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/stats?weeks=600"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/stats?category_id=abc"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/3/stats?period=2024"), 400, "invalid_argument"));
}

// ---- opinions ----

TEST_F(ApiServer, CreatesListsAndLinksOpinions) {
    auto created = Post("/api/v1/opinions", json{{"channel", "phone"},
                                                 {"kind", "complaint"},
                                                 {"title", "噪音扰民"},
                                                 {"text", "夜间施工"},
                                                 {"org_id", 4},
                                                 {"received_at", "2024-03-01T09:30:00+08:00"}}
                                                .dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const auto id = created.Json()["id"].get<std::int64_t>();
    EXPECT_EQ(created.Header("location"), "/api/v1/opinions/" + std::to_string(id));
    EXPECT_EQ(created.Json()["status"], "received");

    auto got = Get("/api/v1/opinions/" + std::to_string(id));
    ASSERT_EQ(got.status, 200) << got.body;
    EXPECT_EQ(got.Json()["title"], "噪音扰民");
    EXPECT_EQ(*ParseIso(got.Json()["received_at"].get<std::string>()), *ParseIso("2024-03-01T01:30:00Z"));

    auto ids = [&](const std::string& query) {
        auto r = Get("/api/v1/opinions?" + query);
        EXPECT_EQ(r.status, 200) << query << ": " << r.body;
        return Ids(r.Json()["items"]);
    };
    using V = std::vector<std::int64_t>;
    EXPECT_EQ(ids("org_id=3"), V{id});
    EXPECT_EQ(ids("org_id=5"), V{});
    EXPECT_EQ(ids("channel=phone"), V{id});
    EXPECT_EQ(ids("channel=web"), V{});
    EXPECT_EQ(ids("replied=false"), V{id});
    EXPECT_EQ(ids("replied=true"), V{});
    EXPECT_EQ(ids("received_from=2024-03-01&received_to=2024-03-02"), V{id});
    EXPECT_EQ(ids("received_from=2024-03-02"), V{});
    EXPECT_TRUE(IsError(Get("/api/v1/opinions?replied=yes"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/opinions?channel=pigeon"), 400, "invalid_argument"));

    // A problem made from the opinion lists it.
    const auto problem = CreateProblem("夜间施工噪音", 4, {{"opinion_ids", {id}}, {"source", "public_opinion"}});
    auto detail = Get("/api/v1/problems/" + std::to_string(problem));
    EXPECT_EQ(detail.Json()["opinion_ids"], json::array({id}));

    auto events = Get("/api/v1/opinions/" + std::to_string(id) + "/events");
    ASSERT_EQ(events.status, 200) << events.body;
    ASSERT_GE(events.Json()["items"].size(), 1u);
    EXPECT_EQ(events.Json()["items"][0]["action"], "create");
}

// ---- bad input ----

TEST_F(ApiServer, RejectsMalformedJson) {
    EXPECT_TRUE(IsError(Post("/api/v1/problems", "{\"title\": \"x\", "), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Post("/api/v1/problems", "not json"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Post("/api/v1/problems", ""), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Post("/api/v1/problems", "[1, 2]"), 400, "invalid_argument"));
}

TEST_F(ApiServer, RejectsJsonNestedTooDeeply) {
    std::string deep = "{\"title\": " + std::string(100, '[') + std::string(100, ']') + ", \"owner_org_id\": 4}";
    auto r = Post("/api/v1/problems", deep);
    ASSERT_TRUE(IsError(r, 400, "invalid_argument"));
    EXPECT_NE(Message(r).find("32"), std::string::npos) << r.body;
}

TEST_F(ApiServer, NamesTheFieldOfATypeError) {
    auto title = Post("/api/v1/problems", json{{"title", 5}, {"owner_org_id", 4}}.dump());
    ASSERT_TRUE(IsError(title, 400, "invalid_argument"));
    EXPECT_EQ(Message(title), "/title: expected a string");

    auto due = Post("/api/v1/problems", json{{"title", "t"}, {"owner_org_id", 4}, {"due_at", 20300101}}.dump());
    ASSERT_TRUE(IsError(due, 400, "invalid_argument"));
    EXPECT_EQ(Message(due), "/due_at: expected an RFC 3339 string");

    auto owner = Post("/api/v1/problems", json{{"title", "t"}, {"owner_org_id", "4"}}.dump());
    ASSERT_TRUE(IsError(owner, 400, "invalid_argument"));
    EXPECT_EQ(Message(owner), "/owner_org_id: expected a positive integer");

    auto bad_date =
        Post("/api/v1/problems", json{{"title", "t"}, {"owner_org_id", 4}, {"due_at", "2030-02-30"}}.dump());
    ASSERT_TRUE(IsError(bad_date, 400, "invalid_argument"));
    EXPECT_EQ(Message(bad_date).rfind("/due_at: ", 0), 0u) << Message(bad_date);

    auto opinions =
        Post("/api/v1/problems", json{{"title", "t"}, {"owner_org_id", 4}, {"opinion_ids", {1, "2"}}}.dump());
    ASSERT_TRUE(IsError(opinions, 400, "invalid_argument"));
    EXPECT_EQ(Message(opinions), "/opinion_ids/1: expected a positive integer");

    EXPECT_TRUE(IsError(Post("/api/v1/problems", json{{"owner_org_id", 4}}.dump()), 400, "invalid_argument"));
}

TEST_F(ApiServer, NamesAnUnknownField) {
    auto r = Post("/api/v1/problems", json{{"title", "t"}, {"owner_org_id", 4}, {"foo", 1}}.dump());
    ASSERT_TRUE(IsError(r, 400, "invalid_argument"));
    EXPECT_EQ(Message(r), "unknown field \"foo\"");
}

TEST_F(ApiServer, RejectsUnknownEnumValues) {
    auto r = Post("/api/v1/problems", json{{"title", "t"}, {"owner_org_id", 4}, {"severity", "apocalyptic"}}.dump());
    ASSERT_TRUE(IsError(r, 400, "invalid_argument"));
    EXPECT_EQ(Message(r).rfind("/severity: unknown severity \"apocalyptic\"", 0), 0u) << Message(r);
}

TEST_F(ApiServer, RejectsInvalidUtf8) {
    std::string body = "{\"title\": \"\xff\xfe bad\", \"owner_org_id\": 4}";
    EXPECT_TRUE(IsError(Post("/api/v1/problems", body), 400, "invalid_argument"));
    std::string overlong = "{\"title\": \"\xc0\xaf\", \"owner_org_id\": 4}";
    EXPECT_TRUE(IsError(Post("/api/v1/problems", overlong), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/%C3%28"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs?division_code=%ED%A0%80"), 400, "invalid_argument"));  // a surrogate
}

TEST_F(ApiServer, RejectsBadIdsAndAnswersNotFoundForUnknownOnes) {
    EXPECT_TRUE(IsError(Get("/api/v1/problems/abc"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems/12x"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems/-1"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems/0"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems/99999999999999999999"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/problems/999"), 404, "not_found"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/999"), 404, "not_found"));
    EXPECT_TRUE(IsError(Get("/api/v1/opinions/999"), 404, "not_found"));
    EXPECT_TRUE(IsError(Patch("/api/v1/problems/999", json{{"version", 1}, {"title", "x"}}.dump()), 404, "not_found"));
    EXPECT_TRUE(
        IsError(Post("/api/v1/problems", json{{"title", "t"}, {"owner_org_id", 999}}.dump()), 404, "not_found"));
}

TEST_F(ApiServer, AnswersUnknownRoutesAndWrongMethods) {
    EXPECT_TRUE(IsError(Get("/api/v1/nothing"), 404, "not_found"));
    EXPECT_TRUE(IsError(Get("/api/v2/problems"), 404, "not_found"));
    EXPECT_TRUE(IsError(Get("/index.html"), 404, "not_found"));  // no --static-dir
    auto put = Send(port(), "PUT", "/api/v1/problems/1", "{}");
    EXPECT_EQ(put.status, 405) << put.body;
    EXPECT_EQ(put.Header("allow"), "GET, HEAD, PATCH");
    auto del = Send(port(), "DELETE", "/api/v1/orgs");
    EXPECT_EQ(del.status, 405) << del.body;
    EXPECT_EQ(del.Header("allow"), "GET, HEAD, POST");
}

// ---- body limit ----

class ApiServerSmallBody : public ApiServer {
  protected:
    std::vector<std::string> ServeArgs() override { return {"--max-body-bytes", "1024"}; }
};

TEST_F(ApiServerSmallBody, AnswersPayloadTooLargeOverTheLimit) {
    json big = {{"title", "t"}, {"owner_org_id", 4}, {"description", std::string(2000, 'x')}};
    EXPECT_TRUE(IsError(Post("/api/v1/problems", big.dump()), 413, "payload_too_large"));
    // Just under the limit is read and handled.
    json fits = {{"title", "t"}, {"owner_org_id", 4}, {"description", std::string(900, 'x')}};
    ASSERT_LT(fits.dump().size(), 1024u);
    EXPECT_EQ(Post("/api/v1/problems", fits.dump()).status, 201);
}

// ---- shutdown ----

TEST_F(ApiServer, SigtermLetsARequestInFlightFinishAndExitsZero) {
    const std::string body = json{{"title", "停机时的问题"}, {"owner_org_id", 4}}.dump();
    const std::string head = "POST /api/v1/problems HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             "Authorization: Bearer " + token_ + "\r\n"
                             "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    Connection c(port());
    ASSERT_TRUE(c.connected()) << c.error();
    ASSERT_TRUE(c.WriteRaw(head + body.substr(0, 10)));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the server start reading it
    server_->Signal(SIGTERM);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it stop accepting
    EXPECT_FALSE(Connection(port()).connected()) << "still accepting after SIGTERM";
    ASSERT_TRUE(c.WriteRaw(body.substr(10)));
    auto r = c.ReadResponse();
    EXPECT_EQ(r.status, 201) << r.body << r.error;
    EXPECT_EQ(r.Header("connection"), "close");
    EXPECT_EQ(server_->Wait(std::chrono::seconds(8)), std::optional<int>(0)) << server_->log();
}

TEST_F(ApiServer, SigtermClosesIdleConnectionsAndExitsZero) {
    Connection idle(port());
    ASSERT_EQ(idle.Send("GET", "/healthz").status, 200);
    server_->Signal(SIGTERM);
    // Well before the 10 s grace period: idle keep-alive connections do not hold the shutdown.
    EXPECT_EQ(server_->Wait(std::chrono::seconds(5)), std::optional<int>(0)) << server_->log();
    EXPECT_TRUE(idle.ClosedByPeer(1000));
}

// ---- static files ----

class ApiServerWithWebUi : public ApiServer {
  protected:
    std::vector<std::string> ServeArgs() override {
        const fs::path web = dir_.path() / "web";
        WriteFile(web / "index.html", "<!doctype html><title>rectify</title>");
        WriteFile(web / "assets" / "app-1a2b.js", "console.log(1)");
        WriteFile(web / "logo.svg", "<svg/>");
        WriteFile(dir_.path() / "secret.txt", "secret");
        return {"--static-dir", web.string()};
    }
};

TEST_F(ApiServerWithWebUi, ServesFilesWithTypesCachingAndSpaFallback) {
    auto index = Get("/");
    ASSERT_EQ(index.status, 200) << index.body;
    EXPECT_EQ(index.body, "<!doctype html><title>rectify</title>");
    EXPECT_EQ(index.Header("content-type"), "text/html; charset=utf-8");
    EXPECT_EQ(index.Header("cache-control"), "no-cache");
    EXPECT_EQ(index.Header("content-security-policy"),
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
              "base-uri 'self'; form-action 'self'; object-src 'none'");
    EXPECT_EQ(index.Header("x-content-type-options"), "nosniff");

    auto js = Get("/assets/app-1a2b.js");
    ASSERT_EQ(js.status, 200);
    EXPECT_EQ(js.body, "console.log(1)");
    EXPECT_EQ(js.Header("content-type"), "text/javascript; charset=utf-8");
    EXPECT_EQ(js.Header("cache-control"), "public, max-age=31536000, immutable");

    auto svg = Get("/logo.svg");
    EXPECT_EQ(svg.Header("content-type"), "image/svg+xml");
    EXPECT_EQ(svg.Header("content-security-policy"), "");

    auto route = Get("/problems/12");  // a client-side route
    ASSERT_EQ(route.status, 200);
    EXPECT_EQ(route.body, index.body);

    EXPECT_TRUE(IsError(Get("/missing.png"), 404, "not_found"));
    EXPECT_TRUE(IsError(Get("/api/v1/nothing"), 404, "not_found"));  // never the SPA
    EXPECT_EQ(Get("/healthz").status, 200);
}

TEST_F(ApiServerWithWebUi, NeverServesOutsideTheDirectory) {
    EXPECT_TRUE(IsError(Get("/../secret.txt"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/%2e%2e/secret.txt"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/assets/%2E%2E/%2E%2E/secret.txt"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/..%2Fsecret.txt"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/%00"), 400, "invalid_argument"));
    auto post = Post("/index.html", "{}");
    EXPECT_EQ(post.status, 405);
    EXPECT_EQ(post.Header("allow"), "GET, HEAD");
}

}  // namespace
}  // namespace rectify::testing
