// The SOCI implementation of Store (SQLite now; the same SQL serves PostgreSQL with dialect.cpp).
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <deque>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "store/dialect.hpp"
#include "store/store.hpp"

namespace rectify::store {
namespace {

using domain::Category;
using domain::CategoryId;
using domain::Opinion;
using domain::Org;
using domain::OrgId;
using domain::OrgLevel;
using domain::Problem;
using domain::ProblemId;

// ---- turning library exceptions into Status (the adapter boundary of ENGINEERING.md "Errors") ----

Status FromSociError(const std::exception& e) {
    std::string what = e.what();
    if (what.find("UNIQUE constraint") != std::string::npos || what.find("duplicate key") != std::string::npos) {
        return AlreadyExists("a record with the same unique key exists (" + what + ")");
    }
    if (what.find("FOREIGN KEY") != std::string::npos || what.find("foreign key") != std::string::npos) {
        return FailedPrecondition("a referenced record does not exist (" + what + ")");
    }
    if (what.find("database is locked") != std::string::npos || what.find("busy") != std::string::npos) {
        return Unavailable("the database is busy; retry (" + what + ")");
    }
    return Internal("database error: " + what);
}

template <typename F>
auto Guard(F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const std::exception& e) {
        return FromSociError(e);
    }
}

// ---- reading columns whatever type the backend reports ----

std::int64_t Int(const soci::row& r, std::size_t i) {
    switch (r.get_properties(i).get_data_type()) {
        case soci::dt_integer: return r.get<int>(i);
        case soci::dt_long_long: return r.get<long long>(i);
        case soci::dt_unsigned_long_long: return static_cast<std::int64_t>(r.get<unsigned long long>(i));
        case soci::dt_double: return static_cast<std::int64_t>(r.get<double>(i));
        case soci::dt_string: return std::stoll(r.get<std::string>(i));
        default: throw soci::soci_error("unexpected column type for an integer");
    }
}

bool IsNull(const soci::row& r, std::size_t i) { return r.get_indicator(i) == soci::i_null; }

std::optional<std::int64_t> OptInt(const soci::row& r, std::size_t i) {
    if (IsNull(r, i)) return std::nullopt;
    return Int(r, i);
}

std::string Str(const soci::row& r, std::size_t i) { return IsNull(r, i) ? std::string() : r.get<std::string>(i); }

std::optional<std::string> OptStr(const soci::row& r, std::size_t i) {
    if (IsNull(r, i)) return std::nullopt;
    return r.get<std::string>(i);
}

template <typename E>
E EnumOf(const soci::row& r, std::size_t i) {
    auto parsed = domain::ParseEnum<E>(Str(r, i));
    if (!parsed.ok()) throw soci::soci_error("stored value: " + parsed.status().message());
    return *parsed;
}

// ---- a statement with a variable number of bound parameters ----

class Query {
public:
    explicit Query(soci::session& s) : session_(s) {}

    // Adds a bound parameter and returns its placeholder. Parameters are bound by name, so the order in
    // which Bind() calls run (unspecified between the operands of one `+` expression) does not matter.
    std::string Bind(std::int64_t v) {
        ints_.push_back(v);
        std::string name = NextName();
        uses_.push_back([p = &ints_.back(), name](soci::details::prepare_temp_type& t) { t, soci::use(*p, name); });
        return ":" + name;
    }
    std::string Bind(const std::string& v) {
        strings_.push_back(v);
        std::string name = NextName();
        uses_.push_back([p = &strings_.back(), name](soci::details::prepare_temp_type& t) { t, soci::use(*p, name); });
        return ":" + name;
    }
    // Binds an optional: a NULL when empty.
    template <typename T>
    std::string BindOpt(const std::optional<T>& v) {
        if (!v) return "NULL";
        if constexpr (std::is_same_v<T, std::string>) {
            return Bind(*v);
        } else {
            return Bind(static_cast<std::int64_t>(*v));
        }
    }

    std::string sql;

    soci::rowset<soci::row> Rows() {
        soci::details::prepare_temp_type t = (session_.prepare << sql);
        for (auto& u : uses_) u(t);
        return soci::rowset<soci::row>(t);
    }

    void Exec() {
        soci::details::prepare_temp_type t = (session_.prepare << sql);
        for (auto& u : uses_) u(t);
        soci::statement st(t);
        st.execute(true);
    }

    // Runs a query that returns one integer (e.g. COUNT(*) or RETURNING id).
    std::optional<std::int64_t> OneInt() {
        for (const soci::row& r : Rows()) return OptInt(r, 0);
        return std::nullopt;
    }

    // Number of rows changed by the last Exec (UPDATE/DELETE).
    long long Affected() const { return affected_; }

    void ExecCounting() {
        soci::details::prepare_temp_type t = (session_.prepare << sql);
        for (auto& u : uses_) u(t);
        soci::statement st(t);
        st.execute(true);
        affected_ = st.get_affected_rows();
    }

private:
    std::string NextName() { return "p" + std::to_string(n_++); }

