// Campaigns, batches, special items and problem tags (issue 5, migration 008) in the store, on SQLite and
// on PostgreSQL (registered as both): round trips, version checks, unique codes, tag links read back by
// GetProblem and ListProblems (inside and outside a transaction), the list filters, and the per-item
// figures over a subtree against counts written out by hand.
#include <set>

#include "store/store.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::store {
namespace {

using domain::Campaign;
using domain::Org;
using domain::Problem;
using domain::SpecialItem;

class CampaignStoreTest : public ::testing::Test {
protected:
    void SetUp() override {
        RECTIFY_SKIP_WITHOUT_BACKEND();
        ASSERT_EQ(db_.error(), "");
        auto s = Store::Open(db_.url(), OpenMode::kCreateIfMissing);
        ASSERT_OK(s);
        store_ = std::move(s).value();
        ASSERT_OK(store_->Write([](WriteTx& tx) {
            RETURN_IF_ERROR(tx.UpsertLevel({"central", "中央", "Central", 0}));
            RETURN_IF_ERROR(tx.UpsertLevel({"province", "省级", "Province", 1}));
            return tx.UpsertLevel({"city", "市级", "City", 2});
        }));
        root_ = AddOrg(std::nullopt, "全国", "central", 0);
        hebei_ = AddOrg(root_.id, "河北省", "province", 1);
        sjz_ = AddOrg(hebei_.id, "石家庄市", "city", 2);
        fujian_ = AddOrg(root_.id, "福建省", "province", 1);
    }

    Org AddOrg(std::optional<domain::OrgId> parent, const std::string& name, const std::string& level, int batch) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        o.batch = batch;
        o.created_at = 100;
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertOrg(o); }));
        return o;
    }

    Campaign NewCampaign(const std::string& code) {
        Campaign c;
        c.code = code;
        c.name = "主题教育";
        c.owner_org_id = hebei_.id;
        c.start_date = "2019-06-01";
        c.end_date = "2019-11-30";
        c.batches = {{1, "2019-06-01", "2019-08-31"}, {2, "2019-09-01", "2019-11-30"}};
        c.source = "新闻报道";
        c.created_at = c.updated_at = 1000;
        return c;
    }

    Problem AddProblem(domain::OrgId owner, domain::ProblemStatus status, std::optional<UnixSeconds> due,
                       std::optional<UnixSeconds> closed, std::optional<domain::CampaignId> campaign,
                       std::vector<domain::SpecialItemId> items) {
        Problem p;
        p.title = "问题";
        p.owner_org_id = owner;
        p.status = status;
        p.created_at = p.updated_at = 1000;
        p.due_at = due;
        p.closed_at = closed;
        p.campaign_id = campaign;
        p.special_item_ids = std::move(items);
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertProblem(p); }));
        return p;
    }

    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
    std::unique_ptr<Store> store_;
    Org root_, hebei_, sjz_, fujian_;
};

