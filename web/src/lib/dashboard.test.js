import { describe, expect, it } from 'vitest'
import {
  OPEN_STATUSES,
  RANK_KEYS,
  compareBy,
  dashboardFilters,
  drillTo,
  figureValues,
  filtersQuery,
  formatWholeDays,
  hasFilters,
  rateHint,
  ratioText,
  statsQuery,
} from './dashboard.js'
import { problemQuery } from './format.js'

// A Stats as GET /orgs/16/stats answers for 福州市 on the sample data (values of the real file).
const fuzhou = {
  org: { id: 16, name: '福州市' },
  at: '2026-11-29T20:00:00+08:00',
  problems: 835,
  by_status: { registered: 0, planned: 0, in_progress: 0, pending_verification: 0, closed: 835, invalid: 0, merged: 0 },
  closed: 835,
  open: 0,
  completion: { numerator: 835, denominator: 835, rate: 1 },
  overdue: 0,
  due_soon: 0,
  overdue_rate: { numerator: 0, denominator: 0, rate: null },
  closed_on_time: { numerator: 771, denominator: 835, rate: 771 / 835 },
  median_days_to_close: 5,
  p90_days_to_close: 21,
  opinions: 1200,
  opinions_replied: { numerator: 1187, denominator: 1200, rate: 1187 / 1200 },
  supervised_this_month: 0,
  satisfaction: { numerator: 45, denominator: 60, rate: 0.75 },
  stalled: 7,
  stalled_days: 14,
  escalated_up: 3,
  cascaded_down: 12,
  cascaded_in: 1,
}

// The filters of a dashboard URL without any query.
const NONE = {
  categoryId: null,
  source: '',
  weeks: 12,
  campaignId: null,
  specialItemId: null,
  batch: null,
  orgKind: '',
  createdFrom: '',
  createdTo: '',
}

describe('dashboardFilters / filtersQuery / statsQuery', () => {
  it('reads a top-level category, a known source and a offered number of weeks from the route query', () => {
    expect(dashboardFilters({ category_id: '3', source: 'public_opinion', weeks: '52' })).toEqual({
      ...NONE,
      categoryId: 3,
      source: 'public_opinion',
      weeks: 52,
    })
  })
  it('drops what it does not know: a bad id, an unknown source, weeks not offered', () => {
    expect(dashboardFilters({ category_id: 'x', source: 'rumour', weeks: '13' })).toEqual(NONE)
    expect(dashboardFilters({ category_id: '-2' }).categoryId).toBe(null)
    expect(dashboardFilters({})).toEqual(NONE)
  })
  it('writes the filters back to the URL without the defaults', () => {
    expect(filtersQuery({ categoryId: 3, source: 'audit', weeks: 12 })).toEqual({ category_id: '3', source: 'audit' })
    expect(filtersQuery({ categoryId: null, source: '', weeks: 520 })).toEqual({ weeks: '520' })
    expect(filtersQuery(dashboardFilters({ category_id: '7', weeks: '26' }))).toEqual({ category_id: '7', weeks: '26' })
  })
  it('asks the stats for the filters and the weeks', () => {
    expect(statsQuery({ categoryId: 3, source: 'audit', weeks: 26 })).toEqual({
      category_id: '3',
      source: 'audit',
      weeks: '26',
      due_soon_days: '3',
    })
    expect(statsQuery({ categoryId: null, source: '', weeks: 12 })).toEqual({ weeks: '12', due_soon_days: '3' })
  })
})

