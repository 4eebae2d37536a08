// Strict decoding of JSON bodies and query parameters, and the Status -> HTTP table.
#include "http/detail/input.hpp"

#include <gtest/gtest.h>

#include "domain/model.hpp"
#include "http/message.hpp"
#include "test_util.hpp"

namespace rectify::http {
namespace {

using detail::ObjectReader;
using detail::ParseJsonObject;
using detail::QueryReader;
using nlohmann::json;
using Pairs = std::vector<std::pair<std::string, std::string>>;

std::string Nested(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

std::string ErrorOf(const Status& s) { return s.ok() ? "ok" : s.message(); }
template <typename T>
std::string ErrorOf(const Result<T>& r) {
    return r.ok() ? "ok" : r.status().message();
}

TEST(ApiJsonBody, AcceptsAnObject) {
    auto j = ParseJsonObject(R"({"title": "路灯", "n": 1})");
    ASSERT_OK(j);
    EXPECT_EQ((*j)["title"], "路灯");
}

TEST(ApiJsonBody, RejectsEmptyMalformedAndNonObjectBodies) {
    EXPECT_EQ(ErrorOf(ParseJsonObject("")), "the request body is empty; expected a JSON object");
    EXPECT_EQ(ErrorOf(ParseJsonObject("  \r\n")), "the request body is empty; expected a JSON object");
    EXPECT_EQ(ErrorOf(ParseJsonObject("[1]")), "the request body must be a JSON object");
    EXPECT_EQ(ErrorOf(ParseJsonObject("42")), "the request body must be a JSON object");
    auto bad = ParseJsonObject(R"({"a": })");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bad.status().message().rfind("the request body is not valid JSON: parse error at line 1", 0), 0u)
        << bad.status().message();
    EXPECT_FALSE(ParseJsonObject(R"({"a": 1} x)").ok());
    EXPECT_FALSE(ParseJsonObject(R"({"a": 1,})").ok());
}

TEST(ApiJsonBody, RejectsInvalidUtf8WithTheByteOffset) {
    // Offset 7 is the 0xFF: {"a": " is 7 bytes.
    EXPECT_EQ(ErrorOf(ParseJsonObject("{\"a\": \"\xff\"}")), "the request body is not valid UTF-8 (byte 7)");
}

TEST(ApiJsonBody, AcceptsThirtyTwoLevelsAndRejectsDeeper) {
    // The object is level 1, so 31 nested arrays inside it make 32 levels.
    EXPECT_OK(ParseJsonObject("{\"a\": " + Nested(31) + "}"));
    EXPECT_EQ(ErrorOf(ParseJsonObject("{\"a\": " + Nested(32) + "}")),
              "the request body is nested deeper than 32 levels");
    EXPECT_FALSE(ParseJsonObject("{\"a\": " + Nested(100000) + "}").ok());
    std::string objects;
    for (int i = 0; i < 40; ++i) objects += "{\"k\":";
    objects += "1" + std::string(40, '}');
    EXPECT_FALSE(ParseJsonObject(objects).ok());
}

TEST(ApiObjectReader, NamesUnknownFieldsAndMissingOnes) {
    json j = {{"title", "t"}, {"foo", 1}};
    ObjectReader r(j);
    EXPECT_EQ(ErrorOf(r.CheckKnown({"title"})), "unknown field \"foo\"");
    EXPECT_OK(r.CheckKnown({"title", "foo"}));
    EXPECT_EQ(ErrorOf(r.Require("owner_org_id")), "missing required field \"owner_org_id\"");
}

TEST(ApiObjectReader, NamesTheJsonPointerOfATypeError) {
    json j = {{"s", 1},        {"i", 1.5},        {"big", 18446744073709551615ull},
              {"neg", -3},     {"t", 5},          {"bad_t", "2030-13-01"},
              {"ids", {1, 0}}, {"null", nullptr}, {"sev", "bogus"}};
    ObjectReader r(j);
    EXPECT_EQ(ErrorOf(r.String("s")), "/s: expected a string");
    EXPECT_EQ(ErrorOf(r.String("null")), "/null: expected a string");
    EXPECT_EQ(ErrorOf(r.Int("i")), "/i: expected an integer");
    EXPECT_EQ(ErrorOf(r.Int("big")), "/big: integer out of range");
    EXPECT_EQ(*r.Int("neg"), -3);
    EXPECT_EQ(ErrorOf(r.Id("neg")), "/neg: expected a positive integer");
    EXPECT_EQ(ErrorOf(r.Time("t")), "/t: expected an RFC 3339 string");
    EXPECT_EQ(ErrorOf(r.Time("bad_t")).rfind("/bad_t: invalid time \"2030-13-01\"", 0), 0u);
    EXPECT_EQ(ErrorOf(r.IdArray("ids")), "/ids/1: expected a positive integer");
    EXPECT_EQ(ErrorOf(r.IdArray("s")), "/s: expected an array of positive integers");
    EXPECT_EQ(ErrorOf(r.Enum<domain::Severity>("sev")),
              "/sev: unknown severity \"bogus\" (allowed: normal, serious, critical)");
    EXPECT_TRUE(r.IsNull("null"));
    EXPECT_FALSE(r.IsNull("absent"));
}

TEST(ApiObjectReader, ReadsValidValues) {
    json j = {{"id", 7}, {"ids", {1, 2}}, {"t", "2020-09-03T00:30:00Z"}, {"sev", "critical"}};
    ObjectReader r(j);
    EXPECT_EQ(*r.Id("id"), 7);
    EXPECT_EQ(*r.IdArray("ids"), (std::vector<std::int64_t>{1, 2}));
    EXPECT_EQ(*r.Time("t"), 1599093000);  // 2020-09-03T00:30:00Z: 18508 days * 86400 + 1800
    EXPECT_EQ(*r.Enum<domain::Severity>("sev"), domain::Severity::kCritical);
}

TEST(ApiNumbers, ParsesWholeIntegersOnly) {
    EXPECT_EQ(*detail::ParseInt64("-12", "n"), -12);
    EXPECT_EQ(ErrorOf(detail::ParseInt64("12x", "n")), "n \"12x\" is not an integer");
    EXPECT_EQ(ErrorOf(detail::ParseInt64("", "n")), "n \"\" is not an integer");
    EXPECT_EQ(ErrorOf(detail::ParseInt64(" 1", "n")), "n \" 1\" is not an integer");
    EXPECT_EQ(ErrorOf(detail::ParseInt64("+1", "n")), "n \"+1\" is not an integer");
    EXPECT_EQ(ErrorOf(detail::ParseInt64("99999999999999999999", "n")), "n \"99999999999999999999\" is out of range");
    EXPECT_EQ(*detail::ParseId("9223372036854775807", "id"), 9223372036854775807);
    EXPECT_EQ(ErrorOf(detail::ParseId("abc", "problem id")), "invalid problem id \"abc\": expected a positive integer");
    EXPECT_FALSE(detail::ParseId("0", "id").ok());
    EXPECT_FALSE(detail::ParseId("-1", "id").ok());
    EXPECT_FALSE(detail::ParseId("1.0", "id").ok());
}

TEST(ApiNumbers, QuotesLongInputOnACodePointBoundary) {
    // 13 three-byte characters = 39 bytes + "中" makes 42: the cut at 40 falls inside the 14th.
    std::string text;
    for (int i = 0; i < 14; ++i) text += "中";
    EXPECT_EQ(detail::Quote(text), "\"" + text.substr(0, 39) + "…\"");
    EXPECT_EQ(detail::Quote("short"), "\"short\"");
}

TEST(ApiQueryReader, RejectsUnknownAndRepeatedParameters) {
    Pairs q{{"limit", "3"}, {"colour", "red"}};
    EXPECT_EQ(ErrorOf(QueryReader(q).CheckKnown({"limit", "cursor"})),
              "unknown query parameter \"colour\" (allowed: limit, cursor)");
    Pairs twice{{"limit", "3"}, {"limit", "4"}};
    EXPECT_EQ(ErrorOf(QueryReader(twice).CheckKnown({"limit"})), "query parameter \"limit\" is given twice");
    Pairs some{{"x", ""}};
    EXPECT_EQ(ErrorOf(QueryReader(some).CheckKnown({})), "unknown query parameter \"x\" (this route takes none)");
}

TEST(ApiQueryReader, ReadsTypedValues) {
    Pairs q{{"limit", "500"},
            {"zero", "0"},
            {"id", "12"},
            {"bad_id", "12x"},
            {"yes", "true"},
            {"maybe", "yes"},
            {"date", "2020-09-03"},
            {"plus", "2020-09-03T08:30:00 08:00"},
            {"status", "registered,closed"},
            {"bad_status", "registered,,closed"},
            {"empty", ""}};
    QueryReader r(q);
    EXPECT_EQ(**r.IntInRange("limit", 1, 500), 500);
    EXPECT_EQ(ErrorOf(r.IntInRange("zero", 1, 500)),
              "query parameter \"zero\" must be an integer between 1 and 500, not \"0\"");
    EXPECT_FALSE(r.IntInRange("absent", 1, 500)->has_value());
    EXPECT_EQ(**r.Id("id"), 12);
    EXPECT_EQ(ErrorOf(r.Id("bad_id")), "invalid query parameter \"bad_id\" \"12x\": expected a positive integer");
    EXPECT_EQ(**r.Bool("yes"), true);
    EXPECT_EQ(ErrorOf(r.Bool("maybe")), "query parameter \"maybe\" must be true or false, not \"yes\"");
    EXPECT_OK(r.Time("date"));
    // 08:30 at +08:00 is 00:30 UTC.
    EXPECT_EQ(**r.Time("plus"), 1599093000);
    EXPECT_EQ(*r.EnumList<domain::ProblemStatus>("status"),
              (std::vector<domain::ProblemStatus>{domain::ProblemStatus::kRegistered, domain::ProblemStatus::kClosed}));
    EXPECT_EQ(ErrorOf(r.EnumList<domain::ProblemStatus>("bad_status")),
              "query parameter \"bad_status\" has an empty item");
    EXPECT_EQ(ErrorOf(r.NonEmpty("empty")), "query parameter \"empty\" is empty");
    EXPECT_FALSE(r.Time("empty").ok());
}

TEST(ApiErrors, MapsEveryStatusCodeToItsHttpStatus) {
    EXPECT_EQ(HttpStatusOf(StatusCode::kInvalidArgument), 400);
    EXPECT_EQ(HttpStatusOf(StatusCode::kUnauthenticated), 401);
    EXPECT_EQ(HttpStatusOf(StatusCode::kPermissionDenied), 403);
    EXPECT_EQ(HttpStatusOf(StatusCode::kNotFound), 404);
    EXPECT_EQ(HttpStatusOf(StatusCode::kAlreadyExists), 409);
    EXPECT_EQ(HttpStatusOf(StatusCode::kFailedPrecondition), 409);
    EXPECT_EQ(HttpStatusOf(StatusCode::kAborted), 409);
    EXPECT_EQ(HttpStatusOf(StatusCode::kPayloadTooLarge), 413);
    EXPECT_EQ(HttpStatusOf(StatusCode::kUnavailable), 503);
    EXPECT_EQ(HttpStatusOf(StatusCode::kInternal), 500);
}

TEST(ApiErrors, WritesTheErrorBodyAndHidesInternalMessages) {
    Response r = ErrorResponse(Aborted("problem 3 was changed by someone else (version 4)"));
    EXPECT_EQ(r.status, 409);
    EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
    EXPECT_EQ(
        json::parse(r.body),
        (json{{"error", {{"code", "aborted"}, {"message", "problem 3 was changed by someone else (version 4)"}}}}));
    Response internal = ErrorResponse(Internal("sqlite3_step: disk I/O error in /var/lib/x"));
    EXPECT_EQ(internal.status, 500);
    EXPECT_EQ(internal.body.find("sqlite"), std::string::npos);
    EXPECT_EQ(json::parse(internal.body)["error"]["code"], "internal");
}

TEST(ApiErrors, AddsSecurityHeadersAndTheCspOnHtmlOnly) {
    Response json_response = JsonResponse(200, json::object());
    AddSecurityHeaders(json_response);
    EXPECT_EQ(json_response.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(json_response.Header("referrer-policy"), "no-referrer");
    EXPECT_FALSE(json_response.Header("Content-Security-Policy"));
    Response html;
    html.content_type = "text/html; charset=utf-8";
    AddSecurityHeaders(html);
    AddSecurityHeaders(html);
    EXPECT_EQ(html.headers.size(), 4u);  // nosniff, no-referrer, X-Frame-Options, CSP
    EXPECT_EQ(*html.Header("x-frame-options"), "DENY");
    EXPECT_EQ(*html.Header("content-security-policy"),
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
              "base-uri 'self'; form-action 'self'; object-src 'none'");
}

}  // namespace
}  // namespace rectify::http
