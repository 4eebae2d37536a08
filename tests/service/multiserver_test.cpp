// Several rectify servers on one PostgreSQL (issue 10): two Store + Service pairs on one database stand for
// two `rectify serve` processes (each has its own connections, writer lock session, roll-up index and org
// tree). Checked here:
//   - interleaved and concurrent writes on both sides; after catching up from the event log, each side's
//     figures for several subtrees equal a recount made here from a third store's rows (orgs by path,
//     problems by owner), which shares no code with the index;
//   - the second writer blocks until the first commits, and its events get the next ids: ids are taken and
//     committed in one order, so "id > last applied" misses nothing (docs/ARCHITECTURE.md);
//   - LISTEN/NOTIFY wakes a follower long before its fallback poll;
//   - concurrent scheduler passes of both servers, with an injected clock, take each ladder step and POST
//     each webhook delivery exactly once.
// PostgreSQL only (registered POSTGRES_ONLY): needs $RECTIFY_TEST_PG.
//
// Org tree (ids in insertion order; the root is made by Init):
//   1 全国
//   ├─ 2 福建省 ─┬─ 3 福州市 ─┬─ 5 鼓楼区
//   │            │            └─ 6 台江区
//   │            └─ 4 厦门市 ─── 7 思明区
//   └─ 8 浙江省 ─── 9 杭州市
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/time.hpp"
#include "domain/supervision.hpp"
#include "service/service.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::OrgId;
using domain::ProblemStatus;

AccountPolicy FastPolicy() {
    AccountPolicy p;
    p.password_hash = PasswordHashParams::OwaspMinimum();
    return p;
}

// One "server": its own store (connections) and service (index, tree) on the shared database.
std::unique_ptr<Service> OpenServer(const std::string& url) {
    auto store = store::Store::Open(url, store::OpenMode::kCreateIfMissing);
    EXPECT_OK(store);
    if (!store.ok()) return nullptr;
    auto svc = Service::Create(std::move(store).value(), FastPolicy());
    EXPECT_OK(svc);
    return svc.ok() ? std::move(svc).value() : nullptr;
}

class MultiServerPostgresOnly : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(testing::PostgresBackend() && testing::PostgresSkipReason().empty())
            << "this suite needs PostgreSQL: run its pg. registration with RECTIFY_TEST_PG set ("
            << testing::PostgresSkipReason() << ")";
        ASSERT_EQ(db_.error(), "");
        a_ = OpenServer(db_.url());
        ASSERT_NE(a_, nullptr);
        ASSERT_OK(a_->Init(Actor{"test", {}}, InitOptions{}));
        b_ = OpenServer(db_.url());  // opened after Init: starts from the committed log
        ASSERT_NE(b_, nullptr);
        ASSERT_OK(a_->BuildRollupIndex());
        ASSERT_OK(b_->BuildRollupIndex());
        root_a_ = a_->RootActor("admin");
        root_b_ = b_->RootActor("admin");
    }

    OrgId AddOrg(Service& svc, const Actor& actor, OrgId parent, const std::string& name, const std::string& level) {
        domain::Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        auto created = svc.CreateOrg(actor, o);
        EXPECT_OK(created);
        return created.ok() ? created->id : 0;
    }

    domain::ProblemId AddProblem(Service& svc, const Actor& actor, OrgId owner, const std::string& title) {
        ProblemDraft d;
        d.title = title;
        d.owner_org_id = owner;
        auto p = svc.CreateProblem(actor, d);
        EXPECT_OK(p);
        return p.ok() ? p->id : 0;
    }

    // The recount: problems per status in the subtree of `org`, from a third store's rows.
    std::map<std::string, std::int64_t> Recount(OrgId org) {
        auto store = store::Store::Open(db_.url(), store::OpenMode::kMustExist, 1);
        EXPECT_OK(store);
        auto orgs = (*store)->ListOrgs();
        auto problems = (*store)->ListProblemSummaries({});
        EXPECT_OK(orgs);
        EXPECT_OK(problems);
        std::map<OrgId, std::string> path;
        for (const auto& o : *orgs) path[o.id] = o.path;
        const std::string root = path.at(org);
        std::map<std::string, std::int64_t> out;
        for (const auto& p : *problems) {
            if (path.at(p.owner_org_id).rfind(root, 0) == 0) {
                ++out["all"];
                ++out[std::string(domain::ToString(p.status))];
            }
        }
        return out;
    }

    std::map<std::string, std::int64_t> FromStats(Service& svc, const Actor& actor, OrgId org) {
        auto s = svc.Stats(actor, org, StatsQuery{});
        EXPECT_OK(s);
        std::map<std::string, std::int64_t> out;
        if (!s.ok()) return out;
        if (s->problems) out["all"] = s->problems;
        for (const auto& [status, n] : s->by_status) {
            if (n) out[status] = n;
        }
        return out;
    }

    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
    std::unique_ptr<Service> a_, b_;
    Actor root_a_, root_b_;
};

