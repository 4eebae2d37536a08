// rectify_bench_load: writes a generated data set (bench/generate.hpp) into a new SQLite file with the store's
// own schema, for benchmarks that run the real server on it (bench/http_bench.sh). Orgs, top-level categories
// and problems only: no users, tasks or events (the script adds those through the CLI and the API).
//
//   rectify_bench_load --scale=county|city|province [--seed=N] [--problems-per-org=N] --db=PATH
//
// PATH must not exist. Prints one line: the scale, the org and problem counts, the load time in seconds and
// the file size in bytes. Exit status 0 on success, 1 with a message on standard error otherwise.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "bench/generate.hpp"
#include "bench/sqlite_baseline.hpp"

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
                                 "[--problems-per-org=N] --db=PATH)\n", argv[i]);
            return 1;
        }
    }
    if (db.empty()) {
        std::fprintf(stderr, "--db=PATH is required\n");
        return 1;
    }
    const auto t0 = std::chrono::steady_clock::now();
    GeneratedData data = Generate(options);
    if (auto s = LoadSqlite(data, db); !s.ok()) {
        std::fprintf(stderr, "load %s: %s\n", db.c_str(), s.ToString().c_str());
        return 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("scale=%s orgs=%zu problems=%zu load_s=%.1f bytes=%llu\n", ScaleName(options.scale), data.orgs.size(),
                data.problems.size(), seconds,
                static_cast<unsigned long long>(std::filesystem::file_size(db)));
    return 0;
}
