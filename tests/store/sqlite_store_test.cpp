#include <sqlite3.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::store {
namespace {

using domain::Org;
using domain::Problem;
using domain::ProblemStatus;

class SqliteStoreTest : public ::testing::Test {
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
    }

    Org AddOrg(std::optional<domain::OrgId> parent, const std::string& name, const std::string& level) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        o.created_at = 100;
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertOrg(o); }));
        return o;
    }

    Problem AddProblem(domain::OrgId owner, ProblemStatus status, UnixSeconds created,
                       std::optional<UnixSeconds> due = std::nullopt, std::optional<UnixSeconds> closed = std::nullopt) {
        Problem p;
        p.title = "problem";
        p.owner_org_id = owner;
        p.status = status;
        p.created_at = created;
        p.updated_at = created;
        p.due_at = due;
        p.closed_at = closed;
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertProblem(p); }));
        return p;
    }

    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
    std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, NewDatabaseHasTheNewestSchema) {
    auto v = store_->SchemaVersion();
    ASSERT_OK(v);
    EXPECT_EQ(*v, Store::KnownSchemaVersion());
    EXPECT_GE(Store::KnownSchemaVersion(), 1);
}

// GET /healthz reads the schema version; it must answer while another request holds a write transaction
// open (before, it queued behind the store's write mutex). The version is read on a second thread while
// this thread is inside Write with an uncommitted row: if SchemaVersion waited for the writer, the future
// would not be ready until Write returned, after the 20 s wait below.
TEST_F(SqliteStoreTest, SchemaVersionAnswersWhileAWriteIsOpen) {
    std::future<Result<int>> version;
    std::future_status while_open = std::future_status::deferred;
    ASSERT_OK(store_->Write([&](WriteTx& tx) {
        RETURN_IF_ERROR(tx.UpsertLevel({"county", "县级", "County", 3}));
        version = std::async(std::launch::async, [&] { return store_->SchemaVersion(); });
        while_open = version.wait_for(std::chrono::seconds(20));
        return Status::Ok();
    }));
    EXPECT_EQ(while_open, std::future_status::ready);
    auto v = version.get();
    ASSERT_OK(v);
    EXPECT_EQ(*v, Store::KnownSchemaVersion());
}

// Backend-specific cases live in suites named *SqliteOnly / *PostgresOnly, which tests/CMakeLists.txt
// registers for that backend only (so neither backend reports them skipped).
class SqliteStoreSqliteOnly : public SqliteStoreTest {};
class SqliteStorePostgresOnly : public SqliteStoreTest {};

TEST_F(SqliteStoreSqliteOnly, MissingDatabaseIsNotCreatedWhenItMustExist) {
    RECTIFY_SQLITE_ONLY("a PostgreSQL database is never created by rectify (see EmptyPostgresDatabaseMustBeInitialised)");
    auto s = Store::OpenSqlite(dir_.File("absent.db"), OpenMode::kMustExist);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
    EXPECT_FALSE(std::filesystem::exists(dir_.File("absent.db")));
}

// Migrations 015 and 016 (issue 6, docs/PERFORMANCE.md#province-startup; issue 11, #queues): the task index's
// rebuild reads every open task with its latest progress report and its deadline. SQLite must answer that query
// from the partial index of the open tasks alone
// (a covering scan of task_open, not of the whole task table) and find each task's latest report by one seek
// in progress_report_task_at. The statement is Store::ListTaskActivity's for `all` (supervision_sql.inc,
// TaskActivities with kDeadlineRuns); the plan is SQLite's own, read with EXPLAIN QUERY PLAN.
TEST_F(SqliteStoreSqliteOnly, TheOpenTaskReadScansOnlyThePartialIndexOfOpenTasks) {
    RECTIFY_SQLITE_ONLY("the query plan checked is SQLite's");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.url().c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    const char* sql =
        "EXPLAIN QUERY PLAN SELECT t.id, t.org_id, t.created_at, t.returned_at, (SELECT MAX(r.reported_at) FROM "
        "progress_report r WHERE r.task_id = t.id), t.due_at FROM task t WHERE t.status IN ('pending', 'in_progress', "
        "'returned') ORDER BY t.id";
    ASSERT_EQ(sqlite3_prepare_v2(db, sql, -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    std::vector<std::string> plan;
    while (sqlite3_step(st) == SQLITE_ROW) plan.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 3)));
    sqlite3_finalize(st);
    sqlite3_close(db);
    std::string all;
    for (const auto& line : plan) all += line + "\n";
    EXPECT_NE(all.find("SCAN t USING COVERING INDEX task_open"), std::string::npos) << all;
    EXPECT_NE(all.find("SEARCH r USING COVERING INDEX progress_report_task_at (task_id=?)"), std::string::npos) << all;
    EXPECT_EQ(all.find("TEMP B-TREE"), std::string::npos) << "the index gives the id order: " << all;
}

