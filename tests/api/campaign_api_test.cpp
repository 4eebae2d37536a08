// Campaigns, batches and special items (issue 5, docs/LINKAGE.md#campaigns) over HTTP against the real
// binary: creation and validation, who may see and change a campaign, tagging problems (including an item
// of another campaign), list filters, the per-item figures of a subtree checked against counts worked out
// by hand below, the ledger's 专项整治 column, the event trail, and `rectify campaign load` of the shipped
// sample. The org tree is api_fixture.hpp's (河北省 2 > 石家庄市 3 > 长安区 4 > 建北街道 6 (batch 2),
// 桥西区 5; 唐山市 7; 山西省 8).
#include <set>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

// Problems imported before the server starts (status, due and close dates need the import). Created
// 2020-01-01; "now" is the test's run time (after 2026), so a due date in 2020 is past and 2099 is not.
//   P1 长安区   registered, due 2020-02-01               -> open, overdue           tags A, B
//   P2 桥西区   closed 2020-02-15, due 2020-03-01        -> closed on time          tag A
//   P3 建北街道 closed 2020-01-20, due 2020-01-10        -> closed late             tag B
//   P4 唐山市   closed 2020-01-05, no due date           -> closed, no due date     tag A
//   P5 石家庄市 invalid                                  -> excluded from completion tag A
//   P6 石家庄市 registered, due 2099-01-01               -> open, not overdue       campaign only
//   P7 长安区   registered                               -> not tagged
//   P8 山西省   registered                               -> outside the campaign owner's subtree
constexpr const char* kProblemsCsv =
    "title,owner_division_code,created_at,due_at,status,closed_at\n"
    "P1,130102,2020-01-01,2020-02-01,registered,\n"
    "P2,130104,2020-01-01,2020-03-01,closed,2020-02-15\n"
    "P3,130102001,2020-01-01,2020-01-10,closed,2020-01-20\n"
    "P4,1302,2020-01-01,,closed,2020-01-05\n"
    "P5,1301,2020-01-01,,invalid,\n"
    "P6,1301,2020-01-01,2099-01-01,registered,\n"
    "P7,130102,2020-01-01,,registered,\n"
    "P8,14,2020-01-01,,registered,\n";

class CampaignApi : public ApiServer {
protected:
    void BeforeServe() override {
        WriteFile(dir_.path() / "problems.csv", kProblemsCsv);
        auto r = RunRectify(dir_.path(), {"--db", db_, "import", "problems", dir_.File("problems.csv")});
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
        hebei_admin_ = MakeUserToken(dir_.path(), db_, "hebei.admin", "code:13", {"admin"});
        sjz_clerk_ = MakeUserToken(dir_.path(), db_, "sjz.clerk", "code:1301", {"clerk"});
        shanxi_admin_ = MakeUserToken(dir_.path(), db_, "shanxi.admin", "code:14", {"admin"});
        for (const auto* t : {&hebei_admin_, &sjz_clerk_, &shanxi_admin_}) ASSERT_FALSE(t->empty());
    }

    HttpResponse As(const std::string& token, const std::string& method, const std::string& target,
                    const std::string& body = "", Headers headers = {}) {
        headers.emplace_back("Authorization", "Bearer " + token);
        return Send(port(), method, target, body, headers);
    }

    json CampaignBody() {
        return {{"code", "hb-2019"},
                {"name", "主题教育（河北省）"},
                {"owner_org_id", 2},
                {"start_date", "2019-06-01"},
                {"end_date", "2019-11-30"},
                {"batches", json::array({{{"start_date", "2019-06-01"}, {"end_date", "2019-08-31"}},
                                         {{"start_date", "2019-09-01"}, {"end_date", "2019-11-30"}}})},
                {"special_items", json::array({{{"code", "a"}, {"title", "专项 A"}, {"lead_org_id", 3}},
                                               {{"code", "b"}, {"title", "专项 B"}},
                                               {{"code", "c"}, {"title", "专项 C"}}})}};
    }

    // The id of the imported problem titled `title`.
    std::int64_t ProblemId(const std::string& title) {
        auto r = Get("/api/v1/problems?limit=100");
        EXPECT_EQ(r.status, 200) << r.body;
        const json body = r.Json();  // kept: a loop over a temporary's member would dangle
        for (const auto& p : body["items"]) {
            if (p["title"] == title) return p["id"].get<std::int64_t>();
        }
        ADD_FAILURE() << "no problem " << title << " in " << r.body.substr(0, 600);
        return 0;
    }

    HttpResponse Tag(std::int64_t problem, const json& tags) {
        auto current = Get("/api/v1/problems/" + std::to_string(problem));
        return Patch("/api/v1/problems/" + std::to_string(problem), tags.dump(),
                     {{"If-Match", current.Header("etag")}});
    }

    // Creates CampaignBody() as 河北省's admin; null (and a test failure) when refused.
    json CreateCampaign() {
        auto created = As(hebei_admin_, "POST", "/api/v1/campaigns", CampaignBody().dump());
        EXPECT_EQ(created.status, 201) << created.body;
        return created.status == 201 ? created.Json() : json(nullptr);
    }

