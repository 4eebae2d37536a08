// The supervision scheduler's scan at province scale (issue 8): 5,000,000 open tasks in the store's own
// SQLite schema, a share of them past their deadline, and the pass that looks for ladder steps
// (store::Store::LadderCandidates, every page of 500). Baseline, measured in the same run: the same
// candidate query forced to scan the whole task table (NOT INDEXED), i.e. what the pass would cost without
// the deadline index. docs/PERFORMANCE.md reports the ratios.
//
//   build/bench/bench/rectify_ladder_bench [--tasks=5000000] [--overdue-per-mille=50] [--db=PATH]
//   (scripts/bench builds it; Google Benchmark flags as usual)
#include <sqlite3.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "store/store.hpp"

namespace rectify::bench {
namespace {

struct World {
    std::string db_path;
    std::int64_t tasks = 5'000'000;
    std::int64_t overdue_per_mille = 50;  // 5 %: a province with 250,000 overdue tasks
    UnixSeconds now = 1'780'000'000;      // 2026-05-28, the scan instant
    std::unique_ptr<store::Store> store;
    sqlite3* raw = nullptr;
};
World* world = nullptr;

[[noreturn]] void Fail(const std::string& what) {
    std::fprintf(stderr, "ladder_bench: %s\n", what.c_str());
    std::exit(1);
}

void Exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) Fail(std::string(sql) + ": " + (err ? err : "?"));
}

// One org, one problem and `tasks` open tasks; task i is overdue when i % 1000 < overdue_per_mille (its
// deadline lies 1..30 days before `now`), else due 1..90 days after `now`. Deterministic.
void Load() {
    auto st = store::Store::OpenSqlite(world->db_path, store::OpenMode::kCreateIfMissing, 1);
    if (!st.ok()) Fail(st.status().ToString());
    st->reset();
    sqlite3* db = nullptr;
    if (sqlite3_open(world->db_path.c_str(), &db) != SQLITE_OK) Fail("open");
    Exec(db, "PRAGMA synchronous = OFF; BEGIN");
    Exec(db, "INSERT INTO org_level (key, name_zh, name_en, rank) VALUES ('province', '省', 'province', 1)");
    Exec(db, "INSERT INTO org (id, parent_id, name, level, kind, path, created_at) VALUES (1, NULL, '基准省', 'province', "
             "'party_gov_agency', '/1/', 0)");
    Exec(db, "INSERT INTO problem (id, title, description, source, severity, owner_org_id, status, created_at, "
             "updated_at) VALUES (1, 'p', '', 'other', 'normal', 1, 'in_progress', 0, 0)");
    sqlite3_stmt* ins = nullptr;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO task (problem_id, org_id, created_by_org_id, round, title, description, "
                           "responsible_person, type, due_at, review_dates, status, progress, created_at, updated_at) "
                           "VALUES (1, 1, 1, 1, 't', '', 'r', 'time_bound', ?1, '', 'in_progress', 0, 0, 0)",
                           -1, &ins, nullptr) != SQLITE_OK) {
        Fail(sqlite3_errmsg(db));
    }
    for (std::int64_t i = 0; i < world->tasks; ++i) {
        const bool overdue = i % 1000 < world->overdue_per_mille;
        const std::int64_t days = 1 + (i * 7919) % (overdue ? 30 : 90);
        sqlite3_bind_int64(ins, 1, world->now + (overdue ? -days : days) * 86400);
        if (sqlite3_step(ins) != SQLITE_DONE) Fail(sqlite3_errmsg(db));
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    Exec(db, "COMMIT; ANALYZE");
    sqlite3_close(db);
}

void Setup(int argc, char** argv) {
    world = new World();
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--tasks=", 0) == 0) world->tasks = std::atoll(a.c_str() + 8);
        if (a.rfind("--overdue-per-mille=", 0) == 0) world->overdue_per_mille = std::atoll(a.c_str() + 20);
        if (a.rfind("--db=", 0) == 0) world->db_path = a.substr(5);
    }
    if (world->db_path.empty()) {
        world->db_path = (std::filesystem::temp_directory_path() / ("rectify-ladder-" + std::to_string(getpid()) + ".db")).string();
    }
    if (!std::filesystem::exists(world->db_path)) {
        const auto t0 = std::chrono::steady_clock::now();
        Load();
        std::printf("ladder: loaded %lld open tasks (%lld per mille overdue) into %s in %.1f s\n",
                    static_cast<long long>(world->tasks), static_cast<long long>(world->overdue_per_mille),
                    world->db_path.c_str(),
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    auto st = store::Store::OpenSqlite(world->db_path, store::OpenMode::kMustExist, 1);
    if (!st.ok()) Fail(st.status().ToString());
    world->store = std::move(*st);
    if (sqlite3_open_v2(world->db_path.c_str(), &world->raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) Fail("open");
}

// The scheduler's scan: every page of candidates, as Service::RunLadder reads them.
void BM_SchedulerScan(benchmark::State& state) {
    std::int64_t found = 0;
    for (auto _ : state) {
        found = 0;
        std::optional<std::pair<UnixSeconds, domain::TaskId>> after;
        for (;;) {
            auto page = world->store->LadderCandidates(world->now, after, 500);
            if (!page.ok()) Fail(page.status().ToString());
            if (page->empty()) break;
            found += static_cast<std::int64_t>(page->size());
            after = std::make_pair(*page->back().task.due_at, page->back().task.id);
        }
    }
    state.counters["candidates"] = static_cast<double>(found);
    state.counters["tasks"] = static_cast<double>(world->tasks);
}

// Baseline: the same predicate over the whole table, without the deadline index.
void BM_FullTableScan(benchmark::State& state) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(world->raw,
                           "SELECT COUNT(*) FROM task t NOT INDEXED WHERE t.status IN ('pending', 'in_progress', "
                           "'returned') AND t.due_at IS NOT NULL AND t.due_at < ?1 AND NOT EXISTS (SELECT 1 FROM "
                           "supervision_step s WHERE s.task_id = t.id AND s.automatic = 1 AND s.kind = 'supervise' "
                           "AND s.trigger_due_at = t.due_at)",
                           -1, &q, nullptr) != SQLITE_OK) {
        Fail(sqlite3_errmsg(world->raw));
    }
    std::int64_t found = 0;
    for (auto _ : state) {
        sqlite3_bind_int64(q, 1, world->now);
        if (sqlite3_step(q) != SQLITE_ROW) Fail(sqlite3_errmsg(world->raw));
        found = sqlite3_column_int64(q, 0);
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    state.counters["candidates"] = static_cast<double>(found);
}

}  // namespace
}  // namespace rectify::bench

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    rectify::bench::Setup(argc, argv);
    benchmark::RegisterBenchmark("Ladder/scheduler_scan", rectify::bench::BM_SchedulerScan)
        ->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(false)->Iterations(1);
    benchmark::RegisterBenchmark("Ladder/baseline_full_table_scan", rectify::bench::BM_FullTableScan)
        ->Unit(benchmark::kMillisecond)->Repetitions(5)->Iterations(1);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
