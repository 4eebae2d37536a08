// Instants and their text forms. rectify stores every instant as whole seconds since the Unix epoch,
// UTC (`UnixSeconds`); the API writes ISO-8601 with the display zone's offset; imports read the local
// wall-clock times of their source files in the display zone.
// The display zone is process-wide (set once at start, before threads, through TZ and tzset(3));
// every other function here is thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace rectify {

using UnixSeconds = std::int64_t;  // seconds since 1970-01-01T00:00:00Z
inline constexpr std::int64_t kSecondsPerDay = 86400;

// Sets the display zone, an IANA name such as "Asia/Shanghai" (the default) or "UTC".
// Errors: kInvalidArgument when /usr/share/zoneinfo has no such zone. Call before starting threads.
Status SetDisplayZone(const std::string& iana_name);
const std::string& DisplayZone();

// Current time, whole seconds, UTC.
UnixSeconds NowSeconds();
// Current time, milliseconds since the Unix epoch, UTC (for waits shorter than a few seconds, where whole
// seconds would make a 1 s wait last anywhere from 0 to 1 s).
std::int64_t NowMillis();

// "2020-09-03T00:00:00+08:00": the instant in the display zone with its offset (RFC 3339 §5.6).
std::string FormatIso(UnixSeconds t);

// Parses an RFC 3339 instant: "2020-09-03T08:30:00+08:00", "2020-09-03T00:30:00Z", a space instead of
// 'T', optional fraction (dropped). A bare date "2020-09-03" means 00:00 in the display zone.
// Strict: every field range-checked (month 1-12, day within the month, hour < 24, offset < 24h).
// Errors: kInvalidArgument naming the text and what is wrong.
Result<UnixSeconds> ParseIso(std::string_view text);

// Parses a wall-clock time of a source file, in the display zone: "2019/4/25 9:32:09",
// "2017-06-08 17:31:20", "2020-09-03 00:00:00", "2020-09-03" (1- or 2-digit month, day and hour;
// '/' or '-' between date parts; seconds optional). Errors: kInvalidArgument.
Result<UnixSeconds> ParseLocalDateTime(std::string_view text);

// The instant of wall-clock y-m-d h:mi:s in the display zone. Precondition: fields valid.
UnixSeconds FromLocal(int year, int month, int day, int hour, int minute, int second);

// The calendar date of instant t in the display zone, as days since 1970-01-01 (that date is day 0;
// earlier dates are negative). Thread-safe (localtime_r).
std::int64_t LocalDayNumber(UnixSeconds t);

// Weeks in the display zone as ISO 8601 counts them (a week starts on Monday, 00:00 local time),
// numbered consecutively: week 0 starts on Monday 1969-12-29, week 1 on 1970-01-05.
std::int64_t LocalWeekNumber(UnixSeconds t);
// The first instant of week `week`: Monday 00:00 local (or the first existing local time of that Monday,
// if a DST change skips midnight). LocalWeekNumber(LocalWeekStart(w)) == w.
UnixSeconds LocalWeekStart(std::int64_t week);

}  // namespace rectify