// Migration 016 (issue 11, docs/PERFORMANCE.md#queues): the two plans of an overdue page that
// QueueFilter::walk_by_deadline asks for (supervision_sql.inc QueueFrom). Walking: the open tasks in deadline
// order from task_open_due, each org probed by its key, no sort. From the orgs: the subtree's orgs by path, then
// only their open tasks from task_open_org. SQLite's own plans, read with EXPLAIN QUERY PLAN.
TEST_F(SqliteStoreSqliteOnly, TheOverduePageWalksTheDeadlineIndexOrStartsFromTheOrgsAsAsked) {
    RECTIFY_SQLITE_ONLY("the query plans checked are SQLite's");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.url().c_str(), &db), SQLITE_OK);
    auto plan = [&](const std::string& from) {
        const std::string sql = "EXPLAIN QUERY PLAN SELECT t.id" + from +
                                "t.status IN ('pending', 'in_progress', 'returned') AND t.due_at IS NOT NULL AND "
                                "t.due_at < 100 AND (o.path >= '/1/' AND o.path < '/10') ORDER BY t.due_at, t.id LIMIT 50";
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        std::string all;
        while (sqlite3_step(st) == SQLITE_ROW) all += std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 3))) + "\n";
        sqlite3_finalize(st);
        return all;
    };
    const std::string walk =
        plan(" FROM task t CROSS JOIN org o ON o.id = t.org_id JOIN problem p ON p.id = t.problem_id WHERE ");
    EXPECT_NE(walk.find("SEARCH t USING INDEX task_open_due (due_at>? AND due_at<?)"), std::string::npos) << walk;
    EXPECT_EQ(walk.find("TEMP B-TREE"), std::string::npos) << "the index gives the deadline order: " << walk;
    const std::string orgs_first =
        plan(" FROM org o CROSS JOIN task t ON t.org_id = o.id JOIN problem p ON p.id = t.problem_id WHERE ");
    EXPECT_NE(orgs_first.find("USING COVERING INDEX org_path (path>? AND path<?)"), std::string::npos) << orgs_first;
    EXPECT_NE(orgs_first.find("SEARCH t USING INDEX task_open_org (org_id=? AND due_at>? AND due_at<?)"), std::string::npos)
        << orgs_first;
    sqlite3_close(db);
}

