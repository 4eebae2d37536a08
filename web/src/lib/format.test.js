import { describe, expect, it } from 'vitest'
import {
  formatCount,
  formatDate,
  formatDateTime,
  formatDays,
  formatPercent,
  formatRate,
  nextDay,
  problemQuery,
  sortParam,
  tableSortOf,
  toQueryString,
} from './format.js'

describe('formatRate', () => {
  it('shows the percentage with one decimal and the figures', () => {
    // 700 / 851 = 0.822561... -> 82.3%
    expect(formatRate({ numerator: 700, denominator: 851, rate: 700 / 851 })).toBe('82.3% (700/851)')
  })
  it('rounds half up at the shown digit', () => {
    // 1 / 8 = 0.125 -> 12.5%; 2 / 3 = 0.6666 -> 66.7%
    expect(formatRate({ numerator: 1, denominator: 8, rate: 0.125 })).toBe('12.5% (1/8)')
    expect(formatRate({ numerator: 2, denominator: 3, rate: 2 / 3 })).toBe('66.7% (2/3)')
  })
  it('shows a dash for a rate without denominator', () => {
    expect(formatRate({ numerator: 0, denominator: 0, rate: null })).toBe('— (0/0)')
  })
  it('shows 100% and 0%', () => {
    expect(formatRate({ numerator: 5, denominator: 5, rate: 1 })).toBe('100.0% (5/5)')
    expect(formatRate({ numerator: 0, denominator: 4, rate: 0 })).toBe('0.0% (0/4)')
  })
  it('shows a dash for a missing rate object', () => {
    expect(formatRate(null)).toBe('—')
  })
})

describe('number formats', () => {
  it('formats percent, days and counts', () => {
    expect(formatPercent(0.5)).toBe('50.0%')
    expect(formatPercent(null)).toBe('—')
    expect(formatDays(12.25)).toBe('12.3')
    expect(formatDays(3)).toBe('3.0')
    expect(formatDays(null)).toBe('—')
    expect(formatCount(1973)).toBe('1,973')
    expect(formatCount(0)).toBe('0')
  })
})

describe('dates', () => {
  it('shows RFC 3339 times in the display zone (Asia/Shanghai)', () => {
    expect(formatDateTime('2024-03-05T14:07:09+08:00', 'Asia/Shanghai')).toBe('2024-03-05 14:07')
    // 23:30 UTC is 07:30 next day in Beijing
    expect(formatDateTime('2024-03-05T23:30:00Z', 'Asia/Shanghai')).toBe('2024-03-06 07:30')
    expect(formatDate('2024-03-05T23:30:00Z', 'Asia/Shanghai')).toBe('2024-03-06')
    // midnight is 00, not 24
    expect(formatDateTime('2024-01-01T00:05:00+08:00', 'Asia/Shanghai')).toBe('2024-01-01 00:05')
  })
  it('can show another zone', () => {
    expect(formatDateTime('2024-03-05T14:07:09+08:00', 'UTC')).toBe('2024-03-05 06:07')
  })
  it('shows a dash for no time', () => {
    expect(formatDateTime(null)).toBe('—')
    expect(formatDate('')).toBe('—')
  })
})

describe('problemQuery', () => {
  it('drops empty filters and joins statuses', () => {
    expect(
      problemQuery({ orgId: 5, status: ['registered', 'in_progress'], source: '', categoryId: null, limit: 50 }),
    ).toEqual({ org_id: '5', status: 'registered,in_progress', limit: '50' })
  })
  it('keeps category 0, dates and cursor', () => {
    const q = problemQuery({
      orgId: '7',
      status: 'closed',
      source: 'public_opinion',
      categoryId: 0,
      createdFrom: '2024-01-01',
      createdTo: '2024-01-31',
      cursor: 'abc',
      limit: 20,
    })
    expect(q).toEqual({
      org_id: '7',
      status: 'closed',
      source: 'public_opinion',
      category_id: '0',
      created_from: '2024-01-01',
      created_to: '2024-02-01',
      cursor: 'abc',
      limit: '20',
    })
    expect(toQueryString({ org_id: '7', status: 'a,b' })).toBe('org_id=7&status=a%2Cb')
  })
})

describe('nextDay', () => {
  it('moves to the next calendar day across month, leap day and year ends', () => {
    expect(nextDay('2024-01-31')).toBe('2024-02-01')
    expect(nextDay('2024-02-28')).toBe('2024-02-29')
    expect(nextDay('2023-02-28')).toBe('2023-03-01')
    expect(nextDay('2024-12-31')).toBe('2025-01-01')
    expect(nextDay('')).toBe('')
    expect(nextDay('2024-1-5')).toBe('')
  })
})

describe('problemQuery with pages, sort and overdue', () => {
  it('turns page numbers into offset and asks for the total', () => {
    expect(problemQuery({ orgId: 16, page: 3, pageSize: 20, sort: '-due_at', overdue: 'true' })).toEqual({
      org_id: '16',
      overdue: 'true',
      sort: '-due_at',
      offset: '40',
      limit: '20',
      total: 'true',
    })
    expect(problemQuery({ orgId: 16, page: 1, pageSize: 50, sort: '-id', overdue: '' })).toEqual({
      org_id: '16',
      limit: '50',
      total: 'true',
    })
    expect(problemQuery({ overdue: false, page: 2 }).overdue).toBe('false')
  })
})

describe('table sort <-> sort parameter', () => {
  it('maps the sortable columns both ways', () => {
    expect(sortParam({ prop: 'due_at', order: 'ascending' })).toBe('due_at')
    expect(sortParam({ prop: 'closed_at', order: 'descending' })).toBe('-closed_at')
    expect(sortParam({ prop: 'due_at', order: null })).toBe('')
    expect(sortParam({ prop: 'title', order: 'ascending' })).toBe('')
    expect(tableSortOf('-created_at')).toEqual({ prop: 'created_at', order: 'descending' })
    expect(tableSortOf('due_at')).toEqual({ prop: 'due_at', order: 'ascending' })
    expect(tableSortOf('title')).toBe(undefined)
  })
})
