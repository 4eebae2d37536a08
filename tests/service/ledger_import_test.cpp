// The ledger (台账) import and the responsibility list (责任清单): header variants, the dry run's report of
// every rejected row, the all-or-nothing commit, the export -> edit -> import round trip, the workflow's
// rules and the actor's scope. Expected values are worked out by hand from the fixture below.
//
// Org tree: 1 全国 ─ 2 福建省 ─ 3 福州市 ─ 4 鼓楼区; a second branch 5 河北省.
// Problem 1: closed, 鼓楼区, no task. Problem 2: 福州市, task 1 (福州市, 张三, 李四, due 2030-12-31, pending).
#include <fstream>
#include <sstream>

#include "common/csv.hpp"
#include "ledger_fixture.hpp"
#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

class LedgerImportTest : public testing_ledger::LedgerFixture {
protected:
    std::string ExportCsv(LedgerList list) {
        std::ostringstream out;
        auto sink = MakeCsvLedgerSink(out);
        EXPECT_OK(svc_->ExportLedger(root_, list, ProblemQuery{}, *sink));
        return out.str();
    }

    LedgerImportReport Import(const std::string& csv, LedgerImportMode mode, const Actor* actor = nullptr,
                              std::map<std::string, std::string> mapping = {}) {
        auto rows = LedgerRowsFromCsv(csv);
        EXPECT_OK(rows);
        LedgerImportInput in;
        in.rows = rows.ok() ? *rows : std::vector<std::vector<std::string>>{};
        in.mapping = std::move(mapping);
        auto r = svc_->ImportLedger(actor ? *actor : root_, in, mode);
        EXPECT_OK(r);
        return r.ok() ? *r : LedgerImportReport{};
    }

    std::int64_t ProblemCount() {
        auto page = svc_->ListProblems(root_, ProblemQuery{});
        EXPECT_OK(page);
        return page.ok() ? static_cast<std::int64_t>(page->items.size()) : -1;
    }

};

std::vector<std::pair<std::int64_t, std::string>> Where(const std::vector<RowError>& errors) {
    std::vector<std::pair<std::int64_t, std::string>> out;
    for (const auto& e : errors) out.emplace_back(e.row, e.column);
    return out;
}

TEST(LedgerHeaders, VariantsAndNotesMatchTheSameField) {
    EXPECT_EQ(MatchLedgerHeader("整改时限"), "deadline");
    EXPECT_EQ(MatchLedgerHeader("完成时限"), "deadline");
    EXPECT_EQ(MatchLedgerHeader("整改期限"), "deadline");
    EXPECT_EQ(MatchLedgerHeader("整改时限（年月日）"), "deadline");
    EXPECT_EQ(MatchLedgerHeader(" 责任\n部门 "), "unit");
    EXPECT_EQ(MatchLedgerHeader("牵头单位"), "unit");
    EXPECT_EQ(MatchLedgerHeader("问题表现"), "description");
    EXPECT_EQ(MatchLedgerHeader("存在问题"), "description");
    EXPECT_EQ(MatchLedgerHeader("整改目标／标准"), "target");
    EXPECT_EQ(MatchLedgerHeader("问题ID"), "problem_id");
    EXPECT_EQ(MatchLedgerHeader("备注"), "");
    EXPECT_EQ(MatchLedgerHeader(""), "");
}

// One file with a title line, variant headers, one good row and five bad ones (rows 4-8 of the sheet).
const char* kMixedLedger =
    "\xEF\xBB\xBF问题清单　鼓楼区\n"
    "序号,问题编号,存在问题,问题类别,牵头单位,整改措施,责任人,完成时限\n"
    "1,,井盖缺失：五一路井盖缺失,,鼓楼区,补装井盖,王五,2030-06-30\n"
    "2,,日期不对,,鼓楼区,修路,王五,2030-13-45\n"
    "3,,单位不对,,不存在区,修路,王五,2030-06-30\n"
    "4,,类别不对,不存在/类别,鼓楼区,修路,王五,2030-06-30\n"
    "5,999,,,,,,\n"
    "6,,时限已过,,鼓楼区,修路,王五,2020/1/1\n";

