// The task figures of Service::Stats / ChildStats — `stalled` and `supervised_this_month` — come from the task
// index (src/index/task_index.hpp), which the commit observer feeds. These tests drive the real service on
// a real store (SQLite, and PostgreSQL for the pg. variants) through random sequences of task steps (create,
// start, report, submit, return, accept, withdraw, cascade to the units below), supervise and urge steps
// at injected instants, org creations and org moves, then compare every org's figures at many injected
// instants with the store's own SQL (Store::CountQueue kStalled and Store::CountSupervisionSteps, the
// queries the service ran before the index) — and again after a restart, whose index is built from the
// store instead of fed event by event. The totals of the overdue and due-soon work queues (Service::ListQueue,
// from the index since issue 11 item 2) are compared with Store::CountQueue kOverdue / kDueSoon the same way,
// with deadlines moved and cleared by task edits.
//
// Org tree at the start (ids in insertion order):
//   1 全国 ─┬─ 2 河北省 ─┬─ 3 石家庄市 ─┬─ 5 长安区
//           │            │              └─ 6 桥西区
//           │            └─ 4 唐山市 ─── 7 路南区
//           └─ 8 福建省 ─── 9 福州市 ─── 10 鼓楼区
#include <algorithm>
#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "domain/supervision.hpp"
#include "service/service.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Org;
using domain::OrgId;
using domain::Task;
using domain::TaskId;
using domain::TaskStatus;

constexpr UnixSeconds kDay = 86400;

class TaskIndexServiceTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_OK(SetDisplayZone("Asia/Shanghai"));
        ASSERT_TRUE(db_.error().empty()) << db_.error();
        Open(store::OpenMode::kCreateIfMissing);
        ASSERT_OK(svc_->Init(Actor{"test", {}}, InitOptions{}));
        root_ = svc_->RootActor("admin");
        auto province = AddOrg(1, "河北省", "province");
        auto sjz = AddOrg(province, "石家庄市", "city");
        auto ts = AddOrg(province, "唐山市", "city");
        AddOrg(sjz, "长安区", "county");
        AddOrg(sjz, "桥西区", "county");
        AddOrg(ts, "路南区", "county");
        auto fj = AddOrg(1, "福建省", "province");
        auto fz = AddOrg(fj, "福州市", "city");
        AddOrg(fz, "鼓楼区", "county");
        // Built now, so that every later change reaches the index through the commit observer (an index
        // not built yet is built from the store at the first query, which would not test the feed).
        ASSERT_OK(svc_->BuildRollupIndex());
    }

    void Open(store::OpenMode mode) {
        svc_.reset();
        auto store = store::Store::Open(db_.url(), mode);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        EvidenceOptions ev;
        ev.blob_dir = dir_.File("blobs");
        svc_->ConfigureEvidence(ev);
    }

    OrgId AddOrg(OrgId parent, const std::string& name, const std::string& level) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        auto created = svc_->CreateOrg(root_, o);
        EXPECT_OK(created);
        return created.ok() ? created->id : 0;
    }

    std::vector<Org> Orgs() {
        auto orgs = svc_->store().ListOrgs();
        EXPECT_OK(orgs);
        return orgs.ok() ? *orgs : std::vector<Org>{};
    }

    std::vector<Task> AllTasks() {
        std::vector<Task> out;
        store::ProblemFilter f;
        f.limit = 1'000'000;
        auto problems = svc_->store().ListProblems(f);
        EXPECT_OK(problems);
        for (const auto& p : *problems) {
            auto tasks = svc_->store().ListTasksOfProblem(p.id);
            EXPECT_OK(tasks);
            out.insert(out.end(), tasks->begin(), tasks->end());
        }
        return out;
    }

    // A problem owned by `org` with one task of `org`.
    Status NewTask(OrgId org) {
        ProblemDraft pd;
        pd.title = "河道垃圾清理不及时";
        pd.owner_org_id = org;
        pd.due_at = NowSeconds() + 60 * kDay;
        ASSIGN_OR_RETURN(auto p, svc_->CreateProblem(root_, pd));
        TaskDraft d;
        d.org_id = org;
        d.title = "清理河道垃圾";
        d.responsible_person = "王五";
        d.type = domain::TaskType::kTimeBound;
        d.due_at = NowSeconds() + 30 * kDay;
        return svc_->CreateTask(root_, p.id, d).status();
    }

    // The store's SQL for one org at `at`: what Service::Stats ran per request before the index.
    std::pair<std::int64_t, std::int64_t> Sql(const Org& org, UnixSeconds at) {
        store::QueueFilter stalled;
        stalled.kind = store::QueueKind::kStalled;
        stalled.subtree_paths = {org.path};
        stalled.stalled_before =
            at - static_cast<std::int64_t>(svc_->supervision_policy().warnings.stalled_days) * kDay;
        auto n = svc_->store().CountQueue(stalled);
        EXPECT_OK(n);
        const auto month = domain::CivilOf(LocalDayNumber(at));
        auto steps = svc_->store().CountSupervisionSteps(org.path, domain::SupervisionKind::kSupervise,
                                                         FromLocal(month.year, month.month, 1, 0, 0, 0), at + 1);
        EXPECT_OK(steps);
        return {n.ok() ? *n : -1, steps.ok() ? *steps : -1};
    }

    // Every org's Stats and the root's ChildStats at each instant of `ats`, against the SQL; returns how
    // many (org, instant) pairs had a stalled / supervised figure strictly between 0 and the subtree's
    // total, so the caller can insist the comparison was not trivial.
    std::pair<int, int> CheckEveryOrg(const std::string& when, const std::vector<UnixSeconds>& ats) {
        int mixed_stalled = 0, some_supervised = 0;
        const auto orgs = Orgs();
        for (UnixSeconds at : ats) {
            StatsQuery q;
            q.at = at;
            for (const Org& org : orgs) {
                SCOPED_TRACE(when + ", org " + std::to_string(org.id) + " at " + FormatIso(at));
                auto s = svc_->Stats(root_, org.id, q);
                EXPECT_OK(s);
                if (!s.ok()) continue;
                const auto [stalled, supervised] = Sql(org, at);
                EXPECT_EQ(s->stalled, stalled);
                EXPECT_EQ(s->supervised_this_month, supervised);
                if (stalled > 0) ++mixed_stalled;
                if (supervised > 0) ++some_supervised;
                CheckDeadlineTotals(org, at);
            }
            auto children = svc_->ChildStats(root_, 1, q);
            EXPECT_OK(children);
            if (!children.ok()) continue;
            for (const auto& c : *children) {
                const auto [stalled, supervised] = Sql(c.org, at);
                EXPECT_EQ(c.stalled, stalled) << when << ", child " << c.org.id;
                EXPECT_EQ(c.supervised_this_month, supervised) << when << ", child " << c.org.id;
            }
        }
        return {mixed_stalled, some_supervised};
    }

    // The overdue and due-soon totals of ListQueue for `org` at `at` against the store's SQL count; counts
    // in overdue_seen_ / due_soon_seen_ the pairs where a total was neither 0 nor everything open.
    void CheckDeadlineTotals(const Org& org, UnixSeconds at) {
        const UnixSeconds due_before = domain::DueSoonLimit(at, svc_->calendar(),
                                                            svc_->supervision_policy().warnings.due_soon_working_days);
        for (auto [queue, kind] : {std::pair{WorkQueue::kOverdue, store::QueueKind::kOverdue},
                                   std::pair{WorkQueue::kDueSoon, store::QueueKind::kDueSoon}}) {
            QueueQuery q;
            q.org_id = org.id;
            q.limit = 5;
            auto page = svc_->ListQueue(root_, queue, q, at);
            ASSERT_OK(page);
            store::QueueFilter f;
            f.kind = kind;
            f.subtree_paths = {org.path};
            f.now = at;
            f.due_before = due_before;
            f.limit = 5;
            auto sql = svc_->store().CountQueue(f);
            ASSERT_OK(sql);
            const std::string what = std::string(queue == WorkQueue::kOverdue ? "overdue" : "due soon") + ", org " +
                                     std::to_string(org.id) + " at " + FormatIso(at);
            EXPECT_EQ(page->total, *sql) << what;
            // The page, whichever plan the service asked for (QueueFilter::walk_by_deadline), is the one SQLite's
            // own plan gives.
            auto rows = svc_->store().ListQueue(f);
            ASSERT_OK(rows);
            std::vector<domain::TaskId> want, got;
            for (const auto& r : *rows) want.push_back(r.task.id);
            for (const auto& item : page->items) got.push_back(item.task->task.id);
            EXPECT_EQ(got, want) << what;
            if (*sql > 0) ++(queue == WorkQueue::kOverdue ? overdue_seen_ : due_soon_seen_);
        }
    }

    int overdue_seen_ = 0, due_soon_seen_ = 0;
    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
    std::unique_ptr<Service> svc_;
    Actor root_;
};

