// The accounts use cases (issue 4): login and sessions, API tokens, user and grant management, the
// first admin, and the audit export. Rules in service.hpp ("accounts") and docs/SECURITY.md.
#include <algorithm>

#include "common/crypto.hpp"
#include "common/text.hpp"
#include "domain/account.hpp"
#include "domain/json.hpp"
#include "service/detail/account_state.hpp"
#include "service/detail/checks.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace detail {

std::int64_t LoginThrottle::Delay(const LoginThrottlePolicy& p, int failures, int free_failures) {
    if (failures <= free_failures) return 0;
    const int doublings = std::min(failures - free_failures - 1, 40);
    const std::int64_t d = p.base_delay_seconds << doublings;
    return std::min(d, p.max_delay_seconds);
}

std::int64_t LoginThrottle::RetryAfter(const std::string& key, int free_failures, std::int64_t now_ms) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return 0;
    const Entry& e = it->second;
    if (now_ms - e.last_failure_ms >= policy_.forget_after_seconds * 1000) return 0;
    const std::int64_t until_ms = e.last_failure_ms + Delay(policy_, e.failures, free_failures) * 1000;
    return until_ms > now_ms ? (until_ms - now_ms + 999) / 1000 : 0;
}

void LoginThrottle::Failure(const std::string& key, std::int64_t now_ms) {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = entries_.try_emplace(key);
    Entry& e = it->second;
    if (!inserted && now_ms - e.last_failure_ms >= policy_.forget_after_seconds * 1000) e.failures = 0;
    ++e.failures;
    e.last_failure_ms = now_ms;
    if (entries_.size() > policy_.max_keys) Prune(now_ms);
}

void LoginThrottle::Clear(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
}

std::size_t LoginThrottle::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

// Drops forgotten entries; if that is not enough, the oldest half (under mutex_).
void LoginThrottle::Prune(std::int64_t now_ms) {
    std::erase_if(entries_,
                  [&](const auto& kv) { return now_ms - kv.second.last_failure_ms >= policy_.forget_after_seconds * 1000; });
    if (entries_.size() <= policy_.max_keys) return;
    std::vector<std::int64_t> times;
    times.reserve(entries_.size());
    for (const auto& [k, e] : entries_) times.push_back(e.last_failure_ms);
    auto mid = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
    std::nth_element(times.begin(), mid, times.end());
    const std::int64_t cut = *mid;
    std::erase_if(entries_, [&](const auto& kv) { return kv.second.last_failure_ms < cut; });
}

std::unique_ptr<AccountState> MakeAccountState(AccountPolicy policy) {
    return std::make_unique<AccountState>(std::move(policy));
}

}  // namespace detail

