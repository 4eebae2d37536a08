import { describe, expect, it } from 'vitest'
import {
  batchError,
  batchRows,
  campaignBody,
  campaignPatch,
  completionChartOption,
  dayBefore,
  itemBody,
  itemProblemsRoute,
  itemRows,
  ratePercent,
} from './campaigns.js'

// The worked example of docs/LINKAGE.md#figures-by-item (河北省, items A, B, C) and #batch-ends, as the API
// answers it.
const rate = (numerator, denominator) => ({ numerator, denominator, rate: denominator ? numerator / denominator : null })
const stats = {
  items: [
    { special_item: { id: 11, code: 'A', title: '甲' }, problems: 4, closed: 2, open: 1, overdue: 1, invalid_or_merged: 1, completion: rate(2, 3), on_time: rate(1, 1) },
    { special_item: { id: 12, code: 'B', title: '乙' }, problems: 2, closed: 1, open: 1, overdue: 1, invalid_or_merged: 0, completion: rate(1, 2), on_time: rate(0, 1) },
    { special_item: { id: 13, code: 'C', title: '丙' }, problems: 0, closed: 0, open: 0, overdue: 0, invalid_or_merged: 0, completion: rate(0, 0), on_time: rate(0, 0) },
  ],
  by_org_batch: [
    {
      batch: 2, problems: 1, closed: 1, open: 0, overdue: 0, completion: rate(1, 1), on_time: rate(0, 1),
      batch_end: '2020-02-01T00:00:00+08:00', after_batch_end: { created: 0, closed_by_end: 1, closed_after_end: 0, open_after_end: 0 },
    },
    {
      batch: 1, problems: 5, closed: 2, open: 2, overdue: 1, completion: rate(2, 4), on_time: rate(1, 1),
      batch_end: '2020-01-11T00:00:00+08:00', after_batch_end: { created: 1, closed_by_end: 1, closed_after_end: 1, open_after_end: 2 },
    },
    { batch: 0, problems: 3, closed: 0, open: 3, overdue: 0, completion: rate(0, 3), on_time: rate(0, 0), batch_end: null, after_batch_end: null },
  ],
}

describe('itemRows', () => {
  it('one row per item with its counts and rates', () => {
    const rows = itemRows(stats)
    expect(rows.map((r) => [r.itemId, r.code, r.title, r.problems, r.closed, r.open, r.overdue, r.invalidOrMerged])).toEqual([
      [11, 'A', '甲', 4, 2, 1, 1, 1],
      [12, 'B', '乙', 2, 1, 1, 1, 0],
      [13, 'C', '丙', 0, 0, 0, 0, 0],
    ])
    expect(rows[0].completion).toEqual({ numerator: 2, denominator: 3, rate: 2 / 3 })
    expect(rows[1].onTime).toEqual({ numerator: 0, denominator: 1, rate: 0 })
  })
  it('no stats, no rows', () => {
    expect(itemRows(null)).toEqual([])
    expect(itemRows({})).toEqual([])
  })
})

describe('completionChartOption', () => {
  it('a bar per item in percent, none for 0/0, each with its item id', () => {
    const o = completionChartOption(itemRows(stats), '完成率')
    expect(o.xAxis.data).toEqual(['甲', '乙', '丙'])
    expect(o.series[0].name).toBe('完成率')
    // 2/3 = 66.7 %, 1/2 = 50 %, 0/0 none
    expect(o.series[0].data).toEqual([
      { value: 66.7, itemId: 11 },
      { value: 50, itemId: 12 },
      { value: null, itemId: 13 },
    ])
    expect(o.yAxis.max).toBe(100)
    expect(o.series[0].label.formatter({ value: 66.7 })).toBe('66.7%')
    expect(o.series[0].label.formatter({ value: null })).toBe('')
  })
})

describe('ratePercent', () => {
  it('one decimal, null without a denominator', () => {
    expect(ratePercent(rate(1, 3))).toBe(33.3)
    expect(ratePercent(rate(3, 3))).toBe(100)
    expect(ratePercent(rate(0, 0))).toBe(null)
    expect(ratePercent(null)).toBe(null)
  })
})

