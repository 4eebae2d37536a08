// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) against the real binary. The requests are
// the spec's own examples (its POST example's parameters — lat 37.76524078, long -122.4212043,
// address_string "1234 5th street", email smit333@sfgov.edu, device_id tt222111, account_id 123456,
// first_name john, last_name smith, phone 111111111, description "A large sinkhole is destroying the
// street", media_url and two attribute[...] values — its GET requests example with start_date, end_date
// and status, and its one-request and token examples), sent to this server's service codes; the answers
// are checked against the element lists of the spec's example responses.
#include <sqlite3.h>

#include <ctime>
#include <regex>
#include <set>

#include <gtest/gtest.h>

#include "api_fixture.hpp"

namespace rectify::testing {
namespace {

// The text of the first <tag>…</tag> in `xml` (nullopt when absent).
std::optional<std::string> XmlText(const std::string& xml, const std::string& tag) {
    const std::string open = "<" + tag + ">";
    auto a = xml.find(open);
    if (a == std::string::npos) return std::nullopt;
    a += open.size();
    auto b = xml.find("</" + tag + ">", a);
    if (b == std::string::npos) return std::nullopt;
    return xml.substr(a, b - a);
}
int Count(const std::string& xml, const std::string& tag) {
    int n = 0;
    for (auto at = xml.find("<" + tag + ">"); at != std::string::npos; at = xml.find("<" + tag + ">", at + 1)) ++n;
    return n;
}

const std::regex kIsoWithOffset(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2}))");

// Runs SQL on the test's database (the SQLite file or the PostgreSQL URL): "" or the error. The tests use
// it to store requests with chosen timestamps, which no API can backdate.
std::string ExecSql(const TestDatabase& db, const std::string& sql) {
    if (db.postgres()) return PgExec(db.url(), sql);
    sqlite3* h = nullptr;
    if (sqlite3_open(db.url().c_str(), &h) != SQLITE_OK) return "cannot open " + db.url();
    sqlite3_busy_timeout(h, 5000);
    char* err = nullptr;
    std::string error;
    if (sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) error = err ? err : "sqlite3_exec failed";
    sqlite3_free(err);
    sqlite3_close(h);
    return error;
}

