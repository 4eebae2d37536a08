#include "index/org_tree.hpp"

#include <random>

#include "test_util.hpp"

namespace rectify::index {
namespace {

using domain::Org;
using domain::OrgId;

Org Node(OrgId id, std::optional<OrgId> parent) {
    Org o;
    o.id = id;
    o.parent_id = parent;
    return o;
}

// Brute force: walk parent links upward.
bool IsDescendant(const std::vector<Org>& orgs, OrgId id, OrgId root) {
    std::unordered_map<OrgId, std::optional<OrgId>> parent;
    for (const auto& o : orgs) parent[o.id] = o.parent_id;
    for (std::optional<OrgId> cur = id; cur; cur = parent[*cur]) {
        if (*cur == root) return true;
    }
    return false;
}

TEST(OrgTree, SubtreeMembershipMatchesParentWalkOnRandomTrees) {
    std::mt19937 rng(20261129);
    for (int trial = 0; trial < 20; ++trial) {
        std::vector<Org> orgs = {Node(1, std::nullopt)};
        int n = 2 + static_cast<int>(rng() % 60);
        for (OrgId id = 2; id <= n; ++id) orgs.push_back(Node(id, 1 + static_cast<OrgId>(rng() % (id - 1))));
        std::shuffle(orgs.begin(), orgs.end(), rng);  // input order must not matter
        auto tree = OrgTree::Build(orgs);
        ASSERT_OK(tree);
        for (OrgId a = 1; a <= n; ++a) {
            std::int64_t size = 0;
            for (OrgId b = 1; b <= n; ++b) {
                bool expected = IsDescendant(orgs, b, a);
                ASSERT_EQ(tree->InSubtree(b, a), expected) << "trial " << trial << ": " << b << " under " << a;
                size += expected;
            }
            EXPECT_EQ(tree->SubtreeSize(a), size);
        }
    }
}

TEST(OrgTree, ChildrenParentAndDepth) {
    auto tree = OrgTree::Build({Node(1, std::nullopt), Node(5, 1), Node(3, 1), Node(9, 3)});
    ASSERT_OK(tree);
    EXPECT_EQ(tree->Root(), 1);
    EXPECT_EQ(tree->Children(1), (std::vector<OrgId>{3, 5}));
    EXPECT_EQ(tree->Parent(9), 3);
    EXPECT_EQ(tree->Depth(9), 2);
    EXPECT_EQ(tree->Depth(42), -1);
    EXPECT_FALSE(tree->InSubtree(9, 5));
    EXPECT_FALSE(tree->InSubtree(42, 1));
}

TEST(OrgTree, RejectsTwoRootsMissingParentsAndCycles) {
    EXPECT_EQ(OrgTree::Build({Node(1, std::nullopt), Node(2, std::nullopt)}).status().code(),
              StatusCode::kFailedPrecondition);
    EXPECT_EQ(OrgTree::Build({Node(1, std::nullopt), Node(2, 7)}).status().message(), "org 2 has unknown parent 7");
    auto cycle = OrgTree::Build({Node(1, std::nullopt), Node(2, 3), Node(3, 2)});
    ASSERT_FALSE(cycle.ok());
    EXPECT_EQ(cycle.status().message(), "org tree has a cycle: 2 orgs are not reachable from the root");
}

}  // namespace
}  // namespace rectify::index
