#!/usr/bin/env node
// Browser test of the 台账导入 screen (the ledger import, issue 6) against a running rectify server on the real
// sample data (scripts/load-sample-data).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_USER=... E2E_PASSWORD=... E2E_TOKEN=... node tests/e2e/ledger.spec.mjs
//
// Needs `npm ci` in web/ (playwright-core, and exceljs to edit the XLSX here) and Debian's chromium.
// Through the API: a new street under 鼓楼区 with one problem and one task (progress 0). Exports that street's
// task list as XLSX (GET /ledger), writes new progress into its 整改进展 cell with exceljs, and uploads it on
// the screen (opened from the menu): the dry run shows the auto-matched mapping (整改进展 -> 整改进展) and one
// progress report to create, no rejected row; the import stores it, and the task's progress is then 80 with
// the report's text. Then a CSV whose 完成时限 (2031-02-30) does not parse: the rejected table shows row 2,
// 完成时限; the import stays disabled; mapping 整改时限 to the other date column (计划时间) by its dropdown and
// running the dry run again passes, and the import registers the problem with that deadline.
// Then 问题清单 of the street: each row's checkbox is named for its problem (选择：#id title); ticking two of its
// three problems and exporting the CSV gives exactly those two rows (ids=), and 取消选择 restores the filters.
// Fails on any page error, unexpected failed API call or CSP violation. The last line printed is
// "N passed, N failed"; the exit code is 1 on failure.

import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import {
  BASE, OUT, TIMEOUT, TOKEN, run, step, assert, assertEq, runMain, api, post,
  DESKTOP, launch, close, watchPage, logIn, shot, tableRows, waitRows,
} from './lib/harness.mjs'

run.failurePrefix = 'rectify-ledger-failed'
const here = path.dirname(fileURLToPath(import.meta.url))
const ExcelJS = createRequire(path.resolve(here, '..', '..', 'web', 'package.json'))('exceljs')

