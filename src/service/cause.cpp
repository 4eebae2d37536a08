// Root-cause analysis (把症结分析透) and leaders' own problem lists (个人检视问题清单), issue 12: the use
// cases and their scope rules (docs/CAUSES.md). Thread-safe like Service.
//
// Figures by cause category are counted by SQL over the subtree (store::Store::CauseFigures) for the same
// reason as the per-item figures of campaigns (src/service/campaign.cpp): the categories are an open list
// and a problem may carry several, which the roll-up index's fixed counters do not model.
#include <algorithm>
#include <set>

#include "domain/json.hpp"
#include "service/detail/checks.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using nlohmann::json;

bool IsOpenStatus(domain::ProblemStatus s) {
    return s == domain::ProblemStatus::kRegistered || s == domain::ProblemStatus::kPlanned ||
           s == domain::ProblemStatus::kInProgress || s == domain::ProblemStatus::kPendingVerification;
}

std::string ItemNotFound(domain::SelfInspectionItemId id) {
    return "self-inspection item " + std::to_string(id) + " does not exist";
}

}  // namespace

// ---- cause categories ----

Result<std::vector<domain::CauseCategory>> Service::ListCauseCategories(const Actor& /*actor*/) {
    // Every signed-in actor reads the list: it names categories, not problems.
    return store_->ListCauseCategories();
}

Result<domain::CauseCategory> Service::CreateCauseCategory(const Actor& actor, const CauseCategoryDraft& draft) {
    auto tree = Tree();
    if (!tree || !HasRole(actor, domain::Role::kAdmin, tree->Root()) || !InScope(actor, tree->Root())) {
        return PermissionDenied("the cause categories are shared by the whole tree: changing them needs the admin "
                                "role over the root org");
    }
    domain::CauseCategory c;
    c.code = draft.code;
    c.name_zh = draft.name_zh;
    c.name_en = draft.name_en;
    c.higher_level = draft.higher_level;
    c.sort_order = draft.sort_order;
    c.active = draft.active;
    c.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateCauseCategory(c));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertCauseCategory(c));
        auto ev = MakeEvent(actor, "cause_category", c.id, "create", std::nullopt, domain::ToJson(c));
        ev.org_id = tree->Root();
        return tx.AppendEvent(ev);
    }));
    return c;
}

Result<domain::CauseCategory> Service::UpdateCauseCategory(const Actor& actor, domain::CauseCategoryId id,
                                                           const CauseCategoryPatch& patch, std::int64_t version) {
    auto tree = Tree();
    if (!tree || !HasRole(actor, domain::Role::kAdmin, tree->Root()) || !InScope(actor, tree->Root())) {
        return PermissionDenied("the cause categories are shared by the whole tree: changing them needs the admin "
                                "role over the root org");
    }
    auto found = store_->GetCauseCategory(id);
    if (!found.ok()) return found.status();
    const domain::CauseCategory before = *found;
    RETURN_IF_ERROR(detail::CheckVersion("cause category", id, version, before.version));
    domain::CauseCategory c = before;
    if (patch.code) c.code = *patch.code;
    if (patch.name_zh) c.name_zh = *patch.name_zh;
    if (patch.name_en) c.name_en = *patch.name_en;
    if (patch.higher_level) c.higher_level = *patch.higher_level;
    if (patch.sort_order) c.sort_order = *patch.sort_order;
    if (patch.active) c.active = *patch.active;
    c.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateCauseCategory(c));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateCauseCategory(c));
        auto ev = MakeEvent(actor, "cause_category", id, "update", domain::ToJson(before), domain::ToJson(c));
        ev.org_id = tree->Root();
        return tx.AppendEvent(ev);
    }));
    return c;
}

// ---- the analysis of a problem ----

