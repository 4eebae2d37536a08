// Ledger export (台账) of up to 1,000,000 problems (issue 11 item 8): Service::ExportLedger of the problem list
// of one subtree as XLSX (libxlsxwriter, constant_memory mode) and as CSV, with the rows/s and the peak
// resident memory each adds, at growing sizes of the same subtree, against a baseline measured in the same
// run: one SQLite scan of the same problems joined with their owner names, written with the same CSV quoting
// (the floor any export pays).
//
//   build/bench/bench/rectify_ledger_bench [--rows=100000,300000,1000000] [--repeats=3] [--db=PATH]
//   (scripts/bench ledger builds and runs it)
//
// Data: a fresh SQLite store (Service::Init), one county under the root with 100 townships; problems are
// added through the store's bulk insert (Store::Write + InsertProblems) up to each size in turn, owned
// round-robin by the townships and the county, every 4th with one task (the ledger's 整改措施/责任人 columns
// come from tasks, fetched per page). Times are wall-clock medians of `repeats` exports; "peak MB" is the
// largest rise of the resident set's high-water mark (VmHWM, reset through /proc/self/clear_refs) over the
// resident set at the start of an export; the XLSX file size is reported too. An export whose row count is not
// the number of problems aborts the run.
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_util.hpp"
#include "common/csv.hpp"
#include "common/text.hpp"
#include "service/ledger.hpp"
#include "service/service.hpp"
#include "store/store.hpp"

namespace rectify::bench {
namespace {


struct Sample {
    double seconds = 0;
    double peak_mb = 0;
};

// Runs `fn` (returns the rows written) `repeats` times; median seconds and the largest peak rise.
Sample Time(int repeats, std::int64_t expected, const char* what, const std::function<std::int64_t()>& fn) {
    std::vector<double> secs;
    double peak = 0;
    for (int i = 0; i < repeats; ++i) {
        ResetPeak();
        const std::int64_t rss0 = ProcStatusBytes("VmRSS:");
        const auto t0 = std::chrono::steady_clock::now();
        const std::int64_t rows = fn();
        const auto t1 = std::chrono::steady_clock::now();
        if (rows != expected) {
            Fail(std::string(what) + ": wrote " + std::to_string(rows) + " rows, expected " + std::to_string(expected));
        }
        secs.push_back(std::chrono::duration<double>(t1 - t0).count());
        peak = std::max(peak, static_cast<double>(ProcStatusBytes("VmHWM:") - rss0) / 1e6);
    }
    std::sort(secs.begin(), secs.end());
    return {secs[secs.size() / 2], peak};
}

}  // namespace
}  // namespace rectify::bench