namespace {

using domain::Grant;
using domain::Role;
using domain::User;

constexpr std::string_view kTokenPrefix = "rct_";
constexpr std::int64_t kTouchEverySeconds = 60;  // last_seen_at / last_used_at granularity
const char* const kBadLogin = "the login name or the password is wrong";

std::vector<Grant> GrantsOf(const User& user) {
    std::vector<Grant> out;
    for (const auto& g : user.grants) out.push_back(Grant{g.role, g.org_id});
    return out;
}

std::string UserKey(const std::string& name) { return "u:" + name; }
std::string ClientKey(const std::string& client) { return "c:" + client; }

std::string AsciiLower(std::string s) {
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

// A login name as typed, safe to store in the login log: valid UTF-8, at most 64 code points.
std::string LoggableName(const std::string& name) {
    if (!IsValidUtf8(name)) return "(invalid UTF-8)";
    std::string out;
    std::size_t points = 0;
    for (std::size_t i = 0; i < name.size() && points < domain::kMaxUserNameChars; ++points) {
        std::size_t len = 1;
        const auto c = static_cast<unsigned char>(name[i]);
        if (c >= 0xF0) len = 4;
        else if (c >= 0xE0) len = 3;
        else if (c >= 0xC0) len = 2;
        out.append(name, i, len);
        i += len;
    }
    return out;
}

store::Event UserEvent(const Actor& actor, const User& user, std::string action, const std::optional<User>& before,
                       const std::optional<User>& after) {
    auto e = MakeEvent(actor, "user", user.id, std::move(action),
                       before ? std::optional<nlohmann::json>(domain::ToJson(*before)) : std::nullopt,
                       after ? std::optional<nlohmann::json>(domain::ToJson(*after)) : std::nullopt);
    e.org_id = user.org_id;
    return e;
}

}  // namespace

Service::Service(std::unique_ptr<store::Store> store) : store_(std::move(store)) {}
Service::~Service() {
    StopFollowing();
    store_->SetCommitObserver({});
}

const AccountPolicy& Service::account_policy() const { return accounts_->policy; }

// ---- actors and permissions ----

std::vector<Grant> Service::EffectiveGrants(const User& user) {
    std::vector<Grant> grants = GrantsOf(user);
    // Issue 8: a member of a supervision team holds its roles over the assigned subtrees. When they cannot
    // be read the user keeps only its own grants (fail closed).
    if (auto team = store_->TeamGrantsOfUser(user.id); team.ok()) {
        for (const auto& g : *team) {
            const bool held = std::any_of(grants.begin(), grants.end(),
                                          [&](const Grant& o) { return o.role == g.role && o.org_id == g.org_id; });
            if (!held) grants.push_back(g);
        }
    }
    return grants;
}

Actor Service::ActorOf(const User& user, const std::vector<Grant>& grants) const {
    Actor a;
    a.name = user.name;
    a.user_id = user.id;
    a.grants = grants;
    // Scope: the grants' orgs, without those inside another one's subtree.
    auto tree = Tree();
    for (const auto& g : grants) {
        if (!tree->Contains(g.org_id)) continue;
        bool covered = false;
        for (const auto& other : grants) {
            if (other.org_id != g.org_id && tree->Contains(other.org_id) && tree->InSubtree(g.org_id, other.org_id)) {
                covered = true;
            }
        }
        if (!covered && std::find(a.scope.begin(), a.scope.end(), g.org_id) == a.scope.end()) a.scope.push_back(g.org_id);
    }
    return a;
}

bool Service::CanGrant(const Actor& actor, const Grant& g) const {
    if (!HasRole(actor, Role::kOrgAdmin, g.org_id)) return false;
    return g.role != Role::kAdmin || HasRole(actor, Role::kAdmin, g.org_id);
}

bool Service::CanManage(const Actor& actor, const User& user) const {
    if (!HasRole(actor, Role::kOrgAdmin, user.org_id)) return false;
    return std::all_of(user.grants.begin(), user.grants.end(),
                       [&](const auto& g) { return CanGrant(actor, Grant{g.role, g.org_id}); });
}

// The user `id` if the actor may manage it. kNotFound outside scope, kPermissionDenied inside.
Result<User> Service::ManagedUser(const Actor& actor, domain::UserId id) {
    auto user = store_->GetUser(id);
    if (!user.ok()) return detail::MissingOr(user.status(), "user " + std::to_string(id) + " does not exist");
    if (!InScope(actor, user->org_id)) return NotFound("user " + std::to_string(id) + " does not exist");
    if (!CanManage(actor, *user)) {
        return PermissionDenied("managing user " + user->name +
                                " needs org_admin over every org where the user holds a role (admin for admin grants)");
    }
    return user;
}

Result<Actor> Service::UserActor(domain::UserId id, const std::string& via) {
    ASSIGN_OR_RETURN(User user, store_->GetUser(id));
    Actor a = ActorOf(user, EffectiveGrants(user));
    a.name = via + "(as " + user.name + ")";
    return a;
}

// ---- login, sessions, tokens ----

std::int64_t Service::LoginRetryAfter(const std::string& name, const std::string& client) const {
    const auto& p = accounts_->policy.throttle;
    const std::int64_t now_ms = NowMillis();
    return std::max(accounts_->throttle.RetryAfter(UserKey(AsciiLower(name)), p.free_failures_per_user, now_ms),
                    accounts_->throttle.RetryAfter(ClientKey(client), p.free_failures_per_client, now_ms));
}

Status Service::FailedLogin(const std::string& name, const std::string& client, std::optional<domain::UserId> user_id,
                            domain::LoginOutcome outcome) {
    const UnixSeconds now = NowSeconds();
    if (outcome != domain::LoginOutcome::kThrottled) {
        const std::int64_t now_ms = NowMillis();  // after the hash was checked: the wait starts now
        accounts_->throttle.Failure(UserKey(name), now_ms);
        accounts_->throttle.Failure(ClientKey(client), now_ms);
    }
    domain::LoginAttempt attempt{0, now, LoggableName(name), user_id, client, outcome};
    return store_->Write([&](store::WriteTx& tx) { return tx.InsertLoginAttempt(attempt); });
}

Result<LoginResult> Service::Login(const std::string& typed_name, const std::string& password,
                                   const std::string& client) {
    auto& acc = *accounts_;
    const std::string name = AsciiLower(typed_name);
    if (const auto wait = LoginRetryAfter(name, client); wait > 0) {
        RETURN_IF_ERROR(FailedLogin(name, client, std::nullopt, domain::LoginOutcome::kThrottled));
        return ResourceExhausted("too many failed logins; try again in " + std::to_string(wait) + " s");
    }
    std::optional<store::UserCredentials> creds;
    if (domain::ValidateUserName(name).ok()) {
        ASSIGN_OR_RETURN(creds, store_->FindCredentials(name));
    }
    bool match = false;
    {
        detail::HashSlots::Hold slot(acc.hash_slots);
        if (creds) {
            match = VerifyPassword(creds->password_hash, password);
        } else {
            std::call_once(acc.dummy_once, [&] {
                auto h = HashPassword(RandomToken(16), acc.policy.password_hash);
                acc.dummy_hash = h.ok() ? *h : std::string();
            });
            (void)VerifyPassword(acc.dummy_hash, password);
        }
    }
    if (!creds) {
        RETURN_IF_ERROR(FailedLogin(name, client, std::nullopt, domain::LoginOutcome::kUnknownUser));
        return Unauthenticated(kBadLogin);
    }
    if (!match) {
        RETURN_IF_ERROR(FailedLogin(name, client, creds->user.id, domain::LoginOutcome::kBadPassword));
        return Unauthenticated(kBadLogin);
    }
    if (creds->user.disabled) {
        RETURN_IF_ERROR(FailedLogin(name, client, creds->user.id, domain::LoginOutcome::kDisabled));
        return Unauthenticated("this account is disabled; ask your administrator");
    }
    acc.throttle.Clear(UserKey(name));

    // Rehash when the stored hash was made with other parameters than the policy's.
    std::optional<std::string> rehash;
    auto params = PhcParams(creds->password_hash);
    if (!params.ok() || *params != acc.policy.password_hash) {
        detail::HashSlots::Hold slot(acc.hash_slots);
        auto h = HashPassword(password, acc.policy.password_hash);
        if (h.ok()) rehash = *h;
    }

    LoginResult result;
    result.user = creds->user;
    result.session_secret = RandomToken(32);
    const UnixSeconds now = NowSeconds();
    result.session.user_id = creds->user.id;
    result.session.csrf_token = RandomToken(32);
    result.session.created_at = now;
    result.session.last_seen_at = now;
    result.session.expires_at = now + acc.policy.session_lifetime_seconds;
    domain::LoginAttempt attempt{0, now, name, creds->user.id, client, domain::LoginOutcome::kSuccess};
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        if (rehash) {
            RETURN_IF_ERROR(tx.SetPasswordHash(creds->user.id, *rehash, creds->user.password_changed_at,
                                               creds->user.must_change_password));
            ASSIGN_OR_RETURN(result.user, tx.GetUser(creds->user.id));
        }
        RETURN_IF_ERROR(tx.InsertSession(result.session, Sha256Hex(result.session_secret)));
        return tx.InsertLoginAttempt(attempt);
    }));
    return result;
}

