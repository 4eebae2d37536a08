// The org tree in memory, in Euler (pre-order) order: each org gets an interval [enter, exit) such that
// its subtree is exactly the orgs whose `enter` falls inside it. Used by src/service for O(1) scope
// checks and child listings; the roll-up index (issue 6) builds on the same numbering.
//
// Invariants, after every Build():
//   - enter(root) == 0; for every org v, enter(v) < exit(v), and exit(v) - enter(v) == size of v's subtree;
//   - u is in v's subtree  <=>  enter(v) <= enter(u) < exit(v);
//   - children(v) are in ascending id order, and their intervals tile (enter(v), exit(v)) in that order.
// Thread-safety: an OrgTree is immutable once built; the service swaps in a new one under a lock after
// org changes (std::shared_ptr<const OrgTree>), so readers never see a half-built tree.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "domain/model.hpp"

namespace rectify::index {

class OrgTree {
public:
    // Builds from every org (any order). Errors: kFailedPrecondition when a parent is missing, there is
    // not exactly one root, or the parent links form a cycle.
    static Result<OrgTree> Build(const std::vector<domain::Org>& orgs);

    bool Contains(domain::OrgId id) const { return slot_.count(id) > 0; }
    // True when `id` is `root` or lies below it. False when either is unknown.
    bool InSubtree(domain::OrgId id, domain::OrgId root) const;
    std::optional<domain::OrgId> Parent(domain::OrgId id) const;
    const std::vector<domain::OrgId>& Children(domain::OrgId id) const;
    // Number of orgs in the subtree of `id` (itself included); 0 when unknown.
    std::int64_t SubtreeSize(domain::OrgId id) const;
    // Depth below the root (root = 0); -1 when unknown.
    int Depth(domain::OrgId id) const;
    domain::OrgId Root() const { return root_; }
    std::size_t size() const { return nodes_.size(); }

private:
    struct Node {
        domain::OrgId id;
        std::optional<domain::OrgId> parent;
        std::int32_t enter = 0, exit = 0, depth = 0;
        std::vector<domain::OrgId> children;
    };
    const Node* Find(domain::OrgId id) const;

    std::vector<Node> nodes_;
    std::unordered_map<domain::OrgId, std::size_t> slot_;
    domain::OrgId root_ = 0;
};

}  // namespace rectify::index
