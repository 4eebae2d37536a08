// The ledger (台账) import (issue 6; declared in service/ledger.hpp and service.hpp): header matching over the
// one variant table, the row checks, and the all-or-nothing store of a ledger in one write transaction whose
// workflow steps are those of workflow.cpp (service/detail/workflow_steps.hpp), so an import never takes a
// step the single-step routes would refuse.
//
// Two passes. The first reads only: it finds the header, resolves names (责任单位 -> org, 问题类别 -> category)
// and parses every cell, rejecting what cannot be read. The second runs inside Store::Write: each row's
// creates and workflow steps; a step's refusal rejects the row with the step's message. A dry run and a
// commit with any rejected row return a sentinel error from the transaction, so it rolls back.
#include <algorithm>
#include <charconv>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/json.hpp"
#include "service/detail/ledger_labels.hpp"
#include "service/detail/workflow_steps.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using domain::OrgId;
using domain::Problem;
using domain::ProblemStatus;
using domain::Task;
using domain::TaskStatus;

std::string Id(std::int64_t id) { return std::to_string(id); }

// UTF-8 text of one code point.
std::string Utf8(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
        s.replace(at, from.size(), to);
    }
}

// Cell text with ASCII and ideographic (U+3000) spaces trimmed.
std::string Trim(std::string_view text) {
    std::string s(TrimAscii(text));
    const std::string ideo = Utf8(0x3000);
    while (s.size() >= 3 && s.compare(0, 3, ideo) == 0) s.erase(0, 3);
    while (s.size() >= 3 && s.compare(s.size() - 3, 3, ideo) == 0) s.erase(s.size() - 3);
    return std::string(TrimAscii(s));
}

bool IsBlankRow(const std::vector<std::string>& row) {
    return std::all_of(row.begin(), row.end(), [](const std::string& c) { return Trim(c).empty(); });
}

// A whole cell as a positive decimal integer.
std::optional<std::int64_t> ParseId(std::string_view text) {
    std::string t = Trim(text);
    if (t.size() > 2 && t.compare(t.size() - 2, 2, ".0") == 0) t.resize(t.size() - 2);  // Excel numbers as text
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v <= 0) return std::nullopt;
    return v;
}

// A date or date-time cell in the display zone: "2026-12-31", "2026/12/31", "2026.12.31",
// "2026年12月31日", each optionally followed by " HH:MM[:SS]"; or RFC 3339. A bare date means the end of that
// day is not implied: it is 00:00 of the day, as the export writes deadlines that were set as dates.
Result<UnixSeconds> ParseLedgerTime(std::string_view cell) {
    std::string t = Trim(cell);
    if (auto iso = ParseIso(t); iso.ok()) return iso;
    std::string s = t;
    ReplaceAll(s, "年", "-");
    ReplaceAll(s, "月", "-");
    ReplaceAll(s, "日", "");
    ReplaceAll(s, ".", "-");
    s = Trim(s);
    if (auto local = ParseLocalDateTime(s); local.ok()) return local;
    return InvalidArgument("\"" + t + "\" is not a date (write it as 2026-12-31, 2026/12/31, 2026年12月31日 or with a time "
                           "2026-12-31 18:00)");
}

// A label or an enum name (e.g. "群众意见" or "public_opinion") -> the enum value.
template <typename E, typename LabelFn>
std::optional<E> ParseLabel(std::string_view text, LabelFn label, std::initializer_list<E> values) {
    for (E v : values) {
        if (text == label(v) || text == domain::ToString(v)) return v;
    }
    return std::nullopt;
}

template <typename E, typename LabelFn>
std::string AllowedLabels(LabelFn label, std::initializer_list<E> values) {
    std::string out;
    for (E v : values) out += (out.empty() ? "" : "、") + std::string(label(v));
    return out;
}

constexpr std::initializer_list<domain::ProblemSource> kSources = {
    domain::ProblemSource::kPublicOpinion,   domain::ProblemSource::kSelfInspection,
    domain::ProblemSource::kSupervisionFeedback, domain::ProblemSource::kSuperiorAssignment,
    domain::ProblemSource::kInspectionTour,  domain::ProblemSource::kAudit,
    domain::ProblemSource::kMeeting,         domain::ProblemSource::kOther};
constexpr std::initializer_list<ProblemStatus> kProblemStatuses = {
    ProblemStatus::kRegistered, ProblemStatus::kPlanned, ProblemStatus::kInProgress,
    ProblemStatus::kPendingVerification, ProblemStatus::kClosed, ProblemStatus::kInvalid, ProblemStatus::kMerged};