    soci::session& session_;
    std::deque<std::int64_t> ints_;
    std::deque<std::string> strings_;
    std::vector<std::function<void(soci::details::prepare_temp_type&)>> uses_;
    int n_ = 0;
    long long affected_ = 0;
};

// The range [lo, hi) of paths inside the subtree with root path `path` ("/1/5/" -> ["/1/5/", "/1/50")):
// '/' + 1 == '0', so every descendant path sorts inside. Lets a plain b-tree index answer prefix queries.
std::pair<std::string, std::string> PathRange(const std::string& path) {
    std::string hi = path;
    hi.back() = static_cast<char>(hi.back() + 1);
    return {path, hi};
}

// " AND (o.path >= :a AND o.path < :b OR ...)" for a list of subtree paths; "" when empty.
std::string SubtreeClause(Query& q, const std::string& column, const std::vector<std::string>& paths) {
    if (paths.empty()) return "";
    std::string clause = " AND (";
    for (std::size_t i = 0; i < paths.size(); ++i) {
        auto [lo, hi] = PathRange(paths[i]);
        if (i) clause += " OR ";
        clause += "(" + column + " >= " + q.Bind(lo) + " AND " + column + " < " + q.Bind(hi) + ")";
    }
    return clause + ")";
}

// ---- row mappers ----

const char* kOrgColumns = "id, parent_id, name, level, kind, batch, division_code, path, created_at, version";

Org OrgFromRow(const soci::row& r) {
    Org o;
    o.id = Int(r, 0);
    o.parent_id = OptInt(r, 1);
    o.name = Str(r, 2);
    o.level = Str(r, 3);
    o.kind = EnumOf<domain::OrgKind>(r, 4);
    o.batch = static_cast<int>(Int(r, 5));
    o.division_code = OptStr(r, 6);
    o.path = Str(r, 7);
    o.created_at = Int(r, 8);
    o.version = Int(r, 9);
    return o;
}

const char* kProblemColumns =
    "id, title, description, source, category_id, severity, owner_org_id, status, created_at, due_at, closed_at, "
    "source_ref, updated_at, version";

Problem ProblemFromRow(const soci::row& r) {
    Problem p;
    p.id = Int(r, 0);
    p.title = Str(r, 1);
    p.description = Str(r, 2);
    p.source = EnumOf<domain::ProblemSource>(r, 3);
    p.category_id = OptInt(r, 4);
    p.severity = EnumOf<domain::Severity>(r, 5);
    p.owner_org_id = Int(r, 6);
    p.status = EnumOf<domain::ProblemStatus>(r, 7);
    p.created_at = Int(r, 8);
    p.due_at = OptInt(r, 9);
    p.closed_at = OptInt(r, 10);
    p.source_ref = OptStr(r, 11);
    p.updated_at = Int(r, 12);
    p.version = Int(r, 13);
    return p;
}

const char* kOpinionColumns =
    "id, channel, kind, status, received_at, title, text, division_code, org_id, submitter, category_id, reply_text, "
    "replied_at, reply_org_id, problem_id, transfer_count, source_ref, version";

Opinion OpinionFromRow(const soci::row& r) {
    Opinion o;
    o.id = Int(r, 0);
    o.channel = EnumOf<domain::OpinionChannel>(r, 1);
    o.kind = EnumOf<domain::OpinionKind>(r, 2);
    o.status = EnumOf<domain::OpinionStatus>(r, 3);
    o.received_at = Int(r, 4);
    o.title = Str(r, 5);
    o.text = Str(r, 6);
    o.division_code = OptStr(r, 7);
    o.org_id = Int(r, 8);
    o.submitter = OptStr(r, 9);
    o.category_id = OptInt(r, 10);
    o.reply_text = OptStr(r, 11);
    o.replied_at = OptInt(r, 12);
    o.reply_org_id = OptInt(r, 13);
    o.problem_id = OptInt(r, 14);
    o.transfer_count = static_cast<int>(Int(r, 15));
    o.source_ref = OptStr(r, 16);
    o.version = Int(r, 17);
    return o;
}

// ---- reads shared by Store (pooled session) and WriteTx (the writer's session) ----

class Reads {
public:
    explicit Reads(soci::session& s) : s_(s) {}

    Result<Org> GetOrg(OrgId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kOrgColumns + " FROM org WHERE id = " + q.Bind(id);
        for (const soci::row& r : q.Rows()) return OrgFromRow(r);
        return NotFound("org " + std::to_string(id) + " does not exist");
    }

    Result<std::optional<Org>> FindOrgWhere(const std::string& column, const std::string& value) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kOrgColumns + " FROM org WHERE " + column + " = " + q.Bind(value);
        for (const soci::row& r : q.Rows()) return std::optional<Org>(OrgFromRow(r));
        return std::optional<Org>();
    }

