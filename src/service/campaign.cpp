// Campaigns, batches and special items (issue 5, docs/LINKAGE.md#campaigns): the use cases that create,
// read and change them, the tags of problems, and the per-item figures. Thread-safe like Service.
//
// The per-item figures are counted by SQL over the subtree (store::Store::SpecialItemFigures), not from the
// roll-up index (src/index): the index keeps fixed counters per org (status, source, top category, week)
// for every org of a province-sized tree, and items are an open-ended dimension per campaign (a problem
// may carry several) that would multiply its memory by campaigns x items for figures that are asked per
// campaign, a few at a time. The SQL reads only the campaign's tagged problems through the
// problem_special_item and problem_campaign indexes (docs/LINKAGE.md#figures-by-item).
#include <algorithm>
#include <map>
#include <set>

#include "common/time.hpp"
#include "domain/campaign.hpp"
#include "domain/json.hpp"
#include "domain/supervision.hpp"
#include "service/detail/checks.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using nlohmann::json;

Rate Completion(const store::SpecialItemCounts& c) { return MakeRate(c.closed, c.problems - c.invalid_or_merged); }
Rate OnTime(const store::SpecialItemCounts& c) { return MakeRate(c.closed_on_time, c.closed_with_due); }
ItemFigures FiguresOf(const store::SpecialItemCounts& c) { return ItemFigures{c, Completion(c), OnTime(c)}; }

// A status of an item draft's check with "items[i]." in front of the field.
Status InItems(const Status& s, std::size_t i) {
    if (s.ok()) return s;
    return Status(s.code(), "special_items[" + std::to_string(i) + "]." + s.message());
}

}  // namespace

bool Service::CampaignVisible(const Actor& actor, const domain::Campaign& c) const {
    auto tree = Tree();
    if (!tree || !tree->Contains(c.owner_org_id)) return false;
    for (domain::OrgId root : actor.scope) {
        if (!tree->Contains(root)) continue;
        // A scope root inside the owner's subtree, or above (or at) the owner.
        if (tree->InSubtree(root, c.owner_org_id) || tree->InSubtree(c.owner_org_id, root)) return true;
    }
    return false;
}

Result<domain::Campaign> Service::VisibleCampaign(const Actor& actor, domain::CampaignId id, const std::string& field) {
    auto c = store_->GetCampaign(id);
    if (!c.ok() || !CampaignVisible(actor, *c)) {
        if (!c.ok() && c.status().code() != StatusCode::kNotFound) return c.status();
        return NotFound(field + "campaign " + std::to_string(id) + " does not exist");
    }
    return std::move(c).value();
}

Status Service::ApplyProblemTags(const Actor& actor, domain::Problem& p, std::optional<domain::CampaignId> campaign_id,
                                 const std::vector<domain::SpecialItemId>& item_ids) {
    std::vector<domain::SpecialItem> items;
    if (campaign_id) {
        ASSIGN_OR_RETURN(domain::Campaign c, VisibleCampaign(actor, *campaign_id, "campaign_id: "));
        if (!Tree()->InSubtree(p.owner_org_id, c.owner_org_id)) {
            return InvalidArgument("campaign_id: campaign " + std::to_string(c.id) + " (" + c.code + ") is run by org " +
                                   std::to_string(c.owner_org_id) + "; the problem's owner org " +
                                   std::to_string(p.owner_org_id) + " is outside its subtree");
        }
    }
    for (std::size_t i = 0; i < item_ids.size(); ++i) {
        auto item = store_->GetSpecialItem(item_ids[i]);
        const std::string at = "special_item_ids[" + std::to_string(i) + "]: ";
        if (!item.ok()) {
            if (item.status().code() != StatusCode::kNotFound) return item.status();
            return NotFound(at + "special item " + std::to_string(item_ids[i]) + " does not exist");
        }
        // An item of a campaign the actor cannot see does not exist for it.
        if (!(campaign_id && item->campaign_id == *campaign_id)) {
            auto other = store_->GetCampaign(item->campaign_id);
            if (!other.ok() || !CampaignVisible(actor, *other)) {
                return NotFound(at + "special item " + std::to_string(item_ids[i]) + " does not exist");
            }
        }
        items.push_back(std::move(item).value());
    }
    RETURN_IF_ERROR(domain::ValidateProblemTags(campaign_id, items));
    p.campaign_id = campaign_id;
    p.special_item_ids = item_ids;
    std::sort(p.special_item_ids.begin(), p.special_item_ids.end());
    return Status::Ok();
}

