#!/usr/bin/env node
// Browser test of the web UI against a running rectify server.
//
//   RECTIFY_URL=http://127.0.0.1:8080 node tests/e2e/dashboard.spec.mjs
//
// Needs `npm ci` in web/ (playwright-core comes from web/node_modules) and
// Debian's chromium at /usr/bin/chromium (or $CHROMIUM), and an account:
// E2E_USER and E2E_PASSWORD (logged in through the login page) and E2E_TOKEN (an
// API token of the same user, for the figures this script checks the UI against;
// scripts/test makes both). Logs in (after a wrong password), opens the dashboard,
// walks the org tree, checks the key figures against GET /api/v1/orgs/{id}/stats,
// clicks the category chart through to the problem list (names, total, page 2), opens a
// problem and its timeline, opens an opinion. Then on the real sample data: 福州市's
// dashboard (the cards against its stats: 835 closed, 771/835 on time, median 5 days; the districts'
// ranking; a district row, a category bar, the 已销号 slice, the 群众意见 source bar and the 超期 card
// open lists whose totals equal the figure clicked; the category filter reaches the cards, the ranking
// and the drill-down; 520 weeks of trend), its problem list (835), 仓山区 chosen in the org tree (511), the 超期 filter and the
// 整改时限 sort, an imported case's timeline; a new problem carried through plan, start,
// a refused submit (the server's message shown), a progress report with an uploaded
// file, submit, a return with its reason, a new report and resubmission, accept and
// close; A市's opinions inbox: accept as a new problem, decline,
// reply; 鼓楼区's 导出台账 (the CSV's rows equal the list's 41, the XLSX a zip, the filters in the links),
// a new 鼓楼区 problem escalated (提请上级) to 福州市 and accepted there (the owner changes), and a task of
// it issued (下发) to the county-level units (children and roll-up). Switches to English, logs out. Fails on any page error, unexpected failed API
// call or Content-Security-Policy violation. Screenshots go to $E2E_OUT (default /tmp),
// one per failed step too. Optional: E2E_ORG_ID picks the org to test; E2E_ONLY=fuzhou
// runs only the 福州市, workflow, inbox and linkage steps (on a fresh database: they change it).
// The last line printed is "N passed, N failed"; the exit code is 1 on failure.

import fs from 'node:fs'
import {
  BASE, TIMEOUT, USER, PASSWORD, TOKEN, step, assert, assertEq, runMain, api, count, percent as pct, ratio,
  DESKTOP, launch, close, watchPage, shot, field, dialog, tableRows, waitRows as waitRowsExplained,
} from './lib/harness.mjs'

// The figures as the UI must show them, worked out here from the stats
// (independently of the UI's own formatting code); count, pct and ratio come from the harness.
const wholeDays = (d) => (d === null || d === undefined ? '—' : String(d))
const rateWith = (r) => `${pct(r.rate)} · ${ratio(r)}`

async function figure(page, key) {
  const card = page.locator(`[data-testid="kf-${key}"]`)
  return {
    value: (await card.locator('[data-role="value"]').innerText()).trim(),
    hint: (await card.locator('[data-role="hint"]').innerText()).replace(/\u00a0/g, '').trim(),
  }
}

async function checkFigures(page, stats) {
  await page.locator('[data-testid="kf-problems"] [data-role="value"]').waitFor({ timeout: TIMEOUT })
  // The cards re-render when the stats arrive: wait for the expected counts.
  await page.waitForFunction(
    (want) =>
      want.every(([k, v]) => document.querySelector(`[data-testid="kf-${k}"] [data-role="value"]`)?.textContent.trim() === v),
    [
      ['problems', count(stats.problems)],
      ['closed', count(stats.closed)],
      ['overdue', count(stats.overdue)],
    ],
    { timeout: TIMEOUT },
  ).catch(() => {}) // the assertions below say what differs
  const f = {}
  for (const k of ['problems', 'closed', 'on-time', 'overdue', 'due-soon', 'median', 'opinions', 'replied', 'satisfaction', 'stalled', 'escalated-up', 'cascaded']) {
    f[k] = await figure(page, k)
  }
  assertEq(f.problems.value, count(stats.problems), '问题总数')
  assert(f.problems.hint.includes(count(stats.open)), `问题总数 hint names the ${stats.open} open: "${f.problems.hint}"`)
  assertEq(f.closed.value, count(stats.closed), '已销号')
  assertEq(f.closed.hint, rateWith(stats.completion), '销号率 with numerator/denominator')
  assertEq(f['on-time'].value, pct(stats.closed_on_time.rate), '按期销号率')
  assertEq(f['on-time'].hint, ratio(stats.closed_on_time), '按期销号率 numerator/denominator')
  assertEq(f.overdue.value, count(stats.overdue), '超期')
  assertEq(f.overdue.hint, rateWith(stats.overdue_rate), '超期 rate with numerator/denominator')
  assertEq(f['due-soon'].value, count(stats.due_soon), '临期')
  assertEq(f.median.value, wholeDays(stats.median_days_to_close), '办结天数 median')
  assert(f.median.hint.includes(`P90`) && f.median.hint.includes(wholeDays(stats.p90_days_to_close)), `P90 in "${f.median.hint}"`)
  assertEq(f.opinions.value, count(stats.opinions), '群众意见数')
  assertEq(f.replied.value, pct(stats.opinions_replied.rate), '答复率')
  assertEq(f.replied.hint, ratio(stats.opinions_replied), '答复率 numerator/denominator')
  assertEq(f.satisfaction.value, pct(stats.satisfaction.rate), '满意率')
  assertEq(f.satisfaction.hint, ratio(stats.satisfaction), '满意率 numerator/denominator')
  assertEq(f.stalled.value, count(stats.stalled), '停滞任务')
  assert(f.stalled.hint.includes(String(stats.stalled_days)), `停滞任务 hint names ${stats.stalled_days} days: "${f.stalled.hint}"`)
  assertEq(f['escalated-up'].value, count(stats.escalated_up), '下题上答')
  assertEq(f.cascaded.value, count(stats.cascaded_down), '上题下答')
  assert(f.cascaded.hint.includes(count(stats.cascaded_in)), `承接上级 ${stats.cascaded_in} in "${f.cascaded.hint}"`)
}

// This spec's waitRows fails with Playwright's own timeout error.
const waitRows = (page, testid, n) => waitRowsExplained(page, testid, n, { explain: false })

async function waitText(page, testid, want) {
  await page.waitForFunction(
    ({ testid, want }) => document.querySelector(`[data-testid="${testid}"]`)?.innerText.trim() === want,
    { testid, want },
    { timeout: TIMEOUT },
  ).catch(async (e) => {
    const got = await page.locator(`[data-testid="${testid}"]`).first().innerText().catch(() => '(missing)')
    throw new Error(`${testid}: expected "${want}", got "${got}" (${e.message.split('\n')[0]})`)
  })
}

async function waitFirstRow(page, testid, id) {
  await page.waitForFunction(
    ({ testid, id }) =>
      document.querySelector(`[data-testid="${testid}"] .el-table__body tr.el-table__row td:not(.el-table-column--selection)`)?.innerText.trim() === String(id) &&
      !document.querySelector(`[data-testid="${testid}"] .el-loading-mask`),
    { testid, id },
    { timeout: TIMEOUT },
  )
}