// UTC seconds as ISO 8601 with Z.
std::string IsoUtc(std::int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

class Open311 : public ApiServer {
protected:
    std::vector<std::string> ServeArgs() override {
        return {"--public-rate-per-minute", "0", "--public-duplicate-minutes", "0", "--public-max-body-bytes", "4096"};
    }
    HttpResponse PostForm(const std::string& target, const std::string& form) {
        return Send(port(), "POST", target, form, {{"Content-Type", "application/x-www-form-urlencoded"}});
    }
    HttpResponse Public(const std::string& target) { return Send(port(), "GET", target); }

    // The spec's POST example with our api_key and service code, routed to 长安区 (130102).
    std::string SpecExample(const std::string& code, const std::string& more = "address_id=130102") {
        return "api_key=" + token_ + "&service_code=" + code +
               "&lat=37.76524078&long=-122.4212043&address_string=1234+5th+street&email=smit333%40sfgov.edu"
               "&device_id=tt222111&account_id=123456&first_name=john&last_name=smith&phone=111111111"
               "&description=A+large+sinkhole+is+destroying+the+street&media_url=http%3A%2F%2Fmediaurl.com%2Fmedia.jpg"
               "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001&" +
               more;
    }
    std::string Code(const std::string& path) { return std::to_string(CategoryId(path)); }
};

TEST_F(Open311, ServesDiscoveryServicesAndDefinitionsInXmlAndJson) {
    auto discovery = Public("/open311/v2/discovery.xml");
    ASSERT_EQ(discovery.status, 200);
    EXPECT_EQ(discovery.Header("content-type"), "text/xml; charset=utf-8");
    EXPECT_EQ(discovery.body.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?><discovery>", 0), 0u) << discovery.body;
    EXPECT_EQ(XmlText(discovery.body, "specification"), "http://wiki.open311.org/GeoReport_v2");
    EXPECT_EQ(Count(discovery.body, "format"), 2);
    auto discovery_json = Public("/open311/v2/discovery.json");
    EXPECT_EQ(discovery_json.Json()["endpoints"][0]["formats"], (json{"text/xml", "application/json"}));

    // Services: the three leaves of kCategoriesCsv, each with the spec's seven fields.
    auto services = Public("/open311/v2/services.json");
    ASSERT_EQ(services.status, 200);
    EXPECT_EQ(services.Header("content-type"), "application/json; charset=utf-8");
    const json list = services.Json();
    ASSERT_EQ(list.size(), 3u) << services.body;
    const json lamp = json{{"service_code", Code("城乡建设/市政设施/路灯")},
                           {"service_name", "路灯"},
                           {"description", "城乡建设/市政设施/路灯"},
                           {"metadata", true},
                           {"type", "realtime"},
                           {"keywords", "城乡建设,市政设施,路灯"},
                           {"group", "城乡建设"}};
    EXPECT_NE(std::find(list.begin(), list.end(), lamp), list.end()) << services.body;
    auto services_xml = Public("/open311/v2/services.xml");
    EXPECT_EQ(Count(services_xml.body, "service"), 3);
    for (const char* field : {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}) {
        EXPECT_EQ(Count(services_xml.body, field), 3) << field;
    }

    auto definition = Public("/open311/v2/services/" + Code("城乡建设/市政设施/路灯") + ".xml");
    ASSERT_EQ(definition.status, 200) << definition.body;
    EXPECT_EQ(XmlText(definition.body, "service_code"), Code("城乡建设/市政设施/路灯"));
    EXPECT_EQ(Count(definition.body, "attribute"), 2);
    for (const char* field : {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}) {
        EXPECT_EQ(Count(definition.body, field), 2) << field;
    }
    EXPECT_EQ(Count(definition.body, "value"), 6);  // the six opinion kinds of attribute "kind"
    auto missing = Public("/open311/v2/services/999.json");
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.Json()[0]["code"], 404);
    EXPECT_TRUE(missing.Json()[0]["description"].is_string());
}

TEST_F(Open311, PostsTheSpecExampleAndReadsItBackWithoutTheContact) {
    const std::string code = Code("城乡建设/市政设施/路灯");
    auto posted = PostForm("/open311/v2/requests.xml", SpecExample(code));
    ASSERT_EQ(posted.status, 201) << posted.body;
    // The spec's POST response: service_requests/request with service_request_id, service_notice,
    // account_id (and, as it allows, a token).
    ASSERT_EQ(posted.body.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?><service_requests><request>", 0), 0u)
        << posted.body;
    const std::string id = XmlText(posted.body, "service_request_id").value_or("");
    ASSERT_FALSE(id.empty());
    const std::string token = XmlText(posted.body, "token").value_or("");
    EXPECT_TRUE(XmlText(posted.body, "service_notice"));
    EXPECT_TRUE(XmlText(posted.body, "account_id"));

    auto one = Public("/open311/v2/requests/" + id + ".json");
    ASSERT_EQ(one.status, 200) << one.body;
    ASSERT_EQ(one.Json().size(), 1u);
    const json r = one.Json()[0];
    // Every field of the spec's GET service request response.
    for (const char* field : {"service_request_id", "status", "status_notes", "service_name", "service_code",
                              "description", "agency_responsible", "service_notice", "requested_datetime",
                              "updated_datetime", "expected_datetime", "address", "address_id", "lat", "long",
                              "media_url"}) {
        EXPECT_TRUE(r.contains(field)) << field;
    }
    EXPECT_EQ(r["service_request_id"], id);
    EXPECT_EQ(r["status"], "open");
    EXPECT_EQ(r["service_code"], code);
    EXPECT_EQ(r["service_name"], "路灯");
    EXPECT_EQ(r["description"], "A large sinkhole is destroying the street");
    EXPECT_EQ(r["agency_responsible"], "长安区");
    EXPECT_EQ(r["address"], "1234 5th street");
    EXPECT_EQ(r["address_id"], "130102");
    EXPECT_EQ(r["lat"], "37.76524078");
    EXPECT_EQ(r["long"], "-122.4212043");
    EXPECT_TRUE(std::regex_match(r["requested_datetime"].get<std::string>(), kIsoWithOffset)) << r;
    EXPECT_TRUE(std::regex_match(r["updated_datetime"].get<std::string>(), kIsoWithOffset)) << r;
    // media_url: the URL the client posted (the spec example's); zipcode: none in "1234 5th street", so
    // the optional field is left out.
    EXPECT_EQ(r["media_url"], "http://mediaurl.com/media.jpg");
    EXPECT_FALSE(r.contains("zipcode")) << r;
    // expected_datetime: the reply deadline the staff see on the opinion.
    auto staff = Get("/api/v1/opinions/" + id);
    ASSERT_EQ(staff.status, 200) << staff.body;
    EXPECT_EQ(r["expected_datetime"], staff.Json()["reply_due_at"]);
    EXPECT_TRUE(std::regex_match(r["expected_datetime"].get<std::string>(), kIsoWithOffset)) << r;
    for (const auto* body : {&one.body, &posted.body}) {
        for (const char* secret : {"smit333", "john", "smith", "111111111"}) {
            EXPECT_EQ(body->find(secret), std::string::npos) << secret << " in " << *body;
        }
    }
    // The token resource maps the token (the portal's tracking code) to the request.
    auto by_token = Public("/open311/v2/tokens/" + token + ".xml");
    ASSERT_EQ(by_token.status, 200) << by_token.body;
    EXPECT_EQ(XmlText(by_token.body, "service_request_id"), id);
    // The portal tracks the same opinion with the token.
    EXPECT_EQ(Public("/api/v1/public/opinions/" + token).Json()["org_name"], "长安区");
}

TEST_F(Open311, FiltersRequestsAndMapsStatusesToOpenAndClosed) {
    const std::string lamp = Code("城乡建设/市政设施/路灯");
    const std::string water = Code("环境保护/环境污染/水污染");
    std::vector<std::string> ids;
    for (const auto& [code, where] : std::vector<std::pair<std::string, std::string>>{
             {lamp, "address_id=130102"}, {water, "address_id=130104"}, {lamp, "address_id=1302"}}) {
        auto posted = PostForm("/open311/v2/requests.json", SpecExample(code, where));
        ASSERT_EQ(posted.status, 201) << posted.body;
        ids.push_back(posted.Json()[0]["service_request_id"]);
    }
    // The staff answer the second one directly: it is closed (docs/PUBLIC.md#statuses).
    ASSERT_EQ(Post("/api/v1/opinions/" + ids[1] + "/reply", json{{"text", "已处理，河道已清理。"}}.dump()).status, 200);

    auto ids_of = [](const json& list) {
        std::vector<std::string> out;
        for (const auto& r : list) out.push_back(r["service_request_id"]);
        return out;
    };
    // No filter: the last 90 days, newest first.
    auto all = Public("/open311/v2/requests.json");
    EXPECT_EQ(ids_of(all.Json()), (std::vector<std::string>{ids[2], ids[1], ids[0]}));
    // The spec's example filters: start_date, end_date and status.
    auto open = Public("/open311/v2/requests.json?status=open");
    EXPECT_EQ(ids_of(open.Json()), (std::vector<std::string>{ids[2], ids[0]}));
    auto closed = Public("/open311/v2/requests.xml?status=closed");
    EXPECT_EQ(Count(closed.body, "request"), 1);
    EXPECT_EQ(XmlText(closed.body, "status_notes"), "已处理，河道已清理。");
    EXPECT_EQ(XmlText(closed.body, "status"), "closed");
    auto by_code = Public("/open311/v2/requests.json?service_code=" + water);
    EXPECT_EQ(ids_of(by_code.Json()), (std::vector<std::string>{ids[1]}));
    auto old = Public("/open311/v2/requests.json?start_date=2010-05-24T00:00:00Z&end_date=2010-06-24T00:00:00Z&status=open");
    EXPECT_EQ(old.status, 200);
    EXPECT_EQ(old.Json().size(), 0u);
    // service_request_id wins over every other filter (spec).
    auto listed = Public("/open311/v2/requests.json?service_request_id=" + ids[0] + "," + ids[1] + "&status=closed");
    EXPECT_EQ(ids_of(listed.Json()), (std::vector<std::string>{ids[0], ids[1]}));
    auto bad = Public("/open311/v2/requests.xml?status=pending");
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(XmlText(bad.body, "code"), "400");
}

TEST_F(Open311, AnswersErrorsInTheSpecsFormatWithItsCodes) {
    const std::string code = Code("城乡建设/市政设施/路灯");
    // No api_key, a wrong one: 403.
    auto no_key = PostForm("/open311/v2/requests.xml", "service_code=" + code + "&lat=1&long=2&description=whatever");
    EXPECT_EQ(no_key.status, 403);
    EXPECT_EQ(no_key.body.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>403</code>", 0), 0u)
        << no_key.body;
    auto wrong_key = PostForm("/open311/v2/requests.json", "api_key=rct_nope&service_code=" + code + "&lat=1&long=2");
    EXPECT_EQ(wrong_key.status, 403);
    EXPECT_EQ(wrong_key.Json()[0]["code"], 403);
    // No location of the three kinds: 400 naming them.
    auto no_location = PostForm("/open311/v2/requests.json", "api_key=" + token_ + "&service_code=" + code +
                                                                 "&description=A+large+sinkhole");
    EXPECT_EQ(no_location.status, 400);
    EXPECT_EQ(no_location.Json()[0]["description"], "location: one of lat & long, address_string or address_id is required");
    // An unknown service code: 400 (a parameter of the POST), an unknown request: 404.
    auto unknown = PostForm("/open311/v2/requests.json", "api_key=" + token_ + "&service_code=999&lat=1&long=2");
    EXPECT_EQ(unknown.status, 400);
    EXPECT_EQ(Public("/open311/v2/requests/99999.xml").status, 404);
    EXPECT_EQ(Public("/open311/v2/tokens/ABCD-EFGH-JKMN.json").Json()[0]["code"], 404);
    // lat out of range.
    auto far = PostForm("/open311/v2/requests.json", "api_key=" + token_ + "&service_code=" + code +
                                                         "&lat=91&long=2&description=A+large+sinkhole");
    EXPECT_EQ(far.status, 400);
    EXPECT_NE(far.Json()[0]["description"].get<std::string>().find("lat"), std::string::npos);
}

TEST_F(Open311, AnswersTheZipCodeOfAUsAddressAndRefusesAMediaUrlThatIsNotHttp) {
    const std::string code = Code("城乡建设/市政设施/路灯");
    // The address of a Baltimore 311 row (data/baltimore311/311_sample.csv): its ZIP Code is the last part.
    auto baltimore = PostForm("/open311/v2/requests.json",
                              "api_key=" + token_ + "&service_code=" + code +
                                  "&address_string=3400+GARRISON+BLVD%2C+BALTIMORE%2C+MD%2C+21215&description=Traffic+signal+out");
    ASSERT_EQ(baltimore.status, 201) << baltimore.body;
    const std::string id = baltimore.Json()[0]["service_request_id"];
    auto one = Public("/open311/v2/requests/" + id + ".json");
    EXPECT_EQ(one.Json()[0]["zipcode"], "21215");
    EXPECT_EQ(one.Json()[0]["address"], "3400 GARRISON BLVD, BALTIMORE, MD, 21215");
    EXPECT_FALSE(one.Json()[0].contains("media_url")) << one.body;  // none posted
    EXPECT_EQ(XmlText(Public("/open311/v2/requests/" + id + ".xml").body, "zipcode"), "21215");
    // A media_url that is not an http(s) URL: 400 naming the parameter, nothing stored.
    for (const std::string bad : {"javascript%3Aalert(1)", "data%3Aimage%2Fpng%3Bbase64%2CAAAA", "http%3A%2F%2F"}) {
        auto refused = PostForm("/open311/v2/requests.json", "api_key=" + token_ + "&service_code=" + code +
                                                                 "&address_id=130102&description=A+large+sinkhole&media_url=" + bad);
        EXPECT_EQ(refused.status, 400) << bad;
        EXPECT_EQ(refused.Json()[0]["description"].get<std::string>().rfind("media_url: ", 0), 0u) << refused.body;
    }
    EXPECT_EQ(Public("/open311/v2/requests.json").Json().size(), 1u);
}

TEST_F(Open311, APortalPhotoGetsNoMediaUrl) {
    // A filing through the portal with a photo: the staff see the photo, the Open311 answer has no URL
    // to it (docs/PUBLIC.md#photos).
    const json filing = {{"category_id", CategoryId("城乡建设/市政设施/路灯")},
                         {"title", "路灯不亮"},
                         {"text", "小区门口的路灯已经坏了三天。"},
                         {"division_code", "130102"},
                         {"photo",
                          {{"content_type", "image/png"},
                           {"name", "lamp.png"},
                           {"data", "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAIAQMAAAD+wSzIAAAABlBMVEX///+/v7+jQ3Y5AAAADklEQVQI12P4AIX8EAgALgAD/"
                                    "aNpbtIAAAAASUVORK5CYII="}}}};
    auto filed = Send(port(), "POST", "/api/v1/public/opinions", filing.dump());
    ASSERT_EQ(filed.status, 201) << filed.body;
    EXPECT_EQ(filed.Json()["has_photo"], true);
    auto token = Public("/open311/v2/tokens/" + filed.Json()["tracking_code"].get<std::string>() + ".json");
    ASSERT_EQ(token.status, 200) << token.body;
    auto one = Public("/open311/v2/requests/" + token.Json()[0]["service_request_id"].get<std::string>() + ".json");
    ASSERT_EQ(one.status, 200) << one.body;
    EXPECT_FALSE(one.Json()[0].contains("media_url")) << one.body;
    EXPECT_EQ(one.body.find("/photo"), std::string::npos) << one.body;
}

// The spec's defaults of GET requests ("GET Service Requests": without start_date and end_date the last
// 90 days; at most 1,000 requests) on 1,005 requests of the last day plus six of one service: three inside
// the 90 days (the one posted and two 89 days old) and three 91 days old. The rows beside the two posted
// requests are copies made with SQL, the only way to give them past dates.
TEST_F(Open311, AnswersAtMost1000RequestsAndWithoutDatesTheLast90Days) {
    const std::string lamp = Code("城乡建设/市政设施/路灯");
    const std::string water = Code("环境保护/环境污染/水污染");
    auto first = PostForm("/open311/v2/requests.json", "api_key=" + token_ + "&service_code=" + lamp +
                                                           "&address_id=130102&description=lamp+out");
    ASSERT_EQ(first.status, 201) << first.body;
    auto second = PostForm("/open311/v2/requests.json", "api_key=" + token_ + "&service_code=" + water +
                                                            "&address_id=130104&description=river+dirty");
    ASSERT_EQ(second.status, 201) << second.body;
    const std::string lamp_id = first.Json()[0]["service_request_id"];
    const std::string water_id = second.Json()[0]["service_request_id"];
    // Copies of a posted request `id`: description "<its text> #k" for k in [from, to], received
    // `age` + 60·k seconds before it.
    auto copies = [&](const std::string& id, int from, int to, std::int64_t age) {
        const std::string tag = "'copy-" + id + "-' || k.i";
        return "WITH RECURSIVE k(i) AS (SELECT " + std::to_string(from) + " UNION ALL SELECT i + 1 FROM k WHERE i < " +
               std::to_string(to) +
               ") INSERT INTO opinion (channel, kind, status, received_at, title, text, division_code, org_id, "
               "category_id, source_ref, sla_class, reply_due_at, province_id) SELECT o.channel, o.kind, o.status, o.received_at - " +
               std::to_string(age) + " - 60 * k.i, o.title, o.text || ' #' || k.i, o.division_code, o.org_id, "
               "o.category_id, " + tag + ", o.sla_class, o.reply_due_at - " + std::to_string(age) +
               " - 60 * k.i, o.province_id FROM k, opinion o WHERE o.id = " + id +
               "; INSERT INTO public_intake (opinion_id, tracking_code, via, text_hash, service_code, received_at) "
               "SELECT o.id, 'COPY' || o.id, 'open311', 'copy' || o.id, p.service_code, o.received_at FROM opinion o, "
               "public_intake p WHERE o.source_ref LIKE 'copy-" + id + "-%' AND p.opinion_id = " + id +
               " AND NOT EXISTS (SELECT 1 FROM public_intake x WHERE x.opinion_id = o.id)";
    };
    constexpr std::int64_t kDay = 86400;
    ASSERT_EQ(ExecSql(*test_db_, copies(lamp_id, 1, 1004, 0)), "");
    ASSERT_EQ(ExecSql(*test_db_, copies(water_id, 1, 2, 89 * kDay)), "");
    ASSERT_EQ(ExecSql(*test_db_, copies(water_id, 3, 5, 91 * kDay)), "");

    auto texts_of = [](const json& list) {
        std::vector<std::string> out;
        for (const auto& r : list) out.push_back(r["description"]);
        return out;
    };
    // No parameters: the 1,000 newest — the water request (posted last), the lamp request and its copies
    // #1..#998 (a minute apart, newest first); not #999..#1004 nor the old water copies.
    auto all = Public("/open311/v2/requests.json");
    ASSERT_EQ(all.status, 200);
    const json list = all.Json();
    ASSERT_EQ(list.size(), 1000u);
    std::vector<std::string> expected = {"river dirty", "lamp out"};
    for (int k = 1; k <= 998; ++k) expected.push_back("lamp out #" + std::to_string(k));
    EXPECT_EQ(texts_of(list), expected);
    EXPECT_EQ(list[0]["service_request_id"], water_id);
    EXPECT_EQ(list[1]["service_request_id"], lamp_id);
    EXPECT_EQ(Count(Public("/open311/v2/requests.xml").body, "request"), 1000);
    // status=open (all of them are): still 1,000; status=closed: none.
    EXPECT_EQ(texts_of(Public("/open311/v2/requests.json?status=open").Json()), expected);
    EXPECT_EQ(Public("/open311/v2/requests.json?status=closed").Json().size(), 0u);
    // One service without dates: the last 90 days only — the posted one and the two 89 days old.
    EXPECT_EQ(texts_of(Public("/open311/v2/requests.json?service_code=" + water).Json()),
              (std::vector<std::string>{"river dirty", "river dirty #1", "river dirty #2"}));
    // With a start_date 100 days back the 91-day-old ones too.
    const std::string since = IsoUtc(static_cast<std::int64_t>(std::time(nullptr)) - 100 * kDay);
    EXPECT_EQ(texts_of(Public("/open311/v2/requests.json?service_code=" + water + "&start_date=" + since).Json()),
              (std::vector<std::string>{"river dirty", "river dirty #1", "river dirty #2", "river dirty #3",
                                        "river dirty #4", "river dirty #5"}));
    // end_date alone: the 90 days before it.
    const std::string until = IsoUtc(static_cast<std::int64_t>(std::time(nullptr)) - 90 * kDay);
    EXPECT_EQ(texts_of(Public("/open311/v2/requests.json?service_code=" + water + "&end_date=" + until).Json()),
              (std::vector<std::string>{"river dirty #3", "river dirty #4", "river dirty #5"}));
}

// Everything under /open311/v2/ answers errors as the spec's list of {code, description}, in the format
// of the extension asked for (XML when there is none): routes that do not exist, methods a route does
// not take, bodies over the limit.
TEST_F(Open311, AnswersUnknownRoutesWrongMethodsAndTooLargeBodiesInTheSpecsFormat) {
    auto is_json_error = [](const HttpResponse& r, int code) {
        if (r.status != code) return ::testing::AssertionFailure() << "status " << r.status << ": " << r.body;
        if (r.Header("content-type") != "application/json; charset=utf-8") {
            return ::testing::AssertionFailure() << "content-type " << r.Header("content-type");
        }
        const json j = r.Json();
        if (!j.is_array() || j.size() != 1 || j[0].size() != 2 || j[0]["code"] != code ||
            !j[0]["description"].is_string() || j[0]["description"].get<std::string>().empty()) {
            return ::testing::AssertionFailure() << "not the spec's error list: " << r.body;
        }
        return ::testing::AssertionSuccess();
    };
    auto is_xml_error = [](const HttpResponse& r, int code) {
        if (r.status != code) return ::testing::AssertionFailure() << "status " << r.status << ": " << r.body;
        if (r.Header("content-type") != "text/xml; charset=utf-8") {
            return ::testing::AssertionFailure() << "content-type " << r.Header("content-type");
        }
        const std::string head = "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>" +
                                 std::to_string(code) + "</code><description>";
        if (r.body.rfind(head, 0) != 0 || Count(r.body, "error") != 1) {
            return ::testing::AssertionFailure() << "not the spec's error document: " << r.body;
        }
        return ::testing::AssertionSuccess();
    };
    // Unknown routes: 404.
    EXPECT_TRUE(is_json_error(Public("/open311/v2/nothing.json"), 404));
    EXPECT_TRUE(is_xml_error(Public("/open311/v2/nothing.xml"), 404));
    EXPECT_TRUE(is_xml_error(Public("/open311/v2/requests"), 404));  // no extension: XML, the required format
    EXPECT_TRUE(is_json_error(Public("/open311/v2/requests/12/more.json"), 404));
    // Methods a route does not take: 405 with Allow.
    auto put = Send(port(), "PUT", "/open311/v2/requests.json", "x=1",
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
    EXPECT_TRUE(is_json_error(put, 405));
    EXPECT_NE(put.Header("allow").find("POST"), std::string::npos) << put.Header("allow");
    EXPECT_NE(put.Json()[0]["description"].get<std::string>().find("PUT"), std::string::npos) << put.body;
    auto del = Send(port(), "DELETE", "/open311/v2/services.xml");
    EXPECT_TRUE(is_xml_error(del, 405));
    EXPECT_NE(del.Header("allow").find("GET"), std::string::npos);
    EXPECT_TRUE(is_json_error(Send(port(), "POST", "/open311/v2/discovery.json", "",
                                   {{"Content-Type", "application/x-www-form-urlencoded"}}),
                              405));
    // A body over --public-max-body-bytes (4,096 here): 413, before it is read.
    const std::string code = Code("城乡建设/市政设施/路灯");
    const std::string big = SpecExample(code) + "&description=" + std::string(5000, 'x');
    auto too_big_json = PostForm("/open311/v2/requests.json", big);
    EXPECT_TRUE(is_json_error(too_big_json, 413));
    EXPECT_NE(too_big_json.Json()[0]["description"].get<std::string>().find("--public-max-body-bytes"), std::string::npos);
    EXPECT_TRUE(is_xml_error(PostForm("/open311/v2/requests.xml", big), 413));
    // Nothing was filed, and rectify's own API keeps its error shape.
    EXPECT_EQ(Public("/open311/v2/requests.json").Json().size(), 0u);
    EXPECT_TRUE(IsError(Public("/api/v1/nothing"), 404, "not_found"));
}

// An account whose api_key may file only where it holds clerk.
class Open311Clerk : public Open311 {
protected:
    void BeforeServe() override {
        clerk_token_ = MakeUserToken(dir_.path(), db_, "changan.clerk", "code:130102", {"clerk"});
        ASSERT_FALSE(clerk_token_.empty());
    }
    std::string clerk_token_;
};

TEST_F(Open311Clerk, TheApiKeysAccountMustHoldClerkOverTheRoutedOrg) {
    const std::string code = Code("城乡建设/市政设施/路灯");
    auto inside = PostForm("/open311/v2/requests.json", "api_key=" + clerk_token_ + "&service_code=" + code +
                                                            "&address_id=130102001&description=A+large+sinkhole");
    EXPECT_EQ(inside.status, 201) << inside.body;
    auto outside = PostForm("/open311/v2/requests.json", "api_key=" + clerk_token_ + "&service_code=" + code +
                                                             "&address_id=130104&description=A+large+sinkhole");
    EXPECT_EQ(outside.status, 403) << outside.body;
    EXPECT_NE(outside.Json()[0]["description"].get<std::string>().find("clerk role over org 5"), std::string::npos);
}

}  // namespace
}  // namespace rectify::testing
