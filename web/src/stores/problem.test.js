import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

// A small fake of the API: one problem with one task, which reports and evidence change.
const calls = []
const state = {}
function reset() {
  calls.length = 0
  state.problem = {
    id: 7,
    title: '路灯不亮',
    status: 'planned',
    round: 1,
    version: 3,
    owner_org_id: 16,
    next_actions: ['add_task', 'derive', 'mark_invalid', 'merge'],
  }
  state.tasks = [{ id: 11, problem_id: 7, round: 1, status: 'in_progress', version: 2, progress: 0, next_actions: ['report', 'submit'] }]
  state.reports = { 11: [] }
  state.evidence = { 11: [] }
  state.steps = { 11: [] }
  state.supervisionRefused = false
  state.timeline = [
    { at: '2024-01-02T00:00:00+08:00', entity: 'task', entity_id: 11, action: 'start' },
    { at: '2024-01-01T00:00:00+08:00', entity: 'problem', entity_id: 7, action: 'create' },
  ]
}
vi.mock('../api/client.js', () => {
  class ApiError extends Error {
    constructor(status, code, message) {
      super(message)
      this.status = status
      this.code = code
    }
  }
  const rec =
    (name, fn) =>
    (...args) => {
      calls.push([name, ...args])
      return Promise.resolve(fn(...args))
    }
  return {
    ApiError,
    showError: () => {},
    api: {
      problem: rec('problem', () => ({ ...state.problem })),
      problemTasks: rec('problemTasks', () => ({ items: state.tasks.map((t) => ({ ...t })) })),
      taskReports: rec('taskReports', (id) => ({ items: state.reports[id] })),
      taskEvidence: rec('taskEvidence', (id) => ({ items: state.evidence[id] })),
      problemTimeline: rec('problemTimeline', () => ({ items: state.timeline })),
      taskSupervision: rec('taskSupervision', (id) =>
        state.supervisionRefused
          ? Promise.reject(new ApiError(403, 'permission_denied', 'no'))
          : { task_id: id, warning: { level: 'yellow', stalled: false }, steps: state.steps[id] || [] },
      ),
      takeStep: rec('takeStep', (id, body) => {
        if (!body.reason) return Promise.reject(new ApiError(400, 'invalid_argument', '/reason: required'))
        const step = { id: 1, task_id: id, ...body, actor: 'e2e', at: '2026-11-30T09:00:00+08:00' }
        state.steps[id].push(step)
        return step
      }),
      createTask: rec('createTask', (pid, body) => {
        const t = { id: 12, problem_id: pid, round: 1, status: 'pending', version: 1, progress: 0, next_actions: ['start'], ...body }
        state.tasks.push(t)
        state.reports[12] = []
        state.evidence[12] = []
        return t
      }),
      uploadEvidence: rec('uploadEvidence', (taskId, file) => {
        const ev = { id: 100 + state.evidence[taskId].length, task_id: taskId, original_name: file.name }
        state.evidence[taskId].push(ev)
        return ev
      }),
      reportTask: rec('reportTask', (taskId, text, percent, ids) => {
        const r = { id: 1, task_id: taskId, text, percent, evidence_ids: ids }
        state.reports[taskId].push(r)
        state.tasks.find((t) => t.id === taskId).progress = percent
        return r
      }),
      submitTask: rec('submitTask', (taskId) => {
        const t = state.tasks.find((x) => x.id === taskId)
        if (!state.reports[taskId].length) {
          return Promise.reject(new ApiError(409, 'failed_precondition', 'submitting task 11 needs a progress report'))
        }
        t.status = 'submitted'
        state.problem.status = 'pending_verification'
        return t
      }),
      closeProblem: rec('closeProblem', () => ({})),
    },
  }
})

const { useProblemStore } = await import('./problem.js')