describe('drillTo', () => {
  const none = { categoryId: null, source: '' }
  it('a status slice opens the org\'s problem list with that status', () => {
    expect(drillTo(16, none, { status: 'closed' })).toEqual({
      name: 'problems',
      params: { orgId: '16' },
      query: { status: 'closed' },
    })
  })
  it('carries the dashboard filters along and lets the clicked figure set its own', () => {
    expect(drillTo('16', { categoryId: 4, source: 'public_opinion' }, { status: 'in_progress' }).query).toEqual({
      category_id: '4',
      source: 'public_opinion',
      status: 'in_progress',
    })
    // A category bar replaces the category filter; a source bar the source filter.
    expect(drillTo(16, { categoryId: 4, source: 'audit' }, { categoryId: 9 }).query).toEqual({ category_id: '9', source: 'audit' })
    expect(drillTo(16, { categoryId: 4, source: 'audit' }, { source: 'meeting' }).query).toEqual({
      category_id: '4',
      source: 'meeting',
    })
  })
  it('the 超期 figure asks for open problems past their deadline, as the stats count them', () => {
    const to = drillTo(16, none, { overdue: true })
    expect(to.query).toEqual({ status: 'registered,planned,in_progress,pending_verification', overdue: 'true' })
    expect(to.query.status.split(',')).toEqual(OPEN_STATUSES)
  })
  it('a ranking row opens the child\'s list; its closed figure the closed ones', () => {
    expect(drillTo(18, { categoryId: 2, source: '' }, {})).toEqual({
      name: 'problems',
      params: { orgId: '18' },
      query: { category_id: '2' },
    })
    expect(drillTo(18, none, { closed: true }).query).toEqual({ status: 'closed' })
  })
  it('an uncategorised bar has no list to open (the list filters by a category id)', () => {
    expect(drillTo(16, none, { categoryId: null })).toBe(null)
  })
  it('a week of the trend opens the problems created Monday to Sunday of that week', () => {
    expect(drillTo(16, none, { weekStart: '2020-06-29T00:00:00+08:00' }).query).toEqual({
      created_from: '2020-06-29',
      created_to: '2020-07-05',
    })
    // The list sends the API the day after the last one shown (created_to is exclusive there).
    const q = drillTo(16, none, { weekStart: '2020-12-28T00:00:00+08:00' }).query
    expect(q).toEqual({ created_from: '2020-12-28', created_to: '2021-01-03' })
    expect(problemQuery({ orgId: 16, createdFrom: q.created_from, createdTo: q.created_to, page: 1 })).toEqual({
      org_id: '16',
      created_from: '2020-12-28',
      created_to: '2021-01-04',
      limit: '50',
      total: 'true',
    })
  })
  it('the list the drill-down opens asks the API for exactly the figure clicked', () => {
    const to = drillTo(16, { categoryId: 4, source: '' }, { overdue: true })
    expect(problemQuery({ orgId: to.params.orgId, status: to.query.status.split(','), categoryId: to.query.category_id, overdue: to.query.overdue, page: 1 })).toEqual({
      org_id: '16',
      status: 'registered,planned,in_progress,pending_verification',
      category_id: '4',
      overdue: 'true',
      limit: '50',
      total: 'true',
    })
  })
})

