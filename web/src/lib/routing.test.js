import { describe, expect, it } from 'vitest'
import {
  categoryChain,
  divisionChain,
  pickRule,
  ruleError,
  rowProblems,
  rulesBody,
  routingOrgIds,
  transfersText,
  tryRouting,
} from './routing.js'

// docs/LINKAGE.md, Worked example 6: 福州市's table. Categories: 生态环境 (10) with child 噪声污染 (11);
// 交通 (20). Orgs: 福州市12345 100, 鼓楼区 101, 鼓东街道 102, 福州市生态环境局 103, the bureau's 鼓楼区
// branch 104, 台江区 105.
const categories = new Map([
  [10, { id: 10, parent_id: null, path: '生态环境' }],
  [11, { id: 11, parent_id: 10, path: '生态环境/噪声污染' }],
  [20, { id: 20, parent_id: null, path: '交通' }],
])
const rules = [
  { division_code: null, category_id: null, org_id: 100 },
  { division_code: '350102', category_id: null, org_id: 101 },
  { division_code: '350102001', category_id: null, org_id: 102 },
  { division_code: null, category_id: 10, org_id: 103 },
  { division_code: '350102', category_id: 11, org_id: 104 },
  { division_code: '350103', category_id: null, org_id: 105 },
]
const pick = (code, cat) => tryRouting(rules, code, cat, categories)

describe('worked example 6 (docs/LINKAGE.md#routing-rules)', () => {
  it('a traffic opinion in 鼓东街道 goes by the township fallback, rule 2', () => {
    expect(pick('350102001', 20)).toEqual({ index: 2, rule: rules[2], kind: 'fallback' })
  })
  it('the same in 鼓西街道 goes to 鼓楼区 (rule 1), in 仓山区 and with a free address to rule 0', () => {
    expect(pick('350102002', 20).index).toBe(1)
    expect(pick('350104', 20).index).toBe(0)
    expect(pick('', 20).index).toBe(0)
  })
  it('an environment opinion in 鼓东街道: a category rule anywhere beats a fallback (rule 3)', () => {
    expect(pick('350102001', 10)).toEqual({ index: 3, rule: rules[3], kind: 'category' })
  })
  it('noise in 鼓东街道 goes by rule 4 (鼓楼区 is more specific); noise in 台江区 by rule 3 (the ancestor)', () => {
    expect(pick('350102001', 11).index).toBe(4)
    expect(pick('350103', 11).index).toBe(3)
  })
  it('without a whole-jurisdiction fallback, an opinion outside every area gets the default', () => {
    const noRoot = rules.filter((r) => !(r.division_code === null && r.category_id === null))
    expect(tryRouting(noRoot, '350104', 20, categories)).toEqual({ index: -1, rule: null, kind: 'default' })
    expect(tryRouting([], '350102001', null, categories).kind).toBe('default')
  })
  it('an uncategorised opinion takes only fallbacks', () => {
    expect(pick('350102001', null).index).toBe(2)
  })
  it('refuses a code that is not 2, 4, 6, 9 or 12 digits', () => {
    expect(pick('35010', 20)).toEqual({ error: 'badCode' })
  })
})

describe('precedence details', () => {
  it('inside one area the deepest category wins, whatever the order', () => {
    const r = [
      { division_code: '3501', category_id: 10, org_id: 1 },
      { division_code: '3501', category_id: 11, org_id: 2 },
    ]
    expect(pickRule(r, { areas: divisionChain('350102'), categories: categoryChain(11, categories) })).toBe(1)
  })
  it('a more specific area beats a deeper category', () => {
    const r = [
      { division_code: '35', category_id: 11, org_id: 1 },
      { division_code: '3501', category_id: 10, org_id: 2 },
    ]
    expect(pickRule(r, { areas: divisionChain('350102'), categories: categoryChain(11, categories) })).toBe(1)
  })
})

describe('chains', () => {
  it('divisionChain gives the prefixes of 12, 9, 6, 4 and 2 digits', () => {
    expect(divisionChain('350102001001')).toEqual(['350102001001', '350102001', '350102', '3501', '35'])
    expect(divisionChain('3501')).toEqual(['3501', '35'])
    expect(divisionChain('')).toEqual([])
    expect(divisionChain('3501a')).toBeNull()
  })
  it('categoryChain walks parent_id up, deepest first', () => {
    expect(categoryChain(11, categories)).toEqual([11, 10])
    expect(categoryChain(null, categories)).toEqual([])
    expect(categoryChain(99, categories)).toEqual([99])
  })
})

describe('grid', () => {
  it('rulesBody leaves out empty areas, categories and notes and trims', () => {
    expect(
      rulesBody(
        [
          { division_code: '', category_id: null, org_id: 100, note: ' ' },
          { division_code: ' 350102 ', category_id: 11, org_id: 104, note: ' 噪声 ' },
        ],
        ' 新增噪声规则 ',
      ),
    ).toEqual({
      note: '新增噪声规则',
      rules: [{ org_id: 100 }, { division_code: '350102', category_id: 11, org_id: 104, note: '噪声' }],
    })
  })
  it('rowProblems wants an org on every row and a well-formed code', () => {
    expect(
      rowProblems([
        { division_code: '', org_id: 1 },
        { division_code: '350102', org_id: null },
        { division_code: '35010', org_id: 2 },
      ]),
    ).toEqual({ 1: 'routing.needOrg', 2: 'routing.badCode' })
  })
  it('ruleError reads the rule and field the server names', () => {
    expect(ruleError('rules[1].division_code: "35010" is not a division code')).toEqual({
      index: 1,
      field: 'division_code',
      message: 'rules[1].division_code: "35010" is not a division code',
    })
    expect(ruleError('rules[3]: the same area and category as rules[2]')).toMatchObject({ index: 3, field: null })
    expect(ruleError('note: required')).toBeNull()
  })
})

describe('transfers', () => {
  it('routingOrgIds collects from and to orgs once', () => {
    expect(routingOrgIds([{ from_org_id: null, to_org_id: 5 }, { from_org_id: 5, to_org_id: 7 }])).toEqual([5, 7])
  })
  it('transfersText shows opinions transferred / transfers (Fuzhou: 254 / 358)', () => {
    expect(transfersText({ opinions_transferred: 254, transfers: 358 })).toBe('254 / 358')
    expect(transfersText(undefined)).toBe('—')
  })
})
