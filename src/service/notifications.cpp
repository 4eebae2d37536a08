// Notifications and webhooks (issue 8): the in-app inbox of a user (notices to the user and to the
// user's org, read state per user), outgoing webhooks with their signing secret, and the delivery pass
// that POSTs the outbox (written by RecordStep in supervision.cpp) with HMAC-SHA256 signatures,
// exponential back-off and a dead letter. docs/SUPERVISION.md "Notifications and webhooks" and
// docs/SECURITY.md "Webhook signatures" explain it. Thread-safe like every Service call.
#include <algorithm>
#include <cctype>
#include <map>

#include "common/crypto.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/supervision.hpp"
#include "service/detail/checks.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxUrlBytes = 2000;
// Deliveries tried in one pass at most: a pass never runs unbounded; the rest wait for the next one.
constexpr std::int64_t kMaxDeliveriesPerPass = 10000;
constexpr std::size_t kMaxErrorChars = 300;

constexpr domain::RoleSet kWebhookRoles{domain::Role::kOrgAdmin};

json OptTime(const std::optional<UnixSeconds>& t) { return t ? json(FormatIso(*t)) : json(nullptr); }

bool IsKnownKind(std::string_view kind) {
    return std::find(kNotificationKinds.begin(), kNotificationKinds.end(), kind) != kNotificationKinds.end();
}

std::string KindList() {
    std::string out;
    for (auto k : kNotificationKinds) out += (out.empty() ? "" : ", ") + std::string(k);
    return out;
}

Status CheckKinds(const std::vector<std::string>& kinds) {
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (!IsKnownKind(kinds[i])) {
            return InvalidArgument("kinds: unknown notification kind \"" + kinds[i] + "\"; the kinds are " + KindList());
        }
        if (std::find(kinds.begin(), kinds.begin() + static_cast<std::ptrdiff_t>(i), kinds[i]) !=
            kinds.begin() + static_cast<std::ptrdiff_t>(i)) {
            return InvalidArgument("kinds: \"" + kinds[i] + "\" is listed twice");
        }
    }
    return Status::Ok();
}

// A receiver's answer or error for last_error: one line of printable ASCII, at most kMaxErrorChars.
std::string OneLine(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (out.size() >= kMaxErrorChars) break;
        out += (c >= 0x20 && c < 0x7F) ? static_cast<char>(c) : ' ';
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace

// ---- free functions ----

Result<WebhookUrl> ParseWebhookUrl(std::string_view url) {
    if (url.empty()) return InvalidArgument("url: required, e.g. https://gateway.example.gov.cn/rectify");
    if (url.size() > kMaxUrlBytes) return InvalidArgument("url: at most " + std::to_string(kMaxUrlBytes) + " bytes");
    for (unsigned char c : url) {
        if (c <= 0x20 || c >= 0x7F) {
            return InvalidArgument("url: only visible ASCII characters (percent-encode the rest, RFC 3986)");
        }
    }
    WebhookUrl out;
    std::string_view rest;
    if (url.substr(0, 7) == "http://") {
        out.scheme = "http";
        out.port = 80;
        rest = url.substr(7);
    } else if (url.substr(0, 8) == "https://") {
        out.scheme = "https";
        out.port = 443;
        rest = url.substr(8);
    } else {
        return InvalidArgument("url: must start with http:// or https://");
    }
    if (rest.find('#') != std::string_view::npos) return InvalidArgument("url: no fragment (#...) allowed");
    const std::size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (out.target.front() == '?') out.target = "/" + out.target;
    if (authority.find('@') != std::string_view::npos) {
        return InvalidArgument("url: no user name or password in the URL (the signature authenticates rectify)");
    }
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return InvalidArgument("url: unclosed [ in the host");
        out.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return InvalidArgument("url: unexpected text after the host");
            port_text = after.substr(1);
        }
    } else {
        const std::size_t colon = authority.find(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
        for (char c : out.host) {
            if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) {
                return InvalidArgument("url: the host \"" + out.host + "\" is not a DNS name or an IP address");
            }
        }
    }
    if (out.host.empty()) return InvalidArgument("url: a host is required");
    if (authority.find(':') != std::string_view::npos && port_text.empty() && authority.front() != '[') {
        return InvalidArgument("url: empty port");
    }
    if (!port_text.empty()) {
        std::int64_t port = 0;
        for (char c : port_text) {
            if (c < '0' || c > '9' || port > 65535) return InvalidArgument("url: the port must be 1..65535");
            port = port * 10 + (c - '0');
        }
        if (port < 1 || port > 65535) return InvalidArgument("url: the port must be 1..65535");
        out.port = static_cast<std::uint16_t>(port);
    }
    return out;
}

