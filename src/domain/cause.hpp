// Root-cause analysis (把症结分析透) and leaders' own problem lists (个人检视问题清单), issue 12,
// docs/CAUSES.md. Value types and the checks the service runs before the store writes; no I/O.
// Thread-compatible.
#pragma once

#include <array>
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

using CauseCategoryId = std::int64_t;
using SelfInspectionItemId = std::int64_t;
using UserId = std::int64_t;

// One entry of the admin-edited list of cause categories. `higher_level`: the cause lies above the unit
// (a policy, funding, a rule set above; SOURCE-NOTICE: 下面问题根子在上面的下题上答), so choosing it
// suggests escalating the problem (docs/LINKAGE.md#escalation). Inactive categories stay on the problems
// that carry them but cannot be chosen anew. Defaults: src/store/schema/013_causes_personal_lists.sql.
struct CauseCategory {
    CauseCategoryId id = 0;
    std::string code;     // unique; 1..50 of [A-Za-z0-9._-]
    std::string name_zh;  // 1..200 characters
    std::string name_en;  // 1..200 characters
    bool higher_level = false;
    int sort_order = 0;   // ascending in lists; -100000..100000
    bool active = true;
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
};

// The cause analysis of one problem: one or more categories (ids ascending) and free text.
struct CauseAnalysis {
    ProblemId problem_id = 0;
    std::vector<CauseCategoryId> category_ids;
    std::string text;  // 0..20,000 characters
    std::string updated_by;  // actor name
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;  // of the analysis, 1 at the first PUT
};

inline constexpr std::size_t kMaxCausesPerProblem = 10;

// Which list an item belongs to: a leading cadre's own (个人检视问题清单) or the leadership group's
// (领导班子) of an org.
enum class SelfInspectionKind { kPersonal, kLeadershipGroup };
template <>
struct EnumNames<SelfInspectionKind> {
    static constexpr std::string_view kWhat = "list kind";
    static constexpr std::array<std::pair<SelfInspectionKind, std::string_view>, 2> kNames{{
        {SelfInspectionKind::kPersonal, "personal"},
        {SelfInspectionKind::kLeadershipGroup, "leadership_group"},
    }};
};

// One line of a list. Personal items have `owner_user_id` (the cadre, whose account's org is `org_id`);
// leadership-group items have none. Dates are calendar dates "YYYY-MM-DD" in the display zone.
struct SelfInspectionItem {
    SelfInspectionItemId id = 0;
    OrgId org_id = 0;
    SelfInspectionKind kind = SelfInspectionKind::kPersonal;
    std::optional<UserId> owner_user_id;
    std::string leader_name;   // 1..200: the cadre's name (personal) or the group's (e.g. "县委常委班子")
    std::string position;      // 0..200: 职务, e.g. "县委书记"
    std::string problem_text;  // 1..20,000: the problem found in one's own thinking and work
    std::string measures;      // 0..20,000: the rectification measures (整改措施)
    std::string deadline;      // YYYY-MM-DD (整改时限)
    bool done = false;
    std::optional<std::string> done_on;  // YYYY-MM-DD when done
    std::string note;          // 0..20,000: how it was done, or why not yet
    std::string created_by;    // actor name
    UnixSeconds created_at = 0;
    UnixSeconds updated_at = 0;
    std::int64_t version = 1;
};

// Cadre ranks (职级) an account may carry, lowest first: 乡科级 section, 县处级 division, 厅局级 bureau,
// 省部级 province, 国家级 state. Which of them count as leading cadres is a setting (default: division and
// above, "处级以上党员领导干部", SOURCE-NOTICE).
inline constexpr std::array<std::string_view, 5> kCadreRanks{"section", "division", "bureau", "province", "state"};
bool IsCadreRank(std::string_view rank);
// Parses "division,bureau": known ranks, comma-separated, no repeats. Errors: kInvalidArgument naming
// the unknown rank and listing the known ones.
Result<std::vector<std::string>> ParseCadreRanks(std::string_view list);

// Checks a category's fields. Errors: kInvalidArgument "code: ...", "name_zh: must not be empty",
// "sort_order: between -100000 and 100000".
Status ValidateCauseCategory(const CauseCategory& category);

// Checks an analysis against the categories it names (`chosen`, looked up by the caller in the order of
// analysis.category_ids; nullopt: no such category) and the categories stored before (an inactive one may
// stay, not be added). Errors: kInvalidArgument "cause_category_ids: at least one category",
// "cause_category_ids[2]: category 5 is listed twice", "cause_category_ids[1]: category 9 does not exist",
// "cause_category_ids[0]: category 4 (legacy) is inactive", "text: longer than 20000 characters".
Status ValidateCauseAnalysis(const CauseAnalysis& analysis, const std::vector<std::optional<CauseCategory>>& chosen,
                             const std::vector<CauseCategoryId>& before);

// Checks an item's fields: texts, dates, done_on present iff done and not before 2000-01-01, owner iff
// personal. Errors: kInvalidArgument naming the field ("deadline: \"2024-02-30\" is not a date YYYY-MM-DD").
Status ValidateSelfInspectionItem(const SelfInspectionItem& item);

// Completion of a set of items at `today` (YYYY-MM-DD): done; done on or before the deadline; open with the
// deadline before today (overdue).
struct SelfInspectionCounts {
    std::int64_t items = 0, done = 0, done_on_time = 0, overdue = 0;
};
void CountSelfInspectionItem(const SelfInspectionItem& item, std::string_view today, SelfInspectionCounts& counts);

// JSON forms: CauseCategory {"id", "code", "name_zh", "name_en", "higher_level", "sort_order", "active",
// "updated_at", "version"}; CauseAnalysis {"cause_category_ids", "text", "updated_by", "updated_at",
// "version"}; SelfInspectionItem {"id", "org_id", "kind", "owner_user_id", "leader_name", "position",
// "problem_text", "measures", "deadline", "status" ("open"|"done"), "done_on", "note", "created_by",
// "created_at", "updated_at", "version"}; counts {"items", "done", "done_on_time", "overdue"}. Instants
// ISO-8601 in the display zone.
nlohmann::json ToJson(const CauseCategory& category);
nlohmann::json ToJson(const CauseAnalysis& analysis);
nlohmann::json ToJson(const SelfInspectionItem& item);
nlohmann::json ToJson(const SelfInspectionCounts& counts);

}  // namespace rectify::domain
