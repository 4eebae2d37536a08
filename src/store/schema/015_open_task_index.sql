-- rectify schema 15: the indexes the rebuild of the task and side-figures indexes at start reads through
-- (issue 6, docs/PERFORMANCE.md#province-startup). Store::ListTaskActivity(all) selects every task whose
-- deadline runs (status pending, in_progress or returned: supervision_sql.inc kDeadlineRuns, the same text as
-- this WHERE, so both SQLite and PostgreSQL prove the partial index usable) with its last activity. Without
-- these it scanned the whole task table (5,007,146 rows at province scale for ~600,000 open ones) and looked up
-- each open task's reports by task.
--   task_open: only the open tasks, with every column the read needs, status too (SQLite counts a partial
--   index as covering only when it holds the columns of the WHERE as well): no lookup in the task table.
--   progress_report_task_at: the latest report of a task is one index seek (MAX(reported_at) per task_id),
--   it has task_id first, so it also serves every lookup by task_id that progress_report_task served.
-- Store::ListCascadeFacts joins each cascade (task_cascade) with its child tasks by (parent_task_id,
-- cascade_id).
-- task_parent starts with parent_task_id, which is NULL for every task that is not a cascade child: SQLite's
-- statistics then count all of them as one value, and at province scale it scanned all 5,007,146 tasks
-- (11.7 s) even with no cascade at all. task_cascade_child holds the cascade children only.
CREATE INDEX task_open ON task(id, org_id, created_at, returned_at, status)
    WHERE status IN ('pending', 'in_progress', 'returned');
CREATE INDEX progress_report_task_at ON progress_report(task_id, reported_at);
DROP INDEX progress_report_task;
CREATE INDEX task_cascade_child ON task(parent_task_id, cascade_id, org_id) WHERE cascade_id IS NOT NULL;
