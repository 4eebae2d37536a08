// The rectification workflow (issue 3) over HTTP against the real binary, on a real Fuzhou 12345 case.
// Each test creates a database with `rectify init`, the Fuzhou districts (`import divisions --city 3501
// --depth county` and the three held-out districts) and the whole Fuzhou 12345 file (`import opinions
// --format fz12345`), then serves it on a free loopback port.
//
// The case followed through its life: the first data row of data/fz12345/fz12345_river_complaints.csv,
//   区域 鼓楼区 (350102), 时间 2020-09-03, 标题 关于梅峰河（左海西门到博物院段）内河治理情况投诉,
//   最终回复-投诉事件 6 (days), 回复1 "您好，您的诉求已收悉，…".
// It was imported as a closed problem (created 2020-09-03T00:00:00+08:00, closed 6 days later,
// 2020-09-09T00:00:00+08:00) with one accepted opinion replied at the close (docs/DATA.md).
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http_client.hpp"
#include "rectify_process.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kCaseTitle = "关于梅峰河（左海西门到博物院段）内河治理情况投诉";

std::string UrlEncode(const std::string& s) {
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

std::string Message(const HttpResponse& r) { return r.Json()["error"].value("message", ""); }
std::string Code(const HttpResponse& r) { return r.Json()["error"].value("code", ""); }

class WorkflowApi : public ::testing::Test {
protected:
    virtual std::vector<std::string> ServeArgs() { return {}; }

    void SetUp() override {
        ASSERT_FALSE(RectifyBin().empty()) << "RECTIFY_BIN is not set (run through ctest)";
        RECTIFY_SKIP_WITHOUT_BACKEND();
        test_db_ = std::make_unique<TestDatabase>(dir_);
        ASSERT_EQ(test_db_->error(), "");
        db_ = test_db_->url();
        const fs::path data = SourceDir() / "data";
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {"init"},
                 {"import", "divisions", "--dir", (data / "divisions").string(), "--city", "3501", "--depth", "county"},
                 {"import", "orgs", (data / "orgs/fuzhou_holdout_districts.csv").string()},
                 {"import", "opinions", (data / "fz12345/fz12345_river_complaints.csv").string(), "--format", "fz12345",
                  "--org", "code:3501"}}) {
            std::vector<std::string> argv{"--db", db_, "--log-level", "warn"};
            argv.insert(argv.end(), args.begin(), args.end());
            auto r = RunRectify(dir_.path(), argv);
            ASSERT_EQ(r.exit_code, 0) << args[0] << ": " << r.out << r.err;
        }
        // Every request authenticates (issue 4): an admin over the whole tree with an API token.
        token_ = MakeUserToken(dir_.path(), db_, "tester", "1", {"admin"});
        ASSERT_FALSE(token_.empty());
        Start(ServeArgs());
    }

    void Start(const std::vector<std::string>& args) {
        server_ = std::make_unique<ServerProcess>(dir_.path(), db_, args);
        ASSERT_TRUE(server_->started()) << "server did not start; its log:\n" << server_->log();
    }

    // SIGTERM, exit 0, no sanitizer report.
    void Stop() {
        if (!server_) return;
        if (server_->started()) {
            server_->Signal(SIGTERM);
            EXPECT_EQ(server_->Wait(std::chrono::seconds(15)), std::optional<int>(0)) << "exit after SIGTERM";
        }
        const std::string log = server_->log();
        for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
            EXPECT_EQ(log.find(report), std::string::npos) << report << "\n" << log;
        }
        if (HasFailure()) std::cerr << "server log:\n" << log << "\n";
        server_.reset();
    }

    void TearDown() override { Stop(); }

    std::uint16_t port() const { return server_->port(); }
    // `more` and the bearer token of the fixture's admin (or `token`).
    Headers Auth(Headers more = {}, const std::string& token = "") const {
        more.emplace_back("Authorization", "Bearer " + (token.empty() ? token_ : token));
        return more;
    }
    // Send() of http_client.hpp as the fixture's admin.
    HttpResponse Call(const std::string& method, const std::string& target, const std::string& body = "",
                      const Headers& headers = {}) {
        return Send(port(), method, target, body, Auth(headers));
    }
    HttpResponse Get(const std::string& target) { return Call("GET", target); }
    HttpResponse Post(const std::string& target, const json& body = json::object(), const Headers& headers = {}) {
        return Call("POST", target, body.dump(), headers);
    }

    std::int64_t OrgId(const std::string& code) {
        auto r = Get("/api/v1/orgs?division_code=" + code);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.Json()["items"].at(0)["id"].get<std::int64_t>();
    }

    // The imported problem of the followed case (the only one of 鼓楼区 with that title).
    json CaseProblem() {
        const auto gulou = OrgId("350102");
        auto r = Get("/api/v1/problems?org_id=" + std::to_string(gulou) + "&limit=500");
        EXPECT_EQ(r.status, 200) << r.body;
        json found;
        int matches = 0;
        const json items = r.Json()["items"];  // a named copy: a range-for over a temporary's member dangles
        for (const auto& p : items) {
            if (p["title"] == kCaseTitle) {
                found = p;
                ++matches;
            }
        }
        EXPECT_EQ(matches, 1);
        return found;
    }

    json NewTaskBody(std::int64_t org, const std::string& title = "清理梅峰河左海西门段淤泥并复查水质") {
        return {{"org_id", org},
                {"title", title},
                {"responsible_person", "鼓楼区水利局 王工"},
                {"lead_official", "鼓楼区副区长"},
                {"type", "time_bound"},
                {"due_at", "2030-12-31T00:00:00+08:00"}};
    }

    TempDir dir_;
    std::unique_ptr<TestDatabase> test_db_;  // outlives server_
    std::string db_;
    std::string token_;  // API token of "tester", admin over the whole tree
    std::unique_ptr<ServerProcess> server_;
};

