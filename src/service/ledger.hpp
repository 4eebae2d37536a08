// The ledger (台账, issue 6): the problem list (问题清单) and the task list (任务清单) of a subtree, written
// as the spreadsheets Chinese rectification offices keep — XLSX (libxlsxwriter) or CSV (UTF-8 with a BOM so
// Excel opens the Chinese text). Rows are read a page at a time and written as they come, so the rows of
// a large export are never all in memory (the XLSX writer runs in libxlsxwriter's constant-memory mode).
//
// Standard columns (issue 6, the common layout of 整改台账): 序号, 问题来源, 问题类别, 专项整治, 问题描述,
// 整改目标/标准, 整改措施, 责任单位, 责任人, 牵头领导, 整改时限, 整改进展, 完成情况, 是否销号, 销号时间; rectify
// adds 问题编号 (the problem id, the key a re-import will match on) after 序号. 专项整治 lists the problem's
// special items as "code title" joined with "；" (the campaign's name when it has a campaign but no item;
// empty without a campaign); 整改目标/标准 is empty until targets are modelled (issue 12).
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "common/status.hpp"
#include "common/time.hpp"

namespace rectify::service {

enum class LedgerList { kProblems, kTasks };
enum class LedgerFormat { kCsv, kXlsx };

// "problems" / "tasks", "csv" / "xlsx". Errors: kInvalidArgument naming the allowed values.
Result<LedgerList> ParseLedgerList(std::string_view text);
Result<LedgerFormat> ParseLedgerFormat(std::string_view text);
// 问题清单 / 任务清单.
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

}  // namespace rectify::service
