// Durability, backup and restore (issue 4), against the real binary:
// - kill -9 of the server in the middle of concurrent writes loses no acknowledged write, and the
//   database passes PRAGMA integrity_check (WAL with synchronous=NORMAL: a commit is in the WAL file,
//   in the OS page cache, before the answer is sent; a process kill does not lose the page cache);
// - `rectify backup` while the server writes gives a consistent copy (its audit chain verifies), and
//   `rectify restore` gives a database with the same figures and a valid chain;
// - `rectify audit verify` names the first altered event, and `rectify audit export` writes a subtree.
#include <sqlite3.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

std::string Sql(const std::string& db_path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(db_path.c_str(), &db);
    std::string out;
    char* err = nullptr;
    sqlite3_exec(
        db, sql.c_str(),
        [](void* arg, int n, char** values, char**) {
            auto* o = static_cast<std::string*>(arg);
            for (int i = 0; i < n; ++i) *o += (o->empty() ? "" : "|") + std::string(values[i] ? values[i] : "NULL");
            return 0;
        },
        &out, &err);
    if (err) out = std::string("error: ") + err;
    sqlite3_free(err);
    sqlite3_close(db);
    return out;
}

class Durability : public ApiServer {
protected:
    // Writers on `threads` connections create problems until `stop`; every 201's id goes to `acked`.
    void Load(int threads, std::atomic<bool>& stop, std::set<std::int64_t>& acked, std::mutex& m,
              std::vector<std::thread>& pool) {
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&, t] {
                std::unique_ptr<Connection> c;
                for (int i = 0; !stop; ++i) {
                    if (!c || !c->connected()) c = std::make_unique<Connection>(port());
                    const std::string body =
                        json{{"title", "负载 " + std::to_string(t) + "-" + std::to_string(i)}, {"owner_org_id", 4 + t % 3}}
                            .dump();
                    auto r = c->Send("POST", "/api/v1/problems", body, Auth());
                    if (r.status == 201) {
                        std::lock_guard lock(m);
                        acked.insert(r.Json()["id"].get<std::int64_t>());
                    } else {
                        c.reset();  // the server is gone (or the write failed): reconnect or stop
                        if (stop) break;
                        std::this_thread::sleep_for(std::chrono::milliseconds(5));
                    }
                }
            });
        }
    }
};

