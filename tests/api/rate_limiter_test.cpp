// The per-client token buckets of the public write routes (http/rate_limiter.hpp), on a made-up clock.
#include <gtest/gtest.h>

#include "http/rate_limiter.hpp"

namespace rectify::http {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AllowsABurstThenOneRequestPerRefillInterval) {
    // 6 a minute = one token every 10 s; bursts of 3.
    RateLimiter limiter(6, 3);
    const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
    EXPECT_FALSE(limiter.Take("10.0.0.1", t0));
    EXPECT_FALSE(limiter.Take("10.0.0.1", t0));
    EXPECT_FALSE(limiter.Take("10.0.0.1", t0));
    // Empty: the next token comes in 10 s.
    EXPECT_EQ(limiter.Take("10.0.0.1", t0), std::optional<long>(10));
    // Another address has its own bucket.
    EXPECT_FALSE(limiter.Take("10.0.0.2", t0));
    // 4 s later 0.4 of a token is there: 6 s to wait (rounded up).
    EXPECT_EQ(limiter.Take("10.0.0.1", t0 + 4s), std::optional<long>(6));
    // 10 s after t0 one token: taken; then empty again.
    EXPECT_FALSE(limiter.Take("10.0.0.1", t0 + 10s));
    EXPECT_TRUE(limiter.Take("10.0.0.1", t0 + 10s));
    // After a long pause the bucket holds the burst again, not more.
    const auto later = t0 + 3600s;
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(limiter.Take("10.0.0.1", later)) << i;
    EXPECT_TRUE(limiter.Take("10.0.0.1", later));
}

TEST(RateLimiter, ZeroRateMeansNoLimit) {
    RateLimiter limiter(0, 1);
    for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.Take("10.0.0.1"));
}

TEST(RateLimiter, ForgetsFullBucketsWhenItHoldsTooManyAddresses) {
    RateLimiter limiter(60, 1, 2);  // one token a second; at most 2 addresses remembered
    const auto t0 = RateLimiter::Clock::time_point{} + 1000s;
    EXPECT_FALSE(limiter.Take("a", t0));
    EXPECT_FALSE(limiter.Take("b", t0 + 500ms));
    // At t0 + 1 s "a" has refilled (dropping it loses nothing) and "b" holds half a token: a third address
    // evicts "a" only, so "b" is still refused.
    EXPECT_FALSE(limiter.Take("c", t0 + 1s));
    EXPECT_EQ(limiter.Take("b", t0 + 1s), std::optional<long>(1));
    // Now neither "b" nor "c" is full: the last resort clears the table, and "a" starts with a full bucket.
    EXPECT_FALSE(limiter.Take("a", t0 + 1s));
}

}  // namespace
}  // namespace rectify::http