std::string PngEvidence() { return std::string("\x89PNG\r\n\x1a\n", 8) + "梅峰河清淤后现场"; }

TEST_F(WorkflowApi, ARealFuzhouCaseGoesThroughTheWholeLifeCycleAndItsTimelineShowsEveryStep) {
    json problem = CaseProblem();
    const auto pid = problem["id"].get<std::int64_t>();
    const std::string P = "/api/v1/problems/" + std::to_string(pid);
    const auto gulou = OrgId("350102");

    // As imported: closed, round 1, one opinion with the real reply.
    auto detail = Get(P);
    ASSERT_EQ(detail.status, 200) << detail.body;
    json d = detail.Json();
    EXPECT_EQ(d["status"], "closed");
    EXPECT_EQ(d["round"], 1);
    EXPECT_EQ(d["created_at"], "2020-09-03T00:00:00+08:00");
    EXPECT_EQ(d["closed_at"], "2020-09-09T00:00:00+08:00");
    EXPECT_EQ(d["next_actions"], json({"reopen"}));
    ASSERT_EQ(d["opinion_ids"].size(), 1u);
    const auto oid = d["opinion_ids"][0].get<std::int64_t>();
    const std::string O = "/api/v1/opinions/" + std::to_string(oid);
    json opinion = Get(O).Json();
    EXPECT_EQ(opinion["replied_at"], "2020-09-09T00:00:00+08:00");
    EXPECT_EQ(opinion["reply_text"].get<std::string>().rfind("您好，您的诉求已收悉", 0), 0u);

    // 不满意 with the real reply: the problem reopens in round 2.
    auto rated = Post(O + "/rating", {{"satisfaction", "dissatisfied"}, {"comment", "河水还是臭"}});
    ASSERT_EQ(rated.status, 200) << rated.body;
    d = Get(P).Json();
    EXPECT_EQ(d["status"], "registered");
    EXPECT_EQ(d["round"], 2);
    EXPECT_EQ(d["reopen_cause"], "dissatisfied_rating");
    EXPECT_EQ(d["closed_at"], nullptr);

    // plan
    auto created = Post(P + "/tasks", NewTaskBody(gulou));
    ASSERT_EQ(created.status, 201) << created.body;
    const auto tid = created.Json()["id"].get<std::int64_t>();
    const std::string T = "/api/v1/tasks/" + std::to_string(tid);
    EXPECT_EQ(created.Header("location"), T);
    EXPECT_EQ(created.Header("etag"), "\"1\"");
    EXPECT_EQ(created.Json()["round"], 2);
    EXPECT_EQ(Get(P).Json()["status"], "planned");

    // start (with the version read), progress, evidence
    auto started = Post(T + "/start", json::object(), {{"If-Match", "\"1\""}});
    ASSERT_EQ(started.status, 200) << started.body;
    EXPECT_EQ(started.Header("etag"), "\"2\"");
    EXPECT_EQ(Get(P).Json()["status"], "in_progress");
    auto report = Post(T + "/reports", {{"text", "已清淤 1.2 公里，水质待复测"}, {"percent", 60}});
    ASSERT_EQ(report.status, 201) << report.body;
    EXPECT_EQ(Get(T).Json()["progress"], 60);
    auto upload = Call("POST", T + "/evidence?filename=" + UrlEncode("清淤现场.png"), PngEvidence(),
                       {{"Content-Type", "image/png"}});
    ASSERT_EQ(upload.status, 201) << upload.body;
    json ev = upload.Json();
    // SHA-256 of the 8-byte PNG signature + "梅峰河清淤后现场" (24 bytes of UTF-8), worked out with Python's hashlib.
    EXPECT_EQ(ev["sha256"], "028bf34065f6e795aff9423651afd3fbfd02a8ddd94d944cbb11cc01f7485057");
    EXPECT_EQ(ev["size_bytes"], 32);
    EXPECT_EQ(ev["original_name"], "清淤现场.png");
    EXPECT_TRUE(fs::exists(dir_.path() / "blobs/02/028bf34065f6e795aff9423651afd3fbfd02a8ddd94d944cbb11cc01f7485057"));

    // submit -> return -> resubmit -> accept
    auto submitted = Post(T + "/submit");
    ASSERT_EQ(submitted.status, 200) << submitted.body;
    EXPECT_EQ(submitted.Json()["status"], "submitted");
    EXPECT_EQ(Get(P).Json()["status"], "pending_verification");
    auto returned = Post(T + "/return", {{"reason", "缺少水质检测报告"}});
    ASSERT_EQ(returned.status, 200) << returned.body;
    EXPECT_EQ(returned.Json()["status"], "returned");
    EXPECT_EQ(Get(P).Json()["status"], "in_progress");
    auto again = Post(T + "/submit");
    EXPECT_EQ(again.status, 409) << again.body;
    EXPECT_EQ(Code(again), "failed_precondition");
    ASSERT_EQ(Post(T + "/reports", {{"text", "补充第三方水质检测报告，氨氮达标"}, {"percent", 100}}).status, 201);
    ASSERT_EQ(Post(T + "/submit").status, 200);
    auto accepted = Post(T + "/accept", {{"comment", "现场复核合格"}});
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(accepted.Json()["status"], "accepted");
    EXPECT_EQ(Get(P).Json()["progress"], 100.0);

    // close needs the reply of this round
    auto early = Post(P + "/close");
    EXPECT_EQ(early.status, 409);
    EXPECT_EQ(Message(early), "problem " + std::to_string(pid) + " came from the public: reply to opinion " +
                                  std::to_string(oid) + " (a reply sent since the reopen) before closing it");
    ASSERT_EQ(Post(O + "/reply", {{"text", "已完成清淤并经第三方检测达标，感谢您的监督。"}}).status, 200);
    auto closed = Post(P + "/close");
    ASSERT_EQ(closed.status, 200) << closed.body;
    EXPECT_EQ(closed.Json()["status"], "closed");

    // dissatisfied again: reopen (round 3)
    ASSERT_EQ(Post(O + "/rating", {{"satisfaction", "dissatisfied"}}).status, 200);
    d = Get(P).Json();
    EXPECT_EQ(d["status"], "registered");
    EXPECT_EQ(d["round"], 3);

    // The timeline: historical dates of the import, then every step, with actor and time.
    auto timeline = Get(P + "/timeline");
    ASSERT_EQ(timeline.status, 200) << timeline.body;
    std::vector<std::string> steps;
    const json items = timeline.Json()["items"];
    for (const auto& e : items) {
        std::string step = e["entity"].get<std::string>() + " " + e["action"].get<std::string>();
        if (!e["to"].is_null() && e["entity"] == "problem" && e["action"] == "derive") step += " " + e["to"].get<std::string>();
        steps.push_back(step);
        EXPECT_FALSE(e["at"].get<std::string>().empty());
        // Imports were made by the CLI; every HTTP step by the fixture's admin over its API token (the
        // first token of the database): "<user>[token:<id>]".
        EXPECT_EQ(e["actor"], e["historical"].get<bool>() || e["action"] == "import" ? "cli" : "tester[token:1]")
            << step;
    }
    EXPECT_EQ(steps, (std::vector<std::string>{
                         "problem registered", "opinion received", "problem closed", "opinion replied",
                         "problem import", "opinion import",
                         "opinion rate", "problem reopen",
                         "task create", "problem derive planned",
                         "task start", "problem derive in_progress",
                         "task report", "task attach_evidence",
                         "task submit", "problem derive pending_verification",
                         "task return", "problem derive in_progress",
                         "task report", "task submit", "problem derive pending_verification",
                         "task accept",
                         "opinion reply", "problem close",
                         "opinion rate", "problem reopen"}));
    EXPECT_EQ(items[0]["at"], "2020-09-03T00:00:00+08:00");
    EXPECT_EQ(items[0]["historical"], true);
    EXPECT_EQ(items[2]["at"], "2020-09-09T00:00:00+08:00");
    EXPECT_EQ(items[3]["detail"]["reply_text"], opinion["reply_text"]);
    EXPECT_EQ(items[16]["reason"], "缺少水质检测报告");
    EXPECT_EQ(items[16]["from"], "submitted");
    EXPECT_EQ(items[16]["to"], "returned");
    EXPECT_EQ(items[12]["detail"]["percent"], 60);
    EXPECT_EQ(items[13]["detail"]["original_name"], "清淤现场.png");
    EXPECT_EQ(items[25]["reason"], "opinion " + std::to_string(oid) + " rated dissatisfied");
}

