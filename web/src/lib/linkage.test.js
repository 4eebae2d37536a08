import { describe, expect, it } from 'vitest'
import { canCascade, cascadeBody, coOwnerBody, decisionBody, escalationBody, linkageActions } from './linkage.js'

const esc = (id, status, next) => ({ id, status, next_actions: next, from_org_id: 160, to_org_id: 16 })
const problem = (over = {}) => ({
  id: 900,
  status: 'registered',
  access: 'full',
  owner: { id: 160, parent_id: 16, name: '鼓楼区' },
  owner_org_id: 160,
  escalations: [],
  co_owner_ids: [],
  ...over,
})

describe('linkageActions', () => {
  it('an open problem with full access and no pending escalation: escalate and add a co-owner', () => {
    expect(linkageActions(problem())).toEqual({ escalate: true, addCoOwner: true, escalation: {} })
  })
  it('a pending escalation: its accept, decline and withdraw, and no second escalation', () => {
    const a = linkageActions(problem({ escalations: [esc(5, 'pending', ['accept', 'decline', 'withdraw'])] }))
    expect(a.escalate).toBe(false)
    expect(a.addCoOwner).toBe(true)
    expect(a.escalation).toEqual({ 5: ['accept', 'decline', 'withdraw'] })
  })
  it('decided escalations offer nothing; a new escalation is possible again', () => {
    const a = linkageActions(problem({ escalations: [esc(5, 'declined', []), esc(6, 'accepted', [])] }))
    expect(a).toEqual({ escalate: true, addCoOwner: true, escalation: { 5: [], 6: [] } })
  })
  it('a closed problem: nothing to escalate nor add', () => {
    expect(linkageActions(problem({ status: 'closed' }))).toEqual({ escalate: false, addCoOwner: false, escalation: {} })
    expect(linkageActions(problem({ status: 'invalid' })).escalate).toBe(false)
  })
  it('part access (a unit with its own task): no linkage actions', () => {
    expect(linkageActions(problem({ access: 'part' }))).toEqual({ escalate: false, addCoOwner: false, escalation: {} })
  })
  it('the root org has no ancestor to escalate to', () => {
    expect(linkageActions(problem({ owner: { id: 1, parent_id: null } })).escalate).toBe(false)
  })
  it('no problem yet', () => {
    expect(linkageActions(null)).toEqual({ escalate: false, addCoOwner: false, escalation: {} })
  })
})

describe('request bodies', () => {
  it('escalation: to_org_id as a number and the trimmed reason', () => {
    expect(escalationBody({ toOrgId: '16', reason: '  根源在市级管网 ' })).toEqual({ body: { to_org_id: 16, reason: '根源在市级管网' } })
    expect(escalationBody({ toOrgId: 16, reason: ' ' })).toEqual({ error: 'common.needReason' })
    expect(escalationBody({ toOrgId: null, reason: 'x' })).toEqual({ error: 'linkage.escalateTo' })
  })
  it('decisions: accept with an optional comment, decline and withdraw with a reason', () => {
    expect(decisionBody('accept', '')).toEqual({ body: {} })
    expect(decisionBody('accept', ' 市级统筹 ')).toEqual({ body: { comment: '市级统筹' } })
    expect(decisionBody('decline', '不属于市级')).toEqual({ body: { reason: '不属于市级' } })
    expect(decisionBody('withdraw', '')).toEqual({ error: 'common.needReason' })
  })
  it('co-owner: org_id and its task without org_id', () => {
    const { body } = coOwnerBody({
      org_id: 122,
      title: ' 台江段截污 ',
      responsible_person: '李四',
      lead_official: '',
      type: 'time_bound',
      due_date: '2030-06-30',
      description: '',
    })
    expect(body).toEqual({
      org_id: 122,
      task: { title: '台江段截污', responsible_person: '李四', type: 'time_bound', due_at: '2030-06-30' },
    })
    expect(coOwnerBody({ org_id: null, title: 'x', responsible_person: 'y', type: 'immediate', due_date: '2030-01-01' })).toEqual({
      error: 'task.needOrg',
    })
    expect(coOwnerBody({ org_id: 122, title: 'x', responsible_person: '', type: 'immediate' })).toEqual({ error: 'task.needPerson' })
  })
  it('cascade to all descendants, with kind and batch filters', () => {
    expect(
      cascadeBody({ scope: 'descendants', kind: 'township', batch: '2', responsible_person: '王五', due_date: '2030-05-01' }, '2030-06-30T16:00:00Z'),
    ).toEqual({
      body: { targets: { scope: 'descendants', kind: 'township', batch: 2 }, responsible_person: '王五', due_at: '2030-05-01' },
    })
  })
  it('cascade to a level needs the level; to chosen orgs needs distinct ids', () => {
    expect(cascadeBody({ scope: 'level', responsible_person: 'a' })).toEqual({ error: 'linkage.level' })
    expect(cascadeBody({ scope: 'level', level: 'township', responsible_person: 'a', title: ' 排查 ' })).toEqual({
      body: { targets: { scope: 'level', level: 'township' }, responsible_person: 'a', title: '排查' },
    })
    expect(cascadeBody({ scope: 'orgs', org_ids: [], responsible_person: 'a' })).toEqual({ error: 'linkage.targetOrgs' })
    expect(cascadeBody({ scope: 'orgs', org_ids: [161, '162', 161], responsible_person: 'a' })).toEqual({
      body: { targets: { scope: 'orgs', org_ids: [161, 162] }, responsible_person: 'a' },
    })
  })
  it('cascade: a deadline after the parent is refused before asking; the person is required', () => {
    expect(cascadeBody({ scope: 'descendants', responsible_person: 'a', due_date: '2030-07-01' }, '2030-06-30T00:00:00Z')).toEqual({
      error: 'linkage.cascadeDue',
    })
    expect(cascadeBody({ scope: 'descendants', responsible_person: ' ' })).toEqual({ error: 'task.needPerson' })
  })
})

describe('canCascade', () => {
  const p = { access: 'full', round: 1, status: 'in_progress', next_actions: ['add_task', 'close'] }
  it('a pending, in-progress or returned task of the current round', () => {
    expect(canCascade({ status: 'pending', round: 1 }, p)).toBe(true)
    expect(canCascade({ status: 'in_progress', round: 1 }, p)).toBe(true)
    expect(canCascade({ status: 'returned', round: 1 }, p)).toBe(true)
  })
  it('not a submitted or accepted task, one of an earlier round, nor without add_task or full access', () => {
    expect(canCascade({ status: 'submitted', round: 1 }, p)).toBe(false)
    expect(canCascade({ status: 'accepted', round: 1 }, p)).toBe(false)
    expect(canCascade({ status: 'pending', round: 0 }, p)).toBe(false)
    expect(canCascade({ status: 'pending', round: 1 }, { ...p, next_actions: ['reopen'] })).toBe(false)
    expect(canCascade({ status: 'pending', round: 1 }, { ...p, access: 'part' })).toBe(false)
  })
})