constexpr std::initializer_list<TaskStatus> kTaskStatuses = {TaskStatus::kPending,   TaskStatus::kInProgress,
                                                             TaskStatus::kSubmitted, TaskStatus::kAccepted,
                                                             TaskStatus::kReturned,  TaskStatus::kWithdrawn};
constexpr std::initializer_list<domain::TaskType> kTaskTypes = {domain::TaskType::kImmediate, domain::TaskType::kTimeBound,
                                                                domain::TaskType::kOngoing};

// "60%" / "60％" at the end of a progress cell -> 60.
std::optional<int> TrailingPercent(const std::string& text) {
    static const std::regex re(R"((\d{1,3})\s*(%|％)\s*$)");
    std::smatch m;
    if (!std::regex_search(text, m, re)) return std::nullopt;
    int v = std::stoi(m[1].str());
    if (v > 100) return std::nullopt;
    return v;
}

// The progress text the problem-list export writes ("已验收 a/n 项措施"): such a cell is not a new report.
bool IsExportedProblemProgress(const std::string& text) {
    static const std::regex re(R"(^已验收 \d+/\d+ 项措施$)");
    return std::regex_match(text, re);
}

// How far along the workflow a status is, for telling a ledger that lags behind (an earlier status: the
// current one stands) from one that asks for a step (a later status). -1: off the main line (withdrawn,
// invalid, merged).
int Rank(TaskStatus s) {
    switch (s) {
        case TaskStatus::kPending: return 0;
        case TaskStatus::kReturned: return 1;
        case TaskStatus::kInProgress: return 2;
        case TaskStatus::kSubmitted: return 3;
        case TaskStatus::kAccepted: return 4;
        case TaskStatus::kWithdrawn: return -1;
    }
    return -1;
}
int Rank(ProblemStatus s) {
    switch (s) {
        case ProblemStatus::kRegistered: return 0;
        case ProblemStatus::kPlanned: return 1;
        case ProblemStatus::kInProgress: return 2;
        case ProblemStatus::kPendingVerification: return 3;
        case ProblemStatus::kClosed: return 4;
        case ProblemStatus::kInvalid:
        case ProblemStatus::kMerged: return -1;
    }
    return -1;
}

// Returned from inside Store::Write to roll back a dry run or a rejected commit; never leaves this file.
Status RollBack() { return Aborted("ledger import: rolled back"); }

// One data row after the first pass.
struct RowPlan {
    std::int64_t row = 0;
    std::optional<domain::ProblemId> problem_id;
    std::optional<domain::TaskId> task_id;
    // new problems
    std::string title, description;
    domain::ProblemSource source = domain::ProblemSource::kOther;
    std::optional<domain::CategoryId> category_id;
    std::optional<OrgId> unit;
    std::string measure, person;
    std::optional<std::string> lead;
    domain::TaskType type = domain::TaskType::kTimeBound;
    std::optional<UnixSeconds> deadline;
    // updates
    std::string progress;
    std::string status_text;
    std::optional<bool> closed;  // 是否销号 是 / 否
};

}  // namespace

// ---- the variant table ----

const std::vector<LedgerImportField>& LedgerImportFields() {
    // names[0] is the export's header; the variants are those of ledgers in common use (整改台账 templates of
    // 主题教育 and 巡视整改 offices).
    static const std::vector<LedgerImportField> fields = {
        {"seq", {"序号", "顺序号", "No."}},
        {"problem_id", {"问题编号", "问题ID", "问题id"}},
        {"task_id", {"任务编号", "措施编号", "任务ID"}},
        {"source", {"问题来源", "来源", "问题出处", "来源渠道"}},
        {"category", {"问题类别", "问题类型", "问题分类", "类别", "分类"}},
        {"special_item", {"专项整治", "专项整治项目", "整治项目", "所属专项"}},
        {"description", {"问题描述", "问题表现", "存在问题", "问题内容", "具体问题", "问题"}},
        {"target", {"整改目标/标准", "整改目标", "整改标准", "整改目标和标准", "整改目标及标准"}},
        {"measure", {"整改措施", "整改任务", "整改举措", "具体措施", "措施"}},
        {"unit", {"责任单位", "牵头单位", "责任部门", "整改责任单位", "主责单位", "责任主体"}},
        {"person", {"责任人", "具体责任人", "整改责任人", "直接责任人"}},
        {"lead", {"牵头领导", "责任领导", "分管领导", "牵头负责人", "领导"}},
        {"deadline", {"整改时限", "完成时限", "整改期限", "完成时间", "整改时间", "时限要求", "截止时间"}},
        {"progress", {"整改进展", "进展情况", "整改进度", "推进情况", "整改情况", "进展"}},
        {"status", {"完成情况", "整改状态", "办理状态", "状态"}},
        {"closed", {"是否销号", "销号情况", "是否已销号"}},
        {"closed_at", {"销号时间", "销号日期"}},
        {"task_type", {"整改类型", "整改方式"}},
    };
    return fields;
}

