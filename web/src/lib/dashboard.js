// The dashboard's filters, its stats requests and its drill-downs to the problem list. Pure functions:
// unit-tested in dashboard.test.js without Vue.

import { ORG_BATCHES, ORG_KINDS, PROBLEM_SOURCES } from './enums.js'
import { TIME_ZONE, formatCount, formatDate, formatPercent, nextDay } from './format.js'
import { localToIso } from './supervision.js'

/** The statuses counted as open (在办) by the stats: `open`, `overdue`, `due_soon`. */
export const OPEN_STATUSES = ['registered', 'planned', 'in_progress', 'pending_verification']

/** Weeks the trend chart offers; the first is the default (the API's default, 12). */
export const WEEK_CHOICES = [12, 26, 52, 104, 520]
export const DEFAULT_WEEKS = WEEK_CHOICES[0]

/** 临期: open problems due within this many days (asked for explicitly, so the card can say it). */
export const DUE_SOON_DAYS = 3

const YMD = /^\d{4}-\d{2}-\d{2}$/
const isSet = (v) => v !== null && v !== undefined && v !== ''
function positiveId(v) {
  const n = Number(v)
  return isSet(v) && Number.isInteger(n) && n > 0 ? n : null
}

/**
 * The dashboard's filters from its route query (names as the API's, docs/API.md#figures):
 *   category_id      a top-level category id             -> categoryId (number or null)
 *   source           a problem source (PROBLEM_SOURCES)   -> source ('' for none)
 *   weeks            one of WEEK_CHOICES                  -> weeks (default DEFAULT_WEEKS)
 *   campaign_id      a campaign id                        -> campaignId (number or null)
 *   special_item_id  a special item id (alone is fine)    -> specialItemId (number or null)
 *   batch            the owner org's batch: 0 none, 1, 2  -> batch (number or null = any)
 *   org_kind         the owner org's kind (ORG_KINDS)     -> orgKind ('' for any)
 *   created_from     first day of the period, YYYY-MM-DD  -> createdFrom ('' for open)
 *   created_to       last day of the period (included)    -> createdTo ('' for open)
 * The period's days are calendar days of the display zone, both included, as on the problem list. A
 * period whose last day is before its first is dropped whole. Anything else is dropped.
 */
export function dashboardFilters(query = {}) {
  const out = {
    categoryId: positiveId(query.category_id),
    source: PROBLEM_SOURCES.includes(query.source) ? query.source : '',
    weeks: DEFAULT_WEEKS,
    campaignId: positiveId(query.campaign_id),
    specialItemId: positiveId(query.special_item_id),
    batch: null,
    orgKind: ORG_KINDS.includes(query.org_kind) ? query.org_kind : '',
    createdFrom: '',
    createdTo: '',
  }
  const weeks = Number(query.weeks)
  if (WEEK_CHOICES.includes(weeks)) out.weeks = weeks
  if (isSet(query.batch) && ORG_BATCHES.includes(Number(query.batch))) out.batch = Number(query.batch)
  const from = YMD.test(query.created_from || '') && nextDay(query.created_from) ? query.created_from : ''
  const to = YMD.test(query.created_to || '') && nextDay(query.created_to) ? query.created_to : ''
  if (!(from && to && to < from)) {
    out.createdFrom = from
    out.createdTo = to
  }
  return out
}

/** True when any filter of the problem figures is set (the weeks of the trend are not a filter). */
export function hasFilters(f = {}) {
  return (
    isSet(f.categoryId) || !!f.source || isSet(f.campaignId) || isSet(f.specialItemId) || isSet(f.batch) || !!f.orgKind ||
    !!f.createdFrom || !!f.createdTo
  )
}

// The record filters shared by the URL, the stats query and the problem list's URL (period aside).
function recordQuery(f) {
  const q = {}
  if (isSet(f.categoryId)) q.category_id = String(f.categoryId)
  if (f.source) q.source = f.source
  if (isSet(f.campaignId)) q.campaign_id = String(f.campaignId)
  if (isSet(f.specialItemId)) q.special_item_id = String(f.specialItemId)
  if (isSet(f.batch)) q.batch = String(f.batch)
  if (f.orgKind) q.org_kind = f.orgKind
  return q
}

/** The route query of the filters (the inverse of dashboardFilters; defaults left out). */
export function filtersQuery(f = {}) {
  const q = recordQuery(f)
  if (f.createdFrom) q.created_from = f.createdFrom
  if (f.createdTo) q.created_to = f.createdTo
  if (f.weeks && Number(f.weeks) !== DEFAULT_WEEKS) q.weeks = String(f.weeks)
  return q
}

/**
 * The query of GET /orgs/{id}/stats and /stats/children for the filters (and the 临期 window). The
 * period's days become RFC 3339 instants in `timeZone`: created_from the first day's 00:00, created_to
 * the 00:00 after the last day (the API's period is half-open).
 */
export function statsQuery(f = {}, timeZone = TIME_ZONE) {
  const q = recordQuery(f)
  if (f.createdFrom) q.created_from = localToIso(`${f.createdFrom}T00:00:00`, timeZone)
  if (f.createdTo) q.created_to = localToIso(`${nextDay(f.createdTo)}T00:00:00`, timeZone)
  if (isSet(f.weeks)) q.weeks = String(f.weeks)
  q.due_soon_days = String(DUE_SOON_DAYS)
  return q
}

/**
 * Where a click on the dashboard leads: the problem list of `orgId` (a string or number) with the
 * dashboard's filters (category, source, campaign, special item, batch, org kind, period) and the
 * clicked figure's own filter on top:
 *   {status}           a status slice (or a list of statuses)
 *   {categoryId}       a category bar (null: uncategorised, which the list cannot filter — returns null)
 *   {source}           a source bar
 *   {overdue: true}    the 超期 figure: open problems past their deadline (the list's overdue=true alone
 *                      also counts problems closed late, so the open statuses go along)
 *   {closed: true}     closed problems
 *   {weekStart}        problems created in the ISO week starting then (the list's dates are inclusive),
 *                      within the dashboard's period (null when the week lies outside it)
 * Returns a vue-router location, or null when the list cannot show the figure.
 */
export function drillTo(orgId, filters = {}, what = {}) {
  const q = recordQuery({ ...filters, weeks: undefined })
  if (filters.createdFrom) q.created_from = filters.createdFrom
  if (filters.createdTo) q.created_to = filters.createdTo
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
    let from = formatDate(what.weekStart)
    if (!YMD.test(from)) return null
    let to = from
    for (let i = 0; i < 6; i++) to = nextDay(to)
    if (filters.createdFrom && filters.createdFrom > from) from = filters.createdFrom
    if (filters.createdTo && filters.createdTo < to) to = filters.createdTo
    if (to < from) return null
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
    satisfaction: { value: formatPercent(s.satisfaction?.rate), hint: ratioText(s.satisfaction) },
    stalled: { value: formatCount(s.stalled), days: s.stalled_days ?? '—' },
    'escalated-up': { value: formatCount(s.escalated_up) },
    cascaded: { value: formatCount(s.cascaded_down), received: formatCount(s.cascaded_in) },
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
