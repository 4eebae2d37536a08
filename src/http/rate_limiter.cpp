#include "http/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace rectify::http {

RateLimiter::RateLimiter(double per_minute, double burst, std::size_t max_keys)
    : per_minute_(per_minute), burst_(std::max(1.0, burst)), max_keys_(std::max<std::size_t>(1, max_keys)) {}

std::optional<long> RateLimiter::Take(const std::string& key, Clock::time_point now) {
    if (per_minute_ <= 0) return std::nullopt;
    const double per_second = per_minute_ / 60.0;
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (buckets_.size() >= max_keys_) {
            std::erase_if(buckets_, [&](const auto& kv) {
                const double elapsed = std::chrono::duration<double>(now - kv.second.at).count();
                return kv.second.tokens + elapsed * per_second >= burst_;
            });
            if (buckets_.size() >= max_keys_) buckets_.clear();
        }
        it = buckets_.emplace(key, Bucket{burst_, now}).first;
    }
    Bucket& b = it->second;
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.at).count());
    b.tokens = std::min(burst_, b.tokens + elapsed * per_second);
    b.at = now;
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    return std::max(1L, static_cast<long>(std::ceil((1.0 - b.tokens) / per_second)));
}

}  // namespace rectify::http
