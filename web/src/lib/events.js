// Pure helpers for the event history (timeline) of an entity.

const IGNORED = new Set(['updated_at', 'version'])

/**
 * Fields that differ between `before` and `after` (objects, either may be
 * null), in the order of `after` then `before`; skips bookkeeping fields.
 * Returns [{field, from, to}] with values as the server sent them.
 */
export function diffFields(before, after) {
  const b = before && typeof before === 'object' ? before : {}
  const a = after && typeof after === 'object' ? after : {}
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])]
  const out = []
  for (const k of keys) {
    if (IGNORED.has(k)) continue
    const from = b[k] ?? null
    const to = a[k] ?? null
    if (JSON.stringify(from) !== JSON.stringify(to)) out.push({ field: k, from, to })
  }
  return out
}

/** Events sorted oldest first (by time, then id). */
export function sortEvents(items) {
  return [...(items || [])].sort((x, y) => {
    const tx = Date.parse(x.at) || 0
    const ty = Date.parse(y.at) || 0
    return tx - ty || (x.id || 0) - (y.id || 0)
  })
}
