#include "http/detail/input.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "common/text.hpp"

namespace rectify::http::detail {
namespace {

struct TooDeep {};

std::string Pointer(std::string_view name) { return "/" + std::string(name); }

bool IsDigits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "2020-09-03T08:30:00 08:00" (an unescaped '+' decoded as a space) -> "2020-09-03T08:30:00+08:00".
std::string RestorePlusOffset(std::string text) {
    const std::size_t n = text.size();
    if (n >= 16 && text[n - 6] == ' ' && IsDigits(std::string_view(text).substr(n - 5, 2)) && text[n - 3] == ':' &&
        IsDigits(std::string_view(text).substr(n - 2, 2))) {
        text[n - 6] = '+';
    }
    return text;
}

}  // namespace

std::string Quote(std::string_view text) {
    constexpr std::size_t kMax = 40;
    if (text.size() <= kMax) return "\"" + std::string(text) + "\"";
    std::size_t cut = kMax;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return "\"" + std::string(text.substr(0, cut)) + "…\"";
}

Result<std::int64_t> ParseInt64(std::string_view text, std::string_view what) {
    std::int64_t value = 0;
    const char* first = text.data();
    const char* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (text.empty() || ec == std::errc::invalid_argument || ptr != last) {
        return InvalidArgument(std::string(what) + " " + Quote(text) + " is not an integer");
    }
    if (ec == std::errc::result_out_of_range) {
        return InvalidArgument(std::string(what) + " " + Quote(text) + " is out of range");
    }
    return value;
}

Result<std::int64_t> ParseId(std::string_view text, std::string_view what) {
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || value < 1) {
        return InvalidArgument("invalid " + std::string(what) + " " + Quote(text) + ": expected a positive integer");
    }
    return value;
}

Status Nested(const Status& s, const std::string& pointer) {
    if (s.ok()) return s;
    const std::string& m = s.message();
    return Status(s.code(), !m.empty() && m.front() == '/' ? pointer + m : pointer + ": " + m);
}

Result<nlohmann::json> ParseJsonObject(std::string_view body) {
    if (TrimAscii(body).empty()) return InvalidArgument("the request body is empty; expected a JSON object");
    if (auto bad = FirstInvalidUtf8(body)) {
        return InvalidArgument("the request body is not valid UTF-8 (byte " + std::to_string(*bad) + ")");
    }
    nlohmann::json::parser_callback_t limit_depth = [](int depth, nlohmann::json::parse_event_t event,
                                                       nlohmann::json&) -> bool {
        // `depth` counts the containers around the one that starts: 0 for the top-level value.
        if ((event == nlohmann::json::parse_event_t::object_start ||
             event == nlohmann::json::parse_event_t::array_start) &&
            depth >= kMaxJsonDepth) {
            throw TooDeep{};
        }
        return true;
    };
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(body.begin(), body.end(), limit_depth);
    } catch (const TooDeep&) {
        return InvalidArgument("the request body is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    } catch (const nlohmann::json::exception& e) {
        std::string what = e.what();
        if (auto close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
            what = what.substr(close + 2);
        }
        return InvalidArgument("the request body is not valid JSON: " + what);
    }
    if (!value.is_object()) return InvalidArgument("the request body must be a JSON object");
    return value;
}

Status ObjectReader::CheckKnown(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : object_.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            return InvalidArgument("unknown field " + Quote(key));
        }
    }
    return Status::Ok();
}

bool ObjectReader::Has(std::string_view name) const { return object_.contains(name); }

bool ObjectReader::IsNull(std::string_view name) const {
    auto it = object_.find(name);
    return it != object_.end() && it->is_null();
}

Status ObjectReader::Require(std::string_view name) const {
    if (!Has(name)) return InvalidArgument("missing required field \"" + std::string(name) + "\"");
    return Status::Ok();
}

const nlohmann::json& ObjectReader::Get(std::string_view name) const {
    static const nlohmann::json kNull;
    auto it = object_.find(name);
    return it == object_.end() ? kNull : *it;
}

Result<std::string> ObjectReader::String(std::string_view name) const {
    const auto& v = Get(name);
    if (!v.is_string()) return InvalidArgument(Pointer(name) + ": expected a string");
    return v.get<std::string>();
}

namespace {
Result<std::int64_t> JsonInt(const nlohmann::json& v, const std::string& pointer) {
    if (v.is_number_unsigned()) {
        auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return InvalidArgument(pointer + ": integer out of range");
        }
        return static_cast<std::int64_t>(u);
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    return InvalidArgument(pointer + ": expected an integer");
}
}  // namespace

Result<std::int64_t> ObjectReader::Int(std::string_view name) const { return JsonInt(Get(name), Pointer(name)); }

Result<bool> ObjectReader::Bool(std::string_view name) const {
    const auto& v = Get(name);
    if (!v.is_boolean()) return InvalidArgument(Pointer(name) + ": expected true or false");
    return v.get<bool>();
}

Result<std::int64_t> ObjectReader::Id(std::string_view name) const {
    const auto& v = Get(name);
    auto i = JsonInt(v, Pointer(name));
    if (!i.ok() || *i < 1) return InvalidArgument(Pointer(name) + ": expected a positive integer");
    return *i;
}

