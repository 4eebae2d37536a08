// PostgreSQL as a contender of the roll-up index (issue 11, item 1): loads generated data into a PostgreSQL 15
// database with rectify's own schema (created by store::Store::OpenPostgres) plus the indexes a competent
// engineer would add for this question, and answers index::RollupIndex::Query's question with one SQL
// statement per call, the subtree found in one of three ways (PgPlan). Used by bench/ only; linked to libpq.
// One PgFigures per thread (one connection).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "bench/generate.hpp"
#include "common/status.hpp"
#include "index/rollup_index.hpp"

typedef struct pg_conn PGconn;

namespace rectify::bench {

// How the subtree's orgs are found; the aggregation over their problems is the same statement.
enum class PgPlan {
    kCte,    // WITH RECURSIVE over org.parent_id (index org(parent_id, id))
    kPath,   // the store's materialised path as a btree range: o.path >= '/1/5/' AND o.path < '/1/50'
    kLtree,  // an ltree copy of the path with a GiST index: o.lpath <@ '1.5'
};
const char* PgPlanName(PgPlan plan);  // "CTE", "path", "ltree"

struct PgLoadReport {
    bool reused = false;      // the database already held this data set (scale, seed, counts) and was kept
    double load_seconds = 0;  // schema + COPY of categories, orgs and problems
    double index_seconds = 0; // the extra indexes, the ltree column, VACUUM ANALYZE
    std::int64_t database_bytes = 0;  // pg_database_size after loading
    std::string database;     // the database name used
    std::string all_visible;  // "org V/P, problem V/P": pages all-visible / pages after VACUUM (index-only scans)
};

// Makes sure database `database` on the server of `admin_conninfo` (a libpq URL or key=value string naming
// any database the user may connect to, e.g. postgresql://postgres@127.0.0.1:55700/postgres; the user must be
// allowed to CREATE DATABASE and CREATE EXTENSION ltree) holds `data`: when it already holds a data set with
// the same `tag` and the same org and problem counts it is kept, otherwise it is dropped and re-created, the
// store's migrations are applied, categories, orgs and problems are loaded with COPY FROM STDIN (foreign
// key triggers off for the load: session_replication_role = replica), then the extra indexes
// (org(path, id), org(parent_id, id), a GiST index on org.lpath ltree, and problem(owner_org_id) INCLUDE the
// columns the figures read) are built and VACUUM ANALYZE runs. A kept database written by an older generator
// with the same counts is not detected here; the callers' cross-check against the index catches it. Errors:
// kUnavailable (cannot connect), kInternal (any statement failed; the message holds PostgreSQL's), and
// store::Store::OpenPostgres's errors while the schema is created.
Result<PgLoadReport> LoadPostgres(const GeneratedData& data, const std::string& admin_conninfo,
                                  const std::string& database, const std::string& tag);

struct PgStoreLoadReport {
    double schema_seconds = 0;   // Store::OpenPostgres (the migrations) and the org levels
    double copy_seconds = 0;     // COPY of categories, orgs and problems and the identity reset, one transaction
    double analyze_seconds = 0;  // VACUUM (ANALYZE) of the three tables
    std::int64_t database_bytes = 0;  // pg_database_size after the load
    bool foreign_keys_per_row = false;  // the user may not turn triggers off: foreign keys fired per row
    int foreign_keys_checked = 0;       // otherwise: single-column foreign keys checked by one anti-join each
};

// Loads `data` into the existing database of `conninfo` (a libpq URL or key=value string) for the real server
// to run on: the store's migrations through store::Store::OpenPostgres (as `rectify init` does), the org
// levels, then categories, orgs and problems with COPY FROM STDIN in text format (PQputCopyData, 1 MiB
// chunks) in one transaction, the same rows and values LoadSqlite writes (so both backends hold the same data
// set). Foreign keys are checked either per row (their triggers) or, when the user may set
// session_replication_role (a superuser), by one anti-join per foreign key of the three tables after the COPY,
// in the same transaction (much faster); then each table's identity is moved past its largest id and VACUUM (ANALYZE)
// runs. Nothing else (no bench indexes, no ltree column: compare LoadPostgres). Errors:
// kFailedPrecondition (org, category or problem already hold rows), kUnavailable (cannot connect), kInternal
// (a statement failed; PostgreSQL's message; the COPY transaction is then not committed), and
// store::Store::OpenPostgres's errors.
Result<PgStoreLoadReport> LoadPostgresStore(const GeneratedData& data, const std::string& conninfo);

// `conninfo` with its database replaced by `database` (as a key=value string). Errors: kInvalidArgument
// when libpq cannot parse `conninfo`.
Result<std::string> WithDatabase(const std::string& conninfo, const std::string& database);

// The same figures as index::RollupIndex::Query (and SqliteFigures::Query), computed by PostgreSQL in one
// statement per call: the subtree's problems are aggregated once with GROUPING SETS (status x category x
// source with overdue / due-soon sums; days to close with on-time sums; week created; week closed). Medians
// and percentiles are read off the days histogram in C++. Weeks use the display zone's fixed UTC offset
// `zone_offset_seconds`. Session settings: work_mem = 1GB (at 256MB the planner, over-estimating the number
// of groups, sorted the province's 2.2M rows on disk instead of hashing them: 3.7 s instead of 2.4 s),
// plan_cache_mode = force_custom_plan (the subtrees differ in size by 10^5: a generic plan would fit none),
// jit = off (see docs/PERFORMANCE.md).
class PgFigures {
public:
    static Result<std::unique_ptr<PgFigures>> Open(const std::string& conninfo, std::int64_t zone_offset_seconds);
    ~PgFigures();

    // `root` and its materialised path `subtree_path` ("/1/5/") name the subtree; query.root is ignored.
    // Errors: kInternal (the statement failed).
    Result<index::Figures> Query(PgPlan plan, domain::OrgId root, const std::string& subtree_path,
                                 const index::FiguresQuery& query);

    // EXPLAIN (ANALYZE, BUFFERS) of the statement Query runs, for the docs.
    Result<std::string> Explain(PgPlan plan, domain::OrgId root, const std::string& subtree_path,
                                const index::FiguresQuery& query);

private:
    PgFigures() = default;
    std::string Sql(PgPlan plan, const index::FiguresQuery& q) const;
    Result<std::string> Prepared(PgPlan plan, const index::FiguresQuery& q);

    PGconn* conn_ = nullptr;
    std::int64_t zone_offset_ = 0;
    std::map<std::string, std::string> statements_;  // SQL -> prepared statement name
};

}  // namespace rectify::bench
