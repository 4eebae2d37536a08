#include "index/org_tree.hpp"

#include <algorithm>

namespace rectify::index {

Result<OrgTree> OrgTree::Build(const std::vector<domain::Org>& orgs) {
    OrgTree t;
    t.nodes_.reserve(orgs.size());
    for (const auto& o : orgs) {
        t.slot_[o.id] = t.nodes_.size();
        t.nodes_.push_back(Node{o.id, o.parent_id, 0, 0, 0, {}});
    }
    std::optional<domain::OrgId> root;
    for (const auto& n : t.nodes_) {
        if (!n.parent) {
            if (root) return FailedPrecondition("org tree has two roots: " + std::to_string(*root) + " and " +
                                                std::to_string(n.id));
            root = n.id;
            continue;
        }
        auto it = t.slot_.find(*n.parent);
        if (it == t.slot_.end()) {
            return FailedPrecondition("org " + std::to_string(n.id) + " has unknown parent " + std::to_string(*n.parent));
        }
        t.nodes_[it->second].children.push_back(n.id);
    }
    if (!root) {
        if (orgs.empty()) return t;
        return FailedPrecondition("org tree has no root");
    }
    for (auto& n : t.nodes_) std::sort(n.children.begin(), n.children.end());
    t.root_ = *root;

    // Iterative pre-order walk (trees can be deep and wide; no recursion).
    std::int32_t clock = 0;
    std::vector<std::pair<std::size_t, std::size_t>> stack;  // (slot, next child index)
    std::size_t root_slot = t.slot_[*root];
    t.nodes_[root_slot].enter = clock++;
    stack.push_back({root_slot, 0});
    while (!stack.empty()) {
        auto& [slot, next] = stack.back();
        Node& n = t.nodes_[slot];
        if (next < n.children.size()) {
            std::size_t child = t.slot_[n.children[next++]];
            t.nodes_[child].enter = clock++;
            t.nodes_[child].depth = n.depth + 1;
            stack.push_back({child, 0});
        } else {
            n.exit = clock;
            stack.pop_back();
        }
    }
    if (static_cast<std::size_t>(clock) != t.nodes_.size()) {
        return FailedPrecondition("org tree has a cycle: " + std::to_string(t.nodes_.size() - clock) +
                                  " orgs are not reachable from the root");
    }
    return t;
}

const OrgTree::Node* OrgTree::Find(domain::OrgId id) const {
    auto it = slot_.find(id);
    return it == slot_.end() ? nullptr : &nodes_[it->second];
}

bool OrgTree::InSubtree(domain::OrgId id, domain::OrgId root) const {
    const Node* n = Find(id);
    const Node* r = Find(root);
    return n && r && r->enter <= n->enter && n->enter < r->exit;
}

std::optional<domain::OrgId> OrgTree::Parent(domain::OrgId id) const {
    const Node* n = Find(id);
    return n ? n->parent : std::nullopt;
}

const std::vector<domain::OrgId>& OrgTree::Children(domain::OrgId id) const {
    static const std::vector<domain::OrgId> kNone;
    const Node* n = Find(id);
    return n ? n->children : kNone;
}

std::int64_t OrgTree::SubtreeSize(domain::OrgId id) const {
    const Node* n = Find(id);
    return n ? n->exit - n->enter : 0;
}

int OrgTree::Depth(domain::OrgId id) const {
    const Node* n = Find(id);
    return n ? n->depth : -1;
}

}  // namespace rectify::index
