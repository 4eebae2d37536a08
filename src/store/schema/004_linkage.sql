-- rectify schema 4 (issue 5): upper–lower linkage (上下联动) — escalations up (下题上答), cascades
-- down (上题下答) and co-owners of joint problems (同题共答). Migrations apply in file order, and the version is the position: this file is version
-- 4, after 003_accounts.sql. Times are INTEGER seconds since the Unix epoch, UTC.

-- One request to hand a problem to an ancestor of its owner. from_org_id: the owner when asked;
-- to_org_id: the chosen ancestor; origin_org_id: the org the problem started at (kept through every
-- level). kind: ancestor (下题上答) or batch_link (a second-batch unit to a first-batch unit anywhere).
-- status: pending, accepted, declined, withdrawn (docs/LINKAGE.md).
CREATE TABLE escalation (
    id              {{ID}},
    problem_id      BIGINT NOT NULL REFERENCES problem(id),
    from_org_id     BIGINT NOT NULL REFERENCES org(id),
    to_org_id       BIGINT NOT NULL REFERENCES org(id),
    origin_org_id   BIGINT NOT NULL REFERENCES org(id),
    kind            TEXT NOT NULL DEFAULT 'ancestor',
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL,
    decision_reason TEXT,
    requested_by    TEXT NOT NULL,
    requested_at    BIGINT NOT NULL,
    decided_by      TEXT,
    decided_at      BIGINT,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX escalation_problem ON escalation(problem_id);
CREATE INDEX escalation_from ON escalation(from_org_id);
CREATE INDEX escalation_origin ON escalation(origin_org_id, status);

-- One cascade: a parent task's work issued to many descendants at once; targets_json is the filter.
CREATE TABLE task_cascade (
    id               {{ID}},
    problem_id       BIGINT NOT NULL REFERENCES problem(id),
    parent_task_id   BIGINT NOT NULL REFERENCES task(id),
    org_id           BIGINT NOT NULL REFERENCES org(id),
    targets_json     TEXT NOT NULL,
    due_at           BIGINT,
    created          BIGINT NOT NULL,
    skipped_existing BIGINT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX task_cascade_parent ON task_cascade(parent_task_id);

-- Cascade children: the parent task they roll up into and the cascade that made them.
ALTER TABLE task ADD COLUMN parent_task_id BIGINT REFERENCES task(id);
ALTER TABLE task ADD COLUMN cascade_id BIGINT REFERENCES task_cascade(id);
CREATE INDEX task_parent ON task(parent_task_id, org_id);

-- 同题共答: the co-owners of a problem (its owner is the lead). Each answers its part in its own task.
CREATE TABLE problem_co_owner (
    problem_id BIGINT NOT NULL REFERENCES problem(id),
    org_id     BIGINT NOT NULL REFERENCES org(id),
    added_by   TEXT NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (problem_id, org_id)
);
CREATE INDEX problem_co_owner_org ON problem_co_owner(org_id);
