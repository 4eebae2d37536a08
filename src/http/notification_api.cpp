#include "http/notification_api.hpp"

#include <utility>

#include "common/time.hpp"
#include "http/detail/handler.hpp"
#include "http/detail/input.hpp"

namespace rectify::http {
namespace {

using detail::IfMatch;
using detail::Json;
using detail::NoQuery;
using detail::ObjectReader;
using detail::OptionalBody;
using detail::PathId;
using detail::QueryReader;
using nlohmann::json;

// ---- the inbox ----

Result<Response> ListNotifications(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"unread", "cursor", "limit"}));
    service::InboxQuery query;
    ASSIGN_OR_RETURN(auto unread, q.Bool("unread"));
    query.unread_only = unread.value_or(false);
    ASSIGN_OR_RETURN(query.cursor, q.NonEmpty("cursor"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    query.limit = limit.value_or(service::kDefaultPageSize);
    ASSIGN_OR_RETURN(auto page, c.service.ListInbox(c.actor, query));
    json items = json::array();
    for (const auto& n : page.items) items.push_back(service::NotificationToJson(n));
    return Json(200, {{"items", std::move(items)},
                      {"next_cursor", page.next_cursor ? json(*page.next_cursor) : json(nullptr)}});
}

Result<Response> UnreadCount(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(std::int64_t n, c.service.CountUnreadNotifications(c.actor));
    return Json(200, {{"unread", n}});
}

Result<Response> MarkRead(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "notification id"));
    ASSIGN_OR_RETURN(json body, OptionalBody(a));
    RETURN_IF_ERROR(ObjectReader(body).CheckKnown({}));
    ASSIGN_OR_RETURN(auto n, c.service.MarkNotificationRead(c.actor, id, NowSeconds()));
    return Json(200, service::NotificationToJson(n));
}

Result<Response> MarkAllRead(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, OptionalBody(a));
    RETURN_IF_ERROR(ObjectReader(body).CheckKnown({}));
    ASSIGN_OR_RETURN(std::int64_t marked, c.service.MarkAllNotificationsRead(c.actor, NowSeconds()));
    return Json(200, {{"marked", marked}});
}

// ---- webhooks ----

// "kinds": an array of notification kind names.
Result<std::vector<std::string>> ReadKinds(const json& body) {
    const json& v = body["kinds"];
    if (!v.is_array()) return InvalidArgument("/kinds: expected an array of notification kinds, e.g. [\"urge\"]");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string()) return InvalidArgument("/kinds/" + std::to_string(i) + ": expected a string");
        out.push_back(v[i].get<std::string>());
    }
    return out;
}

Result<Response> CreateWebhook(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"org_id", "url", "kinds", "active"}));
    service::WebhookDraft d;
    RETURN_IF_ERROR(r.Require("org_id"));
    ASSIGN_OR_RETURN(d.org_id, r.Id("org_id"));
    RETURN_IF_ERROR(r.Require("url"));
    ASSIGN_OR_RETURN(d.url, r.String("url"));
    if (r.Has("kinds") && !r.IsNull("kinds")) {
        ASSIGN_OR_RETURN(d.kinds, ReadKinds(body));
    }
    if (r.Has("active")) {
        ASSIGN_OR_RETURN(d.active, r.Bool("active"));
    }
    ASSIGN_OR_RETURN(auto created, c.service.CreateWebhook(c.actor, d));
    json j = service::WebhookToJson(created.webhook);
    j["secret"] = created.secret;  // the only time it is shown
    Response resp = Json(201, j, created.webhook.version);
    resp.SetHeader("Location", "/api/v1/webhooks/" + std::to_string(created.webhook.id));
    return resp;
}

Result<Response> ListWebhooks(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"org_id"}));
    ASSIGN_OR_RETURN(auto org, q.Id("org_id"));
    ASSIGN_OR_RETURN(auto list, c.service.ListWebhooks(c.actor, org));
    json items = json::array();
    for (const auto& w : list) items.push_back(service::WebhookToJson(w));
    return Json(200, {{"items", std::move(items)}});
}

Result<Response> GetWebhook(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "webhook id"));
    ASSIGN_OR_RETURN(auto w, c.service.GetWebhook(c.actor, id));
    return Json(200, service::WebhookToJson(w), w.version);
}

Result<Response> PatchWebhook(const WorkflowContext& c, const RouteArgs& a) {
    RETURN_IF_ERROR(NoQuery(a));
    ASSIGN_OR_RETURN(auto id, PathId(a, "webhook id"));
    ASSIGN_OR_RETURN(auto version, IfMatch(a));
    ASSIGN_OR_RETURN(json body, detail::ParseJsonObject(a.request.body));
    ObjectReader r(body);
    RETURN_IF_ERROR(r.CheckKnown({"url", "kinds", "active"}));
    service::WebhookPatch p;
    if (r.Has("url")) {
        ASSIGN_OR_RETURN(std::string url, r.String("url"));
        p.url = std::move(url);
    }
    if (r.Has("kinds")) {
        if (r.IsNull("kinds")) {
            p.kinds = std::vector<std::string>{};
        } else {
            ASSIGN_OR_RETURN(auto kinds, ReadKinds(body));
            p.kinds = std::move(kinds);
        }
    }
    if (r.Has("active")) {
        ASSIGN_OR_RETURN(bool active, r.Bool("active"));
        p.active = active;
    }
    ASSIGN_OR_RETURN(auto w, c.service.UpdateWebhook(c.actor, id, p, version));
    return Json(200, service::WebhookToJson(w), w.version);
}

Result<Response> ListDeliveries(const WorkflowContext& c, const RouteArgs& a) {
    QueryReader q(a.target.query);
    RETURN_IF_ERROR(q.CheckKnown({"limit"}));
    ASSIGN_OR_RETURN(auto id, PathId(a, "webhook id"));
    ASSIGN_OR_RETURN(auto limit, q.IntInRange("limit", 1, service::kMaxPageSize));
    ASSIGN_OR_RETURN(auto list, c.service.ListWebhookDeliveries(c.actor, id, limit.value_or(service::kDefaultPageSize)));
    json items = json::array();
    for (const auto& d : list) items.push_back(service::DeliveryToJson(d));
    return Json(200, {{"items", std::move(items)}});
}

}  // namespace

void AddNotificationRoutes(const std::function<void(std::string, std::string_view, WorkflowHandler)>& add) {
    add("GET", "/api/v1/notifications", ListNotifications);
    add("GET", "/api/v1/notifications/unread_count", UnreadCount);
    add("POST", "/api/v1/notifications/{id}/read", MarkRead);
    add("POST", "/api/v1/notifications/read_all", MarkAllRead);
    add("POST", "/api/v1/webhooks", CreateWebhook);
    add("GET", "/api/v1/webhooks", ListWebhooks);
    add("GET", "/api/v1/webhooks/{id}", GetWebhook);
    add("PATCH", "/api/v1/webhooks/{id}", PatchWebhook);
    add("GET", "/api/v1/webhooks/{id}/deliveries", ListDeliveries);
}

}  // namespace rectify::http