    Result<std::optional<Org>> FindChildByName(std::optional<OrgId> parent, const std::string& name) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kOrgColumns + " FROM org WHERE name = " + q.Bind(name) + " AND " +
                (parent ? "parent_id = " + q.Bind(*parent) : std::string("parent_id IS NULL"));
        for (const soci::row& r : q.Rows()) return std::optional<Org>(OrgFromRow(r));
        return std::optional<Org>();
    }

    Result<std::vector<Org>> Orgs(const std::string& where_suffix, std::optional<OrgId> param) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kOrgColumns + " FROM org" +
                (param ? where_suffix + q.Bind(*param) : where_suffix) + " ORDER BY id";
        std::vector<Org> out;
        for (const soci::row& r : q.Rows()) out.push_back(OrgFromRow(r));
        return out;
    }

    Result<std::optional<Category>> FindCategoryByPath(const std::string& path) {
        Query q(s_);
        q.sql = "SELECT id, parent_id, name, depth, path FROM category WHERE path = " + q.Bind(path);
        for (const soci::row& r : q.Rows()) {
            return std::optional<Category>(
                Category{Int(r, 0), OptInt(r, 1), Str(r, 2), static_cast<int>(Int(r, 3)), Str(r, 4)});
        }
        return std::optional<Category>();
    }

    Result<std::optional<std::int64_t>> FindBySourceRef(const std::string& table, const std::string& ref) {
        Query q(s_);
        q.sql = "SELECT id FROM " + table + " WHERE source_ref = " + q.Bind(ref);
        return q.OneInt();
    }

private:
    soci::session& s_;
};

// ---- the write transaction ----

class SociWriteTx final : public WriteTx {
public:
    explicit SociWriteTx(soci::session& s) : s_(s), reads_(s) {}

    Status InsertOrg(Org& org) override {
        return Guard([&]() -> Status {
            std::string parent_path;
            if (org.parent_id) {
                auto parent = reads_.GetOrg(*org.parent_id);
                if (!parent.ok()) return NotFound("parent org " + std::to_string(*org.parent_id) + " does not exist");
                parent_path = parent->path;
            }
            if (!LevelExists(org.level)) return InvalidArgument("level: unknown org level \"" + org.level + "\"");
            Query q(s_);
            q.sql = "INSERT INTO org (parent_id, name, level, kind, batch, division_code, path, created_at, version) "
                    "VALUES (" +
                    q.BindOpt(org.parent_id) + ", " + q.Bind(org.name) + ", " + q.Bind(org.level) + ", " +
                    q.Bind(std::string(domain::ToString(org.kind))) + ", " + q.Bind(org.batch) + ", " +
                    q.BindOpt(org.division_code) + ", '', " + q.Bind(org.created_at) + ", 1) RETURNING id";
            org.id = q.OneInt().value();
            org.path = (parent_path.empty() ? std::string("/") : parent_path) + std::to_string(org.id) + "/";
            org.version = 1;
            Query u(s_);
            u.sql = "UPDATE org SET path = " + u.Bind(org.path) + " WHERE id = " + u.Bind(org.id);
            u.Exec();
            return Status::Ok();
        });
    }

    Status MoveOrg(OrgId id, OrgId new_parent) override {
        return Guard([&]() -> Status {
            ASSIGN_OR_RETURN(Org org, reads_.GetOrg(id));
            ASSIGN_OR_RETURN(Org parent, reads_.GetOrg(new_parent));
            if (parent.path.rfind(org.path, 0) == 0) {
                return FailedPrecondition("cannot move org " + std::to_string(id) + " under " +
                                          std::to_string(new_parent) + ", which lies inside its own subtree");
            }
            std::string new_path = parent.path + std::to_string(id) + "/";
            auto [lo, hi] = PathRange(org.path);
            Query q(s_);
            q.sql = "UPDATE org SET path = " + q.Bind(new_path) + " || substr(path, " +
                    q.Bind(static_cast<std::int64_t>(org.path.size() + 1)) + "), version = version + 1 WHERE path >= " +
                    q.Bind(lo) + " AND path < " + q.Bind(hi);
            q.Exec();
            Query p(s_);
            p.sql = "UPDATE org SET parent_id = " + p.Bind(new_parent) + " WHERE id = " + p.Bind(id);
            p.Exec();
            return Status::Ok();
        });
    }

