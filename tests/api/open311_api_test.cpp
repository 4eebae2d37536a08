// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) against the real binary. The requests are
// the spec's own examples (its POST example's parameters — lat 37.76524078, long -122.4212043,
// address_string "1234 5th street", email smit333@sfgov.edu, device_id tt222111, account_id 123456,
// first_name john, last_name smith, phone 111111111, description "A large sinkhole is destroying the
// street", media_url and two attribute[...] values — its GET requests example with start_date, end_date
// and status, and its one-request and token examples), sent to this server's service codes; the answers
// are checked against the element lists of the spec's example responses.
#include <regex>

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

class Open311 : public ApiServer {
protected:
    std::vector<std::string> ServeArgs() override {
        return {"--public-rate-per-minute", "0", "--public-duplicate-minutes", "0"};
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
                              "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
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