async function waitCount(page, selector, n) {
  await page.waitForFunction(({ selector, n }) => document.querySelectorAll(selector).length === n, { selector, n }, { timeout: TIMEOUT })
    .catch(async (e) => {
      const got = await page.$$eval(selector, (els) => els.length)
      throw new Error(`${selector}: expected ${n}, got ${got} (${e.message.split('\n')[0]})`)
    })
}

// Clicks a data item of a chart (found through the chart's own coordinate system) and waits for the
// URL the click leads to: the middle of a horizontal bar whose data item has `key` = `value`, or the
// middle of a pie slice. The charts animate after each render, so retry until the click lands.
async function clickChart(page, testid, key, value, want) {
  const sel = `[data-testid="${testid}"] .echart`
  const deadline = Date.now() + TIMEOUT
  await page.locator(sel).waitFor({ timeout: TIMEOUT }) // drawn once the stats arrive
  // Back from another page the window may be scrolled away from the chart: bring it into view.
  await page.$eval(sel, (el) => el.scrollIntoView({ block: 'center' }))
  await page.waitForTimeout(1000)
  for (;;) {
    const point = await page.$eval(
      sel,
      (el, { key, value }) => {
        el.scrollIntoView({ block: 'center' })
        const chart = el.__echart
        const series = chart.getOption().series[0]
        const i = series.data.findIndex((d) => d[key] === value)
        if (i < 0) return null
        const r = el.getBoundingClientRect()
        if (series.type === 'pie') {
          const l = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(i)
          const mid = (l.startAngle + l.endAngle) / 2
          const rr = (l.r + l.r0) / 2
          return { x: r.left + l.cx + rr * Math.cos(mid), y: r.top + l.cy + rr * Math.sin(mid) }
        }
        const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [series.data[i].value / 2, i])
        return { x: r.left + x, y: r.top + y }
      },
      { key, value },
    )
    assert(point, `${key} ${value} is in the chart ${testid}`)
    await page.mouse.click(point.x, point.y)
    try {
      await page.waitForURL(want, { timeout: 1500 })
      return
    } catch (e) {
      if (Date.now() > deadline) throw e
    }
  }
}
const clickCategoryBar = (page, categoryId, want) => clickChart(page, 'category-chart', 'categoryId', categoryId, want)

// Refusals the test provokes on purpose: {status, path} each expected once.
const expectedRefusals = []

// The real sample data: 福州市 (org 16 after scripts/load-sample-data) holds the 835 closed problems of
// the Fuzhou 12345 river complaints file, by district.
const FUZHOU = { id: 16, name: '福州市', problems: 835 }
const DISTRICTS = { 仓山区: 511, 晋安区: 156, 台江区: 122, 鼓楼区: 41, 马尾区: 5 }

async function selectOption(page, testid, text) {
  await page.locator(`[data-testid="${testid}"]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

async function taskStatus(page, taskId, want) {
  await page.waitForFunction(
    ({ taskId, want }) =>
      document.querySelector(`[data-testid="task-${taskId}"] [data-testid="task-status"]`)?.innerText.trim() === want,
    { taskId, want },
    { timeout: TIMEOUT },
  ).catch(async (e) => {
    const got = await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-status"]`).innerText().catch(() => '(missing)')
    throw new Error(`task ${taskId} status: expected ${want}, got ${got} (${e.message.split('\n')[0]})`)
  })
}

