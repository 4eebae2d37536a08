// Supervision (issue 8) on a real SQLite store with an injected clock: the scheduler's ladder (urge at
// the deadline, supervise later, each step once per deadline, also after a restart), the consistency
// rule (an accepted task is never urged), steps by hand with their permissions, the work queues, and a
// published bulletin that never changes afterwards.
//
// Org tree (ids local to the test): 1 全国 ─ 2 福州市 ─┬─ 3 鼓楼区
//                                                     ├─ 4 台江区
//                                                     └─ 5 仓山区
#include <algorithm>

#include "domain/supervision.hpp"
#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Grant;
using domain::OrgId;
using domain::Role;
using domain::SupervisionKind;
using domain::Task;

constexpr UnixSeconds kDay = 86400;

class SupervisionServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_OK(SetDisplayZone("Asia/Shanghai"));
        Open();
        ASSERT_OK(svc_->Init(Actor{"test", {}}, InitOptions{}));
        root_ = svc_->RootActor("admin");
        fuzhou_ = AddOrg(1, "福州市", "city");
        gulou_ = AddOrg(fuzhou_, "鼓楼区", "county");
        taijiang_ = AddOrg(fuzhou_, "台江区", "county");
        cangshan_ = AddOrg(fuzhou_, "仓山区", "county");
    }

    void Open() {
        svc_.reset();
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
    }

    OrgId AddOrg(OrgId parent, const std::string& name, const std::string& level) {
        domain::Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        auto created = svc_->CreateOrg(root_, o);
        EXPECT_OK(created);
        return created.ok() ? created->id : 0;
    }

    static Actor As(const std::string& name, std::initializer_list<Role> roles, OrgId org) {
        Actor a{name, {org}, {}, std::nullopt};
        for (Role r : roles) a.grants.push_back(Grant{r, org});
        return a;
    }

    Task AddTask(OrgId org, UnixSeconds due, domain::TaskType type = domain::TaskType::kTimeBound) {
        ProblemDraft pd;
        pd.title = "河道垃圾清理不及时";
        pd.owner_org_id = org;
        pd.due_at = due;
        auto p = svc_->CreateProblem(root_, pd);
        EXPECT_OK(p);
        TaskDraft d;
        d.org_id = org;
        d.title = "清理河道垃圾";
        d.responsible_person = "王五";
        d.type = type;
        d.due_at = due;
        auto t = svc_->CreateTask(root_, p->id, d);
        EXPECT_OK(t);
        return t.ok() ? *t : Task{};
    }

    std::vector<domain::SupervisionStep> Steps(domain::TaskId id) {
        auto s = svc_->store().ListSupervisionSteps(id);
        EXPECT_OK(s);
        return s.ok() ? *s : std::vector<domain::SupervisionStep>{};
    }

    testing::TempDir dir_;
    std::unique_ptr<Service> svc_;
    Actor root_;
    OrgId fuzhou_ = 0, gulou_ = 0, taijiang_ = 0, cangshan_ = 0;
};

