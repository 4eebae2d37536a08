#include "http/public_api.hpp"

#include "common/crypto.hpp"
#include "domain/public_intake.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"

namespace rectify::http {
namespace {

using detail::Body;
using detail::Items;
using detail::Json;
using detail::NoQuery;
using detail::ObjectReader;
using detail::OptString;
using detail::QueryReader;
using detail::RequiredString;
using nlohmann::json;

// GET /api/v1/public/categories: the catalogue (id, parent_id, name, depth, path), as staff see it.
Result<Response> Categories(const PublicContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto categories, c.service.ListCategories());
    return Json(200, detail::ItemsOf(categories));
}

// GET /api/v1/public/divisions?parent=<code>: the divisions below a code ("" or absent: the provinces).
Result<Response> Divisions(const PublicContext&, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"parent"}));
    const std::string parent = q.Get("parent").value_or("");
    if (!parent.empty() && !domain::FindDivision(parent)) {
        return NotFound("parent: no division has the code \"" + parent + "\"");
    }
    json items = json::array();
    for (const auto& d : domain::ChildDivisions(parent)) {
        items.push_back({{"code", d.code}, {"name", d.name}, {"level", d.level},
                         {"has_children", !domain::ChildDivisions(d.code).empty()}});
    }
    return Json(200, Items(std::move(items)));
}

Result<service::PublicSubmission::Photo> PhotoOf(const json& body) {
    if (!body.is_object()) return InvalidArgument("/photo: expected an object {content_type, data, name?}");
    ObjectReader r(body);
    if (auto known = r.CheckKnown({"content_type", "data", "name"}); !known.ok()) {
        return InvalidArgument("/photo: " + known.message());
    }
    service::PublicSubmission::Photo photo;
    auto nested = [](const Status& st) {
        return InvalidArgument(st.message().rfind('/', 0) == 0 ? "/photo" + st.message() : "/photo: " + st.message());
    };
    auto type = RequiredString(r, "content_type");
    if (!type.ok()) return nested(type.status());
    photo.content_type = *type;
    auto data = RequiredString(r, "data");
    if (!data.ok()) return nested(data.status());
    auto bytes = DecodeBase64(*data);
    if (!bytes.ok()) return InvalidArgument("/photo/data: " + bytes.status().message());
    photo.bytes = std::move(bytes).value();
    ASSIGN_OR_RETURN(auto name, OptString(r, "name"));
    photo.name = name.value_or("photo");
    return photo;
}

// POST /api/v1/public/opinions: files an opinion; 201 with the public view and its tracking code.
Result<Response> FileOpinion(const PublicContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    if (auto refused = RefuseIfRateLimited(c.limiter, a.request)) return *refused;
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"category_id", "kind", "division_code", "address", "title", "text", "contact",
                                  "photo"}));
    service::PublicSubmission s;
    s.via = "portal";
    s.client = a.request.client;
    RETURN_IF_ERROR(r.Require("category_id"));
    ASSIGN_OR_RETURN(s.category_id, r.Id("category_id"));
    if (r.Has("kind") && !r.IsNull("kind")) {
        ASSIGN_OR_RETURN(s.kind, r.Enum<domain::OpinionKind>("kind"));
    }
    ASSIGN_OR_RETURN(s.division_code, OptString(r, "division_code"));
    ASSIGN_OR_RETURN(s.address, OptString(r, "address"));
    if (s.address && s.address->empty()) s.address.reset();
    if (s.division_code && s.division_code->empty()) s.division_code.reset();
    ASSIGN_OR_RETURN(s.title, RequiredString(r, "title"));
    ASSIGN_OR_RETURN(s.text, RequiredString(r, "text"));
    if (r.Has("contact") && !r.IsNull("contact")) {
        const json& contact = body["contact"];
        if (!contact.is_object()) return InvalidArgument("/contact: expected an object {name?, phone?, email?}");
        ObjectReader cr(contact);
        auto known = cr.CheckKnown({"name", "phone", "email"});
        if (!known.ok()) return InvalidArgument("/contact: " + known.message());
        auto field = [&](const char* name, std::optional<std::string>& out) -> Status {
            auto v = OptString(cr, name);
            if (!v.ok()) return InvalidArgument("/contact" + v.status().message());
            if (*v && !(*v)->empty()) out = **v;
            return Status::Ok();
        };
        RETURN_IF_ERROR(field("name", s.contact_name));
        RETURN_IF_ERROR(field("phone", s.contact_phone));
        RETURN_IF_ERROR(field("email", s.contact_email));
    }
    if (r.Has("photo") && !r.IsNull("photo")) {
        ASSIGN_OR_RETURN(s.photo, PhotoOf(body["photo"]));
    }
    auto filed = c.service.FilePublicOpinion(s);
    if (!filed.ok()) {
        const Status& st = filed.status();
        // Service messages name fields without the JSON pointer slash; the contact fields live in /contact.
        std::string m = st.message();
        for (const char* f : {"contact_name", "contact_phone", "contact_email"}) {
            if (m.rfind(f, 0) == 0) m = std::string("/contact/") + (f + 8) + m.substr(std::string(f).size());
        }
        return Status(st.code(), m);
    }
    Response res = Json(201, service::ToJson(*filed));
    res.SetHeader("Location", "/api/v1/public/opinions/" + filed->tracking_code);
    return res;
}

