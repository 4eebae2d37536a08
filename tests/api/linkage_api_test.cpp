// Upper–lower linkage (issue 5) over HTTP against the real binary, on the real Fuzhou org tree: 福州市
// (3501) with its nine districts and counties of the division files and the three held-out districts
// (仓山区, 马尾区, 晋安区): twelve county-level orgs. Users act through API tokens: 鼓楼区's clerk and
// reviewer, 福州市's reviewer, 台江区's clerk (an unrelated sibling) and an admin over everything.
// docs/LINKAGE.md's examples 1 and 3, driven end to end.
#include <signal.h>

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "rectify_process.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

std::string Message(const HttpResponse& r) { return r.Json()["error"].value("message", ""); }

class LinkageApi : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(RectifyBin().empty()) << "RECTIFY_BIN is not set (run through ctest)";
        RECTIFY_SKIP_WITHOUT_BACKEND();
        test_db_ = std::make_unique<TestDatabase>(dir_);
        ASSERT_EQ(test_db_->error(), "");
        db_ = test_db_->url();
        const fs::path data = SourceDir() / "data";
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"init"},
                 {"import", "divisions", "--dir", (data / "divisions").string(), "--city", "3501", "--depth", "county"},
                 {"import", "orgs", (data / "orgs/fuzhou_holdout_districts.csv").string()}}) {
            std::vector<std::string> argv{"--db", db_, "--log-level", "warn"};
            argv.insert(argv.end(), args.begin(), args.end());
            auto r = RunRectify(dir_.path(), argv);
            ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.out << r.err;
        }
        admin_ = MakeUserToken(dir_.path(), db_, "tester", "1", {"admin"});
        gulou_token_ = MakeUserToken(dir_.path(), db_, "gulou.clerk", "code:350102", {"clerk", "reviewer"});
        fuzhou_token_ = MakeUserToken(dir_.path(), db_, "fuzhou.reviewer", "code:3501", {"reviewer"});
        taijiang_token_ = MakeUserToken(dir_.path(), db_, "taijiang.clerk", "code:350103", {"clerk", "reviewer"});
        for (const auto* t : {&admin_, &gulou_token_, &fuzhou_token_, &taijiang_token_}) ASSERT_FALSE(t->empty());
        server_ = std::make_unique<ServerProcess>(dir_.path(), db_, std::vector<std::string>{});
        ASSERT_TRUE(server_->started()) << "server did not start; its log:\n" << server_->log();
        fuzhou_ = OrgId("3501");
        gulou_ = OrgId("350102");
        taijiang_ = OrgId("350103");
    }

    void TearDown() override {
        if (!server_) return;
        if (server_->started()) {
            server_->Signal(SIGTERM);
            EXPECT_EQ(server_->Wait(std::chrono::seconds(15)), std::optional<int>(0)) << "exit after SIGTERM";
        }
        const std::string log = server_->log();
        for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
            EXPECT_EQ(log.find(report), std::string::npos) << report << "\n" << log;
        }
        server_.reset();
    }

    HttpResponse Call(const std::string& token, const std::string& method, const std::string& target,
                      const std::string& body = "", Headers headers = {}) {
        headers.emplace_back("Authorization", "Bearer " + token);
        return Send(server_->port(), method, target, body, headers);
    }
    HttpResponse Get(const std::string& token, const std::string& target) { return Call(token, "GET", target); }
    HttpResponse Post(const std::string& token, const std::string& target, const json& body, Headers headers = {}) {
        return Call(token, "POST", target, body.dump(), std::move(headers));
    }

    std::int64_t OrgId(const std::string& code) {
        auto r = Get(admin_, "/api/v1/orgs?division_code=" + code);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.Json()["items"].at(0)["id"].get<std::int64_t>();
    }

    std::int64_t NewProblem(const std::string& token, std::int64_t owner, const std::string& title) {
        auto r = Post(token, "/api/v1/problems", {{"title", title}, {"owner_org_id", owner}});
        EXPECT_EQ(r.status, 201) << r.body;
        return r.Json().value("id", std::int64_t{0});
    }

    TempDir dir_;
    std::unique_ptr<TestDatabase> test_db_;  // outlives server_
    std::string db_, admin_, gulou_token_, fuzhou_token_, taijiang_token_;
    std::unique_ptr<ServerProcess> server_;
    std::int64_t fuzhou_ = 0, gulou_ = 0, taijiang_ = 0;
};

