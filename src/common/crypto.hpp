// Secrets: random tokens and passwords (OpenSSL's CSPRNG), Argon2id password hashes (RFC 9106, through
// libargon2) and constant-time comparison. Called by src/service (accounts) and the CLI.
// Pure functions apart from the random source; thread-safe (OpenSSL 3 and libargon2 are).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace rectify {

// The cost parameters of Argon2id (RFC 9106 §3.1): memory in KiB (m), passes (t) and lanes (p).
// Salt 16 bytes (128 bits) and tag 32 bytes (256 bits) are fixed, as RFC 9106 §4 recommends.
struct PasswordHashParams {
    std::uint32_t memory_kib = 65536;  // m: 64 MiB
    std::uint32_t passes = 3;          // t
    std::uint32_t lanes = 4;           // p (libargon2 runs one thread per lane)

    // RFC 9106 §4, the SECOND RECOMMENDED option: m = 2^16 KiB (64 MiB), t = 3, p = 4. rectify's
    // default; docs/SECURITY.md says why the FIRST (2 GiB) does not fit a 2-core server.
    static PasswordHashParams Rfc9106Second() { return {65536, 3, 4}; }
    // The floor rectify accepts: OWASP Password Storage Cheat Sheet's smallest Argon2id setting,
    // m = 19 MiB (19456 KiB), t = 2, p = 1. Used by the tests to keep them fast.
    static PasswordHashParams OwaspMinimum() { return {19456, 2, 1}; }

    bool operator==(const PasswordHashParams&) const = default;
};

// "m=65536,t=3,p=4" (the PHC string's parameter spelling), in any order, each exactly once.
// Errors: kInvalidArgument for bad syntax, and for settings below OwaspMinimum() (m < 19456, t < 2) or
// above sane bounds (m > 4 GiB, t > 100, p > 64).
Result<PasswordHashParams> ParsePasswordHashParams(std::string_view text);
std::string ToString(const PasswordHashParams& params);

// The PHC string of Argon2id over `password` with a fresh random salt:
// "$argon2id$v=19$m=65536,t=3,p=4$<salt b64>$<tag b64>". Takes about 0.2-0.5 s and `memory_kib` of
// memory with the default parameters. Errors: kInvalidArgument (password over 4096 bytes), kInternal.
Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& params);

// True when `phc` is an Argon2id PHC string and `password` matches it. False for a mismatch and for
// anything malformed (the comparison inside libargon2 is constant-time).
bool VerifyPassword(std::string_view phc, std::string_view password);

// The parameters a PHC string was made with; kInvalidArgument when it is not an Argon2id PHC string.
Result<PasswordHashParams> PhcParams(std::string_view phc);

// n bytes from OpenSSL's CSPRNG (RAND_bytes). Aborts the process if the generator fails: nothing that
// needs a secret can continue without one.
std::string RandomBytes(std::size_t n);

// `bytes` random bytes as unpadded base64url (RFC 4648 §5): 32 bytes give 43 characters, 256 bits.
std::string RandomToken(std::size_t bytes = 32);

// A one-time password a person can type: 4 groups of 5 characters from a 32-symbol alphabet without
// look-alikes (no 0/O, 1/l/I), e.g. "k7mq2-x9vdr-3hspe-wtn4c": 100 bits.
std::string GeneratePassword();

// HMAC-SHA256 (RFC 2104, FIPS 198-1) of `data` under `key`, as 64 lowercase hex digits. Signs outgoing
// webhook deliveries (docs/SECURITY.md#webhook-signatures).
std::string HmacSha256Hex(std::string_view key, std::string_view data);

// Decodes standard base64 (RFC 4648 §4, with padding; ASCII whitespace is ignored) through OpenSSL's
// EVP_DecodeBlock. Errors: kInvalidArgument "not valid base64" (a character outside the alphabet, a
// length that is not a multiple of 4 after whitespace is removed, or padding in the middle).
Result<std::string> DecodeBase64(std::string_view text);

// Compares in time that depends only on the lengths (CRYPTO_memcmp).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace rectify