Result<CampaignDetail> Service::CreateCampaign(const Actor& actor, const CampaignDraft& draft) {
    if (!InScope(actor, draft.owner_org_id)) {
        return NotFound("owner_org_id: org " + std::to_string(draft.owner_org_id) + " does not exist");
    }
    if (!HasRole(actor, domain::Role::kAdmin, draft.owner_org_id)) {
        return PermissionDenied("creating a campaign needs the admin role over its owner org " +
                                std::to_string(draft.owner_org_id));
    }
    const UnixSeconds now = NowSeconds();
    domain::Campaign c;
    c.code = draft.code;
    c.name = draft.name;
    c.description = draft.description;
    c.owner_org_id = draft.owner_org_id;
    c.start_date = draft.start_date;
    c.end_date = draft.end_date;
    c.batches = draft.batches;
    c.source = draft.source;
    c.created_at = c.updated_at = now;
    RETURN_IF_ERROR(domain::ValidateCampaign(c));
    std::vector<domain::SpecialItem> items;
    std::set<std::string> codes;
    for (std::size_t i = 0; i < draft.items.size(); ++i) {
        const auto& d = draft.items[i];
        domain::SpecialItem s{0, 0, d.code, d.title, d.lead_org_id, d.description, now, now, 1};
        RETURN_IF_ERROR(InItems(domain::ValidateSpecialItem(s), i));
        if (!codes.insert(s.code).second) {
            return AlreadyExists("special_items[" + std::to_string(i) + "].code: \"" + s.code + "\" is used by an earlier item");
        }
        if (s.lead_org_id && (!InScope(actor, *s.lead_org_id) || !Tree()->InSubtree(*s.lead_org_id, c.owner_org_id))) {
            return InvalidArgument("special_items[" + std::to_string(i) + "].lead_org_id: org " + std::to_string(*s.lead_org_id) +
                                   " is not inside the owner org's subtree");
        }
        items.push_back(std::move(s));
    }
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertCampaign(c));
        auto ev = MakeEvent(actor, "campaign", c.id, "create", std::nullopt, domain::ToJson(c));
        RETURN_IF_ERROR(tx.AppendEvent(ev));
        for (auto& s : items) {
            s.campaign_id = c.id;
            RETURN_IF_ERROR(tx.InsertSpecialItem(s));
            auto item_ev = MakeEvent(actor, "special_item", s.id, "create", std::nullopt, domain::ToJson(s));
            item_ev.org_id = c.owner_org_id;
            RETURN_IF_ERROR(tx.AppendEvent(item_ev));
        }
        return Status::Ok();
    }));
    return GetCampaign(actor, c.id);
}

Result<CampaignDetail> Service::GetCampaign(const Actor& actor, domain::CampaignId id) {
    CampaignDetail d;
    ASSIGN_OR_RETURN(d.campaign, VisibleCampaign(actor, id, ""));
    ASSIGN_OR_RETURN(d.owner, store_->GetOrg(d.campaign.owner_org_id));
    ASSIGN_OR_RETURN(d.items, store_->ListSpecialItems(id));
    d.can_manage = HasRole(actor, domain::Role::kAdmin, d.campaign.owner_org_id);
    return d;
}

