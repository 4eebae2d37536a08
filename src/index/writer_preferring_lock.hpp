// The reader/writer lock of the in-memory indexes (rollup_index, task_index, side_index): readers share it,
// writers take it one at a time, and writers are preferred. Once a writer waits, readers arriving after it
// queue behind it, so a steady stream of dashboard queries cannot starve the commit observer's updates.
// std::shared_mutex alone does not promise that (glibc's rwlock prefers readers by default).
// How: a reader passes a turnstile mutex, then shares the shared_mutex; a writer holds the turnstile while it
// waits for the shared_mutex and while it holds it exclusively, so readers arriving meanwhile wait at the
// turnstile. Readers hold the lock for one query (microseconds), so the turnstile is never held for long.
#pragma once

#include <mutex>
#include <shared_mutex>

namespace rectify::index {

class WriterPreferringLock {
public:
    // Held for writing while it lives: the turnstile, then the shared_mutex exclusively.
    struct WriteGuard {
        std::unique_lock<std::mutex> turnstile;
        std::unique_lock<std::shared_mutex> lock;
    };

    // Blocks while a writer holds or waits for the lock.
    std::shared_lock<std::shared_mutex> Read() const {
        std::lock_guard<std::mutex> turnstile(turnstile_);
        return std::shared_lock<std::shared_mutex>(mu_);
    }
    // Blocks until every reader that passed the turnstile before it has finished.
    WriteGuard Write() const {
        WriteGuard g{std::unique_lock<std::mutex>(turnstile_), {}};
        g.lock = std::unique_lock<std::shared_mutex>(mu_);
        return g;
    }

private:
    mutable std::mutex turnstile_;
    mutable std::shared_mutex mu_;
};

}  // namespace rectify::index
