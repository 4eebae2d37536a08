#include "store/dialect.hpp"

#include <vector>

namespace rectify::store::detail {

extern const char* const kMigrations[];
extern const int kMigrationCount;

const Dialect& SqliteDialect() {
    static const Dialect d{
        Backend::kSqlite,
        "sqlite3",
        "INTEGER PRIMARY KEY",
        "TEXT",
        {"BEGIN IMMEDIATE"},
        "instr",
        {"CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event BEGIN "
         "SELECT RAISE(ABORT, 'the event log is append-only'); END",
         "CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event BEGIN "
         "SELECT RAISE(ABORT, 'the event log is append-only'); END"},
        "",
        16,
        {"PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON", "PRAGMA synchronous = NORMAL"},
        ""};
    return d;
}

// Dialect::partition_by_province on PostgreSQL. No ':' anywhere (SOCI would take it for a named
// parameter): casts are CAST(... AS ...), assignments '='.
static std::vector<std::string> PartitionByProvince() {
    return {
        // On the referencing table, AFTER INSERT OR UPDATE OF the column, per row (at the end of the
        // statement, like a foreign key): TG_ARGV = (column, referenced table, referencing table: the
        // name in the message, where TG_TABLE_NAME would be the partition's).
        R"sql(CREATE OR REPLACE FUNCTION rectify_fk_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v text; ok boolean;
BEGIN
  v = to_jsonb(NEW) ->> TG_ARGV[0];
  IF v IS NULL THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) ->> TG_ARGV[0]) = v THEN RETURN NULL; END IF;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', TG_ARGV[1]) INTO ok USING CAST(v AS bigint);
  IF NOT ok THEN
    RAISE EXCEPTION 'insert or update on table "%" violates foreign key rule "%", key (%)=(%) is not present in table "%"',
      TG_ARGV[2], TG_NAME, TG_ARGV[0], v, TG_ARGV[1] USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END $$)sql",
        // On the referenced (partitioned) table, AFTER DELETE per row: TG_ARGV = (the table, then pairs of
        // referencing table and column). A row that moved to another partition (an UPDATE of province_id
        // is a DELETE and an INSERT for row triggers) still exists under its id and is skipped.
        R"sql(CREATE OR REPLACE FUNCTION rectify_fk_restrict() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE i int; ok boolean;
BEGIN
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', TG_ARGV[0]) INTO ok USING OLD.id;
  IF ok THEN RETURN NULL; END IF;
  FOR i IN 0 .. (TG_NARGS - 1) / 2 - 1 LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[1 + 2 * i], TG_ARGV[2 + 2 * i])
      INTO ok USING OLD.id;
    IF ok THEN
      RAISE EXCEPTION 'update or delete on table "%" violates foreign key rule, key (id)=(%) is still referenced from table "%"',
        TG_ARGV[0], OLD.id, TG_ARGV[1 + 2 * i] USING ERRCODE = 'foreign_key_violation';
    END IF;
  END LOOP;
  RETURN NULL;
END $$)sql",
        // On a partitioned table, AFTER INSERT OR UPDATE OF a text column, per row: TG_ARGV = (table,
        // column). The row itself is visible, so more than one row with the value is a duplicate.
        R"sql(CREATE OR REPLACE FUNCTION rectify_unique_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE v text; n bigint;
BEGIN
  v = to_jsonb(NEW) ->> TG_ARGV[1];
  IF v IS NULL THEN RETURN NULL; END IF;
  EXECUTE format('SELECT COUNT(*) FROM %I WHERE %I = $1', TG_ARGV[0], TG_ARGV[1]) INTO n USING v;
  IF n > 1 THEN
    RAISE EXCEPTION 'duplicate key value violates unique rule "%", key (%)=(%) already exists', TG_NAME,
      TG_ARGV[1], v USING ERRCODE = 'unique_violation';
  END IF;
  RETURN NULL;
END $$)sql",
        // The conversion itself.
        R"sql(DO $$
