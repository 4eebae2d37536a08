import { describe, expect, it } from 'vitest'
import { causeBars, causeBody, causeName, isLeadingCadre, selfItemBody, suggestsEscalation } from './causes.js'

const funding = { id: 10, code: 'funding', name_zh: '资金保障不足', name_en: 'Funding not provided', higher_level: true }
const mechanism = { id: 6, code: 'mechanism', name_zh: '制度机制不健全', name_en: 'Rules and mechanisms incomplete', higher_level: false }

describe('causes', () => {
  it('names a category in the UI language', () => {
    expect(causeName(funding, 'zh-CN')).toBe('资金保障不足')
    expect(causeName(funding, 'en')).toBe('Funding not provided')
  })
  it('builds the analysis body with the version read, without repeats', () => {
    expect(causeBody({ ids: [], text: 'x' }, null)).toEqual({ error: 'cause.pickOne' })
    expect(causeBody({ ids: [10, 6, 10], text: ' 资金 ' }, null)).toEqual({
      body: { cause_category_ids: [10, 6], text: '资金', version: 0 },
    })
    expect(causeBody({ ids: [6], text: '' }, { version: 3 }).body.version).toBe(3)
  })
  it('prompts for escalation only for an open problem with a higher-level cause and none pending', () => {
    const p = { status: 'registered', access: 'full', escalations: [], causes: [mechanism, funding] }
    expect(suggestsEscalation(p)).toBe(true)
    expect(suggestsEscalation({ ...p, causes: [mechanism] })).toBe(false)
    expect(suggestsEscalation({ ...p, status: 'closed' })).toBe(false)
    expect(suggestsEscalation({ ...p, escalations: [{ status: 'pending' }] })).toBe(false)
    expect(suggestsEscalation({ ...p, escalations: [{ status: 'declined' }] })).toBe(true)
    expect(suggestsEscalation({ ...p, access: 'part' })).toBe(false)
  })
  it('orders the chart bars by problems and adds those without analysis', () => {
    const stats = {
      categories: [
        { cause_category: mechanism, problems: 2, closed: 1, open: 1 },
        { cause_category: funding, problems: 3, closed: 0, open: 3 },
        { cause_category: { name_zh: '其他', name_en: 'Other' }, problems: 0, closed: 0, open: 0 },
      ],
      without_analysis: { problems: 1, closed: 0, open: 1 },
    }
    expect(causeBars(stats, 'en', 'None')).toEqual([
      { id: 10, name: 'Funding not provided', problems: 3, closed: 0, open: 3 },
      { id: 6, name: 'Rules and mechanisms incomplete', problems: 2, closed: 1, open: 1 },
      { id: null, name: 'None', problems: 1, closed: 0, open: 1 },
    ])
  })
  it('checks a new self-inspection item', () => {
    expect(selfItemBody({ problem_text: ' ', deadline: '2026-12-31' }, 'personal')).toEqual({ error: 'selfInspection.required' })
    expect(selfItemBody({ problem_text: '调研不深入', deadline: '2026-12-31', measures: ' 多调研 ' }, 'personal')).toEqual({
      body: { kind: 'personal', problem_text: '调研不深入', deadline: '2026-12-31', measures: '多调研' },
    })
  })
  it('knows the default leading ranks', () => {
    expect(isLeadingCadre({ cadre_rank: 'division' })).toBe(true)
    expect(isLeadingCadre({ cadre_rank: 'section' })).toBe(false)
    expect(isLeadingCadre({})).toBe(false)
  })
})
