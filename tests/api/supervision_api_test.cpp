// Supervision (issue 8) over HTTP against the real binary, on the real Fuzhou org tree with the real
// Fuzhou 12345 river complaints (data/fz12345: 835 cases, each closed): a bulletin (通报) of 福州市's
// districts for 2016–2020 whose figures are the file's (仓山区 511 cases, 晋安区 156, 台江区 122, 鼓楼区 41,
// 马尾区 5; 771 of the 835 answered within the 15-day deadline, see docs/DATA.md), its XLSX, CSV and
// printable HTML exports; a manual urge by the city's supervisor and the work queues.
#include <signal.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "http_client.hpp"
#include "rectify_process.hpp"
#include "test_db.hpp"
#include "test_util.hpp"

namespace rectify::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

class SupervisionApi : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(RectifyBin().empty()) << "RECTIFY_BIN is not set (run through ctest)";
        ASSERT_TRUE(SetDisplayZone("Asia/Shanghai").ok());  // the server's default zone
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
        admin_ = MakeUserToken(dir_.path(), db_, "tester", "1", {"admin"});
        city_ = MakeUserToken(dir_.path(), db_, "fuzhou.supervisor", "code:3501", {"supervisor", "verifier"});
        gulou_ = MakeUserToken(dir_.path(), db_, "gulou.clerk", "code:350102", {"clerk", "reviewer", "supervisor"});
        for (const auto* t : {&admin_, &city_, &gulou_}) ASSERT_FALSE(t->empty());
        server_ = std::make_unique<ServerProcess>(dir_.path(), db_, std::vector<std::string>{});
        ASSERT_TRUE(server_->started()) << "server did not start; its log:\n" << server_->log();
    }

    void TearDown() override {
        if (!server_) return;
        if (server_->started()) {
            server_->Signal(SIGTERM);
            EXPECT_EQ(server_->Wait(std::chrono::seconds(15)), std::optional<int>(0)) << "exit after SIGTERM";
        }
        const std::string log = server_->log();
        for (const char* report : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"}) {
            EXPECT_EQ(log.find(report), std::string::npos) << report << "\n" << log;
        }
        server_.reset();
    }

    HttpResponse Call(const std::string& token, const std::string& method, const std::string& target,
                      const std::string& body = "") {
        return Send(server_->port(), method, target, body,
                    {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
    }
    std::int64_t OrgId(const std::string& code) {
        auto r = Call(admin_, "GET", "/api/v1/orgs?division_code=" + code);
        EXPECT_EQ(r.status, 200) << r.body;
        return r.Json()["items"].at(0)["id"].get<std::int64_t>();
    }

    TempDir dir_;
    std::unique_ptr<TestDatabase> test_db_;  // outlives server_
    std::string db_, admin_, city_, gulou_;
    std::unique_ptr<ServerProcess> server_;
};

// "+08:00" in a query string must be sent as %2B08:00 ("+" would read as a space).
std::string EscapePlus(std::string target) {
    for (std::size_t i = target.find('+'); i != std::string::npos; i = target.find('+', i + 3)) {
        target.replace(i, 1, "%2B");
    }
    return target;
}

TEST_F(SupervisionApi, ABulletinOfFuzhouFromTheReal12345Cases) {
    const std::int64_t fuzhou = OrgId("3501");
    const json draft{{"org_id", fuzhou},
                     {"title", "2016—2020年河道投诉办理情况通报 <第1期>"},
                     {"period_from", "2016-01-01"},
                     {"period_to", "2021-01-01"},
                     {"min_sample", 10}};
    // A district's supervisor cannot publish over the city (outside its scope).
    EXPECT_EQ(Call(gulou_, "POST", "/api/v1/bulletins", draft.dump()).status, 404);
    auto created = Call(city_, "POST", "/api/v1/bulletins", draft.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    const json b = created.Json();
    EXPECT_EQ(created.Header("location"), "/api/v1/bulletins/" + std::to_string(b["id"].get<std::int64_t>()));
    std::map<std::string, json> rows;
    for (const auto& r : b["rows"]) rows[r["org_name"]] = r;
    EXPECT_EQ(rows.size(), 12u);  // every county-level org of 福州市
    EXPECT_EQ(rows["仓山区"]["problems"], 511);
    EXPECT_EQ(rows["晋安区"]["problems"], 156);
    EXPECT_EQ(rows["台江区"]["problems"], 122);
    EXPECT_EQ(rows["鼓楼区"]["problems"], 41);
    EXPECT_EQ(rows["马尾区"]["problems"], 5);
    EXPECT_TRUE(rows["马尾区"]["rank"].is_null());  // 5 < 10: 样本不足
    EXPECT_EQ(b["total"]["problems"], 835);
    EXPECT_EQ(b["total"]["closed"], 835);
    EXPECT_EQ(b["total"]["closed_on_time"]["numerator"], 771);
    EXPECT_EQ(b["total"]["closed_on_time"]["denominator"], 835);
    // Ranked rows come first; with every case closed, on-time rate decides, best first.
    double last_rate = 2;
    int ranked = 0;
    for (const auto& r : b["rows"]) {
        if (r["rank"].is_null()) continue;
        ++ranked;
        const double rate = r["closed_on_time"]["rate"].get<double>();
        EXPECT_LE(rate, last_rate) << r.dump();
        last_rate = rate;
    }
    EXPECT_EQ(ranked, 4);

    const std::string id = std::to_string(b["id"].get<std::int64_t>());
    auto xlsx = Call(city_, "GET", "/api/v1/bulletins/" + id + "/export");
    ASSERT_EQ(xlsx.status, 200) << xlsx.body;
    EXPECT_EQ(xlsx.body.substr(0, 2), "PK");  // a ZIP container (XLSX)
    auto csv = Call(city_, "GET", "/api/v1/bulletins/" + id + "/export?format=csv");
    ASSERT_EQ(csv.status, 200);
    EXPECT_EQ(csv.body.substr(0, 3), "\xEF\xBB\xBF");
    EXPECT_NE(csv.body.find("排名,单位,问题数,已办结,办结率,按期办结率,逾期,满意率,督办数"), std::string::npos) << csv.body;
    EXPECT_NE(csv.body.find("仓山区,511,511,100.0%"), std::string::npos) << csv.body;
    auto html = Call(city_, "GET", "/api/v1/bulletins/" + id + "/export?format=html");
    ASSERT_EQ(html.status, 200);
    EXPECT_NE(html.Header("content-type").find("text/html"), std::string::npos);
    EXPECT_NE(html.body.find("&lt;第1期&gt;"), std::string::npos);  // the title, escaped
    EXPECT_EQ(html.body.find("<第1期>"), std::string::npos);
    EXPECT_EQ(Call(city_, "GET", "/api/v1/bulletins/" + id + "/export?format=pdf").status, 400);

    auto list = Call(city_, "GET", "/api/v1/bulletins?org_id=" + std::to_string(fuzhou));
    ASSERT_EQ(list.status, 200);
    ASSERT_EQ(list.Json()["items"].size(), 1u);
    EXPECT_FALSE(list.Json()["items"][0].contains("rows"));  // the list is summaries
}

// The response, resolution and satisfaction rates (docs/SUPERVISION.md#opinion-rates) of the 835 real
// Fuzhou cases: imported with the default 15-day deadline (--due-days), each answered and closed, so
// the response rate is the share answered within 15 days — 771 of 835 in docs/DATA.md's table, worked
// out from the file — and every case is resolved; nobody rated them.
TEST_F(SupervisionApi, OpinionRatesOfTheReal12345Cases) {
    const std::int64_t fuzhou = OrgId("3501");
    const std::string period = "?from=2016-01-01&to=2021-01-01";
    EXPECT_EQ(Call(gulou_, "GET", "/api/v1/orgs/" + std::to_string(fuzhou) + "/opinion-rates" + period).status, 404);
    auto r = Call(city_, "GET", "/api/v1/orgs/" + std::to_string(fuzhou) + "/opinion-rates" + period);
    ASSERT_EQ(r.status, 200) << r.body;
    const json j = r.Json();
    EXPECT_EQ(j["limits"], "emergency=2h,utility=24h,general=7d,complex=15d");
    EXPECT_EQ(j["total"]["received"], 835);
    EXPECT_EQ(j["total"]["due"], 835);
    EXPECT_EQ(j["total"]["overdue"], 0);
    EXPECT_EQ(j["total"]["response"]["numerator"], 771);
    EXPECT_EQ(j["total"]["response"]["denominator"], 835);
    EXPECT_EQ(j["total"]["resolution"]["numerator"], 835);
    EXPECT_EQ(j["total"]["resolution"]["denominator"], 835);
    EXPECT_EQ(j["total"]["satisfaction"]["denominator"], 0);
    EXPECT_TRUE(j["total"]["satisfaction"]["rate"].is_null());
    // Equal weights over the two rates that have a denominator.
    EXPECT_NEAR(j["total"]["score"].get<double>(), (771.0 / 835 + 1.0) / 2, 1e-9);
    std::map<std::string, json> rows;
    std::int64_t on_time = 0;
    for (const auto& c : j["children"]) {
        rows[c["org"]["name"]] = c;
        on_time += c["response"]["numerator"].get<std::int64_t>();
    }
    EXPECT_EQ(rows.size(), 12u);
    EXPECT_EQ(rows["仓山区"]["received"], 511);
    EXPECT_EQ(rows["晋安区"]["received"], 156);
    EXPECT_EQ(rows["马尾区"]["received"], 5);
    EXPECT_EQ(on_time, 771);
    // 转办: the file's 转处理次数 of the 835 cases (docs/DATA.md): 254 passed on at least once, 358 transfers
    // in all; 仓山区 169 and 245, 马尾区 none.
    EXPECT_EQ(j["total"]["transfers"]["opinions_transferred"], 254);
    EXPECT_EQ(j["total"]["transfers"]["transfers"], 358);
    EXPECT_EQ(rows["仓山区"]["transfers"]["opinions_transferred"], 169);
    EXPECT_EQ(rows["仓山区"]["transfers"]["transfers"], 245);
    EXPECT_EQ(rows["马尾区"]["transfers"]["transfers"], 0);
    // A bad period says which parameter is wrong.
    auto bad = Call(city_, "GET", "/api/v1/orgs/" + std::to_string(fuzhou) + "/opinion-rates?from=2021-01-01&to=2016-01-01");
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("to: the period ends after it starts"), std::string::npos) << bad.body;
}

// An emergency opinion (2 hours) received three hours ago is overdue: it is in the supervisor's
// opinions_overdue queue and counted overdue; answered now it counts late, resolved and — rated
// 基本满意 — satisfied. A utility opinion received now (24 hours) is not judged yet.
TEST_F(SupervisionApi, AnOverdueEmergencyOpinionInTheQueueAndTheRates) {
    const std::int64_t gulou = OrgId("350102");
    const UnixSeconds now = NowSeconds();
    auto make = [&](const std::string& sla_class, UnixSeconds received) {
        const json body{{"channel", "phone"}, {"title", "小区供水管爆裂 " + sla_class}, {"text", "水漫楼道"},
                        {"org_id", gulou},    {"sla_class", sla_class},             {"received_at", FormatIso(received)}};
        auto created = Call(gulou_, "POST", "/api/v1/opinions", body.dump());
        EXPECT_EQ(created.status, 201) << created.body;
        return created.Json();
    };
    const json emergency = make("emergency", now - 3 * 3600);
    const json utility = make("utility", now);
    EXPECT_EQ(emergency["reply_due_at"], FormatIso(now - 3600));
    EXPECT_EQ(utility["reply_due_at"], FormatIso(now + 24 * 3600));
    EXPECT_TRUE(emergency["responded_at"].is_null());
    auto unknown = Call(gulou_, "POST", "/api/v1/opinions",
                        json{{"channel", "phone"}, {"title", "t"}, {"org_id", gulou}, {"sla_class", "urgent"}}.dump());
    EXPECT_EQ(unknown.status, 400);
    EXPECT_NE(unknown.body.find("sla_class"), std::string::npos) << unknown.body;

    auto queue = Call(city_, "GET", "/api/v1/queues/opinions_overdue");
    ASSERT_EQ(queue.status, 200) << queue.body;
    ASSERT_EQ(queue.Json()["total"], 1);
    const json item = queue.Json()["items"][0];
    EXPECT_EQ(item["why"], "opinion_overdue");
    EXPECT_EQ(item["why_text"], "超过紧急意见办理时限 1 小时，尚未响应");
    EXPECT_EQ(item["opinion"]["id"], emergency["id"]);

    const std::string rates = "/api/v1/orgs/" + std::to_string(gulou) + "/opinion-rates?from=" +
                              FormatIso(now - 86400) + "&to=" + FormatIso(now + 60);
    auto before = Call(city_, "GET", EscapePlus(rates));
    ASSERT_EQ(before.status, 200) << before.body;
    EXPECT_EQ(before.Json()["total"]["received"], 2);
    EXPECT_EQ(before.Json()["total"]["due"], 1);
    EXPECT_EQ(before.Json()["total"]["overdue"], 1);
    EXPECT_EQ(before.Json()["total"]["response"]["numerator"], 0);

    const std::string O = "/api/v1/opinions/" + std::to_string(emergency["id"].get<std::int64_t>());
    auto replied = Call(gulou_, "POST", O + "/reply", json{{"text", "已派员关阀抢修，水已停漏"}}.dump());
    ASSERT_EQ(replied.status, 200) << replied.body;
    EXPECT_FALSE(replied.Json()["responded_at"].is_null());
    ASSERT_EQ(Call(gulou_, "POST", O + "/rating", json{{"satisfaction", "basically_satisfied"}}.dump()).status, 200);
    EXPECT_EQ(Call(city_, "GET", "/api/v1/queues/opinions_overdue").Json()["total"], 0);

    auto after = Call(city_, "GET", EscapePlus(rates));
    ASSERT_EQ(after.status, 200) << after.body;
    const json t = after.Json()["total"];
    EXPECT_EQ(t["due"], 1);
    EXPECT_EQ(t["overdue"], 0);
    EXPECT_EQ(t["response"]["numerator"], 0);  // answered after its limit: late
    EXPECT_EQ(t["resolution"]["numerator"], 1);
    EXPECT_EQ(t["resolution"]["denominator"], 1);
    EXPECT_EQ(t["satisfaction"]["numerator"], 1);
    EXPECT_EQ(t["ratings"]["basically_satisfied"], 1);
    EXPECT_NEAR(t["score"].get<double>(), 2.0 / 3, 1e-9);
}

TEST_F(SupervisionApi, TheCityUrgesADistrictTaskAndItShowsInTheQueues) {
    const std::int64_t gulou = OrgId("350102");
    auto problem = Call(gulou_, "POST", "/api/v1/problems",
                        json{{"title", "白马河沿岸垃圾堆积"}, {"owner_org_id", gulou}, {"source", "public_opinion"}}.dump());
    ASSERT_EQ(problem.status, 201) << problem.body;
    const std::string pid = std::to_string(problem.Json()["id"].get<std::int64_t>());
    // Due in ten minutes: in the due-soon queue whatever the calendar says; "today" unless that crosses
    // midnight in Beijing.
    const UnixSeconds now = NowSeconds();
    const std::string due = FormatIso(now + 600);
    const bool today = LocalDayNumber(now) == LocalDayNumber(now + 600);
    auto task = Call(gulou_, "POST", "/api/v1/problems/" + pid + "/tasks",
                     json{{"org_id", gulou}, {"title", "清理白马河沿岸垃圾"}, {"responsible_person", "李四"},
                          {"type", "time_bound"}, {"due_at", due}}
                         .dump());
    ASSERT_EQ(task.status, 201) << task.body;
    const std::string tid = std::to_string(task.Json()["id"].get<std::int64_t>());

    const json urge{{"kind", "urge"}, {"reason", "群众多次反映，请抓紧清理"}};
    EXPECT_EQ(Call(gulou_, "POST", "/api/v1/tasks/" + tid + "/supervision", urge.dump()).status, 403);  // not itself
    auto bad = Call(city_, "POST", "/api/v1/tasks/" + tid + "/supervision", json{{"kind", "nag"}, {"reason", "x"}}.dump());
    EXPECT_EQ(bad.status, 400);
    EXPECT_NE(bad.body.find("/kind"), std::string::npos) << bad.body;
    auto step = Call(city_, "POST", "/api/v1/tasks/" + tid + "/supervision", urge.dump());
    ASSERT_EQ(step.status, 201) << step.body;
    EXPECT_EQ(step.Json()["kind"], "urge");
    EXPECT_EQ(step.Json()["automatic"], false);

    auto sup = Call(gulou_, "GET", "/api/v1/tasks/" + tid + "/supervision");
    ASSERT_EQ(sup.status, 200) << sup.body;
    EXPECT_EQ(sup.Json()["warning"]["level"], "yellow");
    if (today) EXPECT_EQ(sup.Json()["warning"]["working_days"], 0);
    ASSERT_EQ(sup.Json()["steps"].size(), 1u);
    EXPECT_EQ(sup.Json()["steps"][0]["reason"], "群众多次反映，请抓紧清理");

    auto soon = Call(city_, "GET", "/api/v1/queues/due_soon");
    ASSERT_EQ(soon.status, 200) << soon.body;
    ASSERT_EQ(soon.Json()["total"], 1);
    EXPECT_EQ(soon.Json()["items"][0]["task"]["id"].get<std::int64_t>(), std::stoll(tid));
    EXPECT_EQ(soon.Json()["items"][0]["why"], "due_soon");
    if (today) EXPECT_EQ(soon.Json()["items"][0]["why_text"], "今日到期");
    EXPECT_EQ(soon.Json()["items"][0]["ladder"], "urge");
    EXPECT_EQ(soon.Json()["items"][0]["org_name"], "鼓楼区");
    auto nope = Call(city_, "GET", "/api/v1/queues/everything");
    EXPECT_EQ(nope.status, 400);
    EXPECT_NE(nope.body.find("overdue, due_soon, stalled, returned, to_verify, escalations"), std::string::npos);

    // The urge is on the problem's timeline.
    auto timeline = Call(gulou_, "GET", "/api/v1/problems/" + pid + "/timeline");
    ASSERT_EQ(timeline.status, 200);
    EXPECT_NE(timeline.body.find("\"urge\""), std::string::npos);
}

}  // namespace
}  // namespace rectify::testing
