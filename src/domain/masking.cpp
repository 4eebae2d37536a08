#include "domain/masking.hpp"

#include <cstdint>
#include <optional>

namespace rectify::domain {

const std::u32string_view kCommonSurnames =
    U"王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢"
    U"姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤"
    U"涂喻易柳詹葛文洪牛庞樊兰殷谈祝";

namespace {

// ---- UTF-8 <-> code points; an invalid byte b travels as U+DC00 + b (a lone surrogate, never valid
// input) so that it comes back out unchanged ----

std::u32string Decode(std::string_view s) {
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        int len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
        char32_t cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
        bool ok = len > 0 && i + len <= s.size();
        for (int k = 1; ok && k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) ok = false;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (ok) {
            const char32_t min = len == 1 ? 0 : len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) ok = false;
        }
        if (!ok) {
            out.push_back(0xDC00 + b0);
            ++i;
            continue;
        }
        out.push_back(cp);
        i += static_cast<std::size_t>(len);
    }
    return out;
}

void Encode(char32_t cp, std::string& out) {
    if (cp >= 0xDC80 && cp <= 0xDCFF) {
        out.push_back(static_cast<char>(cp - 0xDC00));
    } else if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::string Encode(const std::u32string& s) {
    std::string out;
    out.reserve(s.size() * 3);
    for (char32_t cp : s) Encode(cp, out);
    return out;
}

bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool IsAsciiAlpha(char32_t c) { return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z'); }
bool IsHan(char32_t c) { return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF); }
bool IsSurname(char32_t c) { return kCommonSurnames.find(c) != std::u32string_view::npos; }

char32_t At(const std::u32string& s, std::size_t i) { return i < s.size() ? s[i] : 0; }

// ---- the replacements, each a matcher: length of the match starting at i, or 0 ----

// local@domain.tld; i must be the start of the local part (the caller checks the character before).
std::size_t MatchEmail(const std::u32string& s, std::size_t i) {
    auto local = [](char32_t c) {
        return IsDigit(c) || IsAsciiAlpha(c) || c == U'.' || c == U'_' || c == U'%' || c == U'+' || c == U'-';
    };
    std::size_t j = i;
    while (j < s.size() && local(s[j])) ++j;
    if (j == i || At(s, j) != U'@') return 0;
    std::size_t k = j + 1;
    while (k < s.size() && (IsDigit(s[k]) || IsAsciiAlpha(s[k]) || s[k] == U'-' || s[k] == U'.')) ++k;
    while (k > j + 1 && s[k - 1] == U'.') --k;  // a full stop after the address is not part of it
    std::size_t last_dot = 0;
    for (std::size_t d = j + 1; d < k; ++d) {
        if (s[d] == U'.') last_dot = d;
    }
    if (last_dot <= j + 1 || k - last_dot - 1 < 2) return 0;  // needs "x.yy" after the @
    for (std::size_t t = last_dot + 1; t < k; ++t) {
        if (!IsAsciiAlpha(s[t])) return 0;  // the top-level domain is letters
    }
    return k - i;
}

// 18-character (17 digits + digit/X) or 15-digit identity numbers, at a start of a digit run.
std::size_t MatchId(const std::u32string& s, std::size_t i) {
    std::size_t j = i;
    while (j < s.size() && IsDigit(s[j])) ++j;
    const std::size_t run = j - i;
    if (run == 17 && (At(s, j) == U'X' || At(s, j) == U'x') && !IsAsciiAlpha(At(s, j + 1)) && !IsDigit(At(s, j + 1))) {
        return 18;
    }
    if ((run == 18 || run == 15) && !IsAsciiAlpha(At(s, j))) return run;
    return 0;
}

// `n` digits from j, allowing one optional separator (space or dash) before each of the positions in
// `groups` (offsets in digits). Returns the end, or nullopt.
std::optional<std::size_t> Digits(const std::u32string& s, std::size_t j, int n, std::initializer_list<int> groups) {
    for (int d = 0; d < n; ++d) {
        for (int g : groups) {
            if (g == d && (At(s, j) == U' ' || At(s, j) == U'-') && IsDigit(At(s, j + 1))) ++j;
        }
        if (!IsDigit(At(s, j))) return std::nullopt;
        ++j;
    }
    return j;
}

std::size_t MatchPhone(const std::u32string& s, std::size_t i) {
    // Mobile, with an optional +86 / 86 prefix.
    do {
        std::size_t j = i;
        if (At(s, j) == U'+') ++j;
        if (At(s, j) == U'8' && At(s, j + 1) == U'6' && (At(s, j + 2) == U'1' || At(s, j + 2) == U' ' ||
                                                        At(s, j + 2) == U'-')) {
            j += 2;
            if (At(s, j) == U' ' || At(s, j) == U'-') ++j;
        } else if (At(s, i) == U'+') {
            break;
        }
        if (At(s, j) == U'1' && At(s, j + 1) >= U'3' && At(s, j + 1) <= U'9') {
            if (auto end = Digits(s, j, 11, {3, 7}); end && !IsDigit(At(s, *end))) return *end - i;
        }
    } while (false);
    // Landline: (0xx)xxxxxxx, 0xx-xxxxxxxx, 0xxx xxxxxxx, 0xxxxxxxxxx.
    const bool paren = At(s, i) == U'(' || At(s, i) == U'（';
    const std::size_t a = paren ? i + 1 : i;
    if (At(s, a) != U'0' || !IsDigit(At(s, a + 1)) || At(s, a + 1) == U'0') return 0;
    for (int area : {3, 4}) {
        std::size_t j = a;
        bool ok = true;
        for (int d = 0; d < area; ++d, ++j) ok = ok && IsDigit(At(s, j));
        if (!ok) continue;
        if (paren) {
            if (At(s, j) != U')' && At(s, j) != U'）') continue;
            ++j;
        } else if (At(s, j) == U'-' || At(s, j) == U' ') {
            ++j;
        }
        for (int local : {8, 7}) {
            if (auto end = Digits(s, j, local, {}); end && !IsDigit(At(s, *end))) return *end - i;
        }
    }
    return 0;
}

// Characters that start the rest of the sentence after a name (the name ends before them).
constexpr std::u32string_view kAfterName = U"是今现男女家住来出身系在的于从和因年电手目原退一已";

// The length of the name at i (2-3 Han characters), or 0. `whole_clause`: the name must be the whole
// run of Han characters and end its clause (本人 / 我是); `surname`: it must start with a common surname.
std::size_t MatchName(const std::u32string& s, std::size_t i, bool surname, bool whole_clause) {
    std::size_t run = 0;
    while (i + run < s.size() && IsHan(s[i + run])) ++run;
    if (run < 2) return 0;
    if (surname && !IsSurname(s[i])) return 0;
    if (whole_clause) {
        if (run > 3) return 0;
        const char32_t next = At(s, i + run);
        if (next != 0 && (IsDigit(next) || IsAsciiAlpha(next))) return 0;
        return run;
    }
    std::size_t len = std::min<std::size_t>(run, 3);
    if (len == 3 && kAfterName.find(s[i + 2]) != std::u32string_view::npos) len = 2;
    return len;
}

bool StartsWith(const std::u32string& s, std::size_t i, std::u32string_view what) {
    return s.compare(i, what.size(), what) == 0;
}

}  // namespace

