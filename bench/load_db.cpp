// rectify_bench_load: writes a generated data set (bench/generate.hpp) into a new SQLite file or an empty
// PostgreSQL database with the store's own schema, for benchmarks that run the real server on it
// (bench/http_bench.sh). Orgs, top-level categories and problems only: no users, tasks or events (the script
// adds those through the CLI and the API).
//
//   rectify_bench_load --scale=county|city|province [--seed=N] [--problems-per-org=N] --db=PATH|postgresql://...
//
// A PATH must not exist (LoadSqlite: prepared INSERTs in one transaction). A postgresql:// URL names an existing
// database without rectify rows (LoadPostgresStore: the store's migrations, then COPY FROM STDIN). Prints one
// line: the scale, the org and problem counts, the generation and load times in seconds (wall), the rows
// loaded per second of load time (orgs + problems + categories), and the size in bytes (the file, or
// pg_database_size); for PostgreSQL also the schema, COPY and VACUUM ANALYZE parts of the load. Exit status
// 0 on success, 1 with a message on standard error otherwise.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/generate.hpp"
#include "bench/pg_baseline.hpp"
#include "bench/sqlite_baseline.hpp"
#include "store/store.hpp"

int main(int argc, char** argv) {
    using namespace rectify::bench;
    GeneratorOptions options;
    std::string db;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* flag) -> const char* {
            std::string f = std::string(flag) + "=";
            return a.rfind(f, 0) == 0 ? argv[i] + f.size() : nullptr;
        };
        if (const char* v = value("--scale")) {
            if (!ParseScale(v, options.scale)) {
                std::fprintf(stderr, "--scale: county, city or province (not \"%s\")\n", v);
                return 1;
            }
        } else if (const char* v = value("--seed")) {
            options.seed = std::strtoull(v, nullptr, 10);
        } else if (const char* v = value("--problems-per-org")) {
            options.problems_per_org = std::atoi(v);
            if (options.problems_per_org < 1) {
                std::fprintf(stderr, "--problems-per-org: a whole number >= 1 (not \"%s\")\n", v);
                return 1;
            }
        } else if (const char* v = value("--db")) {
            db = v;
        } else {
            std::fprintf(stderr, "unknown argument \"%s\" (usage: rectify_bench_load --scale=S [--seed=N] "
                                 "[--problems-per-org=N] --db=PATH|postgresql://...)\n", argv[i]);
            return 1;
        }
    }
    if (db.empty()) {
        std::fprintf(stderr, "--db=PATH or --db=postgresql://... is required\n");
        return 1;
    }
    using Clock = std::chrono::steady_clock;
    auto since = [](Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); };
    const auto t0 = Clock::now();
    GeneratedData data = Generate(options);
    const double generate_seconds = since(t0);
    const auto t1 = Clock::now();
    unsigned long long bytes = 0;
    std::string parts;
    if (rectify::store::Store::IsPostgresUrl(db)) {
        auto r = LoadPostgresStore(data, db);
        if (!r.ok()) {
            std::fprintf(stderr, "load %s: %s\n", rectify::store::Store::RedactPassword(db).c_str(),
                         r.status().ToString().c_str());
            return 1;
        }
        bytes = static_cast<unsigned long long>(r->database_bytes);
        char buf[160];
        std::snprintf(buf, sizeof buf, " schema_s=%.1f copy_s=%.1f analyze_s=%.1f foreign_keys=%s", r->schema_seconds,
                      r->copy_seconds, r->analyze_seconds,
                      r->foreign_keys_per_row ? "per-row" : ("anti-join:" + std::to_string(r->foreign_keys_checked)).c_str());
        parts = buf;
    } else {
        if (auto s = LoadSqlite(data, db); !s.ok()) {
            std::fprintf(stderr, "load %s: %s\n", db.c_str(), s.ToString().c_str());
            return 1;
        }
        bytes = static_cast<unsigned long long>(std::filesystem::file_size(db));
    }
    const double load_seconds = since(t1);
    const double rows = static_cast<double>(data.orgs.size() + data.problems.size() + data.categories.size());
    std::printf("scale=%s orgs=%zu problems=%zu generate_s=%.1f load_s=%.1f rows_per_s=%.0f%s bytes=%llu\n",
                ScaleName(options.scale), data.orgs.size(), data.problems.size(), generate_seconds, load_seconds,
                rows / load_seconds, parts.c_str(), bytes);
    return 0;
}
