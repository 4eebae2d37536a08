-- rectify schema 2: the rectification workflow (issue 3): tasks, progress reports, evidence, mechanisms,
-- meetings, idempotency keys, and the workflow columns of problems, opinions and events.
-- Migrations apply in file order, and the version is the position: this file is version 2.
-- Times are INTEGER seconds since the Unix epoch, UTC.

-- Problems: rounds (reopen starts the next), reasons of the last decision, merges.
ALTER TABLE problem ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
ALTER TABLE problem ADD COLUMN status_reason TEXT;
ALTER TABLE problem ADD COLUMN reopen_cause TEXT;
ALTER TABLE problem ADD COLUMN reopened_at BIGINT;
ALTER TABLE problem ADD COLUMN merged_into_id BIGINT REFERENCES problem(id);

-- Opinions: why declined or duplicate, of what, and the satisfaction rating of the last reply.
ALTER TABLE opinion ADD COLUMN status_reason TEXT;
ALTER TABLE opinion ADD COLUMN duplicate_of_opinion_id BIGINT REFERENCES opinion(id);
ALTER TABLE opinion ADD COLUMN duplicate_of_problem_id BIGINT REFERENCES problem(id);
ALTER TABLE opinion ADD COLUMN satisfaction TEXT;
ALTER TABLE opinion ADD COLUMN rated_at BIGINT;
ALTER TABLE opinion ADD COLUMN rating_comment TEXT;

-- Events of transitions: the status before and after, and the reason given.
ALTER TABLE event ADD COLUMN from_state TEXT;
ALTER TABLE event ADD COLUMN to_state TEXT;
ALTER TABLE event ADD COLUMN reason TEXT;

-- A measure for one org. weight_bp: share of the problem in basis points (1..10000), NULL = none.
-- review_dates: ongoing tasks' review instants, comma-separated seconds, ascending ('' = none).
CREATE TABLE task (
    id                       {{ID}},
    problem_id               BIGINT NOT NULL REFERENCES problem(id),
    org_id                   BIGINT NOT NULL REFERENCES org(id),
    created_by_org_id        BIGINT NOT NULL REFERENCES org(id),
    round                    INTEGER NOT NULL,
    title                    TEXT NOT NULL,
    description              TEXT NOT NULL,
    responsible_person       TEXT NOT NULL,
    lead_official            TEXT,
    type                     TEXT NOT NULL,
    due_at                   BIGINT,
    review_dates             TEXT NOT NULL,
    weight_bp                INTEGER CHECK (weight_bp IS NULL OR (weight_bp >= 1 AND weight_bp <= 10000)),
    status                   TEXT NOT NULL,
    progress                 INTEGER NOT NULL CHECK (progress >= 0 AND progress <= 100),
    withdrawal_reason        TEXT,
    return_reason            TEXT,
    returned_at              BIGINT,
    returned_after_report_id BIGINT NOT NULL DEFAULT 0,
    submitted_at             BIGINT,
    accepted_at              BIGINT,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL,
    version                  BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX task_problem ON task(problem_id);
CREATE INDEX task_org ON task(org_id);

-- Append-only: a report is never edited.
CREATE TABLE progress_report (
    id          {{ID}},
    task_id     BIGINT NOT NULL REFERENCES task(id),
    reported_at BIGINT NOT NULL,
    text        TEXT NOT NULL,
    percent     INTEGER NOT NULL CHECK (percent >= 0 AND percent <= 100),
    actor       TEXT NOT NULL
);
CREATE INDEX progress_report_task ON progress_report(task_id);

-- The file itself lives in the blob directory at <sha256[0:2]>/<sha256>, never in the database.
CREATE TABLE evidence (
    id            {{ID}},
    task_id       BIGINT NOT NULL REFERENCES task(id),
    report_id     BIGINT REFERENCES progress_report(id),
    sha256        TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    content_type  TEXT NOT NULL,
    original_name TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   BIGINT NOT NULL
);
CREATE INDEX evidence_task ON evidence(task_id);
CREATE INDEX evidence_sha256 ON evidence(sha256);

CREATE TABLE mechanism (
    id         {{ID}},
    org_id     BIGINT NOT NULL REFERENCES org(id),
    title      TEXT NOT NULL,
    text       TEXT NOT NULL,
    adopted_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX mechanism_org ON mechanism(org_id);

CREATE TABLE mechanism_problem (
    mechanism_id BIGINT NOT NULL REFERENCES mechanism(id),
    problem_id   BIGINT NOT NULL REFERENCES problem(id),
    linked_at    BIGINT NOT NULL,
    PRIMARY KEY (mechanism_id, problem_id)
);
CREATE INDEX mechanism_problem_problem ON mechanism_problem(problem_id);

CREATE TABLE meeting (
    id         {{ID}},
    org_id     BIGINT NOT NULL REFERENCES org(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    held_at    BIGINT NOT NULL,
    attendees  INTEGER NOT NULL CHECK (attendees >= 0),
    notes      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX meeting_org ON meeting(org_id);

CREATE TABLE meeting_finding (
    id         {{ID}},
    meeting_id BIGINT NOT NULL REFERENCES meeting(id),
    text       TEXT NOT NULL,
    problem_id BIGINT REFERENCES problem(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX meeting_finding_meeting ON meeting_finding(meeting_id);

-- The first response to a POST sent with an Idempotency-Key, per actor and key. status is NULL while
-- the first request is still running. request_sha256 identifies the request (method, target, type,
-- body), so the same key with another request is refused.
CREATE TABLE idempotency_key (
    actor          TEXT NOT NULL,
    idem_key       TEXT NOT NULL,
    method         TEXT NOT NULL,
    path           TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    status         INTEGER,
    content_type   TEXT,
    body           TEXT,
    headers_json   TEXT,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (actor, idem_key)
);
CREATE INDEX idempotency_key_created ON idempotency_key(created_at);
