// The public portal's API (/api/v1/public, docs/API.md "Public portal"): no session, no CSRF token, and
// no 401 handling — the portal never calls a staff route.
import { ApiError, readResponse } from './client.js'

export const PUBLIC_BASE = '/api/v1/public'

async function request(method, path, { query, body } = {}) {
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query || {})) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
  }
  const qs = params.toString()
  let res
  try {
    res = await fetch(`${PUBLIC_BASE}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      credentials: 'omit',
    })
  } catch (e) {
    throw new ApiError(0, 'network', e?.message || 'network error')
  }
  return readResponse(res)
}

export const publicApi = {
  categories: () => request('GET', '/categories'),
  divisions: (parent) => request('GET', '/divisions', { query: { parent } }),
  file: (body) => request('POST', '/opinions', { body }),
  track: (code) => request('GET', `/opinions/${encodeURIComponent(code)}`),
  rate: (code, satisfaction, comment) =>
    request('POST', `/opinions/${encodeURIComponent(code)}/rating`, {
      body: comment ? { satisfaction, comment } : { satisfaction },
    }),
  orgs: (parentId) => request('GET', '/orgs', { query: { parent_id: parentId } }),
  notices: (orgId, query) => request('GET', `/orgs/${orgId}/notices`, { query }),
}