TEST_F(Durability, KillMinusNineLosesNoAcknowledgedWrite) {
    std::atomic<bool> stop{false};
    std::set<std::int64_t> acked;
    std::mutex m;
    std::vector<std::thread> pool;
    Load(4, stop, acked, m, pool);
    // Wait until a good number of writes were acknowledged, then kill the server mid-load.
    for (int i = 0; i < 300; ++i) {
        {
            std::lock_guard lock(m);
            if (acked.size() >= 150) break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    server_->Signal(SIGKILL);
    EXPECT_EQ(server_->Wait(std::chrono::seconds(10)), std::optional<int>(-SIGKILL));
    stop = true;
    for (auto& t : pool) t.join();
    ASSERT_GE(acked.size(), 50u) << "too few writes before the kill to mean anything";

    EXPECT_EQ(Sql(db_, "PRAGMA integrity_check"), "ok");
    server_ = std::make_unique<ServerProcess>(dir_.path(), db_, ServeArgs());
    ASSERT_TRUE(server_->started()) << server_->log();
    std::size_t missing = 0;
    Connection c(port());
    for (auto id : acked) {
        auto r = c.Send("GET", "/api/v1/problems/" + std::to_string(id), "", Auth());
        if (r.status != 200) ++missing;
    }
    EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged problems";
    auto verify = RunRectify(dir_.path(), {"--db", db_, "audit", "verify"});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
    // Each acknowledged problem has its "create" event in the chain.
    EXPECT_EQ(Sql(db_, "SELECT COUNT(*) FROM problem WHERE id NOT IN (SELECT entity_id FROM event WHERE entity = "
                       "'problem' AND action = 'create')"),
              "0");
}

TEST_F(Durability, BackupWhileServingAndRestoreGiveTheSameFiguresAndAValidChain) {
    std::atomic<bool> stop{false};
    std::set<std::int64_t> acked;
    std::mutex m;
    std::vector<std::thread> pool;
    Load(3, stop, acked, m, pool);
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    const std::string hot = dir_.File("hot.backup");
    auto backup = RunRectify(dir_.path(), {"--db", db_, "backup", hot});
    stop = true;
    for (auto& t : pool) t.join();
    ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
    EXPECT_EQ(json::parse(backup.out)["integrity_check"], "ok");
    // Taken under load, the copy is one snapshot: its chain verifies and every problem has its event.
    auto hot_verify = RunRectify(dir_.path(), {"--db", hot, "audit", "verify"});
    EXPECT_EQ(hot_verify.exit_code, 0) << hot_verify.out << hot_verify.err;
    EXPECT_EQ(Sql(hot, "SELECT COUNT(*) FROM problem WHERE id NOT IN (SELECT entity_id FROM event WHERE entity = "
                       "'problem')"),
              "0");
    const auto in_copy = std::stoll(Sql(hot, "SELECT COUNT(*) FROM problem"));
    EXPECT_GT(in_copy, 0);
    EXPECT_LE(in_copy, static_cast<std::int64_t>(acked.size()) + 3);  // at most the writes in flight beyond

    // Quiet now: a second backup, restored into a new file, has the live database's figures.
    const std::string cold = dir_.File("cold.backup");
    ASSERT_EQ(RunRectify(dir_.path(), {"--db", db_, "backup", cold}).exit_code, 0);
    EXPECT_EQ(RunRectify(dir_.path(), {"--db", db_, "backup", cold}).exit_code, 1);  // never overwrites
    const std::string restored = dir_.File("restored.db");
    auto restore = RunRectify(dir_.path(), {"--db", restored, "restore", cold});
    ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
    auto live_stats = Get("/api/v1/orgs/1/stats");
    ASSERT_EQ(live_stats.status, 200);
    auto restored_stats = RunRectify(dir_.path(), {"--db", restored, "stats", "1"});
    ASSERT_EQ(restored_stats.exit_code, 0) << restored_stats.err;
    // The same figures; `at` is each answer's own instant (the two calls may fall in different seconds).
    json restored_figures = json::parse(restored_stats.out), live_figures = live_stats.Json();
    restored_figures.erase("at");
    live_figures.erase("at");
    EXPECT_EQ(restored_figures, live_figures);
    EXPECT_EQ(json::parse(restored_stats.out)["problems"], static_cast<std::int64_t>(acked.size()));
    auto live_verify = RunRectify(dir_.path(), {"--db", db_, "audit", "verify"});
    auto restored_verify = RunRectify(dir_.path(), {"--db", restored, "audit", "verify"});
    ASSERT_EQ(restored_verify.exit_code, 0) << restored_verify.out << restored_verify.err;
    EXPECT_EQ(json::parse(restored_verify.out), json::parse(live_verify.out));  // same head id and hash
    // Restoring over an existing database needs --force.
    EXPECT_EQ(RunRectify(dir_.path(), {"--db", restored, "restore", cold}).exit_code, 1);
    EXPECT_EQ(RunRectify(dir_.path(), {"--db", restored, "restore", cold, "--force"}).exit_code, 0);
}

TEST_F(Durability, RestoreRefusesABackupWhoseChainIsBroken) {
    CreateProblem("要篡改的问题", 4);
    const std::string copy = dir_.File("copy.backup");
    ASSERT_EQ(RunRectify(dir_.path(), {"--db", db_, "backup", copy}).exit_code, 0);
    ASSERT_EQ(Sql(copy, "DROP TRIGGER event_append_only_update; UPDATE event SET actor = 'someone else' WHERE id = 3"),
              "");
    auto restore = RunRectify(dir_.path(), {"--db", dir_.File("new.db"), "restore", copy});
    EXPECT_EQ(restore.exit_code, 1);
    EXPECT_NE(restore.err.find("audit chain is broken"), std::string::npos) << restore.err;
    EXPECT_FALSE(fs::exists(dir_.File("new.db")));
}

TEST_F(Durability, AuditVerifyNamesTheFirstAlteredEventAndExportWritesASubtree) {
    const auto p = CreateProblem("原来的标题", 6);
    CreateProblem("山西的问题", 8);
    auto ok = RunRectify(dir_.path(), {"--db", db_, "audit", "verify"});
    ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    const json good = json::parse(ok.out);
    EXPECT_EQ(good["ok"], true);

    auto exported = RunRectify(dir_.path(), {"--db", db_, "audit", "export", "--org", "code:130102"});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    std::set<std::int64_t> orgs;
    int problem_events = 0;
    std::istringstream lines(exported.out);
    for (std::string line; std::getline(lines, line);) {
        json e = json::parse(line);
        orgs.insert(e["org_id"].get<std::int64_t>());
        problem_events += e["entity"] == "problem";
        EXPECT_EQ(e["hash"].get<std::string>().size(), 64u);
    }
    // 长安区 (4) and 建北街道 (6): their import events and the one problem.
    EXPECT_EQ(orgs, (std::set<std::int64_t>{4, 6}));
    EXPECT_EQ(problem_events, 1);

    const std::string event_id = Sql(db_, "SELECT id FROM event WHERE entity = 'problem' AND entity_id = " +
                                              std::to_string(p));
    ASSERT_EQ(Sql(db_, "DROP TRIGGER event_append_only_update; UPDATE event SET after_json = replace(after_json, "
                       "'原来的标题', '改过的标题') WHERE id = " +
                           event_id),
              "");
    auto broken = RunRectify(dir_.path(), {"--db", db_, "audit", "verify"});
    EXPECT_EQ(broken.exit_code, 1);
    EXPECT_EQ(json::parse(broken.out)["first_broken_id"], std::stoll(event_id)) << broken.out;
    EXPECT_NE(broken.err.find("broken at event " + event_id), std::string::npos) << broken.err;
    // An anchor recorded earlier catches a log whose tail was cut and re-chained.
    auto anchored = RunRectify(dir_.path(), {"--db", db_, "audit", "verify", "--anchor",
                                             std::to_string(good["head_id"].get<std::int64_t>()) + ":" +
                                                 std::string(64, 'a')});
    EXPECT_EQ(anchored.exit_code, 1);
}

}  // namespace
}  // namespace rectify::testing
