#include "domain/cause.hpp"

#include <algorithm>
#include <set>

#include "common/text.hpp"
#include "domain/campaign.hpp"

namespace rectify::domain {
namespace {

Status CheckDate(const std::string& field, const std::string& date) {
    if (date.empty()) return InvalidArgument(field + ": required (a date YYYY-MM-DD)");
    if (!IsCalendarDate(date) || date < "2000-01-01") {
        return InvalidArgument(field + ": \"" + date + "\" is not a date YYYY-MM-DD from 2000-01-01 on");
    }
    return Status::Ok();
}

std::string Known() {
    std::string out;
    for (auto r : kCadreRanks) out += (out.empty() ? "" : ", ") + std::string(r);
    return out;
}

}  // namespace

bool IsCadreRank(std::string_view rank) {
    return std::find(kCadreRanks.begin(), kCadreRanks.end(), rank) != kCadreRanks.end();
}

Result<std::vector<std::string>> ParseCadreRanks(std::string_view list) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t comma = list.find(',', start);
        if (comma == std::string_view::npos) comma = list.size();
        std::string rank(TrimAscii(list.substr(start, comma - start)));
        if (rank.empty()) return InvalidArgument("leading cadre ranks: empty rank in \"" + std::string(list) + "\"");
        if (!IsCadreRank(rank)) {
            return InvalidArgument("leading cadre ranks: unknown rank \"" + rank + "\" (known: " + Known() + ")");
        }
        if (std::find(out.begin(), out.end(), rank) != out.end()) {
            return InvalidArgument("leading cadre ranks: \"" + rank + "\" is listed twice");
        }
        out.push_back(rank);
        start = comma + 1;
    }
    return out;
}

Status ValidateCauseCategory(const CauseCategory& c) {
    if (c.code.empty()) return InvalidArgument("code: must not be empty");
    if (c.code.size() > kMaxCampaignCodeChars) {
        return InvalidArgument("code: longer than " + std::to_string(kMaxCampaignCodeChars) + " characters");
    }
    for (char ch : c.code) {
        const bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                        ch == '.' || ch == '_' || ch == '-';
        if (!ok) return InvalidArgument("code: \"" + c.code + "\" may hold only letters A-Z a-z, digits, '.', '_' and '-'");
    }
    RETURN_IF_ERROR(CheckTextField("name_zh", c.name_zh, kMaxNameChars, true));
    RETURN_IF_ERROR(CheckTextField("name_en", c.name_en, kMaxNameChars, true));
    if (c.sort_order < -100000 || c.sort_order > 100000) {
        return InvalidArgument("sort_order: between -100000 and 100000");
    }
    return Status::Ok();
}

Status ValidateCauseAnalysis(const CauseAnalysis& a, const std::vector<std::optional<CauseCategory>>& chosen,
                             const std::vector<CauseCategoryId>& before) {
    if (a.category_ids.empty()) return InvalidArgument("cause_category_ids: at least one category");
    if (a.category_ids.size() > kMaxCausesPerProblem) {
        return InvalidArgument("cause_category_ids: at most " + std::to_string(kMaxCausesPerProblem) + " categories");
    }
    std::set<CauseCategoryId> seen;
    for (std::size_t i = 0; i < a.category_ids.size(); ++i) {
        const CauseCategoryId id = a.category_ids[i];
        const std::string at = "cause_category_ids[" + std::to_string(i) + "]: category " + std::to_string(id);
        if (!seen.insert(id).second) return InvalidArgument(at + " is listed twice");
        if (i >= chosen.size() || !chosen[i]) return InvalidArgument(at + " does not exist");
        if (!chosen[i]->active && std::find(before.begin(), before.end(), id) == before.end()) {
            return InvalidArgument(at + " (" + chosen[i]->code + ") is inactive");
        }
    }
    return CheckTextField("text", a.text, kMaxTextChars, false);
}

Status ValidateSelfInspectionItem(const SelfInspectionItem& it) {
    if ((it.kind == SelfInspectionKind::kPersonal) != it.owner_user_id.has_value()) {
        return InvalidArgument(it.kind == SelfInspectionKind::kPersonal ? "owner_user_id: a personal item has an owner"
                                                                        : "owner_user_id: only personal items have an owner");
    }
    RETURN_IF_ERROR(CheckTextField("leader_name", it.leader_name, kMaxNameChars, true));
    RETURN_IF_ERROR(CheckTextField("position", it.position, kMaxNameChars, false));
    RETURN_IF_ERROR(CheckTextField("problem_text", it.problem_text, kMaxTextChars, true));
    RETURN_IF_ERROR(CheckTextField("measures", it.measures, kMaxTextChars, false));
    RETURN_IF_ERROR(CheckTextField("note", it.note, kMaxTextChars, false));
    RETURN_IF_ERROR(CheckDate("deadline", it.deadline));
    if (it.done != it.done_on.has_value()) {
        return InvalidArgument(it.done ? "done_on: required when status is done" : "done_on: only with status done");
    }
    if (it.done_on) RETURN_IF_ERROR(CheckDate("done_on", *it.done_on));
    return Status::Ok();
}

void CountSelfInspectionItem(const SelfInspectionItem& it, std::string_view today, SelfInspectionCounts& c) {
    ++c.items;
    if (it.done) {
        ++c.done;
        if (it.done_on && *it.done_on <= it.deadline) ++c.done_on_time;
    } else if (it.deadline < today) {
        ++c.overdue;
    }
}

nlohmann::json ToJson(const CauseCategory& c) {
    return {{"id", c.id},           {"code", c.code},       {"name_zh", c.name_zh},
            {"name_en", c.name_en}, {"higher_level", c.higher_level}, {"sort_order", c.sort_order},
            {"active", c.active},   {"updated_at", c.updated_at ? nlohmann::json(FormatIso(c.updated_at)) : nlohmann::json(nullptr)},
            {"version", c.version}};
}

nlohmann::json ToJson(const CauseAnalysis& a) {
    return {{"cause_category_ids", a.category_ids},
            {"text", a.text},
            {"updated_by", a.updated_by},
            {"updated_at", FormatIso(a.updated_at)},
            {"version", a.version}};
}

nlohmann::json ToJson(const SelfInspectionItem& it) {
    return {{"id", it.id},
            {"org_id", it.org_id},
            {"kind", std::string(ToString(it.kind))},
            {"owner_user_id", it.owner_user_id ? nlohmann::json(*it.owner_user_id) : nlohmann::json(nullptr)},
            {"leader_name", it.leader_name},
            {"position", it.position},
            {"problem_text", it.problem_text},
            {"measures", it.measures},
            {"deadline", it.deadline},
            {"status", it.done ? "done" : "open"},
            {"done_on", it.done_on ? nlohmann::json(*it.done_on) : nlohmann::json(nullptr)},
            {"note", it.note},
            {"created_by", it.created_by},
            {"created_at", FormatIso(it.created_at)},
            {"updated_at", FormatIso(it.updated_at)},
            {"version", it.version}};
}

nlohmann::json ToJson(const SelfInspectionCounts& c) {
    return {{"items", c.items}, {"done", c.done}, {"done_on_time", c.done_on_time}, {"overdue", c.overdue}};
}

}  // namespace rectify::domain