TEST_F(TaskIndexServiceTest, RandomTaskStepsSupervisionAndOrgMovesMatchTheStoreSql) {
    std::mt19937_64 rng(20260611);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    const UnixSeconds t0 = NowSeconds();
    std::vector<UnixSeconds> step_ats;
    int steps_taken = 0, moves = 0, cascades = 0, refused = 0, deadline_edits = 0;
    // A step may be refused when the task's problem moved on (e.g. a cascade sibling's acceptance closed
    // the round): kFailedPrecondition is counted, anything else fails the test.
    auto done = [&](const Status& st) {
        if (st.code() == StatusCode::kFailedPrecondition) {
            ++refused;
            return false;
        }
        EXPECT_OK(st);
        return st.ok();
    };
    for (int phase = 0; phase < 3; ++phase) {
        // Activity in three different seconds at least, so cut-offs fall between tasks' last activities.
        if (phase > 0) {
            // Between phases too: the figures so far, around the run's seconds.
            const UnixSeconds now = NowSeconds();
            const UnixSeconds stalled =
                static_cast<UnixSeconds>(svc_->supervision_policy().warnings.stalled_days) * kDay;
            CheckEveryOrg("phase " + std::to_string(phase),
                          {now - 1 + stalled, now + stalled, t0 + stalled, t0 + 1 + stalled});
            std::this_thread::sleep_for(std::chrono::milliseconds(1100));
        }
        for (int i = 0; i < 45; ++i) {
            const auto orgs = Orgs();
            std::vector<OrgId> below_root;
            for (const auto& o : orgs) {
                if (o.parent_id) below_root.push_back(o.id);
            }
            const auto tasks = AllTasks();
            auto task_in = [&](std::initializer_list<TaskStatus> statuses) -> std::optional<Task> {
                std::vector<Task> fit;
                for (const auto& t : tasks) {
                    if (std::find(statuses.begin(), statuses.end(), t.status) != statuses.end()) fit.push_back(t);
                }
                if (fit.empty()) return std::nullopt;
                return fit[pick(fit.size())];
            };
            const int op = static_cast<int>(pick(13));
            if (op <= 2 || tasks.size() < 4) {
                ASSERT_OK(NewTask(below_root[pick(below_root.size())]));
            } else if (op == 3) {
                if (auto t = task_in({TaskStatus::kPending}))
                    done(svc_->StartTask(root_, t->id, std::nullopt).status());
            } else if (op == 4) {
                if (auto t = task_in({TaskStatus::kInProgress, TaskStatus::kReturned})) {
                    done(svc_->ReportProgress(root_, t->id, ReportDraft{"已完成", 100, {}}, std::nullopt).status());
                }
            } else if (op == 5) {
                if (auto t = task_in({TaskStatus::kInProgress, TaskStatus::kReturned})) {
                    if (done(svc_->ReportProgress(root_, t->id, ReportDraft{"整改完成", 100, {}}, std::nullopt)
                                 .status()) &&
                        done(svc_->UploadEvidence(root_, t->id, "现场.txt", "text/plain", "整改后现场说明").status())) {
                        done(svc_->SubmitTask(root_, t->id, std::nullopt).status());
                    }
                }
            } else if (op == 6) {
                if (auto t = task_in({TaskStatus::kSubmitted})) {
                    if (pick(2) == 0) {
                        done(svc_->ReturnTask(root_, t->id, "整改不到位", std::nullopt).status());
                    } else {
                        done(svc_->AcceptTask(root_, t->id, std::nullopt, std::nullopt).status());
                    }
                }
            } else if (op == 7) {
                if (auto t = task_in({TaskStatus::kPending, TaskStatus::kInProgress, TaskStatus::kReturned})) {
                    done(svc_->WithdrawTask(root_, t->id, "任务重复", std::nullopt).status());
                }
            } else if (op == 8 || op == 9) {
                // A step at an instant up to ~2 months either side of now: several months to count in.
                if (auto t = task_in({TaskStatus::kPending, TaskStatus::kInProgress, TaskStatus::kReturned})) {
                    SupervisionDraft d;
                    d.kind = op == 8 ? domain::SupervisionKind::kSupervise : domain::SupervisionKind::kUrge;
                    d.reason = "逾期未整改";
                    const UnixSeconds at = t0 + static_cast<UnixSeconds>(pick(120 * kDay)) - 60 * kDay;
                    if (!done(svc_->TakeSupervisionStep(root_, t->id, d, at).status())) continue;
                    if (op == 8) step_ats.push_back(at);
                    ++steps_taken;
                }
            } else if (op == 10) {
                // Move an org (not the root) under an org outside its subtree, or add one.
                const Org& v = orgs[pick(orgs.size())];
                if (!v.parent_id) {
                    AddOrg(below_root[pick(below_root.size())], "新设单位" + std::to_string(i), "county");
                    continue;
                }
                std::vector<OrgId> targets;
                for (const auto& o : orgs) {
                    if (o.path.rfind(v.path, 0) != 0 && o.id != *v.parent_id) targets.push_back(o.id);
                }
                if (targets.empty()) continue;
                ASSERT_OK(svc_->MoveOrg(root_, v.id, targets[pick(targets.size())]));
                ++moves;
            } else if (op == 11) {
                // A deadline moved (an extension, or brought forward) or cleared: a task edit.
                if (auto t = task_in({TaskStatus::kPending, TaskStatus::kInProgress, TaskStatus::kReturned});
                    t && !t->parent_task_id) {
                    TaskPatch patch;
                    patch.version = t->version;
                    if (pick(4) == 0) {  // 长期坚持: an ongoing task has no deadline
                        patch.type = domain::TaskType::kOngoing;
                        patch.due_at = std::optional<UnixSeconds>();
                        patch.review_dates = std::vector<UnixSeconds>{t0 + 30 * kDay};
                    } else {
                        patch.type = domain::TaskType::kTimeBound;
                        patch.due_at = std::optional<UnixSeconds>(t0 + static_cast<UnixSeconds>(pick(40 * kDay)));
                    }
                    if (done(svc_->UpdateTask(root_, t->id, patch).status())) ++deadline_edits;
                }
            } else {
                // 上题下答: a task of an org with units below, cascaded to all of them (children without events).
                std::vector<Task> parents;
                for (const auto& t : tasks) {
                    if ((t.status == TaskStatus::kPending || t.status == TaskStatus::kInProgress) &&
                        !t.parent_task_id) {
                        for (const auto& o : orgs) {
                            if (o.parent_id == t.org_id) {
                                parents.push_back(t);
                                break;
                            }
                        }
                    }
                }
                if (parents.empty()) continue;
                CascadeDraft d;
                d.targets.scope = domain::CascadeScope::kDescendants;
                d.responsible_person = "区长";
                if (done(svc_->CascadeTask(root_, parents[pick(parents.size())].id, d, std::nullopt).status())) {
                    ++cascades;
                }
            }
        }
    }
    const UnixSeconds t1 = NowSeconds();
    ASSERT_GE(steps_taken, 5);
    ASSERT_GE(moves, 3);
    ASSERT_GE(cascades, 1);
    ASSERT_GE(deadline_edits, 2);
    EXPECT_LT(refused, 20) << "most steps should go through";

    // Instants: the stalled cut-off (at - stalled_days) on every second of the run and either side of it,
    // and the supervise steps' own instants and their months' edges.
    const UnixSeconds stalled = static_cast<UnixSeconds>(svc_->supervision_policy().warnings.stalled_days) * kDay;
    std::vector<UnixSeconds> ats;
    for (UnixSeconds cut = t0 - 1; cut <= t1 + 1; ++cut) ats.push_back(cut + stalled);
    std::set<UnixSeconds> step_instants;
    for (UnixSeconds at : step_ats) {
        step_instants.insert(at);
        step_instants.insert(at - 1);
        const auto month = domain::CivilOf(LocalDayNumber(at));
        step_instants.insert(FromLocal(month.year, month.month, 1, 0, 0, 0));      // the month's first second
        step_instants.insert(FromLocal(month.year, month.month, 1, 0, 0, 0) - 1);  // the last of the month before
    }
    std::vector<UnixSeconds> every = ats;
    every.insert(every.end(), step_instants.begin(), step_instants.end());
    // Deadlines of tasks and the second after them, where the overdue and due-soon totals change (12 of
    // them, spread over the sorted list, to keep the run short).
    std::vector<UnixSeconds> deadlines;
    for (const auto& t : AllTasks()) {
        if (t.due_at) deadlines.push_back(*t.due_at);
    }
    std::sort(deadlines.begin(), deadlines.end());
    for (std::size_t i = 0; i < 12 && !deadlines.empty(); ++i) {
        const UnixSeconds d = deadlines[i * deadlines.size() / 12];
        every.push_back(d);
        every.push_back(d + 1);
    }
    auto [mixed, supervised] = CheckEveryOrg("fed by events", every);
    EXPECT_GT(mixed, 0);
    EXPECT_GT(supervised, 0);
    EXPECT_GT(overdue_seen_, 0);
    EXPECT_GT(due_soon_seen_, 0);

    // A restart builds the index from the store (RebuildRollup): the same figures.
    Open(store::OpenMode::kMustExist);
    CheckEveryOrg("after a restart", every);
}