std::int64_t RetryDelaySeconds(const WebhookPolicy& policy, int failed_attempts) {
    std::int64_t delay = std::max<std::int64_t>(1, policy.retry_base_seconds);
    for (int i = 1; i < failed_attempts && delay < policy.retry_cap_seconds; ++i) delay *= 2;
    return std::min(delay, policy.retry_cap_seconds);
}

std::string WebhookSignature(std::string_view secret, UnixSeconds timestamp, std::string_view body) {
    std::string message = std::to_string(timestamp);
    message += '.';
    message.append(body);
    return "sha256=" + HmacSha256Hex(secret, message);
}

json ToJson(const LadderRunReport& r) {
    return json{{"at", FormatIso(r.at)}, {"candidates", r.candidates}, {"urged", r.urged},
                {"supervised", r.supervised}, {"skipped", r.skipped}, {"errors", r.errors}};
}

json ToJson(const DeliveryReport& r) {
    return json{{"at", FormatIso(r.at)}, {"attempted", r.attempted}, {"delivered", r.delivered},
                {"retried", r.retried}, {"dead", r.dead}, {"errors", r.errors}};
}

json ToJson(const SupervisionPassReport& r) {
    return json{{"ladder", ToJson(r.ladder)},
                {"deliveries", ToJson(r.deliveries)},
                {"skipped_running_elsewhere", r.skipped_running_elsewhere}};
}

json NotificationToJson(const domain::Notification& n) {
    json j{{"id", n.id},       {"org_id", n.org_id}, {"kind", n.kind},
           {"title", n.title}, {"body", n.body},     {"created_at", FormatIso(n.created_at)}};
    j["user_id"] = n.user_id ? json(*n.user_id) : json(nullptr);
    j["task_id"] = n.task_id ? json(*n.task_id) : json(nullptr);
    j["problem_id"] = n.problem_id ? json(*n.problem_id) : json(nullptr);
    j["read"] = n.read_at.has_value();
    j["read_at"] = OptTime(n.read_at);
    return j;
}

json WebhookToJson(const domain::Webhook& w) {
    return json{{"id", w.id},
                {"org_id", w.org_id},
                {"url", w.url},
                {"kinds", w.kinds},
                {"active", w.active},
                {"created_by", w.created_by},
                {"created_at", FormatIso(w.created_at)},
                {"version", w.version}};
}

json DeliveryToJson(const domain::WebhookDelivery& d) {
    json j{{"id", d.id},
           {"webhook_id", d.webhook_id},
           {"notification_id", d.notification_id},
           {"status", domain::ToString(d.status)},
           {"attempts", d.attempts},
           {"created_at", FormatIso(d.created_at)}};
    j["next_attempt_at"] = d.status == domain::DeliveryStatus::kPending ? json(FormatIso(d.next_attempt_at))
                                                                        : json(nullptr);
    j["last_status"] = d.last_status ? json(*d.last_status) : json(nullptr);
    j["last_error"] = d.last_error ? json(*d.last_error) : json(nullptr);
    j["delivered_at"] = OptTime(d.delivered_at);
    j["payload"] = json::parse(d.payload, nullptr, false);
    if (j["payload"].is_discarded()) j["payload"] = d.payload;
    return j;
}

// ---- the inbox ----

Result<domain::User> Service::InboxUser(const Actor& actor) {
    if (!actor.user_id) {
        return FailedPrecondition(
            "the inbox belongs to a user account; \"" + actor.name +
            "\" acts without one (log in, or use an API token of a user)");
    }
    return store_->GetUser(*actor.user_id);
}

Result<Page<domain::Notification>> Service::ListInbox(const Actor& actor, const InboxQuery& query) {
    if (query.limit < 1 || query.limit > kMaxPageSize) {
        return InvalidArgument("limit: between 1 and " + std::to_string(kMaxPageSize));
    }
    ASSIGN_OR_RETURN(domain::User user, InboxUser(actor));
    store::NotificationFilter f;
    f.org_id = user.org_id;
    f.user_id = user.id;
    f.unread_only = query.unread_only;
    f.limit = query.limit + 1;
    if (query.cursor) {
        ASSIGN_OR_RETURN(std::int64_t before, DecodeCursor(*query.cursor));
        f.before_id = before;
    }
    ASSIGN_OR_RETURN(auto rows, store_->ListNotifications(f));
    Page<domain::Notification> page;
    if (rows.size() > static_cast<std::size_t>(query.limit)) {
        rows.resize(static_cast<std::size_t>(query.limit));
        page.next_cursor = EncodeCursor(rows.back().id);
    }
    page.items = std::move(rows);
    return page;
}

Result<std::int64_t> Service::CountUnreadNotifications(const Actor& actor) {
    ASSIGN_OR_RETURN(domain::User user, InboxUser(actor));
    return store_->CountUnreadNotifications(user.org_id, user.id);
}

