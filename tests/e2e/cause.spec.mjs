#!/usr/bin/env node
// Browser test of 症结分析 and 个人检视 (issue 12, docs/CAUSES.md) against a running rectify server on the
// real sample data (scripts/load-sample-data; scripts/test runs it with the other specs on the same database).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_USER=e2e E2E_PASSWORD=... E2E_TOKEN=... node tests/e2e/cause.spec.mjs
//
// As the e2e admin: on a new open problem of 长安区 (outside 福州市, whose closed sample problems the dashboard
// spec counts), 分析症结 with 资金保障不足
// (a higher-level cause) and 制度机制不健全 plus a text; the card shows both tags, the API has the analysis,
// the prompt 提请上级 appears and opens the escalation dialog (which is closed without escalating); 长安区's
// dashboard charts one open problem under each cause, and the 资金保障不足 bar opens the problem list filtered
// by that cause, which shows the problem. Then a
// leader of 鼓楼区 with cadre rank division (made over the API) logs in, opens 个人检视, adds a problem
// with measures and a deadline to their own list, sees it there, and marks it done; the API shows the item
// as theirs and done. The last line printed is "N passed, N failed"; the exit code is 1 on failure.

import {
  BASE, TIMEOUT, TOKEN, USER, PASSWORD, run, step, assert, assertEq, runMain, api, call, post, DESKTOP,
  launch, close, watchPage, logIn, shot, field, dialog, tableRows, waitRows,
} from './lib/harness.mjs'

run.failurePrefix = 'rectify-cause-failed'

