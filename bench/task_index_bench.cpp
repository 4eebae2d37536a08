// The task index (issue 6, src/index/task_index.hpp) at county, city and province scale: build time, heap
// bytes per task, query times per org level and for every child of an org (what /stats/children asks),
// update and org-move times. Plain program (no benchmark harness): prints one report.
//
//   build-rel/bench/rectify_task_index_bench [--scale=province] [--tasks-per-org=23] [--seed=1] [--db=PATH]
//                                            [--into=PATH]
//
// Data: bench/generate.hpp's org tree (a province: 217,702 orgs), no problems, and deterministic tasks,
// `tasks-per-org` per org on average (23: ~5,000,000 at province scale, ~2.3 per generated problem), owners
// skewed like the generator's problems (half uniform over all orgs, half over the orgs down to township
// level). Shares (a rectification office's ledger after a few years): 85 % closed (accepted or withdrawn),
// 3 % submitted, 12 % open (pending, in progress, returned), the open ones with their last activity spread
// over the 180 days before "now", a third of them within 14 days; 5 % of all tasks with one supervise step
// at an instant in the year before "now". The index holds the open tasks and the steps; a closed task holds
// nothing. Memory: mallinfo2's bytes in use before and after Build, against TaskIndex::Memory's estimate.
// --db=PATH (a new SQLite file): the same tasks are also written to a store (all of org 1 and one problem:
// the read does not depend on owners), each open task with a progress report at its last activity unless that
// is its creation, and the steps; then the store reads RebuildTaskIndex makes (Store::ListTaskActivity of
// every open task, Store::ListStepsAt of every supervise step) are timed and their row counts checked, twice
// through migration 015's indexes and twice more after putting schema 14's indexes back (the baseline).
// --into=PATH (an existing store with the same generated orgs, e.g. rectify_side_bench's DIR/side.db): the
// tasks are written there at their generated orgs, and a start is timed three times: the store opened, the
// service created and all its indexes built (StartUp below; docs/PERFORMANCE.md#province-startup); then the
// overdue and due-soon work queues are timed and checked there (Queues below; docs/PERFORMANCE.md#queues).
// Every task has a deadline but one in ten (DueAt: 15 to 90 days after its creation).
#include <malloc.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>

#include "bench/bench_util.hpp"
#include "bench/generate.hpp"
#include "index/task_index.hpp"
#include "service/service.hpp"
#include "store/store.hpp"

namespace {

using namespace rectify;
using Clock = std::chrono::steady_clock;

std::int64_t HeapInUse() { return static_cast<std::int64_t>(mallinfo2().uordblks + mallinfo2().hblkhd); }
double CpuSeconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }
double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// p50 of `f` over `n` runs, microseconds.
template <class F>
double P50(int n, F&& f) {
    std::vector<double> t;
    for (int i = 0; i < n; ++i) {
        auto s = Clock::now();
        f(i);
        t.push_back(Micros(Clock::now() - s));
    }
    std::nth_element(t.begin(), t.begin() + n / 2, t.end());
    return t[static_cast<std::size_t>(n / 2)];
}

[[noreturn]] void Fail(const std::string& what) {
    std::fprintf(stderr, "task_index_bench: %s\n", what.c_str());
    std::exit(1);
}

void Exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) Fail(std::string(sql) + ": " + (err ? err : "?"));
}

sqlite3_stmt* Prepare(sqlite3* db, const char* sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) Fail(sqlite3_errmsg(db));
    return st;
}

void Step(sqlite3* db, sqlite3_stmt* st) {
    if (sqlite3_step(st) != SQLITE_DONE) Fail(sqlite3_errmsg(db));
    sqlite3_reset(st);
}

// When generated task `id` was created and last reported (UTC seconds). `open`: its facts when it is open
// (kind 2): created at its last activity (one in three, never reported) or 5 days before it, with a report
// then; a closed or submitted task was created in the 400 to 200 days before `now`.
struct TaskTimes {
    UnixSeconds created = 0;
    std::optional<UnixSeconds> report;
};
TaskTimes TimesOf(std::int64_t id, const rectify::index::OpenTaskFacts* open, rectify::UnixSeconds now) {
    using namespace rectify;
    if (open == nullptr) return {now - 400 * kSecondsPerDay + id % (200 * kSecondsPerDay), std::nullopt};
    if (open->id % 3 == 0) return {open->last_activity, std::nullopt};
    return {open->last_activity - 5 * kSecondsPerDay, open->last_activity};
}