int main(int argc, char** argv) {
    using namespace rectify;
    using namespace rectify::bench;
    std::vector<std::int64_t> sizes = {100'000, 300'000, 1'000'000};
    int repeats = 3;
    std::string db;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--rows=", 0) == 0) {
            sizes.clear();
            std::stringstream in(a.substr(7));
            for (std::string n; std::getline(in, n, ',');) sizes.push_back(std::atoll(n.c_str()));
        } else if (a.rfind("--repeats=", 0) == 0) {
            repeats = std::atoi(a.c_str() + 10);
        } else if (a.rfind("--db=", 0) == 0) {
            db = a.substr(5);
        } else {
            Fail("unknown flag " + a + " (--rows=N,N,... --repeats=N --db=PATH)");
        }
    }
    std::sort(sizes.begin(), sizes.end());
    if (sizes.empty() || sizes.front() < 1 || repeats < 1) Fail("--rows must be positive sizes, --repeats >= 1");
    const bool remove_db = db.empty();
    if (db.empty()) db = "/tmp/rectify_ledger_bench_" + std::to_string(getpid()) + ".db";
    const std::string xlsx = db + ".xlsx";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);

    auto store = Must(store::Store::Open(db, store::OpenMode::kCreateIfMissing), "open the store");
    auto svc = Must(service::Service::Create(std::move(store)), "create the service");
    Must(svc->Init(domain::Actor{"bench", {}, {}, std::nullopt}, service::InitOptions{}), "init");
    // As `rectify serve` does at start: the lists' plan hint (docs/PERFORMANCE.md#list-walk) asks the index.
    Must(svc->BuildRollupIndex(), "build the roll-up index");
    const domain::Actor root = svc->RootActor("bench");
    domain::Org county;
    county.parent_id = 1;
    county.name = "基准县";
    county.level = "county";
    county = Must(svc->CreateOrg(root, county), "create the county");
    std::vector<domain::OrgId> owners = {county.id};
    Must(svc->store().Write([&](store::WriteTx& tx) -> Status {
        for (int t = 0; t < 100; ++t) {
            domain::Org town;
            town.parent_id = county.id;
            town.name = "乡镇" + std::to_string(t);
            town.level = "township";
            RETURN_IF_ERROR(tx.InsertOrg(town));
            owners.push_back(town.id);
        }
        return Status::Ok();
    }), "insert the townships");
    Must(svc->ReloadTree(), "reload the tree");
    const std::string path = Must(svc->store().GetOrg(county.id), "read the county").path;

    std::printf("ledger_bench: one county with 100 townships, SQLite %s, median of %d exports per row\n", db.c_str(),
                repeats);
    std::printf("%9s %12s %9s %12s %9s %9s %12s %9s %11s %11s\n", "rows", "xlsx rows/s", "xlsx MB", "csv rows/s",
                "csv MB", "xlsx file", "base rows/s", "base MB", "base/xlsx", "base/csv");
    std::printf("%9s %12s %9s %12s %9s %9s %12s %9s %11s %11s\n", "", "", "peak", "", "peak", "MB", "", "peak", "",
                "");
    std::int64_t stored = 0;
    const UnixSeconds t0 = 1'600'000'000;
    for (const std::int64_t size : sizes) {
        // Add problems up to `size`, 50,000 per transaction.
        while (stored < size) {
            const std::int64_t n = std::min<std::int64_t>(50'000, size - stored);
            Must(svc->store().Write([&](store::WriteTx& tx) -> Status {
                std::vector<domain::Problem> problems(static_cast<std::size_t>(n));
                for (std::int64_t k = 0; k < n; ++k) {
                    const std::int64_t i = stored + k;
                    domain::Problem& p = problems[static_cast<std::size_t>(k)];
                    p.title = "问题 " + std::to_string(i);
                    p.description = "群众反映的第 " + std::to_string(i) + " 个问题，需要按期整改到位";
                    p.owner_org_id = owners[static_cast<std::size_t>(i) % owners.size()];
                    p.created_at = t0 + i * 60;
                    p.updated_at = p.created_at;
                    p.due_at = p.created_at + 30 * kSecondsPerDay;
                    if (i % 3 == 0) {
                        p.status = domain::ProblemStatus::kClosed;
                        p.closed_at = p.created_at + 20 * kSecondsPerDay;
                    }
                }
                RETURN_IF_ERROR(tx.InsertProblems(problems));
                for (std::int64_t k = 0; k < n; k += 4) {
                    const domain::Problem& p = problems[static_cast<std::size_t>(k)];
                    domain::Task t;
                    t.problem_id = p.id;
                    t.org_id = p.owner_org_id;
                    t.created_by_org_id = p.owner_org_id;
                    t.title = "整改措施 " + std::to_string(p.id);
                    t.responsible_person = "责任人" + std::to_string(p.id % 50);
                    t.due_at = p.due_at;
                    t.created_at = p.created_at;
                    t.updated_at = p.created_at;
                    t.round = p.round;
                    RETURN_IF_ERROR(tx.InsertTask(t));
                }
                return Status::Ok();
            }), "insert problems");
            stored += n;
        }

        service::ProblemQuery filter;
        filter.org_id = county.id;
        const Sample x = Time(repeats, size, "xlsx", [&]() -> std::int64_t {
            auto sink = service::MakeXlsxLedgerSink(xlsx);
            auto rows = svc->ExportLedger(root, service::LedgerList::kProblems, filter, *sink);
            return rows.ok() ? *rows : -1;
        });
        const double xlsx_mb = static_cast<double>(std::filesystem::file_size(xlsx)) / 1e6;
        const Sample c = Time(repeats, size, "csv", [&]() -> std::int64_t {
            CountingBuf buf;
            std::ostream out(&buf);
            auto sink = service::MakeCsvLedgerSink(out);
            auto rows = svc->ExportLedger(root, service::LedgerList::kProblems, filter, *sink);
            return rows.ok() ? *rows : -1;
        });
        const Sample b = Time(repeats, size, "baseline", [&]() { return RawLedgerScan(db, path); });
        const double rows = static_cast<double>(size);
        std::printf("%9lld %12.0f %9.1f %12.0f %9.1f %9.1f %12.0f %9.1f %11.1f %11.1f\n", static_cast<long long>(size),
                    rows / x.seconds, x.peak_mb, rows / c.seconds, c.peak_mb, xlsx_mb, rows / b.seconds, b.peak_mb,
                    x.seconds / b.seconds, c.seconds / b.seconds);
        std::fflush(stdout);
    }
    std::printf("resident set at the end: %.1f MB (VmRSS)\n", static_cast<double>(ProcStatusBytes("VmRSS:")) / 1e6);
    svc.reset();
    std::filesystem::remove(xlsx);
    if (remove_db) {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
    }
    return 0;
}