Result<Authenticated> Service::ResolveSession(const std::string& secret) {
    if (secret.empty() || secret.size() > 128) return Unauthenticated("no valid session; log in");
    ASSIGN_OR_RETURN(auto record, store_->FindSession(Sha256Hex(secret)));
    if (!record) return Unauthenticated("no valid session; log in");
    const UnixSeconds now = NowSeconds();
    const auto& s = record->session;
    if (s.revoked_at || now >= s.expires_at || now - s.last_seen_at >= accounts_->policy.session_idle_seconds) {
        return Unauthenticated("the session has ended; log in again");
    }
    if (record->user.disabled) return Unauthenticated("this account is disabled; ask your administrator");
    if (now - s.last_seen_at >= kTouchEverySeconds) {
        RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) { return tx.TouchSession(s.id, now); }));
        record->session.last_seen_at = now;
    }
    Authenticated who;
    who.actor = ActorOf(record->user, EffectiveGrants(record->user));
    who.actor.auth = domain::AuthMethod::kSession;
    who.actor.session_id = s.id;
    who.user = std::move(record->user);
    who.session = std::move(record->session);
    return who;
}

Result<Authenticated> Service::ResolveToken(const std::string& secret) {
    if (secret.rfind(kTokenPrefix, 0) != 0 || secret.size() > 128) {
        return Unauthenticated("the bearer token is not a rectify API token");
    }
    const std::string hash = Sha256Hex(secret);
    const UnixSeconds now = NowSeconds();
    auto& cache = accounts_->tokens;
    std::optional<Authenticated> who = cache.Get(hash, now);
    if (!who) {
        const std::uint64_t generation = cache.Generation();  // before the store: see detail::TokenCache
        ASSIGN_OR_RETURN(auto record, store_->FindToken(hash));
        if (!record) return Unauthenticated("unknown API token");
        const auto& t = record->token;
        if (t.revoked_at) return Unauthenticated("the API token was revoked");
        if (record->user.disabled) return Unauthenticated("the token's user is disabled");
        // Only the token grants its owner still holds (a revoked user grant takes the token's along).
        const Actor owner = ActorOf(record->user, EffectiveGrants(record->user));
        std::vector<Grant> grants;
        for (const auto& g : t.grants) {
            if (Tree()->Contains(g.org_id) && HasRole(owner, g.role, g.org_id)) grants.push_back(g);
        }
        who.emplace();
        who->actor = ActorOf(record->user, grants);
        who->actor.name = record->user.name + "[token:" + std::to_string(t.id) + "]";
        who->actor.auth = domain::AuthMethod::kToken;
        who->actor.token_id = t.id;
        who->user = std::move(record->user);
        who->token = std::move(record->token);
        cache.Put(hash, *who, generation, now);
    }
    const auto& t = *who->token;
    if (now >= t.expires_at) return Unauthenticated("the API token has expired");
    if (!t.last_used_at || now - *t.last_used_at >= kTouchEverySeconds) {
        RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) { return tx.TouchToken(t.id, now); }));
        who->token->last_used_at = now;
        cache.Update(hash, [&](Authenticated& kept) { kept.token->last_used_at = now; });
    }
    return std::move(*who);
}