DECLARE
  big text[] = ARRAY['problem', 'task', 'opinion'];
  parts int = )sql" + std::to_string(kProvincePartitions) + R"sql(;
  t text;
  r record;
  i int;
  outgoing text[];
  indexes text[];
  uniques text[];
  stmt text;
  args text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass('problem')) THEN RETURN; END IF;
  -- The foreign keys that reference the three tables are remembered, then dropped (triggers replace them).
  CREATE TEMP TABLE rectify_fk ON COMMIT DROP AS
    SELECT c.conname AS name, cl.relname AS tbl, a.attname AS col, rf.relname AS ref
    FROM pg_constraint c
    JOIN pg_class cl ON cl.oid = c.conrelid
    JOIN pg_class rf ON rf.oid = c.confrelid
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
    WHERE c.contype = 'f' AND rf.relname = ANY (big) AND rf.relnamespace = cl.relnamespace
      AND cl.relnamespace = CAST(current_schema() AS regnamespace);
  IF EXISTS (SELECT 1 FROM pg_constraint c JOIN pg_class rf ON rf.oid = c.confrelid
             WHERE c.contype = 'f' AND rf.relname = ANY (big) AND (array_length(c.conkey, 1) <> 1
               OR c.confdeltype <> 'a' OR c.confupdtype <> 'a')) THEN
    RAISE EXCEPTION 'partitioning by province handles single-column foreign keys without ON DELETE/UPDATE actions only';
  END IF;
  FOR r IN SELECT * FROM rectify_fk LOOP
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', r.tbl, r.name);
  END LOOP;
  FOREACH t IN ARRAY big LOOP
    outgoing = ARRAY(SELECT format('ALTER TABLE %I ADD CONSTRAINT %I %s', t, conname, pg_get_constraintdef(oid))
                     FROM pg_constraint WHERE conrelid = to_regclass(t) AND contype = 'f');
    indexes = ARRAY(SELECT regexp_replace(pg_get_indexdef(x.indexrelid), '^CREATE UNIQUE INDEX', 'CREATE INDEX')
                    FROM pg_index x WHERE x.indrelid = to_regclass(t) AND NOT x.indisprimary);
    IF EXISTS (SELECT 1 FROM pg_index x WHERE x.indrelid = to_regclass(t) AND x.indisunique AND NOT x.indisprimary
               AND (x.indnatts <> 1 OR x.indpred IS NOT NULL OR x.indexprs IS NOT NULL)) THEN
      RAISE EXCEPTION 'partitioning by province handles single-column unique constraints only (table %)', t;
    END IF;
    uniques = ARRAY(SELECT a.attname FROM pg_index x
                    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[0]
                    WHERE x.indrelid = to_regclass(t) AND x.indisunique AND NOT x.indisprimary);
    EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_unpartitioned');
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY HASH (province_id)',
                   t, t || '_unpartitioned');
    EXECUTE format('ALTER TABLE %I ALTER COLUMN province_id SET NOT NULL', t);
    FOR i IN 0 .. parts - 1 LOOP
      EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                     t || '_p' || i, t, parts, i);
    END LOOP;
    EXECUTE format('INSERT INTO %I SELECT * FROM %I', t, t || '_unpartitioned');
    EXECUTE format('DROP TABLE %I', t || '_unpartitioned');
    EXECUTE format('CREATE SEQUENCE %I', t || '_id_seq');
    EXECUTE format('ALTER SEQUENCE %I OWNED BY %I.id', t || '_id_seq', t);
    EXECUTE format('ALTER TABLE %I ALTER COLUMN id SET DEFAULT nextval(%L)', t, t || '_id_seq');
    EXECUTE format('SELECT setval(%L, COALESCE(MAX(id), 0) + 1, false) FROM %I', t || '_id_seq', t);
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (id, province_id)', t);
    FOREACH stmt IN ARRAY indexes LOOP EXECUTE stmt; END LOOP;
    FOREACH stmt IN ARRAY outgoing LOOP EXECUTE stmt; END LOOP;
    FOREACH stmt IN ARRAY uniques LOOP
      EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OF %I ON %I FOR EACH ROW '
                     'EXECUTE FUNCTION rectify_unique_check(%L, %L)', t || '_' || stmt || '_unique', stmt, t, t, stmt);
    END LOOP;
  END LOOP;
  FOR r IN SELECT * FROM rectify_fk LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OF %I ON %I FOR EACH ROW '
                   'EXECUTE FUNCTION rectify_fk_check(%L, %L, %L)', r.name, r.col, r.tbl, r.col, r.ref, r.tbl);
  END LOOP;
  FOREACH t IN ARRAY big LOOP
    SELECT string_agg(format('%L, %L', f.tbl, f.col), ', ' ORDER BY f.tbl, f.col) INTO args
      FROM rectify_fk f WHERE f.ref = t;
    IF args IS NOT NULL THEN
      EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION rectify_fk_restrict(%L, %s)',
                     t || '_referenced', t, t, args);
    END IF;
  END LOOP;
END $$)sql"};
}

// The advisory lock key of the writer: any constant that no other application on the database uses
// ("rectify" in ASCII).
const Dialect& PostgresDialect() {
    static const Dialect d{
        Backend::kPostgres,
        "postgresql",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "TEXT COLLATE \"C\"",
        {"BEGIN ISOLATION LEVEL READ COMMITTED", "SELECT pg_advisory_xact_lock(32199672347075444)"},
        "strpos",
        // No ':' in these bodies: SOCI would take it for a named parameter.
        {"CREATE OR REPLACE FUNCTION event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
         "RAISE EXCEPTION 'the event log is append-only'; END $$",
         "CREATE TRIGGER event_append_only_update BEFORE UPDATE ON event FOR EACH ROW "
         "EXECUTE FUNCTION event_append_only()",
         "CREATE TRIGGER event_append_only_delete BEFORE DELETE ON event FOR EACH ROW "
         "EXECUTE FUNCTION event_append_only()"},
        "SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'), {MAX})",
        500,
        {"SET client_min_messages = warning"},
        "NOTIFY rectify_events",
        PartitionByProvince()};
    return d;
}

const std::vector<std::string>& MigrationSources() {
    static const std::vector<std::string> sources(kMigrations, kMigrations + kMigrationCount);
    return sources;
}

std::string ApplyDialect(const Dialect& d, std::string sql) {
    for (const auto& [key, value] : {std::pair<std::string, const std::string&>{"{{ID}}", d.id_column},
                                     std::pair<std::string, const std::string&>{"{{PATH_TEXT}}", d.path_text}}) {
        for (std::size_t pos; (pos = sql.find(key)) != std::string::npos;) sql.replace(pos, key.size(), value);
    }
    return sql;
}

}  // namespace rectify::store::detail
