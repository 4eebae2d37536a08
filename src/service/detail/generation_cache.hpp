// Internal to src/service: a bounded in-memory map of values read from the store, ended by events
// (issue 11: the reads around the indexes were most of a request, docs/PERFORMANCE.md#province-http-indexes).
// Thread-safe. Used for API tokens (AccountState::tokens) and orgs (Service::org_cache_).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "common/time.hpp"

namespace rectify::service::detail {

// Values by key, each kept under the generation it was read in. The owner calls Invalidate when an event
// says values may have changed (Service::ApplyEvents: this server's commits before their Write returns,
// other servers' when followed). A reader on a miss takes Generation() *before* it reads the store and
// passes it to Put: when a change commits between the two, the generation has moved on and Put keeps
// nothing, so a value read before a change is never served after it.
// max_age_seconds: an entry older than this (Unix seconds, from the `now` given to Put and Get) is not
// served — the bound on changes no event announces; nullopt: no bound. capacity: at most this many
// entries; a Put of a new key into a full cache first drops every entry; 0 keeps nothing (disabled).
template <typename Key, typename Value>
class GenerationCache {
public:
    GenerationCache(std::size_t capacity, std::optional<std::int64_t> max_age_seconds)
        : capacity_(capacity), max_age_seconds_(max_age_seconds) {}

    std::uint64_t Generation() const {
        std::lock_guard lock(mutex_);
        return generation_;
    }
    // A copy of the entry of `key` if it is current at `now`; else nullopt.
    std::optional<Value> Get(const Key& key, UnixSeconds now) const {
        std::lock_guard lock(mutex_);
        auto it = entries_.find(key);
        if (it == entries_.end() || it->second.generation != generation_) return std::nullopt;
        if (max_age_seconds_ && (now < it->second.read_at || now - it->second.read_at >= *max_age_seconds_)) {
            return std::nullopt;
        }
        return it->second.value;
    }
    // Keeps `value` (read at `now` under `generation`); ignored when the generation has moved on.
    void Put(const Key& key, const Value& value, std::uint64_t generation, UnixSeconds now) {
        std::lock_guard lock(mutex_);
        if (capacity_ == 0 || generation != generation_) return;
        if (entries_.size() >= capacity_ && !entries_.count(key)) entries_.clear();
        entries_.insert_or_assign(key, Entry{value, generation, now});
    }
    // Applies `change` to the kept value of `key`, if any (its age and generation stay).
    template <typename F>
    void Update(const Key& key, F&& change) {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(key); it != entries_.end()) change(it->second.value);
    }
    // Drops every entry and moves the generation on.
    void Invalidate() {
        std::lock_guard lock(mutex_);
        ++generation_;
        entries_.clear();
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

private:
    struct Entry {
        Value value;
        std::uint64_t generation = 0;
        UnixSeconds read_at = 0;
    };
    const std::size_t capacity_;
    const std::optional<std::int64_t> max_age_seconds_;
    mutable std::mutex mutex_;
    std::uint64_t generation_ = 0;
    std::unordered_map<Key, Entry> entries_;
};

}  // namespace rectify::service::detail