TEST_F(LedgerImportTest, DryRunReportsEveryRejectedRowAndStoresNothing) {
    LedgerImportReport r = Import(kMixedLedger, LedgerImportMode::kDryRun);
    EXPECT_TRUE(r.dry_run);
    EXPECT_FALSE(r.committed);
    EXPECT_EQ(r.header_row, 2);
    EXPECT_EQ(r.rows_read, 6);
    EXPECT_EQ(Where(r.rejected), (std::vector<std::pair<std::int64_t, std::string>>{
                                     {4, "完成时限"}, {5, "牵头单位"}, {6, "问题类别"}, {7, "问题编号"}, {8, "完成时限"}}));
    EXPECT_NE(r.rejected[0].reason.find("2030-13-45"), std::string::npos);
    EXPECT_NE(r.rejected[1].reason.find("不存在区"), std::string::npos);
    EXPECT_EQ(r.rejected[3].reason, "problem 999 does not exist");
    EXPECT_NE(r.rejected[4].reason.find("has passed"), std::string::npos);
    EXPECT_EQ(r.problems_created, 1);  // what the good row would create
    EXPECT_EQ(r.tasks_created, 1);
    EXPECT_EQ(ProblemCount(), 2);
    // The mapping found: the variants, and the columns no field reads.
    auto column = [&](const std::string& key) -> std::optional<std::string> {
        for (const auto& [k, c] : r.mapping) {
            if (k == key) return c;
        }
        return std::nullopt;
    };
    EXPECT_EQ(column("deadline"), "完成时限");
    EXPECT_EQ(column("unit"), "牵头单位");
    EXPECT_EQ(column("description"), "存在问题");
    EXPECT_EQ(column("progress"), std::nullopt);
}

TEST_F(LedgerImportTest, CommitIsAllOrNothing) {
    LedgerImportReport bad = Import(kMixedLedger, LedgerImportMode::kCommit);
    EXPECT_FALSE(bad.committed);
    EXPECT_EQ(bad.rejected.size(), 5u);
    EXPECT_EQ(ProblemCount(), 2);  // the good row was not stored either
    auto tasks = svc_->ListTasks(root_, 2);
    ASSERT_OK(tasks);
    EXPECT_EQ(tasks->size(), 1u);

    // Only the good row: stored, with its task.
    std::string good = "序号,问题编号,存在问题,牵头单位,整改措施,责任人,牵头领导,完成时限\n"
                       "1,,井盖缺失：五一路井盖缺失,鼓楼区,补装井盖,王五,赵六,2030-06-30\n";
    LedgerImportReport ok = Import(good, LedgerImportMode::kCommit);
    EXPECT_TRUE(ok.committed);
    EXPECT_TRUE(ok.rejected.empty());
    EXPECT_EQ(ok.problems_created, 1);
    EXPECT_EQ(ok.tasks_created, 1);
    EXPECT_EQ(ProblemCount(), 3);
    auto page = svc_->ListProblems(root_, ProblemQuery{});
    ASSERT_OK(page);
    const domain::Problem& p = page->items.front();  // newest first
    EXPECT_EQ(p.title, "井盖缺失");
    EXPECT_EQ(p.description, "五一路井盖缺失");
    EXPECT_EQ(p.owner_org_id, 4);
    EXPECT_EQ(p.due_at, *ParseIso("2030-06-30T00:00:00+08:00"));
    EXPECT_EQ(p.status, domain::ProblemStatus::kPlanned);  // it has a pending task
    auto new_tasks = svc_->ListTasks(root_, p.id);
    ASSERT_OK(new_tasks);
    ASSERT_EQ(new_tasks->size(), 1u);
    EXPECT_EQ((*new_tasks)[0].title, "补装井盖");
    EXPECT_EQ((*new_tasks)[0].responsible_person, "王五");
    EXPECT_EQ((*new_tasks)[0].lead_official, "赵六");
    EXPECT_EQ((*new_tasks)[0].org_id, 4);
}

