import { describe, expect, it } from 'vitest'
import { deadlinePreview, emptyOpinionForm, localNow, opinionBody } from './opinionForm.js'

// 2026-11-30 10:15:00 in Beijing = 02:15:00 UTC.
const NOW = Date.UTC(2026, 10, 30, 2, 15, 0)
const TZ = 'Asia/Shanghai'

describe('opinion registration form', () => {
  it('starts with now in Beijing and the general class', () => {
    expect(localNow(NOW, TZ)).toBe('2026-11-30T10:15:00')
    const f = emptyOpinionForm(NOW, TZ, '350102')
    expect(f.receivedAt).toBe('2026-11-30T10:15:00')
    expect(f.slaClass).toBe('general')
    expect(f.divisionCode).toBe('350102')
  })
  it('builds the body with the receipt time in +08:00 and leaves out empty fields', () => {
    const f = { ...emptyOpinionForm(NOW, TZ), title: '  路灯不亮 ', slaClass: 'emergency', receivedAt: '2026-11-30T09:00:00' }
    expect(opinionBody(f, '160', { now: NOW, timeZone: TZ })).toEqual({
      body: { channel: 'phone', title: '路灯不亮', org_id: 160, sla_class: 'emergency', received_at: '2026-11-30T09:00:00+08:00' },
    })
    const g = { ...f, text: ' x ', divisionCode: '350102001', submitter: '张', categoryId: 4, kind: 'complaint' }
    const b = opinionBody(g, 160, { now: NOW, timeZone: TZ }).body
    expect(b).toMatchObject({ text: 'x', division_code: '350102001', submitter: '张', category_id: 4, kind: 'complaint' })
  })
  it('refuses what it can tell is wrong before asking the server', () => {
    const f = emptyOpinionForm(NOW, TZ)
    expect(opinionBody({ ...f, title: ' ' }, 1, { now: NOW, timeZone: TZ })).toEqual({ error: 'opinionForm.needTitle' })
    expect(opinionBody({ ...f, title: 'a'.repeat(201) }, 1, { now: NOW, timeZone: TZ })).toEqual({ error: 'opinionForm.titleTooLong' })
    expect(opinionBody({ ...f, title: 'a', channel: '' }, 1, { now: NOW, timeZone: TZ })).toEqual({ error: 'opinionForm.needChannel' })
    expect(opinionBody({ ...f, title: 'a', slaClass: 'x' }, 1, { now: NOW, timeZone: TZ })).toEqual({ error: 'opinionForm.needClass' })
    expect(opinionBody({ ...f, title: 'a', divisionCode: '35010' }, 1, { now: NOW, timeZone: TZ })).toEqual({ error: 'opinionForm.badDivision' })
    expect(opinionBody({ ...f, title: 'a', divisionCode: '3501x' }, 1, { now: NOW, timeZone: TZ })).toEqual({ error: 'opinionForm.badDivision' })
    // 福州市 carries the 4-digit city code in the sample data
    expect(opinionBody({ ...f, title: 'a', divisionCode: '3501' }, 1, { now: NOW, timeZone: TZ }).body.division_code).toBe('3501')
    // an hour ahead of now is in the future; a minute's clock skew is tolerated
    expect(opinionBody({ ...f, title: 'a', receivedAt: '2026-11-30T11:15:00' }, 1, { now: NOW, timeZone: TZ })).toEqual({
      error: 'opinionForm.futureReceivedAt',
    })
    expect(opinionBody({ ...f, title: 'a', receivedAt: '2026-11-30T10:15:30' }, 1, { now: NOW, timeZone: TZ }).body).toBeTruthy()
  })
  it('gives the deadline of each class under the default limits (2 h, 24 h, 7 d, 15 d)', () => {
    const at = Date.UTC(2026, 10, 30, 1, 0, 0) // 09:00 Beijing
    expect(deadlinePreview(at, null, 'emergency')).toEqual({ kind: 'at', at: Date.UTC(2026, 10, 30, 3, 0, 0), amount: 2, unit: 'h' })
    expect(deadlinePreview(at, null, 'utility').at).toBe(Date.UTC(2026, 11, 1, 1, 0, 0))
    expect(deadlinePreview(at, null, 'general').at).toBe(Date.UTC(2026, 11, 7, 1, 0, 0))
    expect(deadlinePreview(at, null, 'complex').at).toBe(Date.UTC(2026, 11, 15, 1, 0, 0))
  })
  it('names working-day limits instead of guessing the holiday calendar', () => {
    const limits = 'emergency=2h,utility=24h,general=5wd,complex=15wd'
    expect(deadlinePreview(0, limits, 'general')).toEqual({ kind: 'workingDays', amount: 5, unit: 'wd' })
    expect(deadlinePreview(0, 'general=5wd', 'emergency')).toBeNull()
  })
})
