// The opinion and link figures of Service::Stats come from the side-figures index (src/index/side_index.hpp),
// fed by the store's commit observer. These tests drive the real service on SQLite and on PostgreSQL (the
// "pg." registrations): a worked example whose figures are counted by hand from docs/LINKAGE.md#link-figures,
// and random sequences of opinions (replies, ratings, transfers), problems, co-owners, escalations (accepted,
// declined, withdrawn, left pending), cascades and org moves, after which every org's figures must equal the
// store's SQL recount (Store::OpinionFigures, LinkFigures, EscalatedFrom: the reference, sharing no code
// with the index), also for a service started afresh on the same database.
//
// Org tree (ids in insertion order; 1 is made by Init):
//   1 全国
//   └─ 2 福建省
//      ├─ 3 福州市 ─┬─ 4 鼓楼区 ─ 7 东街街道
//      │            ├─ 5 台江区
//      │            └─ 6 仓山区
//      └─ 8 厦门市 ─ 9 思明区 ─ 10 中华街道
#include <algorithm>
#include <map>
#include <random>

#include "service/service.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Org;
using domain::OrgId;
using domain::Problem;

class SideIndexTest : public ::testing::Test {
protected:
    void SetUp() override {
        RECTIFY_SKIP_WITHOUT_BACKEND();
        ASSERT_EQ(db_.error(), "");
        auto store = store::Store::Open(db_.url(), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        ASSERT_OK(svc_->Init(Actor{"test", {}}, InitOptions{}));
        root_ = svc_->RootActor("admin");
        const OrgId fujian = AddOrg(1, "福建省", "province");
        const OrgId fuzhou = AddOrg(fujian, "福州市", "city");
        const OrgId gulou = AddOrg(fuzhou, "鼓楼区", "county");
        AddOrg(fuzhou, "台江区", "county");
        AddOrg(fuzhou, "仓山区", "county");
        AddOrg(gulou, "东街街道", "township");
        const OrgId xiamen = AddOrg(fujian, "厦门市", "city");
        const OrgId siming = AddOrg(xiamen, "思明区", "county");
        AddOrg(siming, "中华街道", "township");
    }

    OrgId AddOrg(OrgId parent, const std::string& name, const std::string& level) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        auto created = svc_->CreateOrg(root_, o);
        EXPECT_OK(created);
        return created.ok() ? created->id : 0;
    }

    std::vector<Org> Orgs() {
        auto orgs = svc_->store().ListOrgs();
        EXPECT_OK(orgs);
        return orgs.ok() ? *orgs : std::vector<Org>{};
    }

    // The org and its ancestors' ids, nearest first (excluding the org).
    std::vector<OrgId> Ancestors(OrgId id) {
        std::vector<OrgId> out;
        for (;;) {
            auto o = svc_->store().GetOrg(id);
            if (!o.ok() || !o->parent_id) return out;
            id = *o->parent_id;
            out.push_back(id);
        }
    }

    domain::OpinionId AddOpinion(OrgId org) {
        OpinionDraft d;
        d.title = "意见";
        d.text = "路灯不亮，晚上出行不便";
        d.org_id = org;
        auto o = svc_->CreateOpinion(root_, d);
        EXPECT_OK(o);
        return o.ok() ? o->id : 0;
    }

    Problem AddProblem(OrgId owner) {
        ProblemDraft d;
        d.title = "问题";
        d.owner_org_id = owner;
        auto p = svc_->CreateProblem(root_, d);
        EXPECT_OK(p);
        return p.ok() ? *p : Problem{};
    }

    Result<domain::Task> AddTask(domain::ProblemId problem, OrgId org) {
        TaskDraft d;
        d.org_id = org;
        d.title = "措施";
        d.responsible_person = "张三";
        d.due_at = NowSeconds() + 30 * kSecondsPerDay;
        return svc_->CreateTask(root_, problem, d);
    }

    static TaskDraft Part() {
        TaskDraft d;
        d.title = "共答部分";
        d.responsible_person = "负责人";
        d.type = domain::TaskType::kImmediate;
        d.due_at = NowSeconds() + kSecondsPerDay;
        return d;
    }

    Result<domain::Cascade> Cascade(domain::TaskId parent, domain::CascadeTargets targets) {
        CascadeDraft d;
        d.targets = std::move(targets);
        d.responsible_person = "李四";
        return svc_->CascadeTask(root_, parent, d, std::nullopt);
    }