Result<domain::Notification> Service::MarkNotificationRead(const Actor& actor, domain::NotificationId id,
                                                           UnixSeconds now) {
    ASSIGN_OR_RETURN(domain::User user, InboxUser(actor));
    auto n = store_->GetNotification(id);
    const auto not_yours = NotFound("notification " + std::to_string(id) + " is not in your inbox");
    if (!n.ok()) return n.status().code() == StatusCode::kNotFound ? not_yours : n.status();
    const bool mine = n->user_id ? *n->user_id == user.id : n->org_id == user.org_id;
    if (!mine) return not_yours;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) { return tx.MarkNotificationRead(id, user.id, now); }));
    // The stored read_at (the first reading's, when it was read before).
    store::NotificationFilter f;
    f.org_id = user.org_id;
    f.user_id = user.id;
    f.before_id = id + 1;
    f.limit = 1;
    ASSIGN_OR_RETURN(auto rows, store_->ListNotifications(f));
    if (rows.empty() || rows.front().id != id) return Internal("notification " + std::to_string(id) + " vanished");
    return rows.front();
}

Result<std::int64_t> Service::MarkAllNotificationsRead(const Actor& actor, UnixSeconds now) {
    ASSIGN_OR_RETURN(domain::User user, InboxUser(actor));
    std::int64_t marked = 0;
    store::NotificationFilter f;
    f.org_id = user.org_id;
    f.user_id = user.id;
    f.unread_only = true;
    f.limit = 500;
    for (;;) {
        ASSIGN_OR_RETURN(auto rows, store_->ListNotifications(f));
        if (rows.empty()) break;
        RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
            for (const auto& n : rows) RETURN_IF_ERROR(tx.MarkNotificationRead(n.id, user.id, now));
            return Status::Ok();
        }));
        marked += static_cast<std::int64_t>(rows.size());
        f.before_id = rows.back().id;  // newer ones that arrive meanwhile stay unread
    }
    return marked;
}

// ---- webhooks ----

Result<domain::Webhook> Service::ManagedWebhook(const Actor& actor, domain::WebhookId id, const std::string& doing) {
    auto w = store_->GetWebhook(id);
    if (!w.ok() || !InScope(actor, w->org_id)) {
        if (!w.ok() && w.status().code() != StatusCode::kNotFound) return w.status();
        return NotFound("webhook " + std::to_string(id) + " does not exist");
    }
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kWebhookRoles, w->org_id, doing));
    return w;
}

Result<CreatedWebhook> Service::CreateWebhook(const Actor& actor, const WebhookDraft& draft) {
    ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, draft.org_id));
    RETURN_IF_ERROR(detail::AuthorizeRoles(*this, actor, kWebhookRoles, org.id, "creating a webhook"));
    RETURN_IF_ERROR(ParseWebhookUrl(draft.url).status());
    RETURN_IF_ERROR(CheckKinds(draft.kinds));
    CreatedWebhook out;
    out.secret = "whsec_" + RandomToken(32);
    domain::Webhook& w = out.webhook;
    w.org_id = org.id;
    w.url = draft.url;
    w.secret = out.secret;
    w.kinds = draft.kinds;
    w.active = draft.active;
    w.created_by = actor.name;
    w.created_at = NowSeconds();
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertWebhook(w));
        store::Event ev = MakeEvent(actor, "webhook", w.id, "create", std::nullopt, WebhookToJson(w));
        return tx.AppendEvent(ev);
    }));
    return out;
}

Result<std::vector<domain::Webhook>> Service::ListWebhooks(const Actor& actor, std::optional<domain::OrgId> org_id) {
    ASSIGN_OR_RETURN(auto paths, ScopePaths(actor, org_id));
    ASSIGN_OR_RETURN(auto all, store_->ListWebhooks(paths));
    std::vector<domain::Webhook> out;
    for (auto& w : all) {
        if (InScope(actor, w.org_id) && HasRole(actor, domain::Role::kOrgAdmin, w.org_id)) out.push_back(std::move(w));
    }
    return out;
}

Result<domain::Webhook> Service::GetWebhook(const Actor& actor, domain::WebhookId id) {
    return ManagedWebhook(actor, id, "reading webhook " + std::to_string(id));
}

Result<domain::Webhook> Service::UpdateWebhook(const Actor& actor, domain::WebhookId id, const WebhookPatch& patch,
                                               std::optional<std::int64_t> version) {
    ASSIGN_OR_RETURN(domain::Webhook w, ManagedWebhook(actor, id, "changing webhook " + std::to_string(id)));
    RETURN_IF_ERROR(detail::CheckVersion("webhook", id, version, w.version));
    if (patch.url) RETURN_IF_ERROR(ParseWebhookUrl(*patch.url).status());
    if (patch.kinds) RETURN_IF_ERROR(CheckKinds(*patch.kinds));
    const json before = WebhookToJson(w);
    if (patch.url) w.url = *patch.url;
    if (patch.kinds) w.kinds = *patch.kinds;
    if (patch.active) w.active = *patch.active;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateWebhook(w));  // checks the version again, inside the transaction
        store::Event ev = MakeEvent(actor, "webhook", w.id, "update", before, WebhookToJson(w));
        return tx.AppendEvent(ev);
    }));
    return w;
}

