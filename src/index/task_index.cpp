#include "index/task_index.hpp"

#include <algorithm>
#include <array>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <limits>
#include <string>

namespace rectify::index {
namespace {

using domain::OrgId;
using domain::TaskId;
using Slot = std::uint32_t;
using Value = std::uint32_t;
constexpr Slot kNoSlot = std::numeric_limits<Slot>::max();
constexpr std::int64_t kMaxInstant = std::numeric_limits<Value>::max();

// Invariant 6: instants stored as 0..2^32-1.
Value Stored(UnixSeconds t) { return static_cast<Value>(std::clamp<std::int64_t>(t, 0, kMaxInstant)); }

// A sorted multiset of 4-byte values in blocks of at most kMaxBlock, each block sorted, blocks in order.
// Insert / Erase: O(log blocks + kMaxBlock); CountLess: O(blocks + log kMaxBlock).
class SortedBlocks {
  public:
    static constexpr std::size_t kMaxBlock = 512;

    void Assign(std::vector<Value>&& sorted) {
        blocks_.clear();
        const std::size_t fill = kMaxBlock * 3 / 4;  // room for inserts before the first split
        for (std::size_t i = 0; i < sorted.size(); i += fill) {
            const std::size_t n = std::min(fill, sorted.size() - i);
            blocks_.emplace_back(sorted.begin() + static_cast<std::ptrdiff_t>(i),
                                 sorted.begin() + static_cast<std::ptrdiff_t>(i + n));
        }
        size_ = static_cast<std::int64_t>(sorted.size());
    }
    void Insert(Value v) {
        ++size_;
        if (blocks_.empty()) {
            blocks_.push_back({v});  // blocks are never empty
            return;
        }
        std::size_t b = FirstBlockNotBelow(v);
        if (b == blocks_.size()) b = blocks_.size() - 1;
        auto& blk = blocks_[b];
        blk.insert(std::upper_bound(blk.begin(), blk.end(), v), v);
        if (blk.size() > kMaxBlock) {
            std::vector<Value> upper(blk.begin() + static_cast<std::ptrdiff_t>(blk.size() / 2), blk.end());
            blk.resize(blk.size() / 2);
            blk.shrink_to_fit();
            blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(b + 1), std::move(upper));
        }
    }
    // Removes one occurrence of v; false when there is none.
    bool Erase(Value v) {
        const std::size_t b = FirstBlockNotBelow(v);
        if (b == blocks_.size()) return false;
        auto& blk = blocks_[b];
        auto it = std::lower_bound(blk.begin(), blk.end(), v);
        if (it == blk.end() || *it != v) return false;
        blk.erase(it);
        --size_;
        if (blk.empty()) blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(b));
        return true;
    }
    // Values < t (t up to 2^32).
    std::int64_t CountLess(std::uint64_t t) const {
        std::int64_t n = 0;
        for (const auto& blk : blocks_) {
            if (blk.back() < t) {
                n += static_cast<std::int64_t>(blk.size());
                continue;
            }
            return n + (std::lower_bound(blk.begin(), blk.end(), t, [](Value a, std::uint64_t x) { return a < x; }) -
                        blk.begin());
        }
        return n;
    }
    template <class F>
    void ForEach(F&& f) const {
        for (const auto& blk : blocks_) {
            for (Value v : blk) f(v);
        }
    }
    std::int64_t size() const { return size_; }
    std::int64_t Bytes() const {
        std::int64_t bytes = static_cast<std::int64_t>(blocks_.capacity() * sizeof(std::vector<Value>));
        for (const auto& blk : blocks_) bytes += static_cast<std::int64_t>(blk.capacity() * sizeof(Value));
        return bytes;
    }

