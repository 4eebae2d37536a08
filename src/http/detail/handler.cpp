#include "http/detail/handler.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "common/csv.hpp"
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

Result<Response> LedgerDownload(service::LedgerFormat format, const std::string& ascii_stem,
                                const std::string& file_name,
                                const std::function<Status(service::LedgerSink&)>& write) {
    Response r;
    r.status = 200;
    const bool csv = format == service::LedgerFormat::kCsv;
    if (csv) {
        std::ostringstream out;
        auto sink = service::MakeCsvLedgerSink(out);
        RETURN_IF_ERROR(write(*sink));
        r.body = std::move(out).str();
        r.content_type = "text/csv; charset=utf-8";
    } else {
        std::string path = (std::filesystem::temp_directory_path() / "rectify-ledger-XXXXXX").string();
        int fd = mkstemp(path.data());
        if (fd < 0) return Internal("ledger: cannot create a temporary file");
        close(fd);
        auto sink = service::MakeXlsxLedgerSink(path);
        Status st = write(*sink);
        sink.reset();
        Result<std::string> bytes = st.ok() ? ReadFile(path) : Result<std::string>(st);
        std::filesystem::remove(path);
        if (!bytes.ok()) return bytes.status();
        r.body = std::move(bytes).value();
        r.content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    }
    r.SetHeader("Content-Disposition", "attachment; filename=\"" + ascii_stem + (csv ? ".csv" : ".xlsx") +
                                           "\"; filename*=" + ExtValue(file_name));
    r.SetHeader("Cache-Control", "private, no-store");
    return r;
}

std::string EscapeHtml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        switch (ch) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += ch;
        }
    }
    return out;
}

}  // namespace rectify::http::detail