// Migration 015: Store::ListCascadeFacts' join of the cascades with their child tasks reads the partial index of
// cascade children (task_cascade_child) instead of walking task_parent, whose first column is NULL for every
// task that is not a cascade child (at province scale SQLite scanned all 5,007,146 tasks that way, 11.7 s).
// Both statements of ListCascadeFacts (soci_store.cpp): every cascade, and those of some parent tasks.
TEST_F(SqliteStoreSqliteOnly, TheCascadeChildrenReadSeeksThePartialIndexOfCascadeChildren) {
    RECTIFY_SQLITE_ONLY("the query plan checked is SQLite's");
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.url().c_str(), &db), SQLITE_OK);
    const std::string children =
        "EXPLAIN QUERY PLAN SELECT c.id, t.org_id, COUNT(*) FROM task_cascade c JOIN task t ON t.parent_task_id = "
        "c.parent_task_id AND t.cascade_id = c.id";
    const std::string group = " GROUP BY c.id, t.org_id ORDER BY c.id, t.org_id";
    for (const std::string& sql : {children + group, children + " WHERE c.parent_task_id IN (1, 2)" + group}) {
        sqlite3_stmt* st = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
        std::string all;
        while (sqlite3_step(st) == SQLITE_ROW) all += reinterpret_cast<const char*>(sqlite3_column_text(st, 3)) + std::string("\n");
        sqlite3_finalize(st);
        // The child tasks come from the partial index (a seek, or at worst a walk of the cascade children
        // only), never from task_parent or an automatic index built over the whole task table.
        EXPECT_NE(all.find("USING COVERING INDEX task_cascade_child"), std::string::npos) << sql << "\n" << all;
        EXPECT_EQ(all.find("task_parent "), std::string::npos) << sql << "\n" << all;
        EXPECT_EQ(all.find("AUTOMATIC"), std::string::npos) << sql << "\n" << all;
    }
    sqlite3_close(db);
}

TEST_F(SqliteStorePostgresOnly, EmptyPostgresDatabaseMustBeInitialised) {
    if (!db_.postgres()) GTEST_SKIP() << "PostgreSQL only (SQLite: MissingDatabaseIsNotCreatedWhenItMustExist)";
    testing::TestDatabase empty(dir_);
    ASSERT_EQ(empty.error(), "");
    auto s = Store::Open(empty.url(), OpenMode::kMustExist);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
    EXPECT_NE(s.status().message().find("rectify init"), std::string::npos) << s.status().message();
}

TEST_F(SqliteStoreTest, UnreachablePostgresIsUnavailable) {
    // Port 1 on loopback: nothing listens there.
    auto s = Store::Open("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2", OpenMode::kMustExist, 1);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
    EXPECT_EQ(s.status().message().find("secret"), std::string::npos) << "the password is not shown";
}

TEST_F(SqliteStoreTest, RefusesASchemaNewerThanTheBinary) {
    store_.reset();
    if (db_.postgres()) {
        ASSERT_EQ(testing::PgExec(db_.url(), "INSERT INTO schema_migration (version, applied_at) VALUES (999, 0)"), "");
    } else {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(db_.url().c_str(), &db), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migration (version, applied_at) VALUES (999, 0)", nullptr,
                               nullptr, nullptr),
                  SQLITE_OK);
        sqlite3_close(db);
    }
    auto s = Store::Open(db_.url(), OpenMode::kMustExist);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(s.status().message().find("schema is version 999"), std::string::npos) << s.status().message();
}

TEST_F(SqliteStoreTest, PathsFollowTheTreeAndMovesRewriteTheWholeSubtree) {
    Org root = AddOrg(std::nullopt, "全国", "central");
    Org hebei = AddOrg(root.id, "河北省", "province");
    Org fujian = AddOrg(root.id, "福建省", "province");
    Org city = AddOrg(hebei.id, "石家庄市", "city");
    EXPECT_EQ(root.path, "/1/");
    EXPECT_EQ(city.path, "/1/2/4/");
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.MoveOrg(hebei.id, fujian.id); }));
    auto moved_city = store_->GetOrg(city.id);
    ASSERT_OK(moved_city);
    EXPECT_EQ(moved_city->path, "/1/3/2/4/");
    EXPECT_EQ(store_->GetOrg(hebei.id)->parent_id, fujian.id);
    // Into its own subtree: refused, nothing changed.
    Status s = store_->Write([&](WriteTx& tx) { return tx.MoveOrg(fujian.id, city.id); });
    EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(store_->GetOrg(fujian.id)->path, "/1/3/");
}

TEST_F(SqliteStoreTest, AFailedWriteLeavesNothingBehind) {
    Org root = AddOrg(std::nullopt, "全国", "central");
    Status s = store_->Write([&](WriteTx& tx) -> Status {
        Org o;
        o.parent_id = root.id;
        o.name = "河北省";
        o.level = "province";
        RETURN_IF_ERROR(tx.InsertOrg(o));
        return InvalidArgument("row 2: bad");
    });
    EXPECT_EQ(s.message(), "row 2: bad");
    auto children = store_->ListChildren(root.id);
    ASSERT_OK(children);
    EXPECT_TRUE(children->empty());
}