TEST_F(SupervisionServiceTest, SchedulerUrgesThenSupervisesEachOnceAlsoAfterARestart) {
    const UnixSeconds now0 = NowSeconds();
    const Task t = AddTask(gulou_, now0 + 2 * kDay);

    auto before = svc_->RunLadder(*t.due_at);  // at the deadline itself: not overdue yet
    ASSERT_OK(before);
    EXPECT_EQ(before->candidates, 0);

    const UnixSeconds urge_at = *t.due_at + 1;
    auto first = svc_->RunLadder(urge_at);
    ASSERT_OK(first);
    EXPECT_EQ(first->candidates, 1);
    EXPECT_EQ(first->urged, 1);
    EXPECT_EQ(first->supervised, 0);
    auto again = svc_->RunLadder(urge_at + 3600);  // an hour later: nothing new
    ASSERT_OK(again);
    EXPECT_EQ(again->urged + again->supervised, 0);

    // 20 calendar days always hold 2 more working days (the longest break, the 2026 Spring Festival,
    // is 9 days).
    Open();  // a restart between the passes
    auto later = svc_->RunLadder(urge_at + 20 * kDay);
    ASSERT_OK(later);
    EXPECT_EQ(later->urged, 0);
    EXPECT_EQ(later->supervised, 1);
    Open();
    auto after_restart = svc_->RunLadder(urge_at + 30 * kDay);
    ASSERT_OK(after_restart);
    EXPECT_EQ(after_restart->candidates, 0);  // supervised for this deadline: no longer a candidate
    EXPECT_EQ(after_restart->urged + after_restart->supervised, 0);

    const auto steps = Steps(t.id);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[0].kind, SupervisionKind::kUrge);
    EXPECT_TRUE(steps[0].automatic);
    EXPECT_EQ(steps[0].trigger_due_at, t.due_at);
    EXPECT_EQ(steps[0].at, urge_at);
    EXPECT_EQ(steps[1].kind, SupervisionKind::kSupervise);
    const int year = domain::CivilOf(LocalDayNumber(urge_at + 20 * kDay)).year;
    EXPECT_EQ(steps[1].number, "督办〔" + std::to_string(year) + "〕1号");
    ASSERT_TRUE(steps[1].feedback_due_at.has_value());
    EXPECT_GT(*steps[1].feedback_due_at, steps[1].at);
    EXPECT_EQ(steps[1].feedback_every_days, 7);

    // Both steps are on the problem's timeline and in the org's inbox.
    auto timeline = svc_->Timeline(root_, t.problem_id);
    ASSERT_OK(timeline);
    std::vector<std::string> actions;
    for (const auto& e : *timeline) actions.push_back(e.action);
    EXPECT_NE(std::find(actions.begin(), actions.end(), "urge"), actions.end());
    EXPECT_NE(std::find(actions.begin(), actions.end(), "supervise"), actions.end());
    store::NotificationFilter f;
    f.org_id = gulou_;
    f.user_id = 999;
    auto inbox = svc_->store().ListNotifications(f);
    ASSERT_OK(inbox);
    ASSERT_EQ(inbox->size(), 2u);
    EXPECT_EQ((*inbox)[0].kind, "supervise");  // newest first
    EXPECT_EQ((*inbox)[1].title, "催办：清理河道垃圾");
}

