// rectify_bench_load's PostgreSQL target (bench/pg_baseline.hpp, LoadPostgresStore): the generated county loaded
// through the store's migrations and COPY FROM STDIN must hold exactly what LoadSqlite writes into a SQLite
// file, and the server's next insert must get a fresh id. Runs on $RECTIFY_TEST_PG only (POSTGRES_ONLY).
#include <libpq-fe.h>
#include <sqlite3.h>

#include <map>
#include <string>
#include <vector>

#include "bench/generate.hpp"
#include "bench/pg_baseline.hpp"
#include "bench/sqlite_baseline.hpp"
#include "store/store.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::bench {
namespace {

// Every row of `sql` as "v1|v2|...", rows joined by ";" (NULL as "").
std::string SqliteRows(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return "open failed";
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        out = std::string("prepare failed: ") + sqlite3_errmsg(db);
    } else {
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (!out.empty()) out += ";";
            for (int c = 0; c < sqlite3_column_count(st); ++c) {
                if (c) out += "|";
                const unsigned char* v = sqlite3_column_text(st, c);
                if (v) out += reinterpret_cast<const char*>(v);
            }
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

std::string PgRows(const std::string& url, const std::string& sql) {
    PGconn* c = PQconnectdb(testing::LibpqUrl(url).c_str());
    std::string out;
    if (PQstatus(c) != CONNECTION_OK) {
        out = std::string("connect failed: ") + PQerrorMessage(c);
    } else {
        PGresult* r = PQexec(c, sql.c_str());
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            out = std::string("query failed: ") + PQerrorMessage(c);
        } else {
            for (int i = 0; i < PQntuples(r); ++i) {
                if (i) out += ";";
                for (int j = 0; j < PQnfields(r); ++j) {
                    if (j) out += "|";
                    out += PQgetvalue(r, i, j);
                }
            }
        }
        PQclear(r);
    }
    PQfinish(c);
    return out;
}

TEST(BenchLoad, PostgresCopyHoldsWhatTheSqliteLoadHolds) {
    RECTIFY_SKIP_WITHOUT_BACKEND();
    testing::TempDir dir;
    testing::TestDatabase pg(dir);
    ASSERT_EQ(pg.error(), "");
    ASSERT_TRUE(pg.postgres());

    GeneratorOptions options;
    options.scale = Scale::kCounty;
    options.seed = 1;
    const GeneratedData data = Generate(options);
    // docs/PERFORMANCE.md: a county is 1 county > 14 townships > 123 villages > 1,070 branches, 10 problems per org.
    ASSERT_EQ(data.orgs.size(), 1208u);
    ASSERT_EQ(data.problems.size(), 12080u);
    std::size_t closed = 0, with_due = 0;
    for (const auto& p : data.problems) {
        closed += p.status == domain::ProblemStatus::kClosed && p.closed_at ? 1 : 0;
        with_due += p.due_at ? 1 : 0;
    }

    const std::string file = dir.File("county.db");
    ASSERT_OK(LoadSqlite(data, file));
    auto report = LoadPostgresStore(data, pg.url());
    ASSERT_OK(report);
    EXPECT_GT(report->database_bytes, 0);
    // The test cluster's user is a superuser: the foreign keys are checked by anti-joins (org.parent_id,
    // org.level, problem.owner_org_id and problem.category_id at least).
    EXPECT_FALSE(report->foreign_keys_per_row);
    EXPECT_GE(report->foreign_keys_checked, 4);

    // The counts against the generated vectors (independent of either database).
    const std::string counts =
        "SELECT (SELECT COUNT(*) FROM org), (SELECT COUNT(*) FROM problem), (SELECT COUNT(*) FROM category), "
        "(SELECT COUNT(closed_at) FROM problem), (SELECT COUNT(due_at) FROM problem)";
    const std::string want = "1208|12080|" + std::to_string(data.categories.size()) + "|" + std::to_string(closed) +
                             "|" + std::to_string(with_due);
    EXPECT_EQ(SqliteRows(file, counts), want);
    EXPECT_EQ(PgRows(pg.url(), counts), want);

    // Column by column, the same values on both backends (sums and per-value counts).
    for (const std::string& sql : {
             std::string("SELECT SUM(id), SUM(COALESCE(parent_id, 0)), SUM(LENGTH(path)), SUM(LENGTH(name)), "
                         "SUM(created_at), COUNT(DISTINCT level), COUNT(DISTINCT kind) FROM org"),
             std::string("SELECT level, kind, COUNT(*) FROM org GROUP BY level, kind ORDER BY level, kind"),
             std::string("SELECT SUM(id), SUM(owner_org_id), SUM(created_at), SUM(COALESCE(due_at, 0)), "
                         "SUM(COALESCE(closed_at, 0)), SUM(COALESCE(category_id, 0)), SUM(updated_at) FROM problem"),
             std::string("SELECT status, source, severity, COUNT(*) FROM problem GROUP BY status, source, severity "
                         "ORDER BY status, source, severity"),
             std::string("SELECT id, name, path FROM category ORDER BY id"),
             std::string("SELECT key, rank FROM org_level ORDER BY rank"),
         }) {
        const std::string lite = SqliteRows(file, sql);
        EXPECT_FALSE(lite.empty()) << sql;
        EXPECT_EQ(PgRows(pg.url(), sql), lite) << sql;
    }

    // The province key (migration 014) of every org and problem, worked out here from the parent links (not the
    // paths the loaders read it from): the top-level org under the root an org lies in; the root's own id.
    std::map<domain::OrgId, domain::OrgId> province;
    for (const domain::Org& o : data.orgs) {  // parents come first (generated level by level)
        province[o.id] = !o.parent_id || *o.parent_id == data.orgs[0].id ? o.id : province.at(*o.parent_id);
    }
    std::map<domain::OrgId, std::int64_t> orgs_per_province, problems_per_province;
    for (const auto& [org, key] : province) ++orgs_per_province[key];
    for (const auto& p : data.problems) ++problems_per_province[province.at(p.owner_org_id)];
    auto rows_of = [](const std::map<domain::OrgId, std::int64_t>& m) {
        std::string out;
        for (const auto& [key, n] : m) out += (out.empty() ? "" : ";") + std::to_string(key) + "|" + std::to_string(n);
        return out;
    };
    const std::string orgs_by_key = "SELECT province_id, COUNT(*) FROM org GROUP BY province_id ORDER BY province_id";
    const std::string problems_by_key =
        "SELECT province_id, COUNT(*) FROM problem GROUP BY province_id ORDER BY province_id";
    EXPECT_EQ(SqliteRows(file, orgs_by_key), rows_of(orgs_per_province));
    EXPECT_EQ(PgRows(pg.url(), orgs_by_key), rows_of(orgs_per_province));
    EXPECT_EQ(SqliteRows(file, problems_by_key), rows_of(problems_per_province));
    EXPECT_EQ(PgRows(pg.url(), problems_by_key), rows_of(problems_per_province));

    // The store opens the loaded database as the server does, and its next org gets the id after the loaded ones.
    auto store = store::Store::OpenPostgres(pg.url(), store::OpenMode::kMustExist, 1);
    ASSERT_OK(store);
    domain::Org extra;
    extra.parent_id = 1;
    extra.name = "after the load";
    extra.level = data.levels[1];
    extra.created_at = data.now;
    ASSERT_OK((*store)->Write([&](store::WriteTx& tx) { return tx.InsertOrg(extra); }));
    EXPECT_EQ(extra.id, 1209);

    // A second load into the same database is refused before anything is written.
    auto again = LoadPostgresStore(data, pg.url());
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(PgRows(pg.url(), "SELECT COUNT(*) FROM problem"), "12080");
}

// A problem whose owner org does not exist: the load fails naming the foreign key, and nothing of the COPY is
// stored (one transaction), whichever way the foreign keys were checked.
TEST(BenchLoad, PostgresLoadWithAnUnknownOwnerStoresNoRow) {
    RECTIFY_SKIP_WITHOUT_BACKEND();
    testing::TempDir dir;
    testing::TestDatabase pg(dir);
    ASSERT_EQ(pg.error(), "");
    GeneratorOptions options;
    GeneratedData data = Generate(options);
    data.problems[100].owner_org_id = 999999;  // the county has 1,208 orgs
    auto report = LoadPostgresStore(data, pg.url());
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.status().code(), StatusCode::kInternal);
    EXPECT_NE(report.status().message().find("owner_org_id"), std::string::npos) << report.status().message();
    EXPECT_EQ(PgRows(pg.url(), "SELECT (SELECT COUNT(*) FROM org) || '|' || (SELECT COUNT(*) FROM problem)"), "0|0");
}

}  // namespace
}  // namespace rectify::bench
