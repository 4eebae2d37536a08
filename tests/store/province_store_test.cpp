// The province key of migration 014 (issue 10, docs/SCALING.md "Partitioning") on both backends: every
// insert stores the top-level org of its row's org, an owner change or transfer takes the new org's key, an
// org move across top-level orgs re-keys the moved subtree's orgs, problems, tasks and opinions, and the
// migration backfills rows stored before it. On PostgreSQL the *PostgresOnly suite checks the opt-in
// partitioned layout in the catalog (pg_partitioned_table, pg_inherits, the primary key) and that a
// problem's rows sit in the partition of its province before and after such a move.
#include <libpq-fe.h>
#include <sqlite3.h>

#include <optional>
#include <string>

#include "store/store.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::store {
namespace {

using domain::Opinion;
using domain::Org;
using domain::OrgId;
using domain::Problem;
using domain::Task;

// The first column of the first row of `sql` as text ("" for NULL or no row; "error: ..." on failure),
// read with the database's own client library, beside the store.
std::string QueryOne(const std::string& url, const std::string& sql) {
    std::string out;
    if (Store::IsPostgresUrl(url)) {
        PGconn* c = PQconnectdb(testing::LibpqUrl(url).c_str());
        PGresult* r = PQexec(c, sql.c_str());
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            out = "error: " + std::string(PQerrorMessage(c));
        } else if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
            out = PQgetvalue(r, 0, 0);
        }
        PQclear(r);
        PQfinish(c);
        return out;
    }
    sqlite3* db = nullptr;
    sqlite3_open(url.c_str(), &db);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        out = "error: " + std::string(sqlite3_errmsg(db));
    } else if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

class ProvinceFixture : public ::testing::Test {
protected:
    // Opens the store at `url` and builds 全国 > {河北省 > 石家庄市 > 长安区, 福建省}, a problem, a task and an
    // opinion at 长安区 and a problem owned by 河北省 itself.
    void Build(const std::string& url) {
        url_ = url;
        auto s = Store::Open(url, OpenMode::kCreateIfMissing);
        ASSERT_OK(s);
        store_ = std::move(s).value();
        ASSERT_OK(store_->Write([](WriteTx& tx) {
            RETURN_IF_ERROR(tx.UpsertLevel({"central", "中央", "Central", 0}));
            RETURN_IF_ERROR(tx.UpsertLevel({"province", "省级", "Province", 1}));
            RETURN_IF_ERROR(tx.UpsertLevel({"city", "市级", "City", 2}));
            return tx.UpsertLevel({"county", "县级", "County", 3});
        }));
        root_ = AddOrg(std::nullopt, "全国", "central");
        hebei_ = AddOrg(root_.id, "河北省", "province");
        fujian_ = AddOrg(root_.id, "福建省", "province");
        city_ = AddOrg(hebei_.id, "石家庄市", "city");
        county_ = AddOrg(city_.id, "长安区", "county");
        problem_ = AddProblem(county_.id, "ref-county");
        province_problem_ = AddProblem(hebei_.id, "ref-province");
        task_.problem_id = problem_.id;
        task_.org_id = county_.id;
        task_.created_by_org_id = city_.id;
        task_.title = "清淤";
        task_.description = "河道清淤 2 公里";
        task_.responsible_person = "张三";
        task_.created_at = 1500;
        task_.updated_at = 1500;
        ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertTask(task_); }));
        opinion_.title = "河道发臭";
        opinion_.text = "长安区河道发臭";
        opinion_.org_id = county_.id;
        opinion_.received_at = 1200;
        opinion_.reply_due_at = 1200 + 86400;
        ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertOpinion(opinion_); }));
    }

    Org AddOrg(std::optional<OrgId> parent, const std::string& name, const std::string& level) {
        Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        o.created_at = 100;
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertOrg(o); }));
        return o;
    }

    Problem AddProblem(OrgId owner, const std::string& ref) {
        Problem p;
        p.title = "梅峰河黑臭";
        p.owner_org_id = owner;
        p.source_ref = ref;
        p.created_at = 1000;
        p.updated_at = 1000;
        EXPECT_OK(store_->Write([&](WriteTx& tx) { return tx.InsertProblem(p); }));
        return p;
    }

    // The stored province_id of row `id` of `table` ("" when NULL).
    std::string Key(const std::string& table, std::int64_t id) {
        return QueryOne(url_, "SELECT province_id FROM " + table + " WHERE id = " + std::to_string(id));
    }

    static std::string S(std::int64_t v) { return std::to_string(v); }

    std::string url_;
    std::unique_ptr<Store> store_;
    Org root_, hebei_, fujian_, city_, county_;
    Problem problem_, province_problem_;
    Task task_;
    Opinion opinion_;
};