TEST_F(WorkflowApi, IllegalTransitionsAreConflictsListingTheAllowedNextActions) {
    json problem = CaseProblem();
    const std::string P = "/api/v1/problems/" + problem["id"].dump();
    auto plan = Post(P + "/tasks", NewTaskBody(OrgId("350102")));
    EXPECT_EQ(plan.status, 409);
    EXPECT_EQ(Message(plan), "cannot add_task a problem that is closed; allowed next actions: reopen");
    ASSERT_EQ(Post(P + "/reopen", {{"cause", "recurrence"}, {"reason", "2021 年再次发臭"}}).status, 200);
    auto created = Post(P + "/tasks", NewTaskBody(OrgId("350102")));
    ASSERT_EQ(created.status, 201) << created.body;
    auto r = Post("/api/v1/tasks/" + created.Json()["id"].dump() + "/submit");
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(Code(r), "failed_precondition");
    EXPECT_EQ(Message(r),
              "cannot submit a task that is pending; allowed next actions: start, attach_evidence, edit, "
              "request_withdrawal, decline_withdrawal, withdraw");
    auto no_reason = Post("/api/v1/tasks/" + created.Json()["id"].dump() + "/withdraw", json::object());
    EXPECT_EQ(no_reason.status, 400);
    EXPECT_EQ(Message(no_reason), "missing required field \"reason\"");
}

