// Notifications and webhooks (issue 8) on a real SQLite store: the inbox per user (unread counts and
// read state per user, scope), webhook management (roles, scope, URL and kind checks, the secret shown
// once), and delivery through the real Beast client to a loopback receiver: signatures checked with the
// openssl command-line tool, retries at the backed-off instants, the dead letter, a paused webhook, a
// restart on the same database file, and the issue's "done when" with an injected clock.
//
// Org tree of every test (ids in insertion order):
//   1 全国
//   └─ 2 福建省
//      ├─ 3 福州市 ─┬─ 4 鼓楼区
//      │            └─ 5 台江区
//      └─ 6 厦门市
#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/time.hpp"
#include "domain/supervision.hpp"
#include "http/scheduler.hpp"
#include "http/webhook_client.hpp"
#include "service/service.hpp"
#include "test_util.hpp"
#include "webhook_receiver.hpp"

namespace rectify::service {
namespace {

using domain::DeliveryStatus;
using domain::Grant;
using domain::OrgId;
using domain::Role;
using domain::SupervisionKind;
using domain::Task;
using nlohmann::json;
using testing::WebhookReceiver;

// Days since 1970-01-01 (a Thursday) in Asia/Shanghai, UTC+8 without daylight saving since 1991.
constexpr UnixSeconds kHour = 3600;
UnixSeconds LocalMidnight(std::int64_t day) { return day * 86400 - 8 * kHour; }
int Weekday(std::int64_t day) { return static_cast<int>(((day % 7) + 7 + 3) % 7); }  // 0 = Monday

AccountPolicy FastPolicy() {
    AccountPolicy p;
    p.password_hash = PasswordHashParams::OwaspMinimum();
    return p;
}

// A transport that records and answers from a script (for the pure retry arithmetic).
class ScriptedTransport : public WebhookTransport {
public:
    explicit ScriptedTransport(std::vector<WebhookResponse> script) : script_(std::move(script)) {}
    WebhookResponse Post(const WebhookRequest& r) override {
        sent.push_back(r);
        return script_[std::min(sent.size() - 1, script_.size() - 1)];
    }
    std::vector<WebhookRequest> sent;

private:
    std::vector<WebhookResponse> script_;
};

class NotificationServiceTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_OK(SetDisplayZone("Asia/Shanghai"));
        Open();
        ASSERT_OK(svc_->Init(Actor{"test", {}}, InitOptions{}));
        root_ = svc_->RootActor("admin");
        fujian_ = AddOrg(1, "福建省", "province");
        fuzhou_ = AddOrg(fujian_, "福州市", "city");
        gulou_ = AddOrg(fuzhou_, "鼓楼区", "county");
        taijiang_ = AddOrg(fuzhou_, "台江区", "county");
        xiamen_ = AddOrg(fujian_, "厦门市", "city");
    }

    // Opens (again: a simulated restart) the service on the test's database file. Monday to Friday
    // calendar, so the expected instants below are plain weekday arithmetic.
    void Open() {
        svc_.reset();
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value(), FastPolicy());
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        SupervisionPolicy sp;
        sp.calendar = std::make_shared<domain::WorkCalendar>();
        svc_->ConfigureSupervision(sp);
        root_ = svc_->RootActor("admin");
    }

    OrgId AddOrg(OrgId parent, const std::string& name, const std::string& level) {
        domain::Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        auto created = svc_->CreateOrg(root_, o);
        EXPECT_OK(created);
        return created.ok() ? created->id : 0;
    }

    Task AddTask(OrgId org, UnixSeconds due, const std::string& title = "整治河道黑臭水体") {
        ProblemDraft pd;
        pd.title = title;
        pd.owner_org_id = fuzhou_;
        auto p = svc_->CreateProblem(root_, pd);
        EXPECT_OK(p);
        TaskDraft d;
        d.org_id = org;
        d.title = title;
        d.responsible_person = "张三";
        d.type = domain::TaskType::kTimeBound;
        d.due_at = due;
        auto t = svc_->CreateTask(root_, p->id, d);
        EXPECT_OK(t);
        return t.ok() ? *t : Task{};
    }

    // An urge by hand at `at`: one notification to the task's org and its outbox rows.
    void Urge(const Task& t, UnixSeconds at) {
        SupervisionDraft d;
        d.kind = SupervisionKind::kUrge;
        d.reason = "请加快办理";
        ASSERT_OK(svc_->TakeSupervisionStep(root_, t.id, d, at));
    }

    Actor User(const std::string& name, OrgId org, std::vector<Grant> grants) {
        UserDraft d;
        d.name = name;
        d.display_name = name;
        d.org_id = org;
        d.grants = std::move(grants);
        auto u = svc_->AddUser(root_, d);
        EXPECT_OK(u);
        auto a = svc_->UserActor(u->user.id, "test");
        EXPECT_OK(a);
        return *a;
    }

    CreatedWebhook Hook(OrgId org, const std::string& url, std::vector<std::string> kinds = {}) {
        WebhookDraft d;
        d.org_id = org;
        d.url = url;
        d.kinds = std::move(kinds);
        auto w = svc_->CreateWebhook(root_, d);
        EXPECT_OK(w);
        return *w;
    }

    std::vector<domain::WebhookDelivery> Deliveries(domain::WebhookId id) {
        auto list = svc_->ListWebhookDeliveries(root_, id, 100);
        EXPECT_OK(list);
        return list.ok() ? *list : std::vector<domain::WebhookDelivery>{};
    }

    // Checks one received request's signature with openssl over "<timestamp>.<body>".
    void ExpectSigned(const testing::ReceivedRequest& r, const std::string& secret) {
        EXPECT_EQ(r.method, "POST");
        EXPECT_EQ(r.Header("content-type"), "application/json");
        const std::string ts = r.Header("x-rectify-timestamp");
        ASSERT_FALSE(ts.empty());
        const std::string hex = testing::OpensslHmacHex(secret, ts + "." + r.body, dir_.path().string());
        ASSERT_EQ(hex.size(), 64u);
        EXPECT_EQ(r.Header("x-rectify-signature"), "sha256=" + hex);
    }

    testing::TempDir dir_;
    std::unique_ptr<Service> svc_;
    Actor root_;
    http::WebhookClient client_{http::WebhookClientOptions{std::chrono::seconds(5), std::chrono::seconds(5), ""}};
    OrgId fujian_ = 0, fuzhou_ = 0, gulou_ = 0, taijiang_ = 0, xiamen_ = 0;
};

