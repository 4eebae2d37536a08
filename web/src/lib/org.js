// Pure helpers about orgs.

/**
 * The ancestors of `org`, root first, excluding `org` itself, built by
 * following parent_id through `items` (whatever order and whether or not the
 * server included the org itself).
 */
export function ancestorChain(org, items) {
  const byId = new Map((items || []).map((o) => [o.id, o]))
  const chain = []
  const seen = new Set([org?.id])
  let pid = org?.parent_id
  while (pid !== null && pid !== undefined && byId.has(pid) && !seen.has(pid)) {
    const p = byId.get(pid)
    seen.add(pid)
    chain.push(p)
    pid = p.parent_id
  }
  if (chain.length === 0 && items?.length) {
    // No parent links to follow: keep the server's order, minus the org itself.
    return items.filter((o) => o.id !== org?.id)
  }
  return chain.reverse()
}

/** Search the org tree by name, or by division code when the text is digits. */
export function orgSearchKind(text) {
  const s = String(text || '').trim()
  if (!s) return null
  return /^\d{2,12}$/.test(s) ? 'division_code' : 'q'
}
