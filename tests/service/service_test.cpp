#include "service/service.hpp"

#include <fstream>

#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Org;

class ServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::ofstream(dir_.File("cats.csv")) << "一级分类,二级分类,三级分类\n"
                                                 "环境保护,环境污染,水污染\n"
                                                 "环境保护,环境污染,大气污染\n"
                                                 "城乡建设,安全生产,事故处理\n";
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        InitOptions init;
        init.categories_csv = dir_.File("cats.csv");
        ASSERT_OK(svc_->Init(Actor{"test", {}}, init));
        root_ = svc_->RootActor("test");
        province_a_ = AddOrg(1, "河北省", "province", "13");
        province_b_ = AddOrg(1, "福建省", "province", "35");
        city_a_ = AddOrg(province_a_.id, "石家庄市", "city", "1301");
        actor_a_ = Actor{"clerk-a", {province_a_.id}, {{domain::Role::kClerk, province_a_.id}}, std::nullopt};
        actor_b_ = Actor{"clerk-b", {province_b_.id}, {{domain::Role::kClerk, province_b_.id}}, std::nullopt};
    }

    Org AddOrg(domain::OrgId parent, const std::string& name, const std::string& level, const std::string& code) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        o.division_code = code;
        auto created = svc_->CreateOrg(root_, o);
        EXPECT_OK(created);
        return created.ok() ? *created : Org{};
    }

    domain::CategoryId CategoryId(const std::string& path) {
        auto categories = svc_->ListCategories();  // named: a range-for over *temporary would dangle
        for (const auto& c : *categories) {
            if (c.path == path) return c.id;
        }
        ADD_FAILURE() << "no category " << path;
        return 0;
    }

    domain::Problem AddProblem(const Actor& actor, domain::OrgId owner, const std::string& title) {
        ProblemDraft d;
        d.title = title;
        d.owner_org_id = owner;
        auto p = svc_->CreateProblem(actor, d);
        EXPECT_OK(p);
        return p.ok() ? *p : domain::Problem{};
    }

    testing::TempDir dir_;
    std::unique_ptr<Service> svc_;
    Actor root_, actor_a_, actor_b_;
    Org province_a_, province_b_, city_a_;
};

TEST_F(ServiceTest, InitIsIdempotentAndLoadsTheCatalogueWithItsAncestors) {
    // 3 leaves share 2 top-level and 2 second-level nodes: 2 + 2 + 3 = 7 categories.
    EXPECT_EQ(svc_->ListCategories()->size(), 7u);
    InitOptions init;
    init.categories_csv = dir_.File("cats.csv");
    ASSERT_OK(svc_->Init(root_, init));
    EXPECT_EQ(svc_->ListCategories()->size(), 7u);
    EXPECT_EQ(svc_->Tree()->size(), 4u);  // root + 3 orgs
    EXPECT_EQ(svc_->ListLevels()->front().key, "central");
}

