#include "domain/routing.hpp"

#include <map>
#include <utility>

#include "common/text.hpp"
#include "domain/json.hpp"
#include "domain/public_intake.hpp"

namespace rectify::domain {
namespace {

// The rank of an area among the input's areas (0 = most specific); rules without an area rank after all
// of them. nullopt when the rule's area is not one of the input's.
std::optional<std::size_t> AreaRank(const RoutingRule& rule, const RoutingInput& input) {
    if (!rule.division_code) return input.areas.size();
    for (std::size_t i = 0; i < input.areas.size(); ++i) {
        if (input.areas[i] == *rule.division_code) return i;
    }
    return std::nullopt;
}

// The rank of a rule's category among the input's categories (0 = the opinion's own, deepest).
std::optional<std::size_t> CategoryRank(const RoutingRule& rule, const RoutingInput& input) {
    for (std::size_t i = 0; i < input.categories.size(); ++i) {
        if (input.categories[i] == *rule.category_id) return i;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::size_t> PickRoutingRule(const std::vector<RoutingRule>& rules, const RoutingInput& input) {
    // (area rank, category rank) of the best category rule, and the area rank of the best fallback so far.
    std::optional<std::pair<std::size_t, std::size_t>> best_category_key;
    std::optional<std::size_t> best_category;
    std::optional<std::size_t> best_fallback_area;
    std::optional<std::size_t> best_fallback;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const RoutingRule& rule = rules[i];
        auto area = AreaRank(rule, input);
        if (!area) continue;
        if (rule.category_id) {
            auto category = CategoryRank(rule, input);
            if (!category) continue;
            std::pair<std::size_t, std::size_t> key{*area, *category};
            if (!best_category_key || key < *best_category_key) {
                best_category_key = key;
                best_category = i;
            }
        } else if (!best_fallback_area || *area < *best_fallback_area) {
            best_fallback_area = *area;
            best_fallback = i;
        }
    }
    return best_category ? best_category : best_fallback;
}

Status CheckRoutingRules(const std::vector<RoutingRule>& rules) {
    if (rules.size() > kMaxRoutingRules) {
        return InvalidArgument("rules: " + std::to_string(rules.size()) + " rules, more than the limit of " +
                               std::to_string(kMaxRoutingRules));
    }
    std::map<std::pair<std::string, CategoryId>, std::size_t> seen;  // (area or "", category or 0) -> index
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const RoutingRule& r = rules[i];
        const std::string at = "rules[" + std::to_string(i) + "]";
        if (r.division_code) {
            auto checked = RoutingCandidates(*r.division_code);
            if (!checked.ok()) return InvalidArgument(at + "." + checked.status().message());
        }
        if (r.category_id && *r.category_id <= 0) {
            return InvalidArgument(at + ".category_id: " + std::to_string(*r.category_id) + " is not a category id");
        }
        if (r.org_id <= 0) return InvalidArgument(at + ".org_id: required, an org id");
        if (!IsValidUtf8(r.note)) return InvalidArgument(at + ".note: not valid UTF-8");
        if (CodePointCount(r.note) > kMaxRoutingNoteChars) {
            return InvalidArgument(at + ".note: longer than " + std::to_string(kMaxRoutingNoteChars) + " characters");
        }
        auto [it, fresh] = seen.emplace(std::pair{r.division_code.value_or(""), r.category_id.value_or(0)}, i);
        if (!fresh) {
            return InvalidArgument(at + ": the same area and category as rules[" + std::to_string(it->second) +
                                   "]; which one applied would be arbitrary");
        }
    }
    return Status::Ok();
}

nlohmann::json ToJson(const RoutingRule& r) {
    return {{"id", r.id},           {"version", r.version}, {"division_code", OrNull(r.division_code)},
            {"category_id", OrNull(r.category_id)}, {"org_id", r.org_id}, {"note", r.note}};
}

nlohmann::json ToJson(const RoutingRuleSet& set) {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : set.rules) rules.push_back(ToJson(r));
    return {{"version", set.version},
            {"created_at", set.version ? nlohmann::json(FormatIso(set.created_at)) : nlohmann::json(nullptr)},
            {"created_by", set.created_by},
            {"note", set.note},
            {"rules", std::move(rules)}};
}

nlohmann::json ToJson(const OpinionRouting& x) {
    return {{"id", x.id},
            {"opinion_id", x.opinion_id},
            {"at", FormatIso(x.at)},
            {"from_org_id", OrNull(x.from_org_id)},
            {"to_org_id", x.to_org_id},
            {"rule_id", OrNull(x.rule_id)},
            {"actor", x.actor},
            {"reason", OrNull(x.reason)}};
}

}  // namespace rectify::domain
