// The REST routes of the rectification workflow (issue 3, docs/API.md "Workflow"): tasks, progress
// reports, evidence upload and download, verification, problem close-out, reopen, invalid and merge,
// opinion decisions, replies and ratings, mechanisms, meetings, the problem timeline and
// GET /api/openapi.json. Api::AddRoutes registers them through AddWorkflowRoutes (authenticated like
// every route; the actor is the caller's); after authentication, Api runs POSTs with an Idempotency-Key
// through RunIdempotent. Plain C++, no Beast.
// Thread-safe: handlers keep no state; the service is thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "domain/model.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "service/service.hpp"

namespace rectify::http {

struct WorkflowContext {
    service::Service& service;
    const domain::Actor& actor;
};
using WorkflowHandler = Result<Response> (*)(const WorkflowContext&, const RouteArgs&);

// Calls `add(method, pattern, handler)` once for every workflow route.
void AddWorkflowRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add);

// The evidence upload's body limit (the service's evidence limit, bytes) for
// POST /api/v1/tasks/{id}/evidence; nullopt for every other method and target.
std::optional<std::size_t> WorkflowUploadLimit(const service::Service& service, std::string_view method,
                                               std::string_view target);

// Runs `run` at most once per (actor, Idempotency-Key): the first 2xx response is stored and returned
// again (with the header Idempotent-Replayed: true) for a retry of the same request — same method,
// target, Content-Type and body. The same key with another request is 409 already_exists; a retry
// while the first still runs is 409 aborted. A non-2xx response is not stored (it changed nothing), so
// the key can be used again. Precondition: request.idempotency_key is set.
Response RunIdempotent(service::Service& service, const domain::Actor& actor, const Request& request,
                       const std::string& path, const std::function<Response()>& run);

// The OpenAPI 3 document (src/http/openapi.json, embedded at build time).
std::string_view OpenApiJson();

}  // namespace rectify::http
