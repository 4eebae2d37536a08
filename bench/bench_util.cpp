#include "bench/bench_util.hpp"

#include <sqlite3.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <vector>

#include "common/csv.hpp"

namespace rectify::bench {

void Fail(const std::string& what) {
    std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what.c_str());
    std::exit(1);
}

std::int64_t ProcStatusBytes(const char* key) {
    std::ifstream status("/proc/self/status");
    std::string k;
    std::int64_t kb = 0;
    while (status >> k) {
        if (k == key) {
            status >> kb;
            return kb * 1024;
        }
    }
    return 0;
}

void ResetPeak() { std::ofstream("/proc/self/clear_refs") << "5"; }

std::int64_t RawLedgerScan(const std::string& db_path, const std::string& subtree_path) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    const std::string hi = subtree_path.substr(0, subtree_path.size() - 1) + "0";  // '/' + 1 = '0'
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT p.id, p.source, p.category_id, p.title, p.description, o.name, p.due_at, "
                       "p.status, p.closed_at FROM problem p JOIN org o ON o.id = p.owner_org_id "
                       "WHERE o.path >= ?1 AND o.path < ?2 ORDER BY p.id DESC",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, subtree_path.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, hi.c_str(), -1, SQLITE_TRANSIENT);
    CountingBuf buf;
    std::ostream out(&buf);
    std::int64_t n = 0;
    std::vector<std::string> cells(9);
    while (sqlite3_step(st) == SQLITE_ROW) {
        for (int i = 0; i < 9; ++i) {
            const unsigned char* t = sqlite3_column_text(st, i);
            cells[static_cast<std::size_t>(i)] = t ? reinterpret_cast<const char*>(t) : "";
        }
        out << CsvLine(cells);
        ++n;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

}  // namespace rectify::bench
