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
    // ---- workflow (issue 3) ----
    std::optional<std::string> content_type;     // the Content-Type header (evidence uploads), when present
    std::optional<std::string> idempotency_key;  // the Idempotency-Key header (POSTs), when present
};

// One response. `headers` are extra fields (ETag, Location, Allow, Cache-Control, security headers);
// Content-Type comes from `content_type`, Content-Length is set by the server.
struct Response {
    int status = 200;
    std::string content_type{kJsonContentType};
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;

    // The value of the extra header `name` (ASCII case-insensitive), or nullopt.
    std::optional<std::string> Header(std::string_view name) const;
    void SetHeader(std::string name, std::string value);
};

// The HTTP status of a Status code: invalid_argument 400, unauthenticated 401, permission_denied 403,
// not_found 404, already_exists / failed_precondition / aborted 409, payload_too_large 413,
// unavailable 503, internal 500 (and 200 for ok).
int HttpStatusOf(StatusCode code);

// A JSON response: `status`, body `value` serialised as UTF-8 (invalid UTF-8 inside strings, which
// should never reach here, is replaced by U+FFFD rather than throwing).
Response JsonResponse(int status, const nlohmann::json& value);

// The error response of `status` (which must not be OK): HTTP status from HttpStatusOf, body
// {"error":{"code":"<StatusCodeName>","message":"..."}}. kInternal messages are replaced by a generic
// text (they may carry internals such as SQL); the caller logs the original.
Response ErrorResponse(const Status& status);

// Adds X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer to every response, and the
// Content-Security-Policy of the web UI to HTML responses. Idempotent.
void AddSecurityHeaders(Response& response);

}  // namespace rectify::http