// Another server on the same database (issue 10) sees the task steps of this one through the event log
// (CatchUp, what its follower runs): its task index is fed by the same path with kOtherProcess events,
// including a cascade's children, a supervise step and an org move.
TEST_F(TaskIndexServiceTest, AnotherServerFollowsTheTaskFiguresThroughTheEventLog) {
    auto store = store::Store::Open(db_.url(), store::OpenMode::kMustExist);
    ASSERT_OK(store);
    auto other = Service::Create(std::move(store).value());
    ASSERT_OK(other);
    Service& b = **other;
    ASSERT_OK(b.BuildRollupIndex());
    ASSERT_OK(b.CatchUp());
    ASSERT_OK(NewTask(3));  // 石家庄市, with 长安区 and 桥西区 below
    auto tasks = AllTasks();
    ASSERT_EQ(tasks.size(), 1u);
    CascadeDraft cd;
    cd.targets.scope = domain::CascadeScope::kDescendants;
    cd.responsible_person = "区长";
    auto cascade = svc_->CascadeTask(root_, tasks[0].id, cd, std::nullopt);
    ASSERT_OK(cascade);
    ASSERT_EQ(cascade->created, 2);
    SupervisionDraft d;
    d.kind = domain::SupervisionKind::kSupervise;
    d.reason = "逾期未整改";
    const UnixSeconds step_at = NowSeconds();
    ASSERT_OK(svc_->TakeSupervisionStep(root_, tasks[0].id, d, step_at));
    ASSERT_OK(svc_->MoveOrg(root_, 3, 8));  // 石家庄市 under 福建省
    ASSERT_OK(b.CatchUp());
    StatsQuery q;
    q.at = NowSeconds() + 30 * kDay;  // everything created so far is stalled at the 14-day cut-off
    for (OrgId org : {OrgId{1}, OrgId{2}, OrgId{3}, OrgId{5}, OrgId{8}}) {
        auto s = b.Stats(root_, org, q);
        ASSERT_OK(s);
        const auto [stalled, supervised] = Sql(*svc_->store().GetOrg(org), *q.at);
        EXPECT_EQ(s->stalled, stalled) << "org " << org;
        EXPECT_EQ(s->supervised_this_month, supervised) << "org " << org;
    }
    // Worked out: the parent task and its 2 children, all open, now under 福建省, none under 河北省; the step
    // is in `at`'s month only when step_at and at share a month, so compare at step_at itself too.
    auto fj = b.Stats(root_, 8, q);
    ASSERT_OK(fj);
    EXPECT_EQ(fj->stalled, 3);
    auto hb = b.Stats(root_, 2, q);
    ASSERT_OK(hb);
    EXPECT_EQ(hb->stalled, 0);
    q.at = step_at;
    auto fj_now = b.Stats(root_, 8, q);
    ASSERT_OK(fj_now);
    EXPECT_EQ(fj_now->supervised_this_month, 1);
}

