// The API client's requests as the server needs them: If-Match of the version read, the CSRF token on
// unsafe calls, evidence as the raw file with its type and ?filename=, the server's message on refusal.
import { afterEach, describe, expect, it, vi } from 'vitest'

vi.mock('element-plus', () => ({ ElMessage: () => {} }))
const { api, ApiError, setCsrfToken } = await import('./client.js')

function fakeFetch(status, body) {
  const calls = []
  globalThis.fetch = vi.fn(async (url, init) => {
    calls.push({ url, ...init })
    return { ok: status < 400, status, statusText: 'x', text: async () => JSON.stringify(body) }
  })
  return calls
}
afterEach(() => {
  delete globalThis.fetch
  setCsrfToken(null)
})

describe('api client', () => {
  it('sends If-Match with the version read and the CSRF token on a transition', async () => {
    const calls = fakeFetch(200, { id: 11, status: 'submitted' })
    setCsrfToken('csrf-1')
    const t = await api.submitTask(11, 4)
    expect(t.status).toBe('submitted')
    expect(calls[0].url).toBe('/api/v1/tasks/11/submit')
    expect(calls[0].method).toBe('POST')
    expect(calls[0].headers['If-Match']).toBe('"4"')
    expect(calls[0].headers['X-CSRF-Token']).toBe('csrf-1')
    expect(calls[0].body).toBe('{}')
  })

  it('plans a task with the problem version and the TaskCreate body', async () => {
    const calls = fakeFetch(201, { id: 12 })
    await api.createTask(7, { org_id: 16, title: '修复', responsible_person: '张三', type: 'immediate', due_at: '2030-01-01' }, 3)
    expect(calls[0].url).toBe('/api/v1/problems/7/tasks')
    expect(calls[0].headers['If-Match']).toBe('"3"')
    expect(JSON.parse(calls[0].body)).toEqual({ org_id: 16, title: '修复', responsible_person: '张三', type: 'immediate', due_at: '2030-01-01' })
  })

  it('uploads evidence as the raw file with its type and an encoded file name', async () => {
    const calls = fakeFetch(201, { id: 5, original_name: '现场 照片.jpg' })
    const file = { name: '现场 照片.jpg', type: 'image/jpeg', size: 3 }
    const ev = await api.uploadEvidence(11, file)
    expect(ev.id).toBe(5)
    expect(calls[0].url).toBe(`/api/v1/tasks/11/evidence?filename=${encodeURIComponent('现场 照片.jpg').replace(/%20/g, '+')}`)
    expect(calls[0].body).toBe(file)
    expect(calls[0].headers['Content-Type']).toBe('image/jpeg')
    expect(calls[0].headers['If-Match']).toBe(undefined)
  })

  it('lists problems with the page, sort and total parameters', async () => {
    const calls = fakeFetch(200, { items: [], next_cursor: null, total: 0 })
    await api.problems({ org_id: '16', overdue: 'true', sort: 'due_at', offset: '50', limit: '50', total: 'true' })
    expect(calls[0].url).toBe('/api/v1/problems?org_id=16&overdue=true&sort=due_at&offset=50&limit=50&total=true')
  })

  it("throws the server's code and message on a refusal", async () => {
    fakeFetch(409, { error: { code: 'failed_precondition', message: 'task 11 has no progress report: report progress before submitting' } })
    const err = await api.submitTask(11).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(409)
    expect(err.code).toBe('failed_precondition')
    expect(err.message).toBe('task 11 has no progress report: report progress before submitting')
  })

  it('replies to an opinion and declines one with the reason', async () => {
    const calls = fakeFetch(200, { id: 3 })
    await api.replyOpinion(3, '已处理')
    await api.declineOpinion(4, '不属于本单位职责')
    await api.duplicateOpinion(5, { of_opinion_id: 3 })
    expect(calls.map((c) => [c.url, JSON.parse(c.body)])).toEqual([
      ['/api/v1/opinions/3/reply', { text: '已处理' }],
      ['/api/v1/opinions/4/decline', { reason: '不属于本单位职责' }],
      ['/api/v1/opinions/5/duplicate', { of_opinion_id: 3 }],
    ])
  })
})
