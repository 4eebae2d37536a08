#include "common/crypto.hpp"

#include <argon2.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace rectify {
namespace {

constexpr std::size_t kSaltBytes = 16;  // RFC 9106 §4: 128-bit salt
constexpr std::size_t kTagBytes = 32;   // RFC 9106 §4: 256-bit tag
constexpr std::size_t kMaxPasswordBytes = 4096;

// Reads "key=<decimal>" at the front of `s`; advances `s`.
bool ReadParam(std::string_view& s, char key, std::uint64_t& value) {
    if (s.size() < 3 || s[0] != key || s[1] != '=') return false;
    s.remove_prefix(2);
    std::size_t n = 0;
    value = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') {
        if (n >= 10) return false;
        value = value * 10 + static_cast<std::uint64_t>(s[n] - '0');
        ++n;
    }
    if (n == 0 || (n > 1 && s[0] == '0')) return false;
    s.remove_prefix(n);
    return true;
}

// Parses "m=..,t=..,p=.." in any order; false when malformed.
bool ParseTriple(std::string_view s, PasswordHashParams& out) {
    bool seen_m = false, seen_t = false, seen_p = false;
    for (int i = 0; i < 3; ++i) {
        if (i > 0) {
            if (s.empty() || s[0] != ',') return false;
            s.remove_prefix(1);
        }
        if (s.empty()) return false;
        std::uint64_t v = 0;
        const char key = s[0];
        if (!ReadParam(s, key, v) || v > 0xFFFFFFFFu) return false;
        bool* seen = key == 'm' ? &seen_m : key == 't' ? &seen_t : key == 'p' ? &seen_p : nullptr;
        if (!seen || *seen) return false;
        *seen = true;
        (key == 'm' ? out.memory_kib : key == 't' ? out.passes : out.lanes) = static_cast<std::uint32_t>(v);
    }
    return s.empty();
}

}  // namespace

Result<PasswordHashParams> ParsePasswordHashParams(std::string_view text) {
    PasswordHashParams p{0, 0, 0};
    if (!ParseTriple(text, p)) {
        return InvalidArgument("password hash parameters \"" + std::string(text.substr(0, 60)) +
                               "\": expected m=<KiB>,t=<passes>,p=<lanes>, e.g. m=65536,t=3,p=4");
    }
    const auto floor = PasswordHashParams::OwaspMinimum();
    if (p.memory_kib < floor.memory_kib || p.passes < floor.passes || p.lanes < 1) {
        return InvalidArgument("password hash parameters " + ToString(p) + " are below the floor " + ToString(floor) +
                               " (OWASP Password Storage Cheat Sheet)");
    }
    if (p.memory_kib > (4u << 20) || p.passes > 100 || p.lanes > 64) {
        return InvalidArgument("password hash parameters " + ToString(p) +
                               " are above the bounds m=4194304 (4 GiB), t=100, p=64");
    }
    if (p.memory_kib < 8 * p.lanes) return InvalidArgument("password hash parameters: m must be at least 8*p");
    return p;
}

std::string ToString(const PasswordHashParams& p) {
    return "m=" + std::to_string(p.memory_kib) + ",t=" + std::to_string(p.passes) + ",p=" + std::to_string(p.lanes);
}

Result<std::string> HashPassword(std::string_view password, const PasswordHashParams& p) {
    if (password.size() > kMaxPasswordBytes) return InvalidArgument("password: longer than 4096 bytes");
    const std::string salt = RandomBytes(kSaltBytes);
    const std::size_t len =
        argon2_encodedlen(p.passes, p.memory_kib, p.lanes, kSaltBytes, kTagBytes, Argon2_id);
    std::vector<char> encoded(len + 1, '\0');
    const int rc = argon2id_hash_encoded(p.passes, p.memory_kib, p.lanes, password.data(), password.size(),
                                         salt.data(), salt.size(), kTagBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) return Internal(std::string("argon2id: ") + argon2_error_message(rc));
    return std::string(encoded.data());
}

bool VerifyPassword(std::string_view phc, std::string_view password) {
    if (phc.rfind("$argon2id$", 0) != 0 || password.size() > kMaxPasswordBytes) return false;
    const std::string encoded(phc);  // libargon2 wants a NUL-terminated string
    return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

Result<PasswordHashParams> PhcParams(std::string_view phc) {
    // $argon2id$v=19$m=65536,t=3,p=4$salt$tag
    constexpr std::string_view kPrefix = "$argon2id$v=19$";
    auto bad = [] { return InvalidArgument("not an Argon2id (v=19) PHC string"); };
    if (phc.rfind(kPrefix, 0) != 0) return bad();
    phc.remove_prefix(kPrefix.size());
    const auto end = phc.find('$');
    if (end == std::string_view::npos) return bad();
    PasswordHashParams p{0, 0, 0};
    if (!ParseTriple(phc.substr(0, end), p)) return bad();
    return p;
}

std::string RandomBytes(std::size_t n) {
    std::string out(n, '\0');
    if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        std::fputs("rectify: fatal: the random number generator failed\n", stderr);
        std::abort();
    }
    return out;
}

std::string RandomToken(std::size_t bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const std::string raw = RandomBytes(bytes);
    std::string out;
    out.reserve((bytes * 4 + 2) / 3);
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : raw) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += kAlphabet[(acc >> bits) & 63];
        }
    }
    if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
    return out;
}

std::string GeneratePassword() {
    static constexpr char kAlphabet[] = "23456789abcdefghijkmnpqrstuvwxyz";  // 32 symbols: 5 bits each
    static_assert(sizeof(kAlphabet) == 33);
    const std::string raw = RandomBytes(20);
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i > 0 && i % 5 == 0) out += '-';
        out += kAlphabet[static_cast<unsigned char>(raw[i]) & 31];
    }
    return out;
}

std::string HmacSha256Hex(std::string_view key, std::string_view data) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    static const unsigned char kEmpty = 0;  // HMAC() wants non-null pointers even for empty input
    const void* k = key.empty() ? static_cast<const void*>(&kEmpty) : static_cast<const void*>(key.data());
    const unsigned char* d = data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
    if (HMAC(EVP_sha256(), k, static_cast<int>(key.size()), d, data.size(), mac, &len) == nullptr) {
        std::fprintf(stderr, "rectify: HMAC-SHA256 failed\n");
        std::abort();
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out += kHex[mac[i] >> 4];
        out += kHex[mac[i] & 15];
    }
    return out;
}

Result<std::string> DecodeBase64(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                        c == '/' || c == '=';
        if (!ok) return InvalidArgument("not valid base64: the character '" + std::string(1, c) + "' is not in its alphabet");
    }
    for (char c : text) {
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') clean.push_back(c);
    }
    if (clean.size() % 4 != 0) return InvalidArgument("not valid base64: the length is not a multiple of 4");
    std::size_t pad = 0;
    while (pad < 2 && pad < clean.size() && clean[clean.size() - 1 - pad] == '=') ++pad;
    if (clean.find('=') < clean.size() - pad) return InvalidArgument("not valid base64: padding in the middle");
    std::string out(clean.size() / 4 * 3, '\0');
    if (clean.empty()) return std::string();
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(clean.data()), static_cast<int>(clean.size()));
    if (n < 0) return InvalidArgument("not valid base64");
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace rectify
