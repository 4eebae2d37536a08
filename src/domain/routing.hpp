// Routing rules (issue 5, docs/LINKAGE.md#routing-rules): which org an incoming opinion goes to, by where it
// happened (its GB/T 2260 division code) and what it is about (its category). The rule table is edited by
// administrators as a whole and kept in versions; each opinion records the rule that routed it. Pure
// functions, no I/O; thread-safe.
//
// Precedence ("most specific wins", like FixMyStreet's area + category routing; the 兜底 owner catches
// the rest):
//   1. a category rule — one naming the opinion's category or one of its ancestors — in the most specific
//      area that has one: the opinion's township before its county, its county before its city, ..., and a
//      rule without an area (the whole jurisdiction) last; within one area the deepest category wins;
//   2. otherwise the fallback rule (兜底: a rule without a category) of the most specific area that has
//      one, a fallback without an area last;
//   3. otherwise no rule matches and the caller applies its default (public intake: the deepest org whose
//      division code is the location's or an ancestor's, else the root; docs/PUBLIC.md#routing).
// So an environment rule at county level beats a township's catch-all: sector responsibility (行业) set
// for a category outranks locality (属地) for everything else, which is how 12345 dispatch tables read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"

namespace rectify::domain {

using RoutingRuleId = std::int64_t;

// One row of the rule table. Rows are never changed once stored: an edit stores a new version of the
// whole table (RoutingRuleSet), so an opinion's routing_rule_id keeps meaning what it meant.
struct RoutingRule {
    RoutingRuleId id = 0;                        // unique across versions
    int version = 0;                             // the rule set it belongs to
    std::optional<std::string> division_code;    // 2, 4, 6, 9 or 12 digits; none = the whole jurisdiction
    std::optional<CategoryId> category_id;       // none = the area's fallback (兜底) owner
    OrgId org_id = 0;                            // where matching opinions go
    std::string note;                            // why, for the admins (≤ 200 characters)
};

// A version of the rule table: the rules in force from `created_at` (UTC seconds) until the next version.
struct RoutingRuleSet {
    int version = 0;  // 1, 2, ... (0: no rule set stored yet)
    UnixSeconds created_at = 0;
    std::string created_by;  // the account's login
    std::string note;        // what changed (≤ 200 characters)
    std::vector<RoutingRule> rules;
};

// One time an opinion was routed to an org (table opinion_routing): first by a rule or the default,
// then once per transfer (转办) by the receiving org.
struct OpinionRouting {
    std::int64_t id = 0;
    OpinionId opinion_id = 0;
    UnixSeconds at = 0;
    std::optional<OrgId> from_org_id;   // none for the first routing
    OrgId to_org_id = 0;
    std::optional<RoutingRuleId> rule_id;  // the rule that routed it; none for the default and transfers
    std::string actor;                  // the account's login, or "public" / "open311:<token id>"
    std::optional<std::string> reason;  // why it was transferred
};

// What routing knows about an opinion.
struct RoutingInput {
    // The location and its ancestors, most specific first, as public_intake.hpp's RoutingCandidates gives
    // them (e.g. "350102001", "350102", "3501", "35"); empty when only a free address is known.
    std::vector<std::string> areas;
    // The opinion's category and its ancestors, deepest first; empty when it has no category.
    std::vector<CategoryId> categories;
};

// The index into `rules` of the rule that routes `input` by the precedence above, or nullopt when none
// matches. Ties cannot happen in a checked rule set (CheckRoutingRules rejects two rules with the same area
// and category); should they, the earlier rule wins. O(rules × (areas + categories)).
std::optional<std::size_t> PickRoutingRule(const std::vector<RoutingRule>& rules, const RoutingInput& input);

// Checks a rule table before it is stored: every division_code is 2, 4, 6, 9 or 12 digits; org_id > 0;
// note ≤ 200 characters; no two rules share an area and a category (which one applied would be arbitrary);
// at most 20,000 rules. Errors: kInvalidArgument naming the rule by its position, e.g.
// "rules[3].division_code: \"35010\" is not a division code (2, 4, 6, 9 or 12 digits)" or
// "rules[7]: the same area and category as rules[2]". Org and category existence is the service's check.
Status CheckRoutingRules(const std::vector<RoutingRule>& rules);

// JSON forms (API and events): {id, version, division_code|null, category_id|null, org_id, note};
// {version, created_at, created_by, note, rules: [...]}; {id, opinion_id, at, from_org_id|null, to_org_id,
// rule_id|null, actor, reason|null}. Instants RFC 3339 in the display zone.
nlohmann::json ToJson(const RoutingRule& rule);
nlohmann::json ToJson(const RoutingRuleSet& set);
nlohmann::json ToJson(const OpinionRouting& step);

inline constexpr std::size_t kMaxRoutingRules = 20000;
inline constexpr std::size_t kMaxRoutingNoteChars = 200;

}  // namespace rectify::domain
