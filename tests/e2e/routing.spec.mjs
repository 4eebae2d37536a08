#!/usr/bin/env node
// Browser test of 派单规则 and 转办 (issue 5, docs/LINKAGE.md#routing-rules, #transfers) against a running
// rectify server on the real sample data (scripts/load-sample-data; scripts/test runs it with the other
// specs on the same database, and it puts the rule table back to empty at the end).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_USER=e2e E2E_PASSWORD=... E2E_TOKEN=... node tests/e2e/routing.spec.mjs
//
// As the e2e admin (admin over the root org): 管理 > 派单规则; a three-rule table whose third rule repeats
// the first's area and category is refused with the server's message on row 2; the row is removed and the
// two-rule table saved as the next version — (0) 鼓楼区 + category C -> 鼓楼区, (1) 鼓东街道's fallback ->
// 福州市; the 试算 panel gives rule 0, rule 1 and the default for three cases worked out from
// docs/LINKAGE.md's precedence; a public opinion in category C at 鼓东街道 filed through the portal API is
// routed to 鼓楼区 by rule 0 (not the default, 鼓东街道); on its detail page the routing history names the
// rule, 转办 to 鼓东街道 with a reason adds "鼓楼区 → 鼓东街道" and transfer count 1; 意见三率 shows 鼓楼区's
// transfers as the API counts them; the saved version is read-only once the table is replaced. A clerk
// of 鼓楼区 gets no 管理 menu and is told the rules are for the root's administrators (the API's 403).
// The last line printed is "N passed, N failed"; the exit code is 1 on failure.

import {
  BASE, TIMEOUT, TOKEN, USER, PASSWORD, run, step, assert, assertEq, runMain, api, call, post, beijingDay, DESKTOP,
  launch, close, watchPage, logIn, shot, field, dialog, tableRows,
} from './lib/harness.mjs'

run.failurePrefix = 'rectify-routing-failed'

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
// Picks the option whose whole text is `label` in the Element Plus select `testid`, typing `typed` first
// (a filterable or remote select); the dropdown is teleported to <body>.
async function choose(page, testid, label, typed = '') {
  await page.locator(`[data-testid="${testid}"]`).click()
  if (typed) await page.keyboard.type(typed)
  const option = page.locator('.el-select-dropdown__item:visible').filter({ hasText: new RegExp(`^\\s*${esc(label)}\\s*$`) })
  await option.first().waitFor({ timeout: TIMEOUT })
  await option.first().click()
  await page.waitForTimeout(200)
}
// Waits until the `nth` element matching `selector` reads `want` (names are resolved after the first
// render), then asserts it, so a mismatch names what was shown.
async function waitText(page, selector, want, what, nth = 0) {
  await page
    .waitForFunction(({ selector, want, nth }) => document.querySelectorAll(selector)[nth]?.textContent.trim() === want, { selector, want, nth }, { timeout: TIMEOUT })
    .catch(() => {})
  assertEq((await page.locator(selector).nth(nth).innerText()).trim(), want, what)
}
// The picker's label of an org: "name · division code" (components/OrgPicker.vue).
const orgLabel = (o) => (o.division_code ? `${o.name} · ${o.division_code}` : o.name)

