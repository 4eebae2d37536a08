// A fresh database per test on the backend the run asks for: RECTIFY_TEST_BACKEND=postgresql (set by the
// ctest registrations with the "pg." prefix) selects PostgreSQL at $RECTIFY_TEST_PG (a server URL such as
// postgresql://postgres@127.0.0.1:55432/postgres, which scripts/test starts); anything else SQLite in a
// temporary directory. Used by the store and API suites. Not thread-safe (one per test).
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <string>

#include "test_util.hpp"

namespace rectify::testing {

// Whether this run is the PostgreSQL variant of a suite.
inline bool PostgresBackend() {
    const char* b = std::getenv("RECTIFY_TEST_BACKEND");
    return b != nullptr && std::string(b) == "postgresql";
}

// Why the PostgreSQL variant cannot run ("" when it can, or on SQLite).
inline std::string PostgresSkipReason() {
    if (!PostgresBackend()) return "";
    const char* url = std::getenv("RECTIFY_TEST_PG");
    if (url == nullptr || *url == '\0') {
        return "RECTIFY_TEST_PG is not set: set it to a PostgreSQL 15 server URL "
               "(postgresql://postgres@127.0.0.1:55432/postgres; scripts/test starts one) to run the PostgreSQL "
               "variant";
    }
    return "";
}

// Skips the current test (from SetUp or a test body) when the PostgreSQL variant cannot run.
#define RECTIFY_SKIP_WITHOUT_BACKEND()                                                   \
    do {                                                                                 \
        if (std::string reason = ::rectify::testing::PostgresSkipReason(); !reason.empty()) \
            GTEST_SKIP() << reason;                                                      \
    } while (0)

// Skips the current test on PostgreSQL: for tests of SQLite-only features (files, PRAGMAs, backups).
#define RECTIFY_SQLITE_ONLY(why)                                                          \
    do {                                                                                  \
        if (::rectify::testing::PostgresBackend()) GTEST_SKIP() << "SQLite only: " << why; \
    } while (0)

// The layout parameter the PostgreSQL variants add to every test database URL: "rectify_layout=partitioned"
// when RECTIFY_TEST_PG_LAYOUT=partitioned (scripts/test's partitioned pass, docs/SCALING.md
// "Partitioning"), else "".
inline std::string LayoutParameter() {
    const char* layout = std::getenv("RECTIFY_TEST_PG_LAYOUT");
    return layout != nullptr && std::string(layout) == "partitioned" ? "rectify_layout=partitioned" : "";
}

// `url` without rectify's own URL parameter (rectify_layout=...), as libpq takes it.
inline std::string LibpqUrl(std::string url) {
    for (std::size_t at; (at = url.find("rectify_layout=")) != std::string::npos;) {
        std::size_t end = url.find('&', at);
        end = end == std::string::npos ? url.size() : end + 1;
        url.erase(at, end - at);
    }
    while (!url.empty() && (url.back() == '?' || url.back() == '&')) url.pop_back();
    return url;
}

// Runs one SQL command on PostgreSQL at `url`; "" or the error message.
inline std::string PgExec(const std::string& url, const std::string& sql) {
    PGconn* c = PQconnectdb(LibpqUrl(url).c_str());
    std::string error;
    if (PQstatus(c) != CONNECTION_OK) {
        error = PQerrorMessage(c);
    } else {
        PGresult* r = PQexec(c, sql.c_str());
        if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) error = PQerrorMessage(c);
        PQclear(r);
    }
    PQfinish(c);
    return error;
}

// `server_url` with its database name replaced by `dbname`.
inline std::string WithDatabase(const std::string& server_url, const std::string& dbname) {
    std::size_t scheme = server_url.find("://");
    std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
    std::size_t query = server_url.find('?', start);
    std::string base = server_url.substr(0, query);
    std::string params = query == std::string::npos ? "" : server_url.substr(query);
    std::size_t slash = base.find('/', start);
    if (slash != std::string::npos) base.resize(slash);
    return base + "/" + dbname + params;
}

// One database: on SQLite the file `dir`/`file_name` (not created here); on PostgreSQL a new database
// rectify_t_<pid>_<n>_<random> on $RECTIFY_TEST_PG, dropped (WITH (FORCE)) when the object goes away.
// error() is non-empty when CREATE DATABASE failed.
class TestDatabase {
public:
    explicit TestDatabase(const TempDir& dir, const std::string& file_name = "r.db") {
        if (!PostgresBackend() || !PostgresSkipReason().empty()) {
            url_ = dir.File(file_name);
            return;
        }
        static std::atomic<int> counter{0};
        std::random_device rd;
        name_ = "rectify_t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" +
                std::to_string(rd() % 1000000);
        server_ = std::getenv("RECTIFY_TEST_PG");
        error_ = PgExec(server_, "CREATE DATABASE " + name_);
        url_ = WithDatabase(server_, name_);
        if (const std::string layout = LayoutParameter(); !layout.empty()) {
            url_ += (url_.find('?') == std::string::npos ? "?" : "&") + layout;
        }
    }
    ~TestDatabase() {
        if (!name_.empty()) PgExec(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;

    // What --db and Store::Open take: the SQLite file path or the postgresql:// URL.
    const std::string& url() const { return url_; }
    const std::string& error() const { return error_; }
    bool postgres() const { return !name_.empty(); }

private:
    std::string url_, name_, server_, error_;
};

}  // namespace rectify::testing
