// Upper–lower linkage (issue 5) on a real SQLite store: the worked examples of docs/LINKAGE.md —
// escalation up with accept, decline, withdraw and two levels; cascade down by level, by list and to
// all descendants with the deadline rule, the roll-up and the parent's submit guard; the visibility of
// every link type (and 404 for an unrelated sibling subtree); a cascade to a few thousand orgs; and a
// property test: random escalations over a random tree never make subtree statistics differ from a
// brute-force recount.
//
// Org tree of every test (ids in insertion order; names as in the sample data, ids local to the test):
//   1 全国
//   └─ 2 福建省
//      ├─ 3 福州市 ─┬─ 4 鼓楼区 ─ 7 东街街道
//      │            ├─ 5 台江区 (batch 2)
//      │            └─ 6 仓山区 (batch 2, public institution)
//      └─ 8 厦门市 ─ 9 思明区
#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::CascadeScope;
using domain::EscalationStatus;
using domain::Grant;
using domain::Org;
using domain::OrgId;
using domain::Problem;
using domain::ProblemStatus;
using domain::Role;
using domain::Task;
using domain::TaskStatus;

constexpr UnixSeconds kDay = 86400;

class LinkageServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        ASSERT_OK(svc_->Init(Actor{"test", {}}, InitOptions{}));
        root_ = svc_->RootActor("admin");
        fujian_ = AddOrg(1, "福建省", "province");
        fuzhou_ = AddOrg(fujian_, "福州市", "city");
        gulou_ = AddOrg(fuzhou_, "鼓楼区", "county");
        taijiang_ = AddOrg(fuzhou_, "台江区", "county", 2);
        cangshan_ = AddOrg(fuzhou_, "仓山区", "county", 2, domain::OrgKind::kPublicInstitution);
        dongjie_ = AddOrg(gulou_, "东街街道", "township");
        xiamen_ = AddOrg(fujian_, "厦门市", "city");
        siming_ = AddOrg(xiamen_, "思明区", "county");
        EvidenceOptions ev;
        ev.blob_dir = dir_.File("blobs");
        svc_->ConfigureEvidence(ev);
    }

    OrgId AddOrg(OrgId parent, const std::string& name, const std::string& level, int batch = 0,
                 domain::OrgKind kind = domain::OrgKind::kPartyGovAgency) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        o.batch = batch;
        o.kind = kind;
        auto created = svc_->CreateOrg(root_, o);
        EXPECT_OK(created);
        return created.ok() ? created->id : 0;
    }

    // An actor with the given roles over one org's subtree (its scope is that subtree).
    static Actor As(const std::string& name, std::initializer_list<Role> roles, OrgId org) {
        Actor a{name, {org}, {}, std::nullopt};
        for (Role r : roles) a.grants.push_back(Grant{r, org});
        return a;
    }
    static Actor Workers(const std::string& name, OrgId org) { return As(name, {Role::kClerk, Role::kReviewer}, org); }

    Problem AddProblem(OrgId owner, const std::string& title) {
        ProblemDraft d;
        d.title = title;
        d.owner_org_id = owner;
        auto p = svc_->CreateProblem(root_, d);
        EXPECT_OK(p);
        return p.ok() ? *p : Problem{};
    }

    Task AddTask(const Actor& actor, domain::ProblemId problem, OrgId org, UnixSeconds due) {
        TaskDraft d;
        d.org_id = org;
        d.title = "整治群众身边不正之风";
        d.responsible_person = "张三";
        d.type = domain::TaskType::kTimeBound;
        d.due_at = due;
        auto t = svc_->CreateTask(actor, problem, d);
        EXPECT_OK(t);
        return t.ok() ? *t : Task{};
    }

    OrgId OwnerOf(domain::ProblemId id) { return svc_->store().GetProblem(id)->owner_org_id; }

    std::vector<std::pair<OrgId, std::int64_t>> EscalatedFrom(OrgId org) {
        auto s = svc_->Stats(root_, org);
        EXPECT_OK(s);
        std::vector<std::pair<OrgId, std::int64_t>> out;
        if (s.ok()) {
            for (const auto& e : s->escalated_from) out.emplace_back(e.org_id, e.problems);
        }
        return out;
    }
    std::int64_t ProblemsIn(OrgId org) { return svc_->Stats(root_, org)->problems; }

    testing::TempDir dir_;
    std::unique_ptr<Service> svc_;
    Actor root_;
    OrgId fujian_ = 0, fuzhou_ = 0, gulou_ = 0, taijiang_ = 0, cangshan_ = 0, dongjie_ = 0, xiamen_ = 0,
          siming_ = 0;
};

TEST_F(LinkageServiceTest, TheTreeHasTheIdsTheHeaderShows) {
    EXPECT_EQ((std::vector<OrgId>{fujian_, fuzhou_, gulou_, taijiang_, cangshan_, dongjie_, xiamen_, siming_}),
              (std::vector<OrgId>{2, 3, 4, 5, 6, 7, 8, 9}));
}

