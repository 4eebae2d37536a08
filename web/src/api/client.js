// Thin fetch wrapper for the rectify API (/api/v1, same origin).
import { ElMessage } from 'element-plus'

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

export async function apiGet(path, query, { signal } = {}) {
  let res
  try {
    res = await fetch(buildUrl(path, query), { headers: { Accept: 'application/json' }, signal })
  } catch (e) {
    if (e?.name === 'AbortError') throw e
    throw new ApiError(0, 'network', e?.message || 'network error')
  }
  const text = await res.text()
  let body = null
  try {
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  if (!res.ok) {
    const err = body?.error
    throw new ApiError(res.status, err?.code || `http_${res.status}`, err?.message || `${res.status} ${res.statusText}`)
  }
  return body
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
  org: (id) => apiGet(`/orgs/${id}`),
  children: (id) => apiGet(`/orgs/${id}/children`),
  ancestors: (id) => apiGet(`/orgs/${id}/ancestors`),
  searchOrgs: (q, limit = 20) => apiGet('/orgs', { q, limit }),
  orgsByDivisionCode: (code) => apiGet('/orgs', { division_code: code }),
  stats: (id) => apiGet(`/orgs/${id}/stats`),
  childStats: (id) => apiGet(`/orgs/${id}/stats/children`),
  categories: () => apiGet('/categories'),
  problems: (query) => apiGet('/problems', query),
  problem: (id) => apiGet(`/problems/${id}`),
  problemEvents: (id) => apiGet(`/problems/${id}/events`),
  opinions: (query) => apiGet('/opinions', query),
  opinion: (id) => apiGet(`/opinions/${id}`),
  opinionEvents: (id) => apiGet(`/opinions/${id}/events`),
}
