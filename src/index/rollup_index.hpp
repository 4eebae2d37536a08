// The roll-up index (issue 6): problem figures for any org subtree — counts by status, category and source,
// overdue and due soon at a given instant, days to close (median, 90th percentile), on-time and completion
// rates, weekly created/closed series — answered from memory instead of SQL. The service is to build it from
// the store at start (Build) and feed it every committed change (AddOrg, MoveOrg, Insert, Update, Remove).
// Thread-safety: internally synchronised. Readers (Query, QueryChildren, Memory) share a lock; writers take it
// exclusively, one at a time, and are preferred: once a writer waits, new readers queue behind it, so a
// steady stream of dashboards cannot starve updates. Readers hold the lock for one query (~20-50 us).
//
// Design: aggregates along the root path, not Fenwick trees over the Euler order.
//   An org v may hold an aggregate agg(v): sparse counters (key -> count, in sorted blocks of <= 128) of every
//   problem in v's subtree; keys combine a "combo" (top-level category x source) with a status, a day count,
//   a week or a deadline (rollup_index.cpp, ForEachKey). A change to a problem owned by o adds/subtracts its
//   keys in agg(a) for every ancestor a of o (o included) that has one: O(depth * log). A query reads one
//   aggregate: the counts, the 12 weeks asked for, and one run of deadlines and days (per matching combo when
//   filtered). Org trees are shallow — a province has 6 levels — so an update touches <= 6 aggregates where
//   a Fenwick tree over the Euler order touches ~log2(200,000) = 18 nodes, and a query reads 1 aggregate where
//   a Fenwick range sum merges ~2 * 18 sparse nodes. The price: updates cost O(depth), so a degenerate tree
//   thousands of levels deep would be slow.
//   Org moves renumber nothing: the moved subtree's aggregate is subtracted along the old root path and added
//   along the new one, O(depth * |agg(v)|). Measured at province scale (217,702 orgs, 2,177,020 problems,
//   on a shared 2-core machine, docs/PERFORMANCE.md): moving a county with its subtree 10-34 ms, a status
//   change 17-36 us, a subtree query 9-33 us at p50 for a county, a city or the province, a build 3.3-4.1 s of
//   CPU, ~96 bytes per problem.
//   Small subtrees are not materialised: below Options' thresholds (1,024 problems, 1,000 orgs) a query
//   visits the subtree's raw records (32 bytes each) and the aggregates of any materialised descendants.
//
// Invariants (after Build and after every public call that returns OK):
//   1. The orgs form one tree: one root, every other org has a known parent, no cycles.
//   2. subtree_problems(v) and subtree_orgs(v) count the problems owned in, and the orgs of, v's subtree.
//   3. If agg(v) exists, it equals the sum of the keys (ForEachKey) of every problem owned in v's subtree,
//      with no zero entries.
//   4. If agg(v) does not exist, subtree_problems(v) < Options::materialise_problems and
//      subtree_orgs(v) < Options::materialise_orgs. (An aggregate, once made, stays when its subtree shrinks;
//      queries are correct either way, since a gather uses whatever descendants hold an aggregate.)
//   5. Every problem is in exactly one owner's list, at the position its record names.
//   6. Time-dependent figures are never stored: aggregates keep each open problem's (combo, due_at), and
//      overdue / due soon are range sums over them at the `now` of the query.
//   7. Every record holds its problem's created_at (seconds, clamped to 0..2^32-1, i.e. up to 2106-02-07) and
//      the id of its interned tag set (campaign and special items); tag sets are never freed.
// Filters by campaign, special item, owner org batch, owner org kind or created period (FiguresQuery's
// "record filters") are not in the aggregates' keys: such a query visits every record of the subtree (32
// bytes each, ~15-30 ns; docs/PERFORMANCE.md#record-filters) and skips orgs and records that do not pass.
// Not here: tasks (the index counts problems; the task figures are in task_index.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"
#include "index/writer_preferring_lock.hpp"

