// The API handlers called directly (Api::Handle), with a real Service over a temporary SQLite database
// and no sockets: routing, headers and the decoding rules that are awkward to reach over HTTP.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/crypto.hpp"
#include "http/api.hpp"
#include "store/store.hpp"
#include "test_util.hpp"

namespace rectify::http {
namespace {

using nlohmann::json;

class ApiHandlers : public ::testing::Test {
  protected:
    void SetUp() override {
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        service::AccountPolicy fast;
        fast.password_hash = PasswordHashParams::OwaspMinimum();
        auto service = service::Service::Create(std::move(store).value(), fast);
        ASSERT_OK(service);
        service_ = std::move(service).value();
        ASSERT_OK(service_->Init(service_->RootActor("test"), service::InitOptions{}));
        actor_ = service_->RootActor("test");
        domain::Org province;
        province.parent_id = 1;
        province.name = "河北省";
        province.level = "province";
        province.division_code = "13";
        ASSERT_OK(service_->CreateOrg(actor_, province));  // id 2
        // Every request authenticates: an admin over the whole tree with an API token.
        service::UserDraft admin;
        admin.name = "admin";
        admin.org_id = 1;
        admin.password = "the admin password";
        admin.grants = {{domain::Role::kAdmin, 1}};
        auto created = service_->AddUser(actor_, admin);
        ASSERT_OK(created);
        auto as_admin = service_->UserActor(created->user.id, "test");
        ASSERT_OK(as_admin);
        auto token = service_->CreateToken(*as_admin, service::TokenDraft{"tests", {}, std::nullopt});
        ASSERT_OK(token);
        token_ = token->secret;
        api_ = std::make_unique<Api>(*service_, ApiOptions{""});
    }

    Response Call(std::string method, std::string target, std::string body = "",
                  std::optional<std::string> if_match = std::nullopt) {
        Request r{std::move(method), std::move(target), std::move(if_match), std::move(body)};
        r.headers = {{"Authorization", "Bearer " + token_}};
        return api_->Handle(r);
    }
    static std::string Message(const Response& r) { return json::parse(r.body)["error"]["message"]; }
    static std::string Code(const Response& r) { return json::parse(r.body)["error"]["code"]; }

    std::int64_t CreateProblem() {
        Response r = Call("POST", "/api/v1/problems", R"({"title": "t", "owner_org_id": 2})");
        EXPECT_EQ(r.status, 201) << r.body;
        return json::parse(r.body)["id"];
    }

