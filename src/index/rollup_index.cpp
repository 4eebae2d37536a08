#include "index/rollup_index.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <string>

#include <boost/unordered/unordered_flat_map.hpp>

namespace rectify::index {
namespace {

using domain::CategoryId;
using domain::OrgId;
using domain::ProblemId;
using domain::ProblemStatus;

using Slot = std::uint32_t;
constexpr Slot kNoSlot = std::numeric_limits<Slot>::max();

// ---- key encoding ----
// combo = category index * 8 + source (16 bits); category index 0 = no category, 1.. = top-level categories
// in the order the index first saw them.
constexpr std::uint32_t kSourceBits = 3;
static_assert(kSourceCount <= (1u << kSourceBits));
constexpr std::uint32_t kSourceMask = (1u << kSourceBits) - 1;
constexpr std::uint32_t kMaxCategoryIndex = (1u << (16 - kSourceBits)) - 2;  // 8190: combos stay below kAll
constexpr std::uint32_t kAll = 0xFFFF;  // the pseudo-combo of the unfiltered marginals
static_assert(kStatusCount <= 7, "counter kinds 7.. follow the statuses");

// The four counter maps of an aggregate, and the keys a problem puts into them:
//   counts: kind << 16 | combo, kind = the status (0..6) or one of the extra kinds below;
//   days:   combo << 16 | days to close, and kAll << 16 | days (closed problems with closed_at);
//   weeks:  week << 17 | closed? << 16 | combo (week of created_at; and of closed_at for closed problems);
//   due:    combo << 48 | due_at, and kAll << 48 | due_at (open problems with a due date).
// Key order puts what a query reads together: a combo's days and deadlines in a run, the kAll marginal
// (what unfiltered queries read: one run instead of one per combo) last, weeks ascending.
enum class Map : std::uint8_t { kCounts, kDays, kWeeks, kDue };
constexpr std::uint32_t kKindClosedTimed = 7;   // status closed and closed_at known
constexpr std::uint32_t kKindClosedWithDue = 8;  // ... and due_at known
constexpr std::uint32_t kKindClosedOnTime = 9;   // ... and closed_at <= due_at
constexpr std::int64_t kMaxDays = 65534;  // so that every days key lies below the bound 2^32 - 1
constexpr std::int64_t kMaxWeek = 32767;             // weeks after 1969-12-29, up to the year 2598
constexpr std::int64_t kMaxInstant = (1LL << 47) - 1;  // fits the 48 bits of a due key

std::int64_t Clamp(std::int64_t v, std::int64_t lo, std::int64_t hi) { return std::min(std::max(v, lo), hi); }
UnixSeconds ClampInstant(UnixSeconds t) { return Clamp(t, 0, kMaxInstant); }

std::uint64_t DueKey(std::uint32_t combo, UnixSeconds due) {
    return (static_cast<std::uint64_t>(combo) << 48) | static_cast<std::uint64_t>(due);
}

// ---- a sparse counter: key -> count in sorted blocks ----
// Blocks hold 1..kMaxBlock entries in ascending key order, with their sum; blocks are in key order. Entries
// with count 0 are removed. Add is O(log blocks + kMaxBlock); Sum over a key range is O(log blocks +
// blocks spanned + kMaxBlock).
template <typename Key>
class Counter {
public:
    using Entry = std::pair<Key, std::int64_t>;
    static constexpr std::size_t kMaxBlock = 128;
    static constexpr std::size_t kFillBlock = 96;  // entries per block when built in bulk

    // Precondition: a negative delta never takes a count below zero (the index only removes what it added).
    void Add(Key key, std::int64_t delta) {
        if (delta == 0) return;
        if (blocks_.empty()) {
            assert(delta > 0);
            blocks_.push_back(Block{{key}, {static_cast<std::int32_t>(delta)}, delta});
            ++size_;
            return;
        }
        auto bi = std::partition_point(blocks_.begin(), blocks_.end(),
                                       [&](const Block& b) { return b.keys.back() < key; });
        if (bi == blocks_.end()) --bi;
        Block& b = *bi;
        auto it = std::lower_bound(b.keys.begin(), b.keys.end(), key);
        auto i = static_cast<std::size_t>(it - b.keys.begin());
        b.sum += delta;
        if (it != b.keys.end() && *it == key) {
            b.counts[i] += static_cast<std::int32_t>(delta);
            assert(b.counts[i] >= 0);
            if (b.counts[i] == 0) {
                b.keys.erase(it);
                b.counts.erase(b.counts.begin() + static_cast<std::ptrdiff_t>(i));
                --size_;
                if (b.keys.empty()) blocks_.erase(bi);
            }
            return;
        }
        assert(delta > 0);
        b.keys.insert(it, key);
        b.counts.insert(b.counts.begin() + static_cast<std::ptrdiff_t>(i), static_cast<std::int32_t>(delta));
        ++size_;
        if (b.keys.size() > kMaxBlock) {
            Block tail;
            std::size_t half = b.keys.size() / 2;
            tail.keys.assign(b.keys.begin() + static_cast<std::ptrdiff_t>(half), b.keys.end());
            tail.counts.assign(b.counts.begin() + static_cast<std::ptrdiff_t>(half), b.counts.end());
            b.keys.resize(half);
            b.counts.resize(half);
            for (std::int32_t c : tail.counts) tail.sum += c;
            b.sum -= tail.sum;
            blocks_.insert(bi + 1, std::move(tail));
        }
    }

    // Sum of the counts of keys in [lo, hi).
    std::int64_t Sum(Key lo, Key hi) const {
        std::int64_t s = 0;
        if (lo >= hi) return s;
        auto bi = std::partition_point(blocks_.begin(), blocks_.end(), [&](const Block& b) { return b.keys.back() < lo; });
        for (; bi != blocks_.end(); ++bi) {
            const Block& b = *bi;
            if (b.keys.front() >= hi) break;
            if (b.keys.front() >= lo && b.keys.back() < hi) {
                s += b.sum;
                continue;
            }
            auto from = std::lower_bound(b.keys.begin(), b.keys.end(), lo) - b.keys.begin();
            auto to = std::lower_bound(b.keys.begin(), b.keys.end(), hi) - b.keys.begin();
            for (auto i = from; i < to; ++i) s += b.counts[static_cast<std::size_t>(i)];
            if (static_cast<std::size_t>(to) < b.keys.size()) break;
        }
        return s;
    }

    // Calls f(key, count) for the keys in [lo, hi), ascending.
    template <typename F>
    void ForEach(Key lo, Key hi, F&& f) const {
        if (lo >= hi) return;
        auto bi = std::partition_point(blocks_.begin(), blocks_.end(), [&](const Block& b) { return b.keys.back() < lo; });
        for (; bi != blocks_.end(); ++bi) {
            const Block& b = *bi;
            auto i = static_cast<std::size_t>(std::lower_bound(b.keys.begin(), b.keys.end(), lo) - b.keys.begin());
            for (; i < b.keys.size(); ++i) {
                if (b.keys[i] >= hi) return;
                f(b.keys[i], static_cast<std::int64_t>(b.counts[i]));
            }
        }
    }
    template <typename F>
    void ForEachAll(F&& f) const {
        for (const Block& b : blocks_) {
            for (std::size_t i = 0; i < b.keys.size(); ++i) f(b.keys[i], static_cast<std::int64_t>(b.counts[i]));
        }
    }