Status Service::Logout(const Authenticated& who) {
    if (!who.session) return Status::Ok();
    const UnixSeconds now = NowSeconds();
    return store_->Write([&](store::WriteTx& tx) { return tx.RevokeSession(who.session->id, now); });
}

Status Service::ChangeOwnPassword(const Authenticated& who, const std::string& old_password,
                                  const std::string& new_password) {
    if (who.actor.auth != domain::AuthMethod::kSession || !who.session) {
        return PermissionDenied("a password is changed in a logged-in session, not with an API token");
    }
    auto& acc = *accounts_;
    const std::string& name = who.user.name;
    const UnixSeconds now = NowSeconds();
    if (const auto wait =
            acc.throttle.RetryAfter(UserKey(name), acc.policy.throttle.free_failures_per_user, NowMillis());
        wait > 0) {
        return ResourceExhausted("too many wrong passwords; try again in " + std::to_string(wait) + " s");
    }
    ASSIGN_OR_RETURN(auto creds, store_->FindCredentials(name));
    if (!creds) return Unauthenticated("no such user");
    bool match = false;
    {
        detail::HashSlots::Hold slot(acc.hash_slots);
        match = VerifyPassword(creds->password_hash, old_password);
    }
    if (!match) {
        acc.throttle.Failure(UserKey(name), NowMillis());  // after the hash was checked
        return Unauthenticated("the current password is wrong");
    }
    RETURN_IF_ERROR(domain::ValidatePassword(new_password, name));
    if (new_password == old_password) return InvalidArgument("password: the new password must differ from the old one");
    std::string hash;
    {
        detail::HashSlots::Hold slot(acc.hash_slots);
        ASSIGN_OR_RETURN(hash, HashPassword(new_password, acc.policy.password_hash));
    }
    return store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(User before, tx.GetUser(who.user.id));
        RETURN_IF_ERROR(tx.SetPasswordHash(who.user.id, hash, now, false));
        RETURN_IF_ERROR(tx.RevokeUserSessions(who.user.id, who.session->id, now));
        ASSIGN_OR_RETURN(User after, tx.GetUser(who.user.id));
        auto e = UserEvent(who.actor, after, "password_change", before, after);
        return tx.AppendEvent(e);
    });
}