// The deadline (整改时限) of generated task `id` created at `created`: none for one task in ten, else 15, 30,
// 60 or 90 days after its creation (half a month to a quarter, the usual limits of a rectification task).
std::optional<rectify::UnixSeconds> DueAt(std::int64_t id, rectify::UnixSeconds created) {
    using namespace rectify;
    if (id % 10 == 7) return std::nullopt;
    static constexpr std::array<std::int64_t, 4> kDays{15, 30, 60, 90};
    return created + kDays[static_cast<std::size_t>(id / 10 % 4)] * kSecondsPerDay;
}

// Writes `tasks` rows (status by `kind`: 0 closed, 1 submitted, 2 open), reports and steps into a new store
// (`owner` null: every row at org 1, made here with problem 1), or, `owner` given (--into), into an existing
// store that holds the generated orgs `d` and a problem 1: each task at its generated org `(*owner)[id - 1]`
// with its province key, each step at its org.
void Load(const std::string& path, std::int64_t tasks, const std::vector<int>& kind,
          const std::vector<rectify::index::OpenTaskFacts>& open, const std::vector<rectify::index::StepFacts>& steps,
          rectify::UnixSeconds now, const rectify::bench::GeneratedData& d,
          const std::vector<rectify::domain::OrgId>* owner) {
    using namespace rectify;
    if (owner == nullptr) {
        auto store = store::Store::OpenSqlite(path, store::OpenMode::kCreateIfMissing, 1);
        if (!store.ok()) Fail(store.status().ToString());
    }
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Fail("open " + path);
    Exec(db, "PRAGMA synchronous = OFF; BEGIN");
    if (owner == nullptr) {
        Exec(db, "INSERT INTO org_level (key, name_zh, name_en, rank) VALUES ('province', '省', 'province', 1)");
        Exec(db,
             "INSERT INTO org (id, parent_id, name, level, kind, path, created_at) VALUES (1, NULL, '基准省', "
             "'province', 'party_gov_agency', '/1/', 0)");
        Exec(db,
             "INSERT INTO problem (id, title, description, source, severity, owner_org_id, status, created_at, "
             "updated_at) VALUES (1, 'p', '', 'other', 'normal', 1, 'in_progress', 0, 0)");
    }
    sqlite3_stmt* ins =
        Prepare(db,
                "INSERT INTO task (id, problem_id, org_id, created_by_org_id, round, title, description, "
                "responsible_person, type, due_at, review_dates, status, progress, created_at, updated_at, "
                "province_id) VALUES (?1, 1, ?4, ?4, 1, 't', '', 'r', 'time_bound', ?6, '', ?2, 0, ?3, ?3, ?5)");
    sqlite3_stmt* rep = Prepare(db,
                                "INSERT INTO progress_report (task_id, reported_at, text, percent, actor) "
                                "VALUES (?1, ?2, 'r', 50, 'a')");
    sqlite3_stmt* sup = Prepare(db,
                                "INSERT INTO supervision_step (task_id, problem_id, org_id, kind, reason, actor, at) "
                                "VALUES (?1, 1, ?3, 'supervise', 'r', 'a', ?2)");
    auto org_of = [&](std::int64_t task_id) -> domain::OrgId {
        return owner ? (*owner)[static_cast<std::size_t>(task_id - 1)] : 1;
    };
    std::size_t next_open = 0;
    for (std::int64_t id = 1; id <= tasks; ++id) {
        const int k = kind[static_cast<std::size_t>(id - 1)];
        const auto [created, report] = TimesOf(id, k == 2 ? &open[next_open++] : nullptr, now);
        sqlite3_bind_int64(ins, 1, id);
        if (auto due = DueAt(id, created)) {
            sqlite3_bind_int64(ins, 6, *due);
        } else {
            sqlite3_bind_null(ins, 6);
        }
        sqlite3_bind_text(ins, 2,
                          k == 0        ? (id % 10 == 0 ? "withdrawn" : "accepted")
                          : k == 1      ? "submitted"
                          : id % 3 == 1 ? "in_progress"
                          : id % 3 == 2 ? "pending"
                                        : "returned",
                          -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, created);
        const domain::OrgId org = org_of(id);
        sqlite3_bind_int64(ins, 4, org);
        if (auto province = owner ? bench::ProvinceKey(d, org) : std::optional<domain::OrgId>(1)) {
            sqlite3_bind_int64(ins, 5, *province);
        } else {
            sqlite3_bind_null(ins, 5);
        }
        Step(db, ins);
        if (report) {
            sqlite3_bind_int64(rep, 1, id);
            sqlite3_bind_int64(rep, 2, *report);
            Step(db, rep);
        }
    }
    for (const auto& s : steps) {
        sqlite3_bind_int64(sup, 1, 1 + s.id % tasks);
        sqlite3_bind_int64(sup, 2, s.at);
        sqlite3_bind_int64(sup, 3, owner ? s.org_id : 1);
        Step(db, sup);
    }
    for (auto* st : {ins, rep, sup}) sqlite3_finalize(st);
    Exec(db, "COMMIT; ANALYZE");
    sqlite3_close(db);
}