    Status UpsertLevel(const OrgLevel& l) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO org_level (key, name_zh, name_en, rank) VALUES (" + q.Bind(l.key) + ", " +
                    q.Bind(l.name_zh) + ", " + q.Bind(l.name_en) + ", " + q.Bind(l.rank) +
                    ") ON CONFLICT (key) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, "
                    "rank = excluded.rank";
            q.Exec();
            return Status::Ok();
        });
    }

    Status InsertCategory(Category& c) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO category (parent_id, name, depth, path) VALUES (" + q.BindOpt(c.parent_id) + ", " +
                    q.Bind(c.name) + ", " + q.Bind(c.depth) + ", " + q.Bind(c.path) + ") RETURNING id";
            c.id = q.OneInt().value();
            return Status::Ok();
        });
    }

    Status InsertProblem(Problem& p) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO problem (title, description, source, category_id, severity, owner_org_id, status, "
                    "created_at, due_at, closed_at, source_ref, updated_at, version) VALUES (" +
                    q.Bind(p.title) + ", " + q.Bind(p.description) + ", " +
                    q.Bind(std::string(domain::ToString(p.source))) + ", " + q.BindOpt(p.category_id) + ", " +
                    q.Bind(std::string(domain::ToString(p.severity))) + ", " + q.Bind(p.owner_org_id) + ", " +
                    q.Bind(std::string(domain::ToString(p.status))) + ", " + q.Bind(p.created_at) + ", " +
                    q.BindOpt(p.due_at) + ", " + q.BindOpt(p.closed_at) + ", " + q.BindOpt(p.source_ref) + ", " +
                    q.Bind(p.updated_at) + ", 1) RETURNING id";
            p.id = q.OneInt().value();
            p.version = 1;
            return Status::Ok();
        });
    }

    Status UpdateProblem(Problem& p) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE problem SET title = " + q.Bind(p.title) + ", description = " + q.Bind(p.description) +
                    ", source = " + q.Bind(std::string(domain::ToString(p.source))) +
                    ", category_id = " + q.BindOpt(p.category_id) +
                    ", severity = " + q.Bind(std::string(domain::ToString(p.severity))) +
                    ", owner_org_id = " + q.Bind(p.owner_org_id) +
                    ", status = " + q.Bind(std::string(domain::ToString(p.status))) +
                    ", due_at = " + q.BindOpt(p.due_at) + ", closed_at = " + q.BindOpt(p.closed_at) +
                    ", updated_at = " + q.Bind(p.updated_at) + ", version = version + 1 WHERE id = " + q.Bind(p.id) +
                    " AND version = " + q.Bind(p.version);
            q.ExecCounting();
            if (q.Affected() == 0) {
                Query v(s_);
                v.sql = "SELECT version FROM problem WHERE id = " + v.Bind(p.id);
                auto current = v.OneInt();
                if (!current) return NotFound("problem " + std::to_string(p.id) + " does not exist");
                return Aborted("problem " + std::to_string(p.id) + " was changed by someone else: you sent version " +
                               std::to_string(p.version) + ", the current version is " + std::to_string(*current) +
                               "; reload and apply your change again");
            }
            ++p.version;
            return Status::Ok();
        });
    }

    Status InsertOpinion(Opinion& o) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO opinion (channel, kind, status, received_at, title, text, division_code, org_id, "
                    "submitter, category_id, reply_text, replied_at, reply_org_id, problem_id, transfer_count, "
                    "source_ref, version) VALUES (" +
                    q.Bind(std::string(domain::ToString(o.channel))) + ", " +
                    q.Bind(std::string(domain::ToString(o.kind))) + ", " +
                    q.Bind(std::string(domain::ToString(o.status))) + ", " + q.Bind(o.received_at) + ", " +
                    q.Bind(o.title) + ", " + q.Bind(o.text) + ", " + q.BindOpt(o.division_code) + ", " +
                    q.Bind(o.org_id) + ", " + q.BindOpt(o.submitter) + ", " + q.BindOpt(o.category_id) + ", " +
                    q.BindOpt(o.reply_text) + ", " + q.BindOpt(o.replied_at) + ", " + q.BindOpt(o.reply_org_id) +
                    ", " + q.BindOpt(o.problem_id) + ", " + q.Bind(o.transfer_count) + ", " +
                    q.BindOpt(o.source_ref) + ", 1) RETURNING id";
            o.id = q.OneInt().value();
            o.version = 1;
            return Status::Ok();
        });
    }

    Status LinkOpinion(domain::OpinionId id, ProblemId problem_id, std::int64_t version) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE opinion SET problem_id = " + q.Bind(problem_id) +
                    ", status = 'accepted', version = version + 1 WHERE id = " + q.Bind(id) +
                    " AND version = " + q.Bind(version);
            q.ExecCounting();
            if (q.Affected() == 0) {
                return Aborted("opinion " + std::to_string(id) + " was changed by someone else; reload and retry");
            }
            return Status::Ok();
        });
    }

    Status AppendEvent(Event& e) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO event (at, actor, entity, entity_id, action, before_json, after_json) VALUES (" +
                    q.Bind(e.at) + ", " + q.Bind(e.actor) + ", " + q.Bind(e.entity) + ", " + q.Bind(e.entity_id) +
                    ", " + q.Bind(e.action) + ", " + q.BindOpt(e.before_json) + ", " + q.BindOpt(e.after_json) +
                    ") RETURNING id";
            e.id = q.OneInt().value();
            return Status::Ok();
        });
    }

    Status InsertImportBatch(ImportBatch& b) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO import_batch (kind, file_name, file_sha256, actor, started_at, rows_read, "
                    "rows_stored, rows_existing, rows_rejected) VALUES (" +
                    q.Bind(b.kind) + ", " + q.Bind(b.file_name) + ", " + q.Bind(b.file_sha256) + ", " +
                    q.Bind(b.actor) + ", " + q.Bind(b.started_at) + ", " + q.Bind(b.rows_read) + ", " +
                    q.Bind(b.rows_stored) + ", " + q.Bind(b.rows_existing) + ", " + q.Bind(b.rows_rejected) +
                    ") RETURNING id";
            b.id = q.OneInt().value();
            return Status::Ok();
        });
    }

    Result<Org> GetOrg(OrgId id) override {
        return Guard([&]() -> Result<Org> { return reads_.GetOrg(id); });
    }
    Result<std::optional<Org>> FindOrgByDivisionCode(const std::string& code) override {
        return Guard([&]() -> Result<std::optional<Org>> { return reads_.FindOrgWhere("division_code", code); });
    }
    Result<std::optional<Org>> FindChildByName(std::optional<OrgId> parent, const std::string& name) override {
        return Guard([&]() -> Result<std::optional<Org>> { return reads_.FindChildByName(parent, name); });
    }
    Result<std::optional<Category>> FindCategoryByPath(const std::string& path) override {
        return Guard([&]() -> Result<std::optional<Category>> { return reads_.FindCategoryByPath(path); });
    }
    Result<std::optional<std::int64_t>> FindProblemBySourceRef(const std::string& ref) override {
        return Guard([&]() -> Result<std::optional<std::int64_t>> { return reads_.FindBySourceRef("problem", ref); });
    }
    Result<std::optional<std::int64_t>> FindOpinionBySourceRef(const std::string& ref) override {
        return Guard([&]() -> Result<std::optional<std::int64_t>> { return reads_.FindBySourceRef("opinion", ref); });
    }