// ---- users ----

Result<CreatedUser> Service::AddUser(const Actor& actor, const UserDraft& draft) {
    if (!InScope(actor, draft.org_id)) return NotFound("org_id: org " + std::to_string(draft.org_id) + " does not exist");
    if (!HasRole(actor, Role::kOrgAdmin, draft.org_id)) {
        return PermissionDenied("adding a user needs the org_admin or admin role over the user's org");
    }
    for (const auto& g : draft.grants) {
        if (!InScope(actor, g.org_id)) return NotFound("grants: org " + std::to_string(g.org_id) + " does not exist");
        if (!CanGrant(actor, g)) {
            return PermissionDenied("granting " + std::string(domain::ToString(g.role)) + " over org " +
                                    std::to_string(g.org_id) + " needs " +
                                    (g.role == Role::kAdmin ? "admin" : "org_admin or admin") + " there");
        }
    }
    User u;
    u.name = draft.name;
    u.display_name = draft.display_name.empty() ? draft.name : draft.display_name;
    u.org_id = draft.org_id;
    u.must_change_password = draft.must_change_password;
    u.created_at = NowSeconds();
    u.password_changed_at = u.created_at;
    RETURN_IF_ERROR(domain::ValidateUser(u));
    CreatedUser out;
    std::string password = draft.password;
    if (password.empty()) {
        password = GeneratePassword();
        out.generated_password = password;
    }
    RETURN_IF_ERROR(domain::ValidatePassword(password, u.name));
    std::string hash;
    {
        detail::HashSlots::Hold slot(accounts_->hash_slots);
        ASSIGN_OR_RETURN(hash, HashPassword(password, accounts_->policy.password_hash));
    }
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        auto st = tx.InsertUser(u, hash);
        if (st.code() == StatusCode::kAlreadyExists) return AlreadyExists("name: a user called " + u.name + " exists");
        RETURN_IF_ERROR(st);
        for (const auto& g : draft.grants) {
            domain::UserGrant ug{0, g.role, g.org_id};
            auto gs = tx.InsertGrant(u.id, ug, u.created_at);
            if (gs.code() == StatusCode::kAlreadyExists) continue;  // the same grant twice in the draft
            RETURN_IF_ERROR(gs);
            u.grants.push_back(ug);
        }
        auto e = UserEvent(actor, u, "create", std::nullopt, u);
        return tx.AppendEvent(e);
    }));
    out.user = std::move(u);
    return out;
}

Result<User> Service::GetUser(const Actor& actor, domain::UserId id) {
    auto user = store_->GetUser(id);
    if (!user.ok()) return detail::MissingOr(user.status(), "user " + std::to_string(id) + " does not exist");
    if (!InScope(actor, user->org_id)) return NotFound("user " + std::to_string(id) + " does not exist");
    if (actor.user_id != id && !HasRole(actor, Role::kOrgAdmin, user->org_id) &&
        !HasRole(actor, Role::kAuditor, user->org_id)) {
        return PermissionDenied("reading other users needs the org_admin or auditor role over their org");
    }
    return user;
}

Result<std::vector<User>> Service::ListUsers(const Actor& actor, std::optional<domain::OrgId> org_id) {
    ASSIGN_OR_RETURN(auto paths, ScopePaths(actor, org_id));
    ASSIGN_OR_RETURN(auto users, store_->ListUsers(paths));
    std::vector<User> out;
    for (auto& u : users) {
        if (actor.user_id == u.id || HasRole(actor, Role::kOrgAdmin, u.org_id) ||
            HasRole(actor, Role::kAuditor, u.org_id)) {
            out.push_back(std::move(u));
        }
    }
    return out;
}

Result<User> Service::FindUser(const Actor& actor, const std::string& name) {
    ASSIGN_OR_RETURN(auto user, store_->FindUserByName(AsciiLower(name)));
    if (!user || !InScope(actor, user->org_id)) return NotFound("no user is called " + name);
    return GetUser(actor, user->id);
}

