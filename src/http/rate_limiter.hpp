// Per-client token buckets for the public write routes (issue 9: the portal's filing and rating, Open311
// POST requests). Called by the public API handlers with the client's address as the key.
// Thread-safe: one mutex around the buckets (a lookup and an update are a few dozen nanoseconds).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace rectify::http {

// The token bucket algorithm (as in RFC 2697's single-rate meter, counting requests instead of bytes):
// each key has a bucket of at most `burst` tokens that refills at `per_minute` / 60 tokens per second;
// a request takes one token, and is refused when the bucket holds less than one.
class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    // `per_minute` <= 0 turns the limiter off (every request passes). `burst` >= 1. At most `max_keys`
    // buckets are kept: when full, the buckets that have refilled completely (which behave exactly like
    // absent ones) are dropped first, then, if still full, all of them.
    RateLimiter(double per_minute, double burst, std::size_t max_keys = 100000);

    // Takes a token for `key` at `now`. nullopt: allowed. Otherwise the whole seconds (>= 1) until a token
    // will be there: the value of Retry-After (RFC 9110 §10.2.3).
    std::optional<long> Take(const std::string& key, Clock::time_point now = Clock::now());

    double per_minute() const { return per_minute_; }
    double burst() const { return burst_; }

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point at;
    };
    double per_minute_;
    double burst_;
    std::size_t max_keys_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace rectify::http