TEST_F(WorkflowApi, TwoUpdatesWithTheSameVersionOneWinsTheOtherIsAConflictNamingTheCurrentVersion) {
    json problem = CaseProblem();
    const std::string P = "/api/v1/problems/" + problem["id"].dump();
    ASSERT_EQ(Post(P + "/reopen", {{"cause", "supervisor_decision"}, {"reason", "督导组要求复查"}}).status, 200);
    auto created = Post(P + "/tasks", NewTaskBody(OrgId("350102")));
    ASSERT_EQ(created.status, 201);
    const std::string T = "/api/v1/tasks/" + created.Json()["id"].dump();

    // Two clerks edit the same task at once, both from version 1.
    std::vector<HttpResponse> results(2);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
        threads.emplace_back([&, i] {
            Connection c(port());
            ready.fetch_add(1);
            while (ready.load() < 2) std::this_thread::yield();
            results[i] = c.Send("PATCH", T, json{{"responsible_person", i == 0 ? "甲" : "乙"}}.dump(),
                                Auth({{"If-Match", "\"1\""}}));
        });
    }
    for (auto& t : threads) t.join();
    const int wins = (results[0].status == 200) + (results[1].status == 200);
    ASSERT_EQ(wins, 1) << results[0].status << " " << results[0].body << " / " << results[1].status << " "
                       << results[1].body;
    const HttpResponse& lost = results[0].status == 200 ? results[1] : results[0];
    const HttpResponse& won = results[0].status == 200 ? results[0] : results[1];
    EXPECT_EQ(lost.status, 409);
    EXPECT_EQ(Code(lost), "aborted");
    EXPECT_NE(Message(lost).find("the current version is 2"), std::string::npos) << Message(lost);
    EXPECT_EQ(won.Header("etag"), "\"2\"");
    json now = Get(T).Json();
    EXPECT_EQ(now["version"], 2);
    EXPECT_EQ(now["responsible_person"], won.Json()["responsible_person"]);

    // A transition with a stale If-Match is refused the same way; the problem's PATCH too.
    auto stale = Post(T + "/start", json::object(), {{"If-Match", "\"1\""}});
    EXPECT_EQ(stale.status, 409);
    EXPECT_EQ(Message(stale), "task " + created.Json()["id"].dump() +
                                  " was changed by someone else: you sent version 1, the current version is 2; reload "
                                  "and apply your change again");
    auto patch = Call("PATCH", P, json{{"title", "x"}}.dump(), {{"If-Match", "\"1\""}});
    EXPECT_EQ(patch.status, 409);
    EXPECT_EQ(Code(patch), "aborted");
}

