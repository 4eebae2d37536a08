// The accounts use cases against a real SQLite store: logins, back-off, sessions, tokens, who may
// manage whom, the first admin, events and the audit export. Argon2id runs with the OWASP minimum
// parameters (m=19 MiB, t=2, p=1) to keep the suite fast; the production default is tested for its
// PHC spelling only.
#include <sqlite3.h>

#include <fstream>

#include "common/crypto.hpp"
#include "common/text.hpp"
#include "service/detail/account_state.hpp"
#include "service/service.hpp"
#include "test_util.hpp"

namespace rectify::service {
namespace {

using domain::Grant;
using domain::Role;

AccountPolicy FastPolicy() {
    AccountPolicy p;
    p.password_hash = PasswordHashParams::OwaspMinimum();
    return p;
}

class AccountsTest : public ::testing::Test {
protected:
    void SetUp() override { Open(FastPolicy()); }

    void Open(AccountPolicy policy) {
        svc_.reset();
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kCreateIfMissing);
        ASSERT_OK(store);
        auto svc = Service::Create(std::move(store).value(), std::move(policy));
        ASSERT_OK(svc);
        svc_ = std::move(svc).value();
        if (!svc_->Initialized()) {
            ASSERT_OK(svc_->Init(Actor{"test", {}}, InitOptions{}));
            root_ = svc_->RootActor("test");
            hebei_ = AddOrg(1, "河北省", "province", "13");        // 2
            shijiazhuang_ = AddOrg(hebei_, "石家庄市", "city", "1301");  // 3
            tianjin_ = AddOrg(1, "天津市", "province", "12");       // 4
        }
        root_ = svc_->RootActor("test");
    }

    domain::OrgId AddOrg(domain::OrgId parent, const std::string& name, const std::string& level,
                         const std::string& code) {
        domain::Org o;
        o.parent_id = parent;
        o.name = name;
        o.level = level;
        o.division_code = code;
        auto created = svc_->CreateOrg(root_, o);
        EXPECT_OK(created);
        return created.ok() ? created->id : 0;
    }

    domain::User AddUser(const std::string& name, domain::OrgId org, std::vector<Grant> grants,
                         const std::string& password = "correct horse battery", bool must_change = false) {
        UserDraft d;
        d.name = name;
        d.display_name = name;
        d.org_id = org;
        d.password = password;
        d.grants = std::move(grants);
        d.must_change_password = must_change;
        auto u = svc_->AddUser(root_, d);
        EXPECT_OK(u);
        return u.ok() ? u->user : domain::User{};
    }

    Authenticated LoginAs(const std::string& name, const std::string& password = "correct horse battery") {
        auto login = svc_->Login(name, password, "10.0.0.1");
        EXPECT_OK(login);
        if (!login.ok()) return {};
        auto who = svc_->ResolveSession(login->session_secret);
        EXPECT_OK(who);
        return who.ok() ? *who : Authenticated{};
    }

    // Revokes token `id` through a second service on the same database file, as another process would.
    void RevokeInAnotherProcess(domain::TokenId id) {
        auto store = store::Store::OpenSqlite(dir_.File("r.db"), store::OpenMode::kMustExist);
        ASSERT_OK(store);
        auto other = Service::Create(std::move(store).value(), FastPolicy());
        ASSERT_OK(other);
        ASSERT_OK((*other)->RevokeToken((*other)->RootActor("other"), id));
    }