// 福州市's dashboard on the sample data (before the workflow steps add a problem there): the cards
// show the API's figures and the known totals of the Fuzhou 12345 file; a district's row and a
// category bar open problem lists whose totals equal the figure clicked; the filters reach the stats
// and the drill-down; the trend's weeks are selectable.
async function fuzhouDashboardSteps(page) {
  const rowOf = (name) =>
    page.locator('[data-testid="children-table"] .el-table__body tr.el-table__row').filter({ hasText: name }).first()
  // Columns of the ranking table: #, 单位, 问题数, 已销号, 销号率, 按期销号率, 超期, 中位数, P90, 群众意见, 答复率.
  const COL = { name: 1, problems: 2, closed: 3, completion: 4, onTime: 5, overdue: 6, median: 7, p90: 8 }
  let stats
  let kids
  await step(`dashboard of ${FUZHOU.name}: the cards show GET /orgs/${FUZHOU.id}/stats (835 closed, 771/835 on time, median 5 days)`, async () => {
    stats = await api(`/orgs/${FUZHOU.id}/stats`)
    assertEq(stats.problems, FUZHOU.problems, 'problems of 福州市')
    assertEq(stats.closed, FUZHOU.problems, 'closed')
    assertEq(ratio(stats.closed_on_time), '771/835', 'closed on time within the 15-day deadline')
    assertEq(stats.median_days_to_close, 5, 'median days to close')
    assertEq(ratio(stats.completion), '835/835', 'completion')
    await page.goto(`${BASE}/orgs/${FUZHOU.id}/dashboard`)
    await checkFigures(page, stats)
    assertEq((await figure(page, 'on-time')).hint, '771/835', '按期销号率 shows 771/835')
    assertEq((await figure(page, 'median')).value, '5', '办结天数 shows 5')
  })

  await step(`ranking of ${FUZHOU.name}'s districts: problems, completion, overdue and P90 equal /stats/children`, async () => {
    kids = (await api(`/orgs/${FUZHOU.id}/stats/children`)).items || []
    for (const [name, n] of Object.entries(DISTRICTS)) {
      assertEq(kids.find((k) => k.org.name === name)?.problems, n, `problems of ${name} in /stats/children`)
    }
    await waitRows(page, 'children-table', kids.length)
    const rows = await tableRows(page, 'children-table')
    for (const k of kids) {
      const r = rows.find((x) => x[COL.name] === k.org.name)
      assert(r, `a row for ${k.org.name}`)
      assertEq(r[COL.problems], count(k.problems), `${k.org.name} problems`)
      assertEq(r[COL.completion], k.completion.denominator ? `${pct(k.completion.rate)} (${ratio(k.completion)})` : '— (0/0)', `${k.org.name} completion`)
      assertEq(r[COL.overdue].replace(/\s+/g, " "), `${count(k.overdue)} ${pct(k.overdue_rate.rate)}`, `${k.org.name} overdue with its rate`)
      assertEq(r[COL.p90], wholeDays(k.p90_days_to_close), `${k.org.name} P90`)
    }
    // Ranked by problems: 仓山区 (511) first.
    assertEq(rows[0][COL.name], '仓山区', 'first row')
    // Sorting by P90 (descending: click twice) puts the largest P90 first.
    const header = page.locator('[data-testid="children-table"] th', { hasText: 'P90' }).locator('.cell')
    await header.click()
    await header.click()
    const byP90 = [...kids].sort((a, b) => (b.p90_days_to_close ?? -1) - (a.p90_days_to_close ?? -1))
    await page.waitForFunction(
      ({ want, col }) =>
        document.querySelector('[data-testid="children-table"] .el-table__body tr.el-table__row')?.querySelectorAll('td')[col]
          ?.innerText.trim() === want,
      { want: wholeDays(byP90[0].p90_days_to_close), col: COL.p90 },
      { timeout: TIMEOUT },
    )
  })

  await step(`clicking 晋安区's row opens its problem list with the total of the row (${DISTRICTS['晋安区']})`, async () => {
    const kid = kids.find((k) => k.org.name === '晋安区')
    await rowOf('晋安区').locator('td').nth(COL.problems).click()
    await page.waitForURL(`**/orgs/${kid.org.id}/problems`)
    await waitText(page, 'problem-count', `共 ${count(kid.problems)} 条`)
    assertEq(kid.problems, DISTRICTS['晋安区'], '晋安区 problems')
    await page.goBack()
    await page.waitForURL(`**/orgs/${FUZHOU.id}/dashboard`)
    await checkFigures(page, stats)
  })

  const top = [...(stats?.by_category || [])].filter((c) => c.category_id !== null && c.count > 0).sort((a, b) => b.count - a.count)[0]
  if (top) {
    await step(`clicking the category bar "${top.path}" (${top.count}) opens a list of ${top.count} problems`, async () => {
      await page.locator('[data-testid="category-chart"] canvas').first().waitFor()
      await clickCategoryBar(page, top.category_id, new RegExp(`/orgs/${FUZHOU.id}/problems\\?.*category_id=${top.category_id}`))
      await waitText(page, 'problem-count', `共 ${count(top.count)} 条`)
      assertEq((await api(`/problems?org_id=${FUZHOU.id}&category_id=${top.category_id}&limit=1&total=true`)).total, top.count, 'API total')
      await page.goBack()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/dashboard`)
    })

    await step(`the category filter "${top.path}" reaches the cards, the ranking and a row's drill-down`, async () => {
      const filtered = await api(`/orgs/${FUZHOU.id}/stats?category_id=${top.category_id}`)
      const fkids = (await api(`/orgs/${FUZHOU.id}/stats/children?category_id=${top.category_id}`)).items || []
      assertEq(filtered.problems, top.count, 'filtered problems = the bar')
      await selectOption(page, 'dash-filter-category', top.path)
      await page.waitForURL(new RegExp(`/orgs/${FUZHOU.id}/dashboard\\?.*category_id=${top.category_id}`))
      await checkFigures(page, filtered)
      const kid = [...fkids].sort((a, b) => b.problems - a.problems)[0]
      await page.waitForFunction(
        ({ name, want, col }) =>
          [...document.querySelectorAll('[data-testid="children-table"] .el-table__body tr.el-table__row')]
            .find((tr) => tr.querySelectorAll('td')[1]?.innerText.trim() === name)
            ?.querySelectorAll('td')[col]?.innerText.trim() === want,
        { name: kid.org.name, want: count(kid.problems), col: COL.problems },
        { timeout: TIMEOUT },
      )
      await rowOf(kid.org.name).locator('td').nth(COL.closed).click()
      await page.waitForURL(new RegExp(`/orgs/${kid.org.id}/problems\\?.*category_id=${top.category_id}`))
      await waitText(page, 'problem-count', `共 ${count(kid.problems)} 条`)
      await page.goBack()
      await page.waitForURL(/category_id=/)
      // Cleared again: the whole figures.
      await page.locator('[data-testid="dash-filter-category"]').hover()
      await page.locator('[data-testid="dash-filter-category"] .el-select__clear').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/dashboard`)
      await checkFigures(page, stats)
    })
  }

  await step('the 已销号 slice of the status donut opens the closed problems, as many as the slice', async () => {
    await clickChart(page, 'status-chart', 'status', 'closed', new RegExp(`/orgs/${FUZHOU.id}/problems\\?status=closed$`))
    await waitText(page, 'problem-count', `共 ${count(stats.by_status.closed)} 条`)
    await page.goBack()
    await page.waitForURL(`**/orgs/${FUZHOU.id}/dashboard`)
  })

  await step('the 群众意见 bar of the sources opens the problems from public opinions, as many as the bar', async () => {
    const n = stats.by_source.public_opinion
    assertEq(n, FUZHOU.problems, 'every Fuzhou problem comes from a public opinion')
    await clickChart(page, 'source-chart', 'source', 'public_opinion', new RegExp(`/orgs/${FUZHOU.id}/problems\\?source=public_opinion$`))
    await waitText(page, 'problem-count', `共 ${count(n)} 条`)
    await page.goBack()
    await page.waitForURL(`**/orgs/${FUZHOU.id}/dashboard`)
  })

  await step('the 超期 card opens the open problems past their deadline: as many as the card, not those closed late', async () => {
    const late = (await api(`/problems?org_id=${FUZHOU.id}&overdue=true&limit=1&total=true`)).total
    assertEq(late, stats.closed_on_time.denominator - stats.closed_on_time.numerator, 'closed late (the list\'s overdue=true alone)')
    await page.locator('[data-testid="kf-overdue"]').click()
    await page.waitForURL(new RegExp(`/orgs/${FUZHOU.id}/problems\\?.*overdue=true`))
    await waitText(page, 'problem-count', `共 ${count(stats.overdue)} 条`)
    await page.goBack()
    await page.waitForURL(`**/orgs/${FUZHOU.id}/dashboard`)
  })

  await step('the weekly trend shows the weeks asked for (520: the whole Fuzhou file)', async () => {
    const wide = await api(`/orgs/${FUZHOU.id}/stats?weeks=520`)
    const sum = (k) => wide.weekly.reduce((a, w) => a + w[k], 0)
    await page.locator('[data-testid="trend-weeks"]').getByText('520', { exact: false }).click()
    await page.waitForURL(/weeks=520/)
    await waitText(page, 'trend-totals', `新增 ${count(sum('created'))} · 销号 ${count(sum('closed'))}`)
    const points = await page.$eval('[data-testid="trend-chart"] .echart', (el) => el.__echart.getOption().xAxis[0].data.length)
    assertEq(points, wide.weekly.length, 'weeks in the chart')
    console.log(`     screenshot: ${await shot(page, 'dashboard-fuzhou')}`)
  })
}

async function fuzhouSteps(page) {
  const fz = await api(`/orgs/${FUZHOU.id}`)
  const kids = (await api(`/orgs/${FUZHOU.id}/children`)).items || []
  const district = kids.find((k) => k.name === '仓山区')

  await step(`problem list of ${FUZHOU.name}: ${FUZHOU.problems} problems with org and category names`, async () => {
    assertEq(fz.name, FUZHOU.name, `org ${FUZHOU.id}`)
    for (const [name, n] of Object.entries(DISTRICTS)) {
      const k = kids.find((x) => x.name === name)
      assert(k, `${name} is a child of ${FUZHOU.name}`)
      assertEq((await api(`/problems?org_id=${k.id}&limit=1&total=true`)).total, n, `problems of ${name}`)
    }
    const list = await api(`/problems?org_id=${FUZHOU.id}&limit=50&total=true`)
    assertEq(list.total, FUZHOU.problems, 'API total')
    await page.goto(`${BASE}/orgs/${FUZHOU.id}/problems`)
    await waitText(page, 'problem-count', `共 ${count(FUZHOU.problems)} 条`)
    await waitRows(page, 'problem-table', 50)
    const rows = await tableRows(page, 'problem-table')
    assertEq(rows[0][0], String(list.items[0].id), 'first row')
    assertEq(rows[0][4], list.items[0].category_path, 'category path shown, not an id')
    assertEq(rows[0][5], list.items[0].owner_name, 'owner name shown, not an id')
    assert(!/^#\d+$/.test(rows[0][5]), 'owner is a name')
  })

  await step(`choosing ${district?.name} in the org tree keeps the list and shows its ${DISTRICTS['仓山区']} problems`, async () => {
    const tree = page.locator('[data-testid="org-tree"]')
    await tree.getByText(district.name, { exact: true }).click()
    await page.waitForURL(`**/orgs/${district.id}/problems`)
    await waitText(page, 'problem-count', `共 ${DISTRICTS['仓山区']} 条`)
    const crumb = await page.locator('[data-testid="breadcrumb"]').innerText()
    assert(crumb.includes(FUZHOU.name) && crumb.includes(district.name), `breadcrumb: ${crumb}`)
    const list = await api(`/problems?org_id=${district.id}&limit=50`)
    await waitFirstRow(page, 'problem-table', list.items[0].id)
    const owners = new Set((await tableRows(page, 'problem-table')).map((r) => r[5]))
    assertEq([...owners].join(), [...new Set(list.items.map((p) => p.owner_name))].join(), 'owners of the rows')
  })

  let sorted
  await step('filter 超期 and sort by 整改时限 equal the API', async () => {
    const overdue = await api(`/problems?org_id=${district.id}&overdue=true&limit=50&total=true`)
    await selectOption(page, 'filter-overdue', '已超期')
    await page.waitForURL(/overdue=true/)
    await waitText(page, 'problem-count', `共 ${count(overdue.total)} 条`)
    sorted = await api(`/problems?org_id=${district.id}&overdue=true&sort=due_at&limit=50`)
    await page.locator('[data-testid="problem-table"] th', { hasText: '整改时限' }).locator('.cell').click()
    await page.waitForURL(/sort=due_at/)
    if (sorted.items.length) await waitFirstRow(page, 'problem-table', sorted.items[0].id)
    console.log(`     screenshot: ${await shot(page, 'problems-fuzhou-filtered')}`)
  })

  if (sorted?.items.length) {
    await step('a filtered problem opens with its full timeline, imported dates marked 历史', async () => {
      const first = sorted.items[0]
      const timeline = (await api(`/problems/${first.id}/timeline`)).items
      await page.locator('[data-testid="problem-table"] .el-table__body tr.el-table__row').first().click()
      await page.waitForURL(`**/orgs/${district.id}/problems/${first.id}`)
      await waitCount(page, '[data-testid="problem-timeline"] .el-timeline-item', timeline.length)
      const historical = timeline.filter((e) => e.historical).length
      assert(historical > 0, 'an imported case has historical entries')
      const text = await page.locator('[data-testid="problem-timeline"]').innerText()
      assertEq((text.match(/历史/g) || []).length, historical, '历史 tags')
      assert(text.includes('登记') && text.includes('办结'), 'registered and closed dates shown')
      // A closed problem offers reopening, and no planning.
      await page.locator('[data-testid="action-reopen"]').waitFor()
      assertEq(await page.locator('[data-testid="action-plan"]').count(), 0, 'no 制定整改措施 on a closed problem')
    })
  }

  // ---- a problem carried through its life in the browser
  const title = `河道垃圾清理（e2e ${new Date().toISOString().slice(0, 19)}）`
  let problemId
  let taskId
  await step('登记问题: a new problem of 福州市 opens with status 已登记', async () => {
    await page.goto(`${BASE}/orgs/${FUZHOU.id}/problems`)
    await page.locator('[data-testid="new-problem"]').click()
    const d = await dialog(page, 'new-problem-dialog')
    await field(d, 'np-title').fill(title)
    await field(d, 'np-description').fill('闽江沿岸垃圾堆积，群众多次反映。')
    await d.locator('[data-testid="np-save"]').click()
    await page.waitForURL(/\/orgs\/16\/problems\/\d+$/)
    problemId = Number(page.url().match(/problems\/(\d+)$/)[1])
    await waitText(page, 'problem-title', title)
    await waitText(page, 'problem-status', '已登记')
    const p = await api(`/problems/${problemId}`)
    assertEq(p.owner_org_id, FUZHOU.id, 'owner')
    assertEq(p.status, 'registered', 'API status')
  })

  await step('制定整改措施: a planned task shows 待整改, the problem 已制定措施', async () => {
    await page.locator('[data-testid="action-plan"]').click()
    const d = await dialog(page, 'plan-dialog')
    await field(d, 'plan-title').fill('组织清理闽江沿岸垃圾')
    await field(d, 'plan-person').fill('王五')
    const due = field(d, 'plan-due')
    await due.fill('2030-12-31')
    await due.press('Enter')
    await d.locator('[data-testid="plan-save"]').click()
    await d.waitFor({ state: 'hidden' })
    const tasks = (await api(`/problems/${problemId}/tasks`)).items
    assertEq(tasks.length, 1, 'one task')
    taskId = tasks[0].id
    assertEq(tasks[0].due_at?.slice(0, 10), '2030-12-31', 'deadline')
    await taskStatus(page, taskId, '待整改')
    await waitText(page, 'problem-status', '已制定措施')
  })

  await step('开始整改, then 申请销号 without a report: the server refuses and the UI shows its message', async () => {
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-start"]`).click()
    await taskStatus(page, taskId, '整改中')
    await waitText(page, 'problem-status', '整改中')
    expectedRefusals.push({ status: 409, path: `/api/v1/tasks/${taskId}/submit` })
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-submit"]`).click()
    await page.locator('[data-testid="action-error"]').waitFor()
    const shown = await page.locator('[data-testid="action-error"]').innerText()
    const res = await fetch(`${BASE}/api/v1/tasks/${taskId}/submit`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } })
    const body = await res.json()
    assertEq(res.status, 409, 'submit without a report')
    assert(shown.includes(body.error.message), `the server's message "${body.error.message}" shown: "${shown}"`)
    await taskStatus(page, taskId, '整改中')
  })

  await step('报送进展 with an evidence file: the report, its file and 100% are shown', async () => {
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-report"]`).click()
    const d = await dialog(page, 'report-dialog')
    await field(d, 'report-text').fill('已组织清理，沿岸垃圾全部清运。')
    await d.locator('[data-testid="report-percent"] .el-input-number input').fill('100')
    await d.locator('[data-testid="report-percent"] .el-input-number input').press('Tab')
    await d.locator('[data-testid="report-files"]').setInputFiles({
      name: '清理记录.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('2030-01-05 清运垃圾 3 车\n', 'utf8'),
    })
    await d.locator('[data-testid="report-file-list"]').getByText('清理记录.txt').waitFor()
    await d.locator('[data-testid="report-save"]').click()
    await d.waitFor({ state: 'hidden' })
    const card = page.locator(`[data-testid="task-${taskId}"]`)
    await card.locator('[data-testid="report-entry"]').first().waitFor()
    const link = card.locator('[data-testid="evidence-link"]', { hasText: '清理记录.txt' })
    await link.waitFor()
    const reports = (await api(`/tasks/${taskId}/reports`)).items
    assertEq(reports.length, 1, 'one report')
    assertEq(reports[0].percent, 100, 'percent')
    assertEq(reports[0].evidence_ids.length, 1, 'the report names its file')
    // The link downloads the file with the session cookie.
    const href = await link.getAttribute('href')
    const got = await page.evaluate(async (u) => (await fetch(u)).text(), href)
    assertEq(got, '2030-01-05 清运垃圾 3 车\n', 'evidence content')
    await page.waitForFunction(
      (id) => document.querySelector(`[data-testid="task-${id}"] [data-testid="task-progress"]`)?.innerText.includes('100%'),
      taskId,
    )
  })

  await step('申请销号: the task shows 已申请销号 and the problem 待验收', async () => {
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-submit"]`).click()
    await taskStatus(page, taskId, '已申请销号')
    await waitText(page, 'problem-status', '待验收')
    assertEq((await api(`/problems/${problemId}`)).status, 'pending_verification', 'API status')
  })

  await step('退回 with a reason: the task shows 已退回 and the reason, the problem 整改中; reported again and resubmitted', async () => {
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-return"]`).click()
    const d = await dialog(page, 'return-dialog')
    await field(d, 'return-text').fill('请补充清理后的现场照片')
    await d.locator('[data-testid="return-save"]').click()
    await d.waitFor({ state: 'hidden' })
    await taskStatus(page, taskId, '已退回')
    await waitText(page, 'problem-status', '整改中')
    await page.locator(`[data-testid="task-${taskId}"]`).getByText('请补充清理后的现场照片').waitFor()
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-report"]`).click()
    const r = await dialog(page, 'report-dialog')
    await field(r, 'report-text').fill('已补充现场照片。')
    await r.locator('[data-testid="report-save"]').click()
    await r.waitFor({ state: 'hidden' })
    await taskStatus(page, taskId, '整改中')
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-submit"]`).click()
    await taskStatus(page, taskId, '已申请销号')
    await waitText(page, 'problem-status', '待验收')
  })

  await step('验收通过 by the level above, then 销号: the problem shows 已销号 and its timeline the steps', async () => {
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-accept"]`).click()
    const d = await dialog(page, 'accept-dialog')
    await field(d, 'accept-text').fill('现场核查属实')
    await d.locator('[data-testid="accept-save"]').click()
    await d.waitFor({ state: 'hidden' })
    await taskStatus(page, taskId, '已验收')
    await page.locator('[data-testid="action-close"]').click()
    await waitText(page, 'problem-status', '已销号')
    const timeline = (await api(`/problems/${problemId}/timeline`)).items
    assertEq(
      timeline.filter((e) => ['create', 'start', 'report', 'attach_evidence', 'submit', 'accept', 'close'].includes(e.action)).length >= 7,
      true,
      `timeline actions: ${timeline.map((e) => e.action).join(',')}`,
    )
    await waitCount(page, '[data-testid="problem-timeline"] .el-timeline-item', timeline.length)
    for (const a of ['submit', 'accept', 'close']) {
      assert(await page.locator(`[data-testid="problem-timeline"] .el-timeline-item[data-action="${a}"]`).count(), `timeline shows ${a}`)
    }
    console.log(`     screenshot: ${await shot(page, 'problem-workflow')}`)
  })
}