std::string MaskPersonalDetails(std::string_view text) {
    const std::u32string s = Decode(text);
    std::u32string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const char32_t prev = i > 0 ? s[i - 1] : 0;
        const char32_t c = s[i];
        // 1. e-mail addresses, at the start of a local part.
        if ((IsDigit(c) || IsAsciiAlpha(c)) && !IsDigit(prev) && !IsAsciiAlpha(prev) && prev != U'.' &&
            prev != U'_' && prev != U'-' && prev != U'+') {
            if (std::size_t n = MatchEmail(s, i)) {
                out += U"[邮箱]";
                i += n;
                continue;
            }
        }
        // 2. identity numbers and 3. phone numbers, at the start of a run of digits.
        if (!IsDigit(prev)) {
            if (IsDigit(c)) {
                if (std::size_t n = MatchId(s, i)) {
                    out += U"[身份证号]";
                    i += n;
                    continue;
                }
            }
            if (IsDigit(c) || c == U'+' || c == U'(' || c == U'（') {
                if (std::size_t n = MatchPhone(s, i)) {
                    out += U"[电话]";
                    i += n;
                    continue;
                }
            }
        }
        // 4. names after a self-introduction.
        struct Trigger {
            std::u32string_view word;
            bool colon_required;
            bool surname;
            bool whole_clause;
        };
        static constexpr Trigger kTriggers[] = {
            {U"我叫", false, false, false},   {U"姓名", true, false, false}, {U"联系人", true, false, false},
            {U"联系人", false, true, false}, {U"名叫", false, true, false},  {U"本人", false, true, true},
            {U"我是", false, true, true},
        };
        bool masked = false;
        for (const Trigger& t : kTriggers) {
            if (!StartsWith(s, i, t.word)) continue;
            std::size_t j = i + t.word.size();
            const bool colon = At(s, j) == U'：' || At(s, j) == U':';
            if (t.colon_required != colon) continue;
            if (colon) ++j;
            std::size_t n = MatchName(s, j, t.surname, t.whole_clause);
            if (n == 0) continue;
            out.append(s, i, j - i);  // the trigger (and colon)
            out.push_back(s[j]);      // the surname stays
            for (std::size_t k = 1; k < n; ++k) out.push_back(U'某');
            i = j + n;
            masked = true;
            break;
        }
        if (masked) continue;
        out.push_back(c);
        ++i;
    }
    return Encode(out);
}

}  // namespace rectify::domain
