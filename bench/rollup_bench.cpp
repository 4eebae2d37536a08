// rectify_bench: the roll-up index (src/index/rollup_index.hpp) against SQLite answering the same question on
// the same generated data, in one run, plus the index's build time, memory and update costs.
//
//   rectify_bench [--scale=county|city|province] [--seed=N] [--problems-per-org=N] [--db=PATH]
//                 [--materialise-problems=N] [--materialise-orgs=N]   (RollupIndex::Options)
//                 [--skip-sqlite]   (no SQLite file, no SQLite cross-check, no SQLite/Store/Ledger benchmarks)
//                 [--pg=postgresql://USER@HOST:PORT/DB]   (or RECTIFY_BENCH_PG): PostgreSQL contenders too; the
//                                   data goes into database rectify_bench_SCALE_sSEED on that server (kept
//                                   and reused by later runs of the same scale and seed)
//                 [--pg-explain]    print EXPLAIN (ANALYZE, BUFFERS) of each PostgreSQL plan for the top root
//                 [Google Benchmark flags, e.g. --benchmark_filter=Index]
//
// Benchmarks (LEVEL = the level of the subtree roots queried: up to 20 orgs of that level, evenly spread; one
// iteration queries each of them once, and p50/p99 of single calls are reported in microseconds; PG-…
// benchmarks of the single top root run 5 iterations):
//   Index/LEVEL[/category]   RollupIndex::Query, unfiltered or filtered by one top-level category
//   SQLite/LEVEL[/category]  the same figures from five aggregate SQL queries over the path range
//   PG-CTE/LEVEL[/category]   PostgreSQL 15, one GROUPING SETS statement over the subtree found by
//                            WITH RECURSIVE over parent ids (bench/pg_baseline.hpp)
//   PG-path/LEVEL[/category]  the same statement, subtree = btree range over the store's text path
//   PG-ltree/LEVEL[/category] the same statement, subtree = ltree path with a GiST index (lpath <@ '1.5')
//   Store/LEVEL              store::Store::Figures, the SQL roll-up the service ran before the index (fewer figures)
//   Index/LEVEL/period       RollupIndex::Query with a record filter (created in the last year): a visit of
//                            every record of the subtree instead of one aggregate
//   Index/children/LEVEL     RollupIndex::QueryChildren (rankings of the children)
//   Index/update, Index/insert+remove, Index/move/LEVEL, Index/build
//   Ledger/csv/LEVEL         Service::ExportLedger of the problem list (台账) of one subtree of that level as CSV;
//   Ledger/baseline/LEVEL    the floor: one SQL scan of the same problems with their owner names, written with
//                            the same CSV quoting; both report rows/s and the peak memory the export adds
// At the end tables give SQL / index ratios of the medians. Before timing anything, the index's answers are
// compared with SQLite's and with each PostgreSQL plan's for a sample of roots; a difference aborts the run.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "bench/bench_util.hpp"
#include "bench/generate.hpp"
#include "bench/pg_baseline.hpp"
#include "bench/sqlite_baseline.hpp"
#include "common/csv.hpp"
#include "service/ledger.hpp"
#include "service/service.hpp"
#include "store/store.hpp"

