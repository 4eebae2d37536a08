import { describe, expect, it } from 'vitest'
import {
  QUEUE_KINDS,
  bulletinBody,
  bulletinChartOption,
  bulletinExportUrl,
  bulletinRate,
  endOfDayIso,
  highestStep,
  ladderActions,
  lastDayOf,
  localToIso,
  queueQuery,
  queueRow,
  rankText,
  ratePercent,
  stepBody,
  warningTags,
  workbenchQuery,
  workbenchState,
  zoneOffset,
} from './supervision.js'

const admin = { grants: [{ role: 'admin', org_id: 1 }] }
const clerk = { grants: [{ role: 'clerk', org_id: 160 }, { role: 'reviewer', org_id: 160 }] }
const supervisor = { grants: [{ role: 'clerk', org_id: 160 }, { role: 'supervisor', org_id: 16 }] }

describe('workbench state', () => {
  it('reads the queue and page from the URL, falling back to the overdue queue and page 1', () => {
    expect(workbenchState({})).toEqual({ queue: 'overdue', page: 1 })
    expect(workbenchState({ queue: 'stalled', page: '3' })).toEqual({ queue: 'stalled', page: 3 })
    expect(workbenchState({ queue: 'everything', page: '-2' })).toEqual({ queue: 'overdue', page: 1 })
    expect(workbenchState({ queue: 'to_verify', page: '1.5' })).toEqual({ queue: 'to_verify', page: 1 })
  })
  it('writes only what differs from the defaults', () => {
    expect(workbenchQuery({ queue: 'overdue', page: 1 })).toEqual({})
    expect(workbenchQuery({ queue: 'returned', page: 2 })).toEqual({ queue: 'returned', page: '2' })
  })
  it('has the seven queues of the API in the tabs order', () => {
    expect(QUEUE_KINDS).toEqual(['overdue', 'due_soon', 'stalled', 'returned', 'to_verify', 'escalations', 'opinions_overdue'])
    expect(workbenchState({ queue: 'opinions_overdue' }).queue).toBe('opinions_overdue')
  })
  it('asks the API for a page of 20 rows of the org', () => {
    expect(queueQuery(16)).toEqual({ org_id: '16', limit: '20' })
    expect(queueQuery(16, 3)).toEqual({ org_id: '16', limit: '20', offset: '40' })
    expect(queueQuery(null, 2, 50)).toEqual({ limit: '50', offset: '50' })
  })
})

describe('warning and ladder tags', () => {
  it('maps the warning level and stalled flag to tags', () => {
    expect(warningTags({ level: 'red', stalled: false })).toEqual([{ key: 'red', type: 'danger' }])
    expect(warningTags({ level: 'yellow', stalled: true })).toEqual([
      { key: 'yellow', type: 'warning' },
      { key: 'stalled', type: 'info' },
    ])
    expect(warningTags({ level: 'none', stalled: true })).toEqual([{ key: 'stalled', type: 'info' }])
    expect(warningTags({ level: 'none', stalled: false })).toEqual([])
    expect(warningTags(undefined)).toEqual([])
  })
  it('finds the highest step taken whatever the order', () => {
    expect(highestStep([])).toBe(null)
    expect(highestStep([{ kind: 'urge' }, { kind: 'urge' }])).toBe('urge')
    expect(highestStep([{ kind: 'interview' }, { kind: 'urge' }, { kind: 'supervise' }])).toBe('interview')
    expect(highestStep([{ kind: 'supervise' }, { kind: 'nag' }])).toBe('supervise')
  })
})