private:
    bool LevelExists(const std::string& key) {
        auto it = level_cache_.find(key);
        if (it != level_cache_.end()) return it->second;
        Query q(s_);
        q.sql = "SELECT COUNT(*) FROM org_level WHERE key = " + q.Bind(key);
        bool exists = q.OneInt().value_or(0) > 0;
        level_cache_[key] = exists;
        return exists;
    }

    soci::session& s_;
    Reads reads_;
    std::unordered_map<std::string, bool> level_cache_;
};

// ---- the store ----

class SociStore final : public Store {
public:
    SociStore(const detail::Dialect& dialect, int pool_size) : dialect_(dialect), pool_(pool_size) {}

    Status Open(const std::string& connect, int pool_size) {
        return Guard([&]() -> Status {
            for (int i = 0; i < pool_size; ++i) {
                soci::session& s = pool_.at(i);
                s.open(soci::sqlite3, connect);
                s << "PRAGMA busy_timeout = 10000";
                s << "PRAGMA foreign_keys = ON";
                s << "PRAGMA synchronous = NORMAL";
                if (i == 0) s << "PRAGMA journal_mode = WAL";
            }
            writer_.open(soci::sqlite3, connect);
            writer_ << "PRAGMA busy_timeout = 10000";
            writer_ << "PRAGMA foreign_keys = ON";
            writer_ << "PRAGMA synchronous = NORMAL";
            return Status::Ok();
        });
    }

    Status Migrate() {
        std::lock_guard lock(write_mutex_);
        return Guard([&]() -> Status {
            writer_ << "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, applied_at BIGINT "
                       "NOT NULL)";
            ASSIGN_OR_RETURN(int current, StoredVersion(writer_));
            const auto& sources = detail::MigrationSources();
            const int known = static_cast<int>(sources.size());
            if (current > known) {
                return FailedPrecondition("the database schema is version " + std::to_string(current) +
                                          ", newer than this rectify knows (" + std::to_string(known) +
                                          "); run a newer rectify or restore a backup made by this version");
            }
            for (int v = current + 1; v <= known; ++v) {
                writer_ << dialect_.begin_write;
                try {
                    ExecScript(writer_, detail::ApplyDialect(dialect_, sources[v - 1]));
                    long long at = NowSeconds();
                    writer_ << "INSERT INTO schema_migration (version, applied_at) VALUES (:v, :at)", soci::use(v),
                        soci::use(at);
                    writer_ << "COMMIT";
                } catch (...) {
                    writer_ << "ROLLBACK";
                    throw;
                }
            }
            return Status::Ok();
        });
    }

    Result<int> SchemaVersion() override {
        std::lock_guard lock(write_mutex_);
        return Guard([&]() -> Result<int> { return StoredVersion(writer_); });
    }

    Status Write(const std::function<Status(WriteTx&)>& fn) override {
        std::lock_guard lock(write_mutex_);
        try {
            writer_ << dialect_.begin_write;
        } catch (const std::exception& e) {
            return FromSociError(e);
        }
        Status status;
        try {
            SociWriteTx tx(writer_);
            status = fn(tx);
        } catch (const std::exception& e) {
            status = FromSociError(e);
        }
        try {
            if (status.ok()) {
                writer_ << "COMMIT";
            } else {
                writer_ << "ROLLBACK";
            }
        } catch (const std::exception& e) {
            if (status.ok()) status = FromSociError(e);
            try {
                writer_ << "ROLLBACK";
            } catch (...) {
            }
        }
        return status;
    }

    Result<Org> GetOrg(OrgId id) override {
        return Guard([&]() -> Result<Org> {
            soci::session s(pool_);
            return Reads(s).GetOrg(id);
        });
    }

    Result<std::vector<Org>> ListChildren(OrgId id) override {
        return Guard([&]() -> Result<std::vector<Org>> {
            soci::session s(pool_);
            RETURN_IF_ERROR(Reads(s).GetOrg(id));
            return Reads(s).Orgs(" WHERE parent_id = ", id);
        });
    }