// GET /api/v1/public/opinions/{code}: what the public may see of it.
Result<Response> TrackOpinion(const PublicContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto view, c.service.TrackPublicOpinion(a.params.Get("code")));
    return Json(200, service::ToJson(view));
}

// POST /api/v1/public/opinions/{code}/rating {"satisfaction", "comment"?}.
Result<Response> RateOpinion(const PublicContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    if (auto refused = RefuseIfRateLimited(c.limiter, a.request)) return *refused;
    ASSIGN_OR_RETURN(json body, Body(a));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"satisfaction", "comment"}));
    RETURN_IF_ERROR(r.Require("satisfaction"));
    ASSIGN_OR_RETURN(auto satisfaction, r.Enum<domain::Satisfaction>("satisfaction"));
    ASSIGN_OR_RETURN(auto comment, OptString(r, "comment"));
    if (comment && comment->empty()) comment.reset();
    ASSIGN_OR_RETURN(auto view, c.service.RatePublicOpinion(a.params.Get("code"), satisfaction, comment));
    return Json(200, service::ToJson(view));
}

// GET /api/v1/public/orgs?parent_id=N: the root (no parent_id) or the children of an org, for choosing a
// notice board. Only id, name, level, division code and child count.
Result<Response> Orgs(const PublicContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"parent_id"}));
    ASSIGN_OR_RETURN(auto parent, q.Id("parent_id"));
    ASSIGN_OR_RETURN(auto orgs, c.service.PublicOrgs(parent));
    auto tree = c.service.Tree();
    json items = json::array();
    for (const auto& o : orgs) {
        items.push_back({{"id", o.id},
                         {"name", o.name},
                         {"level", o.level},
                         {"division_code", o.division_code ? json(*o.division_code) : json(nullptr)},
                         {"child_count", tree ? tree->Children(o.id).size() : 0}});
    }
    return Json(200, Items(std::move(items)));
}

// GET /api/v1/public/orgs/{id}/notices: the notice board (整改公示) of the org's subtree.
Result<Response> Notices(const PublicContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"problems_cursor", "mechanisms_cursor", "limit"}));
    ASSIGN_OR_RETURN(auto id, detail::PathId(a, "org id"));
    ASSIGN_OR_RETURN(auto pc, q.NonEmpty("problems_cursor"));
    ASSIGN_OR_RETURN(auto mc, q.NonEmpty("mechanisms_cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, 100));
    ASSIGN_OR_RETURN(auto board, c.service.PublicNotices(id, pc, mc, limit.value_or(20)));
    return Json(200, service::ToJson(board));
}

}  // namespace

std::optional<std::pair<long, Status>> RateLimitRefusal(RateLimiter& limiter, const Request& request) {
    auto wait = limiter.Take(request.client.empty() ? std::string("unknown") : request.client);
    if (!wait) return std::nullopt;
    return std::make_pair(
        *wait, ResourceExhausted("too many submissions from your address: at most " +
                                 std::to_string(static_cast<long>(limiter.per_minute())) + " a minute (bursts of " +
                                 std::to_string(static_cast<long>(limiter.burst())) + "); try again in " +
                                 std::to_string(*wait) + " seconds"));
}

std::optional<Response> RefuseIfRateLimited(RateLimiter& limiter, const Request& request) {
    auto refused = RateLimitRefusal(limiter, request);
    if (!refused) return std::nullopt;
    Response r = ErrorResponse(refused->second);
    r.SetHeader("Retry-After", std::to_string(refused->first));
    return r;
}

void AddPublicRoutes(const std::function<void(std::string, std::string_view, PublicHandler)>& add) {
    add("GET", "/api/v1/public/categories", Categories);
    add("GET", "/api/v1/public/divisions", Divisions);
    add("POST", "/api/v1/public/opinions", FileOpinion);
    add("GET", "/api/v1/public/opinions/{code}", TrackOpinion);
    add("POST", "/api/v1/public/opinions/{code}/rating", RateOpinion);
    add("GET", "/api/v1/public/orgs", Orgs);
    add("GET", "/api/v1/public/orgs/{id}/notices", Notices);
}

}  // namespace rectify::http