    void AppendTo(std::vector<Entry>& out) const {
        out.reserve(out.size() + size_);
        ForEachAll([&](Key k, std::int64_t c) { out.emplace_back(k, c); });
    }

    // Replaces the content. Precondition: `sorted` is strictly ascending by key, with positive counts.
    void Assign(const std::vector<Entry>& sorted) {
        blocks_.clear();
        size_ = sorted.size();
        blocks_.reserve((sorted.size() + kFillBlock - 1) / kFillBlock);
        for (std::size_t i = 0; i < sorted.size(); i += kFillBlock) {
            Block b;
            std::size_t end = std::min(sorted.size(), i + kFillBlock);
            b.keys.reserve(end - i);
            b.counts.reserve(end - i);
            for (std::size_t j = i; j < end; ++j) {
                b.keys.push_back(sorted[j].first);
                b.counts.push_back(static_cast<std::int32_t>(sorted[j].second));
                b.sum += sorted[j].second;
            }
            blocks_.push_back(std::move(b));
        }
    }

    // Adds sign * count for every entry of `sorted` (ascending keys). Few entries are added one by one; many
    // are merged in one linear pass.
    void AddSorted(const std::vector<Entry>& sorted, int sign) {
        if (sorted.size() * 8 < size_) {
            for (const auto& [k, c] : sorted) Add(k, sign * c);
            return;
        }
        std::vector<Entry> mine;
        AppendTo(mine);
        std::vector<Entry> merged;
        merged.reserve(mine.size() + sorted.size());
        std::size_t i = 0, j = 0;
        while (i < mine.size() || j < sorted.size()) {
            if (j == sorted.size() || (i < mine.size() && mine[i].first < sorted[j].first)) {
                merged.push_back(mine[i++]);
            } else if (i == mine.size() || sorted[j].first < mine[i].first) {
                assert(sign > 0);
                merged.emplace_back(sorted[j].first, sign * sorted[j].second);
                ++j;
            } else {
                std::int64_t c = mine[i].second + sign * sorted[j].second;
                assert(c >= 0);
                if (c != 0) merged.emplace_back(mine[i].first, c);
                ++i;
                ++j;
            }
        }
        Assign(merged);
    }

    std::size_t size() const { return size_; }
    std::size_t Bytes() const {
        std::size_t bytes = blocks_.capacity() * sizeof(Block);
        for (const Block& b : blocks_) bytes += b.keys.capacity() * sizeof(Key) + b.counts.capacity() * sizeof(std::int32_t);
        return bytes;
    }

private:
    struct Block {
        std::vector<Key> keys;
        std::vector<std::int32_t> counts;
        std::int64_t sum = 0;
    };
    std::vector<Block> blocks_;
    std::size_t size_ = 0;
};

// Counter entries of a subtree before they become an aggregate (gathered, then sorted and combined).
struct Entries {
    std::vector<Counter<std::uint32_t>::Entry> counts, days, weeks;
    std::vector<Counter<std::uint64_t>::Entry> due;

    void Add(Map map, std::uint64_t key, std::int64_t n) {
        switch (map) {
            case Map::kCounts: counts.emplace_back(static_cast<std::uint32_t>(key), n); break;
            case Map::kDays: days.emplace_back(static_cast<std::uint32_t>(key), n); break;
            case Map::kWeeks: weeks.emplace_back(static_cast<std::uint32_t>(key), n); break;
            case Map::kDue: due.emplace_back(key, n); break;
        }
    }

    // Sorts by key, adds up equal keys and drops zero counts.
    void Normalise() {
        Sort(counts);
        Sort(days);
        Sort(weeks);
        Sort(due);
        Combine(counts);
        Combine(days);
        Combine(weeks);
        Combine(due);
    }

    // Marks where the next sorted run starts (MergeRuns): everything appended since the previous mark, or
    // since the start, must be sorted by key.
    void MarkRun() {
        starts[0].push_back(counts.size());
        starts[1].push_back(days.size());
        starts[2].push_back(weeks.size());
        starts[3].push_back(due.size());
    }
    // Like Normalise, for content made of sorted runs: merges them pairwise (log runs passes, where a sort
    // would take log n), then combines.
    void MergeRuns() {
        MergeRuns(counts, starts[0]);
        MergeRuns(days, starts[1]);
        MergeRuns(weeks, starts[2]);
        MergeRuns(due, starts[3]);
        for (auto& s : starts) s.clear();
    }

private:
    static constexpr auto kByKey = [](const auto& a, const auto& b) { return a.first < b.first; };

    template <typename V>
    static void Sort(V& v) {
        std::sort(v.begin(), v.end(), kByKey);
    }
    template <typename V>
    static void Combine(V& v) {
        std::size_t out = 0;
        for (std::size_t i = 0; i < v.size();) {
            auto key = v[i].first;
            std::int64_t c = 0;
            for (; i < v.size() && v[i].first == key; ++i) c += v[i].second;
            if (c != 0) v[out++] = {key, c};
        }
        v.resize(out);
    }
    template <typename V>
    static void MergeRuns(V& v, const std::vector<std::size_t>& marks) {
        std::vector<std::size_t> bounds{0};
        for (std::size_t m : marks) {
            if (m > bounds.back()) bounds.push_back(m);
        }
        if (v.size() > bounds.back()) bounds.push_back(v.size());
        while (bounds.size() > 2) {
            std::vector<std::size_t> next;
            const std::size_t runs = bounds.size() - 1;
            for (std::size_t i = 0; i < runs; i += 2) {
                next.push_back(bounds[i]);
                if (i + 1 < runs) {
                    std::inplace_merge(v.begin() + static_cast<std::ptrdiff_t>(bounds[i]),
                                       v.begin() + static_cast<std::ptrdiff_t>(bounds[i + 1]),
                                       v.begin() + static_cast<std::ptrdiff_t>(bounds[i + 2]), kByKey);
                }
            }
            next.push_back(bounds[runs]);
            bounds = std::move(next);
        }
        Combine(v);
    }

    std::array<std::vector<std::size_t>, 4> starts;
};

struct Agg {
    Counter<std::uint32_t> counts, days, weeks;
    Counter<std::uint64_t> due;

