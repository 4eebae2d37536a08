// Text checks shared by the importers and the HTTP decoders. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rectify {

// Byte offset of the first byte that is not well-formed UTF-8 (RFC 3629 §4: no overlongs, no
// surrogates, nothing above U+10FFFF), or nullopt when all of `s` is valid.
std::optional<std::size_t> FirstInvalidUtf8(std::string_view s);
inline bool IsValidUtf8(std::string_view s) { return !FirstInvalidUtf8(s).has_value(); }

// Number of Unicode code points in valid UTF-8 text (for length limits stated in characters).
std::size_t CodePointCount(std::string_view s);

// `s` without leading and trailing ASCII whitespace.
std::string_view TrimAscii(std::string_view s);

// Lower-case hex SHA-256 of `data` (FIPS 180-4, via OpenSSL).
std::string Sha256Hex(std::string_view data);

}  // namespace rectify
