// Service::Stats answers from the roll-up index (src/index), which the store's commit observer keeps
// current. These tests drive the real service on a real SQLite store through random sequences of
// creates, workflow steps and org moves, then compare the figures of every org with a recount made here
// from the stored rows (orgs by path, problems by owner) — a count that shares no code with the index.
//
// Org tree (ids in insertion order):
//   1 全国
//   ├─ 2 河北省 ─┬─ 3 石家庄市 ─┬─ 5 长安区
//   │            │              └─ 6 桥西区
//   │            └─ 4 唐山市 ─── 7 路南区
//   └─ 8 福建省 ─── 9 福州市 ─── 10 鼓楼区
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>

#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Org;
using domain::Problem;
using domain::ProblemStatus;

// What the test expects for one subtree, computed from stored rows only.
struct Recount {
    std::int64_t problems = 0;
    std::map<std::string, std::int64_t> by_status;
    std::map<std::optional<domain::CategoryId>, std::int64_t> by_top_category;
    std::int64_t open = 0, overdue = 0, due_soon = 0;
    std::int64_t closed = 0, closed_with_due = 0, closed_on_time = 0, countable = 0;
    std::vector<std::int64_t> days;  // whole days to close of closed problems
};

bool IsOpenStatus(ProblemStatus s) {
    return s == ProblemStatus::kRegistered || s == ProblemStatus::kPlanned || s == ProblemStatus::kInProgress ||
           s == ProblemStatus::kPendingVerification;
}

// Nearest rank: the ceil(p * n)-th smallest value (1-based).
std::int64_t NearestRank(std::vector<std::int64_t> v, double p) {
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::max<std::size_t>(rank, 1) - 1];
}

class StatsIndexTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::ofstream(dir_.File("cats.csv")) << "一级分类,二级分类,三级分类\n"
                                                 "环境保护,环境污染,水污染\n"
                                                 "环境保护,环境污染,大气污染\n"
                                                 "城乡建设,安全生产,事故处理\n"
                                                 "教育,学前教育,入园难\n";
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        InitOptions init;
        init.categories_csv = dir_.File("cats.csv");
        ASSERT_OK(svc_->Init(Actor{"test", {}}, init));
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
        auto categories = svc_->ListCategories();
        ASSERT_OK(categories);
        for (const auto& c : *categories) category_ids_.push_back(c.id);
        EvidenceOptions ev;
        ev.blob_dir = dir_.File("blobs");
        svc_->ConfigureEvidence(ev);
    }

    // Starts a task, reports it done with a file and submits it; the status of the last step.
    Status Work(domain::TaskId task) {
        RETURN_IF_ERROR(svc_->StartTask(root_, task, std::nullopt));
        RETURN_IF_ERROR(svc_->ReportProgress(root_, task, ReportDraft{"已完成", 100, {}}, std::nullopt));
        RETURN_IF_ERROR(svc_->UploadEvidence(root_, task, "现场.txt", "text/plain", "整改后现场说明"));
        return svc_->SubmitTask(root_, task, std::nullopt).status();
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

    // Imports one problem with historical dates through the problem-list CSV (the workflow itself only
    // makes problems created now, with a deadline not in the past). Returns its id.
    domain::ProblemId ImportOne(domain::OrgId owner, UnixSeconds created, std::optional<UnixSeconds> due,
                                const std::string& status, std::optional<UnixSeconds> closed,
                                const std::string& category = "") {
        static int n = 0;
        std::string file = dir_.File("import" + std::to_string(++n) + ".csv");
        std::ofstream(file) << "title,category,owner_org_id,created_at,due_at,status,closed_at\n"
                            << "历史问题" << n << "," << category << "," << owner << "," << FormatIso(created) << ","
                            << (due ? FormatIso(*due) : "") << "," << status << "," << (closed ? FormatIso(*closed) : "")
                            << "\n";
        auto report = svc_->ImportProblems(root_, file);
        EXPECT_OK(report);
        if (report.ok()) EXPECT_TRUE(report->rejected.empty()) << report->rejected.front().reason;
        store::ProblemFilter f;
        f.limit = 1;
        auto newest = svc_->store().ListProblems(f);
        return newest.ok() && !newest->empty() ? newest->front().id : 0;
    }

    std::vector<Org> Orgs() {
        auto orgs = svc_->store().ListOrgs();
        EXPECT_OK(orgs);
        return orgs.ok() ? *orgs : std::vector<Org>{};
    }

    std::vector<Problem> AllProblems() {
        store::ProblemFilter f;
        f.limit = 1'000'000;
        auto problems = svc_->store().ListProblems(f);
        EXPECT_OK(problems);
        return problems.ok() ? *problems : std::vector<Problem>{};
    }

    // The top-level ancestor of a category, from the catalogue rows.
    std::optional<domain::CategoryId> Top(std::optional<domain::CategoryId> id) {
        if (!id) return std::nullopt;
        auto categories = svc_->ListCategories();
        std::map<domain::CategoryId, std::optional<domain::CategoryId>> parent;
        for (const auto& c : *categories) parent[c.id] = c.parent_id;
        domain::CategoryId at = *id;
        while (parent[at]) at = *parent[at];
        return at;
    }

    Recount Expect(const Org& root, UnixSeconds now, std::int64_t due_soon_seconds) {
        std::map<domain::OrgId, std::string> path;
        for (const auto& o : Orgs()) path[o.id] = o.path;
        Recount r;
        for (const auto& p : AllProblems()) {
            if (path[p.owner_org_id].rfind(root.path, 0) != 0) continue;  // not in the subtree
            ++r.problems;
            ++r.by_status[std::string(domain::ToString(p.status))];
            ++r.by_top_category[Top(p.category_id)];
            if (p.status != ProblemStatus::kInvalid && p.status != ProblemStatus::kMerged) ++r.countable;
            if (IsOpenStatus(p.status)) {
                ++r.open;
                if (p.due_at && *p.due_at < now) ++r.overdue;
                if (p.due_at && *p.due_at >= now && *p.due_at < now + due_soon_seconds) ++r.due_soon;
            }
            if (p.status == ProblemStatus::kClosed) {
                ++r.closed;
                if (p.closed_at) r.days.push_back((*p.closed_at - p.created_at) / kSecondsPerDay);
                if (p.closed_at && p.due_at) {
                    ++r.closed_with_due;
                    if (*p.closed_at <= *p.due_at) ++r.closed_on_time;
                }
            }
        }
        return r;
    }

    // Compares Stats of every org with the recount.
    void CheckEveryOrg(const std::string& when) {
        for (const auto& org : Orgs()) {
            auto s = svc_->Stats(root_, org.id);
            ASSERT_OK(s);
            Recount r = Expect(org, s->at, 3 * kSecondsPerDay);
            SCOPED_TRACE(when + ", org " + std::to_string(org.id) + " " + org.name);
            EXPECT_EQ(s->problems, r.problems);
            for (const auto& [status, count] : s->by_status) EXPECT_EQ(count, r.by_status[status]) << status;
            std::map<std::optional<domain::CategoryId>, std::int64_t> by_category;
            for (const auto& c : s->by_category) by_category[c.category_id] = c.count;
            EXPECT_EQ(by_category, r.by_top_category);
            EXPECT_EQ(s->open, r.open);
            EXPECT_EQ(s->overdue, r.overdue);
            EXPECT_EQ(s->due_soon, r.due_soon);
            EXPECT_EQ(s->closed, r.closed);
            EXPECT_EQ(s->completion.numerator, r.closed);
            EXPECT_EQ(s->completion.denominator, r.countable);
            EXPECT_EQ(s->closed_on_time.numerator, r.closed_on_time);
            EXPECT_EQ(s->closed_on_time.denominator, r.closed_with_due);
            if (r.days.empty()) {
                EXPECT_FALSE(s->median_days_to_close.has_value());
            } else {
                EXPECT_EQ(s->median_days_to_close, NearestRank(r.days, 0.5));
                EXPECT_EQ(s->p90_days_to_close, NearestRank(r.days, 0.9));
            }
        }
    }

    testing::TempDir dir_;
    std::unique_ptr<Service> svc_;
    Actor root_;
    std::vector<domain::CategoryId> category_ids_;
};

