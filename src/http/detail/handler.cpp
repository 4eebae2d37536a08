#include "http/detail/handler.hpp"

#include "common/text.hpp"

namespace rectify::http::detail {

std::string ETag(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

Response Json(int status, const nlohmann::json& value, std::optional<std::int64_t> version) {
    Response r = JsonResponse(status, value);
    if (version) r.SetHeader("ETag", ETag(*version));
    return r;
}

Response Created(const nlohmann::json& value, const std::string& location, std::optional<std::int64_t> version) {
    Response r = Json(201, value, version);
    r.SetHeader("Location", location);
    return r;
}

nlohmann::json Items(nlohmann::json array) { return {{"items", std::move(array)}}; }

Result<std::int64_t> PathId(const RouteArgs& a, std::string_view what, std::string_view name) {
    return ParseId(a.params.Get(name), what);
}

Status NoQuery(const RouteArgs& a) { return QueryReader(a.target.query).CheckKnown({}); }

Result<nlohmann::json> Body(const RouteArgs& a) { return ParseJsonObject(a.request.body); }

Result<nlohmann::json> OptionalBody(const RouteArgs& a) {
    if (TrimAscii(a.request.body).empty()) return nlohmann::json::object();
    return ParseJsonObject(a.request.body);
}

Result<std::optional<std::int64_t>> IfMatch(const RouteArgs& a) {
    if (!a.request.if_match) return std::optional<std::int64_t>();
    std::string_view v = TrimAscii(*a.request.if_match);
    if (v == "*") return std::optional<std::int64_t>();
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    auto n = ParseId(v, "If-Match version");
    if (!n.ok()) {
        return InvalidArgument("If-Match must be the ETag of the version you read, e.g. \"3\", not " +
                               Quote(*a.request.if_match));
    }
    return std::optional<std::int64_t>(*n);
}

Result<std::string> RequiredString(const ObjectReader& r, std::string_view name) {
    RETURN_IF_ERROR(r.Require(name));
    return r.String(name);
}

Result<std::optional<std::string>> OptString(const ObjectReader& r, std::string_view name) {
    if (!r.Has(name) || r.IsNull(name)) return std::optional<std::string>();
    ASSIGN_OR_RETURN(std::string s, r.String(name));
    return std::optional<std::string>(std::move(s));
}

}  // namespace rectify::http::detail
