// Pure helpers for supervision (督促指导, issue 8): the work queues of the 督办工作台, warning and ladder tags,
// the ladder step's request body, and bulletins (通报). No Vue: unit-tested in supervision.test.js.
// The server stays the authority: these only decide what to show and which buttons to offer.

import { TIME_ZONE, formatPercent, nextDay } from './format.js'

/** The work queues (GET /api/v1/queues/{kind}), in the order of the workbench's tabs. */
// `opinions_overdue` lists opinions past their handling-time limit and not yet answered (逾期未响应意见).
export const QUEUE_KINDS = ['overdue', 'due_soon', 'stalled', 'returned', 'to_verify', 'escalations', 'opinions_overdue']
export const DEFAULT_QUEUE = QUEUE_KINDS[0]
export const QUEUE_PAGE_SIZE = 20

/** The ladder, lowest step first: 催办 urge → 督办 supervise → 约谈 interview. */
export const LADDER = ['urge', 'supervise', 'interview']

// Element Plus tag type of each ladder step.
export const LADDER_TAG_TYPES = { urge: 'warning', supervise: 'danger', interview: 'danger' }

/** The workbench's state from its route query: {queue, page}; anything unknown falls back. */
export function workbenchState(query = {}) {
  const queue = QUEUE_KINDS.includes(query.queue) ? query.queue : DEFAULT_QUEUE
  const n = Number(query.page)
  const page = Number.isInteger(n) && n > 1 ? n : 1
  return { queue, page }
}

/** The route query of a workbench state (defaults left out). */
export function workbenchQuery({ queue, page } = {}) {
  const q = {}
  if (queue && queue !== DEFAULT_QUEUE) q.queue = queue
  if (page && Number(page) > 1) q.page = String(page)
  return q
}

/** The query of GET /queues/{kind} for the selected org and a 1-based page. */
export function queueQuery(orgId, page = 1, size = QUEUE_PAGE_SIZE) {
  const q = { limit: String(size) }
  if (orgId) q.org_id = String(orgId)
  const n = Math.max(1, Number(page) || 1)
  if (n > 1) q.offset = String((n - 1) * size)
  return q
}

/**
 * The warning tags of a task's warning ({level: none|yellow|red, stalled}): red 红色预警 (overdue), yellow
 * 黄色预警 (due soon), and 停滞 (no progress report for a while), as [{key, type}] where key names the
 * locale message under supervision.warning.
 */
export function warningTags(warning) {
  if (!warning) return []
  const out = []
  if (warning.level === 'red') out.push({ key: 'red', type: 'danger' })
  else if (warning.level === 'yellow') out.push({ key: 'yellow', type: 'warning' })
  if (warning.stalled) out.push({ key: 'stalled', type: 'info' })
  return out
}

/** The highest ladder step among steps ([{kind}]) or null: interview > supervise > urge. */
export function highestStep(steps) {
  let best = -1
  for (const s of steps || []) best = Math.max(best, LADDER.indexOf(s?.kind))
  return best >= 0 ? LADDER[best] : null
}

/**
 * One row of a work queue as the workbench's table shows it: the task's or the escalation's problem,
 * unit, responsible person, deadline, warning tags, why and highest ladder step. `orgName` is the
 * task's org (task rows) or the org asked to accept (escalations). An opinion row (`opinions_overdue`)
 * has `opinionId`, `opinionTitle`, `orgId` (the opinion's org; its name comes from the caller, the queue
 * item does not carry it), `slaClass`, `dueAt` = the opinion's `reply_due_at`, and no problem, task or
 * ladder.
 */
