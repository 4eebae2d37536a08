import { describe, expect, it } from 'vitest'
import {
  hotIssueBarOption,
  categoryBarOption,
  categoryLeaf,
  childRankingOption,
  onTimePercent,
  rankChildren,
  rankingMode,
  statusDonutOption,
  sourceBarOption,
  topCategories,
  weeklyTotals,
  weeklyTrendOption,
} from './charts.js'

const stats = {
  org: { id: 3, name: '福州市' },
  problems: 10,
  by_status: { registered: 2, planned: 0, in_progress: 3, pending_verification: 0, closed: 5, invalid: 0, merged: 0 },
  by_category: [
    { category_id: 11, path: '环境保护/环境污染', count: 4 },
    { category_id: 12, path: '城乡建设/市政设施', count: 5 },
    { category_id: null, path: '', count: 1 },
  ],
  closed: 5,
  closed_on_time: { numerator: 4, denominator: 5, rate: 0.8 },
  median_days_to_close: 6.5,
  opinions: 12,
  opinions_replied: { numerator: 9, denominator: 12, rate: 0.75 },
}

describe('statusDonutOption', () => {
  const opt = statusDonutOption(stats, (s) => `L:${s}`)
  it('has one slice per non-zero status, in status order, with labels and status keys', () => {
    const data = opt.series[0].data
    expect(data.map((d) => [d.name, d.value, d.status])).toEqual([
      ['L:registered', 2, 'registered'],
      ['L:in_progress', 3, 'in_progress'],
      ['L:closed', 5, 'closed'],
    ])
    expect(data[2].itemStyle.color).toBe('#67c23a')
  })
  it('shows the total in the middle', () => {
    expect(opt.title.text).toBe('10')
  })
  it('is empty for no stats', () => {
    expect(statusDonutOption(null, (s) => s).series[0].data).toEqual([])
  })
})

describe('categories', () => {
  it('takes the leaf of a path', () => {
    expect(categoryLeaf('环境保护/环境污染')).toBe('环境污染')
    expect(categoryLeaf('交通运输')).toBe('交通运输')
    expect(categoryLeaf('')).toBe('')
  })
  it('sorts the top categories by count, names the uncategorised', () => {
    expect(topCategories(stats, 10, '未分类')).toEqual([
      { categoryId: 12, path: '城乡建设/市政设施', leaf: '市政设施', count: 5 },
      { categoryId: 11, path: '环境保护/环境污染', leaf: '环境污染', count: 4 },
      { categoryId: null, path: '未分类', leaf: '未分类', count: 1 },
    ])
    expect(topCategories(stats, 2).map((c) => c.categoryId)).toEqual([12, 11])
  })
  it('draws the largest bar on top (last in the category axis)', () => {
    const opt = categoryBarOption(stats, { top: 10, uncategorized: '未分类' })
    expect(opt.yAxis.data).toEqual(['未分类', '环境污染', '市政设施'])
    expect(opt.series[0].data.map((d) => [d.value, d.categoryId])).toEqual([
      [1, null],
      [4, 11],
      [5, 12],
    ])
  })
  it('keeps only the top 10', () => {
    const many = {
      by_category: Array.from({ length: 15 }, (_, i) => ({ category_id: i + 1, path: `c${i + 1}`, count: i + 1 })),
    }
    const rows = topCategories(many, 10)
    expect(rows).toHaveLength(10)
    expect(rows[0].count).toBe(15)
    expect(rows[9].count).toBe(6)
  })
})