Result<CauseAnalysisResult> Service::SetCauseAnalysis(const Actor& actor, domain::ProblemId id,
                                                      const CauseAnalysisInput& input) {
    ASSIGN_OR_RETURN(ProblemDetail detail, GetProblem(actor, id));
    if (detail.access != ProblemAccess::kFull || !CanEditProblems(actor, detail.problem.owner_org_id)) {
        return PermissionDenied("the cause analysis is part of the problem: it needs the clerk or reviewer role over "
                                "the problem's owner org");
    }
    const std::int64_t stored_version = detail.cause_analysis ? detail.cause_analysis->version : 0;
    if (input.version && *input.version != stored_version) {
        return Aborted("the cause analysis of problem " + std::to_string(id) + " was changed by someone else: you sent "
                       "version " + std::to_string(*input.version) + ", the current version is " +
                       std::to_string(stored_version) + " (0: none yet); reload and apply your change again");
    }
    CauseAnalysisResult out;
    out.analysis.problem_id = id;
    out.analysis.category_ids = input.category_ids;
    out.analysis.text = input.text;
    out.analysis.updated_by = actor.name;
    out.analysis.updated_at = NowSeconds();
    out.analysis.version = stored_version;
    std::vector<std::optional<domain::CauseCategory>> chosen;
    for (domain::CauseCategoryId cid : input.category_ids) {
        auto c = store_->GetCauseCategory(cid);
        if (!c.ok() && c.status().code() != StatusCode::kNotFound) return c.status();
        chosen.push_back(c.ok() ? std::optional<domain::CauseCategory>(*c) : std::nullopt);
    }
    const std::vector<domain::CauseCategoryId> before_ids =
        detail.cause_analysis ? detail.cause_analysis->category_ids : std::vector<domain::CauseCategoryId>{};
    RETURN_IF_ERROR(domain::ValidateCauseAnalysis(out.analysis, chosen, before_ids));
    std::sort(out.analysis.category_ids.begin(), out.analysis.category_ids.end());
    for (const auto& c : chosen) out.causes.push_back(*c);
    std::sort(out.causes.begin(), out.causes.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    const std::optional<json> before_json =
        detail.cause_analysis ? std::optional<json>(domain::ToJson(*detail.cause_analysis)) : std::nullopt;
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.PutCauseAnalysis(out.analysis));  // re-checks the version inside the transaction
        auto ev = MakeEvent(actor, "problem", id, "cause_analysis", before_json, domain::ToJson(out.analysis));
        return tx.AppendEvent(ev);
    }));
    for (const auto& c : out.causes) {
        if (c.higher_level) out.higher_level_ids.push_back(c.id);
    }
    const bool pending = std::any_of(detail.escalations.begin(), detail.escalations.end(), [](const auto& e) {
        return e.status == domain::EscalationStatus::kPending;
    });
    const bool has_parent = Tree()->Parent(detail.problem.owner_org_id).has_value();
    out.escalation_suggested =
        !out.higher_level_ids.empty() && IsOpenStatus(detail.problem.status) && !pending && has_parent;
    return out;
}

Result<CauseStats> Service::GetCauseStats(const Actor& actor, domain::OrgId org_id, const CauseStatsQuery& query,
                                          UnixSeconds now) {
    CauseStats out;
    ASSIGN_OR_RETURN(out.org, GetOrgInScope(actor, org_id));
    out.at = now;
    store::CauseFigureFilter f;
    f.subtree_path = out.org.path;
    f.now = now;
    f.source = query.source;
    if (query.category_id) {
        ASSIGN_OR_RETURN(domain::Category category, GetCategory(*query.category_id));
        f.category_path = category.path;
    }
    RETURN_IF_ERROR(CheckCampaignFilter(actor, query.campaign_id, query.special_item_id));
    if (query.batch && (*query.batch < 0 || *query.batch > 2)) return InvalidArgument("batch: must be 0, 1 or 2");
    if (query.created_from && query.created_to && *query.created_to < *query.created_from) {
        return InvalidArgument("created_to: must not be before created_from");
    }
    f.campaign_id = query.campaign_id;
    f.special_item_id = query.special_item_id;
    f.batch = query.batch;
    f.org_kind = query.org_kind;
    f.created_from = query.created_from;
    f.created_to = query.created_to;
    ASSIGN_OR_RETURN(store::CauseReport r, store_->CauseFigures(f));
    ASSIGN_OR_RETURN(auto categories, store_->ListCauseCategories());
    for (auto& c : categories) {
        auto it = r.by_category.find(c.id);
        if (!c.active && it == r.by_category.end()) continue;
        out.categories.emplace_back(std::move(c), it == r.by_category.end() ? store::CauseCounts{} : it->second);
    }
    out.analysed = r.analysed;
    out.without_analysis = r.without_analysis;
    return out;
}

// ---- cadre ranks ----
// (Service::SetUserCadreRank lives in accounts.cpp beside the other account changes.)

