// Pure helpers of the administration screens: supervision teams (指导组, /api/v1/teams) and webhooks
// (/api/v1/webhooks), docs/API.md "Supervision" and "Notifications and webhooks". No Vue: unit-tested in
// admin.test.js. The server decides who may manage what (org_admin or admin over the org; 403 otherwise).

import { NOTIFICATION_KINDS } from './notifications.js'

const ADMIN_ROLES = ['admin', 'org_admin']

/** Whether the session holds admin or org_admin somewhere (the 管理 menu is shown then). */
export function mayAdminister(session) {
  return (session?.grants || []).some((g) => ADMIN_ROLES.includes(g.role))
}

export const TEAM_KINDS = ['guidance', 'inspection']

/** The body of POST /teams: {body} or {error: <locale key>} (a name is needed). */
export function teamBody(form, orgId) {
  const name = String(form?.name || '').trim()
  if (!name) return { error: 'teams.needName' }
  const body = { org_id: Number(orgId), name }
  if (TEAM_KINDS.includes(form.kind)) body.kind = form.kind
  const campaign = String(form.campaign || '').trim()
  if (campaign) body.campaign = campaign
  return { body }
}

/** A team's assignments: the active ones first (newest first), then the ended ones (newest first). */
export function sortedAssignments(team) {
  return [...(team?.assignments || [])].sort((a, b) => {
    if (a.active !== b.active) return a.active ? -1 : 1
    return String(b.assigned_at || '').localeCompare(String(a.assigned_at || '')) || b.id - a.id
  })
}

/** The users of a list not yet members of the team, for the add-member picker. */
export function candidateMembers(users, team) {
  const members = new Set((team?.members || []).map((m) => m.user_id))
  return (users || []).filter((u) => !members.has(u.id) && !u.disabled)
}

/**
 * Checks a webhook URL as the server does (docs/API.md): http:// or https:// with a host, no user info,
 * no fragment, at most 2,000 bytes. Returns '' when fine, else a locale key.
 */
export function webhookUrlProblem(url) {
  const s = String(url || '').trim()
  if (!s) return 'webhooks.needUrl'
  if (new TextEncoder().encode(s).length > 2000) return 'webhooks.urlTooLong'
  let u
  try {
    u = new URL(s)
  } catch {
    return 'webhooks.badUrl'
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'webhooks.badUrl'
  if (!u.hostname) return 'webhooks.badUrl'
  if (u.username || u.password) return 'webhooks.noUserInfo'
  if (s.includes('#')) return 'webhooks.noFragment'
  return ''
}

/** The kinds as the API takes them: the known ones, each once, in ladder order; [] means every kind. */
export function normalKinds(kinds) {
  const set = new Set(kinds || [])
  return NOTIFICATION_KINDS.filter((k) => set.has(k))
}

/** The body of POST /webhooks: {body} or {error}. */
export function webhookBody(form, orgId) {
  const problem = webhookUrlProblem(form?.url)
  if (problem) return { error: problem }
  const body = { org_id: Number(orgId), url: String(form.url).trim(), active: form.active !== false }
  const kinds = normalKinds(form.kinds)
  if (kinds.length) body.kinds = kinds
  return { body }
}

/**
 * The body of PATCH /webhooks/{id}: only what changed from `hook` ({error} for a bad URL; {body: {}} when
 * nothing changed). Every kind is sent as `kinds: []`.
 */
export function webhookPatch(hook, form) {
  const problem = webhookUrlProblem(form?.url)
  if (problem) return { error: problem }
  const body = {}
  const url = String(form.url).trim()
  if (url !== hook.url) body.url = url
  const before = normalKinds(hook.kinds)
  const after = normalKinds(form.kinds)
  if (before.join(',') !== after.join(',')) body.kinds = after
  if (!!form.active !== !!hook.active) body.active = !!form.active
  return { body }
}

export const DELIVERY_TAG_TYPES = { pending: 'warning', delivered: 'success', dead: 'danger' }

/** A delivery's payload (the JSON body sent) pretty-printed; the raw text when it is not JSON. */
export function prettyPayload(payload) {
  if (payload === null || payload === undefined) return ''
  if (typeof payload === 'object') return JSON.stringify(payload, null, 2)
  try {
    return JSON.stringify(JSON.parse(payload), null, 2)
  } catch {
    return String(payload)
  }
}
