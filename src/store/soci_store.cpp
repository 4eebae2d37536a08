// The SOCI implementation of Store, for SQLite and PostgreSQL: the same SQL serves both, and what differs
// lives in dialect.cpp (placeholders, write transaction, triggers, id generators) and in the few Backend
// checks here (opening sessions, reviving broken PostgreSQL connections, the schema probe).
#include <libpq-fe.h>
#include <poll.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <deque>
#include <span>
#include <filesystem>
#include <mutex>
#include <thread>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

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
    // PostgreSQL unreachable or restarting (libpq and server messages).
    for (const char* lost : {"server closed the connection", "no connection to the server", "terminating connection",
                             "could not connect", "Connection refused", "connection to server", "the database system is",
                             "connection is bad", "lost connection"}) {
        if (what.find(lost) != std::string::npos) {
            return Unavailable("the database is unreachable; retry when it is back (" + what + ")");
        }
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

template <typename E>
std::optional<E> OptEnumOf(const soci::row& r, std::size_t i) {
    if (IsNull(r, i)) return std::nullopt;
    return EnumOf<E>(r, i);
}

// The name of an optional enum value, for BindOpt.
template <typename E>
std::optional<std::string> OptName(const std::optional<E>& v) {
    if (!v) return std::nullopt;
    return std::string(domain::ToString(*v));
}

// ---- sessions: opening, and reviving a PostgreSQL connection that broke (server restart) ----

void OpenSession(soci::session& s, const detail::Dialect& d, const std::string& connect) {
    if (d.backend == detail::Backend::kSqlite) {
        s.open(soci::sqlite3, connect);
    } else {
        s.open(soci::postgresql, connect);
    }
    for (const auto& statement : d.on_connect) s << statement;
}

// On PostgreSQL: finds out without a round trip whether the server closed the connection (a restart
// sends an error and closes the socket: it is readable and libpq then marks the connection bad) and
// then re-opens it with the same parameters (PQreset). Throws soci_error ("connection to server ...")
// when the server is still unreachable, which FromSociError maps to kUnavailable. No-op on SQLite.
void Revive(soci::session& s, const detail::Dialect& d) {
    if (d.backend != detail::Backend::kPostgres) return;
    auto* backend = static_cast<soci::postgresql_session_backend*>(s.get_backend());
    if (backend == nullptr) throw soci::soci_error("connection to server: the session is not open");
    PGconn* conn = backend->conn_;
    // An idle connection has nothing to read unless the server spoke first: a notice, or the error it sends
    // before closing. libpq reads that message first and sees the end of the stream only on the next read,
    // so read while something is there (a few times at most).
    for (int reads = 0; reads < 4 && PQstatus(conn) == CONNECTION_OK && PQtransactionStatus(conn) == PQTRANS_IDLE;
         ++reads) {
        pollfd p{PQsocket(conn), POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) break;
        if (PQconsumeInput(conn) == 0) break;
    }
    if (PQstatus(conn) == CONNECTION_OK) return;
    PQreset(conn);
    if (PQstatus(conn) != CONNECTION_OK) {
        throw soci::soci_error(std::string("connection to server lost and not re-established: ") +
                               PQerrorMessage(conn));
    }
    for (const auto& statement : d.on_connect) s << statement;
}

// A session borrowed from the pool for one read, revived first if its connection broke.
struct Lease {
    Lease(soci::connection_pool& pool, const detail::Dialect& d) : session(pool) { Revive(session, d); }
    soci::session session;
};

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

// ---- the SQLite bulk path: one prepared statement re-executed per row ----

// One row's parameters, collected in call order by the same VALUES builders as Query (ProblemValues,
// EventValues, ...) for a statement that is prepared once and then re-executed for every row. Bind returns a
// numbered placeholder "?N" (so the order in which Bind calls run does not matter, as for Query), and BindOpt
// binds NULL instead of writing the literal NULL, so every row of a table yields the same SQL text.
class RowBinder {
public:
    enum class Kind { kNull, kInt, kText };
    struct Value {
        Kind kind = Kind::kNull;
        std::int64_t i = 0;
        std::string s;
    };

    std::string Bind(std::int64_t v) {
        Value& slot = Next();
        slot.kind = Kind::kInt;
        slot.i = v;
        return Placeholder();
    }
    std::string Bind(const std::string& v) {
        Value& slot = Next();
        slot.kind = Kind::kText;
        slot.s = v;
        return Placeholder();
    }
    template <typename T>
    std::string BindOpt(const std::optional<T>& v) {
        if (v) {
            if constexpr (std::is_same_v<T, std::string>) {
                return Bind(*v);
            } else {
                return Bind(static_cast<std::int64_t>(*v));
            }
        }
        Next().kind = Kind::kNull;
        return Placeholder();
    }

    // Starts the next row: the slots are reused (their strings keep their capacity).
    void Reset() { n_ = 0; }
    std::span<const Value> values() const { return {values_.data(), n_}; }

private:
    Value& Next() {
        if (n_ == values_.size()) values_.emplace_back();
        return values_[n_++];
    }
    std::string Placeholder() const { return "?" + std::to_string(n_); }

    std::vector<Value> values_;
    std::size_t n_ = 0;
};

// A statement of the SQLite connection under `s`, prepared once and re-executed (sqlite3_reset) with new
// parameters: what the bulk paths use on SQLite instead of a SOCI statement per chunk of rows, whose by-name
// binding costs the square of its parameter count (Dialect::bulk_rows). Errors of SQLite are thrown as
// soci::soci_error with SQLite's message ("UNIQUE constraint failed: ..."), which Guard maps to a Status as
// for every other statement. Only for sessions opened with the sqlite3 backend.
class SqliteStatement {
public:
    SqliteStatement(soci::session& s, const std::string& sql)
        : db_(static_cast<soci::sqlite3_session_backend*>(s.get_backend())->conn_) {
        if (sqlite_api::sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &st_, nullptr) !=
            SQLITE_OK) {
            throw soci::soci_error(std::string("sqlite3 prepare: ") + sqlite_api::sqlite3_errmsg(db_));
        }
    }
    ~SqliteStatement() { sqlite_api::sqlite3_finalize(st_); }
    SqliteStatement(const SqliteStatement&) = delete;
    SqliteStatement& operator=(const SqliteStatement&) = delete;

    // Binds the row's values to ?1..?N (the strings are not copied: `row` must outlive the next Step).
    void Bind(const RowBinder& row) {
        sqlite_api::sqlite3_reset(st_);
        int k = 0;
        for (const RowBinder::Value& v : row.values()) {
            ++k;
            int rc = SQLITE_OK;
            switch (v.kind) {
                case RowBinder::Kind::kNull: rc = sqlite_api::sqlite3_bind_null(st_, k); break;
                case RowBinder::Kind::kInt: rc = sqlite_api::sqlite3_bind_int64(st_, k, v.i); break;
                case RowBinder::Kind::kText:
                    rc = sqlite_api::sqlite3_bind_text(st_, k, v.s.data(), static_cast<int>(v.s.size()),
                                                       sqlite_api::sqlite3_destructor_type(nullptr));  // SQLITE_STATIC
                    break;
            }
            if (rc != SQLITE_OK) throw soci::soci_error(std::string("sqlite3 bind: ") + sqlite_api::sqlite3_errmsg(db_));
        }
    }
    // Runs one step: true when a row is available, false when done. Throws on an error.
    bool Step() {
        const int rc = sqlite_api::sqlite3_step(st_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw soci::soci_error(std::string("sqlite3: ") + sqlite_api::sqlite3_errmsg(db_));
    }
    void Run() {
        while (Step()) {
        }
    }
    std::string Text(int column) const {
        const auto* t = sqlite_api::sqlite3_column_text(st_, column);
        return t ? std::string(reinterpret_cast<const char*>(t),
                               static_cast<std::size_t>(sqlite_api::sqlite3_column_bytes(st_, column)))
                 : std::string();
    }

private:
    sqlite_api::sqlite3* db_;
    sqlite_api::sqlite3_stmt* st_ = nullptr;
};

// The range [lo, hi) of paths inside the subtree with root path `path` ("/1/5/" -> ["/1/5/", "/1/50")):
// '/' + 1 == '0', so every descendant path sorts inside. Lets a plain b-tree index answer prefix queries.
// The province key (migration 014, docs/SCALING.md "Partitioning") of a row whose org is `org_sql` (a bound
// parameter or a column): a scalar subquery reading org.province_id, so one statement stores the row and
// its key. NULL when the org does not exist (the row's own org foreign key then refuses it).
std::string ProvinceOf(const std::string& org_sql) {
    return "(SELECT province_id FROM org WHERE id = " + org_sql + ")";
}

// The province key of an org placed under `parent_sql` whose own id is `id_sql`: its own id when it has no
// parent or its parent is a root (it is then a top-level org), else its parent's key.
std::string ProvinceUnder(const std::string& parent_sql, const std::string& id_sql) {
    return "COALESCE((SELECT CASE WHEN pp.parent_id IS NULL THEN NULL ELSE pp.province_id END FROM org pp WHERE "
           "pp.id = " + parent_sql + "), " + id_sql + ")";
}

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
    "source_ref, updated_at, version, round, status_reason, reopen_cause, reopened_at, merged_into_id, campaign_id";

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
    p.round = static_cast<int>(Int(r, 14));
    p.status_reason = OptStr(r, 15);
    p.reopen_cause = OptEnumOf<domain::ReopenCause>(r, 16);
    p.reopened_at = OptInt(r, 17);
    p.merged_into_id = OptInt(r, 18);
    p.campaign_id = OptInt(r, 19);
    return p;
}

const char* kOpinionColumns =
    "id, channel, kind, status, received_at, title, text, division_code, org_id, submitter, category_id, reply_text, "
    "replied_at, reply_org_id, problem_id, transfer_count, source_ref, version, status_reason, "
    "duplicate_of_opinion_id, duplicate_of_problem_id, satisfaction, rated_at, rating_comment, sla_class, reply_due_at, "
    "responded_at, likes";

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
    o.status_reason = OptStr(r, 18);
    o.duplicate_of_opinion_id = OptInt(r, 19);
    o.duplicate_of_problem_id = OptInt(r, 20);
    o.satisfaction = OptEnumOf<domain::Satisfaction>(r, 21);
    o.rated_at = OptInt(r, 22);
    o.rating_comment = OptStr(r, 23);
    o.sla_class = EnumOf<domain::SlaClass>(r, 24);
    o.reply_due_at = OptInt(r, 25).value_or(o.received_at);
    o.responded_at = OptInt(r, 26);
    o.likes = Int(r, 27);
    return o;
}

const char* kUserColumns =
    "id, name, display_name, org_id, disabled, must_change_password, created_at, password_changed_at, version, "
    "cadre_rank";

domain::User UserFromRow(const soci::row& r) {
    domain::User u;
    u.id = Int(r, 0);
    u.name = Str(r, 1);
    u.display_name = Str(r, 2);
    u.org_id = Int(r, 3);
    u.disabled = Int(r, 4) != 0;
    u.must_change_password = Int(r, 5) != 0;
    u.created_at = Int(r, 6);
    u.password_changed_at = Int(r, 7);
    u.version = Int(r, 8);
    u.cadre_rank = OptStr(r, 9);  // issue 12
    return u;
}

const char* kTokenColumns = "id, user_id, name, prefix, created_at, expires_at, revoked_at, last_used_at";

domain::ApiToken TokenFromRow(const soci::row& r) {
    domain::ApiToken t;
    t.id = Int(r, 0);
    t.user_id = Int(r, 1);
    t.name = Str(r, 2);
    t.prefix = Str(r, 3);
    t.created_at = Int(r, 4);
    t.expires_at = Int(r, 5);
    t.revoked_at = OptInt(r, 6);
    t.last_used_at = OptInt(r, 7);
    return t;
}

// The position of 003_accounts.sql among the migrations: the one that chains the events stored before it
// and makes the log append-only.
constexpr int kAccountsSchemaVersion = 3;

const char* kEventColumns =
    "id, at, actor, entity, entity_id, action, before_json, after_json, from_state, to_state, reason, org_id, "
    "prev_hash, hash";

Event EventFromRow(const soci::row& r) {
    Event e;
    e.id = Int(r, 0);
    e.at = Int(r, 1);
    e.actor = Str(r, 2);
    e.entity = Str(r, 3);
    e.entity_id = Int(r, 4);
    e.action = Str(r, 5);
    e.before_json = OptStr(r, 6);
    e.after_json = OptStr(r, 7);
    e.from_state = OptStr(r, 8);
    e.to_state = OptStr(r, 9);
    e.reason = OptStr(r, 10);
    e.org_id = OptInt(r, 11);
    e.prev_hash = Str(r, 12);
    e.hash = Str(r, 13);
    return e;
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

    // ---- accounts (issue 4) ----

    std::vector<domain::UserGrant> Grants(domain::UserId user_id) {
        Query q(s_);
        q.sql = "SELECT id, role, org_id FROM user_grant WHERE user_id = " + q.Bind(user_id) + " ORDER BY id";
        std::vector<domain::UserGrant> out;
        for (const soci::row& r : q.Rows()) {
            out.push_back(domain::UserGrant{Int(r, 0), EnumOf<domain::Role>(r, 1), Int(r, 2)});
        }
        return out;
    }

    std::vector<domain::Grant> TokenGrants(domain::TokenId token_id) {
        Query q(s_);
        q.sql = "SELECT role, org_id FROM api_token_grant WHERE token_id = " + q.Bind(token_id) +
                " ORDER BY role, org_id";
        std::vector<domain::Grant> out;
        for (const soci::row& r : q.Rows()) out.push_back(domain::Grant{EnumOf<domain::Role>(r, 0), Int(r, 1)});
        return out;
    }

    // The user matching `column = value` with its grants and password hash, or nullopt.
    template <typename V>
    std::optional<UserCredentials> UserWhere(const std::string& column, const V& value) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kUserColumns + ", password_hash FROM app_user WHERE " + column + " = " +
                q.Bind(value);
        std::optional<UserCredentials> out;
        for (const soci::row& r : q.Rows()) {
            out = UserCredentials{UserFromRow(r), Str(r, 10)};
            break;
        }
        if (out) out->user.grants = Grants(out->user.id);
        return out;
    }

    Result<domain::User> GetUser(domain::UserId id) {
        auto found = UserWhere("id", id);
        if (!found) return NotFound("user " + std::to_string(id) + " does not exist");
        return std::move(found->user);
    }

    std::int64_t CountUsers() {
        Query q(s_);
        q.sql = "SELECT COUNT(*) FROM app_user";
        return q.OneInt().value_or(0);
    }

    std::optional<domain::ApiToken> TokenWhere(const std::string& column, const std::string& value_sql, Query& q) {
        q.sql = std::string("SELECT ") + kTokenColumns + " FROM api_token WHERE " + column + " = " + value_sql;
        std::optional<domain::ApiToken> out;
        for (const soci::row& r : q.Rows()) {
            out = TokenFromRow(r);
            break;
        }
        if (out) out->grants = TokenGrants(out->id);
        return out;
    }

    // The org an event belongs to (Event::org_id), derived from the record it is about.
    std::optional<domain::OrgId> EventOrg(const Event& e) {
        auto lookup = [&](const char* sql) -> std::optional<domain::OrgId> {
            Query q(s_);
            q.sql = std::string(sql) + q.Bind(e.entity_id);
            return q.OneInt();
        };
        if (e.entity == "org") return e.entity_id;
        if (e.entity == "problem") return lookup("SELECT owner_org_id FROM problem WHERE id = ");
        if (e.entity == "opinion") return lookup("SELECT org_id FROM opinion WHERE id = ");
        if (e.entity == "user") return lookup("SELECT org_id FROM app_user WHERE id = ");
        if (e.entity == "api_token") {
            return lookup("SELECT u.org_id FROM api_token t JOIN app_user u ON u.id = t.user_id WHERE t.id = ");
        }
        for (const auto* text : {&e.after_json, &e.before_json}) {
            if (!*text) continue;
            auto j = nlohmann::json::parse(**text, nullptr, false);
            if (!j.is_object()) continue;
            for (const char* key : {"org_id", "owner_org_id"}) {
                auto it = j.find(key);
                if (it != j.end() && it->is_number_integer()) return it->get<std::int64_t>();
            }
        }
        return std::nullopt;
    }

private:
    soci::session& s_;
};

// ---- workflow (issue 3): rows and statements of tasks, reports, evidence, mechanisms, meetings,
// idempotency keys. Used by both the write transaction and the pooled reads. ----

const char* kTaskColumns =
    "id, problem_id, org_id, created_by_org_id, round, title, description, responsible_person, lead_official, type, "
    "due_at, review_dates, weight_bp, status, progress, withdrawal_reason, return_reason, returned_at, "
    "returned_after_report_id, submitted_at, accepted_at, created_at, updated_at, version, parent_task_id, cascade_id";

// Review dates as stored: comma-separated seconds ("" = none).
std::string JoinInstants(const std::vector<UnixSeconds>& v) {
    std::string out;
    for (UnixSeconds t : v) out += (out.empty() ? "" : ",") + std::to_string(t);
    return out;
}

std::vector<UnixSeconds> SplitInstants(const std::string& text) {
    std::vector<UnixSeconds> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        out.push_back(std::stoll(text.substr(start, comma - start)));
        start = comma + 1;
    }
    return out;
}

domain::Task TaskFromRow(const soci::row& r) {
    domain::Task t;
    t.id = Int(r, 0);
    t.problem_id = Int(r, 1);
    t.org_id = Int(r, 2);
    t.created_by_org_id = Int(r, 3);
    t.round = static_cast<int>(Int(r, 4));
    t.title = Str(r, 5);
    t.description = Str(r, 6);
    t.responsible_person = Str(r, 7);
    t.lead_official = OptStr(r, 8);
    t.type = EnumOf<domain::TaskType>(r, 9);
    t.due_at = OptInt(r, 10);
    t.review_dates = SplitInstants(Str(r, 11));
    if (auto w = OptInt(r, 12)) t.weight_bp = static_cast<int>(*w);
    t.status = EnumOf<domain::TaskStatus>(r, 13);
    t.progress = static_cast<int>(Int(r, 14));
    t.withdrawal_reason = OptStr(r, 15);
    t.return_reason = OptStr(r, 16);
    t.returned_at = OptInt(r, 17);
    t.returned_after_report_id = Int(r, 18);
    t.submitted_at = OptInt(r, 19);
    t.accepted_at = OptInt(r, 20);
    t.created_at = Int(r, 21);
    t.updated_at = Int(r, 22);
    t.version = Int(r, 23);
    t.parent_task_id = OptInt(r, 24);
    t.cascade_id = OptInt(r, 25);
    return t;
}

const char* kEvidenceColumns =
    "id, task_id, report_id, sha256, size_bytes, content_type, original_name, uploaded_by, uploaded_at";

domain::Evidence EvidenceFromRow(const soci::row& r) {
    return domain::Evidence{Int(r, 0), Int(r, 1), OptInt(r, 2), Str(r, 3), Int(r, 4),
                            Str(r, 5), Str(r, 6), Str(r, 7), Int(r, 8)};
}

const char* kMechanismColumns = "id, org_id, title, text, adopted_at, created_at, updated_at, version";

domain::Mechanism MechanismFromRow(const soci::row& r) {
    domain::Mechanism m;
    m.id = Int(r, 0);
    m.org_id = Int(r, 1);
    m.title = Str(r, 2);
    m.text = Str(r, 3);
    m.adopted_at = Int(r, 4);
    m.created_at = Int(r, 5);
    m.updated_at = Int(r, 6);
    m.version = Int(r, 7);
    return m;
}

const char* kMeetingColumns = "id, org_id, kind, title, held_at, attendees, notes, created_at, version";

domain::Meeting MeetingFromRow(const soci::row& r) {
    domain::Meeting m;
    m.id = Int(r, 0);
    m.org_id = Int(r, 1);
    m.kind = EnumOf<domain::MeetingKind>(r, 2);
    m.title = Str(r, 3);
    m.held_at = Int(r, 4);
    m.attendees = static_cast<int>(Int(r, 5));
    m.notes = Str(r, 6);
    m.created_at = Int(r, 7);
    m.version = Int(r, 8);
    return m;
}

