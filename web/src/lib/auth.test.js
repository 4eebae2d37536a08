import { describe, expect, it } from 'vitest'
import { grantsForDisplay, hasRole, homeOrgOf, isUnsafeMethod, passwordProblem, safeRedirect } from './auth.js'

const session = {
  user: { id: 3, name: 'sjz.clerk', display_name: '张三' },
  grants: [
    { role: 'clerk', org_id: 3 },
    { role: 'leader', org_id: 2 },
  ],
  scope: [{ id: 2, name: '河北省' }],
}

describe('isUnsafeMethod', () => {
  it('is true for the methods that change something', () => {
    expect(['POST', 'PATCH', 'PUT', 'DELETE', 'post'].map(isUnsafeMethod)).toEqual([true, true, true, true, true])
    expect(['GET', 'HEAD', 'OPTIONS', undefined].map(isUnsafeMethod)).toEqual([false, false, false, false])
  })
})

describe('homeOrgOf', () => {
  it('is the first scope root', () => {
    expect(homeOrgOf(session)).toBe(2)
    expect(homeOrgOf({ scope: [] })).toBe(null)
    expect(homeOrgOf(null)).toBe(null)
  })
})

describe('safeRedirect', () => {
  it('keeps paths of this site', () => {
    expect(safeRedirect('/orgs/2/problems?status=closed')).toBe('/orgs/2/problems?status=closed')
  })
  it('refuses other sites, the login page and odd input', () => {
    for (const p of ['//evil.example/x', 'https://evil.example', '/\\evil.example', 'orgs/2', '/login', '/login?redirect=/',
      '/x\ny', null, 42]) {
      expect(safeRedirect(p, '/home')).toBe('/home')
    }
  })
})

describe('grantsForDisplay', () => {
  it('names the orgs it knows and shows ids for the others', () => {
    expect(grantsForDisplay(session)).toEqual([
      { role: 'clerk', orgId: 3, orgName: '#3' },
      { role: 'leader', orgId: 2, orgName: '河北省' },
    ])
    expect(grantsForDisplay(session, new Map([[3, '石家庄市']]))[0].orgName).toBe('石家庄市')
    expect(grantsForDisplay(null)).toEqual([])
  })
})

describe('passwordProblem', () => {
  it('asks for 10 characters (code points) and the same text twice', () => {
    expect(passwordProblem('short', 'short')).toBe('tooShort')
    expect(passwordProblem('一二三四五六七八九十', '一二三四五六七八九十')).toBe('')
    expect(passwordProblem('long enough 1', 'long enough 2')).toBe('mismatch')
  })
})

describe('hasRole', () => {
  it('looks through the grants', () => {
    const s = { grants: [{ role: 'clerk', org_id: 3 }, { role: 'admin', org_id: 1 }] }
    expect(hasRole(s, 'admin')).toBe(true)
    expect(hasRole(s, 'leader')).toBe(false)
    expect(hasRole(null, 'admin')).toBe(false)
  })
})