async function selectOption(page, testid, text) {
  await page.locator(`[data-testid="${testid}"]`).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

async function main() {
  console.log(`rectify ledger e2e against ${BASE}`)
  const gulou = (await api('/orgs?division_code=350102')).items[0]
  assertEq(gulou?.name, '鼓楼区', 'division 350102')
  const fuzhou = gulou.parent_id
  const streetName = `台账街道${Date.now() % 100000}`
  const street = await post('/orgs', { parent_id: gulou.id, name: streetName, level: 'township' })
  const problem = await post('/problems', { title: '路灯不亮', owner_org_id: street.id })
  const other = await post('/problems', { title: '占道经营', owner_org_id: street.id }) // left unselected below
  const task = await post(`/problems/${problem.id}/tasks`, {
    org_id: street.id,
    title: '更换路灯',
    responsible_person: '街道城管科 李工',
    type: 'time_bound',
    due_at: '2031-06-30T00:00:00+08:00',
  })

  // The task list of the street as XLSX, with new progress in 整改进展 (row 3: title, header, the task).
  const res = await fetch(`${BASE}/api/v1/ledger?list=tasks&format=xlsx&org_id=${street.id}`, {
    headers: { Authorization: `Bearer ${TOKEN}` },
  })
  assertEq(res.status, 200, 'GET /ledger xlsx')
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(Buffer.from(await res.arrayBuffer()))
  const sheet = workbook.worksheets[0]
  const header = sheet.getRow(2).values // 1-based: values[0] is empty
  const progressCol = header.indexOf('整改进展')
  assert(progressCol > 0, `no 整改进展 in the header: ${JSON.stringify(header)}`)
  assertEq(String(sheet.getRow(3).getCell(header.indexOf('任务编号')).value), String(task.id), 'row 3 task')
  sheet.getRow(3).getCell(progressCol).value = '新灯已装 80%'
  const xlsxFile = path.join(OUT, 'rectify-ledger-edit.xlsx')
  await workbook.xlsx.writeFile(xlsxFile)

  const csvFile = path.join(OUT, 'rectify-ledger-new.csv')
  fs.writeFileSync(csvFile, `问题描述,责任单位,完成时限,计划时间\n井盖缺失：五一路,${streetName},2031-02-30,2031-03-01\n`)

  const browser = await launch({ ...DESKTOP, acceptDownloads: true })
  const { page } = browser
  const { pageErrors, cspViolations } = watchPage(page, [])
  try {
    await step('log in and open 台账导入 from the menu', async () => {
      await logIn(page, `/orgs/${fuzhou}/dashboard`)
      await page.locator('[data-testid="nav-ledger-import"]').click()
      await page.waitForURL(`**/orgs/${fuzhou}/ledger-import`)
      await page.locator('[data-testid="ledger-import"]').waitFor()
    })

    await step('an edited XLSX export: the dry run matches 整改进展 and finds one report to make, no rejected row', async () => {
      await page.locator('[data-testid="ledger-import-file"]').setInputFiles(xlsxFile)
      await page.locator('[data-testid="ledger-import-mapping"]').waitFor({ timeout: TIMEOUT })
      await page.waitForFunction(
        () => document.querySelector('[data-testid="ledger-count-reportsCreated"] .n')?.textContent.trim() === '1',
        null,
        { timeout: TIMEOUT },
      )
      const progress = (await page.locator('[data-testid="ledger-map-progress"]').innerText()).trim()
      assertEq(progress, '整改进展', 'the 整改进展 dropdown')
      assertEq((await page.locator('[data-testid="ledger-count-rowsRead"] .n').innerText()).trim(), '1', 'rows read')
      assertEq(await page.locator('[data-testid="ledger-import-rejected"]').count(), 0, 'rejected table')
      await shot(page, 'ledger-import-xlsx')
    })

    await step('importing stores the report: task progress 80 with its text', async () => {
      await page.locator('[data-testid="ledger-import-commit"]').click()
      await page.locator('[data-testid="ledger-import-done"]').waitFor({ timeout: TIMEOUT })
      const t = await api(`/tasks/${task.id}`)
      assertEq(t.progress, 80, 'task progress')
      assertEq(t.status, 'in_progress', 'task status')
      const reports = await api(`/tasks/${task.id}/reports`)
      assertEq(reports.items.at(-1)?.text, '新灯已装 80%', 'report text')
      const problems = await api(`/problems?org_id=${street.id}`)
      assertEq(problems.items.length, 2, 'the street still has its two problems (路灯不亮, 占道经营)')
    })

    await step('a CSV with a date that does not parse: row 2, 完成时限 rejected; the import is disabled', async () => {
      await page.locator('[data-testid="ledger-import-file"]').setInputFiles(csvFile)
      await waitRows(page, 'ledger-import-rejected', 1)
      const rows = await tableRows(page, 'ledger-import-rejected')
      assertEq(rows[0][0], '2', 'row')
      assertEq(rows[0][1], '完成时限', 'column')
      assert(rows[0][2].includes('2031-02-30'), `reason: ${rows[0][2]}`)
      assert(await page.locator('[data-testid="ledger-import-commit"]').isDisabled(), 'import disabled')
      await shot(page, 'ledger-import-rejected')
    })

    await step('mapping 整改时限 to 计划时间 and running the dry run again passes; the import registers the problem', async () => {
      await selectOption(page, 'ledger-map-deadline', '计划时间')
      assert(await page.locator('[data-testid="ledger-import-commit"]').isDisabled(), 'import disabled until the dry run')
      await page.locator('[data-testid="ledger-import-dry-run"]').click()
      await page.waitForFunction(() => !document.querySelector('[data-testid="ledger-import-rejected"]'), null, { timeout: TIMEOUT })
      await page.waitForFunction(
        () => !document.querySelector('[data-testid="ledger-import-commit"]')?.disabled,
        null,
        { timeout: TIMEOUT },
      )
      await page.locator('[data-testid="ledger-import-commit"]').click()
      await page.locator('[data-testid="ledger-import-done"]').waitFor({ timeout: TIMEOUT })
      const problems = await api(`/problems?org_id=${street.id}`)
      const made = problems.items.find((p) => p.title === '井盖缺失')
      assert(made, `no 井盖缺失 in ${JSON.stringify(problems.items.map((p) => p.title))}`)
      assertEq(made.due_at, '2031-03-01T00:00:00+08:00', 'deadline from 计划时间')
    })

    await step('问题清单 of the street: each row checkbox is named for its problem; two chosen rows export exactly those two (CSV with ids=)', async () => {
      const list = (await api(`/problems?org_id=${street.id}`)).items
      assertEq(list.length, 3, 'the street has 路灯不亮, 占道经营 and the imported 井盖缺失')
      const made = list.find((p) => p.title === '井盖缺失')
      await page.goto(`${BASE}/orgs/${street.id}/problems`)
      await waitRows(page, 'problem-table', 3)
      for (const p of list) {
        assertEq(await page.getByRole('checkbox', { name: `选择：#${p.id} ${p.title}`, exact: true }).count(), 1, `the checkbox of #${p.id}`)
      }
      // Element Plus hides the <input> itself: a click lands on its <label>, which carries the name.
      await page.locator(`label[aria-label="选择：#${problem.id} 路灯不亮"]`).click()
      await page.locator(`label[aria-label="选择：#${made.id} 井盖缺失"]`).click()
      assert(page.url().endsWith(`/orgs/${street.id}/problems`), `checking rows does not open a problem: ${page.url()}`)
      await page.locator('[data-testid="ledger-selected-count"]', { hasText: '已选 2 项' }).waitFor()
      await page.locator('[data-testid="ledger-export-button"]').click()
      await page.locator('[data-testid="ledger-hint"]', { hasText: '已选 2 个问题，只导出所选问题' }).waitFor()
      const link = page.locator('[data-testid="ledger-problems-csv"]')
      const href = new URL(await link.getAttribute('href'), BASE)
      const want = [problem.id, made.id].sort((a, b) => a - b).join(',')
      assertEq(href.searchParams.get('ids'), want, 'the link carries the two ids')
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
      const lines = fs.readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/)
      assert(lines[0].includes('所选问题'), `the title says it is a selection: ${lines[0]}`)
      assertEq(lines.length, 4, 'title, header and two rows')
      // 问题编号 is the second column; rows run from the highest id down.
      const ids = lines.slice(2).map((l) => Number(l.split(',')[1]))
      assertEq(JSON.stringify(ids), JSON.stringify([made.id, problem.id].sort((a, b) => b - a)), 'exactly the chosen problems')
      assert(!lines.some((l) => l.includes('占道经营')), 'the unselected problem is not exported')
      assert(other.id > 0, 'the unselected problem exists')
      await shot(page, 'ledger-selected')
      // Clearing the selection brings back the filtered export.
      await page.locator('[data-testid="ledger-clear-selection"]').click()
      await page.locator('[data-testid="ledger-hint"]', { hasText: '按当前单位和筛选条件导出' }).waitFor()
      assertEq(new URL(await link.getAttribute('href'), BASE).searchParams.get('ids'), null, 'no ids without a selection')
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
