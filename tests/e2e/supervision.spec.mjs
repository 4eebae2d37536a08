#!/usr/bin/env node
// Browser test of the supervision screens (督促指导, issue 8) against a running rectify server on the
// real sample data (scripts/load-sample-data; scripts/test runs it after dashboard.spec.mjs on the same
// database).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_USER=... E2E_PASSWORD=... E2E_TOKEN=... node tests/e2e/supervision.spec.mjs
//
// Needs `npm ci` in web/ (playwright-core) and Debian's chromium at /usr/bin/chromium (or $CHROMIUM).
// Logs in as the e2e admin; opens 福州市's 督办工作台 from the menu and checks the seven queues' counts and
// rows against GET /queues/{kind}; makes a 鼓楼区 problem with a task due in two hours through the API
// (so it is due soon: 黄色预警), finds it in the 临期 queue, urges it (催办) from the workbench (an empty
// reason refused in the dialog, an over-long one refused by the server with its message shown), sees
// the 催办 tag; pages through the 临期 queue with 21 more tasks; on the problem's task card sees the warning and the step, puts it under supervision (督办)
// with the server's default feedback date and sees its 督办号, and 本月督办 on the dashboard grow by one;
// records an interview (约谈) with its official and time;
// publishes a 通报 over 福州市 for 2016-01-01..2020-12-31 (the API's half-open period ends 2021-01-01)
// through the form and sees the Fuzhou 12345 figures (仓山区 511 problems, 771/835 on time) in the ranked
// table and the rate chart, downloads XLSX and CSV, opens the printable page in a new tab; switches to
// an escalation in 待我接收上交; registers through the API an emergency (紧急) 鼓楼区 opinion received three
// hours ago (limit 2 hours), finds it in 逾期未响应意见 (no ladder buttons), opens it (紧急, deadline, 已超时),
// replies and sees 超时响应; opens 意见办理“三率” from the menu and checks the total, the chart and the table
// against GET /orgs/{id}/opinion-rates for this month and for 2016-2020 (771/835 responded in time, score
// 96.2), clicks 仓山区's bars to select it, sorts by score;
// English; a 鼓楼区 supervisor's urge on its own task is refused (403) with the message in the dialog.
// Fails on any page error, unexpected failed API call or CSP violation. Screenshots go to
// $E2E_OUT (default /tmp). The last line printed is "N passed, N failed"; the exit code is 1 on failure.

import fs from 'node:fs'
import {
  BASE, TIMEOUT, USER, PASSWORD, TOKEN, run, step, assert, assertEq, runMain, call, api, post,
  count, pct, rateCell, beijingDay, DESKTOP, launch, close, watchPage, logIn, shot, field, dialog, tableRows, waitRows, tabCount,
} from './lib/harness.mjs'

run.failurePrefix = 'rectify-supervision-failed'

const expectedRefusals = []

// The real sample data: 福州市 is org 16 after scripts/load-sample-data; its districts hold the 835
// Fuzhou 12345 river cases of 2016-2020 (docs/DATA.md), all closed, 771 within the 15-day deadline.
const FUZHOU = { id: 16, name: '福州市' }
const DISTRICTS = { 仓山区: 511, 晋安区: 156, 台江区: 122, 鼓楼区: 41, 马尾区: 5 }
const QUEUES = [
  ['overdue', '逾期'],
  ['due_soon', '临期'],
  ['stalled', '停滞'],
  ['returned', '多次退回'],
  ['to_verify', '待我验收'],
  ['escalations', '待我接收上交'],
  ['opinions_overdue', '逾期未响应意见'],
]
const orgNames = new Map()
async function orgNameOf(id) {
  if (!orgNames.has(id)) orgNames.set(id, (await api(`/orgs/${id}`)).name)
  return orgNames.get(id)
}

