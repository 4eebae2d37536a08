#include <vector>

#include "store/dialect.hpp"

namespace rectify::store::detail {

extern const char* const kMigrations[];
extern const int kMigrationCount;

const Dialect& SqliteDialect() {
    static const Dialect d{"sqlite3", "INTEGER PRIMARY KEY", "BEGIN IMMEDIATE", "instr"};
    return d;
}

const std::vector<std::string>& MigrationSources() {
    static const std::vector<std::string> sources(kMigrations, kMigrations + kMigrationCount);
    return sources;
}

std::string ApplyDialect(const Dialect& d, std::string sql) {
    const std::string key = "{{ID}}";
    for (std::size_t pos; (pos = sql.find(key)) != std::string::npos;) sql.replace(pos, key.size(), d.id_column);
    return sql;
}

}  // namespace rectify::store::detail