// docs/LINKAGE.md, example 1.
TEST_F(LinkageApi, GulouEscalatesToFuzhouWhichAcceptsAndGulouStillReadsItAndTheStatsSayWhereItCameFrom) {
    const auto pid = NewProblem(gulou_token_, gulou_, "公交线路调整需市级统筹");
    const std::string P = "/api/v1/problems/" + std::to_string(pid);

    // Bad requests name the field.
    auto sibling = Post(gulou_token_, P + "/escalations", {{"to_org_id", taijiang_}, {"reason", "原因"}});
    EXPECT_EQ(sibling.status, 400);
    EXPECT_EQ(Message(sibling).rfind("to_org_id: org " + std::to_string(taijiang_) + " is not above org " +
                                         std::to_string(gulou_), 0),
              0u)
        << sibling.body;
    auto no_reason = Post(gulou_token_, P + "/escalations", {{"to_org_id", fuzhou_}});
    EXPECT_EQ(no_reason.status, 400);
    EXPECT_EQ(Message(no_reason), "missing required field \"reason\"");
    auto unknown = Post(gulou_token_, P + "/escalations", {{"to_org_id", fuzhou_}, {"reason", "x"}, {"owner", 1}});
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(Message(unknown), "unknown field \"owner\"");

    auto created = Post(gulou_token_, P + "/escalations", {{"to_org_id", fuzhou_}, {"reason", "线路审批权在市交通局"}});
    ASSERT_EQ(created.status, 201) << created.body;
    const json e = created.Json();
    const std::string E = "/api/v1/escalations/" + std::to_string(e["id"].get<std::int64_t>());
    EXPECT_EQ(created.Header("location"), E);
    EXPECT_EQ(created.Header("etag"), "\"1\"");
    EXPECT_EQ(e["status"], "pending");
    EXPECT_EQ(e["from_org_id"], gulou_);
    EXPECT_EQ(e["origin_org_id"], gulou_);
    EXPECT_EQ(e["next_actions"], json({"accept", "decline", "withdraw"}));

    // 鼓楼区 cannot accept its own request; 台江区 does not even see it.
    EXPECT_EQ(Post(gulou_token_, E + "/accept", json::object()).status, 403);
    EXPECT_EQ(Get(taijiang_token_, E).status, 404);
    EXPECT_EQ(Post(taijiang_token_, E + "/decline", {{"reason", "x"}}).status, 404);

    auto stale = Post(fuzhou_token_, E + "/accept", json::object(), {{"If-Match", "\"7\""}});
    EXPECT_EQ(stale.status, 409) << stale.body;
    auto accepted = Post(fuzhou_token_, E + "/accept", {{"comment", "由市交通局牵头答复"}}, {{"If-Match", "\"1\""}});
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(accepted.Json()["status"], "accepted");
    EXPECT_EQ(accepted.Json()["decided_by"].get<std::string>().rfind("fuzhou.reviewer", 0), 0u) << accepted.body;
    EXPECT_EQ(accepted.Header("etag"), "\"2\"");
    auto again = Post(fuzhou_token_, E + "/decline", {{"reason", "x"}});
    EXPECT_EQ(again.status, 409);

    // The origin reads the problem, now owned by 福州市, and every step.
    auto seen = Get(gulou_token_, P);
    ASSERT_EQ(seen.status, 200) << seen.body;
    EXPECT_EQ(seen.Json()["owner_org_id"], fuzhou_);
    EXPECT_EQ(seen.Json()["access"], "full");
    EXPECT_EQ(seen.Json()["escalations"].size(), 1u);
    auto timeline = Get(gulou_token_, P + "/timeline");
    ASSERT_EQ(timeline.status, 200);
    std::vector<std::string> actions;
    const json entries = timeline.Json()["items"];  // a named copy: a range-for over a temporary's member dangles
    for (const auto& t : entries) {
        if (t["entity"] == "problem") actions.push_back(t["action"]);
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"create", "escalate", "owner_change", "escalation_accept"}));
    EXPECT_EQ(Get(gulou_token_, P + "/escalations").Json()["items"].size(), 1u);
    EXPECT_EQ(Get(taijiang_token_, P).status, 404);

    // Counted once, at 福州市, escalated from 鼓楼区.
    auto city = Get(admin_, "/api/v1/orgs/" + std::to_string(fuzhou_) + "/stats");
    ASSERT_EQ(city.status, 200);
    EXPECT_EQ(city.Json()["problems"], 1);
    EXPECT_EQ(city.Json()["escalated_from"], json::parse(R"([{"org_id":)" + std::to_string(gulou_) +
                                                         R"(,"name":"鼓楼区","problems":1}])"));
    EXPECT_EQ(Get(admin_, "/api/v1/orgs/" + std::to_string(gulou_) + "/stats").Json()["problems"], 0);
    // 鼓楼区 sent it up: escalated_up 1 there; inside 福州市 it stays in the subtree, so 0.
    EXPECT_EQ(Get(admin_, "/api/v1/orgs/" + std::to_string(gulou_) + "/stats").Json()["escalated_up"], 1);
    EXPECT_EQ(city.Json()["escalated_up"], 0);
}

