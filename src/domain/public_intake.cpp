#include "domain/public_intake.hpp"

#include <algorithm>
#include <map>

#include "common/csv.hpp"
#include "common/text.hpp"

namespace rectify::domain {
namespace detail {
// Generated from data/divisions/*.csv (src/domain/CMakeLists.txt).
extern const char* const kBuiltInProvincesCsv;
extern const char* const kBuiltInCitiesCsv;
extern const char* const kBuiltInAreasCsv;
extern const char* const kBuiltInStreetsCsv;
}  // namespace detail

// ---- tracking codes ----

std::string NewTrackingCode(const std::function<std::string(std::size_t)>& random_bytes) {
    constexpr unsigned kLimit = 256 - 256 % kTrackingAlphabet.size();  // 248
    std::string code;
    while (code.size() < kTrackingCodeLength) {
        const std::string bytes = random_bytes(kTrackingCodeLength - code.size());
        for (char b : bytes) {
            const auto v = static_cast<unsigned char>(b);
            if (v >= kLimit) continue;  // rejected: would favour the first 256 % 31 symbols
            code.push_back(kTrackingAlphabet[v % kTrackingAlphabet.size()]);
            if (code.size() == kTrackingCodeLength) break;
        }
    }
    return code;
}

std::string FormatTrackingCode(std::string_view code) {
    std::string out;
    for (std::size_t i = 0; i < code.size(); ++i) {
        if (i > 0 && i % 4 == 0) out.push_back('-');
        out.push_back(code[i]);
    }
    return out;
}

Result<std::string> ParseTrackingCode(std::string_view typed) {
    std::string code;
    for (std::size_t i = 0; i < typed.size(); ++i) {
        char c = typed[i];
        if (c == '-' || c == ' ') continue;
        if (typed.substr(i, 3) == "\xE3\x80\x80") {  // U+3000 ideographic space
            i += 2;
            continue;
        }
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (c == '0' || c == 'O' || c == '1' || c == 'I' || c == 'L') {
            return InvalidArgument(std::string("tracking code: \"") + c +
                                   "\" is never used in tracking codes (no 0, O, 1, I or L); check the code you "
                                   "were given");
        }
        if (kTrackingAlphabet.find(c) == std::string_view::npos) {
            return InvalidArgument("tracking code: only the letters and digits of a code such as ABCD-EFGH-JKMN "
                                   "are allowed");
        }
        code.push_back(c);
    }
    if (code.size() != kTrackingCodeLength) {
        return InvalidArgument("tracking code: expected 12 letters and digits (e.g. ABCD-EFGH-JKMN), got " +
                               std::to_string(code.size()));
    }
    return code;
}

// ---- divisions ----

namespace {

struct Catalogue {
    std::map<std::string, Division, std::less<>> by_code;
    std::map<std::string, std::vector<std::string>, std::less<>> children;  // parent code -> codes in order
};

void Load(Catalogue& cat, const char* csv, const char* parent_column, int level) {
    auto table = ParseCsv(csv);
    if (!table.ok()) return;  // the build embeds checked files; an unreadable one leaves the level empty
    auto code_col = table->Column("code");
    auto name_col = table->Column("name");
    std::optional<std::size_t> parent_col = parent_column ? table->Column(parent_column) : std::nullopt;
    if (!code_col || !name_col) return;
    for (const auto& row : table->rows) {
        Division d;
        d.code = row[*code_col];
        d.name = row[*name_col];
        d.parent_code = parent_col ? row[*parent_col] : "";
        d.level = level;
        cat.children[d.parent_code].push_back(d.code);
        cat.by_code.emplace(d.code, std::move(d));
    }
}

const Catalogue& TheCatalogue() {
    static const Catalogue cat = [] {
        Catalogue c;
        Load(c, detail::kBuiltInProvincesCsv, nullptr, 1);
        Load(c, detail::kBuiltInCitiesCsv, "provinceCode", 2);
        Load(c, detail::kBuiltInAreasCsv, "cityCode", 3);
        Load(c, detail::kBuiltInStreetsCsv, "areaCode", 4);
        for (auto& [parent, codes] : c.children) std::sort(codes.begin(), codes.end());
        return c;
    }();
    return cat;
}

bool AllDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<Division> FindDivision(std::string_view code) {
    const auto& cat = TheCatalogue();
    auto it = cat.by_code.find(code);
    if (it == cat.by_code.end()) return std::nullopt;
    return it->second;
}

std::vector<Division> ChildDivisions(std::string_view parent_code) {
    const auto& cat = TheCatalogue();
    std::vector<Division> out;
    auto it = cat.children.find(parent_code);
    if (it == cat.children.end()) return out;
    for (const auto& code : it->second) out.push_back(cat.by_code.find(code)->second);
    return out;
}

std::vector<Division> DivisionChain(std::string_view code) {
    std::vector<Division> chain;
    auto d = FindDivision(code);
    while (d) {
        chain.push_back(*d);
        if (d->parent_code.empty()) break;
        d = FindDivision(d->parent_code);
    }
    std::reverse(chain.begin(), chain.end());
    if (!chain.empty() && chain.back().code != code) chain.clear();
    return chain;
}

Result<std::vector<std::string>> RoutingCandidates(std::string_view code) {
    const std::size_t n = code.size();
    if (!AllDigits(code) || (n != 2 && n != 4 && n != 6 && n != 9 && n != 12)) {
        return InvalidArgument("division_code: \"" + std::string(code) +
                               "\" is not a division code (2, 4, 6, 9 or 12 digits, GB/T 2260 and the NBS "
                               "statistical division codes)");
    }
    std::vector<std::string> out;
    for (std::size_t len : {12u, 9u, 6u, 4u, 2u}) {
        if (len <= n) out.emplace_back(code.substr(0, len));
    }
    return out;
}

// ---- repeated submissions ----

std::string NormalisedTextHash(std::string_view title, std::string_view text) {
    std::string norm;
    auto add = [&norm](std::string_view s) {
        std::size_t i = 0;
        while (i < s.size()) {
            const auto b = static_cast<unsigned char>(s[i]);
            if (b < 0x80) {
                char c = s[i];
                if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) norm.push_back(c);
                if (c >= 'a' && c <= 'z') norm.push_back(static_cast<char>(c - 'a' + 'A'));
                ++i;
                continue;
            }
            const std::size_t len = (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : 4;
            const std::string_view ch = s.substr(i, len);
            // Drop CJK and full-width punctuation and spaces: U+3000-U+303F (、。「」 …), U+FF01-U+FF0F, U+FF1A-U+FF20,
            // U+FF3B-U+FF40, U+FF5B-U+FF65 (！，：；？（）…), U+2000-U+206F (general punctuation: — “ ” …).
            bool punct = false;
            if (len == 3) {
                const unsigned cp = ((b & 0x0F) << 12) | ((static_cast<unsigned char>(ch[1]) & 0x3F) << 6) |
                                    (static_cast<unsigned char>(ch[2]) & 0x3F);
                punct = (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
                        (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
                        (cp >= 0x2000 && cp <= 0x206F);
            } else if (len == 2) {
                punct = b == 0xC2;  // U+0080-U+00BF: Latin-1 punctuation and the no-break space
            }
            if (!punct) norm.append(ch);
            i += len;
        }
    };
    add(title);
    norm.push_back('\n');
    add(text);
    return Sha256Hex(norm);
}

std::optional<std::string> TrailingUsZipCode(std::string_view address) {
    while (!address.empty() && (address.back() == ' ' || address.back() == '\t')) address.remove_suffix(1);
    const auto sep = address.find_last_of(" ,");
    if (sep == std::string_view::npos) return std::nullopt;  // nothing before it: not an address's last line
    const std::string_view zip = address.substr(sep + 1);
    auto digits = [](std::string_view s) {
        return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    const bool five = zip.size() == 5 && digits(zip);
    const bool plus4 = zip.size() == 10 && zip[5] == '-' && digits(zip.substr(0, 5)) && digits(zip.substr(6));
    if (!five && !plus4) return std::nullopt;
    // Before it: at least a word with a letter (the state or city), so "12 34567" is no ZIP.
    const std::string_view before = address.substr(0, sep);
    if (std::none_of(before.begin(), before.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); })) {
        return std::nullopt;
    }
    return std::string(zip);
}

}  // namespace rectify::domain