    // Tags P1..P6 as the table at the top says (campaign `cid`, items `a` and `b`); the ids of P1..P7, or
    // fewer when a tag was refused (a test failure).
    std::map<std::string, std::int64_t> TagTheTable(std::int64_t cid, std::int64_t a, std::int64_t b) {
        std::map<std::string, std::int64_t> id;
        for (const char* t : {"P1", "P2", "P3", "P4", "P5", "P6", "P7"}) id[t] = ProblemId(t);
        const std::vector<std::pair<std::string, json>> tags{
            {"P1", {{"campaign_id", cid}, {"special_item_ids", {a, b}}}},
            {"P2", {{"campaign_id", cid}, {"special_item_ids", {a}}}},
            {"P3", {{"campaign_id", cid}, {"special_item_ids", {b}}}},
            {"P4", {{"campaign_id", cid}, {"special_item_ids", {a}}}},
            {"P5", {{"campaign_id", cid}, {"special_item_ids", {a}}}},
            {"P6", {{"campaign_id", cid}}}};
        for (const auto& [title, body] : tags) {
            auto r = Tag(id[title], body);
            EXPECT_EQ(r.status, 200) << title << ": " << r.body;
            if (r.status != 200) return {};
        }
        return id;
    }

    std::set<std::string> Titles(const HttpResponse& r) {
        std::set<std::string> out;
        const json body = r.Json();
        for (const auto& p : body["items"]) out.insert(p["title"].get<std::string>());
        return out;
    }

    std::string hebei_admin_, sjz_clerk_, shanxi_admin_;
};

json R(std::int64_t n, std::int64_t d, std::optional<double> rate) {
    return {{"numerator", n}, {"denominator", d}, {"rate", rate ? json(*rate) : json(nullptr)}};
}