class ProvinceKeyTest : public ProvinceFixture {
protected:
    void SetUp() override {
        RECTIFY_SKIP_WITHOUT_BACKEND();
        ASSERT_EQ(db_.error(), "");
        Build(db_.url());
    }
    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
};

TEST_F(ProvinceKeyTest, InsertsStoreTheTopLevelOrgOfTheirOrg) {
    // The layout this pass runs on: scripts/test's partitioned pass (RECTIFY_TEST_PG_LAYOUT=partitioned) really
    // is partitioned, the other PostgreSQL pass is not.
    if (db_.postgres()) {
        EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM pg_partitioned_table"),
                  testing::LayoutParameter().empty() ? "0" : "3");
    }
    EXPECT_EQ(Key("org", root_.id), S(root_.id));  // the root: its own id
    EXPECT_EQ(Key("org", hebei_.id), S(hebei_.id));
    EXPECT_EQ(Key("org", fujian_.id), S(fujian_.id));
    EXPECT_EQ(Key("org", city_.id), S(hebei_.id));
    EXPECT_EQ(Key("org", county_.id), S(hebei_.id));
    EXPECT_EQ(Key("problem", problem_.id), S(hebei_.id));
    EXPECT_EQ(Key("problem", province_problem_.id), S(hebei_.id));
    EXPECT_EQ(Key("task", task_.id), S(hebei_.id));
    EXPECT_EQ(Key("opinion", opinion_.id), S(hebei_.id));
    // The bulk paths (imports) too.
    std::vector<Problem> problems(3, problem_);
    for (std::size_t i = 0; i < problems.size(); ++i) {
        problems[i].owner_org_id = i == 0 ? fujian_.id : county_.id;
        problems[i].source_ref = "bulk-" + std::to_string(i);
    }
    std::vector<Opinion> opinions(2, opinion_);
    opinions[1].org_id = fujian_.id;
    ASSERT_OK(store_->Write([&](WriteTx& tx) {
        RETURN_IF_ERROR(tx.InsertProblems(problems));
        return tx.InsertOpinions(opinions);
    }));
    EXPECT_EQ(Key("problem", problems[0].id), S(fujian_.id));
    EXPECT_EQ(Key("problem", problems[2].id), S(hebei_.id));
    EXPECT_EQ(Key("opinion", opinions[0].id), S(hebei_.id));
    EXPECT_EQ(Key("opinion", opinions[1].id), S(fujian_.id));
}

TEST_F(ProvinceKeyTest, AnOwnerChangeOrTransferTakesTheNewOrgsKey) {
    auto p = store_->GetProblem(problem_.id);
    ASSERT_OK(p);
    p->owner_org_id = fujian_.id;
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateProblem(*p); }));
    auto t = store_->GetTask(task_.id);
    ASSERT_OK(t);
    t->org_id = fujian_.id;
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateTask(*t); }));
    auto o = store_->GetOpinion(opinion_.id);
    ASSERT_OK(o);
    o->org_id = fujian_.id;
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.UpdateOpinion(*o); }));
    EXPECT_EQ(Key("problem", problem_.id), S(fujian_.id));
    EXPECT_EQ(Key("task", task_.id), S(fujian_.id));
    EXPECT_EQ(Key("opinion", opinion_.id), S(fujian_.id));
    EXPECT_EQ(Key("problem", province_problem_.id), S(hebei_.id));  // untouched
}