describe('figure formatting', () => {
  it('shows a rate\'s numerator and denominator', () => {
    expect(ratioText({ numerator: 771, denominator: 835, rate: 0.923 })).toBe('771/835')
    expect(ratioText(null)).toBe('')
    expect(rateHint({ numerator: 3, denominator: 40, rate: 0.075 })).toBe('7.5% · 3/40')
    expect(rateHint({ numerator: 0, denominator: 0, rate: null })).toBe('— · 0/0')
  })
  it('shows whole days', () => {
    expect(formatWholeDays(5)).toBe('5')
    expect(formatWholeDays(0)).toBe('0')
    expect(formatWholeDays(null)).toBe('—')
  })
  it('gives the cards of 福州市 their values', () => {
    const v = figureValues(fuzhou)
    expect(v.problems).toEqual({ value: '835', open: 0 })
    expect(v.closed).toEqual({ value: '835', hint: '100.0% · 835/835' })
    expect(v['on-time']).toEqual({ value: '92.3%', hint: '771/835' })
    expect(v.overdue).toEqual({ value: '0', hint: '— · 0/0' })
    expect(v['due-soon']).toEqual({ value: '0' })
    expect(v.median).toEqual({ value: '5', p90: '21' })
    expect(v.opinions).toEqual({ value: '1,200' })
    expect(v.replied).toEqual({ value: '98.9%', hint: '1187/1200' })
    expect(v.supervised).toEqual({ value: '0' }) // 本月督办: nothing supervised in the sample data
    expect(figureValues({ ...fuzhou, supervised_this_month: 1234 }).supervised).toEqual({ value: '1,234' })
    expect(figureValues({ ...fuzhou, supervised_this_month: undefined }).supervised).toEqual({ value: '—' }) // an older server
    expect(v.satisfaction).toEqual({ value: '75.0%', hint: '45/60' })
    expect(v.stalled).toEqual({ value: '7', days: 14 })
    expect(v['escalated-up']).toEqual({ value: '3' })
    expect(v.cascaded).toEqual({ value: '12', received: '1' })
    // An older server without the figures shows dashes.
    const old = figureValues({ ...fuzhou, satisfaction: undefined, stalled: undefined, stalled_days: undefined })
    expect(old.satisfaction).toEqual({ value: '—', hint: '' })
    expect(old.stalled).toEqual({ value: '—', days: '—' })
    expect(figureValues(null)).toEqual({})
  })
})

describe('ranking sort', () => {
  const rows = [
    { org: { name: 'a' }, completion: { rate: 0.5 }, overdue: 3, p90_days_to_close: 20 },
    { org: { name: 'b' }, completion: { rate: null }, overdue: 0, p90_days_to_close: null },
    { org: { name: 'c' }, completion: { rate: 0.9 }, overdue: 7, p90_days_to_close: 4 },
  ]
  const sorted = (key) => [...rows].sort(compareBy(RANK_KEYS[key])).map((r) => r.org.name)
  it('sorts by completion, overdue and p90, a missing rate lowest', () => {
    expect(sorted('completion')).toEqual(['b', 'a', 'c'])
    expect(sorted('overdue')).toEqual(['b', 'a', 'c'])
    expect(sorted('p90')).toEqual(['b', 'c', 'a'])
  })
})