export function queueRow(item) {
  if (!item) return null
  if (item.opinion) {
    const o = item.opinion
    return {
      key: `o${o.id}`,
      kind: 'opinion',
      problemId: null,
      problemTitle: '',
      opinionId: o.id,
      opinionTitle: o.title || '',
      orgId: o.org_id ?? null,
      orgName: '',
      slaClass: o.sla_class ?? null,
      person: '',
      dueAt: o.reply_due_at ?? null,
      tags: [],
      why: item.why,
      whyText: item.why_text ?? '',
      ladder: null,
      task: null,
      escalation: null,
    }
  }
  if (item.escalation) {
    const e = item.escalation
    return {
      key: `e${e.id}`,
      kind: 'escalation',
      problemId: e.problem_id,
      problemTitle: item.problem_title ?? '',
      orgName: item.to_org_name ?? '',
      person: '',
      dueAt: null,
      tags: [],
      why: item.why,
      whyText: item.why_text ?? '',
      ladder: null,
      task: null,
      escalation: e,
    }
  }
  const t = item.task || {}
  return {
    key: `t${t.id}`,
    kind: 'task',
    problemId: t.problem_id,
    problemTitle: item.problem_title ?? '',
    orgName: item.org_name ?? '',
    person: t.responsible_person ?? '',
    dueAt: t.due_at ?? null,
    tags: warningTags(item.warning),
    why: item.why,
    whyText: item.why_text ?? '',
    ladder: LADDER.includes(item.ladder) ? item.ladder : null,
    task: t,
    escalation: null,
  }
}

// Roles that climb the ladder by hand (the server checks them over the level above the task's org).
const LADDER_ROLES = ['admin', 'supervisor', 'leader']

/** Whether the session holds a role that may take ladder steps somewhere (admin, supervisor, leader). */
export function mayClimbLadder(session) {
  return (session?.grants || []).some((g) => LADDER_ROLES.includes(g.role))
}

/**
 * The ladder steps offered on a task: urge and supervise while its deadline runs (pending, in progress,
 * returned), interview unless it was withdrawn; nothing for a user without a ladder role. Whether this
 * user may act on this task's org is the server's call (a 403 is shown as a message).
 */
export function ladderActions(task, session) {
  if (!task || !mayClimbLadder(session)) return []
  if (task.status === 'withdrawn') return []
  const running = ['pending', 'in_progress', 'returned'].includes(task.status)
  return running ? [...LADDER] : ['interview']
}

/**
 * The UTC offset of `timeZone` at a local wall time "YYYY-MM-DDTHH:mm:ss" as "+08:00" (the offset in force
 * at that instant; for a wall time in a DST gap the nearest offset).
 */
