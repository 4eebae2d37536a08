// Thin fetch wrapper for the rectify API (/api/v1, same origin, session cookie + CSRF token).
import { ElMessage } from 'element-plus'
import { isUnsafeMethod } from '../lib/auth.js'

export const API_BASE = '/api/v1'

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

function buildUrl(path, query) {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  return `${API_BASE}${path}${qs ? `?${qs}` : ''}`
}

// The session's CSRF token (from POST or GET /session), sent with every unsafe request; and what to
// do when the server answers 401 (the session ended): set by main.js to go to the login page.
let csrfToken = null
let unauthorizedHandler = null

export function setCsrfToken(token) {
  csrfToken = token || null
}

export function setUnauthorizedHandler(fn) {
  unauthorizedHandler = fn
}

/**
 * One API call. `body` is sent as JSON. The session cookie goes along (same origin); unsafe methods
 * carry X-CSRF-Token. A 401 calls the unauthorized handler unless `quiet401`.
 */
export async function apiRequest(method, path, { query, body, raw, contentType, ifMatch, signal, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (raw !== undefined) headers['Content-Type'] = contentType || 'application/octet-stream'
  if (ifMatch !== undefined && ifMatch !== null) headers['If-Match'] = `"${ifMatch}"`
  if (isUnsafeMethod(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  let res
  try {
    res = await fetch(buildUrl(path, query), {
      method,
      headers,
      body: raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'same-origin',
      signal,
    })
  } catch (e) {
    if (e?.name === 'AbortError') throw e
    throw new ApiError(0, 'network', e?.message || 'network error')
  }
  if (res.status === 401 && !quiet401 && unauthorizedHandler) unauthorizedHandler()
  return readResponse(res)
}

/**
 * The JSON body of a fetch Response (null when empty or not JSON); a non-2xx answer throws an ApiError
 * with the server's error code and message, and `retryAfter` (seconds) from a Retry-After header.
 */
export async function readResponse(res) {
  const text = await res.text()
  let parsed = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = null
  }
  if (!res.ok) {
    const err = parsed?.error
    const e = new ApiError(res.status, err?.code || `http_${res.status}`, err?.message || `${res.status} ${res.statusText}`)
    e.retryAfter = Number(res.headers?.get?.('Retry-After')) || null
    throw e
  }
  return parsed
}

export function apiPost(path, body, opts = {}) {
  return apiRequest('POST', path, { body: body === undefined ? {} : body, ...opts })
}

export function apiGet(path, query, { signal } = {}) {
  return apiRequest('GET', path, { query, signal })
}

let lastShown = { text: '', at: 0 }

/**
 * Shows an API error to the user (the server's error.message); ignores aborts
 * and the same message again within 2 s (parallel calls failing alike).
 */
export function showError(e) {
  if (!e || e.name === 'AbortError') return
  console.error(e)
  const text = e.message || String(e)
  const now = Date.now()
  if (text === lastShown.text && now - lastShown.at < 2000) return
  lastShown = { text, at: now }
  ElMessage({ type: 'error', message: text, showClose: true, duration: 6000 })
}

export const api = {
  session: () => apiRequest('GET', '/session', { quiet401: true }),
  login: (name, password) => apiRequest('POST', '/session', { body: { name, password }, quiet401: true }),
  logout: () => apiRequest('DELETE', '/session', { quiet401: true }),
  changePassword: (oldPassword, newPassword) =>
    apiRequest('POST', '/session/password', { body: { old_password: oldPassword, new_password: newPassword } }),
  org: (id) => apiGet(`/orgs/${id}`),
  children: (id) => apiGet(`/orgs/${id}/children`),
  ancestors: (id) => apiGet(`/orgs/${id}/ancestors`),
  searchOrgs: (q, limit = 20) => apiGet('/orgs', { q, limit }),
  orgsByDivisionCode: (code) => apiGet('/orgs', { division_code: code }),
  // query: category_id, source, campaign_id, special_item_id, batch, org_kind, created_from, created_to,
  // due_soon_days, weeks, category_depth (docs/API.md#figures)
  stats: (id, query) => apiGet(`/orgs/${id}/stats`, query),
  childStats: (id, query) => apiGet(`/orgs/${id}/stats/children`, query),
  categories: () => apiGet('/categories'),
  // Campaigns visible to the user ({items: [Campaign]}) and one with its special_items (docs/API.md, Campaigns).
  campaigns: () => apiGet('/campaigns'),
  campaign: (id) => apiGet(`/campaigns/${id}`),
  problems: (query) => apiGet('/problems', query),
  problem: (id) => apiGet(`/problems/${id}`),
  problemEvents: (id) => apiGet(`/problems/${id}/events`),
  problemTimeline: (id) => apiGet(`/problems/${id}/timeline`),
  createProblem: (body) => apiPost('/problems', body),
  problemTasks: (id) => apiGet(`/problems/${id}/tasks`),
  createTask: (problemId, body, version) => apiPost(`/problems/${problemId}/tasks`, body, { ifMatch: version }),
  closeProblem: (id, version) => apiPost(`/problems/${id}/close`, {}, { ifMatch: version }),
  reopenProblem: (id, cause, reason) => apiPost(`/problems/${id}/reopen`, { cause, reason }),
  task: (id) => apiGet(`/tasks/${id}`),
  taskReports: (id) => apiGet(`/tasks/${id}/reports`),
  taskEvidence: (id) => apiGet(`/tasks/${id}/evidence`),
  startTask: (id, version) => apiPost(`/tasks/${id}/start`, {}, { ifMatch: version }),
  reportTask: (id, text, percent, evidenceIds) =>
    apiPost(`/tasks/${id}/reports`, { text, percent, evidence_ids: evidenceIds || [] }),
  uploadEvidence: (id, file) =>
    apiRequest('POST', `/tasks/${id}/evidence`, {
      query: { filename: file.name },
      raw: file,
      contentType: file.type || 'application/octet-stream',
    }),
  submitTask: (id, version) => apiPost(`/tasks/${id}/submit`, {}, { ifMatch: version }),
  acceptTask: (id, comment) => apiPost(`/tasks/${id}/accept`, comment ? { comment } : {}),
  returnTask: (id, reason) => apiPost(`/tasks/${id}/return`, { reason }),
  acceptOpinion: (id, body) => apiPost(`/opinions/${id}/accept`, body),
  declineOpinion: (id, reason) => apiPost(`/opinions/${id}/decline`, { reason }),
  duplicateOpinion: (id, body) => apiPost(`/opinions/${id}/duplicate`, body),
  replyOpinion: (id, text) => apiPost(`/opinions/${id}/reply`, { text }),
  opinions: (query) => apiGet('/opinions', query),
  opinion: (id) => apiGet(`/opinions/${id}`),
  opinionEvents: (id) => apiGet(`/opinions/${id}/events`),
  opinionSuggestions: (id) => apiGet(`/opinions/${id}/suggestions`),
  hotIssues: (id, query) => apiGet(`/orgs/${id}/hot-issues`, query),
  // 上下联动 (issue 5)
  escalations: (problemId) => apiGet(`/problems/${problemId}/escalations`),
  escalate: (problemId, body, version) => apiPost(`/problems/${problemId}/escalations`, body, { ifMatch: version }),
  decideEscalation: (id, action, body, version) => apiPost(`/escalations/${id}/${action}`, body, { ifMatch: version }),
  coOwners: (problemId) => apiGet(`/problems/${problemId}/co-owners`),
  addCoOwner: (problemId, body, version) => apiPost(`/problems/${problemId}/co-owners`, body, { ifMatch: version }),
  // 派单规则 and 转办 (issue 5, docs/LINKAGE.md#routing-rules, #transfers)
  routingRules: (version) => apiGet('/routing-rules', version ? { version } : undefined),
  saveRoutingRules: (body) => apiPost('/routing-rules', body),
  opinionRouting: (id) => apiGet(`/opinions/${id}/routing`),
  transferOpinion: (id, body, version) => apiPost(`/opinions/${id}/transfer`, body, { ifMatch: version }),
  cascade: (taskId, body, version) => apiPost(`/tasks/${taskId}/cascade`, body, { ifMatch: version }),
  taskChildren: (taskId, query) => apiGet(`/tasks/${taskId}/children`, query),
  // 督促指导 (issue 8)
  taskSupervision: (taskId) => apiGet(`/tasks/${taskId}/supervision`),
  takeStep: (taskId, body) => apiPost(`/tasks/${taskId}/supervision`, body),
  queue: (kind, query, opts) => apiGet(`/queues/${kind}`, query, opts),
  opinionRates: (orgId, query) => apiGet(`/orgs/${orgId}/opinion-rates`, query),
  // 学习调研 (issue 12): the screen calls the list and figure routes with apiGet; a visit's detail here
  researchVisit: (id) => apiGet(`/research-visits/${id}`),
  bulletins: (orgId) => apiGet('/bulletins', { org_id: orgId }),
  bulletin: (id) => apiGet(`/bulletins/${id}`),
  publishBulletin: (body) => apiPost('/bulletins', body),
  // the inbox (通知) and administration: teams (指导组) and webhooks (issue 8)
  notifications: (query) => apiGet('/notifications', query),
  unreadCount: () => apiGet('/notifications/unread_count'),
  readNotification: (id) => apiPost(`/notifications/${id}/read`, {}),
  readAllNotifications: () => apiPost('/notifications/read_all', {}),
  createOpinion: (body) => apiPost('/opinions', body),
  teams: (orgId) => apiGet('/teams', { org_id: orgId }),
  team: (id) => apiGet(`/teams/${id}`),
  createTeam: (body) => apiPost('/teams', body),
  addTeamMember: (id, userId) => apiPost(`/teams/${id}/members`, { user_id: userId }),
  removeTeamMember: (id, userId) => apiRequest('DELETE', `/teams/${id}/members/${userId}`),
  assignTeam: (id, orgId) => apiPost(`/teams/${id}/assignments`, { org_id: orgId }),
  endTeamAssignment: (id, assignmentId) => apiPost(`/teams/${id}/assignments/${assignmentId}/end`, {}),
  users: (orgId) => apiGet('/users', { org_id: orgId }),
  webhooks: (orgId) => apiGet('/webhooks', { org_id: orgId }),
  createWebhook: (body) => apiPost('/webhooks', body),
  updateWebhook: (id, body, version) => apiRequest('PATCH', `/webhooks/${id}`, { body, ifMatch: version }),
  webhookDeliveries: (id, limit = 50) => apiGet(`/webhooks/${id}/deliveries`, { limit }),
  // 症结分析 and 个人检视 (issue 12, docs/CAUSES.md)
  causeCategories: () => apiGet('/cause-categories'),
  createCauseCategory: (body) => apiPost('/cause-categories', body),
  updateCauseCategory: (id, body, version) => apiRequest('PUT', `/cause-categories/${id}`, { body, ifMatch: version }),
  setCauseAnalysis: (problemId, body) => apiRequest('PUT', `/problems/${problemId}/cause-analysis`, { body }),
  causeStats: (orgId, query) => apiGet(`/orgs/${orgId}/stats/causes`, query),
  selfItems: (orgId, query) => apiGet(`/orgs/${orgId}/self-inspection-items`, query),
  createSelfItem: (orgId, body) => apiPost(`/orgs/${orgId}/self-inspection-items`, body),
  updateSelfItem: (id, body, version) => apiRequest('PATCH', `/self-inspection-items/${id}`, { body, ifMatch: version }),
  selfStats: (orgId) => apiGet(`/orgs/${orgId}/stats/self-inspection`),
}
