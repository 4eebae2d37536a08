import { describe, expect, it } from 'vitest'
import { PROBLEM_SOURCES, PROBLEM_STATUSES, OPINION_CHANNELS, ROLES, enumLabel } from './enums.js'
import zhCN from '../locales/zh-CN.js'
import en from '../locales/en.js'

// A minimal t/te over a messages object, like vue-i18n's for plain keys.
function translator(messages) {
  const get = (key) => key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), messages)
  return { t: (k) => get(k) ?? k, te: (k) => typeof get(k) === 'string' }
}

describe('enumLabel', () => {
  const zh = translator(zhCN)
  const e = translator(en)
  it('looks up status labels in Chinese and English', () => {
    expect(enumLabel(zh.t, zh.te, 'status', 'closed')).toBe('已销号')
    expect(enumLabel(zh.t, zh.te, 'status', 'pending_verification')).toBe('待验收')
    expect(enumLabel(e.t, e.te, 'status', 'in_progress')).toBe('In progress')
  })
  it('looks up sources', () => {
    expect(enumLabel(zh.t, zh.te, 'source', 'public_opinion')).toBe('群众意见')
    expect(enumLabel(zh.t, zh.te, 'source', 'inspection_tour')).toBe('巡视巡察')
  })
  it('falls back to the raw value for unknown values and empties', () => {
    expect(enumLabel(zh.t, zh.te, 'status', 'frozen')).toBe('frozen')
    expect(enumLabel(zh.t, zh.te, 'status', null)).toBe('')
  })
})

describe('locale files', () => {
  // Every key of one locale exists in the other (no string left untranslated).
  function keys(o, prefix = '') {
    return Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
  }
  it('have the same keys', () => {
    expect(keys(en).sort()).toEqual(keys(zhCN).sort())
  })
  it('label every enum value', () => {
    const zh = translator(zhCN)
    for (const s of PROBLEM_STATUSES) expect(zh.te(`enum.status.${s}`)).toBe(true)
    for (const r of ROLES) expect(zh.te(`enum.role.${r}`)).toBe(true)
    for (const s of PROBLEM_SOURCES) expect(zh.te(`enum.source.${s}`)).toBe(true)
    for (const c of OPINION_CHANNELS) expect(zh.te(`enum.channel.${c}`)).toBe(true)
  })
})
