#include "bench/sqlite_baseline.hpp"

#include <sqlite3.h>

#include <filesystem>

#include "store/store.hpp"

namespace rectify::bench {
namespace {

using domain::ProblemStatus;

Status SqliteError(sqlite3* db, const std::string& what) {
    return Internal(what + ": " + (db ? sqlite3_errmsg(db) : "cannot open"));
}

Status Exec(sqlite3* db, const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string m = err ? err : "?";
        sqlite3_free(err);
        return Internal(sql.substr(0, 60) + ": " + m);
    }
    return Status::Ok();
}

// Binds text, an integer or NULL to the 1-based parameter i.
void BindText(sqlite3_stmt* s, int i, const std::string& v) { sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
void BindInt(sqlite3_stmt* s, int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
template <typename T>
void BindOpt(sqlite3_stmt* s, int i, const std::optional<T>& v) {
    if (v) {
        sqlite3_bind_int64(s, i, static_cast<std::int64_t>(*v));
    } else {
        sqlite3_bind_null(s, i);
    }
}

// ProblemStatus / ProblemSource from their stored names.
template <typename E>
std::size_t EnumIndex(const unsigned char* text) {
    auto parsed = domain::ParseEnum<E>(reinterpret_cast<const char*>(text));
    return parsed.ok() ? static_cast<std::size_t>(*parsed) : 0;
}

}  // namespace

Status LoadSqlite(const GeneratedData& data, const std::string& path) {
    if (std::filesystem::exists(path)) return FailedPrecondition(path + " exists");
    {
        // The store creates the schema (migrations) and the org levels the generated orgs use.
        ASSIGN_OR_RETURN(auto store, store::Store::OpenSqlite(path, store::OpenMode::kCreateIfMissing, 1));
        RETURN_IF_ERROR(store->Write([&](store::WriteTx& tx) -> Status {
            for (std::size_t i = 0; i < data.levels.size(); ++i) {
                RETURN_IF_ERROR(tx.UpsertLevel({data.levels[i], data.levels[i], data.levels[i], static_cast<int>(i + 1)}));
            }
            return Status::Ok();
        }));
    }
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        Status s = SqliteError(db, "open " + path);
        sqlite3_close(db);
        return s;
    }
    auto close = [&] { sqlite3_close(db); };
    auto fail = [&](Status s) {
        close();
        return s;
    };
    if (Status s = Exec(db, "PRAGMA synchronous = OFF; BEGIN"); !s.ok()) return fail(s);

    sqlite3_stmt* st = nullptr;
    auto prepare = [&](const char* sql) {
        sqlite3_finalize(st);
        st = nullptr;
        return sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK;
    };
    auto step = [&] {
        bool ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
        return ok;
    };
    if (!prepare("INSERT INTO category (id, parent_id, name, depth, path) VALUES (?1, NULL, ?2, 1, ?2)")) {
        return fail(SqliteError(db, "prepare category"));
    }
    for (domain::CategoryId c : data.categories) {
        BindInt(st, 1, c);
        BindText(st, 2, "category-" + std::to_string(c));
        if (!step()) return fail(SqliteError(db, "insert category"));
    }
    if (!prepare("INSERT INTO org (id, parent_id, name, level, kind, batch, path, created_at, province_id) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?8)")) {
        return fail(SqliteError(db, "prepare org"));
    }
    for (const domain::Org& o : data.orgs) {
        BindInt(st, 1, o.id);
        BindOpt(st, 2, o.parent_id);
        BindText(st, 3, o.name);
        BindText(st, 4, o.level);
        BindText(st, 5, std::string(domain::ToString(o.kind)));
        BindText(st, 6, o.path);
        BindInt(st, 7, o.created_at);
        BindOpt(st, 8, ProvinceKey(data, o.id));
        if (!step()) return fail(SqliteError(db, "insert org"));
    }
    if (!prepare("INSERT INTO problem (id, title, description, source, category_id, severity, owner_org_id, status, "
                 "created_at, due_at, closed_at, updated_at, province_id) VALUES (?1, ?2, '', ?3, ?4, 'normal', ?5, ?6, "
                 "?7, ?8, ?9, ?7, ?10)")) {
        return fail(SqliteError(db, "prepare problem"));
    }
    for (const index::ProblemFacts& p : data.problems) {
        BindInt(st, 1, p.id);
        BindText(st, 2, "problem " + std::to_string(p.id));
        BindText(st, 3, std::string(domain::ToString(p.source)));
        BindOpt(st, 4, p.top_category_id);
        BindInt(st, 5, p.owner_org_id);
        BindText(st, 6, std::string(domain::ToString(p.status)));
        BindInt(st, 7, p.created_at);
        BindOpt(st, 8, p.due_at);
        BindOpt(st, 9, p.status == ProblemStatus::kClosed ? p.closed_at : std::nullopt);
        BindOpt(st, 10, ProvinceKey(data, p.owner_org_id));
        if (!step()) return fail(SqliteError(db, "insert problem"));
    }
    sqlite3_finalize(st);
    if (Status s = Exec(db, "COMMIT; ANALYZE"); !s.ok()) return fail(s);
    close();
    return Status::Ok();
}

Result<std::unique_ptr<SqliteFigures>> SqliteFigures::Open(const std::string& path, std::int64_t zone_offset_seconds) {
    std::unique_ptr<SqliteFigures> f(new SqliteFigures());
    f->zone_offset_ = zone_offset_seconds;
    if (sqlite3_open_v2(path.c_str(), &f->db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        return SqliteError(f->db_, "open " + path);
    }
    // SQLite at its best for reads: the whole file memory-mapped and a 1 GiB page cache (the store keeps
    // SQLite's defaults; Store/ benchmarks show those).
    RETURN_IF_ERROR(Exec(f->db_, "PRAGMA mmap_size = 4294967296; PRAGMA cache_size = -1048576"));
    return f;
}

SqliteFigures::~SqliteFigures() {
    for (auto& [sql, st] : statements_) sqlite3_finalize(st);
    sqlite3_close(db_);
}

Result<sqlite3_stmt*> SqliteFigures::Prepare(const std::string& sql) {
    auto it = statements_.find(sql);
    if (it != statements_.end()) {
        sqlite3_reset(it->second);
        sqlite3_clear_bindings(it->second);
        return it->second;
    }
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return SqliteError(db_, "prepare " + sql);
    statements_.emplace(sql, st);
    return st;
}

Result<index::Figures> SqliteFigures::Query(const std::string& subtree_path, const index::FiguresQuery& q) {
    std::string hi = subtree_path;
    hi.back() = static_cast<char>(hi.back() + 1);
    // ?1, ?2: the path range; ?3: category; ?4: source; ?5.. per query.
    std::string from = " FROM problem p JOIN org o ON o.id = p.owner_org_id WHERE o.path >= ?1 AND o.path < ?2";
    if (q.category) from += q.category->id ? " AND p.category_id = ?3" : " AND p.category_id IS NULL";
    if (q.source) from += " AND p.source = ?4";
    auto bind_common = [&](sqlite3_stmt* st) {
        BindText(st, 1, subtree_path);
        BindText(st, 2, hi);
        if (q.category && q.category->id) BindInt(st, 3, *q.category->id);
        if (q.source) BindText(st, 4, std::string(domain::ToString(*q.source)));
    };
    index::Figures f;

    // 1. Counts by status, category and source.
    ASSIGN_OR_RETURN(sqlite3_stmt * counts,
                     Prepare("SELECT p.status, p.category_id, p.source, COUNT(*)" + from +
                             " GROUP BY p.status, p.category_id, p.source"));
    bind_common(counts);
    std::map<std::optional<domain::CategoryId>, std::int64_t> by_cat;
    while (sqlite3_step(counts) == SQLITE_ROW) {
        std::int64_t n = sqlite3_column_int64(counts, 3);
        f.problems += n;
        f.by_status[EnumIndex<ProblemStatus>(sqlite3_column_text(counts, 0))] += n;
        f.by_source[EnumIndex<domain::ProblemSource>(sqlite3_column_text(counts, 2))] += n;
        std::optional<domain::CategoryId> cat;
        if (sqlite3_column_type(counts, 1) != SQLITE_NULL) cat = sqlite3_column_int64(counts, 1);
        by_cat[cat] += n;
    }
    for (const auto& [cat, n] : by_cat) f.by_category.push_back({cat, n});
    for (std::size_t s = 0; s < index::kStatusCount; ++s) {
        if (index::IsOpen(static_cast<ProblemStatus>(s))) f.open += f.by_status[s];
    }
    auto status = [&](ProblemStatus s) { return f.by_status[static_cast<std::size_t>(s)]; };
    f.completion = {status(ProblemStatus::kClosed),
                    f.problems - status(ProblemStatus::kInvalid) - status(ProblemStatus::kMerged)};

    // 2. Overdue and due soon at q.now.
    ASSIGN_OR_RETURN(sqlite3_stmt * due,
                     Prepare("SELECT COALESCE(SUM(p.due_at < ?5), 0), COALESCE(SUM(p.due_at >= ?5 AND p.due_at < ?6), 0)" +
                             from +
                             " AND p.status IN ('registered', 'planned', 'in_progress', 'pending_verification') "
                             "AND p.due_at IS NOT NULL"));
    bind_common(due);
    BindInt(due, 5, q.now);
    BindInt(due, 6, q.now + q.due_soon_seconds);
    if (sqlite3_step(due) == SQLITE_ROW) {
        f.overdue = sqlite3_column_int64(due, 0);
        f.due_soon = sqlite3_column_int64(due, 1);
    }
    f.overdue_rate = {f.overdue, f.open};

    // 3. Days to close (whole days) and on time.
    ASSIGN_OR_RETURN(sqlite3_stmt * days,
                     Prepare("SELECT MAX(0, (p.closed_at - p.created_at) / 86400) AS d, COUNT(*), "
                             "SUM(p.due_at IS NOT NULL), SUM(p.due_at IS NOT NULL AND p.closed_at <= p.due_at)" +
                             from + " AND p.status = 'closed' AND p.closed_at IS NOT NULL GROUP BY d ORDER BY d"));
    bind_common(days);
    std::vector<std::pair<std::int64_t, std::int64_t>> hist;
    while (sqlite3_step(days) == SQLITE_ROW) {
        std::int64_t n = sqlite3_column_int64(days, 1);
        hist.emplace_back(sqlite3_column_int64(days, 0), n);
        f.closed_timed += n;
        f.on_time.denominator += sqlite3_column_int64(days, 2);
        f.on_time.numerator += sqlite3_column_int64(days, 3);
    }
    std::int64_t seen = 0;
    for (const auto& [d, n] : hist) {
        seen += n;
        if (!f.median_days_to_close && 2 * seen >= f.closed_timed) f.median_days_to_close = d;
        if (!f.p90_days_to_close && 10 * seen >= 9 * f.closed_timed) f.p90_days_to_close = d;
    }

    // 4 and 5. Weekly created and closed, grouped by week number with the fixed zone offset.
    if (q.weeks > 0) {
        const std::int64_t last = LocalWeekNumber(q.now), first = last - q.weeks + 1;
        f.weekly.resize(static_cast<std::size_t>(q.weeks));
        for (std::int64_t w = first; w <= last; ++w) f.weekly[static_cast<std::size_t>(w - first)].week_start = LocalWeekStart(w);
        const std::int64_t shift = zone_offset_ + 3 * kSecondsPerDay;
        for (bool closed : {false, true}) {
            const char* column = closed ? "p.closed_at" : "p.created_at";
            ASSIGN_OR_RETURN(sqlite3_stmt * weeks,
                             Prepare(std::string("SELECT (") + column + " + ?5) / 604800 AS w, COUNT(*)" + from +
                                     (closed ? " AND p.status = 'closed'" : "") + " AND " + column + " >= ?6 AND " +
                                     column + " < ?7 GROUP BY w"));
            bind_common(weeks);
            BindInt(weeks, 5, shift);
            BindInt(weeks, 6, LocalWeekStart(first));
            BindInt(weeks, 7, LocalWeekStart(last + 1));
            while (sqlite3_step(weeks) == SQLITE_ROW) {
                std::int64_t w = sqlite3_column_int64(weeks, 0);
                if (w < first || w > last) continue;
                auto& row = f.weekly[static_cast<std::size_t>(w - first)];
                (closed ? row.closed : row.created) += sqlite3_column_int64(weeks, 1);
            }
        }
    }
    return f;
}

}  // namespace rectify::bench