std::string NormaliseLedgerHeader(std::string_view header) {
    std::string s(header);
    for (const char* space : {" ", "\t", "\r", "\n", "\xE3\x80\x80"}) ReplaceAll(s, space, "");
    ReplaceAll(s, "\xEF\xBC\x8F", "/");  // ／
    // A trailing note in parentheses: "整改时限（年月日）", "整改时限(必填)".
    for (const auto& [open, close] : {std::pair<std::string, std::string>{"\xEF\xBC\x88", "\xEF\xBC\x89"},
                                      std::pair<std::string, std::string>{"(", ")"}}) {
        if (s.size() > close.size() && s.compare(s.size() - close.size(), close.size(), close) == 0) {
            auto at = s.rfind(open);
            if (at != std::string::npos && at > 0) s.resize(at);
        }
    }
    for (char& c : s) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return s;
}

std::string MatchLedgerHeader(std::string_view header) {
    const std::string h = NormaliseLedgerHeader(header);
    if (h.empty()) return "";
    for (const auto& f : LedgerImportFields()) {
        for (const auto& name : f.names) {
            if (NormaliseLedgerHeader(name) == h) return f.key;
        }
    }
    return "";
}

Result<std::vector<std::vector<std::string>>> LedgerRowsFromCsv(std::string_view text) {
    ASSIGN_OR_RETURN(CsvTable table, ParseCsv(text));
    std::vector<std::vector<std::string>> rows;
    rows.reserve(table.rows.size() + 1);
    rows.push_back(std::move(table.header));
    for (auto& r : table.rows) rows.push_back(std::move(r));
    return rows;
}

std::string LedgerImportReportJson(const LedgerImportReport& r) {
    nlohmann::json j;
    j["dry_run"] = r.dry_run;
    j["committed"] = r.committed;
    j["header_row"] = r.header_row;
    j["mapping"] = nlohmann::json::object();
    for (const auto& [key, column] : r.mapping) j["mapping"][key] = column ? nlohmann::json(*column) : nullptr;
    j["unmapped_columns"] = r.unmapped_columns;
    j["rows_read"] = r.rows_read;
    j["problems_created"] = r.problems_created;
    j["tasks_created"] = r.tasks_created;
    j["problems_updated"] = r.problems_updated;
    j["tasks_updated"] = r.tasks_updated;
    j["reports_created"] = r.reports_created;
    j["rows_unchanged"] = r.rows_unchanged;
    auto rows = [](const std::vector<RowError>& errors) {
        nlohmann::json a = nlohmann::json::array();
        for (const auto& e : errors) a.push_back({{"row", e.row}, {"column", e.column}, {"reason", e.reason}});
        return a;
    };
    j["rejected"] = rows(r.rejected);
    j["ignored"] = rows(r.ignored);
    return j.dump();
}

// ---- the import ----

