#include "http/message.hpp"

#include <algorithm>
#include <cctype>

namespace rectify::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

}  // namespace

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
        case StatusCode::kOk:
            return 200;
        case StatusCode::kInvalidArgument:
            return 400;
        case StatusCode::kUnauthenticated:
            return 401;
        case StatusCode::kPermissionDenied:
            return 403;
        case StatusCode::kNotFound:
            return 404;
        case StatusCode::kAlreadyExists:
            return 409;
        case StatusCode::kFailedPrecondition:
            return 409;
        case StatusCode::kAborted:
            return 409;
        case StatusCode::kPayloadTooLarge:
            return 413;
        case StatusCode::kUnavailable:
            return 503;
        case StatusCode::kInternal:
            return 500;
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
    if (response.content_type.rfind("text/html", 0) == 0) {
        response.SetHeader("Content-Security-Policy", std::string(kContentSecurityPolicy));
    }
}

}  // namespace rectify::http
