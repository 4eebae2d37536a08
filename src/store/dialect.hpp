// SQL dialect differences, kept in one place (ENGINEERING.md). Internal to src/store.
#pragma once

#include <string>
#include <vector>

namespace rectify::store::detail {

struct Dialect {
    std::string name;          // "sqlite3" or "postgresql"
    std::string id_column;     // replaces {{ID}} in schema files
    std::string begin_write;   // statement that opens a write transaction
    std::string find_substring;  // (haystack, needle) -> 1-based position or 0: instr / strpos
    // Statements that make table `event` refuse UPDATE and DELETE (run once, by migration 2).
    std::vector<std::string> append_only_event_triggers;
};

const Dialect& SqliteDialect();

// The schema migration files in order; migration i (1-based) is element i-1. Text before dialect
// substitution.
const std::vector<std::string>& MigrationSources();

// Replaces the dialect placeholders of a migration.
std::string ApplyDialect(const Dialect& d, std::string sql);

}  // namespace rectify::store::detail