Result<std::vector<domain::WebhookDelivery>> Service::ListWebhookDeliveries(const Actor& actor, domain::WebhookId id,
                                                                            int limit) {
    if (limit < 1 || limit > kMaxPageSize) return InvalidArgument("limit: between 1 and " + std::to_string(kMaxPageSize));
    ASSIGN_OR_RETURN(domain::Webhook w, ManagedWebhook(actor, id, "reading the deliveries of webhook " + std::to_string(id)));
    return store_->ListDeliveries(w.id, limit);
}

// ---- delivery ----

void Service::ConfigureWebhooks(WebhookPolicy policy) { webhooks_ = policy; }

Result<DeliveryReport> Service::DeliverWebhooks(UnixSeconds now, WebhookTransport& transport, std::stop_token stop) {
    DeliveryReport report;
    report.at = now;
    const WebhookPolicy policy = webhooks_;
    std::map<domain::WebhookId, domain::Webhook> hooks;  // read once per pass
    while (!stop.stop_requested() && report.attempted < kMaxDeliveriesPerPass) {
        // Each outcome is stored before the next read: a retried delivery is due later than `now`, a
        // finished one is no longer pending, so every read returns only deliveries not yet tried.
        ASSIGN_OR_RETURN(auto due, store_->DueDeliveries(now, std::max(1, policy.batch)));
        if (due.empty()) break;
        for (auto& d : due) {
            if (stop.stop_requested()) break;
            auto it = hooks.find(d.webhook_id);
            if (it == hooks.end()) {
                ASSIGN_OR_RETURN(domain::Webhook w, store_->GetWebhook(d.webhook_id));
                it = hooks.emplace(w.id, std::move(w)).first;
            }
            const domain::Webhook& w = it->second;
            WebhookRequest req;
            req.url = w.url;
            req.body = d.payload;
            req.headers = {{"Content-Type", "application/json"},
                           {"User-Agent", "rectify-webhook/1"},
                           {"X-Rectify-Delivery", std::to_string(d.id)},
                           {"X-Rectify-Timestamp", std::to_string(now)},
                           {"X-Rectify-Signature", WebhookSignature(w.secret, now, d.payload)}};
            const WebhookResponse resp = transport.Post(req);
            ++report.attempted;
            ++d.attempts;
            d.last_status = resp.status;
            if (resp.status && *resp.status >= 200 && *resp.status < 300) {
                d.status = domain::DeliveryStatus::kDelivered;
                d.delivered_at = now;
                d.last_error.reset();
                ++report.delivered;
            } else {
                d.last_error = resp.status ? OneLine("HTTP " + std::to_string(*resp.status) +
                                                     (resp.body.empty() ? "" : ": " + resp.body))
                                           : OneLine(resp.error.empty() ? "no answer" : resp.error);
                if (d.attempts >= policy.max_attempts) {
                    d.status = domain::DeliveryStatus::kDead;
                    ++report.dead;
                } else {
                    d.next_attempt_at = now + RetryDelaySeconds(policy, d.attempts);
                    ++report.retried;
                }
            }
            const Status st = store_->Write([&](store::WriteTx& tx) { return tx.UpdateDelivery(d); });
            if (!st.ok()) {
                // Without its outcome stored the delivery would be read again at once: end the pass.
                report.errors.push_back("delivery " + std::to_string(d.id) + ": " + st.message());
                return report;
            }
        }
    }
    return report;
}

Result<SupervisionPassReport> Service::RunSupervisionPass(UnixSeconds now, WebhookTransport& transport,
                                                          std::stop_token stop) {
    // One pass at a time across every server on the database (Store::RunExclusive; docs/ARCHITECTURE.md
    // "Several servers on one PostgreSQL"): a webhook delivery is read as pending, POSTed, then marked, so two
    // passes at once would POST it twice.
    SupervisionPassReport out;
    Status status;
    ASSIGN_OR_RETURN(bool ran, store_->RunExclusive(store::Store::ExclusiveJob::kSupervisionPass, [&] {
        status = [&]() -> Status {
            ASSIGN_OR_RETURN(out.ladder, RunLadder(now));
            ASSIGN_OR_RETURN(out.deliveries, DeliverWebhooks(now, transport, stop));
            return Status::Ok();
        }();
    }));
    RETURN_IF_ERROR(status);
    out.skipped_running_elsewhere = !ran;
    return out;
}

}  // namespace rectify::service
