// One table of names per domain enum, and the two functions that use it: ToString and ParseEnum.
// The names are the API, database and CLI spelling of each value (snake_case English terms of
// PRODUCT.md). Pure; thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "common/status.hpp"

namespace rectify::domain {

// Specialise with `static constexpr std::array<std::pair<E, std::string_view>, N> kNames` and
// `static constexpr std::string_view kWhat` (the field name for error messages).
template <typename E>
struct EnumNames;

template <typename E>
std::string_view ToString(E value) {
    for (const auto& [v, name] : EnumNames<E>::kNames) {
        if (v == value) return name;
    }
    return "unknown";
}

// Errors: kInvalidArgument "unknown <what> "x" (allowed: a, b, c)".
template <typename E>
Result<E> ParseEnum(std::string_view text) {
    for (const auto& [v, name] : EnumNames<E>::kNames) {
        if (name == text) return v;
    }
    std::string allowed;
    for (const auto& [v, name] : EnumNames<E>::kNames) {
        if (!allowed.empty()) allowed += ", ";
        allowed += name;
    }
    return InvalidArgument("unknown " + std::string(EnumNames<E>::kWhat) + " \"" + std::string(text) +
                           "\" (allowed: " + allowed + ")");
}

// All names of E, in table order (for OpenAPI enums and UI pickers).
template <typename E>
auto AllNames() {
    std::array<std::string_view, EnumNames<E>::kNames.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = EnumNames<E>::kNames[i].second;
    return out;
}

}  // namespace rectify::domain