export function zoneOffset(localDateTime, timeZone = TIME_ZONE) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(String(localDateTime || ''))
  if (!m) return null
  const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0))
  const offsetAt = (ms) => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(ms))
      .find((p) => p.type === 'timeZoneName')?.value
    const o = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name || '')
    if (!o) return 0 // "GMT" alone: UTC
    return (o[1] === '-' ? -1 : 1) * (Number(o[2]) * 60 + Number(o[3] || 0))
  }
  // Guess with the offset at the wall time read as UTC, then correct once with the offset at the result.
  let minutes = offsetAt(asUtc)
  minutes = offsetAt(asUtc - minutes * 60000)
  const sign = minutes < 0 ? '-' : '+'
  const a = Math.abs(minutes)
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`
}

/** A local wall time "YYYY-MM-DDTHH:mm[:ss]" in `timeZone` as RFC 3339 with its offset; invalid -> null. */
export function localToIso(localDateTime, timeZone = TIME_ZONE) {
  const off = zoneOffset(localDateTime, timeZone)
  if (!off) return null
  const s = String(localDateTime)
  return `${s.length === 16 ? `${s}:00` : s}${off}`
}

/** The last second of a day "YYYY-MM-DD" in `timeZone` as RFC 3339: "2026-12-03T23:59:59+08:00". */
export function endOfDayIso(ymd, timeZone = TIME_ZONE) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(ymd || ''))) return null
  return localToIso(`${ymd}T23:59:59`, timeZone)
}

/**
 * The body of POST /tasks/{id}/supervision from the ladder dialog's form: {reason, feedbackDate
 * (YYYY-MM-DD, empty = the server's default), everyDays (empty = the server's default), official, heldAt
 * (local "YYYY-MM-DDTHH:mm:ss"), notes}. Returns {body} or {error: <locale key>}.
 */
export function stepBody(kind, form = {}, timeZone = TIME_ZONE) {
  if (!LADDER.includes(kind)) return { error: 'supervision.badKind' }
  const reason = String(form.reason || '').trim()
  if (!reason) return { error: 'supervision.needReason' }
  const body = { kind, reason }
  if (kind === 'supervise') {
    if (form.feedbackDate) body.feedback_due_at = endOfDayIso(form.feedbackDate, timeZone)
    if (form.everyDays !== null && form.everyDays !== undefined && form.everyDays !== '') {
      body.feedback_every_days = Number(form.everyDays)
    }
  }
  if (kind === 'interview') {
    const official = String(form.official || '').trim()
    if (!official) return { error: 'supervision.needOfficial' }
    if (!form.heldAt) return { error: 'supervision.needHeldAt' }
    body.official = official
    body.held_at = localToIso(form.heldAt, timeZone)
    const notes = String(form.notes || '').trim()
    if (notes) body.notes = notes
  }
  return { body }
}

// ---- bulletins (通报) ----

export const DEFAULT_MIN_SAMPLE = 5

/**
 * The body of POST /bulletins from the publish form: {title, range: [from, to] (YYYY-MM-DD, both days
 * included), minSample}. The API's period is half-open [period_from, period_to), so period_to is the day
 * after the last day. Returns {body} or {error: <locale key>}.
 */
export function bulletinBody(orgId, form = {}) {
  const title = String(form.title || '').trim()
  if (!title) return { error: 'bulletin.needTitle' }
  const [from, to] = Array.isArray(form.range) ? form.range : []
  if (!from || !to) return { error: 'bulletin.needPeriod' }
  const n = form.minSample === null || form.minSample === undefined || form.minSample === '' ? DEFAULT_MIN_SAMPLE : Number(form.minSample)
  return {
    body: { org_id: Number(orgId), title, period_from: from, period_to: nextDay(to) || to, min_sample: n },
  }
}

/** The last day of a half-open period ending at `periodTo` (RFC 3339 or a date): the day before, as YYYY-MM-DD. */
export function lastDayOf(periodTo) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(periodTo || ''))
  if (!m) return ''
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] - 1)).toISOString().slice(0, 10)
}

/** A bulletin row's rank cell: its rank, or `unranked` (样本不足) when the row is below the minimum sample. */
export function rankText(row, unranked) {
  return row?.rank === null || row?.rank === undefined ? unranked : String(row.rank)
}

/** A rate {numerator, denominator, rate} as a chart value: percent with one decimal, or null without one. */
export function ratePercent(r) {
  if (!r || r.rate === null || r.rate === undefined || Number.isNaN(r.rate)) return null
  return Math.round(r.rate * 1000) / 10
}

/** A rate as the bulletin's tables write it: "82.3%" (or "—"), with "(700/851)". */
export function bulletinRate(r) {
  if (!r) return '—'
  return `${formatPercent(r.rate)} (${r.numerator ?? 0}/${r.denominator ?? 0})`
}

/**
 * The bar chart of a bulletin: completion and on-time rates (percent) per child org, in the bulletin's
 * order (ranked first). Children without problems in the period have no rates and are left out.
 * @param names {completion, onTime} series names
 */
export function bulletinChartOption(rows, names) {
  const shown = (rows || []).filter((r) => (r.completion?.denominator ?? 0) > 0)
  const pctLabel = { show: true, position: 'top', formatter: (p) => (p.value === null ? '' : `${p.value}%`), fontSize: 11 }
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => (v === null ? '—' : `${v}%`) },
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: shown.map((r) => r.org_name),
      axisLabel: { interval: 0, rotate: shown.length > 8 ? 35 : 0 },
    },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      {
        name: names.completion,
        type: 'bar',
        barMaxWidth: 28,
        itemStyle: { color: '#67c23a' },
        label: pctLabel,
        data: shown.map((r) => ({ value: ratePercent(r.completion), orgId: r.org_id, orgName: r.org_name })),
      },
      {
        name: names.onTime,
        type: 'bar',
        barMaxWidth: 28,
        itemStyle: { color: '#409eff' },
        label: pctLabel,
        data: shown.map((r) => ({ value: ratePercent(r.closed_on_time), orgId: r.org_id, orgName: r.org_name })),
      },
    ],
  }
}

/** The export link of a bulletin: format xlsx, csv or html (the printable page). */
export function bulletinExportUrl(id, format, base = '/api/v1') {
  return `${base}/bulletins/${id}/export?format=${encodeURIComponent(format)}`
}