  private:
    // The first block whose last value is >= v (blocks_.size() when none): the block holding v's first
    // occurrence, if v is present.
    std::size_t FirstBlockNotBelow(Value v) const {
        auto it = std::partition_point(blocks_.begin(), blocks_.end(),
                                       [v](const std::vector<Value>& blk) { return blk.back() < v; });
        return static_cast<std::size_t>(it - blocks_.begin());
    }

    std::vector<std::vector<Value>> blocks_;
    std::int64_t size_ = 0;
};

// A sorted vector used as a small multiset (an org's own values).
void SortedInsert(std::vector<Value>& v, Value x) { v.insert(std::upper_bound(v.begin(), v.end(), x), x); }
bool SortedErase(std::vector<Value>& v, Value x) {
    auto it = std::lower_bound(v.begin(), v.end(), x);
    if (it == v.end() || *it != x) return false;
    v.erase(it);
    return true;
}
std::int64_t SortedCountLess(const std::vector<Value>& v, std::uint64_t t) {
    return std::lower_bound(v.begin(), v.end(), t, [](Value a, std::uint64_t x) { return a < x; }) - v.begin();
}

// The three value lists an org keeps (own, and in its blocks for its subtree).
enum class List { kOpen, kSteps, kDue };
constexpr std::array<List, 3> kLists{List::kOpen, List::kSteps, List::kDue};

struct Blocks {
    SortedBlocks open;   // last_activity of the subtree's open tasks
    SortedBlocks steps;  // at of the subtree's supervise steps
    SortedBlocks due;    // due_at of the subtree's open tasks that have a deadline
    SortedBlocks& of(List l) { return l == List::kOpen ? open : l == List::kSteps ? steps : due; }
    const SortedBlocks& of(List l) const { return l == List::kOpen ? open : l == List::kSteps ? steps : due; }
};

struct OrgNode {
    OrgId id = 0;
    Slot parent = kNoSlot;
    std::vector<Slot> children;
    std::vector<Value> open;   // own open tasks' last_activity, sorted
    std::vector<Value> steps;  // own supervise steps' at, sorted
    std::vector<Value> due;    // own open tasks' due_at (those with one), sorted
    std::int64_t sub_items = 0;
    std::int64_t sub_orgs = 1;
    std::unique_ptr<Blocks> blocks;  // materialised: the subtree's values
    std::vector<Value>& of(List l) { return l == List::kOpen ? open : l == List::kSteps ? steps : due; }
    const std::vector<Value>& of(List l) const { return l == List::kOpen ? open : l == List::kSteps ? steps : due; }
};

struct TaskRecord {
    Slot org = kNoSlot;
    Value last_activity = 0;
    Value due = 0;         // the deadline, when has_due
    bool has_due = false;
    bool operator==(const TaskRecord&) const = default;
};

// The values of a subtree, sorted: what a moved subtree takes along.
struct SubtreeValues {
    std::array<std::vector<Value>, 3> lists;  // by List
    std::vector<Value>& of(List l) { return lists[static_cast<std::size_t>(l)]; }
};

TaskRecord RecordOf(Slot org, const OpenTaskFacts& t) {
    return TaskRecord{org, Stored(t.last_activity), t.due_at ? Stored(*t.due_at) : Value{0}, t.due_at.has_value()};
}

}  // namespace

struct TaskIndex::Impl {
    Options options;
    std::vector<OrgNode> orgs;
    boost::unordered_flat_map<OrgId, Slot> org_slot;
    boost::unordered_flat_map<TaskId, TaskRecord> tasks;
    boost::unordered_flat_set<std::int64_t> step_ids;

    Slot FindOrg(OrgId id) const {
        auto it = org_slot.find(id);
        return it == org_slot.end() ? kNoSlot : it->second;
    }
    bool Due(const OrgNode& n) const {
        return !n.blocks && (n.sub_items >= options.materialise_items || n.sub_orgs >= options.materialise_orgs);
    }

