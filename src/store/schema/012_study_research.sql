-- rectify schema (issue 12): study sessions (学习教育) and research visits (调查研究), docs/STUDY.md.
-- Migrations apply in file order, and the version is the position. Times are seconds since the Unix epoch,
-- UTC; held_on and visited_on are calendar dates 'YYYY-MM-DD', which order as text.
--
-- study_session: one session held by org_id. hours_x100: its length in hundredths of an hour (250 = 2.5 h),
--   1..2400. expected / present: members expected and present (present <= expected). attendance_json: the
--   roster as a JSON array [{"name", "present"}] when one was kept (NULL otherwise); read only whole with
--   its session, so it is not a table of its own; the counts are derived from it when it is given.
-- research_visit: a visit recorded by org_id; visitors_json: the names of who went (a JSON array of
--   strings); where: visited_org_id and/or place.
-- research_visit_opinion: the opinions heard on a visit (channel research_visit); each opinion belongs to
--   at most one visit. The problems they became are the opinions' problem_id.
CREATE TABLE study_session (
    id              {{ID}},
    org_id          BIGINT NOT NULL REFERENCES org(id),
    held_on         TEXT NOT NULL,
    topic           TEXT NOT NULL,
    form            TEXT NOT NULL,
    materials       TEXT NOT NULL DEFAULT '',
    hours_x100      BIGINT NOT NULL,
    expected        BIGINT NOT NULL,
    present         BIGINT NOT NULL,
    attendance_json TEXT,
    notes           TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1,
    CHECK (hours_x100 > 0 AND hours_x100 <= 2400 AND present >= 0 AND present <= expected)
);
CREATE INDEX study_session_org ON study_session(org_id, held_on);

CREATE TABLE research_visit (
    id              {{ID}},
    org_id          BIGINT NOT NULL REFERENCES org(id),
    visitors_json   TEXT NOT NULL,
    visited_org_id  BIGINT REFERENCES org(id),
    place           TEXT NOT NULL DEFAULT '',
    visited_on      TEXT NOT NULL,
    met             TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX research_visit_org ON research_visit(org_id, visited_on);

CREATE TABLE research_visit_opinion (
    opinion_id  BIGINT PRIMARY KEY REFERENCES opinion(id),
    visit_id    BIGINT NOT NULL REFERENCES research_visit(id)
);
CREATE INDEX research_visit_opinion_visit ON research_visit_opinion(visit_id, opinion_id);