describe('batchRows', () => {
  it('by batch number, with the last day and the split after the end', () => {
    const rows = batchRows(stats, 'Asia/Shanghai')
    expect(rows.map((r) => r.batch)).toEqual([0, 1, 2])
    expect(rows[0]).toMatchObject({ problems: 3, batchEnd: null, lastDay: null, after: null })
    // batch 1 of the worked example: ends 2020-01-11T00:00+08:00, so its last day is 2020-01-10
    expect(rows[1]).toMatchObject({ problems: 5, closed: 2, open: 2, overdue: 1, lastDay: '2020-01-10' })
    expect(rows[1].after).toEqual({ created: 1, closedByEnd: 1, closedAfterEnd: 1, openAfterEnd: 2 })
    expect(rows[2].lastDay).toBe('2020-01-31')
    expect(rows[2].after).toEqual({ created: 0, closedByEnd: 1, closedAfterEnd: 0, openAfterEnd: 0 })
  })
  it('no stats, no rows', () => {
    expect(batchRows(undefined)).toEqual([])
  })
})

describe('dayBefore', () => {
  it('crosses months and leap days', () => {
    expect(dayBefore('2019-09-01')).toBe('2019-08-31')
    expect(dayBefore('2020-03-01')).toBe('2020-02-29')
    expect(dayBefore('2020-01-01')).toBe('2019-12-31')
    expect(dayBefore('x')).toBe('x')
    expect(dayBefore('2019-13-45')).toBe('2019-13-45')
  })
})

describe('batchError', () => {
  const ok = [
    { start_date: '2019-06-01', end_date: '2019-08-31' },
    { start_date: '2019-09-01', end_date: '2019-11-30' },
  ]
  it('the sample campaign\'s two batches are fine', () => {
    expect(batchError(ok, '2019-06-01', '2019-11-30')).toBe(null)
    expect(batchError([], '2019-06-01', '2019-11-30')).toBe(null)
  })
  it('a batch starting on the day the previous ends', () => {
    const b = [ok[0], { start_date: '2019-08-31', end_date: '2019-11-30' }]
    expect(batchError(b, '2019-06-01', '2019-11-30')).toEqual({ key: 'campaign.batchError.overlap', params: { n: 2, prev: 1, date: '2019-08-31' } })
  })
  it('a batch outside the campaign\'s dates', () => {
    expect(batchError(ok, '2019-06-02', '2019-11-30')).toEqual({ key: 'campaign.batchError.outside', params: { n: 1 } })
    expect(batchError(ok, '2019-06-01', '2019-11-29')).toEqual({ key: 'campaign.batchError.outside', params: { n: 2 } })
  })
  it('a batch ending before it starts, or without dates', () => {
    expect(batchError([{ start_date: '2019-07-01', end_date: '2019-06-30' }], '2019-06-01', '2019-11-30')).toEqual({ key: 'campaign.batchError.order', params: { n: 1 } })
    expect(batchError([ok[0], { start_date: '', end_date: '2019-11-30' }], '2019-06-01', '2019-11-30')).toEqual({ key: 'campaign.batchError.dates', params: { n: 2 } })
    expect(batchError([{ start_date: '2019-02-30', end_date: '2019-03-01' }], '', '')).toEqual({ key: 'campaign.batchError.dates', params: { n: 1 } })
  })
  it('at most 10', () => {
    const many = Array.from({ length: 11 }, () => ({ start_date: '2019-06-01', end_date: '2019-06-01' }))
    expect(batchError(many, '', '')).toEqual({ key: 'campaign.batchError.tooMany', params: { n: 11 } })
  })
})

describe('campaignBody', () => {
  it('numbers the batches, drops blank item rows and empty descriptions', () => {
    const body = campaignBody(
      {
        code: ' zx-2026 ',
        name: '专项整治 ',
        description: '',
        startDate: '2026-01-01',
        endDate: '2026-12-31',
        batches: [{ start_date: '2026-01-01', end_date: '2026-06-30' }],
        items: [{ code: '01', title: '形式主义', description: ' 说明 ' }, { code: '', title: '  ' }],
      },
      '2',
    )
    expect(body).toEqual({
      code: 'zx-2026',
      name: '专项整治',
      owner_org_id: 2,
      start_date: '2026-01-01',
      end_date: '2026-12-31',
      batches: [{ number: 1, start_date: '2026-01-01', end_date: '2026-06-30' }],
      special_items: [{ code: '01', title: '形式主义', description: '说明' }],
    })
  })
  it('no items: no special_items', () => {
    expect(campaignBody({ code: 'a', name: 'b', startDate: '2026-01-01', endDate: '2026-01-02', batches: [], items: [] }, 5)).toEqual({
      code: 'a', name: 'b', owner_org_id: 5, start_date: '2026-01-01', end_date: '2026-01-02', batches: [],
    })
    expect(campaignBody({ code: 'a', name: 'b', source: ' 通知 ', startDate: '2026-01-01', endDate: '2026-01-02' }, 5).source).toBe('通知')
  })
})