TEST_F(ProvinceKeyTest, AMoveAcrossTopLevelOrgsReKeysTheMovedSubtreeOnly) {
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.MoveOrg(city_.id, fujian_.id); }));
    for (OrgId id : {city_.id, county_.id}) EXPECT_EQ(Key("org", id), S(fujian_.id)) << id;
    EXPECT_EQ(Key("problem", problem_.id), S(fujian_.id));
    EXPECT_EQ(Key("task", task_.id), S(fujian_.id));
    EXPECT_EQ(Key("opinion", opinion_.id), S(fujian_.id));
    EXPECT_EQ(Key("org", hebei_.id), S(hebei_.id));
    EXPECT_EQ(Key("problem", province_problem_.id), S(hebei_.id));
    // Straight under the root the city becomes a top-level org: its own id is its subtree's key.
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.MoveOrg(city_.id, root_.id); }));
    for (OrgId id : {city_.id, county_.id}) EXPECT_EQ(Key("org", id), S(city_.id)) << id;
    EXPECT_EQ(Key("problem", problem_.id), S(city_.id));
    EXPECT_EQ(Key("task", task_.id), S(city_.id));
    EXPECT_EQ(Key("opinion", opinion_.id), S(city_.id));
    // And a top-level org moved below another takes that one's key.
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.MoveOrg(city_.id, hebei_.id); }));
    for (OrgId id : {city_.id, county_.id}) EXPECT_EQ(Key("org", id), S(hebei_.id)) << id;
    EXPECT_EQ(Key("problem", problem_.id), S(hebei_.id));
}

// Migration 014's backfill, on the plain layout of either backend (a partitioned table cannot lose its
// partition key): the keys are erased and version 14 forgotten, and opening the store again recomputes them.
class ProvinceBackfillTest : public ProvinceFixture {
protected:
    void SetUp() override {
        RECTIFY_SKIP_WITHOUT_BACKEND();
        ASSERT_EQ(db_.error(), "");
        Build(testing::LibpqUrl(db_.url()));
    }
    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
};

TEST_F(ProvinceBackfillTest, MigrationFourteenFillsTheKeysOfExistingRows) {
    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.MoveOrg(city_.id, fujian_.id); }));
    store_.reset();
    // Back to schema 13: migration 015's and 016's indexes undone as well, so that 014 to 016 run again.
    const std::string drop =
        "DROP INDEX task_open; DROP INDEX task_open_due; DROP INDEX task_open_org; DROP INDEX task_cascade_child; DROP INDEX progress_report_task_at; "
        "CREATE INDEX progress_report_task ON progress_report(task_id); "
        "ALTER TABLE org DROP COLUMN province_id; ALTER TABLE problem DROP COLUMN province_id; "
        "ALTER TABLE task DROP COLUMN province_id; ALTER TABLE opinion DROP COLUMN province_id; "
        "DELETE FROM schema_migration WHERE version >= 14";
    if (db_.postgres()) {
        ASSERT_EQ(testing::PgExec(url_, drop), "");
    } else {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(url_.c_str(), &db), SQLITE_OK);
        char* err = nullptr;
        ASSERT_EQ(sqlite3_exec(db, drop.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
        sqlite3_close(db);
    }
    ASSERT_EQ(Key("org", root_.id).rfind("error", 0), 0u);  // the column is gone
    auto s = Store::Open(url_, OpenMode::kMustExist);
    ASSERT_OK(s);
    EXPECT_EQ(Key("org", root_.id), S(root_.id));
    EXPECT_EQ(Key("org", hebei_.id), S(hebei_.id));
    EXPECT_EQ(Key("org", county_.id), S(fujian_.id));
    EXPECT_EQ(Key("problem", problem_.id), S(fujian_.id));
    EXPECT_EQ(Key("problem", province_problem_.id), S(hebei_.id));
    EXPECT_EQ(Key("task", task_.id), S(fujian_.id));
    EXPECT_EQ(Key("opinion", opinion_.id), S(fujian_.id));
}