TEST_F(CampaignApi, CreatesACampaignWithBatchesAndItemsThatOnlyItsOwnersAdminsChange) {
    auto created = As(hebei_admin_, "POST", "/api/v1/campaigns", CampaignBody().dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const json c = created.Json();
    const auto id = c["id"].get<std::int64_t>();
    EXPECT_EQ(created.Header("location"), "/api/v1/campaigns/" + std::to_string(id));
    EXPECT_EQ(c["batches"], json::parse(R"([{"number":1,"start_date":"2019-06-01","end_date":"2019-08-31"},
                                            {"number":2,"start_date":"2019-09-01","end_date":"2019-11-30"}])"));
    ASSERT_EQ(c["special_items"].size(), 3u);
    EXPECT_EQ(c["special_items"][0]["code"], "a");
    EXPECT_EQ(c["special_items"][0]["lead_org_id"], 3);
    EXPECT_EQ(c["owner"]["name"], "河北省");
    EXPECT_EQ(c["can_manage"], true);
    const std::string path = "/api/v1/campaigns/" + std::to_string(id);

    // Visible below the owner (石家庄's clerk) but not changeable there; invisible to 山西省.
    auto below = As(sjz_clerk_, "GET", path);
    ASSERT_EQ(below.status, 200) << below.body;
    EXPECT_EQ(below.Json()["can_manage"], false);
    EXPECT_TRUE(IsError(As(sjz_clerk_, "PATCH", path, R"({"name":"x","version":1})"), 403, "permission_denied"));
    EXPECT_TRUE(IsError(As(sjz_clerk_, "POST", path + "/special-items", R"({"code":"d","title":"D"})"), 403,
                        "permission_denied"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", path), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "PATCH", path, R"({"name":"x","version":1})"), 404, "not_found"));
    EXPECT_EQ(As(shanxi_admin_, "GET", "/api/v1/campaigns").Json()["items"], json::array());
    EXPECT_EQ(As(sjz_clerk_, "GET", "/api/v1/campaigns").Json()["items"].size(), 1u);
    // 山西省's admin cannot make a campaign for 河北省 either.
    auto foreign = CampaignBody();
    foreign["code"] = "sx";
    EXPECT_TRUE(IsError(As(shanxi_admin_, "POST", "/api/v1/campaigns", foreign.dump()), 404, "not_found"));

    // Changes: stale version, then the current one; an item added and renamed.
    EXPECT_TRUE(IsError(As(hebei_admin_, "PATCH", path, R"({"name":"新名","version":7})"), 409, "aborted"));
    auto renamed = As(hebei_admin_, "PATCH", path, R"({"name":"新名"})", {{"If-Match", "\"1\""}});
    ASSERT_EQ(renamed.status, 200) << renamed.body;
    EXPECT_EQ(renamed.Json()["name"], "新名");
    EXPECT_EQ(renamed.Json()["version"], 2);
    EXPECT_EQ(renamed.Json()["batches"].size(), 2u);  // untouched
    auto item = As(hebei_admin_, "POST", path + "/special-items", R"({"code":"d","title":"专项 D"})");
    ASSERT_EQ(item.status, 201) << item.body;
    const std::string item_path = "/api/v1/special-items/" + std::to_string(item.Json()["id"].get<std::int64_t>());
    EXPECT_EQ(item.Header("location"), item_path);
    auto retitled = As(hebei_admin_, "PATCH", item_path, R"({"title":"专项 D2","version":1})");
    ASSERT_EQ(retitled.status, 200) << retitled.body;
    EXPECT_EQ(retitled.Json()["title"], "专项 D2");
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", item_path), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "PATCH", item_path, R"({"title":"x","version":2})"), 404, "not_found"));
    EXPECT_TRUE(IsError(As(hebei_admin_, "POST", path + "/special-items", R"({"code":"d","title":"again"})"), 409,
                        "already_exists"));
    // The log holds every change and its chain is intact.
    auto verify = RunRectify(dir_.path(), {"--db", db_, "audit", "verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST_F(CampaignApi, RejectsBadCampaignsNamingTheField) {
    auto body = CampaignBody();
    body["batches"][1]["start_date"] = "2019-08-31";
    auto r = As(hebei_admin_, "POST", "/api/v1/campaigns", body.dump());
    ASSERT_TRUE(IsError(r, 400, "invalid_argument"));
    EXPECT_EQ(Message(r),
              "batches[1].start_date: 2019-08-31 is not after batch 1's end_date 2019-08-31 (batches follow each other)");
    body = CampaignBody();
    body["end_date"] = "2019-02-30";
    r = As(hebei_admin_, "POST", "/api/v1/campaigns", body.dump());
    ASSERT_TRUE(IsError(r, 400, "invalid_argument"));
    EXPECT_EQ(Message(r), "end_date: \"2019-02-30\" is not a date YYYY-MM-DD");
    body = CampaignBody();
    body["special_items"][1]["colour"] = "red";
    r = As(hebei_admin_, "POST", "/api/v1/campaigns", body.dump());
    ASSERT_TRUE(IsError(r, 400, "invalid_argument"));
    EXPECT_NE(Message(r).find("/special_items/1"), std::string::npos) << Message(r);
    body = CampaignBody();
    body["special_items"][2]["code"] = "a";
    EXPECT_TRUE(IsError(As(hebei_admin_, "POST", "/api/v1/campaigns", body.dump()), 409, "already_exists"));
    // A lead org outside the owner's subtree (山西省).
    body = CampaignBody();
    body["special_items"][0]["lead_org_id"] = 8;
    EXPECT_TRUE(IsError(As(token_, "POST", "/api/v1/campaigns", body.dump()), 400, "invalid_argument"));
    // Nothing of the rejected requests was stored; a good one then takes the code once.
    EXPECT_EQ(As(token_, "GET", "/api/v1/campaigns").Json()["items"], json::array());
    ASSERT_EQ(As(hebei_admin_, "POST", "/api/v1/campaigns", CampaignBody().dump()).status, 201);
    EXPECT_TRUE(IsError(As(hebei_admin_, "POST", "/api/v1/campaigns", CampaignBody().dump()), 409, "already_exists"));
}

TEST_F(CampaignApi, TagsProblemsAndCountsEachItemOverASubtree) {
    const json c = CreateCampaign();
    ASSERT_FALSE(c.is_null());
    const auto cid = c["id"].get<std::int64_t>();
    const auto a = c["special_items"][0]["id"].get<std::int64_t>();
    const auto b = c["special_items"][1]["id"].get<std::int64_t>();
    // A second campaign (石家庄市's) with its own item D.
    json other = CampaignBody();
    other["code"] = "sjz-2019";
    other["owner_org_id"] = 3;
    other["special_items"] = json::array({{{"code", "d"}, {"title", "专项 D"}}});
    auto second = As(hebei_admin_, "POST", "/api/v1/campaigns", other.dump());
    ASSERT_EQ(second.status, 201) << second.body;
    const auto d = second.Json()["special_items"][0]["id"].get<std::int64_t>();

    std::map<std::string, std::int64_t> id;
    for (const char* t : {"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"}) id[t] = ProblemId(t);
    ASSERT_EQ(Tag(id["P1"], {{"campaign_id", cid}, {"special_item_ids", {a, b}}}).status, 200);
    ASSERT_EQ(Tag(id["P2"], {{"campaign_id", cid}, {"special_item_ids", {a}}}).status, 200);
    ASSERT_EQ(Tag(id["P3"], {{"campaign_id", cid}, {"special_item_ids", {b}}}).status, 200);
    ASSERT_EQ(Tag(id["P4"], {{"campaign_id", cid}, {"special_item_ids", {a}}}).status, 200);
    ASSERT_EQ(Tag(id["P5"], {{"campaign_id", cid}, {"special_item_ids", {a}}}).status, 200);
    ASSERT_EQ(Tag(id["P6"], {{"campaign_id", cid}}).status, 200);
    // Rejected: an item of the other campaign, a repeated item, items without a campaign, a problem outside
    // the owner's subtree, an unknown campaign.
    auto r = Tag(id["P7"], {{"campaign_id", cid}, {"special_item_ids", {a, d}}});
    ASSERT_TRUE(IsError(r, 400, "invalid_argument"));
    EXPECT_EQ(Message(r), "special_item_ids[1]: special item " + std::to_string(d) + " belongs to campaign " +
                              std::to_string(second.Json()["id"].get<std::int64_t>()) + ", not campaign " +
                              std::to_string(cid));
    EXPECT_TRUE(IsError(Tag(id["P7"], {{"campaign_id", cid}, {"special_item_ids", {a, a}}}), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Tag(id["P7"], {{"special_item_ids", {a}}}), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Tag(id["P8"], {{"campaign_id", cid}}), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Tag(id["P7"], {{"campaign_id", 999}}), 404, "not_found"));
    // A new problem can be tagged at creation.
    auto p9 = As(sjz_clerk_, "POST", "/api/v1/problems",
                 json{{"title", "P9"}, {"owner_org_id", 5}, {"campaign_id", cid}, {"special_item_ids", {b}}}.dump());
    ASSERT_EQ(p9.status, 201) << p9.body;
    EXPECT_EQ(p9.Json()["special_item_ids"], json::array({b}));
    // ... and untagged again: clearing the campaign drops its items.
    auto cleared = Tag(p9.Json()["id"].get<std::int64_t>(), {{"campaign_id", nullptr}});
    ASSERT_EQ(cleared.status, 200) << cleared.body;
    EXPECT_EQ(cleared.Json()["campaign_id"], nullptr);
    EXPECT_EQ(cleared.Json()["special_item_ids"], json::array());

    // The problem carries its tags with codes and titles; its event trail records the change.
    auto p1 = Get("/api/v1/problems/" + std::to_string(id["P1"]));
    EXPECT_EQ(p1.Json()["campaign"]["code"], "hb-2019");
    EXPECT_EQ(p1.Json()["special_items"],
              json::parse("[{\"id\":" + std::to_string(a) + ",\"code\":\"a\",\"title\":\"专项 A\"},{\"id\":" +
                          std::to_string(b) + ",\"code\":\"b\",\"title\":\"专项 B\"}]"));
    auto events = Get("/api/v1/problems/" + std::to_string(id["P1"]) + "/events");
    ASSERT_EQ(events.status, 200) << events.body;
    const json last = events.Json()["items"].back();
    EXPECT_EQ(last["action"], "update");
    EXPECT_EQ(last["before"]["campaign_id"], nullptr);
    EXPECT_EQ(last["after"]["special_item_ids"], json::array({a, b}));

    // List filters.
    const std::string cq = "/api/v1/problems?campaign_id=" + std::to_string(cid);
    EXPECT_EQ(Titles(Get(cq)), (std::set<std::string>{"P1", "P2", "P3", "P4", "P5", "P6"}));
    EXPECT_EQ(Titles(Get("/api/v1/problems?special_item_id=" + std::to_string(a))),
              (std::set<std::string>{"P1", "P2", "P4", "P5"}));
    EXPECT_EQ(Titles(Get("/api/v1/problems?org_id=3&special_item_id=" + std::to_string(b))),
              (std::set<std::string>{"P1", "P3"}));
    auto listed = Get(cq + "&special_item_id=" + std::to_string(b) + "&org_id=6");
    ASSERT_EQ(listed.Json()["items"].size(), 1u);
    EXPECT_EQ(listed.Json()["items"][0]["special_items"][0]["code"], "b");
    EXPECT_EQ(listed.Json()["items"][0]["campaign"]["name"], "主题教育（河北省）");
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", cq), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/problems?special_item_id=" + std::to_string(a)), 404,
                        "not_found"));

    // Figures of 河北省 (org 2), worked out from the table at the top of this file:
    //   A: P1 P2 P4 P5 -> 4; closed P2 P4 = 2; open P1 = 1; overdue P1 = 1; invalid P5 = 1;
    //      completion 2 / (4 - 1); on time: closed with a due date = P2, on time -> 1 / 1.
    //   B: P1 P3 -> 2; closed P3 = 1; open 1; overdue 1; completion 1 / 2; on time: P3 late -> 0 / 1.
    //   C: nothing -> 0, rates null.
    //   campaign: P1..P6 -> 6; closed 3; open P1 P6 = 2; overdue 1; invalid 1; completion 3 / 5;
    //      on time: P2 P3 have due dates, P2 on time -> 1 / 2. Without an item: P6.
    //   by owner batch: 建北街道 is batch 2 (P3: 1 problem, closed); the rest are batch 1 (P1 P2 P4 P5 P6).
    auto s = Get("/api/v1/orgs/2/stats/special-items?campaign_id=" + std::to_string(cid));
    ASSERT_EQ(s.status, 200) << s.body;
    const json st = s.Json();
    ASSERT_EQ(st["items"].size(), 3u);
    EXPECT_EQ(st["items"][0]["special_item"]["code"], "a");
    EXPECT_EQ(st["items"][0]["problems"], 4);
    EXPECT_EQ(st["items"][0]["closed"], 2);
    EXPECT_EQ(st["items"][0]["open"], 1);
    EXPECT_EQ(st["items"][0]["overdue"], 1);
    EXPECT_EQ(st["items"][0]["invalid_or_merged"], 1);
    EXPECT_EQ(st["items"][0]["completion"], R(2, 3, 2.0 / 3.0));
    EXPECT_EQ(st["items"][0]["on_time"], R(1, 1, 1.0));
    EXPECT_EQ(st["items"][1]["problems"], 2);
    EXPECT_EQ(st["items"][1]["closed"], 1);
    EXPECT_EQ(st["items"][1]["overdue"], 1);
    EXPECT_EQ(st["items"][1]["completion"], R(1, 2, 0.5));
    EXPECT_EQ(st["items"][1]["on_time"], R(0, 1, 0.0));
    EXPECT_EQ(st["items"][2]["problems"], 0);
    EXPECT_EQ(st["items"][2]["completion"], R(0, 0, std::nullopt));
    EXPECT_EQ(st["total"]["problems"], 6);
    EXPECT_EQ(st["total"]["closed"], 3);
    EXPECT_EQ(st["total"]["open"], 2);
    EXPECT_EQ(st["total"]["overdue"], 1);
    EXPECT_EQ(st["total"]["completion"], R(3, 5, 0.6));
    EXPECT_EQ(st["total"]["on_time"], R(1, 2, 0.5));
    EXPECT_EQ(st["without_item"], 1);
    ASSERT_EQ(st["by_org_batch"].size(), 2u);
    EXPECT_EQ(st["by_org_batch"][0]["batch"], 1);
    EXPECT_EQ(st["by_org_batch"][0]["problems"], 5);
    EXPECT_EQ(st["by_org_batch"][0]["closed"], 2);
    EXPECT_EQ(st["by_org_batch"][1]["batch"], 2);
    EXPECT_EQ(st["by_org_batch"][1]["problems"], 1);
    EXPECT_EQ(st["by_org_batch"][1]["closed"], 1);
    // 石家庄市 (org 3: 长安区, 桥西区, 建北街道 and itself): A = P1 P2 P5 -> 3, closed 1, completion 1 / 2.
    auto sjz = As(sjz_clerk_, "GET", "/api/v1/orgs/3/stats/special-items?campaign_id=" + std::to_string(cid));
    ASSERT_EQ(sjz.status, 200) << sjz.body;
    EXPECT_EQ(sjz.Json()["items"][0]["problems"], 3);
    EXPECT_EQ(sjz.Json()["items"][0]["closed"], 1);
    EXPECT_EQ(sjz.Json()["items"][0]["completion"], R(1, 2, 0.5));
    EXPECT_EQ(sjz.Json()["items"][1]["problems"], 2);
    EXPECT_EQ(sjz.Json()["total"]["problems"], 5);
    // Out of scope: 石家庄's clerk asking for 河北省, 山西省 asking for its own subtree of a campaign it cannot see.
    EXPECT_TRUE(IsError(As(sjz_clerk_, "GET", "/api/v1/orgs/2/stats/special-items?campaign_id=" + std::to_string(cid)),
                        404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/8/stats/special-items?campaign_id=" + std::to_string(cid)),
                        404, "not_found"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/2/stats/special-items"), 400, "invalid_argument"));

    // The ledger's 专项整治 column: "code title" joined with "；", the campaign's name when it has no item.
    auto ledger = Get("/api/v1/ledger?list=problems&format=csv&campaign_id=" + std::to_string(cid));
    ASSERT_EQ(ledger.status, 200) << ledger.body;
    EXPECT_NE(ledger.body.find("a 专项 A；b 专项 B"), std::string::npos) << ledger.body;
    EXPECT_NE(ledger.body.find("主题教育（河北省）"), std::string::npos);
    EXPECT_EQ(ledger.body.find("P7"), std::string::npos);
}

// GET /orgs/{id}/stats and /stats/children cut by campaign, special item, owner batch and kind, and created
// period (issue 6), from the roll-up index, which follows each tag change. Expected figures from the table at
// the top of this file, as in the special-item figures above.
TEST_F(CampaignApi, OrgFiguresAreCutByCampaignItemBatchKindAndPeriod) {
    const json c = CreateCampaign();
    ASSERT_FALSE(c.is_null());
    const auto cid = c["id"].get<std::int64_t>();
    const auto a = c["special_items"][0]["id"].get<std::int64_t>();
    const auto b = c["special_items"][1]["id"].get<std::int64_t>();
    const std::string cq = "campaign_id=" + std::to_string(cid);
    // Read once before tagging: the index is built, and must follow the tags from here on.
    auto before = Get("/api/v1/orgs/2/stats?" + cq);
    ASSERT_EQ(before.status, 200) << before.body;
    EXPECT_EQ(before.Json()["problems"], 0);
    std::map<std::string, std::int64_t> id = TagTheTable(cid, a, b);
    ASSERT_EQ(id.size(), 7u);

    // The campaign over 河北省: P1..P6 -> 6; closed P2 P3 P4; open P1 P6; overdue P1; invalid P5;
    // completion 3 / 5; on time: P2 (on time) and P3 (late) have due dates -> 1 / 2.
    auto s = Get("/api/v1/orgs/2/stats?" + cq);
    ASSERT_EQ(s.status, 200) << s.body;
    json f = s.Json();
    EXPECT_EQ(f["problems"], 6);
    EXPECT_EQ(f["closed"], 3);
    EXPECT_EQ(f["open"], 2);
    EXPECT_EQ(f["overdue"], 1);
    EXPECT_EQ(f["completion"], R(3, 5, 0.6));
    EXPECT_EQ(f["closed_on_time"], R(1, 2, 0.5));
    // Item A: P1 P2 P4 P5 -> 4, closed 2, completion 2 / 3. Item B within 石家庄市 (org 3): P1 P3 -> 2.
    f = Get("/api/v1/orgs/2/stats?special_item_id=" + std::to_string(a)).Json();
    EXPECT_EQ(f["problems"], 4);
    EXPECT_EQ(f["completion"], R(2, 3, 2.0 / 3.0));
    EXPECT_EQ(As(sjz_clerk_, "GET", "/api/v1/orgs/3/stats?" + cq + "&special_item_id=" + std::to_string(b))
                  .Json()["problems"],
              2);
    // Untagging applies at once: P6 leaves the campaign -> 5.
    ASSERT_EQ(Tag(id["P6"], {{"campaign_id", nullptr}}).status, 200);
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?" + cq).Json()["problems"], 5);

    // Rankings cut by the campaign: 河北省's children are 石家庄市 (3: P1 P2 P3 P5 -> 4) and 唐山市 (7: P4 -> 1).
    auto children = Get("/api/v1/orgs/2/stats/children?" + cq);
    ASSERT_EQ(children.status, 200) << children.body;
    const json rows = children.Json()["items"];
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0]["org"]["id"], 3);
    EXPECT_EQ(rows[0]["problems"], 4);
    EXPECT_EQ(rows[1]["org"]["id"], 7);
    EXPECT_EQ(rows[1]["problems"], 1);

    // Owner batch: 建北街道 (batch 2) owns P3; every other org of 河北省 is batch 1 (P1, P2, P4..P7 -> 6).
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?batch=2").Json()["problems"], 1);
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?batch=1").Json()["problems"], 6);
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?batch=0").Json()["problems"], 0);
    // A new school (batch 2) under 长安区 with one new problem: the kind and batch filters see it at once.
    auto school = Post("/api/v1/orgs", json{{"parent_id", 4}, {"name", "长安区某中学"}, {"level", "unit"},
                                              {"kind", "school"}, {"batch", 2}}.dump());
    ASSERT_EQ(school.status, 201) << school.body;
    const auto school_id = school.Json()["id"].get<std::int64_t>();
    auto p10 = Post("/api/v1/problems", json{{"title", "P10"}, {"owner_org_id", school_id}}.dump());
    ASSERT_EQ(p10.status, 201) << p10.body;
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?batch=2").Json()["problems"], 2);
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?org_kind=school").Json()["problems"], 1);
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?org_kind=party_gov_agency").Json()["problems"], 7);  // P1..P7
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?org_kind=school&batch=1").Json()["problems"], 0);
    // The problem list (and so the ledger and every drill-through) filters the same way.
    EXPECT_EQ(Titles(Get("/api/v1/problems?org_id=2&batch=2")), (std::set<std::string>{"P3", "P10"}));
    EXPECT_EQ(Titles(Get("/api/v1/problems?org_id=2&org_kind=school")), (std::set<std::string>{"P10"}));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?batch=5"), 400, "invalid_argument"));
    auto ledger = Get("/api/v1/ledger?list=problems&format=csv&org_id=2&batch=2");
    ASSERT_EQ(ledger.status, 200) << ledger.body;
    EXPECT_NE(ledger.body.find("P10"), std::string::npos);
    EXPECT_NE(ledger.body.find("P3"), std::string::npos);
    EXPECT_EQ(ledger.body.find("P2"), std::string::npos);
    EXPECT_EQ(ledger.body.find("P4"), std::string::npos);

    // Period: P1..P7 were created on 2020-01-01 (display zone), P10 now.
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?created_to=2020-01-02T00:00:00%2B08:00").Json()["problems"], 7);
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?created_from=2021-01-01T00:00:00%2B08:00").Json()["problems"], 1);
    EXPECT_EQ(Get("/api/v1/orgs/2/stats?created_from=2020-01-02T00:00:00%2B08:00&created_to=2021-01-01T00:00:00%2B08:00")
                  .Json()["problems"],
              0);

    // Batch ends (docs/LINKAGE.md#batch-ends): batch 1 now ends 2020-01-10, batch 2 on 2020-01-31 (exclusive
    // ends 2020-01-11 and 2020-02-01, 00:00 in the display zone). P11, tagged at creation under 桥西区
    // (batch 1), is created now, after its batch ended.
    auto patched = As(hebei_admin_, "PATCH", "/api/v1/campaigns/" + std::to_string(cid),
                      json{{"version", 1},
                           {"end_date", "2020-12-31"},
                           {"batches", json::array({{{"start_date", "2019-12-01"}, {"end_date", "2020-01-10"}},
                                                    {{"start_date", "2020-01-11"}, {"end_date", "2020-01-31"}}})}}
                          .dump());
    ASSERT_EQ(patched.status, 200) << patched.body;
    auto p11 = As(sjz_clerk_, "POST", "/api/v1/problems",
                  json{{"title", "P11"}, {"owner_org_id", 5}, {"campaign_id", cid}}.dump());
    ASSERT_EQ(p11.status, 201) << p11.body;
    auto items = Get("/api/v1/orgs/2/stats/special-items?" + cq);
    ASSERT_EQ(items.status, 200) << items.body;
    const json batches = items.Json()["by_org_batch"];
    ASSERT_EQ(batches.size(), 2u);
    // Batch 1 (every owner but 建北街道; P6 left the campaign above): P1 open, P2 closed 02-15 (after the end),
    // P4 closed 01-05 (before it), P5 invalid, P11 open and created after the end.
    EXPECT_EQ(batches[0]["batch"], 1);
    EXPECT_EQ(batches[0]["problems"], 5);
    EXPECT_EQ(batches[0]["batch_end"], "2020-01-11T00:00:00+08:00");
    EXPECT_EQ(batches[0]["after_batch_end"],
              json({{"created", 1}, {"closed_by_end", 1}, {"closed_after_end", 1}, {"open_after_end", 2}}));
    // Batch 2 (建北街道): P3 closed 01-20, before its end on 01-31.
    EXPECT_EQ(batches[1]["batch"], 2);
    EXPECT_EQ(batches[1]["batch_end"], "2020-02-01T00:00:00+08:00");
    EXPECT_EQ(batches[1]["after_batch_end"],
              json({{"created", 0}, {"closed_by_end", 1}, {"closed_after_end", 0}, {"open_after_end", 0}}));

    // Bad filters name the parameter; a campaign the caller cannot see does not exist.
    auto bad = Get("/api/v1/orgs/2/stats?batch=3");
    EXPECT_TRUE(IsError(bad, 400, "invalid_argument"));
    EXPECT_NE(Message(bad).find("batch"), std::string::npos) << bad.body;
    bad = Get("/api/v1/orgs/2/stats?org_kind=castle");
    EXPECT_TRUE(IsError(bad, 400, "invalid_argument"));
    EXPECT_NE(Message(bad).find("org_kind"), std::string::npos) << bad.body;
    bad = Get("/api/v1/orgs/2/stats?created_from=2021-01-01T00:00:00Z&created_to=2020-01-01T00:00:00Z");
    EXPECT_TRUE(IsError(bad, 400, "invalid_argument"));
    EXPECT_NE(Message(bad).find("created_to"), std::string::npos) << bad.body;
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/2/stats?category_depth=2&" + cq), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/8/stats?" + cq), 404, "not_found"));
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/8/stats/children?special_item_id=" + std::to_string(a)),
                        404, "not_found"));
}

