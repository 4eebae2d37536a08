#include "service/ledger.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "common/csv.hpp"
#include "service/detail/ledger_labels.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using detail::ProblemStatusLabel;
using detail::SourceLabel;
using detail::TaskStatusLabel;

// Days from 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-compatible low-level date
// algorithms", days_from_civil).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// The local wall-clock fields of an instant, read back from FormatIso ("2026-11-29T18:30:05+08:00").
struct LocalFields {
    int year, month, day, hour, minute, second;
};
LocalFields Local(UnixSeconds at) {
    const std::string s = FormatIso(at);
    auto num = [&](std::size_t pos, std::size_t len) { return std::stoi(s.substr(pos, len)); };
    return {num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)};
}

std::string LocalText(UnixSeconds at) {
    const std::string s = FormatIso(at);
    return s.substr(0, 10) + " " + s.substr(11, 5);
}

// ---- CSV ----

class CsvSink final : public LedgerSink {
public:
    explicit CsvSink(std::ostream& out) : out_(out) {}
    Status Begin(const std::string& title, const std::vector<std::string>& columns) override {
        out_ << "\xEF\xBB\xBF" << CsvLine({title}) << CsvLine(columns);
        return Check();
    }
    Status Row(const std::vector<LedgerCell>& cells) override {
        std::vector<std::string> text;
        text.reserve(cells.size());
        for (const auto& c : cells) {
            if (const auto* s = std::get_if<std::string>(&c)) {
                text.push_back(*s);
            } else if (const auto* n = std::get_if<std::int64_t>(&c)) {
                text.push_back(std::to_string(*n));
            } else if (const auto* t = std::get_if<LedgerTime>(&c)) {
                text.push_back(LocalText(t->at));
            } else {
                text.emplace_back();
            }
        }
        out_ << CsvLine(text);
        return Check();
    }
    Status Finish() override {
        out_.flush();
        return Check();
    }

private:
    Status Check() { return out_ ? Status::Ok() : Internal("ledger: writing the CSV failed"); }
    std::ostream& out_;
};

// ---- XLSX ----

double ColumnWidth(const std::string& name) {
    static const std::map<std::string, double> widths = {
        {"序号", 6},      {"问题编号", 10}, {"任务编号", 10}, {"问题描述", 48}, {"整改措施", 40},
        {"整改进展", 24}, {"问题类别", 24}, {"整改时限", 17}, {"销号时间", 17}, {"提交时间", 17},
        {"验收时间", 17}, {"最近整改时限", 17}, {"责任单位", 16}, {"整改目标/标准", 24}};
    auto it = widths.find(name);
    return it == widths.end() ? 12 : it->second;
}