    void Add(Map map, std::uint64_t key, std::int64_t n) {
        switch (map) {
            case Map::kCounts: counts.Add(static_cast<std::uint32_t>(key), n); break;
            case Map::kDays: days.Add(static_cast<std::uint32_t>(key), n); break;
            case Map::kWeeks: weeks.Add(static_cast<std::uint32_t>(key), n); break;
            case Map::kDue: due.Add(key, n); break;
        }
    }
    void Assign(const Entries& e) {
        counts.Assign(e.counts);
        days.Assign(e.days);
        weeks.Assign(e.weeks);
        due.Assign(e.due);
    }
    void AddSorted(const Entries& e, int sign) {
        counts.AddSorted(e.counts, sign);
        days.AddSorted(e.days, sign);
        weeks.AddSorted(e.weeks, sign);
        due.AddSorted(e.due, sign);
    }
    void AppendTo(Entries& e) const {
        counts.AppendTo(e.counts);
        days.AppendTo(e.days);
        weeks.AppendTo(e.weeks);
        due.AppendTo(e.due);
    }
    std::size_t size() const { return counts.size() + days.size() + weeks.size() + due.size(); }
    std::size_t Bytes() const { return sizeof(Agg) + counts.Bytes() + days.Bytes() + weeks.Bytes() + due.Bytes(); }
};

// What the index keeps of one problem: its facts reduced to what its keys and the record filters need
// (32 bytes).
struct Record {
    UnixSeconds due = 0;      // clamped; meaningful with kHasDue
    Slot owner = kNoSlot;     // kNoSlot: a free slot
    std::uint32_t pos = 0;    // index in the owner's problem list
    std::uint16_t created_week = 0;
    std::uint16_t closed_week = 0;  // with kClosedTimed
    std::uint16_t close_days = 0;   // with kClosedTimed
    std::uint16_t combo = 0;
    std::uint8_t status = 0;
    std::uint8_t flags = 0;
    std::uint16_t tags = 0;         // interned tag set (Impl::tag_sets); 0 = no campaign
    std::uint32_t created_at = 0;   // seconds, clamped to 0..2^32-1 (invariant 7)
};
static_assert(sizeof(Record) == 32);
constexpr std::uint8_t kHasDue = 1;
constexpr std::uint8_t kClosedTimed = 2;  // status closed and closed_at known
constexpr std::uint8_t kOnTime = 4;       // kClosedTimed, kHasDue and closed_at <= due_at

// Calls f(map, key) for every key of a record (at most 9).
template <typename F>
void ForEachKey(const Record& r, F&& f) {
    const std::uint32_t combo = r.combo;
    f(Map::kCounts, (static_cast<std::uint64_t>(r.status) << 16) | combo);
    f(Map::kWeeks, (static_cast<std::uint64_t>(r.created_week) << 17) | combo);
    if (r.flags & kClosedTimed) {
        f(Map::kCounts, (static_cast<std::uint64_t>(kKindClosedTimed) << 16) | combo);
        f(Map::kDays, (static_cast<std::uint64_t>(combo) << 16) | r.close_days);
        f(Map::kDays, (static_cast<std::uint64_t>(kAll) << 16) | r.close_days);
        f(Map::kWeeks, (static_cast<std::uint64_t>(r.closed_week) << 17) | (1u << 16) | combo);
        if (r.flags & kHasDue) {
            f(Map::kCounts, (static_cast<std::uint64_t>(kKindClosedWithDue) << 16) | combo);
            if (r.flags & kOnTime) f(Map::kCounts, (static_cast<std::uint64_t>(kKindClosedOnTime) << 16) | combo);
        }
    }
    if ((r.flags & kHasDue) && IsOpen(static_cast<ProblemStatus>(r.status))) {
        f(Map::kDue, DueKey(combo, r.due));
        f(Map::kDue, DueKey(kAll, r.due));
    }
}

// The key changes of one update, with equal keys combined (a status change leaves the week keys alone).
class KeyDelta {
public:
    void Add(const Record& r, int sign) {
        ForEachKey(r, [&](Map map, std::uint64_t key) {
            for (int i = 0; i < n_; ++i) {
                if (items_[i].map == map && items_[i].key == key) {
                    items_[i].delta += sign;
                    return;
                }
            }
            items_[n_++] = Item{map, key, sign};
        });
    }
    void ApplyTo(Agg& agg) const {
        // Removals first: a block never grows past its size for an entry that is about to go.
        for (int i = 0; i < n_; ++i) {
            if (items_[i].delta < 0) agg.Add(items_[i].map, items_[i].key, items_[i].delta);
        }
        for (int i = 0; i < n_; ++i) {
            if (items_[i].delta > 0) agg.Add(items_[i].map, items_[i].key, items_[i].delta);
        }
    }

private:
    struct Item {
        Map map;
        std::uint64_t key;
        std::int64_t delta;
    };
    std::array<Item, 18> items_{};
    int n_ = 0;
};

// Problem id -> record slot. The store assigns dense ids (1, 2, 3, ...), so ids up to about twice the number
// held live in a plain vector (4 bytes each); any other id goes to a hash map. An id stays where it was put.
class IdMap {
public:
    Slot Find(ProblemId id) const {
        if (id >= 0 && static_cast<std::uint64_t>(id) < dense_.size() && dense_[static_cast<std::size_t>(id)] != kNoSlot) {
            return dense_[static_cast<std::size_t>(id)];
        }
        if (sparse_.empty()) return kNoSlot;
        auto it = sparse_.find(id);
        return it == sparse_.end() ? kNoSlot : it->second;
    }
    // Precondition: Find(id) == kNoSlot.
    void Insert(ProblemId id, Slot s) {
        ++size_;
        if (id >= 0 && static_cast<std::uint64_t>(id) < dense_.size()) {
            dense_[static_cast<std::size_t>(id)] = s;
        } else if (id >= 0 && static_cast<std::uint64_t>(id) < 2 * size_ + 1024) {
            // Grow by half (amortised O(1)), but within the reserved capacity while the id fits there.
            auto need = static_cast<std::size_t>(id) + 1;
            std::size_t grown = std::max(need, dense_.size() + dense_.size() / 2);
            if (need <= dense_.capacity()) grown = std::min(grown, dense_.capacity());
            dense_.resize(grown, kNoSlot);
            dense_[static_cast<std::size_t>(id)] = s;
        } else {
            sparse_.emplace(id, s);
        }
    }
    // Precondition: Find(id) != kNoSlot.
    void Erase(ProblemId id) {
        --size_;
        if (id >= 0 && static_cast<std::uint64_t>(id) < dense_.size() && dense_[static_cast<std::size_t>(id)] != kNoSlot) {
            dense_[static_cast<std::size_t>(id)] = kNoSlot;
        } else {
            sparse_.erase(id);
        }
    }
    void Reserve(std::size_t n) { dense_.reserve(n + 1024); }
    std::size_t size() const { return size_; }
    std::size_t Bytes() const {
        return dense_.capacity() * sizeof(Slot) + sparse_.bucket_count() * (sizeof(std::pair<ProblemId, Slot>) + 1);
    }

private:
    std::vector<Slot> dense_;
    boost::unordered_flat_map<ProblemId, Slot> sparse_;
    std::size_t size_ = 0;
};

struct OrgNode {
    OrgId id = 0;
    Slot parent = kNoSlot;
    domain::OrgKind kind = domain::OrgKind::kPartyGovAgency;  // for the org_kind filter
    std::uint8_t batch = 0;                                     // for the batch filter
    std::vector<Slot> children;
    std::vector<Slot> problems;  // records owned by this org
    std::int64_t subtree_problems = 0;
    std::int64_t subtree_orgs = 1;
    std::unique_ptr<Agg> agg;
};

template <typename V>
std::size_t VectorBytes(const V& v) {
    return v.capacity() * sizeof(typename V::value_type);
}

}  // namespace

bool IsOpen(domain::ProblemStatus status) {
    switch (status) {
        case ProblemStatus::kRegistered:
        case ProblemStatus::kPlanned:
        case ProblemStatus::kInProgress:
        case ProblemStatus::kPendingVerification:
            return true;
        case ProblemStatus::kClosed:
        case ProblemStatus::kInvalid:
        case ProblemStatus::kMerged:
            return false;
    }
    return false;
}

struct RollupIndex::Impl {
    Options options;
    std::vector<OrgNode> orgs;
    boost::unordered_flat_map<OrgId, Slot> org_slot;
    Slot root = kNoSlot;
    std::vector<Record> records;
    std::vector<Slot> free_records;
    IdMap record_slot;
    std::vector<std::optional<CategoryId>> categories{std::nullopt};  // category index -> id; 0 = none
    boost::unordered_flat_map<CategoryId, std::uint32_t> category_index;
    // Tag sets: {campaign id, special item ids ascending}; id 0 is the empty set (no campaign).
    std::vector<std::vector<std::int64_t>> tag_sets{{}};
    std::map<std::vector<std::int64_t>, std::uint16_t> tag_set_index{{{}, 0}};
    static constexpr std::size_t kMaxTagSets = 65536;