TEST_F(LedgerImportTest, RoundTripUpdatesTheSameProblems) {
    // The problem list as exported and imported unchanged: nothing to do.
    LedgerImportReport same = Import(ExportCsv(LedgerList::kProblems), LedgerImportMode::kCommit);
    EXPECT_TRUE(same.committed);
    EXPECT_TRUE(same.rejected.empty());
    EXPECT_EQ(same.rows_unchanged, 2);
    EXPECT_EQ(same.problems_created + same.problems_updated + same.reports_created, 0);

    // The task list with new progress on task 1 (整改进展 is the 10th column).
    std::string csv = ExportCsv(LedgerList::kTasks);
    auto at = csv.find(",0%,");
    ASSERT_NE(at, std::string::npos);
    csv.replace(at, 4, ",已完成路灯采购 60%,");
    LedgerImportReport r = Import(csv, LedgerImportMode::kCommit);
    EXPECT_TRUE(r.committed) << (r.rejected.empty() ? "" : r.rejected[0].reason);
    EXPECT_EQ(r.problems_created, 0);
    EXPECT_EQ(r.tasks_created, 0);
    EXPECT_EQ(r.problems_updated, 1);
    EXPECT_EQ(r.tasks_updated, 1);
    EXPECT_EQ(r.reports_created, 1);
    EXPECT_EQ(ProblemCount(), 2);
    auto task = svc_->GetTask(root_, 1);
    ASSERT_OK(task);
    EXPECT_EQ(task->progress, 60);
    EXPECT_EQ(task->status, domain::TaskStatus::kInProgress);  // started, then reported: the workflow's steps
    auto reports = svc_->ListReports(root_, 1);
    ASSERT_OK(reports);
    ASSERT_EQ(reports->size(), 1u);
    EXPECT_EQ((*reports)[0].text, "已完成路灯采购 60%");

    // The same file again: the report is there already, and its 完成情况 (待整改, as exported) is behind the
    // task's 整改中 now: noted, not a step and not a rejection.
    LedgerImportReport again = Import(csv, LedgerImportMode::kCommit);
    EXPECT_TRUE(again.committed);
    EXPECT_EQ(again.reports_created, 0);
    EXPECT_EQ(again.rows_unchanged, 1);
    ASSERT_EQ(again.ignored.size(), 1u);
    EXPECT_EQ(again.ignored[0].column, "完成情况");
    EXPECT_EQ(svc_->GetTask(root_, 1)->status, domain::TaskStatus::kInProgress);
    ASSERT_OK(svc_->ListReports(root_, 1));
    EXPECT_EQ(svc_->ListReports(root_, 1)->size(), 1u);

    // The problem list's 整改进展 of problem 2 (one open task) becomes a report on task 1.
    std::string plist = ExportCsv(LedgerList::kProblems);
    at = plist.find("已验收 0/1 项措施");
    ASSERT_NE(at, std::string::npos);
    plist.replace(at, std::string("已验收 0/1 项措施").size(), "灯杆已立 80%");
    LedgerImportReport p = Import(plist, LedgerImportMode::kCommit);
    EXPECT_TRUE(p.committed);
    EXPECT_EQ(p.reports_created, 1);
    EXPECT_EQ(p.rows_unchanged, 1);  // problem 1
    EXPECT_EQ(svc_->GetTask(root_, 1)->progress, 80);
    EXPECT_EQ(ProblemCount(), 2);
}

TEST_F(LedgerImportTest, StatusChangesGoThroughTheWorkflowOrAreRejected) {
    // 是否销号 = 是 for problem 2 (已制定措施, its task pending): close-out needs an accepted task.
    std::string csv = "问题编号,是否销号\n2,是\n";
    LedgerImportReport r = Import(csv, LedgerImportMode::kCommit);
    EXPECT_FALSE(r.committed);
    ASSERT_EQ(r.rejected.size(), 1u);
    EXPECT_EQ(r.rejected[0].row, 2);
    EXPECT_EQ(r.rejected[0].column, "是否销号");
    EXPECT_NE(r.rejected[0].reason.find("销号"), std::string::npos) << r.rejected[0].reason;
    // 已验收 is the level above's step, not the import's.
    std::string tasks = "问题编号,任务编号,完成情况\n2,1,已验收\n";
    LedgerImportReport t = Import(tasks, LedgerImportMode::kDryRun);
    ASSERT_EQ(t.rejected.size(), 1u);
    EXPECT_EQ(t.rejected[0].column, "完成情况");
    EXPECT_NE(t.rejected[0].reason.find("申请销号"), std::string::npos) << t.rejected[0].reason;
    // 申请销号 of a task with no progress report is refused by the workflow's guard.
    std::string submit = "问题编号,任务编号,完成情况\n2,1,已申请销号\n";
    LedgerImportReport s = Import(submit, LedgerImportMode::kDryRun);
    ASSERT_EQ(s.rejected.size(), 1u);
    EXPECT_EQ(s.rejected[0].column, "完成情况");
    // 是否销号 = 否 for the closed problem 1: no reopening by import.
    LedgerImportReport o = Import("问题编号,是否销号\n1,否\n", LedgerImportMode::kDryRun);
    ASSERT_EQ(o.rejected.size(), 1u);
    EXPECT_NE(o.rejected[0].reason.find("closed"), std::string::npos);
    EXPECT_EQ(svc_->GetTask(root_, 1)->status, domain::TaskStatus::kPending);
}