TEST_F(SqliteStoreTest, UniqueKeysAndUnknownLevelsAreClearErrors) {
    Org root = AddOrg(std::nullopt, "全国", "central");
    Org a;
    a.parent_id = root.id;
    a.name = "河北省";
    a.level = "province";
    a.division_code = "13";
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertOrg(a); }));
    Org b = a;
    b.name = "另一个";
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.InsertOrg(b); }).code(), StatusCode::kAlreadyExists);
    Org c = a;
    c.division_code.reset();
    c.name = "x";
    c.level = "galaxy";
    EXPECT_EQ(store_->Write([&](WriteTx& tx) { return tx.InsertOrg(c); }).message(),
              "level: unknown org level \"galaxy\"");
}

TEST_F(SqliteStoreTest, StaleProblemVersionIsAborted) {
    Org root = AddOrg(std::nullopt, "全国", "central");
    Problem p = AddProblem(root.id, ProblemStatus::kRegistered, 1000);
    Problem first = p, second = p;
    first.title = "first edit";
    second.title = "second edit";
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateProblem(first); }));
    EXPECT_EQ(first.version, 2);
    Status s = store_->Write([&](WriteTx& tx) { return tx.UpdateProblem(second); });
    EXPECT_EQ(s.code(), StatusCode::kAborted);
    EXPECT_EQ(store_->GetProblem(p.id)->title, "first edit");
}

TEST_F(SqliteStoreTest, ListsFilterBySubtreeStatusAndPageNewestFirst) {
    Org root = AddOrg(std::nullopt, "全国", "central");
    Org a = AddOrg(root.id, "A", "province");
    Org b = AddOrg(root.id, "B", "province");
    Org a1 = AddOrg(a.id, "A1", "city");
    std::vector<domain::ProblemId> in_a;
    for (int i = 0; i < 5; ++i) in_a.push_back(AddProblem(i % 2 ? a.id : a1.id, ProblemStatus::kRegistered, 1000 + i).id);
    AddProblem(b.id, ProblemStatus::kRegistered, 2000);
    ProblemFilter f;
    f.subtree_paths = {a.path};
    f.limit = 3;
    auto page1 = store_->ListProblems(f);
    ASSERT_OK(page1);
    ASSERT_EQ(page1->size(), 3u);
    EXPECT_EQ((*page1)[0].id, in_a[4]);
    EXPECT_EQ((*page1)[2].id, in_a[2]);
    f.before_id = page1->back().id;
    auto page2 = store_->ListProblems(f);
    ASSERT_OK(page2);
    ASSERT_EQ(page2->size(), 2u);
    EXPECT_EQ((*page2)[1].id, in_a[0]);
    f.before_id.reset();
    f.subtree_paths = {a1.path};
    f.limit = 50;
    EXPECT_EQ(store_->ListProblems(f)->size(), 3u);  // i = 0, 2, 4
    f.statuses = {ProblemStatus::kClosed};
    EXPECT_TRUE(store_->ListProblems(f)->empty());
}

