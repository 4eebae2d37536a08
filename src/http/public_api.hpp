// The public portal's REST routes (issue 9, docs/API.md "Public portal", docs/PUBLIC.md): the category
// and division pickers, filing an opinion, tracking it by code, rating the reply, and the notice board
// (整改公示). No login: Api::AddRoutes registers them as Access::kPublic. The write routes take a token
// from the client's bucket of the RateLimiter first (429 with Retry-After when empty). Plain C++, no Beast.
// Thread-safe: handlers keep no state; the service and the rate limiter are thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/message.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "service/service.hpp"

namespace rectify::http {

struct PublicContext {
    service::Service& service;
    RateLimiter& limiter;  // the public write routes' per-client limit
};
using PublicHandler = Result<Response> (*)(const PublicContext&, const RouteArgs&);

// Calls `add(method, pattern, handler)` once for every route of the portal.
void AddPublicRoutes(const std::function<void(std::string, std::string_view, PublicHandler)>& add);

// Takes a token for the request's client (its address). nullopt: go on. Otherwise the answer to send:
// 429 resource_exhausted "too many submissions from your address: at most N a minute (bursts of B); try
// again in S seconds" with Retry-After: S.
std::optional<Response> RefuseIfRateLimited(RateLimiter& limiter, const Request& request);
// The same as the seconds to wait and the kResourceExhausted status (for answers in other formats).
std::optional<std::pair<long, Status>> RateLimitRefusal(RateLimiter& limiter, const Request& request);

}  // namespace rectify::http