TEST_F(StatsIndexTest, EveryCommittedChangeIsInTheFiguresBeforeTheWriteReturns) {
    // Registered 10 days ago in 长安区, due 2 days ago: overdue.
    const UnixSeconds now = NowSeconds();
    auto p = svc_->GetProblem(root_, ImportOne(5, now - 10 * kSecondsPerDay, now - 2 * kSecondsPerDay, "registered",
                                               std::nullopt, "教育/学前教育/入园难"));
    ASSERT_OK(p);
    auto province = svc_->Stats(root_, 2);
    ASSERT_OK(province);
    EXPECT_EQ(province->problems, 1);
    EXPECT_EQ(province->overdue, 1);
    EXPECT_EQ(province->overdue_rate.numerator, 1);
    EXPECT_EQ(province->overdue_rate.denominator, 1);
    EXPECT_EQ(svc_->Stats(root_, 8)->problems, 0);  // 福建省

    // Planned, worked, accepted and closed: no longer open, so not overdue, and closed late.
    TaskDraft t;
    t.org_id = 5;
    t.title = "清淤";
    t.responsible_person = "张三";
    t.due_at = NowSeconds() + kSecondsPerDay;
    auto task = svc_->CreateTask(root_, p->problem.id, t);
    ASSERT_OK(task);
    EXPECT_EQ(svc_->Stats(root_, 2)->by_status[1].first, "planned");
    EXPECT_EQ(svc_->Stats(root_, 2)->by_status[1].second, 1);
    ASSERT_OK(Work(task->id));
    ASSERT_OK(svc_->AcceptTask(root_, task->id, std::nullopt, std::nullopt));
    ASSERT_OK(svc_->CloseProblem(root_, p->problem.id, std::nullopt));
    auto closed = svc_->Stats(root_, 3);  // 石家庄市
    ASSERT_OK(closed);
    EXPECT_EQ(closed->closed, 1);
    EXPECT_EQ(closed->open, 0);
    EXPECT_EQ(closed->overdue, 0);
    EXPECT_EQ(closed->closed_on_time.numerator, 0);
    EXPECT_EQ(closed->closed_on_time.denominator, 1);
    EXPECT_EQ(closed->median_days_to_close, 10);  // registered 10 days ago, closed now
    ASSERT_EQ(closed->weekly.size(), 12u);
    EXPECT_EQ(closed->weekly.back().closed, 1);
    std::int64_t created = 0;
    for (const auto& w : closed->weekly) created += w.created;
    EXPECT_EQ(created, 1);  // in this week or the one before, by the weekday today
    EXPECT_EQ(closed->weekly.back().created, LocalWeekNumber(now - 10 * kSecondsPerDay) == LocalWeekNumber(now) ? 1 : 0);

    // Moving 石家庄市 under 福建省 moves its figures.
    ASSERT_OK(svc_->MoveOrg(root_, 3, 8));
    EXPECT_EQ(svc_->Stats(root_, 2)->problems, 0);
    EXPECT_EQ(svc_->Stats(root_, 8)->closed, 1);
    // An org created after start is counted from its first problem.
    auto fresh = AddOrg(10, "鼓东街道", "township");
    ProblemDraft d;
    d.title = "路灯不亮";
    d.owner_org_id = fresh;
    d.due_at = NowSeconds() + kSecondsPerDay;
    ASSERT_OK(svc_->CreateProblem(root_, d));
    EXPECT_EQ(svc_->Stats(root_, 9)->due_soon, 1);  // 福州市
    CheckEveryOrg("after the walk-through");
}

