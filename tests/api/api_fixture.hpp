// The fixture of the API tests against the real binary (server_test, session_test, cross_subtree_test):
// a temporary database made with `rectify init` and `rectify import orgs`, an admin user over the whole
// tree with an API token (made with the CLI), and `rectify serve --port 0` as a child process.
//
// The org tree of every test (ids in insertion order; init makes the root, id 1):
//   1 全国 (central)
//   ├─ 2 河北省 (13)
//   │  ├─ 3 石家庄市 (1301)
//   │  │  ├─ 4 长安区 (130102)
//   │  │  │  └─ 6 建北街道 (130102001)
//   │  │  └─ 5 桥西区 (130104)
//   │  └─ 7 唐山市 (1302)
//   └─ 8 山西省 (14)
// Not thread-safe.
#pragma once

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "rectify_process.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::testing {

using nlohmann::json;
namespace fs = std::filesystem;

inline constexpr const char* kOrgsCsv =
    "path,level,kind,batch,division_code\n"
    "河北省,province,party_gov_agency,1,13\n"
    "河北省/石家庄市,city,party_gov_agency,1,1301\n"
    "河北省/石家庄市/长安区,county,party_gov_agency,1,130102\n"
    "河北省/石家庄市/桥西区,county,party_gov_agency,1,130104\n"
    "河北省/石家庄市/长安区/建北街道,township,party_gov_agency,2,130102001\n"
    "河北省/唐山市,city,party_gov_agency,1,1302\n"
    "山西省,province,party_gov_agency,1,14\n";

inline constexpr const char* kCategoriesCsv =
    "一级分类,二级分类,三级分类\n"
    "环境保护,环境污染,水污染\n"
    "环境保护,环境污染,大气污染\n"
    "城乡建设,市政设施,路灯\n";

// Percent-encodes everything but unreserved characters (RFC 3986 §2.3).
inline std::string UrlEncode(const std::string& s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out += '%';
            out += kHex[c >> 4];
            out += kHex[c & 15];
        }
    }
    return out;
}

