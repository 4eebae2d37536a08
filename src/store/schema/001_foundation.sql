-- rectify schema 1: the foundation (orgs, categories, problems, opinions, events, import batches).
-- Written once for every dialect: {{ID}} and {{PATH_TEXT}} are replaced per dialect in src/store/dialect.cpp.
-- Times are INTEGER seconds since the Unix epoch, UTC.

CREATE TABLE org_level (
    key     TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    rank    INTEGER NOT NULL
);

CREATE TABLE org (
    id            {{ID}},
    parent_id     BIGINT REFERENCES org(id),
    name          TEXT NOT NULL,
    level         TEXT NOT NULL REFERENCES org_level(key),
    kind          TEXT NOT NULL,
    batch         INTEGER NOT NULL DEFAULT 0 CHECK (batch IN (0, 1, 2)),
    division_code TEXT UNIQUE,
    path          {{PATH_TEXT}} NOT NULL,
    created_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX org_parent ON org(parent_id);
CREATE INDEX org_path ON org(path);
CREATE UNIQUE INDEX org_sibling_name ON org(parent_id, name);

CREATE TABLE category (
    id        {{ID}},
    parent_id BIGINT REFERENCES category(id),
    name      TEXT NOT NULL,
    depth     INTEGER NOT NULL,
    path      {{PATH_TEXT}} NOT NULL UNIQUE
);

CREATE TABLE problem (
    id           {{ID}},
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    source       TEXT NOT NULL,
    category_id  BIGINT REFERENCES category(id),
    severity     TEXT NOT NULL,
    owner_org_id BIGINT NOT NULL REFERENCES org(id),
    status       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    due_at       BIGINT,
    closed_at    BIGINT,
    source_ref   TEXT UNIQUE,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX problem_owner ON problem(owner_org_id);
CREATE INDEX problem_status ON problem(status);

CREATE TABLE opinion (
    id             {{ID}},
    channel        TEXT NOT NULL,
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    received_at    BIGINT NOT NULL,
    title          TEXT NOT NULL,
    text           TEXT NOT NULL,
    division_code  TEXT,
    org_id         BIGINT NOT NULL REFERENCES org(id),
    submitter      TEXT,
    category_id    BIGINT REFERENCES category(id),
    reply_text     TEXT,
    replied_at     BIGINT,
    reply_org_id   BIGINT REFERENCES org(id),
    problem_id     BIGINT REFERENCES problem(id),
    transfer_count INTEGER NOT NULL DEFAULT 0,
    source_ref     TEXT UNIQUE,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX opinion_org ON opinion(org_id);
CREATE INDEX opinion_problem ON opinion(problem_id);

-- Append-only: rows are inserted in the same transaction as the change they record, never updated.
CREATE TABLE event (
    id          {{ID}},
    at          BIGINT NOT NULL,
    actor       TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   BIGINT NOT NULL,
    action      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT
);
CREATE INDEX event_entity ON event(entity, entity_id);

CREATE TABLE import_batch (
    id            {{ID}},
    kind          TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    file_sha256   TEXT NOT NULL,
    actor         TEXT NOT NULL,
    started_at    BIGINT NOT NULL,
    rows_read     BIGINT NOT NULL,
    rows_stored   BIGINT NOT NULL,
    rows_existing BIGINT NOT NULL,
    rows_rejected BIGINT NOT NULL
);