    // The stored PHC string of a user, read with sqlite3 directly.
    std::string StoredHash(const std::string& name) {
        sqlite3* db = nullptr;
        sqlite3_open(dir_.File("r.db").c_str(), &db);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(db, "SELECT password_hash FROM app_user WHERE name = ?", -1, &st, nullptr);
        sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
        std::string out;
        if (sqlite3_step(st) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        sqlite3_close(db);
        return out;
    }

    testing::TempDir dir_;
    std::unique_ptr<Service> svc_;
    Actor root_;
    domain::OrgId hebei_ = 0, shijiazhuang_ = 0, tianjin_ = 0;
};

TEST(PasswordHash, DefaultIsRfc9106SecondRecommendedOption) {
    // RFC 9106 §4: "Argon2id with t=3 iterations, p=4 lanes, m=2^(16) (64 MiB of RAM)".
    EXPECT_EQ(ToString(PasswordHashParams::Rfc9106Second()), "m=65536,t=3,p=4");
    EXPECT_EQ(ToString(AccountPolicy{}.password_hash), "m=65536,t=3,p=4");
    auto fast = HashPassword("pässwörd-123", PasswordHashParams::OwaspMinimum());
    ASSERT_OK(fast);
    EXPECT_EQ(fast->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *fast;
    EXPECT_TRUE(VerifyPassword(*fast, "pässwörd-123"));
    EXPECT_FALSE(VerifyPassword(*fast, "pässwörd-124"));
    EXPECT_FALSE(VerifyPassword("$argon2i$garbage", "x"));
    EXPECT_EQ(*PhcParams(*fast), PasswordHashParams::OwaspMinimum());
}

TEST(PasswordHash, ParsesParametersAndRefusesWeakOnes) {
    auto p = ParsePasswordHashParams("t=3,p=4,m=65536");
    ASSERT_OK(p);
    EXPECT_EQ(*p, PasswordHashParams::Rfc9106Second());
    for (const char* bad : {"m=1024,t=3,p=4", "m=65536,t=1,p=4", "m=65536,t=3", "m=65536,t=3,p=4,m=1",
                            "x=1,t=3,p=4", "m=065536,t=3,p=4", "m=65536,t=3,p=0", ""}) {
        EXPECT_FALSE(ParsePasswordHashParams(bad).ok()) << bad;
    }
}

TEST(Secrets, TokensAndPasswordsHaveTheDocumentedShape) {
    EXPECT_EQ(RandomToken(32).size(), 43u);  // ceil(256 / 6)
    EXPECT_NE(RandomToken(32), RandomToken(32));
    const std::string pw = GeneratePassword();
    ASSERT_EQ(pw.size(), 23u) << pw;  // 4 groups of 5 and 3 dashes
    for (std::size_t i = 0; i < pw.size(); ++i) {
        if (i % 6 == 5) {
            EXPECT_EQ(pw[i], '-') << pw;
        } else {
            EXPECT_NE(std::string("23456789abcdefghijkmnpqrstuvwxyz").find(pw[i]), std::string::npos) << pw;
        }
    }
    EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
    EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
    EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(LoginThrottle, DoublesTheWaitAfterTheFreeFailuresUpToTheCap) {
    LoginThrottlePolicy p;  // 5 free per user, 1 s base, 900 s cap, forgotten after 3600 s
    detail::LoginThrottle t(p);
    const std::int64_t t0 = 1'000'000'900;  // ms: 900 ms into a second
    for (int i = 1; i <= 5; ++i) {
        t.Failure("u:x", t0);
        EXPECT_EQ(t.RetryAfter("u:x", 5, t0), 0) << i;
    }
    // 6th failure: 1 s; 7th: 2 s; 8th: 4 s (each counted from the last failure, to the millisecond).
    t.Failure("u:x", t0);
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0), 1);
    // Still refused 200 ms later, after the second on the wall clock turned (the wait is a whole second),
    // and until the last millisecond of it; Retry-After rounds up.
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 200), 1);
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 999), 1);
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 1000), 0);
    t.Failure("u:x", t0 + 1000);
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 1000), 2);
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 2000), 1);
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 2500), 1);
    t.Failure("u:x", t0 + 3000);
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 3000), 4);
    // 2^(f-6) reaches 900 at f = 16 (2^10 = 1024 > 900).
    EXPECT_EQ(detail::LoginThrottle::Delay(p, 15, 5), 512);
    EXPECT_EQ(detail::LoginThrottle::Delay(p, 16, 5), 900);
    EXPECT_EQ(detail::LoginThrottle::Delay(p, 200, 5), 900);
    // Another key is not affected; an hour without failures forgets; Clear forgets at once.
    EXPECT_EQ(t.RetryAfter("u:y", 5, t0 + 3000), 0);
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 3000 + 3'600'000), 0);
    t.Failure("u:x", t0 + 3000 + 3'600'000);  // counting starts again at 1
    EXPECT_EQ(t.RetryAfter("u:x", 5, t0 + 3000 + 3'600'000), 0);
    t.Clear("u:x");
    EXPECT_EQ(t.size(), 0u);
}

