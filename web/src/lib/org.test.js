import { describe, expect, it } from 'vitest'
import { ancestorChain, orgSearchKind } from './org.js'
import { diffFields, sortEvents } from './events.js'

describe('ancestorChain', () => {
  const root = { id: 1, parent_id: null, name: '全国' }
  const prov = { id: 2, parent_id: 1, name: '福建省' }
  const city = { id: 5, parent_id: 2, name: '福州市' }
  const county = { id: 9, parent_id: 5, name: '鼓楼区' }
  it('orders root first whatever the server order, without the org itself', () => {
    expect(ancestorChain(county, [city, root, prov]).map((o) => o.id)).toEqual([1, 2, 5])
    expect(ancestorChain(county, [root, prov, city, county]).map((o) => o.id)).toEqual([1, 2, 5])
  })
  it('is empty for the root', () => {
    expect(ancestorChain(root, [])).toEqual([])
    expect(ancestorChain(root, [root])).toEqual([])
  })
})

describe('orgSearchKind', () => {
  it('searches digits as a division code, text as a name', () => {
    expect(orgSearchKind('3501')).toBe('division_code')
    expect(orgSearchKind(' 鼓楼 ')).toBe('q')
    expect(orgSearchKind('  ')).toBe(null)
  })
})

describe('events', () => {
  it('lists changed fields, skipping bookkeeping', () => {
    const before = { status: 'in_progress', title: 'a', version: 2, updated_at: 'x', closed_at: null }
    const after = { status: 'closed', title: 'a', version: 3, updated_at: 'y', closed_at: '2024-01-02T00:00:00+08:00' }
    expect(diffFields(before, after)).toEqual([
      { field: 'status', from: 'in_progress', to: 'closed' },
      { field: 'closed_at', from: null, to: '2024-01-02T00:00:00+08:00' },
    ])
    expect(diffFields(null, { a: 1 })).toEqual([{ field: 'a', from: null, to: 1 }])
  })
  it('sorts oldest first, then by id', () => {
    const items = [
      { id: 3, at: '2024-01-02T00:00:00+08:00' },
      { id: 2, at: '2024-01-01T00:00:00+08:00' },
      { id: 1, at: '2024-01-02T00:00:00+08:00' },
    ]
    expect(sortEvents(items).map((e) => e.id)).toEqual([2, 1, 3])
  })
})