Result<std::vector<domain::Campaign>> Service::ListCampaigns(const Actor& actor, std::optional<domain::OrgId> org_id) {
    Actor seen_from = actor;
    if (org_id) {
        ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, *org_id));
        seen_from.scope = {org.id};
    }
    ASSIGN_OR_RETURN(auto all, store_->ListCampaigns());
    std::vector<domain::Campaign> out;
    for (auto& c : all) {
        if (CampaignVisible(seen_from, c) && CampaignVisible(actor, c)) out.push_back(std::move(c));
    }
    return out;
}

Result<CampaignDetail> Service::FindCampaignByCode(const Actor& actor, const std::string& code) {
    ASSIGN_OR_RETURN(auto c, store_->FindCampaignByCode(code));
    if (!c || !CampaignVisible(actor, *c)) return NotFound("no campaign has code \"" + code + "\"");
    return GetCampaign(actor, c->id);
}

Result<CampaignDetail> Service::UpdateCampaign(const Actor& actor, domain::CampaignId id, const CampaignPatch& patch,
                                               std::int64_t version) {
    ASSIGN_OR_RETURN(domain::Campaign before, VisibleCampaign(actor, id, ""));
    if (!HasRole(actor, domain::Role::kAdmin, before.owner_org_id)) {
        return PermissionDenied("changing a campaign needs the admin role over its owner org " +
                                std::to_string(before.owner_org_id));
    }
    RETURN_IF_ERROR(detail::CheckVersion("campaign", id, version, before.version));
    domain::Campaign c = before;
    if (patch.code) c.code = *patch.code;
    if (patch.name) c.name = *patch.name;
    if (patch.description) c.description = *patch.description;
    if (patch.start_date) c.start_date = *patch.start_date;
    if (patch.end_date) c.end_date = *patch.end_date;
    if (patch.batches) c.batches = *patch.batches;
    if (patch.source) c.source = *patch.source;
    c.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateCampaign(c));
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateCampaign(c));  // re-checks the version inside the transaction
        auto ev = MakeEvent(actor, "campaign", id, "update", domain::ToJson(before), domain::ToJson(c));
        return tx.AppendEvent(ev);
    }));
    return GetCampaign(actor, id);
}

Result<domain::SpecialItem> Service::AddSpecialItem(const Actor& actor, domain::CampaignId campaign_id,
                                                    const SpecialItemDraft& draft) {
    ASSIGN_OR_RETURN(domain::Campaign c, VisibleCampaign(actor, campaign_id, ""));
    if (!HasRole(actor, domain::Role::kAdmin, c.owner_org_id)) {
        return PermissionDenied("adding a special item needs the admin role over the campaign's owner org " +
                                std::to_string(c.owner_org_id));
    }
    const UnixSeconds now = NowSeconds();
    domain::SpecialItem s{0, c.id, draft.code, draft.title, draft.lead_org_id, draft.description, now, now, 1};
    RETURN_IF_ERROR(domain::ValidateSpecialItem(s));
    if (s.lead_org_id && (!InScope(actor, *s.lead_org_id) || !Tree()->InSubtree(*s.lead_org_id, c.owner_org_id))) {
        return InvalidArgument("lead_org_id: org " + std::to_string(*s.lead_org_id) +
                               " is not inside the subtree of the campaign's owner org " + std::to_string(c.owner_org_id));
    }
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertSpecialItem(s));
        auto ev = MakeEvent(actor, "special_item", s.id, "create", std::nullopt, domain::ToJson(s));
        ev.org_id = c.owner_org_id;
        return tx.AppendEvent(ev);
    }));
    return s;
}

Result<domain::SpecialItem> Service::GetSpecialItem(const Actor& actor, domain::SpecialItemId id) {
    auto s = store_->GetSpecialItem(id);
    if (!s.ok()) {
        if (s.status().code() != StatusCode::kNotFound) return s.status();
        return NotFound("special item " + std::to_string(id) + " does not exist");
    }
    auto c = VisibleCampaign(actor, s->campaign_id, "");
    if (!c.ok()) return detail::MissingOr(c.status(), "special item " + std::to_string(id) + " does not exist");
    return std::move(s).value();
}

