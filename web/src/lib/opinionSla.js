// Pure helpers for opinion handling-time limits (意见办理时限) and the three opinion rates (意见办理"三率":
// 响应率, 解决率, 满意率) — docs/SUPERVISION.md#opinion-time-limits and #opinion-rates. No Vue: unit-tested
// in opinionSla.test.js. The server stays the authority on every figure; these only decide how to show them.

import { TIME_ZONE, nextDay } from './format.js'
import { localToIso, ratePercent } from './supervision.js'

/** The handling-time classes of `sla_class`, shortest limit first (紧急, 及时性, 一般, 复杂疑难). */
export const SLA_CLASSES = ['emergency', 'utility', 'general', 'complex']
export const DEFAULT_SLA_CLASS = 'general'

/** Element Plus tag type of each class (the shorter the limit, the louder). */
export const SLA_CLASS_TAG_TYPES = { emergency: 'danger', utility: 'warning', general: 'info', complex: 'primary' }

/** The states of an opinion against its limit, as domain::SlaState names them. */
export const SLA_STATES = ['open', 'overdue', 'on_time', 'late']
export const SLA_STATE_TAG_TYPES = { open: 'primary', overdue: 'danger', on_time: 'success', late: 'warning' }

function ms(v) {
  if (v === null || v === undefined || v === '') return null
  const n = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(v)
  return Number.isNaN(n) ? null : n
}

/**
 * Where an opinion stands against its limit at `now` — the same rule as the server's domain::SlaStateOf:
 * answered (`responded_at` set): `on_time` when at or before `reply_due_at`, else `late`; not answered:
 * `overdue` once now is past `reply_due_at`, else `open` — exactly at the deadline is still in time.
 * @param opinion {reply_due_at, responded_at} RFC 3339 strings (or null)
 * @param now     Date, epoch milliseconds or RFC 3339 (default: the current time)
 * @returns 'open' | 'overdue' | 'on_time' | 'late', or null without a deadline (an older server)
 */
export function slaState(opinion, now = Date.now()) {
  const due = ms(opinion?.reply_due_at)
  if (due === null) return null
  const responded = ms(opinion?.responded_at)
  if (responded !== null) return responded <= due ? 'on_time' : 'late'
  const at = ms(now)
  return at !== null && at > due ? 'overdue' : 'open'
}

/**
 * The configured limits from the rates answer's `limits` ("emergency=2h,utility=24h,general=7d,complex=15wd",
 * the form of `--opinion-sla`) as [{cls, amount, unit}] in SLA_CLASSES order, unit h (hours), d (days of
 * 86,400 s) or wd (working days). Items that do not parse are left out.
 */
export function parseLimits(text) {
  const found = new Map()
  for (const item of String(text || '').split(',')) {
    const m = /^\s*([a-z_]+)\s*=\s*(\d+)\s*(h|d|wd)\s*$/.exec(item)
    if (m && SLA_CLASSES.includes(m[1])) found.set(m[1], { cls: m[1], amount: Number(m[2]), unit: m[3] })
  }
  return SLA_CLASSES.filter((c) => found.has(c)).map((c) => found.get(c))
}

/** Today in `timeZone` as YYYY-MM-DD. */
export function todayIn(now = Date.now(), timeZone = TIME_ZONE) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(now))
}

/** The default period of the rates screen: this calendar month up to today, as [YYYY-MM-01, today]. */
export function defaultPeriod(now = Date.now(), timeZone = TIME_ZONE) {
  const today = todayIn(now, timeZone)
  return [`${today.slice(0, 8)}01`, today]
}

const YMD = /^\d{4}-\d{2}-\d{2}$/

/**
 * The rates screen's period from its route query {from, to} (YYYY-MM-DD, both days included); missing or
 * malformed, or from after to -> the default period (this month).
 */
export function ratesPeriod(query = {}, now = Date.now(), timeZone = TIME_ZONE) {
  const { from, to } = query
  if (YMD.test(from || '') && YMD.test(to || '') && from <= to) return [from, to]
  return defaultPeriod(now, timeZone)
}

/** The route query of a period: empty for the default one, else {from, to}. */
export function ratesPeriodQuery([from, to] = [], now = Date.now(), timeZone = TIME_ZONE) {
  const [df, dt] = defaultPeriod(now, timeZone)
  if (!from || !to || (from === df && to === dt)) return {}
  return { from, to }
}

/**
 * The query of GET /orgs/{id}/opinion-rates for a period of days [from, to] (both included) in `timeZone`:
 * from = the first day's 00:00, to = the day after the last day's 00:00 (the API's period is half-open),
 * both RFC 3339 with the zone's offset.
 */
export function ratesQuery([from, to], timeZone = TIME_ZONE) {
  return { from: localToIso(`${from}T00:00:00`, timeZone), to: localToIso(`${nextDay(to)}T00:00:00`, timeZone) }
}

/** A score (0..1, or null without any judged opinion) as the screen writes it: "96.2" out of 100, or "—". */
export function scoreText(score) {
  if (score === null || score === undefined || Number.isNaN(score)) return '—'
  return (Math.round(score * 1000) / 10).toFixed(1)
}

/**
 * The children rows sorted for the table: by score, best first (`order` 'descending') or worst first
 * ('ascending'); rows without a score last either way; ties by received (more first), then name.
 */
export function sortByScore(rows, order = 'descending') {
  const sign = order === 'ascending' ? 1 : -1
  return [...(rows || [])].sort((a, b) => {
    const sa = a.score ?? null
    const sb = b.score ?? null
    if (sa === null && sb !== null) return 1
    if (sb === null && sa !== null) return -1
    if (sa !== null && sb !== null && sa !== sb) return sign * (sa - sb)
    return (b.received || 0) - (a.received || 0) || String(a.org?.name || '').localeCompare(String(b.org?.name || ''))
  })
}

/** The three rates in the order the screen shows them. */
export const RATE_KEYS = ['response', 'resolution', 'satisfaction']
const RATE_COLORS = { response: '#409eff', resolution: '#67c23a', satisfaction: '#e6a23c' }

/**
 * Grouped bars of the three rates (percent, one decimal) per child org, children with received opinions
 * only, in the order given. A rate without a denominator is null (no bar). Each data item carries `orgId`
 * for the click-through.
 * @param names {response, resolution, satisfaction} series names
 */
export function ratesChartOption(children, names) {
  const shown = (children || []).filter((r) => (r.received || 0) > 0)
  const pctLabel = { show: true, position: 'top', formatter: (p) => (p.value === null ? '' : `${p.value}%`), fontSize: 10 }
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v}%`) },
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: shown.map((r) => r.org?.name ?? String(r.org?.id ?? '')),
      axisLabel: { interval: 0, rotate: shown.length > 8 ? 35 : 0 },
    },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: RATE_KEYS.map((k) => ({
      name: names[k],
      type: 'bar',
      barMaxWidth: 24,
      itemStyle: { color: RATE_COLORS[k] },
      label: pctLabel,
      data: shown.map((r) => ({ value: ratePercent(r[k]), orgId: r.org?.id })),
    })),
  }
}