// The rule's edges, worked out by hand: a task is stalled at cut-off T when its created_at, returned_at and
// every report are before T; a report or a return at T or later makes it active; a submitted task is never
// stalled; a step counts at the org the task had then, in its month.
TEST_F(TaskIndexServiceTest, StalledEdgesAndStepsByHand) {
    const OrgId changan = 5, gulou = 10;
    ASSERT_OK(NewTask(changan));
    ASSERT_OK(NewTask(gulou));
    auto tasks = AllTasks();
    ASSERT_EQ(tasks.size(), 2u);
    const Task a = tasks[0].org_id == changan ? tasks[0] : tasks[1];
    const Task b = tasks[0].org_id == changan ? tasks[1] : tasks[0];
    const UnixSeconds stalled = static_cast<UnixSeconds>(svc_->supervision_policy().warnings.stalled_days) * kDay;
    auto figures = [&](OrgId org, UnixSeconds cut) {
        StatsQuery q;
        q.at = cut + stalled;
        auto s = svc_->Stats(root_, org, q);
        EXPECT_OK(s);
        return s.ok() ? std::pair<std::int64_t, std::int64_t>{s->stalled, s->supervised_this_month}
                      : std::pair<std::int64_t, std::int64_t>{-1, -1};
    };
    // Created at a.created_at: stalled for every cut-off after it, not at it.
    EXPECT_EQ(figures(1, a.created_at).first, b.created_at < a.created_at ? 1 : 0);
    EXPECT_EQ(figures(changan, a.created_at).first, 0);
    EXPECT_EQ(figures(changan, a.created_at + 1).first, 1);
    EXPECT_EQ(figures(2, a.created_at + 1).first, 1);  // 河北省 holds 长安区
    EXPECT_EQ(figures(8, b.created_at + 1).first, 1);  // 福建省 holds 鼓楼区
    EXPECT_EQ(figures(1, std::max(a.created_at, b.created_at) + 1).first, 2);

    // A report at r: active for cut-offs up to r, stalled after.
    ASSERT_OK(svc_->StartTask(root_, a.id, std::nullopt));
    auto r = svc_->ReportProgress(root_, a.id, ReportDraft{"进行中", 50, {}}, std::nullopt);
    ASSERT_OK(r);
    EXPECT_EQ(figures(changan, r->reported_at).first, 0);
    EXPECT_EQ(figures(changan, r->reported_at + 1).first, 1);

    // Submitted: not stalled at any cut-off.
    ASSERT_OK(svc_->UploadEvidence(root_, a.id, "现场.txt", "text/plain", "整改后现场说明"));
    ASSERT_OK(svc_->SubmitTask(root_, a.id, std::nullopt));
    EXPECT_EQ(figures(changan, NowSeconds() + 10 * kDay).first, 0);

    // Returned at x: open again, active until x.
    auto returned = svc_->ReturnTask(root_, a.id, "整改不到位", std::nullopt);
    ASSERT_OK(returned);
    ASSERT_TRUE(returned->returned_at.has_value());
    EXPECT_EQ(figures(changan, *returned->returned_at).first, 0);
    EXPECT_EQ(figures(changan, *returned->returned_at + 1).first, 1);

    // A supervise step on b on 2026-03-31 23:59:59 Beijing time counts in March, not in April; moving 鼓楼区
    // under 河北省 takes its task and step along.
    const UnixSeconds march_last = FromLocal(2026, 3, 31, 23, 59, 59);
    SupervisionDraft d;
    d.kind = domain::SupervisionKind::kSupervise;
    d.reason = "逾期未整改";
    ASSERT_OK(svc_->TakeSupervisionStep(root_, b.id, d, march_last));
    auto at = [&](OrgId org, UnixSeconds instant) {
        StatsQuery q;
        q.at = instant;
        auto s = svc_->Stats(root_, org, q);
        EXPECT_OK(s);
        return s.ok() ? s->supervised_this_month : -1;
    };
    EXPECT_EQ(at(gulou, march_last), 1);
    EXPECT_EQ(at(gulou, march_last - 1), 0);                  // before the step
    EXPECT_EQ(at(gulou, FromLocal(2026, 4, 1, 0, 0, 0)), 0);  // April: a new month
    EXPECT_EQ(at(8, march_last), 1);
    EXPECT_EQ(at(2, march_last), 0);
    ASSERT_OK(svc_->MoveOrg(root_, gulou, 2));
    EXPECT_EQ(at(8, march_last), 0);
    EXPECT_EQ(at(2, march_last), 1);
    EXPECT_EQ(at(1, march_last), 1);
    EXPECT_EQ(figures(2, NowSeconds() + 10 * kDay).first, 2);  // both open tasks now under 河北省
    EXPECT_EQ(figures(8, NowSeconds() + 10 * kDay).first, 0);
}

}  // namespace
}  // namespace rectify::service