// The opinions inbox of A市 (the masked city of the 问政 messages, all received with their replies):
// accept one as a new problem, decline another with a reason, reply to a third.
// A CSV file's records (RFC 4180: quoted cells may hold commas, quotes and line breaks).
function csvRecords(text) {
  const rows = []
  let row = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(cell), (cell = '')
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(cell), rows.push(row), (row = []), (cell = '')
    } else cell += c
  }
  if (cell !== '' || row.length) row.push(cell), rows.push(row)
  return rows.filter((r) => r.some((x) => x !== ''))
}

// 台账 and 上下联动 on 鼓楼区 (a district of 福州市, 41 problems from the Fuzhou 12345 file): the export
// downloads the list with its filters; a new problem of 鼓楼区 is escalated to 福州市, accepted there,
// and the detail page shows the new owner.
async function linkageSteps(page) {
  const kids = (await api(`/orgs/${FUZHOU.id}/children`)).items || []
  const gulou = kids.find((k) => k.name === '鼓楼区')

  await step(`导出台账 of ${gulou?.name}: the CSV has as many rows as the list's total (${DISTRICTS['鼓楼区']})`, async () => {
    assert(gulou, '鼓楼区 is a child of 福州市')
    const total = (await api(`/problems?org_id=${gulou.id}&limit=1&total=true`)).total
    assertEq(total, DISTRICTS['鼓楼区'], 'problems of 鼓楼区')
    await page.goto(`${BASE}/orgs/${gulou.id}/problems`)
    await waitText(page, 'problem-count', `共 ${count(total)} 条`)
    await page.locator('[data-testid="ledger-export-button"]').click()
    await page.locator('[data-testid="ledger-panel"]').waitFor()
    const link = page.locator('[data-testid="ledger-problems-csv"]')
    await link.waitFor()
    const href = await link.getAttribute('href')
    assert(href.includes(`org_id=${gulou.id}`) && href.includes('list=problems') && href.includes('format=csv'), `link: ${href}`)
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    assert(/^问题清单.*\.csv$/.test(download.suggestedFilename()), `file name: ${download.suggestedFilename()}`)
    const text = fs.readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '')
    const records = csvRecords(text)
    // The first record is the title (scope, export time), the second the header.
    assertEq(records[1][0], '序号', 'header')
    assertEq(records.length - 2, total, 'data rows of the CSV')
    assertEq(records[records.length - 1][0], String(total), 'last 序号')
    // The XLSX link answers a zip (PK) with the same filters.
    const xhref = await page.locator('[data-testid="ledger-problems-xlsx"]').getAttribute('href')
    const head = await page.evaluate(async (u) => {
      const r = await fetch(u)
      const b = new Uint8Array(await r.arrayBuffer())
      return { status: r.status, magic: String.fromCharCode(b[0], b[1]), cd: r.headers.get('content-disposition') }
    }, xhref)
    assertEq(head.status, 200, 'xlsx status')
    assertEq(head.magic, 'PK', 'xlsx is a zip')
    assert(/attachment/.test(head.cd || ''), `content-disposition: ${head.cd}`)
  })

  await step('the 超期 filter reaches the export: the task ledger of 鼓楼区 follows the list', async () => {
    await selectOption(page, 'filter-overdue', '已超期')
    await page.waitForURL(/overdue=true/)
    // The links follow the filters at once (the panel stays open).
    await page.waitForFunction(() => document.querySelector('[data-testid="ledger-tasks-csv"]')?.getAttribute('href').includes('overdue=true'))
    const href = await page.locator('[data-testid="ledger-tasks-csv"]').getAttribute('href')
    assert(href.includes('overdue=true') && href.includes('list=tasks'), `link: ${href}`)
    const res = await page.evaluate(async (u) => {
      const r = await fetch(u)
      return { status: r.status, text: await r.text() }
    }, href)
    assertEq(res.status, 200, 'task ledger status')
    assertEq(csvRecords(res.text.replace(/^\uFEFF/, ''))[1][1], '问题编号', 'task ledger header')
  })

  const title = `鼓楼区积水点整治（e2e ${new Date().toISOString().slice(0, 19)}）`
  let problemId
  await step(`提请上级: a new problem of ${gulou?.name} escalated to ${FUZHOU.name}`, async () => {
    await page.goto(`${BASE}/orgs/${gulou.id}/problems`)
    await page.locator('[data-testid="new-problem"]').click()
    const d = await dialog(page, 'new-problem-dialog')
    await field(d, 'np-title').fill(title)
    await field(d, 'np-description').fill('道路积水源于市政主干管网，需市级统筹。')
    await d.locator('[data-testid="np-save"]').click()
    await page.waitForURL(new RegExp(`/orgs/${gulou.id}/problems/\\d+$`))
    problemId = Number(page.url().match(/problems\/(\d+)$/)[1])
    await waitText(page, 'problem-title', title)
    await waitText(page, 'problem-owner', gulou.name)
    await page.locator('[data-testid="linkage-section"]').waitFor()
    await page.locator('[data-testid="linkage-escalate"]').click()
    const e = await dialog(page, 'escalate-dialog')
    await e.locator('[data-testid="escalate-to"]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: FUZHOU.name }).first().click()
    await field(e, 'escalate-reason').fill('根源在市级管网')
    await e.locator('[data-testid="escalate-save"]').click()
    await e.waitFor({ state: 'hidden' })
    const esc = (await api(`/problems/${problemId}/escalations`)).items
    assertEq(esc.length, 1, 'one escalation')
    assertEq(esc[0].to_org_id, FUZHOU.id, 'to 福州市')
    assertEq(esc[0].status, 'pending', 'pending')
    const row = page.locator(`[data-testid="escalation-${esc[0].id}"]`)
    await row.waitFor()
    const text = await row.innerText()
    assert(text.includes(gulou.name) && text.includes(FUZHOU.name) && text.includes('待处理') && text.includes('根源在市级管网'), `row: ${text}`)
  })

  await step(`接收: ${FUZHOU.name} accepts and becomes the owner`, async () => {
    await page.locator('[data-testid="escalation-accept"]').click()
    const d = await dialog(page, 'esc-accept-dialog')
    await field(d, 'esc-accept-text').fill('市级统筹')
    await d.locator('[data-testid="esc-accept-save"]').click()
    await d.waitFor({ state: 'hidden' })
    await waitText(page, 'problem-owner', FUZHOU.name)
    const p = await api(`/problems/${problemId}`)
    assertEq(p.owner_org_id, FUZHOU.id, 'owner after accept')
    const esc = p.escalations || (await api(`/problems/${problemId}/escalations`)).items
    const row = page.locator(`[data-testid="escalation-${esc[0].id}"]`)
    await page.waitForFunction((id) => document.querySelector(`[data-testid="escalation-${id}"]`)?.innerText.includes('已接收'), esc[0].id)
    assert((await row.innerText()).includes('市级统筹'), 'the decision comment is shown')
    assertEq(await page.locator('[data-testid="escalation-accept"]').count(), 0, 'no accept on a decided escalation')
    console.log(`     screenshot: ${await shot(page, 'linkage-escalated')}`)
  })

  await step(`下发: a task of ${FUZHOU.name} issued to its county-level units; the children and roll-up as the server reports`, async () => {
    await page.locator('[data-testid="action-plan"]').click()
    const d = await dialog(page, 'plan-dialog')
    await field(d, 'plan-title').fill('排查辖区积水点')
    await field(d, 'plan-person').fill('赵六')
    const due = field(d, 'plan-due')
    await due.fill('2030-12-31')
    await due.press('Enter')
    await d.locator('[data-testid="plan-save"]').click()
    await d.waitFor({ state: 'hidden' })
    const tasks = (await api(`/problems/${problemId}/tasks`)).items
    assertEq(tasks.length, 1, 'one task')
    const taskId = tasks[0].id
    await page.locator(`[data-testid="task-${taskId}"] [data-testid="task-cascade"]`).click()
    const c = await dialog(page, 'cascade-dialog')
    await c.locator('[data-testid="cascade-scope"]').getByText('某一层级').click()
    await selectOption(page, 'cascade-level', '县级')
    await field(c, 'cascade-person').fill('各区县联络员')
    await c.locator('[data-testid="cascade-save"]').click()
    await c.waitFor({ state: 'hidden' })
    const kids = await api(`/tasks/${taskId}/children`)
    assert(kids.items.length > 0, 'children were created')
    assertEq(kids.rollup.children, kids.items.length, 'roll-up count')
    assert(kids.items.every((k) => k.parent_task_id === taskId && k.due_at.slice(0, 10) <= '2030-12-31'), 'children of the task, due no later')
    const box = page.locator(`[data-testid="task-children-${taskId}"]`)
    await box.waitFor()
    await waitCount(page, `[data-testid="task-children-${taskId}"] [data-testid="child-status"]`, kids.items.length)
    assert((await box.locator('[data-testid="children-rollup"]').innerText()).includes(`0 / ${kids.items.length}`), 'roll-up shown')
    const statuses = await box.locator('[data-testid="child-status"]').allInnerTexts()
    assert(statuses.every((s) => s.trim() === '待整改'), `child statuses: ${statuses.join()}`)
    console.log(`     screenshot: ${await shot(page, 'linkage-cascade')}`)
  })
}