namespace rectify::index {

inline constexpr std::size_t kStatusCount = domain::EnumNames<domain::ProblemStatus>::kNames.size();
inline constexpr std::size_t kSourceCount = domain::EnumNames<domain::ProblemSource>::kNames.size();
inline constexpr int kMaxWeeks = 520;  // longest weekly series a query may ask for (10 years)

// The facts of one problem the index needs; the service fills it from domain::Problem. Instants are UTC
// seconds (common/time.hpp) and should lie in 1970..2500: earlier instants count as 1970-01-01T00:00Z, and
// weeks after the year 2500 are not told apart.
struct ProblemFacts {
    domain::ProblemId id = 0;
    domain::OrgId owner_org_id = 0;
    domain::ProblemStatus status = domain::ProblemStatus::kRegistered;
    std::optional<domain::CategoryId> top_category_id;  // the top-level (depth 1) category, or none
    domain::ProblemSource source = domain::ProblemSource::kOther;
    UnixSeconds created_at = 0;
    std::optional<UnixSeconds> due_at;
    std::optional<UnixSeconds> closed_at;  // used only while status is kClosed
    // ---- campaigns (issue 5): the record filters of FiguresQuery ----
    std::optional<domain::CampaignId> campaign_id;
    std::vector<domain::SpecialItemId> special_item_ids;  // any order; duplicates are ignored
};

// The facts of one org the record filters need (domain::Org::kind and batch).
struct OrgFacts {
    domain::OrgKind kind = domain::OrgKind::kPartyGovAgency;
    int batch = 0;  // 0 none, 1 first, 2 second (0..255 accepted)
};

// Open = registered, planned, in progress or pending verification; closed, invalid and merged are not open.
bool IsOpen(domain::ProblemStatus status);

// Restricts a query to problems of one top-level category (`id`), or, with id == nullopt, to problems
// without a category.
struct CategoryFilter {
    std::optional<domain::CategoryId> id;
};

struct FiguresQuery {
    domain::OrgId root = 0;  // the subtree's root org
    UnixSeconds now = 0;     // the instant overdue, due soon and the weekly series are computed at
    std::int64_t due_soon_seconds = 7 * kSecondsPerDay;  // due soon = open and now <= due_at < now + this
    int weeks = 12;  // length of the weekly series (0..kMaxWeeks); the last week is the one containing `now`
    std::optional<CategoryFilter> category;    // none: every category
    std::optional<domain::ProblemSource> source;  // none: every source
    // Record filters (invariant 7: a query with any of them visits every record of the subtree).
    std::optional<domain::CampaignId> campaign;        // only problems tagged with this campaign
    std::optional<domain::SpecialItemId> special_item;  // only problems tagged with this special item
    std::optional<int> batch;                          // only problems whose owner org has this batch
    std::optional<domain::OrgKind> org_kind;           // only problems whose owner org has this kind
    std::optional<UnixSeconds> created_from;           // only problems with created_from <= created_at
    std::optional<UnixSeconds> created_to;             // ... and created_at < created_to
    bool HasRecordFilter() const {
        return campaign || special_item || batch || org_kind || created_from || created_to;
    }
};

// A rate as numerator / denominator; the caller divides (and decides what 0/0 shows).
struct Rate {
    std::int64_t numerator = 0;
    std::int64_t denominator = 0;
    bool operator==(const Rate&) const = default;
};

struct CategoryCount {
    std::optional<domain::CategoryId> category_id;  // nullopt: problems without a category
    std::int64_t count = 0;
    bool operator==(const CategoryCount&) const = default;
};

// One ISO week (common/time.hpp: Monday 00:00 in the display zone).
struct WeekCounts {
    UnixSeconds week_start = 0;
    std::int64_t created = 0;  // problems whose created_at falls in the week (any status)
    std::int64_t closed = 0;   // problems with status closed whose closed_at falls in the week
    bool operator==(const WeekCounts&) const = default;
};

// Figures of the problems in one subtree that pass the query's filters.
struct Figures {
    std::int64_t problems = 0;
    std::array<std::int64_t, kStatusCount> by_status{};  // indexed by domain::ProblemStatus
    std::array<std::int64_t, kSourceCount> by_source{};  // indexed by domain::ProblemSource
    std::vector<CategoryCount> by_category;              // non-zero only; uncategorised first, then by id
    std::int64_t open = 0;                               // see IsOpen
    // closed / (problems - invalid - merged): problems found untrue or merged are nothing to rectify.
    Rate completion;
    std::int64_t overdue = 0;   // open and due_at < now
    std::int64_t due_soon = 0;  // open and now <= due_at < now + due_soon_seconds
    Rate overdue_rate;          // overdue / open
    // closed at or before due_at / closed problems with both closed_at and due_at
    Rate on_time;
    // Days to close = floor((closed_at - created_at) / 86400), clamped to [0, 65534]: whole days, over closed
    // problems with a closed_at (`closed_timed` of them). Percentiles by the nearest-rank method: the
    // smallest d such that at least ceil(p * closed_timed) of them took <= d days. nullopt when none.
    std::int64_t closed_timed = 0;
    std::optional<std::int64_t> median_days_to_close;
    std::optional<std::int64_t> p90_days_to_close;
    std::vector<WeekCounts> weekly;  // oldest first; query.weeks entries
    bool operator==(const Figures&) const = default;
};

struct IndexMemory {
    std::int64_t orgs = 0;
    std::int64_t problems = 0;
    std::int64_t materialised_orgs = 0;
    std::int64_t aggregate_entries = 0;  // counter entries over all aggregates, and by map:
    std::int64_t count_entries = 0, days_entries = 0, week_entries = 0, due_entries = 0;
    std::int64_t bytes = 0;              // heap bytes held (capacities), estimated from the containers
};

class RollupIndex {
public:
    struct Options {
        // An org gets an aggregate once its subtree holds at least this many problems or orgs. Smaller
        // subtrees are gathered per query: the thresholds bound that work. 0 materialises every org.
        // The defaults keep a province (2.2M problems) near 100 bytes per problem with every subtree query
        // under ~50 us (docs/PERFORMANCE.md).
        std::int64_t materialise_problems = 1024;
        std::int64_t materialise_orgs = 1000;
    };

