import { describe, expect, it } from 'vitest'
import {
  candidateMembers,
  mayAdminister,
  prettyPayload,
  sortedAssignments,
  teamBody,
  webhookBody,
  webhookPatch,
  webhookUrlProblem,
} from './admin.js'

describe('administration helpers', () => {
  it('shows the admin menu to admins and org admins only', () => {
    expect(mayAdminister({ grants: [{ role: 'org_admin', org_id: 16 }] })).toBe(true)
    expect(mayAdminister({ grants: [{ role: 'admin', org_id: 1 }] })).toBe(true)
    expect(mayAdminister({ grants: [{ role: 'clerk', org_id: 16 }, { role: 'supervisor', org_id: 16 }] })).toBe(false)
    expect(mayAdminister(null)).toBe(false)
  })
  it('builds a team body', () => {
    expect(teamBody({ name: ' ' }, 16)).toEqual({ error: 'teams.needName' })
    expect(teamBody({ name: ' 第一指导组 ', kind: 'guidance', campaign: '' }, '16')).toEqual({
      body: { org_id: 16, name: '第一指导组', kind: 'guidance' },
    })
    expect(teamBody({ name: 'x', kind: 'other', campaign: ' 2026 ' }, 16).body).toEqual({ org_id: 16, name: 'x', campaign: '2026' })
  })
  it('orders assignments active first, newest first; offers users not yet members', () => {
    const team = {
      members: [{ user_id: 2 }],
      assignments: [
        { id: 1, active: false, assigned_at: '2026-01-01T00:00:00+08:00' },
        { id: 2, active: true, assigned_at: '2026-02-01T00:00:00+08:00' },
        { id: 3, active: true, assigned_at: '2026-03-01T00:00:00+08:00' },
      ],
    }
    expect(sortedAssignments(team).map((a) => a.id)).toEqual([3, 2, 1])
    expect(candidateMembers([{ id: 1 }, { id: 2 }, { id: 3, disabled: true }], team).map((u) => u.id)).toEqual([1])
  })
  it('checks webhook URLs as the server does', () => {
    expect(webhookUrlProblem('')).toBe('webhooks.needUrl')
    expect(webhookUrlProblem('ftp://x.example/')).toBe('webhooks.badUrl')
    expect(webhookUrlProblem('not a url')).toBe('webhooks.badUrl')
    expect(webhookUrlProblem('https://u:p@x.example/')).toBe('webhooks.noUserInfo')
    expect(webhookUrlProblem('https://x.example/#frag')).toBe('webhooks.noFragment')
    expect(webhookUrlProblem(`https://x.example/${'a'.repeat(2000)}`)).toBe('webhooks.urlTooLong')
    expect(webhookUrlProblem('http://127.0.0.1:9/hook')).toBe('')
  })
  it('builds the create and change bodies', () => {
    expect(webhookBody({ url: ' https://h.example/in ', kinds: ['interview', 'urge', 'urge'], active: true }, 16)).toEqual({
      body: { org_id: 16, url: 'https://h.example/in', active: true, kinds: ['urge', 'interview'] },
    })
    expect(webhookBody({ url: 'https://h.example/in', kinds: [], active: false }, 16).body).toEqual({
      org_id: 16,
      url: 'https://h.example/in',
      active: false,
    })
    const hook = { url: 'https://h.example/in', kinds: ['urge'], active: true }
    expect(webhookPatch(hook, { url: 'https://h.example/in', kinds: ['urge'], active: true })).toEqual({ body: {} })
    expect(webhookPatch(hook, { url: 'https://h.example/v2', kinds: [], active: false })).toEqual({
      body: { url: 'https://h.example/v2', kinds: [], active: false },
    })
    expect(webhookPatch({ ...hook, kinds: null }, { ...hook, kinds: [] })).toEqual({ body: {} })
  })
  it('pretty-prints a payload, string or object', () => {
    expect(prettyPayload('{"a":1}')).toBe('{\n  "a": 1\n}')
    expect(prettyPayload({ a: 1 })).toBe('{\n  "a": 1\n}')
    expect(prettyPayload('plain')).toBe('plain')
    expect(prettyPayload(null)).toBe('')
  })
})