TEST_F(WorkflowApi, ARetriedPostWithTheSameIdempotencyKeyCreatesNothingTwice) {
    json problem = CaseProblem();
    const std::string P = "/api/v1/problems/" + problem["id"].dump();
    ASSERT_EQ(Post(P + "/reopen", {{"cause", "recurrence"}, {"reason", "反弹回潮"}}).status, 200);
    const json body = NewTaskBody(OrgId("350102"));
    const Headers key = {{"Idempotency-Key", "3f1c9a1e-7b52-4d1e-9a53-c2b7f1a0e001"}};
    auto first = Post(P + "/tasks", body, key);
    ASSERT_EQ(first.status, 201) << first.body;
    auto retry = Post(P + "/tasks", body, key);
    ASSERT_EQ(retry.status, 201) << retry.body;
    EXPECT_EQ(retry.body, first.body);
    EXPECT_EQ(retry.Header("location"), first.Header("location"));
    EXPECT_EQ(retry.Header("etag"), first.Header("etag"));
    EXPECT_EQ(retry.Header("idempotent-replayed"), "true");
    EXPECT_EQ(first.Header("idempotent-replayed"), "");
    EXPECT_EQ(Get(P + "/tasks").Json()["items"].size(), 1u);

    // The same key with another body is refused; a new key creates a second task.
    json other = body;
    other["title"] = "另一项措施";
    auto misuse = Post(P + "/tasks", other, key);
    EXPECT_EQ(misuse.status, 409);
    EXPECT_EQ(Code(misuse), "already_exists");
    EXPECT_NE(Message(misuse).find("was used for a different request"), std::string::npos) << Message(misuse);
    ASSERT_EQ(Post(P + "/tasks", other, {{"Idempotency-Key", "k-2"}}).status, 201);
    EXPECT_EQ(Get(P + "/tasks").Json()["items"].size(), 2u);

    // A failed request stores nothing: the key can be used again once the request is right.
    const Headers k3 = {{"Idempotency-Key", "k-3"}};
    const std::string T = "/api/v1/tasks/" + first.Json()["id"].dump();
    EXPECT_EQ(Post(T + "/reports", {{"text", "x"}, {"percent", 10}}, k3).status, 409);  // pending: start first
    ASSERT_EQ(Post(T + "/start").status, 200);
    EXPECT_EQ(Post(T + "/reports", {{"text", "x"}, {"percent", 10}}, k3).status, 201);
    EXPECT_EQ(Post(T + "/reports", {{"text", "x"}, {"percent", 10}}, k3).status, 201);
    EXPECT_EQ(Get(T + "/reports").Json()["items"].size(), 1u);
}