    // Every org's side figures from Stats against the store's SQL functions.
    void CheckEveryOrg(Service& svc, const std::string& when) {
        for (const auto& org : Orgs()) {
            SCOPED_TRACE(when + ", org " + std::to_string(org.id) + " " + org.name);
            auto s = svc.Stats(root_, org.id);
            ASSERT_OK(s);
            auto op = svc_->store().OpinionFigures(org.path);
            auto links = svc_->store().LinkFigures(org.path);
            auto from = svc_->store().EscalatedFrom(org.path);
            ASSERT_OK(op);
            ASSERT_OK(links);
            ASSERT_OK(from);
            EXPECT_EQ(s->opinions, op->opinions);
            EXPECT_EQ(s->opinions_replied.numerator, op->opinions_replied);
            EXPECT_EQ(s->satisfaction.denominator, op->opinions_rated);
            // basically_satisfied_counts is on by default: 满意 + 基本满意 count as satisfied.
            EXPECT_EQ(s->satisfaction.numerator, op->opinions_satisfied + op->opinions_basically_satisfied);
            EXPECT_EQ(s->co_owned, links->co_owned);
            EXPECT_EQ(s->escalated_up, links->escalated_up);
            EXPECT_EQ(s->cascaded_down, links->cascaded_down);
            EXPECT_EQ(s->cascaded_in, links->cascaded_in);
            std::vector<std::pair<OrgId, std::int64_t>> got;
            for (const auto& e : s->escalated_from) got.emplace_back(e.org_id, e.problems);
            EXPECT_EQ(got, *from);
        }
    }

    struct Side {
        std::int64_t co_owned, escalated_up, cascaded_down, cascaded_in;
        bool operator==(const Side&) const = default;
    };
    Side LinksOf(OrgId org) {
        auto s = svc_->Stats(root_, org);
        EXPECT_OK(s);
        return s.ok() ? Side{s->co_owned, s->escalated_up, s->cascaded_down, s->cascaded_in} : Side{-1, -1, -1, -1};
    }
    std::vector<std::pair<OrgId, std::int64_t>> EscalatedFrom(OrgId org) {
        auto s = svc_->Stats(root_, org);
        EXPECT_OK(s);
        std::vector<std::pair<OrgId, std::int64_t>> out;
        if (s.ok()) {
            for (const auto& e : s->escalated_from) out.emplace_back(e.org_id, e.problems);
        }
        return out;
    }

    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
    std::unique_ptr<Service> svc_;
    Actor root_;
};