    Result<std::optional<Org>> FindOrgByDivisionCode(const std::string& code) override {
        return Guard([&]() -> Result<std::optional<Org>> {
            soci::session s(pool_);
            return Reads(s).FindOrgWhere("division_code", code);
        });
    }

    Result<std::vector<Org>> SearchOrgs(const std::string& text, const std::vector<std::string>& subtree_paths,
                                        int limit) override {
        return Guard([&]() -> Result<std::vector<Org>> {
            soci::session s(pool_);
            Query q(s);
            // A substring function rather than LIKE, so '%' and '_' in the text are plain characters.
            q.sql = std::string("SELECT ") + kOrgColumns + " FROM org o WHERE (" + dialect_.find_substring +
                    "(o.name, " + q.Bind(text) +
                    ") > 0 OR substr(o.division_code, 1, " + q.Bind(static_cast<std::int64_t>(text.size())) +
                    ") = " + q.Bind(text) + ")" + SubtreeClause(q, "o.path", subtree_paths) +
                    " ORDER BY length(o.path), o.id LIMIT " + q.Bind(static_cast<std::int64_t>(limit));
            std::vector<Org> out;
            for (const soci::row& r : q.Rows()) out.push_back(OrgFromRow(r));
            return out;
        });
    }

    Result<std::vector<Org>> ListOrgs() override {
        return Guard([&]() -> Result<std::vector<Org>> {
            soci::session s(pool_);
            return Reads(s).Orgs("", std::nullopt);
        });
    }

    Result<std::vector<OrgLevel>> ListLevels() override {
        return Guard([&]() -> Result<std::vector<OrgLevel>> {
            soci::session s(pool_);
            Query q(s);
            q.sql = "SELECT key, name_zh, name_en, rank FROM org_level ORDER BY rank";
            std::vector<OrgLevel> out;
            for (const soci::row& r : q.Rows()) {
                out.push_back(OrgLevel{Str(r, 0), Str(r, 1), Str(r, 2), static_cast<int>(Int(r, 3))});
            }
            return out;
        });
    }

    Result<std::vector<Category>> ListCategories() override {
        return Guard([&]() -> Result<std::vector<Category>> {
            soci::session s(pool_);
            Query q(s);
            q.sql = "SELECT id, parent_id, name, depth, path FROM category ORDER BY id";
            std::vector<Category> out;
            for (const soci::row& r : q.Rows()) {
                out.push_back(Category{Int(r, 0), OptInt(r, 1), Str(r, 2), static_cast<int>(Int(r, 3)), Str(r, 4)});
            }
            return out;
        });
    }

    Result<Problem> GetProblem(ProblemId id) override {
        return Guard([&]() -> Result<Problem> {
            soci::session s(pool_);
            Query q(s);
            q.sql = std::string("SELECT ") + kProblemColumns + " FROM problem WHERE id = " + q.Bind(id);
            for (const soci::row& r : q.Rows()) return ProblemFromRow(r);
            return NotFound("problem " + std::to_string(id) + " does not exist");
        });
    }

    Result<std::vector<Problem>> ListProblems(const ProblemFilter& f) override {
        return Guard([&]() -> Result<std::vector<Problem>> {
            soci::session s(pool_);
            Query q(s);
            std::string cols;
            for (std::string_view c : SplitColumns(kProblemColumns)) cols += (cols.empty() ? "p." : ", p.") + std::string(c);
            q.sql = "SELECT " + cols + " FROM problem p JOIN org o ON o.id = p.owner_org_id";
            if (f.category_path) q.sql += " JOIN category c ON c.id = p.category_id";
            q.sql += " WHERE 1 = 1" + SubtreeClause(q, "o.path", f.subtree_paths);
            if (!f.statuses.empty()) {
                q.sql += " AND p.status IN (";
                for (std::size_t i = 0; i < f.statuses.size(); ++i) {
                    q.sql += (i ? ", " : "") + q.Bind(std::string(domain::ToString(f.statuses[i])));
                }
                q.sql += ")";
            }
            if (f.category_path) q.sql += CategoryClause(q, *f.category_path);
            if (f.source) q.sql += " AND p.source = " + q.Bind(std::string(domain::ToString(*f.source)));
            if (f.created_from) q.sql += " AND p.created_at >= " + q.Bind(*f.created_from);
            if (f.created_to) q.sql += " AND p.created_at < " + q.Bind(*f.created_to);
            if (f.before_id) q.sql += " AND p.id < " + q.Bind(*f.before_id);
            q.sql += " ORDER BY p.id DESC LIMIT " + q.Bind(static_cast<std::int64_t>(f.limit));
            std::vector<Problem> out;
            for (const soci::row& r : q.Rows()) out.push_back(ProblemFromRow(r));
            return out;
        });
    }

    Result<std::vector<domain::OpinionId>> OpinionsOfProblem(ProblemId id) override {
        return Guard([&]() -> Result<std::vector<domain::OpinionId>> {
            soci::session s(pool_);
            Query q(s);
            q.sql = "SELECT id FROM opinion WHERE problem_id = " + q.Bind(id) + " ORDER BY id";
            std::vector<domain::OpinionId> out;
            for (const soci::row& r : q.Rows()) out.push_back(Int(r, 0));
            return out;
        });
    }

