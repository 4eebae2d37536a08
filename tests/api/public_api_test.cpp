// The public portal's API (issue 9, docs/API.md "Public portal", docs/PUBLIC.md) against the real binary:
// filing without a login, routing by division code, tracking by code, the staff's reply through the
// staff API, the public rating (a 不满意 on a closed problem reopens it), the notice board with personal
// details masked, and the abuse limits (rate limit 429, body limit 413, repeated submission 409).
// Org tree: tests/api/api_fixture.hpp.
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

// An 8×8 PNG (a real file: signature, IHDR, IDAT, IEND), base64.
constexpr const char* kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAIAQMAAAD+wSzIAAAABlBMVEX///+/v7+jQ3Y5AAAADklEQVQI12P4AIX8EAgALgAD/aNpbtIAAAAASUVORK5CYII=";

class PublicApi : public ApiServer {
protected:
    std::vector<std::string> ServeArgs() override {
        return {"--public-rate-per-minute", "0"};
    }
    void BeforeServe() override {
        shanxi_token_ = MakeUserToken(dir_.path(), db_, "shanxi.clerk", "code:14", {"clerk"});
        ASSERT_FALSE(shanxi_token_.empty());
    }
    std::string shanxi_token_;

    // A filing body with the given location fields.
    json Filing(json location, const std::string& title, const std::string& text) {
        json body = {{"category_id", CategoryId("城乡建设/市政设施/路灯")}, {"title", title}, {"text", text}};
        body.update(location);
        return body;
    }
    HttpResponse File(const json& body) { return Send(port(), "POST", "/api/v1/public/opinions", body.dump()); }
    HttpResponse Track(const std::string& code) { return Send(port(), "GET", "/api/v1/public/opinions/" + code); }

    // The staff's id of the opinion filed with `title` (GET /api/v1/opinions as the admin).
    std::int64_t StaffOpinionId(const std::string& title) {
        auto r = Get("/api/v1/opinions?limit=500");
        EXPECT_EQ(r.status, 200) << r.body;
        const json list = r.Json();
        for (const auto& o : list["items"]) {
            if (o["title"] == title) return o["id"].get<std::int64_t>();
        }
        ADD_FAILURE() << "no opinion titled " << title << " in " << r.body;
        return 0;
    }
};

TEST_F(PublicApi, RoutesToTheDeepestOrgOfTheLocationOrItsAncestorsElseTheRoot) {
    // Fixture orgs: 建北街道 6 (130102001) under 长安区 4 (130102); 山西省 8 (14); the root 1.
    struct Case {
        json location;
        std::int64_t org;
        const char* name;
    };
    const std::vector<Case> cases = {
        {{{"division_code", "130102001"}}, 6, "建北街道"},  // an org has exactly this code
        {{{"division_code", "130102002"}}, 4, "长安区"},    // a township without an org: its county
        {{{"division_code", "130105"}}, 3, "石家庄市"},     // a county without an org: its city
        {{{"division_code", "140105"}}, 8, "山西省"},       // only the province is an org
        {{{"division_code", "35"}}, 1, "全国"},             // no org on the chain: the root
        {{{"address", "北京市东城区某街道"}}, 1, "全国"},   // a free address alone: the root
    };
    int n = 0;
    for (const auto& c : cases) {
        const std::string title = "路灯不亮 " + std::to_string(++n);
        auto r = File(Filing(c.location, title, "小区门口的路灯已经坏了三天，晚上很黑。"));
        ASSERT_EQ(r.status, 201) << c.location << r.body;
        const json v = r.Json();
        EXPECT_EQ(v["org_id"], c.org) << c.location;
        EXPECT_EQ(v["org_name"], c.name) << c.location;
        EXPECT_EQ(v["status"], "received");
        EXPECT_EQ(v["open"], true);
        EXPECT_TRUE(std::regex_match(v["tracking_code"].get<std::string>(),
                                     std::regex("[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")))
            << v["tracking_code"];
        EXPECT_EQ(r.Header("location"), "/api/v1/public/opinions/" + v["tracking_code"].get<std::string>());
        // The staff see it in the routed org, received through the web.
        auto staff = Get("/api/v1/opinions/" + std::to_string(StaffOpinionId(title)));
        EXPECT_EQ(staff.Json()["org_id"], c.org);
        EXPECT_EQ(staff.Json()["channel"], "web");
    }
}

