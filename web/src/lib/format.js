// Pure formatting helpers (no Vue, no i18n state): unit-tested in format.test.js.

/** The configured display time zone (dates from the server carry +08:00). */
export const TIME_ZONE = import.meta.env?.VITE_TIME_ZONE || 'Asia/Shanghai'

export const DASH = '—'

/** 0.82256 -> "82.3%"; null/undefined -> "—". */
export function formatPercent(rate, digits = 1) {
  if (rate === null || rate === undefined || Number.isNaN(rate)) return DASH
  return `${(rate * 100).toFixed(digits)}%`
}

/**
 * A Rate {numerator, denominator, rate} as "82.3% (700/851)";
 * a rate of null (denominator 0) as "— (0/0)".
 */
export function formatRate(r, digits = 1) {
  if (!r) return DASH
  return `${formatPercent(r.rate, digits)} (${r.numerator ?? 0}/${r.denominator ?? 0})`
}

/** Days as "12.5"; null -> "—". */
export function formatDays(days, digits = 1) {
  if (days === null || days === undefined || Number.isNaN(days)) return DASH
  return Number(days).toFixed(digits)
}

/** Integer with thousands separators: 12345 -> "12,345". */
export function formatCount(n) {
  if (n === null || n === undefined) return DASH
  return Number(n).toLocaleString('en-US')
}

function parts(iso, timeZone) {
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return null
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
  const p = {}
  for (const { type, value } of fmt.formatToParts(d)) p[type] = value
  return p
}

/** RFC 3339 -> "2024-03-05 14:07" in the display zone; empty/invalid -> "—". */
export function formatDateTime(iso, timeZone = TIME_ZONE) {
  if (!iso) return DASH
  const p = parts(iso, timeZone)
  if (!p) return String(iso)
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`
}

/** RFC 3339 -> "2024-03-05" in the display zone; empty/invalid -> "—". */
export function formatDate(iso, timeZone = TIME_ZONE) {
  if (!iso) return DASH
  const p = parts(iso, timeZone)
  if (!p) return String(iso)
  return `${p.year}-${p.month}-${p.day}`
}

/**
 * The day after a YYYY-MM-DD date: "2024-02-28" -> "2024-02-29",
 * "2024-12-31" -> "2025-01-01". Empty/invalid -> "".
 */
export function nextDay(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(ymd || ''))
  if (!m) return ''
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1))
  return d.toISOString().slice(0, 10)
}

/**
 * Query object for GET /api/v1/problems from the UI's filter state; drops
 * empty values, joins status lists with commas. `createdTo` is the last day
 * shown (inclusive); the API's created_to is exclusive, so it gets the next day.
 * `campaignId`, `specialItemId` (ids), `batch` (the owner org's: 0 none, 1, 2; null
 * or '' = any) and `orgKind` (the owner org's kind) go as campaign_id,
 * special_item_id, batch and org_kind.
 */
export function problemQuery({
  orgId,
  status,
  source,
  categoryId,
  campaignId,
  specialItemId,
  batch,
  orgKind,
  createdFrom,
  createdTo,
  overdue,
  sort,
  page,
  pageSize,
  cursor,
  limit = 50,
}) {
  const q = {}
  if (orgId) q.org_id = String(orgId)
  const st = Array.isArray(status) ? status.filter(Boolean) : status ? [status] : []
  if (st.length) q.status = st.join(',')
  if (source) q.source = source
  if (categoryId !== null && categoryId !== undefined && categoryId !== '') q.category_id = String(categoryId)
  if (campaignId !== null && campaignId !== undefined && campaignId !== '') q.campaign_id = String(campaignId)
  if (specialItemId !== null && specialItemId !== undefined && specialItemId !== '') q.special_item_id = String(specialItemId)
  if (batch !== null && batch !== undefined && batch !== '') q.batch = String(batch)
  if (orgKind) q.org_kind = orgKind
  if (createdFrom) q.created_from = createdFrom
  if (createdTo) q.created_to = nextDay(createdTo) || createdTo
  if (overdue === true || overdue === 'true') q.overdue = 'true'
  if (overdue === false || overdue === 'false') q.overdue = 'false'
  if (sort && sort !== '-id') q.sort = sort
  if (page) {
    // Page numbers (1-based) of pageSize rows, with the total count of every match.
    const size = Number(pageSize) || Number(limit) || 50
    const n = Math.max(1, Number(page) || 1)
    if (n > 1) q.offset = String((n - 1) * size)
    q.limit = String(size)
    q.total = 'true'
    return q
  }
  if (cursor) q.cursor = cursor
  if (limit) q.limit = String(limit)
  return q
}

/**
 * The API's sort parameter from an el-table sort-change ({prop, order: 'ascending' | 'descending' |
 * null}); the columns the server sorts by are created_at, due_at and closed_at. No order: newest first.
 */
export function sortParam({ prop, order } = {}) {
  if (!order || !['created_at', 'due_at', 'closed_at'].includes(prop)) return ''
  return order === 'descending' ? `-${prop}` : prop
}

/** The el-table default-sort of a sort parameter ("-due_at" -> {prop: 'due_at', order: 'descending'}). */
export function tableSortOf(sort) {
  const m = /^(-?)(created_at|due_at|closed_at)$/.exec(String(sort || ''))
  if (!m) return undefined
  return { prop: m[2], order: m[1] ? 'descending' : 'ascending' }
}

/** {a: '1', b: 'x y'} -> "a=1&b=x+y" (URLSearchParams order = key order). */
export function toQueryString(q) {
  return new URLSearchParams(q).toString()
}
