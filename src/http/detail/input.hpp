// Strict decoding of request input for the API handlers: JSON bodies (depth-limited, one object, every
// member typed and unknown members rejected) and query parameters (numbers, ids, times, enums).
// Every error is kInvalidArgument with a message that names the field (a JSON pointer such as
// "/due_at" for bodies, the parameter name for queries). Pure; thread-safe.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/enum_names.hpp"

namespace rectify::http::detail {

// Deepest nesting of arrays and objects accepted in a body (the top-level object is level 1).
inline constexpr int kMaxJsonDepth = 32;

// `text` quoted for an error message, cut to at most 40 bytes on a code point boundary ("…" appended).
std::string Quote(std::string_view text);

// Parses a whole decimal integer ("-12", "7"; no sign '+', spaces, or other characters).
// Errors: `<what> "12x" is not an integer`, `<what> "9…9" is out of range`.
Result<std::int64_t> ParseInt64(std::string_view text, std::string_view what);
// Like ParseInt64 and also >= 1 (all rectify ids are). Errors: `invalid <what> "abc": expected a positive integer`.
Result<std::int64_t> ParseId(std::string_view text, std::string_view what);

// Parses a request body that must be one JSON object. Errors: empty body; invalid UTF-8 (with the
// byte offset); malformed JSON (with nlohmann's position text); nesting deeper than kMaxJsonDepth;
// a top-level value that is not an object.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

// An error of a nested object's reader with that object's JSON pointer (RFC 6901) in front: "/name: ..."
// becomes "/attendance/2/name: ...", and a message without a pointer ("unknown field ...") becomes
// "/opinions/0: unknown field ...". OK passes through unchanged.
Status Nested(const Status& s, const std::string& pointer);

// Typed access to the members of one JSON object. Getters treat a present `null` as a type error;
// callers check IsNull() first for the members where null means something (e.g. "clear").
class ObjectReader {
  public:
    explicit ObjectReader(const nlohmann::json& object) : object_(object) {}

    // Errors: `unknown field "foo"` for the first member not in `known` (in the object's key order).
    Status CheckKnown(std::initializer_list<std::string_view> known) const;
    bool Has(std::string_view name) const;
    bool IsNull(std::string_view name) const;
    // Errors: `missing required field "name"`.
    Status Require(std::string_view name) const;

    // Preconditions for the getters: Has(name). Errors name the pointer "/name".
    Result<std::string> String(std::string_view name) const;      // "/name: expected a string"
    Result<std::int64_t> Int(std::string_view name) const;        // "/name: expected an integer"
    Result<bool> Bool(std::string_view name) const;               // "/name: expected true or false"
    Result<std::int64_t> Id(std::string_view name) const;         // "/name: expected a positive integer"
    Result<UnixSeconds> Time(std::string_view name) const;        // "/name: expected an RFC 3339 string"
    Result<std::vector<std::int64_t>> IdArray(std::string_view name) const;  // "/name/2: expected ..."
    template <typename E>
    Result<E> Enum(std::string_view name) const {
        ASSIGN_OR_RETURN(std::string text, String(name));
        auto parsed = domain::ParseEnum<E>(text);
        if (!parsed.ok()) return InvalidArgument("/" + std::string(name) + ": " + parsed.status().message());
        return *parsed;
    }

  private:
    const nlohmann::json& Get(std::string_view name) const;
    const nlohmann::json& object_;
};

// Typed access to query parameters. Getters return nullopt when the parameter is absent; a parameter
// given with an empty value ("?limit=") is an error for every typed getter.
class QueryReader {
  public:
    explicit QueryReader(const std::vector<std::pair<std::string, std::string>>& query) : query_(query) {}

    // Errors: `unknown query parameter "foo" (allowed: a, b)`, `query parameter "x" is given twice`.
    Status CheckKnown(std::initializer_list<std::string_view> known) const;
    std::optional<std::string> Get(std::string_view name) const;

    Result<std::optional<std::int64_t>> Id(std::string_view name) const;
    // A comma-separated list of ids ("3,17,42"), each a positive integer, at most `max_items`, duplicates
    // dropped (first occurrence kept); absent: an empty vector. Errors (400): `query parameter "ids" has an
    // empty item`, `query parameter "ids", item 2: ...` (the 1-based position of a malformed id), `query
    // parameter "ids" lists 1001 ids; at most 1000`.
    Result<std::vector<std::int64_t>> IdList(std::string_view name, std::size_t max_items) const;
    // An integer in [lo, hi]. Errors: `query parameter "limit" must be between 1 and 500`.
    Result<std::optional<int>> IntInRange(std::string_view name, int lo, int hi) const;
    // RFC 3339 or a date (common/time.hpp ParseIso). A '+' of the UTC offset that was sent unescaped
    // arrives as a space ("08:30:00 08:00") and is read back as '+'.
    Result<std::optional<UnixSeconds>> Time(std::string_view name) const;
    // "true" or "false".
    Result<std::optional<bool>> Bool(std::string_view name) const;
    Result<std::optional<std::string>> NonEmpty(std::string_view name) const;

    template <typename E>
    Result<std::optional<E>> Enum(std::string_view name) const {
        auto v = Get(name);
        if (!v) return std::optional<E>();
        auto parsed = domain::ParseEnum<E>(*v);
        if (!parsed.ok())
            return InvalidArgument("query parameter \"" + std::string(name) + "\": " + parsed.status().message());
        return std::optional<E>(*parsed);
    }
    // A comma-separated list of enum names ("registered,closed"); empty items are errors.
    template <typename E>
    Result<std::vector<E>> EnumList(std::string_view name) const {
        std::vector<E> out;
        auto v = Get(name);
        if (!v) return out;
        std::size_t start = 0;
        while (true) {
            std::size_t comma = v->find(',', start);
            std::string item = v->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (item.empty()) {
                return InvalidArgument("query parameter \"" + std::string(name) + "\" has an empty item");
            }
            auto parsed = domain::ParseEnum<E>(item);
            if (!parsed.ok()) {
                return InvalidArgument("query parameter \"" + std::string(name) + "\": " + parsed.status().message());
            }
            out.push_back(*parsed);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        return out;
    }

  private:
    const std::vector<std::pair<std::string, std::string>>& query_;
};

// RFC 8187 ext-value of a file name for Content-Disposition's filename*: "UTF-8''" and the UTF-8 bytes,
// percent-encoded except attr-chars.
std::string ExtValue(const std::string& name);

}  // namespace rectify::http::detail