class WorkflowApiSmallLimits : public WorkflowApi {
protected:
    std::vector<std::string> ServeArgs() override {
        return {"--max-body-bytes", "512", "--max-evidence-bytes", "2048", "--evidence-types",
                "text/plain,image/png,application/pdf"};
    }
};

TEST_F(WorkflowApiSmallLimits, EvidenceHasItsOwnSizeLimitAndRejectsExecutablesAndOtherTypes) {
    json problem = CaseProblem();
    const std::string P = "/api/v1/problems/" + problem["id"].dump();
    ASSERT_EQ(Post(P + "/reopen", {{"cause", "recurrence"}, {"reason", "反弹回潮"}}).status, 200);
    auto created = Post(P + "/tasks", NewTaskBody(OrgId("350102")));
    ASSERT_EQ(created.status, 201);
    const std::string E = "/api/v1/tasks/" + created.Json()["id"].dump() + "/evidence?filename=";
    auto upload = [&](const std::string& name, const std::string& type, const std::string& content) {
        return Call("POST", E + UrlEncode(name), content, {{"Content-Type", type}});
    };

    // 2,000 bytes: over the server's 512-byte body limit, within the evidence limit of this route.
    auto ok = upload("记录.txt", "text/plain; charset=utf-8", std::string(2000, 'a'));
    ASSERT_EQ(ok.status, 201) << ok.body;
    EXPECT_EQ(ok.Json()["size_bytes"], 2000);
    EXPECT_EQ(ok.Json()["content_type"], "text/plain");
    auto exactly = upload("满.txt", "text/plain", std::string(2048, 'b'));
    EXPECT_EQ(exactly.status, 201) << exactly.body;

    auto big = upload("大.txt", "text/plain", std::string(2049, 'c'));
    EXPECT_EQ(big.status, 413);
    EXPECT_EQ(Code(big), "payload_too_large");
    EXPECT_EQ(Message(big), "the evidence file is larger than the limit of 2048 bytes (rectify --max-evidence-bytes)");
    // Without valid credentials the upload route keeps the server's 512-byte limit: nobody unauthenticated
    // makes the server read an evidence-sized body.
    auto anonymous = Send(port(), "POST", E + "x.txt", std::string(2000, 'a'), {{"Content-Type", "text/plain"}});
    EXPECT_EQ(anonymous.status, 413);
    EXPECT_EQ(Message(anonymous), "the request body is larger than 512 bytes");
    auto forged = Send(port(), "POST", E + "x.txt", std::string(2000, 'a'),
                       {{"Content-Type", "text/plain"}, {"Authorization", "Bearer rct_notarealtoken"}});
    EXPECT_EQ(forged.status, 413);
    EXPECT_EQ(Send(port(), "POST", E + "x.txt", "small", {{"Content-Type", "text/plain"}}).status, 401);
    // Every other route keeps the 512-byte limit.
    auto other = Call("POST", P + "/merge", std::string(600, ' '));
    EXPECT_EQ(other.status, 413);
    EXPECT_EQ(Message(other), "the request body is larger than 512 bytes");

    auto elf = upload("a.txt", "text/plain", std::string("\x7f" "ELF\x02\x01\x01\x00", 8));
    EXPECT_EQ(elf.status, 400);
    EXPECT_EQ(Message(elf),
              "the evidence file is an ELF executable (judged by its first bytes); executables and scripts are not "
              "accepted");
    auto pe = upload("setup.pdf", "application/pdf", "MZ\x90\x00\x03");
    EXPECT_EQ(pe.status, 400);
    EXPECT_NE(Message(pe).find("Windows (PE/DOS) executable"), std::string::npos);
    auto script = upload("run.txt", "text/plain", "#!/bin/sh\necho hi\n");
    EXPECT_EQ(script.status, 400);
    EXPECT_NE(Message(script).find("a script with a #! line"), std::string::npos);
    auto html = upload("a.html", "text/html", "<p>hi</p>");
    EXPECT_EQ(html.status, 400);
    EXPECT_EQ(Message(html),
              "Content-Type text/html is not accepted as evidence (allowed: text/plain, image/png, application/pdf)");
    auto fake = upload("a.png", "image/png", "not a png");
    EXPECT_EQ(fake.status, 400);
    auto unnamed = Call("POST", "/api/v1/tasks/" + created.Json()["id"].dump() + "/evidence", "x",
                        {{"Content-Type", "text/plain"}});
    EXPECT_EQ(unnamed.status, 400);
    EXPECT_NE(Message(unnamed).find("\"filename\" is required"), std::string::npos);
    EXPECT_EQ(Get("/api/v1/tasks/" + created.Json()["id"].dump() + "/evidence").Json()["items"].size(), 2u);
}