describe('problem store', () => {
  beforeEach(() => {
    reset()
    setActivePinia(createPinia())
  })

  it('loads the problem, its tasks with reports and evidence, and the timeline in time order', async () => {
    const ps = useProblemStore()
    await ps.load(7)
    expect(ps.problem.title).toBe('路灯不亮')
    expect(ps.tasks.map((t) => t.id)).toEqual([11])
    expect(ps.reports).toEqual({ 11: [] })
    expect(ps.timeline.map((e) => e.action)).toEqual(['create', 'start'])
    expect(ps.actions).toEqual(['plan'])
    expect(ps.currentTasks.map((t) => t.id)).toEqual([11])
    expect(ps.loading).toBe(false)
  })

  it('plans a task with the problem version as If-Match and reloads', async () => {
    const ps = useProblemStore()
    await ps.load(7)
    await ps.planTask({ org_id: 16, title: '修复', responsible_person: '张三', type: 'immediate', due_at: '2024-07-01' })
    const create = calls.find((c) => c[0] === 'createTask')
    expect(create[1]).toBe(7)
    expect(create[3]).toBe(3) // the version read
    expect(ps.tasks.map((t) => t.id)).toEqual([11, 12])
    expect(ps.tasks[1].title).toBe('修复')
  })

  it('uploads the files first, then reports with their ids', async () => {
    const ps = useProblemStore()
    await ps.load(7)
    const files = [{ name: '现场.jpg', type: 'image/jpeg' }, { name: '整改报告.pdf', type: 'application/pdf' }]
    await ps.reportProgress(11, { text: '已完成', percent: 100, files })
    const names = calls.map((c) => c[0])
    expect(names.indexOf('uploadEvidence')).toBeLessThan(names.indexOf('reportTask'))
    expect(calls.find((c) => c[0] === 'reportTask').slice(1)).toEqual([11, '已完成', 100, [100, 101]])
    expect(ps.evidence[11].map((e) => e.original_name)).toEqual(['现场.jpg', '整改报告.pdf'])
    expect(ps.tasks[0].progress).toBe(100)
  })

  it('passes the server refusal on and keeps the state; a later step succeeds', async () => {
    const ps = useProblemStore()
    await ps.load(7)
    await expect(ps.submitTask(11)).rejects.toThrow('submitting task 11 needs a progress report')
    expect(ps.tasks[0].status).toBe('in_progress')
    await ps.reportProgress(11, { text: '完成', percent: 100 })
    await ps.submitTask(11)
    expect(calls.filter((c) => c[0] === 'submitTask').map((c) => c[2])).toEqual([2, 2]) // the task version as If-Match
    expect(ps.tasks[0].status).toBe('submitted')
    expect(ps.problem.status).toBe('pending_verification')
  })

  it('records a load error', async () => {
    const ps = useProblemStore()
    const { api } = await import('../api/client.js')
    const orig = api.problem
    api.problem = () => Promise.reject(Object.assign(new Error('problem 9 does not exist'), { status: 404 }))
    await expect(ps.load(9)).rejects.toThrow('problem 9 does not exist')
    expect(ps.error.message).toBe('problem 9 does not exist')
    expect(ps.problem).toBe(null)
    api.problem = orig
  })
})

describe('problem store: supervision', () => {
  beforeEach(() => {
    reset()
    setActivePinia(createPinia())
  })

  it('loads each task\'s warning and ladder steps', async () => {
    const ps = useProblemStore()
    await ps.load(7)
    expect(ps.supervision[11].warning.level).toBe('yellow')
    expect(ps.supervision[11].steps).toEqual([])
  })

  it('keeps the tasks when the supervision is refused', async () => {
    state.supervisionRefused = true
    const ps = useProblemStore()
    await ps.load(7)
    expect(ps.tasks.map((t) => t.id)).toEqual([11])
    expect(ps.supervision[11]).toBe(null)
  })

  it('takes a ladder step and reloads the task\'s steps; a refusal is thrown with the server\'s message', async () => {
    const ps = useProblemStore()
    await ps.load(7)
    await ps.takeStep(11, { kind: 'urge', reason: '请抓紧' })
    expect(ps.supervision[11].steps.map((s) => [s.kind, s.reason])).toEqual([['urge', '请抓紧']])
    await expect(ps.takeStep(11, { kind: 'urge', reason: '' })).rejects.toThrow('/reason: required')
  })
})
