// Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) under /open311/v2/ (issue 9,
// docs/API.md "Open311 GeoReport v2", docs/PUBLIC.md#open311): discovery, services (the leaves of the
// category catalogue), service definitions, POST and GET requests, one request, tokens; every resource
// in XML (required by the spec) and JSON, chosen by the extension. Requests are public intake: POST goes
// through Service::FilePublicOpinion (one intake path with the portal) with the api_key's account, which
// must hold clerk over the org the request is routed to. Errors use the spec's format (a list of
// {code, description}) with the HTTP status equal to the code. Plain C++, no Beast; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "http/public_api.hpp"

namespace rectify::http {

// Calls `add(method, pattern, handler)` once for every Open311 route (both formats are separate routes:
// "/open311/v2/services.xml" and "/open311/v2/services.json"; one-item resources take the extension in
// their last segment, "/open311/v2/requests/{id}" matches "requests/17.xml").
void AddOpen311Routes(const std::function<void(std::string, std::string_view, PublicHandler)>& add);

// The spec's error document for `status` in `format` ("xml" or "json"): XML
// <errors><error><code>404</code><description>…</description></error></errors> or JSON
// [{"code": 404, "description": "…"}], with the HTTP status of the code.
Response Open311Error(const Status& status, std::string_view format);
// The same document with an explicit HTTP status (405 for a method a route does not take).
Response Open311Error(int http_status, const std::string& description, std::string_view format);

// Whether the request-target (path, optionally with a query) is under /open311/v2/ (or is /open311/v2).
bool IsOpen311Target(std::string_view target);
// The error format a request-target asks for: "json" when its path ends in ".json", else "xml" (the
// spec's required format).
std::string Open311FormatOfTarget(std::string_view target);

}  // namespace rectify::http