class XlsxSink final : public LedgerSink {
public:
    explicit XlsxSink(std::string path) : path_(std::move(path)) {}
    ~XlsxSink() override {
        if (workbook_) workbook_close(workbook_);
    }
    Status Begin(const std::string& title, const std::vector<std::string>& columns) override {
        lxw_workbook_options options{};
        options.constant_memory = LXW_TRUE;  // rows go to a temporary file as they are written
        workbook_ = workbook_new_opt(path_.c_str(), &options);
        if (!workbook_) return Internal("ledger: cannot create the XLSX file " + path_);
        sheet_ = workbook_add_worksheet(workbook_, nullptr);
        title_ = workbook_add_format(workbook_);
        format_set_bold(title_);
        format_set_font_size(title_, 14);
        header_ = workbook_add_format(workbook_);
        format_set_bold(header_);
        format_set_bg_color(header_, 0xDDEBF7);
        format_set_border(header_, LXW_BORDER_THIN);
        format_set_text_wrap(header_);
        date_ = workbook_add_format(workbook_);
        format_set_num_format(date_, "yyyy-mm-dd hh:mm");
        wrap_ = workbook_add_format(workbook_);
        format_set_text_wrap(wrap_);
        format_set_align(wrap_, LXW_ALIGN_VERTICAL_TOP);
        const auto last = static_cast<lxw_col_t>(columns.size() - 1);
        for (lxw_col_t c = 0; c <= last; ++c) {
            worksheet_set_column(sheet_, c, c, ColumnWidth(columns[c]), nullptr);
        }
        worksheet_freeze_panes(sheet_, 2, 0);
        RETURN_IF_ERROR(Lxw(worksheet_merge_range(sheet_, 0, 0, 0, last, title.c_str(), title_)));
        for (lxw_col_t c = 0; c <= last; ++c) {
            RETURN_IF_ERROR(Lxw(worksheet_write_string(sheet_, 1, c, columns[c].c_str(), header_)));
        }
        row_ = 2;
        return Status::Ok();
    }
    Status Row(const std::vector<LedgerCell>& cells) override {
        for (std::size_t i = 0; i < cells.size(); ++i) {
            const auto c = static_cast<lxw_col_t>(i);
            const LedgerCell& cell = cells[i];
            if (const auto* s = std::get_if<std::string>(&cell)) {
                if (!s->empty()) RETURN_IF_ERROR(Lxw(worksheet_write_string(sheet_, row_, c, s->c_str(), wrap_)));
            } else if (const auto* n = std::get_if<std::int64_t>(&cell)) {
                RETURN_IF_ERROR(Lxw(worksheet_write_number(sheet_, row_, c, static_cast<double>(*n), nullptr)));
            } else if (const auto* t = std::get_if<LedgerTime>(&cell)) {
                RETURN_IF_ERROR(Lxw(worksheet_write_number(sheet_, row_, c, ExcelSerial(t->at), date_)));
            }
        }
        ++row_;
        return Status::Ok();
    }
    Status Finish() override {
        lxw_error e = workbook_close(workbook_);
        workbook_ = nullptr;
        return Lxw(e);
    }

private:
    static Status Lxw(lxw_error e) {
        if (e == LXW_NO_ERROR) return Status::Ok();
        return Internal(std::string("ledger: XLSX writer: ") + lxw_strerror(e));
    }
    std::string path_;
    lxw_workbook* workbook_ = nullptr;
    lxw_worksheet* sheet_ = nullptr;
    lxw_format *title_ = nullptr, *header_ = nullptr, *date_ = nullptr, *wrap_ = nullptr;
    lxw_row_t row_ = 0;
};

// Joins the distinct non-empty values in first-seen order with "；".
std::string JoinDistinct(const std::vector<std::string>& values) {
    std::string out;
    std::vector<std::string> seen;
    for (const auto& v : values) {
        if (v.empty() || std::find(seen.begin(), seen.end(), v) != seen.end()) continue;
        seen.push_back(v);
        out += (out.empty() ? "" : "；") + v;
    }
    return out;
}

LedgerCell Time(const std::optional<UnixSeconds>& t) {
    if (!t) return std::monostate{};
    return LedgerTime{*t};
}

}  // namespace

double ExcelSerial(UnixSeconds at) {
    LocalFields f = Local(at);
    const std::int64_t days = DaysFromCivil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day)) -
                              DaysFromCivil(1899, 12, 30);
    return static_cast<double>(days) + (f.hour * 3600 + f.minute * 60 + f.second) / 86400.0;
}

Result<LedgerList> ParseLedgerList(std::string_view text) {
    if (text == "problems") return LedgerList::kProblems;
    if (text == "tasks") return LedgerList::kTasks;
    if (text == "responsibilities") return LedgerList::kResponsibilities;
    return InvalidArgument("list: \"" + std::string(text) +
                           "\" is not a ledger list (allowed: problems, tasks, responsibilities)");
}

Result<LedgerFormat> ParseLedgerFormat(std::string_view text) {
    if (text == "csv") return LedgerFormat::kCsv;
    if (text == "xlsx") return LedgerFormat::kXlsx;
    return InvalidArgument("format: \"" + std::string(text) + "\" is not a ledger format (allowed: xlsx, csv)");
}

std::string LedgerTitle(LedgerList list) {
    switch (list) {
        case LedgerList::kProblems: return "问题清单";
        case LedgerList::kTasks: return "任务清单";
        case LedgerList::kResponsibilities: return "责任清单";
    }
    return "";
}

std::unique_ptr<LedgerSink> MakeCsvLedgerSink(std::ostream& out) { return std::make_unique<CsvSink>(out); }
std::unique_ptr<LedgerSink> MakeXlsxLedgerSink(const std::string& path) { return std::make_unique<XlsxSink>(path); }