Result<std::optional<std::string>> Service::ResetPassword(const Actor& actor, domain::UserId id,
                                                          const std::string& password, bool must_change) {
    ASSIGN_OR_RETURN(User before, ManagedUser(actor, id));
    std::optional<std::string> generated;
    std::string pw = password;
    if (pw.empty()) {
        pw = GeneratePassword();
        generated = pw;
    }
    RETURN_IF_ERROR(domain::ValidatePassword(pw, before.name));
    std::string hash;
    {
        detail::HashSlots::Hold slot(accounts_->hash_slots);
        ASSIGN_OR_RETURN(hash, HashPassword(pw, accounts_->policy.password_hash));
    }
    const UnixSeconds now = NowSeconds();
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.SetPasswordHash(id, hash, now, must_change));
        RETURN_IF_ERROR(tx.RevokeUserSessions(id, std::nullopt, now));
        ASSIGN_OR_RETURN(User after, tx.GetUser(id));
        auto e = UserEvent(actor, after, "password_reset", before, after);
        return tx.AppendEvent(e);
    }));
    return generated;
}

Result<User> Service::SetUserDisabled(const Actor& actor, domain::UserId id, bool disabled) {
    ASSIGN_OR_RETURN(User before, ManagedUser(actor, id));
    if (actor.user_id == id) return FailedPrecondition("you cannot disable or enable your own account");
    User after = before;
    after.disabled = disabled;
    const UnixSeconds now = NowSeconds();
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateUser(after));
        if (disabled) RETURN_IF_ERROR(tx.RevokeUserSessions(id, std::nullopt, now));
        auto e = UserEvent(actor, after, disabled ? "disable" : "enable", before, after);
        return tx.AppendEvent(e);
    }));
    return after;
}

// Issue 12: the cadre rank (docs/CAUSES.md#leading-cadres), changed like the other account fields.
Result<User> Service::SetUserCadreRank(const Actor& actor, domain::UserId id, std::optional<std::string> rank) {
    if (rank && !domain::IsCadreRank(*rank)) {
        return InvalidArgument("cadre_rank: unknown rank \"" + *rank +
                               "\" (known: section, division, bureau, province, state; or null)");
    }
    ASSIGN_OR_RETURN(User before, ManagedUser(actor, id));
    if (actor.user_id == id) return FailedPrecondition("you cannot change your own cadre rank");
    User after = before;
    after.cadre_rank = std::move(rank);
    if (after.cadre_rank == before.cadre_rank) return before;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateUser(after));
        auto e = UserEvent(actor, after, "cadre_rank", before, after);
        return tx.AppendEvent(e);
    }));
    return after;
}

Result<User> Service::GrantRole(const Actor& actor, domain::UserId id, const Grant& grant) {
    ASSIGN_OR_RETURN(User before, ManagedUser(actor, id));
    if (actor.user_id == id) return FailedPrecondition("you cannot change your own grants");
    if (!InScope(actor, grant.org_id)) return NotFound("org_id: org " + std::to_string(grant.org_id) + " does not exist");
    if (!CanGrant(actor, grant)) {
        return PermissionDenied("granting " + std::string(domain::ToString(grant.role)) + " over org " +
                                std::to_string(grant.org_id) + " needs " +
                                (grant.role == Role::kAdmin ? "admin" : "org_admin or admin") + " there");
    }
    User after = before;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        domain::UserGrant ug{0, grant.role, grant.org_id};
        auto st = tx.InsertGrant(id, ug, NowSeconds());
        if (st.code() == StatusCode::kAlreadyExists) {
            return AlreadyExists("user " + before.name + " already holds " + std::string(domain::ToString(grant.role)) +
                                 " over org " + std::to_string(grant.org_id));
        }
        RETURN_IF_ERROR(st);
        ASSIGN_OR_RETURN(after, tx.GetUser(id));
        auto e = UserEvent(actor, after, "grant", before, after);
        return tx.AppendEvent(e);
    }));
    return after;
}

Result<User> Service::RevokeGrant(const Actor& actor, domain::UserId id, domain::GrantId grant_id) {
    ASSIGN_OR_RETURN(User before, ManagedUser(actor, id));
    if (actor.user_id == id) return FailedPrecondition("you cannot change your own grants");
    if (std::none_of(before.grants.begin(), before.grants.end(), [&](const auto& g) { return g.id == grant_id; })) {
        return NotFound("user " + before.name + " has no grant " + std::to_string(grant_id));
    }
    User after = before;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.DeleteGrant(id, grant_id));
        ASSIGN_OR_RETURN(after, tx.GetUser(id));
        auto e = UserEvent(actor, after, "revoke", before, after);
        return tx.AppendEvent(e);
    }));
    return after;
}