    // Calls f(node) for every org of v's subtree that has to be visited to see all its values: an org with
    // blocks stands for its subtree (f gets it and the walk does not descend), others are visited one by one.
    template <class F>
    void Gather(Slot v, F&& f) const {
        std::vector<Slot> stack{v};
        while (!stack.empty()) {
            const Slot s = stack.back();
            stack.pop_back();
            const OrgNode& n = orgs[s];
            f(n);
            if (n.blocks) continue;  // its blocks cover its subtree
            for (Slot c : n.children) stack.push_back(c);
        }
    }

    SubtreeValues ValuesOf(Slot v) const {
        SubtreeValues out;
        Gather(v, [&](const OrgNode& n) {
            for (List l : kLists) {
                if (n.blocks) {
                    n.blocks->of(l).ForEach([&](Value x) { out.of(l).push_back(x); });
                } else {
                    out.of(l).insert(out.of(l).end(), n.of(l).begin(), n.of(l).end());
                }
            }
        });
        for (auto& list : out.lists) std::sort(list.begin(), list.end());
        return out;
    }

    void Materialise(Slot v) {
        SubtreeValues values = ValuesOf(v);
        auto b = std::make_unique<Blocks>();
        for (List l : kLists) b->of(l).Assign(std::move(values.of(l)));
        orgs[v].blocks = std::move(b);
    }

    // Materialises the orgs on v's root path that have reached a threshold, lowest first (so each gathers
    // from the blocks just made below it).
    void MaterialiseDue(Slot v) {
        for (Slot a = v; a != kNoSlot; a = orgs[a].parent) {
            if (Due(orgs[a])) Materialise(a);
        }
    }

    // Adds (sign +1) or removes (-1) one value of `list` along v's root path. A deadline does not count in
    // sub_items (invariant 3: it belongs to an open task, counted already).
    void Change(Slot v, Value x, List list, int sign) {
        OrgNode& own = orgs[v];
        if (sign > 0) {
            SortedInsert(own.of(list), x);
        } else {
            SortedErase(own.of(list), x);
        }
        for (Slot a = v; a != kNoSlot; a = orgs[a].parent) {
            OrgNode& n = orgs[a];
            if (list != List::kDue) n.sub_items += sign;
            if (!n.blocks) continue;
            SortedBlocks& b = n.blocks->of(list);
            if (sign > 0) {
                b.Insert(x);
            } else {
                b.Erase(x);
            }
        }
        if (sign > 0) MaterialiseDue(v);
    }

    // An open task's values (last activity, and deadline when it has one) in or out of its org's lists.
    void ChangeTask(const TaskRecord& r, int sign) {
        Change(r.org, r.last_activity, List::kOpen, sign);
        if (r.has_due) Change(r.org, r.due, List::kDue, sign);
    }

    bool InSubtree(Slot u, Slot root) const {
        for (Slot a = u; a != kNoSlot; a = orgs[a].parent) {
            if (a == root) return true;
        }
        return false;
    }

    std::pair<std::int64_t, std::int64_t> Count(Slot v, std::uint64_t stalled_before, std::uint64_t from,
                                                std::uint64_t to) const {
        std::int64_t stalled = 0, steps = 0;
        Gather(v, [&](const OrgNode& n) {
            if (n.blocks) {
                stalled += n.blocks->open.CountLess(stalled_before);
                if (to > from) steps += n.blocks->steps.CountLess(to) - n.blocks->steps.CountLess(from);
            } else {
                stalled += SortedCountLess(n.open, stalled_before);
                if (to > from) steps += SortedCountLess(n.steps, to) - SortedCountLess(n.steps, from);
            }
        });
        return {stalled, steps};
    }

    // Values of `list` in v's subtree within [lo, hi).
    std::int64_t CountBetween(Slot v, List list, std::uint64_t lo, std::uint64_t hi) const {
        if (hi <= lo) return 0;
        std::int64_t n = 0;
        Gather(v, [&](const OrgNode& o) {
            if (o.blocks) {
                n += o.blocks->of(list).CountLess(hi) - o.blocks->of(list).CountLess(lo);
            } else {
                n += SortedCountLess(o.of(list), hi) - SortedCountLess(o.of(list), lo);
            }
        });
        return n;
    }
};

