// The ledger (台账) over HTTP against the real binary: export -> edit -> POST /api/v1/ledger/import round trip,
// the all-or-nothing commit's 400 with every rejected row, a clerk's scope, and the responsibility list.
// The fixture's tree (api_fixture.hpp): 长安区 (4) and 桥西区 (5) under 石家庄市 (3).
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

class LedgerApi : public ApiServer {
protected:
    void BeforeServe() override {
        qiaoxi_ = MakeUserToken(dir_.path(), db_, "qiaoxi.clerk", "code:130104", {"clerk"});
        ASSERT_FALSE(qiaoxi_.empty());
    }
    HttpResponse Import(const std::string& query, const std::string& body, const std::string& type,
                        const std::string& token = "") {
        Headers h{{"Content-Type", type}, {"Authorization", "Bearer " + (token.empty() ? token_ : token)}};
        return Send(port(), "POST", "/api/v1/ledger/import" + query, body, h);
    }
    // A problem of 长安区 with one task (pending, progress 0); returns {problem, task}.
    std::pair<std::int64_t, std::int64_t> ProblemWithTask() {
        const std::int64_t p = CreateProblem("建北街道路灯不亮", 4);
        json task = {{"org_id", 4},
                     {"title", "更换路灯"},
                     {"responsible_person", "长安区城管局 张工"},
                     {"type", "time_bound"},
                     {"due_at", "2030-12-31T00:00:00+08:00"}};
        auto r = Post("/api/v1/problems/" + std::to_string(p) + "/tasks", task.dump());
        EXPECT_EQ(r.status, 201) << r.body;
        return {p, r.Json().value("id", std::int64_t{0})};
    }
    std::size_t ProblemCount() {
        auto r = Get("/api/v1/problems?limit=100");
        EXPECT_EQ(r.status, 200) << r.body;
        return r.Json()["items"].size();
    }
    std::string qiaoxi_;
};

TEST_F(LedgerApi, TheTaskListRoundTripsThroughAnEditedCsv) {
    auto [problem, task] = ProblemWithTask();
    auto exported = Get("/api/v1/ledger?list=tasks&format=csv");
    ASSERT_EQ(exported.status, 200) << exported.body;
    std::string csv = exported.body;
    auto at = csv.find(",0%,");
    ASSERT_NE(at, std::string::npos) << csv;
    csv.replace(at, 4, ",已进场施工 50%,");

    auto dry = Import("?dry_run=true", csv, "text/csv; charset=utf-8");
    ASSERT_EQ(dry.status, 200) << dry.body;
    json d = dry.Json();
    EXPECT_EQ(d["dry_run"], true);
    EXPECT_EQ(d["committed"], false);
    EXPECT_EQ(d["header_row"], 2);  // the export's title line is row 1
    EXPECT_EQ(d["rows_read"], 1);
    EXPECT_EQ(d["reports_created"], 1);
    EXPECT_EQ(d["problems_created"], 0);
    EXPECT_EQ(d["mapping"]["progress"], "整改进展");
    EXPECT_EQ(d["mapping"]["target"], nullptr);
    EXPECT_EQ(Get("/api/v1/tasks/" + std::to_string(task)).Json()["progress"], 0);  // the dry run stored nothing

    auto commit = Import("?dry_run=false", csv, "text/csv");
    ASSERT_EQ(commit.status, 200) << commit.body;
    EXPECT_EQ(commit.Json()["committed"], true);
    json t = Get("/api/v1/tasks/" + std::to_string(task)).Json();
    EXPECT_EQ(t["progress"], 50);
    EXPECT_EQ(t["status"], "in_progress");
    EXPECT_EQ(ProblemCount(), 1u);
    auto reports = Get("/api/v1/tasks/" + std::to_string(task) + "/reports");
    ASSERT_EQ(reports.status, 200) << reports.body;
    ASSERT_EQ(reports.Json()["items"].size(), 1u) << reports.body;
    EXPECT_EQ(reports.Json()["items"][0]["text"], "已进场施工 50%");
    (void)problem;
}

