#include "domain/campaign.hpp"

#include <set>

#include "common/text.hpp"

namespace rectify::domain {
namespace {

Status CheckCode(const std::string& field, const std::string& code) {
    if (code.empty()) return InvalidArgument(field + ": must not be empty");
    if (code.size() > kMaxCampaignCodeChars) {
        return InvalidArgument(field + ": longer than " + std::to_string(kMaxCampaignCodeChars) + " characters");
    }
    for (char ch : code) {
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                        ch == '.' || ch == '_' || ch == '-';
        if (!ok) {
            return InvalidArgument(field + ": \"" + code +
                                   "\" may hold only letters A-Z a-z, digits, '.', '_' and '-'");
        }
    }
    return Status::Ok();
}

nlohmann::json OrNull(const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

}  // namespace

Status CheckCalendarDate(std::string_view field, const std::string& date) {
    if (date.empty()) return InvalidArgument(std::string(field) + ": required (a date YYYY-MM-DD)");
    if (!IsCalendarDate(date)) return InvalidArgument(std::string(field) + ": \"" + date + "\" is not a date YYYY-MM-DD");
    return Status::Ok();
}

bool IsCalendarDate(std::string_view d) {
    if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (d[i] < '0' || d[i] > '9') return false;
    }
    const int year = std::stoi(std::string(d.substr(0, 4)));
    const int month = std::stoi(std::string(d.substr(5, 2)));
    const int day = std::stoi(std::string(d.substr(8, 2)));
    if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    const int max_day = month == 2 && leap ? 29 : kDays[month - 1];
    return day <= max_day;
}

Status ValidateCampaign(const Campaign& c) {
    RETURN_IF_ERROR(CheckCode("code", c.code));
    RETURN_IF_ERROR(CheckTextField("name", c.name, kMaxNameChars, true));
    RETURN_IF_ERROR(CheckTextField("description", c.description, kMaxTextChars, false));
    if (c.source) RETURN_IF_ERROR(CheckTextField("source", *c.source, kMaxTitleChars, false));
    if (c.owner_org_id <= 0) return InvalidArgument("owner_org_id: required");
    RETURN_IF_ERROR(CheckCalendarDate("start_date", c.start_date));
    RETURN_IF_ERROR(CheckCalendarDate("end_date", c.end_date));
    // "YYYY-MM-DD" strings order as the dates do.
    if (c.end_date < c.start_date) {
        return InvalidArgument("end_date: " + c.end_date + " is before start_date " + c.start_date);
    }
    if (c.batches.size() > kMaxCampaignBatches) {
        return InvalidArgument("batches: at most " + std::to_string(kMaxCampaignBatches) + " batches");
    }
    for (std::size_t i = 0; i < c.batches.size(); ++i) {
        const CampaignBatch& b = c.batches[i];
        const std::string at = "batches[" + std::to_string(i) + "]";
        if (b.number != static_cast<int>(i) + 1) {
            return InvalidArgument(at + ".number: expected " + std::to_string(i + 1) +
                                   " (batches are numbered 1..n in order), got " + std::to_string(b.number));
        }
        RETURN_IF_ERROR(CheckCalendarDate(at + ".start_date", b.start_date));
        RETURN_IF_ERROR(CheckCalendarDate(at + ".end_date", b.end_date));
        if (b.end_date < b.start_date) {
            return InvalidArgument(at + ".end_date: " + b.end_date + " is before its start_date " + b.start_date);
        }
        if (b.start_date < c.start_date) {
            return InvalidArgument(at + ".start_date: " + b.start_date + " is before the campaign's start_date " +
                                   c.start_date);
        }
        if (b.end_date > c.end_date) {
            return InvalidArgument(at + ".end_date: " + b.end_date + " is after the campaign's end_date " +
                                   c.end_date);
        }
        if (i > 0 && b.start_date <= c.batches[i - 1].end_date) {
            return InvalidArgument(at + ".start_date: " + b.start_date + " is not after batch " + std::to_string(i) +
                                   "'s end_date " + c.batches[i - 1].end_date + " (batches follow each other)");
        }
    }
    return Status::Ok();
}

Status ValidateSpecialItem(const SpecialItem& item) {
    RETURN_IF_ERROR(CheckCode("code", item.code));
    RETURN_IF_ERROR(CheckTextField("title", item.title, kMaxTitleChars, true));
    RETURN_IF_ERROR(CheckTextField("description", item.description, kMaxTextChars, false));
    if (item.lead_org_id && *item.lead_org_id <= 0) return InvalidArgument("lead_org_id: not an org id");
    return Status::Ok();
}

Status ValidateProblemTags(std::optional<CampaignId> campaign_id, const std::vector<SpecialItem>& items) {
    if (items.empty()) return Status::Ok();
    if (!campaign_id) return InvalidArgument("special_item_ids: given without campaign_id (items belong to a campaign)");
    if (items.size() > kMaxSpecialItemsPerProblem) {
        return InvalidArgument("special_item_ids: at most " + std::to_string(kMaxSpecialItemsPerProblem) + " items");
    }
    std::set<SpecialItemId> seen;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string at = "special_item_ids[" + std::to_string(i) + "]";
        if (items[i].campaign_id != *campaign_id) {
            return InvalidArgument(at + ": special item " + std::to_string(items[i].id) + " belongs to campaign " +
                                   std::to_string(items[i].campaign_id) + ", not campaign " +
                                   std::to_string(*campaign_id));
        }
        if (!seen.insert(items[i].id).second) {
            return InvalidArgument(at + ": special item " + std::to_string(items[i].id) + " is listed twice");
        }
    }
    return Status::Ok();
}

std::optional<int> BatchOn(const Campaign& c, std::string_view date) {
    for (const auto& b : c.batches) {
        if (b.start_date <= date && date <= b.end_date) return b.number;
    }
    return std::nullopt;
}

nlohmann::json ToJson(const Campaign& c) {
    nlohmann::json batches = nlohmann::json::array();
    for (const auto& b : c.batches) {
        batches.push_back({{"number", b.number}, {"start_date", b.start_date}, {"end_date", b.end_date}});
    }
    return {{"id", c.id},
            {"code", c.code},
            {"name", c.name},
            {"description", c.description},
            {"owner_org_id", c.owner_org_id},
            {"start_date", c.start_date},
            {"end_date", c.end_date},
            {"batches", std::move(batches)},
            {"source", OrNull(c.source)},
            {"created_at", FormatIso(c.created_at)},
            {"updated_at", FormatIso(c.updated_at)},
            {"version", c.version}};
}

nlohmann::json ToJson(const SpecialItem& s) {
    return {{"id", s.id},
            {"campaign_id", s.campaign_id},
            {"code", s.code},
            {"title", s.title},
            {"lead_org_id", s.lead_org_id ? nlohmann::json(*s.lead_org_id) : nlohmann::json(nullptr)},
            {"description", s.description},
            {"created_at", FormatIso(s.created_at)},
            {"updated_at", FormatIso(s.updated_at)},
            {"version", s.version}};
}

}  // namespace rectify::domain