async function opinionSteps(page) {
  const city = ((await api('/orgs?q=A市')).items || []).find((o) => o.name === 'A市')
  if (!city) return
  const inbox = await api(`/opinions?org_id=${city.id}&status=received&limit=50`)
  if (inbox.items.length < 3) return
  const [first, second, third] = inbox.items

  await step(`opinions inbox of A市: 待处理 lists the received opinions`, async () => {
    await page.goto(`${BASE}/orgs/${city.id}/opinions`)
    await page.locator('[data-testid="opinion-inbox"]').click()
    await page.waitForURL(/status=received/)
    await waitRows(page, 'opinion-table', inbox.items.length)
    await waitFirstRow(page, 'opinion-table', first.id)
  })

  await step(`受理 opinion #${first.id} as a new problem: 已受理, linked to the new problem`, async () => {
    await page.locator('[data-testid="opinion-table"] .el-table__body tr.el-table__row').first().click()
    await page.waitForURL(`**/orgs/${city.id}/opinions/${first.id}`)
    await page.locator('[data-testid="opinion-accept"]').click()
    const d = await dialog(page, 'accept-dialog')
    await d.locator('[data-testid="accept-save"]').click()
    await d.waitFor({ state: 'hidden' })
    await waitText(page, 'opinion-status', '已受理')
    const op = await api(`/opinions/${first.id}`)
    assertEq(op.status, 'accepted', 'API status')
    assert(op.problem_id, 'linked to a problem')
    const problem = await api(`/problems/${op.problem_id}`)
    assertEq(problem.title, first.title, 'the new problem takes the opinion title')
    await page.locator('[data-testid="opinion-detail"]').getByText(`#${op.problem_id}`).waitFor()
    assertEq(await page.locator('[data-testid="opinion-accept"]').count(), 0, 'no 受理 once accepted')
  })

  await step(`不予受理 opinion #${second.id} with a reason`, async () => {
    await page.goto(`${BASE}/orgs/${city.id}/opinions/${second.id}`)
    await page.locator('[data-testid="opinion-decline"]').click()
    const d = await dialog(page, 'decline-dialog')
    await field(d, 'decline-text').fill('不属于本单位职责范围')
    await d.locator('[data-testid="decline-save"]').click()
    await d.waitFor({ state: 'hidden' })
    await waitText(page, 'opinion-status', '不予受理')
    const op = await api(`/opinions/${second.id}`)
    assertEq(`${op.status} ${op.status_reason}`, 'declined 不属于本单位职责范围', 'API status and reason')
  })

  await step(`答复 opinion #${third.id}: the new reply is shown`, async () => {
    await page.goto(`${BASE}/orgs/${city.id}/opinions/${third.id}`)
    await page.locator('[data-testid="opinion-reply-action"]').click()
    const d = await dialog(page, 'reply-dialog')
    const text = `您好，您反映的问题已转交相关部门办理。（e2e ${Date.now()}）`
    await field(d, 'reply-text').fill(text)
    await d.locator('[data-testid="reply-save"]').click()
    await d.waitFor({ state: 'hidden' })
    await waitText(page, 'opinion-reply', text)
    assertEq((await api(`/opinions/${third.id}`)).reply_text, text, 'API reply')
    console.log(`     screenshot: ${await shot(page, 'opinion-replied')}`)
  })
}