namespace {
std::uint64_t Bound(UnixSeconds t) {
    return t <= 0 ? 0 : t > kMaxInstant ? std::uint64_t{kMaxInstant} + 1 : static_cast<std::uint64_t>(t);
}
}  // namespace

TaskIndex::TaskIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TaskIndex::~TaskIndex() = default;

Result<std::unique_ptr<TaskIndex>> TaskIndex::Build(const std::vector<domain::Org>& orgs,
                                                    const std::vector<OpenTaskFacts>& open_tasks,
                                                    const std::vector<StepFacts>& steps, Options options) {
    auto m = std::make_unique<Impl>();
    m->options = options;
    m->orgs.resize(orgs.size());
    m->org_slot.reserve(orgs.size());
    for (std::size_t i = 0; i < orgs.size(); ++i) {
        if (!m->org_slot.emplace(orgs[i].id, static_cast<Slot>(i)).second) {
            return FailedPrecondition("org " + std::to_string(orgs[i].id) + " appears twice");
        }
        m->orgs[i].id = orgs[i].id;
    }
    Slot root = kNoSlot;
    for (std::size_t i = 0; i < orgs.size(); ++i) {
        if (!orgs[i].parent_id) {
            if (root != kNoSlot)
                return FailedPrecondition("two root orgs: " + std::to_string(m->orgs[root].id) + " and " +
                                          std::to_string(orgs[i].id));
            root = static_cast<Slot>(i);
            continue;
        }
        const Slot p = m->FindOrg(*orgs[i].parent_id);
        if (p == kNoSlot) {
            return FailedPrecondition("org " + std::to_string(orgs[i].id) + " has an unknown parent " +
                                      std::to_string(*orgs[i].parent_id));
        }
        m->orgs[i].parent = p;
        m->orgs[p].children.push_back(static_cast<Slot>(i));
    }
    if (root == kNoSlot) return FailedPrecondition("no root org");
    // Breadth-first from the root: every org reached once, unless the parent links form a cycle.
    std::vector<Slot> order{root};
    order.reserve(orgs.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        for (Slot c : m->orgs[order[i]].children) order.push_back(c);
    }
    if (order.size() != orgs.size()) return FailedPrecondition("the org parent links form a cycle");

    m->tasks.reserve(open_tasks.size());
    for (const OpenTaskFacts& t : open_tasks) {
        const Slot s = m->FindOrg(t.org_id);
        if (s == kNoSlot) {
            return InvalidArgument("task " + std::to_string(t.id) + ": unknown org " + std::to_string(t.org_id));
        }
        const TaskRecord r = RecordOf(s, t);
        if (!m->tasks.emplace(t.id, r).second) {
            return InvalidArgument("task " + std::to_string(t.id) + " appears twice");
        }
        m->orgs[s].open.push_back(r.last_activity);
        if (r.has_due) m->orgs[s].due.push_back(r.due);
    }
    m->step_ids.reserve(steps.size());
    for (const StepFacts& st : steps) {
        const Slot s = m->FindOrg(st.org_id);
        if (s == kNoSlot) {
            return InvalidArgument("step " + std::to_string(st.id) + ": unknown org " + std::to_string(st.org_id));
        }
        if (!m->step_ids.insert(st.id).second) continue;
        m->orgs[s].steps.push_back(Stored(st.at));
    }
    for (OrgNode& n : m->orgs) {
        for (List l : kLists) {
            std::sort(n.of(l).begin(), n.of(l).end());
            n.of(l).shrink_to_fit();
        }
        n.sub_items = static_cast<std::int64_t>(n.open.size() + n.steps.size());
    }
    // Subtree sums, leaves first; then blocks, lowest orgs first, each gathering from the blocks below it.
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const OrgNode& n = m->orgs[*it];
        if (n.parent != kNoSlot) {
            m->orgs[n.parent].sub_items += n.sub_items;
            m->orgs[n.parent].sub_orgs += n.sub_orgs;
        }
    }
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        if (m->Due(m->orgs[*it])) m->Materialise(*it);
    }
    return std::unique_ptr<TaskIndex>(new TaskIndex(std::move(m)));
}

