#include "http/open311_api.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "common/time.hpp"
#include "domain/public_intake.hpp"
#include "http/detail/handler.hpp"

namespace rectify::http {
namespace {

using nlohmann::json;

constexpr std::string_view kXmlType = "text/xml; charset=utf-8";
constexpr std::int64_t kDefaultDays = 90;     // GET requests without dates: the last 90 days (spec)
constexpr int kMaxRequests = 1000;            // and at most 1,000 requests (spec)

// ---- formats ----

// "services.xml" -> {"services", "xml"}; errors for other extensions.
Result<std::pair<std::string, std::string>> SplitFormat(const std::string& segment) {
    const auto dot = segment.rfind('.');
    if (dot == std::string::npos) {
        return NotFound("add the format to the resource: " + segment + ".xml or " + segment + ".json");
    }
    std::string stem = segment.substr(0, dot);
    std::string format = segment.substr(dot + 1);
    if (format != "xml" && format != "json") {
        return NotFound("format \"" + format + "\" is not served: use .xml or .json");
    }
    if (stem.empty()) return NotFound("empty resource id");
    return std::make_pair(std::move(stem), std::move(format));
}

// The format of the request's last path segment ("xml" when it names none: errors default to XML, the
// spec's required format).
std::string FormatOf(const RouteArgs& a) {
    const std::string& last = a.target.segments.empty() ? std::string() : a.target.segments.back();
    if (last.ends_with(".json")) return "json";
    return "xml";
}

std::string XmlEscape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            default: out.push_back(c);
        }
    }
    return out;
}

// JSON to the spec's XML: an object is a sequence of child elements; an array of objects is repeated
// `item` elements; an array of scalars (formats, keywords) repeated `item` elements with text; null is an
// empty element; booleans are "true"/"false".
void ToXml(const json& value, const std::string& name, std::string& out, const std::map<std::string, std::string>& items) {
    out += "<" + name + ">";
    if (value.is_object()) {
        for (const auto& [k, v] : value.items()) ToXml(v, k, out, items);
    } else if (value.is_array()) {
        auto it = items.find(name);
        const std::string child = it == items.end() ? "item" : it->second;
        for (const auto& v : value) ToXml(v, child, out, items);
    } else if (value.is_string()) {
        out += XmlEscape(value.get<std::string>());
    } else if (value.is_boolean()) {
        out += value.get<bool>() ? "true" : "false";
    } else if (!value.is_null()) {
        out += value.dump();
    }
    out += "</" + name + ">";
}

// The element names of array children, by the array's element name (the spec's documents).
const std::map<std::string, std::string>& ItemNames() {
    static const std::map<std::string, std::string> names = {
        {"services", "service"},   {"service_requests", "request"}, {"attributes", "attribute"},
        {"values", "value"},       {"endpoints", "endpoint"},        {"formats", "format"},
        {"errors", "error"},
    };
    return names;
}

// The answer in the requested format: JSON as is, XML as <root> with the declaration.
Response Answer(int status, const json& value, const std::string& root, std::string_view format) {
    Response r;
    r.status = status;
    if (format == "json") {
        r.content_type = std::string(kJsonContentType);
        r.body = value.dump(-1, ' ', false, json::error_handler_t::replace);
    } else {
        r.content_type = std::string(kXmlType);
        r.body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";
        ToXml(value, root, r.body, ItemNames());
    }
    return r;
}

int Open311Status(StatusCode code) {
    switch (code) {
        case StatusCode::kUnauthenticated: return 403;  // the spec answers a bad api_key with 403
        default: return HttpStatusOf(code);
    }
}

// ---- parameters: the query string and, for POST, an application/x-www-form-urlencoded body ----

class Params {
public:
    explicit Params(std::vector<std::pair<std::string, std::string>> pairs) : pairs_(std::move(pairs)) {}
    std::optional<std::string> Get(std::string_view name) const {
        for (const auto& [k, v] : pairs_) {
            if (k == name && !v.empty()) return v;
        }
        return std::nullopt;
    }
    const std::vector<std::pair<std::string, std::string>>& all() const { return pairs_; }

private:
    std::vector<std::pair<std::string, std::string>> pairs_;
};

