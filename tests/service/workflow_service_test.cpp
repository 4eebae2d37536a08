// The workflow use cases (issue 3) on a real SQLite store: who may do what where, the guards, the
// consequences that happen in the same transaction (problem status, cancelled tasks, reopen on a
// dissatisfied rating), evidence files, the timeline and idempotency keys.
//
// Org tree of every test (ids in insertion order):
//   1 全国
//   ├─ 2 河北省 ─ 3 石家庄市 ─ 4 长安区 ─ 5 建北街道
//   └─ 6 福建省
#include <filesystem>
#include <fstream>

#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Grant;
using domain::Org;
using domain::Problem;
using domain::ProblemStatus;
using domain::Role;
using domain::Task;
using domain::TaskStatus;

class WorkflowServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        ASSERT_OK(svc_->Init(Actor{"test", {}}, InitOptions{}));
        root_ = svc_->RootActor("admin");
        province_ = AddOrg(1, "河北省", "province");
        city_ = AddOrg(province_, "石家庄市", "city");
        county_ = AddOrg(city_, "长安区", "county");
        township_ = AddOrg(county_, "建北街道", "township");
        other_ = AddOrg(1, "福建省", "province");
        EvidenceOptions ev;
        ev.blob_dir = dir_.File("blobs");
        ev.policy.max_bytes = 64;
        svc_->ConfigureEvidence(ev);
    }

    domain::OrgId AddOrg(domain::OrgId parent, const std::string& name, const std::string& level) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        auto created = svc_->CreateOrg(root_, o);
        EXPECT_OK(created);
        return created.ok() ? created->id : 0;
    }

    // An actor with one role over one org's subtree (its scope is that subtree).
    static Actor As(const std::string& name, Role role, domain::OrgId org) {
        return Actor{name, {org}, {Grant{role, org}}, std::nullopt};
    }

    Problem AddProblem(domain::OrgId owner, const std::string& title = "梅峰河黑臭") {
        ProblemDraft d;
        d.title = title;
        d.owner_org_id = owner;
        auto p = svc_->CreateProblem(root_, d);
        EXPECT_OK(p);
        return p.ok() ? *p : Problem{};
    }

    TaskDraft Draft(domain::OrgId org, domain::TaskType type = domain::TaskType::kTimeBound) {
        TaskDraft d;
        d.org_id = org;
        d.title = "清理河道漂浮物";
        d.responsible_person = "张三";
        d.type = type;
        if (type == domain::TaskType::kOngoing) {
            d.review_dates = {NowSeconds() + 86400};
        } else {
            d.due_at = NowSeconds() + 15 * 86400;
        }
        return d;
    }

    ProblemStatus StatusOf(domain::ProblemId id) { return svc_->store().GetProblem(id)->status; }

    // Takes a task of the county to submitted: start, report, evidence, submit.
    Task Submitted(domain::ProblemId problem) {
        auto t = svc_->CreateTask(clerk_, problem, Draft(county_));
        EXPECT_OK(t);
        EXPECT_OK(svc_->StartTask(clerk_, t->id, std::nullopt));
        EXPECT_OK(svc_->ReportProgress(clerk_, t->id, ReportDraft{"已完成清理", 100, {}}, std::nullopt));
        EXPECT_OK(svc_->UploadEvidence(clerk_, t->id, "现场.txt", "text/plain", "清理后照片说明"));
        auto s = svc_->SubmitTask(reviewer_, t->id, std::nullopt);
        EXPECT_OK(s);
        return s.ok() ? *s : Task{};
    }

    testing::TempDir dir_;
    std::unique_ptr<Service> svc_;
    Actor root_;
    domain::OrgId province_ = 0, city_ = 0, county_ = 0, township_ = 0, other_ = 0;
    // Set after the orgs exist (ids 2..6 as in the header).
    Actor clerk_ = As("clerk-county", Role::kClerk, 4);
    Actor reviewer_ = As("reviewer-county", Role::kReviewer, 4);
    Actor own_verifier_ = As("verifier-county", Role::kVerifier, 4);
    Actor city_verifier_ = As("verifier-city", Role::kVerifier, 3);
    Actor province_verifier_ = As("verifier-province", Role::kVerifier, 2);
    Actor outsider_ = As("clerk-fujian", Role::kClerk, 6);
};

TEST_F(WorkflowServiceTest, TheTreeHasTheIdsTheActorsAssume) {
    EXPECT_EQ(province_, 2);
    EXPECT_EQ(city_, 3);
    EXPECT_EQ(county_, 4);
    EXPECT_EQ(township_, 5);
    EXPECT_EQ(other_, 6);
}

