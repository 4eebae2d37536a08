// Pure helpers for the workflow screens (problem detail, its tasks and the timeline). The server stays
// the authority: these only decide which forms to offer, from the `next_actions` it sends.

export const TASK_STATUSES = ['pending', 'in_progress', 'submitted', 'accepted', 'returned', 'withdrawn']
export const TASK_TYPES = ['immediate', 'time_bound', 'ongoing']
export const REOPEN_CAUSES = ['dissatisfied_rating', 'recurrence', 'supervisor_decision']
export const SATISFACTIONS = ['satisfied', 'basically_satisfied', 'dissatisfied']

// Element Plus tag type per task status.
export const TASK_TAG_TYPES = {
  pending: 'info',
  in_progress: 'warning',
  submitted: 'primary',
  accepted: 'success',
  returned: 'danger',
  withdrawn: 'info',
}

const has = (obj, action) => Array.isArray(obj?.next_actions) && obj.next_actions.includes(action)

/**
 * The actions on a problem the UI offers: plan (add a task), close, reopen. From the problem's
 * next_actions (the state machine), not from its status, so a new server rule shows up here.
 */
export function problemActions(problem) {
  if (!problem) return []
  const out = []
  if (has(problem, 'add_task')) out.push('plan')
  if (has(problem, 'close')) out.push('close')
  if (has(problem, 'reopen')) out.push('reopen')
  return out
}

/**
 * The actions on a task the UI offers, in the order of the work: start, report (with evidence),
 * submit (申请销号), accept / return (验收). A task of an earlier round, or of a problem that is closed,
 * invalid or merged, cannot change (docs/WORKFLOW.md): nothing is offered for it.
 */
export function taskActions(task, problem) {
  if (!task) return []
  if (problem) {
    if (['closed', 'invalid', 'merged'].includes(problem.status)) return []
    if (problem.round !== undefined && task.round !== undefined && task.round !== problem.round) return []
  }
  return ['start', 'report', 'submit', 'accept', 'return'].filter((a) => has(task, a))
}

/**
 * Overdue (超期) as the server's filter means it: a deadline, and closed after it, or not closed (nor
 * invalid or merged) with the deadline before `now` (ms since the epoch).
 */
export function isOverdue(problem, now = Date.now()) {
  if (!problem?.due_at) return false
  const due = Date.parse(problem.due_at)
  if (Number.isNaN(due)) return false
  if (problem.closed_at) return Date.parse(problem.closed_at) > due
  if (problem.status === 'invalid' || problem.status === 'merged') return false
  return due < now
}

/**
 * A new task's body (TaskCreate) from the plan form; `dueDate` and `reviewDates` are YYYY-MM-DD.
 * immediate and time_bound tasks carry a deadline, ongoing ones review dates (docs/API.md).
 * Returns {body} or {error: <locale key>}.
 */
export function taskBody(form) {
  const title = (form.title || '').trim()
  const person = (form.responsible_person || '').trim()
  if (!title) return { error: 'task.needTitle' }
  if (!person) return { error: 'task.needPerson' }
  if (!form.org_id) return { error: 'task.needOrg' }
  const body = { org_id: Number(form.org_id), title, responsible_person: person, type: form.type }
  const lead = (form.lead_official || '').trim()
  if (lead) body.lead_official = lead
  const description = (form.description || '').trim()
  if (description) body.description = description
  if (form.type === 'ongoing') {
    const dates = [...new Set((form.review_dates || []).filter(Boolean))].sort()
    if (!dates.length) return { error: 'task.needReviewDates' }
    body.review_dates = dates
  } else {
    if (!form.due_date) return { error: 'task.needDueDate' }
    body.due_at = form.due_date
  }
  return { body }
}

/** Bytes as "12 B", "3.4 KB", "5.6 MB". */
export function formatBytes(n) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return ''
  const v = Number(n)
  if (v < 1024) return `${v} B`
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KB`
  return `${(v / 1024 / 1024).toFixed(1)} MB`
}

/**
 * One line of a timeline entry's detail (docs/API.md TimelineEntry): a task's title and responsible
 * person, a report's percent and text, a file's name and size, a reply's text, a rating, a reopen's
 * cause. `label(group, value)` names enum values (default: the value). Empty when there is nothing.
 */
export function timelineDetail(entry, label = (g, v) => v) {
  const d = entry?.detail || {}
  const parts = []
  const add = (v) => {
    if (v !== undefined && v !== null && v !== '') parts.push(String(v))
  }
  if (entry?.entity === 'task' && entry.action === 'create') {
    add(d.title)
    add(d.responsible_person)
    if (d.type) add(label('taskType', d.type))
  }
  if (entry?.action === 'report') {
    if (d.percent !== undefined && d.percent !== null) add(`${d.percent}%`)
    add(d.text)
  }
  if (entry?.action === 'attach_evidence') {
    add(d.original_name)
    add(formatBytes(d.size_bytes))
  }
  if (entry?.action === 'reply') add(d.reply_text)
  if (entry?.action === 'rate') {
    if (d.satisfaction) add(label('satisfaction', d.satisfaction))
    add(d.rating_comment)
  }
  if (entry?.action === 'reopen' && d.reopen_cause) add(label('reopenCause', d.reopen_cause))
  if (entry?.action === 'merge' && d.merged_into_id) add(`→ #${d.merged_into_id}`)
  return parts.join(' · ')
}

/** Timeline entries in time order (the server's order; kept stable for equal instants). */
export function sortTimeline(items) {
  return (items || [])
    .map((e, i) => [e, i])
    .sort((a, b) => (Date.parse(a[0].at) || 0) - (Date.parse(b[0].at) || 0) || a[1] - b[1])
    .map(([e]) => e)
}