describe('child ranking', () => {
  const children = [
    { org: { id: 21, name: '鼓楼区' }, problems: 3, closed: 3, closed_on_time: { numerator: 2, denominator: 3, rate: 2 / 3 } },
    { org: { id: 22, name: '仓山区' }, problems: 7, closed: 1, closed_on_time: { numerator: 1, denominator: 1, rate: 1 } },
    { org: { id: 23, name: '台江区' }, problems: 3, closed: 0, closed_on_time: { numerator: 0, denominator: 0, rate: null } },
  ]
  it('ranks by problems then closed', () => {
    expect(rankChildren(children).map((c) => c.org.id)).toEqual([22, 21, 23])
  })
  it('computes the on-time percent with one decimal', () => {
    expect(onTimePercent(children[0])).toBe(66.7)
    expect(onTimePercent(children[1])).toBe(100)
    expect(onTimePercent(children[2])).toBe(null)
  })
  it('builds bars and the rate line with org ids', () => {
    const opt = childRankingOption(children, { total: 'P', done: 'C', rate: 'R' })
    expect(opt.xAxis.data).toEqual(['仓山区', '鼓楼区', '台江区'])
    expect(opt.series.map((s) => s.name)).toEqual(['P', 'C', 'R'])
    expect(opt.series[0].data.map((d) => d.value)).toEqual([7, 3, 3])
    expect(opt.series[1].data.map((d) => d.value)).toEqual([1, 3, 0])
    expect(opt.series[2].data.map((d) => d.value)).toEqual([100, 66.7, null])
    expect(opt.series[0].data.map((d) => d.orgId)).toEqual([22, 21, 23])
  })
  it('ranks by opinions when no child has problems', () => {
    const ops = [
      { org: { id: 31, name: 'A1区' }, problems: 0, opinions: 29, opinions_replied: { numerator: 29, denominator: 29, rate: 1 } },
      { org: { id: 32, name: 'A2区' }, problems: 0, opinions: 21, opinions_replied: { numerator: 20, denominator: 21, rate: 20 / 21 } },
      { org: { id: 33, name: 'A3区' }, problems: 0, opinions: 40, opinions_replied: { numerator: 10, denominator: 40, rate: 0.25 } },
    ]
    expect(rankingMode(ops)).toBe('opinions')
    expect(rankingMode(children)).toBe('problems')
    const opt = childRankingOption(ops, { total: 'O', done: 'D', rate: 'R' }, 'opinions')
    expect(opt.xAxis.data).toEqual(['A3区', 'A1区', 'A2区'])
    expect(opt.series[0].data.map((d) => d.value)).toEqual([40, 29, 21])
    expect(opt.series[1].data.map((d) => d.value)).toEqual([10, 29, 20])
    // 20/21 = 0.95238 -> 95.2
    expect(opt.series[2].data.map((d) => d.value)).toEqual([25, 100, 95.2])
  })
})

describe('weeklyTrendOption', () => {
  const s = {
    weekly: [
      { week_start: '2026-11-09T00:00:00+08:00', created: 4, closed: 1 },
      { week_start: '2026-11-16T00:00:00+08:00', created: 0, closed: 3 },
      { week_start: '2026-11-23T00:00:00+08:00', created: 2, closed: 0 },
    ],
  }
  const opt = weeklyTrendOption(s, { created: '新增', closed: '销号' })
  it('has the weeks oldest first with created bars and closed line', () => {
    expect(opt.xAxis.data).toEqual(['2026-11-09', '2026-11-16', '2026-11-23'])
    expect(opt.series.map((x) => [x.name, x.type])).toEqual([
      ['新增', 'bar'],
      ['销号', 'line'],
    ])
    expect(opt.series[0].data.map((d) => d.value)).toEqual([4, 0, 2])
    expect(opt.series[1].data.map((d) => d.value)).toEqual([1, 3, 0])
    expect(opt.series[0].data[1].weekStart).toBe('2026-11-16T00:00:00+08:00')
  })
  it('totals the weeks', () => {
    expect(weeklyTotals(s)).toEqual({ created: 6, closed: 4 })
    expect(weeklyTotals(null)).toEqual({ created: 0, closed: 0 })
  })
})

describe('sourceBarOption', () => {
  const opt = sourceBarOption(
    { by_source: { public_opinion: 835, audit: 0, meeting: 3, other: 3 } },
    (s) => `L:${s}`,
    '数量',
  )
  it('has the sources with problems, largest on top (last), each with its source key', () => {
    expect(opt.yAxis.data).toEqual(['L:other', 'L:meeting', 'L:public_opinion'])
    expect(opt.series[0].data).toEqual([
      { value: 3, source: 'other' },
      { value: 3, source: 'meeting' },
      { value: 835, source: 'public_opinion' },
    ])
  })
})

describe('hotIssueBarOption', () => {
  it('puts the first-ranked cluster at the top with people and opinions per bar', () => {
    const items = [
      { title: '丽发新城搅拌站扰民', people: 38, size: 40, representative_id: 7 },
      { title: '伊景园滨河苑捆绑车位', people: 36, size: 37, representative_id: 9 },
    ]
    const o = hotIssueBarOption(items, { peopleName: '反映人数', messagesName: '意见条数' })
    // ECharts draws a category axis bottom-up: the last entry is the top bar.
    expect(o.yAxis.data).toEqual(['伊景园滨河苑捆绑车位', '丽发新城搅拌站扰民'])
    expect(o.series[0].name).toBe('反映人数')
    expect(o.series[0].data).toEqual([
      { value: 36, opinionId: 9 },
      { value: 38, opinionId: 7 },
    ])
    expect(o.series[1].data.map((d) => d.value)).toEqual([37, 40])
    expect(items[0].title).toBe('丽发新城搅拌站扰民') // the input is not reordered
  })
  it('draws nothing for no clusters', () => {
    expect(hotIssueBarOption([]).series[0].data).toEqual([])
  })
})