async function main() {
  assert(TOKEN && USER && PASSWORD, 'E2E_TOKEN, E2E_USER and E2E_PASSWORD are required')
  const byCode = async (code) => {
    const o = (await api(`/orgs?division_code=${code}`)).items[0]
    assert(o, `an org with division code ${code}`)
    return o
  }
  const gulou = await byCode('350102')
  const gudong = await byCode('350102001')
  const fuzhou = await api(`/orgs/${gulou.parent_id}`)
  // Two leaf categories under different top-level ones: C (ruled) and D (not).
  const cats = (await api('/categories')).items
  const parents = new Set(cats.map((c) => c.parent_id).filter((p) => p !== null))
  const top = (c) => c.path.split('/')[0]
  const leaves = cats.filter((c) => !parents.has(c.id))
  const C = leaves[0]
  const D = leaves.find((c) => top(c) !== top(C))
  assert(C && D, 'two leaf categories under different top-level categories')
  const before = await api('/routing-rules')
  const stamp = Date.now().toString(36)
  let saved = null

  const { context, page, userDir } = await launch(DESKTOP)
  const { pageErrors, cspViolations } = watchPage(page, [
    { status: 400, path: '/routing-rules' }, // the repeated rule, refused on purpose
    { status: 403, path: '/routing-rules' }, // the clerk
  ])
  try {
    await step('管理 > 派单规则 opens the table in force for the root administrator', async () => {
      await logIn(page, `/orgs/${fuzhou.id}/dashboard`)
      await page.locator('[data-testid="nav-admin"]').hover()
      await page.locator('[data-testid="nav-routing-rules"]').click()
      await page.waitForURL(`**/orgs/${fuzhou.id}/admin/routing-rules`)
      await page.locator('[data-testid="routing-grid"]').waitFor()
      await page.waitForFunction(() => !document.querySelector('[data-testid="routing-grid"] .el-loading-mask'))
      const rows = await tableRows(page, 'routing-grid')
      assertEq(rows.length, before.rules.length, 'rows of the table in force')
    })

    await step('a repeated area and category is refused: the server names rules[2] and the row shows it', async () => {
      // Start from an empty grid.
      while ((await page.locator('[data-testid^="rule-remove-"]').count()) > 0) await page.locator('[data-testid="rule-remove-0"]').click()
      for (let i = 0; i < 3; i++) await page.locator('[data-testid="routing-add"]').click()
      await field(page, 'rule-code-0').fill('350102')
      await choose(page, 'rule-category-0', C.path, C.name)
      await choose(page, 'rule-org-0', orgLabel(gulou), gulou.division_code)
      await field(page, 'rule-note-0').fill('行业：C 类归鼓楼区')
      await field(page, 'rule-code-1').fill('350102001')
      await choose(page, 'rule-org-1', orgLabel(fuzhou), fuzhou.name)
      await field(page, 'rule-code-2').fill('350102')
      await choose(page, 'rule-category-2', C.path, C.name)
      await choose(page, 'rule-org-2', orgLabel(fuzhou), fuzhou.name)
      // The org of each area code is shown under it.
      await page.waitForFunction((n) => document.querySelector('[data-testid="rule-area-name-0"]')?.textContent.includes(n), gulou.name)
      await field(page, 'routing-change-note').fill(`e2e ${stamp}`)
      await page.locator('[data-testid="routing-save"]').click()
      const err = page.locator('[data-testid="rule-error-2"]')
      await err.waitFor()
      const text = (await err.innerText()).trim()
      assert(text.startsWith('rules[2]') && text.includes('rules[0]'), `row 2's error: ${text}`)
      assertEq(await page.locator('[data-testid="rule-error-0"]').count(), 0, 'no error on row 0')
      assertEq((await api('/routing-rules')).version, before.version, 'nothing stored')
      await shot(page, 'routing-refused', { prefix: 'rectify-' })
    })

    await step('row 2 removed, the two-rule table is saved as the next version', async () => {
      await page.locator('[data-testid="rule-remove-2"]').click()
      await page.locator('[data-testid="routing-save"]').click()
      await page.waitForFunction((v) => document.querySelector('[data-testid="routing-shown"]')?.textContent.includes(`第 ${v} 版`), before.version + 1)
      saved = await api('/routing-rules')
      assertEq(saved.version, before.version + 1, 'version')
      assertEq(saved.note, `e2e ${stamp}`, 'note')
      const got = saved.rules.map((r) => [r.division_code, r.category_id, r.org_id, r.note])
      const want = [
        ['350102', C.id, gulou.id, '行业：C 类归鼓楼区'],
        ['350102001', null, fuzhou.id, ''],
      ]
      assertEq(JSON.stringify(got), JSON.stringify(want), 'stored rules')
      assertEq(await page.locator('[data-testid="routing-readonly"]').count(), 0, 'the version in force is editable')
    })

    await step('试算: C at 鼓东街道 -> rule 0 (a category rule beats the township fallback), D -> rule 1, C in 仓山区 -> default', async () => {
      await field(page, 'try-code').fill('350102001')
      await choose(page, 'try-category', C.path, C.name)
      const result = page.locator('[data-testid="try-result"]')
      await waitText(page, '[data-testid="try-result"]', `适用规则 0（350102 · ${C.path}）：派往 ${gulou.name}`, 'C at 350102001')
      await choose(page, 'try-category', D.path, D.name)
      await waitText(page, '[data-testid="try-result"]', `适用规则 1（350102001 兜底）：派往 ${fuzhou.name}`, 'D at 350102001')
      await field(page, 'try-code').fill('350104')
      await choose(page, 'try-category', C.path, C.name)
      assert((await result.innerText()).includes('没有规则适用'), `C at 350104: ${await result.innerText()}`)
      await shot(page, 'routing-rules', { prefix: 'rectify-' })
    })

    const title = `路由测试 ${stamp}`
    let opinion = null
    await step('a public opinion in C at 鼓东街道 goes to 鼓楼区 by rule 0', async () => {
      const view = await post('/public/opinions', { category_id: C.id, title, text: `鼓东街道的测试意见，用于派单规则。（${stamp}）`, division_code: '350102001' }, { auth: false })
      assertEq(view.org_name, gulou.name, 'routed org (the default would be 鼓东街道)')
      const list = (await api(`/opinions?org_id=${gulou.id}&limit=100`)).items
      opinion = list.find((o) => o.title === title)
      assert(opinion, 'the staff see it in 鼓楼区')
      assertEq(opinion.org_id, gulou.id, 'org')
      const steps = (await api(`/opinions/${opinion.id}/routing`)).items
      assertEq(steps.length, 1, 'one routing step')
      assertEq(steps[0].rule_id, saved.rules[0].id, 'the rule recorded')
    })

    await step('the opinion detail shows the routing by rule 0; 转办 to 鼓东街道 with a reason adds the transfer', async () => {
      await page.goto(`${BASE}/orgs/${gulou.id}/opinions/${opinion.id}`)
      const steps = page.locator('[data-testid="routing-step"]')
      await steps.first().waitFor()
      await waitText(page, '[data-testid="routing-step"]', `按派单规则 #${saved.rules[0].id} 派至 ${gulou.name}`, 'first routing')
      assertEq((await page.locator('[data-testid="opinion-transfer-count"]').innerText()).trim(), '0', 'transfer count before')
      await page.locator('[data-testid="opinion-transfer"]').click()
      const d = await dialog(page, 'transfer-dialog')
      await d.locator('[data-testid="transfer-confirm"]').click()
      assertEq((await d.locator('[data-testid="transfer-error"]').innerText()).trim(), '请选择转办单位', 'the target is required')
      await choose(page, 'transfer-org', orgLabel(gudong), gudong.division_code)
      await d.locator('[data-testid="transfer-confirm"]').click()
      assertEq((await d.locator('[data-testid="transfer-error"]').innerText()).trim(), '请填写理由', 'the reason is required')
      await field(d, 'transfer-reason').fill('属地问题，由街道办理')
      await d.locator('[data-testid="transfer-confirm"]').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="opinion-transfer-count"]')?.textContent.trim() === '1')
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="routing-step"]').length === 2)
      await waitText(page, '[data-testid="routing-step"]', `${gulou.name} → ${gudong.name}`, 'the transfer', 1)
      const rows = await tableRows(page, 'opinion-routing')
      assertEq(rows[1][2], USER, 'who')
      assertEq(rows[1][3], '属地问题，由街道办理', 'why')
      // The event history names the step and the orgs.
      await page.waitForFunction(
        (w) => document.querySelector('[data-testid="opinion-timeline"]')?.innerText.includes(w),
        `受理单位: ${gulou.name} → ${gudong.name}`,
      ).catch(() => {})
      const history = await page.locator('[data-testid="opinion-timeline"]').innerText()
      assert(history.includes('转办') && history.includes(`受理单位: ${gulou.name} → ${gudong.name}`) && history.includes('转办次数: 0 → 1'), `timeline: ${history}`)
      const o = await api(`/opinions/${opinion.id}`)
      assertEq(o.org_id, gudong.id, 'the opinion is 鼓东街道\'s')
      assertEq(o.transfer_count, 1, 'transfer_count')
      assertEq(o.reply_due_at, opinion.reply_due_at, 'the deadline does not move')
      await shot(page, 'opinion-transferred', { prefix: 'rectify-' })
    })

    await step('意见三率 of 福州市 today: 鼓楼区\'s transfers as the API counts them, at least this one', async () => {
      const day = beijingDay(Date.now())
      const next = beijingDay(Date.now() + 86400 * 1000)
      const res = await api(`/orgs/${fuzhou.id}/opinion-rates?from=${encodeURIComponent(`${day}T00:00:00+08:00`)}&to=${encodeURIComponent(`${next}T00:00:00+08:00`)}`)
      const c = res.children.find((x) => x.org.id === gulou.id)
      assert(c.transfers.opinions_transferred >= 1 && c.transfers.transfers >= c.transfers.opinions_transferred, `鼓楼区 transfers ${JSON.stringify(c.transfers)}`)
      await page.goto(`${BASE}/orgs/${fuzhou.id}/rates?from=${day}&to=${day}`)
      const row = page.locator('[data-testid="rates-table"] .el-table__body tr.el-table__row').filter({ hasText: gulou.name }).first()
      await row.waitFor()
      assertEq((await row.locator('[data-testid="rates-transfers"]').innerText()).trim(), `${c.transfers.opinions_transferred} / ${c.transfers.transfers}`, '鼓楼区 transfers')
      const tr = res.total.transfers
      assertEq((await page.locator('[data-testid="rates-total"] [data-role="transfers"]').innerText()).trim(), `${tr.opinions_transferred} / ${tr.transfers}`, 'total transfers')
    })

    await step('once the table is replaced, the saved version is read-only in the version selector', async () => {
      // Put the table back to empty for the other specs (the next version).
      await post('/routing-rules', { note: `e2e ${stamp}: cleared`, rules: [] })
      await page.goto(`${BASE}/orgs/${fuzhou.id}/admin/routing-rules`)
      await page.locator('[data-testid="routing-shown"]').waitFor()
      await choose(page, 'routing-version', `第 ${saved.version} 版（只读）`)
      await page.locator('[data-testid="routing-readonly"]').waitFor()
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="routing-grid"] .el-table__body tr.el-table__row').length === 2)
      assert(await field(page, 'rule-code-0').isDisabled(), 'the code is read-only')
      assertEq(await field(page, 'rule-code-0').inputValue(), '350102', 'row 0 of the saved version')
      assertEq(await page.locator('[data-testid="routing-save"]').count(), 0, 'no save on an old version')
    })

    await step('a clerk of 鼓楼区 has no 管理 menu and is told the rules are for the root administrators', async () => {
      const name = `e2e.clerk.${stamp}`
      const password = `Clerk-${stamp}-pw!`
      await post('/users', { name, org_id: gulou.id, password, grants: [{ role: 'clerk', org_id: gulou.id }], must_change_password: false })
      await page.locator('[data-testid="logout"]').click()
      await page.waitForURL(/\/login/)
      await page.goto(`${BASE}/orgs/${gulou.id}/admin/routing-rules`)
      await page.waitForURL(/\/login\?redirect=/)
      await page.locator('[data-testid="login-name"]').fill(name)
      await page.locator('[data-testid="login-password"]').fill(password)
      await page.locator('[data-testid="login-submit"]').click()
      await page.waitForURL(`**/orgs/${gulou.id}/admin/routing-rules`)
      const box = page.locator('[data-testid="routing-forbidden"]')
      await box.waitFor()
      assert((await box.innerText()).includes('只有根单位的系统管理员可以查看和修改派单规则'), `forbidden: ${await box.innerText()}`)
      assertEq(await page.locator('[data-testid="nav-admin"]').count(), 0, 'no 管理 menu for a clerk')
    })

    await step('no page errors, no unexpected failed calls, no CSP violations', async () => {
      assertEq(JSON.stringify(pageErrors), '[]', 'page errors')
      assertEq(JSON.stringify(cspViolations), '[]', 'CSP violations')
    })
  } finally {
    // Never leave a rule table behind for the other specs.
    if (saved && (await api('/routing-rules')).rules.length) await call('POST', '/routing-rules', { note: `e2e ${stamp}: cleared`, rules: [] })
    await close({ context, userDir })
  }
}

runMain(main)