// ---- API tokens ----

Result<CreatedToken> Service::CreateToken(const Actor& actor, const TokenDraft& draft) {
    if (actor.auth == domain::AuthMethod::kToken) {
        return PermissionDenied("an API token cannot create tokens; log in to make one");
    }
    if (!actor.user_id) return FailedPrecondition("tokens belong to a user; this actor is none");
    ASSIGN_OR_RETURN(User user, store_->GetUser(*actor.user_id));
    if (draft.name.empty() || !IsValidUtf8(draft.name) || CodePointCount(draft.name) > domain::kMaxNameChars) {
        return InvalidArgument("name: 1 to " + std::to_string(domain::kMaxNameChars) + " characters of text");
    }
    const std::int64_t days = draft.expires_in_days.value_or(accounts_->policy.token_default_days);
    if (days < 1 || days > accounts_->policy.token_max_days) {
        return InvalidArgument("expires_in_days: between 1 and " + std::to_string(accounts_->policy.token_max_days));
    }
    Actor owner = ActorOf(user, GrantsOf(user));
    std::vector<Grant> grants = draft.grants;
    if (grants.empty()) grants = owner.grants;
    for (const auto& g : grants) {
        if (!Tree()->Contains(g.org_id) || !InScope(owner, g.org_id)) {
            return NotFound("grants: org " + std::to_string(g.org_id) + " does not exist");
        }
        if (!HasRole(owner, g.role, g.org_id)) {
            return PermissionDenied("grants: you do not hold " + std::string(domain::ToString(g.role)) +
                                    " over org " + std::to_string(g.org_id));
        }
    }
    std::sort(grants.begin(), grants.end(), [](const Grant& a, const Grant& b) {
        return std::pair(static_cast<int>(a.role), a.org_id) < std::pair(static_cast<int>(b.role), b.org_id);
    });
    grants.erase(std::unique(grants.begin(), grants.end(),
                             [](const Grant& a, const Grant& b) { return a.role == b.role && a.org_id == b.org_id; }),
                 grants.end());
    CreatedToken out;
    out.secret = std::string(kTokenPrefix) + RandomToken(32);
    auto& t = out.token;
    t.user_id = user.id;
    t.name = draft.name;
    t.prefix = out.secret.substr(0, kTokenPrefix.size() + 4);
    t.created_at = NowSeconds();
    t.expires_at = t.created_at + days * kSecondsPerDay;
    t.grants = grants;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertToken(t, Sha256Hex(out.secret)));
        auto e = MakeEvent(actor, "api_token", t.id, "create", std::nullopt, domain::ToJson(t));
        e.org_id = user.org_id;
        return tx.AppendEvent(e);
    }));
    return out;
}

Result<std::vector<domain::ApiToken>> Service::ListTokens(const Actor& actor, std::optional<domain::UserId> user_id) {
    if (!user_id || user_id == actor.user_id) {
        if (!actor.user_id) return std::vector<domain::ApiToken>{};
        return store_->ListTokens(*actor.user_id);
    }
    ASSIGN_OR_RETURN(User user, ManagedUser(actor, *user_id));
    return store_->ListTokens(user.id);
}

Status Service::RevokeToken(const Actor& actor, domain::TokenId id) {
    auto token = store_->GetToken(id);
    if (!token.ok()) return detail::MissingOr(token.status(), "token " + std::to_string(id) + " does not exist");
    if (token->user_id != actor.user_id) {
        auto owner = ManagedUser(actor, token->user_id);
        if (!owner.ok()) {
            if (owner.status().code() == StatusCode::kNotFound) {
                return NotFound("token " + std::to_string(id) + " does not exist");
            }
            return owner.status();
        }
    }
    if (token->revoked_at) return Status::Ok();
    ASSIGN_OR_RETURN(User owner, store_->GetUser(token->user_id));
    const UnixSeconds now = NowSeconds();
    return store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.RevokeToken(id, now));
        domain::ApiToken after = *token;
        after.revoked_at = now;
        auto e = MakeEvent(actor, "api_token", id, "revoke", domain::ToJson(*token), domain::ToJson(after));
        e.org_id = owner.org_id;
        return tx.AppendEvent(e);
    });
}

