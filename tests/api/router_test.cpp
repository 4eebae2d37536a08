// Target parsing and routing, without sockets.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include "test_util.hpp"

namespace rectify::http {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(ApiTarget, SplitsAndDecodesPathAndQuery) {
    auto t = ParseTarget("/api/v1/orgs?q=%E7%9F%B3%E5%AE%B6%E5%BA%84&limit=5&flag&&x=a+b%2Bc");
    ASSERT_OK(t);
    EXPECT_EQ(t->path, "/api/v1/orgs");
    EXPECT_EQ(t->segments, (std::vector<std::string>{"api", "v1", "orgs"}));
    EXPECT_EQ(t->query, (Pairs{{"q", "石家庄"}, {"limit", "5"}, {"flag", ""}, {"x", "a b+c"}}));
}

TEST(ApiTarget, KeepsEmptySegmentsAndDecodesPathEscapesButNotPlus) {
    auto root = ParseTarget("/");
    ASSERT_OK(root);
    EXPECT_TRUE(root->segments.empty());
    auto trailing = ParseTarget("/a/");
    ASSERT_OK(trailing);
    EXPECT_EQ(trailing->segments, (std::vector<std::string>{"a", ""}));
    auto escaped = ParseTarget("/a%20b/c+d/%2E%2E");
    ASSERT_OK(escaped);
    EXPECT_EQ(escaped->segments, (std::vector<std::string>{"a b", "c+d", ".."}));
}

TEST(ApiTarget, RejectsMalformedEscapesInvalidUtf8NulAndNonOriginForms) {
    for (const char* bad : {"/a%zz", "/a%4", "/a%", "/?q=%G1", "/%FF", "/?q=%C3%28", "/%ED%A0%80", "/a%00b", "/?a=%00",
                            "http://example.com/", "*", ""}) {
        auto t = ParseTarget(bad);
        ASSERT_FALSE(t.ok()) << bad;
        EXPECT_EQ(t.status().code(), StatusCode::kInvalidArgument) << bad;
    }
}

TEST(ApiTarget, PercentDecodesPlusOnlyWhenAsked) {
    EXPECT_EQ(*PercentDecode("a+b%21", true), "a b!");
    EXPECT_EQ(*PercentDecode("a+b%21", false), "a+b!");
}

Handler Named(std::string name) {
    return [name](const RouteArgs&) {
        Response r;
        r.body = name;
        return r;
    };
}

class ApiRouter : public ::testing::Test {
  protected:
    ApiRouter() {
        router_.Add("GET", "/api/v1/problems", Named("list"));
        router_.Add("POST", "/api/v1/problems", Named("create"));
        router_.Add("GET", "/api/v1/problems/{id}", Named("get"));
        router_.Add("PATCH", "/api/v1/problems/{id}", Named("patch"));
        router_.Add("GET", "/api/v1/problems/{id}/events", Named("events"));
        router_.Add("GET", "/api/v1/orgs/{id}/stats/children", Named("child-stats"));
    }
    std::string Call(const Router::Match& m) {
        Request req;
        Target t;
        return (*m.handler)(RouteArgs{req, t, m.params}).body;
    }
    Router router_;
};

TEST_F(ApiRouter, MatchesLiteralRoutesByMethod) {
    auto get = router_.Find("GET", {"api", "v1", "problems"});
    ASSERT_EQ(get.kind, Router::Match::Kind::kFound);
    EXPECT_EQ(Call(get), "list");
    auto post = router_.Find("POST", {"api", "v1", "problems"});
    ASSERT_EQ(post.kind, Router::Match::Kind::kFound);
    EXPECT_EQ(Call(post), "create");
}

TEST_F(ApiRouter, CapturesPathParameters) {
    auto m = router_.Find("GET", {"api", "v1", "orgs", "42", "stats", "children"});
    ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
    EXPECT_EQ(Call(m), "child-stats");
    EXPECT_EQ(m.params.Get("id"), "42");
    EXPECT_EQ(m.params.Get("other"), "");
    auto events = router_.Find("GET", {"api", "v1", "problems", "abc", "events"});
    ASSERT_EQ(events.kind, Router::Match::Kind::kFound);  // the handler validates the id
    EXPECT_EQ(events.params.Get("id"), "abc");
}

TEST_F(ApiRouter, AnswersHeadWithTheGetRoute) {
    auto m = router_.Find("HEAD", {"api", "v1", "problems", "7"});
    ASSERT_EQ(m.kind, Router::Match::Kind::kFound);
    EXPECT_EQ(Call(m), "get");
}

TEST_F(ApiRouter, ListsTheAllowedMethodsForAKnownPathWithAnotherMethod) {
    auto m = router_.Find("DELETE", {"api", "v1", "problems", "7"});
    EXPECT_EQ(m.kind, Router::Match::Kind::kMethodNotAllowed);
    EXPECT_EQ(m.allow, "GET, HEAD, PATCH");
    auto list = router_.Find("PUT", {"api", "v1", "problems"});
    EXPECT_EQ(list.allow, "GET, HEAD, POST");
}

TEST_F(ApiRouter, DoesNotMatchOtherShapesOrEmptyParameters) {
    EXPECT_EQ(router_.Find("GET", {"api", "v1", "problem"}).kind, Router::Match::Kind::kNotFound);
    EXPECT_EQ(router_.Find("GET", {"api", "v1", "problems", ""}).kind, Router::Match::Kind::kNotFound);
    EXPECT_EQ(router_.Find("GET", {"api", "v1", "problems", "1", "events", "x"}).kind, Router::Match::Kind::kNotFound);
    EXPECT_EQ(router_.Find("get", {"api", "v1", "problems"}).kind, Router::Match::Kind::kMethodNotAllowed);
    EXPECT_EQ(router_.Find("GET", {}).kind, Router::Match::Kind::kNotFound);
}

}  // namespace
}  // namespace rectify::http
