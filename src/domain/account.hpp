// Accounts (issue 4): users with their grants, browser sessions and API tokens, as records; their
// validation rules and JSON forms. Secrets never appear here in clear: password hashes stay in the
// store and are never put into JSON; session and token secrets are stored only as SHA-256 hashes.
// No I/O. Value types and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"

namespace rectify::domain {

using UserId = std::int64_t;
using GrantId = std::int64_t;
using TokenId = std::int64_t;
using SessionId = std::int64_t;

// A role held over the subtree rooted at org_id, as stored (with its id, for revoking).
struct UserGrant {
    GrantId id = 0;
    Role role = Role::kLeader;
    OrgId org_id = 0;
};

// A person who logs in. `name` is the login name (lower-case ASCII, unique); `display_name` what the
// UI shows (e.g. 张三). `org_id` is the unit the person belongs to; what they may do is in `grants`.
struct User {
    UserId id = 0;
    std::string name;
    std::string display_name;
    OrgId org_id = 0;
    bool disabled = false;
    bool must_change_password = false;  // set when someone else chose the password (first admin, reset)
    UnixSeconds created_at = 0;
    UnixSeconds password_changed_at = 0;
    std::int64_t version = 1;
    std::vector<UserGrant> grants;
    // Issue 12: the cadre rank (职级, domain/cause.hpp kCadreRanks: section, division, bureau, province,
    // state), when the account belongs to a cadre. Ranks listed in the server's --leading-cadre-ranks make
    // the account a leading cadre (领导干部) who keeps a personal list (docs/CAUSES.md#leading-cadres).
    std::optional<std::string> cadre_rank;
};

// An API token for scripts and integrations. The secret is shown once at creation; the store keeps
// only its SHA-256. `grants` are a subset of the owner's grants (each covered by one of them) and are
// re-checked against the owner's current grants whenever the token is used.
struct ApiToken {
    TokenId id = 0;
    UserId user_id = 0;
    std::string name;    // what it is for, e.g. "nightly export"
    std::string prefix;  // the first characters of the secret, to recognise it in lists ("rct_AbC1")
    UnixSeconds created_at = 0;
    UnixSeconds expires_at = 0;
    std::optional<UnixSeconds> revoked_at;
    std::optional<UnixSeconds> last_used_at;
    std::vector<Grant> grants;
};

// A browser session. The cookie holds the secret; the store keeps its SHA-256. The CSRF token is the
// synchronizer token the browser sends back in X-CSRF-Token on unsafe requests.
struct Session {
    SessionId id = 0;
    UserId user_id = 0;
    std::string csrf_token;
    UnixSeconds created_at = 0;
    UnixSeconds last_seen_at = 0;
    UnixSeconds expires_at = 0;  // absolute end; the idle limit is applied from last_seen_at
    std::optional<UnixSeconds> revoked_at;
};

// One login attempt, kept for the security log (never the password).
enum class LoginOutcome { kSuccess, kBadPassword, kUnknownUser, kDisabled, kThrottled };
template <>
struct EnumNames<LoginOutcome> {
    static constexpr std::string_view kWhat = "login outcome";
    static constexpr std::array<std::pair<LoginOutcome, std::string_view>, 5> kNames{{
        {LoginOutcome::kSuccess, "success"},
        {LoginOutcome::kBadPassword, "bad_password"},
        {LoginOutcome::kUnknownUser, "unknown_user"},
        {LoginOutcome::kDisabled, "disabled"},
        {LoginOutcome::kThrottled, "throttled"},
    }};
};

struct LoginAttempt {
    std::int64_t id = 0;
    UnixSeconds at = 0;
    std::string user_name;  // as typed, cut to kMaxUserNameChars
    std::optional<UserId> user_id;
    std::string client;     // client address (IP) as the server saw it
    LoginOutcome outcome = LoginOutcome::kBadPassword;
};

inline constexpr std::size_t kMaxUserNameChars = 64;
// NIST SP 800-63B §5.1.1.2: at least 8 characters, and accept at least 64; rectify asks for 10.
inline constexpr std::size_t kMinPasswordChars = 10;
inline constexpr std::size_t kMaxPasswordChars = 256;

// Login names: 1-64 characters, lower-case ASCII letters, digits, '.', '_' and '-', starting with a
// letter or digit. Errors: kInvalidArgument naming "name".
Status ValidateUserName(std::string_view name);
// Errors: kInvalidArgument for an empty or over-long display name (kMaxNameChars) or bad UTF-8.
Status ValidateUser(const User& user);
// 10-256 code points of valid UTF-8, not equal to the login name. Errors: kInvalidArgument naming
// "password" (the message never repeats the password).
Status ValidatePassword(std::string_view password, std::string_view user_name);

// JSON forms (no secrets): {"id","name","display_name","org_id","disabled","must_change_password",
// "created_at","password_changed_at","version","grants":[{"id","role","org_id"}]}
nlohmann::json ToJson(const User& user);
nlohmann::json ToJson(const UserGrant& grant);
nlohmann::json ToJson(const Grant& grant);
// {"id","user_id","name","prefix","created_at","expires_at","revoked_at","last_used_at","grants"}
nlohmann::json ToJson(const ApiToken& token);

}  // namespace rectify::domain
