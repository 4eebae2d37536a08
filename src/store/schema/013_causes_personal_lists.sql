-- rectify schema (issue 12): root-cause analysis (把症结分析透) and leaders' own problem lists
-- (个人检视问题清单). Migrations apply in file order, and the version is the position. Times are seconds
-- since the Unix epoch, UTC; deadlines and done dates are calendar dates 'YYYY-MM-DD' in the display zone
-- (docs/CAUSES.md).
--
-- cause_category: the admin-edited list of cause categories. code: unique, 1..50 of [A-Za-z0-9._-];
--   higher_level = 1: the cause lies above the unit (a policy, funding, a rule set above), which suggests
--   escalating the problem (下题上答, docs/LINKAGE.md#escalation). Categories are never deleted (problems
--   keep pointing at them): active = 0 hides one from new analyses. The rows below are rectify's defaults
--   (docs/CAUSES.md#default-categories says where the wording comes from).
-- problem_cause_analysis: at most one per problem: the free text and who wrote it last; version counts
--   the analysis' own changes (optimistic locking of PUT /problems/{id}/cause-analysis).
-- problem_cause: the categories of a problem's analysis (one or more).
-- app_user.cadre_rank: the rank of a cadre (section, division, bureau, province, state; NULL: none).
--   Which ranks count as leading cadres (领导干部) is a server setting (--leading-cadre-ranks).
-- self_inspection_item: one line of a personal list (kind 'personal', owner_user_id set) or of an org's
--   leadership group list (kind 'leadership_group', owner_user_id NULL). status 'open' or 'done'
--   (done_on set). deadline, done_on: 'YYYY-MM-DD'.
CREATE TABLE cause_category (
    id            {{ID}},
    code          TEXT NOT NULL,
    name_zh       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    higher_level  INTEGER NOT NULL DEFAULT 0,
    sort_order    INTEGER NOT NULL DEFAULT 0,
    active        INTEGER NOT NULL DEFAULT 1,
    updated_at    BIGINT NOT NULL DEFAULT 0,
    version       BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX cause_category_code ON cause_category(code);

INSERT INTO cause_category (code, name_zh, name_en, higher_level, sort_order) VALUES
    ('thinking', '思维理念不适应', 'Outdated thinking and ideas', 0, 10),
    ('effort', '工作力度不够', 'Insufficient effort in the work', 0, 20),
    ('spirit', '精神状态不佳', 'Poor morale and drive', 0, 30),
    ('political_ecology', '政治生态不良', 'Unhealthy political environment', 0, 40),
    ('formalism', '形式主义、官僚主义', 'Formalism and bureaucratism', 0, 50),
    ('mechanism', '制度机制不健全', 'Rules and mechanisms incomplete', 0, 60),
    ('capability', '能力素质不足', 'Lack of capability', 0, 70),
    ('oversight', '监督管理不力', 'Weak oversight', 0, 80),
    ('policy_above', '上级政策规定层面', 'Policy or rule set at a higher level', 1, 90),
    ('funding', '资金保障不足', 'Funding not provided', 1, 100),
    ('cross_department', '跨部门跨层级协调', 'Needs coordination across departments or levels', 1, 110),
    ('legacy', '历史遗留', 'Legacy from the past', 0, 120),
    ('other', '其他', 'Other', 0, 130);

CREATE TABLE problem_cause_analysis (
    problem_id  BIGINT PRIMARY KEY REFERENCES problem(id),
    text        TEXT NOT NULL DEFAULT '',
    updated_by  TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE problem_cause (
    problem_id         BIGINT NOT NULL REFERENCES problem(id),
    cause_category_id  BIGINT NOT NULL REFERENCES cause_category(id),
    PRIMARY KEY (problem_id, cause_category_id)
);
CREATE INDEX problem_cause_category ON problem_cause(cause_category_id, problem_id);

ALTER TABLE app_user ADD COLUMN cadre_rank TEXT;

CREATE TABLE self_inspection_item (
    id             {{ID}},
    org_id         BIGINT NOT NULL REFERENCES org(id),
    kind           TEXT NOT NULL,
    owner_user_id  BIGINT REFERENCES app_user(id),
    leader_name    TEXT NOT NULL,
    position       TEXT NOT NULL DEFAULT '',
    problem_text   TEXT NOT NULL,
    measures       TEXT NOT NULL DEFAULT '',
    deadline       TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'open',
    done_on        TEXT,
    note           TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1,
    CHECK (kind IN ('personal', 'leadership_group')),
    CHECK (status IN ('open', 'done')),
    CHECK ((kind = 'personal') = (owner_user_id IS NOT NULL)),
    CHECK ((status = 'done') = (done_on IS NOT NULL))
);
CREATE INDEX self_inspection_item_org ON self_inspection_item(org_id, kind);
CREATE INDEX self_inspection_item_owner ON self_inspection_item(owner_user_id);
