// The HTTP request and response as the handlers see them: plain structs with no Beast types, so the
// router and the API handlers are unit-testable without sockets. server.cpp converts to and from Beast.
// Also the one table that maps Status codes to HTTP statuses (ENGINEERING.md "Errors").
// Value types and pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"

namespace rectify::http {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

// One request. `target` is the request-target exactly as received ("/api/v1/problems?limit=3"),
// still percent-encoded; the API parses it (see router.hpp ParseTarget).
struct Request {
    std::string method;  // "GET", "POST", ... (case as received; methods are case-sensitive)
    std::string target;
    std::optional<std::string> if_match;  // the If-Match header, when present
    std::string body;                     // the whole body, already size-limited by the server
    // Every header field as received (names as sent; look up with Header()). The server passes all of
    // them; the API reads Authorization, Cookie, Content-Type, X-CSRF-Token and X-Request-Id.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string client;  // the client's address (IP) as the server determined it; "" when unknown

    // The value of header `name` (ASCII case-insensitive; the first one when repeated), or nullopt.
    std::optional<std::string> Header(std::string_view name) const;
    // ---- workflow (issue 3) ----
    std::optional<std::string> content_type;     // the Content-Type header (evidence uploads), when present
    std::optional<std::string> idempotency_key;  // the Idempotency-Key header (POSTs), when present
};

// One response. `headers` are extra fields (ETag, Location, Allow, Cache-Control, Set-Cookie, security
// headers); Content-Type comes from `content_type`, Content-Length is set by the server.
struct Response {
    int status = 200;
    std::string content_type{kJsonContentType};
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // For the access log only (never sent): the matched route pattern ("/api/v1/problems/{id}") and
    // how the request authenticated ("session", "token" or "none").
    std::string log_route;
    std::string log_auth = "none";

    // The value of the extra header `name` (ASCII case-insensitive), or nullopt.
    std::optional<std::string> Header(std::string_view name) const;
    void SetHeader(std::string name, std::string value);
};

// The HTTP status of a Status code: invalid_argument 400, unauthenticated 401, permission_denied 403,
// not_found 404, already_exists / failed_precondition / aborted 409, payload_too_large 413,
// resource_exhausted 429, unavailable 503, internal 500 (and 200 for ok).
int HttpStatusOf(StatusCode code);

// A JSON response: `status`, body `value` serialised as UTF-8 (invalid UTF-8 inside strings, which
// should never reach here, is replaced by U+FFFD rather than throwing).
Response JsonResponse(int status, const nlohmann::json& value);

// The error response of `status` (which must not be OK): HTTP status from HttpStatusOf, body
// {"error":{"code":"<StatusCodeName>","message":"..."}}. kInternal messages are replaced by a generic
// text (they may carry internals such as SQL); the caller logs the original.
Response ErrorResponse(const Status& status);

// Adds X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer and X-Frame-Options: DENY to
// every response, and the Content-Security-Policy of the web UI to HTML responses. Idempotent.
void AddSecurityHeaders(Response& response);

// The Content-Security-Policy of the web UI (served with every HTML response).
std::string_view ContentSecurityPolicy();

// A fresh request id: 16 random base64url characters (96 bits).
std::string NewRequestId();
// True when `id` (e.g. a proxy's X-Request-Id) may be reused as ours: 1-64 characters of
// [A-Za-z0-9._-], so it is safe in logs and headers.
bool IsAcceptableRequestId(std::string_view id);

// One line of the access log: a JSON object without personal data (no client address, no user, no
// query string, no body). `path` is used when no route matched (already cleaned for logging).
struct AccessLogEntry {
    std::string request_id;
    std::string method;
    std::string route;
    int status = 0;
    double ms = 0;
    std::string auth = "none";
    bool write_failed = false;
};
// {"msg":"request","request_id":"..","method":"GET","route":"/api/v1/orgs/{id}","status":200,
//  "ms":1.25,"auth":"session"} (write_failed: true only when it failed).
std::string AccessLogJson(const AccessLogEntry& entry);

}  // namespace rectify::http