Result<LedgerImportReport> Service::ImportLedger(const Actor& actor, const LedgerImportInput& input,
                                                 LedgerImportMode mode) {
    LedgerImportReport report;
    report.dry_run = mode == LedgerImportMode::kDryRun;
    if (input.rows.size() > kMaxLedgerImportRows) {
        return InvalidArgument("rows: " + Id(static_cast<std::int64_t>(input.rows.size())) + " rows; at most " +
                               Id(kMaxLedgerImportRows) + " can be imported at once (split the ledger)");
    }
    const auto& fields = LedgerImportFields();
    for (const auto& entry : input.mapping) {
        const std::string& key = entry.first;  // a named variable: clang 14 cannot capture a structured binding
        if (std::none_of(fields.begin(), fields.end(), [&](const auto& f) { return f.key == key; })) {
            std::string allowed;
            for (const auto& f : fields) allowed += (allowed.empty() ? "" : ", ") + f.key;
            return InvalidArgument("mapping." + key + ": not a ledger field (allowed: " + allowed + ")");
        }
    }

    // The header: the first of the first five rows where two or more cells name a field (auto-matched or
    // named by the mapping). The export's title line has one cell and is passed over.
    std::set<std::string> mapped_headers;
    for (const auto& [key, column] : input.mapping) {
        if (!column.empty()) mapped_headers.insert(NormaliseLedgerHeader(column));
    }
    std::optional<std::size_t> header_at;
    for (std::size_t r = 0; r < input.rows.size() && r < 5 && !header_at; ++r) {
        int hits = 0;
        for (const auto& cell : input.rows[r]) {
            if (!MatchLedgerHeader(cell).empty() || mapped_headers.count(NormaliseLedgerHeader(cell))) ++hits;
        }
        if (hits >= 2) header_at = r;
    }
    if (!header_at) {
        return InvalidArgument("rows: no header row among the first five rows (a header names at least two "
                               "ledger columns, e.g. 问题编号, 问题描述, 责任单位, 整改时限)");
    }
    const std::vector<std::string>& header = input.rows[*header_at];
    report.header_row = static_cast<std::int64_t>(*header_at) + 1;

    // Field -> column index: the mapping first, then the auto-match (the first column that matches).
    std::map<std::string, std::size_t> column_of;
    std::map<std::size_t, std::string> field_of_column;
    for (const auto& [key, column] : input.mapping) {
        if (column.empty()) continue;
        std::optional<std::size_t> found;
        for (std::size_t c = 0; c < header.size(); ++c) {
            if (NormaliseLedgerHeader(header[c]) == NormaliseLedgerHeader(column)) {
                found = c;
                break;
            }
        }
        if (!found) {
            return InvalidArgument("mapping." + key + ": the header (row " + Id(report.header_row) +
                                   ") has no column \"" + column + "\"");
        }
        if (field_of_column.count(*found)) {
            return InvalidArgument("mapping." + key + ": the column \"" + column + "\" is mapped to " +
                                   field_of_column[*found] + " too");
        }
        column_of[key] = *found;
        field_of_column[*found] = key;
    }
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (field_of_column.count(c)) continue;
        std::string key = MatchLedgerHeader(header[c]);
        if (key.empty() || input.mapping.count(key) || column_of.count(key)) continue;
        column_of[key] = c;
        field_of_column[c] = key;
    }
    for (const auto& f : fields) {
        auto it = column_of.find(f.key);
        report.mapping.emplace_back(f.key, it == column_of.end() ? std::nullopt : std::optional(header[it->second]));
    }
    for (std::size_t c = 0; c < header.size(); ++c) {
        if (!field_of_column.count(c) && !Trim(header[c]).empty()) report.unmapped_columns.push_back(header[c]);
    }
    const bool has_id = column_of.count("problem_id") > 0;
    if (!has_id && (!column_of.count("description") || !column_of.count("unit"))) {
        return InvalidArgument("rows: the header (row " + Id(report.header_row) +
                               ") has neither a 问题编号 column (to update problems) nor both 问题描述 and 责任单位 "
                               "(to register them); map them or add the columns");
    }
    auto cell = [&](const std::vector<std::string>& row, const char* key) -> std::string {
        auto it = column_of.find(key);
        if (it == column_of.end() || it->second >= row.size()) return "";
        return Trim(row[it->second]);
    };
    auto column_name = [&](const char* key) -> std::string {
        auto it = column_of.find(key);
        return it == column_of.end() ? std::string(key) : header[it->second];
    };
    auto reject = [&](std::int64_t row, const char* key, std::string reason) {
        report.rejected.push_back(RowError{row, column_name(key), std::move(reason)});
    };

    // ---- first pass: read only ----
    ASSIGN_OR_RETURN(auto categories, store_->ListCategories());
    std::map<std::string, domain::CategoryId> category_by_path;
    for (const auto& c : categories) category_by_path[c.path] = c.id;
    std::map<std::string, Result<OrgId>> org_cache;
    auto resolve_org = [&](const std::string& name) -> Result<OrgId> {
        auto it = org_cache.find(name);
        if (it != org_cache.end()) return it->second;
        Result<OrgId> out = NotFound("");
        if (name.find('/') != std::string::npos) {
            auto org = FindOrgByPath(actor, name);
            out = org.ok() ? Result<OrgId>(org->id)
                           : Result<OrgId>(NotFound("no org in your scope has the path \"" + name + "\""));
        } else {
            ASSIGN_OR_RETURN(auto found, SearchOrgs(actor, name, 100));
            std::vector<domain::Org> exact;
            for (auto& o : found) {
                if (o.name == name) exact.push_back(std::move(o));
            }
            if (exact.size() == 1) {
                out = exact[0].id;
            } else if (exact.empty()) {
                out = NotFound("no org in your scope is named \"" + name + "\"");
            } else {
                std::string ids;
                for (const auto& o : exact) ids += (ids.empty() ? "" : ", ") + Id(o.id);
                out = NotFound("\"" + name + "\" names " + Id(static_cast<std::int64_t>(exact.size())) +
                               " orgs in your scope (ids " + ids + "); write its path, e.g. 福建省/福州市/鼓楼区");
            }
        }
        return org_cache.emplace(name, out).first->second;
    };

    std::vector<RowPlan> plans;
    for (std::size_t r = *header_at + 1; r < input.rows.size(); ++r) {
        const auto& row = input.rows[r];
        if (IsBlankRow(row)) continue;
        ++report.rows_read;
        RowPlan plan;
        plan.row = static_cast<std::int64_t>(r) + 1;
        const std::int64_t n = plan.row;
        const std::size_t rejected_before = report.rejected.size();
        for (const char* key : {"special_item", "target", "closed_at", "seq"}) {
            if (std::string_view(key) == "seq" || cell(row, key).empty()) continue;
            report.ignored.push_back(RowError{
                n, column_name(key),
                std::string_view(key) == "special_item"
                    ? "not imported: special items (专项整治) are not modelled yet"
                : std::string_view(key) == "target" ? "not imported: targets (整改目标/标准) are not modelled yet"
                                                    : "not imported: the close-out time is the time of the 销号 step"});
        }
        if (std::string text = cell(row, "problem_id"); !text.empty()) {
            plan.problem_id = ParseId(text);
            if (!plan.problem_id) reject(n, "problem_id", "\"" + text + "\" is not a problem number");
        }
        if (std::string text = cell(row, "task_id"); !text.empty()) {
            plan.task_id = ParseId(text);
            if (!plan.task_id) reject(n, "task_id", "\"" + text + "\" is not a task number");
            if (!plan.problem_id && plan.task_id) reject(n, "task_id", "a 任务编号 needs the 问题编号 of its problem");
        }
        plan.progress = cell(row, "progress");
        plan.status_text = cell(row, "status");
        if (std::string text = cell(row, "closed"); !text.empty()) {
            if (text == "是" || text == "已销号" || text == "yes") {
                plan.closed = true;
            } else if (text == "否" || text == "未销号" || text == "no") {
                plan.closed = false;
            } else {
                reject(n, "closed", "\"" + text + "\" is not 是 or 否");
            }
        }
        if (!plan.problem_id && report.rejected.size() == rejected_before) {
            // A new problem: 问题描述 and 责任单位 are required.
            std::string desc = cell(row, "description");
            if (desc.empty()) {
                reject(n, "description", "required for a new problem (a row without 问题编号)");
            } else {
                const std::string sep = "\xEF\xBC\x9A";  // "：", as the export joins title and description
                auto at = desc.find(sep);
                plan.title = at == std::string::npos ? desc : Trim(desc.substr(0, at));
                plan.description = at == std::string::npos ? "" : Trim(desc.substr(at + sep.size()));
            }
            if (std::string unit = cell(row, "unit"); unit.empty()) {
                reject(n, "unit", "required for a new problem (a row without 问题编号)");
            } else if (auto org = resolve_org(unit); !org.ok()) {
                reject(n, "unit", org.status().message());
            } else if (!CanEditProblems(actor, *org)) {
                reject(n, "unit", "registering a problem of \"" + unit + "\" needs the clerk or reviewer role over it");
            } else {
                plan.unit = *org;
            }
            if (std::string text = cell(row, "source"); !text.empty()) {
                auto v = ParseLabel(text, detail::SourceLabel, kSources);
                if (v) {
                    plan.source = *v;
                } else {
                    reject(n, "source", "\"" + text + "\" is not a problem source (allowed: " +
                                            AllowedLabels(detail::SourceLabel, kSources) + ")");
                }
            }
            if (std::string text = cell(row, "category"); !text.empty()) {
                std::string path = text;
                ReplaceAll(path, "\xEF\xBC\x8F", "/");
                auto it = category_by_path.find(path);
                if (it != category_by_path.end()) {
                    plan.category_id = it->second;
                } else {
                    reject(n, "category", "no category has the path \"" + text + "\" (write it as 一级/二级/三级, "
                                          "e.g. 环境保护/环境污染/水污染)");
                }
            }
            if (std::string text = cell(row, "deadline"); !text.empty()) {
                auto t = ParseLedgerTime(text);
                if (!t.ok()) {
                    reject(n, "deadline", t.status().message());
                } else if (*t < NowSeconds()) {
                    reject(n, "deadline", "\"" + text + "\" has passed; a new problem's deadline (整改时限) must be "
                                          "later than its registration (now)");
                } else {
                    plan.deadline = *t;
                }
            }
            if (std::string text = cell(row, "task_type"); !text.empty()) {
                auto v = ParseLabel(text, detail::TaskTypeLabel, kTaskTypes);
                if (v) {
                    plan.type = *v;
                } else {
                    reject(n, "task_type", "\"" + text + "\" is not a task type (allowed: " +
                                               AllowedLabels(detail::TaskTypeLabel, kTaskTypes) + ")");
                }
            }
            plan.measure = cell(row, "measure");
            plan.person = cell(row, "person");
            if (std::string lead = cell(row, "lead"); !lead.empty()) plan.lead = lead;
            if (!plan.measure.empty()) {
                if (plan.person.empty()) reject(n, "person", "required when the row has 整改措施 (the task's 责任人)");
                if (plan.type == domain::TaskType::kOngoing) {
                    reject(n, "task_type", "长期坚持 tasks need review dates, which a ledger row does not carry; "
                                           "register them in rectify");
                } else if (!cell(row, "deadline").empty() || plan.deadline) {
                    // checked above
                } else {
                    reject(n, "deadline", "required when the row has 整改措施 (the task's 整改时限)");
                }
            } else if (!plan.progress.empty()) {
                reject(n, "progress", "a new problem without 整改措施 has no task to report progress on");
            }
            // A new problem starts registered (its task pending): a later status is a workflow step.
            if (!plan.status_text.empty()) {
                bool initial = plan.status_text == detail::ProblemStatusLabel(ProblemStatus::kRegistered) ||
                               plan.status_text == detail::ProblemStatusLabel(ProblemStatus::kPlanned) ||
                               plan.status_text == detail::TaskStatusLabel(TaskStatus::kPending) ||
                               plan.status_text == detail::TaskStatusLabel(TaskStatus::kInProgress);
                if (!initial) {
                    reject(n, "status", "a new problem starts as 已登记 (its task 待整改); \"" + plan.status_text +
                                            "\" comes from workflow steps (申请销号, 验收, 销号) that are taken in rectify, "
                                            "not imported");
                }
            }
            if (plan.closed.value_or(false)) {
                reject(n, "closed", "a new problem cannot be imported as 销号: close-out is the level above's step");
            }
        }
        if (report.rejected.size() == rejected_before) plans.push_back(std::move(plan));
    }

    // ---- second pass: one transaction ----
    bool keep = false;
    const bool first_pass_clean = report.rejected.empty();
    Status st = store_->Write([&](store::WriteTx& tx) -> Status {
        std::set<domain::ProblemId> updated_problems;
        std::set<domain::TaskId> updated_tasks;
        for (const RowPlan& plan : plans) {
            const std::int64_t n = plan.row;
            if (!plan.problem_id) {
                Problem p;
                p.title = plan.title;
                p.description = plan.description;
                p.source = plan.source;
                p.category_id = plan.category_id;
                p.owner_org_id = *plan.unit;
                p.status = ProblemStatus::kRegistered;
                p.created_at = p.updated_at = NowSeconds();
                p.due_at = plan.deadline;
                if (Status v = domain::ValidateProblem(p); !v.ok()) {
                    reject(n, "description", v.message());
                    continue;
                }
                RETURN_IF_ERROR(tx.InsertProblem(p));
                auto event = MakeEvent(actor, "problem", p.id, "create", std::nullopt, domain::ToJson(p));
                RETURN_IF_ERROR(tx.AppendEvent(event));
                ++report.problems_created;
                if (!plan.measure.empty()) {
                    TaskDraft d;
                    d.org_id = *plan.unit;
                    const std::string sep = "\xEF\xBC\x9A";
                    auto at = plan.measure.find(sep);
                    d.title = at == std::string::npos ? plan.measure : Trim(plan.measure.substr(0, at));
                    d.description = at == std::string::npos ? "" : Trim(plan.measure.substr(at + sep.size()));
                    d.responsible_person = plan.person;
                    d.lead_official = plan.lead;
                    d.type = plan.type;
                    d.due_at = plan.deadline;
                    Task t;
                    if (Status s = detail::CreateTaskInTx(*this, tx, actor, p.id, d, std::nullopt, t); !s.ok()) {
                        reject(n, "measure", s.message());
                        continue;
                    }
                    ++report.tasks_created;
                    if (!plan.progress.empty()) {
                        Task started;
                        if (Status s = detail::StartTaskInTx(*this, tx, actor, t.id, started); !s.ok()) {
                            reject(n, "progress", "整改进展 (report): " + s.message());
                            continue;
                        }
                        ReportDraft rd;
                        rd.text = plan.progress;
                        rd.percent = TrailingPercent(plan.progress).value_or(0);
                        domain::ProgressReport r;
                        if (Status s = detail::ReportProgressInTx(*this, tx, actor, t.id, rd, std::nullopt, r); !s.ok()) {
                            reject(n, "progress", "整改进展 (report): " + s.message());
                            continue;
                        }
                        ++report.reports_created;
                    }
                }
                continue;
            }

            // An existing problem: in the actor's subtree, else "does not exist" (as every route answers).
            const domain::ProblemId pid = *plan.problem_id;
            auto problem = tx.GetProblem(pid);
            if (!problem.ok() || !InScope(actor, problem->owner_org_id)) {
                reject(n, "problem_id", "problem " + Id(pid) + " does not exist");
                continue;
            }
            ASSIGN_OR_RETURN(auto tasks, tx.ListTasksOfProblem(pid));
            std::optional<Task> task;
            if (plan.task_id) {
                auto it = std::find_if(tasks.begin(), tasks.end(), [&](const Task& t) { return t.id == *plan.task_id; });
                if (it == tasks.end() || !InScope(actor, it->org_id)) {
                    reject(n, "task_id", "task " + Id(*plan.task_id) + " does not exist as a task of problem " + Id(pid));
                    continue;
                }
                task = *it;
            }
            bool changed = false;
            // The statuses as the ledger was written: a 完成情况 equal to them asks for no step, even when this
            // row's progress report has moved them on (a report starts a 待整改 task).
            const std::optional<TaskStatus> task_status_before =
                task ? std::optional<TaskStatus>(task->status) : std::nullopt;
            const ProblemStatus problem_status_before = problem->status;
            // 整改进展 -> a progress report, unless it is what the export wrote or the task's latest report.
            if (!plan.progress.empty() && !IsExportedProblemProgress(plan.progress)) {
                std::optional<Task> target = task;
                if (!target) {
                    std::vector<Task> open;
                    for (const Task& t : tasks) {
                        if (t.round == problem->round && InScope(actor, t.org_id) &&
                            (t.status == TaskStatus::kPending || t.status == TaskStatus::kInProgress ||
                             t.status == TaskStatus::kReturned)) {
                            open.push_back(t);
                        }
                    }
                    if (open.size() == 1) {
                        target = open[0];
                    } else if (open.empty()) {
                        reject(n, "progress", "problem " + Id(pid) + " has no open task (待整改, 整改中 or 已退回) to "
                                              "report progress on");
                        continue;
                    } else {
                        reject(n, "progress", "problem " + Id(pid) + " has " + Id(static_cast<std::int64_t>(open.size())) +
                                              " open tasks: report their progress on the task list (任务清单), "
                                              "whose rows carry 任务编号");
                        continue;
                    }
                }
                const bool is_export_percent = plan.progress == Id(target->progress) + "%";
                bool same_as_latest = false;
                if (!is_export_percent) {
                    // Committed reports (read through the pool): enough to see a re-import of the same ledger.
                    ASSIGN_OR_RETURN(auto reports, store_->ListProgressReports(target->id));
                    same_as_latest = !reports.empty() && reports.back().text == plan.progress;
                }
                if (!is_export_percent && !same_as_latest) {
                    if (target->status == TaskStatus::kPending) {
                        Task started;
                        if (Status s = detail::StartTaskInTx(*this, tx, actor, target->id, started); !s.ok()) {
                            reject(n, "progress", "整改进展 (report): " + s.message());
                            continue;
                        }
                    }
                    ReportDraft rd;
                    rd.text = plan.progress;
                    rd.percent = TrailingPercent(plan.progress).value_or(target->progress);
                    domain::ProgressReport r;
                    if (Status s = detail::ReportProgressInTx(*this, tx, actor, target->id, rd, std::nullopt, r);
                        !s.ok()) {
                        reject(n, "progress", "整改进展 (report): " + s.message());
                        continue;
                    }
                    ++report.reports_created;
                    updated_tasks.insert(target->id);
                    changed = true;
                    if (task) task = *tx.GetTask(task->id);
                }
            }
            // 完成情况 / 是否销号 -> the workflow step that leads there, when there is one the import takes.
            if (!plan.status_text.empty() && task) {
                auto want = ParseLabel(plan.status_text, detail::TaskStatusLabel, kTaskStatuses);
                if (!want) {
                    reject(n, "status", "\"" + plan.status_text + "\" is not a task status (allowed: " +
                                            AllowedLabels(detail::TaskStatusLabel, kTaskStatuses) + ")");
                    continue;
                }
                if (*want != task->status && *want != *task_status_before) {
                    if (Rank(*want) >= 0 && Rank(*want) < Rank(task->status)) {
                        report.ignored.push_back(RowError{
                            n, column_name("status"),
                            "the ledger shows " + plan.status_text + ", an earlier status than the task's current " +
                                detail::TaskStatusLabel(task->status) + ", which stands"});
                    } else if (*want != TaskStatus::kSubmitted) {
                        reject(n, "status", "task " + Id(task->id) + " is " + detail::TaskStatusLabel(task->status) +
                                                "; a ledger import takes only the step 申请销号 (to " +
                                                detail::TaskStatusLabel(TaskStatus::kSubmitted) +
                                                "); the step to \"" + plan.status_text + "\" is taken in rectify");
                        continue;
                    } else {
                        Task out;
                        if (Status s = detail::SubmitTaskInTx(*this, tx, actor, task->id, std::nullopt, out); !s.ok()) {
                            reject(n, "status", "申请销号 (submit): " + s.message());
                            continue;
                        }
                        updated_tasks.insert(task->id);
                        changed = true;
                    }
                }
            }
            ASSIGN_OR_RETURN(Problem now, tx.GetProblem(pid));
            std::optional<ProblemStatus> want_problem;
            if (!plan.status_text.empty() && !task) {
                want_problem = ParseLabel(plan.status_text, detail::ProblemStatusLabel, kProblemStatuses);
                if (!want_problem) {
                    reject(n, "status", "\"" + plan.status_text + "\" is not a problem status (allowed: " +
                                            AllowedLabels(detail::ProblemStatusLabel, kProblemStatuses) + ")");
                    continue;
                }
            }
            if (plan.closed) {
                const bool is_closed = now.status == ProblemStatus::kClosed;
                if (*plan.closed && !is_closed) {
                    want_problem = ProblemStatus::kClosed;
                } else if (!*plan.closed && is_closed) {
                    reject(n, "closed", "problem " + Id(pid) + " is closed (已销号); it reopens only through a "
                                        "不满意 rating or the level above's reopen step in rectify");
                    continue;
                }
            }
            if (want_problem && *want_problem != now.status &&
                !(*want_problem == problem_status_before && !(plan.closed && *plan.closed)) &&
                Rank(*want_problem) >= 0 && Rank(*want_problem) < Rank(now.status)) {
                report.ignored.push_back(RowError{n, column_name("status"),
                                                  "the ledger shows " + plan.status_text +
                                                      ", an earlier status than the problem's current " +
                                                      detail::ProblemStatusLabel(now.status) + ", which stands"});
                want_problem.reset();
            }
            if (want_problem && *want_problem != now.status &&
                !(*want_problem == problem_status_before && !(plan.closed && *plan.closed))) {
                if (*want_problem != ProblemStatus::kClosed) {
                    reject(n, plan.closed && *plan.closed ? "closed" : "status",
                           "problem " + Id(pid) + " is " + detail::ProblemStatusLabel(now.status) + " and follows its "
                           "tasks; a ledger import takes only the step 销号 (to 已销号) — \"" +
                               detail::ProblemStatusLabel(*want_problem) + "\" comes from steps taken in rectify");
                    continue;
                }
                Problem out;
                if (Status s = detail::CloseProblemInTx(*this, tx, actor, pid, std::nullopt, out); !s.ok()) {
                    reject(n, plan.closed ? "closed" : "status", "销号 (close): " + s.message());
                    continue;
                }
                changed = true;
            }
            if (changed) {
                updated_problems.insert(pid);
            } else {
                ++report.rows_unchanged;
            }
        }
        report.problems_updated = static_cast<std::int64_t>(updated_problems.size());
        report.tasks_updated = static_cast<std::int64_t>(updated_tasks.size());
        if (mode == LedgerImportMode::kDryRun || !report.rejected.empty() || !first_pass_clean) return RollBack();
        keep = true;
        return Status::Ok();
    });
    if (keep) {
        RETURN_IF_ERROR(st);
        report.committed = true;
        return report;
    }
    if (!st.ok() && st.message() != RollBack().message()) return st;
    std::stable_sort(report.rejected.begin(), report.rejected.end(),
                     [](const RowError& a, const RowError& b) { return a.row < b.row; });
    return report;
}

}  // namespace rectify::service
