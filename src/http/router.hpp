// Request-target parsing and routing by method and path pattern ("/api/v1/problems/{id}"), without any
// socket or Beast type. Used by api.cpp; unit-tested in tests/api/router_test.cpp.
// A Router is filled once at start and then only read: concurrent Find() calls are safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "http/message.hpp"

namespace rectify::http {

// A parsed origin-form request-target (RFC 9112 §3.2.1), percent-decoded.
struct Target {
    std::string path;                                         // decoded path, e.g. "/api/v1/orgs/1"
    std::vector<std::string> segments;                        // decoded segments: {"api", "v1", "orgs", "1"}
    std::vector<std::pair<std::string, std::string>> query;  // decoded name=value pairs in order
};

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in query strings).
// Errors: kInvalidArgument for a '%' not followed by two hex digits.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Parses "/a/b%20c?x=1&y=%E4%B8%AD". The path must start with '/'; "/" has no segments, "/a/" has the
// segments {"a", ""}. Query pairs without '=' get an empty value; empty pairs ("&&") are skipped.
// Errors: kInvalidArgument when the target is not origin-form, an escape is malformed, or a decoded
// segment, name or value is not valid UTF-8 (RFC 3629) or contains a NUL byte.
Result<Target> ParseTarget(std::string_view target);

// Values captured by the `{name}` segments of a pattern.
class PathParams {
public:
    void Add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
    // The value captured for `name`; "" when the pattern has no such parameter.
    const std::string& Get(std::string_view name) const;

private:
    std::vector<std::pair<std::string, std::string>> items_;
};

// What a handler gets: the request, its parsed target and the path parameters.
struct RouteArgs {
    const Request& request;
    const Target& target;
    const PathParams& params;
};
using Handler = std::function<Response(const RouteArgs&)>;

class Router {
public:
    // Registers `handler` for `method` (exact, e.g. "GET") on `pattern`: '/'-separated literal segments
    // and `{name}` segments that match any one non-empty segment. A GET route also answers HEAD.
    // Routes are tried in registration order.
    void Add(std::string method, std::string_view pattern, Handler handler);

    struct Match {
        enum class Kind { kFound, kMethodNotAllowed, kNotFound };
        Kind kind = Kind::kNotFound;
        const Handler* handler = nullptr;  // kFound: the handler (owned by the Router)
        PathParams params;                 // kFound: the captured values
        std::string allow;                 // kMethodNotAllowed: the Allow header, e.g. "GET, HEAD, PATCH"
    };
    // The route for `method` and the decoded path `segments`.
    Match Find(std::string_view method, const std::vector<std::string>& segments) const;

    // Every registered (method, pattern) in registration order, e.g. {"GET", "/api/v1/orgs/{id}"}
    // (for the OpenAPI check: tests/api/openapi_test.cpp).
    std::vector<std::pair<std::string, std::string>> Routes() const;

private:
    struct Route {
        std::string method;
        std::vector<std::string> pattern;  // literal segments, or "{name}"
        Handler handler;
    };
    static bool Matches(const Route& route, const std::vector<std::string>& segments, PathParams* params);

    std::vector<Route> routes_;
};

}  // namespace rectify::http