describe('queue rows', () => {
  it('maps a task row of the due-soon queue (the API test answer) to the table', () => {
    const item = {
      ladder: 'urge',
      last_report_at: null,
      org_name: '鼓楼区',
      problem_title: '白马河沿岸垃圾堆积',
      returns: 0,
      task: { id: 7, problem_id: 836, responsible_person: '李四', due_at: '2026-12-01T05:15:32+08:00', status: 'pending' },
      warning: { level: 'yellow', stalled: false, working_days: 1 },
      why: 'due_soon',
      why_text: '1 个工作日后到期',
    }
    expect(queueRow(item)).toEqual({
      key: 't7',
      kind: 'task',
      problemId: 836,
      problemTitle: '白马河沿岸垃圾堆积',
      orgName: '鼓楼区',
      person: '李四',
      dueAt: '2026-12-01T05:15:32+08:00',
      tags: [{ key: 'yellow', type: 'warning' }],
      why: 'due_soon',
      whyText: '1 个工作日后到期',
      ladder: 'urge',
      task: item.task,
      escalation: null,
    })
  })
  it('maps an escalation row: the problem, the org asked to accept, no ladder', () => {
    const row = queueRow({
      why: 'escalated',
      why_text: '下级申请上交（下题上答）：根源在市级',
      escalation: { id: 3, problem_id: 900, from_org_id: 160, to_org_id: 16 },
      problem_title: '积水点整治',
      to_org_name: '福州市',
    })
    expect(row.kind).toBe('escalation')
    expect(row.key).toBe('e3')
    expect(row.problemId).toBe(900)
    expect(row.orgName).toBe('福州市')
    expect(row.ladder).toBe(null)
    expect(row.tags).toEqual([])
  })
  it('maps an overdue opinion row: the opinion, its org id, class and deadline, no problem, task or ladder', () => {
    const opinion = {
      id: 901,
      title: '小区停水两天无人处理',
      org_id: 160,
      sla_class: 'emergency',
      reply_due_at: '2026-11-30T07:00:00+08:00',
      responded_at: null,
    }
    const row = queueRow({ why: 'opinion_overdue', why_text: '超过紧急意见办理时限 1 小时，尚未响应', opinion })
    expect(row).toMatchObject({
      key: 'o901',
      kind: 'opinion',
      opinionId: 901,
      opinionTitle: '小区停水两天无人处理',
      orgId: 160,
      slaClass: 'emergency',
      dueAt: '2026-11-30T07:00:00+08:00',
      whyText: '超过紧急意见办理时限 1 小时，尚未响应',
      problemId: null,
      task: null,
      ladder: null,
      tags: [],
    })
    // Without a title the row keeps an empty one (the view shows #id).
    expect(queueRow({ opinion: { id: 5 } }).opinionTitle).toBe('')
  })
  it('drops a ladder value it does not know', () => {
    expect(queueRow({ task: { id: 1 }, ladder: 'phone' }).ladder).toBe(null)
  })
})

describe('ladder actions', () => {
  it('offers all three steps on a running task to admins and supervisors, none to clerks', () => {
    for (const status of ['pending', 'in_progress', 'returned']) {
      expect(ladderActions({ status }, admin)).toEqual(['urge', 'supervise', 'interview'])
      expect(ladderActions({ status }, supervisor)).toEqual(['urge', 'supervise', 'interview'])
      expect(ladderActions({ status }, clerk)).toEqual([])
    }
  })
  it('offers only an interview once the deadline stops, nothing on a withdrawn task', () => {
    expect(ladderActions({ status: 'submitted' }, admin)).toEqual(['interview'])
    expect(ladderActions({ status: 'accepted' }, admin)).toEqual(['interview'])
    expect(ladderActions({ status: 'withdrawn' }, admin)).toEqual([])
    expect(ladderActions(null, admin)).toEqual([])
    expect(ladderActions({ status: 'pending' }, null)).toEqual([])
  })
})

describe('time zone arithmetic', () => {
  it('finds the offset of Beijing (no DST) and of New York on both sides of its DST change', () => {
    expect(zoneOffset('2026-12-03T23:59:59', 'Asia/Shanghai')).toBe('+08:00')
    expect(zoneOffset('2026-01-15T12:00:00', 'America/New_York')).toBe('-05:00')
    expect(zoneOffset('2026-07-15T12:00:00', 'America/New_York')).toBe('-04:00')
    expect(zoneOffset('2026-07-15T12:00:00', 'UTC')).toBe('+00:00')
    expect(zoneOffset('tomorrow', 'UTC')).toBe(null)
  })
  it('writes local times with their offset', () => {
    expect(endOfDayIso('2026-12-03', 'Asia/Shanghai')).toBe('2026-12-03T23:59:59+08:00')
    expect(localToIso('2026-11-30T10:30', 'Asia/Shanghai')).toBe('2026-11-30T10:30:00+08:00')
    expect(localToIso('2026-03-02T09:00:00', 'Asia/Kolkata')).toBe('2026-03-02T09:00:00+05:30')
    expect(endOfDayIso('', 'Asia/Shanghai')).toBe(null)
  })
})

