// Root-cause analysis and leaders' own problem lists (issue 12, docs/CAUSES.md) over HTTP against the real
// binary: the shipped cause categories and who may change them, a problem's cause analysis (validation,
// versions, the timeline, the escalation prompt of a higher-level cause), the figures by cause category and
// the problem list's cause filter (counts worked out by hand below), and the self-inspection lists: who sees
// a personal list (each actor checked explicitly), who changes which list, their figures and the bulletin
// section. The org tree is api_fixture.hpp's (全国 1 > 河北省 2 > 石家庄市 3 > 长安区 4 > 建北街道 6,
// 桥西区 5; 唐山市 7; 山西省 8).
#include <set>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

// Problems imported before the server starts, created 2020-01-01 ("now" is after 2026).
//   C1 长安区   registered, due 2020-02-01   -> open, overdue
//   C2 桥西区   closed 2020-02-15
//   C3 建北街道 closed 2020-01-20
//   C4 唐山市   registered                   -> never analysed
//   C5 石家庄市 invalid                      -> excluded from the figures
//   C6 山西省   registered                   -> outside 河北省
constexpr const char* kProblemsCsv =
    "title,owner_division_code,created_at,due_at,status,closed_at\n"
    "C1,130102,2020-01-01,2020-02-01,registered,\n"
    "C2,130104,2020-01-01,2020-03-01,closed,2020-02-15\n"
    "C3,130102001,2020-01-01,,closed,2020-01-20\n"
    "C4,1302,2020-01-01,,registered,\n"
    "C5,1301,2020-01-01,,invalid,\n"
    "C6,14,2020-01-01,,registered,\n";

class CauseApi : public ApiServer {
protected:
    void BeforeServe() override {
        WriteFile(dir_.path() / "problems.csv", kProblemsCsv);
        auto r = RunRectify(dir_.path(), {"--db", db_, "import", "problems", dir_.File("problems.csv")});
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
        struct U {
            std::string* token;
            const char* name;
            const char* org;
            const char* role;
        };
        const U users[] = {
            {&owner_, "changan.deputy", "code:130102", "reviewer"},   // the cadre who keeps the list
            {&peer_, "changan.peer", "code:130102", "reviewer"},      // another cadre of the same org
            {&clerk_, "changan.clerk", "code:130102", "clerk"},       // staff of the same org
            {&leader_, "changan.leader", "code:130102", "leader"},    // the org's leadership
            {&org_admin_, "changan.orgadmin", "code:130102", "org_admin"},
            {&sjz_leader_, "sjz.leader", "code:1301", "leader"},      // the level above
            {&sjz_clerk_, "sjz.clerk", "code:1301", "clerk"},         // above, but no leadership role
            {&sjz_org_admin_, "sjz.orgadmin", "code:1301", "org_admin"},
            {&hebei_supervisor_, "hebei.supervisor", "code:13", "supervisor"},
            {&hebei_admin_, "hebei.admin", "code:13", "admin"},
            {&auditor_, "root.auditor", "1", "auditor"},
            {&qiaoxi_leader_, "qiaoxi.leader", "code:130104", "leader"},  // a sibling org
            {&jianbei_leader_, "jianbei.leader", "code:130102001", "leader"},  // an org below
            {&shanxi_admin_, "shanxi.admin", "code:14", "admin"},
        };
        for (const auto& u : users) {
            *u.token = MakeUserToken(dir_.path(), db_, u.name, u.org, {u.role});
            ASSERT_FALSE(u.token->empty()) << u.name;
        }
    }

    HttpResponse As(const std::string& token, const std::string& method, const std::string& target,
                    const std::string& body = "", Headers headers = {}) {
        headers.emplace_back("Authorization", "Bearer " + token);
        return Send(port(), method, target, body, headers);
    }

    std::int64_t ProblemId(const std::string& title) {
        auto r = Get("/api/v1/problems?limit=100");
        EXPECT_EQ(r.status, 200) << r.body;
        const json body = r.Json();
        for (const auto& p : body["items"]) {
            if (p["title"] == title) return p["id"].get<std::int64_t>();
        }
        ADD_FAILURE() << "no problem " << title;
        return 0;
    }