// docs/LINKAGE.md, example 3, on the twelve county-level orgs of the real tree.
TEST_F(LinkageApi, FuzhouCascadesATaskToEveryCountyLevelOrgAndTheRollupFollows) {
    const auto pid = NewProblem(admin_, fuzhou_, "窗口单位办事难");
    auto task = Post(admin_, "/api/v1/problems/" + std::to_string(pid) + "/tasks",
                     {{"org_id", fuzhou_},
                      {"title", "整治窗口单位办事难"},
                      {"responsible_person", "市效能办"},
                      {"type", "time_bound"},
                      {"due_at", "2030-06-30T00:00:00+08:00"}});
    ASSERT_EQ(task.status, 201) << task.body;
    const std::string T = "/api/v1/tasks/" + std::to_string(task.Json()["id"].get<std::int64_t>());

    auto late = Post(admin_, T + "/cascade",
                     {{"targets", {{"scope", "level"}, {"level", "county"}}},
                      {"responsible_person", "各区县"},
                      {"due_at", "2030-07-01T00:00:00+08:00"}});
    EXPECT_EQ(late.status, 400);
    EXPECT_EQ(Message(late).rfind("due_at: 2030-07-01T00:00:00+08:00 is later than the parent task", 0), 0u)
        << late.body;
    auto bad_field = Post(admin_, T + "/cascade",
                          {{"targets", {{"scope", "level"}, {"levle", "county"}}}, {"responsible_person", "x"}});
    EXPECT_EQ(Message(bad_field), "/targets: unknown field \"levle\"");
    auto bad_scope = Post(admin_, T + "/cascade", {{"targets", {{"scope", "all"}}}, {"responsible_person", "x"}});
    EXPECT_EQ(bad_scope.status, 400);
    EXPECT_EQ(Message(bad_scope).rfind("/targets/scope: ", 0), 0u) << bad_scope.body;
    auto bad_id = Post(admin_, T + "/cascade",
                       {{"targets", {{"scope", "orgs"}, {"org_ids", {gulou_, 1}}}}, {"responsible_person", "x"}});
    EXPECT_EQ(Message(bad_id), "/targets/org_ids/1: org 1 is not below org " + std::to_string(fuzhou_) +
                                   ", the parent task's org");
    auto no_person = Post(admin_, T + "/cascade", {{"targets", {{"scope", "descendants"}}}});
    EXPECT_EQ(Message(no_person), "missing required field \"responsible_person\"");

    auto cascaded = Post(admin_, T + "/cascade",
                         {{"targets", {{"scope", "level"}, {"level", "county"}}}, {"responsible_person", "各区县效能办"}});
    ASSERT_EQ(cascaded.status, 201) << cascaded.body;
    EXPECT_EQ(cascaded.Json()["created"], 12);
    EXPECT_EQ(cascaded.Json()["due_at"], "2030-06-30T00:00:00+08:00");

    auto children = Get(admin_, T + "/children");
    ASSERT_EQ(children.status, 200) << children.body;
    const json c = children.Json();
    EXPECT_EQ(c["rollup"], json::parse(R"({"children":12,"accepted":0,"waived":0,"open":12,"progress":0})"));
    std::set<std::int64_t> orgs;
    std::int64_t gulou_child = 0, taijiang_child = 0;
    for (const auto& t : c["items"]) {
        orgs.insert(t["org_id"].get<std::int64_t>());
        EXPECT_EQ(t["parent_task_id"], task.Json()["id"]);
        if (t["org_id"] == gulou_) gulou_child = t["id"];
        if (t["org_id"] == taijiang_) taijiang_child = t["id"];
    }
    EXPECT_EQ(orgs.size(), 12u);
    EXPECT_TRUE(orgs.count(gulou_) && orgs.count(OrgId("350104")) && orgs.count(OrgId("350128")));
    // The link figures: 福州市 issued 12 child tasks; 鼓楼区 received one from above.
    const json city_stats = Get(admin_, "/api/v1/orgs/" + std::to_string(fuzhou_) + "/stats").Json();
    EXPECT_EQ(city_stats["cascaded_down"], 12);
    EXPECT_EQ(city_stats["cascaded_in"], 0);
    const json gulou_stats = Get(admin_, "/api/v1/orgs/" + std::to_string(gulou_) + "/stats").Json();
    EXPECT_EQ(gulou_stats["cascaded_down"], 0);
    EXPECT_EQ(gulou_stats["cascaded_in"], 1);
    const std::string G = "/api/v1/tasks/" + std::to_string(gulou_child);

    // 鼓楼区 works its child; the parent's progress is the mean over the 12 children.
    ASSERT_EQ(Post(gulou_token_, G + "/start", json::object()).status, 200);
    ASSERT_EQ(Post(gulou_token_, G + "/reports", {{"text", "窗口增设自助终端"}, {"percent", 60}}).status, 201);
    EXPECT_EQ(Get(admin_, T).Json()["progress"], 5);  // 60 / 12 = 5
    // A waiver is the creating org's withdrawal with a reason: 11 children remain, 60 / 11 = 5.45 -> 5.
    auto waived = Post(admin_, "/api/v1/tasks/" + std::to_string(taijiang_child) + "/withdraw",
                       {{"reason", "台江区窗口已并入市行政服务中心，免于办理"}});
    ASSERT_EQ(waived.status, 200) << waived.body;
    auto rollup = Get(admin_, T + "/children?limit=1").Json();
    EXPECT_EQ(rollup["rollup"]["waived"], 1);
    EXPECT_EQ(rollup["rollup"]["progress"], 5);
    EXPECT_EQ(rollup["items"].size(), 1u);
    EXPECT_TRUE(rollup["next_cursor"].is_string());

    // 鼓楼区 sees its own child and the problem's summary, not the parent nor a sibling's child.
    auto summary = Get(gulou_token_, "/api/v1/problems/" + std::to_string(pid));
    ASSERT_EQ(summary.status, 200) << summary.body;
    EXPECT_EQ(summary.Json()["access"], "part");
    auto own = Get(gulou_token_, "/api/v1/problems/" + std::to_string(pid) + "/tasks");
    ASSERT_EQ(own.Json()["items"].size(), 1u);
    EXPECT_EQ(own.Json()["items"][0]["id"], gulou_child);
    EXPECT_EQ(Get(gulou_token_, T).status, 404);
    EXPECT_EQ(Get(gulou_token_, "/api/v1/tasks/" + std::to_string(taijiang_child)).status, 404);
    EXPECT_EQ(Get(gulou_token_, T + "/children").status, 404);

    // The parent cannot be submitted while children are open.
    ASSERT_EQ(Post(admin_, T + "/start", json::object()).status, 200);
    ASSERT_EQ(Post(admin_, T + "/reports", {{"text", "统筹推进"}, {"percent", 50}}).status, 201);
    ASSERT_EQ(Call(admin_, "POST", T + "/evidence?filename=plan.txt", "全市方案", {{"Content-Type", "text/plain"}}).status,
              201);
    auto early = Post(admin_, T + "/submit", json::object());
    EXPECT_EQ(early.status, 409);
    EXPECT_EQ(Message(early).rfind("task " + T.substr(T.rfind('/') + 1) + " has 11 of 12 child tasks", 0), 0u)
        << early.body;
}


