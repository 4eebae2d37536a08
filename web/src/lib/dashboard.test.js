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
}

describe('dashboardFilters / filtersQuery / statsQuery', () => {
  it('reads a top-level category, a known source and a offered number of weeks from the route query', () => {
    expect(dashboardFilters({ category_id: '3', source: 'public_opinion', weeks: '52' })).toEqual({
      categoryId: 3,
      source: 'public_opinion',
      weeks: 52,
    })
  })
  it('drops what it does not know: a bad id, an unknown source, weeks not offered', () => {
    expect(dashboardFilters({ category_id: 'x', source: 'rumour', weeks: '13' })).toEqual({ categoryId: null, source: '', weeks: 12 })
    expect(dashboardFilters({ category_id: '-2' }).categoryId).toBe(null)
    expect(dashboardFilters({})).toEqual({ categoryId: null, source: '', weeks: 12 })
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