Status TaskIndex::AddOrg(OrgId id, OrgId parent) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    if (m.FindOrg(id) != kNoSlot) return AlreadyExists("org " + std::to_string(id) + " already exists");
    const Slot p = m.FindOrg(parent);
    if (p == kNoSlot) return NotFound("parent org " + std::to_string(parent) + " does not exist");
    const Slot s = static_cast<Slot>(m.orgs.size());
    m.orgs.emplace_back();
    m.orgs[s].id = id;
    m.orgs[s].parent = p;
    m.orgs[p].children.push_back(s);
    m.org_slot.emplace(id, s);
    for (Slot a = p; a != kNoSlot; a = m.orgs[a].parent) ++m.orgs[a].sub_orgs;
    m.MaterialiseDue(s);
    return Status::Ok();
}

Status TaskIndex::MoveOrg(OrgId id, OrgId new_parent) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    const Slot v = m.FindOrg(id);
    if (v == kNoSlot) return NotFound("org " + std::to_string(id) + " does not exist");
    const Slot np = m.FindOrg(new_parent);
    if (np == kNoSlot) return NotFound("org " + std::to_string(new_parent) + " does not exist");
    const Slot op = m.orgs[v].parent;
    if (op == kNoSlot) return FailedPrecondition("org " + std::to_string(id) + " is the root and cannot move");
    if (m.InSubtree(np, v)) {
        return FailedPrecondition("org " + std::to_string(new_parent) + " lies inside the subtree of org " +
                                  std::to_string(id));
    }
    if (op == np) return Status::Ok();
    const SubtreeValues values = m.ValuesOf(v);
    const std::int64_t items = m.orgs[v].sub_items, count = m.orgs[v].sub_orgs;
    // Old root path up to (not including) the lowest common ancestor loses the subtree; the new one gains it.
    auto on_new_path = [&](Slot a) { return m.InSubtree(np, a); };
    for (Slot a = op; a != kNoSlot && !on_new_path(a); a = m.orgs[a].parent) {
        OrgNode& n = m.orgs[a];
        n.sub_items -= items;
        n.sub_orgs -= count;
        if (!n.blocks) continue;
        for (List l : kLists) {
            for (Value x : values.lists[static_cast<std::size_t>(l)]) n.blocks->of(l).Erase(x);
        }
    }
    auto& siblings = m.orgs[op].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), v));
    m.orgs[v].parent = np;
    m.orgs[np].children.push_back(v);
    for (Slot a = np; a != kNoSlot && !m.InSubtree(op, a); a = m.orgs[a].parent) {
        OrgNode& n = m.orgs[a];
        n.sub_items += items;
        n.sub_orgs += count;
        if (!n.blocks) continue;
        for (List l : kLists) {
            for (Value x : values.lists[static_cast<std::size_t>(l)]) n.blocks->of(l).Insert(x);
        }
    }
    m.MaterialiseDue(np);
    return Status::Ok();
}

Status TaskIndex::PutOpenTask(const OpenTaskFacts& facts) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    const Slot s = m.FindOrg(facts.org_id);
    if (s == kNoSlot) {
        return InvalidArgument("task " + std::to_string(facts.id) + ": unknown org " + std::to_string(facts.org_id));
    }
    const TaskRecord r = RecordOf(s, facts);
    auto [it, inserted] = m.tasks.emplace(facts.id, r);
    if (!inserted) {
        if (it->second == r) return Status::Ok();
        const TaskRecord old = it->second;
        it->second = r;
        m.ChangeTask(old, -1);
    }
    m.ChangeTask(r, +1);
    return Status::Ok();
}

