// The HTTP front of rectify: REST API under /api/v1, /healthz, and the built web UI (web/dist) with SPA
// fallback, over Boost.Beast with Asio C++20 coroutines. Handlers decode JSON, call src/service with
// the request's Actor, and map Status codes to HTTP in one table (ENGINEERING.md "Errors").
// Serve() blocks; it is called once per process by `rectify serve`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "common/status.hpp"
#include "domain/model.hpp"
#include "service/service.hpp"

namespace rectify::http {

struct ServerOptions {
    std::string bind = "127.0.0.1";      // IPv4 or IPv6 literal
    std::uint16_t port = 8080;           // 0 = any free port (tests); the chosen port is reported
    int threads = 2;                     // I/O threads
    std::size_t max_body_bytes = 1 << 20;                // larger request bodies get 413
    std::chrono::seconds request_timeout{30};            // per read or write; idle keep-alive closes after it
    std::chrono::seconds shutdown_grace{10};             // how long in-flight requests may take at SIGTERM
    std::string static_dir;              // built web UI; empty = API only
    // Behind a TLS-terminating proxy: session cookies get Secure and the __Host- prefix.
    bool secure_cookies = false;
    // Behind a proxy on this host that sets X-Real-IP: take the client address from it (for the login
    // back-off and log). Off by default: a client could otherwise choose its own address.
    bool trust_x_real_ip = false;
    // ---- public intake (issue 9): see ApiOptions ----
    double public_rate_per_minute = 6;
    double public_burst = 5;
    std::size_t public_max_body_bytes = 8u << 20;
    // Called once the socket listens, with the bound port (after port 0 is resolved).
    std::function<void(std::uint16_t)> on_listening;
};

// Serves until SIGTERM or SIGINT, then stops accepting, lets in-flight requests finish (up to
// shutdown_grace) and returns. Errors: kUnavailable when the address cannot be bound (with the reason,
// e.g. "127.0.0.1:8080 is in use"), kInvalidArgument for a malformed bind address.
Status Serve(service::Service& service, const ServerOptions& options);

}  // namespace rectify::http
