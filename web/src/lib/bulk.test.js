import { describe, expect, it } from 'vitest'
import { bulkTaskRows, problemRowName, progressPercent, queueRowName, runBulk } from './bulk.js'

describe('bulk actions', () => {
  it('runs each item in turn, keeps each failure and reports progress', async () => {
    const order = []
    const progress = []
    const results = await runBulk(
      [1, 2, 3],
      async (n) => {
        order.push(n)
        if (n === 2) throw Object.assign(new Error('task 2 was withdrawn'), { status: 409 })
        return n * 10
      },
      { onProgress: (p) => progress.push(p) },
    )
    expect(order).toEqual([1, 2, 3])
    expect(results).toEqual([
      { item: 1, ok: true, value: 10 },
      { item: 2, ok: false, error: 'task 2 was withdrawn', status: 409 },
      { item: 3, ok: true, value: 30 },
    ])
    expect(progress.map((p) => [p.done, p.ok, p.failed])).toEqual([
      [1, 1, 0],
      [2, 1, 1],
      [3, 2, 1],
    ])
  })
  it('stops when asked, leaving the rest not run', async () => {
    let stop = false
    const results = await runBulk([1, 2, 3], async (n) => {
      if (n === 1) stop = true
      return n
    }, { shouldStop: () => stop })
    expect(results.map((r) => r.item)).toEqual([1])
  })
  it('works out the percentage', () => {
    expect(progressPercent(0, 0)).toBe(0)
    expect(progressPercent(1, 3)).toBe(33)
    expect(progressPercent(2, 3)).toBe(67)
    expect(progressPercent(5, 3)).toBe(100)
  })
  it('takes task rows once each and skips escalations and opinions', () => {
    const rows = [{ task: { id: 1 } }, { escalation: { id: 5 } }, { task: { id: 1 } }, { opinion: { id: 2 } }, { task: { id: 3 } }]
    expect(bulkTaskRows(rows).map((r) => r.task.id)).toEqual([1, 3])
  })
})

describe('row names of selection checkboxes', () => {
  it('names a problem row by its id and title', () => {
    expect(problemRowName({ id: 12, title: ' 路灯不亮 ' })).toBe('#12 路灯不亮')
    expect(problemRowName({ id: 7, title: '' })).toBe('#7')
  })
  it('names a queue row by its problem, then its task', () => {
    expect(queueRowName({ problemId: 3, problemTitle: '路灯不亮', task: { title: '更换灯泡' } })).toBe('路灯不亮 · 更换灯泡')
    expect(queueRowName({ problemId: 3, problemTitle: '', task: { title: '更换灯泡' } })).toBe('#3 · 更换灯泡')
    expect(queueRowName({ problemId: 4, problemTitle: '井盖缺失' })).toBe('井盖缺失')
  })
})