async function main() {
  assert(TOKEN && USER && PASSWORD, 'E2E_TOKEN, E2E_USER and E2E_PASSWORD are required')
  const gulou = (await api('/orgs?division_code=350102')).items[0]
  assert(gulou, 'an org with division code 350102 (鼓楼区)')
  const cats = (await api('/cause-categories')).items
  const funding = cats.find((c) => c.code === 'funding')
  const mechanism = cats.find((c) => c.code === 'mechanism')
  assert(funding?.higher_level && mechanism && !mechanism.higher_level, 'the shipped categories funding and mechanism')
  // The sample problems (福州市) are all closed, and the dashboard spec counts them: a new open problem of
  // 长安区 (河北省 > 石家庄市, outside 福州市), whose parent 石家庄市 is the escalation target.
  const stamp = Date.now().toString(36)
  const changan = (await api('/orgs?division_code=130102')).items[0]
  assert(changan, 'an org with division code 130102 (长安区)')
  const problem = await post('/problems', { title: `道路维修资金缺口（e2e ${stamp}）`, owner_org_id: changan.id, source: 'self_inspection' })

  const { context, page, userDir } = await launch(DESKTOP)
  const { pageErrors, cspViolations } = watchPage(page, [])
  try {
    await step('分析症结 with a higher-level cause: the card shows it and prompts 提请上级', async () => {
      await logIn(page, `/orgs/${problem.owner_org_id}/problems/${problem.id}`)
      await page.locator('[data-testid="cause-none"]').waitFor()
      await page.locator('[data-testid="cause-edit"]').click()
      const d = await dialog(page, 'cause-dialog')
      await d.locator('[data-testid="cause-option-funding"]').click()
      await d.locator('[data-testid="cause-option-mechanism"]').click()
      await field(d, 'cause-text-input').fill(`专项资金未下达 ${stamp}`)
      await d.locator('[data-testid="cause-save"]').click()
      await page.locator('[data-testid="cause-funding"]').waitFor()
      await page.locator('[data-testid="cause-mechanism"]').waitFor()
      assert((await page.locator('[data-testid="cause-funding"]').innerText()).includes('资金保障不足'), 'the funding tag')
      assertEq((await page.locator('[data-testid="cause-text"]').innerText()).trim(), `专项资金未下达 ${stamp}`, 'the text')
      const stored = (await api(`/problems/${problem.id}`)).cause_analysis
      assertEq(JSON.stringify(stored.cause_category_ids), JSON.stringify([funding.id, mechanism.id].sort((a, b) => a - b)), 'stored categories')
      await page.locator('[data-testid="cause-escalation-prompt"]').waitFor()
      await shot(page, 'cause-prompt', { prefix: 'rectify-' })
    })

    await step('提请上级 opens the escalation dialog with the level above as target', async () => {
      await page.locator('[data-testid="cause-escalate"]').click()
      const d = await dialog(page, 'escalate-dialog')
      await d.waitFor({ state: 'visible' })
      await page.keyboard.press('Escape')
      await d.waitFor({ state: 'hidden' })
      assertEq((await api(`/problems/${problem.id}`)).escalations.filter((e) => e.status === 'pending').length, 0, 'nothing escalated')
    })

    await step('the dashboard of 长安区 charts problems per cause; the 资金保障不足 bar opens the list filtered by it', async () => {
      await page.goto(`${BASE}/orgs/${changan.id}/dashboard`)
      const sel = '[data-testid="cause-chart"] .echart'
      await page.locator(sel).waitFor({ timeout: TIMEOUT })
      await page.$eval(sel, (el) => el.scrollIntoView({ block: 'center' }))
      await page.waitForTimeout(1200) // the entry animation
      const point = await page.$eval(sel, (el, name) => {
        const chart = el.__echart
        const names = chart.getOption().yAxis[0].data
        const i = names.indexOf(name)
        if (i < 0) return { names }
        const closed = chart.getOption().series[0].data[i]
        const open = chart.getOption().series[1].data[i]
        const [x, y] = chart.convertToPixel({ seriesIndex: 1 }, [closed + open / 2, i])
        const r = el.getBoundingClientRect()
        return { x: r.left + x, y: r.top + y, closed, open, names }
      }, funding.name_zh)
      assert(point.x !== undefined, `a bar for ${funding.name_zh}: ${JSON.stringify(point.names)}`)
      // 长安区 holds this spec's problem only: one open problem under each of its two causes.
      assertEq(JSON.stringify([...point.names].sort()), JSON.stringify([funding.name_zh, mechanism.name_zh].sort()), 'the bars')
      assertEq(`${point.closed}/${point.open}`, '0/1', 'closed/open under 资金保障不足')
      await page.mouse.click(point.x, point.y)
      await page.waitForURL(new RegExp(`/orgs/${changan.id}/problems\\?cause_category_id=${funding.id}$`))
      await waitRows(page, 'problem-table', 1)
      const rows = await tableRows(page, 'problem-table')
      assert(rows[0].some((cell) => cell.includes(problem.title)), `the listed problem: ${JSON.stringify(rows[0])}`)
    })

    await step('a leading cadre of 鼓楼区 adds a problem to their own list and marks it done', async () => {
      const name = `e2e.leader.${stamp}`
      const password = `Leader-${stamp}-pw!`
      const created = await post('/users', {
        name,
        display_name: `王${stamp}`,
        org_id: gulou.id,
        password,
        grants: [{ role: 'leader', org_id: gulou.id }],
        must_change_password: false,
      })
      const rank = await call('PATCH', `/users/${created.user.id}`, { cadre_rank: 'division' })
      assertEq(rank.status, 200, `cadre rank: ${JSON.stringify(rank.body)}`)
      await page.locator('[data-testid="logout"]').click()
      await page.waitForURL(/\/login/)
      await page.goto(`${BASE}/orgs/${gulou.id}/self-inspection`)
      await page.waitForURL(/\/login\?redirect=/)
      await page.locator('[data-testid="login-name"]').fill(name)
      await page.locator('[data-testid="login-password"]').fill(password)
      await page.locator('[data-testid="login-submit"]').click()
      await page.waitForURL(`**/orgs/${gulou.id}/self-inspection`)
      await page.locator('[data-testid="self-add"]').click()
      const d = await dialog(page, 'self-dialog')
      await field(d, 'self-problem').fill(`调查研究不够深入 ${stamp}`)
      await field(d, 'self-measures').fill('每季度下基层调研不少于 3 次')
      await field(d, 'self-deadline').fill('2099-12-31')
      await field(d, 'self-deadline').press('Enter')
      await field(d, 'self-position').fill('区委副书记')
      await d.locator('[data-testid="self-save"]').click()
      await waitRows(page, 'self-mine', 1)
      const rows = await tableRows(page, 'self-mine')
      assertEq(rows[0][0], `调查研究不够深入 ${stamp}`, 'the problem in my list')
      assertEq(rows[0][2], '2099-12-31', 'the deadline')
      const items = (await api(`/orgs/${gulou.id}/self-inspection-items?kind=personal`)).items.filter((i) => i.problem_text.endsWith(stamp))
      assertEq(items.length, 1, 'the item, seen by the root admin (a level above)')
      assertEq(items[0].owner_user_id, created.user.id, 'its owner')
      assertEq(items[0].leader_name, `王${stamp}`, 'the leader name (the display name)')

      await page.locator(`[data-testid="self-done-${items[0].id}"]`).click()
      const done = await dialog(page, 'self-dialog')
      await field(done, 'self-done-on').fill('2026-01-10')
      await field(done, 'self-done-on').press('Enter')
      await done.locator('[data-testid="self-save"]').click()
      await page.waitForFunction((id) => document.querySelector(`[data-testid="self-status-${id}"]`)?.textContent.trim() === '已完成', items[0].id, { timeout: TIMEOUT })
      const after = await api(`/self-inspection-items/${items[0].id}`)
      assertEq(after.status, 'done', 'status')
      assertEq(after.done_on, '2026-01-10', 'done on')
      await shot(page, 'self-inspection', { prefix: 'rectify-' })
    })

    await step('no page errors, no unexpected failed calls, no CSP violations', async () => {
      assertEq(JSON.stringify(pageErrors), '[]', 'page errors')
      assertEq(JSON.stringify(cspViolations), '[]', 'CSP violations')
    })
  } finally {
    await close({ context, userDir })
  }
}

runMain(main)