    rectify::testing::TempDir dir_;
    std::unique_ptr<service::Service> service_;
    domain::Actor actor_;
    std::string token_;
    std::unique_ptr<Api> api_;
};

TEST_F(ApiHandlers, AddsSecurityHeadersToEveryResponse) {
    for (const auto& r : {Call("GET", "/healthz"), Call("GET", "/api/v1/nope"), Call("GET", "/x?%zz")}) {
        EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
        EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer");
    }
}

TEST_F(ApiHandlers, MovesAnOrgAndRefusesAMoveIntoItsOwnSubtree) {
    Response city = Call("POST", "/api/v1/orgs", R"({"parent_id": 2, "name": "石家庄市", "level": "city"})");
    ASSERT_EQ(city.status, 201) << city.body;  // id 3, path /1/2/3/
    Response other = Call("POST", "/api/v1/orgs", R"({"parent_id": 1, "name": "天津市", "level": "province"})");
    ASSERT_EQ(other.status, 201) << other.body;  // id 4
    Response moved = Call("POST", "/api/v1/orgs/3/move", R"({"parent_id": 4})");
    ASSERT_EQ(moved.status, 200) << moved.body;
    EXPECT_EQ(json::parse(moved.body)["path"], "/1/4/3/");
    EXPECT_EQ(json::parse(moved.body)["parent_id"], 4);
    Response cycle = Call("POST", "/api/v1/orgs/4/move", R"({"parent_id": 3})");
    EXPECT_EQ(cycle.status, 409);
    EXPECT_EQ(Code(cycle), "failed_precondition");
    Response missing = Call("POST", "/api/v1/orgs/3/move", R"({})");
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(Message(missing), "missing required field \"parent_id\"");
    Response events = Call("GET", "/api/v1/orgs/3/events");
    EXPECT_EQ(json::parse(events.body)["items"].back()["action"], "move");
}

TEST_F(ApiHandlers, AnswersMethodNotAllowedWithAllow) {
    Response r = Call("DELETE", "/api/v1/problems/1");
    EXPECT_EQ(r.status, 405);
    EXPECT_EQ(r.Header("Allow"), "GET, HEAD, PATCH");
    EXPECT_EQ(Code(r), "invalid_argument");
    Response health = Call("POST", "/healthz", "{}");
    EXPECT_EQ(health.status, 405);
    EXPECT_EQ(health.Header("Allow"), "GET, HEAD");
}

TEST_F(ApiHandlers, RejectsQueryParametersOnRoutesThatTakeNone) {
    Response r = Call("GET", "/api/v1/orgs/1?verbose=1");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Message(r), "unknown query parameter \"verbose\" (this route takes none)");
}

TEST_F(ApiHandlers, SetsETagAndLocationOnCreatedProblems) {
    Response r = Call("POST", "/api/v1/problems", R"({"title": "t", "owner_org_id": 2, "category_id": null})");
    ASSERT_EQ(r.status, 201) << r.body;
    const auto id = json::parse(r.body)["id"].get<std::int64_t>();
    EXPECT_EQ(r.Header("Location"), "/api/v1/problems/" + std::to_string(id));
    EXPECT_EQ(r.Header("ETag"), "\"1\"");
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
}

TEST_F(ApiHandlers, TakesThePatchVersionFromIfMatchWhenTheBodyLacksIt) {
    const auto id = CreateProblem();
    const std::string target = "/api/v1/problems/" + std::to_string(id);
    Response bare = Call("PATCH", target, R"({"title": "u"})", "1");  // a bare number is accepted too
    ASSERT_EQ(bare.status, 200) << bare.body;
    EXPECT_EQ(bare.Header("ETag"), "\"2\"");
    Response differ = Call("PATCH", target, R"({"version": 2, "title": "v"})", "\"3\"");
    EXPECT_EQ(differ.status, 400);
    EXPECT_EQ(Message(differ), "the body's version 2 and the If-Match version 3 differ");
    Response star = Call("PATCH", target, R"({"title": "v"})", "*");
    EXPECT_EQ(star.status, 400);
    Response stale = Call("PATCH", target, R"({"title": "v"})", "\"1\"");
    EXPECT_EQ(stale.status, 409);
    EXPECT_EQ(Code(stale), "aborted");
}

TEST_F(ApiHandlers, RejectsNullWhereAFieldCannotBeCleared) {
    const auto id = CreateProblem();
    Response r = Call("PATCH", "/api/v1/problems/" + std::to_string(id), R"({"version": 1, "title": null})");
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Message(r), "/title: expected a string");
    Response sev = Call("PATCH", "/api/v1/problems/" + std::to_string(id), R"({"version": 1, "severity": null})");
    EXPECT_EQ(sev.status, 400);
}

TEST_F(ApiHandlers, ClearsTheCategoryWithNull) {
    const auto id = CreateProblem();
    Response r = Call("PATCH", "/api/v1/problems/" + std::to_string(id), R"({"version": 1, "category_id": null})");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_TRUE(json::parse(r.body)["category_id"].is_null());
}

