-- rectify schema 6 (issue 8): handling-time limits of public opinions (办理时限).
-- Migrations apply in file order, and the version is the position: this file is version 6.
-- Times are INTEGER seconds since the Unix epoch, UTC.
--
-- sla_class:     emergency, utility, general or complex (domain/opinion_sla.hpp); set at registration.
-- reply_due_at:  when the opinion must have been answered, fixed at registration from the profile then
--                in force (a later profile change does not move stored deadlines).
-- responded_at:  its first response — accepted, linked, declined, marked duplicate or replied.
ALTER TABLE opinion ADD COLUMN sla_class TEXT NOT NULL DEFAULT 'general';
ALTER TABLE opinion ADD COLUMN reply_due_at BIGINT;
ALTER TABLE opinion ADD COLUMN responded_at BIGINT;

-- Opinions stored before this migration: general, due 7 days (604,800 s) after receipt (the default
-- profile's general limit), first response from their timeline, else their reply.
UPDATE opinion SET reply_due_at = received_at + 604800;
UPDATE opinion SET responded_at = COALESCE(
    (SELECT MIN(e.at) FROM event e WHERE e.entity = 'opinion' AND e.entity_id = opinion.id
       AND e.action IN ('accept', 'link', 'decline', 'mark_duplicate', 'reply')),
    replied_at);

-- The queue of opinions not yet answered, by deadline (GET /api/v1/queues/opinions_overdue).
CREATE INDEX opinion_unanswered ON opinion(reply_due_at, id) WHERE responded_at IS NULL;