describe('ladder step body', () => {
  it('needs a reason', () => {
    expect(stepBody('urge', { reason: '  ' })).toEqual({ error: 'supervision.needReason' })
    expect(stepBody('urge', { reason: ' 群众多次反映，请抓紧清理 ' })).toEqual({
      body: { kind: 'urge', reason: '群众多次反映，请抓紧清理' },
    })
  })
  it('leaves the feedback date and frequency to the server when empty', () => {
    expect(stepBody('supervise', { reason: '逾期未办', feedbackDate: '', everyDays: null }, 'Asia/Shanghai')).toEqual({
      body: { kind: 'supervise', reason: '逾期未办' },
    })
    expect(stepBody('supervise', { reason: '逾期未办', feedbackDate: '2026-12-03', everyDays: 5 }, 'Asia/Shanghai')).toEqual({
      body: { kind: 'supervise', reason: '逾期未办', feedback_due_at: '2026-12-03T23:59:59+08:00', feedback_every_days: 5 },
    })
  })
  it('needs the official and the time of an interview', () => {
    expect(stepBody('interview', { reason: 'x', heldAt: '2026-12-01T09:00:00' })).toEqual({ error: 'supervision.needOfficial' })
    expect(stepBody('interview', { reason: 'x', official: '张三' })).toEqual({ error: 'supervision.needHeldAt' })
    expect(
      stepBody('interview', { reason: '多次督办未果', official: ' 张三（区长） ', heldAt: '2026-12-01T09:00:00', notes: '' }, 'Asia/Shanghai'),
    ).toEqual({
      body: { kind: 'interview', reason: '多次督办未果', official: '张三（区长）', held_at: '2026-12-01T09:00:00+08:00' },
    })
  })
  it('refuses an unknown step', () => {
    expect(stepBody('nag', { reason: 'x' })).toEqual({ error: 'supervision.badKind' })
  })
})

describe('bulletins', () => {
  it('sends the day after the last day as the end of the half-open period, 5 as the default minimum sample', () => {
    expect(bulletinBody(16, { title: ' 2016—2020年河道投诉办理情况通报 ', range: ['2016-01-01', '2020-12-31'] })).toEqual({
      body: { org_id: 16, title: '2016—2020年河道投诉办理情况通报', period_from: '2016-01-01', period_to: '2021-01-01', min_sample: 5 },
    })
    expect(bulletinBody('16', { title: 't', range: ['2024-02-01', '2024-02-28'], minSample: 0 }).body.period_to).toBe('2024-02-29')
    expect(bulletinBody('16', { title: 't', range: ['2024-02-01', '2024-02-28'], minSample: 0 }).body.min_sample).toBe(0)
    expect(bulletinBody(16, { title: '', range: ['2016-01-01', '2020-12-31'] })).toEqual({ error: 'bulletin.needTitle' })
    expect(bulletinBody(16, { title: 't', range: null })).toEqual({ error: 'bulletin.needPeriod' })
  })
  it('shows the last day of the period', () => {
    expect(lastDayOf('2021-01-01T00:00:00+08:00')).toBe('2020-12-31')
    expect(lastDayOf('2024-03-01')).toBe('2024-02-29')
    expect(lastDayOf('')).toBe('')
  })
  it('writes the rank or 样本不足', () => {
    expect(rankText({ rank: 1 }, '样本不足')).toBe('1')
    expect(rankText({ rank: null }, '样本不足')).toBe('样本不足')
  })
  it('formats rates: 771/835 is 92.3%, 0/0 has none', () => {
    expect(ratePercent({ numerator: 771, denominator: 835, rate: 771 / 835 })).toBe(92.3)
    expect(ratePercent({ numerator: 0, denominator: 0, rate: null })).toBe(null)
    expect(bulletinRate({ numerator: 771, denominator: 835, rate: 771 / 835 })).toBe('92.3% (771/835)')
    expect(bulletinRate({ numerator: 0, denominator: 0, rate: null })).toBe('— (0/0)')
  })
  it('charts the completion and on-time rates of the children with problems, in the bulletin order', () => {
    const rate = (n, d) => ({ numerator: n, denominator: d, rate: d ? n / d : null })
    const rows = [
      { org_id: 161, org_name: '台江区', rank: 1, completion: rate(122, 122), closed_on_time: rate(118, 122) },
      { org_id: 170, org_name: '仓山区', rank: 2, completion: rate(511, 511), closed_on_time: rate(466, 511) },
      { org_id: 162, org_name: '长乐区', rank: null, completion: rate(0, 0), closed_on_time: rate(0, 0) },
    ]
    const o = bulletinChartOption(rows, { completion: '办结率', onTime: '按期办结率' })
    expect(o.xAxis.data).toEqual(['台江区', '仓山区'])
    expect(o.series.map((s) => s.name)).toEqual(['办结率', '按期办结率'])
    expect(o.series[0].data.map((d) => d.value)).toEqual([100, 100])
    expect(o.series[1].data.map((d) => d.value)).toEqual([96.7, 91.2]) // 118/122 = 96.72%, 466/511 = 91.19%
    expect(o.series[1].data[1].orgId).toBe(170)
  })
  it('links the exports', () => {
    expect(bulletinExportUrl(3, 'xlsx')).toBe('/api/v1/bulletins/3/export?format=xlsx')
    expect(bulletinExportUrl(3, 'html')).toBe('/api/v1/bulletins/3/export?format=html')
  })
})
