-- rectify schema 16: the overdue and due-soon work queues (GET /api/v1/queues/overdue, /due_soon; issue 11
-- item 2, docs/PERFORMANCE.md#queues). Their totals now come from the task index, which holds each open task's
-- deadline, so the rebuild at start reads due_at with the open tasks (Store::ListTaskActivity):
--   task_open (migration 015) gains due_at, so that read stays a covering scan of the open tasks only.
--   task_open_due: the open tasks in deadline order, the order both queues list in (ORDER BY t.due_at, t.id):
--   a first page walks it from the start (overdue) or from `now` (due soon) instead of sorting every open task
--   of the subtree. Its WHERE is supervision_sql.inc kDeadlineRuns, word for word, so that both SQLite and
--   PostgreSQL prove the partial index usable.
DROP INDEX task_open;
CREATE INDEX task_open ON task(id, org_id, created_at, returned_at, due_at, status)
    WHERE status IN ('pending', 'in_progress', 'returned');
CREATE INDEX task_open_due ON task(due_at, id) WHERE status IN ('pending', 'in_progress', 'returned');
--   task_open_org: the open tasks of each org by deadline, for a small subtree's page (the org's open tasks
--   only, then sorted) instead of every task of its orgs through task_org. Store::QueueFilter::walk_by_deadline
--   says which of the two the service wants (it knows the subtree's share of the queue from the task index).
CREATE INDEX task_open_org ON task(org_id, due_at) WHERE status IN ('pending', 'in_progress', 'returned');
