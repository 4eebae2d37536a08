#include "index/side_index.hpp"

#include <algorithm>
#include <mutex>
#include <string>

#include <boost/unordered/unordered_flat_map.hpp>

namespace rectify::index {

using domain::OrgId;

namespace {

using Slot = std::int32_t;
constexpr Slot kNoSlot = -1;
using Origins = std::vector<std::pair<OrgId, std::int64_t>>;  // sorted by org id, no zero counts

struct Node {
    OrgId id = 0;
    Slot parent = kNoSlot;
    // Additive: totals over the subtree.
    std::int64_t opinions = 0, replied = 0, rated = 0, satisfied = 0, basically = 0, cascaded_down = 0;
    // Marks: records that hold at this org (invariant 3).
    std::int64_t co_owned = 0, escalated_up = 0, cascaded_in = 0;
    std::unique_ptr<Origins> escalated_from;  // null when empty
};

// An opinion's record: its org's slot and flags (bit 0 replied, bits 1-2 satisfaction + 1, 0 = not rated).
struct OpinionRec {
    Slot org = kNoSlot;
    std::uint8_t flags = 0;
};

struct ProblemRec {
    OrgId owner = 0;
    std::vector<OrgId> co_owners;  // sorted, unique
    std::vector<OrgId> origins;    // sorted, unique
};

struct CascadeRec {
    OrgId issuer = 0;
    std::int64_t created = 0;
    std::vector<std::pair<OrgId, std::int64_t>> child_task_orgs;
};

std::vector<OrgId> SortedUnique(std::vector<OrgId> v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return v;
}

std::uint8_t FlagsOf(const OpinionFacts& f) {
    std::uint8_t flags = f.replied ? 1 : 0;
    if (f.satisfaction) flags = static_cast<std::uint8_t>(flags | ((static_cast<int>(*f.satisfaction) + 1) << 1));
    return flags;
}

}  // namespace

struct SideIndex::Impl {
    std::vector<Node> nodes;
    boost::unordered_flat_map<OrgId, Slot> slot_of;
    // Opinions by id: ids are the store's sequence, so dense — a vector indexed by id (8 bytes a slot,
    // org == kNoSlot: no such opinion) for ids below 4 * count + 65,536, a hash map for any beyond.
    std::vector<OpinionRec> dense_opinions;
    boost::unordered_flat_map<domain::OpinionId, OpinionRec> sparse_opinions;
    std::int64_t opinion_count = 0;

    // The record of opinion `id`, or null when absent.
    const OpinionRec* FindOpinion(domain::OpinionId id) const {
        if (id >= 0 && static_cast<std::size_t>(id) < dense_opinions.size() &&
            dense_opinions[static_cast<std::size_t>(id)].org != kNoSlot) {
            return &dense_opinions[static_cast<std::size_t>(id)];
        }
        auto it = sparse_opinions.find(id);
        return it == sparse_opinions.end() ? nullptr : &it->second;
    }
    // The place of opinion `id`'s record (org == kNoSlot when new). An id kept in the hash map stays there.
    OpinionRec& OpinionSlot(domain::OpinionId id) {
        if (auto it = sparse_opinions.find(id); it != sparse_opinions.end()) return it->second;
        if (id >= 0 && static_cast<std::size_t>(id) < dense_opinions.size()) return dense_opinions[static_cast<std::size_t>(id)];
        if (id >= 0 && id < 4 * opinion_count + 65536) {
            dense_opinions.resize(static_cast<std::size_t>(id) + 1);  // grows geometrically
            return dense_opinions[static_cast<std::size_t>(id)];
        }
        return sparse_opinions[id];
    }
    boost::unordered_flat_map<domain::ProblemId, ProblemRec> problems;
    boost::unordered_flat_map<domain::CascadeId, CascadeRec> cascades;

    Slot SlotOf(OrgId id) const {
        auto it = slot_of.find(id);
        return it == slot_of.end() ? kNoSlot : it->second;
    }

    Status Known(OrgId id, const char* what) const {
        if (SlotOf(id) == kNoSlot) return NotFound(std::string(what) + ": org " + std::to_string(id) + " is not in the index");
        return Status::Ok();
    }