Result<Params> ParamsOf(const RouteArgs& a, bool with_body) {
    auto pairs = a.target.query;
    if (with_body && !a.request.body.empty()) {
        const auto type = a.request.content_type.value_or("");
        if (type.rfind("application/x-www-form-urlencoded", 0) != 0) {
            return InvalidArgument("send the parameters as application/x-www-form-urlencoded (GeoReport v2)");
        }
        ASSIGN_OR_RETURN(Target form, ParseTarget("/?" + a.request.body));
        pairs.insert(pairs.end(), form.query.begin(), form.query.end());
    }
    return Params(std::move(pairs));
}

std::vector<std::string> SplitComma(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        auto end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        std::string part = s.substr(start, end - start);
        while (!part.empty() && part.front() == ' ') part.erase(part.begin());
        while (!part.empty() && part.back() == ' ') part.pop_back();
        if (!part.empty()) out.push_back(part);
        start = end + 1;
    }
    return out;
}

// ---- services: the leaves of the category catalogue ----

struct ServiceEntry {
    domain::Category category;
    std::string group;                  // the first-level category's name
    std::vector<std::string> keywords;  // the names along the path
};

Result<std::vector<ServiceEntry>> Services(service::Service& svc) {
    ASSIGN_OR_RETURN(auto categories, svc.ListCategories());
    std::set<domain::CategoryId> parents;
    for (const auto& c : categories) {
        if (c.parent_id) parents.insert(*c.parent_id);
    }
    std::vector<ServiceEntry> out;
    for (const auto& c : categories) {
        if (parents.count(c.id)) continue;
        ServiceEntry e{c, "", {}};
        std::size_t start = 0;
        while (start <= c.path.size()) {
            auto end = c.path.find('/', start);
            if (end == std::string::npos) end = c.path.size();
            e.keywords.push_back(c.path.substr(start, end - start));
            start = end + 1;
        }
        e.group = e.keywords.front();
        out.push_back(std::move(e));
    }
    return out;
}

json ServiceJson(const ServiceEntry& e) {
    std::string keywords;
    for (const auto& k : e.keywords) keywords += (keywords.empty() ? "" : ",") + k;
    return {{"service_code", std::to_string(e.category.id)},
            {"service_name", e.category.name},
            {"description", e.category.path},
            {"metadata", true},
            {"type", "realtime"},
            {"keywords", keywords},
            {"group", e.group}};
}

Result<ServiceEntry> FindService(service::Service& svc, const std::string& code) {
    ASSIGN_OR_RETURN(auto services, Services(svc));
    for (auto& s : services) {
        if (std::to_string(s.category.id) == code) return s;
    }
    return NotFound("service_code " + code + " was not found (GET /open311/v2/services.xml lists them)");
}

// The attributes every service takes (the service definition): where the request goes, and its kind.
json Attributes() {
    json kinds = json::array();
    for (auto k : domain::AllNames<domain::OpinionKind>()) kinds.push_back({{"key", std::string(k)}, {"name", std::string(k)}});
    return json::array({
        {{"variable", true},
         {"code", "division_code"},
         {"datatype", "string"},
         {"required", false},
         {"datatype_description", "GB/T 2260 / NBS division code of 2, 4, 6, 9 or 12 digits"},
         {"order", 1},
         {"description", "行政区划代码: the request goes to the deepest unit of this division or above it"}},
        {{"variable", true},
         {"code", "kind"},
         {"datatype", "singlevaluelist"},
         {"required", false},
         {"datatype_description", nullptr},
         {"order", 2},
         {"description", "性质: what the request asks for"},
         {"values", kinds}},
    });
}

// ---- requests ----