async function main() {
  console.log(`rectify e2e against ${BASE}`)
  if (!USER || !PASSWORD || !TOKEN) throw new Error('set E2E_USER, E2E_PASSWORD and E2E_TOKEN (scripts/test does)')
  // ---- pick the org to test: E2E_ORG_ID, or the root's child with most problems
  const root = await api('/orgs/1')
  const rootStats = await api('/orgs/1/stats')
  const rootChildren = (await api('/orgs/1/stats/children')).items || []
  let target
  if (process.env.E2E_ORG_ID) {
    target = await api(`/orgs/${process.env.E2E_ORG_ID}`)
  } else {
    const best = [...rootChildren].sort((a, b) => b.problems - a.problems || b.opinions - a.opinions)[0]
    target = best ? best.org : root
  }
  let stats = await api(`/orgs/${target.id}/stats`)
  const ancestors = (await api(`/orgs/${target.id}/ancestors`)).items || []
  const targetChildren = (await api(`/orgs/${target.id}/children`)).items || []
  console.log(`org under test: ${target.name} (id ${target.id}): ${stats.problems} problems, ${stats.opinions} opinions`)

  const browser = await launch(DESKTOP)
  // A refusal the test provokes on purpose (to see the UI show the server's message) is expected once.
  const { context, page } = browser
  const { pageErrors, cspViolations } = watchPage(page, expectedRefusals)

  try {
    await step('without a session the dashboard sends to the login page; a wrong password is refused', async () => {
      await page.goto(`${BASE}/orgs/1/dashboard`)
      await page.waitForURL(/\/login\?redirect=/)
      await page.locator('[data-testid="login-name"]').fill(USER)
      await page.locator('[data-testid="login-password"]').fill(`${PASSWORD}-wrong`)
      await page.locator('[data-testid="login-submit"]').click()
      await page.locator('[data-testid="login-error"]').waitFor()
      const text = await page.locator('[data-testid="login-error"]').innerText()
      assert(text.length > 0, 'an error is shown')
      console.log(`     screenshot: ${await shot(page, 'login')}`)
    })

    await step('logging in returns to the page asked for and shows the user', async () => {
      await page.locator('[data-testid="login-password"]').fill(PASSWORD)
      await page.locator('[data-testid="login-submit"]').click()
      await page.waitForURL(`**/orgs/1/dashboard`)
      const me = await api('/session')
      await page.locator('[data-testid="current-user"]').waitFor()
      assertEq((await page.locator('[data-testid="current-user"]').innerText()).trim(), me.user.display_name, 'current user')
      const cookies = await context.cookies()
      const session = cookies.find((c) => c.name === 'rectify_session')
      assert(session && session.httpOnly && session.sameSite === 'Strict', `HttpOnly, SameSite=Strict cookie: ${JSON.stringify(session)}`)
    })

    if (process.env.E2E_ONLY === 'fuzhou') {
      await fuzhouDashboardSteps(page)
      await fuzhouSteps(page)
      await opinionSteps(page)
      await linkageSteps(page)
      assert(pageErrors.length === 0, pageErrors.join('; '))
      return
    }

    await step('the web UI is served with its Content-Security-Policy', async () => {
      const res = await fetch(`${BASE}/orgs/1/dashboard`)
      const csp = res.headers.get('content-security-policy') || ''
      assert(csp.includes("default-src 'self'") && csp.includes("frame-ancestors 'none'"), `CSP: ${csp}`)
    })

    await step('dashboard of the root org shows product name and key figures (zh-CN)', async () => {
      await page.goto(`${BASE}/orgs/1/dashboard`)
      assertEq((await page.locator('[data-testid="product-name"]').innerText()).trim(), '整改工作平台', 'product name')
      await checkFigures(page, rootStats)
      assert((await page.locator('[data-testid="nav-problems"]').innerText()).includes('问题清单'), 'nav shows 问题清单')
      assert((await page.locator('[data-testid="kf-problems"]').innerText()).includes('问题总数'), 'card label 问题总数')
    })

    const treeOk = await step(`org tree: expand the root and open ${target.name}`, async () => {
      if (target.id === root.id) return
      // Expand down the ancestors (root first), then click the target.
      const chain = ancestors.filter((a) => a.id !== target.id)
      const tree = page.locator('[data-testid="org-tree"]')
      await tree.getByText(root.name, { exact: true }).waitFor()
      for (const a of chain) {
        // A node's own row (its children are outside .el-tree-node__content).
        const row = tree.locator('.el-tree-node__content').filter({ has: page.getByText(a.name, { exact: true }) }).first()
        await row.waitFor()
        const icon = row.locator('.el-tree-node__expand-icon')
        if (!(await icon.evaluate((n) => n.classList.contains('expanded')))) await icon.click()
      }
      await tree.getByText(target.name, { exact: true }).click()
      await page.waitForURL(`**/orgs/${target.id}/dashboard`)
    })
    if (!treeOk) await page.goto(`${BASE}/orgs/${target.id}/dashboard`)

    await step('breadcrumb shows the path to the org', async () => {
      const crumb = page.locator('[data-testid="breadcrumb"]')
      await crumb.getByText(target.name, { exact: true }).waitFor()
      const text = await crumb.innerText()
      for (const a of ancestors.filter((a) => a.id !== target.id)) assert(text.includes(a.name), `breadcrumb has ${a.name}: "${text}"`)
    })

    await step(`key figures of ${target.name} equal GET /orgs/${target.id}/stats`, async () => {
      await checkFigures(page, stats)
    })

    await step('charts are drawn (status donut, categories, child ranking)', async () => {
      const canvases = async (testid) =>
        page.$$eval(`[data-testid="${testid}"] canvas`, (cs) => cs.filter((c) => c.width > 50 && c.height > 50).length)
      if (stats.problems > 0) {
        await page.locator('[data-testid="status-chart"] canvas').first().waitFor()
        assert((await canvases('status-chart')) > 0, 'status donut canvas')
      }
      if ((stats.by_category || []).some((c) => c.count > 0)) {
        await page.locator('[data-testid="category-chart"] canvas').first().waitFor()
        assert((await canvases('category-chart')) > 0, 'category bar canvas')
      }
      if (targetChildren.length) {
        await page.locator('[data-testid="children-table"]').waitFor()
        await waitRows(page, 'children-table', targetChildren.length)
      }
      console.log(`     screenshot: ${await shot(page, 'dashboard-zh')}`)
    })

    if (targetChildren.length) {
      const child = targetChildren[0]
      await step(`org search finds ${child.name} and opens its dashboard`, async () => {
        await page.locator('[data-testid="org-search"] input').fill(child.name)
        const results = page.locator('[data-testid="org-results"]')
        await results.getByText(child.name, { exact: true }).first().click()
        await page.waitForURL(`**/orgs/${child.id}/dashboard`)
        const childStats = await api(`/orgs/${child.id}/stats`)
        await checkFigures(page, childStats)
        await page.locator('[data-testid="org-search"] input').fill('')
        await page.goBack()
        await page.waitForURL(`**/orgs/${target.id}/dashboard`)
        await checkFigures(page, stats)
      })
    }

    if (targetChildren.length) {
      await step('the name in the child ranking opens that child\'s dashboard', async () => {
        // Ranked by problems (then closed) when any child has problems, else by opinions (then replied).
        const kids = (await api(`/orgs/${target.id}/stats/children`)).items || []
        const byProblems = kids.some((c) => c.problems > 0)
        const key = byProblems ? (c) => [c.problems, c.closed] : (c) => [c.opinions, c.opinions_replied.numerator]
        const ranked = [...kids].sort((a, b) => key(b)[0] - key(a)[0] || key(b)[1] - key(a)[1])
        await waitRows(page, 'children-table', ranked.length)
        const firstName = (await tableRows(page, 'children-table'))[0][1]
        const first = ranked.find((c) => c.org.name === firstName)
        assert(first, `first ranking row ${firstName} is a child`)
        assertEq(key(first)[0], key(ranked[0])[0], `the first row has the most ${byProblems ? 'problems' : 'opinions'}`)
        await page.locator('[data-testid="children-table"] .el-table__body tr.el-table__row').first()
          .locator('[data-testid="child-dashboard"]').click()
        await page.waitForURL(`**/orgs/${first.org.id}/dashboard`)
        await checkFigures(page, first)
        await page.goBack()
        await page.waitForURL(`**/orgs/${target.id}/dashboard`)
        await checkFigures(page, stats)
      })
    }

    // ---- to the problem list: by the top category's bar, or by the list link
    const top = [...(stats.by_category || [])]
      .filter((c) => c.category_id !== null && c.category_id !== undefined && c.count > 0)
      .sort((a, b) => b.count - a.count)[0]
    let listQuery = `org_id=${target.id}&limit=50`
    await step(
      top ? `clicking the category bar "${top.path}" opens the filtered problem list` : 'the list link opens the problem list',
      async () => {
        if (top) {
          await clickCategoryBar(page, top.category_id, new RegExp(`/orgs/${target.id}/problems\\?.*category_id=${top.category_id}`))
          listQuery += `&category_id=${top.category_id}`
        } else {
          await page.locator('[data-testid="open-problem-list"]').click()
          await page.waitForURL(`**/orgs/${target.id}/problems`)
        }
      },
    )

    const list = await api(`/problems?${listQuery}&total=true`)
    await step(`problem list shows what GET /problems?${listQuery} returns, with names and the total`, async () => {
      await page.locator('[data-testid="problem-table"]').waitFor()
      await waitRows(page, 'problem-table', list.items.length)
      const rows = await tableRows(page, 'problem-table')
      if (list.items.length) {
        assertEq(rows[0][0], String(list.items[0].id), 'first row id')
        assert(rows[0][1].length > 0, 'first row has a title')
        assertEq(rows[0][4], list.items[0].category_path ?? '未分类', 'first row category path')
        assertEq(rows[0][5], list.items[0].owner_name, 'first row owner name')
      }
      await waitText(page, 'problem-count', `共 ${count(list.total)} 条`)
      console.log(`     screenshot: ${await shot(page, 'problems')}`)
    })

    if (list.total > list.items.length) {
      await step('page 2 of the pager shows the next rows', async () => {
        const next = await api(`/problems?${listQuery}&offset=${list.items.length}`)
        await page.locator('[data-testid="problem-pager"] .el-pager li', { hasText: /^2$/ }).click()
        await page.waitForURL(/[?&]page=2/)
        await waitFirstRow(page, 'problem-table', next.items[0].id)
        await waitRows(page, 'problem-table', next.items.length)
        await page.goBack()
        await waitFirstRow(page, 'problem-table', list.items[0].id)
      })
    }

    if (list.items.length) {
      const first = list.items[0]
      await step(`problem #${first.id} detail shows its fields and its full timeline`, async () => {
        const [detail, timeline] = await Promise.all([api(`/problems/${first.id}`), api(`/problems/${first.id}/timeline`)])
        await page.locator('[data-testid="problem-table"] .el-table__body tr.el-table__row').first().click()
        await page.waitForURL(`**/orgs/${target.id}/problems/${first.id}`)
        await page.locator('[data-testid="problem-title"]').waitFor()
        assertEq((await page.locator('[data-testid="problem-title"]').innerText()).trim(), detail.title.trim(), 'title')
        const body = await page.locator('[data-testid="problem-detail"]').innerText()
        assert(body.includes(detail.owner.name), `owner ${detail.owner.name} shown`)
        if (detail.category) assert(body.includes(detail.category.path), `category ${detail.category.path} shown`)
        assert(timeline.items.length > 0, 'the API has a timeline for the problem')
        await waitCount(page, '[data-testid="problem-timeline"] .el-timeline-item', timeline.items.length)
        console.log(`     screenshot: ${await shot(page, 'problem-detail')}`)
      })
    }

    if (stats.opinions > 0) {
      await step('opinion list and an opinion with its reply', async () => {
        const ops = await api(`/opinions?org_id=${target.id}&limit=50`)
        await page.locator('[data-testid="nav-opinions-group"]').hover() // 群众意见 / 主题教育 hold it
        await page.locator('[data-testid="nav-opinions"]').click()
        await page.waitForURL(`**/orgs/${target.id}/opinions`)
        await waitRows(page, 'opinion-table', ops.items.length)
        const firstOp = ops.items[0]
        await page.locator('[data-testid="opinion-table"] .el-table__body tr.el-table__row').first().click()
        await page.waitForURL(`**/orgs/${target.id}/opinions/${firstOp.id}`)
        await page.locator('[data-testid="opinion-text"]').waitFor()
        const text = await page.locator('[data-testid="opinion-text"]').innerText()
        assert(text.trim().slice(0, 10) === firstOp.text.trim().slice(0, 10), 'opinion text shown')
        if (firstOp.reply_text) await page.locator('[data-testid="opinion-reply"]').waitFor()
        const opEvents = (await api(`/opinions/${firstOp.id}/events`)).items || []
        await page.waitForFunction(
          (n) => document.querySelectorAll('[data-testid="opinion-timeline"] .el-timeline-item').length === n,
          opEvents.length,
        )
        console.log(`     screenshot: ${await shot(page, 'opinion-detail')}`)
      })
    }

    // 福州市 and a problem carried through its life; then back to the org under test.
    await fuzhouDashboardSteps(page)
    await fuzhouSteps(page)
    await opinionSteps(page)
    await linkageSteps(page)
    stats = await api(`/orgs/${target.id}/stats`) // the new problem may count here too
    await page.goto(`${BASE}/orgs/${target.id}/dashboard`)

    await step('switching to English shows English labels', async () => {
      await page.locator('[data-testid="lang-switch"]').getByText('English', { exact: true }).click()
      await page.waitForFunction(() => document.querySelector('[data-testid="nav-problems"]')?.textContent.includes('Problem list'))
      assertEq((await page.locator('[data-testid="product-name"]').innerText()).trim(), 'Rectification Platform', 'product name')
      await page.locator('[data-testid="nav-dashboard"]').click()
      await page.waitForURL(`**/orgs/${target.id}/dashboard`)
      await checkFigures(page, stats)
      assert((await page.locator('[data-testid="kf-problems"]').innerText()).includes('Problems'), 'card label Problems')
      assert((await page.locator('[data-testid="kf-on-time"]').innerText()).includes('Closed on time'), 'card label Closed on time')
      console.log(`     screenshot: ${await shot(page, 'dashboard-en')}`)
      // The choice is remembered across a reload.
      await page.reload()
      await page.waitForFunction(() => document.querySelector('[data-testid="nav-problems"]')?.textContent.includes('Problem list'))
    })

    await step('no page errors, no failed API calls, no Content-Security-Policy violations', async () => {
      assert(pageErrors.length === 0, pageErrors.join('; '))
      assert(cspViolations.length === 0, cspViolations.join('; '))
    })

    await step('logging out ends the session: back to the login page, the API answers 401', async () => {
      await page.locator('[data-testid="logout"]').click()
      await page.waitForURL(/\/login/)
      const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status)
      assertEq(status, 401, 'GET /api/v1/session after logout')
      await page.goto(`${BASE}/orgs/1/problems`)
      await page.waitForURL(/\/login\?redirect=/)
    })
  } finally {
    await close(browser)
  }
}

await runMain(main)
