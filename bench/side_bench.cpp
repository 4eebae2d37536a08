// rectify_side_bench: the side figures of /orgs/{id}/stats (opinions, link figures, escalated_from; issue 6)
// from the side-figures index against the SQL they replace, on a generated data set in a SQLite file.
//
//   rectify_side_bench --scale=county|city|province [--seed=N] --dir=DIR [--repeats=N] [--skip-sql]
//
// Writes DIR/side.db (DIR must exist, the file must not): the generated orgs and problems (bench/generate.hpp,
// LoadSqlite), plus one opinion per problem at the problem's owner (4 in 5 replied; 1 in 7 rated 满意, 1 in 7
// 基本满意, 1 in 7 不满意), a co-owner for 1 problem in 100 (an org picked by the problem id) and an accepted
// escalation to the owner's parent for 1 problem in 200 (the owner becomes the parent). No cascades: the
// generator makes no tasks. Then, on the real store and service (Debug or Release, whichever build this is):
//   - sql:      Store::OpinionFigures + LinkFigures + EscalatedFrom of the root (what Stats ran per request
//               before), median of --repeats;
//   - index:    SideIndex::Query of the root, and of each of the root's children, median of 1,000;
//   - stats:    Service::Stats of the root as it is now (problem figures from the roll-up index, side figures
//               from the side index, stalled and supervised-this-month still SQL), median of --repeats;
//   - build:    SideIndex::Build from the store's facts (reading them not included), and Memory():
//               bytes per opinion, per link record, per org;
//   - updates:  PutOpinion replacing one opinion (median of 1,000); MoveOrg of the first org two levels below
//               the root (province: a county, city: a township) under another org one level below the root
//               and back (median of 5 pairs; each re-marks the link records touching the moved subtree).
// --skip-sql leaves out the sql and stats timings (at province scale each SQL call takes tens of seconds).
// Prints one "key=value" line per measurement.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/generate.hpp"
#include "bench/sqlite_baseline.hpp"
#include "index/side_index.hpp"
#include "service/service.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double Micros(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::micro>(b - a).count();
}