json RequestJson(const service::PublicView& v) {
    json j = {{"service_request_id", std::to_string(v.opinion_id)},
              {"status", v.open ? "open" : "closed"},
              {"status_notes", v.reply_text ? json(*v.reply_text) : json(v.status == "declined" ? "declined" : v.status == "duplicate" ? "duplicate" : "")},
              {"service_name", v.category_name ? json(v.category_name->substr(v.category_name->rfind('/') + 1)) : json(nullptr)},
              {"service_code", v.service_code ? json(*v.service_code)
                                              : v.category_id ? json(std::to_string(*v.category_id)) : json(nullptr)},
              {"description", v.text},
              {"agency_responsible", v.org_name},
              {"service_notice", ""},
              {"requested_datetime", FormatIso(v.received_at)},
              {"updated_datetime", FormatIso(v.updated_at)},
              {"expected_datetime", FormatIso(v.reply_due_at)},
              {"address", v.address ? json(*v.address) : json(nullptr)},
              {"address_id", v.division_code ? json(*v.division_code) : json(nullptr)},
              {"lat", v.latitude ? json(*v.latitude) : json(nullptr)},
              {"long", v.longitude ? json(*v.longitude) : json(nullptr)}};
    // Optional fields of the spec, left out when unknown (docs/PUBLIC.md#open311): zipcode (the ZIP Code
    // ending a US-style address) and media_url (the picture URL the client posted; portal photos get
    // none, docs/PUBLIC.md#photos).
    if (v.zipcode) j["zipcode"] = *v.zipcode;
    if (v.media_url) j["media_url"] = *v.media_url;
    return j;
}

// ---- handlers ----

Result<Response> Discovery(const PublicContext&, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto parts, SplitFormat(a.target.segments.back()));
    json endpoints = json::array({{{"specification", "http://wiki.open311.org/GeoReport_v2"},
                                   {"url", "/open311/v2"},
                                   {"changeset", "2026-11-30T00:00:00+08:00"},
                                   {"type", "production"},
                                   {"formats", json::array({"text/xml", "application/json"})}}});
    json doc = {{"changeset", "2026-11-30T00:00:00+08:00"},
                {"contact", "the operator of this rectify server"},
                {"key_service", "API tokens of rectify accounts (rectify token create; POST /api/v1/tokens)"},
                {"endpoints", endpoints}};
    return Answer(200, doc, "discovery", parts.second);
}

Result<Response> ListServices(const PublicContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto parts, SplitFormat(a.target.segments.back()));
    ASSIGN_OR_RETURN(auto services, Services(c.service));
    json list = json::array();
    for (const auto& s : services) list.push_back(ServiceJson(s));
    return Answer(200, list, "services", parts.second);
}

Result<Response> ServiceDefinition(const PublicContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto parts, SplitFormat(a.params.Get("code")));
    ASSIGN_OR_RETURN(auto service, FindService(c.service, parts.first));
    json def = {{"service_code", std::to_string(service.category.id)}, {"attributes", Attributes()}};
    return Answer(200, def, "service_definition", parts.second);
}