    // Calls f(node) for `s` and every ancestor.
    template <typename F>
    void UpPath(Slot s, F&& f) {
        for (; s != kNoSlot; s = nodes[static_cast<std::size_t>(s)].parent) f(nodes[static_cast<std::size_t>(s)]);
    }

    bool InSubtree(Slot s, Slot root) const {
        for (; s != kNoSlot; s = nodes[static_cast<std::size_t>(s)].parent) {
            if (s == root) return true;
        }
        return false;
    }

    // ---- additive figures ----
    void AddOpinion(const OpinionRec& r, std::int64_t sign) {
        const int sat = (r.flags >> 1) - 1;  // -1 not rated
        UpPath(r.org, [&](Node& n) {
            n.opinions += sign;
            if (r.flags & 1) n.replied += sign;
            if (sat >= 0) n.rated += sign;
            if (sat == static_cast<int>(domain::Satisfaction::kSatisfied)) n.satisfied += sign;
            if (sat == static_cast<int>(domain::Satisfaction::kBasicallySatisfied)) n.basically += sign;
        });
    }

    static void AddOrigin(Node& n, OrgId origin, std::int64_t delta) {
        if (delta == 0) return;
        if (!n.escalated_from) n.escalated_from = std::make_unique<Origins>();
        Origins& o = *n.escalated_from;
        auto it = std::lower_bound(o.begin(), o.end(), origin, [](const auto& e, OrgId v) { return e.first < v; });
        if (it == o.end() || it->first != origin) it = o.insert(it, {origin, 0});
        it->second += delta;
        if (it->second == 0) o.erase(it);
        if (o.empty()) n.escalated_from.reset();
    }

    // Subtracts (sign -1) or adds (+1) node `v`'s subtree totals at every proper ancestor of v.
    void ShiftSubtree(Slot v, std::int64_t sign) {
        const Node& src = nodes[static_cast<std::size_t>(v)];
        const std::int64_t op = src.opinions, re = src.replied, ra = src.rated, sa = src.satisfied,
                           ba = src.basically, cd = src.cascaded_down;
        const Origins origins = src.escalated_from ? *src.escalated_from : Origins{};
        UpPath(src.parent, [&](Node& n) {
            n.opinions += sign * op;
            n.replied += sign * re;
            n.rated += sign * ra;
            n.satisfied += sign * sa;
            n.basically += sign * ba;
            n.cascaded_down += sign * cd;
            for (const auto& [origin, count] : origins) AddOrigin(n, origin, sign * count);
        });
    }

