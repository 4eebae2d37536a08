-- rectify schema 5 (issue 8): supervision (督促指导) — the ladder's steps (催办 / 督办 / 约谈), in-app
-- notifications, outgoing webhooks with their delivery outbox, and published bulletins (通报).
-- Migrations apply in file order, and the version is the position: this file is version 5.
-- Times are INTEGER seconds since the Unix epoch, UTC.

-- One step of the ladder on a task. automatic = 1: taken by the scheduler for the deadline
-- trigger_due_at; the unique index makes a second automatic step of the same kind for the same
-- deadline impossible, also across servers and restarts. number: 督办号 of supervise steps.
CREATE TABLE supervision_step (
    id                  {{ID}},
    task_id             BIGINT NOT NULL REFERENCES task(id),
    problem_id          BIGINT NOT NULL REFERENCES problem(id),
    org_id              BIGINT NOT NULL REFERENCES org(id),
    kind                TEXT NOT NULL,
    automatic           INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1)),
    trigger_due_at      BIGINT,
    reason              TEXT NOT NULL,
    number              TEXT,
    feedback_due_at     BIGINT,
    feedback_every_days INTEGER,
    official            TEXT,
    held_at             BIGINT,
    notes               TEXT,
    actor               TEXT NOT NULL,
    at                  BIGINT NOT NULL
);
CREATE INDEX supervision_step_task ON supervision_step(task_id);
CREATE INDEX supervision_step_org_at ON supervision_step(org_id, kind, at);
CREATE UNIQUE INDEX supervision_step_automatic ON supervision_step(task_id, kind, trigger_due_at) WHERE automatic = 1;

-- The scheduler and the deadline queues read open tasks by deadline.
CREATE INDEX task_due ON task(due_at, id);

-- A notice to an org (every user of the org sees it) or to one user. kind: urge, supervise, interview,
-- ...; task_id / problem_id: what it is about. Read state is per user (notification_read).
CREATE TABLE notification (
    id         {{ID}},
    org_id     BIGINT NOT NULL REFERENCES org(id),
    user_id    BIGINT,
    kind       TEXT NOT NULL,
    task_id    BIGINT REFERENCES task(id),
    problem_id BIGINT REFERENCES problem(id),
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notification_org ON notification(org_id, id);

CREATE TABLE notification_read (
    notification_id BIGINT NOT NULL REFERENCES notification(id),
    user_id         BIGINT NOT NULL,
    read_at         BIGINT NOT NULL,
    PRIMARY KEY (notification_id, user_id)
);

-- An outgoing webhook for the notifications of an org's subtree. kinds: ",urge,supervise," (the kinds
-- it receives, comma-framed) or "*". secret: the HMAC-SHA256 key (kept to sign; shown once).
CREATE TABLE webhook (
    id         {{ID}},
    org_id     BIGINT NOT NULL REFERENCES org(id),
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    kinds      TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX webhook_org ON webhook(org_id);

-- The outbox: one row per notification and webhook, written in the same transaction as the
-- notification, so nothing is lost when the server stops. status: pending, delivered, dead.
CREATE TABLE webhook_delivery (
    id              {{ID}},
    webhook_id      BIGINT NOT NULL REFERENCES webhook(id),
    notification_id BIGINT NOT NULL REFERENCES notification(id),
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX webhook_delivery_due ON webhook_delivery(status, next_attempt_at);
CREATE INDEX webhook_delivery_webhook ON webhook_delivery(webhook_id, id);

-- A published bulletin (通报): the snapshot as JSON, never changed afterwards.
CREATE TABLE bulletin (
    id           {{ID}},
    org_id       BIGINT NOT NULL REFERENCES org(id),
    title        TEXT NOT NULL,
    period_from  BIGINT NOT NULL,
    period_to    BIGINT NOT NULL,
    min_sample   INTEGER NOT NULL,
    body_json    TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL
);
CREATE INDEX bulletin_org ON bulletin(org_id, id);

-- Supervision teams (指导组 / 督导组): formed by an org for a campaign, with members (user accounts) and
-- assignments to org subtrees. A member of a team with an active assignment (ended_at NULL) over an org
-- acts as supervisor and verifier over that org's subtree (docs/SUPERVISION.md#teams).
CREATE TABLE supervision_team (
    id         {{ID}},
    org_id     BIGINT NOT NULL REFERENCES org(id),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    campaign   TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX supervision_team_org ON supervision_team(org_id);

CREATE TABLE supervision_team_member (
    team_id  BIGINT NOT NULL REFERENCES supervision_team(id),
    user_id  BIGINT NOT NULL,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX supervision_team_member_user ON supervision_team_member(user_id);

CREATE TABLE supervision_team_assignment (
    id          {{ID}},
    team_id     BIGINT NOT NULL REFERENCES supervision_team(id),
    org_id      BIGINT NOT NULL REFERENCES org(id),
    assigned_by TEXT NOT NULL,
    assigned_at BIGINT NOT NULL,
    ended_by    TEXT,
    ended_at    BIGINT
);
CREATE INDEX supervision_team_assignment_team ON supervision_team_assignment(team_id);