// ProblemFilter::walk_by_id is a plan hint: paging a subtree newest first gives the same problems in the
// same order either way, with and without a status filter, for a subtree holding most problems, a few, or
// none. Expected lists are worked out here from the problems' owners.
TEST_F(SqliteStoreTest, TheIdWalkPagesTheSameProblemsAsTheSubtreeJoin) {
    Org root = AddOrg(std::nullopt, "全国", "central");
    Org a = AddOrg(root.id, "A", "province");
    Org b = AddOrg(root.id, "B", "province");
    Org a1 = AddOrg(a.id, "A1", "city");
    Org a2 = AddOrg(a.id, "A2", "city");
    const std::vector<Org> owners{root, a, b, a1, a2};
    std::vector<std::pair<domain::ProblemId, Org>> problems;  // in creation (id) order
    for (int i = 0; i < 60; ++i) {
        const Org& owner = owners[(i * 7 + i / 5) % owners.size()];
        problems.emplace_back(AddProblem(owner.id, i % 3 ? ProblemStatus::kRegistered : ProblemStatus::kClosed, 1000 + i).id,
                              owner);
    }
    auto below = [](const Org& o, const Org& top) { return o.path.rfind(top.path, 0) == 0; };
    for (const Org& top : {root, a, a1, b, a2}) {
        for (bool closed_only : {false, true}) {
            std::vector<domain::ProblemId> want;
            for (auto it = problems.rbegin(); it != problems.rend(); ++it) {
                const bool closed = (it->first - problems.front().first) % 3 == 0;
                if (below(it->second, top) && (!closed_only || closed)) want.push_back(it->first);
            }
            for (bool walk : {false, true}) {
                ProblemFilter f;
                f.subtree_paths = {top.path};
                if (closed_only) f.statuses = {ProblemStatus::kClosed};
                f.walk_by_id = walk;
                f.limit = 4;
                std::vector<domain::ProblemId> got;
                for (;;) {
                    auto page = store_->ListProblems(f);
                    ASSERT_OK(page);
                    for (const auto& p : *page) got.push_back(p.id);
                    if (page->size() < 4u) break;
                    f.before_id = page->back().id;
                }
                EXPECT_EQ(got, want) << top.name << (closed_only ? " closed" : "") << (walk ? " walk" : " join");
            }
        }
    }
}

TEST_F(SqliteStoreTest, FiguresCountTheSubtreeOnTimeAndCloseDurations) {
    Org root = AddOrg(std::nullopt, "全国", "central");
    Org a = AddOrg(root.id, "A", "province");
    Org b = AddOrg(root.id, "B", "province");
    const UnixSeconds day = kSecondsPerDay;
    AddProblem(a.id, ProblemStatus::kClosed, 0, 10 * day, 4 * day);    // on time, 4 days
    AddProblem(a.id, ProblemStatus::kClosed, 0, 10 * day, 12 * day);   // late, 12 days
    AddProblem(a.id, ProblemStatus::kClosed, day, std::nullopt, 3 * day);  // no deadline, 2 days
    AddProblem(a.id, ProblemStatus::kRegistered, 0);
    AddProblem(b.id, ProblemStatus::kClosed, 0, day, day);  // other subtree
    auto fig = store_->Figures(a.path, 1);
    ASSERT_OK(fig);
    EXPECT_EQ(fig->problems, 4);
    EXPECT_EQ(fig->by_status["closed"], 3);
    EXPECT_EQ(fig->by_status["registered"], 1);
    EXPECT_EQ(fig->closed_with_due, 2);
    EXPECT_EQ(fig->closed_on_time, 1);
    std::vector<std::int64_t> secs = fig->close_seconds;
    std::sort(secs.begin(), secs.end());
    EXPECT_EQ(secs, (std::vector<std::int64_t>{2 * day, 4 * day, 12 * day}));
    auto all = store_->Figures(root.path, 1);
    ASSERT_OK(all);
    EXPECT_EQ(all->problems, 5);
}

TEST_F(SqliteStoreTest, EventsAreKeptInOrderPerRecord) {
    Org root = AddOrg(std::nullopt, "全国", "central");
    ASSERT_OK(store_->Write([&](WriteTx& tx) -> Status {
        Event e1{0, 10, "alice", "org", root.id, "create", std::nullopt, R"({"name":"全国"})"};
        Event e2{0, 20, "bob", "org", root.id, "move", R"({"a":1})", R"({"a":2})"};
        RETURN_IF_ERROR(tx.AppendEvent(e1));
        return tx.AppendEvent(e2);
    }));
    auto events = store_->ListEvents("org", root.id);
    ASSERT_OK(events);
    ASSERT_EQ(events->size(), 2u);
    EXPECT_EQ((*events)[0].actor, "alice");
    EXPECT_EQ((*events)[1].action, "move");
    EXPECT_EQ((*events)[1].before_json, R"({"a":1})");
}

}  // namespace
}  // namespace rectify::store