TEST_F(WorkflowApi, EvidenceIsDownloadedWithinScopeOnly) {
    // A task of 台江区 (350103) with a file, made as the root actor.
    const auto taijiang = OrgId("350103");
    json p = Post("/api/v1/problems", {{"title", "台江区内河垃圾"}, {"owner_org_id", taijiang}}).Json();
    const std::string P = "/api/v1/problems/" + p["id"].dump();
    auto created = Post(P + "/tasks", NewTaskBody(taijiang, "打捞漂浮垃圾"));
    ASSERT_EQ(created.status, 201) << created.body;
    auto up = Call("POST", "/api/v1/tasks/" + created.Json()["id"].dump() + "/evidence?filename=" +
                                       UrlEncode("打捞记录.txt"),
                   "6 月 3 日打捞 2 吨", {{"Content-Type", "text/plain"}});
    ASSERT_EQ(up.status, 201) << up.body;
    const std::string C = "/api/v1/evidence/" + up.Json()["id"].dump() + "/content";
    auto mine = Get(C);
    ASSERT_EQ(mine.status, 200) << mine.body;
    EXPECT_EQ(mine.body, "6 月 3 日打捞 2 吨");
    EXPECT_EQ(mine.Header("content-type"), "text/plain");
    EXPECT_EQ(mine.Header("content-disposition"),
              "attachment; filename=\"evidence-" + up.Json()["id"].dump() +
                  "\"; filename*=UTF-8''%E6%89%93%E6%8D%9E%E8%AE%B0%E5%BD%95.txt");
    EXPECT_EQ(mine.Header("x-content-type-options"), "nosniff");

    // A user whose grants are over 鼓楼区 (350102) only sees neither the file nor its metadata
    // (made with the CLI while the server is stopped, as the database is the server's while it runs).
    Stop();
    const std::string gulou = MakeUserToken(dir_.path(), db_, "gulou", "code:350102", {"admin"});
    ASSERT_FALSE(gulou.empty());
    Start(ServeArgs());
    auto outside = Send(port(), "GET", C, "", Auth({}, gulou));
    EXPECT_EQ(outside.status, 404);
    EXPECT_EQ(Code(outside), "not_found");
    EXPECT_EQ(Send(port(), "GET", "/api/v1/evidence/" + up.Json()["id"].dump(), "", Auth({}, gulou)).status, 404);
    EXPECT_EQ(Send(port(), "GET", "/api/v1/tasks/" + created.Json()["id"].dump(), "", Auth({}, gulou)).status, 404);
    // Without credentials: 401 on the workflow routes too.
    EXPECT_EQ(Send(port(), "GET", C).status, 401);
}