TEST_F(LedgerApi, ACommitWithARejectedRowStoresNothingAndListsEveryRow) {
    json body = {{"rows",
                  {{"问题清单"},
                   {"问题描述", "责任部门", "整改期限", "整改措施", "责任人"},
                   {"井盖缺失", "长安区", "2030-06-30", "补装井盖", "王五"},
                   {"路面破损", "长安区", "2030-02-30", "修补路面", "王五"},
                   json::array(),
                   {"围挡倒塌", "不存在区", "2030-06-30", "", ""}}}};
    auto r = Import("?dry_run=false", body.dump(), "application/json");
    ASSERT_EQ(r.status, 400) << r.body;
    json j = r.Json();
    EXPECT_EQ(j["error"]["code"], "invalid_argument");
    const json& rejected = j["report"]["rejected"];
    ASSERT_EQ(rejected.size(), 2u) << r.body;
    EXPECT_EQ(rejected[0]["row"], 4);
    EXPECT_EQ(rejected[0]["column"], "整改期限");
    EXPECT_EQ(rejected[1]["row"], 6);  // the blank row 5 is skipped but counted
    EXPECT_EQ(rejected[1]["column"], "责任部门");
    EXPECT_EQ(ProblemCount(), 0u);
    // Without the bad rows, with a mapping that leaves 整改措施 out: one problem, no task.
    json good = {{"rows", {{"问题描述", "责任部门", "整改期限", "整改措施", "责任人"}, {"井盖缺失", "长安区", "2030-06-30", "补装井盖", "王五"}}},
                 {"mapping", {{"measure", nullptr}}}};
    auto ok = Import("?dry_run=false", good.dump(), "application/json");
    ASSERT_EQ(ok.status, 200) << ok.body;
    EXPECT_EQ(ok.Json()["problems_created"], 1);
    EXPECT_EQ(ok.Json()["tasks_created"], 0);
    EXPECT_EQ(ok.Json()["unmapped_columns"], json::array({"整改措施"}));
    EXPECT_EQ(ProblemCount(), 1u);
}

TEST_F(LedgerApi, AClerkCannotReachAnotherSubtreesProblem) {
    auto [problem, task] = ProblemWithTask();  // 长安区's
    json body = json::parse(R"({"rows":[["问题编号","整改进展"],[")" + std::to_string(problem) + R"(","桥西区写的进展"]]})");
    auto dry = Import("", body.dump(), "application/json", qiaoxi_);
    ASSERT_EQ(dry.status, 200) << dry.body;
    ASSERT_EQ(dry.Json()["rejected"].size(), 1u);
    EXPECT_EQ(dry.Json()["rejected"][0]["reason"], "problem " + std::to_string(problem) + " does not exist");
    EXPECT_EQ(dry.Json()["rejected"][0]["column"], "问题编号");
    auto commit = Import("?dry_run=false", body.dump(), "application/json", qiaoxi_);
    EXPECT_EQ(commit.status, 400) << commit.body;
    EXPECT_EQ(Get("/api/v1/tasks/" + std::to_string(task)).Json()["progress"], 0);
    // Bad requests: no header, an unknown mapping field, both rows and csv.
    EXPECT_EQ(Import("", R"({"rows":[["a"],["b"]]})", "application/json").status, 400);
    EXPECT_EQ(Import("", R"({"rows":[["问题编号","整改进展"]],"mapping":{"nope":"x"}})", "application/json").status, 400);
    EXPECT_EQ(Import("", R"({"rows":[],"csv":""})", "application/json").status, 400);
}

TEST_F(LedgerApi, TheResponsibilityListGroupsTasksByUnitAndPerson) {
    ProblemWithTask();
    ProblemWithTask();
    auto r = Get("/api/v1/ledger?list=responsibilities&format=csv");
    ASSERT_EQ(r.status, 200) << r.body;
    // BOM, title line, header, one row: two tasks of 长安区 / 长安区城管局 张工, none done, next deadline 2030-12-31.
    auto lines = r.body.substr(r.body.find('\n') + 1);
    EXPECT_EQ(lines,
              "序号,责任单位,责任人,牵头领导,问题数,任务数,已完成,未完成,超期,完成率,最近整改时限\n"
              "1,长安区,长安区城管局 张工,,2,2,0,2,0,0%,2030-12-31 00:00\n");
}