domain::MeetingFinding FindingFromRow(const soci::row& r) {
    return domain::MeetingFinding{Int(r, 0), Int(r, 1), Str(r, 2), OptInt(r, 3), Int(r, 4)};
}

// Joins the org of `alias`.org_id as "o", for SubtreeClause(q, "o.path", ...).
std::string OrgSubtreeJoin(const std::string& alias) { return " JOIN org o ON o.id = " + alias + ".org_id"; }

// The kAborted of a stale version, naming the current one (or kNotFound when the row is gone).
Status StaleOrMissing(soci::session& s, const std::string& table, const std::string& what, std::int64_t id,
                      std::int64_t sent) {
    Query v(s);
    v.sql = "SELECT version FROM " + table + " WHERE id = " + v.Bind(id);
    auto current = v.OneInt();
    if (!current) return NotFound(what + " " + std::to_string(id) + " does not exist");
    return Aborted(what + " " + std::to_string(id) + " was changed by someone else: you sent version " +
                   std::to_string(sent) + ", the current version is " + std::to_string(*current) +
                   "; reload and apply your change again");
}

// The filters problem lists and the SQL figures share, over `p` (problem) joined to `o` (its owner org):
// created in [from, to), tagged with the campaign / the special item, owner of the batch / kind.
std::string ProblemCutClauses(Query& q, std::optional<UnixSeconds> created_from, std::optional<UnixSeconds> created_to,
                              std::optional<domain::CampaignId> campaign_id,
                              std::optional<domain::SpecialItemId> special_item_id, std::optional<int> batch,
                              std::optional<domain::OrgKind> org_kind) {
    std::string sql;
    if (created_from) sql += " AND p.created_at >= " + q.Bind(*created_from);
    if (created_to) sql += " AND p.created_at < " + q.Bind(*created_to);
    if (campaign_id) sql += " AND p.campaign_id = " + q.Bind(*campaign_id);
    if (batch) sql += " AND o.batch = " + q.Bind(static_cast<std::int64_t>(*batch));
    if (org_kind) sql += " AND o.kind = " + q.Bind(std::string(domain::ToString(*org_kind)));
    if (special_item_id) {
        sql += " AND EXISTS (SELECT 1 FROM problem_special_item psi WHERE psi.problem_id = p.id AND "
               "psi.special_item_id = " + q.Bind(*special_item_id) + ")";
    }
    return sql;
}

// ---- campaigns (issue 5): the special items a problem is tagged with (problem_special_item) ----

// Fills special_item_ids (ascending) of each problem; one query per 500 problems.
void LoadProblemItems(soci::session& s, std::vector<Problem>& problems) {
    std::map<ProblemId, std::size_t> at;
    for (std::size_t i = 0; i < problems.size(); ++i) {
        if (problems[i].campaign_id) at[problems[i].id] = i;  // items exist only with a campaign
    }
    std::vector<ProblemId> ids;
    for (const auto& [id, i] : at) ids.push_back(id);
    for (std::size_t i = 0; i < ids.size(); i += 500) {
        Query q(s);
        q.sql = "SELECT problem_id, special_item_id FROM problem_special_item WHERE problem_id IN (";
        for (std::size_t k = i; k < std::min(ids.size(), i + 500); ++k) q.sql += (k == i ? "" : ", ") + q.Bind(ids[k]);
        q.sql += ") ORDER BY problem_id, special_item_id";
        for (const soci::row& r : q.Rows()) problems[at[Int(r, 0)]].special_item_ids.push_back(Int(r, 1));
    }
}

// Replaces the item links of a problem with `ids` (written only when they changed).
void WriteProblemItems(soci::session& s, ProblemId problem, std::vector<domain::SpecialItemId> ids, bool replace) {
    std::sort(ids.begin(), ids.end());
    if (replace) {
        Query cur(s);
        cur.sql = "SELECT special_item_id FROM problem_special_item WHERE problem_id = " + cur.Bind(problem) +
                  " ORDER BY special_item_id";
        std::vector<domain::SpecialItemId> stored;
        for (const soci::row& r : cur.Rows()) stored.push_back(Int(r, 0));
        if (stored == ids) return;
        Query del(s);
        del.sql = "DELETE FROM problem_special_item WHERE problem_id = " + del.Bind(problem);
        del.Exec();
    }
    for (domain::SpecialItemId id : ids) {
        Query q(s);
        q.sql = "INSERT INTO problem_special_item (problem_id, special_item_id) VALUES (" + q.Bind(problem) + ", " +
                q.Bind(id) + ")";
        q.Exec();
    }
}

class WorkflowSql {
public:
    explicit WorkflowSql(soci::session& s) : s_(s) {}

    // -- reads --

    Result<Problem> GetProblem(ProblemId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kProblemColumns + " FROM problem WHERE id = " + q.Bind(id);
        std::vector<Problem> found;
        for (const soci::row& r : q.Rows()) found.push_back(ProblemFromRow(r));
        if (found.empty()) return NotFound("problem " + std::to_string(id) + " does not exist");
        LoadProblemItems(s_, found);
        return found.front();
    }

    Result<Opinion> GetOpinion(domain::OpinionId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kOpinionColumns + " FROM opinion WHERE id = " + q.Bind(id);
        for (const soci::row& r : q.Rows()) return OpinionFromRow(r);
        return NotFound("opinion " + std::to_string(id) + " does not exist");
    }

    Result<std::vector<Opinion>> OpinionsOfProblem(ProblemId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kOpinionColumns + " FROM opinion WHERE problem_id = " + q.Bind(id) +
                " ORDER BY id";
        std::vector<Opinion> out;
        for (const soci::row& r : q.Rows()) out.push_back(OpinionFromRow(r));
        return out;
    }

    Result<domain::Task> GetTask(domain::TaskId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kTaskColumns + " FROM task WHERE id = " + q.Bind(id);
        for (const soci::row& r : q.Rows()) return TaskFromRow(r);
        return NotFound("task " + std::to_string(id) + " does not exist");
    }

    Result<std::vector<domain::Task>> TasksOfProblem(ProblemId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kTaskColumns + " FROM task WHERE problem_id = " + q.Bind(id) + " ORDER BY id";
        std::vector<domain::Task> out;
        for (const soci::row& r : q.Rows()) out.push_back(TaskFromRow(r));
        return out;
    }

    Result<std::vector<domain::Task>> TasksOfProblems(const std::vector<ProblemId>& ids) {
        std::vector<domain::Task> out;
        constexpr std::size_t kChunk = 500;  // well under SQLite's bound-parameter limit
        for (std::size_t at = 0; at < ids.size(); at += kChunk) {
            Query q(s_);
            q.sql = std::string("SELECT ") + kTaskColumns + " FROM task WHERE problem_id IN (";
            for (std::size_t i = at; i < std::min(ids.size(), at + kChunk); ++i) q.sql += (i > at ? ", " : "") + q.Bind(ids[i]);
            q.sql += ") ORDER BY problem_id, id";
            for (const soci::row& r : q.Rows()) out.push_back(TaskFromRow(r));
        }
        std::stable_sort(out.begin(), out.end(), [](const domain::Task& a, const domain::Task& b) {
            return a.problem_id < b.problem_id;
        });
        return out;
    }

    Result<std::vector<domain::ProgressReport>> Reports(domain::TaskId task) {
        std::vector<domain::ProgressReport> out;
        {
            Query q(s_);
            q.sql = "SELECT id, task_id, reported_at, text, percent, actor FROM progress_report WHERE task_id = " +
                    q.Bind(task) + " ORDER BY id";
            for (const soci::row& r : q.Rows()) {
                out.push_back(domain::ProgressReport{Int(r, 0), Int(r, 1), Int(r, 2), Str(r, 3),
                                                     static_cast<int>(Int(r, 4)), Str(r, 5), {}});
            }
        }
        Query e(s_);
        e.sql = "SELECT report_id, id FROM evidence WHERE task_id = " + e.Bind(task) +
                " AND report_id IS NOT NULL ORDER BY id";
        for (const soci::row& r : e.Rows()) {
            for (auto& report : out) {
                if (report.id == Int(r, 0)) report.evidence_ids.push_back(Int(r, 1));
            }
        }
        return out;
    }

    Result<std::vector<domain::Evidence>> EvidenceOfTask(domain::TaskId task) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kEvidenceColumns + " FROM evidence WHERE task_id = " + q.Bind(task) +
                " ORDER BY id";
        std::vector<domain::Evidence> out;
        for (const soci::row& r : q.Rows()) out.push_back(EvidenceFromRow(r));
        return out;
    }

    Result<domain::Evidence> GetEvidence(domain::EvidenceId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kEvidenceColumns + " FROM evidence WHERE id = " + q.Bind(id);
        for (const soci::row& r : q.Rows()) return EvidenceFromRow(r);
        return NotFound("evidence " + std::to_string(id) + " does not exist");
    }

    Result<std::int64_t> Count(const std::string& sql_prefix, domain::TaskId task, std::optional<std::int64_t> after) {
        Query q(s_);
        q.sql = sql_prefix + q.Bind(task);
        if (after) q.sql += " AND id > " + q.Bind(*after);
        return q.OneInt().value_or(0);
    }

    Result<domain::Mechanism> GetMechanism(domain::MechanismId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kMechanismColumns + " FROM mechanism WHERE id = " + q.Bind(id);
        std::optional<domain::Mechanism> m;
        for (const soci::row& r : q.Rows()) m = MechanismFromRow(r);
        if (!m) return NotFound("mechanism " + std::to_string(id) + " does not exist");
        Query p(s_);
        p.sql = "SELECT problem_id FROM mechanism_problem WHERE mechanism_id = " + p.Bind(id) + " ORDER BY problem_id";
        for (const soci::row& r : p.Rows()) m->problem_ids.push_back(Int(r, 0));
        return *m;
    }

    Result<std::vector<domain::Mechanism>> ListMechanisms(const MechanismFilter& f) {
        Query q(s_);
        q.sql = "SELECT m.id FROM mechanism m" + OrgSubtreeJoin("m");
        if (f.problem_id) q.sql += " JOIN mechanism_problem mp ON mp.mechanism_id = m.id";
        q.sql += " WHERE 1 = 1" + SubtreeClause(q, "o.path", f.subtree_paths);
        if (f.problem_id) q.sql += " AND mp.problem_id = " + q.Bind(*f.problem_id);
        if (f.before_id) q.sql += " AND m.id < " + q.Bind(*f.before_id);
        q.sql += " ORDER BY m.id DESC LIMIT " + q.Bind(static_cast<std::int64_t>(f.limit));
        std::vector<std::int64_t> ids;
        for (const soci::row& r : q.Rows()) ids.push_back(Int(r, 0));
        std::vector<domain::Mechanism> out;
        for (auto id : ids) {
            ASSIGN_OR_RETURN(auto m, GetMechanism(id));
            out.push_back(std::move(m));
        }
        return out;
    }

    Result<domain::Meeting> GetMeeting(domain::MeetingId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kMeetingColumns + " FROM meeting WHERE id = " + q.Bind(id);
        for (const soci::row& r : q.Rows()) return MeetingFromRow(r);
        return NotFound("meeting " + std::to_string(id) + " does not exist");
    }

    Result<std::vector<domain::Meeting>> ListMeetings(const MeetingFilter& f) {
        Query q(s_);
        std::string cols;
        std::string all = kMeetingColumns;
        for (std::size_t start = 0; start < all.size();) {
            std::size_t comma = all.find(',', start);
            if (comma == std::string::npos) comma = all.size();
            std::string c = all.substr(start, comma - start);
            c.erase(0, c.find_first_not_of(' '));
            cols += (cols.empty() ? "m." : ", m.") + c;
            start = comma + 1;
        }
        q.sql = "SELECT " + cols + " FROM meeting m" + OrgSubtreeJoin("m") + " WHERE 1 = 1" +
                SubtreeClause(q, "o.path", f.subtree_paths);
        if (f.before_id) q.sql += " AND m.id < " + q.Bind(*f.before_id);
        q.sql += " ORDER BY m.id DESC LIMIT " + q.Bind(static_cast<std::int64_t>(f.limit));
        std::vector<domain::Meeting> out;
        for (const soci::row& r : q.Rows()) out.push_back(MeetingFromRow(r));
        return out;
    }

    Result<std::vector<domain::MeetingFinding>> Findings(domain::MeetingId meeting) {
        Query q(s_);
        q.sql = "SELECT id, meeting_id, text, problem_id, created_at FROM meeting_finding WHERE meeting_id = " +
                q.Bind(meeting) + " ORDER BY id";
        std::vector<domain::MeetingFinding> out;
        for (const soci::row& r : q.Rows()) out.push_back(FindingFromRow(r));
        return out;
    }

    Result<domain::MeetingFinding> GetFinding(domain::FindingId id) {
        Query q(s_);
        q.sql = "SELECT id, meeting_id, text, problem_id, created_at FROM meeting_finding WHERE id = " + q.Bind(id);
        for (const soci::row& r : q.Rows()) return FindingFromRow(r);
        return NotFound("finding " + std::to_string(id) + " does not exist");
    }

    Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(const std::string& actor, const std::string& key) {
        Query q(s_);
        q.sql = "SELECT actor, idem_key, method, path, request_sha256, status, content_type, body, headers_json, "
                "created_at FROM idempotency_key WHERE actor = " +
                q.Bind(actor) + " AND idem_key = " + q.Bind(key);
        for (const soci::row& r : q.Rows()) {
            IdempotencyRecord rec;
            rec.actor = Str(r, 0);
            rec.key = Str(r, 1);
            rec.method = Str(r, 2);
            rec.path = Str(r, 3);
            rec.request_sha256 = Str(r, 4);
            if (auto st = OptInt(r, 5)) rec.status = static_cast<int>(*st);
            rec.content_type = OptStr(r, 6);
            rec.body = OptStr(r, 7);
            rec.headers_json = OptStr(r, 8);
            rec.created_at = Int(r, 9);
            return std::optional<IdempotencyRecord>(std::move(rec));
        }
        return std::optional<IdempotencyRecord>();
    }

    // -- writes --

    Status UpdateOpinion(Opinion& o) {
        Query q(s_);
        q.sql = "UPDATE opinion SET status = " + q.Bind(std::string(domain::ToString(o.status))) +
                ", org_id = " + q.Bind(o.org_id) + ", province_id = " + ProvinceOf(q.Bind(o.org_id)) +
                ", transfer_count = " + q.Bind(static_cast<std::int64_t>(o.transfer_count)) +
                ", category_id = " + q.BindOpt(o.category_id) + ", reply_text = " + q.BindOpt(o.reply_text) +
                ", replied_at = " + q.BindOpt(o.replied_at) + ", reply_org_id = " + q.BindOpt(o.reply_org_id) +
                ", problem_id = " + q.BindOpt(o.problem_id) + ", status_reason = " + q.BindOpt(o.status_reason) +
                ", duplicate_of_opinion_id = " + q.BindOpt(o.duplicate_of_opinion_id) +
                ", duplicate_of_problem_id = " + q.BindOpt(o.duplicate_of_problem_id) +
                ", satisfaction = " + q.BindOpt(OptName(o.satisfaction)) + ", rated_at = " + q.BindOpt(o.rated_at) +
                ", rating_comment = " + q.BindOpt(o.rating_comment) +
                ", sla_class = " + q.Bind(std::string(domain::ToString(o.sla_class))) +
                ", reply_due_at = " + q.Bind(o.reply_due_at) + ", responded_at = " + q.BindOpt(o.responded_at) +
                ", version = version + 1 WHERE id = " +
                q.Bind(o.id) + " AND version = " + q.Bind(o.version);
        q.ExecCounting();
        if (q.Affected() == 0) return StaleOrMissing(s_, "opinion", "opinion", o.id, o.version);
        ++o.version;
        return Status::Ok();
    }

    Status InsertTask(domain::Task& t) {
        Query q(s_);
        q.sql = "INSERT INTO task (problem_id, org_id, created_by_org_id, round, title, description, "
                "responsible_person, lead_official, type, due_at, review_dates, weight_bp, status, progress, "
                "withdrawal_reason, return_reason, returned_at, returned_after_report_id, submitted_at, accepted_at, "
                "created_at, updated_at, version, parent_task_id, cascade_id, province_id) VALUES (" +
                q.Bind(t.problem_id) + ", " + q.Bind(t.org_id) + ", " + q.Bind(t.created_by_org_id) + ", " +
                q.Bind(t.round) + ", " + q.Bind(t.title) + ", " + q.Bind(t.description) + ", " +
                q.Bind(t.responsible_person) + ", " + q.BindOpt(t.lead_official) + ", " +
                q.Bind(std::string(domain::ToString(t.type))) + ", " + q.BindOpt(t.due_at) + ", " +
                q.Bind(JoinInstants(t.review_dates)) + ", " + q.BindOpt(t.weight_bp) + ", " +
                q.Bind(std::string(domain::ToString(t.status))) + ", " + q.Bind(t.progress) + ", " +
                q.BindOpt(t.withdrawal_reason) + ", " + q.BindOpt(t.return_reason) + ", " + q.BindOpt(t.returned_at) +
                ", " + q.Bind(t.returned_after_report_id) + ", " + q.BindOpt(t.submitted_at) + ", " +
                q.BindOpt(t.accepted_at) + ", " + q.Bind(t.created_at) + ", " + q.Bind(t.updated_at) + ", 1, " +
                q.BindOpt(t.parent_task_id) + ", " + q.BindOpt(t.cascade_id) + ", " + ProvinceOf(q.Bind(t.org_id)) +
                ") RETURNING id";
        t.id = q.OneInt().value();
        t.version = 1;
        return Status::Ok();
    }

    Status UpdateTask(domain::Task& t) {
        Query q(s_);
        q.sql = "UPDATE task SET org_id = " + q.Bind(t.org_id) + ", province_id = " + ProvinceOf(q.Bind(t.org_id)) +
                ", title = " + q.Bind(t.title) +
                ", description = " + q.Bind(t.description) + ", responsible_person = " + q.Bind(t.responsible_person) +
                ", lead_official = " + q.BindOpt(t.lead_official) +
                ", type = " + q.Bind(std::string(domain::ToString(t.type))) + ", due_at = " + q.BindOpt(t.due_at) +
                ", review_dates = " + q.Bind(JoinInstants(t.review_dates)) + ", weight_bp = " + q.BindOpt(t.weight_bp) +
                ", status = " + q.Bind(std::string(domain::ToString(t.status))) + ", progress = " + q.Bind(t.progress) +
                ", withdrawal_reason = " + q.BindOpt(t.withdrawal_reason) +
                ", return_reason = " + q.BindOpt(t.return_reason) + ", returned_at = " + q.BindOpt(t.returned_at) +
                ", returned_after_report_id = " + q.Bind(t.returned_after_report_id) +
                ", submitted_at = " + q.BindOpt(t.submitted_at) + ", accepted_at = " + q.BindOpt(t.accepted_at) +
                ", updated_at = " + q.Bind(t.updated_at) + ", version = version + 1 WHERE id = " + q.Bind(t.id) +
                " AND version = " + q.Bind(t.version);
        q.ExecCounting();
        if (q.Affected() == 0) return StaleOrMissing(s_, "task", "task", t.id, t.version);
        ++t.version;
        return Status::Ok();
    }

    Status InsertProgressReport(domain::ProgressReport& r) {
        Query q(s_);
        q.sql = "INSERT INTO progress_report (task_id, reported_at, text, percent, actor) VALUES (" +
                q.Bind(r.task_id) + ", " + q.Bind(r.reported_at) + ", " + q.Bind(r.text) + ", " + q.Bind(r.percent) +
                ", " + q.Bind(r.actor) + ") RETURNING id";
        r.id = q.OneInt().value();
        return Status::Ok();
    }

    Status InsertEvidence(domain::Evidence& e) {
        Query q(s_);
        q.sql = "INSERT INTO evidence (task_id, report_id, sha256, size_bytes, content_type, original_name, "
                "uploaded_by, uploaded_at) VALUES (" +
                q.Bind(e.task_id) + ", " + q.BindOpt(e.report_id) + ", " + q.Bind(e.sha256) + ", " +
                q.Bind(e.size_bytes) + ", " + q.Bind(e.content_type) + ", " + q.Bind(e.original_name) + ", " +
                q.Bind(e.uploaded_by) + ", " + q.Bind(e.uploaded_at) + ") RETURNING id";
        e.id = q.OneInt().value();
        return Status::Ok();
    }

    Status AttachEvidence(domain::EvidenceId evidence, domain::ReportId report) {
        ASSIGN_OR_RETURN(domain::Evidence e, GetEvidence(evidence));
        Query t(s_);
        t.sql = "SELECT task_id FROM progress_report WHERE id = " + t.Bind(report);
        auto task = t.OneInt();
        if (!task) return NotFound("progress report " + std::to_string(report) + " does not exist");
        if (*task != e.task_id) {
            return FailedPrecondition("evidence " + std::to_string(evidence) + " belongs to task " +
                                      std::to_string(e.task_id) + ", not to task " + std::to_string(*task));
        }
        if (e.report_id) {
            return FailedPrecondition("evidence " + std::to_string(evidence) + " is attached to report " +
                                      std::to_string(*e.report_id) + " already");
        }
        Query q(s_);
        q.sql = "UPDATE evidence SET report_id = " + q.Bind(report) + " WHERE id = " + q.Bind(evidence);
        q.Exec();
        return Status::Ok();
    }

    Status InsertMechanism(domain::Mechanism& m) {
        Query q(s_);
        q.sql = "INSERT INTO mechanism (org_id, title, text, adopted_at, created_at, updated_at, version) VALUES (" +
                q.Bind(m.org_id) + ", " + q.Bind(m.title) + ", " + q.Bind(m.text) + ", " + q.Bind(m.adopted_at) +
                ", " + q.Bind(m.created_at) + ", " + q.Bind(m.updated_at) + ", 1) RETURNING id";
        m.id = q.OneInt().value();
        m.version = 1;
        return Status::Ok();
    }

    Status UpdateMechanism(domain::Mechanism& m) {
        Query q(s_);
        q.sql = "UPDATE mechanism SET title = " + q.Bind(m.title) + ", text = " + q.Bind(m.text) +
                ", adopted_at = " + q.Bind(m.adopted_at) + ", updated_at = " + q.Bind(m.updated_at) +
                ", version = version + 1 WHERE id = " + q.Bind(m.id) + " AND version = " + q.Bind(m.version);
        q.ExecCounting();
        if (q.Affected() == 0) return StaleOrMissing(s_, "mechanism", "mechanism", m.id, m.version);
        ++m.version;
        return Status::Ok();
    }

    Status LinkMechanismProblem(domain::MechanismId m, ProblemId p, UnixSeconds at) {
        Query c(s_);
        c.sql = "SELECT COUNT(*) FROM mechanism_problem WHERE mechanism_id = " + c.Bind(m) +
                " AND problem_id = " + c.Bind(p);
        if (c.OneInt().value_or(0) > 0) {
            return AlreadyExists("problem " + std::to_string(p) + " is linked to mechanism " + std::to_string(m) +
                                 " already");
        }
        Query q(s_);
        q.sql = "INSERT INTO mechanism_problem (mechanism_id, problem_id, linked_at) VALUES (" + q.Bind(m) + ", " +
                q.Bind(p) + ", " + q.Bind(at) + ")";
        q.Exec();
        return Status::Ok();
    }

    Status UnlinkMechanismProblem(domain::MechanismId m, ProblemId p) {
        Query q(s_);
        q.sql = "DELETE FROM mechanism_problem WHERE mechanism_id = " + q.Bind(m) + " AND problem_id = " + q.Bind(p);
        q.ExecCounting();
        if (q.Affected() == 0) {
            return NotFound("problem " + std::to_string(p) + " is not linked to mechanism " + std::to_string(m));
        }
        return Status::Ok();
    }

    Status InsertMeeting(domain::Meeting& m) {
        Query q(s_);
        q.sql = "INSERT INTO meeting (org_id, kind, title, held_at, attendees, notes, created_at, version) VALUES (" +
                q.Bind(m.org_id) + ", " + q.Bind(std::string(domain::ToString(m.kind))) + ", " + q.Bind(m.title) +
                ", " + q.Bind(m.held_at) + ", " + q.Bind(m.attendees) + ", " + q.Bind(m.notes) + ", " +
                q.Bind(m.created_at) + ", 1) RETURNING id";
        m.id = q.OneInt().value();
        m.version = 1;
        return Status::Ok();
    }

    Status TouchMeeting(domain::MeetingId id, std::int64_t version) {
        Query q(s_);
        q.sql = "UPDATE meeting SET version = version + 1 WHERE id = " + q.Bind(id) + " AND version = " + q.Bind(version);
        q.ExecCounting();
        if (q.Affected() == 0) return StaleOrMissing(s_, "meeting", "meeting", id, version);
        return Status::Ok();
    }

    Status InsertFinding(domain::MeetingFinding& f) {
        Query q(s_);
        q.sql = "INSERT INTO meeting_finding (meeting_id, text, problem_id, created_at) VALUES (" + q.Bind(f.meeting_id) +
                ", " + q.Bind(f.text) + ", " + q.BindOpt(f.problem_id) + ", " + q.Bind(f.created_at) + ") RETURNING id";
        f.id = q.OneInt().value();
        return Status::Ok();
    }

    Status SetFindingProblem(domain::FindingId id, ProblemId problem) {
        Query q(s_);
        q.sql = "UPDATE meeting_finding SET problem_id = " + q.Bind(problem) + " WHERE id = " + q.Bind(id) +
                " AND problem_id IS NULL";
        q.ExecCounting();
        if (q.Affected() == 0) {
            return FailedPrecondition("finding " + std::to_string(id) + " has become a problem already");
        }
        return Status::Ok();
    }

    Status InsertIdempotencyKey(const IdempotencyRecord& r) {
        Query q(s_);
        q.sql = "INSERT INTO idempotency_key (actor, idem_key, method, path, request_sha256, status, content_type, "
                "body, headers_json, created_at) VALUES (" +
                q.Bind(r.actor) + ", " + q.Bind(r.key) + ", " + q.Bind(r.method) + ", " + q.Bind(r.path) + ", " +
                q.Bind(r.request_sha256) + ", " + q.BindOpt(r.status) + ", " + q.BindOpt(r.content_type) + ", " +
                q.BindOpt(r.body) + ", " + q.BindOpt(r.headers_json) + ", " + q.Bind(r.created_at) + ")";
        q.Exec();
        return Status::Ok();
    }

    Status CompleteIdempotencyKey(const IdempotencyRecord& r) {
        Query q(s_);
        q.sql = "UPDATE idempotency_key SET status = " + q.BindOpt(r.status) +
                ", content_type = " + q.BindOpt(r.content_type) + ", body = " + q.BindOpt(r.body) +
                ", headers_json = " + q.BindOpt(r.headers_json) + " WHERE actor = " + q.Bind(r.actor) +
                " AND idem_key = " + q.Bind(r.key);
        q.Exec();
        return Status::Ok();
    }

    Status DeleteIdempotencyKey(const std::string& actor, const std::string& key) {
        Query q(s_);
        q.sql = "DELETE FROM idempotency_key WHERE actor = " + q.Bind(actor) + " AND idem_key = " + q.Bind(key);
        q.Exec();
        return Status::Ok();
    }

    Status PurgeIdempotencyKeys(UnixSeconds before) {
        Query q(s_);
        q.sql = "DELETE FROM idempotency_key WHERE created_at < " + q.Bind(before);
        q.Exec();
        return Status::Ok();
    }

