// Pure helpers for the in-app inbox (通知, GET /api/v1/notifications, docs/API.md "Notifications and
// webhooks"; how notices come about: docs/SUPERVISION.md#notifications-and-webhooks). No Vue: unit-tested
// in notifications.test.js.

/** The notice kinds the server sends today (the supervision ladder); others are shown by their raw name. */
export const NOTIFICATION_KINDS = ['urge', 'supervise', 'interview']
export const NOTIFICATION_TAG_TYPES = { urge: 'warning', supervise: 'danger', interview: 'danger' }

/** How often the header's bell asks for the unread count, in milliseconds. */
export const UNREAD_POLL_MS = 60000

/** The bell's badge: '' for none (no badge), the count up to 99, then '99+'. */
export function badgeText(n) {
  const v = Number(n) || 0
  if (v <= 0) return ''
  return v > 99 ? '99+' : String(v)
}

/** The inbox filter from the route query: 'unread' (the default) or 'all'. */
export function inboxFilter(query = {}) {
  return query.filter === 'all' ? 'all' : 'unread'
}

/** The query of GET /notifications for a filter ('unread' | 'all'), a cursor and a page size (1-500). */
export function inboxQuery(filter, cursor, limit = 50) {
  const q = { limit }
  if (filter === 'unread') q.unread = 'true'
  if (cursor) q.cursor = cursor
  return q
}

/**
 * Where a notice leads: the problem detail of its problem (under the notice's org, which is in the
 * reader's scope — the inbox holds only notices of the reader's own org and user), with the task's
 * card marked by `task` in the query; null for a notice without a problem (the API has no opinion link).
 * @param n Notification {org_id, problem_id, task_id}
 */
export function noticeTarget(n, fallbackOrgId) {
  if (!n || n.problem_id === null || n.problem_id === undefined) return null
  const orgId = n.org_id ?? fallbackOrgId
  const to = { name: 'problem', params: { orgId: String(orgId), problemId: String(n.problem_id) } }
  if (n.task_id !== null && n.task_id !== undefined) to.query = { task: String(n.task_id) }
  return to
}

/** The list after notice `id` was read at `readAt` (RFC 3339): in the unread view it leaves the list. */
export function markedRead(items, id, readAt, filter) {
  if (filter === 'unread') return items.filter((n) => n.id !== id)
  return items.map((n) => (n.id === id ? { ...n, read: true, read_at: n.read_at || readAt } : n))
}
