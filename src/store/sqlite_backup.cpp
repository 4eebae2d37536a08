// Backup and restore of a SQLite database through SQLite's online backup API (sqlite3_backup_*,
// https://www.sqlite.org/backup.html), directly on the C API: SOCI has no wrapper for it.
#include <sqlite3.h>

#include <filesystem>
#include <memory>

#include "store/store.hpp"

namespace rectify::store {
namespace {

namespace fs = std::filesystem;

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

Result<Db> OpenDb(const std::string& path, int flags) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) {
        return Unavailable("cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_busy_timeout(raw, 10000);
    return db;
}

// Copies every page of `from` into `to` in one step (one read transaction on `from`: a consistent
// snapshot, even while another connection writes, since WAL readers do not block the writer).
Status CopyDb(sqlite3* from, sqlite3* to, const std::string& what) {
    sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) return Internal(what + ": " + sqlite3_errmsg(to));
    int rc = SQLITE_OK;
    // BUSY/LOCKED: another connection holds a conflicting lock for a moment; retry for up to ~10 s.
    for (int attempt = 0; attempt < 1000; ++attempt) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        sqlite3_sleep(10);
    }
    const int finish = sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) return Unavailable(what + ": " + sqlite3_errstr(rc));
    if (finish != SQLITE_OK) return Internal(what + ": " + sqlite3_errmsg(to));
    return Status::Ok();
}

Result<std::string> IntegrityOf(sqlite3* db) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) != SQLITE_OK) {
        return Internal(std::string("integrity_check: ") + sqlite3_errmsg(db));
    }
    std::string out;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!out.empty()) out += "; ";
        const unsigned char* text = sqlite3_column_text(st, 0);
        out += text ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return Internal(std::string("integrity_check: ") + sqlite3_errmsg(db));
    return out;
}

void RemoveDbFiles(const std::string& path) {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
}

}  // namespace

Status PostgresBackupUnsupported(const std::string& command) {
    return FailedPrecondition("`rectify " + command +
                              "` works on SQLite database files only; for a PostgreSQL database use pg_dump "
                              "(backup) and pg_restore or psql (restore), and copy the evidence folder (--blob-dir) "
                              "alongside");
}

Result<std::string> IntegrityCheck(const std::string& db) {
    if (Store::IsPostgresUrl(db)) return PostgresBackupUnsupported("backup");
    if (!fs::exists(db)) return NotFound("database " + db + " does not exist");
    ASSIGN_OR_RETURN(Db handle, OpenDb(db, SQLITE_OPEN_READONLY));
    return IntegrityOf(handle.get());
}

Status BackupSqlite(const std::string& db, const std::string& dest) {
    if (Store::IsPostgresUrl(db)) return PostgresBackupUnsupported("backup");
    if (!fs::exists(db)) return NotFound("database " + db + " does not exist");
    if (fs::exists(dest)) return AlreadyExists(dest + " exists; choose a new file name for the backup");
    const std::string partial = dest + ".partial";
    RemoveDbFiles(partial);
    {
        ASSIGN_OR_RETURN(Db from, OpenDb(db, SQLITE_OPEN_READONLY));
        ASSIGN_OR_RETURN(Db to, OpenDb(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
        Status copied = CopyDb(from.get(), to.get(), "backup of " + db);
        if (copied.ok()) {
            auto check = IntegrityOf(to.get());
            if (!check.ok()) {
                copied = check.status();
            } else if (*check != "ok") {
                copied = Internal("the copy fails PRAGMA integrity_check: " + *check);
            }
        }
        if (!copied.ok()) {
            to.reset();
            RemoveDbFiles(partial);
            return copied;
        }
    }
    std::error_code ec;
    fs::rename(partial, dest, ec);
    if (ec) {
        RemoveDbFiles(partial);
        return Unavailable("cannot rename " + partial + " to " + dest + ": " + ec.message());
    }
    return Status::Ok();
}

Status RestoreSqlite(const std::string& backup, const std::string& db) {
    if (Store::IsPostgresUrl(db)) return PostgresBackupUnsupported("restore");
    if (!fs::exists(backup)) return NotFound("backup " + backup + " does not exist");
    // Check a private copy (opening it may apply migrations, which must not touch the backup file).
    const std::string staging = db + ".restoring";
    RemoveDbFiles(staging);
    auto cleanup = [&] { RemoveDbFiles(staging); };
    {
        ASSIGN_OR_RETURN(Db from, OpenDb(backup, SQLITE_OPEN_READONLY));
        auto integrity = IntegrityOf(from.get());
        if (!integrity.ok()) return integrity.status();
        if (*integrity != "ok") return FailedPrecondition("the backup fails PRAGMA integrity_check: " + *integrity);
        ASSIGN_OR_RETURN(Db to, OpenDb(staging, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
        if (Status s = CopyDb(from.get(), to.get(), "copy of " + backup); !s.ok()) {
            to.reset();
            cleanup();
            return s;
        }
    }
    {
        auto store = Store::OpenSqlite(staging, OpenMode::kMustExist, 1);
        if (!store.ok()) {
            cleanup();
            return FailedPrecondition("the backup cannot be opened: " + store.status().message());
        }
        auto chain = (*store)->VerifyChain();
        if (!chain.ok()) {
            cleanup();
            return chain.status();
        }
        if (!chain->ok()) {
            cleanup();
            return FailedPrecondition("the backup's audit chain is broken: " + chain->reason);
        }
    }
    {
        ASSIGN_OR_RETURN(Db from, OpenDb(staging, SQLITE_OPEN_READONLY));
        ASSIGN_OR_RETURN(Db to, OpenDb(db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
        if (Status s = CopyDb(from.get(), to.get(), "restore into " + db); !s.ok()) {
            from.reset();
            cleanup();
            return s;
        }
    }
    cleanup();
    return Status::Ok();
}

}  // namespace rectify::store