inline void WriteFile(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

inline std::vector<std::int64_t> Ids(const json& items) {
    std::vector<std::int64_t> ids;
    for (const auto& i : items) ids.push_back(i.at("id").get<std::int64_t>());
    return ids;
}

// Asserts the error shape {"error":{"code":..., "message":...}} with a non-empty message.
inline ::testing::AssertionResult IsError(const HttpResponse& r, int status, const std::string& code) {
    if (r.status != status) {
        return ::testing::AssertionFailure() << "status " << r.status << ", expected " << status << "; body " << r.body
                                             << r.error;
    }
    json j = r.Json();
    if (!j.is_object() || j.size() != 1 || !j.contains("error") || !j["error"].is_object() ||
        j["error"].size() != 2 || !j["error"].contains("code") || !j["error"].contains("message") ||
        !j["error"]["message"].is_string() || j["error"]["message"].get<std::string>().empty()) {
        return ::testing::AssertionFailure() << "not the error shape: " << r.body;
    }
    if (j["error"]["code"] != code) return ::testing::AssertionFailure() << "code " << j["error"]["code"] << " in " << r.body;
    if (r.Header("content-type") != "application/json; charset=utf-8") {
        return ::testing::AssertionFailure() << "content-type " << r.Header("content-type");
    }
    return ::testing::AssertionSuccess();
}

inline std::string Message(const HttpResponse& r) { return r.Json()["error"].value("message", ""); }

// A browser's view of a session: the session cookie ("rectify_session=...") and its CSRF token.
struct BrowserSession {
    std::string cookie;
    std::string csrf;
    // Cookie and, for unsafe methods, X-CSRF-Token.
    testing::Headers Auth(bool with_csrf = true) const {
        testing::Headers h{{"Cookie", cookie}};
        if (with_csrf) h.emplace_back("X-CSRF-Token", csrf);
        return h;
    }
};

class ApiServer : public ::testing::Test {
protected:
    virtual std::vector<std::string> ServeArgs() { return {}; }
    // Runs after the database is ready and before the server starts (e.g. to add users).
    virtual void BeforeServe() {}

    void SetUp() override {
        ASSERT_FALSE(RectifyBin().empty()) << "RECTIFY_BIN is not set (run through ctest)";
        RECTIFY_SKIP_WITHOUT_BACKEND();
        test_db_ = std::make_unique<TestDatabase>(dir_);
        ASSERT_EQ(test_db_->error(), "");
        db_ = test_db_->url();
        WriteFile(dir_.path() / "orgs.csv", kOrgsCsv);
        WriteFile(dir_.path() / "categories.csv", kCategoriesCsv);
        auto init = RunRectify(dir_.path(), {"--db", db_, "init", "--categories", dir_.File("categories.csv")});
        ASSERT_EQ(init.exit_code, 0) << init.out << init.err;
        auto import = RunRectify(dir_.path(), {"--db", db_, "import", "orgs", dir_.File("orgs.csv")});
        ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
        // Every request authenticates: an admin over the whole tree with an API token.
        token_ = MakeUserToken(dir_.path(), db_, "tester", "1", {"admin"});
        ASSERT_FALSE(token_.empty());
        BeforeServe();
        if (HasFatalFailure()) return;
        server_ = std::make_unique<ServerProcess>(dir_.path(), db_, ServeArgs());
        ASSERT_TRUE(server_->started()) << "server did not start; its log:\n" << server_->log();
    }

    // Every test ends with a clean shutdown: SIGTERM, exit code 0, and no sanitizer report in the log
    // (under RECTIFY_SANITIZE the child's ASan/UBSan/LSan reports go to its stderr).
    void TearDown() override {
        if (!server_) return;
        if (server_->started()) {
            server_->Signal(SIGTERM);
            EXPECT_EQ(server_->Wait(std::chrono::seconds(15)), std::optional<int>(0)) << "exit after SIGTERM";
        }
        const std::string log = server_->log();
        for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
            EXPECT_EQ(log.find(report), std::string::npos) << report;
        }
        if (HasFailure()) std::cerr << "server log:\n" << log << "\n";
        server_.reset();  // kills the child if it still runs
    }

    std::uint16_t port() const { return server_->port(); }
    Headers Auth(Headers more = {}) const {
        more.emplace_back("Authorization", "Bearer " + token_);
        return more;
    }
    HttpResponse Get(const std::string& target) { return Send(port(), "GET", target, "", Auth()); }
    HttpResponse Post(const std::string& target, const std::string& body) {
        return Send(port(), "POST", target, body, Auth());
    }
    HttpResponse Patch(const std::string& target, const std::string& body, const Headers& headers = {}) {
        return Send(port(), "PATCH", target, body, Auth(headers));
    }

    // Logs in over HTTP (POST /api/v1/session); on failure the session is empty (and a test failure
    // is recorded).
    BrowserSession Login(const std::string& name, const std::string& password) {
        auto r = Send(port(), "POST", "/api/v1/session", json{{"name", name}, {"password", password}}.dump());
        EXPECT_EQ(r.status, 201) << r.body;
        BrowserSession s;
        const std::string set_cookie = r.Header("set-cookie");
        s.cookie = set_cookie.substr(0, set_cookie.find(';'));
        s.csrf = r.Json().value("csrf_token", "");
        return s;
    }

    // Creates a problem and returns its id (asserting 201).
    std::int64_t CreateProblem(const std::string& title, std::int64_t org, json extra = json::object()) {
        json body = {{"title", title}, {"owner_org_id", org}};
        body.update(extra);
        auto r = Post("/api/v1/problems", body.dump());
        EXPECT_EQ(r.status, 201) << r.body;
        return r.Json().value("id", std::int64_t{0});
    }

    // The id of the category with `path` (from GET /api/v1/categories).
    std::int64_t CategoryId(const std::string& path) {
        auto r = Get("/api/v1/categories");
        EXPECT_EQ(r.status, 200) << r.body;
        const json items = r.Json()["items"];
        for (const auto& c : items) {
            if (c["path"] == path) return c["id"].get<std::int64_t>();
        }
        ADD_FAILURE() << "no category " << path << " in " << r.body;
        return 0;
    }

    TempDir dir_;  // declared first: outlives server_
    std::unique_ptr<TestDatabase> test_db_;  // a file in dir_ or a PostgreSQL database; outlives server_
    std::string db_;
    std::string token_;
    std::unique_ptr<ServerProcess> server_;
};

}  // namespace rectify::testing
