// 上题下答 to 20,000 units (issue 5: "Cascading to 20,000 units is one request and one transaction, and
// finishes within seconds (measure it in bench/)"). A province's units under one issuing org, 200 counties
// of 100 townships each (20,000 townships); one parent task of the issuing org; Service::CascadeTask to every
// township (scope level township), the whole path a request takes: checks, one transaction, the cascade row,
// the child tasks by one set-based INSERT ... SELECT (store InsertCascadeChildren), one event, the commit.
//
// Baseline, measured in the same run on the same store: the same 20,000 child task rows written one
// InsertTask at a time inside one transaction — what a cascade built from per-child inserts would cost at
// the least (no events, no checks). docs/PERFORMANCE.md reports the ratio.
//
//   build/bench/bench/rectify_cascade_bench [--counties=200] [--townships=100] [--db=PATH|postgresql://...]
//   (scripts/bench cascade builds and runs it; Google Benchmark flags as usual)
// Each repetition cascades a fresh parent task (made outside the timing), so every run creates exactly
// counties × townships children; a run that creates another number aborts.
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "service/service.hpp"
#include "store/store.hpp"

namespace rectify::bench {
namespace {

using domain::OrgId;

struct World {
    int counties = 200;
    int townships = 100;  // per county
    std::string db;       // a SQLite file (default: a fresh one under /tmp) or a postgresql:// URL
    bool remove_db = false;
    std::unique_ptr<service::Service> service;
    domain::Actor root;
    domain::Actor issuer;  // clerk and reviewer over the issuing org
    OrgId issuing = 0;
    std::vector<OrgId> targets;
    domain::ProblemId problem = 0;
};
World* world = nullptr;


void Setup(int argc, char** argv) {
    world = new World;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--counties=", 0) == 0) world->counties = std::atoi(a.c_str() + 11);
        else if (a.rfind("--townships=", 0) == 0) world->townships = std::atoi(a.c_str() + 12);
        else if (a.rfind("--db=", 0) == 0) world->db = a.substr(5);
        else Fail("unknown flag " + a + " (--counties=N --townships=N --db=PATH|URL)");
    }
    if (world->counties < 1 || world->townships < 1) Fail("--counties and --townships must be at least 1");
    if (world->db.empty()) {
        world->db = "/tmp/rectify_cascade_bench_" + std::to_string(getpid()) + ".db";
        world->remove_db = true;
    }
    auto store = Must(store::Store::Open(world->db, store::OpenMode::kCreateIfMissing), "open the store");
    world->service = Must(service::Service::Create(std::move(store)), "create the service");
    service::Service& svc = *world->service;
    Must(svc.Init(domain::Actor{"bench", {}, {}, std::nullopt}, service::InitOptions{}), "init");
    world->root = svc.RootActor("bench");  // after Init: its scope is the root org Init made

    // The tree: the issuing province under the root (through the service, so that the roll-up index knows
    // the org that owns the problem), then its counties and their townships in one transaction.
    domain::Org province;
    province.parent_id = 1;
    province.name = "基准省";
    province.level = "province";
    world->issuing = Must(svc.CreateOrg(world->root, province), "create the province").id;
    Must(svc.store().Write([&](store::WriteTx& tx) -> Status {
        for (int c = 0; c < world->counties; ++c) {
            domain::Org county;
            county.parent_id = world->issuing;
            county.name = "县" + std::to_string(c);
            county.level = "county";
            RETURN_IF_ERROR(tx.InsertOrg(county));
            for (int t = 0; t < world->townships; ++t) {
                domain::Org town;
                town.parent_id = county.id;
                town.name = "镇" + std::to_string(t);
                town.level = "township";
                RETURN_IF_ERROR(tx.InsertOrg(town));
                world->targets.push_back(town.id);
            }
        }
        return Status::Ok();
    }), "insert the org tree");
    Must(svc.ReloadTree(), "reload the tree");
    world->issuer = domain::Actor{"issuer", {world->issuing}, {}, std::nullopt};
    world->issuer.grants.push_back(domain::Grant{domain::Role::kClerk, world->issuing});
    world->issuer.grants.push_back(domain::Grant{domain::Role::kReviewer, world->issuing});
    service::ProblemDraft p;
    p.title = "基层减负专项整治";
    p.owner_org_id = world->issuing;
    world->problem = Must(svc.CreateProblem(world->root, p), "create the problem").id;
}

// A fresh parent task of the issuing org (outside the timing).
domain::Task NewParent() {
    service::TaskDraft d;
    d.org_id = world->issuing;
    d.title = "清理规范各类考核评比";
    d.responsible_person = "张三";
    d.type = domain::TaskType::kTimeBound;
    d.due_at = NowSeconds() + 90 * kSecondsPerDay;
    return Must(world->service->CreateTask(world->issuer, world->problem, d), "create a parent task");
}

void BM_Cascade(benchmark::State& state) {
    const auto expected = static_cast<std::int64_t>(world->targets.size());
    for (auto _ : state) {
        state.PauseTiming();
        const domain::Task parent = NewParent();
        service::CascadeDraft d;
        d.targets.scope = domain::CascadeScope::kLevel;
        d.targets.level = "township";
        d.responsible_person = "镇长";
        state.ResumeTiming();
        auto c = world->service->CascadeTask(world->issuer, parent.id, d, std::nullopt);
        if (!c.ok() || c->created != expected) {
            state.SkipWithError(c.ok() ? "the cascade created another number of children" : c.status().message().c_str());
            return;
        }
    }
    state.counters["children"] = static_cast<double>(expected);
    state.counters["children/s"] = benchmark::Counter(static_cast<double>(expected), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_RowByRowBaseline(benchmark::State& state) {
    const auto expected = static_cast<std::int64_t>(world->targets.size());
    for (auto _ : state) {
        state.PauseTiming();
        const domain::Task parent = NewParent();
        state.ResumeTiming();
        Status s = world->service->store().Write([&](store::WriteTx& tx) -> Status {
            for (OrgId org : world->targets) {
                domain::Task child = parent;
                child.id = 0;
                child.org_id = org;
                child.created_by_org_id = parent.org_id;
                child.responsible_person = "镇长";
                child.parent_task_id = parent.id;
                child.version = 1;
                RETURN_IF_ERROR(tx.InsertTask(child));
            }
            return Status::Ok();
        });
        if (!s.ok()) {
            state.SkipWithError(s.message().c_str());
            return;
        }
    }
    state.counters["children"] = static_cast<double>(expected);
    state.counters["children/s"] = benchmark::Counter(static_cast<double>(expected), benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_Cascade)->Name("Cascade/service")->Unit(benchmark::kMillisecond)->Iterations(1)->Repetitions(5)
    ->ReportAggregatesOnly(true)->UseRealTime();
BENCHMARK(BM_RowByRowBaseline)->Name("Cascade/row-by-row-baseline")->Unit(benchmark::kMillisecond)->Iterations(1)
    ->Repetitions(5)->ReportAggregatesOnly(true)->UseRealTime();

}  // namespace
}  // namespace rectify::bench

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    rectify::bench::Setup(argc, argv);
    std::printf("cascade_bench: %zu target units (%d counties x %d townships) on %s\n", rectify::bench::world->targets.size(),
                rectify::bench::world->counties, rectify::bench::world->townships,
                rectify::store::Store::RedactPassword(rectify::bench::world->db).c_str());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    rectify::bench::world->service.reset();
    if (rectify::bench::world->remove_db) {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(rectify::bench::world->db + suffix);
    }
    return 0;
}
