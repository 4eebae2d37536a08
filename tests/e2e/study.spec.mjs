#!/usr/bin/env node
// Browser test of the 学习调研 screen (issue 12, docs/STUDY.md) against a running rectify server on the sample
// data (scripts/load-sample-data).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_USER=... E2E_PASSWORD=... E2E_TOKEN=... node tests/e2e/study.spec.mjs
//
// Needs `npm ci` in web/ (playwright-core) and Debian's chromium at /usr/bin/chromium (or $CHROMIUM).
// Opens A市's 学习调研 from the menu, records a study session with an attendance table of two names (one
// present) and sees it stored with 2 expected and 1 present (participation 1/2) and listed; records a
// research visit with one opinion heard and sees the visit stored with that opinion (channel research_visit,
// status received); the figures card shows the session and visit counts of GET /orgs/{id}/stats/study; the
// visit's detail lists the opinion; and the opinion is in the 群众意见 inbox. Fails on any page error,
// unexpected failed API call or CSP violation. Screenshots go to $E2E_OUT.
// The last line printed is "N passed, N failed"; the exit code is 1 on failure.

import {
  BASE, USER, PASSWORD, TOKEN, run, screenshots, step, assert, assertEq, finish, api,
  DESKTOP, launch, close, watchPage, logIn, shot, tableRows, field, dialog, TIMEOUT,
} from './lib/harness.mjs'

run.failurePrefix = 'rectify-study-failed'

const stamp = Date.now().toString(36)
const TOPIC = `学习贯彻主题教育精神 ${stamp}`
const PLACE = `A市某社区 ${stamp}`
const OPINION = `小区路灯长期不亮，夜间出行不便 ${stamp}`