    // Builds from every org (any order; domain::Org::id, parent_id, kind and batch are used) and every problem.
    // Errors: kFailedPrecondition (not one tree: no root or two, unknown parent, cycle), kInvalidArgument
    // (a problem's owner is unknown, a duplicate problem id, more than 8190 top-level categories or 65,535
    // tag sets, a batch outside 0..255).
    static Result<std::unique_ptr<RollupIndex>> Build(const std::vector<domain::Org>& orgs,
                                                      const std::vector<ProblemFacts>& facts, Options options);
    static Result<std::unique_ptr<RollupIndex>> Build(const std::vector<domain::Org>& orgs,
                                                      const std::vector<ProblemFacts>& facts) {
        return Build(orgs, facts, Options{});
    }

    RollupIndex(const RollupIndex&) = delete;
    RollupIndex& operator=(const RollupIndex&) = delete;
    ~RollupIndex();

    // A new leaf org. Errors: kAlreadyExists (id taken), kNotFound (parent), kInvalidArgument (batch outside
    // 0..255).
    Status AddOrg(domain::OrgId id, domain::OrgId parent, OrgFacts facts = {});
    // Replaces an org's kind and batch (what the batch and org_kind filters test). Errors: kNotFound,
    // kInvalidArgument (batch outside 0..255).
    Status SetOrgFacts(domain::OrgId id, OrgFacts facts);
    // Re-parents `id` with its subtree. Errors: kNotFound (either org), kFailedPrecondition (`id` is the
    // root, or `new_parent` lies inside the moved subtree). Moving to the current parent is a no-op.
    Status MoveOrg(domain::OrgId id, domain::OrgId new_parent);

    // Errors: kAlreadyExists (id taken), kInvalidArgument (unknown owner org, more than 8190 top-level
    // categories, more than 65,535 distinct tag sets (campaign + special items) ever seen).
    Status Insert(const ProblemFacts& facts);
    // Replaces every fact of problem facts.id (status, category, owner, due, closed, ...).
    // Errors: kNotFound (no such problem), kInvalidArgument (as Insert).
    Status Update(const ProblemFacts& facts);
    // Errors: kNotFound.
    Status Remove(domain::ProblemId id);

    // Figures of query.root's subtree. Errors: kNotFound (unknown org), kInvalidArgument (weeks outside
    // 0..kMaxWeeks, negative due_soon_seconds).
    Result<Figures> Query(const FiguresQuery& query) const;
    // The figures of each child of query.root (ascending org id), under one lock (consistent with each
    // other), for rankings. Errors: as Query.
    Result<std::vector<std::pair<domain::OrgId, Figures>>> QueryChildren(const FiguresQuery& query) const;

    bool ContainsOrg(domain::OrgId id) const;
    IndexMemory Memory() const;
    // Checks invariants 1-5 by recounting every subtree and aggregate from the problems; for tests only
    // (O(orgs * subtree size)).
    // Errors: kInternal naming the first org that differs.
    Status CheckInvariants() const;

private:
    struct Impl;
    explicit RollupIndex(std::unique_ptr<Impl> impl);

    WriterPreferringLock lock_;  // writer_preferring_lock.hpp: readers share it, writers are preferred
    std::unique_ptr<Impl> impl_;
};

}  // namespace rectify::index
