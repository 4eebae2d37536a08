// The ledger (台账, issue 6): the problem list (问题清单), the task list (任务清单) and the responsibility list
// (责任清单) of a subtree, written as the spreadsheets Chinese rectification offices keep — XLSX
// (libxlsxwriter) or CSV (UTF-8 with a BOM so Excel opens the Chinese text). Rows are read a page at a time
// and written as they come, so the rows of a large export are never all in memory (the XLSX writer runs in
// libxlsxwriter's constant-memory mode).
//
// Standard columns (issue 6, the common layout of 整改台账): 序号, 问题来源, 问题类别, 专项整治, 问题描述,
// 整改目标/标准, 整改措施, 责任单位, 责任人, 牵头领导, 整改时限, 整改进展, 完成情况, 是否销号, 销号时间; rectify
// adds 问题编号 (the problem id, the key a re-import will match on) after 序号. 专项整治 lists the problem's
// special items as "code title" joined with "；" (the campaign's name when it has a campaign but no item;
// empty without a campaign); 整改目标/标准 is empty until targets are modelled (issue 12).
// The import (ledger_import.cpp, below) reads these lists — and other offices' ledgers through a table of
// header variants — back. Pure functions and single-use sinks: not shared between threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"

namespace rectify::service {

enum class LedgerList { kProblems, kTasks, kResponsibilities };
enum class LedgerFormat { kCsv, kXlsx };

// "problems" / "tasks" / "responsibilities", "csv" / "xlsx". Errors: kInvalidArgument naming the allowed values.
Result<LedgerList> ParseLedgerList(std::string_view text);
Result<LedgerFormat> ParseLedgerFormat(std::string_view text);
// 问题清单 / 任务清单 / 责任清单.
std::string LedgerTitle(LedgerList list);

// One cell: text, a whole number, or an instant (UTC seconds; written as a date-time in the display zone,
// a real Excel date in XLSX and "YYYY-MM-DD HH:MM" in CSV). std::monostate is an empty cell.
struct LedgerTime {
    UnixSeconds at = 0;
};
using LedgerCell = std::variant<std::monostate, std::string, std::int64_t, LedgerTime>;

// Receives a ledger: Begin once, Row per data row, Finish once. Errors: kInternal (the writer failed).
class LedgerSink {
public:
    virtual ~LedgerSink() = default;
    // `title`: the line above the header, e.g. "问题清单　福州市　导出时间 2026-11-29 18:30".
    virtual Status Begin(const std::string& title, const std::vector<std::string>& columns) = 0;
    virtual Status Row(const std::vector<LedgerCell>& cells) = 0;
    virtual Status Finish() = 0;
};

// CSV into `out`: a BOM, the title line, the header, the rows (RFC 4180 quoting).
std::unique_ptr<LedgerSink> MakeCsvLedgerSink(std::ostream& out);
// XLSX into the file `path` (created or replaced): title row merged across the columns, a bold frozen
// header row, column widths, date-time cells formatted yyyy-mm-dd hh:mm. Errors of Begin: kInternal when
// the file cannot be created.
std::unique_ptr<LedgerSink> MakeXlsxLedgerSink(const std::string& path);

// Excel's serial date of an instant in the display zone (days since 1899-12-30, the fraction the time of
// day), as libxlsxwriter writes it. For tests and the writer.
double ExcelSerial(UnixSeconds at);

// One rejected (or ignored) row of an import: its row number, the column, the reason.
struct RowError {
    std::int64_t row = 0;
    std::string column;
    std::string reason;
};

// ---- import (ledger_import.cpp) ----
//
// A ledger read back: the rows of one sheet (CSV records, or XLSX rows the browser parsed), matched to the
// fields below by their header names. The variant table — every header name that auto-matches a field — is
// LedgerImportFields(), the one place it is kept (docs/API.md#ledger-import lists it).

// One importable column: `key` is its name in a mapping ("deadline"), names[0] the header the export writes
// ("整改时限"), the rest the variants other offices' ledgers use ("完成时限", "整改期限", ...).
struct LedgerImportField {
    std::string key;
    std::vector<std::string> names;
};
// The fields in export order. Keys: seq, problem_id, task_id, source, category, special_item, description,
// target, measure, unit, person, lead, deadline, progress, status, closed, closed_at, task_type.
const std::vector<LedgerImportField>& LedgerImportFields();
// A header cell as compared: ASCII and ideographic spaces and line breaks removed, a trailing parenthesised
// note dropped ("整改时限（年月日）" -> "整改时限"), full-width "／" as "/", ASCII letters lower-cased.
std::string NormaliseLedgerHeader(std::string_view header);
// The field key a header auto-matches, or "" when none.
std::string MatchLedgerHeader(std::string_view header);

// What to import. `rows`: every row of the sheet from its first, cells as text (the title line the export
// writes and blank rows may be there; row numbers in the report count them, 1-based, as a spreadsheet
// shows them). `mapping`: field key -> the header text of the column to read it from, overriding the
// auto-match; "" means "do not import this field".
struct LedgerImportInput {
    std::vector<std::vector<std::string>> rows;
    std::map<std::string, std::string> mapping;
};
enum class LedgerImportMode { kDryRun, kCommit };

// The result of a dry run or a commit. Counts are what was (commit) or would be (dry run) stored.
struct LedgerImportReport {
    bool dry_run = true;
    bool committed = false;
    std::int64_t header_row = 0;  // 1-based row of the header
    // Every field key in LedgerImportFields() order -> the header of the column read for it (nullopt: none).
    std::vector<std::pair<std::string, std::optional<std::string>>> mapping;
    std::vector<std::string> unmapped_columns;  // header cells no field reads
    std::int64_t rows_read = 0;                 // non-blank data rows
    std::int64_t problems_created = 0, tasks_created = 0;
    std::int64_t problems_updated = 0, tasks_updated = 0, reports_created = 0;
    std::int64_t rows_unchanged = 0;  // rows with a 问题编号 that change nothing
    std::vector<RowError> rejected;  // every rejected row: row, column header, reason
    std::vector<RowError> ignored;   // cells read but not imported (专项整治, 整改目标/标准, ...)
};

// Every record of a CSV ledger (UTF-8, a BOM skipped) as rows for LedgerImportInput, the first line
// included. Errors: kInvalidArgument as ParseCsv (malformed quoting, invalid UTF-8, an empty file).
Result<std::vector<std::vector<std::string>>> LedgerRowsFromCsv(std::string_view text);
// The report as JSON (docs/API.md#ledger-import): {dry_run, committed, header_row, mapping: {key: header|null},
// unmapped_columns, rows_read, problems_created, tasks_created, problems_updated, tasks_updated,
// reports_created, rows_unchanged, rejected: [{row, column, reason}], ignored: [...]}, serialised.
std::string LedgerImportReportJson(const LedgerImportReport& report);

}  // namespace rectify::service