// Figures counted by hand from docs/LINKAGE.md#link-figures on the tree in the header, before and after
// 鼓楼区 (with 东街街道) moves under 厦门市.
TEST_F(SideIndexTest, AWorkedExampleCountsAsTheRulesSayBeforeAndAfterAnOrgMove) {
    // Opinions: three at 鼓楼区, one at 思明区; two of 鼓楼区's replied, rated 满意 and 不满意.
    const auto o1 = AddOpinion(4), o2 = AddOpinion(4);
    AddOpinion(4);
    AddOpinion(9);
    ASSERT_OK(svc_->ReplyOpinion(root_, o1, "已修复", std::nullopt, std::nullopt));
    ASSERT_OK(svc_->ReplyOpinion(root_, o2, "已安排", std::nullopt, std::nullopt));
    ASSERT_OK(svc_->RateOpinion(root_, o1, domain::Satisfaction::kSatisfied, std::nullopt, std::nullopt));
    ASSERT_OK(svc_->RateOpinion(root_, o2, domain::Satisfaction::kDissatisfied, std::nullopt, std::nullopt));
    // 同题共答: a problem of 鼓楼区 with 思明区 as co-owner.
    Problem joint = AddProblem(4);
    ASSERT_OK(svc_->AddCoOwner(root_, joint.id, CoOwnerDraft{9, Part()}, std::nullopt));
    // 下题上答: 东街街道 escalates to 福州市, accepted.
    Problem up = AddProblem(7);
    auto e = svc_->EscalateProblem(root_, up.id, EscalationDraft{3, "需市级统筹"}, std::nullopt);
    ASSERT_OK(e);
    ASSERT_OK(svc_->AcceptEscalation(root_, e->id, std::nullopt, std::nullopt));
    // 上题下答: 福州市 cascades a task to every org below it (鼓楼区, 台江区, 仓山区, 东街街道).
    Problem down = AddProblem(3);
    auto parent = AddTask(down.id, 3);
    ASSERT_OK(parent);
    auto c = Cascade(parent->id, domain::CascadeTargets{});
    ASSERT_OK(c);
    EXPECT_EQ(c->created, 4);

    auto fj = svc_->Stats(root_, 2);
    ASSERT_OK(fj);
    EXPECT_EQ(fj->opinions, 4);
    EXPECT_EQ(fj->opinions_replied.numerator, 2);
    EXPECT_EQ(fj->satisfaction.numerator, 1);
    EXPECT_EQ(fj->satisfaction.denominator, 2);
    EXPECT_EQ(svc_->Stats(root_, 8)->opinions, 1);
    // {co_owned, escalated_up, cascaded_down, cascaded_in}
    EXPECT_EQ(LinksOf(9), (Side{1, 0, 0, 0}));   // co-owner inside, owner 鼓楼区 outside
    EXPECT_EQ(LinksOf(8), (Side{1, 0, 0, 0}));
    EXPECT_EQ(LinksOf(2), (Side{0, 0, 4, 0}));   // holds both ends of every link
    EXPECT_EQ(LinksOf(7), (Side{0, 1, 0, 1}));   // the origin; one child task
    EXPECT_EQ(LinksOf(4), (Side{0, 1, 0, 2}));   // contains the origin, not the owner 福州市; two child tasks
    EXPECT_EQ(LinksOf(3), (Side{0, 0, 4, 0}));   // the issuer and the owner
    EXPECT_EQ(LinksOf(5), (Side{0, 0, 0, 1}));
    EXPECT_EQ(EscalatedFrom(3), (std::vector<std::pair<OrgId, std::int64_t>>{{7, 1}}));
    EXPECT_EQ(EscalatedFrom(1), (std::vector<std::pair<OrgId, std::int64_t>>{{7, 1}}));
    EXPECT_TRUE(EscalatedFrom(4).empty());  // the problem is owned by 福州市 now

    // 鼓楼区 and 东街街道 move under 厦门市.
    ASSERT_OK(svc_->MoveOrg(root_, 4, 8));
    EXPECT_EQ(svc_->Stats(root_, 8)->opinions, 4);
    EXPECT_EQ(svc_->Stats(root_, 3)->opinions, 0);
    EXPECT_EQ(LinksOf(9), (Side{1, 0, 0, 0}));
    EXPECT_EQ(LinksOf(8), (Side{0, 1, 0, 2}));   // now holds the joint problem's owner; the origin and 2 children
    EXPECT_EQ(LinksOf(4), (Side{0, 1, 0, 2}));
    EXPECT_EQ(LinksOf(3), (Side{0, 0, 4, 0}));
    EXPECT_EQ(LinksOf(2), (Side{0, 0, 4, 0}));
    EXPECT_EQ(EscalatedFrom(3), (std::vector<std::pair<OrgId, std::int64_t>>{{7, 1}}));
    EXPECT_TRUE(EscalatedFrom(8).empty());
    // 福州市 escalates the problem on to 福建省, accepted: its origin stays 东街街道 (the org it started at).
    auto e2 = svc_->EscalateProblem(root_, up.id, EscalationDraft{2, "需省级统筹"}, std::nullopt);
    ASSERT_OK(e2);
    EXPECT_EQ(e2->origin_org_id, 7);
    ASSERT_OK(svc_->AcceptEscalation(root_, e2->id, std::nullopt, std::nullopt));
    EXPECT_TRUE(EscalatedFrom(3).empty());
    EXPECT_EQ(EscalatedFrom(2), (std::vector<std::pair<OrgId, std::int64_t>>{{7, 1}}));
    EXPECT_EQ(LinksOf(3), (Side{0, 0, 4, 0}));
    EXPECT_EQ(LinksOf(8), (Side{0, 1, 0, 2}));
    EXPECT_EQ(LinksOf(2), (Side{0, 0, 4, 0}));
    CheckEveryOrg(*svc_, "after the move");
}