Result<Response> PostRequest(const PublicContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto parts, SplitFormat(a.target.segments.back()));
    if (auto refused = RateLimitRefusal(c.limiter, a.request)) {
        Response r = Open311Error(refused->second, parts.second);
        r.SetHeader("Retry-After", std::to_string(refused->first));
        return r;
    }
    ASSIGN_OR_RETURN(Params p, ParamsOf(a, true));
    auto api_key = p.Get("api_key");
    if (!api_key) return Unauthenticated("api_key is required to create a request (an API token of a rectify account)");
    auto who = c.service.ResolveToken(*api_key);
    if (!who.ok()) return Unauthenticated("invalid api_key: " + who.status().message());
    auto code = p.Get("service_code");
    if (!code) return InvalidArgument("service_code is required");
    auto service = FindService(c.service, *code);
    if (!service.ok()) return InvalidArgument(service.status().message());

    service::PublicSubmission s;
    s.via = "open311";
    s.client = a.request.client;
    s.account = &who->actor;
    s.service_code = *code;
    s.category_id = service->category.id;
    s.latitude = p.Get("lat");
    s.longitude = p.Get("long");
    s.address = p.Get("address_string");
    if (auto address_id = p.Get("address_id")) {
        // rectify's address ids are division codes (the service definition's division_code attribute).
        if (domain::RoutingCandidates(*address_id).ok()) {
            s.division_code = *address_id;
        } else {
            return InvalidArgument("address_id: \"" + *address_id +
                                   "\" is not an address id of this server (a division code of 2, 4, 6, 9 or 12 digits)");
        }
    }
    if (auto division = p.Get("attribute[division_code]")) s.division_code = *division;
    if (auto kind = p.Get("attribute[kind]")) {
        auto parsed = domain::ParseEnum<domain::OpinionKind>(*kind);
        if (!parsed.ok()) return InvalidArgument("attribute[kind]: " + parsed.status().message());
        s.kind = *parsed;
    }
    auto description = p.Get("description");
    s.text = description.value_or(service->category.path);
    // GeoReport v2 has no title: the service name and the start of the description.
    std::string title = service->category.name;
    s.title = title.size() >= 2 ? title : service->category.path;
    std::string name;
    if (auto first = p.Get("first_name")) name = *first;
    if (auto last = p.Get("last_name")) name += (name.empty() ? "" : " ") + *last;
    if (!name.empty()) s.contact_name = name;
    s.contact_phone = p.Get("phone");
    s.contact_email = p.Get("email");
    s.media_url = p.Get("media_url");
    auto filed = c.service.FilePublicOpinion(s);
    if (!filed.ok()) {
        std::string m = filed.status().message();
        if (m.rfind("contact_", 0) == 0) m = m.substr(8);  // contact_phone -> phone, the spec's parameter
        if (m.rfind("text:", 0) == 0) m = "description:" + m.substr(5);
        return Status(filed.status().code(), m);
    }
    json out = json::array({{{"service_request_id", std::to_string(filed->opinion_id)},
                             {"token", filed->tracking_code},
                             {"service_notice", "tracking code " + filed->tracking_code},
                             {"account_id", nullptr}}});
    Response r = Answer(201, out, "service_requests", parts.second);
    r.SetHeader("Location", "/open311/v2/requests/" + std::to_string(filed->opinion_id) + "." + parts.second);
    return r;
}

// One query per page in the store (store::Store::ListPublicRequests), plus the category catalogue.
Result<Response> GetRequests(const PublicContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto parts, SplitFormat(a.target.segments.back()));
    ASSIGN_OR_RETURN(Params p, ParamsOf(a, false));
    std::vector<service::PublicView> views;
    if (auto ids = p.Get("service_request_id")) {
        // With ids, the other filters are ignored (spec); answered in the order asked, unknown ids left out.
        store::PublicIntakeFilter f;
        f.from = 0;
        f.to = std::numeric_limits<UnixSeconds>::max();
        for (const auto& id : SplitComma(*ids)) {
            char* end = nullptr;
            const long long n = std::strtoll(id.c_str(), &end, 10);
            if (*end != '\0' || n <= 0) return InvalidArgument("service_request_id: \"" + id + "\" is not a request id");
            f.opinion_ids.push_back(n);
        }
        if (f.opinion_ids.size() > static_cast<std::size_t>(kMaxRequests)) {
            return InvalidArgument("service_request_id: at most " + std::to_string(kMaxRequests) + " ids");
        }
        f.limit = static_cast<int>(f.opinion_ids.size());
        ASSIGN_OR_RETURN(auto found, c.service.ListPublicOpinions(f));
        std::map<domain::OpinionId, service::PublicView> by_id;
        for (auto& v : found) by_id.emplace(v.opinion_id, std::move(v));
        std::set<domain::OpinionId> seen;
        for (auto id : f.opinion_ids) {
            auto it = by_id.find(id);
            if (it != by_id.end() && seen.insert(id).second) views.push_back(it->second);
        }
    } else {
        store::PublicIntakeFilter f;
        const UnixSeconds now = NowSeconds();
        std::optional<UnixSeconds> start, end;
        if (auto s = p.Get("start_date")) {
            auto t = ParseIso(*s);
            if (!t.ok()) return InvalidArgument("start_date: " + t.status().message());
            start = *t;
        }
        if (auto e = p.Get("end_date")) {
            auto t = ParseIso(*e);
            if (!t.ok()) return InvalidArgument("end_date: " + t.status().message());
            end = *t;
        }
        // Without dates the last 90 days (spec); end_date is inclusive.
        f.to = end ? *end + 1 : now + 1;
        f.from = start ? *start : f.to - 1 - kDefaultDays * kSecondsPerDay;
        if (f.from > f.to) return InvalidArgument("start_date is after end_date");
        if (auto codes = p.Get("service_code")) f.service_codes = SplitComma(*codes);
        std::set<std::string> statuses;
        if (auto st = p.Get("status")) {
            for (const auto& s : SplitComma(*st)) {
                if (s != "open" && s != "closed") return InvalidArgument("status: \"" + s + "\" is not open or closed");
                statuses.insert(s);
            }
        }
        if (statuses.size() == 1) f.open = statuses.count("open") > 0;  // both (or none): no status filter
        f.limit = kMaxRequests;
        ASSIGN_OR_RETURN(views, c.service.ListPublicOpinions(f));
    }
    json list = json::array();
    for (const auto& v : views) list.push_back(RequestJson(v));
    return Answer(200, list, "service_requests", parts.second);
}

