import { describe, expect, it } from 'vitest'
import { MAX_VIEWS, loadViews, removeView, sameView, saveView, storageKey, viewQuery } from './savedViews.js'

function memory() {
  const m = new Map()
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), m }
}

describe('saved views of the problem list', () => {
  it('keeps the filters, order and size but not the page', () => {
    expect(viewQuery({ page: '3', status: 'registered,planned', overdue: 'true', size: '100', x: 'y', source: '' })).toEqual({
      status: 'registered,planned',
      overdue: 'true',
      size: '100',
    })
    expect(sameView({ overdue: 'true', page: '2' }, { overdue: 'true' })).toBe(true)
    expect(sameView({ overdue: 'true' }, { overdue: 'false' })).toBe(false)
  })
  it('saves per user, replaces a view of the same name and removes one', () => {
    const s = memory()
    expect(saveView(s, 7, ' 超期未销号 ', { status: 'in_progress', overdue: 'true', page: '2' }, 0).views).toEqual([
      { name: '超期未销号', query: { status: 'in_progress', overdue: 'true' }, saved_at: '1970-01-01T00:00:00.000Z' },
    ])
    saveView(s, 7, '群众意见', { source: 'public_opinion' })
    saveView(s, 7, '超期未销号', { overdue: 'true' })
    const views = loadViews(s, 7)
    expect(views.map((v) => [v.name, v.query])).toEqual([
      ['超期未销号', { overdue: 'true' }],
      ['群众意见', { source: 'public_opinion' }],
    ])
    expect(loadViews(s, 8)).toEqual([])
    expect(removeView(s, 7, '超期未销号').map((v) => v.name)).toEqual(['群众意见'])
    expect(JSON.parse(s.getItem(storageKey(7))).length).toBe(1)
  })
  it('refuses an empty or long name, an unfiltered list and more than the maximum', () => {
    const s = memory()
    expect(saveView(s, 1, '  ', { overdue: 'true' })).toEqual({ error: 'views.needName' })
    expect(saveView(s, 1, 'x'.repeat(41), { overdue: 'true' })).toEqual({ error: 'views.nameTooLong' })
    expect(saveView(s, 1, 'all', { page: '2' })).toEqual({ error: 'views.noFilters' })
    for (let i = 0; i < MAX_VIEWS; i++) saveView(s, 1, `v${i}`, { overdue: 'true' })
    expect(saveView(s, 1, 'one more', { overdue: 'true' })).toEqual({ error: 'views.tooMany' })
    expect(saveView(s, 1, 'v3', { overdue: 'false' }).views[3].query).toEqual({ overdue: 'false' })
  })
  it('reads nothing from damaged storage', () => {
    const s = memory()
    s.setItem(storageKey(1), '{not json')
    expect(loadViews(s, 1)).toEqual([])
    s.setItem(storageKey(1), JSON.stringify([{ name: 'ok', query: { overdue: 'true' } }, { name: '', query: {} }, 5]))
    expect(loadViews(s, 1).map((v) => v.name)).toEqual(['ok'])
  })
})