    static Status SetFacts(OrgNode& n, const OrgFacts& f) {
        if (f.batch < 0 || f.batch > 255) {
            return InvalidArgument("org " + std::to_string(n.id) + ": batch " + std::to_string(f.batch) +
                                   " outside 0..255");
        }
        n.kind = f.kind;
        n.batch = static_cast<std::uint8_t>(f.batch);
        return Status::Ok();
    }

    Result<std::uint16_t> TagSetOf(const ProblemFacts& f) {
        if (!f.campaign_id && f.special_item_ids.empty()) return std::uint16_t{0};
        // A problem with items but no campaign keeps its items (the service never stores one).
        std::vector<std::int64_t> key{f.campaign_id.value_or(0)};
        key.insert(key.end(), f.special_item_ids.begin(), f.special_item_ids.end());
        std::sort(key.begin() + 1, key.end());
        key.erase(std::unique(key.begin() + 1, key.end()), key.end());
        auto it = tag_set_index.find(key);
        if (it != tag_set_index.end()) return it->second;
        if (tag_sets.size() >= kMaxTagSets) {
            return InvalidArgument("problem " + std::to_string(f.id) + ": more than " +
                                   std::to_string(kMaxTagSets - 1) + " distinct campaign and special item sets");
        }
        auto id = static_cast<std::uint16_t>(tag_sets.size());
        tag_sets.push_back(key);
        tag_set_index.emplace(std::move(key), id);
        return id;
    }

    Slot FindOrg(OrgId id) const {
        auto it = org_slot.find(id);
        return it == org_slot.end() ? kNoSlot : it->second;
    }

    bool NeedsAgg(const OrgNode& n) const {
        return n.subtree_problems >= options.materialise_problems || n.subtree_orgs >= options.materialise_orgs;
    }

    Result<Record> MakeRecord(const ProblemFacts& f) {
        Record r;
        r.owner = FindOrg(f.owner_org_id);
        if (r.owner == kNoSlot) {
            return InvalidArgument("problem " + std::to_string(f.id) + ": owner org " + std::to_string(f.owner_org_id) +
                                   " does not exist");
        }
        auto status = static_cast<std::size_t>(f.status);
        auto source = static_cast<std::size_t>(f.source);
        if (status >= kStatusCount || source >= kSourceCount) {
            return InvalidArgument("problem " + std::to_string(f.id) + ": status or source out of range");
        }
        std::uint32_t cat = 0;
        if (f.top_category_id) {
            auto it = category_index.find(*f.top_category_id);
            if (it != category_index.end()) {
                cat = it->second;
            } else {
                if (categories.size() > kMaxCategoryIndex) {
                    return InvalidArgument("problem " + std::to_string(f.id) + ": more than " +
                                           std::to_string(kMaxCategoryIndex) + " top-level categories");
                }
                cat = static_cast<std::uint32_t>(categories.size());
                categories.push_back(*f.top_category_id);
                category_index.emplace(*f.top_category_id, cat);
            }
        }
        ASSIGN_OR_RETURN(r.tags, TagSetOf(f));
        r.combo = static_cast<std::uint16_t>((cat << kSourceBits) | source);
        r.status = static_cast<std::uint8_t>(status);
        UnixSeconds created = ClampInstant(f.created_at);
        r.created_at = static_cast<std::uint32_t>(Clamp(created, 0, std::numeric_limits<std::uint32_t>::max()));
        r.created_week = static_cast<std::uint16_t>(Clamp(LocalWeekNumber(created), 0, kMaxWeek));
        if (f.due_at) {
            r.flags |= kHasDue;
            r.due = ClampInstant(*f.due_at);
        }
        if (f.status == ProblemStatus::kClosed && f.closed_at) {
            UnixSeconds closed = ClampInstant(*f.closed_at);
            r.flags |= kClosedTimed;
            r.close_days = static_cast<std::uint16_t>(Clamp((closed - created) / kSecondsPerDay, 0, kMaxDays));
            r.closed_week = static_cast<std::uint16_t>(Clamp(LocalWeekNumber(closed), 0, kMaxWeek));
            if ((r.flags & kHasDue) && closed <= r.due) r.flags |= kOnTime;
        }
        return r;
    }

    Slot AllocRecord(const Record& r) {
        Slot s;
        if (!free_records.empty()) {
            s = free_records.back();
            free_records.pop_back();
            records[s] = r;
        } else {
            s = static_cast<Slot>(records.size());
            records.push_back(r);
        }
        return s;
    }

    void Attach(Slot s) {
        Record& r = records[s];
        auto& list = orgs[r.owner].problems;
        r.pos = static_cast<std::uint32_t>(list.size());
        list.push_back(s);
    }
    void Detach(Slot s) {
        const Record& r = records[s];
        auto& list = orgs[r.owner].problems;
        Slot last = list.back();
        list[r.pos] = last;
        records[last].pos = r.pos;
        list.pop_back();
    }

    // Adds `delta` to every aggregate from `from` up to the root, and `problems` to the subtree counts.
    void ApplyPath(Slot from, const KeyDelta& delta, std::int64_t problems) {
        for (Slot u = from; u != kNoSlot; u = orgs[u].parent) {
            orgs[u].subtree_problems += problems;
            if (orgs[u].agg) delta.ApplyTo(*orgs[u].agg);
        }
    }

    // Gathers the counter entries of v's subtree: raw keys of problems, or the aggregates of materialised
    // descendants when use_aggs (v's own aggregate is never used). The result is normalised.
    // Precondition: `out` is empty.
    void Gather(Slot v, bool use_aggs, Entries& out) const {
        std::vector<const Agg*> aggs;
        std::vector<Slot> stack{v};
        while (!stack.empty()) {
            Slot u = stack.back();
            stack.pop_back();
            const OrgNode& n = orgs[u];
            if (use_aggs && u != v && n.agg) {
                aggs.push_back(n.agg.get());
                continue;
            }
            for (Slot p : n.problems) {
                ForEachKey(records[p], [&](Map map, std::uint64_t key) { out.Add(map, key, 1); });
            }
            for (Slot c : n.children) stack.push_back(c);
        }
        // The raw keys become one sorted run, each aggregate is one already; merge the runs.
        out.Normalise();
        for (const Agg* a : aggs) {
            out.MarkRun();
            a->AppendTo(out);
        }
        out.MergeRuns();
    }