TEST_F(SideIndexTest, RandomSequencesMatchTheStoresSqlRecount) {
    std::mt19937 rng(20261130);
    auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
    std::vector<domain::OpinionId> opinions;
    std::vector<domain::ProblemId> problems;
    std::map<std::string, int> done;
    const int steps = 300;
    for (int step = 0; step < steps; ++step) {
        const auto orgs = Orgs();
        const OrgId any = orgs[pick(orgs.size())].id;
        const int what = static_cast<int>(pick(16));
        if (what < 2 || opinions.empty()) {
            opinions.push_back(AddOpinion(any));
            ++done["opinion"];
        } else if (what < 4) {
            if (svc_->ReplyOpinion(root_, opinions[pick(opinions.size())], "答复", std::nullopt, std::nullopt).ok()) {
                ++done["reply"];
            }
        } else if (what < 6) {
            const auto rating = static_cast<domain::Satisfaction>(pick(3));
            if (svc_->RateOpinion(root_, opinions[pick(opinions.size())], rating, std::nullopt, std::nullopt).ok()) {
                ++done["rate"];
            }
        } else if (what == 6) {
            if (svc_->TransferOpinion(root_, opinions[pick(opinions.size())], any, "转办", std::nullopt).ok()) {
                ++done["transfer"];
            }
        } else if (what == 7 || problems.empty()) {
            problems.push_back(AddProblem(any).id);
            ++done["problem"];
        } else if (what < 10) {
            if (svc_->AddCoOwner(root_, problems[pick(problems.size())], CoOwnerDraft{any, Part()}, std::nullopt).ok()) {
                ++done["co_owner"];
            }
        } else if (what < 13) {
            const auto pid = problems[pick(problems.size())];
            auto owner = svc_->store().GetProblem(pid);
            ASSERT_OK(owner);
            auto up = Ancestors(owner->owner_org_id);
            if (up.empty()) continue;
            auto e = svc_->EscalateProblem(root_, pid, EscalationDraft{up[pick(up.size())], "随机"}, std::nullopt);
            if (!e.ok()) continue;  // one is pending already, or the problem is not open
            switch (pick(4)) {
                case 0: ASSERT_OK(svc_->DeclineEscalation(root_, e->id, "不同意", std::nullopt)); break;
                case 1: ASSERT_OK(svc_->WithdrawEscalation(root_, e->id, "撤回", std::nullopt)); break;
                case 2: break;  // stays pending
                default:
                    ASSERT_OK(svc_->AcceptEscalation(root_, e->id, std::nullopt, std::nullopt));
                    ++done["accepted"];
                    break;
            }
        } else if (what < 15) {
            // A cascade from a task of a random problem (a child task of an earlier cascade too), to every org
            // below it or to one org below it.
            const auto pid = problems[pick(problems.size())];
            auto tasks = svc_->store().ListTasksOfProblem(pid);
            ASSERT_OK(tasks);
            if (tasks->empty() || pick(3) == 0) {
                auto owner = svc_->store().GetProblem(pid);
                ASSERT_OK(owner);
                (void)AddTask(pid, owner->owner_org_id);
                continue;
            }
            const domain::Task& parent = (*tasks)[pick(tasks->size())];
            domain::CascadeTargets targets;
            if (pick(2) == 0) {
                targets.scope = domain::CascadeScope::kOrgs;
                targets.org_ids = {any};
            }
            if (Cascade(parent.id, targets).ok()) ++done["cascade"];
        } else {
            // Move a non-root org under a random org outside its subtree (the service refuses the rest).
            const OrgId moved = orgs[1 + pick(orgs.size() - 1)].id;
            if (svc_->MoveOrg(root_, moved, any).ok()) ++done["move"];
        }
        if (step % 100 == 99) CheckEveryOrg(*svc_, "step " + std::to_string(step));
    }
    // The sequence exercised what it is meant to (seed 20261130).
    for (const char* what : {"opinion", "reply", "rate", "transfer", "problem", "co_owner", "accepted", "cascade",
                             "move"}) {
        EXPECT_GE(done[what], 2) << what;
    }
    CheckEveryOrg(*svc_, "at the end");
    // A service started afresh on the same database builds the same figures from the store.
    auto reopened = store::Store::Open(db_.url(), store::OpenMode::kMustExist);
    ASSERT_OK(reopened);
    auto second = Service::Create(std::move(reopened).value());
    ASSERT_OK(second);
    CheckEveryOrg(**second, "rebuilt");
}

}  // namespace
}  // namespace rectify::service
