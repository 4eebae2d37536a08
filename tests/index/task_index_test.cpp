// TaskIndex (src/index/task_index.hpp) on its own: figures and deadline totals worked out by hand on a small
// tree, and random sequences of puts, drops, steps, org additions and moves checked against a brute-force
// recount from a plain list of facts kept by the test, with every org materialised, with the defaults and
// with none materialised (the gather path), plus CheckInvariants.
#include "index/task_index.hpp"

#include <algorithm>
#include <map>
#include <random>

#include "test_util.hpp"

namespace rectify::index {
namespace {

using domain::Org;
using domain::OrgId;

Org MakeOrg(OrgId id, std::optional<OrgId> parent) {
    Org o;
    o.id = id;
    o.parent_id = parent;
    return o;
}

// 1 ─┬─ 2 ─┬─ 4
//    │     └─ 5
//    └─ 3
std::vector<Org> SmallTree() {
    return {MakeOrg(1, std::nullopt), MakeOrg(2, 1), MakeOrg(3, 1), MakeOrg(4, 2), MakeOrg(5, 2)};
}

TEST(TaskIndexTest, FiguresByHand) {
    // Open tasks: 10 at org 4 active at 100, 11 at org 5 at 200, 12 at org 3 at 300.
    // Supervise steps: 1 at org 4 at 150, 2 at org 4 at 250, 3 at org 3 at 250.
    auto built = TaskIndex::Build(SmallTree(), {{10, 4, 100}, {11, 5, 200}, {12, 3, 300}},
                                  {{1, 4, 150}, {2, 4, 250}, {3, 3, 250}}, {0, 0});
    ASSERT_OK(built);
    TaskIndex& ix = **built;
    auto q = [&](OrgId org, UnixSeconds before, UnixSeconds from, UnixSeconds to) {
        auto f = ix.Query(org, before, from, to);
        EXPECT_OK(f);
        return f.ok() ? *f : TaskIndex::Figures{-1, -1};
    };
    EXPECT_EQ(q(1, 100, 0, 0), (TaskIndex::Figures{0, 0}));      // last activity 100 is not before 100
    EXPECT_EQ(q(1, 101, 150, 250), (TaskIndex::Figures{1, 1}));  // [150, 250): step 1 only
    EXPECT_EQ(q(1, 301, 150, 251), (TaskIndex::Figures{3, 3}));
    EXPECT_EQ(q(2, 301, 0, 1000), (TaskIndex::Figures{2, 2}));
    EXPECT_EQ(q(5, 301, 0, 1000), (TaskIndex::Figures{1, 0}));
    EXPECT_EQ(q(3, 301, 251, 1000), (TaskIndex::Figures{1, 0}));
    EXPECT_EQ(q(1, 301, 250, 250), (TaskIndex::Figures{3, 0}));  // an empty period counts nothing
    // A report on 10 at 400: no longer stalled before 301; a step added twice counts once.
    ASSERT_OK(ix.PutOpenTask({10, 4, 400}));
    ASSERT_OK(ix.AddStep({4, 5, 260}));
    ASSERT_OK(ix.AddStep({4, 5, 260}));
    EXPECT_EQ(q(2, 301, 0, 1000), (TaskIndex::Figures{1, 3}));
    // 11 submitted: dropped; dropping an unknown task is no error.
    ASSERT_OK(ix.DropTask(11));
    ASSERT_OK(ix.DropTask(999));
    EXPECT_EQ(q(2, 1000, 0, 1000), (TaskIndex::Figures{1, 3}));
    // Org 2 with 4 and 5 moves under 3: its task and steps go along.
    ASSERT_OK(ix.MoveOrg(2, 3));
    EXPECT_EQ(q(3, 1000, 0, 1000), (TaskIndex::Figures{2, 4}));
    EXPECT_EQ(q(1, 1000, 0, 1000), (TaskIndex::Figures{2, 4}));
    ASSERT_OK(ix.CheckInvariants());
    // Instants outside 0..2^32-1 as cut-offs.
    EXPECT_EQ(q(1, -5, -5, 0), (TaskIndex::Figures{0, 0}));
    EXPECT_EQ(q(1, std::int64_t{1} << 40, -5, std::int64_t{1} << 40), (TaskIndex::Figures{2, 4}));
    // Errors.
    EXPECT_EQ(ix.Query(42, 0, 0, 0).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(ix.MoveOrg(1, 3).code(), StatusCode::kFailedPrecondition);  // the root
    EXPECT_EQ(ix.MoveOrg(3, 4).code(), StatusCode::kFailedPrecondition);  // under its own subtree
    EXPECT_EQ(ix.PutOpenTask({20, 42, 1}).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(ix.AddOrg(3, 1).code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(TaskIndex::Build({MakeOrg(1, std::nullopt), MakeOrg(2, 7)}, {}, {}).status().code(),
              StatusCode::kFailedPrecondition);
    EXPECT_EQ(TaskIndex::Build(SmallTree(), {{1, 4, 0}, {1, 5, 0}}, {}).status().code(), StatusCode::kInvalidArgument);
}

// Issue 11 item 2: the totals of the overdue and due-soon queues. Open tasks with deadlines: 10 at org 4 due
// 500, 11 at org 5 due 700, 12 at org 3 due 900, 13 at org 4 without a deadline.
TEST(TaskIndexTest, DeadlinesByHand) {
    for (TaskIndex::Options options : {TaskIndex::Options{0, 0}, TaskIndex::Options{1 << 30, 1 << 30}}) {
        auto built = TaskIndex::Build(
            SmallTree(), {{10, 4, 100, 500}, {11, 5, 100, 700}, {12, 3, 100, 900}, {13, 4, 100, std::nullopt}}, {},
            options);
        ASSERT_OK(built);
        TaskIndex& ix = **built;
        auto d = [&](OrgId org, UnixSeconds now, UnixSeconds before) {
            auto f = ix.CountDeadlines(org, now, before);
            EXPECT_OK(f);
            return f.ok() ? *f : TaskIndex::Deadlines{-1, -1};
        };
        EXPECT_EQ(d(1, 500, 700), (TaskIndex::Deadlines{0, 1}));  // due at 500 is not overdue at 500, but due soon
        EXPECT_EQ(d(1, 501, 700), (TaskIndex::Deadlines{1, 0}));  // 700 is not before 700
        EXPECT_EQ(d(1, 800, 1000), (TaskIndex::Deadlines{2, 1}));
        EXPECT_EQ(d(2, 800, 1000), (TaskIndex::Deadlines{2, 0}));
        EXPECT_EQ(d(1, 800, 800), (TaskIndex::Deadlines{2, 0}));  // an empty window counts nothing
        EXPECT_EQ(d(1, std::int64_t{1} << 40, std::int64_t{1} << 41), (TaskIndex::Deadlines{3, 0}));
        // 10's deadline moved to 1,000 (an extension), 11 closed, 13 given one at 600, org 2 moved under 3.
        ASSERT_OK(ix.PutOpenTask({10, 4, 150, 1000}));
        ASSERT_OK(ix.DropTask(11));
        ASSERT_OK(ix.PutOpenTask({13, 4, 150, 600}));
        EXPECT_EQ(d(2, 800, 1001), (TaskIndex::Deadlines{1, 1}));
        ASSERT_OK(ix.MoveOrg(2, 3));
        EXPECT_EQ(d(3, 950, 1001), (TaskIndex::Deadlines{2, 1}));
        // A deadline taken away again.
        ASSERT_OK(ix.PutOpenTask({13, 4, 150, std::nullopt}));
        EXPECT_EQ(d(3, 950, 1001), (TaskIndex::Deadlines{1, 1}));
        EXPECT_EQ(ix.Memory().deadlines, 2);
        ASSERT_OK(ix.CheckInvariants());
        EXPECT_EQ(ix.CountDeadlines(42, 0, 0).status().code(), StatusCode::kNotFound);
    }
}

struct Model {
    std::map<OrgId, OrgId> parent;  // root absent
    std::map<domain::TaskId, OpenTaskFacts> open;
    std::map<std::int64_t, StepFacts> steps;
    bool Under(OrgId v, OrgId root) const {
        for (;;) {
            if (v == root) return true;
            auto it = parent.find(v);
            if (it == parent.end()) return false;
            v = it->second;
        }
    }
    TaskIndex::Figures Count(OrgId root, UnixSeconds before, UnixSeconds from, UnixSeconds to) const {
        TaskIndex::Figures f;
        for (const auto& [id, t] : open) f.stalled += Under(t.org_id, root) && t.last_activity < before;
        for (const auto& [id, s] : steps) f.supervised += Under(s.org_id, root) && from <= s.at && s.at < to;
        return f;
    }
    TaskIndex::Deadlines Deadlines(OrgId root, UnixSeconds now, UnixSeconds due_before) const {
        TaskIndex::Deadlines d;
        for (const auto& [id, t] : open) {
            if (!t.due_at || !Under(t.org_id, root)) continue;
            d.overdue += *t.due_at < now;
            d.due_soon += now <= *t.due_at && *t.due_at < due_before;
        }
        return d;
    }
};

void RandomRun(std::uint64_t seed, TaskIndex::Options options) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", thresholds " + std::to_string(options.materialise_items) + "/" +
                 std::to_string(options.materialise_orgs));
    std::mt19937_64 rng(seed);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    Model m;
    std::vector<Org> orgs{MakeOrg(1, std::nullopt)};
    for (OrgId id = 2; id <= 30; ++id) {
        const OrgId p = static_cast<OrgId>(1 + pick(static_cast<std::size_t>(id - 1)));
        orgs.push_back(MakeOrg(id, p));
        m.parent[id] = p;
    }
    std::vector<OpenTaskFacts> open;
    // A deadline for three tasks in four (0..1,999), none for the rest.
    auto due = [&]() -> std::optional<UnixSeconds> {
        if (pick(4) == 0) return std::nullopt;
        return static_cast<UnixSeconds>(pick(2000));
    };
    for (domain::TaskId id = 1; id <= 200; ++id) {
        OpenTaskFacts t{id, static_cast<OrgId>(1 + pick(30)), static_cast<UnixSeconds>(pick(1000)), due()};
        open.push_back(t);
        m.open[id] = t;
    }
    auto built = TaskIndex::Build(orgs, open, {}, options);
    ASSERT_OK(built);
    TaskIndex& ix = **built;
    OrgId next_org = 31;
    std::int64_t next_step = 1;
    for (int i = 0; i < 300; ++i) {
        const int op = static_cast<int>(pick(10));
        std::vector<OrgId> ids{1};
        for (const auto& [id, p] : m.parent) ids.push_back(id);
        if (op <= 2) {  // a new or changed open task (owner, last activity and deadline may change)
            OpenTaskFacts t{static_cast<domain::TaskId>(1 + pick(300)), ids[pick(ids.size())],
                            static_cast<UnixSeconds>(pick(1000)), due()};
            ASSERT_OK(ix.PutOpenTask(t));
            m.open[t.id] = t;
        } else if (op <= 4) {
            const auto id = static_cast<domain::TaskId>(1 + pick(300));
            ASSERT_OK(ix.DropTask(id));
            m.open.erase(id);
        } else if (op <= 6) {
            StepFacts s{pick(4) == 0 && next_step > 1
                            ? static_cast<std::int64_t>(1 + pick(static_cast<std::size_t>(next_step - 1)))
                            : next_step++,
                        ids[pick(ids.size())], static_cast<UnixSeconds>(pick(1000))};
            if (m.steps.count(s.id)) s = m.steps[s.id];  // a re-read of a step seen before
            ASSERT_OK(ix.AddStep(s));
            m.steps[s.id] = s;
        } else if (op == 7) {
            const OrgId p = ids[pick(ids.size())];
            ASSERT_OK(ix.AddOrg(next_org, p));
            m.parent[next_org++] = p;
        } else {
            const OrgId v = ids[1 + pick(ids.size() - 1)];
            const OrgId to = ids[pick(ids.size())];
            if (m.Under(to, v)) {
                EXPECT_EQ(ix.MoveOrg(v, to).code(), StatusCode::kFailedPrecondition);
            } else {
                ASSERT_OK(ix.MoveOrg(v, to));
                m.parent[v] = to;
            }
        }
        if (i % 30 == 29) {
            ASSERT_OK(ix.CheckInvariants());
            for (OrgId org : ids) {
                for (UnixSeconds before : {0L, 1L, 250L, 500L, 999L, 1000L}) {
                    const UnixSeconds from = static_cast<UnixSeconds>(pick(1000));
                    const UnixSeconds to = from + static_cast<UnixSeconds>(pick(500));
                    auto f = ix.Query(org, before, from, to);
                    ASSERT_OK(f);
                    ASSERT_EQ(*f, m.Count(org, before, from, to)) << "org " << org << " step " << i;
                }
                for (UnixSeconds now : {0L, 1L, 700L, 1500L, 2000L}) {
                    const UnixSeconds due_before = now + static_cast<UnixSeconds>(pick(800));
                    auto d = ix.CountDeadlines(org, now, due_before);
                    ASSERT_OK(d);
                    ASSERT_EQ(*d, m.Deadlines(org, now, due_before)) << "org " << org << " step " << i;
                }
            }
        }
    }
    const TaskIndexMemory mem = ix.Memory();
    EXPECT_EQ(mem.open_tasks, static_cast<std::int64_t>(m.open.size()));
    EXPECT_EQ(mem.steps, static_cast<std::int64_t>(m.steps.size()));
    EXPECT_EQ(mem.deadlines, std::count_if(m.open.begin(), m.open.end(), [](const auto& kv) {
                  return kv.second.due_at.has_value();
              }));
    EXPECT_GT(mem.bytes, 0);
}

TEST(TaskIndexTest, RandomChangesMatchABruteRecount) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        RandomRun(seed, {0, 0});              // every org materialised
        RandomRun(seed, {64, 8});             // some
        RandomRun(seed, {1 << 30, 1 << 30});  // none: every query gathers
    }
}

}  // namespace
}  // namespace rectify::index