async function main() {
  console.log(`rectify study e2e against ${BASE}`)
  if (!USER || !PASSWORD || !TOKEN) throw new Error('set E2E_USER, E2E_PASSWORD and E2E_TOKEN (scripts/test does)')
  const city = (await api(`/orgs?q=${encodeURIComponent('A市')}`)).items.find((o) => o.name === 'A市')
  assert(city, 'org A市 (scripts/load-sample-data loads it)')

  const browser = await launch(DESKTOP)
  const { page } = browser
  const { pageErrors, cspViolations } = watchPage(page)

  try {
    await step('log in and open 学习调研 from the menu', async () => {
      await logIn(page, `/orgs/${city.id}/dashboard`)
      await page.locator('[data-testid="nav-campaign-group"]').hover() // 群众意见 / 主题教育 hold it
      await page.locator('[data-testid="nav-study"]').click()
      await page.waitForURL(`**/orgs/${city.id}/study`)
      await page.locator('[data-testid="study-figures"] [data-testid="fig-sessions"]').waitFor()
    })

    await step('record a session with an attendance table: 2 expected, 1 present', async () => {
      await page.locator('[data-testid="new-session"]').click()
      const d = await dialog(page, 'session-dialog')
      await field(d, 'session-topic').fill(TOPIC)
      await field(d, 'attendee-name').fill('张三')
      await d.locator('[data-testid="add-attendee"]').click()
      await d.locator('input[data-testid="attendee-name"]').nth(1).fill('李四')
      await d.locator('[data-testid="attendee-present"]').nth(1).click()  // 李四 absent
      await page.waitForFunction(() => document.querySelector('[data-testid="attendance-counts"]')?.textContent.includes('应到 2 人，实到 1 人'))
      await shot(page, 'study-session-form')
      await d.locator('[data-testid="session-save"]').click()
      await d.waitFor({ state: 'hidden' })
      const stored = (await api(`/orgs/${city.id}/study-sessions?limit=500`)).items.find((s) => s.topic === TOPIC)
      assert(stored, `session "${TOPIC}" stored`)
      assertEq(stored.expected, 2, 'expected')
      assertEq(stored.present, 1, 'present')
      assertEq(stored.attendance.map((a) => `${a.name}:${a.present}`).join(','), '张三:true,李四:false', 'attendance')
      assertEq(stored.hours, 2, 'hours (the form default)')
      await page.waitForFunction((topic) => [...document.querySelectorAll('[data-testid="session-table"] .el-table__row')].some((tr) => tr.innerText.includes(topic)), TOPIC, { timeout: TIMEOUT })
      const row = (await tableRows(page, 'session-table')).find((cells) => cells.includes(TOPIC))
      assertEq(row[5], '1/2', 'attendance cell')
    })

    let visit
    await step('record a research visit with one opinion heard', async () => {
      await page.locator('[data-testid="new-visit"]').click()
      const d = await dialog(page, 'visit-dialog')
      await field(d, 'visit-visitors').fill('张书记，李主任')
      await field(d, 'visit-place').fill(PLACE)
      await field(d, 'visit-met').fill('居民代表 5 人')
      await field(d, 'visit-opinion-text').fill(OPINION)
      await d.locator('[data-testid="visit-save"]').click()
      await d.waitFor({ state: 'hidden' })
      const found = (await api(`/orgs/${city.id}/research-visits?limit=500`)).items.find((v) => v.place === PLACE)
      assert(found, `visit at ${PLACE} stored`)
      assertEq(found.visitors.join('、'), '张书记、李主任', 'visitors')
      visit = await api(`/research-visits/${found.id}`)
      assertEq(visit.opinions.length, 1, 'opinions heard')
      assertEq(visit.opinions[0].text, OPINION, 'opinion text')
      assertEq(visit.opinions[0].channel, 'research_visit', 'channel')
      assertEq(visit.opinions[0].status, 'received', 'status')
      assertEq(visit.opinions[0].org_id, city.id, 'routed to the visit\'s org')
    })

    await step('the figures card shows the counts of GET /orgs/{id}/stats/study', async () => {
      const today = new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)
      const stats = await api(`/orgs/${city.id}/stats/study?from=${today.slice(0, 4)}-01-01&to=${today}`)
      assert(stats.total.sessions >= 1 && stats.total.visits >= 1 && stats.total.opinions >= 1, 'the new records count')
      await page.waitForFunction(
        ({ s, v }) =>
          document.querySelector('[data-testid="fig-sessions"] .value')?.textContent.trim() === s &&
          document.querySelector('[data-testid="fig-visits"] .value')?.textContent.trim() === v,
        { s: String(stats.total.sessions), v: String(stats.total.visits) },
        { timeout: TIMEOUT },
      )
      const opinions = (await page.locator('[data-testid="fig-opinions"] .value').innerText()).trim()
      assertEq(opinions, String(stats.total.opinions), 'opinions heard')
      await shot(page, 'study-figures')
    })

    await step("the visit's detail lists the opinion heard", async () => {
      await page.locator('.el-tabs__item', { hasText: '调研走访' }).click()
      const row = page.locator('[data-testid="visit-table"] .el-table__row', { hasText: PLACE })
      await row.click()
      const drawer = page.locator('[data-testid="visit-opinion-table"]')
      await drawer.waitFor()
      await page.waitForFunction((text) => document.querySelector('[data-testid="visit-opinion-table"]')?.innerText.includes(text.slice(0, 10)), OPINION)
      await shot(page, 'study-visit-detail')
      await page.keyboard.press('Escape')
    })

    await step('the opinion is in the 群众意见 inbox', async () => {
      await page.goto(`${BASE}/orgs/${city.id}/opinions`)
      const id = String(visit.opinions[0].id)
      await page.waitForFunction(
        (id) => [...document.querySelectorAll('[data-testid="opinion-table"] .el-table__row')].some((tr) => tr.querySelector('td')?.innerText.trim() === id),
        id,
        { timeout: TIMEOUT },
      )
      const row = (await tableRows(page, 'opinion-table')).find((cells) => cells[0] === id)
      assert(row[1].startsWith(OPINION.slice(0, 10)), `title cell ${row[1]}`)
      await shot(page, 'study-opinion-inbox')
    })

    await step("the dashboard (领导驾驶舱) shows the subtree's study figures; a figure opens 学习调研", async () => {
      // No period on the dashboard: every session and visit of the subtree, as GET /stats/study without dates.
      const stats = await api(`/orgs/${city.id}/stats/study`)
      await page.goto(`${BASE}/orgs/${city.id}/dashboard`)
      await page.waitForFunction(
        ({ s, v }) =>
          document.querySelector('[data-testid="study-kf-sessions"] [data-role="value"]')?.textContent.trim() === s &&
          document.querySelector('[data-testid="study-kf-visits"] [data-role="value"]')?.textContent.trim() === v,
        { s: String(stats.total.sessions), v: String(stats.total.visits) },
        { timeout: TIMEOUT },
      )
      await shot(page, 'study-on-dashboard')
      await page.locator('[data-testid="study-kf-visits"]').click()
      await page.waitForURL(`**/orgs/${city.id}/study`)
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