// ---- self-inspection items ----

bool Service::SeesSelfInspectionItem(const Actor& actor, const domain::SelfInspectionItem& item) const {
    auto tree = Tree();
    if (!tree || !tree->Contains(item.org_id) || !InScope(actor, item.org_id)) return false;
    if (item.kind == domain::SelfInspectionKind::kLeadershipGroup) return true;  // the org's own record
    if (actor.user_id && item.owner_user_id && *actor.user_id == *item.owner_user_id) return true;
    for (const auto& g : actor.grants) {
        if (!tree->Contains(g.org_id)) continue;
        // The org's leadership: leader, org_admin or admin held on the org itself.
        if (g.org_id == item.org_id &&
            (g.role == domain::Role::kLeader || g.role == domain::Role::kOrgAdmin || g.role == domain::Role::kAdmin)) {
            return true;
        }
        // The levels above: leader, supervisor, admin or auditor held on a strict ancestor.
        if (g.org_id != item.org_id && tree->InSubtree(item.org_id, g.org_id) &&
            (g.role == domain::Role::kLeader || g.role == domain::Role::kSupervisor || g.role == domain::Role::kAdmin ||
             g.role == domain::Role::kAuditor)) {
            return true;
        }
    }
    return false;
}

bool Service::MayEditSelfInspectionItem(const Actor& actor, const domain::SelfInspectionItem& item) const {
    if (!SeesSelfInspectionItem(actor, item)) return false;
    if (item.kind == domain::SelfInspectionKind::kPersonal) {
        return actor.user_id && item.owner_user_id && *actor.user_id == *item.owner_user_id;
    }
    for (const auto& g : actor.grants) {
        if (g.org_id == item.org_id && (g.role == domain::Role::kLeader || g.role == domain::Role::kOrgAdmin)) return true;
    }
    return HasRole(actor, domain::Role::kAdmin, item.org_id);
}

Result<SelfInspectionView> Service::CreateSelfInspectionItem(const Actor& actor, domain::OrgId org_id,
                                                             const SelfInspectionDraft& draft) {
    ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, org_id));
    const UnixSeconds now = NowSeconds();
    domain::SelfInspectionItem it;
    it.org_id = org.id;
    it.kind = draft.kind;
    it.position = draft.position;
    it.problem_text = draft.problem_text;
    it.measures = draft.measures;
    it.deadline = draft.deadline;
    it.note = draft.note;
    it.created_by = actor.name;
    it.created_at = it.updated_at = now;
    if (draft.kind == domain::SelfInspectionKind::kPersonal) {
        if (!actor.user_id) return PermissionDenied("a personal list belongs to an account: sign in as the cadre");
        ASSIGN_OR_RETURN(domain::User user, store_->GetUser(*actor.user_id));
        const bool leading = user.cadre_rank && std::find(leading_cadre_ranks_.begin(), leading_cadre_ranks_.end(),
                                                          *user.cadre_rank) != leading_cadre_ranks_.end();
        if (!leading) {
            return PermissionDenied("personal self-inspection lists are kept by leading cadres: account " + user.name +
                                    " has cadre rank " + (user.cadre_rank ? "\"" + *user.cadre_rank + "\"" : "none") +
                                    ", not one of the leading ranks (rectify serve --leading-cadre-ranks)");
        }
        if (user.org_id != org.id) {
            return InvalidArgument("org_id: a personal item belongs to the org of your account (org " +
                                   std::to_string(user.org_id) + "), not org " + std::to_string(org.id));
        }
        it.owner_user_id = user.id;
        it.leader_name = draft.leader_name.value_or(user.display_name);
    } else {
        it.leader_name = draft.leader_name.value_or(org.name + "领导班子");
        if (!MayEditSelfInspectionItem(actor, it)) {
            return PermissionDenied("the leadership group's list of org " + std::to_string(org.id) +
                                    " is kept by its leadership: the leader or org_admin role on that org");
        }
    }
    RETURN_IF_ERROR(domain::ValidateSelfInspectionItem(it));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertSelfInspectionItem(it));
        auto ev = MakeEvent(actor, "self_inspection_item", it.id, "create", std::nullopt, domain::ToJson(it));
        ev.org_id = it.org_id;
        return tx.AppendEvent(ev);
    }));
    return SelfInspectionView{it, org.name, true};
}