Result<domain::SpecialItem> Service::UpdateSpecialItem(const Actor& actor, domain::SpecialItemId id,
                                                       const SpecialItemPatch& patch, std::int64_t version) {
    ASSIGN_OR_RETURN(domain::SpecialItem before, GetSpecialItem(actor, id));
    ASSIGN_OR_RETURN(domain::Campaign c, VisibleCampaign(actor, before.campaign_id, ""));
    if (!HasRole(actor, domain::Role::kAdmin, c.owner_org_id)) {
        return PermissionDenied("changing a special item needs the admin role over the campaign's owner org " +
                                std::to_string(c.owner_org_id));
    }
    RETURN_IF_ERROR(detail::CheckVersion("special item", id, version, before.version));
    domain::SpecialItem s = before;
    if (patch.code) s.code = *patch.code;
    if (patch.title) s.title = *patch.title;
    if (patch.lead_org_id) s.lead_org_id = *patch.lead_org_id;
    if (patch.description) s.description = *patch.description;
    s.updated_at = NowSeconds();
    RETURN_IF_ERROR(domain::ValidateSpecialItem(s));
    if (s.lead_org_id && s.lead_org_id != before.lead_org_id &&
        (!InScope(actor, *s.lead_org_id) || !Tree()->InSubtree(*s.lead_org_id, c.owner_org_id))) {
        return InvalidArgument("lead_org_id: org " + std::to_string(*s.lead_org_id) +
                               " is not inside the subtree of the campaign's owner org " + std::to_string(c.owner_org_id));
    }
    RETURN_IF_ERROR(store_->Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.UpdateSpecialItem(s));
        auto ev = MakeEvent(actor, "special_item", id, "update", domain::ToJson(before), domain::ToJson(s));
        ev.org_id = c.owner_org_id;
        return tx.AppendEvent(ev);
    }));
    return s;
}

Result<SpecialItemStats> Service::GetSpecialItemStats(const Actor& actor, domain::OrgId org_id,
                                                      domain::CampaignId campaign_id, UnixSeconds now) {
    SpecialItemStats out;
    ASSIGN_OR_RETURN(out.org, GetOrgInScope(actor, org_id));
    ASSIGN_OR_RETURN(out.campaign, VisibleCampaign(actor, campaign_id, "campaign_id: "));
    out.at = now;
    // Each batch the campaign defines ends at 00:00 after its end_date in the display zone.
    std::map<int, UnixSeconds> ends;
    for (const auto& b : out.campaign.batches) {
        ASSIGN_OR_RETURN(UnixSeconds last_day, ParseIso(b.end_date));
        const auto next = domain::CivilOf(LocalDayNumber(last_day) + 1);
        ends[b.number] = FromLocal(next.year, next.month, next.day, 0, 0, 0);
    }
    ASSIGN_OR_RETURN(store::SpecialItemReport r, store_->SpecialItemFigures(campaign_id, out.org.path, now, ends));
    for (const auto& row : r.items) out.items.emplace_back(row.item, FiguresOf(row.counts));
    out.total = FiguresOf(r.campaign);
    out.without_item = r.without_item;
    for (const auto& b : r.by_org_batch) out.by_org_batch.push_back({b.batch, FiguresOf(b.counts), b.end, b.phase});
    return out;
}

Result<Service::TagLabels> Service::ProblemTagLabels(const std::vector<domain::Problem>& problems) {
    TagLabels out;
    std::vector<domain::SpecialItemId> ids;
    for (const auto& p : problems) {
        if (p.campaign_id && !out.campaigns.contains(*p.campaign_id)) {
            ASSIGN_OR_RETURN(auto c, store_->GetCampaign(*p.campaign_id));
            out.campaigns.emplace(c.id, std::move(c));
        }
        ids.insert(ids.end(), p.special_item_ids.begin(), p.special_item_ids.end());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    ASSIGN_OR_RETURN(auto items, store_->GetSpecialItems(ids));
    for (auto& item : items) out.items.emplace(item.id, std::move(item));
    return out;
}

}  // namespace rectify::service