// --into=PATH: a start at scale, as `rectify serve` makes it. Writes the tasks into the existing store PATH
// (which holds the same generated orgs and their problems and opinions: rectify_side_bench's DIR/side.db or
// rectify_bench_load's file, same --scale and --seed), then three times: opens the store, creates the service
// and builds its indexes (Service::BuildRollupIndex -> RebuildRollup: the roll-up, side-figures and task
// indexes, the last two on threads of their own), timing the wall clock and the process's CPU, and reading
// the resident set before the open and after the build, and its peak during the start (reset before it). The service logs the parts (spdlog, "indexes
// rebuilt in ...").
void StartUp(const std::string& path, std::int64_t tasks, const std::vector<int>& kind,
             const std::vector<index::OpenTaskFacts>& open, const std::vector<index::StepFacts>& steps, UnixSeconds now,
             const bench::GeneratedData& d, const std::vector<domain::OrgId>& owner) {
    auto t0 = Clock::now();
    Load(path, tasks, kind, open, steps, now, d, &owner);
    std::printf("start-up: wrote %lld tasks (%zu open) and %zu steps into %s in %.1f s\n",
                static_cast<long long>(tasks), open.size(), steps.size(), path.c_str(),
                std::chrono::duration<double>(Clock::now() - t0).count());
    for (int run = 1; run <= 3; ++run) {
        bench::ResetPeak();
        const std::int64_t rss_before = bench::ProcStatusBytes("VmRSS:");
        const double cpu0 = CpuSeconds();
        t0 = Clock::now();
        auto store = store::Store::Open(path, store::OpenMode::kMustExist);
        if (!store.ok()) Fail(store.status().ToString());
        auto svc = service::Service::Create(std::move(store).value());
        if (!svc.ok()) Fail(svc.status().ToString());
        if (Status st = (*svc)->BuildRollupIndex(); !st.ok()) Fail(st.ToString());
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        const double cpu = CpuSeconds() - cpu0;
        const std::int64_t rss_after = bench::ProcStatusBytes("VmRSS:");
        std::printf("start-up %d: open + Service::Create + BuildRollupIndex %.2f s wall, %.2f s CPU (all threads); "
                    "resident set %.0f MB -> %.0f MB (+%.1f bytes per task, the three indexes together); peak of "
                    "this start %.0f MB\n",
                    run, wall, cpu, rss_before / 1e6, rss_after / 1e6,
                    static_cast<double>(rss_after - rss_before) / static_cast<double>(tasks),
                    bench::ProcStatusBytes("VmHWM:") / 1e6);
        svc->reset();
        malloc_trim(0);
    }
}

