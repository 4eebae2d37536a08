// 专项整治 (campaigns, batches and special items; issue 5, docs/LINKAGE.md#campaigns): the pure parts of the
// campaigns screen — the figures of GET /orgs/{id}/stats/special-items turned into table rows and an ECharts
// option, the drill-down to the problem list, the batch table's checks and the request bodies of its forms.
// Shared by views/CampaignsView.vue and campaigns.test.js.

import { drillTo } from './dashboard.js'
import { formatDate } from './format.js'

const YMD = /^\d{4}-\d{2}-\d{2}$/
// A real calendar date YYYY-MM-DD (2019-02-30 is not).
function isDay(s) {
  if (typeof s !== 'string' || !YMD.test(s)) return false
  const ms = Date.parse(`${s}T00:00:00Z`)
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === s
}

/**
 * The rows of the per-item table from a SpecialItemStats (docs/API.md, Campaigns):
 * [{itemId, code, title, problems, closed, open, overdue, invalidOrMerged, completion, onTime}] in the
 * API's order (the catalogue's, by code); `completion` and `onTime` are the API's Rates
 * ({numerator, denominator, rate}, rate null for 0/0). No stats -> [].
 */
export function itemRows(stats) {
  return (stats?.items || []).map((i) => ({
    itemId: i.special_item?.id ?? null,
    code: i.special_item?.code ?? '',
    title: i.special_item?.title ?? '',
    problems: i.problems ?? 0,
    closed: i.closed ?? 0,
    open: i.open ?? 0,
    overdue: i.overdue ?? 0,
    invalidOrMerged: i.invalid_or_merged ?? 0,
    completion: i.completion ?? null,
    onTime: i.on_time ?? null,
  }))
}

/** A Rate as a percentage with one decimal (0.6667 -> 66.7), or null when it has no denominator. */
export function ratePercent(r) {
  if (!r || r.rate === null || r.rate === undefined) return null
  return Math.round(r.rate * 1000) / 10
}

/**
 * The bar chart of the completion rate (closed / (problems − invalid − merged)) per special item: one bar
 * per item, in percent, null (no bar) for an item with nothing to complete; each bar carries its item id
 * (a click opens the item's problems). `name` is the series' label.
 */
