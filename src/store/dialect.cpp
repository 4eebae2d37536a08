#include <vector>

#include "store/dialect.hpp"

namespace rectify::store::detail {

extern const char* const kMigrations[];
extern const int kMigrationCount;

const Dialect& SqliteDialect() {
    static const Dialect d{
        "sqlite3",
        "INTEGER PRIMARY KEY",
        "BEGIN IMMEDIATE",
        "instr",
        {"CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event BEGIN "
         "SELECT RAISE(ABORT, 'the event log is append-only'); END",
         "CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event BEGIN "
         "SELECT RAISE(ABORT, 'the event log is append-only'); END"}};
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
