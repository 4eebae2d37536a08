import { describe, expect, it } from 'vitest'
import {
  SLA_CLASSES,
  defaultPeriod,
  parseLimits,
  ratesChartOption,
  ratesPeriod,
  ratesPeriodQuery,
  ratesQuery,
  scoreText,
  slaState,
  sortByScore,
  todayIn,
} from './opinionSla.js'

// An emergency opinion received 2026-11-30 05:00 Beijing time: 2 hours, due at 07:00 (= 2026-11-29T23:00Z).
const due = '2026-11-30T07:00:00+08:00'
const dueMs = Date.UTC(2026, 10, 29, 23, 0, 0)

describe('slaState (domain::SlaStateOf)', () => {
  it('is open before the deadline and exactly at it, overdue one second after', () => {
    expect(slaState({ reply_due_at: due, responded_at: null }, dueMs - 3600 * 1000)).toBe('open')
    expect(slaState({ reply_due_at: due, responded_at: null }, dueMs)).toBe('open')
    expect(slaState({ reply_due_at: due, responded_at: null }, dueMs + 1000)).toBe('overdue')
  })
  it('answered at the deadline is on time, a second later is late, whatever now is', () => {
    expect(slaState({ reply_due_at: due, responded_at: '2026-11-30T07:00:00+08:00' }, dueMs + 86400e3)).toBe('on_time')
    expect(slaState({ reply_due_at: due, responded_at: '2026-11-29T23:00:00Z' }, dueMs)).toBe('on_time')
    expect(slaState({ reply_due_at: due, responded_at: '2026-11-30T07:00:01+08:00' }, dueMs)).toBe('late')
    expect(slaState({ reply_due_at: due, responded_at: '2026-11-30T06:10:00+08:00' }, dueMs - 3000e3)).toBe('on_time')
  })
  it('takes now as a Date or an RFC 3339 string too', () => {
    expect(slaState({ reply_due_at: due }, new Date(dueMs + 1))).toBe('overdue')
    expect(slaState({ reply_due_at: due }, '2026-11-30T06:59:59+08:00')).toBe('open')
  })
  it('has no state without a deadline', () => {
    expect(slaState({ reply_due_at: null, responded_at: null }, dueMs)).toBe(null)
    expect(slaState(null)).toBe(null)
    expect(slaState({ reply_due_at: 'not a time' })).toBe(null)
  })
})

describe('parseLimits', () => {
  it('reads the --opinion-sla form in class order', () => {
    expect(parseLimits('general=7d,complex=15wd,emergency=2h,utility=24h')).toEqual([
      { cls: 'emergency', amount: 2, unit: 'h' },
      { cls: 'utility', amount: 24, unit: 'h' },
      { cls: 'general', amount: 7, unit: 'd' },
      { cls: 'complex', amount: 15, unit: 'wd' },
    ])
  })
  it('leaves out what it does not know', () => {
    expect(parseLimits('emergency=2h,urgent=1h,general=7 weeks')).toEqual([{ cls: 'emergency', amount: 2, unit: 'h' }])
    expect(parseLimits(undefined)).toEqual([])
  })
  it('knows the four classes', () => {
    expect(SLA_CLASSES).toEqual(['emergency', 'utility', 'general', 'complex'])
  })
})