    std::int64_t UserId(std::int64_t org, const std::string& name) {
        auto r = Get("/api/v1/users?org_id=" + std::to_string(org));
        EXPECT_EQ(r.status, 200) << r.body;
        const json body = r.Json();
        for (const auto& u : body["items"]) {
            if (u["name"] == name) return u["id"].get<std::int64_t>();
        }
        ADD_FAILURE() << "no user " << name;
        return 0;
    }

    // The id of the category with `code`.
    std::int64_t Cause(const std::string& code) {
        auto r = Get("/api/v1/cause-categories");
        EXPECT_EQ(r.status, 200) << r.body;
        const json body = r.Json();
        for (const auto& c : body["items"]) {
            if (c["code"] == code) return c["id"].get<std::int64_t>();
        }
        ADD_FAILURE() << "no cause category " << code;
        return 0;
    }

    HttpResponse Analyse(const std::string& token, std::int64_t problem, const json& body) {
        return As(token, "PUT", "/api/v1/problems/" + std::to_string(problem) + "/cause-analysis", body.dump());
    }

    void SetRank(std::int64_t org, const std::string& name, const json& rank) {
        auto r = Patch("/api/v1/users/" + std::to_string(UserId(org, name)), json{{"cadre_rank", rank}}.dump());
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.Json()["cadre_rank"], rank);
    }

    std::string owner_, peer_, clerk_, leader_, org_admin_, sjz_leader_, sjz_clerk_, sjz_org_admin_, hebei_supervisor_,
        hebei_admin_, auditor_, qiaoxi_leader_, jianbei_leader_, shanxi_admin_;
};

json Counts(std::int64_t problems, std::int64_t closed, std::int64_t open, std::int64_t overdue) {
    return {{"problems", problems}, {"closed", closed}, {"open", open}, {"overdue", overdue}};
}