private:
    soci::session& s_;
};

// ---- the write transaction ----

// ---- linkage (issue 5): escalations, cascades ----

const char* kEscalationColumns =
    "id, problem_id, from_org_id, to_org_id, origin_org_id, reason, status, decision_reason, requested_by, "
    "requested_at, decided_by, decided_at, version, kind";

domain::Escalation EscalationFromRow(const soci::row& r) {
    domain::Escalation e;
    e.id = Int(r, 0);
    e.problem_id = Int(r, 1);
    e.from_org_id = Int(r, 2);
    e.to_org_id = Int(r, 3);
    e.origin_org_id = Int(r, 4);
    e.reason = Str(r, 5);
    e.status = EnumOf<domain::EscalationStatus>(r, 6);
    e.decision_reason = OptStr(r, 7);
    e.requested_by = Str(r, 8);
    e.requested_at = Int(r, 9);
    e.decided_by = OptStr(r, 10);
    e.decided_at = OptInt(r, 11);
    e.version = Int(r, 12);
    e.kind = EnumOf<domain::EscalationKind>(r, 13);
    return e;
}

class LinkageSql {
public:
    explicit LinkageSql(soci::session& s) : s_(s) {}

    Result<domain::Escalation> GetEscalation(domain::EscalationId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kEscalationColumns + " FROM escalation WHERE id = " + q.Bind(id);
        for (const soci::row& r : q.Rows()) return EscalationFromRow(r);
        return NotFound("escalation " + std::to_string(id) + " does not exist");
    }

    Result<std::vector<domain::Escalation>> EscalationsOfProblem(ProblemId id) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kEscalationColumns + " FROM escalation WHERE problem_id = " + q.Bind(id) +
                " ORDER BY id";
        std::vector<domain::Escalation> out;
        for (const soci::row& r : q.Rows()) out.push_back(EscalationFromRow(r));
        return out;
    }

    Result<std::vector<OrgId>> EscalationReaders(ProblemId id) {
        Query q(s_);
        q.sql = "SELECT from_org_id FROM escalation WHERE status = 'accepted' AND problem_id = " + q.Bind(id) +
                " UNION SELECT to_org_id FROM escalation WHERE status = 'pending' AND problem_id = " + q.Bind(id) +
                " ORDER BY 1";
        std::vector<OrgId> out;
        for (const soci::row& r : q.Rows()) out.push_back(Int(r, 0));
        return out;
    }

    Result<std::vector<std::pair<OrgId, std::int64_t>>> EscalatedFrom(const std::string& subtree_path) {
        Query q(s_);
        // Driven by the (small) escalation table: joining from the subtree's orgs would visit every problem
        // of a large subtree (SQLite plans from the org path range without statistics).
        q.sql = "SELECT e.origin_org_id, COUNT(DISTINCT e.problem_id) FROM escalation e "
                "WHERE e.status = 'accepted' AND EXISTS (SELECT 1 FROM problem p JOIN org o ON o.id = p.owner_org_id "
                "WHERE p.id = e.problem_id" +
                SubtreeClause(q, "o.path", {subtree_path}) + ") GROUP BY e.origin_org_id ORDER BY e.origin_org_id";
        std::vector<std::pair<OrgId, std::int64_t>> out;
        for (const soci::row& r : q.Rows()) out.emplace_back(Int(r, 0), Int(r, 1));
        return out;
    }

    Result<std::vector<domain::ChildState>> ChildStates(domain::TaskId parent) {
        Query q(s_);
        q.sql = "SELECT status, progress FROM task WHERE parent_task_id = " + q.Bind(parent);
        std::vector<domain::ChildState> out;
        for (const soci::row& r : q.Rows()) {
            out.push_back(domain::ChildState{EnumOf<domain::TaskStatus>(r, 0), static_cast<int>(Int(r, 1))});
        }
        return out;
    }

    Result<std::vector<domain::Task>> ChildTasks(domain::TaskId parent, domain::TaskId after_id, int limit) {
        Query q(s_);
        q.sql = std::string("SELECT ") + kTaskColumns + " FROM task WHERE parent_task_id = " + q.Bind(parent) +
                " AND id > " + q.Bind(after_id) + " ORDER BY id LIMIT " + q.Bind(static_cast<std::int64_t>(limit));
        std::vector<domain::Task> out;
        for (const soci::row& r : q.Rows()) out.push_back(TaskFromRow(r));
        return out;
    }

    Result<std::vector<domain::TaskId>> TaskIdsOfCascade(domain::CascadeId id) {
        Query q(s_);
        q.sql = "SELECT id FROM task WHERE cascade_id = " + q.Bind(id) + " ORDER BY id";
        std::vector<domain::TaskId> out;
        for (const soci::row& r : q.Rows()) out.push_back(Int(r, 0));
        return out;
    }

    Status InsertEscalation(domain::Escalation& e) {
        Query q(s_);
        q.sql = "INSERT INTO escalation (problem_id, from_org_id, to_org_id, origin_org_id, kind, reason, status, "
                "decision_reason, requested_by, requested_at, decided_by, decided_at, version) VALUES (" +
                q.Bind(e.problem_id) + ", " + q.Bind(e.from_org_id) + ", " + q.Bind(e.to_org_id) + ", " +
                q.Bind(e.origin_org_id) + ", " + q.Bind(std::string(domain::ToString(e.kind))) + ", " +
                q.Bind(e.reason) + ", " +
                q.Bind(std::string(domain::ToString(e.status))) + ", " + q.BindOpt(e.decision_reason) + ", " +
                q.Bind(e.requested_by) + ", " + q.Bind(e.requested_at) + ", " + q.BindOpt(e.decided_by) + ", " +
                q.BindOpt(e.decided_at) + ", 1) RETURNING id";
        e.id = q.OneInt().value();
        e.version = 1;
        return Status::Ok();
    }

    Status UpdateEscalation(domain::Escalation& e) {
        Query q(s_);
        q.sql = "UPDATE escalation SET status = " + q.Bind(std::string(domain::ToString(e.status))) +
                ", decision_reason = " + q.BindOpt(e.decision_reason) + ", decided_by = " + q.BindOpt(e.decided_by) +
                ", decided_at = " + q.BindOpt(e.decided_at) + ", version = version + 1 WHERE id = " + q.Bind(e.id) +
                " AND version = " + q.Bind(e.version);
        q.ExecCounting();
        if (q.Affected() == 0) return StaleOrMissing(s_, "escalation", "escalation", e.id, e.version);
        ++e.version;
        return Status::Ok();
    }

    Status InsertCascade(domain::Cascade& c) {
        Query q(s_);
        q.sql = "INSERT INTO task_cascade (problem_id, parent_task_id, org_id, targets_json, due_at, created, "
                "skipped_existing, created_by, created_at) VALUES (" +
                q.Bind(c.problem_id) + ", " + q.Bind(c.parent_task_id) + ", " + q.Bind(c.org_id) + ", " +
                q.Bind(c.targets.dump()) + ", " + q.BindOpt(c.due_at) + ", " + q.Bind(c.created) + ", " +
                q.Bind(c.skipped_existing) + ", " + q.Bind(c.created_by) + ", " + q.Bind(c.created_at) +
                ") RETURNING id";
        c.id = q.OneInt().value();
        return Status::Ok();
    }

    Status SetCascadeCounts(domain::CascadeId id, std::int64_t created, std::int64_t skipped) {
        Query q(s_);
        q.sql = "UPDATE task_cascade SET created = " + q.Bind(created) + ", skipped_existing = " + q.Bind(skipped) +
                " WHERE id = " + q.Bind(id);
        q.ExecCounting();
        if (q.Affected() == 0) return NotFound("cascade " + std::to_string(id) + " does not exist");
        return Status::Ok();
    }

    Status InsertCoOwner(const domain::CoOwner& c) {
        Query q(s_);
        q.sql = "INSERT INTO problem_co_owner (problem_id, org_id, added_by, added_at) VALUES (" +
                q.Bind(c.problem_id) + ", " + q.Bind(c.org_id) + ", " + q.Bind(c.added_by) + ", " +
                q.Bind(c.added_at) + ")";
        q.Exec();
        return Status::Ok();
    }

    Result<std::vector<domain::CoOwner>> CoOwners(ProblemId id) {
        Query q(s_);
        q.sql = "SELECT problem_id, org_id, added_by, added_at FROM problem_co_owner WHERE problem_id = " +
                q.Bind(id) + " ORDER BY org_id";
        std::vector<domain::CoOwner> out;
        for (const soci::row& r : q.Rows()) {
            domain::CoOwner c;
            c.problem_id = Int(r, 0);
            c.org_id = Int(r, 1);
            c.added_by = Str(r, 2);
            c.added_at = Int(r, 3);
            out.push_back(std::move(c));
        }
        return out;
    }

    Result<store::SubtreeLinkFigures> LinkFigures(const std::string& subtree_path) {
        Query q(s_);
        const auto range = PathRange(subtree_path);  // named, not bound: clang 14 cannot capture bindings
        const std::string lo = range.first, hi = range.second;
        // "alias.path inside the subtree"; every use binds its own parameters (PostgreSQL: one use per name).
        auto inside = [&](const char* alias) {
            return std::string("(") + alias + ".path >= " + q.Bind(lo) + " AND " + alias + ".path < " + q.Bind(hi) + ")";
        };
        // Each count is driven by its link table (co-owners, escalations, cascades: small beside the problems
        // and tasks of a large subtree), the subtree tests being EXISTS probes by primary key.
        auto org_inside = [&](const std::string& id_column) {
            return "EXISTS (SELECT 1 FROM org x WHERE x.id = " + id_column + " AND " + inside("x") + ")";
        };
        auto owner_inside = [&](const std::string& problem_column) {
            return "EXISTS (SELECT 1 FROM problem p JOIN org op ON op.id = p.owner_org_id WHERE p.id = " +
                   problem_column + " AND " + inside("op") + ")";
        };
        q.sql = "SELECT (SELECT COUNT(DISTINCT c.problem_id) FROM problem_co_owner c WHERE " + org_inside("c.org_id") +
                " AND NOT " + owner_inside("c.problem_id") +
                "), (SELECT COUNT(DISTINCT e.problem_id) FROM escalation e WHERE e.status = 'accepted' AND " +
                org_inside("e.origin_org_id") + " AND NOT " + owner_inside("e.problem_id") +
                "), (SELECT CAST(COALESCE(SUM(c.created), 0) AS BIGINT) FROM task_cascade c WHERE " + org_inside("c.org_id") +
                "), (SELECT COUNT(*) FROM task_cascade c JOIN task t ON t.parent_task_id = c.parent_task_id AND "
                "t.cascade_id = c.id WHERE NOT " + org_inside("c.org_id") + " AND " + org_inside("t.org_id") + ")";
        store::SubtreeLinkFigures out;
        for (const soci::row& r : q.Rows()) {
            out.co_owned = Int(r, 0);
            out.escalated_up = Int(r, 1);
            out.cascaded_down = Int(r, 2);
            out.cascaded_in = Int(r, 3);
        }
        return out;
    }

    Status SetDerivedProgress(domain::TaskId id, int progress) {
        Query q(s_);
        q.sql = "UPDATE task SET progress = " + q.Bind(progress) + " WHERE id = " + q.Bind(id);
        q.ExecCounting();
        if (q.Affected() == 0) return NotFound("task " + std::to_string(id) + " does not exist");
        return Status::Ok();
    }

    // The WHERE clause (after "FROM org o WHERE") of domain::MatchesCascadeTargets; `ids` a chunk of the
    // explicit list (empty for the other scopes).
    static std::string TargetClause(Query& q, const domain::CascadeTargets& t, const Org& issuing,
                                    std::span<const OrgId> ids) {
        std::string sql = "o.id <> " + q.Bind(issuing.id) + SubtreeClause(q, "o.path", {issuing.path});
        if (t.scope == domain::CascadeScope::kLevel) sql += " AND o.level = " + q.Bind(t.level.value_or(""));
        if (t.scope == domain::CascadeScope::kOrgs) {
            sql += " AND o.id IN (";
            for (std::size_t i = 0; i < ids.size(); ++i) sql += (i ? ", " : "") + q.Bind(ids[i]);
            sql += ")";
        }
        if (t.kind) sql += " AND o.kind = " + q.Bind(std::string(domain::ToString(*t.kind)));
        if (t.batch) sql += " AND o.batch = " + q.Bind(static_cast<std::int64_t>(*t.batch));
        return sql;
    }

    Result<std::pair<std::int64_t, std::int64_t>> InsertCascadeChildren(const domain::Task& c,
                                                                       const domain::CascadeTargets& t,
                                                                       const Org& issuing) {
        constexpr std::size_t kChunk = 500;
        std::vector<std::span<const OrgId>> chunks;
        if (t.scope == domain::CascadeScope::kOrgs) {
            for (std::size_t i = 0; i < t.org_ids.size(); i += kChunk) {
                chunks.emplace_back(t.org_ids.data() + i, std::min(kChunk, t.org_ids.size() - i));
            }
        } else {
            chunks.emplace_back();
        }
        std::int64_t matched = 0, created = 0;
        for (std::span<const OrgId> ids : chunks) {
            Query count(s_);
            count.sql = "SELECT COUNT(*) FROM org o WHERE " + TargetClause(count, t, issuing, ids);
            matched += count.OneInt().value_or(0);
            Query q(s_);
            q.sql = "INSERT INTO task (problem_id, org_id, created_by_org_id, round, title, description, "
                    "responsible_person, lead_official, type, due_at, review_dates, weight_bp, status, progress, "
                    "withdrawal_reason, return_reason, returned_at, returned_after_report_id, submitted_at, "
                    "accepted_at, created_at, updated_at, version, parent_task_id, cascade_id, province_id) SELECT " +
                    q.Bind(c.problem_id) + ", o.id, " + q.Bind(c.created_by_org_id) + ", " + q.Bind(c.round) + ", " +
                    q.Bind(c.title) + ", " + q.Bind(c.description) + ", " + q.Bind(c.responsible_person) + ", " +
                    q.BindOpt(c.lead_official) + ", " + q.Bind(std::string(domain::ToString(c.type))) + ", " +
                    q.BindOpt(c.due_at) + ", " + q.Bind(JoinInstants(c.review_dates)) + ", NULL, " +
                    q.Bind(std::string(domain::ToString(c.status))) + ", " + q.Bind(c.progress) +
                    ", NULL, NULL, NULL, 0, NULL, NULL, " + q.Bind(c.created_at) + ", " + q.Bind(c.updated_at) +
                    ", 1, " + q.BindOpt(c.parent_task_id) + ", " + q.BindOpt(c.cascade_id) +
                    ", o.province_id FROM org o WHERE " +
                    TargetClause(q, t, issuing, ids) +
                    " AND NOT EXISTS (SELECT 1 FROM task x WHERE x.parent_task_id = " +
                    q.Bind(c.parent_task_id.value_or(0)) + " AND x.org_id = o.id AND x.status <> 'withdrawn')" +
                    " ORDER BY o.id";
            q.ExecCounting();
            created += q.Affected();
        }
        return std::make_pair(created, matched - created);
    }