describe('the period', () => {
  // 2026-11-30 20:00Z is already 2026-12-01 04:00 in Beijing.
  const now = Date.UTC(2026, 10, 30, 20, 0, 0)
  it('defaults to this month in the display zone', () => {
    expect(todayIn(now, 'Asia/Shanghai')).toBe('2026-12-01')
    expect(todayIn(now, 'UTC')).toBe('2026-11-30')
    expect(defaultPeriod(now, 'Asia/Shanghai')).toEqual(['2026-12-01', '2026-12-01'])
    expect(defaultPeriod(now, 'UTC')).toEqual(['2026-11-01', '2026-11-30'])
  })
  it('reads a valid period from the URL and falls back otherwise', () => {
    expect(ratesPeriod({ from: '2016-01-01', to: '2020-12-31' }, now)).toEqual(['2016-01-01', '2020-12-31'])
    expect(ratesPeriod({ from: '2020-12-31', to: '2016-01-01' }, now, 'UTC')).toEqual(['2026-11-01', '2026-11-30'])
    expect(ratesPeriod({ from: '2020-1-1', to: '2020-12-31' }, now, 'UTC')).toEqual(['2026-11-01', '2026-11-30'])
    expect(ratesPeriod({}, now, 'UTC')).toEqual(['2026-11-01', '2026-11-30'])
  })
  it('writes the default period as no query', () => {
    expect(ratesPeriodQuery(['2026-11-01', '2026-11-30'], now, 'UTC')).toEqual({})
    expect(ratesPeriodQuery(['2016-01-01', '2020-12-31'], now, 'UTC')).toEqual({ from: '2016-01-01', to: '2020-12-31' })
  })
  it('asks the API for the half-open period: from the first day 00:00 to the day after the last day', () => {
    expect(ratesQuery(['2016-01-01', '2020-12-31'], 'Asia/Shanghai')).toEqual({
      from: '2016-01-01T00:00:00+08:00',
      to: '2021-01-01T00:00:00+08:00',
    })
    expect(ratesQuery(['2024-02-28', '2024-02-28'], 'UTC')).toEqual({ from: '2024-02-28T00:00:00+00:00', to: '2024-02-29T00:00:00+00:00' })
  })
})

describe('scores and sorting', () => {
  it('writes a score out of 100 with one decimal', () => {
    // The worked example of docs/SUPERVISION.md: (771/835 + 1) / 2.
    expect(scoreText((771 / 835 + 1) / 2)).toBe('96.2')
    expect(scoreText(2 / 3)).toBe('66.7')
    expect(scoreText(1)).toBe('100.0')
    expect(scoreText(null)).toBe('—')
  })
  const rows = [
    { org: { id: 1, name: '甲' }, received: 10, score: 0.5 },
    { org: { id: 2, name: '乙' }, received: 0, score: null },
    { org: { id: 3, name: '丙' }, received: 20, score: 0.9 },
    { org: { id: 4, name: '丁' }, received: 30, score: 0.5 },
  ]
  it('sorts by score, best first, ties by received; rows without a score last', () => {
    expect(sortByScore(rows).map((r) => r.org.id)).toEqual([3, 4, 1, 2])
  })
  it('sorts worst first on request, rows without a score still last', () => {
    expect(sortByScore(rows, 'ascending').map((r) => r.org.id)).toEqual([4, 1, 3, 2])
    expect(rows.map((r) => r.org.id)).toEqual([1, 2, 3, 4]) // not sorted in place
  })
})

describe('ratesChartOption', () => {
  const rate = (n, d) => ({ numerator: n, denominator: d, rate: d ? n / d : null })
  const children = [
    { org: { id: 160, name: '仓山区' }, received: 511, response: rate(470, 511), resolution: rate(511, 511), satisfaction: rate(0, 0) },
    { org: { id: 161, name: '长乐区' }, received: 0, response: rate(0, 0), resolution: rate(0, 0), satisfaction: rate(0, 0) },
    { org: { id: 162, name: '鼓楼区' }, received: 41, response: rate(40, 41), resolution: rate(39, 40), satisfaction: rate(1, 3) },
  ]
  const o = ratesChartOption(children, { response: '响应率', resolution: '解决率', satisfaction: '满意率' })
  it('draws the children with opinions, three bars each, in percent with one decimal', () => {
    expect(o.xAxis.data).toEqual(['仓山区', '鼓楼区'])
    expect(o.series.map((s) => s.name)).toEqual(['响应率', '解决率', '满意率'])
    expect(o.series[0].data.map((d) => d.value)).toEqual([92, 97.6])
    expect(o.series[1].data.map((d) => d.value)).toEqual([100, 97.5])
    expect(o.series[2].data.map((d) => d.value)).toEqual([null, 33.3])
    expect(o.yAxis.max).toBe(100)
  })
  it('carries the org id for the click-through', () => {
    expect(o.series[2].data.map((d) => d.orgId)).toEqual([160, 162])
  })
})