namespace rectify::bench {
namespace {

using domain::OrgId;
using Clock = std::chrono::steady_clock;

struct World {
    GeneratorOptions options;
    index::RollupIndex::Options index_options;
    GeneratedData data;
    std::unique_ptr<index::RollupIndex> index;
    bool skip_sqlite = false;
    std::string db_path;
    bool remove_db = false;
    std::unique_ptr<SqliteFigures> sql;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<service::Service> service;  // on its own store over the same file (the ledger)
    std::map<OrgId, std::string> path_of;
    std::unique_ptr<PgFigures> pg;  // with --pg only
};
constexpr PgPlan kPgPlans[] = {PgPlan::kCte, PgPlan::kPath, PgPlan::kLtree};
World* world = nullptr;

std::int64_t HeapInUse() { return static_cast<std::int64_t>(mallinfo2().uordblks + mallinfo2().hblkhd); }

std::int64_t ResidentBytes() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t size = 0, resident = 0;
    statm >> size >> resident;
    return resident * sysconf(_SC_PAGESIZE);
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

index::FiguresQuery MakeQuery(OrgId root, bool category) {
    index::FiguresQuery q;
    q.root = root;
    q.now = world->data.now;
    q.due_soon_seconds = 7 * kSecondsPerDay;
    q.weeks = 12;
    if (category) q.category = index::CategoryFilter{3};
    return q;
}

// A record filter (rollup_index.hpp, invariant 7): problems created in the last year of the data set, which
// the index answers by visiting every record of the subtree.
index::FiguresQuery MakePeriodQuery(OrgId root) {
    index::FiguresQuery q = MakeQuery(root, false);
    q.created_from = world->data.now - 365 * kSecondsPerDay;
    return q;
}

// One benchmark iteration calls fn(root) once for every root (so SQL, at one or two iterations, still sees
// every root); each call is timed, and p50/p99 of single calls (microseconds) become counters.
template <typename F>
void TimeCalls(benchmark::State& state, const std::vector<OrgId>& roots, F&& fn) {
    std::vector<double> micros;
    for (auto _ : state) {
        for (OrgId root : roots) {
            auto t0 = Clock::now();
            fn(root);
            micros.push_back(Seconds(Clock::now() - t0) * 1e6);
        }
    }
    std::sort(micros.begin(), micros.end());
    auto pct = [&](double p) {
        return micros[std::min(micros.size() - 1, static_cast<std::size_t>(p * static_cast<double>(micros.size())))];
    };
    state.counters["p50_us"] = pct(0.5);
    state.counters["p99_us"] = pct(0.99);
    state.counters["roots"] = static_cast<double>(roots.size());
    state.counters["calls"] = static_cast<double>(micros.size());
}

// Up to n orgs spread evenly over a level (problems are skewed towards low ids: the sample takes both ends).
std::vector<OrgId> Sample(const std::vector<OrgId>& level, std::size_t n) {
    if (level.size() <= n) return level;
    std::vector<OrgId> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(level[i * level.size() / n]);
    return out;
}

std::string Describe(const index::Figures& f) {
    std::string s = "problems " + std::to_string(f.problems) + " open " + std::to_string(f.open) + " overdue " +
                    std::to_string(f.overdue) + " due_soon " + std::to_string(f.due_soon) + " on_time " +
                    std::to_string(f.on_time.numerator) + "/" + std::to_string(f.on_time.denominator) + " median " +
                    std::to_string(f.median_days_to_close.value_or(-1)) + " p90 " +
                    std::to_string(f.p90_days_to_close.value_or(-1)) + " weeks";
    for (const auto& w : f.weekly) {
        s += ' ';
        s += std::to_string(w.created);
        s += '/';
        s += std::to_string(w.closed);
    }
    return s;
}

// The index and SQLite must agree before either is timed.
void CrossCheck() {
    int checked = 0;
    for (const auto& level : world->data.orgs_by_depth) {
        for (std::size_t i = 0; i < level.size() && i < 12; ++i) {
            OrgId root = level[i * (level.size() / std::min<std::size_t>(level.size(), 12))];
            for (bool category : {false, true}) {
                auto q = MakeQuery(root, category);
                auto a = world->index->Query(q);
                auto b = world->sql->Query(world->path_of[root], q);
                if (!a.ok() || !b.ok()) Fail("cross-check query failed");
                if (!(*a == *b)) {
                    Fail("index and SQLite differ for org " + std::to_string(root) + "\n  index:  " + Describe(*a) +
                         "\n  sqlite: " + Describe(*b));
                }
                ++checked;
            }
        }
    }
    std::printf("cross-check: index == SQLite for %d subtree queries\n", checked);
}

// The same sample of roots as CrossCheck, against every PostgreSQL plan.
void CrossCheckPg() {
    int checked = 0;
    for (const auto& level : world->data.orgs_by_depth) {
        for (std::size_t i = 0; i < level.size() && i < 12; ++i) {
            OrgId root = level[i * (level.size() / std::min<std::size_t>(level.size(), 12))];
            for (bool category : {false, true}) {
                auto q = MakeQuery(root, category);
                auto a = world->index->Query(q);
                if (!a.ok()) Fail("cross-check: index query failed");
                for (PgPlan plan : kPgPlans) {
                    auto b = world->pg->Query(plan, root, world->path_of[root], q);
                    if (!b.ok()) Fail("cross-check: PostgreSQL query failed: " + b.status().ToString());
                    if (!(*a == *b)) {
                        Fail("index and PostgreSQL (" + std::string(PgPlanName(plan)) + ") differ for org " +
                             std::to_string(root) + (category ? " (one category)" : "") + "\n  index: " + Describe(*a) +
                             "\n  pg:    " + Describe(*b));
                    }
                    ++checked;
                }
            }
        }
    }
    std::printf("cross-check: index == PostgreSQL (CTE, path, ltree) for %d subtree queries\n", checked);
}

void SetupPostgres(const std::string& pg_url, bool explain) {
    const auto& d = world->data;
    const std::string database = std::string("rectify_bench_") + ScaleName(world->options.scale) + "_s" +
                                 std::to_string(world->options.seed);
    const std::string tag = std::string(ScaleName(world->options.scale)) + "/" + std::to_string(world->options.seed) +
                            "/" + std::to_string(world->options.problems_per_org);
    auto t0 = Clock::now();
    auto loaded = LoadPostgres(d, pg_url, database, tag);
    if (!loaded.ok()) Fail("load PostgreSQL: " + loaded.status().ToString());
    if (loaded->reused) {
        std::printf("postgresql: reusing database %s (%.0f MB)\n", database.c_str(), loaded->database_bytes / 1e6);
    } else {
        std::printf("postgresql: loaded database %s in %.1f s (schema + COPY %.1f s, indexes + VACUUM ANALYZE %.1f s; "
                    "%.0f MB; all-visible pages: %s)\n",
                    database.c_str(), Seconds(Clock::now() - t0), loaded->load_seconds, loaded->index_seconds,
                    loaded->database_bytes / 1e6, loaded->all_visible.c_str());
    }
    auto conninfo = WithDatabase(pg_url, database);
    if (!conninfo.ok()) Fail(conninfo.status().ToString());
    auto pg = PgFigures::Open(*conninfo, 8 * 3600);
    if (!pg.ok()) Fail(pg.status().ToString());
    world->pg = std::move(*pg);
    CrossCheckPg();
    if (explain) {
        const OrgId top = d.orgs_by_depth[0].front();
        for (PgPlan plan : kPgPlans) {
            auto text = world->pg->Explain(plan, top, world->path_of[top], MakeQuery(top, false));
            if (!text.ok()) Fail(text.status().ToString());
            std::printf("postgresql: EXPLAIN (%s, %s root):\n%s\n", PgPlanName(plan), d.levels[0].c_str(), text->c_str());
        }
    }
}

void Setup(const GeneratorOptions& options, const index::RollupIndex::Options& index_options, const std::string& db_arg,
           bool skip_sqlite, const std::string& pg_url, bool pg_explain) {
    world = new World();
    world->skip_sqlite = skip_sqlite;
    world->options = options;
    world->index_options = index_options;
    if (!SetDisplayZone("Asia/Shanghai").ok()) Fail("no zone Asia/Shanghai");
    auto t0 = Clock::now();
    world->data = Generate(options);
    const auto& d = world->data;
    std::printf("data: %s scale, seed %llu: %zu orgs (", ScaleName(options.scale),
                static_cast<unsigned long long>(options.seed), d.orgs.size());
    for (std::size_t i = 0; i < d.levels.size(); ++i) std::printf("%s%zu %s", i ? ", " : "", d.orgs_by_depth[i].size(), d.levels[i].c_str());
    std::printf("), %zu problems; generated in %.1f s\n", d.problems.size(), Seconds(Clock::now() - t0));
    for (const auto& o : d.orgs) world->path_of[o.id] = o.path;

    // The first build of the process: its heap and RSS growth are the index's memory.
    std::int64_t heap0 = HeapInUse(), rss0 = ResidentBytes();
    t0 = Clock::now();
    const std::clock_t cpu0 = std::clock();
    auto built = index::RollupIndex::Build(d.orgs, d.problems, index_options);
    const double build_s = Seconds(Clock::now() - t0);
    const double build_cpu_s = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    if (!built.ok()) Fail("index build: " + built.status().ToString());
    world->index = std::move(*built);
    std::int64_t heap = HeapInUse() - heap0, rss = ResidentBytes() - rss0;
    auto mem = world->index->Memory();
    const double n = static_cast<double>(d.problems.size());
    std::printf("index: counter entries per problem: counts %.2f, days %.2f, weeks %.2f, due %.2f\n",
                mem.count_entries / n, mem.days_entries / n, mem.week_entries / n, mem.due_entries / n);
    std::printf("index: thresholds %lld problems / %lld orgs; built in %.2f s (CPU %.2f s); %lld materialised orgs, %lld counter entries; heap +%.1f MB (%.1f bytes/problem), "
                "RSS +%.1f MB (%.1f bytes/problem), containers %.1f MB (%.1f bytes/problem)\n",
                static_cast<long long>(index_options.materialise_problems),
                static_cast<long long>(index_options.materialise_orgs), build_s, build_cpu_s,
                static_cast<long long>(mem.materialised_orgs), static_cast<long long>(mem.aggregate_entries),
                heap / 1e6, heap / n, rss / 1e6, rss / n, mem.bytes / 1e6, mem.bytes / n);

    if (!pg_url.empty()) SetupPostgres(pg_url, pg_explain);
    if (world->skip_sqlite) return;
    if (db_arg.empty()) {
        world->db_path = (std::filesystem::temp_directory_path() /
                          ("rectify-bench-" + std::to_string(getpid()) + ".db")).string();
        world->remove_db = true;
    } else {
        world->db_path = db_arg;
    }
    if (!std::filesystem::exists(world->db_path)) {
        t0 = Clock::now();
        if (Status s = LoadSqlite(d, world->db_path); !s.ok()) Fail("load SQLite: " + s.ToString());
        std::printf("sqlite: loaded %s in %.1f s (%.0f MB)\n", world->db_path.c_str(), Seconds(Clock::now() - t0),
                    static_cast<double>(std::filesystem::file_size(world->db_path)) / 1e6);
    } else {
        std::printf("sqlite: reusing %s (it must hold this scale and seed)\n", world->db_path.c_str());
    }
    auto sql = SqliteFigures::Open(world->db_path, 8 * 3600);
    if (!sql.ok()) Fail(sql.status().ToString());
    world->sql = std::move(*sql);
    auto st = store::Store::OpenSqlite(world->db_path, store::OpenMode::kMustExist, 1);
    if (!st.ok()) Fail(st.status().ToString());
    world->store = std::move(*st);
    CrossCheck();
    auto service_store = store::Store::OpenSqlite(world->db_path, store::OpenMode::kMustExist, 2);
    if (!service_store.ok()) Fail(service_store.status().ToString());
    auto svc = service::Service::Create(std::move(*service_store));
    if (!svc.ok()) Fail("service: " + svc.status().ToString());
    world->service = std::move(*svc);
    // As `rectify serve` does at start: the lists' plan hint (docs/PERFORMANCE.md#list-walk) asks the index.
    if (Status built = world->service->BuildRollupIndex(); !built.ok()) Fail("index: " + built.ToString());
}

void Teardown() {
    if (!world) return;
    world->service.reset();
    world->pg.reset();
    world->sql.reset();
    world->store.reset();
    if (world->remove_db) {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(world->db_path + suffix);
    }
}

// Runs `fn` (an export returning its row count) once per iteration; counters: rows, rows/s, and the peak
// resident memory above the RSS at the start of the iteration.
template <typename F>
void TimeExport(benchmark::State& state, F&& fn) {
    std::int64_t rows = 0, extra = 0;
    for (auto _ : state) {
        ResetPeak();
        const std::int64_t rss0 = ResidentBytes();
        rows = fn();
        if (rows < 0) return state.SkipWithError("export failed");
        extra = std::max(extra, ProcStatusBytes("VmHWM:") - rss0);
    }
    state.counters["rows"] = static_cast<double>(rows);
    state.counters["rows_per_s"] =
        benchmark::Counter(static_cast<double>(rows) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
    state.counters["peak_extra_MB"] = static_cast<double>(extra) / 1e6;
}

void RegisterLedger() {
    const auto& d = world->data;
    const std::size_t depths = std::min<std::size_t>(2, d.orgs_by_depth.size());
    for (std::size_t depth = 0; depth < depths; ++depth) {
        const OrgId root = d.orgs_by_depth[depth].front();
        const std::string level = d.levels[depth];
        benchmark::RegisterBenchmark(("Ledger/csv/" + level).c_str(), [=](benchmark::State& state) {
            TimeExport(state, [&]() -> std::int64_t {
                CountingBuf buf;
                std::ostream out(&buf);
                auto sink = service::MakeCsvLedgerSink(out);
                service::ProblemQuery filter;
                filter.org_id = root;
                auto rows = world->service->ExportLedger(world->service->RootActor("bench"), service::LedgerList::kProblems,
                                                         filter, *sink);
                return rows.ok() ? *rows : -1;
            });
        })->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();
        benchmark::RegisterBenchmark(("Ledger/baseline/" + level).c_str(), [=](benchmark::State& state) {
            TimeExport(state, [&]() { return RawLedgerScan(world->db_path, world->path_of[root]); });
        })->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();
    }
}

void RegisterAll() {
    const auto& d = world->data;
    const std::size_t depths = std::min<std::size_t>(3, d.orgs_by_depth.size());
    for (std::size_t depth = 0; depth < depths; ++depth) {
        const auto roots = std::make_shared<std::vector<OrgId>>(Sample(d.orgs_by_depth[depth], 20));
        const std::string level = d.levels[depth];
        for (bool category : {false, true}) {
            const std::string suffix = category ? "/category" : "";
            benchmark::RegisterBenchmark(("Index/" + level + suffix).c_str(), [=](benchmark::State& state) {
                TimeCalls(state, *roots, [&](OrgId root) {
                    auto f = world->index->Query(MakeQuery(root, category));
                    benchmark::DoNotOptimize(f);
                });
            })->MinTime(0.5)->Unit(benchmark::kMicrosecond)->UseRealTime();
            if (world->pg) {
                for (PgPlan plan : kPgPlans) {
                    auto* b = benchmark::RegisterBenchmark(
                        ("PG-" + std::string(PgPlanName(plan)) + "/" + level + suffix).c_str(), [=](benchmark::State& state) {
                            TimeCalls(state, *roots, [&](OrgId root) {
                                auto f = world->pg->Query(plan, root, world->path_of[root], MakeQuery(root, category));
                                if (!f.ok()) state.SkipWithError(f.status().ToString().c_str());
                                benchmark::DoNotOptimize(f);
                            });
                        });
                    // A single root (the top of the data set) takes up to seconds per call: 5 calls give it a
                    // median instead of one sample.
                    if (roots->size() == 1) {
                        b->Iterations(5);
                    } else {
                        b->MinTime(0.5);
                    }
                    b->Unit(benchmark::kMillisecond)->UseRealTime();
                }
            }
            if (world->skip_sqlite) continue;
            benchmark::RegisterBenchmark(("SQLite/" + level + suffix).c_str(), [=](benchmark::State& state) {
                TimeCalls(state, *roots, [&](OrgId root) {
                    auto f = world->sql->Query(world->path_of[root], MakeQuery(root, category));
                    if (!f.ok()) state.SkipWithError(f.status().ToString().c_str());
                    benchmark::DoNotOptimize(f);
                });
            })->MinTime(0.5)->Unit(benchmark::kMillisecond)->UseRealTime();
        }
        if (!world->skip_sqlite) {
            benchmark::RegisterBenchmark(("Store/" + level).c_str(), [=](benchmark::State& state) {
                TimeCalls(state, *roots, [&](OrgId root) {
                    auto f = world->store->Figures(world->path_of[root], 1);
                    if (!f.ok()) state.SkipWithError(f.status().ToString().c_str());
                    benchmark::DoNotOptimize(f);
                });
            })->MinTime(0.5)->Unit(benchmark::kMillisecond)->UseRealTime();
        }
        benchmark::RegisterBenchmark(("Index/" + level + "/period").c_str(), [=](benchmark::State& state) {
            TimeCalls(state, *roots, [&](OrgId root) {
                auto f = world->index->Query(MakePeriodQuery(root));
                benchmark::DoNotOptimize(f);
            });
        })->MinTime(0.5)->Unit(benchmark::kMicrosecond)->UseRealTime();
        benchmark::RegisterBenchmark(("Index/children/" + level).c_str(), [=](benchmark::State& state) {
            TimeCalls(state, *roots, [&](OrgId root) {
                auto f = world->index->QueryChildren(MakeQuery(root, false));
                benchmark::DoNotOptimize(f);
            });
        })->MinTime(0.5)->Unit(benchmark::kMicrosecond)->UseRealTime();
    }

    // Writes: a status change (in progress <-> closed with a closed_at) of problems in turn.
    benchmark::RegisterBenchmark("Index/update", [](benchmark::State& state) {
        const auto& problems = world->data.problems;
        std::size_t i = 0;
        for (auto _ : state) {
            index::ProblemFacts f = problems[(i * 7919) % problems.size()];
            bool back = (i / problems.size()) % 2 == 1;
            if (!back) {
                f.status = f.status == domain::ProblemStatus::kClosed ? domain::ProblemStatus::kInProgress
                                                                     : domain::ProblemStatus::kClosed;
                if (f.status == domain::ProblemStatus::kClosed) f.closed_at = world->data.now - 3600;
            }
            if (!world->index->Update(f).ok()) state.SkipWithError("update failed");
            ++i;
        }
        // Put every touched problem back.
        for (std::size_t j = 0; j < std::min(i, problems.size()); ++j) {
            (void)world->index->Update(problems[(j * 7919) % problems.size()]);
        }
    })->Unit(benchmark::kMicrosecond)->UseRealTime();
    benchmark::RegisterBenchmark("Index/insert+remove", [](benchmark::State& state) {
        const auto& problems = world->data.problems;
        std::size_t i = 0;
        for (auto _ : state) {
            index::ProblemFacts f = problems[(i * 104729) % problems.size()];
            f.id = static_cast<domain::ProblemId>(problems.size() + 1 + i);
            if (!world->index->Insert(f).ok() || !world->index->Remove(f.id).ok()) state.SkipWithError("insert failed");
            ++i;
        }
    })->Unit(benchmark::kMicrosecond)->UseRealTime();
    // Moves: an org two levels down goes to another parent and back (each iteration is two moves).
    if (d.orgs_by_depth.size() > 2 && d.orgs_by_depth[1].size() > 1) {
        benchmark::RegisterBenchmark(("Index/move/" + d.levels[2]).c_str(), [](benchmark::State& state) {
            const auto& movers = world->data.orgs_by_depth[2];
            const auto& parents = world->data.orgs_by_depth[1];
            std::size_t i = 0;
            for (auto _ : state) {
                const domain::Org& o = world->data.orgs[static_cast<std::size_t>(movers[i++ % movers.size()] - 1)];
                OrgId other = parents[0] == *o.parent_id ? parents[1] : parents[0];
                if (!world->index->MoveOrg(o.id, other).ok() || !world->index->MoveOrg(o.id, *o.parent_id).ok()) {
                    state.SkipWithError("move failed");
                }
            }
        })->MinTime(2.0)->Unit(benchmark::kMillisecond)->UseRealTime();
    }
    benchmark::RegisterBenchmark("Index/build", [](benchmark::State& state) {
        for (auto _ : state) {
            auto built = index::RollupIndex::Build(world->data.orgs, world->data.problems, world->index_options);
            if (!built.ok()) state.SkipWithError("build failed");
            benchmark::DoNotOptimize(built);
        }
        state.counters["problems"] = static_cast<double>(world->data.problems.size());
    })->Iterations(world->data.problems.size() > 500000 ? 1 : 3)->Unit(benchmark::kMillisecond)->UseRealTime();
}

// Collects the medians as the console reporter prints them, for the ratio table at the end.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const Run& r : runs) {
            auto p50 = r.counters.find("p50_us"), p99 = r.counters.find("p99_us");
            if (p50 != r.counters.end() && p99 != r.counters.end()) {
                pct_[r.run_name.function_name] = {p50->second.value, p99->second.value};
            }
            auto rate = r.counters.find("rows_per_s"), peak = r.counters.find("peak_extra_MB");
            if (rate != r.counters.end() && peak != r.counters.end()) {
                export_[r.run_name.function_name] = {rate->second.value, peak->second.value};
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
    void PrintRatios() const {
        std::printf("\n%-20s %10s %10s %12s %12s %12s %11s %11s\n", "subtree query", "index p50", "index p99",
                    "SQLite p50", "SQLite p99", "Store p50", "SQLite/idx", "Store/idx");
        std::printf("%-20s %10s %10s %12s %12s %12s %11s %11s\n", "", "us", "us", "us", "us", "us", "p50", "p50");
        for (const auto& [name, index] : pct_) {
            if (name.rfind("Index/", 0) != 0 || name.find("children") != std::string::npos) continue;
            std::string rest = name.substr(6);
            auto sql = pct_.find("SQLite/" + rest);
            if (sql == pct_.end()) continue;
            auto store = pct_.find("Store/" + rest);
            bool has_store = store != pct_.end();
            std::printf("%-20s %10.1f %10.1f %12.0f %12.0f %12s %11.0f %11s\n", rest.c_str(), index.first, index.second,
                        sql->second.first, sql->second.second,
                        has_store ? std::to_string(static_cast<long long>(store->second.first)).c_str() : "-",
                        sql->second.first / index.first,
                        has_store ? std::to_string(static_cast<long long>(store->second.first / index.first)).c_str() : "-");
        }
        PrintPgRatios();
        std::printf("\n%-20s %12s %12s %14s %14s\n", "record filter", "period p50", "period p99", "unfiltered p50",
                    "period/unfilt.");
        for (const auto& [name, period] : pct_) {
            const std::string suffix = "/period";
            if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
                continue;
            }
            auto plain = pct_.find(name.substr(0, name.size() - suffix.size()));
            if (plain == pct_.end()) continue;
            std::printf("%-20s %12.1f %12.1f %14.1f %14.0f\n", name.substr(6).c_str(), period.first, period.second,
                        plain->second.first, period.first / plain->second.first);
        }
        std::printf("\n%-22s %12s %12s %14s %14s %12s\n", "ledger export (CSV)", "rectify", "baseline",
                    "rectify peak", "baseline peak", "baseline/");
        std::printf("%-22s %12s %12s %14s %14s %12s\n", "", "rows/s", "rows/s", "MB", "MB", "rectify");
        for (const auto& [name, rectify] : export_) {
            if (name.rfind("Ledger/csv/", 0) != 0) continue;
            std::string level = name.substr(11);
            auto base = export_.find("Ledger/baseline/" + level);
            if (base == export_.end()) continue;
            std::printf("%-22s %12.0f %12.0f %14.1f %14.1f %12.1f\n", level.c_str(), rectify.first, base->second.first,
                        rectify.second, base->second.second, base->second.first / rectify.first);
        }
    }

private:
    // PostgreSQL plans against the index: p50/p99 in us, and each plan's p50 / index p50.
    void PrintPgRatios() const {
        bool header = false;
        for (const auto& [name, index] : pct_) {
            if (name.rfind("Index/", 0) != 0 || name.find("children") != std::string::npos) continue;
            const std::string rest = name.substr(6);
            std::vector<std::pair<double, double>> pg;
            for (PgPlan plan : kPgPlans) {
                auto it = pct_.find("PG-" + std::string(PgPlanName(plan)) + "/" + rest);
                if (it != pct_.end()) pg.push_back(it->second);
            }
            if (pg.size() != std::size(kPgPlans)) continue;
            if (!header) {
                std::printf("\n%-20s %9s %9s %10s %10s %10s %10s %10s %10s %8s %8s %8s %9s\n", "subtree query",
                            "index p50", "index p99", "CTE p50", "CTE p99", "path p50", "path p99", "ltree p50",
                            "ltree p99", "CTE/idx", "path/idx", "ltree/", "best PG/");
                std::printf("%-20s %9s %9s %10s %10s %10s %10s %10s %10s %8s %8s %8s %9s\n", "(PostgreSQL)", "us",
                            "us", "us", "us", "us", "us", "us", "us", "p50", "p50", "idx p50", "idx p50");
                header = true;
            }
            double best = pg[0].first;
            for (const auto& p : pg) best = std::min(best, p.first);
            std::printf("%-20s %9.1f %9.1f %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f %8.0f %8.0f %8.0f %9.0f\n",
                        rest.c_str(), index.first, index.second, pg[0].first, pg[0].second, pg[1].first, pg[1].second,
                        pg[2].first, pg[2].second, pg[0].first / index.first, pg[1].first / index.first,
                        pg[2].first / index.first, best / index.first);
        }
    }

    std::map<std::string, std::pair<double, double>> pct_;
    std::map<std::string, std::pair<double, double>> export_;  // rows/s, peak extra MB
};

}  // namespace
}  // namespace rectify::bench

