import { describe, expect, it } from 'vitest'
import { badgeText, inboxFilter, inboxQuery, markedRead, noticeTarget } from './notifications.js'

describe('notification helpers', () => {
  it('writes the badge: nothing for none, the count, 99+ above 99', () => {
    expect(badgeText(0)).toBe('')
    expect(badgeText(undefined)).toBe('')
    expect(badgeText(7)).toBe('7')
    expect(badgeText(99)).toBe('99')
    expect(badgeText(100)).toBe('99+')
  })
  it('reads the filter from the URL, unread by default', () => {
    expect(inboxFilter({})).toBe('unread')
    expect(inboxFilter({ filter: 'all' })).toBe('all')
    expect(inboxFilter({ filter: 'junk' })).toBe('unread')
  })
  it('asks for unread notices only in the unread view, with the cursor', () => {
    expect(inboxQuery('unread')).toEqual({ limit: 50, unread: 'true' })
    expect(inboxQuery('all', 'abc', 20)).toEqual({ limit: 20, cursor: 'abc' })
  })
  it('links a notice to its problem under its org, marking the task', () => {
    expect(noticeTarget({ org_id: 160, problem_id: 9, task_id: 12 }, 1)).toEqual({
      name: 'problem',
      params: { orgId: '160', problemId: '9' },
      query: { task: '12' },
    })
    expect(noticeTarget({ org_id: null, problem_id: 9, task_id: null }, 1)).toEqual({
      name: 'problem',
      params: { orgId: '1', problemId: '9' },
    })
    expect(noticeTarget({ org_id: 3, problem_id: null, task_id: 4 }, 1)).toBeNull()
  })
  it('drops a read notice from the unread view and marks it in the full one, keeping the first read time', () => {
    const items = [
      { id: 1, read: false, read_at: null },
      { id: 2, read: true, read_at: 'A' },
    ]
    expect(markedRead(items, 1, 'B', 'unread').map((n) => n.id)).toEqual([2])
    expect(markedRead(items, 1, 'B', 'all')[0]).toEqual({ id: 1, read: true, read_at: 'B' })
    expect(markedRead(items, 2, 'B', 'all')[1].read_at).toBe('A')
  })
})