TEST_F(MultiServerPostgresOnly, InterleavedAndConcurrentWritesOnTwoServersAgreeWithARecount) {
    // Orgs made on both sides; each side catches up before using the other's orgs (its tree must know them).
    const OrgId fujian = AddOrg(*a_, root_a_, 1, "福建省", "province");
    ASSERT_OK(b_->CatchUp());
    const OrgId fuzhou = AddOrg(*b_, root_b_, fujian, "福州市", "city");
    const OrgId xiamen = AddOrg(*b_, root_b_, fujian, "厦门市", "city");
    ASSERT_OK(a_->CatchUp());
    const OrgId gulou = AddOrg(*a_, root_a_, fuzhou, "鼓楼区", "county");
    const OrgId taijiang = AddOrg(*a_, root_a_, fuzhou, "台江区", "county");
    const OrgId siming = AddOrg(*a_, root_a_, xiamen, "思明区", "county");
    const OrgId zhejiang = AddOrg(*a_, root_a_, 1, "浙江省", "province");
    const OrgId hangzhou = AddOrg(*a_, root_a_, zhejiang, "杭州市", "city");
    ASSERT_OK(b_->CatchUp());
    EXPECT_EQ(a_->AppliedEventId(), b_->AppliedEventId());

    // Interleaved: A, B, A, B ... each write of one side is in the other's log before its next write.
    std::vector<domain::ProblemId> ids;
    const std::vector<OrgId> owners{gulou, taijiang, siming, hangzhou, fuzhou};
    for (int i = 0; i < 10; ++i) {
        Service& svc = i % 2 == 0 ? *a_ : *b_;
        const Actor& actor = i % 2 == 0 ? root_a_ : root_b_;
        ids.push_back(AddProblem(svc, actor, owners[i % owners.size()], "交替 " + std::to_string(i)));
    }
    // B marks two of A's problems invalid (it reads them from the database, not from its index).
    for (int i : {0, 4}) {
        auto p = b_->MarkProblemInvalid(root_b_, ids[i], "经核实不属实", std::nullopt);
        ASSERT_OK(p);
    }
    // An org moved on B: 思明区 from 厦门市 to 福州市 (with its problems). A has read it before (and keeps
    // the org in memory, Service::org_cache_).
    auto siming_before = a_->GetOrg(root_a_, siming);
    ASSERT_OK(siming_before);
    ASSERT_OK(b_->MoveOrg(root_b_, siming, fuzhou));

    // Concurrent: two threads on each server, 15 problems each, while both servers' followers run too (the
    // commit observer and the follower race for the same events).
    a_->StartFollowing(std::chrono::milliseconds(50));
    b_->StartFollowing(std::chrono::milliseconds(50));
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            Service& svc = t % 2 == 0 ? *a_ : *b_;
            const Actor& actor = t % 2 == 0 ? root_a_ : root_b_;
            for (int i = 0; i < 15; ++i) {
                ProblemDraft d;
                d.title = "并发 " + std::to_string(t) + "-" + std::to_string(i);
                d.owner_org_id = owners[(t + i) % owners.size()];
                if (!svc.CreateProblem(actor, d).ok()) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    a_->StopFollowing();
    b_->StopFollowing();

    ASSERT_OK(a_->CatchUp());
    ASSERT_OK(b_->CatchUp());
    EXPECT_EQ(a_->AppliedEventId(), b_->AppliedEventId());

    // Worked out by hand: 10 + 60 problems; 2 invalid; the rest registered.
    const auto all = Recount(1);
    EXPECT_EQ(all.at("all"), 70);
    EXPECT_EQ(all.at("invalid"), 2);
    EXPECT_EQ(all.at("registered"), 68);
    for (OrgId org : {OrgId{1}, fujian, fuzhou, xiamen, gulou, siming, zhejiang, hangzhou}) {
        const auto expected = Recount(org);
        EXPECT_EQ(FromStats(*a_, root_a_, org), expected) << "server A, org " << org;
        EXPECT_EQ(FromStats(*b_, root_b_, org), expected) << "server B, org " << org;
    }
    // 思明区 moved under 福州市: 厦门市 has no problems left; B's tree (and A's, caught up) say so too.
    EXPECT_EQ(Recount(xiamen).count("all"), 0u);
    EXPECT_TRUE(FromStats(*a_, root_a_, xiamen).empty());
    EXPECT_TRUE(a_->Tree()->InSubtree(siming, fuzhou));
    EXPECT_TRUE(b_->Tree()->InSubtree(siming, fuzhou));
    // A reads the moved org anew: its parent and path are B's.
    auto siming_on_a = a_->GetOrg(root_a_, siming);
    auto siming_on_b = b_->GetOrg(root_b_, siming);
    ASSERT_OK(siming_on_a);
    ASSERT_OK(siming_on_b);
    EXPECT_EQ(siming_on_a->parent_id, fuzhou);
    EXPECT_EQ(siming_on_a->path, siming_on_b->path);
    EXPECT_NE(siming_on_a->path, siming_before->path);
}

// There is no "took its id first, committed last" here: the advisory lock is taken before the last id is
// read, so a second writer (another process) waits until the first commits and then takes the next id.
// A reader meanwhile sees nothing of the open transaction.
// The side-figures index (opinion and link figures) follows the other server's writes like the roll-up index.
TEST_F(MultiServerPostgresOnly, OpinionAndLinkFiguresOfOneServersWritesAreInTheOtherServersStats) {
    const OrgId fujian = AddOrg(*a_, root_a_, 1, "福建省", "province");
    const OrgId fuzhou = AddOrg(*a_, root_a_, fujian, "福州市", "city");
    const OrgId gulou = AddOrg(*a_, root_a_, fuzhou, "鼓楼区", "county");
    const OrgId xiamen = AddOrg(*a_, root_a_, fujian, "厦门市", "city");
    ASSERT_OK(b_->CatchUp());
    // B: an opinion at 鼓楼区; A replies and it is rated 满意.
    OpinionDraft od;
    od.title = "意见";
    od.text = "路灯不亮";
    od.org_id = gulou;
    auto o = b_->CreateOpinion(root_b_, od);
    ASSERT_OK(o);
    ASSERT_OK(a_->CatchUp());
    ASSERT_OK(a_->ReplyOpinion(root_a_, o->id, "已修复", std::nullopt, std::nullopt));
    ASSERT_OK(a_->RateOpinion(root_a_, o->id, domain::Satisfaction::kSatisfied, std::nullopt, std::nullopt));
    // A: a problem of 鼓楼区 escalated to 福州市; B accepts and adds 厦门市 as a co-owner.
    const auto pid = AddProblem(*a_, root_a_, gulou, "跨区问题");
    auto e = a_->EscalateProblem(root_a_, pid, EscalationDraft{fuzhou, "需市级统筹"}, std::nullopt);
    ASSERT_OK(e);
    ASSERT_OK(b_->CatchUp());
    ASSERT_OK(b_->AcceptEscalation(root_b_, e->id, std::nullopt, std::nullopt));
    TaskDraft part;
    part.title = "共答部分";
    part.responsible_person = "负责人";
    part.due_at = NowSeconds() + 86400;
    ASSERT_OK(b_->AddCoOwner(root_b_, pid, CoOwnerDraft{xiamen, part}, std::nullopt));
    // A moves 鼓楼区 under 厦门市.
    ASSERT_OK(a_->CatchUp());
    ASSERT_OK(a_->MoveOrg(root_a_, gulou, xiamen));
    ASSERT_OK(b_->CatchUp());
    // By hand: the opinion is in 厦门市's subtree now; the problem is owned by 福州市, came from 鼓楼区 (now in
    // 厦门市's subtree) and is co-owned by 厦门市.
    for (Service* svc : {a_.get(), b_.get()}) {
        const Actor& actor = svc == a_.get() ? root_a_ : root_b_;
        auto xm = svc->Stats(actor, xiamen);
        ASSERT_OK(xm);
        EXPECT_EQ(xm->opinions, 1);
        EXPECT_EQ(xm->opinions_replied.numerator, 1);
        EXPECT_EQ(xm->satisfaction.numerator, 1);
        EXPECT_EQ(xm->satisfaction.denominator, 1);
        EXPECT_EQ(xm->co_owned, 1);
        EXPECT_EQ(xm->escalated_up, 1);
        auto fz = svc->Stats(actor, fuzhou);
        ASSERT_OK(fz);
        EXPECT_EQ(fz->opinions, 0);
        EXPECT_EQ(fz->co_owned, 0);
        EXPECT_EQ(fz->escalated_up, 0);
        ASSERT_EQ(fz->escalated_from.size(), 1u);
        EXPECT_EQ(fz->escalated_from[0].org_id, gulou);
        EXPECT_EQ(fz->escalated_from[0].problems, 1);
        auto fj = svc->Stats(actor, fujian);
        ASSERT_OK(fj);
        EXPECT_EQ(fj->opinions, 1);
        EXPECT_EQ(fj->co_owned, 0);
        EXPECT_EQ(fj->escalated_up, 0);
    }
}

TEST_F(MultiServerPostgresOnly, ASecondWriterWaitsForTheFirstToCommitAndTakesTheNextId) {
    auto store_a = store::Store::Open(db_.url(), store::OpenMode::kMustExist, 1);
    auto store_b = store::Store::Open(db_.url(), store::OpenMode::kMustExist, 1);
    ASSERT_OK(store_a);
    ASSERT_OK(store_b);
    auto last = (*store_a)->LastEventId();
    ASSERT_OK(last);
    const Actor actor{"test", {}};
    std::atomic<bool> first_appended{false};
    std::atomic<std::int64_t> first_committed_ms{0}, second_started_ms{0};
    std::int64_t first_id = 0, second_id = 0;
    std::vector<store::Event> seen_during_first;
    auto ms = [] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    };
    std::thread first([&] {
        ASSERT_OK((*store_a)->Write([&](store::WriteTx& tx) -> Status {
            auto e = MakeEvent(actor, "org", 1, "note", std::nullopt, nlohmann::json{{"writer", "first"}});
            RETURN_IF_ERROR(tx.AppendEvent(e));
            first_id = e.id;
            first_appended = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(400));
            auto during = (*store_b)->ListEventsAfter(*last, 100);  // a reader on another connection
            if (during.ok()) seen_during_first = *during;
            return Status::Ok();
        }));
        first_committed_ms = ms();
    });
    while (!first_appended) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ASSERT_OK((*store_b)->Write([&](store::WriteTx& tx) -> Status {
        second_started_ms = ms();  // after the lock: BEGIN + pg_advisory_xact_lock ran before fn
        auto e = MakeEvent(actor, "org", 1, "note", std::nullopt, nlohmann::json{{"writer", "second"}});
        RETURN_IF_ERROR(tx.AppendEvent(e));
        second_id = e.id;
        return Status::Ok();
    }));
    first.join();
    EXPECT_TRUE(seen_during_first.empty());
    EXPECT_EQ(first_id, *last + 1);
    EXPECT_EQ(second_id, *last + 2);
    EXPECT_GE(second_started_ms.load(), first_committed_ms.load() - 5);  // 5 ms: the two clock reads' slack
    auto after = (*store_b)->ListEventsAfter(*last, 100);
    ASSERT_OK(after);
    ASSERT_EQ(after->size(), 2u);
    EXPECT_EQ((*after)[0].after_json, nlohmann::json({{"writer", "first"}}).dump());
    EXPECT_EQ((*after)[1].after_json, nlohmann::json({{"writer", "second"}}).dump());
}