// docs/LINKAGE.md, example 1: 鼓楼区 escalates a problem about the city's bus routes to 福州市.
TEST_F(LinkageServiceTest, EscalationAcceptedMovesOwnershipAndTheOriginKeepsReading) {
    const Actor gulou = Workers("gulou", gulou_);
    const Actor fuzhou_reviewer = As("fuzhou-reviewer", {Role::kReviewer}, fuzhou_);
    const Actor fuzhou_clerk = As("fuzhou-clerk", {Role::kClerk}, fuzhou_);
    Problem p = AddProblem(gulou_, "公交线路调整需市级统筹");
    AddTask(gulou, p.id, gulou_, NowSeconds() + 30 * kDay);

    auto e = svc_->EscalateProblem(gulou, p.id, EscalationDraft{fuzhou_, "线路审批权在市交通局"}, std::nullopt);
    ASSERT_OK(e);
    EXPECT_EQ(e->status, EscalationStatus::kPending);
    EXPECT_EQ(e->from_org_id, gulou_);
    EXPECT_EQ(e->to_org_id, fuzhou_);
    EXPECT_EQ(e->origin_org_id, gulou_);
    EXPECT_EQ(OwnerOf(p.id), gulou_);  // pending: nothing moves yet

    // A clerk of the target cannot decide (reviewer), the asking org cannot accept its own request.
    EXPECT_EQ(svc_->AcceptEscalation(fuzhou_clerk, e->id, std::nullopt, std::nullopt).status().code(),
              StatusCode::kPermissionDenied);
    auto by_asker = svc_->AcceptEscalation(gulou, e->id, std::nullopt, std::nullopt);
    EXPECT_EQ(by_asker.status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(by_asker.status().message(),
              "accept on escalation " + std::to_string(e->id) + " needs the role reviewer over org 3, the org asked");

    auto accepted = svc_->AcceptEscalation(fuzhou_reviewer, e->id, std::string("由市交通局牵头答复"), e->version);
    ASSERT_OK(accepted);
    EXPECT_EQ(accepted->status, EscalationStatus::kAccepted);
    EXPECT_EQ(accepted->decided_by, std::optional<std::string>("fuzhou-reviewer"));
    EXPECT_EQ(OwnerOf(p.id), fuzhou_);

    // 鼓楼区 keeps full read access: the problem, its tasks, its escalations and every step in the timeline.
    auto seen = svc_->GetProblem(gulou, p.id);
    ASSERT_OK(seen);
    EXPECT_EQ(seen->access, ProblemAccess::kFull);
    EXPECT_EQ(seen->owner.id, fuzhou_);
    ASSERT_EQ(seen->escalations.size(), 1u);
    EXPECT_EQ(seen->escalations[0].status, EscalationStatus::kAccepted);
    auto timeline = svc_->Timeline(gulou, p.id);
    ASSERT_OK(timeline);
    std::vector<std::string> problem_actions;
    for (const auto& t : *timeline) {
        if (t.entity == "problem") problem_actions.push_back(t.action);
    }
    EXPECT_EQ(problem_actions, (std::vector<std::string>{"create", "derive", "escalate", "owner_change",
                                                         "escalation_accept"}));
    // ... but reading is all: a change is answered as for a problem out of scope.
    EXPECT_EQ(svc_->MarkProblemInvalid(gulou, p.id, "不属实", std::nullopt).status().code(), StatusCode::kNotFound);

    // Statistics count the problem once, at the answering org, and say where it came from.
    EXPECT_EQ(ProblemsIn(fuzhou_), 1);
    EXPECT_EQ(ProblemsIn(gulou_), 0);
    EXPECT_EQ(ProblemsIn(1), 1);
    EXPECT_EQ(EscalatedFrom(fuzhou_), (std::vector<std::pair<OrgId, std::int64_t>>{{gulou_, 1}}));
    EXPECT_TRUE(EscalatedFrom(gulou_).empty());
    auto stats = svc_->Stats(root_, fuzhou_);
    ASSERT_OK(stats);
    EXPECT_EQ(stats->escalated_from[0].name, "鼓楼区");
}

// docs/LINKAGE.md, example 2: 东街街道 -> 鼓楼区 -> 福建省 (two levels at once on the second step).
TEST_F(LinkageServiceTest, EscalationPassesSeveralLevelsAndKeepsTheFirstOrigin) {
    const Actor dongjie = Workers("dongjie", dongjie_);
    const Actor gulou = As("gulou", {Role::kClerk, Role::kReviewer}, gulou_);
    const Actor fujian_reviewer = As("fujian-reviewer", {Role::kReviewer}, fujian_);
    Problem p = AddProblem(dongjie_, "老旧小区加装电梯补贴标准");
    auto first = svc_->EscalateProblem(dongjie, p.id, EscalationDraft{gulou_, "补贴资金由区财政安排"}, std::nullopt);
    ASSERT_OK(first);
    ASSERT_OK(svc_->AcceptEscalation(gulou, first->id, std::nullopt, std::nullopt));
    auto second = svc_->EscalateProblem(gulou, p.id, EscalationDraft{fujian_, "补贴标准由省住建厅制定"}, std::nullopt);
    ASSERT_OK(second);
    EXPECT_EQ(second->from_org_id, gulou_);
    EXPECT_EQ(second->origin_org_id, dongjie_);
    ASSERT_OK(svc_->AcceptEscalation(fujian_reviewer, second->id, std::nullopt, std::nullopt));
    EXPECT_EQ(OwnerOf(p.id), fujian_);

    // Both orgs that handed it up read it; the street reads the second step too.
    EXPECT_EQ(svc_->GetProblem(dongjie, p.id)->access, ProblemAccess::kFull);
    EXPECT_EQ(svc_->ListEscalations(dongjie, p.id)->size(), 2u);
    EXPECT_OK(svc_->GetEscalation(dongjie, second->id));
    // ... but only the orgs of a request act on it: the street is not one of the second request's.
    EXPECT_EQ(svc_->WithdrawEscalation(dongjie, second->id, "撤回", std::nullopt).status().code(),
              StatusCode::kNotFound);

    // Counted once, at 福建省; 福州市 and below count nothing; the origin is the street.
    EXPECT_EQ(ProblemsIn(fujian_), 1);
    EXPECT_EQ(ProblemsIn(fuzhou_), 0);
    EXPECT_EQ(ProblemsIn(gulou_), 0);
    EXPECT_EQ(EscalatedFrom(fujian_), (std::vector<std::pair<OrgId, std::int64_t>>{{dongjie_, 1}}));
    EXPECT_TRUE(EscalatedFrom(fuzhou_).empty());
}

TEST_F(LinkageServiceTest, DeclineKeepsTheOwnerAndAllowsANewRequest) {
    const Actor gulou = Workers("gulou", gulou_);
    const Actor fuzhou_reviewer = As("fuzhou-reviewer", {Role::kReviewer}, fuzhou_);
    Problem p = AddProblem(gulou_, "背街小巷路灯不亮");
    auto e = svc_->EscalateProblem(gulou, p.id, EscalationDraft{fuzhou_, "经费不足"}, std::nullopt);
    ASSERT_OK(e);
    EXPECT_EQ(svc_->DeclineEscalation(fuzhou_reviewer, e->id, "  ", std::nullopt).status().code(),
              StatusCode::kInvalidArgument);
    auto declined = svc_->DeclineEscalation(fuzhou_reviewer, e->id, "属区级事权，请鼓楼区自行解决", std::nullopt);
    ASSERT_OK(declined);
    EXPECT_EQ(declined->status, EscalationStatus::kDeclined);
    EXPECT_EQ(declined->decision_reason, std::optional<std::string>("属区级事权，请鼓楼区自行解决"));
    EXPECT_EQ(OwnerOf(p.id), gulou_);
    EXPECT_EQ(ProblemsIn(gulou_), 1);
    EXPECT_TRUE(EscalatedFrom(fuzhou_).empty());
    auto again = svc_->AcceptEscalation(fuzhou_reviewer, e->id, std::nullopt, std::nullopt);
    EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
    // A declined request does not block a new one.
    EXPECT_OK(svc_->EscalateProblem(gulou, p.id, EscalationDraft{fujian_, "请省里协调"}, std::nullopt));
}

TEST_F(LinkageServiceTest, EscalationRefusesBadTargetsAndASecondPendingRequest) {
    const Actor gulou = Workers("gulou", gulou_);
    Problem p = AddProblem(gulou_, "菜市场占道经营");
    for (OrgId bad : {gulou_, dongjie_, taijiang_, xiamen_, OrgId{4242}}) {
        auto r = svc_->EscalateProblem(gulou, p.id, EscalationDraft{bad, "原因"}, std::nullopt);
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
        EXPECT_EQ(r.status().message().rfind("to_org_id: org " + std::to_string(bad) + " is not above org 4", 0), 0u)
            << r.status().message();
    }
    EXPECT_EQ(svc_->EscalateProblem(gulou, p.id, EscalationDraft{fuzhou_, ""}, std::nullopt).status().message(),
              "reason: required, and must not be empty");
    auto stale = svc_->EscalateProblem(gulou, p.id, EscalationDraft{fuzhou_, "原因"}, p.version + 1);
    EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
    auto e = svc_->EscalateProblem(gulou, p.id, EscalationDraft{fuzhou_, "原因"}, p.version);
    ASSERT_OK(e);
    auto second = svc_->EscalateProblem(gulou, p.id, EscalationDraft{fujian_, "原因"}, std::nullopt);
    EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(second.status().message(), "problem " + std::to_string(p.id) + " has escalation " +
                                             std::to_string(e->id) +
                                             " pending at org 3: wait for its decision or withdraw it first");
    // The asking org withdraws; a leader cannot escalate (clerk or reviewer).
    auto withdrawn = svc_->WithdrawEscalation(gulou, e->id, "先自行协调", std::nullopt);
    ASSERT_OK(withdrawn);
    EXPECT_EQ(withdrawn->status, EscalationStatus::kWithdrawn);
    const Actor leader = As("gulou-leader", {Role::kLeader}, gulou_);
    EXPECT_EQ(svc_->EscalateProblem(leader, p.id, EscalationDraft{fuzhou_, "原因"}, std::nullopt).status().code(),
              StatusCode::kPermissionDenied);
}

TEST_F(LinkageServiceTest, AnUnrelatedSubtreeSeesNoEscalationNorItsProblem) {
    const Actor gulou = Workers("gulou", gulou_);
    const Actor taijiang = Workers("taijiang", taijiang_);
    const Actor xiamen = As("xiamen", {Role::kClerk, Role::kReviewer, Role::kAdmin}, xiamen_);
    Problem p = AddProblem(gulou_, "学校周边交通拥堵");
    auto e = svc_->EscalateProblem(gulou, p.id, EscalationDraft{fuzhou_, "需市交警支队"}, std::nullopt);
    ASSERT_OK(e);
    ASSERT_OK(svc_->AcceptEscalation(As("r", {Role::kReviewer}, fuzhou_), e->id, std::nullopt, std::nullopt));
    for (const Actor* a : {&taijiang, &xiamen}) {
        EXPECT_EQ(svc_->GetProblem(*a, p.id).status().code(), StatusCode::kNotFound) << a->name;
        EXPECT_EQ(svc_->GetEscalation(*a, e->id).status().message(),
                  "escalation " + std::to_string(e->id) + " does not exist");
        EXPECT_EQ(svc_->ListEscalations(*a, p.id).status().code(), StatusCode::kNotFound);
        EXPECT_EQ(svc_->Timeline(*a, p.id).status().code(), StatusCode::kNotFound);
        EXPECT_EQ(svc_->DeclineEscalation(*a, e->id, "x", std::nullopt).status().code(), StatusCode::kNotFound);
    }
}

// docs/LINKAGE.md, example 5 (第一批和第二批单位联动): 台江区, a second-batch unit, links a problem rooted
// in a first-batch provincial department that is not its ancestor.
TEST_F(LinkageServiceTest, ABatchLinkHandsAProblemAcrossBranchesWithTheSameAcceptRule) {
    const OrgId dept = AddOrg(fujian_, "福建省住房和城乡建设厅", "unit", 1);
    const Actor taijiang = Workers("taijiang", taijiang_);
    const Actor dept_reviewer = As("dept-reviewer", {Role::kReviewer}, dept);
    const Actor gulou = Workers("gulou", gulou_);
    Problem p = AddProblem(taijiang_, "老旧小区改造补助标准不统一");
    Task part = AddTask(taijiang, p.id, taijiang_, NowSeconds() + 30 * kDay);

    // Not an ancestor: refused as an ordinary escalation; a non-first-batch target or a first-batch owner
    // is refused as a batch link.
    auto as_ancestor = svc_->EscalateProblem(taijiang, p.id, EscalationDraft{dept, "标准由省住建厅制定"}, std::nullopt);
    EXPECT_EQ(as_ancestor.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(svc_->EscalateProblem(taijiang, p.id,
                                    EscalationDraft{xiamen_, "x", domain::EscalationKind::kBatchLink}, std::nullopt)
                  .status()
                  .message(),
              "to_org_id: org 8 is not a first-batch unit (batch 1)");
    Problem g = AddProblem(gulou_, "鼓楼区问题");
    EXPECT_EQ(svc_->EscalateProblem(gulou, g.id, EscalationDraft{dept, "x", domain::EscalationKind::kBatchLink},
                                    std::nullopt)
                  .status()
                  .code(),
              StatusCode::kInvalidArgument);

    // Before the request the department does not see the problem; while it is pending it reads it.
    EXPECT_EQ(svc_->GetProblem(dept_reviewer, p.id).status().code(), StatusCode::kNotFound);
    auto e = svc_->EscalateProblem(taijiang, p.id,
                                   EscalationDraft{dept, "补助标准由省住建厅制定", domain::EscalationKind::kBatchLink},
                                   std::nullopt);
    ASSERT_OK(e);
    EXPECT_EQ(e->kind, domain::EscalationKind::kBatchLink);
    EXPECT_EQ(svc_->GetProblem(dept_reviewer, p.id)->access, ProblemAccess::kFull);
    EXPECT_OK(svc_->GetEscalation(dept_reviewer, e->id));
    auto accepted = svc_->AcceptEscalation(dept_reviewer, e->id, std::nullopt, std::nullopt);
    ASSERT_OK(accepted);
    EXPECT_EQ(OwnerOf(p.id), dept);

    // 台江区 keeps reading and works its part; the department reads it but does not work it.
    EXPECT_EQ(svc_->GetProblem(taijiang, p.id)->access, ProblemAccess::kFull);
    EXPECT_OK(svc_->StartTask(taijiang, part.id, std::nullopt));
    EXPECT_OK(svc_->GetTask(dept_reviewer, part.id));
    EXPECT_EQ(svc_->StartTask(dept_reviewer, part.id, std::nullopt).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->GetProblem(gulou, p.id).status().code(), StatusCode::kNotFound);

    // Counted once, at the department; 福州市 no longer counts it; the origin is 台江区.
    EXPECT_EQ(ProblemsIn(dept), 1);
    EXPECT_EQ(ProblemsIn(fuzhou_), 1);  // only 鼓楼区's own problem g
    EXPECT_EQ(ProblemsIn(taijiang_), 0);
    EXPECT_EQ(ProblemsIn(fujian_), 2);
    EXPECT_EQ(EscalatedFrom(dept), (std::vector<std::pair<OrgId, std::int64_t>>{{taijiang_, 1}}));
    EXPECT_EQ(EscalatedFrom(fujian_), (std::vector<std::pair<OrgId, std::int64_t>>{{taijiang_, 1}}));
    EXPECT_TRUE(EscalatedFrom(fuzhou_).empty());
}

// docs/LINKAGE.md, example 3: 福州市 issues a measure to its three districts (level county).
TEST_F(LinkageServiceTest, CascadeByLevelCreatesOneChildPerDistrictAndRollsUp) {
    const Actor fuzhou = Workers("fuzhou", fuzhou_);
    const Actor fuzhou_verifier = As("fuzhou-verifier", {Role::kVerifier}, fuzhou_);
    const Actor fujian_verifier = As("fujian-verifier", {Role::kVerifier}, fujian_);
    const UnixSeconds due = NowSeconds() + 60 * kDay;
    Problem p = AddProblem(fuzhou_, "窗口单位办事难");
    Task parent = AddTask(fuzhou, p.id, fuzhou_, due);

    CascadeDraft d;
    d.targets.scope = CascadeScope::kLevel;
    d.targets.level = "county";
    d.responsible_person = "各区分管领导";
    d.due_at = due + 1;
    auto late = svc_->CascadeTask(fuzhou, parent.id, d, std::nullopt);
    EXPECT_EQ(late.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(late.status().message().rfind("due_at: ", 0), 0u) << late.status().message();
    d.due_at.reset();  // inherit
    auto c = svc_->CascadeTask(fuzhou, parent.id, d, parent.version);
    ASSERT_OK(c);
    EXPECT_EQ(c->created, 3);
    EXPECT_EQ(c->skipped_existing, 0);
    EXPECT_EQ(c->due_at, std::optional<UnixSeconds>(due));

    auto page = svc_->ListChildTasks(fuzhou, parent.id, std::nullopt, 100);
    ASSERT_OK(page);
    ASSERT_EQ(page->items.size(), 3u);
    std::map<OrgId, Task> by_org;
    for (const Task& t : page->items) by_org[t.org_id] = t;
    EXPECT_EQ(by_org.size(), 3u);
    for (OrgId district : {gulou_, taijiang_, cangshan_}) {
        ASSERT_TRUE(by_org.count(district)) << district;
        const Task& t = by_org[district];
        EXPECT_EQ(t.parent_task_id, std::optional<domain::TaskId>(parent.id));
        EXPECT_EQ(t.created_by_org_id, fuzhou_);
        EXPECT_EQ(t.due_at, std::optional<UnixSeconds>(due));
        EXPECT_EQ(t.responsible_person, "各区分管领导");
        EXPECT_EQ(t.title, parent.title);
        EXPECT_EQ(t.status, TaskStatus::kPending);
    }
    EXPECT_EQ(page->rollup.children, 3);
    EXPECT_EQ(page->rollup.progress, std::optional<int>(0));
    // The link figures (issue 6): 福州市 issued 3 child tasks, each district received 1 from above; inside
    // 福州市's subtree nothing came from outside, and 福建省 issued nothing itself but holds the issuer.
    auto links = [&](OrgId org) {
        auto s = svc_->Stats(root_, org);
        EXPECT_OK(s);
        return s.ok() ? std::pair{s->cascaded_down, s->cascaded_in} : std::pair<std::int64_t, std::int64_t>{-1, -1};
    };
    EXPECT_EQ(links(fuzhou_), (std::pair<std::int64_t, std::int64_t>{3, 0}));
    EXPECT_EQ(links(fujian_), (std::pair<std::int64_t, std::int64_t>{3, 0}));
    EXPECT_EQ(links(gulou_), (std::pair<std::int64_t, std::int64_t>{0, 1}));
    EXPECT_EQ(links(dongjie_), (std::pair<std::int64_t, std::int64_t>{0, 0}));
    EXPECT_EQ(links(xiamen_), (std::pair<std::int64_t, std::int64_t>{0, 0}));

    // A child may shorten its deadline but not pass the parent's.
    Task gulou_task = by_org[gulou_];
    const Actor gulou = Workers("gulou", gulou_);
    TaskPatch later;
    later.version = gulou_task.version;
    later.due_at = due + kDay;
    EXPECT_EQ(svc_->UpdateTask(gulou, gulou_task.id, later).status().code(), StatusCode::kInvalidArgument);

    // Progress: 鼓楼区 accepted (100), 台江区 reports 40, 仓山区 waived -> (100 + 40) / 2 = 70.
    ASSERT_OK(svc_->StartTask(gulou, gulou_task.id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(gulou, gulou_task.id, ReportDraft{"已整改", 100, {}}, std::nullopt));
    ASSERT_OK(svc_->UploadEvidence(gulou, gulou_task.id, "台账.txt", "text/plain", "整改台账"));
    ASSERT_OK(svc_->SubmitTask(gulou, gulou_task.id, std::nullopt));
    ASSERT_OK(svc_->AcceptTask(fuzhou_verifier, gulou_task.id, std::nullopt, std::nullopt));
    const Actor taijiang = Workers("taijiang", taijiang_);
    ASSERT_OK(svc_->StartTask(taijiang, by_org[taijiang_].id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(taijiang, by_org[taijiang_].id, ReportDraft{"推进中", 40, {}}, std::nullopt));
    EXPECT_EQ(svc_->GetTask(fuzhou, parent.id)->progress, 47);  // (100 + 40 + 0) / 3 = 46.67 -> 47 so far
    ASSERT_OK(svc_->WithdrawTask(fuzhou, by_org[cangshan_].id, "仓山区无此类窗口，免于办理", std::nullopt));
    EXPECT_EQ(svc_->GetTask(fuzhou, parent.id)->progress, 70);

    // The parent cannot be submitted while 台江区 is open, whatever its own reports say.
    ASSERT_OK(svc_->StartTask(fuzhou, parent.id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(fuzhou, parent.id, ReportDraft{"统筹推进", 90, {}}, std::nullopt));
    EXPECT_EQ(svc_->GetTask(fuzhou, parent.id)->progress, 70);  // the roll-up, not the report's 90
    ASSERT_OK(svc_->UploadEvidence(fuzhou, parent.id, "方案.txt", "text/plain", "全市方案"));
    auto early = svc_->SubmitTask(fuzhou, parent.id, std::nullopt);
    EXPECT_EQ(early.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(early.status().message().rfind("task " + std::to_string(parent.id) +
                                                 " has 1 of 3 child tasks neither accepted nor waived", 0),
              0u)
        << early.status().message();

    const Task tj = by_org[taijiang_];
    ASSERT_OK(svc_->ReportProgress(taijiang, tj.id, ReportDraft{"完成", 100, {}}, std::nullopt));
    ASSERT_OK(svc_->UploadEvidence(taijiang, tj.id, "照片.txt", "text/plain", "现场"));
    ASSERT_OK(svc_->SubmitTask(taijiang, tj.id, std::nullopt));
    ASSERT_OK(svc_->AcceptTask(fuzhou_verifier, tj.id, std::nullopt, std::nullopt));
    EXPECT_EQ(svc_->GetTask(fuzhou, parent.id)->progress, 100);
    auto submitted = svc_->SubmitTask(fuzhou, parent.id, std::nullopt);
    ASSERT_OK(submitted);
    ASSERT_OK(svc_->AcceptTask(fujian_verifier, parent.id, std::nullopt, std::nullopt));
    EXPECT_EQ(svc_->store().GetProblem(p.id)->status, ProblemStatus::kPendingVerification);
    // The problem's progress counts the parent once (its children are inside it): 100.
    EXPECT_EQ(svc_->GetProblem(fuzhou, p.id)->progress, std::optional<double>(100.0));
}

TEST_F(LinkageServiceTest, CascadeByListNamesTheBadEntryAndSkipsOrgsThatHaveAChild) {
    const Actor fuzhou = Workers("fuzhou", fuzhou_);
    Problem p = AddProblem(fuzhou_, "涉企收费不规范");
    Task parent = AddTask(fuzhou, p.id, fuzhou_, NowSeconds() + 30 * kDay);
    CascadeDraft d;
    d.targets.scope = CascadeScope::kOrgs;
    d.targets.org_ids = {gulou_, xiamen_};
    d.responsible_person = "区市场监管局";
    auto bad = svc_->CascadeTask(fuzhou, parent.id, d, std::nullopt);
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bad.status().message(), "/targets/org_ids/1: org 8 is not below org 3, the parent task's org");
    d.targets.org_ids = {gulou_, taijiang_};
    auto first = svc_->CascadeTask(fuzhou, parent.id, d, std::nullopt);
    ASSERT_OK(first);
    EXPECT_EQ(first->created, 2);
    auto same = svc_->CascadeTask(fuzhou, parent.id, d, std::nullopt);
    EXPECT_EQ(same.status().code(), StatusCode::kFailedPrecondition);
    // Everything below 福州市: 仓山区 and 东街街道 are new, 鼓楼区 and 台江区 have children already.
    CascadeDraft all;
    all.responsible_person = "各单位";
    auto rest = svc_->CascadeTask(fuzhou, parent.id, all, std::nullopt);
    ASSERT_OK(rest);
    EXPECT_EQ(rest->created, 2);
    EXPECT_EQ(rest->skipped_existing, 2);
    // Filters: batch 2 public institutions at county level is only 仓山区 — which has a child now.
    CascadeDraft narrow;
    narrow.targets.scope = CascadeScope::kLevel;
    narrow.targets.level = "township";
    narrow.targets.batch = 2;
    narrow.responsible_person = "x";
    auto none = svc_->CascadeTask(fuzhou, parent.id, narrow, std::nullopt);
    EXPECT_EQ(none.status().message(), "/targets: no org below org 3 matches");
    narrow.targets.level = "prefecture";
    EXPECT_EQ(svc_->CascadeTask(fuzhou, parent.id, narrow, std::nullopt).status().message(),
              "/targets/level: unknown level \"prefecture\"");
    // Only the parent's own org issues: a district cannot cascade the city's task.
    EXPECT_EQ(svc_->CascadeTask(Workers("gulou", gulou_), parent.id, all, std::nullopt).status().code(),
              StatusCode::kNotFound);
}

TEST_F(LinkageServiceTest, ACascadeChildSeesItsOwnTaskAndTheParentSummaryOnly) {
    const Actor fuzhou = Workers("fuzhou", fuzhou_);
    const Actor gulou = Workers("gulou", gulou_);
    const Actor xiamen = Workers("xiamen", xiamen_);
    Problem p = AddProblem(fuzhou_, "基层减负");
    Task parent = AddTask(fuzhou, p.id, fuzhou_, NowSeconds() + 30 * kDay);
    CascadeDraft d;
    d.targets.scope = CascadeScope::kLevel;
    d.targets.level = "county";
    d.responsible_person = "区委办";
    ASSERT_OK(svc_->CascadeTask(fuzhou, parent.id, d, std::nullopt));

    auto summary = svc_->GetProblem(gulou, p.id);
    ASSERT_OK(summary);
    EXPECT_EQ(summary->access, ProblemAccess::kPart);
    EXPECT_TRUE(summary->escalations.empty());
    auto tasks = svc_->ListTasks(gulou, p.id);
    ASSERT_OK(tasks);
    ASSERT_EQ(tasks->size(), 1u);
    EXPECT_EQ(tasks->front().org_id, gulou_);
    auto all = svc_->ListTasks(fuzhou, p.id);
    EXPECT_EQ(all->size(), 4u);
    // A sibling's child and the parent stay hidden from 鼓楼区.
    for (const Task& t : *all) {
        if (t.org_id == gulou_) continue;
        EXPECT_EQ(svc_->GetTask(gulou, t.id).status().code(), StatusCode::kNotFound) << t.id;
    }
    auto children = svc_->ListChildTasks(gulou, parent.id, std::nullopt, 10);
    EXPECT_EQ(children.status().code(), StatusCode::kNotFound);
    // An escalation of the parent's problem (福州市 -> 福建省) is whole-problem business: 鼓楼区's timeline and
    // history leave it out, 福州市's show it.
    auto e = svc_->EscalateProblem(fuzhou, p.id, EscalationDraft{fujian_, "需省级协调"}, std::nullopt);
    ASSERT_OK(e);
    auto has_escalation = [](const auto& entries) {
        return std::any_of(entries.begin(), entries.end(), [](const auto& x) { return x.action == "escalate"; });
    };
    auto part_timeline = svc_->Timeline(gulou, p.id);
    ASSERT_OK(part_timeline);
    EXPECT_FALSE(has_escalation(*part_timeline));
    auto part_history = svc_->History(gulou, "problem", p.id);
    ASSERT_OK(part_history);
    EXPECT_FALSE(has_escalation(*part_history));
    EXPECT_TRUE(has_escalation(*svc_->Timeline(fuzhou, p.id)));
    EXPECT_TRUE(has_escalation(*svc_->History(fuzhou, "problem", p.id)));
    EXPECT_EQ(svc_->GetEscalation(gulou, e->id).status().code(), StatusCode::kNotFound);
    // The unrelated 厦门市 sees nothing at all.
    EXPECT_EQ(svc_->GetProblem(xiamen, p.id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->ListTasks(xiamen, p.id).status().code(), StatusCode::kNotFound);
}

// 上题下答 to thousands of units in one request: 40 counties with 75 townships each under 福州市.
TEST_F(LinkageServiceTest, CascadeToThousandsOfOrgsCreatesExactlyOneChildEach) {
    std::vector<OrgId> townships;
    ASSERT_OK(svc_->store().Write([&](store::WriteTx& tx) -> Status {
        for (int c = 0; c < 40; ++c) {
            Org county;
            county.parent_id = fuzhou_;
            county.name = "测试县" + std::to_string(c);
            county.level = "county";
            RETURN_IF_ERROR(tx.InsertOrg(county));
            for (int t = 0; t < 75; ++t) {
                Org town;
                town.parent_id = county.id;
                town.name = "测试镇" + std::to_string(t);
                town.level = "township";
                town.batch = t % 3 == 0 ? 1 : 2;
                RETURN_IF_ERROR(tx.InsertOrg(town));
                townships.push_back(town.id);
            }
        }
        return Status::Ok();
    }));
    ASSERT_OK(svc_->ReloadTree());
    const Actor fuzhou = Workers("fuzhou", fuzhou_);
    Problem p = AddProblem(fuzhou_, "乡镇街道统一整改");
    Task parent = AddTask(fuzhou, p.id, fuzhou_, NowSeconds() + 90 * kDay);
    CascadeDraft d;
    d.targets.scope = CascadeScope::kLevel;
    d.targets.level = "township";
    d.targets.batch = 2;  // 50 of each county's 75 (t % 3 != 0) -> 2,000
    d.responsible_person = "镇长";
    auto c = svc_->CascadeTask(fuzhou, parent.id, d, std::nullopt);
    ASSERT_OK(c);
    EXPECT_EQ(c->created, 2000);

    std::set<OrgId> expected;
    for (std::size_t i = 0; i < townships.size(); ++i) {
        if ((i % 75) % 3 != 0) expected.insert(townships[i]);
    }
    // 东街街道 is a township too, but batch 0.
    std::multiset<OrgId> got;
    std::optional<std::string> cursor;
    do {
        auto page = svc_->ListChildTasks(fuzhou, parent.id, cursor, 1000);
        ASSERT_OK(page);
        EXPECT_EQ(page->rollup.children, 2000);
        for (const Task& t : page->items) {
            got.insert(t.org_id);
            EXPECT_EQ(t.cascade_id, std::optional<std::int64_t>(c->id));
        }
        cursor = page->next_cursor;
    } while (cursor);
    EXPECT_EQ(got.size(), 2000u);
    EXPECT_EQ(std::set<OrgId>(got.begin(), got.end()), expected);

    // The one event lists every child id.
    auto events = svc_->store().ListEvents("task", parent.id);
    ASSERT_OK(events);
    const auto& last = events->back();
    EXPECT_EQ(last.action, "cascade");
    auto j = nlohmann::json::parse(*last.after_json);
    EXPECT_EQ(j["task_ids"].size(), 2000u);
    EXPECT_EQ(j["created"], 2000);

    // The rest of the tree: the other 1,000 townships, 40 counties, the 3 districts and 东街街道.
    CascadeDraft rest;
    rest.responsible_person = "负责人";
    auto r = svc_->CascadeTask(fuzhou, parent.id, rest, std::nullopt);
    ASSERT_OK(r);
    EXPECT_EQ(r->created, 1000 + 40 + 3 + 1);
    EXPECT_EQ(r->skipped_existing, 2000);
}

// Property (issue 5): random escalations (accepted, declined, withdrawn, left pending) and random
// co-owners over a random tree; for every org, the subtree statistics equal a brute-force recount from
// the final owners, the root counts every problem exactly once, "escalated from" equals the per-origin
// count of the escalated problems owned in the subtree, and "co_owned" the problems led outside the
// subtree with a co-owner inside it.
TEST_F(LinkageServiceTest, RandomLinksNeverDoubleCountSubtreeStatistics) {
    std::mt19937 rng(5);
    // A random tree under 福州市: 25 orgs, each under a random earlier one.
    std::vector<OrgId> orgs{fuzhou_, gulou_, taijiang_, cangshan_, dongjie_};
    std::map<OrgId, OrgId> parent_of{{gulou_, fuzhou_}, {taijiang_, fuzhou_}, {cangshan_, fuzhou_},
                                     {dongjie_, gulou_}, {fuzhou_, fujian_}, {fujian_, 1}};
    for (int i = 0; i < 25; ++i) {
        const OrgId parent = orgs[rng() % orgs.size()];
        const OrgId id = AddOrg(parent, "随机单位" + std::to_string(i), "unit");
        orgs.push_back(id);
        parent_of[id] = parent;
    }
    auto ancestors = [&](OrgId o) {
        std::vector<OrgId> out;
        for (auto it = parent_of.find(o); it != parent_of.end(); it = parent_of.find(it->second)) {
            out.push_back(it->second);
        }
        return out;  // parent first, up to 1
    };
    std::vector<domain::ProblemId> problems;
    for (int i = 0; i < 40; ++i) problems.push_back(AddProblem(orgs[rng() % orgs.size()], "问题" + std::to_string(i)).id);

    int accepted = 0, co_owned = 0;
    for (int step = 0; step < 120; ++step) {
        const domain::ProblemId pid = problems[rng() % problems.size()];
        const OrgId owner = OwnerOf(pid);
        if (rng() % 3 == 0) {  // a co-owner anywhere in the random tree (福州市's subtree is in root's scope)
            TaskDraft part;
            part.title = "共答部分";
            part.responsible_person = "负责人";
            part.type = domain::TaskType::kImmediate;
            part.due_at = NowSeconds() + kDay;
            if (svc_->AddCoOwner(root_, pid, CoOwnerDraft{orgs[rng() % orgs.size()], part}, std::nullopt).ok()) {
                ++co_owned;
            }
            continue;
        }
        auto up = ancestors(owner);
        if (up.empty()) continue;
        const OrgId target = up[rng() % up.size()];
        auto e = svc_->EscalateProblem(root_, pid, EscalationDraft{target, "随机"}, std::nullopt);
        if (!e.ok()) continue;  // a pending one (a random decision below may leave it pending)
        switch (rng() % 4) {
            case 0: ASSERT_OK(svc_->DeclineEscalation(root_, e->id, "不同意", std::nullopt)); break;
            case 1: ASSERT_OK(svc_->WithdrawEscalation(root_, e->id, "撤回", std::nullopt)); break;
            case 2: break;  // stays pending for now
            default:
                ASSERT_OK(svc_->AcceptEscalation(root_, e->id, std::nullopt, std::nullopt));
                ++accepted;
                break;
        }
    }
    EXPECT_GT(accepted, 5);  // the walk really moved problems and added co-owners (seed 5)
    EXPECT_GT(co_owned, 10);

    // Brute force from the final owners and the escalation rows.
    std::map<OrgId, std::int64_t> owned_below;  // problems whose owner is in the org's subtree
    std::map<OrgId, std::map<OrgId, std::set<domain::ProblemId>>> from_below;
    for (domain::ProblemId pid : problems) {
        const OrgId owner = OwnerOf(pid);
        std::vector<OrgId> chain{owner};
        for (OrgId a : ancestors(owner)) chain.push_back(a);
        auto escalations = svc_->store().ListEscalationsOfProblem(pid);
        ASSERT_OK(escalations);
        for (OrgId o : chain) {
            ++owned_below[o];
            for (const auto& e : *escalations) {
                if (e.status == EscalationStatus::kAccepted) from_below[o][e.origin_org_id].insert(pid);
            }
        }
    }
    std::vector<OrgId> all = orgs;
    all.push_back(fujian_);
    all.push_back(1);
    for (OrgId o : all) {
        auto s = svc_->Stats(root_, o);
        ASSERT_OK(s);
        EXPECT_EQ(s->problems, owned_below[o]) << "org " << o;
        std::vector<std::pair<OrgId, std::int64_t>> want;
        for (const auto& [origin, ids] : from_below[o]) want.emplace_back(origin, static_cast<std::int64_t>(ids.size()));
        std::vector<std::pair<OrgId, std::int64_t>> got;
        for (const auto& e : s->escalated_from) got.emplace_back(e.org_id, e.problems);
        EXPECT_EQ(got, want) << "org " << o;
        // co_owned: problems with a co-owner in o's subtree whose owner lies outside it.
        auto in_subtree = [&](OrgId x) {
            if (x == o) return true;
            auto up = ancestors(x);
            return std::find(up.begin(), up.end(), o) != up.end();
        };
        std::int64_t want_co = 0;
        for (domain::ProblemId pid : problems) {
            auto co = svc_->store().ListCoOwners(pid);
            ASSERT_OK(co);
            const bool inside = std::any_of(co->begin(), co->end(), [&](const auto& c) { return in_subtree(c.org_id); });
            if (inside && !in_subtree(OwnerOf(pid))) ++want_co;
        }
        EXPECT_EQ(s->co_owned, want_co) << "org " << o;
        // escalated_up: problems with an accepted escalation from an origin inside o's subtree, now owned
        // outside it (answered above or across).
        std::int64_t want_up = 0;
        for (domain::ProblemId pid : problems) {
            auto escalations = svc_->store().ListEscalationsOfProblem(pid);
            ASSERT_OK(escalations);
            const bool from_inside = std::any_of(escalations->begin(), escalations->end(), [&](const auto& e) {
                return e.status == EscalationStatus::kAccepted && in_subtree(e.origin_org_id);
            });
            if (from_inside && !in_subtree(OwnerOf(pid))) ++want_up;
        }
        EXPECT_EQ(s->escalated_up, want_up) << "org " << o;
    }
    EXPECT_EQ(ProblemsIn(1), 40);
    // And the children of every org plus the org itself partition its count (no problem twice).
    for (OrgId o : all) {
        std::int64_t sum = 0;
        for (OrgId child : svc_->Tree()->Children(o)) sum += ProblemsIn(child);
        std::int64_t at_o = 0;
        for (domain::ProblemId pid : problems) at_o += OwnerOf(pid) == o ? 1 : 0;
        EXPECT_EQ(sum + at_o, ProblemsIn(o)) << "org " << o;
    }
}


// docs/LINKAGE.md, example 4: a river on the border of three districts, 鼓楼区 leading, 台江区 and 仓山区 as
// co-owners, arranged by 福州市.
TEST_F(LinkageServiceTest, AJointProblemClosesOnlyWhenEveryPartIsAcceptedAndCountsOnceForTheLead) {
    const Actor fuzhou = Workers("fuzhou", fuzhou_);
    const Actor fuzhou_verifier = As("fuzhou-verifier", {Role::kVerifier}, fuzhou_);
    const Actor gulou = Workers("gulou", gulou_);
    const Actor taijiang = Workers("taijiang", taijiang_);
    const Actor cangshan = Workers("cangshan", cangshan_);
    const Actor xiamen = Workers("xiamen", xiamen_);
    const UnixSeconds due = NowSeconds() + 30 * kDay;
    Problem p = AddProblem(gulou_, "白马河跨区段黑臭");
    Task lead_part = AddTask(gulou, p.id, gulou_, due);

    auto part = [&](const std::string& title) {
        TaskDraft d;
        d.title = title;
        d.responsible_person = "河长";
        d.type = domain::TaskType::kTimeBound;
        d.due_at = due;
        return d;
    };
    // 鼓楼区 alone cannot name 台江区 (outside its scope: as unknown); the lead itself is no co-owner.
    auto from_gulou = svc_->AddCoOwner(gulou, p.id, CoOwnerDraft{taijiang_, part("台江段截污")}, std::nullopt);
    EXPECT_EQ(from_gulou.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(from_gulou.status().message(), "org_id: org 5 does not exist");
    EXPECT_EQ(svc_->AddCoOwner(fuzhou, p.id, CoOwnerDraft{gulou_, part("x")}, std::nullopt).status().code(),
              StatusCode::kInvalidArgument);
    auto no_title = svc_->AddCoOwner(fuzhou, p.id, CoOwnerDraft{taijiang_, part("")}, std::nullopt);
    EXPECT_EQ(no_title.status().message(), "/task/title: must not be empty");

    auto tj = svc_->AddCoOwner(fuzhou, p.id, CoOwnerDraft{taijiang_, part("台江段截污")}, std::nullopt);
    ASSERT_OK(tj);
    EXPECT_EQ(tj->task.org_id, taijiang_);
    EXPECT_EQ(tj->task.created_by_org_id, gulou_);
    EXPECT_EQ(tj->co_owner.task_id, std::optional<domain::TaskId>(tj->task.id));
    auto cs = svc_->AddCoOwner(fuzhou, p.id, CoOwnerDraft{cangshan_, part("仓山段清淤")}, std::nullopt);
    ASSERT_OK(cs);
    EXPECT_EQ(svc_->AddCoOwner(fuzhou, p.id, CoOwnerDraft{cangshan_, part("again")}, std::nullopt).status().code(),
              StatusCode::kAlreadyExists);

    // Each co-owner sees the whole problem and every part; an unrelated city sees nothing.
    auto seen = svc_->GetProblem(taijiang, p.id);
    ASSERT_OK(seen);
    EXPECT_EQ(seen->access, ProblemAccess::kFull);
    EXPECT_EQ(seen->co_owner_ids, (std::vector<OrgId>{taijiang_, cangshan_}));
    EXPECT_EQ(svc_->ListTasks(taijiang, p.id)->size(), 3u);
    EXPECT_OK(svc_->GetTask(taijiang, lead_part.id));
    EXPECT_EQ(svc_->ListCoOwners(cangshan, p.id)->size(), 2u);
    EXPECT_EQ(svc_->GetProblem(xiamen, p.id).status().code(), StatusCode::kNotFound);
    // ... but changes a part only where it works: 台江区 cannot start 鼓楼区's task.
    EXPECT_EQ(svc_->StartTask(taijiang, lead_part.id, std::nullopt).status().code(), StatusCode::kNotFound);

    // Every part done and accepted by the level above its org, except 仓山区's.
    auto finish = [&](const Actor& a, domain::TaskId id) {
        ASSERT_OK(svc_->StartTask(a, id, std::nullopt));
        ASSERT_OK(svc_->ReportProgress(a, id, ReportDraft{"完成", 100, {}}, std::nullopt));
        ASSERT_OK(svc_->UploadEvidence(a, id, "水质.txt", "text/plain", "水质检测达标"));
        ASSERT_OK(svc_->SubmitTask(a, id, std::nullopt));
        ASSERT_OK(svc_->AcceptTask(fuzhou_verifier, id, std::nullopt, std::nullopt));
    };
    finish(gulou, lead_part.id);
    finish(taijiang, tj->task.id);
    EXPECT_EQ(svc_->store().GetProblem(p.id)->status, ProblemStatus::kInProgress);  // 仓山区 pending
    // Withdrawing 仓山区's only part does not let the problem close: its part is missing.
    // (The lead's own clerks do not reach 仓山区's task; their common superior does.)
    EXPECT_EQ(svc_->WithdrawTask(gulou, cs->task.id, "误派", std::nullopt).status().code(), StatusCode::kNotFound);
    ASSERT_OK(svc_->WithdrawTask(fuzhou, cs->task.id, "重新安排", std::nullopt));
    EXPECT_EQ(svc_->store().GetProblem(p.id)->status, ProblemStatus::kPendingVerification);
    auto missing = svc_->CloseProblem(As("fujian-verifier", {Role::kVerifier}, fujian_), p.id, std::nullopt);
    EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(missing.status().message(),
              "co-owner org 6 has no task in round 1: every co-owner answers its part before the problem closes");

    // Statistics: counted once, for the lead; the co-owners record participation.
    EXPECT_EQ(ProblemsIn(gulou_), 1);
    EXPECT_EQ(ProblemsIn(taijiang_), 0);
    EXPECT_EQ(ProblemsIn(fuzhou_), 1);
    EXPECT_EQ(svc_->Stats(root_, taijiang_)->co_owned, 1);
    EXPECT_EQ(svc_->Stats(root_, cangshan_)->co_owned, 1);
    EXPECT_EQ(svc_->Stats(root_, gulou_)->co_owned, 0);
    EXPECT_EQ(svc_->Stats(root_, fuzhou_)->co_owned, 0);  // the lead is inside: no double count
}

TEST_F(LinkageServiceTest, AJointProblemClosesWhenTheLastPartIsAccepted) {
    const Actor fuzhou = Workers("fuzhou", fuzhou_);
    const Actor fujian_verifier = As("fujian-verifier", {Role::kVerifier}, fujian_);
    const UnixSeconds due = NowSeconds() + 30 * kDay;
    // The lead is 福州市; 思明区 of 厦门市 (another branch) is a co-owner, set by their common superior 福建省.
    const Actor fujian = Workers("fujian", fujian_);
    Problem p = AddProblem(fuzhou_, "闽江流域联防联治");
    Task lead_part = AddTask(fuzhou, p.id, fuzhou_, due);
    TaskDraft d;
    d.title = "思明区配合";
    d.responsible_person = "区环保局";
    d.type = domain::TaskType::kImmediate;
    d.due_at = due;
    auto sm = svc_->AddCoOwner(fujian, p.id, CoOwnerDraft{siming_, d}, std::nullopt);
    ASSERT_OK(sm);
    auto run = [&](const Actor& a, const Actor& verifier, domain::TaskId id) {
        ASSERT_OK(svc_->StartTask(a, id, std::nullopt));
        ASSERT_OK(svc_->ReportProgress(a, id, ReportDraft{"完成", 100, {}}, std::nullopt));
        if (svc_->GetTask(a, id)->type != domain::TaskType::kImmediate) {
            ASSERT_OK(svc_->UploadEvidence(a, id, "证明.txt", "text/plain", "完成"));
        }
        ASSERT_OK(svc_->SubmitTask(a, id, std::nullopt));
        ASSERT_OK(svc_->AcceptTask(verifier, id, std::nullopt, std::nullopt));
    };
    run(fuzhou, fujian_verifier, lead_part.id);
    run(Workers("siming", siming_), As("xiamen-verifier", {Role::kVerifier}, xiamen_), sm->task.id);
    ASSERT_OK(svc_->CloseProblem(fujian_verifier, p.id, std::nullopt));
    EXPECT_EQ(svc_->store().GetProblem(p.id)->status, ProblemStatus::kClosed);
    EXPECT_EQ(svc_->Stats(root_, xiamen_)->co_owned, 1);
    EXPECT_EQ(svc_->Stats(root_, xiamen_)->problems, 0);
    EXPECT_EQ(svc_->Stats(root_, fujian_)->co_owned, 0);
    EXPECT_EQ(svc_->Stats(root_, fujian_)->problems, 1);

    // Reopened (round 2): the close-out waits for a new part of 思明区, which can be planned for the
    // co-owner although it lies outside the lead's subtree; an org that is no co-owner cannot get one.
    ASSERT_OK(svc_->ReopenProblem(fujian_verifier, p.id, domain::ReopenCause::kRecurrence, "反弹回潮", std::nullopt));
    TaskDraft again = d;
    again.org_id = siming_;
    again.title = "思明区复查";
    EXPECT_OK(svc_->CreateTask(fujian, p.id, again));
    again.org_id = xiamen_;
    EXPECT_EQ(svc_->CreateTask(fujian, p.id, again).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rectify::service