TEST_F(StatsIndexTest, RandomSequencesMatchARecountFromTheStore) {
    std::mt19937 rng(20261129);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    std::vector<domain::ProblemId> problems;
    std::vector<domain::TaskId> tasks;
    int closes = 0, invalids = 0, reopens = 0, moves = 0;
    for (int step = 0; step < 160; ++step) {
        int what = pick(10);
        auto orgs = Orgs();
        if (what < 2) {
            // A historical problem: registered up to 60 days ago, maybe due already, maybe closed.
            const UnixSeconds now = NowSeconds();
            UnixSeconds created = now - pick(60 * 24) * 3600;
            std::optional<UnixSeconds> due;
            if (pick(4) != 0) due = created + pick(30) * kSecondsPerDay;
            bool closed = pick(2) == 0;
            std::optional<UnixSeconds> closed_at;
            if (closed) closed_at = created + pick(static_cast<int>((now - created) / 3600) + 1) * 3600;
            const char* categories[] = {"", "环境保护/环境污染/水污染", "城乡建设", "教育/学前教育/入园难"};
            auto id = ImportOne(orgs[static_cast<std::size_t>(pick(static_cast<int>(orgs.size())))].id, created, due,
                                closed ? "closed" : "registered", closed_at, categories[pick(4)]);
            ASSERT_NE(id, 0);
            problems.push_back(id);
        } else if (what < 4 || problems.empty()) {
            ProblemDraft d;
            d.title = "问题" + std::to_string(step);
            d.owner_org_id = orgs[static_cast<std::size_t>(pick(static_cast<int>(orgs.size())))].id;
            if (pick(4) != 0) d.category_id = category_ids_[static_cast<std::size_t>(pick(static_cast<int>(category_ids_.size())))];
            d.source = static_cast<domain::ProblemSource>(pick(3));
            if (pick(3) != 0) d.due_at = NowSeconds() + pick(8) * kSecondsPerDay;
            auto p = svc_->CreateProblem(root_, d);
            ASSERT_OK(p);
            problems.push_back(p->id);
        } else if (what < 7) {
            // Take a problem as far as it will go: plan, work, accept, close (steps that the workflow
            // refuses in the problem's current status are simply refused).
            auto id = problems[static_cast<std::size_t>(pick(static_cast<int>(problems.size())))];
            auto p = svc_->GetProblem(root_, id);
            ASSERT_OK(p);
            TaskDraft t;
            t.org_id = p->problem.owner_org_id;
            t.title = "措施";
            t.responsible_person = "李四";
            t.due_at = NowSeconds() + 7 * kSecondsPerDay;
            auto task = svc_->CreateTask(root_, id, t);
            if (task.ok() && pick(3) != 0) {
                if (Work(task->id).ok() && pick(4) != 0) (void)svc_->AcceptTask(root_, task->id, std::nullopt, std::nullopt);
            }
            if (pick(2) == 0 && svc_->CloseProblem(root_, id, std::nullopt).ok()) ++closes;
        } else if (what == 7) {
            auto id = problems[static_cast<std::size_t>(pick(static_cast<int>(problems.size())))];
            if (pick(2) == 0) {
                if (svc_->MarkProblemInvalid(root_, id, "不属实", std::nullopt).ok()) ++invalids;
            } else if (svc_->ReopenProblem(root_, id, domain::ReopenCause::kRecurrence, "反弹", std::nullopt).ok()) {
                ++reopens;
            }
        } else {
            // Move a non-root org under a random org outside its subtree (the service refuses the rest).
            const auto& moved = orgs[1 + static_cast<std::size_t>(pick(static_cast<int>(orgs.size()) - 1))];
            const auto& target = orgs[static_cast<std::size_t>(pick(static_cast<int>(orgs.size())))];
            if (svc_->MoveOrg(root_, moved.id, target.id).ok()) ++moves;
        }
        if (step % 40 == 39) CheckEveryOrg("step " + std::to_string(step));
    }
    // The sequence exercised what it is meant to.
    EXPECT_GT(closes, 3);
    EXPECT_GT(invalids, 0);
    EXPECT_GT(reopens, 0);
    EXPECT_GT(moves, 3);
    CheckEveryOrg("at the end");
    // A service started afresh on the same database builds the same figures from the store.
    auto reopened = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kMustExist);
    ASSERT_OK(reopened);
    auto second = Service::Create(std::move(reopened).value());
    ASSERT_OK(second);
    for (const auto& org : Orgs()) {
        auto a = svc_->Stats(root_, org.id);
        auto b = (*second)->Stats(root_, org.id);
        ASSERT_OK(a);
        ASSERT_OK(b);
        EXPECT_EQ(a->problems, b->problems);
        EXPECT_EQ(a->by_status, b->by_status);
        EXPECT_EQ(a->closed_on_time.numerator, b->closed_on_time.numerator);
    }
}