TEST_F(CauseApi, ShipsDefaultCategoriesThatOnlyTheRootAdminChanges) {
    auto list = As(clerk_, "GET", "/api/v1/cause-categories");  // any signed-in user reads the list
    ASSERT_EQ(list.status, 200) << list.body;
    const json items = list.Json()["items"];
    ASSERT_EQ(items.size(), 13u);  // the 13 rows of 013_causes_personal_lists.sql
    EXPECT_EQ(items[0]["code"], "thinking");
    EXPECT_EQ(items[0]["name_zh"], "思维理念不适应");
    std::set<std::string> higher;
    for (const auto& c : items) {
        if (c["higher_level"] == true) higher.insert(c["code"].get<std::string>());
    }
    EXPECT_EQ(higher, (std::set<std::string>{"policy_above", "funding", "cross_department"}));

    const json draft = {{"code", "resources"}, {"name_zh", "人员编制不足"}, {"name_en", "Too few staff"},
                        {"higher_level", true}, {"sort_order", 95}};
    EXPECT_TRUE(IsError(As(hebei_admin_, "POST", "/api/v1/cause-categories", draft.dump()), 403, "permission_denied"));
    auto created = Post("/api/v1/cause-categories", draft.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const auto id = created.Json()["id"].get<std::int64_t>();
    EXPECT_EQ(created.Header("location"), "/api/v1/cause-categories/" + std::to_string(id));
    EXPECT_TRUE(IsError(Post("/api/v1/cause-categories", draft.dump()), 409, "already_exists"));
    auto bad = draft;
    bad["code"] = "bad code";
    auto rejected = Post("/api/v1/cause-categories", bad.dump());
    EXPECT_TRUE(IsError(rejected, 400, "invalid_argument"));
    EXPECT_NE(Message(rejected).find("code:"), std::string::npos) << rejected.body;

    const std::string path = "/api/v1/cause-categories/" + std::to_string(id);
    auto off = Send(port(), "PUT", path, R"({"version":1,"active":false})", Auth());
    ASSERT_EQ(off.status, 200) << off.body;
    EXPECT_EQ(off.Json()["active"], false);
    auto after = Get("/api/v1/cause-categories").Json()["items"];
    bool found_inactive = false;
    for (const auto& c : after) {
        if (c["id"] == id) found_inactive = c["active"] == false && c["version"] == 2;
    }
    EXPECT_TRUE(found_inactive);
    EXPECT_TRUE(IsError(Send(port(), "PUT", path, R"({"version":1,"active":true})", Auth()), 409, "aborted"));
    EXPECT_TRUE(IsError(As(hebei_admin_, "PUT", path, R"({"version":2,"active":true})"), 403, "permission_denied"));
}

TEST_F(CauseApi, RecordsTheAnalysisOfAProblemAndSuggestsEscalationForAHigherLevelCause) {
    const auto c1 = ProblemId("C1"), c2 = ProblemId("C2"), c6 = ProblemId("C6");
    const auto mechanism = Cause("mechanism"), funding = Cause("funding"), legacy = Cause("legacy");

    // Bad input, each naming the field.
    auto empty = Analyse(sjz_clerk_, c1, {{"cause_category_ids", json::array()}});
    EXPECT_TRUE(IsError(empty, 400, "invalid_argument"));
    EXPECT_NE(Message(empty).find("cause_category_ids"), std::string::npos);
    auto twice = Analyse(sjz_clerk_, c1, {{"cause_category_ids", {mechanism, mechanism}}});
    EXPECT_TRUE(IsError(twice, 400, "invalid_argument"));
    EXPECT_NE(Message(twice).find("cause_category_ids[1]"), std::string::npos) << twice.body;
    auto unknown = Analyse(sjz_clerk_, c1, {{"cause_category_ids", {mechanism, 99999}}});
    EXPECT_TRUE(IsError(unknown, 400, "invalid_argument"));
    EXPECT_NE(Message(unknown).find("cause_category_ids[1]: category 99999 does not exist"), std::string::npos);
    EXPECT_TRUE(IsError(Analyse(sjz_clerk_, c1, {{"cause_category_ids", {mechanism}}, {"colour", 1}}), 400,
                        "invalid_argument"));
    // Who: a leader is not a problem editor; 山西省 does not see 河北省's problem.
    EXPECT_TRUE(IsError(Analyse(leader_, c1, {{"cause_category_ids", {mechanism}}}), 403, "permission_denied"));
    EXPECT_TRUE(IsError(Analyse(shanxi_admin_, c1, {{"cause_category_ids", {mechanism}}}), 404, "not_found"));
    EXPECT_TRUE(IsError(Analyse(sjz_clerk_, c6, {{"cause_category_ids", {mechanism}}}), 404, "not_found"));

    // A higher-level cause on an open problem: the escalation prompt.
    auto set = Analyse(sjz_clerk_, c1, {{"cause_category_ids", {funding, mechanism}}, {"text", "专项资金未下达"}});
    ASSERT_EQ(set.status, 200) << set.body;
    json s = set.Json();
    EXPECT_EQ(s["escalation_suggested"], true);
    EXPECT_EQ(s["higher_level_cause_ids"], json::array({funding}));
    EXPECT_EQ(s["cause_analysis"]["cause_category_ids"], json::array({std::min(funding, mechanism), std::max(funding, mechanism)}));
    EXPECT_EQ(s["cause_analysis"]["version"], 1);
    EXPECT_EQ(set.Header("etag"), "\"1\"");
    // The problem JSON carries it.
    auto p = As(sjz_clerk_, "GET", "/api/v1/problems/" + std::to_string(c1)).Json();
    EXPECT_EQ(p["cause_analysis"]["text"], "专项资金未下达");
    EXPECT_EQ(p["causes"].size(), 2u);
    // A second write without the version it read is stale; with it, it replaces the categories.
    EXPECT_TRUE(IsError(Analyse(sjz_clerk_, c1, {{"cause_category_ids", {mechanism}}, {"version", 0}}), 409, "aborted"));
    auto replaced = Analyse(sjz_clerk_, c1, {{"cause_category_ids", {mechanism}}, {"version", 1}});
    ASSERT_EQ(replaced.status, 200) << replaced.body;
    EXPECT_EQ(replaced.Json()["escalation_suggested"], false);
    EXPECT_EQ(replaced.Json()["cause_analysis"]["version"], 2);
    // The timeline has both writes.
    auto events = Get("/api/v1/problems/" + std::to_string(c1) + "/events").Json()["items"];
    int analyses = 0;
    for (const auto& e : events) analyses += e["action"] == "cause_analysis";
    EXPECT_EQ(analyses, 2);

    // A closed problem: a higher-level cause suggests nothing (it cannot be escalated).
    auto closed = Analyse(sjz_clerk_, c2, {{"cause_category_ids", {funding}}});
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(closed.Json()["escalation_suggested"], false);
    EXPECT_EQ(closed.Json()["higher_level_cause_ids"], json::array({funding}));

    // An inactive category may stay on a problem that has it, but not be chosen anew.
    auto off = Send(port(), "PUT", "/api/v1/cause-categories/" + std::to_string(legacy), R"({"version":1,"active":false})",
                    Auth());
    ASSERT_EQ(off.status, 200) << off.body;
    auto inactive = Analyse(sjz_clerk_, c2, {{"cause_category_ids", {legacy}}, {"version", 1}});
    EXPECT_TRUE(IsError(inactive, 400, "invalid_argument"));
    EXPECT_NE(Message(inactive).find("inactive"), std::string::npos);
}

TEST_F(CauseApi, CountsProblemsPerCauseCategoryInASubtreeAndFiltersTheList) {
    const auto mechanism = Cause("mechanism"), funding = Cause("funding"), capability = Cause("capability");
    ASSERT_EQ(Analyse(sjz_clerk_, ProblemId("C1"), {{"cause_category_ids", {mechanism, funding}}}).status, 200);
    ASSERT_EQ(Analyse(sjz_clerk_, ProblemId("C2"), {{"cause_category_ids", {mechanism}}}).status, 200);
    ASSERT_EQ(Analyse(sjz_clerk_, ProblemId("C3"), {{"cause_category_ids", {capability}}}).status, 200);
    ASSERT_EQ(Analyse(token_, ProblemId("C5"), {{"cause_category_ids", {mechanism}}}).status, 200);
    ASSERT_EQ(Analyse(token_, ProblemId("C6"), {{"cause_category_ids", {mechanism}}}).status, 200);

    auto of = [&](const json& stats, std::int64_t id) {
        for (const auto& row : stats["categories"]) {
            if (row["cause_category"]["id"] == id) {
                json c = row;
                c.erase("cause_category");
                return c;
            }
        }
        return json();
    };
    // 河北省: mechanism C1 (open, overdue) + C2 (closed); C5 is invalid, C6 lies in 山西省.
    auto hebei = As(hebei_admin_, "GET", "/api/v1/orgs/2/stats/causes");
    ASSERT_EQ(hebei.status, 200) << hebei.body;
    const json h = hebei.Json();
    EXPECT_EQ(of(h, mechanism), Counts(2, 1, 1, 1));
    EXPECT_EQ(of(h, funding), Counts(1, 0, 1, 1));
    EXPECT_EQ(of(h, capability), Counts(1, 1, 0, 0));
    EXPECT_EQ(of(h, Cause("legacy")), Counts(0, 0, 0, 0));
    EXPECT_EQ(h["analysed"], Counts(3, 2, 1, 1));          // C1, C2, C3 once each
    EXPECT_EQ(h["without_analysis"], Counts(1, 0, 1, 0));  // C4
    EXPECT_EQ(h["categories"].size(), 13u);
    // The whole tree adds C6; 石家庄市 drops C4 (唐山市).
    EXPECT_EQ(of(Get("/api/v1/orgs/1/stats/causes").Json(), mechanism), Counts(3, 1, 2, 1));
    const json sjz = As(sjz_clerk_, "GET", "/api/v1/orgs/3/stats/causes").Json();
    EXPECT_EQ(sjz["without_analysis"], Counts(0, 0, 0, 0));
    EXPECT_EQ(sjz["analysed"], Counts(3, 2, 1, 1));
    // Filters: source (all imported problems have the import's source), an unknown one is a 400.
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/2/stats/causes?source=nowhere"), 400, "invalid_argument"));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/2/stats/causes?week=1"), 400, "invalid_argument"));
    // The cuts of GET /stats: the owner's batch (建北街道 alone is batch 2: C3, capability, closed) and kind
    // (every org of the fixture is a party and government agency; no school).
    const json batch2 = Get("/api/v1/orgs/2/stats/causes?batch=2").Json();
    EXPECT_EQ(of(batch2, capability), Counts(1, 1, 0, 0));
    EXPECT_EQ(of(batch2, mechanism), Counts(0, 0, 0, 0));
    EXPECT_EQ(batch2["analysed"], Counts(1, 1, 0, 0));
    EXPECT_EQ(batch2["without_analysis"], Counts(0, 0, 0, 0));
    EXPECT_EQ(Get("/api/v1/orgs/2/stats/causes?org_kind=party_gov_agency").Json()["analysed"], Counts(3, 2, 1, 1));
    EXPECT_EQ(Get("/api/v1/orgs/2/stats/causes?org_kind=school").Json()["analysed"], Counts(0, 0, 0, 0));
    EXPECT_TRUE(IsError(Get("/api/v1/orgs/2/stats/causes?batch=3"), 400, "invalid_argument"));
    // Scope: 山西省's admin does not see 河北省.
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/2/stats/causes"), 404, "not_found"));

    // The problem list's filter: C1, C2, C5, C6 name mechanism (the list shows invalid problems too).
    auto list = Get("/api/v1/problems?cause_category_id=" + std::to_string(mechanism));
    ASSERT_EQ(list.status, 200) << list.body;
    std::set<std::string> titles;
    const json listed = list.Json();  // kept: a loop over a temporary's member would dangle
    for (const auto& p : listed["items"]) titles.insert(p["title"].get<std::string>());
    EXPECT_EQ(titles, (std::set<std::string>{"C1", "C2", "C5", "C6"}));
    std::set<std::string> hebei_titles;
    const json hebei_listed = As(hebei_admin_, "GET", "/api/v1/problems?cause_category_id=" + std::to_string(funding)).Json();
    for (const auto& p : hebei_listed["items"]) {
        hebei_titles.insert(p["title"].get<std::string>());
    }
    EXPECT_EQ(hebei_titles, (std::set<std::string>{"C1"}));
    EXPECT_TRUE(IsError(Get("/api/v1/problems?cause_category_id=99999"), 404, "not_found"));
}