async function main() {
  console.log(`rectify supervision e2e against ${BASE}`)
  if (!USER || !PASSWORD || !TOKEN) throw new Error('set E2E_USER, E2E_PASSWORD and E2E_TOKEN (scripts/test does)')
  const fuzhou = await api(`/orgs/${FUZHOU.id}`)
  assertEq(fuzhou.name, FUZHOU.name, `org ${FUZHOU.id}`)
  const gulou = (await api('/orgs?division_code=350102')).items[0]
  assertEq(gulou?.name, '鼓楼区', 'division 350102')

  const browser = await launch({ ...DESKTOP, acceptDownloads: true })
  const { context, page } = browser
  const { pageErrors, cspViolations } = watchPage(page, expectedRefusals)

  try {
    await step('log in as the e2e admin', async () => {
      await logIn(page, `/orgs/${FUZHOU.id}/dashboard`)
    })

    // ---- the workbench as the data stands (after dashboard.spec.mjs, if it ran first)
    await step(`督办工作台 of ${FUZHOU.name} from the menu: seven queue tabs whose counts equal GET /queues/{kind}`, async () => {
      await page.locator('[data-testid="nav-supervision"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/supervision`)
      for (const [kind, label] of QUEUES) {
        const q = await api(`/queues/${kind}?org_id=${FUZHOU.id}&limit=1`)
        const text = (await page.locator(`[data-testid="queue-tab-${kind}"]`).innerText()).trim()
        assert(text.startsWith(label), `tab ${kind} reads ${label}: "${text}"`)
        assertEq(await tabCount(page, kind, count(q.total)), count(q.total), `count on the ${label} tab`)
      }
    })

    await step('each queue tab shows the rows of its queue: titles, units and reasons as the API lists them', async () => {
      for (const [kind, label] of QUEUES) {
        const q = await api(`/queues/${kind}?org_id=${FUZHOU.id}&limit=20`)
        await page.locator(`[data-testid="queue-tab-${kind}"]`).click()
        await page.waitForFunction((k) => document.querySelector('[data-testid="queue-table"]')?.dataset.queue === k, kind)
        await waitRows(page, 'queue-table', q.items.length)
        const rows = await tableRows(page, 'queue-table')
        for (const [i, item] of q.items.entries()) {
          const title = item.opinion ? item.opinion.title || `#${item.opinion.id}` : item.problem_title
          assert(rows[i][0].startsWith(title), `${label} row ${i}: title ${title} in "${rows[i][0]}"`)
          const unit = item.opinion ? await orgNameOf(item.opinion.org_id) : item.task ? item.org_name : item.to_org_name
          assertEq(rows[i][1], unit, `${label} row ${i}: unit`)
          assert(rows[i].includes(item.why_text), `${label} row ${i}: why "${item.why_text}" in ${JSON.stringify(rows[i])}`)
        }
        assertEq((await page.locator('[data-testid="queue-total"]').innerText()).trim(), `共 ${count(q.total)} 条`, `${label} total`)
      }
      await page.locator('[data-testid="queue-tab-overdue"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/supervision`)
    })

    // ---- a task due soon, made through the API, urged from the workbench
    const stamp = new Date().toISOString().slice(0, 19)
    const title = `白马河沿岸垃圾堆积（e2e ${stamp}）`
    const taskTitle = '清理白马河沿岸垃圾'
    const now = Date.now()
    const due = new Date(now + 2 * 3600 * 1000) // in two hours: due soon whatever the calendar says
    const sameDay = beijingDay(now) === beijingDay(due.getTime())
    let problem
    let task
    let dueSoonBefore
    await step(`a 鼓楼区 problem with a task due in two hours (POST /problems, /problems/{id}/tasks) is in the 临期 queue`, async () => {
      dueSoonBefore = (await api(`/queues/due_soon?org_id=${FUZHOU.id}&limit=1`)).total
      problem = await post('/problems', { title, owner_org_id: gulou.id, source: 'public_opinion' })
      task = await post(`/problems/${problem.id}/tasks`, {
        org_id: gulou.id,
        title: taskTitle,
        responsible_person: '李四',
        type: 'time_bound',
        due_at: due.toISOString().replace(/\.\d+Z$/, 'Z'),
      })
      const sup = await api(`/tasks/${task.id}/supervision`)
      assertEq(sup.warning.level, 'yellow', 'warning of a task due in two hours')
      assertEq(sup.steps.length, 0, 'no ladder steps yet')
      assertEq((await api(`/queues/due_soon?org_id=${FUZHOU.id}&limit=1`)).total, dueSoonBefore + 1, 'due-soon total grows by one')
    })

    const rowOf = () => page.locator('[data-testid="queue-table"] .el-table__body tr.el-table__row').filter({ hasText: title }).first()
    // Shows the 临期 page that holds the task (page 1 on a fresh database; later on a reused one).
    async function showTaskRow() {
      const all = (await api(`/queues/due_soon?org_id=${FUZHOU.id}&limit=200`)).items
      const i = all.findIndex((x) => x.task?.id === task.id)
      assert(i >= 0, 'the API lists the task as due soon')
      const at = Math.floor(i / 20) + 1
      if (at > 1) await page.goto(`${BASE}/orgs/${FUZHOU.id}/supervision?queue=due_soon&page=${at}`)
      await rowOf().waitFor()
    }
    await step('the 临期 tab counts it and lists it: 鼓楼区, 李四, the deadline, 黄色预警, why, no ladder step yet', async () => {
      await page.locator('[data-testid="workbench-refresh"]').click()
      assertEq(await tabCount(page, 'due_soon', count(dueSoonBefore + 1)), count(dueSoonBefore + 1), '临期 count')
      await page.locator('[data-testid="queue-tab-due_soon"]').click()
      await page.waitForURL(/queue=due_soon/)
      await showTaskRow()
      const item = (await api(`/queues/due_soon?org_id=${FUZHOU.id}&limit=200`)).items.find((x) => x.task?.id === task.id)
      assert(item, 'the API lists the task as due soon')
      if (sameDay) assertEq(item.why_text, '今日到期', 'why of a task due later today')
      const cells = await rowOf().locator('td:not(.el-table-column--selection)').allInnerTexts()
      assert(cells[0].includes(title) && cells[0].includes(taskTitle), `problem and task title: ${cells[0]}`)
      assertEq(cells[1].trim(), '鼓楼区', 'unit')
      assertEq(cells[2].trim(), '李四', 'responsible person')
      assertEq(cells[3].trim(), beijingDay(due.getTime()), 'deadline (Beijing date)')
      assertEq(cells[4].trim(), '黄色预警', 'warning tag')
      assertEq(cells[5].trim(), item.why_text, 'why')
      assertEq(cells[6].trim(), '', 'no ladder step yet')
      const buttons = await rowOf().locator('[data-testid="queue-urge"], [data-testid="queue-supervise"], [data-testid="queue-interview"]').allInnerTexts()
      assertEq(buttons.map((b) => b.trim()).join(' '), '催办 督办 约谈', 'the three ladder buttons')
      console.log(`     screenshot: ${await shot(page, 'workbench')}`)
    })

    const reason = '群众多次反映，请抓紧清理'
    await step('each row\'s selection checkbox is named for its row (选择：problem · task), and checking it selects that task', async () => {
      const box = page.getByRole('checkbox', { name: `选择：${title} · ${taskTitle}`, exact: true })
      assertEq(await box.count(), 1, 'one checkbox named for the row')
      // Every row checkbox of the page has a name of its own (none is just "选择当前行").
      const names = await page.locator('[data-testid="queue-table"] [data-testid="queue-select"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))
      assert(names.length > 0 && names.every((n) => n && n.startsWith('选择：') && n.length > 3), `row checkbox names: ${JSON.stringify(names)}`)
      // Element Plus hides the <input> itself: a click lands on its <label>, which carries the name.
      const label = page.locator(`label[aria-label="选择：${title} · ${taskTitle}"]`)
      await label.click()
      await page.locator('[data-testid="bulk-count"]', { hasText: '已选 1 项' }).waitFor()
      assert(page.url().includes('/supervision'), 'the click selected the row, it did not navigate')
      await label.click()
      await page.locator('[data-testid="bulk-count"]', { hasText: '已选 0 项' }).waitFor()
    })

    await step('催办 from the workbench: an empty reason is refused in the dialog, the server\'s refusal of a 2001-character reason is shown, then the urge is taken', async () => {
      await rowOf().locator('[data-testid="queue-urge"]').click()
      const d = await dialog(page, 'ladder-dialog')
      assert((await d.locator('.el-dialog__title').innerText()).includes(`催办：${taskTitle}`), 'dialog title names the step and the task')
      await d.locator('[data-testid="ladder-save"]').click()
      await d.locator('[data-testid="ladder-error"]').waitFor()
      assertEq((await d.locator('[data-testid="ladder-error"]').innerText()).trim(), '请填写理由', 'empty reason')
      // Too long: the server refuses (400) and its message is shown in the dialog.
      const long = '催'.repeat(2001)
      const direct = await call('POST', `/tasks/${task.id}/supervision`, { kind: 'urge', reason: long })
      assertEq(direct.status, 400, 'the API refuses a 2001-character reason')
      expectedRefusals.push({ status: 400, path: `/api/v1/tasks/${task.id}/supervision` })
      await field(d, 'ladder-reason').fill(long)
      await d.locator('[data-testid="ladder-save"]').click()
      await page.waitForFunction(
        (msg) => document.querySelector('.el-dialog[data-testid="ladder-dialog"] [data-testid="ladder-error"]')?.innerText.includes(msg),
        direct.body.error.message,
      ).catch(async () => {
        throw new Error(`the server's message "${direct.body.error.message}" shown: "${await d.locator('[data-testid="ladder-error"]').innerText()}"`)
      })
      assertEq((await api(`/tasks/${task.id}/supervision`)).steps.length, 0, 'nothing recorded by the refusals')
      await field(d, 'ladder-reason').fill(reason)
      await d.locator('[data-testid="ladder-save"]').click()
      await d.waitFor({ state: 'hidden' })
      const sup = await api(`/tasks/${task.id}/supervision`)
      assertEq(sup.steps.length, 1, 'one step')
      assertEq(sup.steps[0].kind, 'urge', 'kind')
      assertEq(sup.steps[0].reason, reason, 'reason')
      assertEq(sup.steps[0].automatic, false, 'by hand')
    })

    await step('the row now shows the 催办 tag, as the queue\'s ladder says', async () => {
      await page.waitForFunction(
        (title) =>
          [...document.querySelectorAll('[data-testid="queue-table"] .el-table__body tr.el-table__row')]
            .find((tr) => tr.innerText.includes(title))
            ?.querySelector('[data-testid="queue-ladder"]')
            ?.innerText.trim() === '催办',
        title,
      )
      const item = (await api(`/queues/due_soon?org_id=${FUZHOU.id}&limit=200`)).items.find((x) => x.task?.id === task.id)
      assertEq(item.ladder, 'urge', 'the API\'s ladder of the row')
      assertEq((await rowOf().locator('[data-testid="queue-ladder"]').innerText()).trim(), '催办', 'ladder tag')
    })

    await step('the 临期 queue pages by 20: with 21 more tasks due soon, page 2 shows the rows of offset 20 and the URL keeps the page', async () => {
      const batch = await post('/problems', { title: `沿河排口整治（e2e ${stamp}）`, owner_org_id: gulou.id, source: 'self_inspection' })
      for (let i = 1; i <= 21; i++) {
        await post(`/problems/${batch.id}/tasks`, {
          org_id: gulou.id,
          title: `排口整治第 ${i} 处`,
          responsible_person: '赵六',
          type: 'time_bound',
          due_at: due.toISOString().replace(/\.\d+Z$/, 'Z'),
        })
      }
      const first = await api(`/queues/due_soon?org_id=${FUZHOU.id}&limit=20`)
      const second = await api(`/queues/due_soon?org_id=${FUZHOU.id}&limit=20&offset=20`)
      assertEq(first.total, dueSoonBefore + 22, 'due-soon total: the urged task and 21 more')
      await page.locator('[data-testid="workbench-refresh"]').click()
      assertEq(await tabCount(page, 'due_soon', count(first.total)), count(first.total), '临期 count')
      await waitRows(page, 'queue-table', 20)
      assertEq((await page.locator('[data-testid="queue-total"]').innerText()).trim(), `共 ${count(first.total)} 条`, 'total under the table')
      await page.locator('[data-testid="queue-pager"] .el-pager li', { hasText: /^2$/ }).click()
      await page.waitForURL(/queue=due_soon.*page=2|page=2.*queue=due_soon/)
      await waitRows(page, 'queue-table', second.items.length)
      const rows = await tableRows(page, 'queue-table')
      second.items.forEach((item, i) => {
        assert(rows[i][0].includes(item.task.title), `page 2 row ${i}: task ${item.task.title} in "${rows[i][0]}"`)
      })
      await page.locator('[data-testid="queue-pager"] .btn-prev').click()
      await page.waitForURL((u) => !u.search.includes('page='))
      await waitRows(page, 'queue-table', 20)
      await showTaskRow()
    })

    // ---- the task card on the problem detail
    let statsBefore
    await step('the problem link opens the detail: the task card shows 黄色预警 and the 催办 step (who, when, why)', async () => {
      statsBefore = await api(`/orgs/${gulou.id}/stats`)
      await rowOf().locator('[data-testid="queue-problem"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/problems/${problem.id}`)
      const card = page.locator(`[data-testid="task-${task.id}"]`)
      await card.locator('[data-testid="step-entry"]').first().waitFor()
      assertEq((await card.locator('[data-testid="task-warning"]').innerText()).trim(), '黄色预警', 'warning on the card')
      const entries = card.locator('[data-testid="step-entry"]')
      assertEq(await entries.count(), 1, 'one step listed')
      const s = (await api(`/tasks/${task.id}/supervision`)).steps[0]
      assertEq((await entries.first().locator('[data-role="kind"]').innerText()).trim(), '催办', 'kind')
      assertEq((await entries.first().locator('[data-role="reason"]').innerText()).trim(), reason, 'reason')
      assertEq((await entries.first().locator('[data-role="actor"]').innerText()).trim(), s.actor, 'by whom')
      const at = new Date(Date.parse(s.at) + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ')
      assert((await entries.first().innerText()).includes(at), `when: ${at}`)
      for (const k of ['urge', 'supervise', 'interview']) await card.locator(`[data-testid="task-ladder-${k}"]`).waitFor()
    })

    await step('督办 from the task card with the default feedback date: the card shows its 督办号; 本月督办 grows by one on the dashboard', async () => {
      const card = page.locator(`[data-testid="task-${task.id}"]`)
      await card.locator('[data-testid="task-ladder-supervise"]').click()
      const d = await dialog(page, 'ladder-dialog')
      await field(d, 'ladder-reason').fill('临近期限仍未开始整改，列入督办')
      await d.locator('[data-testid="ladder-save"]').click()
      await d.waitFor({ state: 'hidden' })
      await page.waitForFunction(
        (id) => document.querySelectorAll(`[data-testid="task-${id}"] [data-testid="step-entry"]`).length === 2,
        task.id,
      )
      const steps = (await api(`/tasks/${task.id}/supervision`)).steps
      const sup = steps.find((x) => x.kind === 'supervise')
      assert(sup, 'a supervise step')
      const year = beijingDay(Date.parse(sup.at)).slice(0, 4)
      assert(new RegExp(`^督办〔${year}〕\\d+号$`).test(sup.number), `督办号 ${sup.number}`)
      assert(sup.feedback_due_at && Date.parse(sup.feedback_due_at) > Date.parse(sup.at), 'a default feedback date after now')
      const entry = card.locator('[data-testid="step-entry"][data-kind="supervise"]')
      assertEq((await entry.locator('[data-role="number"]').innerText()).trim(), sup.number, '督办号 on the card')
      assert(
        (await entry.innerText()).includes(`反馈期限 ${beijingDay(Date.parse(sup.feedback_due_at))}，此后每 ${sup.feedback_every_days} 天反馈一次`),
        'feedback date and frequency',
      )
      console.log(`     screenshot: ${await shot(page, 'task-supervision')}`)
      const stats = await api(`/orgs/${gulou.id}/stats`)
      assertEq(stats.supervised_this_month, statsBefore.supervised_this_month + 1, '本月督办 of 鼓楼区 in the API')
      await page.goto(`${BASE}/orgs/${gulou.id}/dashboard`)
      await page
        .waitForFunction(
          (want) => document.querySelector('[data-testid="kf-supervised"] [data-role="value"]')?.textContent.trim() === want,
          count(stats.supervised_this_month),
        )
        .catch(() => {})
      assertEq(
        (await page.locator('[data-testid="kf-supervised"] [data-role="value"]').innerText()).trim(),
        count(stats.supervised_this_month),
        '本月督办 card',
      )
      assert((await page.locator('[data-testid="kf-supervised"]').innerText()).includes('本月督办'), 'card label 本月督办')
    })

    await step('约谈 from the task card: the official and the time are required; the step shows whom and when', async () => {
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/problems/${problem.id}`)
      const card = page.locator(`[data-testid="task-${task.id}"]`)
      await card.locator('[data-testid="step-entry"]').first().waitFor()
      await card.locator('[data-testid="task-ladder-interview"]').click()
      const d = await dialog(page, 'ladder-dialog')
      await field(d, 'ladder-reason').fill('督办后仍未开始整改，约谈责任单位负责人')
      await d.locator('[data-testid="ladder-save"]').click()
      await d.locator('[data-testid="ladder-error"]').waitFor()
      assertEq((await d.locator('[data-testid="ladder-error"]').innerText()).trim(), '请填写约谈对象', 'official required')
      await field(d, 'ladder-official').fill('王五（鼓楼区副区长）')
      await d.locator('[data-testid="ladder-save"]').click()
      await page.waitForFunction(() => document.querySelector('.el-dialog[data-testid="ladder-dialog"] [data-testid="ladder-error"]')?.innerText.trim() === '请选择约谈时间')
      const held = field(d, 'ladder-held-at')
      await held.click()
      await held.fill('2026-11-30 10:00')
      await held.press('Enter')
      await d.locator('.el-dialog__title').click()
      await field(d, 'ladder-notes').fill('责任人表示三日内完成清理')
      await d.locator('[data-testid="ladder-save"]').click()
      await d.waitFor({ state: 'hidden' })
      const iv = (await api(`/tasks/${task.id}/supervision`)).steps.find((x) => x.kind === 'interview')
      assert(iv, 'an interview step')
      assertEq(iv.official, '王五（鼓楼区副区长）', 'official')
      assertEq(iv.held_at, '2026-11-30T10:00:00+08:00', 'held at 10:00 Beijing time')
      assertEq(iv.notes, '责任人表示三日内完成清理', 'notes')
      const entry = card.locator('[data-testid="step-entry"][data-kind="interview"]')
      await entry.waitFor()
      const text = await entry.innerText()
      assert(text.includes('约谈 王五（鼓楼区副区长），2026-11-30 10:00') && text.includes('责任人表示三日内完成清理'), `interview shown: ${text}`)
      assertEq((await card.locator('[data-testid="step-entry"]').first().getAttribute('data-kind')), 'interview', 'newest step first')
    })

    // ---- a bulletin over 福州市 through the form
    let bulletin
    const btitle = `2016—2020年河道投诉办理情况通报（e2e ${stamp}）`
    await step(`发布通报 over ${FUZHOU.name} for 2016-01-01 to 2020-12-31 with the default minimum sample 5`, async () => {
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/dashboard`)
      await page.locator('[data-testid="nav-bulletins"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/bulletins`)
      await page.locator('[data-testid="bulletin-new"]').click()
      const d = await dialog(page, 'bulletin-dialog')
      assertEq(await d.locator('[data-testid="bulletin-min-sample"] input').inputValue(), '5', 'default minimum sample')
      await field(d, 'bulletin-title').fill(btitle)
      const ends = d.locator('[data-testid="bulletin-period"] input')
      await ends.nth(0).click()
      await ends.nth(0).fill('2016-01-01')
      await ends.nth(0).press('Enter')
      await ends.nth(1).fill('2020-12-31')
      await ends.nth(1).press('Enter')
      await d.locator('.el-dialog__title').click() // close the picker's panel
      await d.locator('[data-testid="bulletin-save"]').click()
      await page.waitForURL(new RegExp(`/orgs/${FUZHOU.id}/bulletins/\\d+$`))
      const id = Number(page.url().match(/bulletins\/(\d+)$/)[1])
      bulletin = await api(`/bulletins/${id}`)
      assertEq(bulletin.title, btitle, 'title')
      assertEq(bulletin.org_id, FUZHOU.id, 'org')
      assertEq(bulletin.period_from.slice(0, 10), '2016-01-01', 'period_from')
      assertEq(bulletin.period_to.slice(0, 10), '2021-01-01', 'period_to (half-open: the day after the last day)')
      assertEq(bulletin.min_sample, 5, 'min_sample')
    })

    await step('the bulletin\'s table: the Fuzhou 12345 figures per district (仓山区 511), ranks, 样本不足, totals 835 and 771/835 on time', async () => {
      const children = (await api(`/orgs/${FUZHOU.id}/children`)).items
      await waitRows(page, 'bulletin-rows', children.length)
      const rows = await tableRows(page, 'bulletin-rows')
      // Columns: 排名, 单位, 问题数, 已办结, 办结率, 按期办结率, 逾期, 满意率, 督办数
      const byName = new Map(rows.map((r) => [r[1], r]))
      for (const [name, n] of Object.entries(DISTRICTS)) {
        const r = byName.get(name)
        assert(r, `a row for ${name}`)
        assertEq(r[2], count(n), `${name} problems`)
        assertEq(r[3], count(n), `${name} closed (every case of the file is closed)`)
        assertEq(r[4], `100.0% (${n}/${n})`, `${name} completion`)
        assert(/^\d+$/.test(r[0]), `${name} has ${n} >= 5 problems: ranked, got "${r[0]}"`)
      }
      assertEq(byName.get('仓山区')[2], '511', '仓山区 problems')
      const others = rows.filter((r) => !(r[1] in DISTRICTS))
      assertEq(others.length, children.length - 5, 'the other child orgs')
      for (const r of others) {
        assertEq(r[2], '0', `${r[1]} has no cases in the file`)
        assertEq(r[0], '样本不足', `${r[1]} is below the minimum sample`)
      }
      // The five ranked rows first, best on-time rate first (every completion is 100%); a district's rank is
      // 1 + the number of districts with a better on-time rate, worked out from the shown numerators.
      const top = rows.slice(0, 5)
      assertEq(top.map((r) => r[1]).sort().join(','), Object.keys(DISTRICTS).sort().join(','), 'the five districts first')
      const onTime = top.map((r) => {
        const m = /\((\d+)\/(\d+)\)$/.exec(r[5])
        return Number(m[1]) / Number(m[2])
      })
      for (let i = 1; i < onTime.length; i++) assert(onTime[i] <= onTime[i - 1], `on-time rates descend: ${top.map((r) => r[5])}`)
      const ranks = onTime.map((x) => String(1 + onTime.filter((y) => y > x).length))
      assertEq(top.map((r) => r[0]).join(','), ranks.join(','), 'ranks')
      const api0 = bulletin.rows.find((r) => r.org_name === '仓山区')
      assertEq(byName.get('仓山区')[5], rateCell(api0.closed_on_time), '仓山区 on-time as the API has it')
      const total = page.locator('[data-testid="bulletin-total"]')
      assertEq((await total.locator('[data-role="problems"]').innerText()).trim(), '835', 'total problems')
      assertEq((await total.locator('[data-role="closed"]').innerText()).trim(), '835', 'total closed')
      assertEq((await total.locator('[data-role="on-time"]').innerText()).trim(), '92.3% (771/835)', 'total on time (771/835)')
      const meta = await page.locator('[data-testid="bulletin-meta"]').innerText()
      assert(meta.includes('2016-01-01 至 2020-12-31'), `period shown with its last day: ${meta}`)
    })

    await step('the chart draws the completion and on-time rates of the five districts with cases', async () => {
      const sel = '[data-testid="bulletin-chart"] .echart'
      await page.locator(sel).waitFor()
      const o = await page.$eval(sel, (el) => {
        const opt = el.__echart.getOption()
        return { names: opt.xAxis[0].data, series: opt.series.map((s) => ({ name: s.name, values: s.data.map((d) => d.value) })) }
      })
      const ranked = bulletin.rows.filter((r) => r.problems > 0)
      assertEq(JSON.stringify(o.names), JSON.stringify(ranked.map((r) => r.org_name)), 'bars per district, in the bulletin order')
      assertEq(o.names.length, 5, 'five districts')
      assertEq(JSON.stringify(o.series.map((s) => s.name)), JSON.stringify(['办结率', '按期办结率']), 'series')
      assertEq(JSON.stringify(o.series[0].values), JSON.stringify([100, 100, 100, 100, 100]), 'completion 100% each')
      const want = ranked.map((r) => Math.round((r.closed_on_time.numerator / r.closed_on_time.denominator) * 1000) / 10)
      assertEq(JSON.stringify(o.series[1].values), JSON.stringify(want), 'on-time rates in percent')
      // Drawn: the canvas has non-blank pixels.
      const drawn = await page.$eval(`${sel} canvas`, (c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
        let n = 0
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++
        return n
      })
      assert(drawn > 1000, `the chart is drawn (${drawn} pixels)`)
      console.log(`     screenshot: ${await shot(page, 'bulletin')}`)
    })

    await step('XLSX and CSV download; the printable page opens in a new tab with the title and 仓山区 511', async () => {
      const xlsxHref = await page.locator('[data-testid="bulletin-xlsx"]').getAttribute('href')
      const csvHref = await page.locator('[data-testid="bulletin-csv"]').getAttribute('href')
      const xlsx = await page.evaluate(async (u) => {
        const r = await fetch(u)
        const b = new Uint8Array(await r.arrayBuffer())
        return { status: r.status, magic: String.fromCharCode(b[0], b[1]), size: b.length }
      }, xlsxHref)
      assertEq(xlsx.status, 200, 'XLSX status')
      assertEq(xlsx.magic, 'PK', 'XLSX is a zip')
      const csv = await page.evaluate(async (u) => (await fetch(u)).text(), csvHref)
      assert(csv.includes('排名,单位,问题数,已办结,办结率,按期办结率,逾期,满意率,督办数'), 'CSV header')
      assert(csv.includes('仓山区,511,511,100.0%'), 'CSV row of 仓山区')
      const download = page.waitForEvent('download')
      await page.locator('[data-testid="bulletin-csv"]').click()
      const file = await (await download).path()
      assert(fs.readFileSync(file, 'utf8').includes('仓山区,511,511,100.0%'), 'the downloaded CSV')
      const popup = context.waitForEvent('page')
      await page.locator('[data-testid="bulletin-print"]').click()
      const tab = await popup
      await tab.waitForLoadState()
      assert(tab.url().endsWith(`/api/v1/bulletins/${bulletin.id}/export?format=html`), `printable page URL ${tab.url()}`)
      assertEq((await tab.locator('h1').innerText()).trim(), btitle, 'printable page title')
      // The first table ranks the units; the second (issue 12) reports the leaders' own lists apart.
      const row = await tab.locator('table').first().locator('tr', { hasText: '仓山区' }).innerText()
      assert(row.includes('511'), `仓山区 511 on the printable page: ${row}`)
      assertEq(await tab.locator('h2', { hasText: '个人检视和领导班子检视问题清单完成情况' }).count(), 1, 'the self-inspection section')
      await tab.close()
    })

    await step('the bulletin list of 福州市 has it; its link opens it again', async () => {
      const list = (await api(`/bulletins?org_id=${FUZHOU.id}`)).items
      await page.locator('[data-testid="nav-bulletins"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/bulletins`)
      await waitRows(page, 'bulletin-table', list.length)
      const row = page.locator('[data-testid="bulletin-table"] .el-table__body tr.el-table__row').filter({ hasText: btitle })
      assertEq(await row.count(), 1, 'one row with the title')
      assert((await row.innerText()).includes('2016-01-01 至 2020-12-31'), 'the period with its last day')
      await row.locator('[data-testid="bulletin-link"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/bulletins/${bulletin.id}`)
      await page.locator('[data-testid="bulletin-heading"]').waitFor()
    })

    await step('an escalation of a 鼓楼区 problem to 福州市 is in 待我接收上交 with its reason; its link opens the problem', async () => {
      const etitle = `闽江支流水质反复超标（e2e ${stamp}）`
      const ereason = '污染源在上游跨区，需市级统筹'
      const p = await post('/problems', { title: etitle, owner_org_id: gulou.id, source: 'public_opinion' })
      await post(`/problems/${p.id}/escalations`, { to_org_id: FUZHOU.id, reason: ereason })
      const q = await api(`/queues/escalations?org_id=${FUZHOU.id}&limit=200`)
      assert(q.items.some((x) => x.escalation?.problem_id === p.id), 'the API lists the escalation')
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/supervision?queue=escalations`)
      assertEq(await tabCount(page, 'escalations', count(q.total)), count(q.total), '待我接收上交 count')
      const row = page.locator('[data-testid="queue-table"] .el-table__body tr.el-table__row').filter({ hasText: etitle }).first()
      await row.waitFor()
      const cells = await row.locator('td').allInnerTexts()
      assertEq(cells[1].trim(), '福州市', 'the org asked to accept')
      assertEq(cells[2].trim(), `下级申请上交（下题上答）：${ereason}`, 'why')
      await row.locator('td').last().getByText('查看问题').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/problems/${p.id}`)
      await page.locator('[data-testid="problem-title"]').waitFor()
      assertEq((await page.locator('[data-testid="problem-title"]').innerText()).trim(), etitle, 'the problem opened')
    })

    // ---- opinion time limits: an emergency opinion past its 2 hours, in 逾期未响应意见
    const otitle = `小区主干道路灯大面积不亮（e2e ${stamp}）`
    const receivedAt = new Date(Date.now() - 3 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, 'Z')
    let opinion
    await step('an emergency 鼓楼区 opinion received three hours ago (POST /opinions, sla_class emergency) is due two hours after receipt', async () => {
      opinion = await post('/opinions', {
        channel: 'phone',
        kind: 'complaint',
        title: otitle,
        text: '晚上整条路漆黑，行人险些被车撞到',
        org_id: gulou.id,
        received_at: receivedAt,
        sla_class: 'emergency',
      })
      assertEq(opinion.sla_class, 'emergency', 'class')
      assertEq(Date.parse(opinion.reply_due_at), Date.parse(receivedAt) + 2 * 3600 * 1000, 'reply_due_at = received + 2 h')
      assertEq(opinion.responded_at ?? null, null, 'not answered')
    })

    const orow = () => page.locator('[data-testid="queue-table"] .el-table__body tr.el-table__row').filter({ hasText: otitle }).first()
    await step('逾期未响应意见 counts and lists it: title, 鼓楼区, 紧急, the deadline, why, and no ladder buttons', async () => {
      const q = await api(`/queues/opinions_overdue?org_id=${FUZHOU.id}&limit=500`)
      const i = q.items.findIndex((x) => x.opinion?.id === opinion.id)
      assert(i >= 0, 'the API lists the opinion as overdue')
      const item = q.items[i]
      assert(/^超过紧急意见办理时限 1 小时/.test(item.why_text), `why: ${item.why_text}`)
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/supervision?queue=opinions_overdue${i >= 20 ? `&page=${Math.floor(i / 20) + 1}` : ''}`)
      assertEq(await tabCount(page, 'opinions_overdue', count(q.total)), count(q.total), '逾期未响应意见 count')
      await orow().waitFor()
      const cells = (await orow().locator('td').allInnerTexts()).map((c) => c.trim())
      const dueText = new Date(Date.parse(opinion.reply_due_at) + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ')
      assertEq(JSON.stringify(cells), JSON.stringify([otitle, '鼓楼区', '紧急', dueText, item.why_text]), 'the row')
      assertEq(await orow().locator('button').count(), 0, 'no ladder buttons on an opinion')
      console.log(`     screenshot: ${await shot(page, 'opinions-overdue')}`)
    })

    await step('its title opens the opinion: 紧急, the deadline and 已超时; after a reply it reads 超时响应', async () => {
      await orow().locator('[data-testid="queue-opinion"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/opinions/${opinion.id}`)
      await page.locator('[data-testid="opinion-sla-state"]').waitFor()
      assertEq((await page.locator('[data-testid="opinion-sla-class"]').innerText()).trim(), '紧急', 'class')
      const dueText = new Date(Date.parse(opinion.reply_due_at) + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ')
      assertEq((await page.locator('[data-testid="opinion-reply-due"]').innerText()).trim(), dueText, 'deadline')
      assertEq((await page.locator('[data-testid="opinion-sla-state"]').innerText()).trim(), '已超时', 'state')
      assertEq((await page.locator('[data-testid="opinion-responded"]').innerText()).trim(), '尚未响应', 'no response yet')
      const replied = await call('POST', `/opinions/${opinion.id}/reply`, { text: '已安排抢修，今晚恢复照明' })
      assertEq(replied.status, 200, `reply: ${JSON.stringify(replied.body)}`)
      const after = await api(`/opinions/${opinion.id}`)
      assert(after.responded_at && Date.parse(after.responded_at) > Date.parse(after.reply_due_at), 'responded after the limit')
      await page.reload()
      await page.waitForFunction(() => document.querySelector('[data-testid="opinion-sla-state"]')?.textContent.trim() === '超时响应')
      const respondedText = new Date(Date.parse(after.responded_at) + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ')
      assertEq((await page.locator('[data-testid="opinion-responded"]').innerText()).trim(), respondedText, 'first response')
    })

    await step('the opinion list of 鼓楼区 shows the opinion with 紧急, its deadline and 超时响应', async () => {
      await page.goto(`${BASE}/orgs/${gulou.id}/opinions`)
      const row = page.locator('[data-testid="opinion-table"] .el-table__body tr.el-table__row').filter({ hasText: otitle }).first()
      await row.waitFor()
      const dueText = new Date(Date.parse(opinion.reply_due_at) + 8 * 3600 * 1000).toISOString().slice(0, 16).replace('T', ' ')
      assertEq((await row.locator('[data-testid="row-sla-class"]').innerText()).trim(), '紧急', 'class')
      assert((await row.innerText()).includes(dueText), `deadline ${dueText} in the row`)
      assertEq((await row.locator('[data-testid="row-sla-state"]').innerText()).trim(), '超时响应', 'state')
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/dashboard`)
    })

    // ---- 意见办理“三率”
    // What the screen shows of the API's answer, worked out here.
    const score = (s) => (s === null ? '—' : (Math.round(s * 1000) / 10).toFixed(1))
    async function checkRates(res, what) {
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="rates-total"] [data-role="received"]')?.textContent.trim() === n &&
          !document.querySelector('[data-testid="rates-total"] .el-loading-mask'),
        count(res.total.received),
      ).catch(() => {})
      const total = page.locator('[data-testid="rates-total"]')
      assertEq((await total.locator('[data-role="received"]').innerText()).trim(), count(res.total.received), `${what}: received`)
      assertEq((await total.locator('[data-role="due"]').innerText()).trim(), count(res.total.due), `${what}: due`)
      assertEq((await total.locator('[data-role="overdue"]').innerText()).trim(), count(res.total.overdue), `${what}: overdue`)
      const tr = res.total.transfers
      assertEq((await total.locator('[data-role="transfers"]').innerText()).trim(), `${tr.opinions_transferred} / ${tr.transfers}`, `${what}: transfers`)
      for (const k of ['response', 'resolution', 'satisfaction']) {
        const box = page.locator(`[data-testid="rates-total-${k}"]`)
        const r = res.total[k]
        assertEq((await box.locator('[data-role="rate"]').innerText()).trim(), pct(r), `${what}: ${k} rate`)
        assertEq((await box.locator('[data-role="fraction"]').innerText()).trim(), `${r.numerator}/${r.denominator}`, `${what}: ${k} fraction`)
      }
      assertEq((await page.locator('[data-testid="rates-total-score"] [data-role="score"]').innerText()).trim(), score(res.total.score), `${what}: score`)
      // The table: one row per child, best score first, rows without a score last.
      const rows = await tableRows(page, 'rates-table')
      assertEq(rows.length, res.children.length, `${what}: one row per child`)
      const byName = new Map(rows.map((r) => [r[0], r]))
      for (const c of res.children) {
        const r = byName.get(c.org.name)
        assert(r, `${what}: a row for ${c.org.name}`)
        const transfers = `${c.transfers.opinions_transferred} / ${c.transfers.transfers}`
        const want = [c.org.name, count(c.received), count(c.due), count(c.overdue), rateCell(c.response), rateCell(c.resolution), rateCell(c.satisfaction), score(c.score), transfers]
        assertEq(JSON.stringify(r), JSON.stringify(want), `${what}: row of ${c.org.name}`)
      }
      const scores = rows.map((r) => (r[7] === '—' ? null : Number(r[7])))
      const firstNull = scores.indexOf(null)
      if (firstNull >= 0) assert(scores.slice(firstNull).every((s) => s === null), `${what}: rows without a score last: ${scores}`)
      const scored = scores.filter((s) => s !== null)
      for (let i = 1; i < scored.length; i++) assert(scored[i] <= scored[i - 1], `${what}: scores descend: ${scores}`)
      // The config in small print.
      const fine = await page.locator('[data-testid="rates-config"]').innerText()
      assert(fine.includes('办理时限：紧急 2 小时，及时性 24 小时，一般 7 天，复杂疑难 15 天'), `${what}: limits (${res.limits}) in "${fine}"`)
      assert(fine.includes(`得分权重：响应率 ${res.weights.response}，解决率 ${res.weights.resolution}，满意率 ${res.weights.satisfaction}`), `${what}: weights in "${fine}"`)
    }

    await step('意见办理“三率” of 福州市 from the menu: this month by default, every figure as GET /orgs/16/opinion-rates has it for this month', async () => {
      await page.locator('[data-testid="nav-opinions-group"]').hover() // 群众意见 / 主题教育 hold it
      await page.locator('[data-testid="nav-rates"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/rates`)
      // This month in Beijing: from its first day 00:00 to tomorrow 00:00 (+08:00), worked out here.
      const today = beijingDay(Date.now())
      const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86400e3).toISOString().slice(0, 10)
      const from = `${today.slice(0, 8)}01T00:00:00+08:00`
      const to = `${tomorrow}T00:00:00+08:00`
      const res = await api(`/orgs/${FUZHOU.id}/opinion-rates?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)
      const inputs = page.locator('[data-testid="rates-period"] input')
      assertEq(await inputs.nth(0).inputValue(), `${today.slice(0, 8)}01`, 'period starts on the 1st')
      assertEq(await inputs.nth(1).inputValue(), today, 'period ends today')
      if (beijingDay(Date.parse(receivedAt)).slice(0, 7) === today.slice(0, 7)) {
        assert(res.total.received >= 1 && res.total.due >= 1, 'the emergency opinion is received and due this month')
      }
      await checkRates(res, 'this month')
    })

    let fz
    await step('2016-01-01 to 2020-12-31 through the picker: 835 received, response 771/835, resolution 835/835, satisfaction 0/0, score 96.2, as the API says', async () => {
      const ends = page.locator('[data-testid="rates-period"] input')
      await ends.nth(0).click()
      await ends.nth(0).fill('2016-01-01')
      await ends.nth(0).press('Enter')
      await ends.nth(1).fill('2020-12-31')
      await ends.nth(1).press('Enter')
      await page.locator('[data-testid="rates"] .page-title').click() // close the picker's panel
      await page.waitForURL(/from=2016-01-01.*to=2020-12-31/)
      fz = await api(`/orgs/${FUZHOU.id}/opinion-rates?from=${encodeURIComponent('2016-01-01T00:00:00+08:00')}&to=${encodeURIComponent('2021-01-01T00:00:00+08:00')}`)
      // The worked example of docs/SUPERVISION.md, independently of the API.
      assertEq(fz.total.received, 835, 'received 2016-2020')
      assertEq(`${fz.total.response.numerator}/${fz.total.response.denominator}`, '771/835', 'response')
      await checkRates(fz, '2016-2020')
      assertEq((await page.locator('[data-testid="rates-total-response"] [data-role="rate"]').innerText()).trim(), '92.3%', '771/835 = 92.3%')
      assertEq((await page.locator('[data-testid="rates-total-score"] [data-role="score"]').innerText()).trim(), '96.2', '(771/835 + 1)/2')
      // docs/SUPERVISION.md#opinion-rates: 254 of the cases were transferred, 358 times (the file's 转处理次数).
      assertEq((await page.locator('[data-testid="rates-total"] [data-role="transfers"]').innerText()).trim(), '254 / 358', 'transfers 2016-2020')
    })

    await step('the chart: the three rates of each district with opinions, as the API has them; a click on 仓山区\'s bars selects 仓山区', async () => {
      const sel = '[data-testid="rates-chart"] .echart'
      await page.locator(sel).waitFor()
      await page.waitForTimeout(800)
      const o = await page.$eval(sel, (el) => {
        const opt = el.__echart.getOption()
        return { names: opt.xAxis[0].data, series: opt.series.map((s) => ({ name: s.name, values: s.data.map((d) => d.value) })) }
      })
      const withOpinions = fz.children.filter((c) => c.received > 0)
      assertEq(JSON.stringify([...o.names].sort()), JSON.stringify(withOpinions.map((c) => c.org.name).sort()), 'bars per child with opinions')
      assertEq(JSON.stringify(o.series.map((s) => s.name)), JSON.stringify(['响应率', '解决率', '满意率']), 'series')
      const p = (r) => (r.denominator ? Math.round((r.numerator / r.denominator) * 1000) / 10 : null)
      o.names.forEach((name, i) => {
        const c = withOpinions.find((x) => x.org.name === name)
        assertEq(o.series[0].values[i], p(c.response), `${name} response %`)
        assertEq(o.series[1].values[i], p(c.resolution), `${name} resolution %`)
        assertEq(o.series[2].values[i], p(c.satisfaction), `${name} satisfaction %`)
      })
      const drawn = await page.$eval(`${sel} canvas`, (c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data
        let n = 0
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++
        return n
      })
      assert(drawn > 1000, `the chart is drawn (${drawn} pixels)`)
      console.log(`     screenshot: ${await shot(page, 'opinion-rates')}`)
      const cangshan = withOpinions.find((c) => c.org.name === '仓山区')
      const deadline = Date.now() + TIMEOUT
      for (;;) {
        const point = await page.$eval(
          sel,
          (el, name) => {
            el.scrollIntoView({ block: 'center' })
            const chart = el.__echart
            const i = chart.getOption().xAxis[0].data.indexOf(name)
            const l = chart.getModel().getSeriesByIndex(1).getData().getItemLayout(i)
            const r = el.getBoundingClientRect()
            return { x: r.left + l.x + l.width / 2, y: r.top + l.y + l.height / 2 }
          },
          '仓山区',
        )
        await page.mouse.click(point.x, point.y)
        try {
          await page.waitForURL(`**/orgs/${cangshan.org.id}/rates?from=2016-01-01&to=2020-12-31`, { timeout: 1500 })
          break
        } catch (e) {
          if (Date.now() > deadline) throw e
        }
      }
      const own = await api(`/orgs/${cangshan.org.id}/opinion-rates?from=${encodeURIComponent('2016-01-01T00:00:00+08:00')}&to=${encodeURIComponent('2021-01-01T00:00:00+08:00')}`)
      assertEq(own.total.received, cangshan.received, '仓山区 total = its row under 福州市')
      await page.waitForFunction(() => document.querySelector('[data-testid="rates"] .page-title')?.textContent.includes('仓山区'))
      await checkRates(own, '仓山区 2016-2020')
    })

    await step('the table sorts by score: worst first on a click, back to best first on another', async () => {
      await page.goto(`${BASE}/orgs/${FUZHOU.id}/rates?from=2016-01-01&to=2020-12-31`)
      await waitRows(page, 'rates-table', fz.children.length)
      const scored = fz.children.filter((c) => c.score !== null).sort((a, b) => a.score - b.score)
      assert(scored.length >= 2, 'at least two districts with a score')
      await page.locator('[data-testid="rates-table"] th').filter({ hasText: '综合得分' }).locator('.sort-caret.ascending').click()
      await page.waitForFunction((name) => document.querySelector('[data-testid="rates-table"] .el-table__body tr td')?.innerText.trim() === name, scored[0].org.name)
      const rows = await tableRows(page, 'rates-table')
      assertEq(rows[0][0], scored[0].org.name, 'the lowest score first')
      assertEq(rows[scored.length - 1][0], scored[scored.length - 1].org.name, 'the highest score last of the scored')
      // 福州市's seven districts and counties without a case have no score: still last when worst first.
      assert(fz.children.some((c) => c.score === null), 'some children without a score')
      assertEq(rows[rows.length - 1][7], '—', 'rows without a score stay last')
      const best = Math.max(...scored.map((c) => c.score))
      await page.locator('[data-testid="rates-table"] th').filter({ hasText: '综合得分' }).locator('.sort-caret.descending').click()
      await page.waitForFunction((want) => document.querySelectorAll('[data-testid="rates-table"] .el-table__body tr')[0]?.querySelectorAll('td')[7]?.innerText.trim() === want, score(best))
      assertEq((await tableRows(page, 'rates-table'))[0][7], score(best), 'the highest score first again')
    })

    await step('in English the workbench says Supervision workbench and its tabs Overdue … Escalations to accept', async () => {
      await page.locator('[data-testid="lang-switch"]').getByText('English', { exact: true }).click()
      await page.locator('[data-testid="nav-supervision"]').click()
      await page.waitForURL(`**/orgs/${FUZHOU.id}/supervision`)
      await page.waitForFunction(() => document.querySelector('[data-testid="workbench"] .page-title')?.textContent.includes('Supervision workbench'))
      assert((await page.locator('[data-testid="queue-tab-due_soon"]').innerText()).startsWith('Due soon'), 'Due soon tab')
      assert((await page.locator('[data-testid="queue-tab-escalations"]').innerText()).startsWith('Escalations to accept'), 'escalations tab')
      assert((await page.locator('[data-testid="queue-tab-opinions_overdue"]').innerText()).startsWith('Opinions unanswered past limit'), 'opinions tab')
      await page.locator('[data-testid="nav-opinions-group"]').hover() // 群众意见 / 主题教育 hold it
      await page.locator('[data-testid="nav-rates"]').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="rates"] .page-title')?.textContent.includes('Opinion rates'))
      await page.locator('[data-testid="lang-switch"]').getByText('中文', { exact: true }).click()
    })

    await step('a 鼓楼区 supervisor sees the ladder buttons on its own task, and the server\'s 403 is shown in the dialog', async () => {
      // Nobody supervises itself: the ladder needs the role over the level above the task's org (福州市).
      const name = `gulou.sup.${Date.now()}`
      const first = `Aa1-${Math.random().toString(36).slice(2)}-first`
      const second = `Bb2-${Math.random().toString(36).slice(2)}-second`
      await post('/users', {
        name,
        display_name: '鼓楼区督导员',
        org_id: gulou.id,
        password: first,
        grants: [{ role: 'supervisor', org_id: gulou.id }, { role: 'clerk', org_id: gulou.id }],
      })
      await page.locator('[data-testid="logout"]').click()
      await page.waitForURL(/\/login/)
      await page.locator('[data-testid="login-name"]').fill(name)
      await page.locator('[data-testid="login-password"]').fill(first)
      await page.locator('[data-testid="login-submit"]').click()
      await page.waitForURL(/\/password/) // a password set by the admin is changed first
      await field(page, 'pw-old').fill(first)
      await field(page, 'pw-new').fill(second)
      await field(page, 'pw-confirm').fill(second)
      await page.locator('[data-testid="pw-submit"]').click()
      await page.waitForURL((u) => !u.pathname.startsWith('/password'))
      await page.goto(`${BASE}/orgs/${gulou.id}/problems/${problem.id}`)
      const card = page.locator(`[data-testid="task-${task.id}"]`)
      await card.locator('[data-testid="step-entry"]').first().waitFor()
      expectedRefusals.push({ status: 403, path: `/api/v1/tasks/${task.id}/supervision` })
      await card.locator('[data-testid="task-ladder-urge"]').click()
      const d = await dialog(page, 'ladder-dialog')
      await field(d, 'ladder-reason').fill('请抓紧')
      await d.locator('[data-testid="ladder-save"]').click()
      await d.locator('[data-testid="ladder-error"]').waitFor()
      const shown = await d.locator('[data-testid="ladder-error"]').innerText()
      assert(shown.includes(`urge on task ${task.id} needs the role supervisor or leader`), `the 403's message: "${shown}"`)
      assertEq((await api(`/tasks/${task.id}/supervision`)).steps.length, 3, 'still the three steps')
      await d.locator('.el-dialog__headerbtn').click()
    })

    await step('no page errors, no unexpected failed API calls, no Content-Security-Policy violations', async () => {
      assert(pageErrors.length === 0, pageErrors.join('; '))
      assert(cspViolations.length === 0, cspViolations.join('; '))
      assertEq(expectedRefusals.length, 0, 'every provoked refusal happened')
    })
  } finally {
    await close(browser)
  }
}

await runMain(main)