    void Materialise(Slot v) {
        Entries e;
        Gather(v, /*use_aggs=*/true, e);
        auto agg = std::make_unique<Agg>();
        agg->Assign(e);
        orgs[v].agg = std::move(agg);
    }

    // Bottom-up from `from`: gives an aggregate to every org on the root path that needs one (invariant 4).
    void MaterialiseAlongPath(Slot from) {
        for (Slot u = from; u != kNoSlot; u = orgs[u].parent) {
            if (!orgs[u].agg && NeedsAgg(orgs[u])) Materialise(u);
        }
    }

    bool IsInSubtree(Slot u, Slot v) const {
        for (; u != kNoSlot; u = orgs[u].parent) {
            if (u == v) return true;
        }
        return false;
    }

    // Partial figures of one query: aggregates and single records add into it, Finish makes the Figures.
    struct Acc {
        bool none = false;                 // the filter names a category the index never saw
        std::optional<std::uint32_t> cat;  // category index filter
        std::optional<std::uint32_t> src;  // source filter
        UnixSeconds now = 0, soon = 0;     // clamped like due keys
        std::int64_t first_week = 0, last_week = 0;
        Figures f;  // problems, by_status, by_source, overdue, due_soon, closed_timed
        std::vector<std::int64_t> by_cat;
        std::int64_t closed_with_due = 0, closed_on_time = 0;
        std::vector<std::pair<std::int64_t, std::int64_t>> hist;  // (days to close, count), any order
        std::vector<std::int64_t> days_dense;  // single records' days to close: count by day (Finish adds it)
        std::vector<std::int64_t> created, closed;                // per week from first_week

        bool Match(std::uint32_t combo) const {
            return (!cat || (combo >> kSourceBits) == *cat) && (!src || (combo & kSourceMask) == *src);
        }

        // Record filters (FiguresQuery::HasRecordFilter): which tag sets, owners and created_at pass.
        bool by_record = false;
        std::vector<bool> tag_pass;  // by tag set id; empty: every tag set passes
        std::optional<domain::OrgKind> kind;
        std::optional<int> batch;
        std::int64_t created_from = std::numeric_limits<std::int64_t>::min();
        std::int64_t created_to = std::numeric_limits<std::int64_t>::max();
        bool PassesOrg(const OrgNode& n) const { return (!kind || n.kind == *kind) && (!batch || n.batch == *batch); }
        bool PassesRecord(const Record& r) const {
            return (tag_pass.empty() || tag_pass[r.tags]) && created_from <= r.created_at && r.created_at < created_to;
        }
    };
    Acc Start(const FiguresQuery& q) const;
    void AddAgg(const Agg& a, Acc& acc) const;
    void AddRecord(const Record& r, Acc& acc) const;
    // v's aggregate if it has one; otherwise its records and its materialised descendants' aggregates. With
    // record filters: every record of the subtree that passes them.
    void AddSubtree(Slot v, Acc& acc) const;
    Figures Finish(Acc& acc) const;
};

// ---- construction ----

RollupIndex::RollupIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RollupIndex::~RollupIndex() = default;

Result<std::unique_ptr<RollupIndex>> RollupIndex::Build(const std::vector<domain::Org>& orgs,
                                                         const std::vector<ProblemFacts>& facts, Options options) {
    auto impl = std::make_unique<Impl>();
    Impl& m = *impl;
    m.options = options;
    m.orgs.resize(orgs.size());
    m.org_slot.reserve(orgs.size());
    for (std::size_t i = 0; i < orgs.size(); ++i) {
        if (!m.org_slot.emplace(orgs[i].id, static_cast<Slot>(i)).second) {
            return FailedPrecondition("org " + std::to_string(orgs[i].id) + " appears twice");
        }
        m.orgs[i].id = orgs[i].id;
        RETURN_IF_ERROR(Impl::SetFacts(m.orgs[i], OrgFacts{orgs[i].kind, orgs[i].batch}));
    }
    for (std::size_t i = 0; i < orgs.size(); ++i) {
        if (!orgs[i].parent_id) {
            if (m.root != kNoSlot) {
                return FailedPrecondition("org tree has two roots: " + std::to_string(m.orgs[m.root].id) + " and " +
                                          std::to_string(orgs[i].id));
            }
            m.root = static_cast<Slot>(i);
            continue;
        }
        Slot p = m.FindOrg(*orgs[i].parent_id);
        if (p == kNoSlot) {
            return FailedPrecondition("org " + std::to_string(orgs[i].id) + " has unknown parent " +
                                      std::to_string(*orgs[i].parent_id));
        }
        m.orgs[i].parent = p;
        m.orgs[p].children.push_back(static_cast<Slot>(i));
    }
    if (m.root == kNoSlot && !orgs.empty()) return FailedPrecondition("org tree has no root");

    // Pre-order from the root; orgs not reached sit on a cycle.
    std::vector<Slot> order;
    order.reserve(orgs.size());
    if (m.root != kNoSlot) {
        std::vector<Slot> stack{m.root};
        while (!stack.empty()) {
            Slot u = stack.back();
            stack.pop_back();
            order.push_back(u);
            for (Slot c : m.orgs[u].children) stack.push_back(c);
        }
    }
    if (order.size() != orgs.size()) {
        return FailedPrecondition("org tree has a cycle: " + std::to_string(orgs.size() - order.size()) +
                                  " orgs are not reachable from the root");
    }

    m.records.reserve(facts.size());
    m.record_slot.Reserve(facts.size());
    {
        // Exact owner lists: count first, then reserve.
        std::vector<std::uint32_t> owned(m.orgs.size(), 0);
        for (const ProblemFacts& f : facts) {
            Slot o = m.FindOrg(f.owner_org_id);
            if (o != kNoSlot) ++owned[o];
        }
        for (std::size_t i = 0; i < m.orgs.size(); ++i) m.orgs[i].problems.reserve(owned[i]);
    }
    for (const ProblemFacts& f : facts) {
        ASSIGN_OR_RETURN(Record r, m.MakeRecord(f));
        if (m.record_slot.Find(f.id) != kNoSlot) return InvalidArgument("problem " + std::to_string(f.id) + " appears twice");
        m.record_slot.Insert(f.id, static_cast<Slot>(m.records.size()));
        m.records.push_back(r);
        m.Attach(static_cast<Slot>(m.records.size() - 1));
    }

    // Children before parents: subtree counts, then aggregates (a parent's gather reuses its children's).
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        OrgNode& n = m.orgs[*it];
        n.subtree_problems += static_cast<std::int64_t>(n.problems.size());
        if (n.parent != kNoSlot) {
            m.orgs[n.parent].subtree_problems += n.subtree_problems;
            m.orgs[n.parent].subtree_orgs += n.subtree_orgs;
        }
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        if (m.NeedsAgg(m.orgs[*it])) m.Materialise(*it);
    }
    return std::unique_ptr<RollupIndex>(new RollupIndex(std::move(impl)));
}

// ---- changes ----