// docs/LINKAGE.md, example 4, over HTTP: 福州市 arranges 鼓楼区 (lead) and 台江区 (co-owner) on one problem.
TEST_F(LinkageApi, TaijiangCoOwnsGulousProblemSeesItWholeAndItClosesOnlyWhenBothPartsAreAccepted) {
    const auto pid = NewProblem(gulou_token_, gulou_, "白马河跨区段黑臭");
    const std::string P = "/api/v1/problems/" + std::to_string(pid);
    auto lead = Post(gulou_token_, P + "/tasks",
                     {{"org_id", gulou_}, {"title", "鼓楼段截污"}, {"responsible_person", "鼓楼区河长"},
                      {"type", "immediate"}, {"due_at", "2030-06-30T00:00:00+08:00"}});
    ASSERT_EQ(lead.status, 201) << lead.body;
    const json part = {{"title", "台江段截污"}, {"responsible_person", "台江区河长"}, {"type", "immediate"},
                       {"due_at", "2030-06-30T00:00:00+08:00"}};
    // 鼓楼区 cannot reach 台江区 (404 as for an unknown org); bad parts name the field.
    auto from_gulou = Post(gulou_token_, P + "/co-owners", {{"org_id", taijiang_}, {"task", part}});
    EXPECT_EQ(from_gulou.status, 404) << from_gulou.body;
    json bad = part;
    bad["type"] = "someday";
    auto bad_type = Post(admin_, P + "/co-owners", {{"org_id", taijiang_}, {"task", bad}});
    EXPECT_EQ(bad_type.status, 400);
    EXPECT_EQ(Message(bad_type).rfind("/task/type: ", 0), 0u) << bad_type.body;
    EXPECT_EQ(Message(Post(admin_, P + "/co-owners", {{"org_id", taijiang_}})), "missing required field \"task\"");

    auto added = Post(admin_, P + "/co-owners", {{"org_id", taijiang_}, {"task", part}});
    ASSERT_EQ(added.status, 201) << added.body;
    const auto tj_task = added.Json()["task"]["id"].get<std::int64_t>();
    EXPECT_EQ(added.Header("location"), "/api/v1/tasks/" + std::to_string(tj_task));
    EXPECT_EQ(added.Json()["task"]["org_id"], taijiang_);
    EXPECT_EQ(added.Json()["task"]["created_by_org_id"], gulou_);

    // 台江区 sees the whole problem, both parts and the co-owner list.
    auto seen = Get(taijiang_token_, P);
    ASSERT_EQ(seen.status, 200) << seen.body;
    EXPECT_EQ(seen.Json()["access"], "full");
    EXPECT_EQ(seen.Json()["co_owner_ids"], json({taijiang_}));
    EXPECT_EQ(Get(taijiang_token_, P + "/tasks").Json()["items"].size(), 2u);
    EXPECT_EQ(Get(taijiang_token_, P + "/co-owners").Json()["items"].size(), 1u);

    // Both parts done; 鼓楼区's accepted, 台江区's still submitted: the close is refused.
    for (const auto& [token, id] : std::vector<std::pair<std::string, std::int64_t>>{
             {gulou_token_, lead.Json()["id"].get<std::int64_t>()}, {taijiang_token_, tj_task}}) {
        const std::string T = "/api/v1/tasks/" + std::to_string(id);
        ASSERT_EQ(Post(token, T + "/start", json::object()).status, 200);
        ASSERT_EQ(Post(token, T + "/reports", {{"text", "截污管网完工"}, {"percent", 100}}).status, 201);
        ASSERT_EQ(Post(token, T + "/submit", json::object()).status, 200);
    }
    ASSERT_EQ(Post(admin_, "/api/v1/tasks/" + lead.Json()["id"].dump() + "/accept", json::object()).status, 200);
    // The problem's status follows every part (submitted + accepted: pending verification), but the
    // close-out needs every part accepted.
    EXPECT_EQ(Get(admin_, P).Json()["status"], "pending_verification");
    auto early = Post(admin_, P + "/close", json::object());
    EXPECT_EQ(early.status, 409) << early.body;
    ASSERT_EQ(Post(admin_, "/api/v1/tasks/" + std::to_string(tj_task) + "/accept", json::object()).status, 200);
    auto closed = Post(admin_, P + "/close", json::object());
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(closed.Json()["status"], "closed");

    // Counted once, for 鼓楼区; 台江区 records its participation.
    EXPECT_EQ(Get(admin_, "/api/v1/orgs/" + std::to_string(gulou_) + "/stats").Json()["problems"], 1);
    const json tj = Get(admin_, "/api/v1/orgs/" + std::to_string(taijiang_) + "/stats").Json();
    EXPECT_EQ(tj["problems"], 0);
    EXPECT_EQ(tj["co_owned"], 1);
    EXPECT_EQ(Get(admin_, "/api/v1/orgs/" + std::to_string(fuzhou_) + "/stats").Json()["co_owned"], 0);
}

