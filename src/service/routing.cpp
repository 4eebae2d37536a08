// Routing rules (issue 5, docs/LINKAGE.md#routing-rules): the versioned rule table that sends incoming
// opinions to an owner org by location and category. The precedence is domain::PickRoutingRule's; this
// file checks who may read and replace the table and that its orgs and categories exist. Thread-safe like
// every Service call.
#include <map>

#include "common/text.hpp"
#include "common/time.hpp"
#include "service/detail/checks.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

std::string Id(std::int64_t id) { return std::to_string(id); }

}  // namespace

// Both reading and replacing need admin over the root org (service.hpp).
static Status RequireRootAdmin(const Service& svc, const Actor& actor, const char* doing) {
    auto tree = svc.Tree();
    if (!tree || tree->size() == 0) return FailedPrecondition("the org tree is empty: run rectify init first");
    return detail::AuthorizeRoles(svc, actor, domain::RoleSet{domain::Role::kAdmin}, tree->Root(), doing);
}

Result<domain::RoutingRuleSet> Service::GetRoutingRules(const Actor& actor, std::optional<int> version) {
    RETURN_IF_ERROR(RequireRootAdmin(*this, actor, "reading the routing rules"));
    return store_->GetRoutingRuleSet(version);
}

Result<domain::RoutingRuleSet> Service::ReplaceRoutingRules(const Actor& actor, std::vector<domain::RoutingRule> rules,
                                                            const std::string& note) {
    RETURN_IF_ERROR(RequireRootAdmin(*this, actor, "replacing the routing rules"));
    RETURN_IF_ERROR(domain::CheckRoutingRules(rules));
    if (!IsValidUtf8(note) || CodePointCount(note) > domain::kMaxRoutingNoteChars) {
        return InvalidArgument("note: at most " + std::to_string(domain::kMaxRoutingNoteChars) +
                               " characters of UTF-8 text");
    }
    auto tree = Tree();
    ASSIGN_OR_RETURN(auto categories, store_->ListCategories());
    std::map<domain::CategoryId, bool> category_ids;
    for (const auto& c : categories) category_ids[c.id] = true;
    for (std::size_t i = 0; i < rules.size(); ++i) {
        const std::string at = "rules[" + std::to_string(i) + "]";
        if (!tree->Contains(rules[i].org_id)) return InvalidArgument(at + ".org_id: no org " + Id(rules[i].org_id));
        if (rules[i].category_id && !category_ids.count(*rules[i].category_id)) {
            return InvalidArgument(at + ".category_id: no category " + Id(*rules[i].category_id));
        }
    }
    domain::RoutingRuleSet set;
    set.created_at = NowSeconds();
    set.created_by = actor.name;
    set.note = note;
    set.rules = std::move(rules);
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertRoutingRuleSet(set));
        nlohmann::json after = {{"version", set.version}, {"rules", set.rules.size()}, {"note", set.note}};
        store::Event e = detail::TransitionEvent(actor, "routing_rules", set.version, "replace", std::nullopt, after,
                                                 std::nullopt, std::nullopt, std::nullopt);
        e.org_id = tree->Root();  // the rules are the whole jurisdiction's
        return tx.AppendEvent(e);
    }));
    return set;
}

Result<std::optional<domain::RoutingRule>> Service::RouteByRules(const std::optional<std::string>& division_code,
                                                                std::optional<domain::CategoryId> category_id) {
    domain::RoutingInput input;
    if (division_code) {
        ASSIGN_OR_RETURN(input.areas, domain::RoutingCandidates(*division_code));
    }
    if (category_id) {
        // The category and its ancestors, deepest first.
        ASSIGN_OR_RETURN(auto categories, store_->ListCategories());
        std::map<domain::CategoryId, std::optional<domain::CategoryId>> parent;
        for (const auto& c : categories) parent[c.id] = c.parent_id;
        std::optional<domain::CategoryId> c = category_id;
        while (c && parent.count(*c) && input.categories.size() < 16) {
            input.categories.push_back(*c);
            c = parent[*c];
        }
    }
    ASSIGN_OR_RETURN(auto rules, store_->RoutingRulesFor(input.areas));
    auto picked = domain::PickRoutingRule(rules, input);
    if (!picked) return std::optional<domain::RoutingRule>{};
    return std::optional<domain::RoutingRule>{rules[*picked]};
}

}  // namespace rectify::service
