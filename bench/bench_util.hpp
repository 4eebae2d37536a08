// What several benchmark programs of bench/ share: failing loudly, a byte-counting sink, peak resident
// memory, and the raw SQLite scan that is the floor of any ledger export (docs/PERFORMANCE.md).
#pragma once

#include <cstdint>
#include <streambuf>
#include <string>

#include "common/status.hpp"

namespace rectify::bench {

// Prints "<program>: <what>" to stderr and exits 1 (a benchmark that cannot set up has nothing to report).
[[noreturn]] void Fail(const std::string& what);

template <typename T>
T Must(Result<T> r, const char* what) {
    if (!r.ok()) Fail(std::string(what) + ": " + r.status().message());
    return std::move(r).value();
}
inline void Must(const Status& s, const char* what) {
    if (!s.ok()) Fail(std::string(what) + ": " + s.message());
}

// Discards what is written, counting the bytes.
class CountingBuf : public std::streambuf {
public:
    std::int64_t bytes = 0;

protected:
    int_type overflow(int_type c) override {
        if (c != traits_type::eof()) ++bytes;
        return c;
    }
    std::streamsize xsputn(const char*, std::streamsize n) override {
        bytes += n;
        return n;
    }
};

// A kB field of /proc/self/status ("VmRSS:", "VmHWM:"), in bytes; 0 when absent.
std::int64_t ProcStatusBytes(const char* key);
// Resets the peak resident memory (VmHWM) to the current RSS (/proc/self/clear_refs "5", Linux 4.0+).
void ResetPeak();

// The floor any ledger export pays: one read-only SQLite scan of the problems of the subtree with root path
// `subtree_path` ("/1/5/") in `db_path`, joined with their owner names, newest first, each row written as a
// CSV line (common/csv.hpp) into a byte counter. Returns the rows read, -1 when the file cannot be opened.
std::int64_t RawLedgerScan(const std::string& db_path, const std::string& subtree_path);

}  // namespace rectify::bench