TEST_F(WorkflowApi, OpinionsMeetingsAndMechanismsOverHttp) {
    const auto gulou = OrgId("350102");
    // A new opinion with the text of a real case becomes a problem; another is declined.
    json op = Post("/api/v1/opinions", {{"channel", "web"},
                                        {"kind", "complaint"},
                                        {"title", "梅峰河又有异味"},
                                        {"text", "左海西门段河水又开始发臭"},
                                        {"org_id", gulou}})
                  .Json();
    auto acc = Post("/api/v1/opinions/" + op["id"].dump() + "/accept", json::object(), {{"If-Match", "\"1\""}});
    ASSERT_EQ(acc.status, 200) << acc.body;
    EXPECT_EQ(acc.Json()["created_problem"], true);
    EXPECT_EQ(acc.Json()["problem"]["source"], "public_opinion");
    EXPECT_EQ(acc.Json()["opinion"]["status"], "accepted");
    EXPECT_EQ(acc.Header("etag"), "\"2\"");
    json op2 = Post("/api/v1/opinions", {{"channel", "phone"}, {"title", "咨询社保"}, {"org_id", gulou}}).Json();
    auto dec = Post("/api/v1/opinions/" + op2["id"].dump() + "/decline", {{"reason", "不属于本热线受理范围"}});
    ASSERT_EQ(dec.status, 200) << dec.body;
    EXPECT_EQ(dec.Json()["status"], "declined");

    // A 民主生活会 finding becomes a problem with source meeting in one step.
    auto m = Post("/api/v1/meetings", {{"org_id", gulou},
                                       {"kind", "democratic_life"},
                                       {"title", "区水利局专题民主生活会"},
                                       {"held_at", "2020-10-15T09:00:00+08:00"},
                                       {"attendees", 11},
                                       {"findings", json::array({"内河巡查流于形式"})}});
    ASSERT_EQ(m.status, 201) << m.body;
    const std::string M = "/api/v1/meetings/" + m.Json()["id"].dump();
    const auto finding = m.Json()["findings"][0]["id"].dump();
    auto fp = Post(M + "/findings/" + finding + "/problem");
    ASSERT_EQ(fp.status, 201) << fp.body;
    EXPECT_EQ(fp.Json()["source"], "meeting");
    EXPECT_EQ(fp.Json()["title"], "内河巡查流于形式");
    EXPECT_EQ(Get(M).Json()["findings"][0]["problem_id"], fp.Json()["id"]);
    EXPECT_EQ(Post(M + "/findings/" + finding + "/problem").status, 409);

    // A mechanism linked to that problem.
    auto mech = Post("/api/v1/mechanisms", {{"org_id", gulou},
                                            {"title", "内河巡查日报制度"},
                                            {"text", "河长每日巡查并上报"},
                                            {"problem_ids", json::array({fp.Json()["id"]})}});
    ASSERT_EQ(mech.status, 201) << mech.body;
    auto listed = Get("/api/v1/mechanisms?problem_id=" + fp.Json()["id"].dump());
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(listed.Json()["items"].size(), 1u);
    auto unlink = Call("DELETE",
                       "/api/v1/mechanisms/" + mech.Json()["id"].dump() + "/problems/" + fp.Json()["id"].dump());
    ASSERT_EQ(unlink.status, 200) << unlink.body;
    EXPECT_EQ(unlink.Json()["problem_ids"], json::array());
}

}  // namespace
}  // namespace rectify::testing