Status TaskIndex::DropTask(TaskId id) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    auto it = m.tasks.find(id);
    if (it == m.tasks.end()) return Status::Ok();
    const TaskRecord old = it->second;
    m.tasks.erase(it);
    m.ChangeTask(old, -1);
    return Status::Ok();
}

Status TaskIndex::AddStep(const StepFacts& step) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    const Slot s = m.FindOrg(step.org_id);
    if (s == kNoSlot) {
        return InvalidArgument("step " + std::to_string(step.id) + ": unknown org " + std::to_string(step.org_id));
    }
    if (!m.step_ids.insert(step.id).second) return Status::Ok();
    m.Change(s, Stored(step.at), List::kSteps, +1);
    return Status::Ok();
}

Result<TaskIndex::Figures> TaskIndex::Query(OrgId root, UnixSeconds stalled_before, UnixSeconds from,
                                            UnixSeconds to) const {
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    const Slot v = m.FindOrg(root);
    if (v == kNoSlot) return NotFound("org " + std::to_string(root) + " does not exist");
    auto [stalled, supervised] = m.Count(v, Bound(stalled_before), Bound(from), Bound(to));
    return Figures{stalled, supervised};
}

Result<TaskIndex::Deadlines> TaskIndex::CountDeadlines(OrgId root, UnixSeconds now, UnixSeconds due_before) const {
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    const Slot v = m.FindOrg(root);
    if (v == kNoSlot) return NotFound("org " + std::to_string(root) + " does not exist");
    return Deadlines{m.CountBetween(v, List::kDue, 0, Bound(now)),
                     m.CountBetween(v, List::kDue, Bound(now), Bound(due_before))};
}

bool TaskIndex::ContainsOrg(OrgId id) const {
    auto lock = lock_.Read();
    return impl_->FindOrg(id) != kNoSlot;
}

TaskIndexMemory TaskIndex::Memory() const {
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    TaskIndexMemory out;
    out.orgs = static_cast<std::int64_t>(m.orgs.size());
    out.open_tasks = static_cast<std::int64_t>(m.tasks.size());
    out.steps = static_cast<std::int64_t>(m.step_ids.size());
    std::int64_t bytes = static_cast<std::int64_t>(m.orgs.capacity() * sizeof(OrgNode));
    for (const OrgNode& n : m.orgs) {
        bytes += static_cast<std::int64_t>((n.children.capacity()) * sizeof(Slot) +
                                           (n.open.capacity() + n.steps.capacity() + n.due.capacity()) * sizeof(Value));
        out.deadlines += static_cast<std::int64_t>(n.due.size());
        if (n.blocks) {
            ++out.materialised_orgs;
            bytes += static_cast<std::int64_t>(sizeof(Blocks));
            for (List l : kLists) {
                out.block_values += n.blocks->of(l).size();
                bytes += n.blocks->of(l).Bytes();
            }
        }
    }
    // boost::unordered_flat_map/set: one slot per bucket plus one metadata byte per bucket (approximately).
    bytes += static_cast<std::int64_t>(m.org_slot.bucket_count() * (sizeof(std::pair<OrgId, Slot>) + 1));
    bytes += static_cast<std::int64_t>(m.tasks.bucket_count() * (sizeof(std::pair<TaskId, TaskRecord>) + 1));
    bytes += static_cast<std::int64_t>(m.step_ids.bucket_count() * (sizeof(std::int64_t) + 1));
    out.bytes = bytes;
    return out;
}