TEST_F(StatsIndexTest, FiltersAndQueryErrors) {
    auto env = [&](const std::string& path) {
        auto categories = svc_->ListCategories();
        for (const auto& c : *categories) {
            if (c.path == path) return c.id;
        }
        return domain::CategoryId{0};
    };
    ProblemDraft d;
    d.title = "水";
    d.owner_org_id = 5;
    d.category_id = env("环境保护/环境污染/水污染");
    d.source = domain::ProblemSource::kPublicOpinion;
    ASSERT_OK(svc_->CreateProblem(root_, d));
    d.title = "气";
    d.category_id = env("环境保护/环境污染/大气污染");
    d.source = domain::ProblemSource::kOther;
    ASSERT_OK(svc_->CreateProblem(root_, d));
    d.title = "无类";
    d.category_id.reset();
    ASSERT_OK(svc_->CreateProblem(root_, d));

    StatsQuery q;
    q.category_id = env("环境保护");
    EXPECT_EQ(svc_->Stats(root_, 2, q)->problems, 2);
    q.source = domain::ProblemSource::kPublicOpinion;
    EXPECT_EQ(svc_->Stats(root_, 2, q)->problems, 1);
    StatsQuery none;
    none.uncategorised = true;
    EXPECT_EQ(svc_->Stats(root_, 2, none)->problems, 1);
    auto children = svc_->ChildStats(root_, 2, {});
    ASSERT_OK(children);
    ASSERT_EQ(children->size(), 2u);  // 石家庄市, 唐山市
    EXPECT_EQ((*children)[0].org.name, "石家庄市");
    EXPECT_EQ((*children)[0].problems, 3);
    EXPECT_EQ((*children)[1].problems, 0);

    StatsQuery deep;
    deep.category_depth = 3;
    deep.source = domain::ProblemSource::kOther;
    EXPECT_EQ(svc_->Stats(root_, 2, deep).status().code(), StatusCode::kInvalidArgument);
    StatsQuery not_top;
    not_top.category_id = env("环境保护/环境污染");
    auto refused = svc_->Stats(root_, 2, not_top);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(refused.status().message().find("not a top-level category (filter by its top-level category " +
                                              std::to_string(env("环境保护")) + ")"),
              std::string::npos)
        << refused.status().message();
    StatsQuery weeks;
    weeks.weeks = 521;
    EXPECT_EQ(svc_->Stats(root_, 2, weeks).status().code(), StatusCode::kInvalidArgument);
    StatsQuery unknown;
    unknown.category_id = 999;
    EXPECT_EQ(svc_->Stats(root_, 2, unknown).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rectify::service
