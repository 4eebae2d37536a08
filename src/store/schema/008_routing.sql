-- rectify schema (issue 5): routing rules and each opinion's routing history (转办).
-- Migrations apply in file order, and the version is the position. Times are seconds since the Unix
-- epoch, UTC. Rules: domain/routing.hpp and docs/LINKAGE.md#routing-rules.
--
-- routing_rule_set: one row per version of the rule table; the highest version is in force. A version is
--   never changed once stored: an edit stores the whole table again as the next version.
-- routing_rule: the rules of a version. division_code NULL = the whole jurisdiction; category_id NULL = the
--   area's fallback (兜底) owner.
-- opinion_routing: every time an opinion was routed to an org: first by a rule (rule_id) or by the
--   default (rule_id NULL, from_org_id NULL), then once per transfer (转办: from_org_id set, the reason and
--   the account that moved it). Opinions stored before schema 8, or registered by staff for a chosen org,
--   have no rows here.
CREATE TABLE routing_rule_set (
    version     INTEGER PRIMARY KEY,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    note        TEXT NOT NULL
);
CREATE TABLE routing_rule (
    id             {{ID}},
    version        INTEGER NOT NULL REFERENCES routing_rule_set(version),
    division_code  TEXT,
    category_id    BIGINT REFERENCES category(id),
    org_id         BIGINT NOT NULL REFERENCES org(id),
    note           TEXT NOT NULL
);
CREATE INDEX routing_rule_version ON routing_rule(version, division_code);
CREATE TABLE opinion_routing (
    id           {{ID}},
    opinion_id   BIGINT NOT NULL REFERENCES opinion(id),
    at           BIGINT NOT NULL,
    from_org_id  BIGINT REFERENCES org(id),
    to_org_id    BIGINT NOT NULL REFERENCES org(id),
    rule_id      BIGINT REFERENCES routing_rule(id),
    actor        TEXT NOT NULL,
    reason       TEXT
);
CREATE INDEX opinion_routing_opinion ON opinion_routing(opinion_id, id);