// A follower with a 30 s fallback poll still sees a write of the other server within a few seconds: only
// the NOTIFY can have woken it.
TEST_F(MultiServerPostgresOnly, ANotificationWakesTheOtherServerLongBeforeItsFallbackPoll) {
    const OrgId fujian = AddOrg(*a_, root_a_, 1, "福建省", "province");
    ASSERT_OK(b_->CatchUp());
    b_->StartFollowing(std::chrono::seconds(30));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the LISTEN connection is up
    for (int i = 1; i <= 5; ++i) {
        AddProblem(*a_, root_a_, fujian, "通知 " + std::to_string(i));
        const auto start = std::chrono::steady_clock::now();
        std::int64_t seen = 0;
        while (std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
            seen = FromStats(*b_, root_b_, fujian)["all"];
            if (seen == i) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        EXPECT_EQ(seen, i) << "B did not see A's problem " << i << " within 5 s";
    }
    b_->StopFollowing();
}

// The LISTEN connection is killed (as by a PostgreSQL restart or a network cut): the follower opens a new one
// and catches up, long before its 30 s fallback poll.
TEST_F(MultiServerPostgresOnly, AFollowerWhoseListenConnectionDiesReconnectsAndCatchesUp) {
    const OrgId fujian = AddOrg(*a_, root_a_, 1, "福建省", "province");
    ASSERT_OK(b_->CatchUp());
    b_->StartFollowing(std::chrono::seconds(30));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the LISTEN connection is up
    auto dbname = [&] {
        const std::string url = testing::LibpqUrl(db_.url());
        return url.substr(url.rfind('/') + 1);
    };
    auto kill_listeners = [&] {
        return testing::PgExec(db_.url(), "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                                              dbname() + "' AND query = 'LISTEN rectify_events'");
    };
    // The backend pids of the listening connections, "," separated.
    auto listeners = [&] {
        PGconn* c = PQconnectdb(testing::LibpqUrl(db_.url()).c_str());
        PGresult* r = PQexec(c, ("SELECT string_agg(pid::text, ',') FROM pg_stat_activity WHERE datname = '" +
                                 dbname() + "' AND query = 'LISTEN rectify_events'")
                                    .c_str());
        std::string pids = PQresultStatus(r) == PGRES_TUPLES_OK ? PQgetvalue(r, 0, 0) : "error";
        PQclear(r);
        PQfinish(c);
        return pids;
    };
    const std::string before = listeners();
    ASSERT_FALSE(before.empty());
    ASSERT_EQ(before.find(','), std::string::npos) << before;  // B's only
    ASSERT_EQ(kill_listeners(), "");
    for (int i = 1; i <= 3; ++i) {
        AddProblem(*a_, root_a_, fujian, "断线 " + std::to_string(i));
        const auto start = std::chrono::steady_clock::now();
        std::int64_t seen = 0;
        while (std::chrono::steady_clock::now() - start < std::chrono::seconds(10)) {
            seen = FromStats(*b_, root_b_, fujian)["all"];
            if (seen == i) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        EXPECT_EQ(seen, i) << "B did not see A's problem " << i << " within 10 s";
    }
    const std::string after = listeners();
    EXPECT_FALSE(after.empty());
    EXPECT_NE(after, before);  // a new LISTEN connection (another backend)
    b_->StopFollowing();
}

// Org events of the other server reach this server's org tree (scope checks) through the log.
TEST_F(MultiServerPostgresOnly, OrgsMadeOnOneServerAreInTheOtherServersTreeAfterCatchingUp) {
    const OrgId fujian = AddOrg(*a_, root_a_, 1, "福建省", "province");
    EXPECT_FALSE(b_->Tree()->Contains(fujian));
    ASSERT_OK(b_->CatchUp());
    EXPECT_TRUE(b_->Tree()->InSubtree(fujian, 1));
    const auto fuzhou = AddOrg(*b_, b_->SubtreeAdmin("fj.admin", fujian), fujian, "福州市", "city");
    EXPECT_NE(fuzhou, 0);
}

// A transport that counts POSTs per delivery id and takes 20 ms each (so passes overlap).
class CountingTransport : public WebhookTransport {
public:
    WebhookResponse Post(const WebhookRequest& r) override {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        std::lock_guard lock(mutex_);
        for (const auto& [name, value] : r.headers) {
            if (name == "X-Rectify-Delivery") ++posts[value];
        }
        WebhookResponse ok;
        ok.status = 200;
        return ok;
    }
    std::map<std::string, int> Posts() {
        std::lock_guard lock(mutex_);
        return posts;
    }

private:
    std::mutex mutex_;
    std::map<std::string, int> posts;
};

constexpr UnixSeconds kHour = 3600;
UnixSeconds LocalMidnight(std::int64_t day) { return day * 86400 - 8 * kHour; }
int Weekday(std::int64_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }  // 0 = Monday

TEST_F(MultiServerPostgresOnly, ConcurrentSchedulerPassesOfTwoServersTakeEachStepAndDeliveryOnce) {
    ASSERT_OK(SetDisplayZone("Asia/Shanghai"));
    for (Service* svc : {a_.get(), b_.get()}) {
        SupervisionPolicy sp;
        sp.calendar = std::make_shared<domain::WorkCalendar>();  // Monday to Friday
        svc->ConfigureSupervision(sp);
    }
    const OrgId fujian = AddOrg(*a_, root_a_, 1, "福建省", "province");
    const OrgId fuzhou = AddOrg(*a_, root_a_, fujian, "福州市", "city");
    WebhookDraft hook;
    hook.org_id = fujian;
    hook.url = "http://127.0.0.1:9/hook";  // never called: the counting transport answers
    ASSERT_OK(a_->CreateWebhook(root_a_, hook));
    // Five tasks due on a Tuesday 18:00 at least two weeks ahead.
    std::int64_t tue = (NowSeconds() + 8 * kHour) / 86400 + 14;
    while (Weekday(tue) != 1) ++tue;
    const UnixSeconds due = LocalMidnight(tue) + 18 * kHour;
    constexpr int kTasks = 5;
    for (int i = 0; i < kTasks; ++i) {
        const auto problem = AddProblem(*a_, root_a_, fuzhou, "河道整治 " + std::to_string(i));
        TaskDraft d;
        d.org_id = fuzhou;
        d.title = "河道整治 " + std::to_string(i);
        d.responsible_person = "张三";
        d.type = domain::TaskType::kTimeBound;
        d.due_at = due;
        ASSERT_OK(a_->CreateTask(root_a_, problem, d));
    }
    ASSERT_OK(b_->CatchUp());

    CountingTransport transport;
    std::atomic<int> ran{0}, skipped{0}, urged{0}, supervised{0}, errors{0};
    // Both servers run passes at the same injected instants, concurrently, several times each:
    // Wednesday 09:00 (overdue: urge) and Saturday 00:00 (two working days after the urge: supervise).
    for (UnixSeconds at : {LocalMidnight(tue + 1) + 9 * kHour, LocalMidnight(tue + 4)}) {
        std::vector<std::thread> threads;
        for (Service* svc : {a_.get(), b_.get(), a_.get(), b_.get()}) {
            threads.emplace_back([&, svc, at] {
                for (int k = 0; k < 3; ++k) {
                    auto r = svc->RunSupervisionPass(at, transport);
                    if (!r.ok()) {
                        ++errors;
                        continue;
                    }
                    ++(r->skipped_running_elsewhere ? skipped : ran);
                    urged += static_cast<int>(r->ladder.urged);
                    supervised += static_cast<int>(r->ladder.supervised);
                    if (!r->ladder.errors.empty() || !r->deliveries.errors.empty()) ++errors;
                }
            });
        }
        for (auto& t : threads) t.join();
    }
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(ran.load() + skipped.load(), 2 * 4 * 3);
    EXPECT_GT(skipped.load(), 0);  // the passes did overlap
    EXPECT_EQ(urged.load(), kTasks);
    EXPECT_EQ(supervised.load(), kTasks);
    // One delivery per step (one webhook subscribed to every kind), each POSTed once.
    const auto posts = transport.Posts();
    EXPECT_EQ(posts.size(), static_cast<std::size_t>(2 * kTasks));
    for (const auto& [id, n] : posts) EXPECT_EQ(n, 1) << "delivery " << id;
}

}  // namespace
}  // namespace rectify::service