// The partitioned layout (rectify_layout=partitioned), whatever RECTIFY_TEST_PG_LAYOUT says.
class ProvincePartitionPostgresOnly : public ProvinceFixture {
protected:
    void SetUp() override {
        RECTIFY_SKIP_WITHOUT_BACKEND();
        ASSERT_TRUE(db_.postgres());
        ASSERT_EQ(db_.error(), "");
        Build(testing::LibpqUrl(db_.url()) + "?rectify_layout=partitioned");
    }

    // The partition of `table` that holds row `id` ("" when no row).
    std::string PartitionOf(const std::string& table, std::int64_t id) {
        return QueryOne(url_, "SELECT tableoid::regclass::text FROM " + table + " WHERE id = " + S(id));
    }
    // The partition of `table` whose hash bound admits `province`, by PostgreSQL's own hash function
    // (satisfies_hash_partition), independent of the store.
    std::string PartitionFor(const std::string& table, std::int64_t province) {
        return QueryOne(url_,
                        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        "WHERE i.inhparent = '" + table + "'::regclass AND satisfies_hash_partition('" + table +
                            "'::regclass, 8, CAST(substring(pg_get_expr(c.relpartbound, c.oid) FROM "
                            "'remainder ([0-9]+)') AS int), " + S(province) + "::bigint)");
    }

    testing::TempDir dir_;
    testing::TestDatabase db_{dir_};
};

TEST_F(ProvincePartitionPostgresOnly, TheBigTablesArePartitionedByHashOfTheProvince) {
    for (const char* table : {"problem", "task", "opinion"}) {
        const std::string t(table);
        EXPECT_EQ(QueryOne(url_, "SELECT pg_get_partkeydef('" + t + "'::regclass)"), "HASH (province_id)") << t;
        EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = '" + t + "'::regclass"), "8") << t;
        EXPECT_EQ(QueryOne(url_, "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '" + t +
                                     "'::regclass AND contype = 'p'"),
                  "PRIMARY KEY (id, province_id)")
            << t;
    }
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM pg_partitioned_table"), "3");
    // No declared foreign key references them any more; the 24 the schema files declare (REFERENCES
    // problem(id) / task(id) / opinion(id) in 001-013, counted by hand) are one rectify_fk_check trigger each.
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM pg_constraint WHERE contype = 'f' AND confrelid IN "
                             "('problem'::regclass, 'task'::regclass, 'opinion'::regclass)"),
              "0");
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM pg_trigger WHERE tgparentid = 0 AND tgfoid = "
                             "'rectify_fk_check'::regproc"),
              "24");
    // org is not partitioned (docs/SCALING.md says why).
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM pg_partitioned_table WHERE partrelid = 'org'::regclass"), "0");
    // Opening again (a restart, or a plain URL) keeps the layout and converts nothing twice.
    store_.reset();
    ASSERT_OK(Store::Open(url_, OpenMode::kMustExist));
    ASSERT_OK(Store::Open(testing::LibpqUrl(url_), OpenMode::kMustExist));
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM pg_inherits WHERE inhparent = 'problem'::regclass"), "8");
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM problem"), "2");
}

TEST_F(ProvincePartitionPostgresOnly, AnUnknownLayoutIsRefusedAndNamed) {
    auto s = Store::Open(testing::LibpqUrl(url_) + "?connect_timeout=5&rectify_layout=sharded", OpenMode::kMustExist);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(s.status().message().find("rectify_layout"), std::string::npos) << s.status().message();
    EXPECT_NE(s.status().message().find("sharded"), std::string::npos) << s.status().message();
    // Beside another libpq parameter, the layout parameter is taken out and the other kept.
    ASSERT_OK(Store::Open(testing::LibpqUrl(url_) + "?connect_timeout=5&rectify_layout=partitioned", OpenMode::kMustExist));
}

