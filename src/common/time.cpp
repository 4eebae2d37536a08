#include "common/time.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

namespace rectify {
namespace {

// Bumped by SetDisplayZone, so per-thread caches of zone offsets (LocalDayNumber) start over.
std::atomic<std::uint64_t> zone_generation{1};

std::string& ZoneName() {
    static std::string zone = "Asia/Shanghai";
    return zone;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads 1..max_digits decimal digits at text[pos]; advances pos.
bool ReadInt(std::string_view text, std::size_t& pos, int min_digits, int max_digits, int& out) {
    std::size_t start = pos;
    while (pos < text.size() && pos - start < static_cast<std::size_t>(max_digits) && text[pos] >= '0' &&
           text[pos] <= '9') {
        ++pos;
    }
    if (pos - start < static_cast<std::size_t>(min_digits)) return false;
    std::from_chars(text.data() + start, text.data() + pos, out);
    return true;
}

struct Fields {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

Status CheckFields(std::string_view text, const Fields& f) {
    auto bad = [&](const char* what) {
        return InvalidArgument("invalid time \"" + std::string(text) + "\": " + what);
    };
    if (f.year < 1900 || f.year > 9999) return bad("year out of range 1900-9999");
    if (f.month < 1 || f.month > 12) return bad("month out of range 1-12");
    if (f.day < 1 || f.day > DaysInMonth(f.year, f.month)) return bad("day out of range for the month");
    if (f.hour > 23) return bad("hour out of range 0-23");
    if (f.minute > 59) return bad("minute out of range 0-59");
    if (f.second > 59) return bad("second out of range 0-59");
    return Status::Ok();
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
std::int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

UnixSeconds FromUtc(const Fields& f) {
    return DaysFromCivil(f.year, f.month, f.day) * kSecondsPerDay + f.hour * 3600 + f.minute * 60 + f.second;
}

}  // namespace

Status SetDisplayZone(const std::string& iana_name) {
    if (iana_name.empty() || iana_name.find("..") != std::string::npos ||
        (iana_name != "UTC" && !std::filesystem::exists("/usr/share/zoneinfo/" + iana_name))) {
        return InvalidArgument("unknown time zone \"" + iana_name + "\" (expected an IANA name such as Asia/Shanghai)");
    }
    ZoneName() = iana_name;
    setenv("TZ", iana_name.c_str(), 1);
    tzset();
    zone_generation.fetch_add(1);
    return Status::Ok();
}

const std::string& DisplayZone() { return ZoneName(); }

std::int64_t NowMillis() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

UnixSeconds NowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string FormatIso(UnixSeconds t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600, (off % 3600) / 60);
    return buf;
}

UnixSeconds FromLocal(int year, int month, int day, int hour, int minute, int second) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;
    return static_cast<UnixSeconds>(mktime(&tm));
}

namespace {

std::int64_t FloorDiv(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::int64_t UtcOffsetAt(UnixSeconds t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    return tm.tm_gmtoff;
}

}  // namespace

// The local date of t is floor((t + offset(t)) / 86400). localtime_r is slow here (glibc re-parses the
// zone's rule string for instants after its last listed transition), so each thread caches, per UTC day, the
// offsets at the day's first and last second: when they are equal the offset is taken as constant over the
// day (no zone changes its offset and back within 24 hours); otherwise localtime_r answers.
std::int64_t LocalDayNumber(UnixSeconds t) {
    struct DayOffset {
        std::int64_t utc_day = 0;
        std::uint64_t generation = 0;  // 0: empty
        std::int64_t offset = 0;
        bool constant = false;
    };
    thread_local std::array<DayOffset, 1024> cache{};
    const std::int64_t utc_day = FloorDiv(t, kSecondsPerDay);
    const std::uint64_t generation = zone_generation.load(std::memory_order_relaxed);
    DayOffset& e = cache[static_cast<std::size_t>(utc_day & 1023)];
    if (e.generation != generation || e.utc_day != utc_day) {
        std::int64_t first = UtcOffsetAt(utc_day * kSecondsPerDay);
        std::int64_t last = UtcOffsetAt(utc_day * kSecondsPerDay + kSecondsPerDay - 1);
        e = DayOffset{utc_day, generation, first, first == last};
    }
    if (e.constant) return FloorDiv(t + e.offset, kSecondsPerDay);
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    return DaysFromCivil(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday));
}

// Day 0 (1970-01-01) was a Thursday, so Monday 1969-12-29 is day -3: week = floor((day + 3) / 7).
std::int64_t LocalWeekNumber(UnixSeconds t) {
    std::int64_t shifted = LocalDayNumber(t) + 3;
    return shifted >= 0 ? shifted / 7 : -((-shifted + 6) / 7);
}

UnixSeconds LocalWeekStart(std::int64_t week) {
    // H. Hinnant's civil_from_days for the Monday, day 7 * week - 3.
    std::int64_t z = 7 * week - 3 + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
    return FromLocal(static_cast<int>(y), static_cast<int>(m), static_cast<int>(d), 0, 0, 0);
}

Result<UnixSeconds> ParseIso(std::string_view text) {
    Fields f;
    std::size_t p = 0;
    auto bad = [&](const char* what) {
        return InvalidArgument("invalid time \"" + std::string(text) + "\": " + what +
                               " (expected RFC 3339, e.g. 2020-09-03T08:30:00+08:00, or a date 2020-09-03)");
    };
    if (!ReadInt(text, p, 4, 4, f.year) || p >= text.size() || text[p++] != '-' || !ReadInt(text, p, 2, 2, f.month) ||
        p >= text.size() || text[p++] != '-' || !ReadInt(text, p, 2, 2, f.day)) {
        return bad("malformed date");
    }
    if (p == text.size()) {
        RETURN_IF_ERROR(CheckFields(text, f));
        return FromLocal(f.year, f.month, f.day, 0, 0, 0);
    }
    if (text[p] != 'T' && text[p] != 't' && text[p] != ' ') return bad("expected 'T' after the date");
    ++p;
    if (!ReadInt(text, p, 2, 2, f.hour) || p >= text.size() || text[p++] != ':' || !ReadInt(text, p, 2, 2, f.minute) ||
        p >= text.size() || text[p++] != ':' || !ReadInt(text, p, 2, 2, f.second)) {
        return bad("malformed time of day");
    }
    if (p < text.size() && text[p] == '.') {
        ++p;
        std::size_t start = p;
        while (p < text.size() && text[p] >= '0' && text[p] <= '9') ++p;
        if (p == start) return bad("empty fraction of a second");
    }
    if (p >= text.size()) return bad("missing UTC offset ('Z' or +hh:mm)");
    int offset = 0;
    if (text[p] == 'Z' || text[p] == 'z') {
        ++p;
    } else if (text[p] == '+' || text[p] == '-') {
        int sign = text[p++] == '-' ? -1 : 1;
        int oh = 0, om = 0;
        if (!ReadInt(text, p, 2, 2, oh) || p >= text.size() || text[p++] != ':' || !ReadInt(text, p, 2, 2, om) ||
            oh > 23 || om > 59) {
            return bad("malformed UTC offset");
        }
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return bad("malformed UTC offset");
    }
    if (p != text.size()) return bad("trailing characters");
    RETURN_IF_ERROR(CheckFields(text, f));
    return FromUtc(f) - offset;
}

Result<UnixSeconds> ParseLocalDateTime(std::string_view text) {
    Fields f;
    std::size_t p = 0;
    auto bad = [&](const char* what) {
        return InvalidArgument("invalid local time \"" + std::string(text) + "\": " + what +
                               " (expected e.g. 2019/4/25 9:32:09 or 2017-06-08 17:31:20)");
    };
    if (!ReadInt(text, p, 4, 4, f.year) || p >= text.size()) return bad("malformed date");
    char sep = text[p];
    if (sep != '/' && sep != '-') return bad("malformed date");
    ++p;
    if (!ReadInt(text, p, 1, 2, f.month) || p >= text.size() || text[p++] != sep || !ReadInt(text, p, 1, 2, f.day)) {
        return bad("malformed date");
    }
    if (p < text.size()) {
        if (text[p] != ' ' && text[p] != 'T') return bad("expected a space after the date");
        ++p;
        if (!ReadInt(text, p, 1, 2, f.hour) || p >= text.size() || text[p++] != ':' ||
            !ReadInt(text, p, 2, 2, f.minute)) {
            return bad("malformed time of day");
        }
        if (p < text.size()) {
            if (text[p++] != ':' || !ReadInt(text, p, 2, 2, f.second)) return bad("malformed seconds");
        }
        if (p != text.size()) return bad("trailing characters");
    }
    RETURN_IF_ERROR(CheckFields(text, f));
    return FromLocal(f.year, f.month, f.day, f.hour, f.minute, f.second);
}

}  // namespace rectify