TEST(WebhookRules, RetryDelaysDoubleFromThirtySecondsUpToSixHours) {
    WebhookPolicy p;  // defaults: base 30 s, cap 6 h, 8 attempts
    EXPECT_EQ(p.max_attempts, 8);
    const std::vector<std::int64_t> expected{30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 21600, 21600};
    for (int n = 1; n <= 12; ++n) EXPECT_EQ(RetryDelaySeconds(p, n), expected[n - 1]) << "after attempt " << n;
}

TEST(WebhookRules, SignatureIsHmacSha256OfTimestampDotBody) {
    // RFC 4231 test case 2 gives HMAC-SHA256("Jefe", "what do ya want for nothing?"); here the message is
    // "<timestamp>.<body>", so the same key over "1.what do ya want for nothing?" is checked with openssl.
    testing::TempDir dir;
    const std::string body = "{\"kind\":\"urge\",\"title\":\"催办\"}";
    EXPECT_EQ(WebhookSignature("Jefe", 1764547200, body),
              "sha256=" + testing::OpensslHmacHex("Jefe", "1764547200." + body, dir.path().string()));
    EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");  // RFC 4231 §4.3
}

TEST(WebhookRules, UrlsMustBeHttpOrHttpsWithAHost) {
    auto u = ParseWebhookUrl("https://gw.example.gov.cn:8443/sms/hook?x=1");
    ASSERT_OK(u);
    EXPECT_EQ(u->scheme, "https");
    EXPECT_EQ(u->host, "gw.example.gov.cn");
    EXPECT_EQ(u->port, 8443);
    EXPECT_EQ(u->target, "/sms/hook?x=1");
    auto plain = ParseWebhookUrl("http://127.0.0.1");
    ASSERT_OK(plain);
    EXPECT_EQ(plain->port, 80);
    EXPECT_EQ(plain->target, "/");
    auto v6 = ParseWebhookUrl("http://[::1]:9000/h");
    ASSERT_OK(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 9000);
    for (const char* bad : {"ftp://x/", "https://", "http:///path", "https://user:pw@x/", "http://x:0/",
                            "http://x:65536/", "http://x/a b", "http://x/#frag", "x.example/hook", "http://x:/"}) {
        EXPECT_EQ(ParseWebhookUrl(bad).status().code(), StatusCode::kInvalidArgument) << bad;
    }
}

// ---- the client over TLS ----

// A self-signed certificate for "localhost" only (no IP address in it), made with the openssl tool.
class WebhookClientTls : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
                                "-subj /CN=localhost -addext subjectAltName=DNS:localhost -keyout '" +
                                dir_.File("key.pem") + "' -out '" + dir_.File("cert.pem") + "' 2>/dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    WebhookResponse Post(const std::string& url, const std::string& ca_file) {
        http::WebhookClient client(http::WebhookClientOptions{std::chrono::seconds(5), std::chrono::seconds(5), ca_file});
        return client.Post(WebhookRequest{url, {{"Content-Type", "application/json"}}, R"({"kind":"urge"})"});
    }
    testing::TempDir dir_;
};

