// JSON forms of the domain records: the one spelling used by the API, the CLI and the event log.
// Instants are RFC 3339 strings in the display zone (common/time.hpp); enums use their EnumNames.
// Pure; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include "domain/model.hpp"

namespace rectify::domain {

nlohmann::json ToJson(const Org& org);
nlohmann::json ToJson(const OrgLevel& level);
nlohmann::json ToJson(const Category& category);
nlohmann::json ToJson(const Problem& problem);
nlohmann::json ToJson(const Opinion& opinion);

// An optional value as itself or null.
template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// An optional instant as RFC 3339 or null.
nlohmann::json TimeOrNull(const std::optional<UnixSeconds>& t);

}  // namespace rectify::domain