Status RollupIndex::AddOrg(domain::OrgId id, domain::OrgId parent, OrgFacts facts) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    if (m.FindOrg(id) != kNoSlot) return AlreadyExists("org " + std::to_string(id) + " already exists");
    Slot p = m.FindOrg(parent);
    if (p == kNoSlot) return NotFound("parent org " + std::to_string(parent) + " does not exist");
    OrgNode node;
    node.id = id;
    RETURN_IF_ERROR(Impl::SetFacts(node, facts));
    auto s = static_cast<Slot>(m.orgs.size());
    m.orgs.push_back(std::move(node));
    m.orgs[s].parent = p;
    m.orgs[p].children.push_back(s);
    m.org_slot.emplace(id, s);
    for (Slot u = p; u != kNoSlot; u = m.orgs[u].parent) ++m.orgs[u].subtree_orgs;
    m.MaterialiseAlongPath(s);
    return Status::Ok();
}

Status RollupIndex::SetOrgFacts(domain::OrgId id, OrgFacts facts) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    Slot v = m.FindOrg(id);
    if (v == kNoSlot) return NotFound("org " + std::to_string(id) + " does not exist");
    return Impl::SetFacts(m.orgs[v], facts);
}

Status RollupIndex::MoveOrg(domain::OrgId id, domain::OrgId new_parent) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    Slot v = m.FindOrg(id);
    if (v == kNoSlot) return NotFound("org " + std::to_string(id) + " does not exist");
    Slot p = m.FindOrg(new_parent);
    if (p == kNoSlot) return NotFound("org " + std::to_string(new_parent) + " does not exist");
    if (v == m.root) return FailedPrecondition("org " + std::to_string(id) + " is the root and cannot move");
    if (m.IsInSubtree(p, v)) {
        return FailedPrecondition("org " + std::to_string(new_parent) + " lies inside the subtree of org " +
                                  std::to_string(id));
    }
    OrgNode& node = m.orgs[v];
    Slot old = node.parent;
    if (old == p) return Status::Ok();

    Entries delta;
    if (node.agg) {
        node.agg->AppendTo(delta);
    } else {
        m.Gather(v, /*use_aggs=*/true, delta);
    }
    const std::int64_t problems = node.subtree_problems, org_count = node.subtree_orgs;
    for (Slot u = old; u != kNoSlot; u = m.orgs[u].parent) {
        m.orgs[u].subtree_problems -= problems;
        m.orgs[u].subtree_orgs -= org_count;
        if (m.orgs[u].agg) m.orgs[u].agg->AddSorted(delta, -1);
    }
    auto& siblings = m.orgs[old].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), v));
    m.orgs[p].children.push_back(v);
    node.parent = p;
    for (Slot u = p; u != kNoSlot; u = m.orgs[u].parent) {
        m.orgs[u].subtree_problems += problems;
        m.orgs[u].subtree_orgs += org_count;
        if (m.orgs[u].agg) m.orgs[u].agg->AddSorted(delta, +1);
    }
    m.MaterialiseAlongPath(p);
    return Status::Ok();
}

Status RollupIndex::Insert(const ProblemFacts& facts) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    if (m.record_slot.Find(facts.id) != kNoSlot) {
        return AlreadyExists("problem " + std::to_string(facts.id) + " already exists");
    }
    ASSIGN_OR_RETURN(Record r, m.MakeRecord(facts));
    Slot s = m.AllocRecord(r);
    m.record_slot.Insert(facts.id, s);
    m.Attach(s);
    KeyDelta delta;
    delta.Add(r, +1);
    m.ApplyPath(r.owner, delta, +1);
    m.MaterialiseAlongPath(r.owner);
    return Status::Ok();
}

Status RollupIndex::Update(const ProblemFacts& facts) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    const Slot s = m.record_slot.Find(facts.id);
    if (s == kNoSlot) return NotFound("problem " + std::to_string(facts.id) + " does not exist");
    ASSIGN_OR_RETURN(Record next, m.MakeRecord(facts));
    const Record prev = m.records[s];
    if (next.owner == prev.owner) {
        KeyDelta delta;
        delta.Add(prev, -1);
        delta.Add(next, +1);
        next.pos = prev.pos;
        m.records[s] = next;
        m.ApplyPath(next.owner, delta, 0);
        return Status::Ok();
    }
    KeyDelta out, in;
    out.Add(prev, -1);
    in.Add(next, +1);
    m.ApplyPath(prev.owner, out, -1);
    m.Detach(s);
    m.records[s] = next;
    m.Attach(s);
    m.ApplyPath(next.owner, in, +1);
    m.MaterialiseAlongPath(next.owner);
    return Status::Ok();
}

Status RollupIndex::Remove(domain::ProblemId id) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    const Slot s = m.record_slot.Find(id);
    if (s == kNoSlot) return NotFound("problem " + std::to_string(id) + " does not exist");
    KeyDelta delta;
    delta.Add(m.records[s], -1);
    m.ApplyPath(m.records[s].owner, delta, -1);
    m.Detach(s);
    m.records[s] = Record{};
    m.free_records.push_back(s);
    m.record_slot.Erase(id);
    return Status::Ok();
}

// ---- queries ----

RollupIndex::Impl::Acc RollupIndex::Impl::Start(const FiguresQuery& q) const {
    Acc acc;
    if (q.category) {
        if (!q.category->id) {
            acc.cat = 0;
        } else {
            auto it = category_index.find(*q.category->id);
            if (it == category_index.end()) {
                acc.none = true;  // a category the index never saw matches nothing
            } else {
                acc.cat = it->second;
            }
        }
    }
    if (q.source) acc.src = static_cast<std::uint32_t>(*q.source);
    acc.by_record = q.HasRecordFilter();
    if (q.campaign || q.special_item) {
        acc.tag_pass.assign(tag_sets.size(), false);
        for (std::size_t t = 1; t < tag_sets.size(); ++t) {
            const auto& set = tag_sets[t];
            bool pass = !q.campaign || set[0] == *q.campaign;
            if (pass && q.special_item) pass = std::binary_search(set.begin() + 1, set.end(), *q.special_item);
            acc.tag_pass[t] = pass;
        }
    }
    acc.kind = q.org_kind;
    acc.batch = q.batch;
    if (q.created_from) acc.created_from = *q.created_from;
    if (q.created_to) acc.created_to = *q.created_to;
    acc.now = ClampInstant(q.now);
    acc.soon = ClampInstant(q.now > kMaxInstant - q.due_soon_seconds ? kMaxInstant : q.now + q.due_soon_seconds);
    acc.last_week = LocalWeekNumber(q.now);
    acc.first_week = acc.last_week - q.weeks + 1;
    acc.by_cat.assign(categories.size(), 0);
    acc.created.assign(static_cast<std::size_t>(q.weeks), 0);
    acc.closed.assign(static_cast<std::size_t>(q.weeks), 0);
    return acc;
}

