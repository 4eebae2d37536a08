// The OpenAPI document (src/http/openapi.json, served at GET /api/openapi.json) against the routes the
// router actually has, in both directions, plus the document's own consistency: every $ref resolves,
// every path template parameter is declared, every operation has responses.
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "http/api.hpp"
#include "http/workflow_api.hpp"
#include "store/store.hpp"
#include "test_util.hpp"

namespace rectify::http {
namespace {

using nlohmann::json;

class OpenApi : public ::testing::Test {
protected:
    void SetUp() override {
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto service = service::Service::Create(std::move(store).value());
        ASSERT_OK(service);
        service_ = std::move(service).value();
        ASSERT_OK(service_->Init(service_->RootActor("test"), service::InitOptions{}));
        api_ = std::make_unique<Api>(*service_, ApiOptions{""});
        doc_ = json::parse(OpenApiJson(), nullptr, false);
        ASSERT_TRUE(doc_.is_object()) << "src/http/openapi.json is not JSON";
    }

    // The document's operations as "METHOD /path".
    std::set<std::string> DocumentedRoutes() const {
        std::set<std::string> out;
        for (const auto& [path, item] : doc_["paths"].items()) {
            for (const auto& [method, op] : item.items()) {
                if (method == "parameters" || method == "summary" || method == "description") continue;
                std::string upper = method;
                for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
                out.insert(upper + " " + path);
            }
        }
        return out;
    }

