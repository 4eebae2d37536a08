#!/usr/bin/env node
// Browser test of the dashboard's (领导驾驶舱) campaign, special item, batch, org kind and period filters
// (issue 7) against a running rectify server on the sample data (scripts/load-sample-data).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_USER=... E2E_PASSWORD=... E2E_TOKEN=... node tests/e2e/dashboard-filters.spec.mjs
//
// The sample data loads one campaign, “不忘初心、牢记使命”主题教育（天津市）, owned by 天津市 with 4 special
// items, and tags no problem with it (the sample problems are Fuzhou's). Through the API this test adds
// a school (kind school, 第二批) under 天津市 and registers 4 problems there: A (the campaign, item 政治意识),
// B (the campaign, items 政治意识 and 政治生态), C (the campaign, no item) and D (no campaign). So on
// 天津市's dashboard, by construction: the campaign counts 3, 政治意识 2, 政治生态 1, 第二批 4 (D too),
// 第一批 0, 学校 4; today's period keeps them all and 2019's none. The test chooses the campaign and the
// item in the filter bar and sees the cards, the note and the school's ranking row follow; chooses today
// in the period picker and sees the URL carry campaign_id, special_item_id, created_from and created_to;
// opens the problem list (共 2 条, A and B, the filters shown in its selects); clears the campaign (its
// item goes too); opens 2019's period by URL (0); and chooses 第一批 / 第二批 and 学校. Fails on any page error, unexpected failed API call or
// CSP violation. Screenshots go to $E2E_OUT. The last line printed is "N passed, N failed".

import {
  BASE, TIMEOUT, run, step, assert, assertEq, runMain, api, post, count, beijingDay,
  DESKTOP, launch, close, watchPage, logIn, shot, tableRows,
} from './lib/harness.mjs'

run.failurePrefix = 'rectify-dashboard-filters-failed'