Result<std::int64_t> Service::ExportLedger(const Actor& actor, LedgerList list, const ProblemQuery& filter,
                                           LedgerSink& sink) {
    ProblemQuery query = filter;
    query.order = store::ProblemOrder::kIdDesc;
    query.cursor.reset();
    query.offset = 0;
    query.with_total = false;
    query.limit = kMaxPageSize;
    // The scope's name for the title: the filtered org, or the actor's first scope root.
    std::string scope_name;
    if (filter.org_id) {
        ASSIGN_OR_RETURN(domain::Org org, GetOrgInScope(actor, *filter.org_id));
        scope_name = org.name;
    }
    ASSIGN_OR_RETURN(auto categories, store_->ListCategories());
    std::unordered_map<domain::CategoryId, std::string> category_path;
    for (const auto& c : categories) category_path[c.id] = c.path;
    std::unordered_map<domain::OrgId, std::string> org_names;  // a cache: ledgers repeat a few orgs
    auto org_name = [&](domain::OrgId id) -> Result<std::string> {
        auto it = org_names.find(id);
        if (it != org_names.end()) return it->second;
        ASSIGN_OR_RETURN(domain::Org org, store_->GetOrg(id));
        if (org_names.size() > 100'000) org_names.clear();
        return org_names[id] = org.name;
    };

    std::unordered_map<domain::SpecialItemId, std::string> item_label;  // "code title"
    std::unordered_map<domain::CampaignId, std::string> campaign_name;
    std::vector<std::string> columns;
    if (list == LedgerList::kProblems) {
        columns = {"序号", "问题编号", "问题来源", "问题类别", "专项整治", "问题描述", "整改目标/标准", "整改措施",
                   "责任单位", "责任人", "牵头领导", "整改时限", "整改进展", "完成情况", "是否销号", "销号时间"};
    } else if (list == LedgerList::kTasks) {
        columns = {"序号", "问题编号", "任务编号", "问题描述", "整改措施", "责任单位", "责任人",
                   "牵头领导", "整改时限", "整改进展", "完成情况", "提交时间", "验收时间"};
    } else {
        columns = {"序号",   "责任单位", "责任人", "牵头领导", "问题数", "任务数",
                   "已完成", "未完成",   "超期",   "完成率",   "最近整改时限"};
    }
    // The responsibility list: one group per (task org, 责任人, 牵头领导), in org id then name order. Only the
    // groups are held (a few per unit), never the task rows.
    struct Duty {
        std::set<domain::ProblemId> problems;
        std::int64_t tasks = 0, done = 0, overdue = 0;
        std::optional<UnixSeconds> next_due;  // the earliest deadline among unfinished tasks
    };
    std::map<std::tuple<domain::OrgId, std::string, std::string>, Duty> duties;
    const UnixSeconds now = NowSeconds();
    // A ledger of chosen rows (ProblemQuery::ids) says so in its title: "问题清单　福州市　所选问题　导出时间 ...".
    std::string title = LedgerTitle(list) + (scope_name.empty() ? "" : "　" + scope_name) +
                        (filter.ids.empty() ? "" : "　所选问题") + "　导出时间 " +
                        LocalText(NowSeconds());
    RETURN_IF_ERROR(sink.Begin(title, columns));
    std::int64_t n = 0;
    for (;;) {
        ASSIGN_OR_RETURN(Page<domain::Problem> page, ListProblems(actor, query));
        std::vector<domain::ProblemId> ids;
        for (const domain::Problem& p : page.items) ids.push_back(p.id);
        ASSIGN_OR_RETURN(auto page_tasks, store_->ListTasksOfProblems(ids));  // one query per page
        std::unordered_map<domain::ProblemId, std::vector<domain::Task>> tasks_of;
        for (auto& t : page_tasks) tasks_of[t.problem_id].push_back(std::move(t));
        // 专项整治 (issue 5): the items of the page's problems, "code title" joined with "；"; a problem tagged
        // with a campaign but no item shows the campaign's name.
        std::vector<domain::SpecialItemId> item_ids;
        for (const domain::Problem& p : page.items) {
            for (auto id : p.special_item_ids) {
                if (!item_label.contains(id)) item_ids.push_back(id);
            }
            if (p.campaign_id && !campaign_name.contains(*p.campaign_id)) {
                ASSIGN_OR_RETURN(auto c, store_->GetCampaign(*p.campaign_id));
                campaign_name[c.id] = c.name;
            }
        }
        std::sort(item_ids.begin(), item_ids.end());
        item_ids.erase(std::unique(item_ids.begin(), item_ids.end()), item_ids.end());
        ASSIGN_OR_RETURN(auto page_items, store_->GetSpecialItems(item_ids));
        for (const auto& item : page_items) item_label[item.id] = item.code + " " + item.title;
        for (const domain::Problem& p : page.items) {
            std::vector<domain::Task>& tasks = tasks_of[p.id];
            std::erase_if(tasks, [&](const domain::Task& t) { return t.round != p.round; });  // the current round
            std::string description = p.title + (p.description.empty() ? "" : "：" + p.description);
            std::string category = p.category_id ? category_path[*p.category_id] : "";
            if (list == LedgerList::kProblems) {
                std::vector<std::string> measures, people, leads;
                int accepted = 0, counted = 0;
                for (const auto& t : tasks) {
                    if (t.status == domain::TaskStatus::kWithdrawn) continue;
                    ++counted;
                    if (t.status == domain::TaskStatus::kAccepted) ++accepted;
                    measures.push_back(t.title);
                    people.push_back(t.responsible_person);
                    if (t.lead_official) leads.push_back(*t.lead_official);
                }
                ASSIGN_OR_RETURN(std::string owner, org_name(p.owner_org_id));
                std::string progress = counted ? "已验收 " + std::to_string(accepted) + "/" + std::to_string(counted) + " 项措施"
                                               : "";
                std::string items;
                for (auto id : p.special_item_ids) items += (items.empty() ? "" : "；") + item_label[id];
                if (items.empty() && p.campaign_id) items = campaign_name[*p.campaign_id];
                LedgerCell special = items.empty() ? LedgerCell(std::monostate{}) : LedgerCell(items);
                RETURN_IF_ERROR(sink.Row({++n, p.id, std::string(SourceLabel(p.source)), category, special,
                                          description, std::monostate{}, JoinDistinct(measures), owner,
                                          JoinDistinct(people), JoinDistinct(leads), Time(p.due_at), progress,
                                          std::string(ProblemStatusLabel(p.status)),
                                          std::string(p.status == domain::ProblemStatus::kClosed ? "是" : "否"),
                                          Time(p.status == domain::ProblemStatus::kClosed ? p.closed_at : std::nullopt)}));
            } else if (list == LedgerList::kResponsibilities) {
                for (const auto& t : tasks) {
                    if (t.status == domain::TaskStatus::kWithdrawn) continue;
                    Duty& d = duties[{t.org_id, t.responsible_person, t.lead_official.value_or("")}];
                    d.problems.insert(p.id);
                    ++d.tasks;
                    if (t.status == domain::TaskStatus::kAccepted) {
                        ++d.done;
                    } else if (t.status != domain::TaskStatus::kSubmitted) {  // pending, in progress, returned
                        if (t.due_at && *t.due_at < now) ++d.overdue;
                        if (t.due_at && (!d.next_due || *t.due_at < *d.next_due)) d.next_due = t.due_at;
                    }
                }
            } else {
                for (const auto& t : tasks) {
                    ASSIGN_OR_RETURN(std::string unit, org_name(t.org_id));
                    std::string measure = t.title + (t.description.empty() ? "" : "：" + t.description);
                    RETURN_IF_ERROR(sink.Row({++n, p.id, t.id, description, measure, unit, t.responsible_person,
                                              t.lead_official.value_or(""), Time(t.due_at),
                                              std::to_string(t.progress) + "%", std::string(TaskStatusLabel(t.status)),
                                              Time(t.submitted_at), Time(t.accepted_at)}));
                }
            }
        }
        if (!page.next_cursor) break;
        query.cursor = page.next_cursor;
    }
    for (const auto& [key, d] : duties) {
        const auto& [org, person, lead] = key;
        ASSIGN_OR_RETURN(std::string unit, org_name(org));
        // 完成率: accepted / tasks, in whole percent rounded half up.
        std::string rate = d.tasks ? std::to_string((d.done * 200 + d.tasks) / (2 * d.tasks)) + "%" : "";
        RETURN_IF_ERROR(sink.Row({++n, unit, person, lead, static_cast<std::int64_t>(d.problems.size()), d.tasks,
                                  d.done, d.tasks - d.done, d.overdue, rate, Time(d.next_due)}));
    }
    RETURN_IF_ERROR(sink.Finish());
    return n;
}

}  // namespace rectify::service