TEST_F(ServiceTest, SiblingSubtreesCannotSeeEachOther) {
    auto p = AddProblem(actor_a_, city_a_.id, "路灯不亮");
    EXPECT_OK(svc_->GetProblem(actor_a_, p.id));
    EXPECT_EQ(svc_->GetProblem(actor_b_, p.id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->GetOrg(actor_b_, city_a_.id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->ListChildren(actor_b_, province_a_.id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->Stats(actor_b_, province_a_.id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->FindOrgByDivisionCode(actor_b_, "1301").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->History(actor_b_, "problem", p.id).status().code(), StatusCode::kNotFound);
    // Writing into the other subtree is refused the same way, and nothing is stored.
    ProblemDraft d;
    d.title = "越权";
    d.owner_org_id = city_a_.id;
    EXPECT_EQ(svc_->CreateProblem(actor_b_, d).status().code(), StatusCode::kNotFound);
    ProblemPatch patch;
    patch.version = p.version;
    patch.title = "改";
    EXPECT_EQ(svc_->UpdateProblem(actor_b_, p.id, patch).status().code(), StatusCode::kNotFound);
    // B's unfiltered list is empty; asking for A's org explicitly is 404.
    EXPECT_TRUE(svc_->ListProblems(actor_b_, {})->items.empty());
    ProblemQuery q;
    q.org_id = province_a_.id;
    EXPECT_EQ(svc_->ListProblems(actor_b_, q).status().code(), StatusCode::kNotFound);
    // Search and ancestors stay inside the scope.
    EXPECT_TRUE(svc_->SearchOrgs(actor_b_, "石家庄")->empty());
    auto chain = svc_->Ancestors(actor_a_, city_a_.id);
    ASSERT_OK(chain);
    ASSERT_EQ(chain->size(), 2u);  // 河北省, 石家庄市: the root is above A's scope
    EXPECT_EQ(chain->front().name, "河北省");
}

TEST_F(ServiceTest, PagesCoverEveryProblemOnceNewestFirst) {
    std::vector<domain::ProblemId> ids;
    for (int i = 0; i < 7; ++i) ids.push_back(AddProblem(root_, city_a_.id, "p" + std::to_string(i)).id);
    ProblemQuery q;
    q.org_id = province_a_.id;
    q.limit = 3;
    std::vector<domain::ProblemId> seen;
    std::vector<std::size_t> sizes;
    while (true) {
        auto page = svc_->ListProblems(root_, q);
        ASSERT_OK(page);
        sizes.push_back(page->items.size());
        for (const auto& p : page->items) seen.push_back(p.id);
        if (!page->next_cursor) break;
        q.cursor = page->next_cursor;
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 1}));
    EXPECT_EQ(seen, std::vector<domain::ProblemId>(ids.rbegin(), ids.rend()));
    q.cursor = "nonsense";
    EXPECT_EQ(svc_->ListProblems(root_, q).status().code(), StatusCode::kInvalidArgument);
    q.cursor.reset();
    q.limit = 501;
    EXPECT_EQ(svc_->ListProblems(root_, q).status().code(), StatusCode::kInvalidArgument);
}

// Overdue (超期) and the sorted, offset pages with the total, on records with historical dates written
// straight to the store (as an import would): created 2020-01-01, deadlines and close-outs around it.
TEST_F(ServiceTest, OverdueSortOffsetAndTotal) {
    const UnixSeconds day = 86400, t0 = 1577808000;  // 2020-01-01T00:00:00+08:00
    auto add = [&](const std::string& title, domain::ProblemStatus status, std::optional<UnixSeconds> due,
                   std::optional<UnixSeconds> closed) {
        domain::Problem p;
        p.title = title;
        p.owner_org_id = city_a_.id;
        p.status = status;
        p.created_at = t0;
        p.updated_at = t0;
        p.due_at = due;
        p.closed_at = closed;
        EXPECT_OK(svc_->store().Write([&](store::WriteTx& tx) { return tx.InsertProblem(p); }));
        return p.id;
    };
    using S = domain::ProblemStatus;
    const auto open_late = add("open, deadline passed", S::kInProgress, t0 + 10 * day, std::nullopt);
    const auto closed_late = add("closed after the deadline", S::kClosed, t0 + 10 * day, t0 + 20 * day);
    const auto closed_on_time = add("closed on the deadline", S::kClosed, t0 + 10 * day, t0 + 10 * day);
    const auto no_deadline = add("no deadline", S::kRegistered, std::nullopt, std::nullopt);
    const auto invalid = add("invalid", S::kInvalid, t0 + 5 * day, std::nullopt);
    const auto open_ahead = add("deadline ahead", S::kPlanned, NowSeconds() + 30 * day, std::nullopt);
    using V = std::vector<domain::ProblemId>;
    auto ids = [&](ProblemQuery q) {
        auto page = svc_->ListProblems(root_, q);
        EXPECT_OK(page);
        V out;
        if (page.ok()) {
            for (const auto& p : page->items) out.push_back(p.id);
        }
        return out;
    };
    ProblemQuery q;
    q.overdue = true;
    EXPECT_EQ(ids(q), (V{closed_late, open_late}));
    q.overdue = false;
    EXPECT_EQ(ids(q), (V{open_ahead, invalid, no_deadline, closed_on_time}));
    q.overdue.reset();
    q.order = store::ProblemOrder::kDueAsc;  // ties newest first, no deadline last
    EXPECT_EQ(ids(q), (V{invalid, closed_on_time, closed_late, open_late, open_ahead, no_deadline}));
    q.order = store::ProblemOrder::kClosedDesc;
    EXPECT_EQ(ids(q), (V{closed_late, closed_on_time, open_ahead, invalid, no_deadline, open_late}));
    q.order = store::ProblemOrder::kDueAsc;
    q.offset = 2;
    q.limit = 3;
    q.with_total = true;
    auto page = svc_->ListProblems(root_, q);
    ASSERT_OK(page);
    EXPECT_EQ(page->items.size(), 3u);
    EXPECT_EQ(page->items[0].id, closed_late);
    EXPECT_EQ(page->total, 6);
    EXPECT_FALSE(page->next_cursor);  // a sorted list pages with offset
    q.cursor = "c1";
    EXPECT_EQ(svc_->ListProblems(root_, q).status().code(), StatusCode::kInvalidArgument);
    q.cursor.reset();
    q.offset = -1;
    EXPECT_EQ(svc_->ListProblems(root_, q).status().code(), StatusCode::kInvalidArgument);
    // Without with_total there is no total; the count follows the filters.
    ProblemQuery plain;
    EXPECT_FALSE(svc_->ListProblems(root_, plain)->total);
    plain.overdue = true;
    plain.with_total = true;
    plain.limit = 1;
    EXPECT_EQ(svc_->ListProblems(root_, plain)->total, 2);
}

TEST_F(ServiceTest, CategoryFilterIncludesDescendants) {
    ProblemDraft d;
    d.title = "水";
    d.owner_org_id = city_a_.id;
    d.category_id = CategoryId("环境保护/环境污染/水污染");
    ASSERT_OK(svc_->CreateProblem(root_, d));
    d.title = "气";
    d.category_id = CategoryId("环境保护/环境污染/大气污染");
    ASSERT_OK(svc_->CreateProblem(root_, d));
    d.title = "事故";
    d.category_id = CategoryId("城乡建设/安全生产/事故处理");
    ASSERT_OK(svc_->CreateProblem(root_, d));
    ProblemQuery q;
    q.category_id = CategoryId("环境保护");
    EXPECT_EQ(svc_->ListProblems(root_, q)->items.size(), 2u);
    q.category_id = CategoryId("环境保护/环境污染/水污染");
    EXPECT_EQ(svc_->ListProblems(root_, q)->items.size(), 1u);
    auto stats = svc_->Stats(root_, 1, {.category_depth = 1});
    ASSERT_OK(stats);
    ASSERT_EQ(stats->by_category.size(), 2u);
    EXPECT_EQ(stats->by_category[0].path, "环境保护");
    EXPECT_EQ(stats->by_category[0].count, 2);
    EXPECT_EQ(stats->by_category[1].path, "城乡建设");
    auto deep = svc_->Stats(root_, 1, {.category_depth = 3});
    ASSERT_OK(deep);
    EXPECT_EQ(deep->by_category.size(), 3u);
}

TEST_F(ServiceTest, EditsNeedTheCurrentVersionAndAreRecorded) {
    auto p = AddProblem(actor_a_, city_a_.id, "原标题");
    ProblemPatch patch;
    patch.version = 1;
    patch.title = "新标题";
    auto updated = svc_->UpdateProblem(actor_a_, p.id, patch);
    ASSERT_OK(updated);
    EXPECT_EQ(updated->version, 2);
    patch.title = "晚到的修改";
    auto stale = svc_->UpdateProblem(actor_a_, p.id, patch);
    ASSERT_FALSE(stale.ok());
    EXPECT_EQ(stale.status().code(), StatusCode::kAborted);
    EXPECT_NE(stale.status().message().find("the current version is 2"), std::string::npos);
    auto history = svc_->History(actor_a_, "problem", p.id);
    ASSERT_OK(history);
    ASSERT_EQ(history->size(), 2u);
    EXPECT_EQ((*history)[0].action, "create");
    EXPECT_EQ((*history)[1].action, "update");
    EXPECT_EQ((*history)[1].actor, "clerk-a");
    EXPECT_NE((*history)[1].before_json->find("原标题"), std::string::npos);
    EXPECT_NE((*history)[1].after_json->find("新标题"), std::string::npos);
}

TEST_F(ServiceTest, AProblemMadeFromOpinionsAcceptsThem) {
    OpinionDraft od;
    od.title = "河水发臭";
    od.org_id = city_a_.id;
    od.channel = domain::OpinionChannel::kPhone;
    auto op = svc_->CreateOpinion(actor_a_, od);
    ASSERT_OK(op);
    EXPECT_EQ(op->status, domain::OpinionStatus::kReceived);
    ProblemDraft d;
    d.title = "河道黑臭";
    d.owner_org_id = city_a_.id;
    d.opinion_ids = {op->id};
    auto p = svc_->CreateProblem(actor_a_, d);
    ASSERT_OK(p);
    auto linked = svc_->GetOpinion(actor_a_, op->id);
    EXPECT_EQ(linked->problem_id, p->id);
    EXPECT_EQ(linked->status, domain::OpinionStatus::kAccepted);
    EXPECT_EQ(svc_->GetProblem(actor_a_, p->id)->opinion_ids, std::vector<domain::OpinionId>{op->id});
    // The same opinion cannot become a second problem.
    EXPECT_EQ(svc_->CreateProblem(actor_a_, d).status().code(), StatusCode::kFailedPrecondition);
    // An opinion outside the scope is unknown.
    OpinionDraft other = od;
    other.org_id = province_b_.id;
    auto op_b = svc_->CreateOpinion(actor_b_, other);
    ASSERT_OK(op_b);
    d.opinion_ids = {op_b->id};
    EXPECT_EQ(svc_->CreateProblem(actor_a_, d).status().code(), StatusCode::kNotFound);
}

TEST_F(ServiceTest, MovingAnOrgMovesItsProblemsFiguresAndKeepsHistory) {
    AddProblem(root_, city_a_.id, "问题");
    EXPECT_EQ(svc_->Stats(root_, province_a_.id)->problems, 1);
    auto before = svc_->GetOrg(root_, city_a_.id);  // kept in memory (Service::org_cache_) until the move
    ASSERT_OK(before);
    auto moved = svc_->MoveOrg(root_, city_a_.id, province_b_.id);
    ASSERT_OK(moved);
    EXPECT_EQ(moved->parent_id, province_b_.id);
    auto after = svc_->GetOrg(root_, city_a_.id);
    ASSERT_OK(after);
    EXPECT_EQ(after->parent_id, province_b_.id);
    EXPECT_EQ(after->path, moved->path);
    EXPECT_NE(after->path, before->path);
    EXPECT_EQ(svc_->Stats(root_, province_a_.id)->problems, 0);
    EXPECT_EQ(svc_->Stats(root_, province_b_.id)->problems, 1);
    EXPECT_TRUE(svc_->Tree()->InSubtree(city_a_.id, province_b_.id));
    auto history = svc_->History(root_, "org", city_a_.id);
    ASSERT_OK(history);
    EXPECT_EQ(history->back().action, "move");
    EXPECT_NE(history->back().before_json->find("\"parent_id\":" + std::to_string(province_a_.id)), std::string::npos);
    EXPECT_EQ(svc_->MoveOrg(root_, province_b_.id, city_a_.id).status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(svc_->MoveOrg(root_, 1, province_b_.id).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(ServiceTest, FindOrgByPathWalksNamesBelowTheRoot) {
    auto org = svc_->FindOrgByPath(root_, "河北省/石家庄市");
    ASSERT_OK(org);
    EXPECT_EQ(org->id, city_a_.id);
    auto missing = svc_->FindOrgByPath(root_, "河北省/保定市");
    EXPECT_EQ(missing.status().message(), "org path \"河北省/保定市\": no org \"河北省/保定市\"");
    EXPECT_EQ(svc_->FindOrgByPath(actor_b_, "河北省").status().code(), StatusCode::kNotFound);
}

TEST_F(ServiceTest, RolesHoldOnlyInsideTheirSubtreeAndAdminHoldsEveryRole) {
    using domain::Role;
    EXPECT_TRUE(svc_->HasRole(actor_a_, Role::kClerk, city_a_.id));
    EXPECT_FALSE(svc_->HasRole(actor_a_, Role::kVerifier, city_a_.id));
    EXPECT_FALSE(svc_->HasRole(actor_a_, Role::kClerk, province_b_.id));
    EXPECT_FALSE(svc_->HasRole(actor_a_, Role::kClerk, 1));  // above the grant
    EXPECT_TRUE(svc_->HasRole(root_, Role::kVerifier, city_a_.id));
    Actor sub = svc_->SubtreeAdmin("sub", province_b_.id);
    EXPECT_TRUE(svc_->HasRole(sub, Role::kAuditor, province_b_.id));
    EXPECT_FALSE(svc_->HasRole(sub, Role::kAuditor, city_a_.id));
    EXPECT_EQ(svc_->GetOrg(sub, city_a_.id).status().code(), StatusCode::kNotFound);
}

TEST(Cursor, RoundTripsAndRejectsForeignText) {
    for (std::int64_t id : {1LL, 35LL, 36LL, 123456789LL}) {
        auto back = DecodeCursor(EncodeCursor(id));
        ASSERT_OK(back);
        EXPECT_EQ(*back, id);
    }
    EXPECT_EQ(EncodeCursor(36), "c10");
    EXPECT_FALSE(DecodeCursor("c").ok());
    EXPECT_FALSE(DecodeCursor("x10").ok());
    EXPECT_FALSE(DecodeCursor("c1-0").ok());
}

}  // namespace
}  // namespace rectify::service