// docs/LINKAGE.md, example 5, over HTTP: a second-batch district office links a problem to a first-batch
// provincial department in another branch; the department accepts and owns it.
TEST_F(LinkageApi, ASecondBatchOfficeLinksAProblemToAFirstBatchProvincialDepartment) {
    auto fujian = Get(admin_, "/api/v1/orgs/" + std::to_string(fuzhou_)).Json()["parent_id"].get<std::int64_t>();
    auto dept = Post(admin_, "/api/v1/orgs",
                     {{"parent_id", fujian}, {"name", "福建省教育厅"}, {"level", "unit"}, {"batch", 1}});
    ASSERT_EQ(dept.status, 201) << dept.body;
    const auto dept_id = dept.Json()["id"].get<std::int64_t>();
    auto office = Post(admin_, "/api/v1/orgs",
                       {{"parent_id", taijiang_}, {"name", "台江区教育局"}, {"level", "unit"}, {"batch", 2}});
    ASSERT_EQ(office.status, 201) << office.body;
    const auto office_id = office.Json()["id"].get<std::int64_t>();

    const auto pid = NewProblem(taijiang_token_, office_id, "课后服务收费标准");
    const std::string P = "/api/v1/problems/" + std::to_string(pid);
    auto as_ancestor = Post(taijiang_token_, P + "/escalations", {{"to_org_id", dept_id}, {"reason", "省定标准"}});
    EXPECT_EQ(as_ancestor.status, 400);
    auto bad_kind = Post(taijiang_token_, P + "/escalations",
                         {{"to_org_id", dept_id}, {"reason", "省定标准"}, {"kind", "sideways"}});
    EXPECT_EQ(bad_kind.status, 400);
    EXPECT_EQ(Message(bad_kind).rfind("/kind: ", 0), 0u) << bad_kind.body;
    auto linked = Post(taijiang_token_, P + "/escalations",
                       {{"to_org_id", dept_id}, {"reason", "收费标准由省教育厅制定"}, {"kind", "batch_link"}});
    ASSERT_EQ(linked.status, 201) << linked.body;
    EXPECT_EQ(linked.Json()["kind"], "batch_link");
    const std::string E = "/api/v1/escalations/" + std::to_string(linked.Json()["id"].get<std::int64_t>());

    // A reviewer of the department alone (not above 台江区) reads and accepts it.
    const std::string dept_token =
        MakeUserToken(dir_.path(), db_, "dept.reviewer", std::to_string(dept_id), {"reviewer"});
    ASSERT_FALSE(dept_token.empty());
    EXPECT_EQ(Get(dept_token, P).Json()["access"], "full");
    auto accepted = Post(dept_token, E + "/accept", json::object());
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(Get(admin_, P).Json()["owner_org_id"], dept_id);
    EXPECT_EQ(Get(taijiang_token_, P).Json()["access"], "full");
    EXPECT_EQ(Get(gulou_token_, P).status, 404);
    const json stats = Get(admin_, "/api/v1/orgs/" + std::to_string(dept_id) + "/stats").Json();
    EXPECT_EQ(stats["problems"], 1);
    EXPECT_EQ(stats["escalated_from"][0]["name"], "台江区教育局");
    EXPECT_EQ(Get(admin_, "/api/v1/orgs/" + std::to_string(taijiang_) + "/stats").Json()["problems"], 0);
}

}  // namespace
}  // namespace rectify::testing
