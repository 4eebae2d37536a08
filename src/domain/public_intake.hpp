// Rules of public intake (issue 9, the portal and Open311): tracking codes, the routing rule from a
// location to an org, the administrative division catalogue the pickers show, and the normalised text
// used to spot a repeated submission. Called by src/service (public intake) and the tests. No I/O but
// the random bytes the caller passes in; thread-safe (the division catalogue is built once, on first use,
// by a thread-safe static initialiser, and only read afterwards).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"

namespace rectify::domain {

// How an opinion from the public came in, stored beside the opinion (table public_intake). Contact
// details are for the staff who answer: no public answer or notice ever carries them.
struct PublicIntake {
    OpinionId opinion_id = 0;
    std::string tracking_code;  // stored form, 12 symbols without dashes
    std::string via;            // "portal" or "open311"
    std::optional<std::string> address;    // free address (portal) or Open311 address_string
    std::optional<std::string> latitude;   // WGS 84 degrees as received (Open311 lat)
    std::optional<std::string> longitude;  // WGS 84 degrees as received (Open311 long)
    std::optional<std::string> contact_name;
    std::optional<std::string> contact_phone;
    std::optional<std::string> contact_email;
    std::optional<std::string> photo_sha256;  // the photo in the blob store
    std::optional<std::string> photo_type;    // its content type
    std::optional<std::int64_t> photo_size;   // bytes
    std::string text_hash;                    // NormalisedTextHash(title, text)
    std::optional<std::string> ip_hash;       // SHA-256 hex of the client address (duplicate check only)
    std::optional<std::string> contact_hash;  // SHA-256 hex of the lower-cased phone or e-mail
    std::optional<std::string> service_code;  // Open311: the service_code posted
    std::optional<std::int64_t> api_token_id; // Open311: the API token that posted it
    std::optional<std::string> media_url;     // Open311: the client's picture URL (http/https, <= 2,048 bytes)
    UnixSeconds received_at = 0;
};

// ---- tracking codes (docs/PUBLIC.md#tracking-codes) ----

// The 31 symbols of a tracking code: the digits 2-9 and the capital letters without I, L and O, so
// that no two symbols look alike (0/O, 1/I/L are all absent).
inline constexpr std::string_view kTrackingAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr std::size_t kTrackingCodeLength = 12;  // 12 × log2(31) ≈ 59.4 bits

// A fresh tracking code of 12 symbols, stored form (no dashes), e.g. "ABCDEFGHJKMN". `random_bytes(n)`
// must return n bytes from a CSPRNG (the service passes OpenSSL's RAND_bytes through RandomBytes).
// Each symbol takes one byte; bytes 248-255 are rejected and drawn again (rejection sampling: 248 is
// the largest multiple of 31 ≤ 256), so every symbol is exactly equally likely — no modulo bias.
std::string NewTrackingCode(const std::function<std::string(std::size_t)>& random_bytes);

// The display form: groups of four joined by dashes, "ABCD-EFGH-JKMN".
std::string FormatTrackingCode(std::string_view code);

// The stored form of what a person typed: ASCII letters upper-cased, dashes and spaces (ASCII and the
// ideographic space U+3000) removed. Errors: kInvalidArgument "tracking code: ..." when the rest is not
// 12 symbols of kTrackingAlphabet (the message names a look-alike that was typed: "0 is not used,
// ...").
Result<std::string> ParseTrackingCode(std::string_view typed);

// ---- divisions (GB/T 2260 and the 统计用区划代码 of the National Bureau of Statistics) ----

// One administrative division of the built-in catalogue (data/divisions, china-division 2.7.0).
struct Division {
    std::string code;   // 2 (province), 4 (city), 6 (county) or 9 (township) digits
    std::string name;   // e.g. "鼓楼区"
    std::string parent_code;  // "" for a province
    int level = 1;      // 1 province, 2 city, 3 county, 4 township
};

// The division with `code`, or nullopt.
std::optional<Division> FindDivision(std::string_view code);
// The divisions directly below `parent_code` ("" = the provinces), in code order.
std::vector<Division> ChildDivisions(std::string_view parent_code);
// The chain from the province down to `code` itself (empty when the code is unknown).
std::vector<Division> DivisionChain(std::string_view code);

// The routing candidates of a location code, deepest first: the code itself and the codes of its
// ancestors (its prefixes of 6, 4 and 2 digits). A 12-digit village code also yields its 9-digit
// township. Errors: kInvalidArgument when `code` is not 2, 4, 6, 9 or 12 digits.
// The routing rule (docs/PUBLIC.md#routing): the opinion goes to the deepest org whose division code is
// one of these, else to the root org.
Result<std::vector<std::string>> RoutingCandidates(std::string_view code);

// ---- repeated submissions ----

// The text two submissions are compared by: every character that is not a letter or digit (spaces,
// punctuation, ASCII and full-width) removed and ASCII upper-cased, then hashed (SHA-256, hex).
// "路灯不亮！ 请修" and "路灯不亮，请修。" give the same hash.
std::string NormalisedTextHash(std::string_view title, std::string_view text);

// The ZIP Code that ends a US-style address, as written: five digits, or ZIP+4 (five digits, '-', four),
// after the last space or comma (USPS Publication 28, §2 "last line": city, state, ZIP). "3400 GARRISON
// BLVD, BALTIMORE, MD, 21215" -> "21215". nullopt when the address does not end that way (a Chinese
// address, a bare number, a house number alone).
std::optional<std::string> TrailingUsZipCode(std::string_view address);

}  // namespace rectify::domain