int main(int argc, char** argv) {
    using namespace rectify::bench;
    GeneratorOptions options;
    rectify::index::RollupIndex::Options index_options;
    std::string db;
    bool skip_sqlite = false;
    bool pg_explain = false;
    const char* pg_env = std::getenv("RECTIFY_BENCH_PG");
    std::string pg_url = pg_env ? pg_env : "";
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* flag) -> const char* {
            std::string f = std::string(flag) + "=";
            return a.rfind(f, 0) == 0 ? argv[i] + f.size() : nullptr;
        };
        if (const char* v = value("--scale")) {
            if (!ParseScale(v, options.scale)) Fail("--scale: county, city or province");
        } else if (const char* v = value("--seed")) {
            options.seed = std::strtoull(v, nullptr, 10);
        } else if (const char* v = value("--problems-per-org")) {
            options.problems_per_org = std::atoi(v);
        } else if (const char* v = value("--materialise-problems")) {
            index_options.materialise_problems = std::atoll(v);
        } else if (const char* v = value("--materialise-orgs")) {
            index_options.materialise_orgs = std::atoll(v);
        } else if (a == "--skip-sqlite") {
            skip_sqlite = true;
        } else if (const char* v = value("--pg")) {
            pg_url = v;
        } else if (a == "--pg-explain") {
            pg_explain = true;
        } else if (const char* v = value("--db")) {
            db = v;
        } else {
            rest.push_back(argv[i]);
        }
    }
    int rest_argc = static_cast<int>(rest.size());
    benchmark::Initialize(&rest_argc, rest.data());
    Setup(options, index_options, db, skip_sqlite, pg_url, pg_explain);
    RegisterAll();
    if (!skip_sqlite) RegisterLedger();
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.PrintRatios();
    Teardown();
    benchmark::Shutdown();
    return 0;
}