TEST_F(PublicApi, FilesTracksShowsTheReplyAndRatesOnceWithoutEverShowingTheContact) {
    json body = Filing({{"division_code", "130102001"}}, "建北街道路灯不亮",
                       "我叫李明亮，家住建北街道，门口路灯坏了，电话13912345678。");
    body["contact"] = {{"name", "李明亮"}, {"phone", "139-1234-5678"}, {"email", "liml@example.cn"}};
    body["photo"] = {{"content_type", "image/png"}, {"name", "lamp.png"}, {"data", kPngBase64}};
    auto filed = File(body);
    ASSERT_EQ(filed.status, 201) << filed.body;
    const std::string code = filed.Json()["tracking_code"];
    EXPECT_EQ(filed.Json()["has_photo"], true);

    // Any case, without dashes, with spaces.
    std::string typed;
    for (char c : code) {
        if (c != '-') typed.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    auto tracked = Track(typed);
    ASSERT_EQ(tracked.status, 200) << tracked.body;
    EXPECT_EQ(tracked.Json()["tracking_code"], code);
    // The text is masked even for the submitter's own view (anyone holding the code can read it).
    EXPECT_EQ(tracked.Json()["text"], "我叫李某某，家住建北街道，门口路灯坏了，电话[电话]。");
    EXPECT_EQ(tracked.Json()["can_rate"], false);
    for (const auto* answer : {&filed, &tracked}) {
        for (const char* secret : {"李明亮", "1234-5678", "13912345678", "liml@example.cn"}) {
            EXPECT_EQ(answer->body.find(secret), std::string::npos) << secret << " in " << answer->body;
        }
    }
    EXPECT_TRUE(IsError(Track("ABCD-EFGH-JKMN"), 404, "not_found"));
    auto look_alike = Track("ABCD-EFGH-JKM0");
    EXPECT_TRUE(IsError(look_alike, 400, "invalid_argument"));
    EXPECT_NE(Message(look_alike).find("\"0\" is never used"), std::string::npos) << look_alike.body;

    // Rating before a reply: refused.
    auto early = Send(port(), "POST", "/api/v1/public/opinions/" + code + "/rating",
                      json{{"satisfaction", "satisfied"}}.dump());
    EXPECT_TRUE(IsError(early, 409, "failed_precondition"));
    EXPECT_EQ(Message(early), "there is no reply to rate yet");

    // The staff reply through the staff API.
    const std::int64_t id = StaffOpinionId("建北街道路灯不亮");
    auto reply = Post("/api/v1/opinions/" + std::to_string(id) + "/reply",
                      json{{"text", "已安排维修，路灯于今日恢复。"}}.dump());
    ASSERT_EQ(reply.status, 200) << reply.body;
    tracked = Track(code);
    EXPECT_EQ(tracked.Json()["status"], "answered");
    EXPECT_EQ(tracked.Json()["open"], false);
    EXPECT_EQ(tracked.Json()["reply_text"], "已安排维修，路灯于今日恢复。");
    EXPECT_EQ(tracked.Json()["reply_org_name"], "建北街道");
    EXPECT_EQ(tracked.Json()["can_rate"], true);
    // Nothing about staff: the actor of the reply is not in the answer.
    EXPECT_EQ(tracked.body.find("tester"), std::string::npos) << tracked.body;

    auto rated = Send(port(), "POST", "/api/v1/public/opinions/" + code + "/rating",
                      json{{"satisfaction", "basically_satisfied"}, {"comment", "修得挺快"}}.dump());
    ASSERT_EQ(rated.status, 200) << rated.body;
    EXPECT_EQ(rated.Json()["satisfaction"], "basically_satisfied");
    EXPECT_EQ(rated.Json()["can_rate"], false);
    auto again = Send(port(), "POST", "/api/v1/public/opinions/" + code + "/rating",
                      json{{"satisfaction", "dissatisfied"}}.dump());
    EXPECT_TRUE(IsError(again, 409, "failed_precondition"));
    EXPECT_EQ(Message(again), "this reply was already rated");
    // The staff see the same rating through the workflow, and the contact and photo to call back.
    auto staff = Get("/api/v1/opinions/" + std::to_string(id));
    EXPECT_EQ(staff.Json()["satisfaction"], "basically_satisfied");
    EXPECT_EQ(staff.Json()["rating_comment"], "修得挺快");
    const json intake = staff.Json()["public_intake"];
    EXPECT_EQ(intake["tracking_code"], code);
    EXPECT_EQ(intake["via"], "portal");
    EXPECT_EQ(intake["contact"], (json{{"name", "李明亮"}, {"phone", "139-1234-5678"}, {"email", "liml@example.cn"}}));
    EXPECT_EQ(intake["photo"]["content_type"], "image/png");
    auto photo = Get("/api/v1/opinions/" + std::to_string(id) + "/photo");
    ASSERT_EQ(photo.status, 200);
    EXPECT_EQ(photo.Header("content-type"), "image/png");
    EXPECT_EQ(photo.body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(intake["photo"]["size_bytes"], static_cast<std::int64_t>(photo.body.size()));
    // Staff of another subtree (a clerk of 山西省) see neither the opinion nor its photo.
    for (const std::string path : {"/api/v1/opinions/" + std::to_string(id), "/api/v1/opinions/" + std::to_string(id) + "/photo"}) {
        auto other = Send(port(), "GET", path, "", {{"Authorization", "Bearer " + shanxi_token_}});
        EXPECT_TRUE(IsError(other, 404, "not_found")) << path;
    }
    // An opinion entered by staff has no intake.
    auto entered = Post("/api/v1/opinions", json{{"channel", "phone"}, {"title", "电话来访"}, {"org_id", 4}}.dump());
    ASSERT_EQ(entered.status, 201) << entered.body;
    EXPECT_TRUE(Get("/api/v1/opinions/" + std::to_string(entered.Json()["id"].get<std::int64_t>())).Json()["public_intake"].is_null());
}

TEST_F(PublicApi, ADissatisfiedRatingOfAClosedProblemReopensItAndTheNoticeBoardShowsItMaskedUntilThen) {
    const std::string title = "长安区路灯坏了没人修";
    auto filed = File(Filing({{"division_code", "130102"}}, title,
                             "本人陈良前，住长安区，邮箱chenlq@example.com，身份证号130102199001011234，路灯坏了一个月。"));
    ASSERT_EQ(filed.status, 201) << filed.body;
    const std::string code = filed.Json()["tracking_code"];
    const std::int64_t opinion = StaffOpinionId(title);

    // The staff accept it as a problem of 长安区 (4) and carry it through to close-out (admin holds every role).
    auto accepted = Post("/api/v1/opinions/" + std::to_string(opinion) + "/accept", "{}");
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    const std::string P = "/api/v1/problems/" + std::to_string(accepted.Json()["problem"]["id"].get<std::int64_t>());
    EXPECT_EQ(Track(code).Json()["status"], "in_progress");
    auto task = Post(P + "/tasks", json{{"org_id", 4},
                                        {"title", "更换路灯"},
                                        {"responsible_person", "长安区城管局 赵工"},
                                        {"type", "immediate"},
                                        {"due_at", "2030-12-31T00:00:00+08:00"}}
                                       .dump());
    ASSERT_EQ(task.status, 201) << task.body;
    const std::string T = "/api/v1/tasks/" + std::to_string(task.Json()["id"].get<std::int64_t>());
    ASSERT_EQ(Post(T + "/start", "{}").status, 200);
    ASSERT_EQ(Post(T + "/reports", json{{"text", "已更换灯泡"}, {"percent", 100}}.dump()).status, 201);
    ASSERT_EQ(Post(T + "/submit", "{}").status, 200);
    ASSERT_EQ(Post(T + "/accept", "{}").status, 200);
    ASSERT_EQ(Post("/api/v1/opinions/" + std::to_string(opinion) + "/reply",
                   json{{"text", "已更换路灯，请陈良前先生查看。"}}.dump())
                  .status,
              200);
    // Two more opinions answered by the same problem: a hotline call (public) and a 民主生活会 finding (internal,
    // kept off the notice board).
    const std::int64_t problem_id = accepted.Json()["problem"]["id"].get<std::int64_t>();
    for (const auto& [channel, text] : {std::pair<std::string, std::string>{"phone", "路灯不亮，联系电话13912345678。"},
                                        std::pair<std::string, std::string>{"meeting", "会上查摆：路灯维护不及时。"}}) {
        auto o = Post("/api/v1/opinions", json{{"channel", channel}, {"title", channel + "的意见"}, {"org_id", 4},
                                                {"text", text}, {"submitter", "张三"}}
                                              .dump());
        ASSERT_EQ(o.status, 201) << o.body;
        const std::string O = "/api/v1/opinions/" + std::to_string(o.Json()["id"].get<std::int64_t>());
        auto linked = Post(O + "/accept", json{{"problem_id", problem_id}}.dump());
        ASSERT_EQ(linked.status, 200) << linked.body;
        ASSERT_EQ(Post(O + "/reply", json{{"text", "已更换路灯。"}}.dump()).status, 200);  // closing needs the replies
    }
    auto closed = Post(P + "/close", "{}");
    ASSERT_EQ(closed.status, 200) << closed.body;

    auto tracked = Track(code);
    EXPECT_EQ(tracked.Json()["status"], "closed");
    EXPECT_FALSE(tracked.Json()["closed_at"].is_null());
    // The reply is masked too: "陈良前先生" is not a self-introduction, so only what the rules cover goes.
    EXPECT_EQ(tracked.Json()["reply_text"], "已更换路灯，请陈良前先生查看。");

    // The notice board of 石家庄市 (3) covers 长安区: the closed problem, masked; no contact.
    auto board = Send(port(), "GET", "/api/v1/public/orgs/3/notices");
    ASSERT_EQ(board.status, 200) << board.body;
    const json problems = board.Json()["problems"]["items"];
    ASSERT_EQ(problems.size(), 1u) << board.body;
    EXPECT_EQ(problems[0]["title"], title);
    EXPECT_EQ(problems[0]["description"],
              "本人陈某某，住长安区，邮箱[邮箱]，身份证号[身份证号]，路灯坏了一个月。");
    EXPECT_EQ(problems[0]["org_name"], "长安区");
    EXPECT_EQ(problems[0]["category"], "城乡建设/市政设施/路灯");
    // The opinions it answers, oldest first, masked: the portal filing (web) and the hotline call; the meeting's
    // finding is neither shown nor counted. Only title, text, channel and time: no tracking code, submitter,
    // contact or reply.
    EXPECT_EQ(problems[0]["opinion_count"], 2) << board.body;
    const json answered = problems[0]["opinions"];
    ASSERT_EQ(answered.size(), 2u) << board.body;
    EXPECT_EQ(answered[0]["title"], title);
    EXPECT_EQ(answered[0]["text"], "本人陈某某，住长安区，邮箱[邮箱]，身份证号[身份证号]，路灯坏了一个月。");
    EXPECT_EQ(answered[0]["channel"], "web");
    EXPECT_EQ(answered[1]["title"], "phone的意见");
    EXPECT_EQ(answered[1]["text"], "路灯不亮，联系电话[电话]。");
    EXPECT_EQ(answered[1]["channel"], "phone");
    for (const auto& o : answered) {
        EXPECT_EQ(o.size(), 4u) << o.dump();  // title, text, channel, received_at
        EXPECT_TRUE(o.contains("received_at")) << o.dump();
    }
    EXPECT_EQ(board.body.find(code), std::string::npos);
    EXPECT_EQ(board.body.find("张三"), std::string::npos);
    EXPECT_EQ(board.body.find("13912345678"), std::string::npos);
    // 桥西区 (5) has nothing to show.
    auto other = Send(port(), "GET", "/api/v1/public/orgs/5/notices");
    EXPECT_EQ(other.Json()["problems"]["items"].size(), 0u);

    // 不满意 reopens the closed problem (docs/WORKFLOW.md), and it leaves the notice board.
    auto rated = Send(port(), "POST", "/api/v1/public/opinions/" + code + "/rating",
                      json{{"satisfaction", "dissatisfied"}, {"comment", "灯又坏了"}}.dump());
    ASSERT_EQ(rated.status, 200) << rated.body;
    auto problem = Get(P);
    EXPECT_EQ(problem.Json()["status"], "registered");
    EXPECT_EQ(problem.Json()["round"], 2);
    EXPECT_EQ(problem.Json()["reopen_cause"], "dissatisfied_rating");
    EXPECT_EQ(Track(code).Json()["status"], "in_progress");
    board = Send(port(), "GET", "/api/v1/public/orgs/3/notices");
    EXPECT_EQ(board.Json()["problems"]["items"].size(), 0u) << board.body;
}

TEST_F(PublicApi, RefusesBadInputNamingTheFieldAndStoresNothing) {
    const json ok = Filing({{"division_code", "130102001"}}, "路灯不亮", "小区门口的路灯已经坏了三天。");
    struct Case {
        json body;
        int status;
        const char* code;
        const char* says;
    };
    auto with = [&](const json& patch) {
        json b = ok;
        b.merge_patch(patch);
        return b;
    };
    json no_title = ok;
    no_title.erase("title");
    json no_location = ok;
    no_location.erase("division_code");
    json elf = with({{"photo", {{"content_type", "image/png"}, {"data", "f0VMRgIBAQAAAAAAAAAAAA=="}}}});
    const std::vector<Case> cases = {
        {no_title, 400, "invalid_argument", "missing required field \"title\""},
        {with({{"title", "路"}}), 400, "invalid_argument", "title: must be 2-100 characters, got 1"},
        {with({{"text", std::string(5001, 'a')}}), 400, "invalid_argument",
         "text: must be 5-5000 characters, got 5001"},
        {with({{"division_code", "1301020"}}), 400, "invalid_argument", "division_code: \"1301020\" is not a division code"},
        {no_location, 400, "invalid_argument", "location: give division_code (the pickers) or address"},
        {with({{"category_id", 999}}), 400, "invalid_argument", "category_id: no category 999"},
        {with({{"contact", {{"email", "not-an-address"}}}}), 400, "invalid_argument", "/contact/email: expected"},
        {with({{"contact", {{"phone", "call me"}}}}), 400, "invalid_argument", "/contact/phone: only digits"},
        {with({{"contact", {{"fax", "1"}}}}), 400, "invalid_argument", "/contact: unknown field \"fax\""},
        {with({{"secret", 1}}), 400, "invalid_argument", "unknown field \"secret\""},
        {with({{"photo", {{"content_type", "image/png"}, {"data", "not base64!"}}}}), 400, "invalid_argument",
         "/photo/data: not valid base64"},
        {elf, 400, "invalid_argument", "photo: "},
        {with({{"photo", {{"content_type", "application/pdf"}, {"data", kPngBase64}}}}), 400, "invalid_argument",
         "photo: "},
    };
    for (const auto& c : cases) {
        auto r = File(c.body);
        EXPECT_TRUE(IsError(r, c.status, c.code)) << c.body;
        EXPECT_NE(Message(r).find(c.says), std::string::npos) << "expected \"" << c.says << "\" in " << r.body;
    }
    // Nothing was stored.
    EXPECT_EQ(Get("/api/v1/opinions").Json()["items"].size(), 0u);
}

TEST_F(PublicApi, ServesTheCategoryAndDivisionPickersAndThePublicOrgTree) {
    auto cats = Send(port(), "GET", "/api/v1/public/categories");
    ASSERT_EQ(cats.status, 200);
    EXPECT_EQ(cats.Json()["items"].size(), 7u);  // kCategoriesCsv: 2 first-level, 2 second-level, 3 third-level
    auto provinces = Send(port(), "GET", "/api/v1/public/divisions");
    ASSERT_EQ(provinces.status, 200);
    EXPECT_EQ(provinces.Json()["items"].size(), 31u);
    EXPECT_EQ(provinces.Json()["items"][0], (json{{"code", "11"}, {"name", "北京市"}, {"level", 1}, {"has_children", true}}));
    auto townships = Send(port(), "GET", "/api/v1/public/divisions?parent=130102");
    ASSERT_EQ(townships.status, 200);
    bool jianbei = false;
    const json towns = townships.Json();
    for (const auto& d : towns["items"]) jianbei = jianbei || (d["code"] == "130102001" && d["level"] == 4);
    EXPECT_TRUE(jianbei) << townships.body;
    EXPECT_TRUE(IsError(Send(port(), "GET", "/api/v1/public/divisions?parent=99"), 404, "not_found"));
    auto root = Send(port(), "GET", "/api/v1/public/orgs");
    ASSERT_EQ(root.status, 200);
    EXPECT_EQ(root.Json()["items"][0]["id"], 1);
    auto provinces_orgs = Send(port(), "GET", "/api/v1/public/orgs?parent_id=1");
    EXPECT_EQ(Ids(provinces_orgs.Json()["items"]), (std::vector<std::int64_t>{2, 8}));
    EXPECT_EQ(provinces_orgs.Json()["items"][0].size(), 5u) << "only id, name, level, division_code, child_count";
}

// The abuse limits with small settings.
class PublicLimits : public PublicApi {
protected:
    std::vector<std::string> ServeArgs() override {
        return {"--public-rate-per-minute", "1", "--public-burst", "3", "--public-max-body-bytes", "2048",
                "--public-duplicate-minutes", "10"};
    }
};

TEST_F(PublicLimits, RefusesARepeatTheFourthRequestOfABurstAndAnOversizedBody) {
    const json body = Filing({{"division_code", "130102001"}}, "路灯不亮", "小区门口的路灯已经坏了三天。");
    auto first = File(body);
    ASSERT_EQ(first.status, 201) << first.body;
    // The same text again (other punctuation) from the same address: 409, without the earlier code.
    json repeat = body;
    repeat["text"] = "小区门口的路灯已经坏了三天！！";
    auto second = File(repeat);
    EXPECT_TRUE(IsError(second, 409, "already_exists"));
    EXPECT_NE(Message(second).find("already received"), std::string::npos) << second.body;
    EXPECT_EQ(second.body.find(first.Json()["tracking_code"].get<std::string>()), std::string::npos);
    // Other text: accepted (the third token of the burst).
    json other = body;
    other["text"] = "另一盏路灯也坏了，在三号楼旁边。";
    EXPECT_EQ(File(other).status, 201);
    // The fourth request of the burst: 429 with Retry-After (one token a minute: up to 60 s).
    other["text"] = "第三盏路灯也坏了，在五号楼旁边。";
    auto limited = File(other);
    EXPECT_TRUE(IsError(limited, 429, "resource_exhausted"));
    const int retry = std::stoi(limited.Header("retry-after").empty() ? "0" : limited.Header("retry-after"));
    EXPECT_GE(retry, 1);
    EXPECT_LE(retry, 60);
    EXPECT_NE(Message(limited).find("too many submissions from your address"), std::string::npos);
    // Reads are not limited.
    EXPECT_EQ(Track(first.Json()["tracking_code"]).status, 200);
    // A body over --public-max-body-bytes: 413 before it is read.
    json big = body;
    big["photo"] = {{"content_type", "image/png"}, {"data", std::string(4000, 'A')}};
    auto too_big = File(big);
    EXPECT_TRUE(IsError(too_big, 413, "payload_too_large"));
    EXPECT_NE(Message(too_big).find("--public-max-body-bytes"), std::string::npos) << too_big.body;
}

// A photo whose filing is refused is not kept: the blob store holds only the photos of stored filings.
class PublicPhotoRefusals : public PublicApi {
protected:
    std::vector<std::string> ServeArgs() override {
        return {"--public-rate-per-minute", "0", "--public-duplicate-minutes", "10"};
    }
    // The files of the blob store (the fixture's: "blobs" in the test's folder on both backends).
    std::set<std::string> BlobFiles() {
        std::set<std::string> out;
        const fs::path root = dir_.path() / "blobs";
        if (!fs::exists(root)) return out;
        for (const auto& e : fs::recursive_directory_iterator(root)) {
            if (e.is_regular_file()) out.insert(e.path().filename().string());
        }
        return out;
    }
};

TEST_F(PublicPhotoRefusals, ARefusedFilingLeavesNoPhotoBehindAndKeepsOneStillInUse) {
    // Another PNG: the same signature, other bytes (a changed pixel row), so another SHA-256.
    const std::string other_png =
        "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAIAQMAAAD+wSzIAAAABlBMVEX///+/v7+jQ3Y5AAAADklEQVQI12P5AIX8EAgALgAD/aNpbtIAAAAASUVORK5CYII=";
    ASSERT_NE(other_png, kPngBase64);
    json body = Filing({{"division_code", "130102001"}}, "路灯不亮", "小区门口的路灯已经坏了三天。");
    body["photo"] = {{"content_type", "image/png"}, {"name", "lamp.png"}, {"data", kPngBase64}};
    auto first = File(body);
    ASSERT_EQ(first.status, 201) << first.body;
    const auto stored = BlobFiles();
    ASSERT_EQ(stored.size(), 1u);

    // The same text again with another photo: refused as a repeat (409); its photo is not kept.
    json repeat = body;
    repeat["photo"]["data"] = other_png;
    EXPECT_TRUE(IsError(File(repeat), 409, "already_exists"));
    EXPECT_EQ(BlobFiles(), stored);
    // The same text with the first photo: refused too; the first filing's photo stays.
    EXPECT_TRUE(IsError(File(body), 409, "already_exists"));
    EXPECT_EQ(BlobFiles(), stored);
    // Refused by validation (a title too short), with the other photo: nothing stored either.
    json invalid = Filing({{"division_code", "130102001"}}, "灯", "另一盏路灯也坏了，在三号楼旁边。");
    invalid["photo"] = repeat["photo"];
    EXPECT_TRUE(IsError(File(invalid), 400, "invalid_argument"));
    EXPECT_EQ(BlobFiles(), stored);
    // The staff still read the first photo.
    auto photo = Get("/api/v1/opinions/" + std::to_string(StaffOpinionId("路灯不亮")) + "/photo");
    ASSERT_EQ(photo.status, 200) << photo.body;
    // Accepted with the other photo (other text): now two files.
    json accepted = Filing({{"division_code", "130102001"}}, "路灯又坏了", "另一盏路灯也坏了，在三号楼旁边。");
    accepted["photo"] = repeat["photo"];
    ASSERT_EQ(File(accepted).status, 201);
    EXPECT_EQ(BlobFiles().size(), 2u);
}

}  // namespace
}  // namespace rectify::testing
