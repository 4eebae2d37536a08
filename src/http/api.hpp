// The REST API of rectify (/healthz and /api/v1/..., docs/API.md) and the static web UI, as one
// function from Request to Response with no socket or Beast type: server.cpp calls Handle() for every
// request, and tests call it directly. Every /api/v1 route but the login needs an authenticated actor
// (session cookie, or Authorization: Bearer <API token>), else 401; cookie-authenticated unsafe
// requests need the session's CSRF token in X-CSRF-Token (docs/SECURITY.md). Handlers decode strictly
// (detail/input.hpp), call src/service as the request's Actor, and encode with domain::ToJson /
// service::ToJson. Thread-safe: Handle() may run on any number of threads at once (the router is
// read-only after construction; the service is thread-safe).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "domain/model.hpp"
#include "http/message.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "http/static_files.hpp"
#include "service/service.hpp"

namespace rectify::http {

struct ApiOptions {
    std::string static_dir;  // built web UI served for paths outside /api/ and /healthz; "" = none
    // Served over TLS (behind a proxy): the session cookie gets Secure and the __Host- name prefix.
    bool secure_cookies = false;
    // ---- public intake (issue 9, docs/PUBLIC.md#abuse-limits) ----
    // The public write routes (portal filing and rating, Open311 POST requests) take one token per
    // request from the client address's bucket: `public_rate_per_minute` refill (0 = no limit), at most
    // `public_burst` at once. `rectify serve --public-rate-per-minute / --public-burst`.
    double public_rate_per_minute = 6;
    double public_burst = 5;
    // The body limit of the routes that file an opinion (the photo travels base64-encoded in it);
    // `--public-max-body-bytes`. Other routes keep the server's --max-body-bytes.
    std::size_t public_max_body_bytes = 8u << 20;
};

// Session cookie names: the plain one over HTTP, the __Host- one (RFC 6265bis §4.1.3.2: Secure, Path=/,
// no Domain) with secure_cookies.
inline constexpr std::string_view kSessionCookie = "rectify_session";
inline constexpr std::string_view kSecureSessionCookie = "__Host-rectify_session";

// Who may call a route: anyone (health, login), any authenticated actor, or also an account that must
// change its password first (who am I, logout, password change).
enum class Access { kPublic, kAuthenticated, kDuringPasswordChange };

struct RouteInfo {
    std::string method;
    std::string pattern;
    Access access = Access::kAuthenticated;
};

class Api {
public:
    // `service` must outlive the Api.
    Api(service::Service& service, ApiOptions options);

    // Answers one request. Never throws: an unexpected exception is logged and answered 500 without
    // details. Every response carries the security headers (AddSecurityHeaders). For HEAD the body is
    // filled like GET; the server sends only its length.
    Response Handle(const Request& request) const;

    // Every route, in registration order (the cross-subtree test walks them all).
    const std::vector<RouteInfo>& Routes() const { return routes_; }
    // ---- workflow (issue 3) ----
    // The body limit of a route that takes more than the server's default: the evidence upload
    // (POST /api/v1/tasks/{id}/evidence) takes up to the service's evidence limit, but only when the
    // request's credentials (token, or session cookie + CSRF token) are valid — so no one unauthenticated
    // can make the server read 20 MiB. nullopt for every other request. `head` holds the method, the raw
    // request-target and the header fields (no body): the server asks before it reads a body.
    std::optional<std::size_t> UploadLimit(const Request& head) const;
    // ---- public intake (issue 9) ----
    // The body limit of the routes that file an opinion from the public (POST /api/v1/public/opinions,
    // POST /open311/v2/requests(.json|.xml)): ApiOptions::public_max_body_bytes; nullopt for others.
    std::optional<std::size_t> PublicBodyLimit(const Request& head) const;
    // The answer to a request that could not be read (413 body or header too large, 400 malformed), for
    // the raw request-target `target` ("" when unknown): under /open311/v2/ the spec's error list in the
    // format of the target's extension (XML unless ".json"); elsewhere rectify's JSON error.
    Response ReadErrorResponse(std::string_view target, const Status& status) const;
    // The routes, for the OpenAPI check.
    const Router& router() const { return router_; }

private:
    Response Dispatch(const Request& request) const;
    void AddRoutes();

    service::Service& service_;
    ApiOptions options_;
    Router router_;
    std::vector<RouteInfo> routes_;
    std::optional<StaticFiles> static_files_;
    std::unique_ptr<RateLimiter> public_limiter_;  // owned here, used by the const handlers
};

}  // namespace rectify::http
