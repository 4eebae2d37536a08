// The task index (issue 6): the two task figures of GET /api/v1/orgs/{id}/stats — `stalled` (open tasks with
// no activity since a cut-off instant) and `supervised_this_month` (督办 steps in a period) — and the totals of
// the overdue and due-soon work queues (GET /api/v1/queues/overdue, /due_soon; issue 11 item 2) for any org
// subtree, answered from memory instead of SQL per request. The service builds it from the store at start
// (Build) and feeds it every committed change (AddOrg, MoveOrg, PutOpenTask, DropTask, AddStep).
// Thread-safety: internally synchronised, with the roll-up index's writer-preferring lock (readers share it;
// a waiting writer makes new readers queue behind it).
//
// The rules it reproduces (the SQL of src/store/supervision_sql.inc, which stays the reference):
//   stalled(v, before)       = Store::CountQueue{kStalled, subtree_paths={path(v)}, stalled_before=before}:
//                              tasks owned (task.org_id) in v's subtree, status pending, in progress or
//                              returned, with created_at, returned_at and every progress report's reported_at
//                              all < before, i.e. last_activity = max(created_at, returned_at, last report)
//                              < before.
//   supervised(v, from, to)  = Store::CountSupervisionSteps(path(v), kSupervise, from, to): steps of kind
//                              supervise with from <= at < to whose org (supervision_step.org_id: the task's
//                              org when the step was taken; it never follows the task) lies in v's subtree.
//   overdue(v, now)          = Store::CountQueue{kOverdue, subtree_paths={path(v)}, now}: open tasks owned in
//                              v's subtree with a deadline (task.due_at) before now.
//   due_soon(v, now, before) = Store::CountQueue{kDueSoon, ..., now, due_before=before}: open tasks owned in
//                              v's subtree with now <= due_at < before.
//
// Design: what is kept, and why.
//   Only what the figures need: an open task is (owner org, last_activity, deadline); a supervise step is
//   (org, at).
//   Closed tasks (submitted, accepted, withdrawn) hold nothing: at province scale (~5,000,000 tasks, most of
//   them closed) the index grows with the open tasks and the supervise steps, not with all tasks.
//   Both figures depend on an instant, so neither is stored as a count (as the roll-up index's invariant 6):
//   each org v keeps the sorted instants of its own open tasks (last activity; and deadline, for those that
//   have one) and of its own steps; a materialised org also keeps the sorted instants of its whole subtree in
//   sorted blocks (<= 512 values of 4 bytes), and a figure is one or two rank queries there:
//   O(blocks + log 512). Sorted blocks instead of per-day buckets: the
//   figures must be exact to the second (the cut-off is `at - stalled_days * 86400` and the month starts at
//   local midnight), and a per-day bucket would need the boundary day's instants anyway; 4 bytes per value
//   per materialised ancestor is less than a day-bucket map's entry once a subtree has more than a few
//   values per day.
//   Materialisation as in the roll-up index: an org gets sorted blocks once its subtree holds at least
//   Options::materialise_items values (open tasks + steps) or Options::materialise_orgs orgs; below that a
//   query visits the subtree's own lists (binary search per org) and the blocks of materialised
//   descendants. Org trees are shallow (a province has 6 levels), so a change touches <= 6 block lists.
//   An org move subtracts the moved subtree's values along the old root path up to the common ancestor and
//   adds them along the new one.
//   Measured at province scale (217,702 orgs, 5,007,146 generated tasks of which 600,885 open, 250,170
//   supervise steps; shared 2-core machine, docs/PERFORMANCE.md#task-index): 15.2 bytes of heap per task
//   without deadlines, 20.4 with the open tasks' deadlines (#queues), a build 0.3-0.5 s of CPU, a query
//   0.4-12 us at p50 for any org, a report (PutOpenTask) ~3 us, moving a county 0.9-9.8 ms.
//
// Invariants (after Build and after every public call that returns OK):
//   1. The orgs form one tree: one root, every other org has a known parent, no cycles.
//   2. sub_items(v) = open tasks owned in v's subtree + supervise steps of orgs in v's subtree;
//      sub_orgs(v) = orgs in v's subtree.
//   3. If v is materialised, its blocks hold exactly the last_activity of every open task owned in v's
//      subtree, the due_at of every such task that has one, and the `at` of every supervise step of an org in
//      v's subtree, each sorted ascending. (Deadlines do not count in sub_items: each belongs to an open task.)
//   4. If v is not materialised, sub_items(v) < materialise_items and sub_orgs(v) < materialise_orgs
//      (blocks, once made, stay when a subtree shrinks; queries are correct either way).
//   5. Every open task is in exactly one org's own list (its owner's; with its deadline in that org's own
//      deadline list when it has one) and in the id -> record map;
//      every supervise step id seen is in the step set, and its instant in exactly one org's own list.
//   6. Instants are seconds clamped to 0..2^32-1 (1970-01-01 .. 2106-02-07), as the roll-up index's records.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"
#include "domain/workflow.hpp"
#include "index/writer_preferring_lock.hpp"

