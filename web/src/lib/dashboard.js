// The dashboard's filters, its stats requests and its drill-downs to the problem list. Pure functions:
// unit-tested in dashboard.test.js without Vue.

import { PROBLEM_SOURCES } from './enums.js'
import { formatCount, formatDate, formatPercent, nextDay } from './format.js'

/** The statuses counted as open (在办) by the stats: `open`, `overdue`, `due_soon`. */
export const OPEN_STATUSES = ['registered', 'planned', 'in_progress', 'pending_verification']

/** Weeks the trend chart offers; the first is the default (the API's default, 12). */
export const WEEK_CHOICES = [12, 26, 52, 104, 520]
export const DEFAULT_WEEKS = WEEK_CHOICES[0]

/** 临期: open problems due within this many days (asked for explicitly, so the card can say it). */
export const DUE_SOON_DAYS = 3

/**
 * The dashboard's filters from its route query: `category_id` (a top-level category id), `source` (a
 * problem source), `weeks` (one of WEEK_CHOICES). Anything else is dropped.
 */
export function dashboardFilters(query = {}) {
  const out = { categoryId: null, source: '', weeks: DEFAULT_WEEKS }
  const cat = Number(query.category_id)
  if (query.category_id !== undefined && query.category_id !== '' && Number.isInteger(cat) && cat > 0) out.categoryId = cat
  if (PROBLEM_SOURCES.includes(query.source)) out.source = query.source
  const weeks = Number(query.weeks)
  if (WEEK_CHOICES.includes(weeks)) out.weeks = weeks
  return out
}

/** The route query of the filters (the inverse of dashboardFilters; defaults left out). */
export function filtersQuery({ categoryId, source, weeks } = {}) {
  const q = {}
  if (categoryId !== null && categoryId !== undefined && categoryId !== '') q.category_id = String(categoryId)
  if (source) q.source = source
  if (weeks && Number(weeks) !== DEFAULT_WEEKS) q.weeks = String(weeks)
  return q
}

/** The query of GET /orgs/{id}/stats and /stats/children for the filters (and the 临期 window). */
export function statsQuery({ categoryId, source, weeks } = {}) {
  const q = {}
  if (categoryId !== null && categoryId !== undefined && categoryId !== '') q.category_id = String(categoryId)
  if (source) q.source = source
  if (weeks !== undefined && weeks !== null && weeks !== '') q.weeks = String(weeks)
  q.due_soon_days = String(DUE_SOON_DAYS)
  return q
}

/**
 * Where a click on the dashboard leads: the problem list of `orgId` (a string or number) with the
 * dashboard's filters (category, source) and the clicked figure's own filter on top:
 *   {status}           a status slice (or a list of statuses)
 *   {categoryId}       a category bar (null: uncategorised, which the list cannot filter — returns null)
 *   {source}           a source bar
 *   {overdue: true}    the 超期 figure: open problems past their deadline (the list's overdue=true alone
 *                      also counts problems closed late, so the open statuses go along)
 *   {closed: true}     closed problems
 *   {weekStart}        problems created in the ISO week starting then (the list's dates are inclusive)
 * Returns a vue-router location, or null when the list cannot show the figure.
 */
export function drillTo(orgId, filters = {}, what = {}) {
  const q = {}
  if (filters.categoryId !== null && filters.categoryId !== undefined && filters.categoryId !== '') {
    q.category_id = String(filters.categoryId)
  }
  if (filters.source) q.source = filters.source
  if ('categoryId' in what) {
    if (what.categoryId === null || what.categoryId === undefined) return null
    q.category_id = String(what.categoryId)
  }
  if (what.source) q.source = what.source
  if (what.status) q.status = Array.isArray(what.status) ? what.status.join(',') : what.status
  if (what.closed) q.status = 'closed'
  if (what.overdue) {
    q.status = OPEN_STATUSES.join(',')
    q.overdue = 'true'
  }
  if (what.weekStart) {
    const from = formatDate(what.weekStart)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) return null
    let to = from
    for (let i = 0; i < 6; i++) to = nextDay(to)
    q.created_from = from
    q.created_to = to
  }
  return { name: 'problems', params: { orgId: String(orgId) }, query: q }
}

/** A rate's numerator and denominator: "771/835"; no rate -> "". */
export function ratioText(r) {
  return r ? `${r.numerator ?? 0}/${r.denominator ?? 0}` : ''
}

/** A count with its rate: 12 and {3, 40, 0.075} -> "7.5% · 3/40". */
export function rateHint(r) {
  return r ? `${formatPercent(r.rate)} · ${ratioText(r)}` : ''
}

/** Whole days (the API's median and p90): 5 -> "5"; null -> "—". */
export function formatWholeDays(d) {
  return d === null || d === undefined || Number.isNaN(Number(d)) ? '—' : String(Math.round(Number(d)))
}

/** The key figures of a Stats, as {key, value, hint} with the values as the cards show them. */
export function figureValues(s) {
  if (!s) return {}
  return {
    problems: { value: formatCount(s.problems), open: s.open ?? 0 },
    closed: { value: formatCount(s.closed), hint: rateHint(s.completion) },
    'on-time': { value: formatPercent(s.closed_on_time?.rate), hint: ratioText(s.closed_on_time) },
    overdue: { value: formatCount(s.overdue), hint: rateHint(s.overdue_rate) },
    'due-soon': { value: formatCount(s.due_soon) },
    median: { value: formatWholeDays(s.median_days_to_close), p90: formatWholeDays(s.p90_days_to_close) },
    opinions: { value: formatCount(s.opinions) },
    replied: { value: formatPercent(s.opinions_replied?.rate), hint: ratioText(s.opinions_replied) },
    supervised: { value: formatCount(s.supervised_this_month) },
  }
}

/**
 * el-table sort-method over a number got from a row (`get`): rows without one (null, e.g. a rate of 0/0)
 * count as the lowest, so they come first ascending and last descending.
 */
export function compareBy(get) {
  return (a, b) => {
    const x = get(a)
    const y = get(b)
    const nx = x === null || x === undefined
    const ny = y === null || y === undefined
    if (nx || ny) return nx && ny ? 0 : nx ? -1 : 1
    return x - y
  }
}

/** Row values of the ranking table's sortable columns. */
export const RANK_KEYS = {
  completion: (s) => s.completion?.rate ?? null,
  onTime: (s) => s.closed_on_time?.rate ?? null,
  overdue: (s) => s.overdue ?? 0,
  overdueRate: (s) => s.overdue_rate?.rate ?? null,
  median: (s) => s.median_days_to_close ?? null,
  p90: (s) => s.p90_days_to_close ?? null,
  replied: (s) => s.opinions_replied?.rate ?? null,
}