Result<SelfInspectionView> Service::GetSelfInspectionItem(const Actor& actor, domain::SelfInspectionItemId id) {
    auto it = store_->GetSelfInspectionItem(id);
    if (!it.ok()) {
        if (it.status().code() != StatusCode::kNotFound) return it.status();
        return NotFound(ItemNotFound(id));
    }
    if (!SeesSelfInspectionItem(actor, *it)) return NotFound(ItemNotFound(id));
    ASSIGN_OR_RETURN(domain::Org org, store_->GetOrg(it->org_id));
    const bool can_edit = MayEditSelfInspectionItem(actor, *it);
    return SelfInspectionView{std::move(it).value(), org.name, can_edit};
}

Result<SelfInspectionView> Service::UpdateSelfInspectionItem(const Actor& actor, domain::SelfInspectionItemId id,
                                                             const SelfInspectionPatch& patch, std::int64_t version) {
    ASSIGN_OR_RETURN(SelfInspectionView view, GetSelfInspectionItem(actor, id));
    if (!view.can_edit) {
        return PermissionDenied(view.item.kind == domain::SelfInspectionKind::kPersonal
                                    ? "a personal item is changed by its owner only"
                                    : "the leadership group's list is changed by the org's leader or org_admin");
    }
    const domain::SelfInspectionItem before = view.item;
    RETURN_IF_ERROR(detail::CheckVersion("self-inspection item", id, version, before.version));
    domain::SelfInspectionItem it = before;
    if (patch.leader_name) it.leader_name = *patch.leader_name;
    if (patch.position) it.position = *patch.position;
    if (patch.problem_text) it.problem_text = *patch.problem_text;
    if (patch.measures) it.measures = *patch.measures;
    if (patch.deadline) it.deadline = *patch.deadline;
    if (patch.note) it.note = *patch.note;
    if (patch.done) {
        it.done = *patch.done;
        if (!it.done) it.done_on.reset();
    }
    if (patch.done_on) it.done_on = *patch.done_on;
    it.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateSelfInspectionItem(it));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateSelfInspectionItem(it));
        const std::string action = it.done != before.done ? (it.done ? "done" : "reopen") : "update";
        auto ev = MakeEvent(actor, "self_inspection_item", id, action, domain::ToJson(before), domain::ToJson(it));
        ev.org_id = it.org_id;
        return tx.AppendEvent(ev);
    }));
    view.item = it;
    return view;
}

Result<std::vector<SelfInspectionView>> Service::ListSelfInspectionItems(const Actor& actor, domain::OrgId org_id,
                                                                         bool subtree,
                                                                         std::optional<domain::SelfInspectionKind> kind) {
    ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, org_id));
    ASSIGN_OR_RETURN(auto items, store_->ListSelfInspectionItems(
                                     org.path, subtree ? std::nullopt : std::optional<domain::OrgId>(org.id), kind));
    std::vector<SelfInspectionView> out;
    std::map<domain::OrgId, std::string> names;
    for (auto& it : items) {
        if (!SeesSelfInspectionItem(actor, it)) continue;
        auto name = names.find(it.org_id);
        if (name == names.end()) {
            ASSIGN_OR_RETURN(domain::Org o, store_->GetOrg(it.org_id));
            name = names.emplace(o.id, o.name).first;
        }
        const bool can_edit = MayEditSelfInspectionItem(actor, it);
        out.push_back(SelfInspectionView{std::move(it), name->second, can_edit});
    }
    return out;
}

Result<SelfInspectionStats> Service::GetSelfInspectionStats(const Actor& actor, domain::OrgId org_id, UnixSeconds now) {
    SelfInspectionStats out;
    ASSIGN_OR_RETURN(out.org, GetOrgInScope(actor, org_id));
    out.at = now;
    out.today = FormatIso(now).substr(0, 10);  // the display zone's calendar date
    const UnixSeconds all = now + 1;           // items created up to now
    ASSIGN_OR_RETURN(out.total, store_->SelfInspectionFiguresOf(out.org.path, out.today, all));
    ASSIGN_OR_RETURN(auto children, store_->ListChildren(out.org.id));
    for (auto& c : children) {
        ASSIGN_OR_RETURN(auto f, store_->SelfInspectionFiguresOf(c.path, out.today, all));
        out.children.emplace_back(std::move(c), f);
    }
    return out;
}

}  // namespace rectify::service