TEST_F(WebhookClientTls, TrustedCertificateDeliversWithSni) {
    WebhookReceiver rx({201}, dir_.File("cert.pem"), dir_.File("key.pem"));
    const auto r = Post("https://localhost:" + std::to_string(rx.port()) + "/tls", dir_.File("cert.pem"));
    EXPECT_EQ(r.status, std::optional<int>(201)) << r.error;
    ASSERT_EQ(rx.Requests().size(), 1u);
    EXPECT_EQ(rx.Requests()[0].sni, "localhost");
    EXPECT_EQ(rx.Requests()[0].target, "/tls");
    EXPECT_EQ(rx.Requests()[0].body, R"({"kind":"urge"})");
    EXPECT_EQ(rx.Requests()[0].Header("host"), "localhost:" + std::to_string(rx.port()));
}

TEST_F(WebhookClientTls, UntrustedCertificateOrWrongHostIsRefused) {
    WebhookReceiver rx({200}, dir_.File("cert.pem"), dir_.File("key.pem"));
    // Not in the system CA store.
    const auto untrusted = Post("https://localhost:" + std::to_string(rx.port()) + "/", "");
    EXPECT_FALSE(untrusted.status.has_value());
    EXPECT_EQ(untrusted.error.rfind("tls: certificate verify failed", 0), 0u) << untrusted.error;
    // Trusted, but the certificate names localhost, not 127.0.0.1.
    const auto wrong_host = Post("https://127.0.0.1:" + std::to_string(rx.port()) + "/", dir_.File("cert.pem"));
    EXPECT_FALSE(wrong_host.status.has_value());
    EXPECT_EQ(wrong_host.error.rfind("tls: certificate verify failed", 0), 0u) << wrong_host.error;
    EXPECT_TRUE(rx.Requests().empty());
    // The receiver counts a refused handshake on its own thread, possibly after the client has returned.
    for (int i = 0; i < 200 && rx.failed_handshakes() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(rx.failed_handshakes(), 2);
}

TEST(WebhookClient, ASilentReceiverTimesOut) {
    // A listening socket that never accepts: the connection completes (backlog), the answer never comes.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    http::WebhookClient client(http::WebhookClientOptions{std::chrono::seconds(1), std::chrono::seconds(1), ""});
    const auto r = client.Post(WebhookRequest{"http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/", {}, "{}"});
    ::close(fd);
    EXPECT_FALSE(r.status.has_value());
    EXPECT_EQ(r.error, "timeout after 1 s");
}

// ---- the inbox ----

TEST_F(NotificationServiceTest, InboxCountsAndReadStateArePerUser) {
    const Actor alice = User("alice", gulou_, {Grant{Role::kClerk, gulou_}});
    const Actor bob = User("bob", gulou_, {Grant{Role::kClerk, gulou_}});
    const Actor carol = User("carol", taijiang_, {Grant{Role::kClerk, taijiang_}});
    const UnixSeconds due = NowSeconds() + 30 * 86400;
    const Task t1 = AddTask(gulou_, due, "鼓楼区任务一");
    const Task t2 = AddTask(gulou_, due, "鼓楼区任务二");
    const Task t3 = AddTask(taijiang_, due, "台江区任务");
    const UnixSeconds now = NowSeconds();
    Urge(t1, now);
    Urge(t2, now + 1);
    Urge(t3, now + 2);

    EXPECT_EQ(*svc_->CountUnreadNotifications(alice), 2);
    EXPECT_EQ(*svc_->CountUnreadNotifications(bob), 2);
    EXPECT_EQ(*svc_->CountUnreadNotifications(carol), 1);

    auto inbox = svc_->ListInbox(alice, InboxQuery{});
    ASSERT_OK(inbox);
    ASSERT_EQ(inbox->items.size(), 2u);
    EXPECT_EQ(inbox->items[0].task_id, std::optional<domain::TaskId>(t2.id));  // newest first
    EXPECT_EQ(inbox->items[1].task_id, std::optional<domain::TaskId>(t1.id));
    EXPECT_EQ(inbox->items[0].kind, "urge");
    EXPECT_EQ(inbox->items[0].title, "催办：鼓楼区任务二");
    EXPECT_FALSE(inbox->items[0].read_at.has_value());

    // Carol (台江区) cannot mark a notice of 鼓楼区: it is not in her inbox.
    EXPECT_EQ(svc_->MarkNotificationRead(carol, inbox->items[0].id, now).status().code(), StatusCode::kNotFound);

    auto read = svc_->MarkNotificationRead(alice, inbox->items[1].id, now + 10);
    ASSERT_OK(read);
    EXPECT_EQ(read->read_at, std::optional<UnixSeconds>(now + 10));
    // Idempotent: the first reading's instant stays.
    EXPECT_EQ(svc_->MarkNotificationRead(alice, inbox->items[1].id, now + 99)->read_at,
              std::optional<UnixSeconds>(now + 10));
    EXPECT_EQ(*svc_->CountUnreadNotifications(alice), 1);
    EXPECT_EQ(*svc_->CountUnreadNotifications(bob), 2);  // bob's read state is his own

    InboxQuery unread;
    unread.unread_only = true;
    auto alice_unread = svc_->ListInbox(alice, unread);
    ASSERT_OK(alice_unread);
    ASSERT_EQ(alice_unread->items.size(), 1u);
    EXPECT_EQ(alice_unread->items[0].task_id, std::optional<domain::TaskId>(t2.id));

    EXPECT_EQ(*svc_->MarkAllNotificationsRead(alice, now + 20), 1);
    EXPECT_EQ(*svc_->CountUnreadNotifications(alice), 0);
    EXPECT_EQ(*svc_->MarkAllNotificationsRead(alice, now + 30), 0);
    EXPECT_EQ(*svc_->CountUnreadNotifications(bob), 2);
    EXPECT_EQ(*svc_->CountUnreadNotifications(carol), 1);
}

TEST_F(NotificationServiceTest, InboxPagesNewestFirstByCursor) {
    const Actor alice = User("alice", gulou_, {Grant{Role::kClerk, gulou_}});
    const UnixSeconds now = NowSeconds();
    std::vector<domain::TaskId> tasks;
    for (int i = 0; i < 5; ++i) {
        Task t = AddTask(gulou_, now + 30 * 86400, "任务" + std::to_string(i));
        Urge(t, now + i);
        tasks.push_back(t.id);
    }
    InboxQuery q;
    q.limit = 2;
    std::vector<domain::TaskId> seen;
    int pages = 0;
    for (;;) {
        auto page = svc_->ListInbox(alice, q);
        ASSERT_OK(page);
        ++pages;
        for (const auto& n : page->items) seen.push_back(*n.task_id);
        if (!page->next_cursor) break;
        q.cursor = page->next_cursor;
    }
    EXPECT_EQ(pages, 3);
    EXPECT_EQ(seen, (std::vector<domain::TaskId>{tasks[4], tasks[3], tasks[2], tasks[1], tasks[0]}));
    q.limit = 0;
    EXPECT_EQ(svc_->ListInbox(alice, q).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(NotificationServiceTest, TheInboxNeedsAUserAccount) {
    auto r = svc_->ListInbox(root_, InboxQuery{});
    EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(r.status().message(),
              "the inbox belongs to a user account; \"admin\" acts without one (log in, or use an API token of a "
              "user)");
    EXPECT_EQ(svc_->CountUnreadNotifications(root_).status().code(), StatusCode::kFailedPrecondition);
}

// ---- webhook management ----

TEST_F(NotificationServiceTest, WebhooksNeedOrgAdminAndStayInScope) {
    const Actor fuzhou_admin = User("fz.admin", fuzhou_, {Grant{Role::kOrgAdmin, fuzhou_}});
    const Actor fuzhou_clerk = User("fz.clerk", fuzhou_, {Grant{Role::kClerk, fuzhou_}});
    const Actor xiamen_admin = User("xm.admin", xiamen_, {Grant{Role::kOrgAdmin, xiamen_}});

    WebhookDraft d;
    d.org_id = gulou_;
    d.url = "https://sms.example.gov.cn/rectify";
    d.kinds = {"urge", "supervise"};
    auto created = svc_->CreateWebhook(fuzhou_admin, d);
    ASSERT_OK(created);
    EXPECT_EQ(created->secret.substr(0, 6), "whsec_");
    EXPECT_EQ(created->secret.size(), 6u + 43u);  // 256 random bits in unpadded base64url
    EXPECT_EQ(created->webhook.kinds, (std::vector<std::string>{"urge", "supervise"}));
    EXPECT_EQ(created->webhook.created_by, "test(as fz.admin)");
    const json j = WebhookToJson(created->webhook);
    EXPECT_FALSE(j.contains("secret"));
    EXPECT_EQ(j.dump().find(created->secret), std::string::npos);

    EXPECT_EQ(svc_->CreateWebhook(fuzhou_clerk, d).status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(svc_->CreateWebhook(xiamen_admin, d).status().code(), StatusCode::kNotFound);
    const auto id = created->webhook.id;
    EXPECT_EQ(svc_->GetWebhook(xiamen_admin, id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->GetWebhook(fuzhou_clerk, id).status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(svc_->ListWebhookDeliveries(xiamen_admin, id, 10).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->UpdateWebhook(xiamen_admin, id, WebhookPatch{}, std::nullopt).status().code(),
              StatusCode::kNotFound);
    EXPECT_EQ(svc_->ListWebhooks(xiamen_admin, std::nullopt)->size(), 0u);
    EXPECT_EQ(svc_->ListWebhooks(fuzhou_admin, std::nullopt)->size(), 1u);
    EXPECT_EQ(svc_->ListWebhooks(fuzhou_clerk, std::nullopt)->size(), 0u);
    EXPECT_EQ(svc_->ListWebhooks(fuzhou_admin, taijiang_)->size(), 0u);
    EXPECT_EQ(svc_->ListWebhooks(xiamen_admin, gulou_).status().code(), StatusCode::kNotFound);

    d.kinds = {"urge", "sms"};
    auto bad_kind = svc_->CreateWebhook(fuzhou_admin, d);
    EXPECT_EQ(bad_kind.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bad_kind.status().message(),
              "kinds: unknown notification kind \"sms\"; the kinds are urge, supervise, interview");
    d.kinds = {"urge", "urge"};
    EXPECT_EQ(svc_->CreateWebhook(fuzhou_admin, d).status().code(), StatusCode::kInvalidArgument);
    d.kinds = {};
    d.url = "ftp://sms.example.gov.cn/";
    EXPECT_EQ(svc_->CreateWebhook(fuzhou_admin, d).status().message(), "url: must start with http:// or https://");

    WebhookPatch p;
    p.active = false;
    p.kinds = std::vector<std::string>{};
    auto updated = svc_->UpdateWebhook(fuzhou_admin, id, p, 1);
    ASSERT_OK(updated);
    EXPECT_FALSE(updated->active);
    EXPECT_TRUE(updated->kinds.empty());
    EXPECT_EQ(updated->version, 2);
    EXPECT_EQ(svc_->UpdateWebhook(fuzhou_admin, id, p, 1).status().code(), StatusCode::kAborted);
    auto again = svc_->GetWebhook(fuzhou_admin, id);
    ASSERT_OK(again);
    EXPECT_EQ(again->secret, created->secret);  // kept to sign (never shown by the API after creation)
    EXPECT_FALSE(again->active);
}

// ---- delivery ----

TEST_F(NotificationServiceTest, EachDeliveryArrivesOnceSignedWithItsHeaders) {
    WebhookReceiver rx;
    const auto city = Hook(fuzhou_, rx.Url("/city"));                   // 福州市's subtree: every kind
    const auto district = Hook(gulou_, rx.Url("/district"), {"supervise"});  // not urges
    const auto other = Hook(taijiang_, rx.Url("/other"));                // another subtree
    const Task t = AddTask(gulou_, NowSeconds() + 30 * 86400);
    const UnixSeconds t0 = NowSeconds();
    Urge(t, t0);

    auto report = svc_->DeliverWebhooks(t0, client_);
    ASSERT_OK(report);
    EXPECT_EQ(report->attempted, 1);
    EXPECT_EQ(report->delivered, 1);
    EXPECT_EQ(report->retried, 0);
    EXPECT_EQ(report->dead, 0);
    auto again = svc_->DeliverWebhooks(t0 + 3600, client_);
    ASSERT_OK(again);
    EXPECT_EQ(again->attempted, 0);

    const auto got = rx.Requests();
    ASSERT_EQ(got.size(), 1u);
    const auto& r = got[0];
    EXPECT_EQ(r.target, "/city");
    ExpectSigned(r, city.secret);
    EXPECT_EQ(r.Header("x-rectify-timestamp"), std::to_string(t0));
    const auto ds = Deliveries(city.webhook.id);
    ASSERT_EQ(ds.size(), 1u);
    EXPECT_EQ(r.Header("x-rectify-delivery"), std::to_string(ds[0].id));
    EXPECT_EQ(r.body, ds[0].payload);
    const json body = json::parse(r.body);
    EXPECT_EQ(body["kind"], "urge");
    EXPECT_EQ(body["task_id"], t.id);
    EXPECT_EQ(body["org_id"], gulou_);
    EXPECT_EQ(body["org_name"], "鼓楼区");
    EXPECT_EQ(body["responsible_person"], "张三");
    EXPECT_EQ(ds[0].status, DeliveryStatus::kDelivered);
    EXPECT_EQ(ds[0].attempts, 1);
    EXPECT_EQ(ds[0].last_status, std::optional<int>(200));
    EXPECT_EQ(ds[0].delivered_at, std::optional<UnixSeconds>(t0));
    EXPECT_TRUE(Deliveries(district.webhook.id).empty());
    EXPECT_TRUE(Deliveries(other.webhook.id).empty());
}

TEST_F(NotificationServiceTest, FailedDeliveriesAreRetriedAtBackedOffInstantsThenDelivered) {
    WebhookReceiver rx({500, 500, 200});
    const auto hook = Hook(fuzhou_, rx.Url());
    const Task t = AddTask(gulou_, NowSeconds() + 30 * 86400);
    const UnixSeconds t0 = NowSeconds();
    Urge(t, t0);

    // Attempt 1 at t0 fails: the next is due 30 s later; attempt 2 fails: 60 s after that.
    auto r1 = svc_->DeliverWebhooks(t0, client_);
    ASSERT_OK(r1);
    EXPECT_EQ(r1->attempted, 1);
    EXPECT_EQ(r1->retried, 1);
    auto d = Deliveries(hook.webhook.id).at(0);
    EXPECT_EQ(d.status, DeliveryStatus::kPending);
    EXPECT_EQ(d.attempts, 1);
    EXPECT_EQ(d.next_attempt_at, t0 + 30);
    EXPECT_EQ(d.last_status, std::optional<int>(500));
    EXPECT_EQ(d.last_error, std::optional<std::string>("HTTP 500: status"));

    EXPECT_EQ(svc_->DeliverWebhooks(t0 + 29, client_)->attempted, 0);
    auto r2 = svc_->DeliverWebhooks(t0 + 30, client_);
    EXPECT_EQ(r2->attempted, 1);
    EXPECT_EQ(r2->retried, 1);
    EXPECT_EQ(Deliveries(hook.webhook.id).at(0).next_attempt_at, t0 + 90);
    EXPECT_EQ(svc_->DeliverWebhooks(t0 + 89, client_)->attempted, 0);
    auto r3 = svc_->DeliverWebhooks(t0 + 90, client_);
    EXPECT_EQ(r3->attempted, 1);
    EXPECT_EQ(r3->delivered, 1);
    EXPECT_EQ(svc_->DeliverWebhooks(t0 + 100000, client_)->attempted, 0);

    d = Deliveries(hook.webhook.id).at(0);
    EXPECT_EQ(d.status, DeliveryStatus::kDelivered);
    EXPECT_EQ(d.attempts, 3);
    EXPECT_EQ(d.delivered_at, std::optional<UnixSeconds>(t0 + 90));
    EXPECT_FALSE(d.last_error.has_value());

    const auto got = rx.Requests();
    ASSERT_EQ(got.size(), 3u);
    const std::vector<UnixSeconds> instants{t0, t0 + 30, t0 + 90};
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].Header("x-rectify-delivery"), std::to_string(d.id));  // the same delivery each time
        EXPECT_EQ(got[i].Header("x-rectify-timestamp"), std::to_string(instants[i]));
        EXPECT_EQ(got[i].body, got[0].body);
        ExpectSigned(got[i], hook.secret);
    }
}

TEST_F(NotificationServiceTest, ADeliveryIsDeadAfterMaxAttempts) {
    WebhookPolicy p;
    p.max_attempts = 3;
    p.retry_base_seconds = 10;
    p.retry_cap_seconds = 15;
    svc_->ConfigureWebhooks(p);
    WebhookReceiver rx({503});
    const auto hook = Hook(fuzhou_, rx.Url());
    const Task t = AddTask(gulou_, NowSeconds() + 30 * 86400);
    const UnixSeconds t0 = NowSeconds();
    Urge(t, t0);
    // Attempts at t0, t0 + 10, then t0 + 10 + 15 (20 capped at 15): the third failure is the last.
    EXPECT_EQ(svc_->DeliverWebhooks(t0, client_)->retried, 1);
    EXPECT_EQ(svc_->DeliverWebhooks(t0 + 10, client_)->retried, 1);
    EXPECT_EQ(svc_->DeliverWebhooks(t0 + 24, client_)->attempted, 0);
    auto last = svc_->DeliverWebhooks(t0 + 25, client_);
    EXPECT_EQ(last->attempted, 1);
    EXPECT_EQ(last->dead, 1);
    EXPECT_EQ(svc_->DeliverWebhooks(t0 + 1000000, client_)->attempted, 0);
    const auto d = Deliveries(hook.webhook.id).at(0);
    EXPECT_EQ(d.status, DeliveryStatus::kDead);
    EXPECT_EQ(d.attempts, 3);
    EXPECT_EQ(d.last_status, std::optional<int>(503));
    EXPECT_EQ(rx.Requests().size(), 3u);
    EXPECT_TRUE(DeliveryToJson(d)["next_attempt_at"].is_null());
}

TEST_F(NotificationServiceTest, TransportErrorsAreKeptAsText) {
    // A port that refuses: bind a receiver, note its port, and close it.
    int port = 0;
    {
        WebhookReceiver gone;
        port = gone.port();
    }
    const auto hook = Hook(fuzhou_, "http://127.0.0.1:" + std::to_string(port) + "/hook");
    const Task t = AddTask(gulou_, NowSeconds() + 30 * 86400);
    const UnixSeconds t0 = NowSeconds();
    Urge(t, t0);
    auto r = svc_->DeliverWebhooks(t0, client_);
    ASSERT_OK(r);
    EXPECT_EQ(r->retried, 1);
    const auto d = Deliveries(hook.webhook.id).at(0);
    EXPECT_FALSE(d.last_status.has_value());
    EXPECT_EQ(d.last_error, std::optional<std::string>("connect: connection refused"));
}

TEST_F(NotificationServiceTest, ScriptedTransportSeesTheDocumentedHeaders) {
    ScriptedTransport transport({WebhookResponse{204, "", ""}});
    const auto hook = Hook(fuzhou_, "https://gw.example.gov.cn/hook");
    const Task t = AddTask(gulou_, NowSeconds() + 30 * 86400);
    Urge(t, 1800000000);
    auto r = svc_->DeliverWebhooks(1800000000, transport);
    ASSERT_OK(r);
    EXPECT_EQ(r->delivered, 1);  // 204 is 2xx
    ASSERT_EQ(transport.sent.size(), 1u);
    const auto& req = transport.sent[0];
    EXPECT_EQ(req.url, "https://gw.example.gov.cn/hook");
    std::map<std::string, std::string> h(req.headers.begin(), req.headers.end());
    EXPECT_EQ(h["Content-Type"], "application/json");
    EXPECT_EQ(h["X-Rectify-Timestamp"], "1800000000");
    EXPECT_EQ(h["X-Rectify-Delivery"], std::to_string(Deliveries(hook.webhook.id).at(0).id));
    EXPECT_EQ(h["X-Rectify-Signature"],
              "sha256=" + testing::OpensslHmacHex(hook.secret, "1800000000." + req.body, dir_.path().string()));
}

TEST_F(NotificationServiceTest, APausedWebhookKeepsItsDeliveriesUntilActiveAgain) {
    WebhookReceiver rx;
    const auto hook = Hook(fuzhou_, rx.Url());
    const Task t = AddTask(gulou_, NowSeconds() + 30 * 86400);
    const UnixSeconds t0 = NowSeconds();
    Urge(t, t0);
    WebhookPatch pause;
    pause.active = false;
    ASSERT_OK(svc_->UpdateWebhook(root_, hook.webhook.id, pause, std::nullopt));
    EXPECT_EQ(svc_->DeliverWebhooks(t0 + 60, client_)->attempted, 0);
    EXPECT_EQ(Deliveries(hook.webhook.id).at(0).status, DeliveryStatus::kPending);
    Urge(t, t0 + 120);  // queued for no paused webhook
    EXPECT_EQ(Deliveries(hook.webhook.id).size(), 1u);
    WebhookPatch resume;
    resume.active = true;
    ASSERT_OK(svc_->UpdateWebhook(root_, hook.webhook.id, resume, std::nullopt));
    auto r = svc_->DeliverWebhooks(t0 + 180, client_);
    EXPECT_EQ(r->delivered, 1);
    EXPECT_EQ(rx.Requests().size(), 1u);
}

TEST_F(NotificationServiceTest, AfterARestartPendingDeliveriesGoOutAndDeliveredOnesNeverAgain) {
    WebhookReceiver rx({200, 500, 200});
    const auto hook = Hook(fuzhou_, rx.Url());
    const Task a = AddTask(gulou_, NowSeconds() + 30 * 86400, "任务甲");
    const Task b = AddTask(gulou_, NowSeconds() + 30 * 86400, "任务乙");
    const Task c = AddTask(gulou_, NowSeconds() + 30 * 86400, "任务丙");
    const UnixSeconds t0 = NowSeconds();
    Urge(a, t0);
    Urge(b, t0);
    auto first = svc_->DeliverWebhooks(t0, client_);  // a: 200, b: 500 (retry at t0 + 30)
    ASSERT_OK(first);
    EXPECT_EQ(first->delivered, 1);
    EXPECT_EQ(first->retried, 1);
    Urge(c, t0 + 5);  // queued, never tried before the restart

    Open();  // a new Service on the same database file
    auto after = svc_->DeliverWebhooks(t0 + 30, client_);
    ASSERT_OK(after);
    EXPECT_EQ(after->attempted, 2);
    EXPECT_EQ(after->delivered, 2);
    EXPECT_EQ(svc_->DeliverWebhooks(t0 + 100000, client_)->attempted, 0);

    // Per delivery id: a once, b twice (the failed try and the retry), c once.
    std::map<std::string, int> per_delivery;
    std::map<std::string, domain::TaskId> task_of;
    for (const auto& r : rx.Requests()) {
        ++per_delivery[r.Header("x-rectify-delivery")];
        task_of[r.Header("x-rectify-delivery")] = json::parse(r.body)["task_id"].get<domain::TaskId>();
        ExpectSigned(r, hook.secret);
    }
    ASSERT_EQ(per_delivery.size(), 3u);
    std::map<domain::TaskId, int> per_task;
    for (const auto& [id, n] : per_delivery) per_task[task_of[id]] = n;
    EXPECT_EQ(per_task, (std::map<domain::TaskId, int>{{a.id, 1}, {b.id, 2}, {c.id, 1}}));
    for (const auto& d : Deliveries(hook.webhook.id)) EXPECT_EQ(d.status, DeliveryStatus::kDelivered);
}

// Issue 8, "done when": with an injected clock, a task that goes overdue is urged, then supervised 2
// working days later, and a loopback webhook receiver gets both signed deliveries exactly once each.
TEST_F(NotificationServiceTest, OverdueTaskIsUrgedThenSupervisedAndTheReceiverGetsEachStepOnce) {
    WebhookReceiver rx;
    const auto hook = Hook(fuzhou_, rx.Url());
    // A Tuesday at least two weeks ahead (deadlines cannot lie in the past), due 18:00 local time.
    std::int64_t tue = (NowSeconds() + 8 * kHour) / 86400 + 14;
    while (Weekday(tue) != 1) ++tue;
    const UnixSeconds due = LocalMidnight(tue) + 18 * kHour;
    const Task t = AddTask(gulou_, due);
    const Actor fuzhou_leader = User("fz.leader", fuzhou_, {Grant{Role::kLeader, fuzhou_}});

    auto pass = [&](UnixSeconds at) {
        auto r = svc_->RunSupervisionPass(at, client_);
        EXPECT_OK(r);
        return r.ok() ? *r : SupervisionPassReport{};
    };
    // Tuesday 17:00: not due yet.
    auto p0 = pass(LocalMidnight(tue) + 17 * kHour);
    EXPECT_EQ(p0.ladder.urged, 0);
    EXPECT_EQ(p0.deliveries.attempted, 0);
    // Wednesday 09:00: overdue, urged; the urge goes out.
    auto p1 = pass(LocalMidnight(tue + 1) + 9 * kHour);
    EXPECT_EQ(p1.ladder.candidates, 1);
    EXPECT_EQ(p1.ladder.urged, 1);
    EXPECT_EQ(p1.ladder.supervised, 0);
    EXPECT_EQ(p1.deliveries.delivered, 1);
    // A second pass the same morning takes no step twice.
    auto p1b = pass(LocalMidnight(tue + 1) + 10 * kHour);
    EXPECT_EQ(p1b.ladder.urged, 0);
    EXPECT_EQ(p1b.deliveries.attempted, 0);
    // Urged on Wednesday: 2 working days later is Friday; supervise once Friday has ended.
    auto p2 = pass(LocalMidnight(tue + 4) - 1);  // Friday 23:59:59
    EXPECT_EQ(p2.ladder.supervised, 0);
    EXPECT_EQ(p2.deliveries.attempted, 0);
    auto p3 = pass(LocalMidnight(tue + 4));  // Saturday 00:00
    EXPECT_EQ(p3.ladder.supervised, 1);
    EXPECT_EQ(p3.deliveries.delivered, 1);
    // The task is in the overdue queue at that instant.
    auto queue = svc_->ListQueue(root_, WorkQueue::kOverdue, QueueQuery{}, LocalMidnight(tue + 4));
    ASSERT_OK(queue);
    ASSERT_EQ(queue->items.size(), 1u);
    EXPECT_EQ(queue->items[0].task->task.id, t.id);

    // A restart, and more passes: nothing is taken or sent again.
    Open();
    auto p4 = pass(LocalMidnight(tue + 7) + 9 * kHour);
    EXPECT_EQ(p4.ladder.urged + p4.ladder.supervised, 0);
    EXPECT_EQ(p4.deliveries.attempted, 0);

    const auto got = rx.Requests();
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(json::parse(got[0].body)["kind"], "urge");
    EXPECT_EQ(json::parse(got[1].body)["kind"], "supervise");
    EXPECT_EQ(json::parse(got[1].body)["step"]["automatic"], true);
    EXPECT_NE(got[0].Header("x-rectify-delivery"), got[1].Header("x-rectify-delivery"));
    EXPECT_EQ(got[0].Header("x-rectify-timestamp"), std::to_string(LocalMidnight(tue + 1) + 9 * kHour));
    EXPECT_EQ(got[1].Header("x-rectify-timestamp"), std::to_string(LocalMidnight(tue + 4)));
    for (const auto& r : got) ExpectSigned(r, hook.secret);

    // The leader of 福州市 is not in 鼓楼区 (the notices go to the task's org): an empty inbox; a user of
    // 鼓楼区 has both.
    EXPECT_EQ(*svc_->CountUnreadNotifications(fuzhou_leader), 0);
    const Actor gulou_clerk = User("gl.clerk", gulou_, {Grant{Role::kClerk, gulou_}});
    auto inbox = svc_->ListInbox(gulou_clerk, InboxQuery{});
    ASSERT_OK(inbox);
    ASSERT_EQ(inbox->items.size(), 2u);
    EXPECT_EQ(inbox->items[0].kind, "supervise");
    EXPECT_EQ(inbox->items[1].kind, "urge");
}

// The scheduler of `rectify serve` on its own thread: its first pass runs at once and delivers what is
// due; Stop returns promptly (the timer is cancelled; no pass is waited for a whole period).
TEST_F(NotificationServiceTest, TheSchedulerThreadDeliversAndStopsCleanly) {
    WebhookReceiver rx;
    const auto hook = Hook(fuzhou_, rx.Url());
    const Task t = AddTask(gulou_, NowSeconds() + 30 * 86400);
    Urge(t, NowSeconds());
    http::Scheduler scheduler(*svc_, client_, std::chrono::seconds(3600));
    scheduler.Start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (rx.Requests().empty() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const auto stop_began = std::chrono::steady_clock::now();
    scheduler.Stop();
    EXPECT_LT(std::chrono::steady_clock::now() - stop_began, std::chrono::seconds(2));
    ASSERT_EQ(rx.Requests().size(), 1u);
    ExpectSigned(rx.Requests()[0], hook.secret);
    EXPECT_EQ(Deliveries(hook.webhook.id).at(0).status, DeliveryStatus::kDelivered);
    scheduler.Stop();  // idempotent
}

}  // namespace
}  // namespace rectify::service