private:
    soci::session& s_;
};

#include "store/supervision_sql.inc"
#include "store/public_sql.inc"
#include "store/routing_sql.inc"
#include "store/campaign_sql.inc"
#include "store/study_sql.inc"
#include "store/cause_sql.inc"

class SociWriteTx final : public WriteTx {
public:
    SociWriteTx(soci::session& s, const detail::Dialect& dialect)
        : s_(s), dialect_(dialect), reads_(s), wf_(s), link_(s), sup_(s), pub_(s), route_(s), camp_(s), study_(s), cause_(s) {}

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
            u.sql = "UPDATE org SET path = " + u.Bind(org.path) + ", province_id = " +
                    ProvinceUnder(org.parent_id ? u.Bind(*org.parent_id) : std::string("NULL"), u.Bind(org.id)) +
                    " WHERE id = " + u.Bind(org.id);
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
            // The subtree's province key before and after the move (migration 014).
            Query keys(s_);
            keys.sql = "SELECT (SELECT province_id FROM org WHERE id = " + keys.Bind(id) + "), " +
                       ProvinceUnder(keys.Bind(new_parent), keys.Bind(id));
            std::optional<std::int64_t> old_province;
            std::int64_t new_province = id;
            for (const soci::row& r : keys.Rows()) {
                old_province = OptInt(r, 0);
                new_province = Int(r, 1);
            }
            Query q(s_);
            q.sql = "UPDATE org SET path = " + q.Bind(new_path) + " || substr(path, " +
                    q.Bind(static_cast<std::int64_t>(org.path.size() + 1)) + "), province_id = " +
                    q.Bind(new_province) + ", version = version + 1 WHERE path >= " + q.Bind(lo) + " AND path < " +
                    q.Bind(hi);
            q.Exec();
            Query p(s_);
            p.sql = "UPDATE org SET parent_id = " + p.Bind(new_parent) + " WHERE id = " + p.Bind(id);
            p.Exec();
            if (old_province != new_province) {
                // A move across top-level orgs: the moved subtree's rows take the new key, one UPDATE per
                // table (on the partitioned layout PostgreSQL moves them to the new key's partition).
                const auto new_range = PathRange(new_path);
                for (const auto& [table, column] : {std::pair<const char*, const char*>{"problem", "owner_org_id"},
                                                    {"task", "org_id"}, {"opinion", "org_id"}}) {
                    Query m(s_);
                    m.sql = std::string("UPDATE ") + table + " SET province_id = " + m.Bind(new_province) + " WHERE " +
                            column + " IN (SELECT id FROM org WHERE path >= " + m.Bind(new_range.first) +
                            " AND path < " + m.Bind(new_range.second) + ")";
                    m.Exec();
                }
            }
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

    // The columns of a new problem / opinion row and one row's VALUES tuple (shared by the one-row and the
    // multi-row inserts, so both store the same fields).
    static constexpr const char* kProblemInsertColumns =
        "title, description, source, category_id, severity, owner_org_id, status, created_at, due_at, closed_at, "
        "source_ref, updated_at, version, round, status_reason, reopen_cause, reopened_at, merged_into_id, campaign_id, "
        "province_id";
    template <typename Q>
    static std::string ProblemValues(Q& q, const Problem& p) {
        return "(" + q.Bind(p.title) + ", " + q.Bind(p.description) + ", " +
               q.Bind(std::string(domain::ToString(p.source))) + ", " + q.BindOpt(p.category_id) + ", " +
               q.Bind(std::string(domain::ToString(p.severity))) + ", " + q.Bind(p.owner_org_id) + ", " +
               q.Bind(std::string(domain::ToString(p.status))) + ", " + q.Bind(p.created_at) + ", " +
               q.BindOpt(p.due_at) + ", " + q.BindOpt(p.closed_at) + ", " + q.BindOpt(p.source_ref) + ", " +
               q.Bind(p.updated_at) + ", 1, " + q.Bind(p.round) + ", " + q.BindOpt(p.status_reason) + ", " +
               q.BindOpt(OptName(p.reopen_cause)) + ", " + q.BindOpt(p.reopened_at) + ", " +
               q.BindOpt(p.merged_into_id) + ", " + q.BindOpt(p.campaign_id) + ", " +
               ProvinceOf(q.Bind(p.owner_org_id)) + ")";
    }
    static constexpr const char* kOpinionInsertColumns =
        "channel, kind, status, received_at, title, text, division_code, org_id, submitter, category_id, reply_text, "
        "replied_at, reply_org_id, problem_id, transfer_count, source_ref, version, status_reason, "
        "duplicate_of_opinion_id, duplicate_of_problem_id, satisfaction, rated_at, rating_comment, sla_class, "
        "reply_due_at, responded_at, likes, province_id";
    template <typename Q>
    static std::string OpinionValues(Q& q, const Opinion& o) {
        return "(" + q.Bind(std::string(domain::ToString(o.channel))) + ", " +
               q.Bind(std::string(domain::ToString(o.kind))) + ", " + q.Bind(std::string(domain::ToString(o.status))) +
               ", " + q.Bind(o.received_at) + ", " + q.Bind(o.title) + ", " + q.Bind(o.text) + ", " +
               q.BindOpt(o.division_code) + ", " + q.Bind(o.org_id) + ", " + q.BindOpt(o.submitter) + ", " +
               q.BindOpt(o.category_id) + ", " + q.BindOpt(o.reply_text) + ", " + q.BindOpt(o.replied_at) + ", " +
               q.BindOpt(o.reply_org_id) + ", " + q.BindOpt(o.problem_id) + ", " + q.Bind(o.transfer_count) + ", " +
               q.BindOpt(o.source_ref) + ", 1, " + q.BindOpt(o.status_reason) + ", " +
               q.BindOpt(o.duplicate_of_opinion_id) + ", " + q.BindOpt(o.duplicate_of_problem_id) + ", " +
               q.BindOpt(OptName(o.satisfaction)) + ", " + q.BindOpt(o.rated_at) + ", " + q.BindOpt(o.rating_comment) +
               ", " + q.Bind(std::string(domain::ToString(o.sla_class))) + ", " + q.Bind(o.reply_due_at) + ", " +
               q.BindOpt(o.responded_at) + ", " + q.Bind(o.likes) + ", " + ProvinceOf(q.Bind(o.org_id)) + ")";
    }