describe('campaignPatch', () => {
  const campaign = {
    name: '主题教育',
    description: '说明',
    start_date: '2019-06-01',
    end_date: '2019-11-30',
    batches: [
      { number: 1, start_date: '2019-06-01', end_date: '2019-08-31' },
      { number: 2, start_date: '2019-09-01', end_date: '2019-11-30' },
    ],
  }
  const form = () => ({
    name: '主题教育',
    description: '说明',
    startDate: '2019-06-01',
    endDate: '2019-11-30',
    batches: campaign.batches.map((b) => ({ start_date: b.start_date, end_date: b.end_date })),
  })
  it('nothing changed, nothing sent', () => {
    expect(campaignPatch(form(), campaign)).toEqual({})
  })
  it('only what changed; batches whole and renumbered', () => {
    const f = form()
    f.name = '主题教育（修订）'
    f.endDate = '2019-12-31'
    f.batches.splice(0, 1)
    expect(campaignPatch(f, campaign)).toEqual({
      name: '主题教育（修订）',
      end_date: '2019-12-31',
      batches: [{ number: 1, start_date: '2019-09-01', end_date: '2019-11-30' }],
    })
  })
  it('a new code and source are sent trimmed; an emptied source is sent as null to clear it', () => {
    const withSource = { ...campaign, code: 'ztjy-2019', source: '中央指导组通知' }
    const f = { ...form(), code: 'ztjy-2019', source: '中央指导组通知' }
    expect(campaignPatch(f, withSource)).toEqual({})
    expect(campaignPatch({ ...f, code: ' ztjy-2019-2 ', source: ' 2019年11月通知 ' }, withSource)).toEqual({
      code: 'ztjy-2019-2',
      source: '2019年11月通知',
    })
    expect(campaignPatch({ ...f, source: '  ' }, withSource)).toEqual({ source: null })
    // A campaign without a source: an empty field sends nothing, a filled one sends it.
    expect(campaignPatch({ ...f, source: '' }, { ...withSource, source: null })).toEqual({})
    expect(campaignPatch({ ...f, source: '通知' }, { ...withSource, source: null })).toEqual({ source: '通知' })
  })
})

describe('itemBody', () => {
  it('a new item: trims and leaves out an empty description and no lead org', () => {
    expect(itemBody({ code: ' 05 ', title: ' 作风 ', description: ' ', leadOrgId: null })).toEqual({ code: '05', title: '作风' })
    expect(itemBody({ code: '05', title: '作风', description: '', leadOrgId: 17 })).toEqual({ code: '05', title: '作风', lead_org_id: 17 })
  })
  it('an edit sends description and lead org always, so they can be cleared', () => {
    expect(itemBody({ code: '05', title: '作风', description: '', leadOrgId: null }, true)).toEqual({ code: '05', title: '作风', description: '', lead_org_id: null })
    expect(itemBody({ code: '05', title: '作风', description: ' 说明 ', leadOrgId: 17 }, true)).toEqual({ code: '05', title: '作风', description: '说明', lead_org_id: 17 })
  })
})

describe('itemProblemsRoute', () => {
  it('the problem list of the org with the campaign and the item', () => {
    expect(itemProblemsRoute(2, 1, 3)).toEqual({ name: 'problems', params: { orgId: '2' }, query: { campaign_id: '1', special_item_id: '3' } })
    expect(itemProblemsRoute('2', 1, 3, { closed: true })).toEqual({
      name: 'problems',
      params: { orgId: '2' },
      query: { campaign_id: '1', special_item_id: '3', status: 'closed' },
    })
    expect(itemProblemsRoute(2, 1, null)).toBe(null)
  })
})
