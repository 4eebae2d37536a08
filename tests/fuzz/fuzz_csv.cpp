// Fuzz target: the CSV reader of every import (common/csv, over libcsv). Findings: a sanitizer
// report; a table whose header or cells are not valid UTF-8; or a table that does not survive a round
// trip through CsvLine (RFC 4180 quoting) and ParseCsv again.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/csv.hpp"
#include "common/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256 * 1024) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    auto table = rectify::ParseCsv(text);
    if (!table.ok()) return 0;
    auto fail = [](const char* what) {
        std::fprintf(stderr, "csv: %s\n", what);
        std::abort();
    };
    for (const auto& h : table->header) {
        if (!rectify::IsValidUtf8(h)) fail("a header name with invalid UTF-8 was accepted");
    }
    for (const auto& row : table->rows) {
        for (const auto& cell : row) {
            if (!rectify::IsValidUtf8(cell)) fail("a cell with invalid UTF-8 was accepted");
        }
    }
    // Round trip. Not comparable: a row of one empty cell (written as an empty line, which readers
    // skip) and a first header cell that starts with a byte-order mark (stripped when read back).
    auto lone_empty = [](const std::vector<std::string>& r) { return r.size() == 1 && r[0].empty(); };
    if (lone_empty(table->header) || table->header.empty() || table->header[0].rfind("\xEF\xBB\xBF", 0) == 0) return 0;
    std::string again = rectify::CsvLine(table->header);
    for (const auto& row : table->rows) {
        if (lone_empty(row)) return 0;
        again += rectify::CsvLine(row);
    }
    auto reread = rectify::ParseCsv(again);
    if (!reread.ok()) fail(("a written table does not read back: " + reread.status().message()).c_str());
    if (reread->header != table->header || reread->rows != table->rows) fail("a table changed in a round trip");
    return 0;
}
