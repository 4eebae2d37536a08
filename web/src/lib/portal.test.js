import { describe, expect, it } from 'vitest'
import {
  categoryOptions,
  chosenDivision,
  filingBody,
  normaliseTrackingCode,
  photoFromDataUrl,
  statusTagType,
} from './portal.js'

describe('portal helpers', () => {
  it('reads tracking codes in any case, with or without dashes and spaces', () => {
    expect(normaliseTrackingCode('abcd-efgh-jkmn')).toBe('ABCD-EFGH-JKMN')
    expect(normaliseTrackingCode(' ABCD EFGH　JKMN ')).toBe('ABCD-EFGH-JKMN')
    expect(normaliseTrackingCode('ABCDEFGHJKMN')).toBe('ABCD-EFGH-JKMN')
    expect(normaliseTrackingCode('ABCD-EFGH-JKM0')).toBeNull() // 0 is never used
    expect(normaliseTrackingCode('ABCD-EFGH-JKM')).toBeNull()
    expect(normaliseTrackingCode('')).toBeNull()
  })
  it('takes the deepest division chosen', () => {
    expect(chosenDivision(['35', '3501', '', ''])).toBe('3501')
    expect(chosenDivision(['', '', '', ''])).toBe('')
    expect(chosenDivision(['35', '3501', '350102', '350102001'])).toBe('350102001')
  })
  it('offers only the leaves of the catalogue, by path', () => {
    const cats = [
      { id: 1, parent_id: null, path: '城乡建设' },
      { id: 2, parent_id: 1, path: '城乡建设/市政设施' },
      { id: 3, parent_id: 2, path: '城乡建设/市政设施/路灯' },
      { id: 4, parent_id: null, path: '环境保护' },
    ]
    expect(categoryOptions(cats)).toEqual([
      { value: 3, label: '城乡建设/市政设施/路灯' },
      { value: 4, label: '环境保护' },
    ])
  })
  it('turns a data URL into the photo object', () => {
    expect(photoFromDataUrl('data:image/png;base64,iVBORw0K', 'a.png')).toEqual({
      content_type: 'image/png',
      name: 'a.png',
      data: 'iVBORw0K',
    })
    expect(photoFromDataUrl('data:image/png,raw')).toBeNull()
  })
  it('builds the filing body without empty optional fields', () => {
    const form = {
      categoryId: 3,
      title: ' 路灯不亮 ',
      text: '门口路灯坏了三天。',
      divisions: ['35', '3501', '', ''],
      address: ' ',
      contact: { name: '', phone: '13800000000', email: '' },
      photo: null,
    }
    expect(filingBody(form)).toEqual({
      category_id: 3,
      title: '路灯不亮',
      text: '门口路灯坏了三天。',
      division_code: '3501',
      contact: { phone: '13800000000' },
    })
  })
  it('maps statuses to tag types', () => {
    expect(statusTagType('closed')).toBe('success')
    expect(statusTagType('declined')).toBe('danger')
    expect(statusTagType('whatever')).toBe('info')
  })
})
