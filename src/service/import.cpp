// The importers of Service (declared in service.hpp): divisions, orgs, opinions (问政 messages and
// Fuzhou 12345 cases) and the problem-list CSV. Formats and sources are described in docs/DATA.md.
//
// Every importer works the same way: read and parse the whole file (a file that cannot be read or
// parsed, or lacks a column, is an error Status naming the file); then, inside one write
// transaction, check every row and resolve its references; if any row is rejected, roll back and
// return the report listing every rejected row; otherwise store the new records, one event each,
// and one import_batch row. Natural keys (division codes, paths, source_ref) make re-imports store
// nothing new.

#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "common/csv.hpp"
#include "common/text.hpp"
#include "common/time.hpp"
#include "domain/json.hpp"
#include "domain/json_text.hpp"
#include "service/service.hpp"

namespace rectify::service {
namespace {

using domain::Opinion;
using domain::Org;
using domain::OrgId;
using domain::Problem;

// A CSV file read for import: its parsed table and the SHA-256 of its bytes.
struct SourceFile {
    std::string path;
    std::string sha256;
    CsvTable table;
};

Result<SourceFile> ReadSource(const std::string& path) {
    ASSIGN_OR_RETURN(std::string data, ReadFile(path));
    auto table = ParseCsv(data);
    if (!table.ok()) return Status(table.status().code(), path + ": " + table.status().message());
    return SourceFile{path, Sha256Hex(data), std::move(table).value()};
}

std::string FileName(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// The columns an importer uses, located once in the header. Required columns must all be present
// (every missing one is named in the error); optional ones read as "" when absent.
class Columns {
  public:
    static Result<Columns> Of(const SourceFile& file, const std::vector<std::string>& required,
                              const std::vector<std::string>& optional = {}) {
        Columns c;
        c.width_ = file.table.header.size();
        std::string missing;
        for (const auto& name : required) {
            auto i = file.table.Column(name);
            if (!i) {
                missing += (missing.empty() ? "" : ", ") + name;
                continue;
            }
            c.index_[name] = *i;
        }
        if (!missing.empty()) return InvalidArgument(file.path + ": missing column " + missing);
        for (const auto& name : optional) {
            if (auto i = file.table.Column(name)) c.index_[name] = *i;
        }
        c.header_ = file.table.header;
        return c;
    }

    bool Has(const std::string& name) const { return index_.count(name) > 0; }
    // The cell of `name` in `row`, or "" when the column is absent or the row is too short.
    const std::string& Get(const std::vector<std::string>& row, const std::string& name) const {
        static const std::string kEmpty;
        auto it = index_.find(name);
        return it == index_.end() || it->second >= row.size() ? kEmpty : row[it->second];
    }
    // A row must have exactly one cell per header column. On failure sets column/reason.
    bool CheckWidth(const std::vector<std::string>& row, RowError& error) const {
        if (row.size() == width_) return true;
        if (row.size() < width_) {
            error.column = header_[row.size()];
            error.reason =
                "the row has " + std::to_string(row.size()) + " cells; the header has " + std::to_string(width_);
        } else {
            error.column = "#" + std::to_string(width_ + 1);
            error.reason =
                "the row has " + std::to_string(row.size()) + " cells; the header has only " + std::to_string(width_);
        }
        return false;
    }

  private:
    std::size_t width_ = 0;
    std::vector<std::string> header_;
    std::map<std::string, std::size_t> index_;
};

// Collects rejected rows of one import.
class Rejects {
  public:
    explicit Rejects(ImportReport& report) : report_(report) {}
    void Add(std::int64_t row, std::string column, std::string reason) {
        report_.rejected.push_back(RowError{row, std::move(column), std::move(reason)});
    }
    bool any() const { return !report_.rejected.empty(); }

  private:
    ImportReport& report_;
};

// "field: reason" (the form of domain::Validate* errors) split into the field and the reason.
std::pair<std::string, std::string> SplitFieldError(const Status& s) {
    const std::string& m = s.message();
    auto colon = m.find(": ");
    if (colon == std::string::npos) return {"", m};
    return {m.substr(0, colon), m.substr(colon + 2)};
}

// A whole cell as a decimal integer (an optional leading '-', surrounding ASCII spaces allowed).
std::optional<std::int64_t> ParseInteger(std::string_view text) {
    text = TrimAscii(text);
    if (text.empty()) return std::nullopt;
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return v;
}

// An instant written as RFC 3339 ("2020-09-03T08:30:00+08:00", or a bare date) or as a local
// wall-clock time in the display zone ("2020-09-03 08:30:00", "2019/4/25 9:32:09").
Result<UnixSeconds> ParseInstant(std::string_view text) {
    text = TrimAscii(text);
    auto iso = ParseIso(text);
    if (iso.ok()) return iso;
    auto local = ParseLocalDateTime(text);
    if (local.ok()) return local;
    return InvalidArgument("\"" + std::string(text) +
                           "\" is not a time (expected RFC 3339, e.g. 2020-09-03T08:30:00+08:00, or a local time "
                           "YYYY-MM-DD HH:MM:SS)");
}

// Returned from inside Store::Write to roll back when rows were rejected; never leaves this file.
Status RejectedRows() { return Aborted("import: rows rejected, nothing stored"); }

// Runs one import transaction: `check` validates every row (reads only) and fills report.rejected;
// when nothing was rejected, `store` writes the records and the batch. Returns OK with a report that
// lists rejections (nothing stored), OK with a stored report, or the error of the store.
Status RunImport(store::Store& store, ImportReport& report, const std::function<Status(store::WriteTx&)>& check,
                 const std::function<Status(store::WriteTx&)>& write) {
    bool rejected = false;
    Status st = store.Write([&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(check(tx));
        if (!report.rejected.empty()) {
            rejected = true;
            return RejectedRows();
        }
        return write(tx);
    });
    if (rejected) {
        report.rows_stored = 0;
        report.rows_existing = 0;
        return Status::Ok();
    }
    return st;
}

Status InsertBatch(store::WriteTx& tx, const Actor& actor, const ImportReport& report, const std::string& file_name,
                   const std::string& sha256, UnixSeconds started_at) {
    store::ImportBatch batch;
    batch.kind = report.kind;
    batch.file_name = file_name;
    batch.file_sha256 = sha256;
    batch.actor = actor.name;
    batch.started_at = started_at;
    batch.rows_read = report.rows_read;
    batch.rows_stored = report.rows_stored;
    batch.rows_existing = report.rows_existing;
    batch.rows_rejected = static_cast<std::int64_t>(report.rejected.size());
    return tx.InsertImportBatch(batch);
}

template <typename T>
Status AppendImportEvent(store::WriteTx& tx, const Actor& actor, const char* entity, std::int64_t id, const T& record) {
    auto event = MakeEvent(actor, entity, id, "import", std::nullopt, domain::ToJson(record));
    return tx.AppendEvent(event);
}

// Whether the row with natural key `ref` is the first of the file with that key; a repeat counts in
// report.rows_existing (the first one stands). Rows stored by an earlier import are dropped afterwards by
// DropStored, in one query per 500 keys rather than one per row.
bool FirstInFile(std::set<std::string>& seen_in_file, const std::string& ref, ImportReport& report) {
    if (seen_in_file.insert(ref).second) return true;
    ++report.rows_existing;
    return false;
}

// Drops from `rows` those whose source_ref (`ref_of(row)`) is stored already as a problem or opinion (in
// any of `tables`), counting them in report.rows_existing. Errors: those of the store.
template <typename Row, typename RefOf>
Status DropStored(store::WriteTx& tx, const std::vector<store::WriteTx::SourceRefTable>& tables,
                  std::vector<Row>& rows, RefOf ref_of, ImportReport& report) {
    std::vector<std::string> refs;
    refs.reserve(rows.size());
    for (const auto& row : rows) refs.push_back(ref_of(row));
    std::set<std::string> stored;
    for (auto table : tables) {
        ASSIGN_OR_RETURN(auto found, tx.StoredSourceRefs(table, refs));
        stored.insert(found.begin(), found.end());
    }
    if (stored.empty()) return Status::Ok();
    std::vector<Row> kept;
    kept.reserve(rows.size());
    for (auto& row : rows) {
        if (stored.count(ref_of(row))) {
            ++report.rows_existing;
        } else {
            kept.push_back(std::move(row));
        }
    }
    rows = std::move(kept);
    return Status::Ok();
}

// The import event of `record`, with its org filled in (what AppendEvent would look up row by row).
template <typename T>
store::Event ImportEvent(const Actor& actor, const char* entity, std::int64_t id, domain::OrgId org, const T& record) {
    auto event = MakeEvent(actor, entity, id, "import", std::nullopt, domain::ToJson(record));
    event.org_id = org;
    return event;
}
// A problem's import event: the same fields, its JSON written by domain::ProblemJsonText (the text of
// ToJson(problem).dump() without building the tree; issue 11 item 5, docs/PERFORMANCE.md#bulk-import).
store::Event ImportEvent(const Actor& actor, const char* entity, std::int64_t id, domain::OrgId org,
                         const Problem& record) {
    store::Event event;
    event.at = NowSeconds();
    event.actor = actor.name;
    event.entity = entity;
    event.entity_id = id;
    event.action = "import";
    event.after_json = domain::ProblemJsonText(record);
    event.org_id = org;
    return event;
}

// ---- divisions ----

// Cities that are not prefectures: the municipalities' 市辖区 / 县 and the provinces' lists of directly
// administered county-level units. Their counties hang directly under the province.
bool IsPseudoCity(const std::string& name) {
    return name == "市辖区" || name == "县" || name == "省直辖县级行政区划" || name == "自治区直辖县级行政区划";
}

bool IsDigits(const std::string& s, std::size_t n) {
    return s.size() == n && s.find_first_not_of("0123456789") == std::string::npos;
}

// One division row selected for import, parents before children.
struct DivisionItem {
    std::string file;  // "areas.csv"
    std::int64_t row = 0;
    std::string code;
    std::string name;
    std::string level;
    std::string parent_code;  // "" = under the root
};

// ---- opinions ----

// 信息来源 of a 12345 case -> channel (docs/DATA.md#fz12345).
domain::OpinionChannel ChannelOf(std::string_view source) {
    using C = domain::OpinionChannel;
    source = TrimAscii(source);
    if (source == "网站") return C::kWeb;
    if (source == "电话") return C::kPhone;
    if (source == "e福州app" || source == "12345app") return C::kMobileApp;
    if (source == "微信") return C::kWechat;
    if (source == "qq" || source == "QQ") return C::kQq;
    if (source == "短信") return C::kSms;
    if (source == "微博") return C::kWeibo;
    if (source == "邮件") return C::kEmail;
    return C::kOther;
}

// 性质 of a 12345 case -> kind.
domain::OpinionKind KindOf(std::string_view nature) {
    using K = domain::OpinionKind;
    nature = TrimAscii(nature);
    if (nature == "投诉") return K::kComplaint;
    if (nature == "咨询") return K::kInquiry;
    if (nature == "建议") return K::kSuggestion;
    if (nature == "举报") return K::kReport;
    if (nature == "求助") return K::kRequestForHelp;
    return K::kOther;
}

// The child of the city whose name occurs first in `text` (the longer name on a tie), or nullopt.
std::optional<OrgId> FirstNamedChild(const std::string& text, const std::vector<Org>& children) {
    std::optional<OrgId> best;
    std::size_t best_pos = std::string::npos, best_len = 0;
    for (const auto& c : children) {
        if (c.name.empty()) continue;
        std::size_t pos = text.find(c.name);
        if (pos == std::string::npos) continue;
        if (pos < best_pos || (pos == best_pos && c.name.size() > best_len)) {
            best = c.id;
            best_pos = pos;
            best_len = c.name.size();
        }
    }
    return best;
}

constexpr const char* kWaterPollution = "环境保护/环境污染/水污染";

}  // namespace

// ============================================================================================
// ImportDivisions
// ============================================================================================

Result<ImportReport> Service::ImportDivisions(const Actor& actor, const DivisionImportOptions& options) {
    ImportReport report;
    report.kind = "divisions";
    report.file = options.dir;
    const UnixSeconds now = NowSeconds();

    int depth = 0;  // 1 city, 2 county, 3 township
    if (options.depth == "city") {
        depth = 1;
    } else if (options.depth == "county") {
        depth = 2;
    } else if (options.depth == "township") {
        depth = 3;
    } else {
        return InvalidArgument("depth: \"" + options.depth +
                               "\" is not a level to load (allowed: city, county, township)");
    }
    if (options.provinces.empty() && options.cities.empty()) {
        return InvalidArgument("provinces, cities: name at least one province or city to load");
    }
    auto tree = Tree();
    if (!tree || tree->size() == 0) return FailedPrecondition("there is no root org: run init first");
    const OrgId root = tree->Root();
    if (!InScope(actor, root)) return NotFound("org " + std::to_string(root) + " does not exist");

    namespace fs = std::filesystem;
    auto in_dir = [&](const char* name) { return (fs::path(options.dir) / name).string(); };
    ASSIGN_OR_RETURN(SourceFile provinces, ReadSource(in_dir("provinces.csv")));
    ASSIGN_OR_RETURN(SourceFile cities, ReadSource(in_dir("cities.csv")));
    ASSIGN_OR_RETURN(Columns pc, Columns::Of(provinces, {"code", "name"}));
    ASSIGN_OR_RETURN(Columns cc, Columns::Of(cities, {"code", "name", "provinceCode"}));
    std::optional<SourceFile> areas, streets;
    std::optional<Columns> ac, sc;
    if (depth >= 2) {
        ASSIGN_OR_RETURN(areas, ReadSource(in_dir("areas.csv")));
        ASSIGN_OR_RETURN(ac, Columns::Of(*areas, {"code", "name", "cityCode"}));
    }
    if (depth >= 3) {
        ASSIGN_OR_RETURN(streets, ReadSource(in_dir("streets.csv")));
        ASSIGN_OR_RETURN(sc, Columns::Of(*streets, {"code", "name", "areaCode"}));
    }
    std::string sha_input =
        provinces.sha256 + cities.sha256 + (areas ? areas->sha256 : "") + (streets ? streets->sha256 : "");

    // Which codes the options name: unknown ones are an error of the options, not of a row.
    std::map<std::string, std::size_t> province_row, city_row;  // code -> row index
    for (std::size_t r = 0; r < provinces.table.rows.size(); ++r) {
        province_row.emplace(std::string(TrimAscii(pc.Get(provinces.table.rows[r], "code"))), r);
    }
    for (std::size_t r = 0; r < cities.table.rows.size(); ++r) {
        city_row.emplace(std::string(TrimAscii(cc.Get(cities.table.rows[r], "code"))), r);
    }
    std::set<std::string> whole_provinces(options.provinces.begin(), options.provinces.end());
    std::set<std::string> chosen_cities(options.cities.begin(), options.cities.end());
    std::set<std::string> all_provinces = whole_provinces;
    for (const auto& p : whole_provinces) {
        if (!province_row.count(p)) {
            return InvalidArgument("provinces: \"" + p + "\" is not a province code in " + provinces.path);
        }
    }
    for (const auto& c : chosen_cities) {
        if (!city_row.count(c)) return InvalidArgument("cities: \"" + c + "\" is not a city code in " + cities.path);
        const auto& row = cities.table.rows[city_row[c]];
        std::string p(TrimAscii(cc.Get(row, "provinceCode")));
        if (!province_row.count(p)) {
            return InvalidArgument("cities: the province " + p + " of city " + c + " is not in " + provinces.path);
        }
        all_provinces.insert(p);
    }

    // Select the rows, parents first, checking each selected row.
    Rejects rejects(report);
    std::vector<DivisionItem> items;
    std::map<std::string, std::string> parent_of_city_children;  // city code -> the code its counties hang under
    std::set<std::string> selected_counties;
    std::int64_t selected_rows = 0;  // rows of the chosen provinces and cities, rejected ones included
    auto check_row = [&](DivisionItem& item, std::size_t digits, const std::string& parent_prefix,
                         const char* parent_column) -> bool {
        bool ok = true;
        if (!IsDigits(item.code, digits)) {
            rejects.Add(item.row, "code",
                        item.file + ": \"" + item.code + "\" is not a " + std::to_string(digits) + "-digit code");
            ok = false;
        } else if (!parent_prefix.empty() && item.code.compare(0, parent_prefix.size(), parent_prefix) != 0) {
            rejects.Add(item.row, parent_column,
                        item.file + ": code " + item.code + " does not lie inside " + parent_prefix);
            ok = false;
        }
        if (TrimAscii(item.name).empty()) {
            rejects.Add(item.row, "name", item.file + ": empty name");
            ok = false;
        }
        return ok;
    };

    for (std::size_t r = 0; r < provinces.table.rows.size(); ++r) {
        const auto& row = provinces.table.rows[r];
        std::string code(TrimAscii(pc.Get(row, "code")));
        if (!all_provinces.count(code)) continue;
        ++selected_rows;
        if (RowError e; !pc.CheckWidth(row, e)) {
            rejects.Add(static_cast<std::int64_t>(r + 1), e.column, "provinces.csv: " + e.reason);
            continue;
        }
        DivisionItem item{"provinces.csv",
                          static_cast<std::int64_t>(r + 1),
                          code,
                          std::string(TrimAscii(pc.Get(row, "name"))),
                          "province",
                          ""};
        if (check_row(item, 2, "", "")) items.push_back(std::move(item));
    }
    for (std::size_t r = 0; r < cities.table.rows.size(); ++r) {
        const auto& row = cities.table.rows[r];
        std::string code(TrimAscii(cc.Get(row, "code")));
        std::string province(TrimAscii(cc.Get(row, "provinceCode")));
        bool selected = whole_provinces.count(province) > 0 || chosen_cities.count(code) > 0;
        if (!selected) continue;
        ++selected_rows;
        if (RowError e; !cc.CheckWidth(row, e)) {
            rejects.Add(static_cast<std::int64_t>(r + 1), e.column, "cities.csv: " + e.reason);
            continue;
        }
        DivisionItem item{"cities.csv", static_cast<std::int64_t>(r + 1),
                          code,         std::string(TrimAscii(cc.Get(row, "name"))),
                          "city",       province};
        if (!check_row(item, 4, province, "provinceCode")) continue;
        if (IsPseudoCity(item.name)) {
            --selected_rows;  // not an org of its own: counted through its counties
            parent_of_city_children[code] = province;
        } else {
            parent_of_city_children[code] = code;
            items.push_back(std::move(item));
        }
    }
    if (areas) {
        for (std::size_t r = 0; r < areas->table.rows.size(); ++r) {
            const auto& row = areas->table.rows[r];
            std::string city(TrimAscii(ac->Get(row, "cityCode")));
            auto parent = parent_of_city_children.find(city);
            if (parent == parent_of_city_children.end()) continue;
            ++selected_rows;
            if (RowError e; !ac->CheckWidth(row, e)) {
                rejects.Add(static_cast<std::int64_t>(r + 1), e.column, "areas.csv: " + e.reason);
                continue;
            }
            DivisionItem item{"areas.csv",
                              static_cast<std::int64_t>(r + 1),
                              std::string(TrimAscii(ac->Get(row, "code"))),
                              std::string(TrimAscii(ac->Get(row, "name"))),
                              "county",
                              parent->second};
            if (!check_row(item, 6, city, "cityCode")) continue;
            selected_counties.insert(item.code);
            items.push_back(std::move(item));
        }
    }
    if (streets) {
        for (std::size_t r = 0; r < streets->table.rows.size(); ++r) {
            const auto& row = streets->table.rows[r];
            std::string county(TrimAscii(sc->Get(row, "areaCode")));
            if (!selected_counties.count(county)) continue;
            ++selected_rows;
            if (RowError e; !sc->CheckWidth(row, e)) {
                rejects.Add(static_cast<std::int64_t>(r + 1), e.column, "streets.csv: " + e.reason);
                continue;
            }
            DivisionItem item{"streets.csv",
                              static_cast<std::int64_t>(r + 1),
                              std::string(TrimAscii(sc->Get(row, "code"))),
                              std::string(TrimAscii(sc->Get(row, "name"))),
                              "township",
                              county};
            if (check_row(item, 9, county, "areaCode")) items.push_back(std::move(item));
        }
    }
    report.rows_read = selected_rows;

    // In the transaction: which exist already (by division code), and names that would collide.
    std::map<std::string, OrgId> id_of;                       // code -> existing org (filled further on insert)
    std::vector<std::size_t> to_insert;                       // indexes into items
    std::set<std::pair<std::string, std::string>> new_names;  // (parent code, name) of new orgs
    auto check = [&](store::WriteTx& tx) -> Status {
        for (std::size_t i = 0; i < items.size(); ++i) {
            const DivisionItem& item = items[i];
            ASSIGN_OR_RETURN(auto existing, tx.FindOrgByDivisionCode(item.code));
            if (existing) {
                id_of[item.code] = existing->id;
                ++report.rows_existing;
                continue;
            }
            Org org;
            org.name = item.name;
            org.level = item.level;
            org.division_code = item.code;
            if (Status v = domain::ValidateOrg(org); !v.ok()) {
                auto [field, reason] = SplitFieldError(v);
                rejects.Add(item.row, field == "division_code" ? "code" : field, item.file + ": " + reason);
                continue;
            }
            if (!new_names.insert({item.parent_code, item.name}).second) {
                rejects.Add(item.row, "name",
                            item.file + ": another division named " + item.name + " is loaded under the same parent");
                continue;
            }
            auto parent = item.parent_code.empty() ? std::optional<OrgId>(root) : std::optional<OrgId>();
            if (!item.parent_code.empty()) {
                auto it = id_of.find(item.parent_code);
                if (it != id_of.end()) parent = it->second;
            }
            if (parent) {
                ASSIGN_OR_RETURN(auto sibling, tx.FindChildByName(*parent, item.name));
                if (sibling) {
                    rejects.Add(item.row, "name",
                                item.file + ": org " + std::to_string(sibling->id) + " named " + item.name +
                                    " already exists under the same parent with division code " +
                                    sibling->division_code.value_or("(none)"));
                    continue;
                }
            }
            to_insert.push_back(i);
        }
        return Status::Ok();
    };
    auto write = [&](store::WriteTx& tx) -> Status {
        for (std::size_t i : to_insert) {
            const DivisionItem& item = items[i];
            Org org;
            org.name = item.name;
            org.level = item.level;
            org.kind = domain::OrgKind::kPartyGovAgency;
            org.division_code = item.code;
            org.created_at = now;
            if (item.parent_code.empty()) {
                org.parent_id = root;
            } else {
                auto it = id_of.find(item.parent_code);
                if (it == id_of.end()) {
                    return Internal("divisions: parent " + item.parent_code + " of " + item.code + " was not loaded");
                }
                org.parent_id = it->second;
            }
            RETURN_IF_ERROR(tx.InsertOrg(org));
            id_of[item.code] = org.id;
            RETURN_IF_ERROR(AppendImportEvent(tx, actor, "org", org.id, org));
            ++report.rows_stored;
        }
        return InsertBatch(tx, actor, report, options.dir, Sha256Hex(sha_input), now);
    };
    RETURN_IF_ERROR(RunImport(*store_, report, check, write));
    if (report.rejected.empty()) RETURN_IF_ERROR(ReloadTree());
    return report;
}

// ============================================================================================
// ImportOrgs
// ============================================================================================

Result<ImportReport> Service::ImportOrgs(const Actor& actor, const std::string& file) {
    ImportReport report;
    report.kind = "orgs";
    report.file = file;
    const UnixSeconds now = NowSeconds();
    auto tree = Tree();
    if (!tree || tree->size() == 0) return FailedPrecondition("there is no root org: run init first");
    const OrgId root = tree->Root();
    if (!InScope(actor, root)) return NotFound("org " + std::to_string(root) + " does not exist");

    ASSIGN_OR_RETURN(SourceFile src, ReadSource(file));
    ASSIGN_OR_RETURN(Columns cols, Columns::Of(src, {"path", "level"}, {"kind", "batch", "division_code"}));
    ASSIGN_OR_RETURN(auto levels, store_->ListLevels());
    std::set<std::string> level_keys;
    for (const auto& l : levels) level_keys.insert(l.key);
    report.rows_read = static_cast<std::int64_t>(src.table.rows.size());

    // A parent is an org that exists or one planned on an earlier row.
    struct Ref {
        std::optional<OrgId> existing;
        std::size_t planned = 0;
    };
    struct Planned {
        Org org;
        Ref parent;
    };
    std::vector<Planned> planned;
    std::map<std::string, Ref> by_path;  // "西地省/A市" -> org
    std::set<std::string> planned_codes;
    Rejects rejects(report);

    auto check = [&](store::WriteTx& tx) -> Status {
        for (std::size_t r = 0; r < src.table.rows.size(); ++r) {
            const auto& row = src.table.rows[r];
            const auto n = static_cast<std::int64_t>(r + 1);
            RowError e;
            if (!cols.CheckWidth(row, e)) {
                rejects.Add(n, e.column, e.reason);
                continue;
            }
            // path: names below the root, '/'-separated.
            std::vector<std::string> names;
            bool path_ok = true;
            {
                std::string_view p = cols.Get(row, "path");
                std::size_t start = 0;
                while (true) {
                    std::size_t slash = p.find('/', start);
                    std::string_view part =
                        TrimAscii(p.substr(start, slash == std::string_view::npos ? p.npos : slash - start));
                    if (part.empty()) path_ok = false;
                    names.emplace_back(part);
                    if (slash == std::string_view::npos) break;
                    start = slash + 1;
                }
            }
            if (!path_ok) {
                rejects.Add(
                    n, "path",
                    "\"" + cols.Get(row, "path") + "\" is not a path of names joined by '/' (e.g. 西地省/A市/A3区)");
                continue;
            }
            Org org;
            org.name = names.back();
            org.level = std::string(TrimAscii(cols.Get(row, "level")));
            org.created_at = now;
            bool ok = true;
            if (!level_keys.count(org.level)) {
                std::string allowed;
                for (const auto& k : level_keys) allowed += (allowed.empty() ? "" : ", ") + k;
                rejects.Add(n, "level", "unknown org level \"" + org.level + "\" (allowed: " + allowed + ")");
                ok = false;
            }
            if (std::string_view kind = TrimAscii(cols.Get(row, "kind")); !kind.empty()) {
                auto k = domain::ParseEnum<domain::OrgKind>(kind);
                if (k.ok()) {
                    org.kind = *k;
                } else {
                    rejects.Add(n, "kind", k.status().message());
                    ok = false;
                }
            }
            if (std::string_view batch = TrimAscii(cols.Get(row, "batch")); !batch.empty()) {
                auto b = ParseInteger(batch);
                if (b && *b >= 0 && *b <= 2) {
                    org.batch = static_cast<int>(*b);
                } else {
                    rejects.Add(n, "batch", "\"" + std::string(batch) + "\" is not a batch (0 none, 1 or 2)");
                    ok = false;
                }
            }
            if (std::string_view code = TrimAscii(cols.Get(row, "division_code")); !code.empty()) {
                org.division_code = std::string(code);
            }
            if (Status v = domain::ValidateOrg(org); ok && !v.ok()) {
                auto [field, reason] = SplitFieldError(v);
                rejects.Add(n, field == "name" ? "path" : field, reason);
                ok = false;
            }
            if (!ok) continue;

            // Resolve the parent chain.
            Ref parent{root, 0};
            std::string prefix;
            bool found = true;
            for (std::size_t i = 0; i + 1 < names.size(); ++i) {
                prefix += (i ? "/" : "") + names[i];
                auto it = by_path.find(prefix);
                if (it != by_path.end()) {
                    parent = it->second;
                    continue;
                }
                std::optional<Org> child;
                if (parent.existing) {
                    ASSIGN_OR_RETURN(child, tx.FindChildByName(*parent.existing, names[i]));
                }
                if (!child) {
                    found = false;
                    break;
                }
                parent = Ref{child->id, 0};
                by_path[prefix] = parent;
            }
            if (!found) {
                rejects.Add(
                    n, "path",
                    "the parent " + prefix + " does not exist (it must exist already or appear on an earlier row)");
                continue;
            }
            std::string full = prefix + (prefix.empty() ? "" : "/") + org.name;
            if (by_path.count(full)) {  // already stored or planned: the natural key matches
                ++report.rows_existing;
                continue;
            }
            // An org of the same name under the parent, or with the same division code.
            if (parent.existing) {
                ASSIGN_OR_RETURN(auto same, tx.FindChildByName(*parent.existing, org.name));
                if (same) {
                    if (org.division_code && same->division_code && *same->division_code != *org.division_code) {
                        rejects.Add(n, "division_code",
                                    "org " + std::to_string(same->id) + " at " + full + " has division code " +
                                        *same->division_code + ", not " + *org.division_code);
                        continue;
                    }
                    by_path[full] = Ref{same->id, 0};
                    ++report.rows_existing;
                    continue;
                }
            }
            if (org.division_code) {
                ASSIGN_OR_RETURN(auto owner, tx.FindOrgByDivisionCode(*org.division_code));
                if (owner || planned_codes.count(*org.division_code)) {
                    rejects.Add(n, "division_code",
                                "division code " + *org.division_code + " already belongs to " +
                                    (owner ? "org " + std::to_string(owner->id) + " (" + owner->name + ")"
                                           : std::string("an org on an earlier row")));
                    continue;
                }
                planned_codes.insert(*org.division_code);
            }
            by_path[full] = Ref{std::nullopt, planned.size()};
            planned.push_back(Planned{std::move(org), parent});
        }
        return Status::Ok();
    };
    auto write = [&](store::WriteTx& tx) -> Status {
        for (auto& p : planned) {
            p.org.parent_id = p.parent.existing ? *p.parent.existing : planned[p.parent.planned].org.id;
            RETURN_IF_ERROR(tx.InsertOrg(p.org));
            RETURN_IF_ERROR(AppendImportEvent(tx, actor, "org", p.org.id, p.org));
            ++report.rows_stored;
        }
        return InsertBatch(tx, actor, report, FileName(file), src.sha256, now);
    };
    RETURN_IF_ERROR(RunImport(*store_, report, check, write));
    if (report.rejected.empty()) RETURN_IF_ERROR(ReloadTree());
    return report;
}

// ============================================================================================
// ImportOpinions
// ============================================================================================

Result<ImportReport> Service::ImportOpinions(const Actor& actor, const OpinionImportOptions& options) {
    ImportReport report;
    report.file = options.file;
    const UnixSeconds now = NowSeconds();
    if (options.format != "wenzheng" && options.format != "fz12345") {
        return InvalidArgument("format: unknown opinion format \"" + options.format +
                               "\" (allowed: wenzheng, fz12345)");
    }
    report.kind = "opinions:" + options.format;
    if (!options.org_id) {
        return InvalidArgument(std::string("org_id: required (the org of ") +
                               (options.format == "wenzheng" ? "A市" : "福州市") + " whose children receive the rows)");
    }
    const OrgId city = *options.org_id;
    if (!InScope(actor, city)) return NotFound("org " + std::to_string(city) + " does not exist");
    if (options.due_days < 0) return InvalidArgument("due_days: must not be negative");

    ASSIGN_OR_RETURN(SourceFile src, ReadSource(options.file));
    report.rows_read = static_cast<std::int64_t>(src.table.rows.size());
    Rejects rejects(report);
    std::set<std::string> refs_in_file;

    if (options.format == "wenzheng") {
        // 附件4 (messages_with_replies.csv) has the reply columns; 附件3 (messages_with_votes.csv) has none,
        // but 反对数 and 点赞数 (data/README.md): likes are read where the file has them.
        ASSIGN_OR_RETURN(Columns cols, Columns::Of(src, {"留言编号", "留言用户", "留言主题", "留言时间", "留言详情"},
                                                   {"答复意见", "答复时间", "点赞数"}));
        if (cols.Has("答复意见") != cols.Has("答复时间")) {
            return InvalidArgument(options.file + ": 答复意见 and 答复时间 come together (a file of replies has both)");
        }
        ASSIGN_OR_RETURN(std::vector<Org> children, store_->ListChildren(city));
        std::vector<Opinion> opinions;
        auto check = [&](store::WriteTx& tx) -> Status {
            for (std::size_t r = 0; r < src.table.rows.size(); ++r) {
                const auto& row = src.table.rows[r];
                const auto n = static_cast<std::int64_t>(r + 1);
                RowError e;
                if (!cols.CheckWidth(row, e)) {
                    rejects.Add(n, e.column, e.reason);
                    continue;
                }
                bool ok = true;
                std::string id(TrimAscii(cols.Get(row, "留言编号")));
                if (id.empty()) {
                    rejects.Add(n, "留言编号", "empty message id");
                    ok = false;
                }
                Opinion o;
                o.channel = domain::OpinionChannel::kMessageBoard;
                o.kind = domain::OpinionKind::kOther;
                o.status = domain::OpinionStatus::kReceived;
                o.title = std::string(TrimAscii(cols.Get(row, "留言主题")));
                o.text = cols.Get(row, "留言详情");
                if (auto user = TrimAscii(cols.Get(row, "留言用户")); !user.empty()) o.submitter = std::string(user);
                auto received = ParseLocalDateTime(TrimAscii(cols.Get(row, "留言时间")));
                if (received.ok()) {
                    o.received_at = *received;
                } else {
                    rejects.Add(n, "留言时间", received.status().message());
                    ok = false;
                }
                if (cols.Has("点赞数")) {
                    // A count: digits only, at most 9 of them (the largest in the file is 2,097); empty is 0.
                    std::string_view likes = TrimAscii(cols.Get(row, "点赞数"));
                    if (!likes.empty()) {
                        if (likes.size() > 9 || !std::all_of(likes.begin(), likes.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                            rejects.Add(n, "点赞数", "expected a whole number of likes, got \"" + std::string(likes) + "\"");
                            ok = false;
                        } else {
                            o.likes = std::stoll(std::string(likes));
                        }
                    }
                }
                std::string reply = cols.Get(row, "答复意见");
                std::string_view replied_text = TrimAscii(cols.Get(row, "答复时间"));
                if (!replied_text.empty()) {
                    auto replied = ParseLocalDateTime(replied_text);
                    if (replied.ok()) {
                        o.replied_at = *replied;
                    } else {
                        rejects.Add(n, "答复时间", replied.status().message());
                        ok = false;
                    }
                }
                auto target = FirstNamedChild(o.title, children);
                if (!target) target = FirstNamedChild(o.text, children);
                o.org_id = target.value_or(city);
                if (!TrimAscii(reply).empty() || o.replied_at) {
                    o.reply_text = reply;
                    o.reply_org_id = o.org_id;
                }
                o.source_ref = "wenzheng:" + id;
                if (!ok) continue;
                if (Status v = domain::ValidateOpinion(o); !v.ok()) {
                    static const std::map<std::string, std::string> kColumn = {{"title", "留言主题"},
                                                                               {"text", "留言详情"},
                                                                               {"reply_text", "答复意见"},
                                                                               {"replied_at", "答复时间"}};
                    auto [field, reason] = SplitFieldError(v);
                    auto it = kColumn.find(field);
                    rejects.Add(n, it == kColumn.end() ? field : it->second, reason);
                    continue;
                }
                if (FirstInFile(refs_in_file, *o.source_ref, report)) opinions.push_back(std::move(o));
            }
            return DropStored(tx, {store::WriteTx::SourceRefTable::kOpinion}, opinions,
                              [](const Opinion& o) { return *o.source_ref; }, report);
        };
        auto write = [&](store::WriteTx& tx) -> Status {
            for (auto& o : opinions) StampOpinionSla(o);
        RETURN_IF_ERROR(tx.InsertOpinions(opinions));
            std::vector<store::Event> events;
            events.reserve(opinions.size());
            for (const auto& o : opinions) events.push_back(ImportEvent(actor, "opinion", o.id, o.org_id, o));
            RETURN_IF_ERROR(tx.AppendEvents(events));
            report.rows_stored += static_cast<std::int64_t>(opinions.size());
            return InsertBatch(tx, actor, report, FileName(options.file), src.sha256, now);
        };
        RETURN_IF_ERROR(RunImport(*store_, report, check, write));
        return report;
    }

    // fz12345: each case is a closed problem of its district and the opinion it came from.
    ASSIGN_OR_RETURN(Org city_org, store_->GetOrg(city));
    ASSIGN_OR_RETURN(Columns cols, Columns::Of(src, {"区域", "性质", "信息来源", "标题", "时间", "投诉件内容", "回复1",
                                                     "转处理次数", "最终回复-投诉事件"}));
    struct Case {
        Problem problem;
        Opinion opinion;
    };
    std::vector<Case> cases;
    auto check = [&](store::WriteTx& tx) -> Status {
        ASSIGN_OR_RETURN(auto category, tx.FindCategoryByPath(kWaterPollution));
        std::map<std::string, std::optional<OrgId>> districts;  // name -> child of the city
        for (std::size_t r = 0; r < src.table.rows.size(); ++r) {
            const auto& row = src.table.rows[r];
            const auto n = static_cast<std::int64_t>(r + 1);
            RowError e;
            if (!cols.CheckWidth(row, e)) {
                rejects.Add(n, e.column, e.reason);
                continue;
            }
            bool ok = true;
            std::string district_name(TrimAscii(cols.Get(row, "区域")));
            auto d = districts.find(district_name);
            if (d == districts.end()) {
                ASSIGN_OR_RETURN(auto child, tx.FindChildByName(city, district_name));
                d = districts.emplace(district_name, child ? std::optional<OrgId>(child->id) : std::nullopt).first;
            }
            if (!d->second) {
                rejects.Add(n, "区域",
                            "\"" + district_name + "\" is not a child org of " + city_org.name + " (org " +
                                std::to_string(city) + ")");
                ok = false;
            }
            Case c;
            Problem& p = c.problem;
            p.title = std::string(TrimAscii(cols.Get(row, "标题")));
            p.description = cols.Get(row, "投诉件内容");
            p.source = domain::ProblemSource::kPublicOpinion;
            if (category) p.category_id = category->id;
            p.owner_org_id = d->second.value_or(0);
            p.status = domain::ProblemStatus::kClosed;
            p.updated_at = now;
            auto created = ParseLocalDateTime(TrimAscii(cols.Get(row, "时间")));
            if (created.ok()) {
                p.created_at = *created;
            } else {
                rejects.Add(n, "时间", created.status().message());
                ok = false;
            }
            auto days = ParseInteger(cols.Get(row, "最终回复-投诉事件"));
            if (!days || *days < 0 || *days > 36500) {
                rejects.Add(
                    n, "最终回复-投诉事件",
                    "\"" + cols.Get(row, "最终回复-投诉事件") + "\" is not a number of days (a whole number 0-36500)");
                ok = false;
            }
            auto transfers = ParseInteger(cols.Get(row, "转处理次数"));
            if (!transfers || *transfers < 0 || *transfers > 1000000) {
                rejects.Add(n, "转处理次数",
                            "\"" + cols.Get(row, "转处理次数") + "\" is not a transfer count (a whole number >= 0)");
                ok = false;
            }
            if (!ok) continue;
            p.closed_at = p.created_at + *days * kSecondsPerDay;
            p.due_at = p.created_at + static_cast<std::int64_t>(options.due_days) * kSecondsPerDay;
            std::string key = cols.Get(row, "区域") + "|" + cols.Get(row, "时间") + "|" + cols.Get(row, "标题") + "|" +
                              cols.Get(row, "投诉件内容");
            p.source_ref = "fz12345:" + Sha256Hex(key).substr(0, 16);

            Opinion& o = c.opinion;
            o.channel = ChannelOf(cols.Get(row, "信息来源"));
            o.kind = KindOf(cols.Get(row, "性质"));
            o.status = domain::OpinionStatus::kAccepted;
            o.received_at = p.created_at;
            o.title = p.title;
            o.text = p.description;
            o.org_id = p.owner_org_id;
            o.reply_text = cols.Get(row, "回复1");
            o.replied_at = p.closed_at;
            o.reply_org_id = p.owner_org_id;
            o.reply_due_at = *p.due_at;  // the same --due-days deadline as the problem's
            o.transfer_count = static_cast<int>(*transfers);
            o.source_ref = p.source_ref;

            static const std::map<std::string, std::string> kColumn = {{"title", "标题"},
                                                                       {"description", "投诉件内容"},
                                                                       {"text", "投诉件内容"},
                                                                       {"reply_text", "回复1"},
                                                                       {"closed_at", "最终回复-投诉事件"},
                                                                       {"replied_at", "最终回复-投诉事件"},
                                                                       {"transfer_count", "转处理次数"},
                                                                       {"owner_org_id", "区域"},
                                                                       {"org_id", "区域"}};
            Status v = domain::ValidateProblem(p);
            if (v.ok()) v = domain::ValidateOpinion(o);
            if (!v.ok()) {
                auto [field, reason] = SplitFieldError(v);
                auto it = kColumn.find(field);
                rejects.Add(n, it == kColumn.end() ? field : it->second, reason);
                continue;
            }
            // The same case twice in the file (the researcher tagged some cases under two rivers) or
            // stored by an earlier import: the first one stands.
            if (FirstInFile(refs_in_file, *p.source_ref, report)) cases.push_back(std::move(c));
        }
        return DropStored(tx, {store::WriteTx::SourceRefTable::kProblem, store::WriteTx::SourceRefTable::kOpinion},
                          cases, [](const Case& c) { return *c.problem.source_ref; }, report);
    };
    auto write = [&](store::WriteTx& tx) -> Status {
        std::vector<Problem> problems;
        problems.reserve(cases.size());
        for (auto& c : cases) problems.push_back(std::move(c.problem));
        RETURN_IF_ERROR(tx.InsertProblems(problems));
        std::vector<Opinion> opinions;
        opinions.reserve(cases.size());
        for (std::size_t i = 0; i < cases.size(); ++i) {
            cases[i].opinion.problem_id = problems[i].id;
            opinions.push_back(std::move(cases[i].opinion));
        }
        for (auto& o : opinions) StampOpinionSla(o);
        RETURN_IF_ERROR(tx.InsertOpinions(opinions));
        // Each case's problem event, then its opinion event, as the cases come.
        std::vector<store::Event> events;
        events.reserve(2 * cases.size());
        for (std::size_t i = 0; i < cases.size(); ++i) {
            events.push_back(ImportEvent(actor, "problem", problems[i].id, problems[i].owner_org_id, problems[i]));
            events.push_back(ImportEvent(actor, "opinion", opinions[i].id, opinions[i].org_id, opinions[i]));
        }
        RETURN_IF_ERROR(tx.AppendEvents(events));
        report.rows_stored += static_cast<std::int64_t>(cases.size());
        return InsertBatch(tx, actor, report, FileName(options.file), src.sha256, now);
    };
    RETURN_IF_ERROR(RunImport(*store_, report, check, write));
    return report;
}

// ============================================================================================
// ImportProblems
// ============================================================================================

Result<ImportReport> Service::ImportProblems(const Actor& actor, const std::string& file) {
    ImportReport report;
    report.kind = "problems";
    report.file = file;
    const UnixSeconds now = NowSeconds();
    ASSIGN_OR_RETURN(SourceFile src, ReadSource(file));
    ASSIGN_OR_RETURN(Columns cols, Columns::Of(src, {"title", "created_at"},
                                               {"description", "source", "category", "severity", "owner_division_code",
                                                "owner_org_id", "due_at", "status", "closed_at", "source_ref"}));
    if (!cols.Has("owner_division_code") && !cols.Has("owner_org_id")) {
        return InvalidArgument(file + ": missing column owner_division_code or owner_org_id (one is required)");
    }
    report.rows_read = static_cast<std::int64_t>(src.table.rows.size());
    Rejects rejects(report);
    std::vector<Problem> problems;
    std::set<std::string> refs_in_file;

    auto check = [&](store::WriteTx& tx) -> Status {
        std::map<std::string, std::optional<domain::CategoryId>> category_cache;
        std::map<std::string, std::optional<OrgId>> division_cache;
        for (std::size_t r = 0; r < src.table.rows.size(); ++r) {
            const auto& row = src.table.rows[r];
            const auto n = static_cast<std::int64_t>(r + 1);
            RowError e;
            if (!cols.CheckWidth(row, e)) {
                rejects.Add(n, e.column, e.reason);
                continue;
            }
            bool ok = true;
            Problem p;
            p.title = std::string(TrimAscii(cols.Get(row, "title")));
            p.description = cols.Get(row, "description");
            p.updated_at = now;
            p.status = domain::ProblemStatus::kRegistered;
            p.source = domain::ProblemSource::kOther;
            auto parse_enum = [&](const char* column, auto& field) {
                std::string_view text = TrimAscii(cols.Get(row, column));
                if (text.empty()) return;
                auto v = domain::ParseEnum<std::remove_reference_t<decltype(field)>>(text);
                if (v.ok()) {
                    field = *v;
                } else {
                    rejects.Add(n, column, v.status().message());
                    ok = false;
                }
            };
            parse_enum("source", p.source);
            parse_enum("severity", p.severity);
            parse_enum("status", p.status);
            auto parse_time = [&](const char* column, bool required) -> std::optional<UnixSeconds> {
                std::string_view text = TrimAscii(cols.Get(row, column));
                if (text.empty()) {
                    if (required) {
                        rejects.Add(n, column, "required");
                        ok = false;
                    }
                    return std::nullopt;
                }
                auto t = ParseInstant(text);
                if (!t.ok()) {
                    rejects.Add(n, column, t.status().message());
                    ok = false;
                    return std::nullopt;
                }
                return *t;
            };
            p.created_at = parse_time("created_at", true).value_or(0);
            p.due_at = parse_time("due_at", false);
            p.closed_at = parse_time("closed_at", false);

            if (std::string path(TrimAscii(cols.Get(row, "category"))); !path.empty()) {
                auto it = category_cache.find(path);
                if (it == category_cache.end()) {
                    ASSIGN_OR_RETURN(auto c, tx.FindCategoryByPath(path));
                    it = category_cache.emplace(path, c ? std::optional(c->id) : std::nullopt).first;
                }
                if (it->second) {
                    p.category_id = it->second;
                } else {
                    rejects.Add(n, "category", "no category has the path \"" + path + "\"");
                    ok = false;
                }
            }

            // The owner: by division code or id; both must name the same org; it must be in scope.
            std::string code(TrimAscii(cols.Get(row, "owner_division_code")));
            std::string id_text(TrimAscii(cols.Get(row, "owner_org_id")));
            std::optional<OrgId> by_code, by_id;
            if (!code.empty()) {
                auto it = division_cache.find(code);
                if (it == division_cache.end()) {
                    ASSIGN_OR_RETURN(auto org, tx.FindOrgByDivisionCode(code));
                    it = division_cache.emplace(code, org ? std::optional(org->id) : std::nullopt).first;
                }
                if (it->second && InScope(actor, *it->second)) {
                    by_code = it->second;
                } else {
                    rejects.Add(n, "owner_division_code", "no org has division code " + code);
                    ok = false;
                }
            }
            if (!id_text.empty()) {
                auto id = ParseInteger(id_text);
                if (id && *id > 0 && InScope(actor, *id)) {
                    by_id = id;
                } else {
                    rejects.Add(n, "owner_org_id", "org " + id_text + " does not exist");
                    ok = false;
                }
            }
            if (code.empty() && id_text.empty()) {
                rejects.Add(n, cols.Has("owner_division_code") ? "owner_division_code" : "owner_org_id",
                            "an owner is required: give owner_division_code or owner_org_id");
                ok = false;
            }
            if (by_code && by_id && *by_code != *by_id) {
                rejects.Add(n, "owner_org_id",
                            "org " + id_text + " is not the org of division code " + code + " (org " +
                                std::to_string(*by_code) + ")");
                ok = false;
            }
            if (!ok) continue;
            p.owner_org_id = by_code ? *by_code : *by_id;
            if (Status v = domain::ValidateProblem(p); !v.ok()) {
                auto [field, reason] = SplitFieldError(v);
                rejects.Add(n, field == "owner_org_id" ? "owner_org_id" : field, reason);
                continue;
            }
            std::string ref(TrimAscii(cols.Get(row, "source_ref")));
            p.source_ref = ref.empty() ? "csv:" + Sha256Hex(CsvLine(row)).substr(0, 16) : ref;
            if (FirstInFile(refs_in_file, *p.source_ref, report)) problems.push_back(std::move(p));
        }
        return DropStored(tx, {store::WriteTx::SourceRefTable::kProblem}, problems,
                          [](const Problem& p) { return *p.source_ref; }, report);
    };
    auto write = [&](store::WriteTx& tx) -> Status {
        RETURN_IF_ERROR(tx.InsertProblems(problems));
        std::vector<store::Event> events;
        events.reserve(problems.size());
        for (const auto& p : problems) events.push_back(ImportEvent(actor, "problem", p.id, p.owner_org_id, p));
        RETURN_IF_ERROR(tx.AppendEvents(events));
        report.rows_stored += static_cast<std::int64_t>(problems.size());
        return InsertBatch(tx, actor, report, FileName(file), src.sha256, now);
    };
    RETURN_IF_ERROR(RunImport(*store_, report, check, write));
    return report;
}

}  // namespace rectify::service
