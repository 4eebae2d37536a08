#include "http/message.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/crypto.hpp"

namespace rectify::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// 'unsafe-inline' for styles only: Element Plus and ECharts set style attributes; scripts stay 'self'.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'; object-src 'none'";

}  // namespace

std::optional<std::string> Request::Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (EqualsIgnoreCase(k, name)) return v;
    }
    return std::nullopt;
}

std::string_view ContentSecurityPolicy() { return kContentSecurityPolicy; }

std::string NewRequestId() { return RandomToken(12); }

bool IsAcceptableRequestId(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-';
    });
}

std::string AccessLogJson(const AccessLogEntry& e) {
    nlohmann::json j = {{"msg", "request"},
                        {"request_id", e.request_id},
                        {"method", e.method},
                        {"route", e.route},
                        {"status", e.status},
                        {"ms", std::round(e.ms * 100) / 100},
                        {"auth", e.auth}};
    if (e.write_failed) j["write_failed"] = true;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::string> Response::Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (EqualsIgnoreCase(k, name)) return v;
    }
    return std::nullopt;
}

void Response::SetHeader(std::string name, std::string value) {
    for (auto& [k, v] : headers) {
        if (EqualsIgnoreCase(k, name)) {
            v = std::move(value);
            return;
        }
    }
    headers.emplace_back(std::move(name), std::move(value));
}

int HttpStatusOf(StatusCode code) {
    switch (code) {
        case StatusCode::kOk: return 200;
        case StatusCode::kInvalidArgument: return 400;
        case StatusCode::kUnauthenticated: return 401;
        case StatusCode::kPermissionDenied: return 403;
        case StatusCode::kNotFound: return 404;
        case StatusCode::kAlreadyExists: return 409;
        case StatusCode::kFailedPrecondition: return 409;
        case StatusCode::kAborted: return 409;
        case StatusCode::kPayloadTooLarge: return 413;
        case StatusCode::kResourceExhausted: return 429;
        case StatusCode::kUnavailable: return 503;
        case StatusCode::kInternal: return 500;
    }
    return 500;
}

Response JsonResponse(int status, const nlohmann::json& value) {
    Response r;
    r.status = status;
    r.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
}

Response ErrorResponse(const Status& status) {
    const StatusCode code = status.ok() ? StatusCode::kInternal : status.code();
    std::string message = status.message();
    if (code == StatusCode::kInternal || message.empty()) {
        message = code == StatusCode::kInternal ? "internal error; the server log has the details"
                                                : std::string(StatusCodeName(code));
    }
    return JsonResponse(HttpStatusOf(code),
                        {{"error", {{"code", std::string(StatusCodeName(code))}, {"message", message}}}});
}

void AddSecurityHeaders(Response& response) {
    response.SetHeader("X-Content-Type-Options", "nosniff");
    response.SetHeader("Referrer-Policy", "no-referrer");
    response.SetHeader("X-Frame-Options", "DENY");
    if (response.content_type.rfind("text/html", 0) == 0) {
        response.SetHeader("Content-Security-Policy", std::string(kContentSecurityPolicy));
    }
}

}  // namespace rectify::http