// Issue 5, "every report can be cut by item": a bulletin (通报) over 河北省's children, cut by the campaign
// and by a special item. Counts worked out from the table at the top (P5 is invalid: never counted).
TEST_F(CampaignApi, BulletinsAreCutByCampaignAndSpecialItem) {
    const json c = CreateCampaign();
    ASSERT_FALSE(c.is_null());
    const auto cid = c["id"].get<std::int64_t>();
    const auto a = c["special_items"][0]["id"].get<std::int64_t>();
    const auto b = c["special_items"][1]["id"].get<std::int64_t>();
    std::map<std::string, std::int64_t> id = TagTheTable(cid, a, b);
    ASSERT_EQ(id.size(), 7u);
    // The fixture's administrator publishes (the province's own admin holds no supervision role).
    auto publish = [&](const std::string& token, const json& cut) {
        json body{{"org_id", 2},
                  {"title", "专项整治通报"},
                  {"period_from", "2019-12-31T00:00:00+08:00"},
                  {"period_to", "2020-01-02T00:00:00+08:00"},
                  {"min_sample", 0}};
        body.update(cut);
        return token.empty() ? Post("/api/v1/bulletins", body.dump()) : As(token, "POST", "/api/v1/bulletins", body.dump());
    };
    // Rows are 石家庄市 (3) and 唐山市 (7): {problems, closed, overdue} per org id.
    auto figures = [](const HttpResponse& r) {
        std::map<std::int64_t, std::vector<std::int64_t>> out;
        const json body = r.Json();
        for (const auto& row : body["rows"]) {
            out[row["org_id"].get<std::int64_t>()] = {row["problems"].get<std::int64_t>(),
                                                      row["closed"].get<std::int64_t>(),
                                                      row["overdue"].get<std::int64_t>()};
        }
        return out;
    };
    using Rows = std::map<std::int64_t, std::vector<std::int64_t>>;
    // No cut: 石家庄市 P1 P2 P3 P6 P7 (closed P2 P3, overdue P1); 唐山市 P4 (closed).
    auto all = publish("", json::object());
    ASSERT_EQ(all.status, 201) << all.body;
    EXPECT_EQ(figures(all), (Rows{{3, {5, 2, 1}}, {7, {1, 1, 0}}}));
    EXPECT_TRUE(all.Json()["cut"].is_null());
    // The campaign: P7 is not tagged -> 石家庄市 P1 P2 P3 P6.
    auto campaign = publish("", {{"campaign_id", cid}});
    ASSERT_EQ(campaign.status, 201) << campaign.body;
    EXPECT_EQ(figures(campaign), (Rows{{3, {4, 2, 1}}, {7, {1, 1, 0}}}));
    EXPECT_EQ(campaign.Json()["cut"]["campaign"]["code"], "hb-2019");
    EXPECT_TRUE(campaign.Json()["cut"]["special_item"].is_null());
    // Item A: 石家庄市 P1 P2 (closed P2, overdue P1); 唐山市 P4. The item names its campaign.
    auto item_a = publish("", {{"special_item_id", a}});
    ASSERT_EQ(item_a.status, 201) << item_a.body;
    EXPECT_EQ(figures(item_a), (Rows{{3, {2, 1, 1}}, {7, {1, 1, 0}}}));
    EXPECT_EQ(item_a.Json()["cut"]["campaign"]["id"], cid);
    EXPECT_EQ(item_a.Json()["cut"]["special_item"]["code"], "a");
    // Item B with its campaign: 石家庄市 P1 P3 (closed P3, overdue P1); 唐山市 none.
    auto item_b = publish("", {{"campaign_id", cid}, {"special_item_id", b}});
    ASSERT_EQ(item_b.status, 201) << item_b.body;
    EXPECT_EQ(figures(item_b), (Rows{{3, {2, 1, 1}}, {7, {0, 0, 0}}}));
    // The stored bulletin keeps its cut; the export's heading names it.
    const std::string B = "/api/v1/bulletins/" + std::to_string(item_a.Json()["id"].get<std::int64_t>());
    EXPECT_EQ(Get(B).Json()["cut"]["special_item"]["title"], "专项 A");
    auto csv = Get(B + "/export?format=csv");
    ASSERT_EQ(csv.status, 200) << csv.body;
    EXPECT_NE(csv.body.find("专项整治：主题教育（河北省）　整治事项：a 专项 A"), std::string::npos) << csv.body.substr(0, 400);
    // A campaign the publisher cannot see does not exist; an unknown item neither.
    auto hidden = publish(shanxi_admin_, {{"org_id", 8}, {"campaign_id", cid}});
    EXPECT_TRUE(IsError(hidden, 404, "not_found")) << hidden.body;
    EXPECT_EQ(Message(hidden).rfind("campaign_id: ", 0), 0u) << hidden.body;
    auto unknown = publish("", {{"special_item_id", 999999}});
    EXPECT_TRUE(IsError(unknown, 404, "not_found")) << unknown.body;
    EXPECT_EQ(Message(unknown).rfind("special_item_id: ", 0), 0u) << unknown.body;
}