TEST_F(ApiHandlers, ChecksOrgCreationInput) {
    Response missing = Call("POST", "/api/v1/orgs", R"({"parent_id": 1, "level": "province"})");
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(Message(missing), "missing required field \"name\"");
    Response kind =
        Call("POST", "/api/v1/orgs", R"({"parent_id": 1, "name": "x", "level": "province", "kind": "cult"})");
    EXPECT_EQ(kind.status, 400);
    EXPECT_EQ(Message(kind).rfind("/kind: unknown org kind \"cult\"", 0), 0u) << Message(kind);
    Response ok = Call("POST", "/api/v1/orgs",
                       R"({"parent_id": 1, "name": "山西省", "level": "province", "kind": "party_gov_agency",
                           "batch": 2, "division_code": "14"})");
    ASSERT_EQ(ok.status, 201) << ok.body;
    json j = json::parse(ok.body);
    EXPECT_EQ(j["batch"], 2);
    EXPECT_EQ(j["child_count"], 0);
    EXPECT_EQ(ok.Header("ETag"), "\"1\"");
    EXPECT_EQ(json::parse(Call("GET", "/api/v1/orgs/1").body)["child_count"], 2);
}

TEST_F(ApiHandlers, AnswersNotFoundOutsideTheApiWithoutAStaticDir) {
    Response r = Call("GET", "/index.html");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(Code(r), "not_found");
}

TEST_F(ApiHandlers, ServesTheWebUiWhenAStaticDirIsSet) {
    std::filesystem::create_directories(dir_.path() / "web");
    std::ofstream(dir_.path() / "web" / "index.html") << "<html></html>";
    Api with_ui(*service_, ApiOptions{(dir_.path() / "web").string()});
    Response r = with_ui.Handle(Request{"GET", "/orgs/2", std::nullopt, ""});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "<html></html>");
    EXPECT_TRUE(r.Header("Content-Security-Policy").has_value());
    Response anonymous = with_ui.Handle(Request{"GET", "/api/v1/orgs/2", std::nullopt, ""});
    EXPECT_EQ(anonymous.status, 401);  // the UI is public, the API is not
    Request authed{"GET", "/api/v1/orgs/2", std::nullopt, ""};
    authed.headers = {{"Authorization", "Bearer " + token_}};
    Response api = with_ui.Handle(authed);
    EXPECT_EQ(json::parse(api.body)["name"], "河北省");
}

TEST_F(ApiHandlers, RejectsOutOfRangeIdsInBodies) {
    Response r = Call("POST", "/api/v1/problems", R"({"title": "t", "owner_org_id": 99999999999999999999})");
    EXPECT_EQ(r.status, 400) << r.body;
    Response f = Call("POST", "/api/v1/problems", R"({"title": "t", "owner_org_id": 2.0})");
    EXPECT_EQ(f.status, 400) << f.body;
    EXPECT_EQ(Message(f), "/owner_org_id: expected a positive integer");
}

// Found by fuzz_api_json (tests/fuzz/regressions/api_json/grant-error-dangling-message): the error of
// a bad grant read its message from a destroyed temporary (ASan: stack-use-after-scope).
TEST_F(ApiHandlers, NamesTheGrantOfABadRoleWithItsPointer) {
    Response r = Call("POST", "/api/v1/users", R"({"name": "x.y", "org_id": 2, "grants": [{"role": "clerk", "org_id": 2},
                                                  {"role": "leNader", "org_id": 2}]})");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(Message(r).rfind("/grants/1/role: unknown role \"leNader\"", 0), 0u) << Message(r);
    Response missing = Call("POST", "/api/v1/users", R"({"name": "x.y", "org_id": 2, "grants": [{"role": "clerk"}]})");
    EXPECT_EQ(Message(missing), "/grants/0: missing required field \"org_id\"");
    Response shape = Call("POST", "/api/v1/users", R"({"name": "x.y", "org_id": 2, "grants": [7]})");
    EXPECT_EQ(Message(shape), "/grants/0: expected an object {\"role\", \"org_id\"}");
}

}  // namespace
}  // namespace rectify::http
