// Helpers every API handler file uses (api.cpp, workflow_api.cpp, linkage_api.cpp): JSON answers with
// ETag and Location, item lists and pages, path ids, bodies, If-Match versions and common body fields.
// Pure functions over the request; errors are kInvalidArgument naming the field, parameter or header.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.hpp"
#include "domain/json.hpp"
#include "http/detail/input.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "service/service.hpp"

namespace rectify::http::detail {

// The ETag of a record version: "\"<version>\"" (RFC 9110 §8.8.3, a strong tag).
std::string ETag(std::int64_t version);
// A JSON answer, with ETag when `version` is given.
Response Json(int status, const nlohmann::json& value, std::optional<std::int64_t> version = std::nullopt);
// 201 with Location (and ETag when `version` is given).
Response Created(const nlohmann::json& value, const std::string& location, std::optional<std::int64_t> version);
// {"items": array}.
nlohmann::json Items(nlohmann::json array);

// {"items": [ToJson(x)...]}.
template <typename T>
nlohmann::json ItemsOf(const std::vector<T>& list) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& item : list) items.push_back(domain::ToJson(item));
    return Items(std::move(items));
}

// {"items": [...], "next_cursor": "c…" | null}.
template <typename T>
nlohmann::json PageJson(const service::Page<T>& page) {
    nlohmann::json j = ItemsOf(page.items);
    j["next_cursor"] = page.next_cursor ? nlohmann::json(*page.next_cursor) : nlohmann::json(nullptr);
    return j;
}

// The positive id in path parameter `name`; `what` names it in the error ("problem id").
Result<std::int64_t> PathId(const RouteArgs& a, std::string_view what, std::string_view name = "id");
// Refuses any query parameter (routes that take none).
Status NoQuery(const RouteArgs& a);
// The body as a JSON object (errors name the byte offset or the depth limit).
Result<nlohmann::json> Body(const RouteArgs& a);
// The body as a JSON object; an empty body is an empty object (transitions that need no field).
Result<nlohmann::json> OptionalBody(const RouteArgs& a);
// The version of an If-Match header ("3" or a bare 3; "*" means any), or nullopt without one.
Result<std::optional<std::int64_t>> IfMatch(const RouteArgs& a);
// A string member that must be present; one that may be absent or null.
Result<std::string> RequiredString(const ObjectReader& r, std::string_view name);
Result<std::optional<std::string>> OptString(const ObjectReader& r, std::string_view name);

// A ledger-shaped table (service/ledger.hpp) as a file download named `file_name` (UTF-8; sent as
// RFC 6266 filename* and an ASCII fallback "<ascii_stem>.csv|xlsx"): `write` fills the sink. XLSX goes
// through a temporary file (libxlsxwriter needs one) that is removed afterwards. Errors: those of
// `write`; kInternal when the temporary file cannot be made.
Result<Response> LedgerDownload(service::LedgerFormat format, const std::string& ascii_stem,
                                const std::string& file_name,
                                const std::function<Status(service::LedgerSink&)>& write);

// Text made safe for HTML element content and attribute values (& < > " ').
std::string EscapeHtml(std::string_view text);

}  // namespace rectify::http::detail
