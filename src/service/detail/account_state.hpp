// Internal to src/service: the in-memory state of the accounts use cases — the login back-off table,
// the limit on concurrent Argon2 computations and the resolved API tokens. Thread-safe (each part locks
// itself).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <unordered_map>

#include "common/time.hpp"
#include "service/detail/generation_cache.hpp"
#include "service/service.hpp"

namespace rectify::service::detail {

// The back-off table of LoginThrottlePolicy. Keys are "u:<login name>" and "c:<client address>".
// Instants are milliseconds since the Unix epoch (NowMillis), so a wait of N s lasts N s, not anything
// from N - 1 to N s as with whole seconds. Invariant: every entry has failures >= 1; entries older than
// forget_after are ignored and pruned.
class LoginThrottle {
public:
    explicit LoginThrottle(LoginThrottlePolicy policy) : policy_(policy) {}

    // Whole seconds `key` must still wait at `now_ms`, rounded up (0: it may try) — the Retry-After value.
    std::int64_t RetryAfter(const std::string& key, int free_failures, std::int64_t now_ms) const;
    // Records a failure of `key` at `now_ms`.
    void Failure(const std::string& key, std::int64_t now_ms);
    // Forgets `key` (after a successful login by name).
    void Clear(const std::string& key);
    std::size_t size() const;

    // The wait after `failures` failures with `free_failures` free (0 while failures <= free).
    static std::int64_t Delay(const LoginThrottlePolicy& policy, int failures, int free_failures);

private:
    struct Entry {
        int failures = 0;
        std::int64_t last_failure_ms = 0;
    };
    void Prune(std::int64_t now_ms);

    LoginThrottlePolicy policy_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

// Bounds how many Argon2 computations run at once (each takes AccountPolicy::password_hash.memory_kib).
class HashSlots {
public:
    explicit HashSlots(int slots) : sem_(slots < 1 ? 1 : slots) {}
    class Hold {
    public:
        explicit Hold(HashSlots& s) : s_(s) { s_.sem_.acquire(); }
        ~Hold() { s_.sem_.release(); }
        Hold(const Hold&) = delete;
        Hold& operator=(const Hold&) = delete;

    private:
        HashSlots& s_;
    };

private:
    std::counting_semaphore<1024> sem_;
};

// API tokens already resolved to who they are (Service::ResolveToken), by the SHA-256 hex of the secret.
// Issue 11: reading the token, its user and the user's team grants was 41 % of a `/stats` request
// (docs/PERFORMANCE.md#province-http-indexes). Service::ApplyEvents invalidates it on every `user`,
// `api_token`, `supervision_team` and `org` event, and ReloadTree on every new org tree, so a revoked token,
// a disabled user, a removed grant or team assignment, or a moved org is never served from it after that;
// AccountPolicy::token_cache_seconds bounds the age of an entry (a change no event announces: another program
// writing the database). The token's expiry is checked by the caller on every request. Unknown or refused
// secrets are never kept, so a client cannot fill it.
using TokenCache = GenerationCache<std::string, Authenticated>;

struct AccountState {
    static constexpr std::size_t kTokenCacheCapacity = 10'000;
    explicit AccountState(AccountPolicy p)
        : policy(std::move(p)),
          throttle(policy.throttle),
          hash_slots(policy.max_concurrent_hashes),
          tokens(policy.token_cache_seconds > 0 ? kTokenCacheCapacity : 0, policy.token_cache_seconds) {}
    AccountPolicy policy;
    LoginThrottle throttle;
    HashSlots hash_slots;
    TokenCache tokens;
    // An Argon2id hash of a random password, verified against when the login name is unknown so that
    // unknown names cost the same time as wrong passwords (no user enumeration by timing).
    std::once_flag dummy_once;
    std::string dummy_hash;
};

std::unique_ptr<AccountState> MakeAccountState(AccountPolicy policy);

}  // namespace rectify::service::detail