// ---- start-up ----

Result<std::optional<std::string>> Service::EnsureFirstAdmin(const std::string& name) {
    ASSIGN_OR_RETURN(auto count, store_->CountUsers());
    if (count > 0) return std::optional<std::string>();
    if (!Initialized()) return FailedPrecondition("the database has no org tree yet; run `rectify init`");
    const std::string password = GeneratePassword();
    User u;
    u.name = name;
    u.display_name = name;
    u.org_id = Tree()->Root();
    u.must_change_password = true;
    u.created_at = NowSeconds();
    u.password_changed_at = u.created_at;
    RETURN_IF_ERROR(domain::ValidateUser(u));
    std::string hash;
    {
        detail::HashSlots::Hold slot(accounts_->hash_slots);
        ASSIGN_OR_RETURN(hash, HashPassword(password, accounts_->policy.password_hash));
    }
    bool created = false;
    const Actor system = RootActor("rectify serve");
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(auto n, tx.CountUsers());
        if (n > 0) return Status::Ok();  // another process made users meanwhile
        RETURN_IF_ERROR(tx.InsertUser(u, hash));
        domain::UserGrant g{0, Role::kAdmin, u.org_id};
        RETURN_IF_ERROR(tx.InsertGrant(u.id, g, u.created_at));
        u.grants.push_back(g);
        auto e = UserEvent(system, u, "create", std::nullopt, u);
        created = true;
        return tx.AppendEvent(e);
    }));
    if (!created) return std::optional<std::string>();
    return std::optional<std::string>(password);
}

Status Service::PruneLoginAttempts() {
    const UnixSeconds before = NowSeconds() - accounts_->policy.login_attempt_retention_days * kSecondsPerDay;
    return store_->Write([&](store::WriteTx& tx) { return tx.PruneLoginAttempts(before); });
}

// ---- audit ----

Result<Page<store::Event>> Service::AuditEvents(const Actor& actor, const AuditQuery& query) {
    if (query.limit < 1 || query.limit > kMaxAuditPage) {
        return InvalidArgument("limit: must be between 1 and " + std::to_string(kMaxAuditPage));
    }
    if (query.from && query.to && *query.to <= *query.from) return InvalidArgument("to: must be after from");
    store::AuditFilter f;
    auto tree = Tree();
    if (query.org_id) {
        ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, *query.org_id));
        if (!HasRole(actor, Role::kAuditor, org.id)) {
            return PermissionDenied("the audit log needs the auditor or admin role over the org");
        }
        // The root's subtree is the whole log, including events that belong to no org.
        if (org.id != tree->Root()) f.subtree_paths.push_back(org.path);
    } else {
        bool whole = false;
        for (const auto& g : actor.grants) {
            if (g.role != Role::kAuditor && g.role != Role::kAdmin) continue;
            if (!tree->Contains(g.org_id)) continue;
            if (g.org_id == tree->Root()) whole = true;
            ASSIGN_OR_RETURN(domain::Org org, store_->GetOrg(g.org_id));
            f.subtree_paths.push_back(org.path);
        }
        if (f.subtree_paths.empty()) return PermissionDenied("the audit log needs the auditor or admin role");
        if (whole) f.subtree_paths.clear();
    }
    f.from = query.from;
    f.to = query.to;
    if (query.cursor) {
        ASSIGN_OR_RETURN(f.after_id, DecodeCursor(*query.cursor));
    }
    f.limit = query.limit + 1;
    ASSIGN_OR_RETURN(auto events, store_->ListAuditEvents(f));
    Page<store::Event> page;
    if (static_cast<int>(events.size()) > query.limit) {
        events.resize(query.limit);
        page.next_cursor = EncodeCursor(events.back().id);
    }
    page.items = std::move(events);
    return page;
}

Result<store::ChainReport> Service::VerifyAudit(const Actor& actor) {
    auto tree = Tree();
    if (!tree || tree->size() == 0 || !HasRole(actor, Role::kAuditor, tree->Root())) {
        return PermissionDenied("verifying the whole audit chain needs the auditor or admin role over the root org");
    }
    return store_->VerifyChain();
}

}  // namespace rectify::service
