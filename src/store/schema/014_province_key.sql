-- rectify schema 14: the province key (issue 10, docs/SCALING.md plan B and "Partitioning").
-- province_id = the top-level org under the root that a row's org lies in (the root itself: its own id).
--   org:     the org itself, from the second element of its path ('/1/5/...' -> org 5; the root '/1/' -> 1)
--   problem: its owner org (owner_org_id)
--   task:    the org doing it (org_id)
--   opinion: the org it is assigned to (org_id)
-- The store fills it on every insert and keeps it right when an owner changes or an org moves
-- (src/store/soci_store.cpp: ProvinceOf, InsertOrg, MoveOrg). Nullable only because SQLite's
-- ALTER TABLE ADD COLUMN cannot add NOT NULL without a default; the partitioned PostgreSQL layout makes
-- it NOT NULL (it is part of the primary keys there).

ALTER TABLE org ADD COLUMN province_id BIGINT;
ALTER TABLE problem ADD COLUMN province_id BIGINT;
ALTER TABLE task ADD COLUMN province_id BIGINT;
ALTER TABLE opinion ADD COLUMN province_id BIGINT;

-- Backfill: roots first, then every other org from the top-level org whose path prefixes its own.
UPDATE org SET province_id = id WHERE parent_id IS NULL;
UPDATE org SET province_id = (
    SELECT p.id FROM org p, org r
    WHERE p.parent_id = r.id AND r.parent_id IS NULL AND substr(org.path, 1, length(p.path)) = p.path)
WHERE parent_id IS NOT NULL;
UPDATE problem SET province_id = (SELECT o.province_id FROM org o WHERE o.id = problem.owner_org_id);
UPDATE task SET province_id = (SELECT o.province_id FROM org o WHERE o.id = task.org_id);
UPDATE opinion SET province_id = (SELECT o.province_id FROM org o WHERE o.id = opinion.org_id);
