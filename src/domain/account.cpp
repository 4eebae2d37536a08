#include "domain/account.hpp"

#include "common/text.hpp"
#include "domain/json.hpp"

namespace rectify::domain {

Status ValidateUserName(std::string_view name) {
    if (name.empty() || name.size() > kMaxUserNameChars) {
        return InvalidArgument("name: a login name has 1 to " + std::to_string(kMaxUserNameChars) + " characters");
    }
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(name.front())) return InvalidArgument("name: must start with a lower-case letter or a digit");
    for (char c : name) {
        if (!alnum(c) && c != '.' && c != '_' && c != '-') {
            return InvalidArgument("name: only lower-case letters a-z, digits, '.', '_' and '-' are allowed");
        }
    }
    return Status::Ok();
}

Status ValidateUser(const User& u) {
    RETURN_IF_ERROR(ValidateUserName(u.name));
    if (!IsValidUtf8(u.display_name)) return InvalidArgument("display_name: invalid UTF-8");
    if (TrimAscii(u.display_name).empty()) return InvalidArgument("display_name: must not be empty");
    if (CodePointCount(u.display_name) > kMaxNameChars) {
        return InvalidArgument("display_name: longer than " + std::to_string(kMaxNameChars) + " characters");
    }
    if (u.org_id <= 0) return InvalidArgument("org_id: required");
    return Status::Ok();
}

Status ValidatePassword(std::string_view password, std::string_view user_name) {
    if (!IsValidUtf8(password)) return InvalidArgument("password: invalid UTF-8");
    const std::size_t n = CodePointCount(password);
    if (n < kMinPasswordChars) {
        return InvalidArgument("password: at least " + std::to_string(kMinPasswordChars) + " characters");
    }
    if (n > kMaxPasswordChars) {
        return InvalidArgument("password: at most " + std::to_string(kMaxPasswordChars) + " characters");
    }
    if (password == user_name) return InvalidArgument("password: must not be the login name");
    return Status::Ok();
}

nlohmann::json ToJson(const UserGrant& g) {
    return {{"id", g.id}, {"role", ToString(g.role)}, {"org_id", g.org_id}};
}

nlohmann::json ToJson(const Grant& g) { return {{"role", ToString(g.role)}, {"org_id", g.org_id}}; }

nlohmann::json ToJson(const User& u) {
    nlohmann::json grants = nlohmann::json::array();
    for (const auto& g : u.grants) grants.push_back(ToJson(g));
    return {{"id", u.id},
            {"name", u.name},
            {"display_name", u.display_name},
            {"org_id", u.org_id},
            {"disabled", u.disabled},
            {"must_change_password", u.must_change_password},
            {"created_at", FormatIso(u.created_at)},
            {"password_changed_at", FormatIso(u.password_changed_at)},
            {"version", u.version},
            {"grants", std::move(grants)},
            {"cadre_rank", u.cadre_rank ? nlohmann::json(*u.cadre_rank) : nlohmann::json(nullptr)}};
}

nlohmann::json ToJson(const ApiToken& t) {
    nlohmann::json grants = nlohmann::json::array();
    for (const auto& g : t.grants) grants.push_back(ToJson(g));
    return {{"id", t.id},
            {"user_id", t.user_id},
            {"name", t.name},
            {"prefix", t.prefix},
            {"created_at", FormatIso(t.created_at)},
            {"expires_at", FormatIso(t.expires_at)},
            {"revoked_at", TimeOrNull(t.revoked_at)},
            {"last_used_at", TimeOrNull(t.last_used_at)},
            {"grants", std::move(grants)}};
}

}  // namespace rectify::domain