TEST_F(SupervisionServiceTest, AnAcceptedTaskIsNeverUrgedAndAMovedDeadlineStartsANewCycle) {
    const UnixSeconds now0 = NowSeconds();
    Task done = AddTask(gulou_, now0 + 2 * kDay, domain::TaskType::kImmediate);
    ASSERT_OK(svc_->StartTask(root_, done.id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(root_, done.id, ReportDraft{"已清理", 100, {}}, std::nullopt));
    ASSERT_OK(svc_->SubmitTask(root_, done.id, std::nullopt));
    ASSERT_OK(svc_->AcceptTask(As("市验收", {Role::kVerifier}, fuzhou_), done.id, std::nullopt, std::nullopt));

    Task moving = AddTask(taijiang_, now0 + 2 * kDay);
    auto pass = svc_->RunLadder(now0 + 3 * kDay);
    ASSERT_OK(pass);
    EXPECT_EQ(pass->candidates, 1);  // only the open one
    EXPECT_EQ(pass->urged, 1);
    EXPECT_TRUE(Steps(done.id).empty());

    // The deadline is extended: the old urge stays, the new deadline gets its own cycle.
    TaskPatch patch;
    patch.version = svc_->GetTask(root_, moving.id)->version;
    patch.due_at = std::optional<UnixSeconds>(now0 + 10 * kDay);
    ASSERT_OK(svc_->UpdateTask(root_, moving.id, patch));
    auto quiet = svc_->RunLadder(now0 + 5 * kDay);
    ASSERT_OK(quiet);
    EXPECT_EQ(quiet->candidates, 0);
    auto renewed = svc_->RunLadder(now0 + 11 * kDay);
    ASSERT_OK(renewed);
    EXPECT_EQ(renewed->urged, 1);
    const auto steps = Steps(moving.id);
    ASSERT_EQ(steps.size(), 2u);
    EXPECT_EQ(steps[0].trigger_due_at, now0 + 2 * kDay);
    EXPECT_EQ(steps[1].trigger_due_at, now0 + 10 * kDay);
}

TEST_F(SupervisionServiceTest, StepsByHandNeedTheLevelAboveAndTheRightState) {
    const UnixSeconds now0 = NowSeconds();
    const Task t = AddTask(gulou_, now0 + 2 * kDay);
    SupervisionDraft urge{SupervisionKind::kUrge, "群众反映强烈，请加快进度"};
    // The task's own org (which also created it) cannot urge itself, even as supervisor.
    auto own = svc_->TakeSupervisionStep(As("区督查", {Role::kSupervisor}, gulou_), t.id, urge, now0);
    ASSERT_FALSE(own.ok());
    EXPECT_EQ(own.status().code(), StatusCode::kPermissionDenied);
    // A sibling district does not see the task at all.
    auto sibling = svc_->TakeSupervisionStep(As("台江督查", {Role::kSupervisor}, taijiang_), t.id, urge, now0);
    EXPECT_EQ(sibling.status().code(), StatusCode::kNotFound);
    // The city's supervisor urges by hand, before the deadline.
    const Actor city = As("市督查室", {Role::kSupervisor}, fuzhou_);
    auto step = svc_->TakeSupervisionStep(city, t.id, urge, now0);
    ASSERT_OK(step);
    EXPECT_FALSE(step->automatic);
    EXPECT_EQ(step->actor, "市督查室");
    EXPECT_EQ(step->org_id, gulou_);

    SupervisionDraft interview{SupervisionKind::kInterview, "多次催办仍未推进"};
    auto missing = svc_->TakeSupervisionStep(city, t.id, interview, now0);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(missing.status().message().find("official"), std::string::npos);
    interview.official = "鼓楼区副区长";
    interview.held_at = now0 - 3600;
    interview.notes = "当面听取整改情况汇报";
    ASSERT_OK(svc_->TakeSupervisionStep(city, t.id, interview, now0));

    SupervisionDraft supervise{SupervisionKind::kSupervise, "列入市级督办"};
    supervise.feedback_every_days = 400;
    EXPECT_EQ(svc_->TakeSupervisionStep(city, t.id, supervise, now0).status().code(), StatusCode::kInvalidArgument);

    auto sup = svc_->GetTaskSupervision(root_, t.id, now0);
    ASSERT_OK(sup);
    ASSERT_EQ(sup->steps.size(), 2u);
    EXPECT_EQ(sup->steps[1].official, "鼓楼区副区长");
    // Due in two days: within the 3-working-day window unless a long holiday intervenes; the level
    // follows domain::WarningOf, checked against the calendar in the domain tests — here only its
    // consistency with the deadline.
    EXPECT_NE(sup->warning.level, domain::WarningLevel::kRed);
    auto late = svc_->GetTaskSupervision(root_, t.id, *t.due_at + 1);
    ASSERT_OK(late);
    EXPECT_EQ(late->warning.level, domain::WarningLevel::kRed);
}

TEST_F(SupervisionServiceTest, QueuesListWhatIsDueAndWhoMustVerify) {
    const UnixSeconds now0 = NowSeconds();
    const Task soon = AddTask(gulou_, now0 + 3600);
    const Task later = AddTask(taijiang_, now0 + 40 * kDay);
    Task submitted = AddTask(cangshan_, now0 + 40 * kDay, domain::TaskType::kImmediate);
    ASSERT_OK(svc_->StartTask(root_, submitted.id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(root_, submitted.id, ReportDraft{"已完成", 100, {}}, std::nullopt));
    const Actor verifier = As("市验收", {Role::kVerifier}, fuzhou_);
    // Returned twice: to the returned queue.
    for (int i = 0; i < 2; ++i) {
        ASSERT_OK(svc_->SubmitTask(root_, submitted.id, std::nullopt));
        ASSERT_OK(svc_->ReturnTask(verifier, submitted.id, "佐证材料不足", std::nullopt));
        ASSERT_OK(svc_->ReportProgress(root_, submitted.id, ReportDraft{"补充材料", 100, {}}, std::nullopt));
    }
    const Actor city = As("市督查室", {Role::kSupervisor}, fuzhou_);
    auto ids = [&](WorkQueue q, const Actor& who, UnixSeconds at) {
        std::vector<domain::TaskId> out;
        auto page = svc_->ListQueue(who, q, QueueQuery{}, at);
        EXPECT_OK(page);
        if (page.ok()) {
            for (const auto& i : page->items) out.push_back(i.task->task.id);
            EXPECT_EQ(page->total, static_cast<std::int64_t>(out.size()));
        }
        return out;
    };
    EXPECT_EQ(ids(WorkQueue::kDueSoon, city, now0), std::vector<domain::TaskId>{soon.id});
    EXPECT_TRUE(ids(WorkQueue::kOverdue, city, now0).empty());
    // A day later the first is overdue; 41 days later both unsubmitted ones are, by deadline.
    EXPECT_EQ(ids(WorkQueue::kOverdue, city, now0 + kDay), std::vector<domain::TaskId>{soon.id});
    EXPECT_EQ(ids(WorkQueue::kOverdue, city, now0 + 41 * kDay),
              (std::vector<domain::TaskId>{soon.id, later.id, submitted.id}));
    auto overdue = svc_->ListQueue(city, WorkQueue::kOverdue, QueueQuery{}, now0 + kDay);
    ASSERT_OK(overdue);
    EXPECT_EQ(overdue->items[0].why, "overdue");
    EXPECT_EQ(overdue->items[0].warning->level, domain::WarningLevel::kRed);
    // Stalled: 14 days without a report or a return (all three were created or reported today).
    EXPECT_TRUE(ids(WorkQueue::kStalled, city, now0 + 13 * kDay).empty());
    EXPECT_EQ(ids(WorkQueue::kStalled, city, now0 + 15 * kDay),
              (std::vector<domain::TaskId>{soon.id, later.id, submitted.id}));
    EXPECT_EQ(ids(WorkQueue::kReturned, city, now0), std::vector<domain::TaskId>{submitted.id});
    auto returned = svc_->ListQueue(city, WorkQueue::kReturned, QueueQuery{}, now0);
    ASSERT_OK(returned);
    EXPECT_EQ(returned->items[0].why_text, "已被退回 2 次");
    // Submitted: the city's verifier must verify it; the district's own verifier may not.
    ASSERT_OK(svc_->SubmitTask(root_, submitted.id, std::nullopt));
    EXPECT_EQ(ids(WorkQueue::kToVerify, verifier, now0), std::vector<domain::TaskId>{submitted.id});
    EXPECT_TRUE(ids(WorkQueue::kToVerify, As("区验收", {Role::kVerifier}, cangshan_), now0).empty());
    // A sibling's queue does not show another district's task; an org outside scope is 404.
    EXPECT_TRUE(ids(WorkQueue::kOverdue, As("台江", {Role::kSupervisor}, taijiang_), now0 + kDay).empty());
    QueueQuery outside;
    outside.org_id = gulou_;
    EXPECT_EQ(svc_->ListQueue(As("台江", {Role::kSupervisor}, taijiang_), WorkQueue::kOverdue, outside, now0)
                  .status()
                  .code(),
              StatusCode::kNotFound);
}

// Issue 6: /stats counts stalled tasks by the stalled queue's rule (no activity for stalled_days calendar
// days; a submitted task's deadline does not run) and gives the satisfaction rate of the subtree's rated
// opinions (basically satisfied counts as satisfied unless the SLA profile says otherwise).
TEST_F(SupervisionServiceTest, StatsCountStalledTasksAndTheSatisfactionRate) {
    const UnixSeconds now0 = NowSeconds();
    AddTask(gulou_, now0 + 40 * kDay);
    AddTask(taijiang_, now0 + 40 * kDay);
    Task submitted = AddTask(cangshan_, now0 + 40 * kDay, domain::TaskType::kImmediate);
    ASSERT_OK(svc_->StartTask(root_, submitted.id, std::nullopt));
    ASSERT_OK(svc_->ReportProgress(root_, submitted.id, ReportDraft{"已完成", 100, {}}, std::nullopt));
    ASSERT_OK(svc_->SubmitTask(root_, submitted.id, std::nullopt));
    auto stats_at = [&](OrgId org, UnixSeconds at) {
        StatsQuery q;
        q.at = at;
        auto s = svc_->Stats(root_, org, q);
        EXPECT_OK(s);
        return s.ok() ? *s : OrgStats{};
    };
    // 13 days on nothing is stalled; 15 days on the two open tasks are (the submitted one waits for verification).
    EXPECT_EQ(stats_at(fuzhou_, now0 + 13 * kDay).stalled, 0);
    EXPECT_EQ(stats_at(fuzhou_, now0 + 15 * kDay).stalled, 2);
    EXPECT_EQ(stats_at(fuzhou_, now0 + 15 * kDay).stalled_days, 14);
    EXPECT_EQ(stats_at(gulou_, now0 + 15 * kDay).stalled, 1);
    EXPECT_EQ(stats_at(cangshan_, now0 + 15 * kDay).stalled, 0);
    // The queue says the same for the city.
    auto queue = svc_->ListQueue(root_, WorkQueue::kStalled, QueueQuery{fuzhou_}, now0 + 15 * kDay);
    ASSERT_OK(queue);
    EXPECT_EQ(queue->total, 2);

    // Ratings: 鼓楼区 satisfied + basically satisfied, 台江区 dissatisfied, one replied but not rated.
    auto rated = [&](OrgId org, std::optional<domain::Satisfaction> rating) {
        OpinionDraft od;
        od.title = "路灯不亮";
        od.org_id = org;
        auto op = svc_->CreateOpinion(root_, od);
        ASSERT_OK(op);
        ASSERT_OK(svc_->ReplyOpinion(root_, op->id, "已修复", std::nullopt, std::nullopt));
        if (rating) ASSERT_OK(svc_->RateOpinion(root_, op->id, *rating, std::nullopt, std::nullopt));
    };
    rated(gulou_, domain::Satisfaction::kSatisfied);
    rated(gulou_, domain::Satisfaction::kBasicallySatisfied);
    rated(taijiang_, domain::Satisfaction::kDissatisfied);
    rated(taijiang_, std::nullopt);
    auto city = svc_->Stats(root_, fuzhou_);
    ASSERT_OK(city);
    EXPECT_EQ(city->satisfaction.numerator, 2);
    EXPECT_EQ(city->satisfaction.denominator, 3);
    EXPECT_EQ(city->opinions, 4);
    EXPECT_EQ(svc_->Stats(root_, gulou_)->satisfaction.numerator, 2);
    EXPECT_EQ(svc_->Stats(root_, taijiang_)->satisfaction.numerator, 0);
    EXPECT_EQ(svc_->Stats(root_, taijiang_)->satisfaction.denominator, 1);
    EXPECT_EQ(svc_->Stats(root_, cangshan_)->satisfaction.rate, std::nullopt);  // nothing rated
    // A profile that does not count 基本满意 as satisfied.
    SupervisionPolicy strict = svc_->supervision_policy();
    strict.opinion_sla.basically_satisfied_counts = false;
    svc_->ConfigureSupervision(strict);
    EXPECT_EQ(svc_->Stats(root_, fuzhou_)->satisfaction.numerator, 1);
    // A bulletin over the same opinions follows the same profile: 鼓楼区 1 of 2 (only 满意), 台江区 0 of 1.
    BulletinDraft d;
    d.org_id = fuzhou_;
    d.title = "满意率通报";
    d.period_from = NowSeconds() - kDay;
    d.period_to = NowSeconds() + kDay;
    auto rate_of = [](const domain::Bulletin& b, OrgId org) {
        const auto body = nlohmann::json::parse(b.body_json);  // kept alive: the loop reads into it
        for (const auto& row : body["rows"]) {
            if (row["org_id"] == org) return std::make_pair(row["satisfaction"]["numerator"].get<std::int64_t>(),
                                                            row["satisfaction"]["denominator"].get<std::int64_t>());
        }
        return std::make_pair(std::int64_t{-1}, std::int64_t{-1});
    };
    auto strict_bulletin = svc_->PublishBulletin(root_, d, NowSeconds());
    ASSERT_OK(strict_bulletin);
    EXPECT_EQ(rate_of(*strict_bulletin, gulou_), std::make_pair(std::int64_t{1}, std::int64_t{2}));
    EXPECT_EQ(rate_of(*strict_bulletin, taijiang_), std::make_pair(std::int64_t{0}, std::int64_t{1}));
    EXPECT_EQ(nlohmann::json::parse(strict_bulletin->body_json)["total"]["satisfaction"]["numerator"], 1);
    strict.opinion_sla.basically_satisfied_counts = true;  // the default
    svc_->ConfigureSupervision(strict);
    auto lenient = svc_->PublishBulletin(root_, d, NowSeconds());
    ASSERT_OK(lenient);
    EXPECT_EQ(rate_of(*lenient, gulou_), std::make_pair(std::int64_t{2}, std::int64_t{2}));
    const auto total = nlohmann::json::parse(lenient->body_json)["total"]["satisfaction"];
    EXPECT_EQ(total["numerator"], 2);
    EXPECT_EQ(total["denominator"], 3);
}

TEST_F(SupervisionServiceTest, ABulletinRanksChildrenAndNeverChangesAfterPublication) {
    const UnixSeconds now0 = NowSeconds();
    // 鼓楼区 3 problems (2 closed on time), 台江区 3 (1 closed), 仓山区 1 (below the minimum sample of 2).
    auto close_one = [&](OrgId org) {
        Task t = AddTask(org, now0 + 5 * kDay, domain::TaskType::kImmediate);
        ASSERT_OK(svc_->StartTask(root_, t.id, std::nullopt));
        ASSERT_OK(svc_->ReportProgress(root_, t.id, ReportDraft{"已完成", 100, {}}, std::nullopt));
        ASSERT_OK(svc_->SubmitTask(root_, t.id, std::nullopt));
        ASSERT_OK(svc_->AcceptTask(root_, t.id, std::nullopt, std::nullopt));
        auto p = svc_->GetProblem(root_, t.problem_id);
        ASSERT_OK(svc_->CloseProblem(root_, t.problem_id, p->problem.version));
    };
    close_one(gulou_);
    close_one(gulou_);
    AddTask(gulou_, now0 + 5 * kDay);
    close_one(taijiang_);
    AddTask(taijiang_, now0 + 5 * kDay);
    AddTask(taijiang_, now0 + 5 * kDay);
    AddTask(cangshan_, now0 + 5 * kDay);

    BulletinDraft d;
    d.org_id = fuzhou_;
    d.title = "第一期整改工作通报";
    d.period_from = now0 - kDay;
    d.period_to = now0 + kDay;
    d.min_sample = 2;
    EXPECT_EQ(svc_->PublishBulletin(As("区督查", {Role::kSupervisor}, gulou_), d, now0).status().code(),
              StatusCode::kNotFound);  // 福州市 is outside a district's scope
    EXPECT_EQ(svc_->PublishBulletin(As("市办事员", {Role::kClerk}, fuzhou_), d, now0).status().code(),
              StatusCode::kPermissionDenied);
    auto b = svc_->PublishBulletin(As("市督查室", {Role::kSupervisor}, fuzhou_), d, now0);
    ASSERT_OK(b);
    auto body = nlohmann::json::parse(b->body_json);
    ASSERT_EQ(body["rows"].size(), 3u);
    EXPECT_EQ(body["rows"][0]["org_name"], "鼓楼区");
    EXPECT_EQ(body["rows"][0]["rank"], 1);
    EXPECT_EQ(body["rows"][0]["problems"], 3);
    EXPECT_EQ(body["rows"][0]["closed"], 2);
    EXPECT_EQ(body["rows"][0]["closed_on_time"]["numerator"], 2);
    EXPECT_EQ(body["rows"][1]["org_name"], "台江区");
    EXPECT_EQ(body["rows"][1]["rank"], 2);
    EXPECT_EQ(body["rows"][2]["org_name"], "仓山区");
    EXPECT_TRUE(body["rows"][2]["rank"].is_null());
    EXPECT_EQ(body["total"]["problems"], 7);
    EXPECT_EQ(body["total"]["closed"], 3);

    // Later work does not change the published bulletin.
    close_one(cangshan_);
    auto again = svc_->GetBulletin(root_, b->id);
    ASSERT_OK(again);
    EXPECT_EQ(again->body_json, b->body_json);
    EXPECT_EQ(svc_->GetBulletin(As("台江", {Role::kSupervisor}, taijiang_), b->id).status().code(),
              StatusCode::kNotFound);
}

TEST_F(SupervisionServiceTest, ATeamMemberSupervisesTheAssignedSubtreeOnlyWhileAssigned) {
    const OrgId dongjie = AddOrg(gulou_, "东街街道", "township");
    UserDraft u;
    u.name = "guidance.member";
    u.display_name = "指导组成员";
    u.org_id = fuzhou_;
    u.password = "a long enough password 1";
    auto user = svc_->AddUser(root_, u);
    ASSERT_OK(user);
    const domain::UserId uid = user->user.id;
    auto actor = [&] {
        auto a = svc_->UserActor(uid, "test");
        EXPECT_OK(a);
        return a.ok() ? *a : Actor{};
    };
    const Task street = AddTask(dongjie, NowSeconds() + 5 * kDay);
    SupervisionDraft urge{SupervisionKind::kUrge, "指导组督促"};
    // Without a team the user holds nothing: the task is not even visible.
    EXPECT_EQ(svc_->TakeSupervisionStep(actor(), street.id, urge, NowSeconds()).status().code(), StatusCode::kNotFound);

    // 福州市's org admin forms a team, adds the user and assigns the team to 鼓楼区.
    const Actor city_admin = As("市组织部", {Role::kOrgAdmin}, fuzhou_);
    EXPECT_EQ(svc_->CreateTeam(As("市督查", {Role::kSupervisor}, fuzhou_), TeamDraft{fuzhou_, "第一指导组"}).status().code(),
              StatusCode::kPermissionDenied);
    auto team = svc_->CreateTeam(city_admin, TeamDraft{fuzhou_, "第一指导组", domain::TeamKind::kGuidance, "主题教育"});
    ASSERT_OK(team);
    ASSERT_OK(svc_->AddTeamMember(city_admin, team->id, uid));
    EXPECT_EQ(svc_->AddTeamMember(city_admin, team->id, uid).status().code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(svc_->AssignTeam(city_admin, team->id, 1).status().code(), StatusCode::kNotFound);  // the root: out of scope
    auto assigned = svc_->AssignTeam(city_admin, team->id, gulou_);
    ASSERT_OK(assigned);
    ASSERT_EQ(assigned->assignments.size(), 1u);
    EXPECT_EQ(assigned->members.size(), 1u);

    const Actor member = actor();
    EXPECT_TRUE(svc_->HasRole(member, Role::kSupervisor, dongjie));
    EXPECT_TRUE(svc_->HasRole(member, Role::kVerifier, gulou_));
    EXPECT_FALSE(svc_->HasRole(member, Role::kSupervisor, taijiang_));
    EXPECT_FALSE(svc_->InScope(member, taijiang_));
    ASSERT_OK(svc_->TakeSupervisionStep(member, street.id, urge, NowSeconds()));  // 东街街道's level above is 鼓楼区

    // The assignment ends: the roles go with it.
    ASSERT_OK(svc_->EndTeamAssignment(city_admin, team->id, assigned->assignments[0].id));
    EXPECT_FALSE(svc_->HasRole(actor(), Role::kSupervisor, dongjie));
    EXPECT_EQ(svc_->EndTeamAssignment(city_admin, team->id, assigned->assignments[0].id).status().code(),
              StatusCode::kNotFound);
    auto history = svc_->store().ListEvents("supervision_team", team->id);
    ASSERT_OK(history);
    std::vector<std::string> actions;
    for (const auto& e : *history) actions.push_back(e.action);
    EXPECT_EQ(actions, (std::vector<std::string>{"create", "member_add", "assign", "assignment_end"}));
}

}  // namespace
}  // namespace rectify::service