// --into=PATH, after the starts: issue 11 item 2, the overdue and due-soon lists (GET /api/v1/queues/overdue and
// /due_soon: Service::ListQueue, the first page of 50 and the total, with the indexes built as `rectify serve`
// builds them) of the province root, the largest city and a county, five times each (median, and the slowest),
// with the store's two statements timed apart: Store::ListQueue (the page) and Store::CountQueue (the SQL count
// the total came from before the task index held deadlines: the baseline). Every answer is checked against the
// generated tasks: the total counted here from each open task's org path and deadline (DueAt), the page against
// the 50 first by (deadline, id).
void Queues(const std::string& path, const std::vector<index::OpenTaskFacts>& open, UnixSeconds now,
            const bench::GeneratedData& d, const std::vector<domain::OrgId>& owner) {
    auto store = store::Store::Open(path, store::OpenMode::kMustExist);
    if (!store.ok()) Fail(store.status().ToString());
    auto created = service::Service::Create(std::move(store).value());
    if (!created.ok()) Fail(created.status().ToString());
    service::Service& svc = **created;
    // As `rectify serve` does before it listens: the totals then come from the task index.
    if (Status st = svc.BuildRollupIndex(); !st.ok()) Fail(st.ToString());
    const service::Actor root_actor = svc.RootActor("bench");
    const UnixSeconds due_before =
        domain::DueSoonLimit(now, svc.calendar(), svc.supervision_policy().warnings.due_soon_working_days);
    // The deadline of every open task (the queues hold pending, in progress and returned tasks only).
    struct Due {
        UnixSeconds at;
        std::int64_t id;
        domain::OrgId org;
    };
    std::vector<Due> overdue, due_soon;
    for (const auto& t : open) {
        if (!t.due_at) continue;
        const Due row{*t.due_at, t.id, owner[static_cast<std::size_t>(t.id - 1)]};
        if (*t.due_at < now) overdue.push_back(row);
        else if (*t.due_at < due_before) due_soon.push_back(row);
    }
    std::printf("queues: %zu open tasks, %zu overdue and %zu due soon (before %lld) at the data's now %lld\n",
                open.size(), overdue.size(), due_soon.size(), static_cast<long long>(due_before),
                static_cast<long long>(now));
    // The subtrees: the root and the first org (lowest id: the largest, owners are skewed to low ids) of each of
    // the two levels below it (at province scale: the province, a city, a county), named by their levels.
    const std::vector<std::pair<std::string, domain::OrgId>> roots{{d.levels[0], d.orgs_by_depth[0][0]},
                                                                   {d.levels[1], d.orgs_by_depth[1][0]},
                                                                   {d.levels[2], d.orgs_by_depth[2][0]}};
    auto path_of = [&](domain::OrgId id) -> const std::string& { return d.orgs[static_cast<std::size_t>(id - 1)].path; };
    auto ms_since = [](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };
    for (const auto& [queue, rows] : {std::pair{service::WorkQueue::kOverdue, &overdue},
                                      std::pair{service::WorkQueue::kDueSoon, &due_soon}}) {
        for (const auto& [level, org] : roots) {
            const std::string& prefix = path_of(org);
            std::vector<Due> in;
            for (const auto& r : *rows) {
                if (path_of(r.org).rfind(prefix, 0) == 0) in.push_back(r);
            }
            const std::size_t first = std::min<std::size_t>(50, in.size());
            std::partial_sort(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(first), in.end(),
                              [](const Due& a, const Due& b) { return a.at != b.at ? a.at < b.at : a.id < b.id; });
            service::QueueQuery q;
            q.org_id = org;
            q.limit = 50;
            store::QueueFilter f;
            f.kind = queue == service::WorkQueue::kOverdue ? store::QueueKind::kOverdue : store::QueueKind::kDueSoon;
            f.subtree_paths = {prefix};
            f.now = now;
            f.due_before = due_before;
            f.limit = 50;
            std::vector<double> whole, list, count;
            for (int run = 0; run < 5; ++run) {
                auto t0 = Clock::now();
                auto page = svc.ListQueue(root_actor, queue, q, now);
                whole.push_back(ms_since(t0));
                if (!page.ok()) Fail(page.status().ToString());
                bool same = page->total == static_cast<std::int64_t>(in.size()) && page->items.size() == first;
                for (std::size_t i = 0; same && i < first; ++i) same = page->items[i].task->task.id == in[i].id;
                if (!same) {
                    Fail("queue " + std::string(level) + ": total " + std::to_string(page->total.value_or(-1)) +
                         " / page of " +
                         std::to_string(page->items.size()) + " against " + std::to_string(in.size()) + " generated");
                }
                t0 = Clock::now();
                if (!svc.store().ListQueue(f).ok()) Fail("Store::ListQueue");
                list.push_back(ms_since(t0));
                t0 = Clock::now();
                if (!svc.store().CountQueue(f).ok()) Fail("Store::CountQueue");
                count.push_back(ms_since(t0));
            }
            auto median = [](std::vector<double> v) {
                std::sort(v.begin(), v.end());
                return v[v.size() / 2];
            };
            std::printf("queue %-8s %-8s total %7zu (as generated), first page equal: ListQueue %.1f ms median "
                        "(max %.1f); Store::ListQueue %.1f ms, Store::CountQueue %.1f ms\n",
                        queue == service::WorkQueue::kOverdue ? "overdue" : "due_soon", level.c_str(), in.size(),
                        median(whole), *std::max_element(whole.begin(), whole.end()), median(list), median(count));
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    bench::GeneratorOptions options;
    options.scale = bench::Scale::kProvince;
    options.problems_per_org = 0;
    int tasks_per_org = 23;
    std::string db_path;
    std::string into_path;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--scale=", 0) == 0) {
            if (!bench::ParseScale(a.substr(8), options.scale)) Fail("--scale: county, city or province");
        } else if (a.rfind("--tasks-per-org=", 0) == 0) {
            tasks_per_org = std::atoi(a.c_str() + 16);
        } else if (a.rfind("--db=", 0) == 0) {
            db_path = a.substr(5);
        } else if (a.rfind("--into=", 0) == 0) {
            into_path = a.substr(7);
        } else if (a.rfind("--seed=", 0) == 0) {
            options.seed = std::strtoull(a.c_str() + 7, nullptr, 10);
        } else {
            Fail("unknown argument " + a);
        }
    }
    const bench::GeneratedData d = bench::Generate(options);
    const UnixSeconds now = d.now;
    std::vector<domain::OrgId> upper;  // orgs down to township level (depth <= 3)
    for (std::size_t depth = 0; depth < d.orgs_by_depth.size() && depth <= 3; ++depth) {
        upper.insert(upper.end(), d.orgs_by_depth[depth].begin(), d.orgs_by_depth[depth].end());
    }
    std::mt19937_64 rng(options.seed);
    const std::int64_t tasks = static_cast<std::int64_t>(d.orgs.size()) * tasks_per_org;
    std::vector<index::OpenTaskFacts> open;
    std::vector<index::StepFacts> steps;
    std::int64_t submitted = 0, closed = 0;
    std::vector<int> kind;  // per task: 0 closed, 1 submitted, 2 open (for --db)
    kind.reserve(static_cast<std::size_t>(tasks));
    std::vector<domain::OrgId> owner;  // per task (for --into)
    owner.reserve(static_cast<std::size_t>(tasks));
    for (std::int64_t id = 1; id <= tasks; ++id) {
        const domain::OrgId org = rng() % 2 == 0 ? d.orgs[rng() % d.orgs.size()].id : upper[rng() % upper.size()];
        const std::uint64_t share = rng() % 100;
        if (rng() % 100 < 5) {
            steps.push_back({static_cast<std::int64_t>(steps.size()) + 1, org,
                             now - static_cast<UnixSeconds>(rng() % (365 * kSecondsPerDay))});
        }
        kind.push_back(share < 85 ? 0 : share < 88 ? 1 : 2);
        owner.push_back(org);
        if (share < 85) {
            ++closed;
        } else if (share < 88) {
            ++submitted;
        } else {
            const bool recent = rng() % 3 == 0;
            const auto span = static_cast<std::uint64_t>((recent ? 14 : 180) * kSecondsPerDay);
            index::OpenTaskFacts t{id, org, now - static_cast<UnixSeconds>(rng() % span), std::nullopt};
            t.due_at = DueAt(id, TimesOf(id, &t, now).created);
            open.push_back(t);
        }
    }
    std::printf("tasks: %s scale, %zu orgs, %lld tasks (%lld closed, %lld submitted, %zu open), %zu supervise steps\n",
                bench::ScaleName(options.scale), d.orgs.size(), static_cast<long long>(tasks),
                static_cast<long long>(closed), static_cast<long long>(submitted), open.size(), steps.size());

    const std::int64_t heap0 = HeapInUse();
    const double cpu0 = CpuSeconds();
    const auto wall0 = Clock::now();
    auto built = index::TaskIndex::Build(d.orgs, open, steps);
    if (!built.ok()) Fail(built.status().ToString());
    const double build_wall = std::chrono::duration<double>(Clock::now() - wall0).count();
    const double build_cpu = CpuSeconds() - cpu0;
    const std::int64_t heap = HeapInUse() - heap0;
    index::TaskIndex& ix = **built;
    const index::TaskIndexMemory mem = ix.Memory();
    std::printf("build: %.2f s wall, %.2f s CPU; %lld materialised orgs, %lld block values\n", build_wall, build_cpu,
                static_cast<long long>(mem.materialised_orgs), static_cast<long long>(mem.block_values));
    std::printf(
        "memory: heap +%.1f MB (mallinfo2) = %.1f bytes/task, %.1f bytes per open task or step; "
        "estimate (Memory) %.1f MB\n",
        heap / 1e6, static_cast<double>(heap) / static_cast<double>(tasks),
        static_cast<double>(heap) / static_cast<double>(open.size() + steps.size()), mem.bytes / 1e6);

    // Queries: stalled at 14 days and supervised this (30-day) month, per level.
    const UnixSeconds before = now - 14 * kSecondsPerDay, from = now - 30 * kSecondsPerDay, to = now + 1;
    for (std::size_t depth = 0; depth < d.orgs_by_depth.size(); ++depth) {
        const auto& level = d.orgs_by_depth[depth];
        index::TaskIndex::Figures last;
        const double p50 = P50(201, [&](int i) {
            auto f = ix.Query(level[static_cast<std::size_t>(i * 7919) % level.size()], before, from, to);
            if (!f.ok()) Fail(f.status().ToString());
            last = *f;
        });
        std::printf("query %-10s p50 %8.2f us (e.g. stalled %lld, supervised %lld)\n", d.levels[depth].c_str(), p50,
                    static_cast<long long>(last.stalled), static_cast<long long>(last.supervised));
    }
    // Every child of the root and of one city: the /stats/children pattern.
    for (std::size_t depth = 0; depth < 2 && depth + 1 < d.orgs_by_depth.size(); ++depth) {
        const domain::OrgId parent = d.orgs_by_depth[depth][0];
        std::vector<domain::OrgId> children;
        for (const auto& o : d.orgs) {
            if (o.parent_id == parent) children.push_back(o.id);
        }
        const double p50 = P50(21, [&](int) {
            for (domain::OrgId c : children) {
                if (!ix.Query(c, before, from, to).ok()) Fail("children");
            }
        });
        std::printf("children of a %s (%zu): p50 %.1f us for all\n", d.levels[depth].c_str(), children.size(), p50);
    }
    // Updates: a report on an open task (its last activity moves to now), a task closing and reopening.
    const double put = P50(2001, [&](int i) {
        auto t = open[static_cast<std::size_t>(i * 104729) % open.size()];
        t.last_activity = now + i;
        if (!ix.PutOpenTask(t).ok()) Fail("put");
    });
    const double drop_put = P50(2001, [&](int i) {
        const auto& t = open[static_cast<std::size_t>(i * 7919 + 13) % open.size()];
        if (!ix.DropTask(t.id).ok() || !ix.PutOpenTask(t).ok()) Fail("drop+put");
    });
    std::printf("update: report (PutOpenTask) p50 %.2f us; DropTask + PutOpenTask p50 %.2f us\n", put, drop_put);
    // Moves: an org of each level below the root to another org of the level above, and back.
    for (std::size_t depth = 1; depth < d.orgs_by_depth.size(); ++depth) {
        const auto& level = d.orgs_by_depth[depth];
        const auto& above = d.orgs_by_depth[depth - 1];
        if (above.size() < 2) continue;
        const domain::OrgId v = level[level.size() / 3];
        domain::OrgId parent = 0;
        for (const auto& o : d.orgs) {
            if (o.id == v) parent = *o.parent_id;
        }
        const domain::OrgId other = above[0] == parent ? above[1] : above[0];
        auto s = Clock::now();
        if (!ix.MoveOrg(v, other).ok()) Fail("move");
        const double there = Micros(Clock::now() - s);
        s = Clock::now();
        if (!ix.MoveOrg(v, parent).ok()) Fail("move back");
        const double back = Micros(Clock::now() - s);
        std::printf("move a %-10s %.0f us there, %.0f us back\n", d.levels[depth].c_str(), there, back);
    }
    if (!db_path.empty()) {
        auto t0 = Clock::now();
        Load(db_path, tasks, kind, open, steps, now, d, nullptr);
        std::printf("store: wrote %lld tasks into %s in %.1f s\n", static_cast<long long>(tasks), db_path.c_str(),
                    std::chrono::duration<double>(Clock::now() - t0).count());
        auto store = store::Store::OpenSqlite(db_path, store::OpenMode::kMustExist, 1);
        if (!store.ok()) Fail(store.status().ToString());
        // Runs 1-2 read through migration 015's indexes (task_open, progress_report_task_at); then the
        // indexes of schema 14 are put back in their place (the baseline: a scan of every task, and a lookup of
        // each open task's reports by task_id) and runs 3-4 read the same rows again, in the same process.
        for (int run = 0; run < 4; ++run) {
            if (run == 2) {
                sqlite3* raw = nullptr;
                if (sqlite3_open(db_path.c_str(), &raw) != SQLITE_OK) Fail("open " + db_path);
                Exec(raw,
                     "DROP INDEX task_open; DROP INDEX progress_report_task_at; "
                     "CREATE INDEX progress_report_task ON progress_report(task_id); ANALYZE");
                sqlite3_close(raw);
                std::printf("store: migration 015's indexes dropped, schema 14's progress_report_task back\n");
            }
            store::TaskActivityFilter all;
            all.all = true;
            t0 = Clock::now();
            auto read = (*store)->ListTaskActivity(all);
            const double tasks_s = std::chrono::duration<double>(Clock::now() - t0).count();
            t0 = Clock::now();
            auto read_steps = (*store)->ListStepsAt(domain::SupervisionKind::kSupervise, {});
            const double steps_s = std::chrono::duration<double>(Clock::now() - t0).count();
            if (!read.ok() || !read_steps.ok()) Fail("store read");
            std::int64_t same = 0;
            for (std::size_t i = 0; i < read->size() && i < open.size(); ++i) {
                same += (*read)[i].id == open[i].id && (*read)[i].last_activity == open[i].last_activity;
            }
            std::printf(
                "store read %d (%s): ListTaskActivity(all) %zu rows in %.2f s (%lld match the generated open tasks "
                "and their last activity), ListStepsAt %zu rows in %.2f s\n",
                run + 1, run < 2 ? "schema 15" : "schema 14 indexes", read->size(), tasks_s, static_cast<long long>(same), read_steps->size(), steps_s);
        }
        // The root's two figures by the SQL /stats ran per request before the index, against the index (every
        // task of the store is in the root's subtree, so the counts must agree).
        const domain::OrgId root = d.orgs_by_depth[0][0];
        auto fresh = index::TaskIndex::Build(d.orgs, open, steps);  // the timings above changed `ix`
        if (!fresh.ok()) Fail(fresh.status().ToString());
        for (int run = 0; run < 2; ++run) {
            store::QueueFilter f;
            f.kind = store::QueueKind::kStalled;
            f.subtree_paths = {"/1/"};
            f.stalled_before = before;
            t0 = Clock::now();
            auto stalled = (*store)->CountQueue(f);
            const double stalled_s = std::chrono::duration<double>(Clock::now() - t0).count();
            t0 = Clock::now();
            auto supervised = (*store)->CountSupervisionSteps("/1/", domain::SupervisionKind::kSupervise, from, to);
            const double supervised_s = std::chrono::duration<double>(Clock::now() - t0).count();
            if (!stalled.ok() || !supervised.ok()) Fail("store counts");
            t0 = Clock::now();
            auto f_ix = (*fresh)->Query(root, before, from, to);
            const double ix_us = Micros(Clock::now() - t0);
            if (!f_ix.ok()) Fail("index query");
            std::printf(
                "root figures: SQL stalled %lld in %.2f s, supervised %lld in %.3f s; index %lld / %lld in %.1f us%s\n",
                static_cast<long long>(*stalled), stalled_s, static_cast<long long>(*supervised), supervised_s,
                static_cast<long long>(f_ix->stalled), static_cast<long long>(f_ix->supervised), ix_us,
                *stalled == f_ix->stalled && *supervised == f_ix->supervised ? " (equal)" : " (DIFFER)");
        }
    }
    if (!into_path.empty()) {
        StartUp(into_path, tasks, kind, open, steps, now, d, owner);
        Queues(into_path, open, now, d, owner);
    }
    return 0;
}
