// The side-figures index (issue 6): the opinion and link figures of /orgs/{id}/stats for any org subtree —
// opinions, replied, rated, satisfied, basically satisfied (store::SubtreeFigures' opinion part), co_owned,
// escalated_up, cascaded_down, cascaded_in (store::SubtreeLinkFigures) and escalated_from per origin org
// (Store::EscalatedFrom) — answered from memory in O(1) per org instead of SQL per request. The service builds
// it beside the roll-up index (rollup_index.hpp) and feeds it the re-read facts of every committed change.
// Thread-safety: internally synchronised; readers share a lock, writers take it exclusively and are preferred
// (writer_preferring_lock.hpp).
//
// Design: per-org counters, two kinds.
//   Additive figures (the opinion counts, cascaded_down, escalated_from) belong to one org each — an opinion
//   to its org, a cascade's created child tasks to the issuing org, a problem's distinct accepted escalation
//   origins to its owner — so every node v keeps the total over its subtree, and a change adds its delta at
//   the org and every ancestor: O(depth).
//   "Inside but not outside" figures (co_owned, escalated_up, cascaded_in) hold, for one linked problem or
//   child task, at the orgs that contain an inside org (a co-owner / an accepted escalation's origin / the
//   child task's org) but not the other end (the owner / the issuing org): the root path of each inside org
//   up to, not including, the first ancestor-or-self of the other end. Each node v keeps a mark count: how
//   many records hold at v. A problem's co-owners (or origins) mark the union of their paths, so a problem
//   counts once per org (docs/LINKAGE.md#link-figures, "each problem or task counted once"); each child task
//   marks its own path (tasks are counted one by one).
//   Records: one per opinion (its org and flags, 8 bytes in a vector indexed by id, ids being dense; a hash
//   map for ids far beyond the count), one per problem that has a co-owner or an accepted escalation (owner,
//   co-owner orgs, origin orgs), one per cascade (issuing org, created, child tasks grouped by org). A changed
//   record is unmarked/subtracted with its old facts and marked/added with the new ones.
//   Org moves: the moved subtree's additive totals are subtracted along the old root path and added along the
//   new one, O(depth); every problem and cascade record is scanned and those with an org inside the moved
//   subtree are unmarked before and re-marked after the move (the only records whose marks can change: a
//   record with no org inside the subtree keeps its orgs' root paths). Link records are few beside problems
//   (the generated city: 3,544 for 237,200 problems), so the scan is cheap: a township moved and back in
//   3.4 ms (Debug build, docs/PERFORMANCE.md#side-figures).
//
// Invariants (after Build and after every public call that returns OK):
//   1. The orgs form one tree: one root, every other org has a known parent, no cycles.
//   2. For every org v, each additive figure at v equals the sum over the opinions / cascades / linked
//      problems whose org (opinion's org, issuing org, owner) lies in v's subtree; escalated_from(v) has no
//      zero entries and is sorted by origin org id.
//   3. For every org v, co_owned(v) / escalated_up(v) count the problem records with a co-owner / an origin
//      in v's subtree whose owner is not in it, and cascaded_in(v) the child tasks in v's subtree whose
//      cascade was issued by an org not in it.
//   4. Every org named by a record is in the tree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "domain/linkage.hpp"
#include "domain/model.hpp"
#include "index/writer_preferring_lock.hpp"