    Status InsertProblem(Problem& p) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = std::string("INSERT INTO problem (") + kProblemInsertColumns + ") VALUES " + ProblemValues(q, p) +
                    " RETURNING id";
            p.id = q.OneInt().value();
            p.version = 1;
            WriteProblemItems(s_, p.id, p.special_item_ids, false);
            return Status::Ok();
        });
    }
    Status InsertOpinion(Opinion& o) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = std::string("INSERT INTO opinion (") + kOpinionInsertColumns + ") VALUES " + OpinionValues(q, o) +
                    " RETURNING id";
            o.id = q.OneInt().value();
            o.version = 1;
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
                    ", province_id = " + ProvinceOf(q.Bind(p.owner_org_id)) +
                    ", status = " + q.Bind(std::string(domain::ToString(p.status))) +
                    ", due_at = " + q.BindOpt(p.due_at) + ", closed_at = " + q.BindOpt(p.closed_at) +
                    ", updated_at = " + q.Bind(p.updated_at) + ", round = " + q.Bind(p.round) +
                    ", status_reason = " + q.BindOpt(p.status_reason) +
                    ", reopen_cause = " + q.BindOpt(OptName(p.reopen_cause)) +
                    ", reopened_at = " + q.BindOpt(p.reopened_at) + ", merged_into_id = " + q.BindOpt(p.merged_into_id) +
                    ", campaign_id = " + q.BindOpt(p.campaign_id) + ", version = version + 1 WHERE id = " + q.Bind(p.id) +
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
            // Campaigns (issue 5): the item links follow special_item_ids (written only when they changed).
            WriteProblemItems(s_, p.id, p.special_item_ids, true);
            return Status::Ok();
        });
    }


    // Rows per multi-row statement (Dialect::bulk_rows). Each chunk is a new statement (SOCI 4.0.3 re-sends
    // the first batch when a prepared statement with vector binds is re-executed on PostgreSQL).
    std::size_t RowsPerStatement() const { return dialect_.bulk_rows; }

    // Inserts `rows` with consecutive explicit ids after the table's largest (writers are serialised, so no
    // one else takes them), then moves the table's id generator past them (Dialect::sync_id_generator).
    // Writes the ids back through the rows. `values(binder, row)` is the row's VALUES tuple
    // (ProblemValues...). PostgreSQL: `RowsPerStatement()` rows a multi-row statement (one round trip each);
    // SQLite: one statement prepared once and re-executed per row (no round trips to save; see SqliteStatement).
    template <typename Row, typename Values>
    void InsertRows(const std::string& table, const char* columns, std::vector<Row>& rows, Values values) {
        if (rows.empty()) return;
        Query max_id(s_);
        max_id.sql = "SELECT COALESCE(MAX(id), 0) FROM " + table;
        std::int64_t next = max_id.OneInt().value_or(0) + 1;
        if (dialect_.backend == detail::Backend::kSqlite) {
            RowBinder b;
            std::optional<SqliteStatement> st;
            for (Row& row : rows) {
                row.id = next++;
                row.version = 1;
                b.Reset();
                const std::string id = b.Bind(row.id);
                std::string tuple = values(b, row);
                if (!st) st.emplace(s_, "INSERT INTO " + table + " (id, " + columns + ") VALUES (" + id + ", " +
                                            tuple.substr(1));
                st->Bind(b);
                st->Run();
            }
        } else {
            for (std::size_t i = 0; i < rows.size(); i += RowsPerStatement()) {
                const std::size_t end = std::min(rows.size(), i + RowsPerStatement());
                Query q(s_);
                q.sql = "INSERT INTO " + table + " (id, " + columns + ") VALUES ";
                for (std::size_t k = i; k < end; ++k) {
                    rows[k].id = next++;
                    rows[k].version = 1;
                    std::string tuple = values(q, rows[k]);
                    q.sql += (k == i ? "(" : ", (") + q.Bind(rows[k].id) + ", " + tuple.substr(1);
                }
                q.Exec();
            }
        }
        SyncIdGenerator(table, next - 1);
    }

    void SyncIdGenerator(const std::string& table, std::int64_t max_id) {
        const std::string& tpl = dialect_.sync_id_generator;
        if (tpl.empty()) return;
        std::string sql = tpl;
        for (std::size_t pos; (pos = sql.find("{TABLE}")) != std::string::npos;) sql.replace(pos, 7, table);
        for (std::size_t pos; (pos = sql.find("{MAX}")) != std::string::npos;) sql.replace(pos, 5, std::to_string(max_id));
        s_ << sql;
    }

    Status InsertProblems(std::vector<Problem>& problems) override {
        return Guard([&]() -> Status {
            InsertRows("problem", kProblemInsertColumns, problems,
                       [](auto& q, const Problem& p) { return ProblemValues(q, p); });
            for (const auto& p : problems) {
                if (!p.special_item_ids.empty()) WriteProblemItems(s_, p.id, p.special_item_ids, false);
            }
            return Status::Ok();
        });
    }
    Status InsertOpinions(std::vector<Opinion>& opinions) override {
        return Guard([&]() -> Status {
            InsertRows("opinion", kOpinionInsertColumns, opinions,
                       [](auto& q, const Opinion& o) { return OpinionValues(q, o); });
            return Status::Ok();
        });
    }

    Result<std::set<std::string>> StoredSourceRefs(SourceRefTable table, const std::vector<std::string>& refs) override {
        return Guard([&]() -> Result<std::set<std::string>> {
            const std::string name = table == SourceRefTable::kProblem ? "problem" : "opinion";
            std::set<std::string> found;
            if (dialect_.backend == detail::Backend::kSqlite) {  // one indexed lookup per key, prepared once
                RowBinder b;
                SqliteStatement st(s_, "SELECT source_ref FROM " + name + " WHERE source_ref = ?1");
                for (const std::string& ref : refs) {
                    b.Reset();
                    b.Bind(ref);
                    st.Bind(b);
                    while (st.Step()) found.insert(st.Text(0));
                }
                return found;
            }
            for (std::size_t i = 0; i < refs.size(); i += RowsPerStatement()) {
                Query q(s_);
                q.sql = "SELECT source_ref FROM " + name + " WHERE source_ref IN (";
                for (std::size_t k = i; k < std::min(refs.size(), i + RowsPerStatement()); ++k) {
                    q.sql += (k == i ? "" : ", ") + q.Bind(refs[k]);
                }
                q.sql += ")";
                for (const soci::row& r : q.Rows()) found.insert(Str(r, 0));
            }
            return found;
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

    // Appends the next link of the hash chain. Runs under the writer lock inside the caller's
    // transaction, so "the last event" cannot change between reading it and inserting after it; the id
    // is the last id + 1, which keeps ids consecutive (VerifyChain reports a missing id).
    // One event is a batch of one (AppendEvents chains and inserts it).
    Status AppendEvent(Event& e) override {
        std::vector<Event> one{e};
        RETURN_IF_ERROR(AppendEvents(one));
        e = std::move(one.front());
        return Status::Ok();
    }

    static constexpr const char* kEventInsert =
        "INSERT INTO event (id, at, actor, entity, entity_id, action, before_json, after_json, from_state, to_state, "
        "reason, org_id, prev_hash, hash) VALUES ";
    template <typename Q>
    static std::string EventValues(Q& q, const Event& e) {
        return "(" + q.Bind(e.id) + ", " + q.Bind(e.at) + ", " + q.Bind(e.actor) + ", " + q.Bind(e.entity) + ", " +
               q.Bind(e.entity_id) + ", " + q.Bind(e.action) + ", " + q.BindOpt(e.before_json) + ", " +
               q.BindOpt(e.after_json) + ", " + q.BindOpt(e.from_state) + ", " + q.BindOpt(e.to_state) + ", " +
               q.BindOpt(e.reason) + ", " + q.BindOpt(e.org_id) + ", " + q.Bind(e.prev_hash) + ", " +
               q.Bind(e.hash) + ")";
    }

    Status AppendEvents(std::vector<Event>& events) override {
        return Guard([&]() -> Status {
            if (events.empty()) return Status::Ok();
            for (auto& e : events) {
                if (!e.org_id) e.org_id = reads_.EventOrg(e);
            }
            Query last(s_);
            last.sql = "SELECT id, hash FROM event ORDER BY id DESC LIMIT 1";
            std::int64_t last_id = 0;
            std::string prev = kGenesisHash;
            for (const soci::row& r : last.Rows()) {
                last_id = Int(r, 0);
                prev = Str(r, 1);
                break;
            }
            for (auto& e : events) {
                e.id = ++last_id;
                e.prev_hash = prev;
                e.hash = ChainHash(prev, e);
                prev = e.hash;
            }
            if (dialect_.backend == detail::Backend::kSqlite) {  // one statement, re-executed per event
                RowBinder b;
                std::optional<SqliteStatement> st;
                for (const Event& e : events) {
                    b.Reset();
                    const std::string tuple = EventValues(b, e);
                    if (!st) st.emplace(s_, std::string(kEventInsert) + tuple);
                    st->Bind(b);
                    st->Run();
                }
            }
            for (std::size_t i = 0; dialect_.backend != detail::Backend::kSqlite && i < events.size();
                 i += RowsPerStatement()) {
                Query q(s_);
                q.sql = kEventInsert;
                for (std::size_t k = i; k < std::min(events.size(), i + RowsPerStatement()); ++k) {
                    q.sql += (k == i ? "" : ", ") + EventValues(q, events[k]);
                }
                q.Exec();
            }
            appended_.insert(appended_.end(), events.begin(), events.end());
            return Status::Ok();
        });
    }

    // The events appended so far, in id order (for the commit observer).
    std::vector<Event>& appended() { return appended_; }

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

    // ---- accounts (issue 4) ----

    Status InsertUser(domain::User& u, const std::string& password_hash) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO app_user (name, display_name, org_id, password_hash, must_change_password, disabled, "
                    "created_at, password_changed_at, version, cadre_rank) VALUES (" +
                    q.Bind(u.name) + ", " + q.Bind(u.display_name) + ", " + q.Bind(u.org_id) + ", " +
                    q.Bind(password_hash) + ", " + q.Bind(std::int64_t{u.must_change_password}) + ", " +
                    q.Bind(std::int64_t{u.disabled}) + ", " + q.Bind(u.created_at) + ", " +
                    q.Bind(u.password_changed_at) + ", 1, " + q.BindOpt(u.cadre_rank) + ") RETURNING id";
            u.id = q.OneInt().value();
            u.version = 1;
            return Status::Ok();
        });
    }

    Status UpdateUser(domain::User& u) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE app_user SET display_name = " + q.Bind(u.display_name) + ", org_id = " + q.Bind(u.org_id) +
                    ", disabled = " + q.Bind(std::int64_t{u.disabled}) +
                    ", must_change_password = " + q.Bind(std::int64_t{u.must_change_password}) +
                    ", cadre_rank = " + q.BindOpt(u.cadre_rank) +
                    ", version = version + 1 WHERE id = " + q.Bind(u.id) + " AND version = " + q.Bind(u.version);
            q.ExecCounting();
            if (q.Affected() == 0) {
                Query v(s_);
                v.sql = "SELECT version FROM app_user WHERE id = " + v.Bind(u.id);
                auto current = v.OneInt();
                if (!current) return NotFound("user " + std::to_string(u.id) + " does not exist");
                return Aborted("user " + std::to_string(u.id) + " was changed by someone else: you sent version " +
                               std::to_string(u.version) + ", the current version is " + std::to_string(*current) +
                               "; reload and apply your change again");
            }
            ++u.version;
            return Status::Ok();
        });
    }

    Status SetPasswordHash(domain::UserId id, const std::string& hash, UnixSeconds changed_at,
                           bool must_change) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE app_user SET password_hash = " + q.Bind(hash) + ", password_changed_at = " +
                    q.Bind(changed_at) + ", must_change_password = " + q.Bind(std::int64_t{must_change}) +
                    ", version = version + 1 WHERE id = " + q.Bind(id);
            q.ExecCounting();
            if (q.Affected() == 0) return NotFound("user " + std::to_string(id) + " does not exist");
            return Status::Ok();
        });
    }

    Status InsertGrant(domain::UserId user_id, domain::UserGrant& g, UnixSeconds at) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO user_grant (user_id, role, org_id, created_at) VALUES (" + q.Bind(user_id) + ", " +
                    q.Bind(std::string(domain::ToString(g.role))) + ", " + q.Bind(g.org_id) + ", " + q.Bind(at) +
                    ") RETURNING id";
            g.id = q.OneInt().value();
            return Status::Ok();
        });
    }

    Status DeleteGrant(domain::UserId user_id, domain::GrantId grant_id) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "DELETE FROM user_grant WHERE id = " + q.Bind(grant_id) + " AND user_id = " + q.Bind(user_id);
            q.ExecCounting();
            if (q.Affected() == 0) return NotFound("grant " + std::to_string(grant_id) + " does not exist");
            return Status::Ok();
        });
    }

    Result<domain::User> GetUser(domain::UserId id) override {
        return Guard([&]() -> Result<domain::User> { return reads_.GetUser(id); });
    }

    Result<std::int64_t> CountUsers() override {
        return Guard([&]() -> Result<std::int64_t> { return reads_.CountUsers(); });
    }

    Status InsertSession(domain::Session& session, const std::string& secret_hash) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO user_session (user_id, secret_hash, csrf_token, created_at, last_seen_at, expires_at) "
                    "VALUES (" +
                    q.Bind(session.user_id) + ", " + q.Bind(secret_hash) + ", " + q.Bind(session.csrf_token) + ", " +
                    q.Bind(session.created_at) + ", " + q.Bind(session.last_seen_at) + ", " +
                    q.Bind(session.expires_at) + ") RETURNING id";
            session.id = q.OneInt().value();
            return Status::Ok();
        });
    }

    Status RevokeSession(domain::SessionId id, UnixSeconds at) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE user_session SET revoked_at = " + q.Bind(at) + " WHERE id = " + q.Bind(id) +
                    " AND revoked_at IS NULL";
            q.Exec();
            return Status::Ok();
        });
    }

    Status RevokeUserSessions(domain::UserId user_id, std::optional<domain::SessionId> keep, UnixSeconds at) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE user_session SET revoked_at = " + q.Bind(at) + " WHERE user_id = " + q.Bind(user_id) +
                    " AND revoked_at IS NULL" + (keep ? " AND id <> " + q.Bind(*keep) : std::string());
            q.Exec();
            return Status::Ok();
        });
    }

    Status TouchSession(domain::SessionId id, UnixSeconds at) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE user_session SET last_seen_at = " + q.Bind(at) + " WHERE id = " + q.Bind(id);
            q.Exec();
            return Status::Ok();
        });
    }

    Status InsertToken(domain::ApiToken& t, const std::string& secret_hash) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO api_token (user_id, name, prefix, secret_hash, created_at, expires_at) VALUES (" +
                    q.Bind(t.user_id) + ", " + q.Bind(t.name) + ", " + q.Bind(t.prefix) + ", " + q.Bind(secret_hash) +
                    ", " + q.Bind(t.created_at) + ", " + q.Bind(t.expires_at) + ") RETURNING id";
            t.id = q.OneInt().value();
            for (const auto& g : t.grants) {
                Query gq(s_);
                gq.sql = "INSERT INTO api_token_grant (token_id, role, org_id) VALUES (" + gq.Bind(t.id) + ", " +
                         gq.Bind(std::string(domain::ToString(g.role))) + ", " + gq.Bind(g.org_id) + ")";
                gq.Exec();
            }
            return Status::Ok();
        });
    }

    Status RevokeToken(domain::TokenId id, UnixSeconds at) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE api_token SET revoked_at = " + q.Bind(at) + " WHERE id = " + q.Bind(id) +
                    " AND revoked_at IS NULL";
            q.Exec();
            return Status::Ok();
        });
    }

    Status TouchToken(domain::TokenId id, UnixSeconds at) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "UPDATE api_token SET last_used_at = " + q.Bind(at) + " WHERE id = " + q.Bind(id);
            q.Exec();
            return Status::Ok();
        });
    }

    Status InsertLoginAttempt(domain::LoginAttempt& a) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "INSERT INTO login_attempt (at, user_name, user_id, client, outcome) VALUES (" + q.Bind(a.at) +
                    ", " + q.Bind(a.user_name) + ", " + q.BindOpt(a.user_id) + ", " + q.Bind(a.client) + ", " +
                    q.Bind(std::string(domain::ToString(a.outcome))) + ") RETURNING id";
            a.id = q.OneInt().value();
            return Status::Ok();
        });
    }

    Status PruneLoginAttempts(UnixSeconds before) override {
        return Guard([&]() -> Status {
            Query q(s_);
            q.sql = "DELETE FROM login_attempt WHERE at < " + q.Bind(before);
            q.Exec();
            return Status::Ok();
        });
    }

    // ---- workflow (issue 3) ----
    Result<Problem> GetProblem(ProblemId id) override {
        return Guard([&]() -> Result<Problem> { return wf_.GetProblem(id); });
    }
    Result<Opinion> GetOpinion(domain::OpinionId id) override {
        return Guard([&]() -> Result<Opinion> { return wf_.GetOpinion(id); });
    }
    Result<std::vector<Opinion>> ListOpinionsOfProblem(ProblemId id) override {
        return Guard([&]() -> Result<std::vector<Opinion>> { return wf_.OpinionsOfProblem(id); });
    }
    Result<domain::Task> GetTask(domain::TaskId id) override {
        return Guard([&]() -> Result<domain::Task> { return wf_.GetTask(id); });
    }
    Result<std::vector<domain::Task>> ListTasksOfProblem(ProblemId id) override {
        return Guard([&]() -> Result<std::vector<domain::Task>> { return wf_.TasksOfProblem(id); });
    }
    Result<domain::Evidence> GetEvidence(domain::EvidenceId id) override {
        return Guard([&]() -> Result<domain::Evidence> { return wf_.GetEvidence(id); });
    }
    Result<std::int64_t> CountReportsAfter(domain::TaskId task, domain::ReportId after_id) override {
        return Guard([&]() -> Result<std::int64_t> {
            return wf_.Count("SELECT COUNT(*) FROM progress_report WHERE task_id = ", task, after_id);
        });
    }
    Result<std::int64_t> CountEvidence(domain::TaskId task) override {
        return Guard([&]() -> Result<std::int64_t> {
            return wf_.Count("SELECT COUNT(*) FROM evidence WHERE task_id = ", task, std::nullopt);
        });
    }
    Result<domain::ReportId> LastReportId(domain::TaskId task) override {
        return Guard([&]() -> Result<domain::ReportId> {
            return wf_.Count("SELECT COALESCE(MAX(id), 0) FROM progress_report WHERE task_id = ", task, std::nullopt);
        });
    }
    Status UpdateOpinion(Opinion& o) override {
        return Guard([&]() -> Status { return wf_.UpdateOpinion(o); });
    }
    Status InsertTask(domain::Task& t) override {
        return Guard([&]() -> Status { return wf_.InsertTask(t); });
    }
    Status UpdateTask(domain::Task& t) override {
        return Guard([&]() -> Status { return wf_.UpdateTask(t); });
    }
    Status InsertProgressReport(domain::ProgressReport& r) override {
        return Guard([&]() -> Status { return wf_.InsertProgressReport(r); });
    }
    Status InsertEvidence(domain::Evidence& e) override {
        return Guard([&]() -> Status { return wf_.InsertEvidence(e); });
    }
    Status AttachEvidence(domain::EvidenceId e, domain::ReportId r) override {
        return Guard([&]() -> Status { return wf_.AttachEvidence(e, r); });
    }
    Status InsertMechanism(domain::Mechanism& m) override {
        return Guard([&]() -> Status { return wf_.InsertMechanism(m); });
    }
    Status UpdateMechanism(domain::Mechanism& m) override {
        return Guard([&]() -> Status { return wf_.UpdateMechanism(m); });
    }
    Result<domain::Mechanism> GetMechanism(domain::MechanismId id) override {
        return Guard([&]() -> Result<domain::Mechanism> { return wf_.GetMechanism(id); });
    }
    Status LinkMechanismProblem(domain::MechanismId m, ProblemId p, UnixSeconds at) override {
        return Guard([&]() -> Status { return wf_.LinkMechanismProblem(m, p, at); });
    }
    Status UnlinkMechanismProblem(domain::MechanismId m, ProblemId p) override {
        return Guard([&]() -> Status { return wf_.UnlinkMechanismProblem(m, p); });
    }
    Status InsertMeeting(domain::Meeting& m) override {
        return Guard([&]() -> Status { return wf_.InsertMeeting(m); });
    }
    Status TouchMeeting(domain::MeetingId id, std::int64_t version) override {
        return Guard([&]() -> Status { return wf_.TouchMeeting(id, version); });
    }
    Result<domain::Meeting> GetMeeting(domain::MeetingId id) override {
        return Guard([&]() -> Result<domain::Meeting> { return wf_.GetMeeting(id); });
    }
    Status InsertFinding(domain::MeetingFinding& f) override {
        return Guard([&]() -> Status { return wf_.InsertFinding(f); });
    }
    Result<domain::MeetingFinding> GetFinding(domain::FindingId id) override {
        return Guard([&]() -> Result<domain::MeetingFinding> { return wf_.GetFinding(id); });
    }
    Status SetFindingProblem(domain::FindingId id, ProblemId p) override {
        return Guard([&]() -> Status { return wf_.SetFindingProblem(id, p); });
    }
    Result<std::optional<IdempotencyRecord>> FindIdempotencyKey(const std::string& actor,
                                                                const std::string& key) override {
        return Guard([&]() -> Result<std::optional<IdempotencyRecord>> { return wf_.FindIdempotencyKey(actor, key); });
    }
    Status InsertIdempotencyKey(const IdempotencyRecord& r) override {
        return Guard([&]() -> Status { return wf_.InsertIdempotencyKey(r); });
    }
    Status CompleteIdempotencyKey(const IdempotencyRecord& r) override {
        return Guard([&]() -> Status { return wf_.CompleteIdempotencyKey(r); });
    }
    Status DeleteIdempotencyKey(const std::string& actor, const std::string& key) override {
        return Guard([&]() -> Status { return wf_.DeleteIdempotencyKey(actor, key); });
    }
    Status PurgeIdempotencyKeys(UnixSeconds before) override {
        return Guard([&]() -> Status { return wf_.PurgeIdempotencyKeys(before); });
    }

    // ---- linkage (issue 5) ----
    // ---- supervision (issue 8) ----
    Status InsertSupervisionStep(domain::SupervisionStep& step) override {
        return Guard([&]() -> Status { return sup_.InsertStep(step); });
    }
    Result<std::int64_t> CountSupervisionNumbers(UnixSeconds from, UnixSeconds to) override {
        return Guard([&]() -> Result<std::int64_t> { return sup_.CountNumbers(from, to); });
    }
    Status InsertNotification(domain::Notification& n) override {
        return Guard([&]() -> Status { return sup_.InsertNotification(n); });
    }
    Result<std::int64_t> EnqueueDeliveries(domain::NotificationId id, const std::string& org_path,
                                           const std::string& kind, const std::string& payload,
                                           UnixSeconds now) override {
        return Guard([&]() -> Result<std::int64_t> { return sup_.EnqueueDeliveries(id, org_path, kind, payload, now); });
    }
    Status MarkNotificationRead(domain::NotificationId id, std::int64_t user_id, UnixSeconds at) override {
        return Guard([&]() -> Status { return sup_.MarkRead(id, user_id, at); });
    }
    Status InsertWebhook(domain::Webhook& w) override {
        return Guard([&]() -> Status { return sup_.InsertWebhook(w); });
    }
    Status UpdateWebhook(domain::Webhook& w) override {
        return Guard([&]() -> Status { return sup_.UpdateWebhook(w); });
    }
    Status UpdateDelivery(const domain::WebhookDelivery& d) override {
        return Guard([&]() -> Status { return sup_.UpdateDelivery(d); });
    }
    Status InsertBulletin(domain::Bulletin& b) override {
        return Guard([&]() -> Status { return sup_.InsertBulletin(b); });
    }
    Status InsertTeam(domain::SupervisionTeam& t) override {
        return Guard([&]() -> Status { return sup_.InsertTeam(t); });
    }
    Status AddTeamMember(domain::TeamId team, const domain::TeamMember& m) override {
        return Guard([&]() -> Status { return sup_.AddMember(team, m); });
    }
    Status RemoveTeamMember(domain::TeamId team, std::int64_t user_id) override {
        return Guard([&]() -> Status { return sup_.RemoveMember(team, user_id); });
    }
    Status InsertTeamAssignment(domain::TeamId team, domain::TeamAssignment& a) override {
        return Guard([&]() -> Status { return sup_.InsertAssignment(team, a); });
    }
    Status EndTeamAssignment(domain::TeamId team, domain::TeamAssignmentId id, const std::string& by,
                             UnixSeconds at) override {
        return Guard([&]() -> Status { return sup_.EndAssignment(team, id, by, at); });
    }
    Result<domain::SupervisionTeam> GetTeam(domain::TeamId id) override {
        return Guard([&]() -> Result<domain::SupervisionTeam> { return sup_.GetTeam(id); });
    }

    // ---- routing rules (issue 5) ----
    Status InsertRoutingRuleSet(domain::RoutingRuleSet& set) override {
        return Guard([&]() -> Status { return route_.InsertSet(set); });
    }
    Status InsertOpinionRouting(domain::OpinionRouting& step) override {
        return Guard([&]() -> Status { return route_.InsertRouting(step); });
    }

    // ---- study and research (issue 12) ----
    Status InsertStudySession(domain::StudySession& x) override {
        return Guard([&]() -> Status { return study_.InsertSession(x); });
    }
    Status UpdateStudySession(domain::StudySession& x) override {
        return Guard([&]() -> Status { return study_.UpdateSession(x); });
    }
    Status DeleteStudySession(domain::StudySessionId id, std::int64_t version) override {
        return Guard([&]() -> Status { return study_.DeleteSession(id, version); });
    }
    Status InsertResearchVisit(domain::ResearchVisit& x) override {
        return Guard([&]() -> Status { return study_.InsertVisit(x); });
    }
    Status LinkVisitOpinion(domain::ResearchVisitId visit, domain::OpinionId opinion) override {
        return Guard([&]() -> Status { return study_.LinkOpinion(visit, opinion); });
    }
    // ---- public intake (issue 9) ----
    // ---- campaigns (issue 5) ----
    Status InsertCampaign(domain::Campaign& c) override {
        return Guard([&]() -> Status { return camp_.Insert(c); });
    }
    Status UpdateCampaign(domain::Campaign& c) override {
        return Guard([&]() -> Status { return camp_.Update(c); });
    }
    Result<domain::Campaign> GetCampaign(domain::CampaignId id) override {
        return Guard([&]() -> Result<domain::Campaign> { return camp_.Get(id); });
    }
    Status InsertSpecialItem(domain::SpecialItem& item) override {
        return Guard([&]() -> Status { return camp_.InsertItem(item); });
    }
    Status UpdateSpecialItem(domain::SpecialItem& item) override {
        return Guard([&]() -> Status { return camp_.UpdateItem(item); });
    }
    Result<domain::SpecialItem> GetSpecialItem(domain::SpecialItemId id) override {
        return Guard([&]() -> Result<domain::SpecialItem> { return camp_.GetItem(id); });
    }

    // ---- root-cause analysis and leaders' own lists (issue 12) ----
    Status InsertCauseCategory(domain::CauseCategory& c) override {
        return Guard([&]() -> Status { return cause_.InsertCategory(c); });
    }
    Status UpdateCauseCategory(domain::CauseCategory& c) override {
        return Guard([&]() -> Status { return cause_.UpdateCategory(c); });
    }
    Status PutCauseAnalysis(domain::CauseAnalysis& a) override {
        return Guard([&]() -> Status { return cause_.PutAnalysis(a); });
    }
    Status InsertSelfInspectionItem(domain::SelfInspectionItem& it) override {
        return Guard([&]() -> Status { return cause_.InsertItem(it); });
    }
    Status UpdateSelfInspectionItem(domain::SelfInspectionItem& it) override {
        return Guard([&]() -> Status { return cause_.UpdateItem(it); });
    }

    Status InsertPublicIntake(const domain::PublicIntake& intake) override {
        return Guard([&]() -> Status { return pub_.Insert(intake); });
    }
    Result<bool> TrackingCodeTaken(const std::string& code) override {
        return Guard([&]() -> Result<bool> { return pub_.CodeTaken(code); });
    }
    Result<bool> RecentPublicDuplicate(const std::string& text_hash, const std::optional<std::string>& ip_hash,
                                       const std::optional<std::string>& contact_hash, UnixSeconds since) override {
        return Guard([&]() -> Result<bool> { return pub_.RecentDuplicate(text_hash, ip_hash, contact_hash, since); });
    }

    Status InsertEscalation(domain::Escalation& e) override {
        return Guard([&]() -> Status { return link_.InsertEscalation(e); });
    }
    Status UpdateEscalation(domain::Escalation& e) override {
        return Guard([&]() -> Status { return link_.UpdateEscalation(e); });
    }
    Result<domain::Escalation> GetEscalation(domain::EscalationId id) override {
        return Guard([&]() -> Result<domain::Escalation> { return link_.GetEscalation(id); });
    }
    Result<std::vector<domain::Escalation>> ListEscalationsOfProblem(ProblemId id) override {
        return Guard([&]() -> Result<std::vector<domain::Escalation>> { return link_.EscalationsOfProblem(id); });
    }
    Status InsertCascade(domain::Cascade& c) override {
        return Guard([&]() -> Status { return link_.InsertCascade(c); });
    }
    Status SetCascadeCounts(domain::CascadeId id, std::int64_t created, std::int64_t skipped) override {
        return Guard([&]() -> Status { return link_.SetCascadeCounts(id, created, skipped); });
    }
    Result<std::pair<std::int64_t, std::int64_t>> InsertCascadeChildren(const domain::Task& child,
                                                                      const domain::CascadeTargets& targets,
                                                                      const Org& issuing) override {
        return Guard([&]() -> Result<std::pair<std::int64_t, std::int64_t>> {
            return link_.InsertCascadeChildren(child, targets, issuing);
        });
    }
    Result<std::vector<domain::TaskId>> TaskIdsOfCascade(domain::CascadeId id) override {
        return Guard([&]() -> Result<std::vector<domain::TaskId>> { return link_.TaskIdsOfCascade(id); });
    }
    Result<std::vector<domain::ChildState>> ChildStates(domain::TaskId parent) override {
        return Guard([&]() -> Result<std::vector<domain::ChildState>> { return link_.ChildStates(parent); });
    }
    Status SetDerivedProgress(domain::TaskId id, int progress) override {
        return Guard([&]() -> Status { return link_.SetDerivedProgress(id, progress); });
    }
    Status InsertCoOwner(const domain::CoOwner& c) override {
        return Guard([&]() -> Status { return link_.InsertCoOwner(c); });
    }
    Result<std::vector<domain::CoOwner>> ListCoOwners(ProblemId id) override {
        return Guard([&]() -> Result<std::vector<domain::CoOwner>> { return link_.CoOwners(id); });
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
    const detail::Dialect& dialect_;
    Reads reads_;
    WorkflowSql wf_;
    LinkageSql link_;
    SupervisionSql sup_;
    PublicSql pub_;
    RoutingSql route_;
    CampaignSql camp_;
    StudySql study_;
    CauseSql cause_;
    std::unordered_map<std::string, bool> level_cache_;
    std::vector<Event> appended_;  // events appended in this transaction, in id order
};

// ---- the store ----

class SociStore final : public Store {
public:
    SociStore(const detail::Dialect& dialect, int pool_size) : dialect_(dialect), pool_(pool_size) {}

    Status Open(const std::string& connect, int pool_size) {
        return Guard([&]() -> Status {
            for (int i = 0; i < pool_size; ++i) {
                soci::session& s = pool_.at(i);
                OpenSession(s, dialect_, connect);
                if (i == 0 && dialect_.backend == detail::Backend::kSqlite) s << "PRAGMA journal_mode = WAL";
            }
            OpenSession(writer_, dialect_, connect);
            connect_ = connect;
            return Status::Ok();
        });
    }

