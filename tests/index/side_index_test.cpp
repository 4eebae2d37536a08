// SideIndex (src/index/side_index.hpp) without a store: figures of a small tree counted by hand from the
// rules of docs/LINKAGE.md#link-figures and store::SubtreeFigures, through replacements, drops and org
// moves, and the errors of Build and the updates.
//
// Tree:  1 ─┬─ 2 ─── 4 ─── 5
//           └─ 3 ─── 6
#include "index/side_index.hpp"

#include "test_util.hpp"

namespace rectify::index {
namespace {

using domain::Org;
using domain::OrgId;
using domain::Satisfaction;

std::vector<Org> Tree() {
    std::vector<Org> orgs;
    auto add = [&](OrgId id, std::optional<OrgId> parent) {
        Org o;
        o.id = id;
        o.parent_id = parent;
        orgs.push_back(o);
    };
    add(1, std::nullopt);
    add(2, 1);
    add(3, 1);
    add(4, 2);
    add(5, 4);
    add(6, 3);
    return orgs;
}

SideFigures At(const SideIndex& index, OrgId org) {
    auto f = index.Query(org);
    EXPECT_OK(f);
    return f.ok() ? *f : SideFigures{};
}

TEST(SideIndex, OpinionsCountAtTheirOrgAndEveryAncestorAndFollowReplacements) {
    auto built = SideIndex::Build(Tree(),
                                  {{1, 5, true, Satisfaction::kSatisfied},
                                   {2, 5, true, Satisfaction::kBasicallySatisfied},
                                   {3, 4, false, std::nullopt},
                                   {4, 6, true, Satisfaction::kDissatisfied}},
                                  {}, {});
    ASSERT_OK(built);
    SideIndex& index = **built;
    SideFigures two = At(index, 2);
    EXPECT_EQ(two.opinions, 3);
    EXPECT_EQ(two.opinions_replied, 2);
    EXPECT_EQ(two.opinions_rated, 2);
    EXPECT_EQ(two.opinions_satisfied, 1);
    EXPECT_EQ(two.opinions_basically_satisfied, 1);
    EXPECT_EQ(At(index, 1).opinions, 4);
    EXPECT_EQ(At(index, 1).opinions_rated, 3);
    EXPECT_EQ(At(index, 3).opinions_satisfied, 0);
    // Opinion 3 is transferred to org 6 and replied there; opinion 1's rating becomes 不满意.
    ASSERT_OK(index.PutOpinion({3, 6, true, std::nullopt}));
    ASSERT_OK(index.PutOpinion({1, 5, true, Satisfaction::kDissatisfied}));
    EXPECT_EQ(At(index, 2).opinions, 2);
    EXPECT_EQ(At(index, 2).opinions_satisfied, 0);
    EXPECT_EQ(At(index, 3).opinions, 2);
    EXPECT_EQ(At(index, 3).opinions_replied, 2);
    EXPECT_EQ(At(index, 1).opinions, 4);
    // An id far beyond the others (kept in the hash map, not the id-indexed vector), then replaced.
    ASSERT_OK(index.PutOpinion({1'000'000'000'000, 6, false, std::nullopt}));
    ASSERT_OK(index.PutOpinion({1'000'000'000'000, 5, false, Satisfaction::kSatisfied}));
    EXPECT_EQ(At(index, 3).opinions, 2);
    EXPECT_EQ(At(index, 2).opinions, 3);
    EXPECT_EQ(At(index, 2).opinions_satisfied, 1);
    EXPECT_EQ(index.Memory().opinions, 5);
    // An unknown org changes nothing.
    EXPECT_EQ(index.PutOpinion({3, 99, true, std::nullopt}).code(), StatusCode::kNotFound);
    EXPECT_EQ(At(index, 3).opinions, 2);
}

TEST(SideIndex, LinkFiguresHoldInsideButNotOutsideAndFollowOrgMoves) {
    // Problem 10: owner 5, co-owners 6 and 3 (one problem: 3 and 6 counted once at 3).
    // Problem 11: owner 2 (after escalations), origin 5: escalated_up at 5 and 4, escalated_from {5: 1} at 2, 1.
    // Cascade 20 issued by 2, created 3 (one waived), child tasks at 4 (1) and 5 (1): cascaded_in at 5 and 4.
    auto built = SideIndex::Build(Tree(), {}, {{10, 5, {6, 3}, {}}, {11, 2, {}, {5}}},
                                  {{20, 2, 3, {{4, 1}, {5, 1}}}});
    ASSERT_OK(built);
    SideIndex& index = **built;
    auto links = [&](OrgId org) {
        SideFigures f = At(index, org);
        return std::vector<std::int64_t>{f.co_owned, f.escalated_up, f.cascaded_down, f.cascaded_in};
    };
    using V = std::vector<std::int64_t>;
    EXPECT_EQ(links(1), (V{0, 0, 3, 0}));
    EXPECT_EQ(links(2), (V{0, 0, 3, 0}));
    EXPECT_EQ(links(3), (V{1, 0, 0, 0}));
    EXPECT_EQ(links(6), (V{1, 0, 0, 0}));
    EXPECT_EQ(links(4), (V{0, 1, 0, 2}));
    EXPECT_EQ(links(5), (V{0, 1, 0, 1}));
    using E = std::vector<std::pair<OrgId, std::int64_t>>;
    EXPECT_EQ(At(index, 2).escalated_from, (E{{5, 1}}));
    EXPECT_EQ(At(index, 1).escalated_from, (E{{5, 1}}));
    EXPECT_TRUE(At(index, 4).escalated_from.empty());

    // 4 (with 5) moves under 3: problem 10's owner joins its co-owners in 3's subtree (only 6 still holds
    // it); problem 11's origin and the cascade's children now lie in 3's subtree, which holds neither the
    // owner 2 nor the issuer 2; 1 holds both ends of everything.
    ASSERT_OK(index.MoveOrg(4, 3));
    EXPECT_EQ(links(1), (V{0, 0, 3, 0}));
    EXPECT_EQ(links(2), (V{0, 0, 3, 0}));
    EXPECT_EQ(links(3), (V{0, 1, 0, 2}));
    EXPECT_EQ(links(6), (V{1, 0, 0, 0}));
    EXPECT_EQ(links(4), (V{0, 1, 0, 2}));
    EXPECT_EQ(At(index, 2).escalated_from, (E{{5, 1}}));  // by owner: 2 still owns problem 11
    EXPECT_TRUE(At(index, 3).escalated_from.empty());

    // Problem 11 is escalated on to 1 (same origin); problem 10 loses its co-owners; both drop out.
    ASSERT_OK(index.PutProblem({11, 1, {}, {5}}));
    ASSERT_OK(index.PutProblem({10, 5, {}, {}}));
    EXPECT_TRUE(At(index, 2).escalated_from.empty());  // no zero entry left behind
    EXPECT_EQ(At(index, 1).escalated_from, (E{{5, 1}}));
    EXPECT_EQ(links(3), (V{0, 1, 0, 2}));
    EXPECT_EQ(links(6), (V{0, 0, 0, 0}));
    EXPECT_EQ(index.Memory().problem_records, 1);
}

TEST(SideIndex, RefusesWhatIsNotOneTreeAndMovesIntoItsOwnSubtree) {
    auto tree = Tree();
    tree.push_back(Org{});
    tree.back().id = 7;  // a second root
    EXPECT_EQ(SideIndex::Build(tree, {}, {}, {}).status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(SideIndex::Build(Tree(), {{1, 42, false, std::nullopt}}, {}, {}).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(SideIndex::Build(Tree(), {{1, 5, false, std::nullopt}, {1, 5, false, std::nullopt}}, {}, {})
                  .status()
                  .code(),
              StatusCode::kInvalidArgument);
    auto built = SideIndex::Build(Tree(), {}, {}, {});
    ASSERT_OK(built);
    EXPECT_EQ((*built)->MoveOrg(2, 5).code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ((*built)->MoveOrg(1, 3).code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ((*built)->AddOrg(7, 99).code(), StatusCode::kNotFound);
    EXPECT_EQ((*built)->AddOrg(6, 1).code(), StatusCode::kAlreadyExists);
    EXPECT_EQ((*built)->Query(99).status().code(), StatusCode::kNotFound);
    EXPECT_EQ((*built)->PutCascade({1, 2, -1, {}}).code(), StatusCode::kInvalidArgument);
    ASSERT_OK((*built)->AddOrg(7, 6));
    ASSERT_OK((*built)->PutOpinion({1, 7, false, std::nullopt}));
    EXPECT_EQ(At(**built, 3).opinions, 1);
}

}  // namespace
}  // namespace rectify::index
