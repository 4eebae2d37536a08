#!/usr/bin/env node
// Browser test of the workspace screens of issue 7 that sit on APIs built for issues 8 and 9, against a
// running rectify server on the real sample data (scripts/load-sample-data; run after the other specs,
// it adds its own problems, opinions, users, teams and webhooks under 福州市 and changes nothing they count).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_USER=... E2E_PASSWORD=... E2E_TOKEN=... node tests/e2e/workspace.spec.mjs
//
// As the e2e admin: creates a webhook on 福州市 (a bad URL refused in the form, the secret shown once,
// kinds 催办), pauses and resumes it, and after an urge sees its delivery in 推送记录 as GET
// /webhooks/{id}/deliveries has it; makes a 鼓楼区 clerk (POST /users) and urges a 鼓楼区 task, then in a
// second browser as that clerk sees the bell's count equal GET /notifications/unread_count (asked with
// the clerk's own session), opens the inbox, opens the urge's notice (its problem; the count falls by one),
// marks all read and finds it under 全部 with its read time; registers an opinion through 登记意见 with the
// class 紧急 (the preview says receipt + 2 hours; 复杂疑难 says + 15 days; an empty title is refused in the
// form) and checks the stored reply_due_at; opens an opinion filed on the public portal with a contact and
// a photo and sees both (the photo loads); forms a 指导组, adds the clerk, assigns 鼓楼区 (searched by its
// division code), ends the assignment and removes the member, each checked against GET /teams/{id}; saves
// a problem-list view, reopens it after a reload (the count equals GET /problems' total) and removes it;
// selects three 马尾区 tasks in the 临期 queue, withdraws one through the API, and runs 批量催办 with one
// reason: two urged (GET /tasks/{id}/supervision shows the step), one failure listed with the server's
// message. Fails on any page error, unexpected failed API call or CSP violation. Screenshots go to
// $E2E_OUT (default /tmp). The last line printed is "N passed, N failed"; the exit code is 1 on failure.

import crypto from 'node:crypto'
import {
  BASE, USER, PASSWORD, TOKEN, run, step, assert, assertEq, runMain, call, api, post,
  count, DESKTOP, launch, close, watchPage, logIn, shot, field, dialog, tableRows, waitRows,
} from './lib/harness.mjs'

run.failurePrefix = 'rectify-workspace-failed'

const FUZHOU = { id: 16, name: '福州市' }
// The default handling-time limits (docs/SUPERVISION.md#opinion-time-limits; e2e runs serve without --opinion-sla).
const DEFAULT_LIMITS = 'emergency=2h,utility=24h,general=7d,complex=15d'
// A 1x1 PNG (a red pixel).
const PNG_1PX = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=='

// "YYYY-MM-DD HH:mm" of an instant in Beijing (UTC+8, no DST), worked out here.
const beijingMinute = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ')
const isoZ = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')

