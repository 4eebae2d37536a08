// Pure helpers about the session (GET /api/v1/session) and the login flow.

/** Methods that change something: they carry the session's CSRF token (X-CSRF-Token). */
export function isUnsafeMethod(method) {
  return !['GET', 'HEAD', 'OPTIONS'].includes(String(method || 'GET').toUpperCase())
}

/** The org a user starts at: the first root of their scope (null without a session or scope). */
export function homeOrgOf(session) {
  const first = session?.scope?.[0]
  return first && first.id !== undefined ? first.id : null
}

/**
 * Where to go after logging in: `path` when it is a path on this site (starts with one '/', no
 * backslash, not the login page itself), else `fallback`. Keeps the redirect parameter from sending
 * a user to another site (open redirect).
 */
export function safeRedirect(path, fallback = '/') {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) return fallback
  if (path.includes('\\') || /[\u0000-\u001f]/.test(path)) return fallback
  if (path === '/login' || path.startsWith('/login?') || path.startsWith('/login/')) return fallback
  return path
}

/**
 * The user's roles for display: [{ role, orgId, orgName }], one per grant, with the org's name when
 * the session's scope or `names` (id -> name) knows it.
 */
export function grantsForDisplay(session, names = new Map()) {
  const scopeNames = new Map((session?.scope || []).map((o) => [o.id, o.name]))
  return (session?.grants || []).map((g) => ({
    role: g.role,
    orgId: g.org_id,
    orgName: scopeNames.get(g.org_id) ?? names.get(g.org_id) ?? `#${g.org_id}`,
  }))
}

/** The client-side check of a new password (the server checks again): '' when fine, else a reason key. */
export function passwordProblem(newPassword, confirm, minChars = 10) {
  const n = [...String(newPassword || '')].length
  if (n < minChars) return 'tooShort'
  if (newPassword !== confirm) return 'mismatch'
  return ''
}

/** Whether the session holds `role` on some org (grants of GET /session); false without a session. */
export function hasRole(session, role) {
  return (session?.grants || []).some((g) => g.role === role)
}