void RollupIndex::Impl::AddAgg(const Agg& a, Acc& acc) const {
    if (acc.none) return;
    Figures& f = acc.f;
    a.counts.ForEachAll([&](std::uint32_t key, std::int64_t c) {
        std::uint32_t combo = key & 0xFFFF, kind = key >> 16;
        if (!acc.Match(combo)) return;
        if (kind < kStatusCount) {
            f.problems += c;
            f.by_status[kind] += c;
            f.by_source[combo & kSourceMask] += c;
            acc.by_cat[combo >> kSourceBits] += c;
        } else if (kind == kKindClosedTimed) {
            f.closed_timed += c;
        } else if (kind == kKindClosedWithDue) {
            acc.closed_with_due += c;
        } else if (kind == kKindClosedOnTime) {
            acc.closed_on_time += c;
        }
    });
    // Overdue and due soon: range sums over the deadlines of the kAll marginal, or of each matching combo;
    // days to close: the same runs, days ascending within each.
    auto add_combo = [&](std::uint32_t combo) {
        f.overdue += a.due.Sum(DueKey(combo, 0), DueKey(combo, acc.now));
        f.due_soon += a.due.Sum(DueKey(combo, acc.now), DueKey(combo, acc.soon));
        const auto hi = static_cast<std::uint32_t>(std::min<std::uint64_t>(
            (static_cast<std::uint64_t>(combo) + 1) << 16, std::numeric_limits<std::uint32_t>::max()));
        a.days.ForEach(combo << 16, hi, [&](std::uint32_t key, std::int64_t c) {
            std::int64_t days = key & 0xFFFF;
            if (!acc.hist.empty() && acc.hist.back().first == days) {
                acc.hist.back().second += c;
            } else {
                acc.hist.emplace_back(days, c);
            }
        });
    };
    if (!acc.cat && !acc.src) {
        add_combo(kAll);
    } else {
        const auto cats = static_cast<std::uint32_t>(categories.size());
        for (std::uint32_t c = acc.cat.value_or(0); c < (acc.cat ? *acc.cat + 1 : cats); ++c) {
            for (std::uint32_t s = acc.src.value_or(0); s < (acc.src ? *acc.src + 1 : kSourceCount); ++s) {
                add_combo((c << kSourceBits) | s);
            }
        }
    }
    if (!acc.created.empty()) {
        // Week keys are below 2^32 (kMaxWeek << 17 | ...); the exclusive bound saturates at 2^32 - 1.
        auto week_key = [](std::int64_t w) {
            return static_cast<std::uint32_t>(
                std::min<std::int64_t>(Clamp(w, 0, kMaxWeek + 1) << 17, std::numeric_limits<std::uint32_t>::max()));
        };
        a.weeks.ForEach(week_key(acc.first_week), week_key(acc.last_week + 1), [&](std::uint32_t key, std::int64_t c) {
            if (!acc.Match(key & 0xFFFF)) return;
            auto i = static_cast<std::size_t>((key >> 17) - acc.first_week);
            ((key >> 16) & 1 ? acc.closed : acc.created)[i] += c;
        });
    }
}

void RollupIndex::Impl::AddRecord(const Record& r, Acc& acc) const {
    if (acc.none || !acc.Match(r.combo)) return;
    Figures& f = acc.f;
    ++f.problems;
    ++f.by_status[r.status];
    ++f.by_source[r.combo & kSourceMask];
    ++acc.by_cat[static_cast<std::size_t>(r.combo >> kSourceBits)];
    if ((r.flags & kHasDue) && IsOpen(static_cast<ProblemStatus>(r.status))) {
        if (r.due < acc.now) ++f.overdue;
        if (acc.now <= r.due && r.due < acc.soon) ++f.due_soon;
    }
    auto week = [&](std::int64_t w) -> std::int64_t* {
        return w >= acc.first_week && w <= acc.last_week ? &acc.created[static_cast<std::size_t>(w - acc.first_week)]
                                                          : nullptr;
    };
    if (std::int64_t* c = week(r.created_week)) ++*c;
    if (r.flags & kClosedTimed) {
        ++f.closed_timed;
        if (r.close_days >= acc.days_dense.size()) acc.days_dense.resize(r.close_days + std::size_t{1}, 0);
        ++acc.days_dense[r.close_days];
        if (r.flags & kHasDue) {
            ++acc.closed_with_due;
            if (r.flags & kOnTime) ++acc.closed_on_time;
        }
        if (r.closed_week >= acc.first_week && r.closed_week <= acc.last_week) {
            ++acc.closed[static_cast<std::size_t>(r.closed_week - acc.first_week)];
        }
    }
}

void RollupIndex::Impl::AddSubtree(Slot v, Acc& acc) const {
    std::vector<Slot> stack{v};
    if (acc.by_record && orgs[v].subtree_problems * 4 >= static_cast<std::int64_t>(records.size())) {
        // A large share of all problems: read the records in memory order (sequential) and test each owner
        // against a mark of the subtree's orgs (and the org filters), instead of jumping from list to list.
        std::vector<std::uint8_t> pass(orgs.size(), 0);
        while (!stack.empty()) {
            Slot u = stack.back();
            stack.pop_back();
            pass[u] = acc.PassesOrg(orgs[u]) ? 1 : 0;
            for (Slot c : orgs[u].children) stack.push_back(c);
        }
        for (const Record& r : records) {
            if (r.owner != kNoSlot && pass[r.owner] && acc.PassesRecord(r)) AddRecord(r, acc);
        }
        return;
    }
    if (acc.by_record) {
        while (!stack.empty()) {
            Slot u = stack.back();
            stack.pop_back();
            const OrgNode& n = orgs[u];
            if (acc.PassesOrg(n)) {
                for (Slot p : n.problems) {
                    if (acc.PassesRecord(records[p])) AddRecord(records[p], acc);
                }
            }
            for (Slot c : n.children) stack.push_back(c);
        }
        return;
    }
    while (!stack.empty()) {
        Slot u = stack.back();
        stack.pop_back();
        const OrgNode& n = orgs[u];
        if (n.agg) {
            AddAgg(*n.agg, acc);
            continue;
        }
        for (Slot p : n.problems) AddRecord(records[p], acc);
        for (Slot c : n.children) stack.push_back(c);
    }
}

Figures RollupIndex::Impl::Finish(Acc& acc) const {
    Figures f = std::move(acc.f);
    for (std::size_t s = 0; s < kStatusCount; ++s) {
        if (IsOpen(static_cast<ProblemStatus>(s))) f.open += f.by_status[s];
    }
    auto status = [&](ProblemStatus s) { return f.by_status[static_cast<std::size_t>(s)]; };
    f.completion = {status(ProblemStatus::kClosed),
                    f.problems - status(ProblemStatus::kInvalid) - status(ProblemStatus::kMerged)};
    f.on_time = {acc.closed_on_time, acc.closed_with_due};
    f.overdue_rate = {f.overdue, f.open};
    for (std::size_t i = 0; i < acc.by_cat.size(); ++i) {
        if (acc.by_cat[i] != 0) f.by_category.push_back({categories[i], acc.by_cat[i]});
    }
    std::sort(f.by_category.begin(), f.by_category.end(),
              [](const CategoryCount& x, const CategoryCount& y) { return x.category_id < y.category_id; });
    // Percentiles by nearest rank: the first day whose cumulative count reaches ceil(p * n), p = 1/2, 9/10.
    // The histogram arrives as runs (one per aggregate and combo) and single records: count into an array
    // indexed by day when the days span is small against the entries, sort otherwise.
    for (std::size_t d = 0; d < acc.days_dense.size(); ++d) {
        if (acc.days_dense[d] != 0) acc.hist.emplace_back(static_cast<std::int64_t>(d), acc.days_dense[d]);
    }
    if (f.closed_timed > 0) {
        const std::int64_t n = f.closed_timed;
        const std::int64_t median_rank = (n + 1) / 2, p90_rank = (9 * n + 9) / 10;
        std::int64_t seen = 0;
        auto visit = [&](std::int64_t days, std::int64_t c) {
            seen += c;
            if (!f.median_days_to_close && seen >= median_rank) f.median_days_to_close = days;
            if (!f.p90_days_to_close && seen >= p90_rank) f.p90_days_to_close = days;
        };
        std::int64_t max_days = 0;
        for (const auto& [days, c] : acc.hist) max_days = std::max(max_days, days);
        if (max_days < 4 * static_cast<std::int64_t>(acc.hist.size()) + 1024) {
            std::vector<std::int64_t> dense(static_cast<std::size_t>(max_days) + 1, 0);
            for (const auto& [days, c] : acc.hist) dense[static_cast<std::size_t>(days)] += c;
            for (std::size_t d = 0; d < dense.size() && !f.p90_days_to_close; ++d) {
                if (dense[d] != 0) visit(static_cast<std::int64_t>(d), dense[d]);
            }
        } else {
            std::sort(acc.hist.begin(), acc.hist.end());
            for (const auto& [days, c] : acc.hist) {
                if (f.p90_days_to_close) break;
                visit(days, c);
            }
        }
    }
    f.weekly.reserve(acc.created.size());
    for (std::size_t i = 0; i < acc.created.size(); ++i) {
        f.weekly.push_back({LocalWeekStart(acc.first_week + static_cast<std::int64_t>(i)), acc.created[i], acc.closed[i]});
    }
    return f;
}