    // Whether the database holds a rectify schema (the schema_migration table).
    Result<bool> HasSchema() {
        std::lock_guard lock(write_mutex_);
        return Guard([&]() -> Result<bool> {
            Query q(writer_);
            q.sql = dialect_.backend == detail::Backend::kSqlite
                        ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migration'"
                        : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                          "AND table_name = 'schema_migration'";
            return q.OneInt().value_or(0) > 0;
        });
    }

    // Runs the dialect's statements that open a write transaction.
    void BeginWrite() {
        Revive(writer_, dialect_);
        for (const auto& statement : dialect_.begin_write) writer_ << statement;
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
                BeginWrite();
                try {
                    ExecScript(writer_, detail::ApplyDialect(dialect_, sources[v - 1]));
                    if (v == kAccountsSchemaVersion) ChainExistingEvents();
                    long long at = NowSeconds();
                    writer_ << "INSERT INTO schema_migration (version, applied_at) VALUES (:v, :at)", soci::use(v),
                        soci::use(at);
                    writer_ << "COMMIT";
                } catch (...) {
                    writer_ << "ROLLBACK";
                    throw;
                }
            }
            if (partition_by_province_ && !dialect_.partition_by_province.empty()) {
                BeginWrite();  // all of it or nothing: the tables are never left half converted
                try {
                    for (const auto& statement : dialect_.partition_by_province) writer_ << statement;
                    writer_ << "COMMIT";
                } catch (...) {
                    writer_ << "ROLLBACK";
                    throw;
                }
            }
            return Status::Ok();
        });
    }

    // Read on a pooled reader connection, not the writer: a health check must not wait behind a long write
    // (docs/PERFORMANCE.md#http). SQLite in WAL mode and PostgreSQL both let a reader see the last commit
    // while a write transaction is open; migrations commit before Open returns, so the value is final.
    Result<int> SchemaVersion() override {
        return Guard([&]() -> Result<int> {
            Lease lease(pool_, dialect_);
            return StoredVersion(lease.session);
        });
    }

    Status Write(const std::function<Status(WriteTx&)>& fn) override {
        std::lock_guard lock(write_mutex_);
        try {
            BeginWrite();
        } catch (const std::exception& e) {
            return FromSociError(e);
        }
        Status status;
        std::vector<Event> appended;
        try {
            SociWriteTx tx(writer_, dialect_);
            status = fn(tx);
            appended = std::move(tx.appended());
            // Wakes the other servers' followers at commit (WaitForCommit); nothing is sent on a rollback.
            if (status.ok() && !appended.empty() && !dialect_.notify_commit.empty()) writer_ << dialect_.notify_commit;
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
        if (status.ok() && observer_) observer_(appended);
        return status;
    }

    void SetCommitObserver(CommitObserver observer) override {
        std::lock_guard lock(write_mutex_);
        observer_ = std::move(observer);
    }

    // ---- several servers on one database (issue 10) ----

    bool SharedByProcesses() const override { return dialect_.backend == detail::Backend::kPostgres; }

    Result<std::int64_t> LastEventId() override {
        return Guard([&]() -> Result<std::int64_t> {
            Lease lease(pool_, dialect_);
            Query q(lease.session);
            q.sql = "SELECT COALESCE(MAX(id), 0) FROM event";
            return q.OneInt().value_or(0);
        });
    }

    Result<std::vector<Event>> ListEventsAfter(std::int64_t after_id, int limit) override {
        if (limit < 1 || limit > 10000) return InvalidArgument("limit: between 1 and 10000");
        return Guard([&]() -> Result<std::vector<Event>> {
            Lease lease(pool_, dialect_);
            Query q(lease.session);
            q.sql = std::string("SELECT ") + kEventColumns + " FROM event WHERE id > " + q.Bind(after_id) +
                    " ORDER BY id LIMIT " + std::to_string(limit);
            std::vector<Event> out;
            for (const soci::row& r : q.Rows()) out.push_back(EventFromRow(r));
            return out;
        });
    }

    Result<bool> WaitForCommit(std::chrono::milliseconds timeout) override {
        std::lock_guard lock(listen_mutex_);
        if (dialect_.backend != detail::Backend::kPostgres) {
            std::this_thread::sleep_for(timeout);
            return false;
        }
        bool reconnected = false;
        if (listener_ == nullptr || PQstatus(listener_) != CONNECTION_OK) {
            if (listener_ != nullptr) PQfinish(listener_);
            listener_ = PQconnectdb(connect_.c_str());
            if (PQstatus(listener_) != CONNECTION_OK) {
                std::string why = PQerrorMessage(listener_);
                PQfinish(listener_);
                listener_ = nullptr;
                return Unavailable("cannot open the LISTEN connection: " + why);
            }
            PGresult* r = PQexec(listener_, "LISTEN rectify_events");
            const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            PQclear(r);
            if (!ok) {
                std::string why = PQerrorMessage(listener_);
                PQfinish(listener_);
                listener_ = nullptr;
                return Unavailable("LISTEN rectify_events failed: " + why);
            }
            reconnected = true;  // commits made while nobody listened sent notifications nobody got
        }
        auto drain = [&] {
            bool any = false;
            while (PGnotify* n = PQnotifies(listener_)) {
                any = true;
                PQfreemem(n);
            }
            return any;
        };
        if (drain() || reconnected) return true;
        pollfd p{PQsocket(listener_), POLLIN, 0};
        const int ready = poll(&p, 1, static_cast<int>(timeout.count()));
        if (ready <= 0) return false;  // timeout (or EINTR: the caller calls again)
        if (PQconsumeInput(listener_) == 0 || PQstatus(listener_) != CONNECTION_OK) {
            std::string why = PQerrorMessage(listener_);
            PQfinish(listener_);
            listener_ = nullptr;
            return Unavailable("the LISTEN connection broke: " + why);
        }
        return drain();
    }

    Result<bool> RunExclusive(ExclusiveJob job, const std::function<void()>& fn) override {
        std::unique_lock local(exclusive_mutex_, std::try_to_lock);
        if (!local.owns_lock()) return false;  // running in this process
        if (dialect_.backend != detail::Backend::kPostgres) {
            fn();
            return true;
        }
        // The job's key: the writer's key (dialect.cpp) + 1 + the job's number, so it never meets the writer
        // lock. Session-level, on a connection of its own: it stays held across the job's transactions.
        const std::string key = std::to_string(kExclusiveKeyBase + static_cast<std::int64_t>(job));
        if (exclusive_conn_ == nullptr || PQstatus(exclusive_conn_) != CONNECTION_OK) {
            if (exclusive_conn_ != nullptr) PQfinish(exclusive_conn_);
            exclusive_conn_ = PQconnectdb(connect_.c_str());
            if (PQstatus(exclusive_conn_) != CONNECTION_OK) {
                std::string why = PQerrorMessage(exclusive_conn_);
                PQfinish(exclusive_conn_);
                exclusive_conn_ = nullptr;
                return Unavailable("cannot open the connection for exclusive jobs: " + why);
            }
        }
        PGresult* r = PQexec(exclusive_conn_, ("SELECT pg_try_advisory_lock(" + key + ")").c_str());
        const bool queried = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
        const bool got = queried && std::string(PQgetvalue(r, 0, 0)) == "t";
        PQclear(r);
        if (!queried) {
            std::string why = PQerrorMessage(exclusive_conn_);
            PQfinish(exclusive_conn_);  // a broken connection is re-opened next time
            exclusive_conn_ = nullptr;
            return Unavailable("pg_try_advisory_lock failed: " + why);
        }
        if (!got) return false;  // another server runs the job now
        struct Unlock {
            PGconn* conn;
            std::string sql;
            ~Unlock() { PQclear(PQexec(conn, sql.c_str())); }  // a broken connection released it already
        } unlock{exclusive_conn_, "SELECT pg_advisory_unlock(" + key + ")"};
        fn();
        return true;
    }

    ~SociStore() override {
        if (listener_ != nullptr) PQfinish(listener_);
        if (exclusive_conn_ != nullptr) PQfinish(exclusive_conn_);
    }

    Result<Org> GetOrg(OrgId id) override {
        return Guard([&]() -> Result<Org> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            return Reads(s).GetOrg(id);
        });
    }

    Result<std::vector<Org>> ListChildren(OrgId id) override {
        return Guard([&]() -> Result<std::vector<Org>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            RETURN_IF_ERROR(Reads(s).GetOrg(id));
            return Reads(s).Orgs(" WHERE parent_id = ", id);
        });
    }

    Result<std::optional<Org>> FindOrgByDivisionCode(const std::string& code) override {
        return Guard([&]() -> Result<std::optional<Org>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            return Reads(s).FindOrgWhere("division_code", code);
        });
    }

    Result<std::vector<Org>> SearchOrgs(const std::string& text, const std::vector<std::string>& subtree_paths,
                                        int limit) override {
        return Guard([&]() -> Result<std::vector<Org>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
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
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            return Reads(s).Orgs("", std::nullopt);
        });
    }

    Result<std::vector<OrgLevel>> ListLevels() override {
        return Guard([&]() -> Result<std::vector<OrgLevel>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
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
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
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
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = std::string("SELECT ") + kProblemColumns + " FROM problem WHERE id = " + q.Bind(id);
            std::vector<Problem> found;
            for (const soci::row& r : q.Rows()) found.push_back(ProblemFromRow(r));
            if (found.empty()) return NotFound("problem " + std::to_string(id) + " does not exist");
            LoadProblemItems(s, found);
            return found.front();
        });
    }

    // FROM ... WHERE ... of a problem list (without before_id, order and paging). problem_first: SQLite's
    // CROSS JOIN keeps `problem` the outer loop (ProblemFilter::walk_by_id).
    static std::string ProblemWhere(Query& q, const ProblemFilter& f, bool problem_first = false) {
        std::string sql = std::string(" FROM problem p ") + (problem_first ? "CROSS JOIN" : "JOIN") +
                          " org o ON o.id = p.owner_org_id";
        if (f.category_path) sql += " JOIN category c ON c.id = p.category_id";
        sql += " WHERE 1 = 1" + SubtreeClause(q, "o.path", f.subtree_paths);
        if (!f.statuses.empty()) {
            sql += " AND p.status IN (";
            for (std::size_t i = 0; i < f.statuses.size(); ++i) {
                sql += (i ? ", " : "") + q.Bind(std::string(domain::ToString(f.statuses[i])));
            }
            sql += ")";
        }
        if (f.category_path) sql += CategoryClause(q, *f.category_path);
        if (f.source) sql += " AND p.source = " + q.Bind(std::string(domain::ToString(*f.source)));
        sql += ProblemCutClauses(q, f.created_from, f.created_to, f.campaign_id, f.special_item_id, f.batch, f.org_kind);
        if (!f.ids.empty()) {  // a chosen set (the ledger of selected rows)
            sql += " AND p.id IN (";
            for (std::size_t i = 0; i < f.ids.size(); ++i) sql += (i ? ", " : "") + q.Bind(f.ids[i]);
            sql += ")";
        }
        if (f.cause_category_id) {  // issue 12: problems whose cause analysis names the category
            sql += " AND EXISTS (SELECT 1 FROM problem_cause pc WHERE pc.problem_id = p.id AND "
                   "pc.cause_category_id = " + q.Bind(*f.cause_category_id) + ")";
        }
        if (f.overdue) {
            std::string late = "(p.due_at IS NOT NULL AND ((p.closed_at IS NOT NULL AND p.closed_at > p.due_at) OR "
                               "(p.closed_at IS NULL AND p.status NOT IN ('invalid', 'merged') AND p.due_at < " +
                               q.Bind(f.now) + ")))";
            sql += *f.overdue ? " AND " + late : " AND NOT " + late;
        }
        return sql;
    }

    Result<std::vector<Problem>> ListProblems(const ProblemFilter& f) override {
        return Guard([&]() -> Result<std::vector<Problem>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            std::string cols;
            for (std::string_view c : SplitColumns(kProblemColumns)) cols += (cols.empty() ? "p." : ", p.") + std::string(c);
            const bool problem_first =
                f.walk_by_id && f.order == ProblemOrder::kIdDesc && s.get_backend_name() == "sqlite3";
            q.sql = "SELECT " + cols + ProblemWhere(q, f, problem_first);
            if (f.before_id) q.sql += " AND p.id < " + q.Bind(*f.before_id);
            switch (f.order) {
                case ProblemOrder::kIdDesc: q.sql += " ORDER BY p.id DESC"; break;
                case ProblemOrder::kCreatedAsc: q.sql += " ORDER BY p.created_at ASC, p.id DESC"; break;
                case ProblemOrder::kCreatedDesc: q.sql += " ORDER BY p.created_at DESC, p.id DESC"; break;
                case ProblemOrder::kDueAsc: q.sql += " ORDER BY (p.due_at IS NULL), p.due_at ASC, p.id DESC"; break;
                case ProblemOrder::kDueDesc: q.sql += " ORDER BY (p.due_at IS NULL), p.due_at DESC, p.id DESC"; break;
                case ProblemOrder::kClosedAsc: q.sql += " ORDER BY (p.closed_at IS NULL), p.closed_at ASC, p.id DESC"; break;
                case ProblemOrder::kClosedDesc:
                    q.sql += " ORDER BY (p.closed_at IS NULL), p.closed_at DESC, p.id DESC";
                    break;
            }
            q.sql += " LIMIT " + q.Bind(static_cast<std::int64_t>(f.limit));
            if (f.offset > 0) q.sql += " OFFSET " + q.Bind(f.offset);
            std::vector<Problem> out;
            for (const soci::row& r : q.Rows()) out.push_back(ProblemFromRow(r));
            LoadProblemItems(s, out);
            return out;
        });
    }

    Result<std::vector<ProblemSummary>> ListProblemSummaries(const std::vector<ProblemId>& ids) override {
        return Guard([&]() -> Result<std::vector<ProblemSummary>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            std::vector<ProblemSummary> out;
            auto read = [&](Query& q) {
                for (const soci::row& r : q.Rows()) {
                    ProblemSummary p;
                    p.id = Int(r, 0);
                    p.owner_org_id = Int(r, 1);
                    p.status = EnumOf<domain::ProblemStatus>(r, 2);
                    p.category_id = OptInt(r, 3);
                    p.source = EnumOf<domain::ProblemSource>(r, 4);
                    p.created_at = Int(r, 5);
                    p.due_at = OptInt(r, 6);
                    p.closed_at = OptInt(r, 7);
                    p.campaign_id = OptInt(r, 8);
                    out.push_back(p);
                }
            };
            // Items (issue 5): rows (problem_id, special_item_id) in id order, matched to `out` (in id order).
            auto read_items = [&](Query& q) {
                auto it = out.begin();
                for (const soci::row& r : q.Rows()) {
                    const ProblemId id = Int(r, 0);
                    it = std::lower_bound(it, out.end(), id, [](const ProblemSummary& p, ProblemId v) { return p.id < v; });
                    if (it != out.end() && it->id == id) it->special_item_ids.push_back(Int(r, 1));
                }
            };
            const std::string select =
                "SELECT id, owner_org_id, status, category_id, source, created_at, due_at, closed_at, campaign_id "
                "FROM problem";
            const std::string select_items = "SELECT problem_id, special_item_id FROM problem_special_item";
            if (ids.empty()) {
                Query q(s);
                q.sql = select + " ORDER BY id";
                read(q);
                Query items(s);
                items.sql = select_items + " ORDER BY problem_id, special_item_id";
                read_items(items);
                return out;
            }
            std::vector<ProblemId> sorted(ids);
            std::sort(sorted.begin(), sorted.end());
            sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
            constexpr std::size_t kChunk = 500;  // well under SQLite's bound-parameter limit
            for (std::size_t at = 0; at < sorted.size(); at += kChunk) {
                Query q(s);
                q.sql = select + " WHERE id IN (";
                for (std::size_t i = at; i < std::min(sorted.size(), at + kChunk); ++i) {
                    q.sql += (i > at ? ", " : "") + q.Bind(sorted[i]);
                }
                q.sql += ") ORDER BY id";
                read(q);
            }
            for (std::size_t at = 0; at < sorted.size(); at += kChunk) {
                Query q(s);
                q.sql = select_items + " WHERE problem_id IN (";
                for (std::size_t i = at; i < std::min(sorted.size(), at + kChunk); ++i) {
                    q.sql += (i > at ? ", " : "") + q.Bind(sorted[i]);
                }
                q.sql += ") ORDER BY problem_id, special_item_id";
                read_items(q);
            }
            return out;
        });
    }

    Result<std::int64_t> CountProblems(const ProblemFilter& f) override {
        return Guard([&]() -> Result<std::int64_t> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = "SELECT COUNT(*)" + ProblemWhere(q, f);
            return q.OneInt().value_or(0);
        });
    }

    Result<std::vector<domain::OpinionId>> OpinionsOfProblem(ProblemId id) override {
        return Guard([&]() -> Result<std::vector<domain::OpinionId>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = "SELECT id FROM opinion WHERE problem_id = " + q.Bind(id) + " ORDER BY id";
            std::vector<domain::OpinionId> out;
            for (const soci::row& r : q.Rows()) out.push_back(Int(r, 0));
            return out;
        });
    }

    Result<std::pair<std::int64_t, std::vector<Opinion>>> OpinionsOfProblemExcept(ProblemId id, domain::OpinionChannel except,
                                                                                  int limit) override {
        return Guard([&]() -> Result<std::pair<std::int64_t, std::vector<Opinion>>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            const std::string channel(domain::ToString(except));
            std::pair<std::int64_t, std::vector<Opinion>> out;
            Query count(s);
            count.sql = "SELECT COUNT(*) FROM opinion WHERE problem_id = " + count.Bind(id) +
                        " AND channel <> " + count.Bind(channel);
            for (const soci::row& r : count.Rows()) out.first = Int(r, 0);
            Query q(s);
            q.sql = std::string("SELECT ") + kOpinionColumns + " FROM opinion WHERE problem_id = " + q.Bind(id) +
                    " AND channel <> " + q.Bind(channel) + " ORDER BY id LIMIT " + q.Bind(std::int64_t{limit});
            for (const soci::row& r : q.Rows()) out.second.push_back(OpinionFromRow(r));
            return out;
        });
    }

    Result<Opinion> GetOpinion(domain::OpinionId id) override {
        return Guard([&]() -> Result<Opinion> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = std::string("SELECT ") + kOpinionColumns + " FROM opinion WHERE id = " + q.Bind(id);
            for (const soci::row& r : q.Rows()) return OpinionFromRow(r);
            return NotFound("opinion " + std::to_string(id) + " does not exist");
        });
    }

    Result<std::vector<Opinion>> ListOpinions(const OpinionFilter& f) override {
        return Guard([&]() -> Result<std::vector<Opinion>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
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
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
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
            ReadOpinionFigures(s, subtree_path, fig);
            return fig;
        });
    }

    Result<SubtreeFigures> OpinionFigures(const std::string& subtree_path) override {
        return Guard([&]() -> Result<SubtreeFigures> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            SubtreeFigures fig;
            ReadOpinionFigures(s, subtree_path, fig);
            return fig;
        });
    }

    // Runs `sql_before_ids` + " IN (" chunk ")" + `sql_after` for every chunk of 500 of the sorted, unique
    // `ids` (no ids: `sql_all` once), handing each row to `read`.
    template <typename Read>
    static void ReadByIds(soci::session& s, std::vector<std::int64_t> ids, const std::string& sql_all,
                          const std::string& sql_before_ids, const std::string& sql_after, Read&& read) {
        if (ids.empty()) {
            Query q(s);
            q.sql = sql_all;
            for (const soci::row& r : q.Rows()) read(r);
            return;
        }
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        constexpr std::size_t kChunk = 500;  // well under SQLite's bound-parameter limit
        for (std::size_t at = 0; at < ids.size(); at += kChunk) {
            Query q(s);
            q.sql = sql_before_ids + " IN (";
            for (std::size_t i = at; i < std::min(ids.size(), at + kChunk); ++i) {
                q.sql += (i > at ? ", " : "") + q.Bind(ids[i]);
            }
            q.sql += ")" + sql_after;
            for (const soci::row& r : q.Rows()) read(r);
        }
    }

    Result<std::map<domain::OrgId, std::string>> OrgNames(const std::vector<domain::OrgId>& ids) override {
        return Guard([&]() -> Result<std::map<domain::OrgId, std::string>> {
            std::map<domain::OrgId, std::string> out;
            if (ids.empty()) return out;
            Lease lease(pool_, dialect_);
            ReadByIds(lease.session, ids, "", "SELECT id, name FROM org WHERE id", "",
                      [&](const soci::row& r) { out.emplace(Int(r, 0), Str(r, 1)); });
            return out;
        });
    }

    Result<std::vector<OpinionFactsRow>> ListOpinionFacts(const std::vector<domain::OpinionId>& ids) override {
        return Guard([&]() -> Result<std::vector<OpinionFactsRow>> {
            Lease lease(pool_, dialect_);
            const std::string select = "SELECT id, org_id, replied_at, satisfaction FROM opinion";
            std::vector<OpinionFactsRow> out;
            ReadByIds(lease.session, ids, select + " ORDER BY id", select + " WHERE id", " ORDER BY id",
                      [&](const soci::row& r) {
                          out.push_back(OpinionFactsRow{Int(r, 0), Int(r, 1), !IsNull(r, 2),
                                                        OptEnumOf<domain::Satisfaction>(r, 3)});
                      });
            return out;
        });
    }

    Result<std::vector<ProblemLinkRow>> ListProblemLinks(const std::vector<ProblemId>& ids) override {
        return Guard([&]() -> Result<std::vector<ProblemLinkRow>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            std::map<ProblemId, ProblemLinkRow> rows;
            const std::string linked = "(SELECT problem_id FROM problem_co_owner UNION SELECT problem_id FROM "
                                       "escalation WHERE status = 'accepted')";
            ReadByIds(s, ids, "SELECT id, owner_org_id FROM problem WHERE id IN " + linked,
                      "SELECT id, owner_org_id FROM problem WHERE id", "", [&](const soci::row& r) {
                          ProblemLinkRow& row = rows[Int(r, 0)];
                          row.id = Int(r, 0);
                          row.owner_org_id = Int(r, 1);
                      });
            ReadByIds(s, ids, "SELECT problem_id, org_id FROM problem_co_owner ORDER BY problem_id, org_id",
                      "SELECT problem_id, org_id FROM problem_co_owner WHERE problem_id", " ORDER BY problem_id, org_id",
                      [&](const soci::row& r) {
                          if (auto it = rows.find(Int(r, 0)); it != rows.end()) {
                              it->second.co_owner_org_ids.push_back(Int(r, 1));
                          }
                      });
            const std::string origins = "SELECT DISTINCT problem_id, origin_org_id FROM escalation WHERE status = "
                                        "'accepted'";
            ReadByIds(s, ids, origins + " ORDER BY problem_id, origin_org_id", origins + " AND problem_id",
                      " ORDER BY problem_id, origin_org_id", [&](const soci::row& r) {
                          if (auto it = rows.find(Int(r, 0)); it != rows.end()) {
                              it->second.escalation_origin_org_ids.push_back(Int(r, 1));
                          }
                      });
            std::vector<ProblemLinkRow> out;
            out.reserve(rows.size());
            for (auto& [id, row] : rows) out.push_back(std::move(row));
            return out;
        });
    }

    Result<std::vector<CascadeRow>> ListCascadeFacts(const std::vector<domain::TaskId>& parent_task_ids) override {
        return Guard([&]() -> Result<std::vector<CascadeRow>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            std::map<domain::CascadeId, CascadeRow> rows;
            const std::string cascades = "SELECT id, org_id, created FROM task_cascade";
            ReadByIds(s, parent_task_ids, cascades, cascades + " WHERE parent_task_id", "", [&](const soci::row& r) {
                rows[Int(r, 0)] = CascadeRow{Int(r, 0), Int(r, 1), Int(r, 2), {}};
            });
            const std::string children = "SELECT c.id, t.org_id, COUNT(*) FROM task_cascade c JOIN task t ON "
                                         "t.parent_task_id = c.parent_task_id AND t.cascade_id = c.id";
            const std::string group = " GROUP BY c.id, t.org_id ORDER BY c.id, t.org_id";
            ReadByIds(s, parent_task_ids, children + group, children + " WHERE c.parent_task_id", group,
                      [&](const soci::row& r) {
                          if (auto it = rows.find(Int(r, 0)); it != rows.end()) {
                              it->second.child_task_orgs.emplace_back(Int(r, 1), Int(r, 2));
                          }
                      });
            std::vector<CascadeRow> out;
            out.reserve(rows.size());
            for (auto& [id, row] : rows) out.push_back(std::move(row));
            return out;
        });
    }

    static void ReadOpinionFigures(soci::session& s, const std::string& subtree_path, SubtreeFigures& fig) {
        Query q(s);
        q.sql = "SELECT COUNT(*), COUNT(op.replied_at), COUNT(op.satisfaction), "
                "COALESCE(SUM(CASE WHEN op.satisfaction = 'satisfied' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN op.satisfaction = 'basically_satisfied' THEN 1 ELSE 0 END), 0) "
                "FROM opinion op JOIN org o ON o.id = op.org_id WHERE 1 = 1" +
                SubtreeClause(q, "o.path", {subtree_path});
        for (const soci::row& r : q.Rows()) {
            fig.opinions = Int(r, 0);
            fig.opinions_replied = Int(r, 1);
            fig.opinions_rated = Int(r, 2);
            fig.opinions_satisfied = Int(r, 3);
            fig.opinions_basically_satisfied = Int(r, 4);
        }
    }

    Result<std::vector<Event>> ListEvents(const std::string& entity, std::int64_t entity_id) override {
        return Guard([&]() -> Result<std::vector<Event>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = std::string("SELECT ") + kEventColumns + " FROM event WHERE entity = " +
                    q.Bind(entity) + " AND entity_id = " + q.Bind(entity_id) + " ORDER BY id";
            std::vector<Event> out;
            for (const soci::row& r : q.Rows()) out.push_back(EventFromRow(r));
            return out;
        });
    }

    Result<std::int64_t> CountEvents() override {
        return Guard([&]() -> Result<std::int64_t> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = "SELECT COUNT(*) FROM event";
            return q.OneInt().value_or(0);
        });
    }

    Result<std::vector<ImportBatch>> ListImportBatches() override {
        return Guard([&]() -> Result<std::vector<ImportBatch>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
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

    // ---- accounts (issue 4) ----

    Result<domain::User> GetUser(domain::UserId id) override {
        return Guard([&]() -> Result<domain::User> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            return Reads(s).GetUser(id);
        });
    }

    Result<std::optional<domain::User>> FindUserByName(const std::string& name) override {
        return Guard([&]() -> Result<std::optional<domain::User>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            auto found = Reads(s).UserWhere("name", name);
            if (!found) return std::optional<domain::User>();
            return std::optional<domain::User>(std::move(found->user));
        });
    }

    Result<std::optional<UserCredentials>> FindCredentials(const std::string& name) override {
        return Guard([&]() -> Result<std::optional<UserCredentials>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            return Reads(s).UserWhere("name", name);
        });
    }

    Result<std::vector<domain::User>> ListUsers(const std::vector<std::string>& subtree_paths) override {
        return Guard([&]() -> Result<std::vector<domain::User>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            std::string cols;
            for (std::string_view c : SplitColumns(kUserColumns)) cols += (cols.empty() ? "u." : ", u.") + std::string(c);
            q.sql = "SELECT " + cols + " FROM app_user u JOIN org o ON o.id = u.org_id WHERE 1 = 1" +
                    SubtreeClause(q, "o.path", subtree_paths) + " ORDER BY u.id";
            std::vector<domain::User> out;
            for (const soci::row& r : q.Rows()) out.push_back(UserFromRow(r));
            Reads reads(s);
            for (auto& u : out) u.grants = reads.Grants(u.id);
            return out;
        });
    }

    Result<std::int64_t> CountUsers() override {
        return Guard([&]() -> Result<std::int64_t> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            return Reads(s).CountUsers();
        });
    }

    Result<std::optional<SessionRecord>> FindSession(const std::string& secret_hash) override {
        return Guard([&]() -> Result<std::optional<SessionRecord>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = "SELECT id, user_id, csrf_token, created_at, last_seen_at, expires_at, revoked_at FROM user_session "
                    "WHERE secret_hash = " +
                    q.Bind(secret_hash);
            std::optional<domain::Session> session;
            for (const soci::row& r : q.Rows()) {
                session = domain::Session{Int(r, 0), Int(r, 1), Str(r, 2), Int(r, 3), Int(r, 4), Int(r, 5), OptInt(r, 6)};
                break;
            }
            if (!session) return std::optional<SessionRecord>();
            ASSIGN_OR_RETURN(domain::User user, Reads(s).GetUser(session->user_id));
            return std::optional<SessionRecord>(SessionRecord{std::move(*session), std::move(user)});
        });
    }

    Result<std::optional<TokenRecord>> FindToken(const std::string& secret_hash) override {
        return Guard([&]() -> Result<std::optional<TokenRecord>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Reads reads(s);
            Query q(s);
            auto token = reads.TokenWhere("secret_hash", q.Bind(secret_hash), q);
            if (!token) return std::optional<TokenRecord>();
            ASSIGN_OR_RETURN(domain::User user, reads.GetUser(token->user_id));
            return std::optional<TokenRecord>(TokenRecord{std::move(*token), std::move(user)});
        });
    }

    Result<domain::ApiToken> GetToken(domain::TokenId id) override {
        return Guard([&]() -> Result<domain::ApiToken> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            auto token = Reads(s).TokenWhere("id", q.Bind(id), q);
            if (!token) return NotFound("token " + std::to_string(id) + " does not exist");
            return std::move(*token);
        });
    }

    Result<std::vector<domain::ApiToken>> ListTokens(domain::UserId user_id) override {
        return Guard([&]() -> Result<std::vector<domain::ApiToken>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = std::string("SELECT ") + kTokenColumns + " FROM api_token WHERE user_id = " + q.Bind(user_id) +
                    " ORDER BY id";
            std::vector<domain::ApiToken> out;
            for (const soci::row& r : q.Rows()) out.push_back(TokenFromRow(r));
            Reads reads(s);
            for (auto& t : out) t.grants = reads.TokenGrants(t.id);
            return out;
        });
    }

    Result<std::vector<domain::LoginAttempt>> ListLoginAttempts(int limit) override {
        return Guard([&]() -> Result<std::vector<domain::LoginAttempt>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            q.sql = "SELECT id, at, user_name, user_id, client, outcome FROM login_attempt ORDER BY id DESC LIMIT " +
                    q.Bind(static_cast<std::int64_t>(limit));
            std::vector<domain::LoginAttempt> out;
            for (const soci::row& r : q.Rows()) {
                out.push_back(domain::LoginAttempt{Int(r, 0), Int(r, 1), Str(r, 2), OptInt(r, 3), Str(r, 4),
                                                   EnumOf<domain::LoginOutcome>(r, 5)});
            }
            return out;
        });
    }

    // ---- audit (issue 4) ----

    Result<std::vector<Event>> ListAuditEvents(const AuditFilter& f) override {
        return Guard([&]() -> Result<std::vector<Event>> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            Query q(s);
            std::string cols;
            for (std::string_view c : SplitColumns(kEventColumns)) cols += (cols.empty() ? "e." : ", e.") + std::string(c);
            q.sql = "SELECT " + cols + " FROM event e";
            if (!f.subtree_paths.empty()) q.sql += " JOIN org o ON o.id = e.org_id";
            q.sql += " WHERE 1 = 1" + SubtreeClause(q, "o.path", f.subtree_paths);
            if (f.from) q.sql += " AND e.at >= " + q.Bind(*f.from);
            if (f.to) q.sql += " AND e.at < " + q.Bind(*f.to);
            if (f.after_id) q.sql += " AND e.id > " + q.Bind(*f.after_id);
            q.sql += " ORDER BY e.id LIMIT " + q.Bind(static_cast<std::int64_t>(f.limit));
            std::vector<Event> out;
            for (const soci::row& r : q.Rows()) out.push_back(EventFromRow(r));
            return out;
        });
    }

    Result<ChainReport> VerifyChain() override {
        return Guard([&]() -> Result<ChainReport> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            // One read transaction: the whole walk sees one snapshot even while the server appends.
            s << "BEGIN";
            ChainReport report;
            report.head_hash = kGenesisHash;
            std::int64_t last_id = 0;
            try {
                for (bool more = true; more && report.ok();) {
                    Query q(s);
                    q.sql = std::string("SELECT ") + kEventColumns + " FROM event WHERE id > " + q.Bind(last_id) +
                            " ORDER BY id LIMIT 5000";
                    more = false;
                    for (const soci::row& r : q.Rows()) {
                        more = true;
                        Event e = EventFromRow(r);
                        auto broken = [&](std::int64_t id, std::string why) {
                            report.first_broken_id = id;
                            report.reason = std::move(why);
                        };
                        if (e.id != last_id + 1) {
                            broken(last_id + 1, "event " + std::to_string(last_id + 1) +
                                                    " is missing (the next stored event is " + std::to_string(e.id) + ")");
                        } else if (e.prev_hash != report.head_hash) {
                            broken(e.id, "event " + std::to_string(e.id) + ": prev_hash is not the hash of " +
                                             (last_id ? "event " + std::to_string(last_id) : std::string("the genesis")));
                        } else if (e.hash != ChainHash(e.prev_hash, e)) {
                            broken(e.id, "event " + std::to_string(e.id) +
                                             ": the stored hash does not match its content (altered)");
                        }
                        if (!report.ok()) break;
                        ++report.events;
                        last_id = e.id;
                        report.head_id = e.id;
                        report.head_hash = e.hash;
                    }
                }
            } catch (...) {
                s << "ROLLBACK";
                throw;
            }
            s << "ROLLBACK";
            return report;
        });
    }

    // ---- workflow (issue 3) ----
    // Runs `fn` with WorkflowSql on a pooled session.
    template <typename T, typename F>
    Result<T> PoolRead(F&& fn) {
        return Guard([&]() -> Result<T> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            WorkflowSql wf(s);
            return fn(wf);
        });
    }
    Result<domain::Task> GetTask(domain::TaskId id) override {
        return PoolRead<domain::Task>([&](WorkflowSql& wf) { return wf.GetTask(id); });
    }
    Result<std::vector<domain::Task>> ListTasksOfProblems(const std::vector<ProblemId>& ids) override {
        return PoolRead<std::vector<domain::Task>>([&](WorkflowSql& wf) { return wf.TasksOfProblems(ids); });
    }
    Result<std::vector<domain::Task>> ListTasksOfProblem(ProblemId id) override {
        return PoolRead<std::vector<domain::Task>>([&](WorkflowSql& wf) { return wf.TasksOfProblem(id); });
    }
    Result<std::vector<domain::ProgressReport>> ListProgressReports(domain::TaskId task) override {
        return PoolRead<std::vector<domain::ProgressReport>>([&](WorkflowSql& wf) { return wf.Reports(task); });
    }
    Result<std::vector<domain::Evidence>> ListEvidence(domain::TaskId task) override {
        return PoolRead<std::vector<domain::Evidence>>([&](WorkflowSql& wf) { return wf.EvidenceOfTask(task); });
    }
    Result<domain::Evidence> GetEvidence(domain::EvidenceId id) override {
        return PoolRead<domain::Evidence>([&](WorkflowSql& wf) { return wf.GetEvidence(id); });
    }
    Result<domain::Mechanism> GetMechanism(domain::MechanismId id) override {
        return PoolRead<domain::Mechanism>([&](WorkflowSql& wf) { return wf.GetMechanism(id); });
    }
    Result<std::vector<domain::Mechanism>> ListMechanisms(const MechanismFilter& f) override {
        return PoolRead<std::vector<domain::Mechanism>>([&](WorkflowSql& wf) { return wf.ListMechanisms(f); });
    }
    Result<domain::Meeting> GetMeeting(domain::MeetingId id) override {
        return PoolRead<domain::Meeting>([&](WorkflowSql& wf) { return wf.GetMeeting(id); });
    }
    Result<std::vector<domain::Meeting>> ListMeetings(const MeetingFilter& f) override {
        return PoolRead<std::vector<domain::Meeting>>([&](WorkflowSql& wf) { return wf.ListMeetings(f); });
    }
    Result<std::vector<domain::MeetingFinding>> ListFindings(domain::MeetingId meeting) override {
        return PoolRead<std::vector<domain::MeetingFinding>>([&](WorkflowSql& wf) { return wf.Findings(meeting); });
    }

    // ---- supervision (issue 8) ----
    template <typename T, typename F>
    Result<T> SupRead(F&& fn) {
        return Guard([&]() -> Result<T> {
            soci::session s(pool_);
            SupervisionSql sup(s);
            return fn(sup);
        });
    }
    // ---- routing rules (issue 5) ----
    template <typename T, typename F>
    Result<T> RouteRead(F&& fn) {
        return Guard([&]() -> Result<T> {
            Lease lease(pool_, dialect_);
            RoutingSql route(lease.session);
            return fn(route);
        });
    }
    Result<domain::RoutingRuleSet> GetRoutingRuleSet(std::optional<int> version) override {
        return RouteRead<domain::RoutingRuleSet>([&](RoutingSql& x) { return x.GetSet(version); });
    }
    Result<std::vector<domain::RoutingRule>> RoutingRulesFor(const std::vector<std::string>& areas) override {
        return RouteRead<std::vector<domain::RoutingRule>>([&](RoutingSql& x) { return x.RulesFor(areas); });
    }
    Result<std::vector<domain::OpinionRouting>> ListOpinionRouting(domain::OpinionId id) override {
        return RouteRead<std::vector<domain::OpinionRouting>>([&](RoutingSql& x) { return x.History(id); });
    }

    // ---- public intake (issue 9) ----
    template <typename T, typename F>
    Result<T> PubRead(F&& fn) {
        return Guard([&]() -> Result<T> {
            Lease lease(pool_, dialect_);
            PublicSql pub(lease.session);
            return fn(pub);
        });
    }
    // ---- campaigns (issue 5) ----
    template <typename T, typename F>
    Result<T> CampRead(F&& fn) {
        return Guard([&]() -> Result<T> {
            Lease lease(pool_, dialect_);
            CampaignSql camp(lease.session);
            return fn(camp);
        });
    }
    // ---- root-cause analysis and leaders' own lists (issue 12) ----
    template <typename T, typename F>
    Result<T> CauseRead(F&& fn) {
        return Guard([&]() -> Result<T> {
            Lease lease(pool_, dialect_);
            CauseSql cause(lease.session);
            return fn(cause);
        });
    }
    Result<std::vector<domain::CauseCategory>> ListCauseCategories() override {
        return CauseRead<std::vector<domain::CauseCategory>>([&](CauseSql& x) { return x.Categories(); });
    }
    Result<domain::CauseCategory> GetCauseCategory(domain::CauseCategoryId id) override {
        return CauseRead<domain::CauseCategory>([&](CauseSql& x) { return x.Category(id); });
    }
    Result<std::optional<domain::CauseAnalysis>> GetCauseAnalysis(domain::ProblemId problem) override {
        return CauseRead<std::optional<domain::CauseAnalysis>>([&](CauseSql& x) { return x.Analysis(problem); });
    }
    Result<CauseReport> CauseFigures(const CauseFigureFilter& filter) override {
        return CauseRead<CauseReport>([&](CauseSql& x) { return x.Figures(filter); });
    }
    Result<domain::SelfInspectionItem> GetSelfInspectionItem(domain::SelfInspectionItemId id) override {
        return CauseRead<domain::SelfInspectionItem>([&](CauseSql& x) { return x.Item(id); });
    }
    Result<std::vector<domain::SelfInspectionItem>> ListSelfInspectionItems(
        const std::string& subtree_path, std::optional<domain::OrgId> only_org,
        std::optional<domain::SelfInspectionKind> kind) override {
        return CauseRead<std::vector<domain::SelfInspectionItem>>(
            [&](CauseSql& x) { return x.Items(subtree_path, only_org, kind); });
    }
    Result<SelfInspectionFigures> SelfInspectionFiguresOf(const std::string& subtree_path, const std::string& today,
                                                          UnixSeconds created_before) override {
        return CauseRead<SelfInspectionFigures>(
            [&](CauseSql& x) { return x.ItemFigures(subtree_path, today, created_before); });
    }

    Result<domain::Campaign> GetCampaign(domain::CampaignId id) override {
        return CampRead<domain::Campaign>([&](CampaignSql& x) { return x.Get(id); });
    }
    Result<std::optional<domain::Campaign>> FindCampaignByCode(const std::string& code) override {
        return CampRead<std::optional<domain::Campaign>>([&](CampaignSql& x) { return x.ByCode(code); });
    }
    Result<std::vector<domain::Campaign>> ListCampaigns() override {
        return CampRead<std::vector<domain::Campaign>>([&](CampaignSql& x) { return x.List(); });
    }
    Result<domain::SpecialItem> GetSpecialItem(domain::SpecialItemId id) override {
        return CampRead<domain::SpecialItem>([&](CampaignSql& x) { return x.GetItem(id); });
    }
    Result<std::vector<domain::SpecialItem>> ListSpecialItems(domain::CampaignId campaign) override {
        return CampRead<std::vector<domain::SpecialItem>>([&](CampaignSql& x) { return x.Items(campaign, {}); });
    }
    Result<std::vector<domain::SpecialItem>> GetSpecialItems(const std::vector<domain::SpecialItemId>& ids) override {
        return CampRead<std::vector<domain::SpecialItem>>([&](CampaignSql& x) { return x.Items(std::nullopt, ids); });
    }
    Result<SpecialItemReport> SpecialItemFigures(domain::CampaignId campaign, const std::string& subtree_path,
                                                 UnixSeconds now, const std::map<int, UnixSeconds>& batch_ends) override {
        return CampRead<SpecialItemReport>(
            [&](CampaignSql& x) { return x.Figures(campaign, subtree_path, now, batch_ends); });
    }

    // ---- study and research (issue 12) ----
    template <typename T, typename F>
    Result<T> StudyRead(F&& fn) {
        return Guard([&]() -> Result<T> {
            Lease lease(pool_, dialect_);
            StudySql study(lease.session);
            return fn(study);
        });
    }
    Result<domain::StudySession> GetStudySession(domain::StudySessionId id) override {
        return StudyRead<domain::StudySession>([&](StudySql& x) { return x.GetSession(id); });
    }
    Result<std::vector<domain::StudySession>> ListStudySessions(const StudyListFilter& f) override {
        return StudyRead<std::vector<domain::StudySession>>([&](StudySql& x) { return x.ListSessions(f); });
    }
    Result<domain::ResearchVisit> GetResearchVisit(domain::ResearchVisitId id) override {
        return StudyRead<domain::ResearchVisit>([&](StudySql& x) { return x.GetVisit(id); });
    }
    Result<std::vector<domain::ResearchVisit>> ListResearchVisits(const StudyListFilter& f) override {
        return StudyRead<std::vector<domain::ResearchVisit>>([&](StudySql& x) { return x.ListVisits(f); });
    }
    Result<std::vector<domain::Opinion>> ListVisitOpinions(domain::ResearchVisitId visit) override {
        return StudyRead<std::vector<domain::Opinion>>([&](StudySql& x) { return x.VisitOpinions(visit); });
    }
    Result<std::optional<domain::ResearchVisitId>> VisitOfOpinion(domain::OpinionId opinion) override {
        return StudyRead<std::optional<domain::ResearchVisitId>>([&](StudySql& x) { return x.VisitOf(opinion); });
    }
    Result<StudyFiguresRows> StudyFigures(const std::string& path, const std::optional<std::string>& from,
                                          const std::optional<std::string>& to) override {
        return StudyRead<StudyFiguresRows>([&](StudySql& x) { return x.Figures(path, from, to); });
    }
    Result<std::vector<InactiveStudyRow>> ListInactiveStudyOrgs(const InactiveStudyFilter& f) override {
        return StudyRead<std::vector<InactiveStudyRow>>([&](StudySql& x) { return x.Inactive(f); });
    }
    Result<std::int64_t> CountInactiveStudyOrgs(const InactiveStudyFilter& f) override {
        return StudyRead<std::int64_t>([&](StudySql& x) { return x.CountInactive(f); });
    }

    Result<domain::PublicIntake> GetPublicIntakeByCode(const std::string& code) override {
        return PubRead<domain::PublicIntake>([&](PublicSql& x) { return x.ByCode(code); });
    }
    Result<domain::PublicIntake> GetPublicIntake(domain::OpinionId opinion_id) override {
        return PubRead<domain::PublicIntake>([&](PublicSql& x) { return x.ByOpinion(opinion_id); });
    }
    Result<std::vector<domain::PublicIntake>> ListPublicIntakes(const PublicIntakeFilter& filter) override {
        return PubRead<std::vector<domain::PublicIntake>>([&](PublicSql& x) { return x.List(filter); });
    }
    Result<std::vector<PublicRequestRow>> ListPublicRequests(const PublicIntakeFilter& filter) override {
        return PubRead<std::vector<PublicRequestRow>>([&](PublicSql& x) { return x.Requests(filter); });
    }

    Result<std::vector<domain::SupervisionStep>> ListSupervisionSteps(domain::TaskId task) override {
        return SupRead<std::vector<domain::SupervisionStep>>([&](SupervisionSql& x) { return x.Steps(task); });
    }
    Result<std::vector<LadderCandidate>> LadderCandidates(UnixSeconds now,
                                                          std::optional<std::pair<UnixSeconds, domain::TaskId>> after,
                                                          int limit) override {
        return SupRead<std::vector<LadderCandidate>>([&](SupervisionSql& x) { return x.Candidates(now, after, limit); });
    }
    Result<std::vector<QueueRow>> ListQueue(const QueueFilter& f) override {
        return SupRead<std::vector<QueueRow>>([&](SupervisionSql& x) { return x.Queue(f); });
    }
    Result<std::int64_t> CountQueue(const QueueFilter& f) override {
        return SupRead<std::int64_t>([&](SupervisionSql& x) { return x.CountQueue(f); });
    }
    Result<std::vector<EscalationQueueRow>> ListPendingEscalations(const std::vector<std::string>& to_paths,
                                                                   std::int64_t offset, int limit) override {
        return SupRead<std::vector<EscalationQueueRow>>(
            [&](SupervisionSql& x) { return x.PendingEscalations(to_paths, offset, limit); });
    }
    Result<std::int64_t> CountPendingEscalations(const std::vector<std::string>& to_paths) override {
        return SupRead<std::int64_t>([&](SupervisionSql& x) { return x.CountPendingEscalations(to_paths); });
    }
    Result<std::vector<TaskActivity>> ListTaskActivity(const TaskActivityFilter& f) override {
        return SupRead<std::vector<TaskActivity>>([&](SupervisionSql& x) { return x.TaskActivities(f); });
    }
    Result<std::vector<StepAt>> ListStepsAt(domain::SupervisionKind kind,
                                            const std::vector<domain::TaskId>& task_ids) override {
        return SupRead<std::vector<StepAt>>([&](SupervisionSql& x) { return x.StepsAt(kind, task_ids); });
    }
    Result<std::int64_t> CountSupervisionSteps(const std::string& subtree_path, domain::SupervisionKind kind,
                                               UnixSeconds from, UnixSeconds to) override {
        return SupRead<std::int64_t>([&](SupervisionSql& x) { return x.CountSteps(subtree_path, kind, from, to); });
    }
    Result<domain::BulletinRow> BulletinFigures(const std::string& subtree_path, UnixSeconds from, UnixSeconds to,
                                                UnixSeconds now, const ProblemTagCut& cut) override {
        return SupRead<domain::BulletinRow>(
            [&](SupervisionSql& x) { return x.Figures(subtree_path, from, to, now, cut); });
    }
    Result<std::vector<Opinion>> ListOverdueOpinions(const std::vector<std::string>& subtree_paths, UnixSeconds now,
                                                     std::int64_t offset, int limit) override {
        return SupRead<std::vector<Opinion>>(
            [&](SupervisionSql& x) { return x.OverdueOpinions(subtree_paths, now, offset, limit); });
    }
    Result<std::int64_t> CountOverdueOpinions(const std::vector<std::string>& subtree_paths, UnixSeconds now) override {
        return SupRead<std::int64_t>([&](SupervisionSql& x) { return x.CountOverdueOpinions(subtree_paths, now); });
    }
    Result<domain::OpinionSlaCounts> OpinionSlaFigures(const std::string& subtree_path, UnixSeconds from,
                                                       UnixSeconds to, UnixSeconds now) override {
        return SupRead<domain::OpinionSlaCounts>(
            [&](SupervisionSql& x) { return x.OpinionSla(subtree_path, from, to, now); });
    }
    Result<domain::Bulletin> GetBulletin(domain::BulletinId id) override {
        return SupRead<domain::Bulletin>([&](SupervisionSql& x) { return x.GetBulletin(id); });
    }
    Result<std::vector<domain::Bulletin>> ListBulletins(const std::vector<std::string>& paths, int limit) override {
        return SupRead<std::vector<domain::Bulletin>>([&](SupervisionSql& x) { return x.Bulletins(paths, limit); });
    }
    Result<std::vector<domain::Notification>> ListNotifications(const NotificationFilter& f) override {
        return SupRead<std::vector<domain::Notification>>([&](SupervisionSql& x) { return x.Notifications(f); });
    }
    Result<std::int64_t> CountUnreadNotifications(domain::OrgId org_id, std::int64_t user_id) override {
        return SupRead<std::int64_t>([&](SupervisionSql& x) { return x.CountUnread(org_id, user_id); });
    }
    Result<domain::Notification> GetNotification(domain::NotificationId id) override {
        return SupRead<domain::Notification>([&](SupervisionSql& x) { return x.GetNotification(id); });
    }
    Result<domain::Webhook> GetWebhook(domain::WebhookId id) override {
        return SupRead<domain::Webhook>([&](SupervisionSql& x) { return x.GetWebhook(id); });
    }
    Result<std::vector<domain::Webhook>> ListWebhooks(const std::vector<std::string>& paths) override {
        return SupRead<std::vector<domain::Webhook>>([&](SupervisionSql& x) { return x.Webhooks(paths); });
    }
    Result<std::vector<domain::WebhookDelivery>> DueDeliveries(UnixSeconds now, int limit) override {
        return SupRead<std::vector<domain::WebhookDelivery>>([&](SupervisionSql& x) { return x.Due(now, limit); });
    }
    Result<std::vector<domain::WebhookDelivery>> ListDeliveries(domain::WebhookId id, int limit) override {
        return SupRead<std::vector<domain::WebhookDelivery>>([&](SupervisionSql& x) { return x.Deliveries(id, limit); });
    }
    Result<domain::SupervisionTeam> GetTeam(domain::TeamId id) override {
        return SupRead<domain::SupervisionTeam>([&](SupervisionSql& x) { return x.GetTeam(id); });
    }
    Result<std::vector<domain::SupervisionTeam>> ListTeams(const std::vector<std::string>& paths) override {
        return SupRead<std::vector<domain::SupervisionTeam>>([&](SupervisionSql& x) { return x.Teams(paths); });
    }
    Result<std::vector<domain::Grant>> TeamGrantsOfUser(std::int64_t user_id) override {
        return SupRead<std::vector<domain::Grant>>([&](SupervisionSql& x) { return x.TeamGrants(user_id); });
    }

    // ---- linkage (issue 5) ----
    template <typename T, typename F>
    Result<T> LinkRead(F&& fn) {
        return Guard([&]() -> Result<T> {
            Lease lease(pool_, dialect_);
            soci::session& s = lease.session;
            LinkageSql link(s);
            return fn(link);
        });
    }
    Result<domain::Escalation> GetEscalation(domain::EscalationId id) override {
        return LinkRead<domain::Escalation>([&](LinkageSql& l) { return l.GetEscalation(id); });
    }
    Result<std::vector<domain::Escalation>> ListEscalationsOfProblem(ProblemId id) override {
        return LinkRead<std::vector<domain::Escalation>>([&](LinkageSql& l) { return l.EscalationsOfProblem(id); });
    }
    Result<std::vector<OrgId>> EscalationReaders(ProblemId id) override {
        return LinkRead<std::vector<OrgId>>([&](LinkageSql& l) { return l.EscalationReaders(id); });
    }
    Result<std::vector<std::pair<OrgId, std::int64_t>>> EscalatedFrom(const std::string& path) override {
        return LinkRead<std::vector<std::pair<OrgId, std::int64_t>>>(
            [&](LinkageSql& l) { return l.EscalatedFrom(path); });
    }
    Result<std::vector<domain::ChildState>> ChildStates(domain::TaskId parent) override {
        return LinkRead<std::vector<domain::ChildState>>([&](LinkageSql& l) { return l.ChildStates(parent); });
    }
    Result<std::vector<domain::CoOwner>> ListCoOwners(ProblemId id) override {
        return LinkRead<std::vector<domain::CoOwner>>([&](LinkageSql& l) { return l.CoOwners(id); });
    }
    Result<SubtreeLinkFigures> LinkFigures(const std::string& path) override {
        return LinkRead<SubtreeLinkFigures>([&](LinkageSql& l) { return l.LinkFigures(path); });
    }
    Result<std::vector<domain::Task>> ListChildTasks(domain::TaskId parent, domain::TaskId after_id,
                                                     int limit) override {
        return LinkRead<std::vector<domain::Task>>(
            [&](LinkageSql& l) { return l.ChildTasks(parent, after_id, limit); });
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

    // Migration 3's (003_accounts.sql) step that SQL cannot do: computes org_id, prev_hash and hash of the events stored
    // before the chain existed (in id order, inside the migration's transaction), then makes the table
    // append-only for the application (the dialect's triggers refuse UPDATE and DELETE).
    void ChainExistingEvents() {
        Reads reads(writer_);
        std::string prev = kGenesisHash;
        std::vector<Event> events;
        {
            Query q(writer_);
            q.sql = std::string("SELECT ") + kEventColumns + " FROM event ORDER BY id";
            for (const soci::row& r : q.Rows()) events.push_back(EventFromRow(r));
        }
        for (auto& e : events) {
            e.org_id = reads.EventOrg(e);
            e.prev_hash = prev;
            e.hash = ChainHash(prev, e);
            prev = e.hash;
            Query u(writer_);
            u.sql = "UPDATE event SET org_id = " + u.BindOpt(e.org_id) + ", prev_hash = " + u.Bind(e.prev_hash) +
                    ", hash = " + u.Bind(e.hash) + " WHERE id = " + u.Bind(e.id);
            u.Exec();
        }
        for (const auto& statement : dialect_.append_only_event_triggers) writer_ << statement;
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

public:
    // Whether Migrate also converts problem, task and opinion to the partitioned layout
    // (Dialect::partition_by_province; set before Migrate by OpenPostgres from rectify_layout=partitioned).
    void SetPartitionByProvince(bool on) { partition_by_province_ = on; }

private:
    bool partition_by_province_ = false;
    const detail::Dialect& dialect_;
    soci::connection_pool pool_;
    soci::session writer_;
    std::mutex write_mutex_;
    CommitObserver observer_;  // guarded by write_mutex_
    // The connection string the sessions were opened with (libpq key='value' pairs on PostgreSQL).
    std::string connect_;
    // WaitForCommit's LISTEN connection (PostgreSQL), guarded by listen_mutex_.
    std::mutex listen_mutex_;
    PGconn* listener_ = nullptr;
    // RunExclusive's connection for session-level advisory locks (PostgreSQL), guarded by exclusive_mutex_
    // (one exclusive job at a time per process).
    std::mutex exclusive_mutex_;
    PGconn* exclusive_conn_ = nullptr;
    // The advisory lock keys of exclusive jobs: "rectify" in ASCII (the writer's key, dialect.cpp) + 1 + job.
    static constexpr std::int64_t kExclusiveKeyBase = 32199672347075445;
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

bool Store::IsPostgresUrl(const std::string& db) {
    return db.rfind("postgresql://", 0) == 0 || db.rfind("postgres://", 0) == 0;
}

// `conninfo` (a URL or key=value pairs) as libpq key='value' pairs: SOCI's PostgreSQL backend parses the
// connection string as key=value options itself and mangles a URL. Errors: kInvalidArgument.
static Result<std::string> KeyValueConninfo(const std::string& conninfo) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
    if (options == nullptr) {
        std::string why = error ? error : "out of memory";
        PQfreemem(error);
        return InvalidArgument("not a PostgreSQL connection URL: " + Store::RedactPassword(conninfo) + " (" + why + ")");
    }
    std::string out;
    for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val == nullptr || *o->val == '\0') continue;
        std::string value;
        for (const char* c = o->val; *c; ++c) {
            if (*c == '\'' || *c == '\\') value += '\\';
            value += *c;
        }
        out += (out.empty() ? "" : " ") + std::string(o->keyword) + "='" + value + "'";
    }
    PQconninfoFree(options);
    return out;
}

