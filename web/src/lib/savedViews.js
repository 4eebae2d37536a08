// Saved views of the problem list (保存的视图): a named set of the list's filters, kept per user in the
// browser's localStorage (the API has no place for user preferences). No Vue: unit-tested in
// savedViews.test.js; `storage` is anything with getItem/setItem (window.localStorage in the app).

/** The route query keys a view keeps: the list's filters, its order and page size (not the page). */
export const VIEW_KEYS = ['status', 'source', 'category_id', 'overdue', 'created_from', 'created_to', 'sort', 'size']
export const MAX_VIEWS = 30
export const MAX_NAME = 40

/** The localStorage key of a user's views. */
export function storageKey(userId) {
  return `rectify.problemViews.v1.${userId}`
}

/** The part of a route query a view keeps, as strings, keys in VIEW_KEYS order, empty values dropped. */
export function viewQuery(query = {}) {
  const out = {}
  for (const k of VIEW_KEYS) {
    const v = query[k]
    if (v !== undefined && v !== null && v !== '') out[k] = String(v)
  }
  return out
}

/** Whether two queries keep the same view. */
export function sameView(a, b) {
  return JSON.stringify(viewQuery(a)) === JSON.stringify(viewQuery(b))
}

/** The user's views [{name, query, saved_at}], oldest first; [] when nothing (or nothing readable) is stored. */
export function loadViews(storage, userId) {
  try {
    const parsed = JSON.parse(storage.getItem(storageKey(userId)) || '[]')
    if (!Array.isArray(parsed)) return []
    return parsed
      .filter((v) => v && typeof v.name === 'string' && v.name && v.query && typeof v.query === 'object')
      .map((v) => ({ name: v.name, query: viewQuery(v.query), saved_at: v.saved_at || null }))
  } catch {
    return []
  }
}

/**
 * Saves `query` as view `name` (trimmed, 1-40 characters); a view of the same name is replaced in place.
 * Returns {views} or {error: <locale key>}: needName, nameTooLong, tooMany (30 views), noFilters (a view
 * of the unfiltered list is the list itself).
 */
export function saveView(storage, userId, name, query, now = Date.now()) {
  const n = String(name || '').trim()
  if (!n) return { error: 'views.needName' }
  if ([...n].length > MAX_NAME) return { error: 'views.nameTooLong' }
  const q = viewQuery(query)
  if (!Object.keys(q).length) return { error: 'views.noFilters' }
  const views = loadViews(storage, userId)
  const entry = { name: n, query: q, saved_at: new Date(now).toISOString() }
  const i = views.findIndex((v) => v.name === n)
  if (i >= 0) views[i] = entry
  else if (views.length >= MAX_VIEWS) return { error: 'views.tooMany' }
  else views.push(entry)
  storage.setItem(storageKey(userId), JSON.stringify(views))
  return { views }
}

/** Removes view `name`; returns the views left. */
export function removeView(storage, userId, name) {
  const views = loadViews(storage, userId).filter((v) => v.name !== name)
  storage.setItem(storageKey(userId), JSON.stringify(views))
  return views
}