// The API as another user, through a session cookie of their own (not the e2e admin's token).
async function sessionOf(name, password) {
  const res = await fetch(`${BASE}/api/v1/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password }),
  })
  if (res.status !== 201) throw new Error(`log in ${name} -> ${res.status}`)
  const cookie = (res.headers.getSetCookie?.() || [res.headers.get('set-cookie')]).map((c) => c.split(';')[0]).join('; ')
  return async (p) => {
    const r = await fetch(`${BASE}/api/v1${p}`, { headers: { Cookie: cookie } })
    if (r.status !== 200) throw new Error(`GET ${p} as ${name} -> ${r.status}`)
    return r.json()
  }
}

async function main() {
  console.log(`rectify workspace e2e against ${BASE}`)
  if (!USER || !PASSWORD || !TOKEN) throw new Error('set E2E_USER, E2E_PASSWORD and E2E_TOKEN (scripts/test does)')
  assertEq((await api(`/orgs/${FUZHOU.id}`)).name, FUZHOU.name, `org ${FUZHOU.id}`)
  const gulou = (await api('/orgs?division_code=350102')).items[0]
  assertEq(gulou?.name, '鼓楼区', 'division 350102')
  const mawei = (await api('/orgs?division_code=350105')).items[0]
  assertEq(mawei?.name, '马尾区', 'division 350105')
  const stamp = new Date().toISOString().slice(0, 19)
  const tag = crypto.randomBytes(3).toString('hex')

  const browser = await launch(DESKTOP)
  const { page } = browser
  const expectedRefusals = []
  const { pageErrors, cspViolations } = watchPage(page, expectedRefusals)
  let clerkBrowser = null

  try {
    await step('log in as the e2e admin', async () => {
      await logIn(page, `/orgs/${FUZHOU.id}/dashboard`)
    })

    // ---- webhooks
    const hookUrl = `http://127.0.0.1:9/rectify-e2e-${tag}`
    let hook
    await step('Webhook 推送 from the 管理 menu: a bad URL is refused in the form; a new webhook shows its secret once and its row', async () => {
      await page.locator('[data-testid="nav-admin"]').hover()
      await page.locator('[data-testid="nav-webhooks"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/webhooks`)
      await page.locator('[data-testid="webhook-table"]').waitFor()
      await page.locator('[data-testid="webhook-new"]').click()
      const d = await dialog(page, 'webhook-dialog')
      await field(d, 'webhook-url').fill('ftp://example.org/hook')
      await d.locator('[data-testid="webhook-save"]').click()
      assertEq((await d.locator('[data-testid="webhook-error"]').innerText()).trim(), '推送地址须以 http:// 或 https:// 开头并包含主机名', 'refusal')
      await field(d, 'webhook-url').fill(hookUrl)
      await d.locator('[data-testid="webhook-kind-urge"]').click()
      await d.locator('[data-testid="webhook-save"]').click()
      const secret = (await page.locator('[data-testid="webhook-secret-value"]').innerText()).trim()
      assert(/^whsec_[A-Za-z0-9_-]{43}$/.test(secret), `secret shape: ${secret}`)
      const list = (await api(`/webhooks?org_id=${FUZHOU.id}`)).items
      hook = list.find((h) => h.url === hookUrl)
      assert(hook, 'the API lists the webhook')
      assertEq(JSON.stringify(hook.kinds), '["urge"]', 'kinds stored')
      assertEq(hook.active, true, 'active')
      assert(!('secret' in hook), 'the list never shows the secret')
      const row = page.locator('[data-testid="webhook-table"] .el-table__body tr.el-table__row').filter({ hasText: hookUrl })
      const cells = await row.locator('td').allInnerTexts()
      assertEq(cells[0].trim(), String(hook.id), 'id')
      assertEq(cells[2].trim(), FUZHOU.name, 'org')
      assertEq(cells[3].trim(), '催办', 'kinds')
    })
    await step('the switch pauses and resumes the webhook (PATCH with If-Match)', async () => {
      const sw = page.locator(`[data-testid="webhook-active-${hook.id}"]`)
      await sw.click()
      for (let i = 0; i < 50 && (await api(`/webhooks/${hook.id}`)).active; i++) await page.waitForTimeout(100)
      assertEq((await api(`/webhooks/${hook.id}`)).active, false, 'paused')
      await sw.click()
      for (let i = 0; i < 50 && !(await api(`/webhooks/${hook.id}`)).active; i++) await page.waitForTimeout(100)
      assertEq((await api(`/webhooks/${hook.id}`)).active, true, 'active again')
    })

    // ---- a 鼓楼区 clerk and an urge on a 鼓楼区 task (a notice to 鼓楼区, a delivery to the webhook)
    const clerkName = `e2e-gl-${tag}`
    const clerkPassword = `Pw-${crypto.randomBytes(9).toString('base64url')}`
    let clerk
    let urgedTask
    let urgedProblem
    await step('a 鼓楼区 clerk (POST /users) and an urged 鼓楼区 task (POST /tasks/{id}/supervision)', async () => {
      const made = await post('/users', {
        name: clerkName,
        display_name: '鼓楼区填报员',
        org_id: gulou.id,
        password: clerkPassword,
        grants: [{ role: 'clerk', org_id: gulou.id }],
        must_change_password: false,
      })
      clerk = made.user
      urgedProblem = await post('/problems', { title: `鼓楼区排水沟堵塞（e2e ${stamp}）`, owner_org_id: gulou.id, source: 'self_inspection' })
      urgedTask = await post(`/problems/${urgedProblem.id}/tasks`, {
        org_id: gulou.id,
        title: '疏通排水沟',
        responsible_person: '王五',
        type: 'time_bound',
        due_at: isoZ(Date.now() + 3 * 86400 * 1000),
      })
      await post(`/tasks/${urgedTask.id}/supervision`, { kind: 'urge', reason: `请加快进度（e2e ${stamp}）` })
    })
    await step('推送记录 shows the urge\'s delivery as GET /webhooks/{id}/deliveries has it', async () => {
      await page.reload()
      await page.locator(`[data-testid="webhook-deliveries-${hook.id}"]`).click()
      const dels = (await api(`/webhooks/${hook.id}/deliveries`)).items
      assert(dels.length >= 1, `deliveries: ${dels.length}`)
      await waitRows(page, 'delivery-table', dels.length)
      const rows = await tableRows(page, 'delivery-table')
      assertEq(rows[0][1], `#${dels[0].notification_id}`, 'notification of the newest delivery')
      const status = { pending: '待推送', delivered: '已送达', dead: '已放弃' }
      assert(Object.values(status).includes(rows[0][2]), `status label: ${rows[0][2]}`)
      const payload = typeof dels[0].payload === 'string' ? JSON.parse(dels[0].payload) : dels[0].payload
      assertEq(payload.task_id, urgedTask.id, 'the payload names the urged task')
      await shot(page, 'webhooks')
      await page.keyboard.press('Escape')
    })
    await step('修改: kinds back to every kind (PATCH kinds [])', async () => {
      await page.locator(`[data-testid="webhook-edit-${hook.id}"]`).click()
      const d = await dialog(page, 'webhook-dialog')
      await d.locator('[data-testid="webhook-kind-urge"]').click()
      await d.locator('[data-testid="webhook-save"]').click()
      await d.waitFor({ state: 'hidden' })
      const h = await api(`/webhooks/${hook.id}`)
      assert(!h.kinds || h.kinds.length === 0, `every kind: ${JSON.stringify(h.kinds)}`)
    })

    // ---- the clerk's inbox, in a browser of their own
    await step('as the 鼓楼区 clerk: the bell shows GET /notifications/unread_count; the inbox lists the unread notices, newest first', async () => {
      const asClerk = await sessionOf(clerkName, clerkPassword)
      const unread = (await asClerk('/notifications/unread_count')).unread
      const list = (await asClerk('/notifications?unread=true&limit=50')).items
      assert(unread >= 1, `the clerk has the urge's notice: ${unread}`)
      assert(list.some((n) => n.task_id === urgedTask.id && n.kind === 'urge'), 'the urge notice is in the API inbox')
      clerkBrowser = await launch(DESKTOP, { profilePrefix: 'rectify-e2e-clerk-' })
      const cp = clerkBrowser.page
      const clerkWatch = watchPage(cp)
      clerkBrowser.watch = clerkWatch
      await cp.goto(`${BASE}/login`)
      await cp.locator('[data-testid="login-name"]').fill(clerkName)
      await cp.locator('[data-testid="login-password"]').fill(clerkPassword)
      await cp.locator('[data-testid="login-submit"]').click()
      await cp.waitForURL(`**/orgs/${gulou.id}/dashboard`)
      const badge = cp.locator('[data-testid="notification-badge"] sup')
      await badge.waitFor()
      assertEq((await badge.innerText()).trim(), unread > 99 ? '99+' : String(unread), 'badge')
      assertEq(await cp.locator('[data-testid="notification-bell"]').getAttribute('aria-label'), `通知，${unread} 条未读`, 'the bell\'s label')
      assertEq(await cp.locator('[data-testid="nav-admin"]').count(), 0, 'no 管理 menu for a clerk')
      await cp.locator('[data-testid="notification-bell"]').focus()
      await cp.keyboard.press('Enter')
      await cp.waitForURL(`**/orgs/${gulou.id}/notifications`)
      await waitRows(cp, 'notification-table', Math.min(list.length, 50))
      const rows = await tableRows(cp, 'notification-table')
      assertEq(rows[0][0], '催办', 'kind of the newest')
      assert(rows[0][1].startsWith(list[0].title), `newest title "${list[0].title}" in "${rows[0][1]}"`)
      assertEq(rows[0][3], beijingMinute(Date.parse(list[0].created_at)), 'time in Beijing')
      await shot(cp, 'notifications')
    })
    await step('opening the urge\'s notice goes to its problem and marks it read: the bell falls by one', async () => {
      const cp = clerkBrowser.page
      const asClerk = await sessionOf(clerkName, clerkPassword)
      const before = (await asClerk('/notifications/unread_count')).unread
      const n = (await asClerk('/notifications?unread=true&limit=50')).items.find((x) => x.task_id === urgedTask.id)
      await cp.locator(`[data-testid="notice-${n.id}"]`).click()
      await cp.waitForURL(new RegExp(`/orgs/${n.org_id}/problems/${urgedProblem.id}\\?task=${urgedTask.id}$`))
      await cp.locator(`[data-testid="task-${urgedTask.id}"]`).waitFor()
      const after = (await asClerk('/notifications/unread_count')).unread
      assertEq(after, before - 1, 'unread after opening')
      const expect = after === 0 ? '' : after > 99 ? '99+' : String(after)
      await cp.waitForFunction(
        (want) => (document.querySelector('[data-testid="notification-badge"] sup')?.offsetParent ? document.querySelector('[data-testid="notification-badge"] sup').textContent.trim() : '') === want,
        expect,
      )
    })
    await step('全部标为已读 empties the unread view; 全部 shows the notice with its read time', async () => {
      const cp = clerkBrowser.page
      const asClerk = await sessionOf(clerkName, clerkPassword)
      await cp.locator('[data-testid="notification-bell"]').click()
      await cp.waitForURL(`**/orgs/${gulou.id}/notifications`)
      if ((await asClerk('/notifications/unread_count')).unread > 0) {
        await cp.locator('[data-testid="notification-read-all"]').click()
      }
      await waitRows(cp, 'notification-table', 0)
      assertEq((await asClerk('/notifications/unread_count')).unread, 0, 'nothing unread')
      await cp.locator('[data-testid="notification-filter"] label', { hasText: '全部' }).click()
      await cp.waitForURL(/filter=all/)
      const all = (await asClerk('/notifications?limit=50')).items
      await waitRows(cp, 'notification-table', all.length)
      const rows = await tableRows(cp, 'notification-table')
      const i = all.findIndex((x) => x.task_id === urgedTask.id)
      assertEq(rows[i][4], beijingMinute(Date.parse(all[i].read_at)), 'read time')
    })

    run.page = page // failures are photographed in the admin's browser again

    // ---- 登记意见
    await step('登记意见 on 福州市: an empty title is refused; 紧急 says receipt + 2 hours, 复杂疑难 receipt + 15 days', async () => {
      const rates = await api(`/orgs/${FUZHOU.id}/opinion-rates`)
      assertEq(rates.limits, DEFAULT_LIMITS, 'configured limits')
      await page.locator('[data-testid="nav-opinions-group"]').hover() // 群众意见 / 主题教育 hold it
      await page.locator('[data-testid="nav-opinions"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/opinions`)
      await page.locator('[data-testid="new-opinion"]').click()
      const d = await dialog(page, 'new-opinion-dialog')
      await d.locator('[data-testid="no-save"]').click()
      assertEq((await d.locator('[data-testid="no-error"]').innerText()).trim(), '请填写标题', 'empty title')
      const shown = await field(d, 'no-received').inputValue()
      assert(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/.test(shown), `receipt time shown: ${shown}`)
      const receivedMs = Date.parse(`${shown.replace(' ', 'T')}:00+08:00`)
      assert(Math.abs(receivedMs - Date.now()) < 5 * 60000, 'receipt defaults to now')
      await d.locator('[data-testid="no-sla-emergency"]').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="no-deadline"]')?.textContent.includes('2 小时'))
      // The preview counts from the picker's seconds; the minute shown is that of receipt + 2 h.
      const text2h = (await d.locator('[data-testid="no-deadline"]').innerText()).trim()
      assertEq(text2h, `应于 ${beijingMinute(receivedMs + 2 * 3600e3)} 前首次响应（2 小时）`, '紧急 deadline')
      await d.locator('[data-testid="no-sla-complex"]').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="no-deadline"]')?.textContent.includes('15 天'))
      assertEq((await d.locator('[data-testid="no-deadline"]').innerText()).trim(), `应于 ${beijingMinute(receivedMs + 15 * 86400e3)} 前首次响应（15 天）`, '复杂疑难 deadline')
      await d.locator('[data-testid="no-sla-emergency"]').click()
      await shot(page, 'opinion-register', { waitMasks: false, settleMs: 500 })
    })
    const otitle = `燃气管道漏气（e2e ${stamp}）`
    let registered
    await step('registering it opens the new opinion: 紧急, its deadline = receipt + 2 hours as stored', async () => {
      const d = page.locator('.el-dialog[data-testid="new-opinion-dialog"]')
      await field(d, 'no-title').fill(otitle)
      await field(d, 'no-text').fill('小区东门燃气管道有明显气味，请尽快处理。')
      await field(d, 'no-submitter').fill('赵女士')
      await d.locator('[data-testid="no-save"]').click()
      await page.waitForURL(new RegExp(`/orgs/${FUZHOU.id}/opinions/\\d+$`))
      const id = Number(page.url().split('/').pop())
      registered = await api(`/opinions/${id}`)
      assertEq(registered.title, otitle, 'title stored')
      assertEq(registered.sla_class, 'emergency', 'class stored')
      assertEq(registered.channel, 'phone', 'channel (the default)')
      assertEq(registered.division_code, (await api(`/orgs/${FUZHOU.id}`)).division_code, '福州市\'s division code as the default location')
      assertEq(Date.parse(registered.reply_due_at) - Date.parse(registered.received_at), 2 * 3600e3, 'deadline 2 h after receipt')
      assertEq(registered.public_intake, null, 'no public intake')
      assertEq((await page.locator('[data-testid="opinion-sla-class"]').innerText()).trim(), '紧急', 'class tag')
      assertEq((await page.locator('[data-testid="opinion-reply-due"]').innerText()).trim(), beijingMinute(Date.parse(registered.reply_due_at)), 'deadline shown')
      assertEq(await page.locator('[data-testid="opinion-intake"]').count(), 0, 'no intake card for a staff opinion')
    })

    // ---- the public intake on the staff detail
    await step('an opinion from the portal with a contact and a photo: the staff detail shows both, the photo loads', async () => {
      const cats = (await api('/categories')).items
      const cat = cats.find((c) => !c.parent_id) || cats[0]
      const ptitle = `路灯损坏（e2e ${stamp}）`
      const file = () => call(
        'POST',
        '/public/opinions',
        {
          category_id: cat.id,
          title: ptitle,
          text: '鼓楼区东街口附近三盏路灯不亮，夜间行人不便。',
          division_code: '350102',
          address: '东街口 88 号',
          contact: { name: '陈先生', phone: '13800000000' },
          photo: { content_type: 'image/png', data: PNG_1PX, name: 'lamp.png' },
        },
        { auth: false },
      )
      let res = await file()
      // The portal's per-address limit (6 a minute) may still count the portal spec's filings.
      for (let i = 0; res.status === 429 && i < 3; i++) {
        await page.waitForTimeout(11000)
        res = await file()
      }
      assertEq(res.status, 201, `portal filing: ${JSON.stringify(res.body)}`)
      const list = (await api(`/opinions?org_id=${gulou.id}&channel=web&status=received&limit=500`)).items
      const o = list.find((x) => x.title === ptitle)
      assert(o, 'the staff list has the portal opinion')
      const full = await api(`/opinions/${o.id}`)
      assertEq(full.public_intake?.contact?.phone, '13800000000', 'the API gives staff the contact')
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/opinions/${o.id}`)
      const card = page.locator('[data-testid="opinion-intake"]')
      await card.waitFor()
      assertEq((await card.locator('[data-testid="intake-code"]').innerText()).trim(), res.body.tracking_code, 'tracking code')
      assertEq((await card.locator('[data-testid="intake-address"]').innerText()).trim(), '东街口 88 号', 'address')
      const contact = (await card.locator('[data-testid="intake-contact"]').innerText()).trim()
      assert(contact.includes('陈先生') && contact.includes('13800000000'), `contact: ${contact}`)
      const img = card.locator('[data-testid="intake-photo"] img')
      await page.waitForFunction(() => document.querySelector('[data-testid="intake-photo"] img')?.naturalWidth === 1)
      assertEq(await img.getAttribute('src'), `/api/v1/opinions/${o.id}/photo`, 'photo through the staff route')
      await shot(page, 'opinion-intake')
    })

    // ---- 指导组
    let team
    await step('指导组 from the 管理 menu: a new team is listed and selected', async () => {
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/dashboard`)
      await page.locator('[data-testid="nav-admin"]').hover()
      await page.locator('[data-testid="nav-teams"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/teams`)
      await page.locator('[data-testid="team-table"]').waitFor()
      await page.locator('[data-testid="team-new"]').click()
      const d = await dialog(page, 'team-dialog')
      await field(d, 'team-name').fill(`第一指导组（e2e ${tag}）`)
      await field(d, 'team-campaign').fill('主题教育')
      await d.locator('[data-testid="team-save"]').click()
      await page.waitForURL(/team=\d+/)
      const id = Number(new URL(page.url()).searchParams.get('team'))
      team = await api(`/teams/${id}`)
      assertEq(team.name, `第一指导组（e2e ${tag}）`, 'name stored')
      assertEq(team.org_id, FUZHOU.id, 'forming org')
      assertEq(team.kind, 'guidance', 'kind')
      await page.locator('[data-testid="team-detail"]').waitFor()
    })
    await step('adds the 鼓楼区 clerk and assigns 鼓楼区 found by its division code', async () => {
      await page.locator('[data-testid="team-member-pick"]').click()
      await page.keyboard.type(clerkName)
      await page.locator('.el-select-dropdown__item:visible', { hasText: clerkName }).first().click()
      await page.locator('[data-testid="team-member-add"]').click()
      await waitRows(page, 'team-members', 1)
      assertEq((await tableRows(page, 'team-members'))[0][0], '鼓楼区填报员', 'member name')
      await page.locator('[data-testid="team-assign-pick"]').click()
      await page.keyboard.type('350102')
      await page.locator('.el-select-dropdown__item:visible', { hasText: '鼓楼区（350102）' }).first().click()
      await page.locator('[data-testid="team-assign"]').click()
      await waitRows(page, 'team-assignments', 1)
      const t = await api(`/teams/${team.id}`)
      assertEq(JSON.stringify(t.members.map((m) => m.user_id)), JSON.stringify([clerk.id]), 'members')
      assertEq(t.assignments.length, 1, 'one assignment')
      assertEq(t.assignments[0].org_id, gulou.id, 'assigned to 鼓楼区')
      assertEq(t.assignments[0].active, true, 'active')
      const row = (await tableRows(page, 'team-assignments'))[0]
      assertEq(row[0], '鼓楼区', 'assigned unit')
      assertEq(row[2], '进行中', 'active tag')
      await shot(page, 'teams')
    })
    await step('ends the assignment and removes the member after a confirm', async () => {
      const t = await api(`/teams/${team.id}`)
      await page.locator(`[data-testid="team-assignment-end-${t.assignments[0].id}"]`).click()
      await page.locator('.el-message-box .el-button--primary').click()
      await page.waitForFunction(() => !document.querySelector('[data-testid="team-assignments"] [data-testid^="team-assignment-end-"]'))
      assertEq((await api(`/teams/${team.id}`)).assignments[0].active, false, 'ended')
      await page.locator(`[data-testid="team-member-remove-${clerk.id}"]`).click()
      await page.locator('.el-message-box .el-button--primary').click()
      await waitRows(page, 'team-members', 0)
      assertEq((await api(`/teams/${team.id}`)).members.length, 0, 'no members')
    })

    // ---- saved views of the problem list
    const viewName = `已销号-${tag}`
    await step('保存的视图: saves the filters, keeps them after a reload, reopens them, removes them', async () => {
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/problems?status=closed&size=20`)
      await page.locator('[data-testid="problem-table"]').waitFor()
      await page.locator('[data-testid="view-save"]').click()
      await page.locator('.el-message-box input').fill(viewName)
      await page.locator('.el-message-box .el-button--primary').click()
      await page.locator(`[data-testid="view-${viewName}"]`).waitFor()
      const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('rectify.problemViews.v1.')).map((k) => [k, localStorage.getItem(k)]))
      assertEq(stored.length, 1, 'one key')
      assertEq(JSON.parse(stored[0][1]).find((v) => v.name === viewName)?.query?.status, 'closed', 'the view keeps the status')
      await page.locator('[data-testid="filter-reset"]').click()
      await page.waitForURL((u) => !u.search)
      await page.reload()
      await page.locator(`[data-testid="view-${viewName}"] [data-role="apply"]`).click()
      await page.waitForURL(/status=closed/)
      assert(new URL(page.url()).searchParams.get('size') === '20', 'page size from the view')
      const total = (await api(`/problems?org_id=${FUZHOU.id}&status=closed&limit=1&total=true`)).total
      await page.waitForFunction((want) => document.querySelector('[data-testid="problem-count"]')?.textContent.trim() === want, `共 ${count(total)} 条`)
      assertEq(await page.locator(`[data-testid="view-${viewName}"] [data-role="apply"]`).getAttribute('aria-pressed'), 'true', 'the view shows as current')
      await shot(page, 'problem-views')
      await page.locator(`[data-testid="view-${viewName}"] [data-role="remove"]`).click()
      await page.locator(`[data-testid="view-${viewName}"]`).waitFor({ state: 'detached' })
    })

    // ---- bulk 催办 on the 临期 queue of 马尾区
    const btasks = []
    const btitle = `马尾区批量催办（e2e ${stamp}）`
    await step('批量催办 on three selected 马尾区 tasks, one withdrawn meanwhile: two urged, one failure with the server\'s message', async () => {
      const p = await post('/problems', { title: btitle, owner_org_id: mawei.id, source: 'self_inspection' })
      for (let i = 1; i <= 3; i++) {
        btasks.push(
          await post(`/problems/${p.id}/tasks`, {
            org_id: mawei.id,
            title: `马尾整改措施${i}-${tag}`,
            responsible_person: '周六',
            type: 'time_bound',
            due_at: isoZ(Date.now() + (60 + i) * 60000),
          }),
        )
      }
      await page.goto(`${BASE}/orgs/${mawei.id}/supervision?queue=due_soon`)
      const rowOf = (i) => page.locator('[data-testid="queue-table"] .el-table__body tr.el-table__row').filter({ hasText: `马尾整改措施${i}-${tag}` }).first()
      for (let i = 1; i <= 3; i++) await rowOf(i).locator('td.el-table-column--selection .el-checkbox').click()
      assertEq((await page.locator('[data-testid="bulk-count"]').innerText()).trim(), '已选 3 项', 'selected')
      // One task is withdrawn after it was selected: its urge must fail, the others go through.
      const w = await call('POST', `/tasks/${btasks[2].id}/withdraw`, { reason: 'e2e: withdrawn to provoke a failure' })
      assertEq(w.status, 200, `withdraw: ${JSON.stringify(w.body)}`)
      expectedRefusals.push({ status: 409, path: `/api/v1/tasks/${btasks[2].id}/supervision` })
      await page.locator('[data-testid="bulk-urge"]').click()
      const d = await dialog(page, 'bulk-dialog')
      await d.locator('[data-testid="bulk-start"]').click()
      assertEq((await d.locator('[data-testid="bulk-error"]').innerText()).trim(), '请填写理由', 'reason needed')
      const reason = `汛期前请加快整改（e2e ${tag}）`
      await field(d, 'bulk-reason').fill(reason)
      await d.locator('[data-testid="bulk-start"]').click()
      await d.locator('[data-testid="bulk-progress"][data-done="true"]').waitFor()
      assertEq((await d.locator('[data-testid="bulk-progress-text"]').innerText()).trim(), '已处理 3/3：成功 2，失败 1', 'progress')
      const fails = await tableRows(page, 'bulk-failures')
      assertEq(fails.length, 1, 'one failure')
      assert(fails[0][0].startsWith(`#${btasks[2].id} `), `the failed task: ${fails[0][0]}`)
      const direct = await call('POST', `/tasks/${btasks[2].id}/supervision`, { kind: 'urge', reason })
      assertEq(direct.status, 409, 'the API refuses the withdrawn task too')
      assertEq(fails[0][2], direct.body.error.message, 'the server\'s message')
      await shot(page, 'bulk-urge', { waitMasks: false, settleMs: 300 })
      for (const t of btasks.slice(0, 2)) {
        const sup = await api(`/tasks/${t.id}/supervision`)
        const urges = sup.steps.filter((s) => s.kind === 'urge' && s.reason === reason)
        assertEq(urges.length, 1, `task ${t.id} urged once`)
      }
      await d.locator('.el-dialog__footer .el-button').first().click()
      await d.waitFor({ state: 'hidden' })
    })

    await step('English: the inbox, the team and webhook screens have their English titles; the registration form\'s deadline in English', async () => {
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/notifications`)
      await page.locator('[data-testid="lang-switch"] label', { hasText: 'English' }).click()
      await page.locator('.page-title', { hasText: 'My notifications' }).waitFor()
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/teams`)
      await page.locator('.page-title', { hasText: 'Supervision teams' }).waitFor()
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/webhooks`)
      await page.locator('.page-title', { hasText: 'Webhooks' }).waitFor()
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/opinions`)
      await page.locator('[data-testid="new-opinion"]', { hasText: 'Register opinion' }).click()
      const d = await dialog(page, 'new-opinion-dialog')
      await d.locator('[data-testid="no-sla-utility"]').click()
      const shown = await field(d, 'no-received').inputValue()
      const receivedMs = Date.parse(`${shown.replace(' ', 'T')}:00+08:00`)
      await page.waitForFunction(() => document.querySelector('[data-testid="no-deadline"]')?.textContent.includes('24 hours'))
      assertEq((await d.locator('[data-testid="no-deadline"]').innerText()).trim(), `First response due by ${beijingMinute(receivedMs + 24 * 3600e3)} (24 hours)`, '及时性 deadline in English')
      await shot(page, 'opinion-register-en', { waitMasks: false, settleMs: 500 })
      await d.locator('.el-dialog__headerbtn').click()
      await page.locator('[data-testid="lang-switch"] label', { hasText: '中文' }).click()
    })

    await step('no page errors, unexpected failed API calls or CSP violations', async () => {
      const errs = [...pageErrors, ...(clerkBrowser?.watch?.pageErrors || [])]
      const csp = [...cspViolations, ...(clerkBrowser?.watch?.cspViolations || [])]
      assert(errs.length === 0, errs.join('; '))
      assert(csp.length === 0, csp.join('; '))
      assertEq(expectedRefusals.length, 0, `refusals provoked but not seen: ${JSON.stringify(expectedRefusals)}`)
    })
  } finally {
    if (clerkBrowser) await close(clerkBrowser)
    await close(browser)
  }
}

runMain(main)