template <typename F>
double Median(int repeats, F&& f) {
    std::vector<double> t;
    for (int i = 0; i < repeats; ++i) {
        auto a = Clock::now();
        f();
        t.push_back(Micros(a, Clock::now()));
    }
    if (t.empty()) return 0.0;
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

bool Exec(sqlite3* db, const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::fprintf(stderr, "%s: %s\n", sql.c_str(), error ? error : "?");
        sqlite3_free(error);
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace rectify;
    bench::GeneratorOptions options;
    options.scale = bench::Scale::kCity;
    std::string dir;
    int repeats = 7;
    bool skip_sql = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](const char* flag) -> const char* {
            std::string f = std::string(flag) + "=";
            return a.rfind(f, 0) == 0 ? argv[i] + f.size() : nullptr;
        };
        if (const char* v = value("--scale")) {
            if (!bench::ParseScale(v, options.scale)) {
                std::fprintf(stderr, "--scale: county, city or province (not \"%s\")\n", v);
                return 1;
            }
        } else if (const char* v = value("--seed")) {
            options.seed = std::strtoull(v, nullptr, 10);
        } else if (const char* v = value("--dir")) {
            dir = v;
        } else if (a == "--skip-sql") {
            skip_sql = true;
        } else if (const char* v = value("--repeats")) {
            repeats = std::max(1, std::atoi(v));
        } else {
            std::fprintf(stderr, "unknown argument \"%s\"\n", argv[i]);
            return 1;
        }
    }
    if (dir.empty()) {
        std::fprintf(stderr, "--dir=DIR is required\n");
        return 1;
    }
    const std::string path = dir + "/side.db";
    bench::GeneratedData data = bench::Generate(options);
    if (auto s = bench::LoadSqlite(data, path); !s.ok()) {
        std::fprintf(stderr, "load %s: %s\n", path.c_str(), s.ToString().c_str());
        return 1;
    }
    const std::string orgs = std::to_string(data.orgs.size());
    {
        sqlite3* db = nullptr;
        if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) return 1;
        const bool ok =
            Exec(db, "BEGIN") &&
            Exec(db, "INSERT INTO opinion (channel, kind, status, received_at, title, text, org_id, replied_at, "
                     "satisfaction) SELECT 'phone', 'other', 'received', created_at, '意见', '意见', owner_org_id, "
                     "CASE WHEN id % 5 <> 0 THEN created_at + 86400 END, CASE id % 7 WHEN 0 THEN 'satisfied' "
                     "WHEN 1 THEN 'basically_satisfied' WHEN 2 THEN 'dissatisfied' END FROM problem") &&
            Exec(db, "INSERT INTO problem_co_owner (problem_id, org_id, added_by, added_at) SELECT id, "
                     "(id * 7919) % " + orgs + " + 1, 'bench', created_at FROM problem WHERE id % 100 = 0 AND "
                     "(id * 7919) % " + orgs + " + 1 <> owner_org_id") &&
            Exec(db, "INSERT INTO escalation (problem_id, from_org_id, to_org_id, origin_org_id, kind, reason, status, "
                     "requested_by, requested_at, decided_by, decided_at) SELECT p.id, p.owner_org_id, o.parent_id, "
                     "p.owner_org_id, 'ancestor', 'bench', 'accepted', 'bench', p.created_at, 'bench', p.created_at "
                     "FROM problem p JOIN org o ON o.id = p.owner_org_id WHERE p.id % 200 = 1 AND o.parent_id IS NOT "
                     "NULL") &&
            Exec(db, "UPDATE problem SET owner_org_id = (SELECT e.to_org_id FROM escalation e WHERE e.problem_id = "
                     "problem.id) WHERE id IN (SELECT problem_id FROM escalation)") &&
            Exec(db, "COMMIT") && Exec(db, "ANALYZE");
        sqlite3_close(db);
        if (!ok) return 1;
    }
    auto opened = store::Store::OpenSqlite(path, store::OpenMode::kMustExist);
    if (!opened.ok()) {
        std::fprintf(stderr, "open: %s\n", opened.status().ToString().c_str());
        return 1;
    }
    auto created = service::Service::Create(std::move(opened).value());
    if (!created.ok()) {
        std::fprintf(stderr, "service: %s\n", created.status().ToString().c_str());
        return 1;
    }
    auto& svc = **created;
    store::Store& st = svc.store();
    const domain::Org& root = data.orgs.front();
    const service::Actor actor = svc.RootActor("bench");

    // The facts, read once, for the index built here.
    auto ops = st.ListOpinionFacts({});
    auto problems = st.ListProblemLinks({});
    auto cascades = st.ListCascadeFacts({});
    auto all_orgs = st.ListOrgs();
    if (!ops.ok() || !problems.ok() || !cascades.ok() || !all_orgs.ok()) return 1;
    std::vector<index::OpinionFacts> of;
    for (const auto& o : *ops) of.push_back({o.id, o.org_id, o.replied, o.satisfaction});
    std::vector<index::ProblemLinkFacts> pf;
    for (const auto& p : *problems) pf.push_back({p.id, p.owner_org_id, p.co_owner_org_ids, p.escalation_origin_org_ids});
    std::vector<index::CascadeFacts> cf;
    for (const auto& c : *cascades) cf.push_back({c.id, c.org_id, c.created, c.child_task_orgs});
    std::unique_ptr<index::SideIndex> side;
    const double build_us = Median(1, [&] { side = std::move(index::SideIndex::Build(*all_orgs, of, pf, cf)).value(); });
    const index::SideIndexMemory mem = side->Memory();

    double sql_us = Median(skip_sql ? 0 : repeats, [&] {
        (void)st.OpinionFigures(root.path);
        (void)st.LinkFigures(root.path);
        (void)st.EscalatedFrom(root.path);
    });
    double index_us = Median(1000, [&] { (void)side->Query(root.id); });
    std::vector<domain::OrgId> children;
    for (const auto& o : *all_orgs) {
        if (o.parent_id == root.id) children.push_back(o.id);
    }
    double children_us = Median(1000, [&] {
        for (domain::OrgId c : children) (void)side->Query(c);
    });
    double stats_us = Median(skip_sql ? 0 : repeats, [&] { (void)svc.Stats(actor, root.id); });
    // The figures agree (a check, not a timing).
    bool same = true;
    if (!skip_sql) {
        auto sql_op = st.OpinionFigures(root.path);
        auto sql_links = st.LinkFigures(root.path);
        auto idx = side->Query(root.id);
        same = sql_op.ok() && sql_links.ok() && idx.ok() && sql_op->opinions == idx->opinions &&
               sql_op->opinions_rated == idx->opinions_rated && sql_links->co_owned == idx->co_owned &&
               sql_links->escalated_up == idx->escalated_up;
    }

    const auto link_records = mem.problem_records + mem.cascade_records;
    std::printf("scale=%s orgs=%lld opinions=%lld link_records=%lld escalated_from_entries=%lld same=%s\n",
                bench::ScaleName(options.scale), static_cast<long long>(mem.orgs),
                static_cast<long long>(mem.opinions), static_cast<long long>(link_records),
                static_cast<long long>(mem.escalated_from_entries), skip_sql ? "unchecked" : same ? "yes" : "NO");
    std::printf("memory bytes=%lld per_opinion=%.1f per_link_record=%.1f nodes_per_org=%.1f\n",
                static_cast<long long>(mem.bytes),
                mem.opinions ? static_cast<double>(mem.opinion_bytes) / static_cast<double>(mem.opinions) : 0.0,
                link_records ? static_cast<double>(mem.record_bytes) / static_cast<double>(link_records) : 0.0,
                static_cast<double>(mem.bytes - mem.opinion_bytes - mem.record_bytes) / static_cast<double>(mem.orgs));
    std::printf("build_ms=%.1f\n", build_us / 1000.0);
    {
        const auto& first = (*ops)[ops->size() / 2];
        bool flip = false;
        const double put_us = Median(1000, [&] {
            flip = !flip;
            (void)side->PutOpinion({first.id, first.org_id, flip, std::nullopt});
        });
        const domain::OrgId county = data.orgs_by_depth.size() > 2 ? data.orgs_by_depth[2].front() : 0;
        if (county != 0 && data.orgs_by_depth[1].size() > 1) {
            const domain::OrgId home = *std::find_if(data.orgs.begin(), data.orgs.end(), [&](const domain::Org& o) {
                                           return o.id == county;
                                       })->parent_id;
            const domain::OrgId away = data.orgs_by_depth[1][1] == home ? data.orgs_by_depth[1][0] : data.orgs_by_depth[1][1];
            const double move_us = Median(5, [&] {
                (void)side->MoveOrg(county, away);
                (void)side->MoveOrg(county, home);
            });
            std::printf("put_opinion_us=%.2f move_depth2_org_and_back_us=%.0f\n", put_us, move_us);
        }
    }
    std::printf("root: sql_us=%.0f index_us=%.2f ratio=%.0f\n", sql_us, index_us, sql_us / index_us);
    std::printf("children(%zu): index_us=%.2f\n", children.size(), children_us);
    std::printf("stats_root_now_us=%.0f stats_root_before_estimate_us=%.0f (now + sql - index)\n", stats_us,
                stats_us + sql_us - index_us);
    return same ? 0 : 1;
}