// Takes rectify's own URL parameter out of a postgresql:// URL (libpq refuses parameters it does not know):
// "rectify_layout=partitioned" asks for the partitioned layout (docs/SCALING.md "Partitioning"),
// "rectify_layout=plain" for none. Sets `partitioned`; returns the URL without it. Errors:
// kInvalidArgument (another value).
static Result<std::string> TakeLayoutParameter(const std::string& conninfo, bool& partitioned) {
    partitioned = false;
    const std::size_t query = conninfo.find('?');
    if (!Store::IsPostgresUrl(conninfo) || query == std::string::npos) return conninfo;
    std::string kept;
    std::string_view rest(conninfo);
    rest.remove_prefix(query + 1);
    while (true) {
        const std::size_t amp = rest.find('&');
        const std::string_view param = rest.substr(0, amp);
        constexpr std::string_view kKey = "rectify_layout=";
        if (param.substr(0, kKey.size()) == kKey) {
            const std::string_view value = param.substr(kKey.size());
            if (value == "partitioned") {
                partitioned = true;
            } else if (value != "plain") {
                return InvalidArgument("rectify_layout in the PostgreSQL URL: \"" + std::string(value) +
                                       "\" is not a layout (partitioned or plain)");
            }
        } else if (!param.empty()) {
            kept += (kept.empty() ? "" : "&") + std::string(param);
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return conninfo.substr(0, query) + (kept.empty() ? "" : "?" + kept);
}

Result<std::string> Store::LibpqUrl(const std::string& url) {
    bool partitioned = false;
    return TakeLayoutParameter(url, partitioned);
}

Result<std::unique_ptr<Store>> Store::OpenPostgres(const std::string& url, OpenMode mode, int pool_size) {
    if (pool_size < 1) pool_size = 1;
    bool partitioned = false;
    ASSIGN_OR_RETURN(std::string conninfo, TakeLayoutParameter(url, partitioned));
    ASSIGN_OR_RETURN(std::string key_values, KeyValueConninfo(conninfo));
    auto store = std::make_unique<SociStore>(detail::PostgresDialect(), pool_size);
    store->SetPartitionByProvince(partitioned);
    Status opened = store->Open(key_values, pool_size);
    if (!opened.ok()) {
        return Unavailable("cannot connect to PostgreSQL at " + RedactPassword(conninfo) + ": " + opened.message());
    }
    if (mode == OpenMode::kMustExist) {
        ASSIGN_OR_RETURN(bool has_schema, store->HasSchema());
        if (!has_schema) {
            return NotFound("the PostgreSQL database " + RedactPassword(conninfo) +
                            " holds no rectify schema; create it with `rectify init`");
        }
    }
    RETURN_IF_ERROR(store->Migrate());
    return std::unique_ptr<Store>(std::move(store));
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& db, OpenMode mode, int pool_size) {
    if (IsPostgresUrl(db)) return OpenPostgres(db, mode, pool_size);
    return OpenSqlite(db, mode, pool_size);
}

std::string Store::RedactPassword(const std::string& db) {
    if (!IsPostgresUrl(db)) return db;
    std::size_t scheme = db.find("://") + 3;
    std::size_t at = db.find('@', scheme);
    if (at == std::string::npos) return db;
    std::size_t colon = db.find(':', scheme);
    if (colon == std::string::npos || colon > at) return db;
    return db.substr(0, colon + 1) + "***" + db.substr(at);
}

}  // namespace rectify::store
