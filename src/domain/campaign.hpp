// Campaigns (主题教育 / 专项行动), their batches (第一批 / 第二批) and special rectification items
// (专项整治), and the rules that tag problems with them (issue 5, docs/LINKAGE.md#campaigns). No I/O:
// the service validates with these before the store writes. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.hpp"
#include "common/time.hpp"
#include "domain/model.hpp"

namespace rectify::domain {

// One batch of a campaign: number 1..n (1 = 第一批), calendar dates "YYYY-MM-DD", both inclusive. Orgs
// carry the batch they belong to (Org::batch). A first-batch unit's rectification goes on after its
// batch's end_date; figures report it separately (docs/LINKAGE.md#campaigns).
struct CampaignBatch {
    int number = 1;
    std::string start_date;
    std::string end_date;
};

// A time-boxed programme run by `owner_org_id` (the org that deploys it, e.g. a provincial party
// committee). Visible to the owner's subtree and the owner's ancestors. Dates are calendar dates
// "YYYY-MM-DD" (no time of day: the programme's own documents give days), inclusive.
struct Campaign {
    CampaignId id = 0;
    std::string code;         // unique; 1..50 of [A-Za-z0-9._-]
    std::string name;         // 1..200 characters
    std::string description;  // 0..20,000 characters
    OrgId owner_org_id = 0;
    std::string start_date;
    std::string end_date;
    std::vector<CampaignBatch> batches;  // numbers 1..n in order, n <= kMaxCampaignBatches
    std::optional<std::string> source;   // the document it was taken from (title, date, URL), when given
    UnixSeconds created_at = 0;
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
};

// A special rectification item (专项整治) of one campaign. `code` is unique within its campaign.
// `lead_org_id` (牵头单位) is optional: not every source names one; when set it lies inside the
// campaign owner's subtree.
struct SpecialItem {
    SpecialItemId id = 0;
    CampaignId campaign_id = 0;
    std::string code;   // 1..50 of [A-Za-z0-9._-]
    std::string title;  // 1..500 characters
    std::optional<OrgId> lead_org_id;
    std::string description;  // 0..20,000 characters
    UnixSeconds created_at = 0;
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
};

inline constexpr std::size_t kMaxCampaignCodeChars = 50;
inline constexpr std::size_t kMaxCampaignBatches = 10;
inline constexpr std::size_t kMaxSpecialItemsPerProblem = 20;

// True when `date` is a real calendar date written "YYYY-MM-DD" (proleptic Gregorian, years 1900..2999).
bool IsCalendarDate(std::string_view date);
// A required calendar date "YYYY-MM-DD" (IsCalendarDate). Errors: kInvalidArgument "<field>: required (a date
// YYYY-MM-DD)" when empty, "<field>: \"...\" is not a date YYYY-MM-DD" otherwise.
Status CheckCalendarDate(std::string_view field, const std::string& date);

// Checks a campaign before it is stored. Errors: kInvalidArgument naming the field as a JSON path:
// "code: ...", "name: must not be empty", "end_date: 2019-01-31 is before start_date 2019-06-01",
// "batches[1].number: expected 2 (batches are numbered 1..n in order)", "batches[0].start_date: ... is before
// the campaign's start_date", "batches[1].start_date: 2019-08-31 is not after batch 1's end_date 2019-08-31"
// (batches follow each other without overlap).
Status ValidateCampaign(const Campaign& campaign);

// Checks an item's own fields (code, title, description). Errors: kInvalidArgument naming the field.
Status ValidateSpecialItem(const SpecialItem& item);

// Checks the tags of a problem: `items` (looked up by the caller, in the order the ids were sent) must
// belong to `campaign_id`, without repeats, at most kMaxSpecialItemsPerProblem; items need a campaign.
// Errors: kInvalidArgument "special_item_ids[1]: special item 7 belongs to campaign 2, not campaign 1",
// "special_item_ids: given without campaign_id", "special_item_ids[2]: special item 5 is listed twice".
Status ValidateProblemTags(std::optional<CampaignId> campaign_id, const std::vector<SpecialItem>& items);

// The batch of `campaign` that contains calendar date `date` ("YYYY-MM-DD"), or nullopt.
std::optional<int> BatchOn(const Campaign& campaign, std::string_view date);

// JSON forms: Campaign {"id", "code", "name", "description", "owner_org_id", "start_date", "end_date",
// "batches": [{"number", "start_date", "end_date"}], "source", "created_at", "updated_at", "version"};
// SpecialItem {"id", "campaign_id", "code", "title", "lead_org_id", "description", "created_at",
// "updated_at", "version"}. Instants ISO-8601 in the display zone.
nlohmann::json ToJson(const Campaign& campaign);
nlohmann::json ToJson(const SpecialItem& item);

}  // namespace rectify::domain