TEST(LoginThrottle, StaysWithinItsMemoryBound) {
    LoginThrottlePolicy p;
    p.max_keys = 100;
    detail::LoginThrottle t(p);
    for (int i = 0; i < 1000; ++i) t.Failure("c:" + std::to_string(i), 1'000'000 + i * 1000);
    EXPECT_LE(t.size(), 100u);
    EXPECT_GT(t.RetryAfter("c:999", 0, 1'000'000 + 999'000), 0);  // the newest survive
}

TEST_F(AccountsTest, LoginCreatesASessionWhoseActorSeesTheGrantedSubtrees) {
    auto user = AddUser("hebei.clerk", shijiazhuang_, {{Role::kClerk, shijiazhuang_}, {Role::kLeader, hebei_}});
    auto login = svc_->Login("Hebei.Clerk", "correct horse battery", "10.0.0.1");  // names are case-insensitive
    ASSERT_OK(login);
    EXPECT_EQ(login->session_secret.size(), 43u);
    EXPECT_EQ(login->session.csrf_token.size(), 43u);
    EXPECT_EQ(login->session.expires_at - login->session.created_at, 12 * 3600);
    auto who = svc_->ResolveSession(login->session_secret);
    ASSERT_OK(who);
    EXPECT_EQ(who->actor.name, "hebei.clerk");
    EXPECT_EQ(who->actor.user_id, user.id);
    EXPECT_EQ(who->actor.auth, domain::AuthMethod::kSession);
    // 石家庄市 lies inside 河北省: the scope is 河北省 alone.
    EXPECT_EQ(who->actor.scope, std::vector<domain::OrgId>{hebei_});
    EXPECT_TRUE(svc_->GetOrg(who->actor, shijiazhuang_).ok());
    EXPECT_EQ(svc_->GetOrg(who->actor, tianjin_).status().code(), StatusCode::kNotFound);
    // Leader over 河北省 may read but only the clerk grant (石家庄市) may register problems.
    ProblemDraft d;
    d.title = "t";
    d.owner_org_id = hebei_;
    EXPECT_EQ(svc_->CreateProblem(who->actor, d).status().code(), StatusCode::kPermissionDenied);
    d.owner_org_id = shijiazhuang_;
    EXPECT_OK(svc_->CreateProblem(who->actor, d));
    // The session secret is stored only as its SHA-256.
    EXPECT_FALSE(svc_->ResolveSession(Sha256Hex(login->session_secret)).ok());
}

TEST_F(AccountsTest, WrongPasswordsAndUnknownNamesGetTheSameAnswerAndAreLogged) {
    AddUser("alice", hebei_, {{Role::kLeader, hebei_}});
    auto wrong = svc_->Login("alice", "not the password", "10.0.0.2");
    auto unknown = svc_->Login("nobody", "not the password", "10.0.0.2");
    ASSERT_FALSE(wrong.ok());
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(wrong.status().ToString(), unknown.status().ToString());
    auto attempts = svc_->store().ListLoginAttempts(10);
    ASSERT_OK(attempts);
    ASSERT_EQ(attempts->size(), 2u);
    EXPECT_EQ((*attempts)[0].outcome, domain::LoginOutcome::kUnknownUser);
    EXPECT_EQ((*attempts)[0].user_name, "nobody");
    EXPECT_EQ((*attempts)[1].outcome, domain::LoginOutcome::kBadPassword);
    EXPECT_EQ((*attempts)[1].client, "10.0.0.2");
}

TEST_F(AccountsTest, BacksOffAfterFiveFailuresEvenForTheRightPassword) {
    AddUser("bob", hebei_, {{Role::kLeader, hebei_}});
    for (int i = 0; i < 6; ++i) EXPECT_EQ(svc_->Login("bob", "wrong wrong", "10.0.0.3").status().code(),
                                          StatusCode::kUnauthenticated);
    // The 6th failure set a wait of 1 s (docs/SECURITY.md): right now even the right password waits.
    auto blocked = svc_->Login("bob", "correct horse battery", "10.0.0.9");
    EXPECT_EQ(blocked.status().code(), StatusCode::kResourceExhausted);
    EXPECT_GE(svc_->LoginRetryAfter("bob", "10.0.0.9"), 0);
}

TEST_F(AccountsTest, RehashesAtLoginWhenTheParametersChanged) {
    AddUser("carol", hebei_, {{Role::kLeader, hebei_}});
    EXPECT_EQ(StoredHash("carol").rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u);
    AccountPolicy stronger = FastPolicy();
    stronger.password_hash = {24576, 2, 1};
    Open(stronger);
    auto login = svc_->Login("carol", "correct horse battery", "10.0.0.1");
    ASSERT_OK(login);
    const std::string rehashed = StoredHash("carol");
    EXPECT_EQ(rehashed.rfind("$argon2id$v=19$m=24576,t=2,p=1$", 0), 0u) << rehashed;
    EXPECT_TRUE(VerifyPassword(rehashed, "correct horse battery"));
    ASSERT_OK(svc_->Login("carol", "correct horse battery", "10.0.0.1"));
    EXPECT_EQ(StoredHash("carol"), rehashed);  // already current: not rehashed again
}

TEST_F(AccountsTest, OrgAdminManagesOnlyUsersWithinItsSubtree) {
    AddUser("hb.admin", hebei_, {{Role::kOrgAdmin, hebei_}});
    AddUser("tj.user", tianjin_, {{Role::kClerk, tianjin_}});
    auto boss = AddUser("boss", shijiazhuang_, {{Role::kLeader, shijiazhuang_}, {Role::kLeader, tianjin_}});
    const Actor admin = LoginAs("hb.admin").actor;

    UserDraft d;
    d.name = "sjz.clerk";
    d.org_id = shijiazhuang_;
    d.grants = {{Role::kClerk, shijiazhuang_}};
    auto created = svc_->AddUser(admin, d);
    ASSERT_OK(created);
    ASSERT_TRUE(created->generated_password);
    EXPECT_TRUE(created->user.must_change_password);
    // Outside its subtree: as if it did not exist.
    d.name = "tj.clerk2";
    d.org_id = tianjin_;
    d.grants = {{Role::kClerk, tianjin_}};
    EXPECT_EQ(svc_->AddUser(admin, d).status().code(), StatusCode::kNotFound);
    d.org_id = hebei_;  // an org inside, a grant outside
    EXPECT_EQ(svc_->AddUser(admin, d).status().code(), StatusCode::kNotFound);
    d.grants = {{Role::kAdmin, hebei_}};  // org_admin cannot make admins
    EXPECT_EQ(svc_->AddUser(admin, d).status().code(), StatusCode::kPermissionDenied);
    // boss sits in 石家庄市 but also leads 天津市: taking over boss would reach outside 河北省.
    EXPECT_EQ(svc_->ResetPassword(admin, boss.id, "").status().code(), StatusCode::kPermissionDenied);
    auto tj = svc_->FindUser(root_, "tj.user");
    ASSERT_OK(tj);
    EXPECT_EQ(svc_->ResetPassword(admin, tj->id, "").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->GetUser(admin, tj->id).status().code(), StatusCode::kNotFound);
    // Its own grants are not its to change.
    EXPECT_EQ(svc_->GrantRole(admin, *admin.user_id, {Role::kClerk, hebei_}).status().code(),
              StatusCode::kFailedPrecondition);
    // The listed users: only those inside 河北省.
    auto listed = svc_->ListUsers(admin, std::nullopt);
    ASSERT_OK(listed);
    std::vector<std::string> names;
    for (const auto& u : *listed) names.push_back(u.name);
    EXPECT_EQ(names, (std::vector<std::string>{"hb.admin", "boss", "sjz.clerk"}));
}

TEST_F(AccountsTest, DisablingAndResettingEndSessions) {
    auto u = AddUser("dave", hebei_, {{Role::kClerk, hebei_}});
    auto login = svc_->Login("dave", "correct horse battery", "10.0.0.1");
    ASSERT_OK(login);
    ASSERT_OK(svc_->SetUserDisabled(root_, u.id, true));
    EXPECT_EQ(svc_->ResolveSession(login->session_secret).status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(svc_->Login("dave", "correct horse battery", "10.0.0.1").status().code(), StatusCode::kUnauthenticated);
    ASSERT_OK(svc_->SetUserDisabled(root_, u.id, false));
    auto again = svc_->Login("dave", "correct horse battery", "10.0.0.1");
    ASSERT_OK(again);
    auto reset = svc_->ResetPassword(root_, u.id, "");
    ASSERT_OK(reset);
    ASSERT_TRUE(reset->has_value());
    EXPECT_EQ(svc_->ResolveSession(again->session_secret).status().code(), StatusCode::kUnauthenticated);
    auto fresh = svc_->Login("dave", **reset, "10.0.0.1");
    ASSERT_OK(fresh);
    EXPECT_TRUE(fresh->user.must_change_password);
}

TEST_F(AccountsTest, ChangingTheOwnPasswordChecksTheOldOneAndEndsOtherSessions) {
    AddUser("erin", hebei_, {{Role::kClerk, hebei_}}, "first password 1", true);
    auto a_login = svc_->Login("erin", "first password 1", "10.0.0.1");
    ASSERT_OK(a_login);
    auto a_who = svc_->ResolveSession(a_login->session_secret);
    ASSERT_OK(a_who);
    const Authenticated a = *a_who;
    auto b = svc_->Login("erin", "first password 1", "10.0.0.5");
    ASSERT_OK(b);
    EXPECT_TRUE(a.user.must_change_password);
    EXPECT_EQ(svc_->ChangeOwnPassword(a, "wrong", "second password 2").code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(svc_->ChangeOwnPassword(a, "first password 1", "short").code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(svc_->ChangeOwnPassword(a, "first password 1", "erin").code(), StatusCode::kInvalidArgument);
    ASSERT_OK(svc_->ChangeOwnPassword(a, "first password 1", "second password 2"));
    EXPECT_FALSE(svc_->ResolveSession(b->session_secret).ok());  // the other session ended
    EXPECT_OK(svc_->ResolveSession(a_login->session_secret));     // this one goes on
    auto relog = svc_->Login("erin", "second password 2", "10.0.0.1");
    ASSERT_OK(relog);
    EXPECT_FALSE(relog->user.must_change_password);
}

TEST_F(AccountsTest, TokensCarryASubsetOfTheGrantsAndLoseRevokedOnes) {
    auto u = AddUser("frank", hebei_, {{Role::kClerk, hebei_}, {Role::kLeader, tianjin_}});
    const auto session = LoginAs("frank");
    TokenDraft d;
    d.name = "nightly export";
    d.grants = {{Role::kLeader, tianjin_}};
    auto token = svc_->CreateToken(session.actor, d);
    ASSERT_OK(token);
    EXPECT_EQ(token->secret.rfind("rct_", 0), 0u);
    EXPECT_EQ(token->secret.size(), 4u + 43u);
    EXPECT_EQ(token->token.prefix, token->secret.substr(0, 8));
    EXPECT_EQ(token->token.expires_at - token->token.created_at, 90 * 86400);
    auto who = svc_->ResolveToken(token->secret);
    ASSERT_OK(who);
    EXPECT_EQ(who->actor.scope, std::vector<domain::OrgId>{tianjin_});
    EXPECT_EQ(who->actor.name, "frank[token:" + std::to_string(token->token.id) + "]");
    EXPECT_EQ(svc_->GetOrg(who->actor, hebei_).status().code(), StatusCode::kNotFound);
    // A token cannot hold more than its user, nor make tokens.
    d.grants = {{Role::kAdmin, hebei_}};
    EXPECT_EQ(svc_->CreateToken(session.actor, d).status().code(), StatusCode::kPermissionDenied);
    d.grants = {{Role::kClerk, shijiazhuang_}};  // inside 河北省, where frank is clerk: covered
    EXPECT_OK(svc_->CreateToken(session.actor, d));
    EXPECT_EQ(svc_->CreateToken(who->actor, d).status().code(), StatusCode::kPermissionDenied);
    // Revoking frank's 天津市 grant empties the first token.
    auto frank = svc_->GetUser(root_, u.id);
    ASSERT_OK(frank);
    for (const auto& g : frank->grants) {
        if (g.org_id == tianjin_) ASSERT_OK(svc_->RevokeGrant(root_, u.id, g.id));
    }
    auto after = svc_->ResolveToken(token->secret);
    ASSERT_OK(after);
    EXPECT_TRUE(after->actor.scope.empty());
    EXPECT_TRUE(after->actor.grants.empty());
    // Revoked tokens stop working; a bogus token was never valid.
    ASSERT_OK(svc_->RevokeToken(session.actor, token->token.id));
    EXPECT_EQ(svc_->ResolveToken(token->secret).status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(svc_->ResolveToken("rct_" + RandomToken(32)).status().code(), StatusCode::kUnauthenticated);
    auto listed = svc_->ListTokens(session.actor, std::nullopt);
    ASSERT_OK(listed);
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_TRUE((*listed)[0].revoked_at.has_value());
}

// Issue 11: a resolved token is kept in memory (detail::TokenCache). Every change to who it is that goes
// through a service ends the kept copy before the change's call returns; another process's change ends it
// when this one follows the event log (CatchUp), or after token_cache_seconds at the latest.
TEST_F(AccountsTest, AResolvedTokenIsKeptUntilAnEventSaysWhoItIsChanged) {
    AccountPolicy policy = FastPolicy();
    policy.token_cache_seconds = 3600;  // so that only events end an entry during the test
    Open(policy);
    auto u = AddUser("grace", hebei_, {{Role::kSupervisor, hebei_}, {Role::kClerk, tianjin_}});
    auto session = LoginAs("grace");
    auto token = svc_->CreateToken(session.actor, TokenDraft{"sync", {{Role::kSupervisor, shijiazhuang_}}, std::nullopt});
    ASSERT_OK(token);
    auto first = svc_->ResolveToken(token->secret);
    ASSERT_OK(first);
    EXPECT_EQ(first->actor.scope, std::vector<domain::OrgId>{shijiazhuang_});

    // A supervision team of 河北省 with grace in it, assigned to 石家庄市, gives her supervisor there too.
    // With her own supervisor grant revoked the token keeps its grant through the team; out of the team,
    // it has none. Each step is one event of this process, seen before the call returns.
    auto team = svc_->CreateTeam(root_, TeamDraft{hebei_, "第一督导组", domain::TeamKind::kGuidance, std::nullopt});
    ASSERT_OK(team);
    ASSERT_OK(svc_->AddTeamMember(root_, team->id, u.id));
    ASSERT_OK(svc_->AssignTeam(root_, team->id, shijiazhuang_));
    auto grace = svc_->GetUser(root_, u.id);
    ASSERT_OK(grace);
    for (const auto& g : grace->grants) {
        if (g.role == Role::kSupervisor) ASSERT_OK(svc_->RevokeGrant(root_, u.id, g.id));
    }
    auto via_team = svc_->ResolveToken(token->secret);
    ASSERT_OK(via_team);
    EXPECT_EQ(via_team->actor.scope, std::vector<domain::OrgId>{shijiazhuang_});
    ASSERT_OK(svc_->RemoveTeamMember(root_, team->id, u.id));
    auto outside = svc_->ResolveToken(token->secret);
    ASSERT_OK(outside);
    EXPECT_TRUE(outside->actor.grants.empty());
    EXPECT_TRUE(outside->actor.scope.empty());

    // Disabling the user (an event of this process) refuses the token at once, enabling it lets it back.
    ASSERT_OK(svc_->SetUserDisabled(root_, u.id, true));
    EXPECT_EQ(svc_->ResolveToken(token->secret).status().code(), StatusCode::kUnauthenticated);
    ASSERT_OK(svc_->SetUserDisabled(root_, u.id, false));
    ASSERT_OK(svc_->ResolveToken(token->secret));

    // Another process on the same database revokes the token. This one serves its kept copy until it
    // follows the log, then refuses the token.
    RevokeInAnotherProcess(token->token.id);
    EXPECT_OK(svc_->ResolveToken(token->secret));
    ASSERT_OK(svc_->CatchUp());
    EXPECT_EQ(svc_->ResolveToken(token->secret).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(AccountsTest, WithoutATokenCacheEveryRequestReadsTheToken) {
    AccountPolicy policy = FastPolicy();
    policy.token_cache_seconds = 0;
    Open(policy);
    AddUser("heidi", hebei_, {{Role::kClerk, hebei_}});
    auto session = LoginAs("heidi");
    auto token = svc_->CreateToken(session.actor, TokenDraft{"sync", {}, std::nullopt});
    ASSERT_OK(token);
    ASSERT_OK(svc_->ResolveToken(token->secret));
    RevokeInAnotherProcess(token->token.id);
    EXPECT_EQ(svc_->ResolveToken(token->secret).status().code(), StatusCode::kUnauthenticated);
}

TEST(GenerationCache, ServesAnEntryOnlyUnderItsGenerationAndWithinItsAge) {
    detail::GenerationCache<std::string, Authenticated> cache(2, 10);
    Authenticated who;
    who.actor.name = "a";
    who.token.emplace();
    const std::uint64_t g0 = cache.Generation();
    cache.Put("h1", who, g0, 1000);
    ASSERT_TRUE(cache.Get("h1", 1009).has_value());
    EXPECT_EQ(cache.Get("h1", 1009)->actor.name, "a");
    EXPECT_FALSE(cache.Get("h1", 1010).has_value());  // 10 s old: read again
    EXPECT_FALSE(cache.Get("h1", 999).has_value());   // the clock went back
    cache.Update("h1", [](Authenticated& kept) { kept.token->last_used_at = 1005; });
    EXPECT_EQ(cache.Get("h1", 1006)->token->last_used_at, 1005);
    // A change between the caller's Generation() and its Put: the entry is not kept.
    cache.Invalidate();
    EXPECT_FALSE(cache.Get("h1", 1001).has_value());
    cache.Put("h2", who, g0, 1000);
    EXPECT_EQ(cache.size(), 0u);
    // Full (capacity 2): the third key starts a new table; a key already there does not.
    const std::uint64_t g1 = cache.Generation();
    EXPECT_EQ(g1, g0 + 1);
    cache.Put("h1", who, g1, 1000);
    cache.Put("h2", who, g1, 1000);
    cache.Put("h2", who, g1, 1001);
    EXPECT_EQ(cache.size(), 2u);
    cache.Put("h3", who, g1, 1000);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_TRUE(cache.Get("h3", 1000).has_value());
    // Without an age bound an entry lasts until invalidated; capacity 0 keeps nothing.
    detail::GenerationCache<int, int> ageless(4, std::nullopt);
    ageless.Put(1, 7, ageless.Generation(), 0);
    EXPECT_EQ(ageless.Get(1, 1'000'000'000), 7);
    detail::GenerationCache<int, int> off(0, std::nullopt);
    off.Put(1, 7, off.Generation(), 0);
    EXPECT_FALSE(off.Get(1, 0).has_value());
}

TEST_F(AccountsTest, TheFirstAdminIsMadeOnceWithAOneTimePassword) {
    auto first = svc_->EnsureFirstAdmin("admin");
    ASSERT_OK(first);
    ASSERT_TRUE(first->has_value());
    auto again = svc_->EnsureFirstAdmin("admin");
    ASSERT_OK(again);
    EXPECT_FALSE(again->has_value());
    auto login = svc_->Login("admin", **first, "127.0.0.1");
    ASSERT_OK(login);
    EXPECT_TRUE(login->user.must_change_password);
    ASSERT_EQ(login->user.grants.size(), 1u);
    EXPECT_EQ(login->user.grants[0].role, Role::kAdmin);
    EXPECT_EQ(login->user.grants[0].org_id, 1);
}

TEST_F(AccountsTest, EveryAccountChangeIsAnEventAndTheChainHolds) {
    auto before = svc_->store().CountEvents();
    ASSERT_OK(before);
    auto u = AddUser("gina", hebei_, {{Role::kClerk, hebei_}});                     // create
    ASSERT_OK(svc_->GrantRole(root_, u.id, {Role::kReviewer, shijiazhuang_}));       // grant
    ASSERT_OK(svc_->ResetPassword(root_, u.id, "a brand new password"));            // password_reset
    ASSERT_OK(svc_->SetUserDisabled(root_, u.id, true));                            // disable
    auto events = svc_->History(root_, "org", hebei_);
    ASSERT_OK(events);
    auto after = svc_->store().CountEvents();
    ASSERT_OK(after);
    EXPECT_EQ(*after - *before, 4);
    AuditQuery q;
    q.org_id = hebei_;
    auto audit = svc_->AuditEvents(root_, q);
    ASSERT_OK(audit);
    std::vector<std::string> actions;
    for (const auto& e : audit->items) {
        if (e.entity == "user") actions.push_back(e.action);
        if (e.after_json) EXPECT_EQ(e.after_json->find("argon2"), std::string::npos);
    }
    EXPECT_EQ(actions, (std::vector<std::string>{"create", "grant", "password_reset", "disable"}));
    auto chain = svc_->VerifyAudit(root_);
    ASSERT_OK(chain);
    EXPECT_TRUE(chain->ok()) << chain->reason;
    EXPECT_EQ(chain->events, *after);
}

TEST_F(AccountsTest, AuditorsExportOnlyTheirSubtree) {
    AddUser("hb.auditor", hebei_, {{Role::kAuditor, hebei_}});
    AddUser("hb.leader", hebei_, {{Role::kLeader, hebei_}});
    const Actor auditor = LoginAs("hb.auditor").actor;
    auto page = svc_->AuditEvents(auditor, AuditQuery{});
    ASSERT_OK(page);
    ASSERT_FALSE(page->items.empty());
    for (const auto& e : page->items) {
        ASSERT_TRUE(e.org_id.has_value()) << e.entity << " " << e.entity_id;
        EXPECT_TRUE(svc_->Tree()->InSubtree(*e.org_id, hebei_)) << e.entity << " " << e.entity_id;
    }
    AuditQuery tj;
    tj.org_id = tianjin_;
    EXPECT_EQ(svc_->AuditEvents(auditor, tj).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(svc_->AuditEvents(LoginAs("hb.leader").actor, AuditQuery{}).status().code(),
              StatusCode::kPermissionDenied);
    EXPECT_EQ(svc_->VerifyAudit(auditor).status().code(), StatusCode::kPermissionDenied);
    // Pages follow each other without overlap, oldest first.
    AuditQuery small;
    small.limit = 1;
    auto first = svc_->AuditEvents(auditor, small);
    ASSERT_OK(first);
    ASSERT_TRUE(first->next_cursor);
    small.cursor = first->next_cursor;
    auto second = svc_->AuditEvents(auditor, small);
    ASSERT_OK(second);
    ASSERT_EQ(second->items.size(), 1u);
    EXPECT_GT(second->items[0].id, first->items[0].id);
}

}  // namespace
}  // namespace rectify::service
