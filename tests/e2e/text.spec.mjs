#!/usr/bin/env node
// Browser test of the text-mining screens (issue 9) against a running rectify server on the real sample
// data (scripts/load-sample-data; scripts/test runs it after the other specs on the same database).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_USER=... E2E_PASSWORD=... E2E_TOKEN=... node tests/e2e/text.spec.mjs
//
// Needs `npm ci` in web/ (playwright-core) and Debian's chromium at /usr/bin/chromium (or $CHROMIUM).
// Finds the two 问政 messages of one user with the same title and text (留言编号 32835 and 39102, both to
// A市), opens the first one's detail: the suggestions panel lists the other as a possible duplicate at
// 100% (identical text, worked out here from the API's texts) and three suggested categories of the
// catalogue's top level; marks it a duplicate from the panel (confirm box) and sees the status 重复件 and
// the link in the record. Then A市's dashboard: the 热点问题 card over all time shows the same clusters,
// in the same order, as GET /orgs/{id}/hot-issues, with a chart. English labels after a language switch.
// Fails on any page error, unexpected failed API call or CSP violation. Screenshots go to $E2E_OUT.
// The last line printed is "N passed, N failed"; the exit code is 1 on failure.

import {
  BASE, USER, PASSWORD, TOKEN, run, screenshots, step, assert, assertEq, finish, api,
  DESKTOP, launch, close, watchPage, logIn, shot, tableRows, waitRows,
} from './lib/harness.mjs'

run.failurePrefix = 'rectify-text-failed'

const TITLE = '请求解决B6县农民工尘肺病群体免费医疗的问题'

async function main() {
  console.log(`rectify text e2e against ${BASE}`)
  if (!USER || !PASSWORD || !TOKEN) throw new Error('set E2E_USER, E2E_PASSWORD and E2E_TOKEN (scripts/test does)')
  const city = (await api(`/orgs?q=${encodeURIComponent('A市')}`)).items.find((o) => o.name === 'A市')
  assert(city, 'org A市 (scripts/load-sample-data loads it)')
  // The two opinions with TITLE, found by paging the city's opinions.
  const twins = []
  let cursor = ''
  do {
    const page = await api(`/opinions?org_id=${city.id}&limit=500${cursor ? `&cursor=${cursor}` : ''}`)
    twins.push(...page.items.filter((o) => o.title === TITLE))
    cursor = page.next_cursor || ''
  } while (cursor)
  assertEq(twins.length, 2, `opinions titled ${TITLE}`)
  twins.sort((a, b) => a.id - b.id)
  const [first, second] = twins
  assertEq(first.text, second.text, 'the two messages have the same text (so their similarity is 1)')
  const categories = await api('/categories')
  const topLevel = new Set(categories.items.filter((c) => c.parent_id === null).map((c) => c.name))
  const hot = await api(`/orgs/${city.id}/hot-issues?from=2000-01-01T00:00:00Z&limit=10`)

  const browser = await launch(DESKTOP)
  const { page } = browser
  const { pageErrors, cspViolations } = watchPage(page)

  try {
    await step('log in as the e2e admin', async () => {
      await logIn(page, `/orgs/${city.id}/opinions/${first.id}`)
    })

    await step(`opinion #${first.id}: #${second.id} suggested as a duplicate at 100%, three top-level categories`, async () => {
      await page.locator('[data-testid="suggested-duplicates"]').waitFor()
      const rows = await tableRows(page, 'suggested-duplicates')
      const row = rows.find((cells) => cells.some((c) => c.startsWith(`#${second.id} `)))
      assert(row, `a row for #${second.id} in ${JSON.stringify(rows)}`)
      assertEq(row[0], '意见', 'kind')
      assert(row.some((c) => c === '100%'), `similarity 100% in ${JSON.stringify(row)}`)
      const names = await page.$$eval('[data-testid="suggested-categories"] .cat-name', (els) => els.map((e) => e.textContent.trim()))
      assertEq(names.length, 3, 'suggested categories')
      for (const n of names) assert(topLevel.has(n), `${n} is a top-level category`)
      await shot(page, 'text-suggestions')
    })

    await step('mark it a duplicate from the panel: status 重复件, linked to the other opinion', async () => {
      const row = page.locator('[data-testid="suggested-duplicates"] .el-table__body tr.el-table__row', { hasText: `#${second.id} ` })
      await row.locator('[data-testid="suggest-duplicate"]').click()
      const box = page.locator('.el-message-box')
      await box.waitFor()
      assert((await box.innerText()).includes(`#${second.id}`), 'the confirm box names the other opinion')
      await box.locator('.el-button--primary').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="opinion-status"]')?.textContent.trim() === '重复件')
      const o = await api(`/opinions/${first.id}`)
      assertEq(o.status, 'duplicate', 'status')
      assertEq(o.duplicate_of_opinion_id, second.id, 'duplicate_of_opinion_id')
      assert((o.status_reason || '').includes('100'), `reason names the similarity: ${o.status_reason}`)
      // Decided: no more confirm buttons.
      assertEq(await page.locator('[data-testid="suggest-duplicate"]').count(), 0, 'confirm buttons after the decision')
    })

    await step(`dashboard of A市: 热点问题 over all time equal GET /orgs/${city.id}/hot-issues`, async () => {
      await page.goto(`${BASE}/orgs/${city.id}/dashboard`)
      const card = page.locator('[data-testid="hot-issues"]')
      await card.waitFor()
      await card.locator('[data-testid="hot-window"] label', { hasText: '全部' }).click()
      assert(hot.items.length > 0, 'the sample data has hot issues over all time')
      await waitRows(page, 'hot-table', hot.items.length)
      const rows = await tableRows(page, 'hot-table')
      rows.forEach((cells, i) => {
        const h = hot.items[i]
        assertEq(cells[1], h.title, `row ${i + 1} title`)
        assertEq(cells[2], String(h.people), `row ${i + 1} people`)
        assertEq(cells[3], String(h.size), `row ${i + 1} opinions`)
        assertEq(cells[4], String(h.likes), `row ${i + 1} likes`)
      })
      assertEq(await card.locator('canvas').count() > 0, true, 'a chart is drawn')
      await card.scrollIntoViewIfNeeded()
      await shot(page, 'text-hot-issues')
    })

    await step('English: the card and the panel speak English', async () => {
      await page.evaluate(() => localStorage.setItem('rectify.locale', 'en'))
      await page.reload()
      const card = page.locator('[data-testid="hot-issues"]')
      await card.waitFor()
      await page.waitForFunction(() => document.querySelector('[data-testid="hot-issues"] .el-card__header')?.innerText.includes('Hot issues'))
      await page.goto(`${BASE}/orgs/${city.id}/opinions/${second.id}`)
      await page.locator('[data-testid="opinion-suggestions"]').waitFor()
      await page.waitForFunction(() => document.querySelector('[data-testid="opinion-suggestions"] .el-card__header')?.innerText.includes('Suggestions'))
    })

    await step('no page errors, failed API calls or CSP violations', async () => {
      assertEq(pageErrors.length, 0, `page errors: ${pageErrors.join('; ')}`)
      assertEq(cspViolations.length, 0, `CSP: ${cspViolations.join('; ')}`)
    })
  } finally {
    await close(browser)
  }
  if (screenshots.length) console.log(`screenshots: ${screenshots.join(', ')}`)
  finish()
}

main().catch((e) => {
  console.log(`FAIL - ${e?.message || e}`)
  console.log(`${run.passed} passed, ${run.failed + 1} failed`)
  process.exit(1)
})