TEST_F(CauseApi, APersonalListIsVisibleToTheOwnerTheOrgsLeadershipAndTheLevelsAboveOnly) {
    SetRank(4, "changan.deputy", "division");
    SetRank(4, "changan.peer", "division");
    // Only leading cadres keep a personal list: a section-level account may not.
    SetRank(4, "changan.clerk", "section");
    const json body = {{"problem_text", "调查研究不够深入"}, {"measures", "每季度下基层调研不少于 3 次"},
                       {"deadline", "2099-12-31"}, {"position", "副区长"}};
    EXPECT_TRUE(IsError(As(clerk_, "POST", "/api/v1/orgs/4/self-inspection-items", body.dump()), 403, "permission_denied"));
    EXPECT_TRUE(IsError(As(leader_, "POST", "/api/v1/orgs/4/self-inspection-items", body.dump()), 403,
                        "permission_denied"));  // no rank at all
    // A personal item belongs to the org of the account.
    auto elsewhere = As(owner_, "POST", "/api/v1/orgs/3/self-inspection-items", body.dump());
    EXPECT_TRUE(IsError(elsewhere, 404, "not_found") || IsError(elsewhere, 400, "invalid_argument")) << elsewhere.body;

    auto created = As(owner_, "POST", "/api/v1/orgs/4/self-inspection-items", body.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const json item = created.Json();
    EXPECT_EQ(item["kind"], "personal");
    EXPECT_EQ(item["leader_name"], "changan.deputy");  // the account's display name
    EXPECT_EQ(item["status"], "open");
    EXPECT_EQ(item["can_edit"], true);
    const std::string path = "/api/v1/self-inspection-items/" + std::to_string(item["id"].get<std::int64_t>());

    // Sees it: the owner; the org's leadership (leader, org_admin on 长安区); the levels above (leader on
    // 石家庄市, supervisor and admin on 河北省, auditor on the root, admin on the root).
    for (const auto* who : {&owner_, &leader_, &org_admin_, &sjz_leader_, &hebei_supervisor_, &hebei_admin_, &auditor_,
                            &token_}) {
        auto r = As(*who, "GET", path);
        EXPECT_EQ(r.status, 200) << r.body;
    }
    // Does not: a peer cadre and a clerk of the same org; a clerk and an org_admin above (no leadership
    // role); a leader of a sibling (桥西区) and of an org below (建北街道); another province's admin.
    for (const auto* who : {&peer_, &clerk_, &sjz_clerk_, &sjz_org_admin_, &qiaoxi_leader_, &jianbei_leader_,
                            &shanxi_admin_}) {
        EXPECT_TRUE(IsError(As(*who, "GET", path), 404, "not_found"));
        EXPECT_TRUE(IsError(As(*who, "PATCH", path, R"({"version":1,"note":"x"})"), 404, "not_found"));
    }
    // Never the public: no session, no item.
    auto anonymous = Send(port(), "GET", path, "", {});
    EXPECT_EQ(anonymous.status, 401) << anonymous.body;
    EXPECT_EQ(Send(port(), "GET", "/api/v1/public/self-inspection-items", "", {}).status, 404);

    // Lists: what each sees of 长安区's lists, and of 石家庄市's subtree.
    auto count = [&](const std::string& token, const std::string& target) {
        auto r = As(token, "GET", target);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.Json()["items"].size();
    };
    EXPECT_EQ(count(owner_, "/api/v1/orgs/4/self-inspection-items"), 1u);
    EXPECT_EQ(count(leader_, "/api/v1/orgs/4/self-inspection-items?kind=personal"), 1u);
    EXPECT_EQ(count(peer_, "/api/v1/orgs/4/self-inspection-items"), 0u);
    EXPECT_EQ(count(clerk_, "/api/v1/orgs/4/self-inspection-items"), 0u);
    EXPECT_EQ(count(sjz_leader_, "/api/v1/orgs/3/self-inspection-items?subtree=true"), 1u);
    EXPECT_EQ(count(sjz_leader_, "/api/v1/orgs/3/self-inspection-items"), 0u);  // 石家庄市's own lists only
    EXPECT_EQ(count(sjz_clerk_, "/api/v1/orgs/3/self-inspection-items?subtree=true"), 0u);
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/4/self-inspection-items"), 404, "not_found"));

    // Changes: the owner only (the leadership reads but does not edit someone's own list).
    EXPECT_TRUE(IsError(As(leader_, "PATCH", path, R"({"version":1,"note":"x"})"), 403, "permission_denied"));
    auto no_date = As(owner_, "PATCH", path, R"({"version":1,"status":"done"})");
    EXPECT_TRUE(IsError(no_date, 400, "invalid_argument"));
    EXPECT_NE(Message(no_date).find("done_on"), std::string::npos);
    auto bad_date = As(owner_, "PATCH", path, R"({"version":1,"deadline":"2099-02-30"})");
    EXPECT_TRUE(IsError(bad_date, 400, "invalid_argument"));
    EXPECT_NE(Message(bad_date).find("deadline"), std::string::npos);
    auto done = As(owner_, "PATCH", path, R"({"version":1,"status":"done","done_on":"2026-01-10","note":"已整改"})");
    ASSERT_EQ(done.status, 200) << done.body;
    EXPECT_EQ(done.Json()["status"], "done");
    EXPECT_EQ(done.Json()["version"], 2);
    EXPECT_TRUE(IsError(As(owner_, "PATCH", path, R"({"version":1,"note":"y"})"), 409, "aborted"));
}

TEST_F(CauseApi, TheLeadershipGroupKeepsItsListAndBothListsCountApartInFiguresAndBulletins) {
    SetRank(4, "changan.deputy", "division");
    // 长安区's leadership group list: its leader and org_admin write it; a clerk there may not, nor may a
    // leader above (the group's own list is the group's).
    const json group = {{"kind", "leadership_group"}, {"problem_text", "民主集中制执行不到位"}, {"deadline", "2099-12-31"}};
    EXPECT_TRUE(IsError(As(clerk_, "POST", "/api/v1/orgs/4/self-inspection-items", group.dump()), 403,
                        "permission_denied"));
    EXPECT_TRUE(IsError(As(sjz_leader_, "POST", "/api/v1/orgs/4/self-inspection-items", group.dump()), 403,
                        "permission_denied"));
    auto g = As(leader_, "POST", "/api/v1/orgs/4/self-inspection-items", group.dump());
    ASSERT_EQ(g.status, 201) << g.body;
    EXPECT_EQ(g.Json()["leader_name"], "长安区领导班子");
    EXPECT_EQ(g.Json()["owner_user_id"], nullptr);
    // Seen by the org's staff (it is the org's own record), not by a sibling.
    EXPECT_EQ(As(clerk_, "GET", "/api/v1/self-inspection-items/" + std::to_string(g.Json()["id"].get<std::int64_t>())).status,
              200);
    EXPECT_TRUE(IsError(As(qiaoxi_leader_, "GET", "/api/v1/self-inspection-items/" +
                                                    std::to_string(g.Json()["id"].get<std::int64_t>())),
                        404, "not_found"));

    // Two personal items: one done on time, one open past its deadline.
    auto p1 = As(owner_, "POST", "/api/v1/orgs/4/self-inspection-items",
                 json{{"problem_text", "A"}, {"deadline", "2020-01-31"}}.dump());
    ASSERT_EQ(p1.status, 201) << p1.body;
    ASSERT_EQ(As(owner_, "PATCH", "/api/v1/self-inspection-items/" + std::to_string(p1.Json()["id"].get<std::int64_t>()),
                 R"({"version":1,"status":"done","done_on":"2020-01-20"})")
                  .status,
              200);
    ASSERT_EQ(As(owner_, "POST", "/api/v1/orgs/4/self-inspection-items",
                 json{{"problem_text", "B"}, {"deadline", "2020-01-01"}}.dump())
                  .status,
              201);

    const json personal = {{"items", 2}, {"done", 1}, {"done_on_time", 1}, {"overdue", 1}};
    const json lg = {{"items", 1}, {"done", 0}, {"done_on_time", 0}, {"overdue", 0}};
    const json none = {{"items", 0}, {"done", 0}, {"done_on_time", 0}, {"overdue", 0}};
    auto stats = As(sjz_clerk_, "GET", "/api/v1/orgs/3/stats/self-inspection");  // counts only: any actor in scope
    ASSERT_EQ(stats.status, 200) << stats.body;
    const json s = stats.Json();
    EXPECT_EQ(s["personal"], personal);
    EXPECT_EQ(s["leadership_group"], lg);
    ASSERT_EQ(s["children"].size(), 2u);  // 长安区, 桥西区
    for (const auto& row : s["children"]) {
        EXPECT_EQ(row["personal"], row["org_id"] == 4 ? personal : none) << row;
    }
    EXPECT_TRUE(IsError(As(shanxi_admin_, "GET", "/api/v1/orgs/3/stats/self-inspection"), 404, "not_found"));

    // A bulletin of 石家庄市 ranks its children on unit problems and reports the lists apart.
    auto b = Post("/api/v1/bulletins", json{{"org_id", 3}, {"title", "第一期"}, {"period_from", "2019-01-01T00:00:00Z"},
                                            {"period_to", "2099-01-01T00:00:00Z"}, {"min_sample", 0}}
                                           .dump());
    ASSERT_EQ(b.status, 201) << b.body;
    const json bs = b.Json()["self_inspection"];
    EXPECT_EQ(bs["total"]["personal"], personal);
    EXPECT_EQ(bs["total"]["leadership_group"], lg);
    ASSERT_EQ(bs["rows"].size(), 2u);
    EXPECT_EQ(bs["rows"][0]["org_id"], 4);
    EXPECT_EQ(bs["rows"][0]["personal"], personal);
    // The unit figures do not include the lists: 3 problems owned under 石家庄市 were imported (C1, C3, and
    // C2 in 桥西区; C5 is invalid), none of them a self-inspection item.
    EXPECT_EQ(b.Json()["total"]["problems"], 3);
    // The printable page has the section as its own table: 长安区's row reads 2 items, 1 done, 1 on time,
    // 1 overdue, then the group list's 1, 0, 0, 0.
    auto html = Get("/api/v1/bulletins/" + std::to_string(b.Json()["id"].get<std::int64_t>()) + "/export?format=html");
    ASSERT_EQ(html.status, 200) << html.body;
    EXPECT_NE(html.body.find("个人检视和领导班子检视问题清单完成情况"), std::string::npos);
    EXPECT_NE(html.body.find("<td class=\"name\">长安区</td><td>2</td><td>1</td><td>1</td><td>1</td><td>1</td><td>0</td>"
                             "<td>0</td><td>0</td>"),
              std::string::npos)
        << html.body;
}

// The ranks that count are a setting: with `serve --leading-cadre-ranks bureau`, a division-level cadre keeps
// no personal list and a bureau-level one does.
class CauseApiBureauOnly : public CauseApi {
protected:
    std::vector<std::string> ServeArgs() override { return {"--leading-cadre-ranks", "bureau"}; }
};

TEST_F(CauseApiBureauOnly, OnlyTheConfiguredRanksKeepAPersonalList) {
    SetRank(4, "changan.deputy", "division");
    SetRank(4, "changan.peer", "bureau");
    const json body = {{"problem_text", "学习不深入"}, {"deadline", "2099-12-31"}};
    auto refused = As(owner_, "POST", "/api/v1/orgs/4/self-inspection-items", body.dump());
    EXPECT_TRUE(IsError(refused, 403, "permission_denied"));
    EXPECT_NE(Message(refused).find("\"division\""), std::string::npos) << refused.body;
    EXPECT_EQ(As(peer_, "POST", "/api/v1/orgs/4/self-inspection-items", body.dump()).status, 201);
    // An unknown rank is refused where it is set, naming the field; nobody sets their own.
    auto unknown = Patch("/api/v1/users/" + std::to_string(UserId(4, "changan.deputy")), R"({"cadre_rank":"colonel"})");
    EXPECT_TRUE(IsError(unknown, 400, "invalid_argument"));
    EXPECT_NE(Message(unknown).find("cadre_rank"), std::string::npos);
    auto own = As(org_admin_, "PATCH", "/api/v1/users/" + std::to_string(UserId(4, "changan.orgadmin")),
                  R"({"cadre_rank":"bureau"})");
    EXPECT_TRUE(IsError(own, 409, "failed_precondition"));  // org_admin manages the account, but not their own rank
    EXPECT_NE(Message(own).find("your own cadre rank"), std::string::npos) << own.body;
    EXPECT_EQ(Get("/api/v1/users/" + std::to_string(UserId(4, "changan.orgadmin"))).Json()["cadre_rank"], nullptr);
}

}  // namespace
}  // namespace rectify::testing
