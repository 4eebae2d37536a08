import { describe, expect, it } from 'vitest'
import { MAX_LEDGER_IDS, ledgerUrl } from './ledger.js'

describe('ledgerUrl', () => {
  it('carries the list, the format and the org', () => {
    expect(ledgerUrl('problems', 'csv', { orgId: 160 })).toBe('/api/v1/ledger?list=problems&format=csv&org_id=160')
    expect(ledgerUrl('tasks', 'xlsx', { orgId: '16' })).toBe('/api/v1/ledger?list=tasks&format=xlsx&org_id=16')
    expect(ledgerUrl('responsibilities', 'csv', { orgId: 3 })).toBe(
      '/api/v1/ledger?list=responsibilities&format=csv&org_id=3',
    )
  })
  it('carries every filter of the list, the end date made exclusive as the list does', () => {
    const url = ledgerUrl('problems', 'xlsx', {
      orgId: 16,
      status: ['registered', 'in_progress'],
      source: 'hotline_12345',
      categoryId: 7,
      campaignId: 1,
      specialItemId: 3,
      createdFrom: '2026-01-01',
      createdTo: '2026-01-31',
      overdue: 'true',
    })
    const u = new URL(url, 'http://x')
    expect(u.pathname).toBe('/api/v1/ledger')
    expect(Object.fromEntries(u.searchParams)).toEqual({
      list: 'problems',
      format: 'xlsx',
      org_id: '16',
      status: 'registered,in_progress',
      category_id: '7',
      source: 'hotline_12345',
      created_from: '2026-01-01',
      created_to: '2026-02-01',
      overdue: 'true',
      campaign_id: '1',
      special_item_id: '3',
    })
  })
  it('carries the campaign and the special item (the ledger filters by them as the list does)', () => {
    expect(ledgerUrl('problems', 'csv', { orgId: 2, campaignId: 1, specialItemId: 3 })).toBe(
      '/api/v1/ledger?list=problems&format=csv&org_id=2&campaign_id=1&special_item_id=3',
    )
  })
  it("carries the owner org's batch and kind (batch 0, 未分批, included)", () => {
    expect(ledgerUrl('problems', 'csv', { orgId: 2, batch: 0, orgKind: 'school' })).toBe(
      '/api/v1/ledger?list=problems&format=csv&org_id=2&batch=0&org_kind=school',
    )
  })
  it('drops sort and paging, and keeps overdue=false', () => {
    const url = ledgerUrl('tasks', 'csv', { orgId: 1, sort: 'due_at', page: 3, pageSize: 20, overdue: 'false' })
    expect(url).toBe('/api/v1/ledger?list=tasks&format=csv&org_id=1&overdue=false')
  })
  it('refuses an unknown list or format', () => {
    expect(() => ledgerUrl('duties', 'csv')).toThrow(/list/)
    expect(() => ledgerUrl('problems', 'pdf')).toThrow(/format/)
  })
  it('exports exactly the chosen problems: ids sorted, once each, only the org kept of the filters', () => {
    const url = ledgerUrl('problems', 'csv', { orgId: 16, status: ['closed'], overdue: 'true', categoryId: 7 }, [31, 12, '15', 12])
    const u = new URL(url, 'http://x')
    expect(Object.fromEntries(u.searchParams)).toEqual({ list: 'problems', format: 'csv', org_id: '16', ids: '12,15,31' })
    // No selection: the filtered export as before.
    expect(ledgerUrl('tasks', 'xlsx', { orgId: 3 }, [])).toBe('/api/v1/ledger?list=tasks&format=xlsx&org_id=3')
  })
  it('refuses what the API would refuse: a non-id, or more ids than the cap', () => {
    expect(() => ledgerUrl('problems', 'csv', { orgId: 1 }, [1, 'x'])).toThrow(/not a problem id/)
    expect(() => ledgerUrl('problems', 'csv', { orgId: 1 }, [0])).toThrow(/not a problem id/)
    const many = Array.from({ length: MAX_LEDGER_IDS + 1 }, (_, i) => i + 1)
    expect(() => ledgerUrl('problems', 'csv', { orgId: 1 }, many)).toThrow(/at most 1000/)
    expect(new URL(ledgerUrl('problems', 'csv', {}, many.slice(0, 1000)), 'http://x').searchParams.get('ids').split(',')).toHaveLength(1000)
  })
})