TEST_F(LedgerImportTest, OutsideTheScopeIsRejectedPerRow) {
    Actor hebei{"clerk-hebei", {5}, {{domain::Role::kClerk, 5}}, std::nullopt};
    std::string csv = "问题编号,问题描述,责任单位,整改进展\n"
                      "2,,,新进展\n"
                      ",河北的问题,鼓楼区,\n"
                      ",河北的问题,河北省,\n";
    LedgerImportReport r = Import(csv, LedgerImportMode::kDryRun, &hebei);
    EXPECT_EQ(Where(r.rejected), (std::vector<std::pair<std::int64_t, std::string>>{{2, "问题编号"}, {3, "责任单位"}}));
    EXPECT_EQ(r.rejected[0].reason, "problem 2 does not exist");
    EXPECT_EQ(r.problems_created, 1);  // row 4, its own province
}

TEST_F(LedgerImportTest, AMappingOverridesTheAutoMatch) {
    std::string csv = "问题编号,时间节点,问题描述,责任单位,整改措施,责任人\n"
                      ",2031-01-31,新问题,福州市,新措施,张三\n";
    // Without the mapping 时间节点 is not read, and the task has no deadline.
    LedgerImportReport plain = Import(csv, LedgerImportMode::kDryRun);
    ASSERT_EQ(plain.rejected.size(), 1u);
    EXPECT_EQ(plain.unmapped_columns, (std::vector<std::string>{"时间节点"}));
    LedgerImportReport mapped = Import(csv, LedgerImportMode::kDryRun, nullptr, {{"deadline", "时间节点"}});
    EXPECT_TRUE(mapped.rejected.empty()) << mapped.rejected[0].reason;
    EXPECT_EQ(mapped.tasks_created, 1);
    // A mapping to a column that is not there is an error of the request.
    LedgerImportInput in;
    in.rows = *LedgerRowsFromCsv(csv);
    in.mapping = {{"deadline", "完成日期"}};
    EXPECT_EQ(svc_->ImportLedger(root_, in, LedgerImportMode::kDryRun).status().code(), StatusCode::kInvalidArgument);
    in.mapping = {{"no_such_field", "时间节点"}};
    EXPECT_EQ(svc_->ImportLedger(root_, in, LedgerImportMode::kDryRun).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LedgerImportTest, SpecialItemsAreReportedAsNotImported) {
    std::string csv = "问题编号,专项整治\n2,整治群众身边腐败\n";
    LedgerImportReport r = Import(csv, LedgerImportMode::kDryRun);
    EXPECT_TRUE(r.rejected.empty());
    ASSERT_EQ(r.ignored.size(), 1u);
    EXPECT_EQ(r.ignored[0].row, 2);
    EXPECT_EQ(r.ignored[0].column, "专项整治");
    EXPECT_EQ(r.rows_unchanged, 1);
}

TEST_F(LedgerImportTest, TheResponsibilityListHasOneRowPerResponsibleUnitAndPerson) {
    // A second task of 福州市 / 张三 / 李四 on problem 2, overdue (due 2025-01-01), and one of 鼓楼区 / 王五.
    TaskDraft t;
    t.org_id = 3;
    t.title = "巡查路灯";
    t.responsible_person = "张三";
    t.lead_official = "李四";
    t.due_at = *ParseIso("2025-01-01T00:00:00+08:00");
    ASSERT_OK(svc_->CreateTask(root_, 2, t));
    t.org_id = 4;
    t.title = "鼓楼区路灯";
    t.responsible_person = "王五";
    t.lead_official.reset();
    t.due_at = *ParseIso("2031-05-01T00:00:00+08:00");
    ASSERT_OK(svc_->CreateTask(root_, 2, t));
    std::string text = ExportCsv(LedgerList::kResponsibilities);
    EXPECT_EQ(text.substr(3, std::string("责任清单　导出时间 ").size()), "责任清单　导出时间 ");
    auto table = ParseCsv(text.substr(text.find('\n') + 1));
    ASSERT_OK(table);
    EXPECT_EQ(table->header, (std::vector<std::string>{"序号", "责任单位", "责任人", "牵头领导", "问题数", "任务数", "已完成",
                                                       "未完成", "超期", "完成率", "最近整改时限"}));
    ASSERT_EQ(table->rows.size(), 2u);
    EXPECT_EQ(table->rows[0], (std::vector<std::string>{"1", "福州市", "张三", "李四", "1", "2", "0", "2", "1", "0%",
                                                        "2025-01-01 00:00"}));
    EXPECT_EQ(table->rows[1], (std::vector<std::string>{"2", "鼓楼区", "王五", "", "1", "1", "0", "1", "0", "0%",
                                                        "2031-05-01 00:00"}));
}

}  // namespace
}  // namespace rectify::service
