#include "text/similarity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rectify::text {
namespace {

// Decodes UTF-8 leniently: a malformed sequence skips one byte.
std::u32string Decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        int len = 0;
        char32_t cp = 0;
        if (b0 < 0x80) {
            len = 1;
            cp = b0;
        } else if ((b0 & 0xE0) == 0xC0) {
            len = 2;
            cp = b0 & 0x1F;
        } else if ((b0 & 0xF0) == 0xE0) {
            len = 3;
            cp = b0 & 0x0F;
        } else if ((b0 & 0xF8) == 0xF0) {
            len = 4;
            cp = b0 & 0x07;
        }
        bool ok = len > 0 && i + len <= s.size();
        for (int j = 1; ok && j < len; ++j) {
            const auto b = static_cast<unsigned char>(s[i + j]);
            if ((b & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (!ok) {
            ++i;
            continue;
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

bool IsDropped(char32_t c) {
    if (c < 0x80) {
        const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        return !alnum;  // whitespace, controls, ASCII punctuation
    }
    if (c >= 0x2000 && c <= 0x206F) return true;  // general punctuation
    if (c >= 0x3000 && c <= 0x303F) return true;  // CJK symbols and punctuation
    if (c >= 0xFF00 && c <= 0xFF0F) return true;  // full-width punctuation not folded
    if (c >= 0xFE30 && c <= 0xFE4F) return true;  // CJK compatibility forms
    if (c == 0x00A0 || c == 0x00B7 || c == 0xFEFF) return true;
    return false;
}

const std::u32string kMasks[] = {U"[电话号码]", U"[身份证号]", U"[邮箱]"};

}  // namespace

std::uint64_t Mix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

std::u32string Normalize(std::string_view utf8) {
    std::u32string in = Decode(utf8);
    // Masks first, before their brackets are dropped as punctuation.
    for (const auto& mask : kMasks) {
        for (std::size_t pos = in.find(mask); pos != std::u32string::npos; pos = in.find(mask, pos)) {
            in.erase(pos, mask.size());
        }
    }
    std::u32string out;
    out.reserve(in.size());
    for (char32_t c : in) {
        if (c >= 0xFF01 && c <= 0xFF5E) c = c - 0xFF01 + 0x21;  // full-width ASCII forms
        if (c == 0x3000) c = U' ';
        if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
        if (IsDropped(c)) continue;
        out.push_back(c);
    }
    return out;
}

std::vector<std::uint64_t> Shingles(std::string_view utf8, int k) {
    const std::u32string t = Normalize(utf8);
    std::vector<std::uint64_t> out;
    if (t.empty() || k < 1) return out;
    auto hash = [&](std::size_t from, std::size_t n) {
        std::uint64_t h = 0xCBF29CE484222325ULL;  // FNV-1a 64 offset basis
        for (std::size_t i = from; i < from + n; ++i) {
            auto c = static_cast<std::uint32_t>(t[i]);
            for (int b = 0; b < 4; ++b) {
                h ^= (c >> (8 * b)) & 0xFF;
                h *= 0x100000001B3ULL;  // FNV prime
            }
        }
        return Mix64(h);
    };
    const auto kk = static_cast<std::size_t>(k);
    if (t.size() < kk) {
        out.push_back(hash(0, t.size()));
        return out;
    }
    out.reserve(t.size() - kk + 1);
    for (std::size_t i = 0; i + kk <= t.size(); ++i) out.push_back(hash(i, kk));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

namespace {
std::size_t IntersectionSize(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
    std::size_t i = 0, j = 0, n = 0;
    while (i < a.size() && j < b.size()) {
        if (a[i] < b[j]) {
            ++i;
        } else if (b[j] < a[i]) {
            ++j;
        } else {
            ++n;
            ++i;
            ++j;
        }
    }
    return n;
}
}  // namespace

double Jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
    if (a.empty() && b.empty()) return 0.0;
    const std::size_t inter = IntersectionSize(a, b);
    return static_cast<double>(inter) / static_cast<double>(a.size() + b.size() - inter);
}

double Overlap(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
    if (a.empty() || b.empty()) return 0.0;
    return static_cast<double>(IntersectionSize(a, b)) / static_cast<double>(std::min(a.size(), b.size()));
}

MinHasher::MinHasher(int num_hashes, std::uint64_t seed) {
    seeds_.reserve(static_cast<std::size_t>(std::max(1, num_hashes)));
    std::uint64_t s = seed;
    for (int i = 0; i < std::max(1, num_hashes); ++i) {
        s = Mix64(s);
        seeds_.push_back(s);
    }
}

std::vector<std::uint64_t> MinHasher::Signature(const std::vector<std::uint64_t>& shingles) const {
    std::vector<std::uint64_t> sig(seeds_.size(), std::numeric_limits<std::uint64_t>::max());
    for (std::uint64_t x : shingles) {
        for (std::size_t i = 0; i < seeds_.size(); ++i) {
            const std::uint64_t h = Mix64(x ^ seeds_[i]);
            if (h < sig[i]) sig[i] = h;
        }
    }
    return sig;
}

double MinHasher::Estimate(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
    if (a.size() != b.size() || a.empty()) return 0.0;
    std::size_t eq = 0;
    for (std::size_t i = 0; i < a.size(); ++i) eq += a[i] == b[i] ? 1 : 0;
    return static_cast<double>(eq) / static_cast<double>(a.size());
}

LshIndex::LshIndex(int bands, int rows)
    : bands_(std::max(1, bands)), rows_(std::max(1, rows)), buckets_(static_cast<std::size_t>(bands_)) {}

std::uint64_t LshIndex::BandKey(const std::vector<std::uint64_t>& signature, int band) const {
    std::uint64_t h = Mix64(static_cast<std::uint64_t>(band));
    for (int r = 0; r < rows_; ++r) {
        const auto idx = static_cast<std::size_t>(band * rows_ + r);
        const std::uint64_t v = idx < signature.size() ? signature[idx] : 0;
        h = Mix64(h ^ v);
    }
    return h;
}

void LshIndex::Add(std::int64_t id, const std::vector<std::uint64_t>& signature) {
    for (int b = 0; b < bands_; ++b) buckets_[static_cast<std::size_t>(b)][BandKey(signature, b)].push_back(id);
}

std::vector<std::int64_t> LshIndex::Candidates(const std::vector<std::uint64_t>& signature) const {
    std::vector<std::int64_t> out;
    for (int b = 0; b < bands_; ++b) {
        const auto& m = buckets_[static_cast<std::size_t>(b)];
        auto it = m.find(BandKey(signature, b));
        if (it != m.end()) out.insert(out.end(), it->second.begin(), it->second.end());
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

double LshIndex::ApproxThreshold() const {
    return std::pow(1.0 / static_cast<double>(bands_), 1.0 / static_cast<double>(rows_));
}

}  // namespace rectify::text