TEST_F(CampaignApi, LoadsTheShippedSampleCampaignFromItsFile) {
    // The sample is 天津市's; this tree has no 天津市, so its owner is rewritten to 河北省 (code:13).
    std::ifstream in(SourceDir() / "data/campaigns/bwcx-2019-tianjin.json", std::ios::binary);
    json sample = json::parse(in);
    EXPECT_EQ(sample["owner"], "code:12");
    EXPECT_EQ(sample["batches"].size(), 2u);
    EXPECT_EQ(sample["special_items"].size(), 4u);  // the four the notice names (docs/LINKAGE.md#sample)
    sample["owner"] = "code:13";
    WriteFile(dir_.path() / "c.json", sample.dump());
    auto r = RunRectify(dir_.path(), {"--db", db_, "campaign", "load", dir_.File("c.json")});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto list = Get("/api/v1/campaigns");
    ASSERT_EQ(list.Json()["items"].size(), 1u);
    EXPECT_EQ(list.Json()["items"][0]["code"], "bwcx-2019-tianjin");
    EXPECT_EQ(list.Json()["items"][0]["batches"][1]["start_date"], "2019-09-01");
    auto again = RunRectify(dir_.path(), {"--db", db_, "campaign", "load", dir_.File("c.json")});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("exists already"), std::string::npos) << again.err;
    auto item = RunRectify(dir_.path(), {"--db", db_, "campaign", "item", "add", "bwcx-2019-tianjin", "--code", "x",
                                         "--title", "专项 X", "--lead", "code:1301"});
    ASSERT_EQ(item.exit_code, 0) << item.out << item.err;
    EXPECT_EQ(json::parse(item.out)["lead_org_id"], 3);
    auto listed = RunRectify(dir_.path(), {"--db", db_, "campaign", "list"});
    ASSERT_EQ(listed.exit_code, 0) << listed.err;
    EXPECT_EQ(json::parse(listed.out.substr(0, listed.out.find('\n')))["code"], "bwcx-2019-tianjin");
}

}  // namespace
}  // namespace rectify::testing
