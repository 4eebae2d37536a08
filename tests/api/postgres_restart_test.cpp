// PostgreSQL only: what a serving rectify does when its database restarts (requests fail with 503 while it
// is down; the next request after it is back succeeds, without restarting rectify), and the pg_dump advice
// of `backup` and `restore`. Restarts the shared test server through $RECTIFY_TEST_PG_CTL (scripts/test),
// so ctest runs these tests alone.
#include <cstdlib>
#include <thread>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

// Runs `$RECTIFY_TEST_PG_CTL <action>` (as the postgres user when this process is root); true on exit 0.
bool PgCtl(const std::string& action) {
    const char* ctl = std::getenv("RECTIFY_TEST_PG_CTL");
    if (ctl == nullptr) return false;
    std::string command = std::string(ctl) + " -w -t 30 " + action + " >/dev/null 2>&1";
    if (::geteuid() == 0) command = "runuser -u postgres -- " + command;
    return std::system(command.c_str()) == 0;
}

class PostgresServing : public ApiServer {
protected:
    void SetUp() override {
        if (!PostgresBackend()) GTEST_SKIP() << "PostgreSQL only";
        if (std::getenv("RECTIFY_TEST_PG_CTL") == nullptr) {
            GTEST_SKIP() << "RECTIFY_TEST_PG_CTL is not set (scripts/test sets it with RECTIFY_TEST_PG): the test "
                            "restarts that server";
        }
        ApiServer::SetUp();
    }
    void TearDown() override {
        // Whatever happened, leave the shared server running for the next tests.
        if (!PgCtl("status")) PgCtl("start");
        ApiServer::TearDown();
    }
};

TEST_F(PostgresServing, ADatabaseRestartGives503AndTheNextRequestAfterItWorks) {
    const std::int64_t before = CreateProblem("重启前", 4);
    ASSERT_GT(before, 0);
    ASSERT_EQ(Get("/api/v1/problems/" + std::to_string(before)).status, 200);

    ASSERT_TRUE(PgCtl("-m fast stop"));
    // Reads and writes while the database is down: 503 with the error body, never 500 or a dropped connection.
    auto read = Get("/api/v1/problems/" + std::to_string(before));
    EXPECT_EQ(read.status, 503) << read.body;
    EXPECT_EQ(read.Json()["error"].value("code", ""), "unavailable") << read.body;
    auto write = Post("/api/v1/problems", json{{"title", "停机中"}, {"owner_org_id", 4}}.dump());
    EXPECT_EQ(write.status, 503) << write.body;

    ASSERT_TRUE(PgCtl("start"));
    // The first request after the restart already works: each pooled connection is re-opened on its next use.
    auto again = Get("/api/v1/problems/" + std::to_string(before));
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.Json().value("title", ""), "重启前");
    const std::int64_t after = CreateProblem("重启后", 4);
    EXPECT_GT(after, before);
    // Every pooled connection (4) and the writer recovered: several reads in a row all answer.
    for (int i = 0; i < 8; ++i) EXPECT_EQ(Get("/api/v1/problems/" + std::to_string(after)).status, 200) << i;
}

TEST_F(PostgresServing, BackupAndRestoreNamePgDump) {
    auto backup = RunRectify(dir_.path(), {"--db", db_, "backup", dir_.File("copy.backup")});
    EXPECT_EQ(backup.exit_code, 1);
    EXPECT_NE(backup.err.find("pg_dump"), std::string::npos) << backup.err;
    auto restore = RunRectify(dir_.path(), {"--db", db_, "restore", dir_.File("orgs.csv"), "--force"});
    EXPECT_EQ(restore.exit_code, 1);
    EXPECT_NE(restore.err.find("pg_restore"), std::string::npos) << restore.err;
}

}  // namespace
}  // namespace rectify::testing
