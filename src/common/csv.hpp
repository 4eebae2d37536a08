// Reading RFC 4180 CSV files (quoted cells may hold commas, quotes and newlines) through libcsv.
// Used by the importers in src/service. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace rectify {

// A whole CSV file: the header row and the data rows. Row i of `rows` is data row i+1 in messages
// ("row 1" is the first row after the header), the numbering import reports use.
struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    // Index of the column named `name` in the header, or nullopt.
    std::optional<std::size_t> Column(std::string_view name) const;
};

// Parses CSV text (UTF-8; a leading BOM is skipped). Cells are kept exactly (no trimming).
// Errors: kInvalidArgument for malformed quoting (with the byte offset), invalid UTF-8 in a header
// name or a cell (with the row and column), an empty file or a header with duplicate names.
Result<CsvTable> ParseCsv(std::string_view text);

// Reads and parses a file. Errors: as ParseCsv; kNotFound when the file cannot be opened;
// kPayloadTooLarge when it exceeds max_bytes.
Result<CsvTable> ReadCsvFile(const std::string& path, std::size_t max_bytes = 512u << 20);

// Reads a whole file into memory. Errors: kNotFound, kPayloadTooLarge (over max_bytes).
Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes = 512u << 20);

// One CSV line (with "\n") quoting cells that need it (RFC 4180 §2.6-2.7).
std::string CsvLine(const std::vector<std::string>& cells);

}  // namespace rectify