namespace rectify::index {

// One opinion as Store::OpinionFigures counts it: at its org; replied when replied_at is set; rated with the
// opinion's satisfaction column (the last rating of its last reply, domain::Opinion::satisfaction).
struct OpinionFacts {
    domain::OpinionId id = 0;
    domain::OrgId org_id = 0;
    bool replied = false;
    std::optional<domain::Satisfaction> satisfaction;
};

// The link facts of one problem: its owner, the orgs of its co-owners (同题共答) and the distinct origin orgs
// of its accepted escalations (下题上答). Both lists empty: the problem takes no part (its record is dropped).
struct ProblemLinkFacts {
    domain::ProblemId id = 0;
    domain::OrgId owner_org_id = 0;
    std::vector<domain::OrgId> co_owner_org_ids;          // any order; duplicates are ignored
    std::vector<domain::OrgId> escalation_origin_org_ids;  // any order; duplicates are ignored
};

// One cascade (上题下答): the issuing org (task_cascade.org_id), its `created` count (waived children
// included) and its child tasks (task.cascade_id = id) grouped by org: (org id, number of child tasks).
struct CascadeFacts {
    domain::CascadeId id = 0;
    domain::OrgId issuing_org_id = 0;
    std::int64_t created = 0;
    std::vector<std::pair<domain::OrgId, std::int64_t>> child_task_orgs;
};

// The figures of one subtree. Rules: store::SubtreeFigures, store::SubtreeLinkFigures, Store::EscalatedFrom.
struct SideFigures {
    std::int64_t opinions = 0;
    std::int64_t opinions_replied = 0;
    std::int64_t opinions_rated = 0;
    std::int64_t opinions_satisfied = 0;
    std::int64_t opinions_basically_satisfied = 0;
    std::int64_t co_owned = 0;
    std::int64_t escalated_up = 0;
    std::int64_t cascaded_down = 0;
    std::int64_t cascaded_in = 0;
    // (origin org id, problems owned in the subtree with an accepted escalation from it), ascending by id.
    std::vector<std::pair<domain::OrgId, std::int64_t>> escalated_from;
    bool operator==(const SideFigures&) const = default;
};

struct SideIndexMemory {
    std::int64_t orgs = 0;
    std::int64_t opinions = 0;
    std::int64_t problem_records = 0;     // problems with a co-owner or an accepted escalation
    std::int64_t cascade_records = 0;
    std::int64_t child_task_groups = 0;   // (org, count) entries over all cascades
    std::int64_t escalated_from_entries = 0;
    std::int64_t bytes = 0;  // heap bytes held (capacities, hash tables' slots), estimated from the containers
    std::int64_t opinion_bytes = 0;  // ... of which the opinion table
    std::int64_t record_bytes = 0;   // ... of which the problem and cascade records (with their vectors)
};

class SideIndex {
public:
    // Builds from every org (any order; id and parent_id are used), opinion, linked problem and cascade.
    // Errors: kFailedPrecondition (not one tree), kInvalidArgument (an unknown org in a fact, a duplicate id).
    static Result<std::unique_ptr<SideIndex>> Build(const std::vector<domain::Org>& orgs,
                                                    const std::vector<OpinionFacts>& opinions,
                                                    const std::vector<ProblemLinkFacts>& problems,
                                                    const std::vector<CascadeFacts>& cascades);
    SideIndex(const SideIndex&) = delete;
    SideIndex& operator=(const SideIndex&) = delete;
    ~SideIndex();

    bool ContainsOrg(domain::OrgId id) const;
    // A new leaf org. Errors: kAlreadyExists (id taken), kNotFound (parent).
    Status AddOrg(domain::OrgId id, domain::OrgId parent);
    // Re-parents `id` with its subtree. Errors: kNotFound (either org), kFailedPrecondition (`id` is the root,
    // or `new_parent` lies inside the moved subtree). Moving to the current parent is a no-op.
    Status MoveOrg(domain::OrgId id, domain::OrgId new_parent);

    // Inserts or replaces an opinion. Errors: kNotFound (unknown org; nothing changes).
    Status PutOpinion(const OpinionFacts& facts);
    // Inserts, replaces or (both lists empty) drops a problem's link record. Errors: kNotFound (unknown org;
    // nothing changes).
    Status PutProblem(const ProblemLinkFacts& facts);
    // Inserts or replaces a cascade. Errors: kNotFound (unknown org; nothing changes), kInvalidArgument
    // (negative counts).
    Status PutCascade(const CascadeFacts& facts);

    // The figures of `root`'s subtree: O(1) plus the escalated_from list. Errors: kNotFound (unknown org).
    Result<SideFigures> Query(domain::OrgId root) const;
    SideIndexMemory Memory() const;

private:
    struct Impl;
    explicit SideIndex(std::unique_ptr<Impl> impl);
    WriterPreferringLock lock_;  // writer_preferring_lock.hpp: readers share it, writers are preferred
    std::unique_ptr<Impl> impl_;
};

}  // namespace rectify::index