TEST_F(WorkflowServiceTest, PlanningAndWorkMoveTheProblemThroughItsStatuses) {
    Problem p = AddProblem(county_);
    EXPECT_EQ(p.status, ProblemStatus::kRegistered);
    auto t = svc_->CreateTask(clerk_, p.id, Draft(county_));
    ASSERT_OK(t);
    EXPECT_EQ(t->status, TaskStatus::kPending);
    EXPECT_EQ(t->created_by_org_id, county_);
    EXPECT_EQ(t->round, 1);
    EXPECT_EQ(StatusOf(p.id), ProblemStatus::kPlanned);
    ASSERT_OK(svc_->StartTask(clerk_, t->id, std::nullopt));
    EXPECT_EQ(StatusOf(p.id), ProblemStatus::kInProgress);
    auto r = svc_->ReportProgress(clerk_, t->id, ReportDraft{"清理了一半", 50, {}}, std::nullopt);
    ASSERT_OK(r);
    EXPECT_EQ(svc_->GetTask(clerk_, t->id)->progress, 50);
    auto detail = svc_->GetProblem(clerk_, p.id);
    EXPECT_EQ(detail->progress, std::optional<double>(50.0));
    EXPECT_EQ(detail->task_count, 1);
}

TEST_F(WorkflowServiceTest, AClerkCannotSubmitOrAcceptAndTheOwnOrgCannotVerifyItself) {
    Problem p = AddProblem(county_);
    auto t = svc_->CreateTask(clerk_, p.id, Draft(county_));
    ASSERT_OK(svc_->StartTask(clerk_, t->id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(clerk_, t->id, ReportDraft{"完成", 100, {}}, std::nullopt));
    ASSERT_OK(svc_->UploadEvidence(clerk_, t->id, "a.txt", "text/plain", "证明"));

    auto by_clerk = svc_->SubmitTask(clerk_, t->id, std::nullopt);
    EXPECT_EQ(by_clerk.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(by_clerk.status().message(), "submit on task " + std::to_string(t->id) +
                                               " needs the role reviewer over org 4");
    ASSERT_OK(svc_->SubmitTask(reviewer_, t->id, std::nullopt));
    EXPECT_EQ(StatusOf(p.id), ProblemStatus::kPendingVerification);

    EXPECT_EQ(svc_->AcceptTask(clerk_, t->id, std::nullopt, std::nullopt).status().code(), StatusCode::kPermissionDenied);
    auto own = svc_->AcceptTask(own_verifier_, t->id, std::nullopt, std::nullopt);
    EXPECT_EQ(own.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(own.status().message(), "accept on task " + std::to_string(t->id) +
                                          " needs the role verifier over org 3, the level above org 4 (an org "
                                          "cannot verify its own work)");
    // A verifier of the province holds the role over the city too (grants cover subtrees).
    auto accepted = svc_->AcceptTask(province_verifier_, t->id, std::string("合格"), std::nullopt);
    ASSERT_OK(accepted);
    EXPECT_EQ(accepted->status, TaskStatus::kAccepted);
    EXPECT_TRUE(accepted->accepted_at.has_value());
}

TEST_F(WorkflowServiceTest, AVerifierOfTheLevelAboveReturnsAndTheTaskIsResubmittedAfterANewReport) {
    Problem p = AddProblem(county_);
    Task t = Submitted(p.id);
    EXPECT_EQ(svc_->ReturnTask(city_verifier_, t.id, " ", std::nullopt).status().code(), StatusCode::kInvalidArgument);
    auto returned = svc_->ReturnTask(city_verifier_, t.id, "照片看不清", std::nullopt);
    ASSERT_OK(returned);
    EXPECT_EQ(returned->status, TaskStatus::kReturned);
    EXPECT_EQ(returned->return_reason, std::optional<std::string>("照片看不清"));
    EXPECT_EQ(StatusOf(p.id), ProblemStatus::kInProgress);
    // Back to work: a submit without a new report is refused with what to do.
    ASSERT_OK(svc_->StartTask(clerk_, t.id, std::nullopt));
    auto again = svc_->SubmitTask(reviewer_, t.id, std::nullopt);
    EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(again.status().message(), "task " + std::to_string(t.id) +
                                            " was returned: report progress on what changed before submitting again");
    ASSERT_OK(svc_->ReportProgress(clerk_, t.id, ReportDraft{"补拍清晰照片", 100, {}}, std::nullopt));
    ASSERT_OK(svc_->SubmitTask(reviewer_, t.id, std::nullopt));
    ASSERT_OK(svc_->AcceptTask(city_verifier_, t.id, std::nullopt, std::nullopt));
    EXPECT_EQ(StatusOf(p.id), ProblemStatus::kPendingVerification);
}

TEST_F(WorkflowServiceTest, OutOfScopeIsNotFoundEverywhere) {
    Problem p = AddProblem(county_);
    Task t = Submitted(p.id);
    auto files = svc_->ListEvidence(clerk_, t.id);
    ASSERT_OK(files);
    ASSERT_EQ(files->size(), 1u);
    const auto evidence_id = files->front().id;
    EXPECT_EQ(svc_->GetTask(outsider_, t.id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->AcceptTask(outsider_, t.id, std::nullopt, std::nullopt).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->CreateTask(outsider_, p.id, Draft(county_)).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->DownloadEvidence(outsider_, evidence_id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->Timeline(outsider_, p.id).status().code(), StatusCode::kNotFound);
    // The message is the same as for an id that does not exist.
    EXPECT_EQ(svc_->GetTask(outsider_, t.id).status().message(), "task " + std::to_string(t.id) + " does not exist");
    // A clerk of the township sees neither the county's task nor its problem.
    Actor township_clerk = As("clerk-township", Role::kClerk, township_);
    EXPECT_EQ(svc_->GetTask(township_clerk, t.id).status().code(), StatusCode::kNotFound);
}

TEST_F(WorkflowServiceTest, TasksGoToTheOwnerOrUnitsBelowIt) {
    Problem p = AddProblem(county_);
    auto above = svc_->CreateTask(root_, p.id, Draft(city_));
    EXPECT_EQ(above.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(above.status().message(),
              "org_id: org 3 is neither the problem's owner org 4 nor below it; a task is a measure of the owner or one "
              "of its units");
    auto below = svc_->CreateTask(clerk_, p.id, Draft(township_));
    ASSERT_OK(below);
    EXPECT_EQ(below->org_id, township_);
    EXPECT_EQ(below->created_by_org_id, county_);
    // The township's own clerk cannot plan tasks for the county's problem.
    Actor township_clerk = As("clerk-township", Role::kClerk, township_);
    EXPECT_EQ(svc_->CreateTask(township_clerk, p.id, Draft(township_)).status().code(), StatusCode::kNotFound);
}

TEST_F(WorkflowServiceTest, SubmitNeedsAReportAndEvidenceUnlessImmediate) {
    Problem p = AddProblem(county_);
    auto t = svc_->CreateTask(clerk_, p.id, Draft(county_));
    ASSERT_OK(svc_->StartTask(clerk_, t->id, std::nullopt));
    EXPECT_EQ(svc_->SubmitTask(reviewer_, t->id, std::nullopt).status().message(),
              "task " + std::to_string(t->id) + " has no progress report: report progress before submitting");
    ASSERT_OK(svc_->ReportProgress(clerk_, t->id, ReportDraft{"完成", 100, {}}, std::nullopt));
    EXPECT_EQ(svc_->SubmitTask(reviewer_, t->id, std::nullopt).status().message(),
              "task " + std::to_string(t->id) +
                  " is time_bound and has no evidence: upload at least one file before submitting");
    auto quick = svc_->CreateTask(clerk_, p.id, Draft(county_, domain::TaskType::kImmediate));
    ASSERT_OK(svc_->StartTask(clerk_, quick->id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(clerk_, quick->id, ReportDraft{"当场整改", 100, {}}, std::nullopt));
    ASSERT_OK(svc_->SubmitTask(reviewer_, quick->id, std::nullopt));
}

TEST_F(WorkflowServiceTest, IllegalTransitionsListTheAllowedNextActions) {
    Problem p = AddProblem(county_);
    auto t = svc_->CreateTask(clerk_, p.id, Draft(county_));
    auto r = svc_->ReportProgress(clerk_, t->id, ReportDraft{"x", 10, {}}, std::nullopt);
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(r.status().message(),
              "cannot report a task that is pending; allowed next actions: start, attach_evidence, edit, "
              "request_withdrawal, decline_withdrawal, withdraw");
}

TEST_F(WorkflowServiceTest, AStaleVersionIsAbortedWithTheCurrentOne) {
    Problem p = AddProblem(county_);
    auto t = svc_->CreateTask(clerk_, p.id, Draft(county_));
    ASSERT_OK(svc_->StartTask(clerk_, t->id, std::int64_t{1}));
    auto stale = svc_->StartTask(clerk_, t->id, std::int64_t{1});
    EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
    EXPECT_EQ(stale.status().message(), "task " + std::to_string(t->id) +
                                            " was changed by someone else: you sent version 1, the current version is "
                                            "2; reload and apply your change again");
    TaskPatch patch;
    patch.version = 1;
    patch.title = "新标题";
    EXPECT_EQ(svc_->UpdateTask(clerk_, t->id, patch).status().code(), StatusCode::kAborted);
    patch.version = 2;
    patch.weight_bp = std::optional<int>(5000);
    auto edited = svc_->UpdateTask(clerk_, t->id, patch);
    ASSERT_OK(edited);
    EXPECT_EQ(edited->title, "新标题");
    EXPECT_EQ(edited->weight_bp, std::optional<int>(5000));
    EXPECT_EQ(edited->version, 3);
}

TEST_F(WorkflowServiceTest, WithdrawalNeedsTheCreatingOrg) {
    Problem p = AddProblem(county_);
    auto t = svc_->CreateTask(clerk_, p.id, Draft(township_));  // created by the county for the township
    Actor township_clerk = As("clerk-township", Role::kClerk, township_);
    Actor township_reviewer = As("reviewer-township", Role::kReviewer, township_);
    ASSERT_OK(svc_->RequestWithdrawal(township_clerk, t->id, "不属于本街道职责", std::nullopt));
    EXPECT_EQ(svc_->RequestWithdrawal(township_clerk, t->id, "再申请", std::nullopt).status().code(),
              StatusCode::kFailedPrecondition);
    auto self = svc_->WithdrawTask(township_reviewer, t->id, "撤回", std::nullopt);
    EXPECT_EQ(self.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(self.status().message(), "withdraw on task " + std::to_string(t->id) +
                                           " needs the role reviewer over org 4, which created it");
    auto done = svc_->WithdrawTask(reviewer_, t->id, "同意撤回", std::nullopt);
    ASSERT_OK(done);
    EXPECT_EQ(done->status, TaskStatus::kWithdrawn);
    EXPECT_EQ(done->withdrawal_reason, std::nullopt);
    // Its only task withdrawn, the problem is registered again.
    EXPECT_EQ(StatusOf(p.id), ProblemStatus::kRegistered);
}

TEST_F(WorkflowServiceTest, CloseNeedsTheLevelAboveAcceptedTasksAndARepliedOpinion) {
    OpinionDraft od;
    od.channel = domain::OpinionChannel::kWeb;
    od.title = "河水发臭";
    od.text = "梅峰河河水发臭";
    od.org_id = county_;
    auto op = svc_->CreateOpinion(root_, od);
    ASSERT_OK(op);
    auto accepted = svc_->AcceptOpinion(clerk_, op->id, OpinionAcceptance{}, std::nullopt);
    ASSERT_OK(accepted);
    EXPECT_TRUE(accepted->created_problem);
    EXPECT_EQ(accepted->problem.title, "河水发臭");
    EXPECT_EQ(accepted->problem.source, domain::ProblemSource::kPublicOpinion);
    EXPECT_EQ(accepted->opinion.status, domain::OpinionStatus::kAccepted);
    const auto pid = accepted->problem.id;

    Task t = Submitted(pid);
    EXPECT_EQ(svc_->CloseProblem(city_verifier_, pid, std::nullopt).status().message(),
              "problem " + std::to_string(pid) +
                  " can be closed only when every task is accepted; not yet accepted: " + std::to_string(t.id) +
                  " (submitted)");
    ASSERT_OK(svc_->AcceptTask(city_verifier_, t.id, std::nullopt, std::nullopt));
    EXPECT_EQ(svc_->CloseProblem(own_verifier_, pid, std::nullopt).status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(svc_->CloseProblem(city_verifier_, pid, std::nullopt).status().message(),
              "problem " + std::to_string(pid) + " came from the public: reply to opinion " + std::to_string(op->id) +
                  " before closing it");
    ASSERT_OK(svc_->ReplyOpinion(clerk_, op->id, "已清理，感谢监督", std::nullopt, std::nullopt));
    auto closed = svc_->CloseProblem(city_verifier_, pid, std::nullopt);
    ASSERT_OK(closed);
    EXPECT_EQ(closed->status, ProblemStatus::kClosed);
    EXPECT_TRUE(closed->closed_at.has_value());
    EXPECT_EQ(svc_->GetProblem(root_, pid)->progress, std::optional<double>(100.0));

    // 不满意 reopens it in a new round; the rating cannot be given twice for one reply.
    auto rated = svc_->RateOpinion(root_, op->id, domain::Satisfaction::kDissatisfied, std::string("还是臭"),
                                   std::nullopt);
    ASSERT_OK(rated);
    EXPECT_EQ(rated->satisfaction, std::optional<domain::Satisfaction>(domain::Satisfaction::kDissatisfied));
    auto reopened = svc_->store().GetProblem(pid);
    EXPECT_EQ(reopened->status, ProblemStatus::kRegistered);
    EXPECT_EQ(reopened->round, 2);
    EXPECT_EQ(reopened->closed_at, std::nullopt);
    EXPECT_EQ(reopened->reopen_cause, std::optional<domain::ReopenCause>(domain::ReopenCause::kDissatisfiedRating));
    EXPECT_EQ(reopened->status_reason,
              std::optional<std::string>("opinion " + std::to_string(op->id) + " rated dissatisfied: 还是臭"));
    EXPECT_EQ(svc_->RateOpinion(root_, op->id, domain::Satisfaction::kSatisfied, std::nullopt, std::nullopt)
                  .status()
                  .code(),
              StatusCode::kFailedPrecondition);
    // Round 1's accepted task no longer counts.
    EXPECT_EQ(svc_->GetProblem(root_, pid)->progress, std::nullopt);
    // The old task cannot be touched in round 2.
    EXPECT_EQ(svc_->StartTask(clerk_, t.id, std::nullopt).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(WorkflowServiceTest, ASatisfiedRatingLeavesAClosedProblemClosed) {
    Problem p = AddProblem(county_);
    Task t = Submitted(p.id);
    ASSERT_OK(svc_->AcceptTask(city_verifier_, t.id, std::nullopt, std::nullopt));
    ASSERT_OK(svc_->CloseProblem(city_verifier_, p.id, std::nullopt));
    OpinionDraft od;
    od.title = "路灯不亮";
    od.org_id = county_;
    auto op = svc_->CreateOpinion(root_, od);
    // Linking needs an open problem.
    OpinionAcceptance link;
    link.problem_id = p.id;
    EXPECT_EQ(svc_->AcceptOpinion(clerk_, op->id, link, std::nullopt).status().code(), StatusCode::kFailedPrecondition);
    ASSERT_OK(svc_->ReplyOpinion(clerk_, op->id, "已修复", std::nullopt, std::nullopt));
    ASSERT_OK(svc_->RateOpinion(clerk_, op->id, domain::Satisfaction::kSatisfied, std::nullopt, std::nullopt));
    EXPECT_EQ(StatusOf(p.id), ProblemStatus::kClosed);
}

TEST_F(WorkflowServiceTest, ReopenByASupervisorAboveNeedsAReason) {
    Problem p = AddProblem(county_);
    Task t = Submitted(p.id);
    ASSERT_OK(svc_->AcceptTask(city_verifier_, t.id, std::nullopt, std::nullopt));
    ASSERT_OK(svc_->CloseProblem(city_verifier_, p.id, std::nullopt));
    Actor supervisor = As("supervisor-city", Role::kSupervisor, city_);
    EXPECT_EQ(svc_->ReopenProblem(supervisor, p.id, domain::ReopenCause::kRecurrence, "", std::nullopt).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(svc_->ReopenProblem(reviewer_, p.id, domain::ReopenCause::kRecurrence, "反弹", std::nullopt)
                  .status()
                  .code(),
              StatusCode::kPermissionDenied);
    auto r = svc_->ReopenProblem(supervisor, p.id, domain::ReopenCause::kRecurrence, "反弹回潮", std::nullopt);
    ASSERT_OK(r);
    EXPECT_EQ(r->round, 2);
    // A new round is planned with new tasks.
    auto t2 = svc_->CreateTask(clerk_, p.id, Draft(county_));
    ASSERT_OK(t2);
    EXPECT_EQ(t2->round, 2);
    EXPECT_EQ(StatusOf(p.id), ProblemStatus::kPlanned);
}

TEST_F(WorkflowServiceTest, InvalidAndMergedAreFinalAndCancelOpenTasks) {
    Problem a = AddProblem(county_, "问题甲");
    Problem b = AddProblem(county_, "问题乙");
    Problem c = AddProblem(county_, "问题丙");
    auto ta = svc_->CreateTask(clerk_, a.id, Draft(county_));
    EXPECT_EQ(svc_->MarkProblemInvalid(clerk_, a.id, "不属实", std::nullopt).status().code(),
              StatusCode::kPermissionDenied);
    auto invalid = svc_->MarkProblemInvalid(city_verifier_, a.id, "经核查不属实", std::nullopt);
    ASSERT_OK(invalid);
    EXPECT_EQ(invalid->status, ProblemStatus::kInvalid);
    EXPECT_EQ(invalid->status_reason, std::optional<std::string>("经核查不属实"));
    EXPECT_EQ(svc_->store().GetTask(ta->id)->status, TaskStatus::kWithdrawn);
    EXPECT_EQ(svc_->CreateTask(clerk_, a.id, Draft(county_)).status().code(), StatusCode::kFailedPrecondition);

    OpinionDraft od;
    od.title = "同一条河";
    od.org_id = county_;
    auto op = svc_->CreateOpinion(root_, od);
    OpinionAcceptance link;
    link.problem_id = b.id;
    ASSERT_OK(svc_->AcceptOpinion(clerk_, op->id, link, std::nullopt));
    EXPECT_EQ(svc_->MergeProblem(reviewer_, b.id, a.id, "重复", std::nullopt).status().code(),
              StatusCode::kFailedPrecondition);  // into an invalid one
    EXPECT_EQ(svc_->MergeProblem(reviewer_, b.id, b.id, "重复", std::nullopt).status().code(),
              StatusCode::kInvalidArgument);
    auto merged = svc_->MergeProblem(reviewer_, b.id, c.id, "同一问题", std::nullopt);
    ASSERT_OK(merged);
    EXPECT_EQ(merged->status, ProblemStatus::kMerged);
    EXPECT_EQ(merged->merged_into_id, std::optional<domain::ProblemId>(c.id));
    EXPECT_EQ(svc_->store().GetOpinion(op->id)->problem_id, std::optional<domain::ProblemId>(c.id));
    auto again = svc_->MarkProblemInvalid(city_verifier_, b.id, "x", std::nullopt);
    EXPECT_EQ(again.status().message(),
              "cannot mark_invalid a problem that is merged; allowed next actions: none (merged is final)");
}

TEST_F(WorkflowServiceTest, OpinionsAreDeclinedWithAReasonOrMarkedDuplicate) {
    OpinionDraft od;
    od.title = "咨询办事流程";
    od.org_id = county_;
    auto a = svc_->CreateOpinion(root_, od);
    auto b = svc_->CreateOpinion(root_, od);
    EXPECT_EQ(svc_->DeclineOpinion(reviewer_, a->id, "", std::nullopt).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(svc_->DeclineOpinion(clerk_, a->id, "不属于受理范围", std::nullopt).status().code(),
              StatusCode::kPermissionDenied);
    auto declined = svc_->DeclineOpinion(reviewer_, a->id, "不属于受理范围", std::nullopt);
    ASSERT_OK(declined);
    EXPECT_EQ(declined->status, domain::OpinionStatus::kDeclined);
    EXPECT_EQ(declined->status_reason, std::optional<std::string>("不属于受理范围"));
    EXPECT_EQ(svc_->MarkOpinionDuplicate(clerk_, b->id, std::nullopt, std::nullopt, std::nullopt, std::nullopt)
                  .status()
                  .code(),
              StatusCode::kInvalidArgument);
    auto dup = svc_->MarkOpinionDuplicate(clerk_, b->id, a->id, std::nullopt, std::string("重复提交"), std::nullopt);
    ASSERT_OK(dup);
    EXPECT_EQ(dup->status, domain::OpinionStatus::kDuplicate);
    EXPECT_EQ(dup->duplicate_of_opinion_id, std::optional<domain::OpinionId>(a->id));
    // A decided opinion cannot be accepted any more; a reply can still go out.
    EXPECT_EQ(svc_->AcceptOpinion(clerk_, a->id, OpinionAcceptance{}, std::nullopt).status().message(),
              "cannot accept an opinion that is declined; allowed next actions: reply, rate");
    ASSERT_OK(svc_->ReplyOpinion(clerk_, a->id, "请咨询政务服务中心", std::nullopt, std::nullopt));
}

TEST_F(WorkflowServiceTest, EvidenceIsCheckedStoredByItsHashAndDownloadedInScope) {
    Problem p = AddProblem(county_);
    auto t = svc_->CreateTask(clerk_, p.id, Draft(county_));
    auto big = svc_->UploadEvidence(clerk_, t->id, "big.txt", "text/plain", std::string(65, 'x'));
    EXPECT_EQ(big.status().code(), StatusCode::kPayloadTooLarge);
    EXPECT_EQ(big.status().message(), "the evidence file is 65 bytes, larger than the limit of 64 bytes");
    auto elf = svc_->UploadEvidence(clerk_, t->id, "a.txt", "text/plain", std::string("\x7f" "ELF\x02", 5));
    EXPECT_EQ(elf.status().code(), StatusCode::kInvalidArgument);

    const std::string content = "河道清理完毕";
    auto e1 = svc_->UploadEvidence(clerk_, t->id, "说明.txt", "text/plain; charset=utf-8", content);
    ASSERT_OK(e1);
    auto e2 = svc_->UploadEvidence(clerk_, t->id, "说明副本.txt", "text/plain", content);
    ASSERT_OK(e2);
    // SHA-256 of the UTF-8 bytes, worked out with `printf '河道清理完毕' | sha256sum`.
    EXPECT_EQ(e1->sha256, "568440ab2be1d8673d194391a7092495e108f98614f34bfba3eaee1660c69cf3");
    EXPECT_EQ(e2->sha256, e1->sha256);
    EXPECT_EQ(e1->size_bytes, static_cast<std::int64_t>(content.size()));
    EXPECT_EQ(e1->content_type, "text/plain");
    const auto path = std::filesystem::path(dir_.File("blobs")) / e1->sha256.substr(0, 2) / e1->sha256;
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_.File("blobs"))) {
        files += entry.is_regular_file();
    }
    EXPECT_EQ(files, 1u);  // one content, one file
    auto got = svc_->DownloadEvidence(clerk_, e1->id);
    ASSERT_OK(got);
    EXPECT_EQ(got->second, content);
    EXPECT_EQ(got->first.original_name, "说明.txt");
    // Attached to a report, listed with it.
    auto r = svc_->StartTask(clerk_, t->id, std::nullopt);
    ASSERT_OK(r);
    auto report = svc_->ReportProgress(clerk_, t->id, ReportDraft{"完成", 100, {e1->id}}, std::nullopt);
    ASSERT_OK(report);
    EXPECT_EQ(report->evidence_ids, (std::vector<domain::EvidenceId>{e1->id}));
    EXPECT_EQ(svc_->ReportProgress(clerk_, t->id, ReportDraft{"再次", 100, {e1->id}}, std::nullopt).status().code(),
              StatusCode::kFailedPrecondition);
}

TEST_F(WorkflowServiceTest, WeightedProgressWhenTheWeightsSumToOne) {
    Problem p = AddProblem(county_);
    TaskDraft a = Draft(county_);
    a.weight_bp = 3000;
    TaskDraft b = Draft(county_);
    b.weight_bp = 7000;
    auto ta = svc_->CreateTask(clerk_, p.id, a);
    auto tb = svc_->CreateTask(clerk_, p.id, b);
    ASSERT_OK(svc_->StartTask(clerk_, ta->id, std::nullopt));
    ASSERT_OK(svc_->StartTask(clerk_, tb->id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(clerk_, ta->id, ReportDraft{"a", 100, {}}, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(clerk_, tb->id, ReportDraft{"b", 20, {}}, std::nullopt));
    // 0.3 * 100 + 0.7 * 20 = 30 + 14 = 44 (the plain mean would be 60).
    EXPECT_EQ(svc_->GetProblem(clerk_, p.id)->progress, std::optional<double>(44.0));
}

TEST_F(WorkflowServiceTest, AMeetingFindingBecomesAProblemInOneStep) {
    MeetingDraft d;
    d.org_id = county_;
    d.kind = domain::MeetingKind::kDemocraticLife;
    d.title = "2019 年专题民主生活会";
    d.held_at = 1567296000;
    d.attendees = 9;
    d.findings = {"联系群众不够紧密", "调查研究不深入"};
    auto m = svc_->CreateMeeting(clerk_, d);
    ASSERT_OK(m);
    ASSERT_EQ(m->findings.size(), 2u);
    auto p = svc_->FindingToProblem(clerk_, m->meeting.id, m->findings[1].id, FindingProblemDraft{});
    ASSERT_OK(p);
    EXPECT_EQ(p->title, "调查研究不深入");
    EXPECT_EQ(p->source, domain::ProblemSource::kMeeting);
    EXPECT_EQ(p->owner_org_id, county_);
    EXPECT_EQ(svc_->FindingToProblem(clerk_, m->meeting.id, m->findings[1].id, FindingProblemDraft{}).status().code(),
              StatusCode::kFailedPrecondition);
    auto again = svc_->GetMeeting(clerk_, m->meeting.id);
    EXPECT_EQ(again->findings[1].problem_id, std::optional<domain::ProblemId>(p->id));
    EXPECT_EQ(again->findings[0].problem_id, std::nullopt);
    EXPECT_EQ(svc_->GetMeeting(outsider_, m->meeting.id).status().code(), StatusCode::kNotFound);
    auto f = svc_->AddFinding(clerk_, m->meeting.id, "学习不够系统", std::int64_t{1});
    ASSERT_OK(f);
    EXPECT_EQ(svc_->AddFinding(clerk_, m->meeting.id, "再加一条", std::int64_t{1}).status().code(), StatusCode::kAborted);
}

TEST_F(WorkflowServiceTest, MechanismsLinkProblemsInScope) {
    Problem p = AddProblem(county_);
    MechanismDraft d;
    d.org_id = county_;
    d.title = "河长巡河制度";
    d.text = "每周巡河";
    d.problem_ids = {p.id};
    auto m = svc_->CreateMechanism(clerk_, d);
    ASSERT_OK(m);
    EXPECT_EQ(m->problem_ids, (std::vector<domain::ProblemId>{p.id}));
    EXPECT_EQ(svc_->CreateMechanism(outsider_, d).status().code(), StatusCode::kNotFound);
    Problem q = AddProblem(county_, "另一个");
    auto linked = svc_->LinkMechanismProblem(clerk_, m->id, q.id);
    ASSERT_OK(linked);
    EXPECT_EQ(linked->problem_ids.size(), 2u);
    auto page = svc_->ListMechanisms(clerk_, std::nullopt, q.id, std::nullopt, 10);
    ASSERT_OK(page);
    ASSERT_EQ(page->items.size(), 1u);
    MechanismPatch patch;
    patch.version = 2;
    patch.title = "x";
    EXPECT_EQ(svc_->UpdateMechanism(clerk_, m->id, patch).status().code(), StatusCode::kAborted);
}

TEST_F(WorkflowServiceTest, TheTimelineHoldsEveryStepWithActorAndTheHistoricalDatesOfImports) {
    // An imported closed problem (the problem list CSV): registered 2020-09-03, closed 2020-09-10.
    std::ofstream(dir_.File("p.csv")) << "title,owner_org_id,created_at,status,closed_at\n"
                                         "排污口整治,4,2020-09-03T00:00:00+08:00,closed,2020-09-10T12:00:00+08:00\n";
    auto report = svc_->ImportProblems(root_, dir_.File("p.csv"));
    ASSERT_OK(report);
    ASSERT_EQ(report->rows_stored, 1);
    auto problems = svc_->ListProblems(root_, ProblemQuery{});
    const auto pid = problems->items.front().id;
    ASSERT_OK(svc_->ReopenProblem(city_verifier_, pid, domain::ReopenCause::kRecurrence, "又有排污", std::nullopt));
    auto t = svc_->CreateTask(clerk_, pid, Draft(county_));
    ASSERT_OK(svc_->StartTask(clerk_, t->id, std::nullopt));
    auto timeline = svc_->Timeline(clerk_, pid);
    ASSERT_OK(timeline);
    std::vector<std::string> steps;
    for (const auto& e : *timeline) steps.push_back(e.entity + ":" + e.action + ":" + e.actor);
    EXPECT_EQ(steps, (std::vector<std::string>{
                         "problem:registered:admin", "problem:closed:admin", "problem:import:admin",
                         "problem:reopen:verifier-city", "task:create:clerk-county", "problem:derive:clerk-county",
                         "task:start:clerk-county", "problem:derive:clerk-county"}));
    const auto& registered = (*timeline)[0];
    EXPECT_TRUE(registered.historical);
    EXPECT_EQ(registered.at, 1599062400);  // 2020-09-02T16:00:00Z
    EXPECT_EQ((*timeline)[1].at, 1599710400);  // 2020-09-10T04:00:00Z
    EXPECT_EQ((*timeline)[3].from, std::optional<std::string>("closed"));
    EXPECT_EQ((*timeline)[3].to, std::optional<std::string>("registered"));
    EXPECT_EQ((*timeline)[3].reason, std::optional<std::string>("又有排污"));
    EXPECT_EQ((*timeline)[5].to, std::optional<std::string>("planned"));
    EXPECT_EQ((*timeline)[7].to, std::optional<std::string>("in_progress"));
}

TEST_F(WorkflowServiceTest, IdempotencyKeysReplayTheFirstResponseOfTheSameRequestOnly) {
    const std::string sha(64, 'a');
    auto first = svc_->BeginIdempotent(root_, "key-1", "POST", "/api/v1/problems", sha);
    ASSERT_OK(first);
    EXPECT_FALSE(first->has_value());
    auto running = svc_->BeginIdempotent(root_, "key-1", "POST", "/api/v1/problems", sha);
    EXPECT_EQ(running.status().code(), StatusCode::kAborted);
    store::IdempotencyRecord done;
    done.key = "key-1";
    done.status = 201;
    done.body = "{\"id\":7}";
    ASSERT_OK(svc_->FinishIdempotent(root_, done));
    auto replay = svc_->BeginIdempotent(root_, "key-1", "POST", "/api/v1/problems", sha);
    ASSERT_OK(replay);
    ASSERT_TRUE(replay->has_value());
    EXPECT_EQ((*replay)->status, std::optional<int>(201));
    EXPECT_EQ((*replay)->body, std::optional<std::string>("{\"id\":7}"));
    auto other = svc_->BeginIdempotent(root_, "key-1", "POST", "/api/v1/problems", std::string(64, 'b'));
    EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
    // Keys are per actor.
    EXPECT_FALSE(svc_->BeginIdempotent(clerk_, "key-1", "POST", "/api/v1/problems", sha)->has_value());
    ASSERT_OK(svc_->AbandonIdempotent(clerk_, "key-1"));
    EXPECT_FALSE(svc_->BeginIdempotent(clerk_, "key-1", "POST", "/api/v1/problems", sha)->has_value());
    EXPECT_EQ(svc_->BeginIdempotent(root_, "", "POST", "/", sha).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rectify::service
