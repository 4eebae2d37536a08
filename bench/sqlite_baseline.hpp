// The SQL side of the benchmarks: loads generated data into a SQLite file with rectify's own schema (created
// by store::Store::OpenSqlite, so the indexes are the store's), and answers the roll-up index's question with
// SQL over the materialised-path range the store uses today (o.path >= '/1/5/' AND o.path < '/1/50').
// Used by bench/ only. One SqliteFigures per thread.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "bench/generate.hpp"
#include "common/status.hpp"
#include "index/rollup_index.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace rectify::bench {

// Creates `path` (which must not exist) with the store's schema and loads the orgs, the top-level categories
// and the problems in one transaction, then runs ANALYZE. Errors: kUnavailable / kInternal from SQLite.
Status LoadSqlite(const GeneratedData& data, const std::string& path);

// The same figures as index::RollupIndex::Query, computed by SQLite with five aggregate queries over the
// subtree's path range (counts, deadlines, days-to-close histogram, weekly created, weekly closed); medians
// and percentiles are read off the histogram in C++. Weeks are grouped with the display zone's fixed UTC
// offset `zone_offset_seconds` (right for Asia/Shanghai, which has no daylight saving). The connection is
// read-only, memory-maps the file and has a 1 GiB page cache.
class SqliteFigures {
public:
    static Result<std::unique_ptr<SqliteFigures>> Open(const std::string& path, std::int64_t zone_offset_seconds);
    ~SqliteFigures();

    // `subtree_path` is the root's materialised path ("/1/5/").
    Result<index::Figures> Query(const std::string& subtree_path, const index::FiguresQuery& query);

private:
    SqliteFigures() = default;
    Result<sqlite3_stmt*> Prepare(const std::string& sql);

    sqlite3* db_ = nullptr;
    std::int64_t zone_offset_ = 0;
    std::map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace rectify::bench
