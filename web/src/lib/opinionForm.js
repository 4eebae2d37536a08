// Pure helpers of the staff opinion registration form (登记意见, POST /api/v1/opinions, docs/API.md
// "Opinions") and of the deadline its handling-time class gives (docs/SUPERVISION.md#opinion-time-limits).
// No Vue: unit-tested in opinionForm.test.js. The server stays the authority: it validates again and
// fixes `reply_due_at` at registration (the answer shows it).

import { TIME_ZONE } from './format.js'
import { localToIso } from './supervision.js'
import { DEFAULT_SLA_CLASS, SLA_CLASSES, parseLimits } from './opinionSla.js'

/**
 * The limits the server uses unless `--opinion-sla` changes them (北京市接诉即办工作条例, as
 * docs/SUPERVISION.md#opinion-time-limits lists them); the form reads the configured ones from GET
 * /orgs/{id}/opinion-rates (`limits`) and falls back to these.
 */
export const DEFAULT_LIMITS = 'emergency=2h,utility=24h,general=7d,complex=15d'

/** A fresh form: now as the receipt time (local "YYYY-MM-DDTHH:mm:ss" in `timeZone`), the general class. */
export function emptyOpinionForm(now = Date.now(), timeZone = TIME_ZONE, divisionCode = '') {
  return {
    channel: 'phone',
    kind: '',
    title: '',
    text: '',
    categoryId: null,
    divisionCode: divisionCode || '',
    submitter: '',
    receivedAt: localNow(now, timeZone),
    slaClass: DEFAULT_SLA_CLASS,
  }
}

/** `now` as a local wall time "YYYY-MM-DDTHH:mm:ss" in `timeZone`. */
export function localNow(now = Date.now(), timeZone = TIME_ZONE) {
  const p = {}
  const fmt = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
  for (const { type, value } of fmt.formatToParts(new Date(now))) p[type] = value
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}`
}

const TITLE_MAX = 200

/**
 * The body of POST /opinions from the form, or {error: <locale key>} for what the form can tell before
 * asking: a channel, a title (1-200 characters after trimming), a known class, a division code of 2, 4,
 * 6, 9 or 12 digits when given (GB/T 2260 province / city / county codes and the township / village
 * extensions, the lengths domain::ValidateOrg takes), a valid receipt time not in the future. Empty optional fields are left out.
 */
export function opinionBody(form, orgId, { now = Date.now(), timeZone = TIME_ZONE } = {}) {
  if (!form?.channel) return { error: 'opinionForm.needChannel' }
  const title = String(form.title || '').trim()
  if (!title) return { error: 'opinionForm.needTitle' }
  if ([...title].length > TITLE_MAX) return { error: 'opinionForm.titleTooLong' }
  if (!SLA_CLASSES.includes(form.slaClass)) return { error: 'opinionForm.needClass' }
  const body = { channel: form.channel, title, org_id: Number(orgId), sla_class: form.slaClass }
  if (form.kind) body.kind = form.kind
  const text = String(form.text || '').trim()
  if (text) body.text = text
  const code = String(form.divisionCode || '').trim()
  if (code) {
    if (!/^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/.test(code)) return { error: 'opinionForm.badDivision' }
    body.division_code = code
  }
  const submitter = String(form.submitter || '').trim()
  if (submitter) body.submitter = submitter
  if (form.categoryId !== null && form.categoryId !== undefined && form.categoryId !== '') body.category_id = Number(form.categoryId)
  if (form.receivedAt) {
    const iso = localToIso(form.receivedAt, timeZone)
    if (!iso) return { error: 'opinionForm.badReceivedAt' }
    if (Date.parse(iso) > now + 60000) return { error: 'opinionForm.futureReceivedAt' }
    body.received_at = iso
  }
  return { body }
}

/**
 * The deadline class `cls` gives an opinion received at `receivedAtMs` (epoch ms) under `limitsText`
 * (the `--opinion-sla` form): {kind: 'at', at: ms, amount, unit} for hours and days of 86,400 s; for
 * working days {kind: 'workingDays', amount} — the server counts them on its holiday calendar from the
 * next day (次日起算), so the form names the count and the stored deadline appears after registration;
 * null when the class has no parsable limit.
 */
export function deadlinePreview(receivedAtMs, limitsText, cls) {
  const limit = parseLimits(limitsText || DEFAULT_LIMITS).find((l) => l.cls === cls)
  if (!limit) return null
  if (limit.unit === 'wd') return { kind: 'workingDays', amount: limit.amount, unit: 'wd' }
  if (receivedAtMs === null || receivedAtMs === undefined || Number.isNaN(receivedAtMs)) return null
  const seconds = limit.unit === 'h' ? 3600 : 86400
  return { kind: 'at', at: receivedAtMs + limit.amount * seconds * 1000, amount: limit.amount, unit: limit.unit }
}