TEST_F(CampaignStoreTest, CampaignsAndItemsRoundTripWithVersionChecksAndUniqueCodes) {
    Campaign c = NewCampaign("hb-2019");
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertCampaign(c); }));
    ASSERT_GT(c.id, 0);
    auto read = store_->GetCampaign(c.id);
    ASSERT_OK(read);
    EXPECT_EQ(read->code, "hb-2019");
    EXPECT_EQ(read->source, std::optional<std::string>("新闻报道"));
    ASSERT_EQ(read->batches.size(), 2u);
    EXPECT_EQ(read->batches[1].number, 2);
    EXPECT_EQ(read->batches[1].start_date, "2019-09-01");
    EXPECT_EQ(read->version, 1);
    // A second campaign with the same code: kAlreadyExists, and the transaction rolled back.
    Campaign dup = NewCampaign("hb-2019");
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.InsertCampaign(dup); }).code(), StatusCode::kAlreadyExists);
    auto all = store_->ListCampaigns();
    ASSERT_OK(all);
    EXPECT_EQ(all->size(), 1u);
    // Update: batches replaced, version + 1; a stale version is kAborted.
    Campaign changed = *read;
    changed.batches = {{1, "2019-06-01", "2019-11-30"}};
    changed.source.reset();
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateCampaign(changed); }));
    EXPECT_EQ(changed.version, 2);
    Campaign stale = *read;
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.UpdateCampaign(stale); }).code(), StatusCode::kAborted);
    auto again = store_->GetCampaign(c.id);
    ASSERT_OK(again);
    EXPECT_EQ(again->batches.size(), 1u);
    EXPECT_EQ(again->source, std::nullopt);
    auto by_code = store_->FindCampaignByCode("hb-2019");
    ASSERT_OK(by_code);
    ASSERT_TRUE(by_code->has_value());
    EXPECT_EQ((*by_code)->id, c.id);
    // Items: unique code within the campaign, listed by code.
    SpecialItem b{0, c.id, "b", "专项 B", sjz_.id, "", 1000, 1000, 1};
    SpecialItem a{0, c.id, "a", "专项 A", std::nullopt, "说明", 1000, 1000, 1};
    ASSERT_OK(store_->Write([&](WriteTx& tx) {
        RETURN_IF_ERROR(tx.InsertSpecialItem(b));
        return tx.InsertSpecialItem(a);
    }));
    SpecialItem a2{0, c.id, "a", "again", std::nullopt, "", 1000, 1000, 1};
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.InsertSpecialItem(a2); }).code(), StatusCode::kAlreadyExists);
    auto items = store_->ListSpecialItems(c.id);
    ASSERT_OK(items);
    ASSERT_EQ(items->size(), 2u);
    EXPECT_EQ((*items)[0].code, "a");
    EXPECT_EQ((*items)[1].lead_org_id, std::optional<domain::OrgId>(sjz_.id));
    a.title = "专项 A2";
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateSpecialItem(a); }));
    EXPECT_EQ(a.version, 2);
    auto got = store_->GetSpecialItem(a.id);
    ASSERT_OK(got);
    EXPECT_EQ(got->title, "专项 A2");
    auto some = store_->GetSpecialItems({b.id, 999999});
    ASSERT_OK(some);
    ASSERT_EQ(some->size(), 1u);
    EXPECT_EQ((*some)[0].id, b.id);
}

