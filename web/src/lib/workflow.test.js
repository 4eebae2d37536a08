import { describe, expect, it } from 'vitest'
import { formatBytes, isOverdue, problemActions, sortTimeline, taskActions, taskBody, timelineDetail } from './workflow.js'

describe('problemActions', () => {
  it('offers planning, close and reopen from the next actions the server sends', () => {
    expect(problemActions({ status: 'registered', next_actions: ['add_task', 'derive', 'mark_invalid', 'merge'] })).toEqual([
      'plan',
    ])
    expect(
      problemActions({ status: 'pending_verification', next_actions: ['add_task', 'derive', 'close', 'mark_invalid', 'merge'] }),
    ).toEqual(['plan', 'close'])
    expect(problemActions({ status: 'closed', next_actions: ['reopen'] })).toEqual(['reopen'])
    expect(problemActions({ status: 'invalid', next_actions: [] })).toEqual([])
    expect(problemActions(null)).toEqual([])
  })
})

describe('taskActions', () => {
  const open = { status: 'in_progress', round: 1 }
  it('offers the steps of the task status in the order of the work', () => {
    const task = { round: 1, next_actions: ['report', 'attach_evidence', 'edit', 'submit', 'withdraw', 'cancel'] }
    expect(taskActions(task, open)).toEqual(['report', 'submit'])
    expect(taskActions({ round: 1, next_actions: ['accept', 'return', 'cancel'] }, open)).toEqual(['accept', 'return'])
    expect(taskActions({ round: 1, next_actions: ['start', 'attach_evidence', 'edit'] }, open)).toEqual(['start'])
    expect(taskActions({ round: 1, next_actions: ['start', 'report', 'attach_evidence'] }, open)).toEqual(['start', 'report'])
  })
  it('offers nothing for a task of an earlier round or of a closed problem', () => {
    const task = { round: 1, next_actions: ['report', 'submit'] }
    expect(taskActions(task, { status: 'in_progress', round: 2 })).toEqual([])
    expect(taskActions(task, { status: 'closed', round: 1 })).toEqual([])
    expect(taskActions(task, { status: 'merged', round: 1 })).toEqual([])
  })
})

describe('isOverdue', () => {
  const now = Date.parse('2024-06-01T00:00:00+08:00')
  it('is true for an open problem past its deadline', () => {
    expect(isOverdue({ status: 'in_progress', due_at: '2024-05-31T00:00:00+08:00' }, now)).toBe(true)
    expect(isOverdue({ status: 'in_progress', due_at: '2024-06-02T00:00:00+08:00' }, now)).toBe(false)
  })
  it('is true for a problem closed after its deadline, whenever it is', () => {
    expect(isOverdue({ status: 'closed', due_at: '2020-01-01T00:00:00+08:00', closed_at: '2020-01-02T00:00:00+08:00' }, now)).toBe(true)
    expect(isOverdue({ status: 'closed', due_at: '2020-01-02T00:00:00+08:00', closed_at: '2020-01-02T00:00:00+08:00' }, now)).toBe(false)
  })
  it('is false without a deadline and for invalid or merged problems', () => {
    expect(isOverdue({ status: 'registered', due_at: null }, now)).toBe(false)
    expect(isOverdue({ status: 'invalid', due_at: '2020-01-01T00:00:00+08:00' }, now)).toBe(false)
    expect(isOverdue({ status: 'merged', due_at: '2020-01-01T00:00:00+08:00' }, now)).toBe(false)
  })
})

describe('taskBody', () => {
  const base = { title: ' 修复路灯 ', responsible_person: '张三', org_id: '16', type: 'time_bound', due_date: '2024-07-01' }
  it('builds a time-bound task with its deadline', () => {
    expect(taskBody(base)).toEqual({
      body: { org_id: 16, title: '修复路灯', responsible_person: '张三', type: 'time_bound', due_at: '2024-07-01' },
    })
  })
  it('builds an ongoing task with sorted unique review dates and no deadline', () => {
    const r = taskBody({ ...base, type: 'ongoing', lead_official: '李四', review_dates: ['2024-09-01', '2024-07-01', '2024-09-01'] })
    expect(r.body).toEqual({
      org_id: 16,
      title: '修复路灯',
      responsible_person: '张三',
      type: 'ongoing',
      lead_official: '李四',
      review_dates: ['2024-07-01', '2024-09-01'],
    })
  })
  it('names what is missing', () => {
    expect(taskBody({ ...base, title: ' ' }).error).toBe('task.needTitle')
    expect(taskBody({ ...base, responsible_person: '' }).error).toBe('task.needPerson')
    expect(taskBody({ ...base, org_id: null }).error).toBe('task.needOrg')
    expect(taskBody({ ...base, due_date: '' }).error).toBe('task.needDueDate')
    expect(taskBody({ ...base, type: 'ongoing', review_dates: [] }).error).toBe('task.needReviewDates')
  })
})

describe('timeline helpers', () => {
  it('describes reports, files, task creation, replies, ratings and reopen causes', () => {
    const label = (g, v) => `${g}:${v}`
    expect(timelineDetail({ entity: 'task', action: 'report', detail: { percent: 60, text: '已更换灯泡' } })).toBe('60% · 已更换灯泡')
    expect(timelineDetail({ entity: 'task', action: 'attach_evidence', detail: { original_name: '现场.jpg', size_bytes: 2048 } })).toBe(
      '现场.jpg · 2.0 KB',
    )
    expect(
      timelineDetail({ entity: 'task', action: 'create', detail: { title: '修复', responsible_person: '张三', type: 'immediate' } }, label),
    ).toBe('修复 · 张三 · taskType:immediate')
    expect(timelineDetail({ entity: 'opinion', action: 'reply', detail: { reply_text: '已处理' } })).toBe('已处理')
    expect(timelineDetail({ entity: 'opinion', action: 'rate', detail: { satisfaction: 'dissatisfied' } }, label)).toBe(
      'satisfaction:dissatisfied',
    )
    expect(timelineDetail({ entity: 'problem', action: 'reopen', detail: { reopen_cause: 'recurrence', round: 2 } }, label)).toBe(
      'reopenCause:recurrence',
    )
    expect(timelineDetail({ entity: 'problem', action: 'close', detail: { round: 1 } })).toBe('')
  })
  it('sorts by time and keeps the server order at the same instant', () => {
    const items = [
      { at: '2024-01-02T00:00:00+08:00', action: 'b' },
      { at: '2020-05-01T10:00:00+08:00', action: 'registered' },
      { at: '2024-01-02T00:00:00+08:00', action: 'c' },
    ]
    expect(sortTimeline(items).map((e) => e.action)).toEqual(['registered', 'b', 'c'])
    expect(sortTimeline(null)).toEqual([])
  })
  it('formats sizes', () => {
    expect(formatBytes(12)).toBe('12 B')
    expect(formatBytes(3.5 * 1024)).toBe('3.5 KB')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB')
    expect(formatBytes(undefined)).toBe('')
  })
})
