// Checks shared by the use cases inside src/service (workflow, linkage, supervision): roles over an
// org, the If-Match version, and transition events. Defined in service.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.hpp"
#include "domain/workflow.hpp"
#include "service/service.hpp"

namespace rectify::service::detail {

// kOk when the actor holds one of `roles` (or admin) over org `org`; otherwise kPermissionDenied
// "<doing> needs the role clerk or reviewer over org 12".
Status AuthorizeRoles(const Service& svc, const domain::Actor& actor, domain::RoleSet roles, domain::OrgId org,
                      const std::string& doing);

// The answer for a record read by id that failed with `read`: kNotFound `message` when the store found no such
// record, else the store's own error unchanged — kUnavailable while the database is down must stay 503, not
// become "does not exist" (a client would take the record for deleted). Outside the scope is the caller's
// kNotFound, as before.
Status MissingOr(const Status& read, const std::string& message);

// kOk when `sent` is empty or equals `current`; otherwise kAborted naming both versions.
Status CheckVersion(const std::string& what, std::int64_t id, std::optional<std::int64_t> sent, std::int64_t current);

// An event of a state change: MakeEvent with the states before and after and the reason given.
store::Event TransitionEvent(const domain::Actor& actor, std::string entity, std::int64_t id, std::string action,
                             const std::optional<nlohmann::json>& before, const std::optional<nlohmann::json>& after,
                             std::optional<std::string> from, std::optional<std::string> to,
                             std::optional<std::string> reason);

}  // namespace rectify::service::detail