    Result<Opinion> GetOpinion(domain::OpinionId id) override {
        return Guard([&]() -> Result<Opinion> {
            soci::session s(pool_);
            Query q(s);
            q.sql = std::string("SELECT ") + kOpinionColumns + " FROM opinion WHERE id = " + q.Bind(id);
            for (const soci::row& r : q.Rows()) return OpinionFromRow(r);
            return NotFound("opinion " + std::to_string(id) + " does not exist");
        });
    }

    Result<std::vector<Opinion>> ListOpinions(const OpinionFilter& f) override {
        return Guard([&]() -> Result<std::vector<Opinion>> {
            soci::session s(pool_);
            Query q(s);
            std::string cols;
            for (std::string_view c : SplitColumns(kOpinionColumns)) cols += (cols.empty() ? "op." : ", op.") + std::string(c);
            q.sql = "SELECT " + cols + " FROM opinion op JOIN org o ON o.id = op.org_id";
            if (f.category_path) q.sql += " JOIN category c ON c.id = op.category_id";
            q.sql += " WHERE 1 = 1" + SubtreeClause(q, "o.path", f.subtree_paths);
            if (!f.statuses.empty()) {
                q.sql += " AND op.status IN (";
                for (std::size_t i = 0; i < f.statuses.size(); ++i) {
                    q.sql += (i ? ", " : "") + q.Bind(std::string(domain::ToString(f.statuses[i])));
                }
                q.sql += ")";
            }
            if (f.channel) q.sql += " AND op.channel = " + q.Bind(std::string(domain::ToString(*f.channel)));
            if (f.category_path) q.sql += CategoryClause(q, *f.category_path);
            if (f.replied) q.sql += *f.replied ? " AND op.replied_at IS NOT NULL" : " AND op.replied_at IS NULL";
            if (f.received_from) q.sql += " AND op.received_at >= " + q.Bind(*f.received_from);
            if (f.received_to) q.sql += " AND op.received_at < " + q.Bind(*f.received_to);
            if (f.before_id) q.sql += " AND op.id < " + q.Bind(*f.before_id);
            q.sql += " ORDER BY op.id DESC LIMIT " + q.Bind(static_cast<std::int64_t>(f.limit));
            std::vector<Opinion> out;
            for (const soci::row& r : q.Rows()) out.push_back(OpinionFromRow(r));
            return out;
        });
    }

    Result<SubtreeFigures> Figures(const std::string& subtree_path, int category_depth) override {
        return Guard([&]() -> Result<SubtreeFigures> {
            soci::session s(pool_);
            SubtreeFigures fig;
            {
                Query q(s);
                q.sql = "SELECT p.status, COUNT(*) FROM problem p JOIN org o ON o.id = p.owner_org_id WHERE 1 = 1" +
                        SubtreeClause(q, "o.path", {subtree_path}) + " GROUP BY p.status";
                for (const soci::row& r : q.Rows()) {
                    fig.by_status[Str(r, 0)] = Int(r, 1);
                    fig.problems += Int(r, 1);
                }
            }
            {
                // Roll each category up to its ancestor at category_depth, through the parent links.
                std::unordered_map<CategoryId, std::pair<std::optional<CategoryId>, int>> parent_depth;
                Query c(s);
                c.sql = "SELECT id, parent_id, depth FROM category";
                for (const soci::row& r : c.Rows()) {
                    parent_depth[Int(r, 0)] = {OptInt(r, 1), static_cast<int>(Int(r, 2))};
                }
                Query q(s);
                q.sql = "SELECT p.category_id, COUNT(*) FROM problem p JOIN org o ON o.id = p.owner_org_id WHERE 1 = 1" +
                        SubtreeClause(q, "o.path", {subtree_path}) + " GROUP BY p.category_id";
                for (const soci::row& r : q.Rows()) {
                    std::optional<CategoryId> id = OptInt(r, 0);
                    while (id) {
                        auto it = parent_depth.find(*id);
                        if (it == parent_depth.end() || it->second.second <= category_depth) break;
                        id = it->second.first;
                    }
                    fig.by_category[id] += Int(r, 1);
                }
            }
            {
                Query q(s);
                q.sql = "SELECT p.created_at, p.closed_at, p.due_at FROM problem p JOIN org o ON o.id = p.owner_org_id "
                        "WHERE p.status = 'closed'" +
                        SubtreeClause(q, "o.path", {subtree_path});
                for (const soci::row& r : q.Rows()) {
                    std::int64_t created = Int(r, 0);
                    auto closed = OptInt(r, 1);
                    auto due = OptInt(r, 2);
                    if (closed) fig.close_seconds.push_back(*closed - created);
                    if (closed && due) {
                        ++fig.closed_with_due;
                        if (*closed <= *due) ++fig.closed_on_time;
                    }
                }
            }
            {
                Query q(s);
                q.sql = "SELECT COUNT(*), COUNT(op.replied_at) FROM opinion op JOIN org o ON o.id = op.org_id "
                        "WHERE 1 = 1" +
                        SubtreeClause(q, "o.path", {subtree_path});
                for (const soci::row& r : q.Rows()) {
                    fig.opinions = Int(r, 0);
                    fig.opinions_replied = Int(r, 1);
                }
            }
            return fig;
        });
    }