TEST_F(CampaignStoreTest, ProblemTagsAreStoredReadBackFilteredAndCountedPerItem) {
    Campaign c = NewCampaign("hb-2019");
    SpecialItem a{0, 0, "a", "A", std::nullopt, "", 1000, 1000, 1};
    SpecialItem b{0, 0, "b", "B", std::nullopt, "", 1000, 1000, 1};
    ASSERT_OK(store_->Write([&](WriteTx& tx) {
        RETURN_IF_ERROR(tx.InsertCampaign(c));
        a.campaign_id = b.campaign_id = c.id;
        RETURN_IF_ERROR(tx.InsertSpecialItem(a));
        return tx.InsertSpecialItem(b);
    }));
    using S = domain::ProblemStatus;
    // now = 5000. p1 石家庄 open overdue {a, b}; p2 河北 closed on time {a}; p3 石家庄 closed late {b};
    // p4 河北 campaign only, open; p5 石家庄 untagged.
    Problem p1 = AddProblem(sjz_.id, S::kRegistered, 2000, std::nullopt, c.id, {b.id, a.id});
    Problem p2 = AddProblem(hebei_.id, S::kClosed, 3000, 2500, c.id, {a.id});
    Problem p3 = AddProblem(sjz_.id, S::kClosed, 2000, 2600, c.id, {b.id});
    Problem p4 = AddProblem(hebei_.id, S::kInProgress, 9000, std::nullopt, c.id, {});
    Problem p5 = AddProblem(sjz_.id, S::kRegistered, std::nullopt, std::nullopt, std::nullopt, {});

    auto got = store_->GetProblem(p1.id);
    ASSERT_OK(got);
    EXPECT_EQ(got->campaign_id, std::optional<domain::CampaignId>(c.id));
    EXPECT_EQ(got->special_item_ids, (std::vector<domain::SpecialItemId>{std::min(a.id, b.id), std::max(a.id, b.id)}));
    // Inside a transaction too; and UpdateProblem replaces the links.
    ASSERT_OK(store_->Write([&](WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(Problem p, tx.GetProblem(p1.id));
        EXPECT_EQ(p.special_item_ids.size(), 2u);
        p.special_item_ids = {a.id};
        RETURN_IF_ERROR(tx.UpdateProblem(p));
        p.special_item_ids = {a.id, b.id};
        return tx.UpdateProblem(p);
    }));
    got = store_->GetProblem(p1.id);
    ASSERT_OK(got);
    EXPECT_EQ(got->special_item_ids.size(), 2u);

    ProblemFilter f;
    f.limit = 50;
    f.special_item_id = a.id;
    auto list = store_->ListProblems(f);
    ASSERT_OK(list);
    std::set<domain::ProblemId> ids;
    for (const auto& p : *list) ids.insert(p.id);
    EXPECT_EQ(ids, (std::set<domain::ProblemId>{p1.id, p2.id}));
    for (const auto& p : *list) {
        if (p.id == p2.id) {
            EXPECT_EQ(p.special_item_ids, std::vector<domain::SpecialItemId>{a.id});
        }
    }
    f.special_item_id.reset();
    f.campaign_id = c.id;
    auto count = store_->CountProblems(f);
    ASSERT_OK(count);
    EXPECT_EQ(*count, 4);  // p1..p4

    // Figures at 河北省 (now 5000): a = {p1, p2}: 2 problems, closed 1, open 1, overdue 1 (p1 due 2000),
    // closed with due 1, on time 1 (2500 <= 3000). b = {p1, p3}: 2, closed 1, overdue 1, on time 0 (2600 > 2000).
    // Campaign: p1..p4: 4, closed 2, open 2 (p1, p4), overdue 1, closed with due 2, on time 1; without item 1
    // (p4). By batch: 河北省 batch 1 (p2, p4), 石家庄市 batch 2 (p1, p3).
    auto r = store_->SpecialItemFigures(c.id, hebei_.path, 5000);
    ASSERT_OK(r);
    ASSERT_EQ(r->items.size(), 2u);
    const auto& fa = r->items[0].counts;
    EXPECT_EQ(r->items[0].item.code, "a");
    EXPECT_EQ(fa.problems, 2);
    EXPECT_EQ(fa.closed, 1);
    EXPECT_EQ(fa.open, 1);
    EXPECT_EQ(fa.overdue, 1);
    EXPECT_EQ(fa.closed_with_due, 1);
    EXPECT_EQ(fa.closed_on_time, 1);
    const auto& fb = r->items[1].counts;
    EXPECT_EQ(fb.problems, 2);
    EXPECT_EQ(fb.closed, 1);
    EXPECT_EQ(fb.overdue, 1);
    EXPECT_EQ(fb.closed_on_time, 0);
    EXPECT_EQ(r->campaign.problems, 4);
    EXPECT_EQ(r->campaign.closed, 2);
    EXPECT_EQ(r->campaign.open, 2);
    EXPECT_EQ(r->campaign.overdue, 1);
    EXPECT_EQ(r->campaign.closed_with_due, 2);
    EXPECT_EQ(r->campaign.closed_on_time, 1);
    EXPECT_EQ(r->without_item, 1);
    ASSERT_EQ(r->by_org_batch.size(), 2u);
    EXPECT_EQ(r->by_org_batch[0].batch, 1);
    EXPECT_EQ(r->by_org_batch[0].counts.problems, 2);
    EXPECT_EQ(r->by_org_batch[1].batch, 2);
    EXPECT_EQ(r->by_org_batch[1].counts.problems, 2);
    EXPECT_FALSE(r->by_org_batch[0].end);  // no batch ends were given
    EXPECT_EQ(r->by_org_batch[0].phase.closed_by_end + r->by_org_batch[0].phase.open_after_end, 0);
    // 石家庄市 alone: a = {p1}, b = {p1, p3}; 福建省: nothing.
    auto s = store_->SpecialItemFigures(c.id, sjz_.path, 5000);
    ASSERT_OK(s);
    EXPECT_EQ(s->items[0].counts.problems, 1);
    EXPECT_EQ(s->items[1].counts.problems, 2);
    EXPECT_EQ(s->campaign.problems, 2);
    auto none = store_->SpecialItemFigures(c.id, fujian_.path, 5000);
    ASSERT_OK(none);
    EXPECT_EQ(none->campaign.problems, 0);
    EXPECT_EQ(none->items[0].counts.problems, 0);
    (void)p5;
}

}  // namespace
}  // namespace rectify::store