describe('campaign, special item, batch, org kind and period filters', () => {
  it('reads a campaign and a special item from the URL, each alone too', () => {
    expect(dashboardFilters({ campaign_id: '1', special_item_id: '3' })).toEqual({ ...NONE, campaignId: 1, specialItemId: 3 })
    expect(dashboardFilters({ special_item_id: '4' })).toEqual({ ...NONE, specialItemId: 4 })
    expect(dashboardFilters({ campaign_id: '0', special_item_id: '2.5' })).toEqual(NONE)
    expect(dashboardFilters({ campaign_id: 'bwcx', special_item_id: '' })).toEqual(NONE)
  })
  it('reads a batch 0 (未分批), 1 or 2 and a known org kind', () => {
    expect(dashboardFilters({ batch: '0' }).batch).toBe(0)
    expect(dashboardFilters({ batch: '1' }).batch).toBe(1)
    expect(dashboardFilters({ batch: '2' }).batch).toBe(2)
    expect(dashboardFilters({ batch: '3' }).batch).toBe(null)
    expect(dashboardFilters({ batch: '' }).batch).toBe(null)
    expect(dashboardFilters({ org_kind: 'school' }).orgKind).toBe('school')
    expect(dashboardFilters({ org_kind: 'urban_community' }).orgKind).toBe('urban_community')
    expect(dashboardFilters({ org_kind: 'ministry' }).orgKind).toBe('')
  })
  it('reads a period of calendar days, either end open; drops bad days and a reversed period', () => {
    expect(dashboardFilters({ created_from: '2019-09-01', created_to: '2019-11-30' })).toEqual({
      ...NONE,
      createdFrom: '2019-09-01',
      createdTo: '2019-11-30',
    })
    expect(dashboardFilters({ created_from: '2019-09-01' })).toEqual({ ...NONE, createdFrom: '2019-09-01' })
    expect(dashboardFilters({ created_to: '2019-09-01' })).toEqual({ ...NONE, createdTo: '2019-09-01' })
    expect(dashboardFilters({ created_from: '2019-09-01', created_to: '2019-09-01' })).toEqual({
      ...NONE,
      createdFrom: '2019-09-01',
      createdTo: '2019-09-01',
    })
    expect(dashboardFilters({ created_from: '2019-11-30', created_to: '2019-09-01' })).toEqual(NONE)
    expect(dashboardFilters({ created_from: '2019-9-1', created_to: '2019-09-01T00:00:00+08:00' })).toEqual(NONE)
  })
  it('writes every filter back to the URL, the inverse of reading it', () => {
    const url = {
      category_id: '3',
      source: 'audit',
      campaign_id: '1',
      special_item_id: '2',
      batch: '0',
      org_kind: 'school',
      created_from: '2019-09-01',
      created_to: '2019-11-30',
      weeks: '52',
    }
    expect(filtersQuery(dashboardFilters(url))).toEqual(url)
    expect(filtersQuery({ ...NONE, batch: 2 })).toEqual({ batch: '2' })
    expect(filtersQuery({ ...NONE, batch: 0 })).toEqual({ batch: '0' })
    expect(filtersQuery({ ...NONE, specialItemId: 4 })).toEqual({ special_item_id: '4' })
    expect(filtersQuery({ ...NONE, createdTo: '2020-01-31' })).toEqual({ created_to: '2020-01-31' })
    expect(filtersQuery(NONE)).toEqual({})
  })
  it('tells whether the figures are filtered (the weeks of the trend are not a filter)', () => {
    expect(hasFilters(NONE)).toBe(false)
    expect(hasFilters({ ...NONE, weeks: 52 })).toBe(false)
    expect(hasFilters({ ...NONE, batch: 0 })).toBe(true)
    expect(hasFilters({ ...NONE, campaignId: 1 })).toBe(true)
    expect(hasFilters({ ...NONE, specialItemId: 1 })).toBe(true)
    expect(hasFilters({ ...NONE, orgKind: 'rural' })).toBe(true)
    expect(hasFilters({ ...NONE, createdFrom: '2019-09-01' })).toBe(true)
    expect(hasFilters({ ...NONE, createdTo: '2019-09-01' })).toBe(true)
    expect(hasFilters({ ...NONE, source: 'audit' })).toBe(true)
  })
  it('asks the stats for each filter; the period as instants of the display zone, the end exclusive', () => {
    expect(statsQuery({ ...NONE, campaignId: 1, specialItemId: 2 })).toEqual({
      campaign_id: '1',
      special_item_id: '2',
      weeks: '12',
      due_soon_days: '3',
    })
    expect(statsQuery({ ...NONE, batch: 0, orgKind: 'school' })).toEqual({ batch: '0', org_kind: 'school', weeks: '12', due_soon_days: '3' })
    expect(statsQuery({ ...NONE, batch: 2 })).toEqual({ batch: '2', weeks: '12', due_soon_days: '3' })
    // 2019-09-01 .. 2019-11-30 in Beijing: [09-01 00:00 +08:00, 12-01 00:00 +08:00).
    expect(statsQuery({ ...NONE, createdFrom: '2019-09-01', createdTo: '2019-11-30' }, 'Asia/Shanghai')).toEqual({
      created_from: '2019-09-01T00:00:00+08:00',
      created_to: '2019-12-01T00:00:00+08:00',
      weeks: '12',
      due_soon_days: '3',
    })
    // A period ending on the last day of a year; one end open.
    expect(statsQuery({ ...NONE, createdTo: '2020-12-31' }, 'Asia/Shanghai')).toEqual({
      created_to: '2021-01-01T00:00:00+08:00',
      weeks: '12',
      due_soon_days: '3',
    })
    // Another zone: New York in summer (-04:00) and after the clocks go back on 2020-11-01 (-05:00).
    expect(statsQuery({ ...NONE, createdFrom: '2020-10-31', createdTo: '2020-11-01' }, 'America/New_York')).toEqual({
      created_from: '2020-10-31T00:00:00-04:00',
      created_to: '2020-11-02T00:00:00-05:00',
      weeks: '12',
      due_soon_days: '3',
    })
  })
  const all = {
    ...NONE,
    campaignId: 1,
    specialItemId: 2,
    batch: 1,
    orgKind: 'party_gov_agency',
    createdFrom: '2019-09-01',
    createdTo: '2019-11-30',
  }
  const carried = {
    campaign_id: '1',
    special_item_id: '2',
    batch: '1',
    org_kind: 'party_gov_agency',
    created_from: '2019-09-01',
    created_to: '2019-11-30',
  }
  it('every drill-down carries the filters to the problem list, the period as the list\'s inclusive days', () => {
    expect(drillTo(2, all, {})).toEqual({ name: 'problems', params: { orgId: '2' }, query: carried })
    expect(drillTo(2, all, { closed: true }).query).toEqual({ ...carried, status: 'closed' })
    expect(drillTo(2, all, { overdue: true }).query).toEqual({
      ...carried,
      status: 'registered,planned,in_progress,pending_verification',
      overdue: 'true',
    })
    expect(drillTo(2, { ...NONE, batch: 0 }, { status: 'planned' }).query).toEqual({ batch: '0', status: 'planned' })
    expect(drillTo(2, { ...NONE, specialItemId: 4 }, { source: 'audit' }).query).toEqual({ special_item_id: '4', source: 'audit' })
  })
  it('a week of the trend opens that week within the period, or nothing outside it', () => {
    // The week of Monday 2019-08-26 .. Sunday 09-01: only 09-01 lies in the period.
    expect(drillTo(2, all, { weekStart: '2019-08-26T00:00:00+08:00' }).query).toEqual({
      ...carried,
      created_from: '2019-09-01',
      created_to: '2019-09-01',
    })
    // The week of 2019-11-25 .. 12-01 ends after the period's last day, 11-30.
    expect(drillTo(2, all, { weekStart: '2019-11-25T00:00:00+08:00' }).query).toEqual({
      ...carried,
      created_from: '2019-11-25',
      created_to: '2019-11-30',
    })
    expect(drillTo(2, all, { weekStart: '2019-10-07T00:00:00+08:00' }).query).toEqual({
      ...carried,
      created_from: '2019-10-07',
      created_to: '2019-10-13',
    })
    expect(drillTo(2, all, { weekStart: '2019-08-19T00:00:00+08:00' })).toBe(null)
    expect(drillTo(2, all, { weekStart: '2019-12-02T00:00:00+08:00' })).toBe(null)
  })
  it('the list the drill-down opens asks GET /problems for the same problems as the stats', () => {
    const to = drillTo(2, all, {})
    const q = to.query
    expect(
      problemQuery({
        orgId: to.params.orgId,
        campaignId: q.campaign_id,
        specialItemId: q.special_item_id,
        batch: q.batch,
        orgKind: q.org_kind,
        createdFrom: q.created_from,
        createdTo: q.created_to,
        page: 1,
      }),
    ).toEqual({
      org_id: '2',
      campaign_id: '1',
      special_item_id: '2',
      batch: '1',
      org_kind: 'party_gov_agency',
      created_from: '2019-09-01',
      created_to: '2019-12-01', // the day after the last, as the stats' created_to (exclusive)
      limit: '50',
      total: 'true',
    })
    expect(problemQuery({ orgId: 2, batch: 0 })).toEqual({ org_id: '2', batch: '0', limit: '50' })
    expect(problemQuery({ orgId: 2, batch: null, orgKind: '' })).toEqual({ org_id: '2', limit: '50' })
  })
})
