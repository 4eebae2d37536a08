import { describe, expect, it } from 'vitest'
import { attendanceCounts, participationChartOption, ratePercent, sessionBody, splitNames, visitBody, yearSoFar } from './study.js'

describe('study forms', () => {
  it('counts the named rows of an attendance table and those present', () => {
    const rows = [{ name: '张三', present: true }, { name: '李四', present: false }, { name: ' ', present: true }, { name: '王五', present: true }]
    expect(attendanceCounts(rows)).toEqual({ expected: 3, present: 2 })
    expect(attendanceCounts([])).toEqual({ expected: 0, present: 0 })
  })

  it('sends the roster instead of counts when one is kept', () => {
    const form = { heldOn: '2026-03-01', topic: ' 学习党章 ', form: 'party_lecture', hours: '2.5', expected: 9, present: 9,
      attendance: [{ name: '张三 ', present: true }, { name: '', present: false }, { name: '李四', present: false }] }
    expect(sessionBody(form)).toEqual({
      held_on: '2026-03-01', topic: '学习党章', form: 'party_lecture', hours: 2.5,
      attendance: [{ name: '张三', present: true }, { name: '李四', present: false }],
    })
    expect(sessionBody({ ...form, attendance: [], materials: '党章', notes: '' })).toEqual({
      held_on: '2026-03-01', topic: '学习党章', form: 'party_lecture', hours: 2.5, materials: '党章', expected: 9, present: 9,
    })
  })

  it('splits visitor names on line breaks and Chinese or ASCII commas', () => {
    expect(splitNames('张书记，李主任、王科长\n赵干事, ')).toEqual(['张书记', '李主任', '王科长', '赵干事'])
  })

  it('leaves blank opinions out of a visit', () => {
    expect(visitBody({ visitors: '张书记', visitedOn: '2026-03-10', place: ' 某小区 ', visitedOrgId: 6,
      opinions: [{ text: ' 路灯不亮 ' }, { text: '  ' }, { text: '垃圾', kind: 'complaint' }] })).toEqual({
      visitors: ['张书记'], visited_on: '2026-03-10', visited_org_id: 6, place: '某小区',
      opinions: [{ text: '路灯不亮' }, { text: '垃圾', kind: 'complaint' }],
    })
    expect(visitBody({ visitors: '甲', visitedOn: '2026-03-10', opinions: [] }).opinions).toBeUndefined()
  })
})

describe('participation chart', () => {
  it('draws one bar per child with expected attendees, in percent with one decimal', () => {
    const children = [
      { org: { id: 4, name: '长安区' }, participation: { numerator: 11, denominator: 14, rate: 11 / 14 } },
      { org: { id: 5, name: '桥西区' }, participation: { numerator: 0, denominator: 0, rate: null } },
      { org: { id: 7, name: '唐山市' }, participation: { numerator: 15, denominator: 20, rate: 0.75 } },
    ]
    const o = participationChartOption(children, '参学率')
    expect(o.xAxis.data).toEqual(['长安区', '唐山市'])
    expect(o.series[0].data).toEqual([{ value: 78.6, orgId: 4 }, { value: 75, orgId: 7 }])  // 11/14 = 78.57%
    expect(o.yAxis.max).toBe(100)
    expect(ratePercent({ rate: null })).toBeNull()
  })

  it('defaults the period to this year so far', () => {
    expect(yearSoFar(new Date(2026, 10, 30))).toEqual(['2026-01-01', '2026-11-30'])
  })
})
