#include "common/csv.hpp"

#include <csv.h>

#include <fstream>
#include <set>
#include <sstream>

#include "common/text.hpp"

namespace rectify {
namespace {

struct Collector {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> current;
};

void OnField(void* data, std::size_t len, void* ctx) {
    auto* c = static_cast<Collector*>(ctx);
    c->current.emplace_back(data ? static_cast<const char*>(data) : "", data ? len : 0);
}

void OnRecord(int /*terminator*/, void* ctx) {
    auto* c = static_cast<Collector*>(ctx);
    c->records.push_back(std::move(c->current));
    c->current.clear();
}

int NeverSpace(unsigned char) { return 0; }

}  // namespace

std::optional<std::size_t> CsvTable::Column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
        if (header[i] == name) return i;
    }
    return std::nullopt;
}

Result<CsvTable> ParseCsv(std::string_view text) {
    if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return Internal("csv_init failed");
    csv_set_space_func(&parser, NeverSpace);
    Collector collector;
    std::size_t parsed = csv_parse(&parser, text.data(), text.size(), OnField, OnRecord, &collector);
    if (parsed != text.size()) {
        std::string reason = csv_strerror(csv_error(&parser));
        csv_free(&parser);
        return InvalidArgument("malformed CSV near byte " + std::to_string(parsed) + " (row " +
                               std::to_string(collector.records.size()) + " after the header): " + reason);
    }
    if (csv_fini(&parser, OnField, OnRecord, &collector) != 0) {
        csv_free(&parser);
        return InvalidArgument("malformed CSV at the end of the file (unterminated quoted cell)");
    }
    csv_free(&parser);
    if (collector.records.empty()) return InvalidArgument("empty CSV file: no header row");

    CsvTable table;
    table.header = std::move(collector.records.front());
    std::set<std::string> seen;
    for (std::size_t c = 0; c < table.header.size(); ++c) {
        const auto& name = table.header[c];
        // Checked first: header names go into error messages and JSON reports, which need UTF-8.
        if (auto bad = FirstInvalidUtf8(name)) {
            return InvalidArgument("CSV header, column " + std::to_string(c + 1) + ": invalid UTF-8 at byte " +
                                   std::to_string(*bad) + " of the name");
        }
        if (!seen.insert(name).second) return InvalidArgument("CSV header has the column \"" + name + "\" twice");
    }
    table.rows.assign(std::make_move_iterator(collector.records.begin() + 1),
                      std::make_move_iterator(collector.records.end()));
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        for (std::size_t c = 0; c < table.rows[r].size(); ++c) {
            if (auto bad = FirstInvalidUtf8(table.rows[r][c])) {
                std::string col = c < table.header.size() ? table.header[c] : "#" + std::to_string(c + 1);
                return InvalidArgument("row " + std::to_string(r + 1) + ", column \"" + col +
                                       "\": invalid UTF-8 at byte " + std::to_string(*bad) + " of the cell");
            }
        }
    }
    return table;
}

Result<std::string> ReadFile(const std::string& path, std::size_t max_bytes) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFound("cannot open file " + path);
    in.seekg(0, std::ios::end);
    auto size = static_cast<std::size_t>(in.tellg());
    if (size > max_bytes) {
        return PayloadTooLarge("file " + path + " is " + std::to_string(size) + " bytes; the limit is " +
                               std::to_string(max_bytes));
    }
    in.seekg(0);
    std::string data(size, '\0');
    in.read(data.data(), static_cast<std::streamsize>(size));
    return data;
}

Result<CsvTable> ReadCsvFile(const std::string& path, std::size_t max_bytes) {
    ASSIGN_OR_RETURN(std::string data, ReadFile(path, max_bytes));
    auto table = ParseCsv(data);
    if (!table.ok()) return Status(table.status().code(), path + ": " + table.status().message());
    return table;
}

std::string CsvLine(const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        if (i) out += ',';
        const std::string& c = cells[i];
        if (c.find_first_of(",\"\r\n") == std::string::npos) {
            out += c;
        } else {
            out += '"';
            for (char ch : c) {
                if (ch == '"') out += '"';
                out += ch;
            }
            out += '"';
        }
    }
    out += '\n';
    return out;
}

}  // namespace rectify