Status TaskIndex::CheckInvariants() const {
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    const std::size_t n = m.orgs.size();
    Slot root = kNoSlot;
    for (Slot s = 0; s < n; ++s) {
        if (m.orgs[s].parent == kNoSlot) {
            if (root != kNoSlot) return Internal("two roots");
            root = s;
        }
    }
    if (root == kNoSlot) return Internal("no root");
    // Own values recomputed from the task records; step counts from the set.
    std::vector<std::vector<Value>> own_open(n), own_due(n);
    for (const auto& [id, rec] : m.tasks) {
        own_open[rec.org].push_back(rec.last_activity);
        if (rec.has_due) own_due[rec.org].push_back(rec.due);
    }
    std::size_t own_steps = 0;
    for (Slot s = 0; s < n; ++s) {
        std::sort(own_open[s].begin(), own_open[s].end());
        std::sort(own_due[s].begin(), own_due[s].end());
        if (own_open[s] != m.orgs[s].open) {
            return Internal("org " + std::to_string(m.orgs[s].id) + ": own open list differs from the task records");
        }
        if (own_due[s] != m.orgs[s].due) {
            return Internal("org " + std::to_string(m.orgs[s].id) + ": own deadline list differs from the task records");
        }
        if (!std::is_sorted(m.orgs[s].steps.begin(), m.orgs[s].steps.end())) {
            return Internal("org " + std::to_string(m.orgs[s].id) + ": own steps not sorted");
        }
        own_steps += m.orgs[s].steps.size();
    }
    if (own_steps != m.step_ids.size())
        return Internal("step lists hold " + std::to_string(own_steps) + " values for " +
                        std::to_string(m.step_ids.size()) + " ids");
    for (Slot s = 0; s < n; ++s) {
        const OrgNode& node = m.orgs[s];
        // Every org reaches the root (no cycles) and is among its parent's children.
        std::size_t steps = 0;
        for (Slot a = s; a != root; a = m.orgs[a].parent) {
            if (m.orgs[a].parent == kNoSlot || ++steps > n)
                return Internal("org " + std::to_string(node.id) + ": no path to the root");
            const auto& ch = m.orgs[m.orgs[a].parent].children;
            if (std::count(ch.begin(), ch.end(), a) != 1)
                return Internal("org " + std::to_string(node.id) + ": child links");
        }
        // Recount the subtree from the own lists only.
        std::vector<Value> open, st, due;
        std::int64_t orgs = 0;
        std::vector<Slot> stack{s};
        while (!stack.empty()) {
            const OrgNode& x = m.orgs[stack.back()];
            stack.pop_back();
            ++orgs;
            open.insert(open.end(), x.open.begin(), x.open.end());
            st.insert(st.end(), x.steps.begin(), x.steps.end());
            due.insert(due.end(), x.due.begin(), x.due.end());
            for (Slot c : x.children) stack.push_back(c);
        }
        const std::string name = "org " + std::to_string(node.id);
        if (node.sub_orgs != orgs)
            return Internal(name + ": sub_orgs " + std::to_string(node.sub_orgs) + ", recount " + std::to_string(orgs));
        const auto items = static_cast<std::int64_t>(open.size() + st.size());
        if (node.sub_items != items)
            return Internal(name + ": sub_items " + std::to_string(node.sub_items) + ", recount " +
                            std::to_string(items));
        if (node.blocks) {
            std::sort(open.begin(), open.end());
            std::sort(st.begin(), st.end());
            std::sort(due.begin(), due.end());
            std::vector<Value> bo, bs, bd;
            node.blocks->open.ForEach([&](Value x) { bo.push_back(x); });
            node.blocks->steps.ForEach([&](Value x) { bs.push_back(x); });
            node.blocks->due.ForEach([&](Value x) { bd.push_back(x); });
            if (bo != open || bs != st || bd != due) return Internal(name + ": blocks differ from the subtree's values");
        } else if (m.Due(node)) {
            return Internal(name + ": over a threshold without blocks");
        }
    }
    return Status::Ok();
}

}  // namespace rectify::index