async function selectOption(page, testid, text) {
  await page.locator(`[data-testid="${testid}"]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

// Waits until the 问题总数 card shows `want` (the stats of the current URL arrived), or says what it shows.
async function waitProblems(page, want) {
  const sel = '[data-testid="kf-problems"] [data-role="value"]'
  await page
    .waitForFunction(
      ({ sel, want }) => document.querySelector(sel)?.textContent.trim() === want && !document.querySelector('[data-testid="key-figures"] .el-loading-mask'),
      { sel, want },
      { timeout: TIMEOUT },
    )
    .catch(async () => {
      const got = await page.locator(sel).innerText().catch(() => '(missing)')
      throw new Error(`问题总数: expected ${want}, got ${got}`)
    })
}

async function selectedText(page, testid) {
  return (await page.locator(`[data-testid="${testid}"] .el-select__placeholder:not(.is-transparent)`).first().innerText()).trim()
}

async function main() {
  console.log(`rectify dashboard filters e2e against ${BASE}`)
  const campaign = (await api('/campaigns')).items.find((c) => c.code === 'bwcx-2019-tianjin')
  assert(campaign, 'the sample campaign bwcx-2019-tianjin is visible')
  const detail = await api(`/campaigns/${campaign.id}`)
  const item = (title) => detail.special_items.find((i) => i.title === title)
  const yishi = item('政治意识')
  const shengtai = item('政治生态')
  assert(yishi && shengtai, `items 政治意识 and 政治生态 in ${JSON.stringify(detail.special_items.map((i) => i.title))}`)
  const tianjin = await api(`/orgs/${campaign.owner_org_id}`)
  assertEq(tianjin.name, '天津市', 'the campaign owner')
  const before = await api(`/orgs/${tianjin.id}/stats?weeks=0`)
  assertEq((await api(`/orgs/${tianjin.id}/stats?weeks=0&campaign_id=${campaign.id}`)).problems, 0, 'the sample data tags no problem with the campaign')

  const schoolName = `筛选测试中学${Date.now() % 100000}`
  const school = await post('/orgs', { parent_id: tianjin.id, name: schoolName, level: 'unit', kind: 'school', batch: 2 })
  const mk = (title, tags) => post('/problems', { title, owner_org_id: school.id, source: 'self_inspection', ...tags })
  const a = await mk('理论学习流于形式', { campaign_id: campaign.id, special_item_ids: [yishi.id] })
  const b = await mk('民主生活会批评不深入', { campaign_id: campaign.id, special_item_ids: [yishi.id, shengtai.id] })
  await mk('调研报告质量不高', { campaign_id: campaign.id })
  await mk('食堂卫生检查不到位', {})
  const total = before.problems + 4
  const today = beijingDay(Date.now())

  const browser = await launch({ ...DESKTOP })
  const { page } = browser
  const { pageErrors, cspViolations } = watchPage(page, [])
  const dash = `/orgs/${tianjin.id}/dashboard`
  try {
    await step(`天津市's dashboard without filters: ${total} problems, no filter note`, async () => {
      await logIn(page, dash)
      await waitProblems(page, count(total))
      assertEq(await page.locator('[data-testid="dash-filter-note"]').count(), 0, 'no filter note')
    })

    await step('choosing the campaign: 3 problems (A, B, C), the note says opinions are not filtered, the URL carries campaign_id', async () => {
      await selectOption(page, 'dash-filter-campaign', campaign.name)
      await page.waitForURL((u) => u.searchParams.get('campaign_id') === String(campaign.id))
      await waitProblems(page, '3')
      const note = (await page.locator('[data-testid="dash-filter-note"]').innerText()).trim()
      assert(note.includes('群众意见'), `the note names opinions: ${note}`)
      assertEq(
        (await page.locator('[data-testid="kf-opinions"] [data-role="value"]').innerText()).trim(),
        count(before.opinions),
        '群众意见数 unfiltered',
      )
      assertEq((await api(`/orgs/${tianjin.id}/stats?weeks=0&campaign_id=${campaign.id}`)).problems, 3, 'the API agrees')
    })

    await step('choosing 政治意识: 2 problems (A, B); the school\'s ranking row says 2', async () => {
      await selectOption(page, 'dash-filter-item', '政治意识')
      await page.waitForURL((u) => u.searchParams.get('special_item_id') === String(yishi.id))
      await waitProblems(page, '2')
      const url = new URL(page.url())
      assertEq(url.searchParams.get('campaign_id'), String(campaign.id), 'campaign kept')
      await page.waitForFunction(
        (name) => [...document.querySelectorAll('[data-testid="children-table"] .el-table__body tr.el-table__row')].some((r) => r.innerText.includes(name)),
        schoolName,
        { timeout: TIMEOUT },
      )
      // The ranking loads apart from the cards: wait for the row's 问题数 to follow the filter.
      await page.waitForFunction(
        (name) => [...document.querySelectorAll('[data-testid="children-table"] .el-table__body tr.el-table__row')]
          .find((r) => r.querySelectorAll('td')[1]?.innerText.trim() === name)?.querySelectorAll('td')[2]?.innerText.trim() === '2',
        schoolName,
        { timeout: TIMEOUT },
      ).catch(() => {})
      const row = (await tableRows(page, 'children-table')).find((r) => r[1] === schoolName)
      assert(row, `a row for ${schoolName}`)
      assertEq(row[2], '2', `问题数 of ${schoolName}`)
    })

    await step('choosing another campaign item, 政治生态: 1 problem (B)', async () => {
      await selectOption(page, 'dash-filter-item', '政治生态')
      await page.waitForURL((u) => u.searchParams.get('special_item_id') === String(shengtai.id))
      await waitProblems(page, '1')
      await selectOption(page, 'dash-filter-item', '政治意识')
      await waitProblems(page, '2')
    })

    await step(`choosing today (${today}) as the period: still 2, the URL carries created_from and created_to`, async () => {
      await page.locator('[data-testid="dash-filter-period"] input').first().click()
      const cell = page.locator('.el-picker-panel:visible td.today').first()
      await cell.click()
      await cell.click()
      await page.waitForURL((u) => u.searchParams.get('created_from') === today && u.searchParams.get('created_to') === today)
      await waitProblems(page, '2')
      const q = Object.fromEntries(new URL(page.url()).searchParams)
      assertEq(JSON.stringify(q), JSON.stringify({
        campaign_id: String(campaign.id),
        special_item_id: String(yishi.id),
        created_from: today,
        created_to: today,
      }), 'the dashboard URL')
      await shot(page, 'dashboard-filters')
    })

    await step('the problem list opened from the dashboard: 共 2 条 (A and B) with the campaign, item and period shown', async () => {
      await page.locator('[data-testid="open-problem-list"]').click()
      await page.waitForURL(`**/orgs/${tianjin.id}/problems?**`)
      const q = Object.fromEntries(new URL(page.url()).searchParams)
      assertEq(q.campaign_id, String(campaign.id), 'campaign_id')
      assertEq(q.special_item_id, String(yishi.id), 'special_item_id')
      assertEq(q.created_from, today, 'created_from')
      assertEq(q.created_to, today, 'created_to')
      await page.waitForFunction(
        () => document.querySelector('[data-testid="problem-count"]')?.innerText.trim() === '共 2 条' && !document.querySelector('[data-testid="problem-table"] .el-loading-mask'),
        null,
        { timeout: TIMEOUT },
      ).catch(async () => {
        throw new Error(`problem-count: ${await page.locator('[data-testid="problem-count"]').innerText()}`)
      })
      const ids = (await tableRows(page, 'problem-table')).map((r) => r[0]).sort()
      assertEq(JSON.stringify(ids), JSON.stringify([String(a.id), String(b.id)].sort()), 'the rows')
      assertEq(await selectedText(page, 'filter-campaign'), campaign.name, 'the campaign select')
      assertEq(await selectedText(page, 'filter-item'), '政治意识', 'the special item select')
      const range = await page.locator('[data-testid="filter-period"] input').evaluateAll((els) => els.map((e) => e.value))
      assertEq(JSON.stringify(range), JSON.stringify([today, today]), 'the period picker')
      await shot(page, 'dashboard-filters-list')
    })

    await step('clearing the campaign clears its special item too: back to all problems', async () => {
      await page.goto(`${BASE}${dash}?campaign_id=${campaign.id}&special_item_id=${shengtai.id}`)
      await waitProblems(page, '1')
      assertEq(await selectedText(page, 'dash-filter-item'), '政治生态', 'the special item select')
      await page.locator('[data-testid="dash-filter-campaign"]').hover()
      await page.locator('[data-testid="dash-filter-campaign"] .el-select__clear').click()
      await page.waitForURL((u) => !u.searchParams.has('campaign_id'))
      assertEq(new URL(page.url()).search, '', 'the URL has no filter left')
      await waitProblems(page, count(total))
      assertEq(await page.locator('[data-testid="dash-filter-note"]').count(), 0, 'no filter note')
    })

    await step('2019\'s period (the campaign\'s own dates) by URL: 0 problems', async () => {
      await page.goto(`${BASE}${dash}?campaign_id=${campaign.id}&created_from=2019-06-01&created_to=2019-11-30`)
      await waitProblems(page, '0')
      const range = await page.locator('[data-testid="dash-filter-period"] input').evaluateAll((els) => els.map((e) => e.value))
      assertEq(JSON.stringify(range), JSON.stringify(['2019-06-01', '2019-11-30']), 'the period picker')
    })

    await step('by the owner\'s batch and kind: 第一批 0, 第二批 4 (D too), 第二批 and 学校 4', async () => {
      await page.goto(`${BASE}${dash}`)
      await waitProblems(page, count(total))
      await selectOption(page, 'dash-filter-batch', '第一批')
      await page.waitForURL((u) => u.searchParams.get('batch') === '1')
      await waitProblems(page, '0')
      await selectOption(page, 'dash-filter-batch', '第二批')
      await page.waitForURL((u) => u.searchParams.get('batch') === '2')
      await waitProblems(page, '4')
      await selectOption(page, 'dash-filter-kind', '学校')
      await page.waitForURL((u) => u.searchParams.get('org_kind') === 'school')
      await waitProblems(page, '4')
      await shot(page, 'dashboard-filters-batch')
      // The problem list behind it takes the same batch and kind filters: the school's 4 problems.
      await page.locator('[data-testid="open-problem-list"]').click()
      await page.waitForURL(`**/orgs/${tianjin.id}/problems?**`)
      await page.waitForFunction(() => document.querySelector('[data-testid="problem-count"]')?.innerText.trim() === '共 4 条', null, { timeout: TIMEOUT })
    })

    await step('no page errors, failed API calls or CSP violations', async () => {
      assertEq(pageErrors.length, 0, `page errors: ${pageErrors.join('; ')}`)
      assertEq(cspViolations.length, 0, `CSP: ${cspViolations.join('; ')}`)
    })
  } finally {
    await close(browser)
  }
}

runMain(main)