namespace {

Status CheckQuery(const FiguresQuery& q) {
    if (q.weeks < 0 || q.weeks > kMaxWeeks) {
        return InvalidArgument("weeks: must be 0.." + std::to_string(kMaxWeeks) + ", not " + std::to_string(q.weeks));
    }
    if (q.due_soon_seconds < 0) return InvalidArgument("due_soon_seconds: must not be negative");
    return Status::Ok();
}

}  // namespace

Result<Figures> RollupIndex::Query(const FiguresQuery& query) const {
    RETURN_IF_ERROR(CheckQuery(query));
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    Slot v = m.FindOrg(query.root);
    if (v == kNoSlot) return NotFound("org " + std::to_string(query.root) + " does not exist");
    Impl::Acc acc = m.Start(query);
    m.AddSubtree(v, acc);
    return m.Finish(acc);
}

Result<std::vector<std::pair<domain::OrgId, Figures>>> RollupIndex::QueryChildren(const FiguresQuery& query) const {
    RETURN_IF_ERROR(CheckQuery(query));
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    Slot v = m.FindOrg(query.root);
    if (v == kNoSlot) return NotFound("org " + std::to_string(query.root) + " does not exist");
    std::vector<Slot> children = m.orgs[v].children;
    std::sort(children.begin(), children.end(), [&](Slot a, Slot b) { return m.orgs[a].id < m.orgs[b].id; });
    std::vector<std::pair<domain::OrgId, Figures>> out;
    out.reserve(children.size());
    for (Slot c : children) {
        Impl::Acc acc = m.Start(query);
        m.AddSubtree(c, acc);
        out.emplace_back(m.orgs[c].id, m.Finish(acc));
    }
    return out;
}

bool RollupIndex::ContainsOrg(domain::OrgId id) const {
    auto lock = lock_.Read();
    return impl_->FindOrg(id) != kNoSlot;
}

IndexMemory RollupIndex::Memory() const {
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    IndexMemory mem;
    mem.orgs = static_cast<std::int64_t>(m.orgs.size());
    mem.problems = static_cast<std::int64_t>(m.record_slot.size());
    std::size_t bytes = VectorBytes(m.orgs) + VectorBytes(m.records) + VectorBytes(m.free_records) +
                        VectorBytes(m.categories);
    // boost::unordered_flat_map: one slot per bucket plus one metadata byte per bucket (approximately).
    bytes += m.org_slot.bucket_count() * (sizeof(std::pair<OrgId, Slot>) + 1);
    bytes += m.record_slot.Bytes();
    bytes += m.category_index.bucket_count() * (sizeof(std::pair<CategoryId, std::uint32_t>) + 1);
    for (const auto& set : m.tag_sets) bytes += 2 * (VectorBytes(set) + sizeof(set)) + 48;  // the vector, the map node
    for (const OrgNode& n : m.orgs) {
        bytes += VectorBytes(n.children) + VectorBytes(n.problems);
        if (n.agg) {
            ++mem.materialised_orgs;
            mem.aggregate_entries += static_cast<std::int64_t>(n.agg->size());
            mem.count_entries += static_cast<std::int64_t>(n.agg->counts.size());
            mem.days_entries += static_cast<std::int64_t>(n.agg->days.size());
            mem.week_entries += static_cast<std::int64_t>(n.agg->weeks.size());
            mem.due_entries += static_cast<std::int64_t>(n.agg->due.size());
            bytes += n.agg->Bytes();
        }
    }
    mem.bytes = static_cast<std::int64_t>(bytes);
    return mem;
}

Status RollupIndex::CheckInvariants() const {
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    std::size_t reached = 0;
    if (m.root != kNoSlot) {
        if (m.orgs[m.root].parent != kNoSlot) return Internal("the root has a parent");
        std::vector<Slot> stack{m.root};
        while (!stack.empty() && reached <= m.orgs.size()) {
            Slot u = stack.back();
            stack.pop_back();
            ++reached;
            for (Slot c : m.orgs[u].children) {
                if (m.orgs[c].parent != u) return Internal("org " + std::to_string(m.orgs[c].id) + ": parent link differs");
                stack.push_back(c);
            }
        }
    }
    if (reached != m.orgs.size()) return Internal("not every org is reachable from the root exactly once");
    for (Slot s = 0; s < m.records.size(); ++s) {
        if (m.records[s].owner == kNoSlot) continue;  // a free slot
        const Record& r = m.records[s];
        if (r.pos >= m.orgs[r.owner].problems.size() || m.orgs[r.owner].problems[r.pos] != s) {
            return Internal("record " + std::to_string(s) + " is not at its place in its owner's list");
        }
    }
    for (Slot v = 0; v < m.orgs.size(); ++v) {
        const OrgNode& n = m.orgs[v];
        std::int64_t problems = 0, org_count = 0;
        std::vector<Slot> stack{v};
        while (!stack.empty()) {
            Slot u = stack.back();
            stack.pop_back();
            ++org_count;
            problems += static_cast<std::int64_t>(m.orgs[u].problems.size());
            for (Slot c : m.orgs[u].children) stack.push_back(c);
        }
        std::string name = "org " + std::to_string(n.id);
        if (problems != n.subtree_problems || org_count != n.subtree_orgs) {
            return Internal(name + ": subtree counts differ from a recount");
        }
        if (!n.agg) {
            if (m.NeedsAgg(n)) return Internal(name + ": needs an aggregate and has none");
            continue;
        }
        Entries expected, actual;
        m.Gather(v, /*use_aggs=*/false, expected);
        n.agg->AppendTo(actual);
        if (expected.counts != actual.counts || expected.days != actual.days || expected.weeks != actual.weeks ||
            expected.due != actual.due) {
            return Internal(name + ": aggregate differs from a recount of its problems");
        }
    }
    return Status::Ok();
}

}  // namespace rectify::index