    // ---- marks ----
    // The slots holding "contains one of `inside` but not `other`": the union of each inside org's root path
    // up to, not including, the first ancestor-or-self of `other` (sorted, unique).
    std::vector<Slot> MarkedSlots(const std::vector<OrgId>& inside, OrgId other) const {
        std::vector<Slot> stop;
        for (Slot s = SlotOf(other); s != kNoSlot; s = nodes[static_cast<std::size_t>(s)].parent) stop.push_back(s);
        std::vector<Slot> out;
        for (OrgId i : inside) {
            for (Slot s = SlotOf(i); s != kNoSlot; s = nodes[static_cast<std::size_t>(s)].parent) {
                if (std::find(stop.begin(), stop.end(), s) != stop.end()) break;
                out.push_back(s);
            }
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

    void MarkProblem(const ProblemRec& r, std::int64_t sign) {
        for (Slot s : MarkedSlots(r.co_owners, r.owner)) nodes[static_cast<std::size_t>(s)].co_owned += sign;
        for (Slot s : MarkedSlots(r.origins, r.owner)) nodes[static_cast<std::size_t>(s)].escalated_up += sign;
    }
    void AddProblem(const ProblemRec& r, std::int64_t sign) {
        UpPath(SlotOf(r.owner), [&](Node& n) {
            for (OrgId origin : r.origins) AddOrigin(n, origin, sign);
        });
    }

    void MarkCascade(const CascadeRec& r, std::int64_t sign) {
        for (const auto& [org, count] : r.child_task_orgs) {
            for (Slot s : MarkedSlots({org}, r.issuer)) nodes[static_cast<std::size_t>(s)].cascaded_in += sign * count;
        }
    }
    void AddCascade(const CascadeRec& r, std::int64_t sign) {
        UpPath(SlotOf(r.issuer), [&](Node& n) { n.cascaded_down += sign * r.created; });
    }

    bool Touches(const ProblemRec& r, Slot root) const {
        if (InSubtree(SlotOf(r.owner), root)) return true;
        for (OrgId o : r.co_owners) {
            if (InSubtree(SlotOf(o), root)) return true;
        }
        for (OrgId o : r.origins) {
            if (InSubtree(SlotOf(o), root)) return true;
        }
        return false;
    }
    bool Touches(const CascadeRec& r, Slot root) const {
        if (InSubtree(SlotOf(r.issuer), root)) return true;
        for (const auto& g : r.child_task_orgs) {
            if (InSubtree(SlotOf(g.first), root)) return true;
        }
        return false;
    }

    // ---- records ----
    Status PutOpinion(const OpinionFacts& f) {
        const Slot org = SlotOf(f.org_id);
        if (org == kNoSlot) return NotFound("opinion " + std::to_string(f.id) + ": org " + std::to_string(f.org_id) + " is not in the index");
        OpinionRec rec{org, FlagsOf(f)};
        OpinionRec& at = OpinionSlot(f.id);
        if (at.org == kNoSlot) {
            ++opinion_count;
        } else {
            AddOpinion(at, -1);
        }
        at = rec;
        AddOpinion(rec, +1);
        return Status::Ok();
    }

    Status PutProblem(const ProblemLinkFacts& f) {
        ProblemRec rec{f.owner_org_id, SortedUnique(f.co_owner_org_ids), SortedUnique(f.escalation_origin_org_ids)};
        const bool linked = !rec.co_owners.empty() || !rec.origins.empty();
        if (linked) {
            const std::string what = "problem " + std::to_string(f.id);
            RETURN_IF_ERROR(Known(rec.owner, what.c_str()));
            for (OrgId o : rec.co_owners) RETURN_IF_ERROR(Known(o, what.c_str()));
            for (OrgId o : rec.origins) RETURN_IF_ERROR(Known(o, what.c_str()));
        }
        if (auto it = problems.find(f.id); it != problems.end()) {
            MarkProblem(it->second, -1);
            AddProblem(it->second, -1);
            problems.erase(it);
        }
        if (!linked) return Status::Ok();
        MarkProblem(rec, +1);
        AddProblem(rec, +1);
        problems.emplace(f.id, std::move(rec));
        return Status::Ok();
    }

    Status PutCascade(const CascadeFacts& f) {
        const std::string what = "cascade " + std::to_string(f.id);
        RETURN_IF_ERROR(Known(f.issuing_org_id, what.c_str()));
        if (f.created < 0) return InvalidArgument(what + ": created must not be negative");
        for (const auto& [org, count] : f.child_task_orgs) {
            RETURN_IF_ERROR(Known(org, what.c_str()));
            if (count < 0) return InvalidArgument(what + ": a child task count must not be negative");
        }
        CascadeRec rec{f.issuing_org_id, f.created, f.child_task_orgs};
        rec.child_task_orgs.shrink_to_fit();
        if (auto it = cascades.find(f.id); it != cascades.end()) {
            MarkCascade(it->second, -1);
            AddCascade(it->second, -1);
            cascades.erase(it);
        }
        MarkCascade(rec, +1);
        AddCascade(rec, +1);
        cascades.emplace(f.id, std::move(rec));
        return Status::Ok();
    }
};

SideIndex::SideIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SideIndex::~SideIndex() = default;

Result<std::unique_ptr<SideIndex>> SideIndex::Build(const std::vector<domain::Org>& orgs,
                                                    const std::vector<OpinionFacts>& opinions,
                                                    const std::vector<ProblemLinkFacts>& problems,
                                                    const std::vector<CascadeFacts>& cascades) {
    auto impl = std::make_unique<Impl>();
    impl->nodes.reserve(orgs.size());
    for (const auto& o : orgs) {
        if (!impl->slot_of.emplace(o.id, static_cast<Slot>(impl->nodes.size())).second) {
            return InvalidArgument("org " + std::to_string(o.id) + " appears twice");
        }
        impl->nodes.push_back(Node{o.id});
    }
    int roots = 0;
    for (const auto& o : orgs) {
        Node& n = impl->nodes[static_cast<std::size_t>(impl->SlotOf(o.id))];
        if (!o.parent_id) {
            ++roots;
            continue;
        }
        n.parent = impl->SlotOf(*o.parent_id);
        if (n.parent == kNoSlot) {
            return FailedPrecondition("org " + std::to_string(o.id) + ": parent " + std::to_string(*o.parent_id) +
                                      " does not exist");
        }
    }
    if (roots != 1) return FailedPrecondition("the orgs have " + std::to_string(roots) + " roots, not one");
    for (std::size_t i = 0; i < impl->nodes.size(); ++i) {  // no cycles: every walk up ends within |orgs| steps
        std::size_t steps = 0;
        for (Slot s = static_cast<Slot>(i); s != kNoSlot; s = impl->nodes[static_cast<std::size_t>(s)].parent) {
            if (++steps > impl->nodes.size()) {
                return FailedPrecondition("the parent links of org " + std::to_string(impl->nodes[i].id) +
                                          " form a cycle");
            }
        }
    }
    domain::OpinionId max_id = 0;
    for (const auto& f : opinions) max_id = std::max(max_id, f.id);
    if (max_id < 4 * static_cast<domain::OpinionId>(opinions.size()) + 65536) {
        impl->dense_opinions.reserve(static_cast<std::size_t>(max_id) + 1);
    }
    for (const auto& f : opinions) {
        if (impl->FindOpinion(f.id) != nullptr) return InvalidArgument("opinion " + std::to_string(f.id) + " appears twice");
        Status st = impl->PutOpinion(f);
        if (!st.ok()) return InvalidArgument(st.message());
    }
    for (const auto& f : problems) {
        if (impl->problems.contains(f.id)) return InvalidArgument("problem " + std::to_string(f.id) + " appears twice");
        Status st = impl->PutProblem(f);
        if (!st.ok()) return InvalidArgument(st.message());
    }
    for (const auto& f : cascades) {
        if (impl->cascades.contains(f.id)) return InvalidArgument("cascade " + std::to_string(f.id) + " appears twice");
        Status st = impl->PutCascade(f);
        if (!st.ok()) return InvalidArgument(st.message());
    }
    return std::unique_ptr<SideIndex>(new SideIndex(std::move(impl)));
}

bool SideIndex::ContainsOrg(OrgId id) const {
    auto lock = lock_.Read();
    return impl_->SlotOf(id) != kNoSlot;
}

Status SideIndex::AddOrg(OrgId id, OrgId parent) {
    auto lock = lock_.Write();
    if (impl_->SlotOf(id) != kNoSlot) return AlreadyExists("org " + std::to_string(id) + " is in the index already");
    const Slot p = impl_->SlotOf(parent);
    if (p == kNoSlot) return NotFound("parent org " + std::to_string(parent) + " is not in the index");
    impl_->slot_of.emplace(id, static_cast<Slot>(impl_->nodes.size()));
    Node n{id};
    n.parent = p;
    impl_->nodes.push_back(std::move(n));
    return Status::Ok();
}

Status SideIndex::MoveOrg(OrgId id, OrgId new_parent) {
    auto lock = lock_.Write();
    Impl& m = *impl_;
    const Slot v = m.SlotOf(id), np = m.SlotOf(new_parent);
    if (v == kNoSlot) return NotFound("org " + std::to_string(id) + " is not in the index");
    if (np == kNoSlot) return NotFound("org " + std::to_string(new_parent) + " is not in the index");
    Node& node = m.nodes[static_cast<std::size_t>(v)];
    if (node.parent == kNoSlot) return FailedPrecondition("org " + std::to_string(id) + " is the root");
    if (node.parent == np) return Status::Ok();
    if (m.InSubtree(np, v)) {
        return FailedPrecondition("org " + std::to_string(new_parent) + " lies inside the subtree of org " +
                                  std::to_string(id));
    }
    // The records whose marks can change: those naming an org inside the moved subtree.
    std::vector<const ProblemRec*> problems;
    for (const auto& [pid, rec] : m.problems) {
        if (m.Touches(rec, v)) problems.push_back(&rec);
    }
    std::vector<const CascadeRec*> cascades;
    for (const auto& [cid, rec] : m.cascades) {
        if (m.Touches(rec, v)) cascades.push_back(&rec);
    }
    for (const ProblemRec* r : problems) m.MarkProblem(*r, -1);
    for (const CascadeRec* r : cascades) m.MarkCascade(*r, -1);
    m.ShiftSubtree(v, -1);
    m.nodes[static_cast<std::size_t>(v)].parent = np;
    m.ShiftSubtree(v, +1);
    for (const ProblemRec* r : problems) m.MarkProblem(*r, +1);
    for (const CascadeRec* r : cascades) m.MarkCascade(*r, +1);
    return Status::Ok();
}

Status SideIndex::PutOpinion(const OpinionFacts& facts) {
    auto lock = lock_.Write();
    return impl_->PutOpinion(facts);
}

Status SideIndex::PutProblem(const ProblemLinkFacts& facts) {
    auto lock = lock_.Write();
    return impl_->PutProblem(facts);
}

Status SideIndex::PutCascade(const CascadeFacts& facts) {
    auto lock = lock_.Write();
    return impl_->PutCascade(facts);
}

Result<SideFigures> SideIndex::Query(OrgId root) const {
    auto lock = lock_.Read();
    const Slot s = impl_->SlotOf(root);
    if (s == kNoSlot) return NotFound("org " + std::to_string(root) + " is not in the index");
    const Node& n = impl_->nodes[static_cast<std::size_t>(s)];
    SideFigures f;
    f.opinions = n.opinions;
    f.opinions_replied = n.replied;
    f.opinions_rated = n.rated;
    f.opinions_satisfied = n.satisfied;
    f.opinions_basically_satisfied = n.basically;
    f.co_owned = n.co_owned;
    f.escalated_up = n.escalated_up;
    f.cascaded_down = n.cascaded_down;
    f.cascaded_in = n.cascaded_in;
    if (n.escalated_from) f.escalated_from = *n.escalated_from;
    return f;
}

SideIndexMemory SideIndex::Memory() const {
    auto lock = lock_.Read();
    const Impl& m = *impl_;
    SideIndexMemory out;
    out.orgs = static_cast<std::int64_t>(m.nodes.size());
    out.opinions = m.opinion_count;
    out.problem_records = static_cast<std::int64_t>(m.problems.size());
    out.cascade_records = static_cast<std::int64_t>(m.cascades.size());
    // A flat hash map holds its slots (key and value) plus about one byte of metadata per slot.
    auto table = [](const auto& map) {
        using Entry = std::pair<typename std::decay_t<decltype(map)>::key_type,
                                typename std::decay_t<decltype(map)>::mapped_type>;
        return static_cast<std::int64_t>(map.bucket_count() * (sizeof(Entry) + 1));
    };
    std::int64_t bytes = static_cast<std::int64_t>(m.nodes.capacity() * sizeof(Node)) + table(m.slot_of);
    for (const Node& n : m.nodes) {
        if (!n.escalated_from) continue;
        out.escalated_from_entries += static_cast<std::int64_t>(n.escalated_from->size());
        bytes += static_cast<std::int64_t>(sizeof(Origins) + n.escalated_from->capacity() * sizeof(Origins::value_type));
    }
    out.opinion_bytes = static_cast<std::int64_t>(m.dense_opinions.capacity() * sizeof(OpinionRec)) +
                        table(m.sparse_opinions);
    std::int64_t records = table(m.problems) + table(m.cascades);
    for (const auto& [id, r] : m.problems) {
        records += static_cast<std::int64_t>((r.co_owners.capacity() + r.origins.capacity()) * sizeof(OrgId));
    }
    for (const auto& [id, r] : m.cascades) {
        out.child_task_groups += static_cast<std::int64_t>(r.child_task_orgs.size());
        records += static_cast<std::int64_t>(r.child_task_orgs.capacity() * sizeof(r.child_task_orgs[0]));
    }
    out.record_bytes = records;
    out.bytes = bytes + out.opinion_bytes + out.record_bytes;
    return out;
}

}  // namespace rectify::index