// The ledger of selected rows (ids=..., docs/API.md#the-ledger-台账): exactly the chosen problems, newest first;
// an id outside the caller's subtree is left out like any filtered-out problem (as GET /api/v1/problems does),
// never a 404 that would tell it exists; bad lists are 400s naming the parameter and the item.
TEST_F(LedgerApi, TheProblemListOfSelectedIdsHoldsExactlyThoseProblemsInScope) {
    const std::int64_t a = CreateProblem("甲路灯不亮", 4);  // 长安区
    const std::int64_t b = CreateProblem("乙井盖缺失", 4);  // 长安区, not chosen
    const std::int64_t c = CreateProblem("丙夜间噪音", 5);  // 桥西区
    ASSERT_GT(a, 0);
    ASSERT_GT(c, b);
    const std::string ids = std::to_string(a) + "," + std::to_string(c);

    // The administrator of the whole tree: rows C then A (highest id first), nothing of B.
    auto all = Get("/api/v1/ledger?list=problems&format=csv&ids=" + ids);
    ASSERT_EQ(all.status, 200) << all.body;
    std::vector<std::string> lines;
    for (std::size_t at = 0, nl; (nl = all.body.find('\n', at)) != std::string::npos; at = nl + 1) {
        lines.push_back(all.body.substr(at, nl - at));
    }
    ASSERT_EQ(lines.size(), 4u) << all.body;  // title, header, two rows
    EXPECT_NE(lines[0].find("所选问题"), std::string::npos) << lines[0];
    EXPECT_EQ(lines[2].rfind("1," + std::to_string(c) + ",", 0), 0u) << lines[2];
    EXPECT_NE(lines[2].find("丙夜间噪音"), std::string::npos) << lines[2];
    EXPECT_EQ(lines[3].rfind("2," + std::to_string(a) + ",", 0), 0u) << lines[3];
    EXPECT_NE(lines[3].find("甲路灯不亮"), std::string::npos) << lines[3];
    EXPECT_EQ(all.body.find("乙井盖缺失"), std::string::npos);
    // The same choice as XLSX is a file too (a zip: "PK").
    auto xlsx = Get("/api/v1/ledger?list=problems&ids=" + ids);
    ASSERT_EQ(xlsx.status, 200) << xlsx.body.substr(0, 200);
    EXPECT_EQ(xlsx.body.substr(0, 2), "PK");

    // 桥西区's clerk chose A (长安区's) and C: only C comes back, in the ledger and in the list alike.
    const Headers clerk{{"Authorization", "Bearer " + qiaoxi_}};
    auto mine = Send(port(), "GET", "/api/v1/ledger?list=problems&format=csv&ids=" + ids, "", clerk);
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_NE(mine.body.find("丙夜间噪音"), std::string::npos);
    EXPECT_EQ(mine.body.find("甲路灯不亮"), std::string::npos);
    auto list = Send(port(), "GET", "/api/v1/problems?ids=" + ids, "", clerk);
    ASSERT_EQ(list.status, 200) << list.body;
    ASSERT_EQ(list.Json()["items"].size(), 1u) << list.body;
    EXPECT_EQ(list.Json()["items"][0]["id"], c);
    // Only an out-of-scope id: an empty ledger (title and header), not an error.
    auto none = Send(port(), "GET", "/api/v1/ledger?list=problems&format=csv&ids=" + std::to_string(a), "", clerk);
    ASSERT_EQ(none.status, 200) << none.body;
    EXPECT_EQ(std::count(none.body.begin(), none.body.end(), '\n'), 2);

    // Bad lists.
    auto empty_item = Get("/api/v1/ledger?list=problems&ids=" + std::to_string(a) + ",,3");
    EXPECT_TRUE(IsError(empty_item, 400, "invalid_argument")) << empty_item.body;
    EXPECT_NE(empty_item.body.find("query parameter \\\"ids\\\" has an empty item"), std::string::npos) << empty_item.body;
    auto letters = Get("/api/v1/ledger?list=problems&ids=" + std::to_string(a) + ",x7");
    EXPECT_TRUE(IsError(letters, 400, "invalid_argument")) << letters.body;
    EXPECT_NE(letters.body.find("item 2"), std::string::npos) << letters.body;
    std::string many;
    for (int i = 1; i <= 1001; ++i) many += (i > 1 ? "," : "") + std::to_string(i);
    auto too_many = Get("/api/v1/ledger?list=problems&ids=" + many);
    EXPECT_TRUE(IsError(too_many, 400, "invalid_argument")) << too_many.body.substr(0, 300);
    EXPECT_NE(too_many.body.find("lists 1001 ids; at most 1000"), std::string::npos) << too_many.body.substr(0, 300);
    // 1,000 ids is the cap and is fine.
    auto cap = Get("/api/v1/problems?ids=" + many.substr(0, many.rfind(',')));
    ASSERT_EQ(cap.status, 200) << cap.body.substr(0, 300);
    EXPECT_EQ(cap.Json()["items"].size(), 3u);
}

}  // namespace
}  // namespace rectify::testing
