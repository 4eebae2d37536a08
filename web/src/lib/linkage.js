// 上下联动 (issue 5, docs/LINKAGE.md): which linkage actions the problem detail offers, and the request
// bodies of escalation (下题上答), joint ownership (同题共答) and cascade (上题下答). The server is the
// authority (roles, scope, targets): these only keep away buttons that cannot succeed.
import { taskBody } from './workflow.js'

export const OPEN_STATUSES = ['registered', 'planned', 'in_progress', 'pending_verification']
export const ESCALATION_STATUSES = ['pending', 'accepted', 'declined', 'withdrawn']
export const CASCADE_SCOPES = ['descendants', 'level', 'orgs']

/**
 * The linkage actions for a ProblemDetail: {escalate, addCoOwner, escalation: {id: [accept, decline,
 * withdraw]}}. Only with full access to an open problem; escalate only without a pending escalation
 * and when the owner has a parent; an escalation's steps come from its next_actions.
 */
export function linkageActions(problem) {
  const out = { escalate: false, addCoOwner: false, escalation: {} }
  if (!problem || problem.access !== 'full') return out
  const open = OPEN_STATUSES.includes(problem.status)
  const escalations = problem.escalations || []
  const pending = escalations.some((e) => e.status === 'pending')
  const hasParent = problem.owner ? problem.owner.parent_id !== null && problem.owner.parent_id !== undefined : true
  out.escalate = open && !pending && hasParent
  out.addCoOwner = open
  for (const e of escalations) {
    out.escalation[e.id] = ['accept', 'decline', 'withdraw'].filter((a) => (e.next_actions || []).includes(a))
  }
  return out
}

/** POST /problems/{id}/escalations: {body} or {error: <locale key>}. */
export function escalationBody({ toOrgId, reason }) {
  if (!toOrgId) return { error: 'linkage.escalateTo' }
  const r = (reason || '').trim()
  if (!r) return { error: 'common.needReason' }
  return { body: { to_org_id: Number(toOrgId), reason: r } }
}

/** The decision on an escalation: accept takes an optional comment, decline and withdraw a reason. */
export function decisionBody(action, text) {
  const s = (text || '').trim()
  if (action === 'accept') return { body: s ? { comment: s } : {} }
  if (!s) return { error: 'common.needReason' }
  return { body: { reason: s } }
}

/** POST /problems/{id}/co-owners: {org_id, task: TaskCreate without org_id}. */
export function coOwnerBody(form) {
  if (!form.org_id) return { error: 'task.needOrg' }
  const { body, error } = taskBody(form)
  if (error) return { error }
  const { org_id, ...task } = body
  return { body: { org_id, task } }
}

/**
 * POST /tasks/{id}/cascade (CascadeCreate) from the form: scope, level (scope level), org_ids (scope
 * orgs), kind and batch (optional, any scope), responsible_person, title, description, due_date
 * (YYYY-MM-DD, not later than the parent's: checked here against `parentDue` and by the server).
 */
export function cascadeBody(form, parentDue) {
  if (!CASCADE_SCOPES.includes(form.scope)) return { error: 'linkage.scope' }
  const targets = { scope: form.scope }
  if (form.scope === 'level') {
    if (!form.level) return { error: 'linkage.level' }
    targets.level = form.level
  }
  if (form.scope === 'orgs') {
    const ids = [...new Set((form.org_ids || []).map(Number).filter((n) => n > 0))]
    if (!ids.length) return { error: 'linkage.targetOrgs' }
    targets.org_ids = ids
  }
  if (form.kind) targets.kind = form.kind
  if (form.batch !== undefined && form.batch !== null && form.batch !== '') targets.batch = Number(form.batch)
  const person = (form.responsible_person || '').trim()
  if (!person) return { error: 'task.needPerson' }
  const body = { targets, responsible_person: person }
  const title = (form.title || '').trim()
  if (title) body.title = title
  const description = (form.description || '').trim()
  if (description) body.description = description
  if (form.due_date) {
    if (parentDue && form.due_date > String(parentDue).slice(0, 10)) return { error: 'linkage.cascadeDue' }
    body.due_at = form.due_date
  }
  return { body }
}

/**
 * 下发 (cascade) is offered on a task of the current round that is pending, in progress or returned,
 * of a problem that can still get tasks (add_task in its next_actions), with full access.
 */
export function canCascade(task, problem) {
  if (!task || !problem || problem.access !== 'full') return false
  if (!(problem.next_actions || []).includes('add_task')) return false
  if (problem.round !== undefined && task.round !== problem.round) return false
  return ['pending', 'in_progress', 'returned'].includes(task.status)
}