Result<Response> GetRequest(const PublicContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto parts, SplitFormat(a.params.Get("id")));
    char* end = nullptr;
    const long long id = std::strtoll(parts.first.c_str(), &end, 10);
    if (*end != '\0' || id <= 0) return NotFound("service request " + parts.first + " does not exist");
    ASSIGN_OR_RETURN(auto view, c.service.PublicOpinionById(id));
    return Answer(200, json::array({RequestJson(view)}), "service_requests", parts.second);
}

Result<Response> GetToken(const PublicContext& c, const RouteArgs& a) {
    ASSIGN_OR_RETURN(auto parts, SplitFormat(a.params.Get("id")));
    auto view = c.service.TrackPublicOpinion(parts.first);
    if (!view.ok()) return NotFound("token " + parts.first + " was not found");
    json out = json::array({{{"service_request_id", std::to_string(view->opinion_id)}, {"token", view->tracking_code}}});
    return Answer(200, out, "service_requests", parts.second);
}

// Runs a handler and turns its errors into the spec's error documents.
template <Result<Response> (*Fn)(const PublicContext&, const RouteArgs&)>
Result<Response> Wrapped(const PublicContext& c, const RouteArgs& a) {
    Result<Response> r = Fn(c, a);
    if (r.ok()) return r;
    if (r.status().code() == StatusCode::kInternal) return r;  // logged and answered 500 by the API
    return Open311Error(r.status(), FormatOf(a));
}

}  // namespace

Response Open311Error(const Status& status, std::string_view format) {
    return Open311Error(Open311Status(status.code()), status.message(), format);
}

Response Open311Error(int http_status, const std::string& description, std::string_view format) {
    json errors = json::array({{{"code", http_status}, {"description", description}}});
    return Answer(http_status, errors, "errors", format);
}

bool IsOpen311Target(std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return path == "/open311/v2" || path.rfind("/open311/v2/", 0) == 0;
}

std::string Open311FormatOfTarget(std::string_view target) {
    const std::string_view path = target.substr(0, target.find('?'));
    return path.ends_with(".json") ? "json" : "xml";
}

void AddOpen311Routes(const std::function<void(std::string, std::string_view, PublicHandler)>& add) {
    for (const char* f : {"xml", "json"}) {
        const std::string ext = std::string(".") + f;
        add("GET", "/open311/v2/discovery" + ext, Wrapped<Discovery>);
        add("GET", "/open311/v2/services" + ext, Wrapped<ListServices>);
        add("GET", "/open311/v2/requests" + ext, Wrapped<GetRequests>);
        add("POST", "/open311/v2/requests" + ext, Wrapped<PostRequest>);
    }
    add("GET", "/open311/v2/services/{code}", Wrapped<ServiceDefinition>);
    add("GET", "/open311/v2/requests/{id}", Wrapped<GetRequest>);
    add("GET", "/open311/v2/tokens/{id}", Wrapped<GetToken>);
}

}  // namespace rectify::http