TEST_F(ProvincePartitionPostgresOnly, AProblemsRowsFollowItsProvinceIntoItsPartitionAfterAMove) {
    // Another top-level org whose partition differs from 河北省's (ids are assigned in order; add
    // provinces until PostgreSQL's hash puts one elsewhere).
    const std::string hebei_part = PartitionFor("problem", hebei_.id);
    ASSERT_EQ(hebei_part.rfind("problem_p", 0), 0u) << hebei_part;
    Org other = fujian_;
    for (int i = 0; PartitionFor("problem", other.id) == hebei_part; ++i) {
        ASSERT_LT(i, 20);
        other = AddOrg(root_.id, "省" + std::to_string(i), "province");
    }
    EXPECT_EQ(PartitionOf("problem", problem_.id), hebei_part);
    EXPECT_EQ(PartitionOf("task", task_.id), PartitionFor("task", hebei_.id));
    EXPECT_EQ(PartitionOf("opinion", opinion_.id), PartitionFor("opinion", hebei_.id));

    ASSERT_OK(store_->Write([&](WriteTx& tx) { return tx.MoveOrg(city_.id, other.id); }));
    const std::string other_part = PartitionFor("problem", other.id);
    EXPECT_NE(other_part, hebei_part);
    EXPECT_EQ(PartitionOf("problem", problem_.id), other_part);
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM ONLY " + hebei_part + " WHERE id = " + S(problem_.id)), "0");
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM problem WHERE id = " + S(problem_.id)), "1");
    EXPECT_EQ(PartitionOf("task", task_.id), PartitionFor("task", other.id));
    EXPECT_EQ(PartitionOf("opinion", opinion_.id), PartitionFor("opinion", other.id));
    EXPECT_EQ(PartitionOf("problem", province_problem_.id), hebei_part);  // 河北省's own problem stays
    // The store reads the moved rows as before.
    auto p = store_->GetProblem(problem_.id);
    ASSERT_OK(p);
    EXPECT_EQ(p->owner_org_id, county_.id);
    auto tasks = store_->GetTask(task_.id);
    ASSERT_OK(tasks);
    EXPECT_EQ(tasks->problem_id, problem_.id);
}

TEST_F(ProvincePartitionPostgresOnly, TriggersStillRefuseDanglingKeysAndDuplicateSourceRefs) {
    // A task of a problem that does not exist (the foreign key task.problem_id became a trigger).
    Task orphan = task_;
    orphan.problem_id = problem_.id + 1000;
    Status st = store_->Write([&](WriteTx& tx) { return tx.InsertTask(orphan); });
    EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition) << st.message();
    EXPECT_NE(st.message().find("foreign key"), std::string::npos) << st.message();
    EXPECT_NE(st.message().find("on table \"task\""), std::string::npos) << st.message();  // not a partition's name
    // The same source_ref in another province (another partition key): still one per database.
    Problem twin;
    twin.title = "重复";
    twin.owner_org_id = fujian_.id;
    twin.source_ref = "ref-county";
    twin.created_at = 1000;
    twin.updated_at = 1000;
    st = store_->Write([&](WriteTx& tx) { return tx.InsertProblem(twin); });
    EXPECT_EQ(st.code(), StatusCode::kAlreadyExists) << st.message();
    // Deleting a problem that tasks refer to (only SQL outside the store deletes problems).
    const std::string del = testing::PgExec(url_, "DELETE FROM problem WHERE id = " + S(problem_.id));
    EXPECT_NE(del.find("still referenced from table"), std::string::npos) << del;
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM problem WHERE id = " + S(problem_.id)), "1");
    // Nothing was half written.
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM task"), "1");
    EXPECT_EQ(QueryOne(url_, "SELECT COUNT(*) FROM problem"), "2");
}

}  // namespace
}  // namespace rectify::store