namespace rectify::index {

// One open task (status pending, in progress or returned) as the index keeps it. last_activity: UTC seconds,
// the latest of the task's created_at, returned_at and its progress reports' reported_at.
struct OpenTaskFacts {
    domain::TaskId id = 0;
    domain::OrgId org_id = 0;  // task.org_id, the owner the task counts at
    UnixSeconds last_activity = 0;
    std::optional<UnixSeconds> due_at;  // task.due_at (UTC seconds), the deadline; none: the task has none
};

// One supervision step of kind supervise (督办). org_id: supervision_step.org_id; at: UTC seconds.
struct StepFacts {
    std::int64_t id = 0;  // supervision_step.id
    domain::OrgId org_id = 0;
    UnixSeconds at = 0;
};

struct TaskIndexMemory {
    std::int64_t orgs = 0;
    std::int64_t open_tasks = 0;
    std::int64_t steps = 0;
    std::int64_t materialised_orgs = 0;
    std::int64_t deadlines = 0;  // open tasks with a deadline
    std::int64_t block_values = 0;  // values (4 bytes each) held in the materialised orgs' blocks
    std::int64_t bytes = 0;         // heap bytes held (capacities), estimated from the containers
};

class TaskIndex {
  public:
    struct Options {
        // An org gets sorted blocks once its subtree holds at least this many values (open tasks + supervise
        // steps) or orgs; 0 materialises every org. The defaults are the roll-up index's (docs/PERFORMANCE.md).
        std::int64_t materialise_items = 1024;
        std::int64_t materialise_orgs = 1000;
    };

    // Builds from every org (any order; domain::Org::id and parent_id are used), every open task and every
    // supervise step. Errors: kFailedPrecondition (not one tree: no root or two, unknown parent, cycle),
    // kInvalidArgument (a task's or step's org is unknown, a duplicate task id).
    static Result<std::unique_ptr<TaskIndex>> Build(const std::vector<domain::Org>& orgs,
                                                    const std::vector<OpenTaskFacts>& open_tasks,
                                                    const std::vector<StepFacts>& steps, Options options);
    static Result<std::unique_ptr<TaskIndex>> Build(const std::vector<domain::Org>& orgs,
                                                    const std::vector<OpenTaskFacts>& open_tasks,
                                                    const std::vector<StepFacts>& steps) {
        return Build(orgs, open_tasks, steps, Options{});
    }

    TaskIndex(const TaskIndex&) = delete;
    TaskIndex& operator=(const TaskIndex&) = delete;
    ~TaskIndex();

    // A new leaf org. Errors: kAlreadyExists (id taken), kNotFound (parent).
    Status AddOrg(domain::OrgId id, domain::OrgId parent);
    // Re-parents `id` with its subtree (its tasks and steps go along). Errors: kNotFound (either org),
    // kFailedPrecondition (`id` is the root, or `new_parent` lies inside the moved subtree). Moving to the
    // current parent is a no-op.
    Status MoveOrg(domain::OrgId id, domain::OrgId new_parent);

    // Inserts or replaces the open task facts.id (its owner, last activity and deadline may have changed).
    // Errors: kInvalidArgument (unknown org).
    Status PutOpenTask(const OpenTaskFacts& facts);
    // Forgets task `id` (it is no longer open); a task the index does not hold is no error.
    Status DropTask(domain::TaskId id);
    // Adds a supervise step unless a step with its id was added before (steps are never changed or deleted,
    // so re-reading a task's steps after every event is safe). Errors: kInvalidArgument (unknown org).
    Status AddStep(const StepFacts& step);

    struct Figures {
        std::int64_t stalled = 0;     // open tasks in the subtree with last_activity < stalled_before
        std::int64_t supervised = 0;  // supervise steps in the subtree with from <= at < to
        bool operator==(const Figures&) const = default;
    };
    // Both figures of `root`'s subtree under one lock: stalled before `stalled_before` (UTC seconds) and
    // supervise steps in [from, to) (empty when to <= from). Errors: kNotFound (unknown org).
    Result<Figures> Query(domain::OrgId root, UnixSeconds stalled_before, UnixSeconds from, UnixSeconds to) const;

    struct Deadlines {
        std::int64_t overdue = 0;   // open tasks in the subtree with due_at < now
        std::int64_t due_soon = 0;  // open tasks in the subtree with now <= due_at < due_before
        bool operator==(const Deadlines&) const = default;
    };
    // The totals of the overdue and due-soon work queues of `root`'s subtree at `now` (UTC seconds; due soon
    // empty when due_before <= now), under one lock. Errors: kNotFound (unknown org).
    Result<Deadlines> CountDeadlines(domain::OrgId root, UnixSeconds now, UnixSeconds due_before) const;

    bool ContainsOrg(domain::OrgId id) const;
    TaskIndexMemory Memory() const;
    // Checks invariants 1-5 by recounting every subtree from the orgs' own lists; for tests only
    // (O(orgs * subtree size)). Errors: kInternal naming the first org that differs.
    Status CheckInvariants() const;

  private:
    struct Impl;
    explicit TaskIndex(std::unique_ptr<Impl> impl);

    WriterPreferringLock lock_;  // writer_preferring_lock.hpp: readers share it, writers are preferred
    std::unique_ptr<Impl> impl_;
};

}  // namespace rectify::index