    rectify::testing::TempDir dir_;
    std::unique_ptr<service::Service> service_;
    std::unique_ptr<Api> api_;
    json doc_;
};

TEST_F(OpenApi, DescribesEveryRouteOfTheRouterAndNoOther) {
    std::set<std::string> routed;
    for (const auto& [method, pattern] : api_->router().Routes()) routed.insert(method + " " + pattern);
    const std::set<std::string> documented = DocumentedRoutes();
    for (const auto& r : routed) EXPECT_TRUE(documented.count(r)) << "route not in openapi.json: " << r;
    for (const auto& d : documented) EXPECT_TRUE(routed.count(d)) << "openapi.json describes a route the server lacks: " << d;
    // The foundation's 21 routes (with /healthz and the org move), issue 3's 40 (with /api/openapi.json)
    // and issue 4's 15 (session 4: login, who am I, logout, password; users 7; tokens 3; audit 1): 76;
    // issue 5's 10 (escalations 6: list, create, show, accept, decline, withdraw; cascade, children;
    // co-owners 2: list, add): 86; issue 6's ledger export: 87; issue 8's supervision 7 (a task's
    // supervision: show, take a step; queues; bulletins: publish, list, show, export), its 7 of teams
    // (create, list, show, add and remove a member, assign, end an assignment) and its 9 of notifications
    // and webhooks (inbox 4: list, unread count, read, read all; webhooks 5: create, list, show, change,
    // deliveries): 110; its opinion rates (响应率, 解决率, 满意率): 111; issue 9's public portal 7 (categories,
    // divisions, file, track, rate, orgs, notices): 118; its text mining 2 (an opinion's suggestions, an org's
    // hot issues): 120; its Open311 GeoReport v2 11 (discovery, services, GET and POST requests, each .xml and
    // .json; a service definition, a request, a token): 131; and the staff's GET /api/v1/opinions/{id}/photo: 132.
    // Routing rules and transfers (issue 5): POST /api/v1/opinions/{id}/transfer, GET .../routing,
    // GET and POST /api/v1/routing-rules: 136; campaigns (issue 5) 8 (list, create, show, change, add an item,
    // show and change an item, figures by item): 144; issue 6's ledger import: 145.
    // Study and research (issue 12) 11: sessions 5 (list, record, show, change, delete), visits 4 (list,
    // record, show, add opinions), figures, the inactive queue: 156. Issue 12's cause categories (list, add,
    // change), cause analysis, figures by cause, self-inspection items (list, add, show, change) and their
    // figures, 10: 166.
    EXPECT_EQ(routed.size(), 166u);
}

TEST_F(OpenApi, DeclaresCookieAndBearerAuthAndMarksOnlyThePublicRoutesOpen) {
    const json& schemes = doc_["components"]["securitySchemes"];
    EXPECT_EQ(schemes["cookieAuth"]["type"], "apiKey");
    EXPECT_EQ(schemes["cookieAuth"]["in"], "cookie");
    EXPECT_EQ(schemes["cookieAuth"]["name"], "rectify_session");
    EXPECT_EQ(schemes["bearerAuth"]["type"], "http");
    EXPECT_EQ(schemes["bearerAuth"]["scheme"], "bearer");
    EXPECT_EQ(doc_["security"], json::parse(R"([{"cookieAuth": []}, {"bearerAuth": []}])"));
    // The router's public routes are exactly the operations with an empty security requirement, and
    // every other operation documents its 401.
    std::set<std::string> public_routes;
    for (const auto& r : api_->Routes()) {
        if (r.access == Access::kPublic) public_routes.insert(r.method + " " + r.pattern);
    }
    EXPECT_EQ(public_routes,
              (std::set<std::string>{"GET /healthz", "POST /api/v1/session", "GET /api/openapi.json",
                                     // the public portal (issue 9)
                                     "GET /api/v1/public/categories", "GET /api/v1/public/divisions",
                                     "POST /api/v1/public/opinions", "GET /api/v1/public/opinions/{code}",
                                     "POST /api/v1/public/opinions/{code}/rating", "GET /api/v1/public/orgs",
                                     "GET /api/v1/public/orgs/{id}/notices",
                                     // Open311 GeoReport v2 (issue 9): public; POST requests check the api_key itself
                                     "GET /open311/v2/discovery.xml", "GET /open311/v2/discovery.json",
                                     "GET /open311/v2/services.xml", "GET /open311/v2/services.json",
                                     "GET /open311/v2/requests.xml", "GET /open311/v2/requests.json",
                                     "POST /open311/v2/requests.xml", "POST /open311/v2/requests.json",
                                     "GET /open311/v2/services/{code}", "GET /open311/v2/requests/{id}",
                                     "GET /open311/v2/tokens/{id}"}));
    for (const auto& [path, item] : doc_["paths"].items()) {
        for (const auto& [method, op] : item.items()) {
            std::string upper = method;
            for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
            const bool open = op.contains("security") && op["security"].empty();
            EXPECT_EQ(open, public_routes.count(upper + " " + path) == 1) << upper << " " << path;
            if (!open) {
                EXPECT_TRUE(op["responses"].contains("401")) << upper << " " << path;
            }
        }
    }
}

TEST_F(OpenApi, IsServedAsJson) {
    Response r = api_->Handle(Request{"GET", "/api/openapi.json", std::nullopt, ""});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(json::parse(r.body), doc_);
    EXPECT_EQ(doc_["openapi"].get<std::string>().substr(0, 2), "3.");
}

void CollectRefs(const json& j, std::vector<std::string>& out) {
    if (j.is_object()) {
        for (const auto& [k, v] : j.items()) {
            if (k == "$ref" && v.is_string()) out.push_back(v.get<std::string>());
            CollectRefs(v, out);
        }
    } else if (j.is_array()) {
        for (const auto& v : j) CollectRefs(v, out);
    }
}

TEST_F(OpenApi, EveryReferenceResolves) {
    std::vector<std::string> refs;
    CollectRefs(doc_, refs);
    ASSERT_FALSE(refs.empty());
    for (const auto& ref : refs) {
        ASSERT_EQ(ref.rfind("#/", 0), 0u) << ref;
        EXPECT_TRUE(doc_.contains(json::json_pointer(ref.substr(1)))) << "unresolved $ref " << ref;
    }
}

TEST_F(OpenApi, EveryPathParameterIsDeclaredAndEveryOperationAnswers) {
    for (const auto& [path, item] : doc_["paths"].items()) {
        std::set<std::string> placeholders;
        for (std::size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
            placeholders.insert(path.substr(open + 1, path.find('}', open) - open - 1));
        }
        for (const auto& [method, op] : item.items()) {
            SCOPED_TRACE(method + " " + path);
            ASSERT_TRUE(op.contains("responses"));
            EXPECT_FALSE(op["responses"].empty());
            EXPECT_TRUE(op.contains("summary"));
            std::set<std::string> declared;
            for (const auto& p : op.value("parameters", json::array())) {
                json param = p;
                if (p.contains("$ref")) param = doc_.at(json::json_pointer(p["$ref"].get<std::string>().substr(1)));
                if (param["in"] == "path") declared.insert(param["name"].get<std::string>());
            }
            EXPECT_EQ(declared, placeholders);
        }
    }
}

}  // namespace
}  // namespace rectify::http
