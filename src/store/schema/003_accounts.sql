-- rectify schema 3 (issue 4): accounts (users, grants, sessions, API tokens, login attempts) and the
-- hash chain of the event log. Migrations apply in file order, and the version is the position: this
-- file is version 3, after 002_workflow.sql (whose from_state, to_state and reason columns of `event`
-- the chain covers too). Times are INTEGER seconds since the Unix epoch, UTC.
-- Secrets are never stored in clear: password_hash is an Argon2id PHC string; session and token
-- secrets are stored as the lower-case hex SHA-256 of the secret.

CREATE TABLE app_user (
    id                   {{ID}},
    name                 TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    org_id               BIGINT NOT NULL REFERENCES org(id),
    password_hash        TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 0,
    disabled             INTEGER NOT NULL DEFAULT 0,
    created_at           BIGINT NOT NULL,
    password_changed_at  BIGINT NOT NULL,
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX app_user_org ON app_user(org_id);

-- Several per user: one role over one org subtree each.
CREATE TABLE user_grant (
    id         {{ID}},
    user_id    BIGINT NOT NULL REFERENCES app_user(id),
    role       TEXT NOT NULL,
    org_id     BIGINT NOT NULL REFERENCES org(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_grant_unique ON user_grant(user_id, role, org_id);

CREATE TABLE user_session (
    id           {{ID}},
    user_id      BIGINT NOT NULL REFERENCES app_user(id),
    secret_hash  TEXT NOT NULL UNIQUE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX user_session_user ON user_session(user_id);

CREATE TABLE api_token (
    id           {{ID}},
    user_id      BIGINT NOT NULL REFERENCES app_user(id),
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT,
    last_used_at BIGINT
);
CREATE INDEX api_token_user ON api_token(user_id);

-- The grants a token carries: each covered by one of its owner's grants when it was made.
CREATE TABLE api_token_grant (
    token_id BIGINT NOT NULL REFERENCES api_token(id),
    role     TEXT NOT NULL,
    org_id   BIGINT NOT NULL REFERENCES org(id)
);
CREATE INDEX api_token_grant_token ON api_token_grant(token_id);

-- The security log of logins (never a password). Not part of the event log's hash chain.
CREATE TABLE login_attempt (
    id        {{ID}},
    at        BIGINT NOT NULL,
    user_name TEXT NOT NULL,
    user_id   BIGINT,
    client    TEXT NOT NULL,
    outcome   TEXT NOT NULL
);
CREATE INDEX login_attempt_at ON login_attempt(at);

-- The hash chain of the event log (docs/SECURITY.md#audit-chain): org_id is the org the event belongs
-- to (for export by subtree); prev_hash is the hash of the event before (64 zeros for the first);
-- hash = SHA-256 of prev_hash and the event's canonical content. The store fills all three inside the
-- writing transaction; events stored before this migration are chained when it runs.
ALTER TABLE event ADD COLUMN org_id BIGINT;
ALTER TABLE event ADD COLUMN prev_hash TEXT;
ALTER TABLE event ADD COLUMN hash TEXT;
CREATE INDEX event_org ON event(org_id);
CREATE INDEX event_at ON event(at);