    Result<std::vector<Event>> ListEvents(const std::string& entity, std::int64_t entity_id) override {
        return Guard([&]() -> Result<std::vector<Event>> {
            soci::session s(pool_);
            Query q(s);
            q.sql = "SELECT id, at, actor, entity, entity_id, action, before_json, after_json FROM event WHERE "
                    "entity = " +
                    q.Bind(entity) + " AND entity_id = " + q.Bind(entity_id) + " ORDER BY id";
            std::vector<Event> out;
            for (const soci::row& r : q.Rows()) {
                out.push_back(Event{Int(r, 0), Int(r, 1), Str(r, 2), Str(r, 3), Int(r, 4), Str(r, 5), OptStr(r, 6),
                                    OptStr(r, 7)});
            }
            return out;
        });
    }

    Result<std::int64_t> CountEvents() override {
        return Guard([&]() -> Result<std::int64_t> {
            soci::session s(pool_);
            Query q(s);
            q.sql = "SELECT COUNT(*) FROM event";
            return q.OneInt().value_or(0);
        });
    }

    Result<std::vector<ImportBatch>> ListImportBatches() override {
        return Guard([&]() -> Result<std::vector<ImportBatch>> {
            soci::session s(pool_);
            Query q(s);
            q.sql = "SELECT id, kind, file_name, file_sha256, actor, started_at, rows_read, rows_stored, rows_existing, "
                    "rows_rejected FROM import_batch ORDER BY id";
            std::vector<ImportBatch> out;
            for (const soci::row& r : q.Rows()) {
                out.push_back(ImportBatch{Int(r, 0), Str(r, 1), Str(r, 2), Str(r, 3), Str(r, 4), Int(r, 5), Int(r, 6),
                                          Int(r, 7), Int(r, 8), Int(r, 9)});
            }
            return out;
        });
    }

private:
    static std::vector<std::string_view> SplitColumns(std::string_view cols) {
        std::vector<std::string_view> out;
        while (!cols.empty()) {
            auto comma = cols.find(',');
            std::string_view c = cols.substr(0, comma);
            while (!c.empty() && c.front() == ' ') c.remove_prefix(1);
            out.push_back(c);
            if (comma == std::string_view::npos) break;
            cols.remove_prefix(comma + 1);
        }
        return out;
    }

    // The category with `path` and everything below it ("a/b" matches "a/b" and "a/b/...").
    static std::string CategoryClause(Query& q, const std::string& path) {
        return " AND (c.path = " + q.Bind(path) + " OR (c.path >= " + q.Bind(path + "/") + " AND c.path < " +
               q.Bind(path + "0") + "))";
    }

    static Result<int> StoredVersion(soci::session& s) {
        Query q(s);
        q.sql = "SELECT MAX(version) FROM schema_migration";
        return static_cast<int>(q.OneInt().value_or(0));
    }

    // Runs a script of ';'-separated statements. "--" comments are removed first; the schema files hold
    // no ';' or "--" inside string literals.
    static void ExecScript(soci::session& s, const std::string& script) {
        std::string clean;
        for (std::size_t line_start = 0; line_start < script.size();) {
            std::size_t nl = script.find('\n', line_start);
            if (nl == std::string::npos) nl = script.size();
            std::string line = script.substr(line_start, nl - line_start);
            if (auto dash = line.find("--"); dash != std::string::npos) line.resize(dash);
            clean += line + "\n";
            line_start = nl + 1;
        }
        for (std::size_t start = 0; start < clean.size();) {
            std::size_t end = clean.find(';', start);
            if (end == std::string::npos) end = clean.size();
            std::string statement = clean.substr(start, end - start);
            if (statement.find_first_not_of(" \t\r\n") != std::string::npos) s << statement;
            start = end + 1;
        }
    }

    const detail::Dialect& dialect_;
    soci::connection_pool pool_;
    soci::session writer_;
    std::mutex write_mutex_;
};

}  // namespace

int Store::KnownSchemaVersion() { return static_cast<int>(detail::MigrationSources().size()); }

Result<std::unique_ptr<Store>> Store::OpenSqlite(const std::string& path, OpenMode mode, int pool_size) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        if (mode == OpenMode::kMustExist) {
            return NotFound("database " + path + " does not exist; create it with `rectify init`");
        }
        fs::path parent = fs::path(path).parent_path();
        if (!parent.empty()) fs::create_directories(parent, ec);
        if (ec) return Unavailable("cannot create directory " + parent.string() + ": " + ec.message());
    }
    if (pool_size < 1) pool_size = 1;
    auto store = std::make_unique<SociStore>(detail::SqliteDialect(), pool_size);
    RETURN_IF_ERROR(store->Open("db=" + path, pool_size));
    RETURN_IF_ERROR(store->Migrate());
    return std::unique_ptr<Store>(std::move(store));
}

}  // namespace rectify::store