export function completionChartOption(rows, name) {
  const list = rows || []
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v}%`),
    },
    grid: { left: 8, right: 16, top: 24, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: list.map((r) => r.title),
      axisLabel: { interval: 0, rotate: list.length > 6 ? 30 : 0 },
    },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      {
        name,
        type: 'bar',
        barMaxWidth: 40,
        itemStyle: { color: '#67c23a' },
        label: { show: true, position: 'top', fontSize: 11, formatter: (p) => (p.value === null || p.value === undefined ? '' : `${p.value}%`) },
        data: list.map((r) => ({ value: ratePercent(r.completion), itemId: r.itemId })),
      },
    ],
  }
}

/**
 * The rows of the per-batch table from a SpecialItemStats' `by_org_batch` (docs/LINKAGE.md#batch-ends):
 * [{batch, problems, closed, open, overdue, completion, onTime, batchEnd, lastDay, after}] by batch
 * number, where `batchEnd` is the API's instant (the exclusive end, or null), `lastDay` the batch's last
 * day YYYY-MM-DD in the display zone (the day before the exclusive end; null without an end) and
 * `after` {created, closedByEnd, closedAfterEnd, openAfterEnd} or null (batch 0, or a batch the campaign
 * does not define).
 */
export function batchRows(stats, timeZone) {
  return [...(stats?.by_org_batch || [])]
    .sort((a, b) => (a.batch ?? 0) - (b.batch ?? 0))
    .map((b) => {
      const a = b.after_batch_end
      return {
        batch: b.batch ?? 0,
        problems: b.problems ?? 0,
        closed: b.closed ?? 0,
        open: b.open ?? 0,
        overdue: b.overdue ?? 0,
        completion: b.completion ?? null,
        onTime: b.on_time ?? null,
        batchEnd: b.batch_end ?? null,
        lastDay: b.batch_end ? dayBefore(formatDate(b.batch_end, timeZone)) : null,
        after: a
          ? {
              created: a.created ?? 0,
              closedByEnd: a.closed_by_end ?? 0,
              closedAfterEnd: a.closed_after_end ?? 0,
              openAfterEnd: a.open_after_end ?? 0,
            }
          : null,
      }
    })
}

/** The day before a YYYY-MM-DD date ("2019-09-01" -> "2019-08-31"); anything else is returned as is. */
export function dayBefore(day) {
  if (!isDay(day)) return day
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() - 1)
  return d.toISOString().slice(0, 10)
}

/**
 * The first problem with the batch table of a campaign form, as the server would refuse it
 * (docs/LINKAGE.md#campaigns: batches numbered 1..n in order, each inside the campaign's dates, each
 * starting after the previous one ends, at most 10). `batches` is [{start_date, end_date}] in order;
 * returns null when fine or {key, params} of a message under `campaign.batchError` (params: n the
 * 1-based batch number, date, prev), so the form can say it before sending.
 */
export function batchError(batches, startDate, endDate) {
  const list = batches || []
  if (list.length > 10) return { key: 'campaign.batchError.tooMany', params: { n: list.length } }
  for (let i = 0; i < list.length; i++) {
    const b = list[i]
    const n = i + 1
    if (!isDay(b.start_date) || !isDay(b.end_date)) return { key: 'campaign.batchError.dates', params: { n } }
    if (b.end_date < b.start_date) return { key: 'campaign.batchError.order', params: { n } }
    if ((isDay(startDate) && b.start_date < startDate) || (isDay(endDate) && b.end_date > endDate)) {
      return { key: 'campaign.batchError.outside', params: { n } }
    }
    if (i > 0 && b.start_date <= list[i - 1].end_date) {
      return { key: 'campaign.batchError.overlap', params: { n, prev: i, date: list[i - 1].end_date } }
    }
  }
  return null
}

const trimmed = (s) => String(s ?? '').trim()

/**
 * The POST /api/v1/campaigns body (CampaignCreate) from the create form {code, name, description, source,
 * startDate, endDate, batches: [{start_date, end_date}], items: [{code, title, description}]} for the
 * owner org `ownerOrgId`: batches numbered by position; item rows with neither code nor title are blank
 * lines and are left out; empty descriptions and an empty source (the document it was taken from) are not
 * sent.
 */
export function campaignBody(form, ownerOrgId) {
  const body = {
    code: trimmed(form.code),
    name: trimmed(form.name),
    owner_org_id: Number(ownerOrgId),
    start_date: form.startDate || '',
    end_date: form.endDate || '',
  }
  if (trimmed(form.description)) body.description = trimmed(form.description)
  if (trimmed(form.source)) body.source = trimmed(form.source)
  body.batches = (form.batches || []).map((b, i) => ({ number: i + 1, start_date: b.start_date || '', end_date: b.end_date || '' }))
  const items = (form.items || []).filter((it) => trimmed(it.code) || trimmed(it.title))
  if (items.length) body.special_items = items.map(itemBody)
  return body
}

/**
 * The PATCH /api/v1/campaigns/{id} body from the edit form against the campaign as loaded: only the
 * fields that changed among code, name, description, source, start_date, end_date and batches (sent
 * whole, numbered by position, when any batch changed). A source emptied is sent as null, which clears
 * it (docs/API.md#campaigns). An empty object means nothing to save.
 */
export function campaignPatch(form, campaign) {
  const out = {}
  if (trimmed(form.code) !== (campaign.code ?? '')) out.code = trimmed(form.code)
  if (trimmed(form.source) !== (campaign.source ?? '')) out.source = trimmed(form.source) || null
  if (trimmed(form.name) !== (campaign.name ?? '')) out.name = trimmed(form.name)
  if (trimmed(form.description) !== (campaign.description ?? '')) out.description = trimmed(form.description)
  if ((form.startDate || '') !== campaign.start_date) out.start_date = form.startDate || ''
  if ((form.endDate || '') !== campaign.end_date) out.end_date = form.endDate || ''
  const batches = (form.batches || []).map((b, i) => ({ number: i + 1, start_date: b.start_date || '', end_date: b.end_date || '' }))
  const old = (campaign.batches || []).map((b) => ({ number: b.number, start_date: b.start_date, end_date: b.end_date }))
  if (JSON.stringify(batches) !== JSON.stringify(old)) out.batches = batches
  return out
}

/**
 * A special item's body from a form row {code, title, description, leadOrgId}: code and title trimmed;
 * `lead_org_id` (牵头单位, inside the campaign owner's subtree — the server checks) when one is chosen.
 * For a new item (`edit` false) an empty description and no lead org are not sent; for a PATCH (`edit`
 * true) both are always sent, so clearing them clears them (lead_org_id null).
 */
export function itemBody(row, edit = false) {
  const body = { code: trimmed(row.code), title: trimmed(row.title) }
  const lead = row.leadOrgId ? Number(row.leadOrgId) : null
  if (edit) {
    body.description = trimmed(row.description)
    body.lead_org_id = lead
  } else {
    if (trimmed(row.description)) body.description = trimmed(row.description)
    if (lead) body.lead_org_id = lead
  }
  return body
}

/**
 * Where a click on an item's row or bar leads: the problem list of `orgId` filtered by the campaign and
 * the item (`special_item_id`), as the dashboard's drill-downs (lib/dashboard.js drillTo); `what` adds
 * a figure's own filter ({closed: true}, {overdue: true}, {status}). No item -> null.
 */
export function itemProblemsRoute(orgId, campaignId, itemId, what = {}) {
  if (itemId === null || itemId === undefined) return null
  return drillTo(orgId, { campaignId, specialItemId: itemId }, what)
}
