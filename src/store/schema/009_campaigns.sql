-- rectify schema (issue 5): campaigns (主题教育 / 专项行动), their batches (第一批 / 第二批) and special
-- rectification items (专项整治), and the tags of problems (docs/LINKAGE.md#campaigns).
-- Migrations apply in file order, and the version is the position. Times are seconds since the Unix epoch,
-- UTC; campaign and batch dates are calendar dates written 'YYYY-MM-DD' (inclusive), which order as text.
--
-- campaign.code: unique across campaigns; owner_org_id: the org that runs it (visible to its subtree and
--   its ancestors). source: the document it was taken from, when recorded.
-- campaign_batch: batch number 1..n of a campaign with its dates; rewritten whole when a campaign's batches
--   change (the event log keeps the history).
-- special_item.code: unique within its campaign; lead_org_id: the lead unit (牵头单位) when named.
-- problem.campaign_id: the campaign a problem is tagged with (NULL: none); problem_special_item: the items
--   of that campaign it is tagged with (zero or more; the service checks they are the campaign's).
CREATE TABLE campaign (
    id            {{ID}},
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    owner_org_id  BIGINT NOT NULL REFERENCES org(id),
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL,
    source        TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1,
    CHECK (start_date <= end_date)
);
CREATE UNIQUE INDEX campaign_code ON campaign(code);
CREATE INDEX campaign_owner ON campaign(owner_org_id);

CREATE TABLE campaign_batch (
    campaign_id  BIGINT NOT NULL REFERENCES campaign(id),
    number       INTEGER NOT NULL,
    start_date   TEXT NOT NULL,
    end_date     TEXT NOT NULL,
    PRIMARY KEY (campaign_id, number),
    CHECK (number >= 1 AND start_date <= end_date)
);

CREATE TABLE special_item (
    id           {{ID}},
    campaign_id  BIGINT NOT NULL REFERENCES campaign(id),
    code         TEXT NOT NULL,
    title        TEXT NOT NULL,
    lead_org_id  BIGINT REFERENCES org(id),
    description  TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX special_item_code ON special_item(campaign_id, code);

ALTER TABLE problem ADD COLUMN campaign_id BIGINT REFERENCES campaign(id);
CREATE INDEX problem_campaign ON problem(campaign_id);

CREATE TABLE problem_special_item (
    problem_id       BIGINT NOT NULL REFERENCES problem(id),
    special_item_id  BIGINT NOT NULL REFERENCES special_item(id),
    PRIMARY KEY (problem_id, special_item_id)
);
CREATE INDEX problem_special_item_item ON problem_special_item(special_item_id, problem_id);