Result<UnixSeconds> ObjectReader::Time(std::string_view name) const {
    const auto& v = Get(name);
    if (!v.is_string()) return InvalidArgument(Pointer(name) + ": expected an RFC 3339 string");
    auto t = ParseIso(v.get<std::string>());
    if (!t.ok()) return InvalidArgument(Pointer(name) + ": " + t.status().message());
    return *t;
}

Result<std::vector<std::int64_t>> ObjectReader::IdArray(std::string_view name) const {
    const auto& v = Get(name);
    if (!v.is_array()) return InvalidArgument(Pointer(name) + ": expected an array of positive integers");
    std::vector<std::int64_t> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const std::string pointer = Pointer(name) + "/" + std::to_string(i);
        auto id = JsonInt(v[i], pointer);
        if (!id.ok() || *id < 1) return InvalidArgument(pointer + ": expected a positive integer");
        out.push_back(*id);
    }
    return out;
}

Status QueryReader::CheckKnown(std::initializer_list<std::string_view> known) const {
    for (std::size_t i = 0; i < query_.size(); ++i) {
        const std::string& name = query_[i].first;
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            std::string allowed;
            for (auto k : known) {
                if (!allowed.empty()) allowed += ", ";
                allowed += k;
            }
            return InvalidArgument(
                "unknown query parameter " + Quote(name) +
                (allowed.empty() ? std::string(" (this route takes none)") : " (allowed: " + allowed + ")"));
        }
        for (std::size_t j = 0; j < i; ++j) {
            if (query_[j].first == name) return InvalidArgument("query parameter " + Quote(name) + " is given twice");
        }
    }
    return Status::Ok();
}

std::optional<std::string> QueryReader::Get(std::string_view name) const {
    for (const auto& [k, v] : query_) {
        if (k == name) return v;
    }
    return std::nullopt;
}

Result<std::optional<std::int64_t>> QueryReader::Id(std::string_view name) const {
    auto v = Get(name);
    if (!v) return std::optional<std::int64_t>();
    ASSIGN_OR_RETURN(auto id, ParseId(*v, "query parameter \"" + std::string(name) + "\""));
    return std::optional<std::int64_t>(id);
}

Result<std::vector<std::int64_t>> QueryReader::IdList(std::string_view name, std::size_t max_items) const {
    std::vector<std::int64_t> out;
    auto v = Get(name);
    if (!v) return out;
    const std::string what = "query parameter \"" + std::string(name) + "\"";
    std::size_t start = 0;
    std::size_t position = 0;
    while (true) {
        ++position;
        const std::size_t comma = v->find(',', start);
        const std::string item = v->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (item.empty()) return InvalidArgument(what + " has an empty item");
        if (position > max_items) {
            const auto total = static_cast<std::size_t>(std::count(v->begin(), v->end(), ',')) + 1;
            return InvalidArgument(what + " lists " + std::to_string(total) + " ids; at most " +
                                   std::to_string(max_items));
        }
        ASSIGN_OR_RETURN(auto id, ParseId(item, what + ", item " + std::to_string(position)));
        if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

Result<std::optional<int>> QueryReader::IntInRange(std::string_view name, int lo, int hi) const {
    auto v = Get(name);
    if (!v) return std::optional<int>();
    const std::string what = "query parameter \"" + std::string(name) + "\"";
    auto n = ParseInt64(*v, what);
    if (!n.ok() || *n < lo || *n > hi) {
        return InvalidArgument(what + " must be an integer between " + std::to_string(lo) + " and " +
                               std::to_string(hi) + ", not " + Quote(*v));
    }
    return std::optional<int>(static_cast<int>(*n));
}

Result<std::optional<UnixSeconds>> QueryReader::Time(std::string_view name) const {
    auto v = Get(name);
    if (!v) return std::optional<UnixSeconds>();
    auto t = ParseIso(RestorePlusOffset(*v));
    if (!t.ok()) return InvalidArgument("query parameter \"" + std::string(name) + "\": " + t.status().message());
    return std::optional<UnixSeconds>(*t);
}

Result<std::optional<bool>> QueryReader::Bool(std::string_view name) const {
    auto v = Get(name);
    if (!v) return std::optional<bool>();
    if (*v == "true") return std::optional<bool>(true);
    if (*v == "false") return std::optional<bool>(false);
    return InvalidArgument("query parameter \"" + std::string(name) + "\" must be true or false, not " + Quote(*v));
}

Result<std::optional<std::string>> QueryReader::NonEmpty(std::string_view name) const {
    auto v = Get(name);
    if (v && v->empty()) return InvalidArgument("query parameter \"" + std::string(name) + "\" is empty");
    return v;
}

// RFC 8187 ext-value of a file name: UTF-8, percent-encoded except attr-chars.
std::string ExtValue(const std::string& name) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "UTF-8''";
    for (unsigned char ch : name) {
        if (std::isalnum(ch) || std::string_view("!#$&+-.^_`|~").find(static_cast<char>(ch)) != std::string_view::npos) {
            out += static_cast<char>(ch);
        } else {
            out += '%';
            out += kHex[ch >> 4];
            out += kHex[ch & 15];
        }
    }
    return out;
}

}  // namespace rectify::http::detail
