#!/usr/bin/env node
// Browser test of the public portal (/portal, issue 9) against a running rectify server on the real sample
// data (scripts/load-sample-data; scripts/test runs it with the other specs on the same database), in a
// phone-sized window (375 × 812, touch).
//
//   RECTIFY_URL=http://127.0.0.1:8080 E2E_TOKEN=... node tests/e2e/portal.spec.mjs
//
// Needs `npm ci` in web/ (playwright-core) and Debian's chromium at /usr/bin/chromium (or $CHROMIUM).
// Without logging in: opens /portal, files an opinion in category and the cascading pickers 福建省 > 福州市 >
// 鼓楼区 > 鼓东街道 with a contact and a photo, reads the tracking code; the staff reply through the API (the
// e2e admin's token); tracks it by the code, sees the reply, rates it 基本满意 with a comment and sees the
// staff API show the same rating; a mistyped code is refused with the message; the notice board of 福州市
// shows the closed Fuzhou 12345 problems of GET /public/orgs/{id}/notices, with no phone number, the newest (this
// test's opinion, accepted and closed by the staff through the API) linking to the opinion it answers; English.
// Fails on any page error, any request to an /api/ route outside /api/v1/public, a failed API call, a CSP
// violation, or a page wider than the window. Screenshots go to $E2E_OUT (default /tmp). The last line
// printed is "N passed, N failed"; the exit code is 1 on failure.

import {
  BASE, TIMEOUT, TOKEN, run, step, assert, assertEq, finish, call as apiCall, api, launch, shot as shotIn, field,
} from './lib/harness.mjs'

const WIDTH = 375
run.failurePrefix = 'rectify-portal-failed'

// The paths here are written in full (/api/v1/...); `auth` false sends no token (the public routes).
const call = (method, p, body, auth = true) => apiCall(method, p, body, { auth, prefix: '' })
const get = (p, auth = true) => api(p, { auth, prefix: '' })
// The portal's screenshots: 300 ms after the last action, whatever is loading.
const shot = (page, name) => shotIn(page, name, { prefix: 'rectify-portal-', waitMasks: false, settleMs: 300 })

// Chooses `label` in the Element Plus select `testid` (its dropdown is teleported to <body>).
async function choose(page, testid, label) {
  await page.locator(`[data-testid="${testid}"]`).click()
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: label }).filter({
    has: page.locator(`text="${label}"`),
  })
  await option.first().waitFor({ timeout: TIMEOUT })
  await option.first().click()
  await page.waitForTimeout(200)
}

// A real 8×8 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAIAQMAAAD+wSzIAAAABlBMVEX///+/v7+jQ3Y5AAAADklEQVQI12P4AIX8EAgALgAD/aNpbtIAAAAASUVORK5CYII=',
  'base64',
)

async function main() {
  assert(TOKEN, 'E2E_TOKEN is required (the staff reply goes through the API)')
  const { context, page } = await launch(
    { viewport: { width: WIDTH, height: 812 }, isMobile: true, hasTouch: true, locale: 'zh-CN' },
    { profilePrefix: 'rectify-portal-e2e-' },
  )
  const problems = []
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`)
  })
  page.on('request', (r) => {
    const u = new URL(r.url())
    if ((u.pathname.startsWith('/api/') || u.pathname.startsWith('/open311/')) && !u.pathname.startsWith('/api/v1/public/')) {
      problems.push(`the portal called a staff route: ${r.method()} ${u.pathname}`)
    }
  })
  page.on('response', (r) => {
    const u = new URL(r.url())
    if (u.pathname.startsWith('/api/') && r.status() >= 400 && !expectedErrors.has(u.pathname)) {
      problems.push(`failed API call: ${r.request().method()} ${u.pathname} -> ${r.status()}`)
    }
  })
  const expectedErrors = new Set()
  const stamp = Date.now().toString(36)
  const title = `鼓东街道路灯不亮 ${stamp}`
  const text = `我叫王小明，鼓东街道某小区门口的路灯坏了一周，晚上很黑，电话13712345678。（${stamp}）`
  const reply = `已安排维修，路灯已于今日修复。（${stamp}）`
  let code = ''
  let opinionId = 0

  await step('the portal opens at 375 px without a login and calls no staff route', async () => {
    await page.goto(`${BASE}/portal`)
    await page.locator('[data-testid="portal-tabs"]').waitFor()
    await page.locator('[data-testid="portal-category"]').waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert(width <= WIDTH, `the page is ${width} px wide in a ${WIDTH} px window`)
    assertEq(await page.locator('.el-tabs__item').first().innerText(), '我要留言', 'first tab')
    await shot(page, 'form')
  })

  const categories = (await get('/api/v1/public/categories', false)).items
  const parents = new Set(categories.map((c) => c.parent_id).filter((p) => p !== null))
  const leaf = categories.find((c) => !parents.has(c.id) && c.path.includes('城乡建设')) || categories.find((c) => !parents.has(c.id))

  await step('files an opinion with the cascading division pickers, a contact and a photo', async () => {
    await choose(page, 'portal-category', leaf.path)
    await choose(page, 'portal-division-0', '福建省')
    await choose(page, 'portal-division-1', '福州市')
    await choose(page, 'portal-division-2', '鼓楼区')
    await choose(page, 'portal-division-3', '鼓东街道')
    await field(page, 'portal-title').fill(title)
    await field(page, 'portal-text').fill(text)
    await field(page, 'portal-contact-name').fill('王小明')
    await field(page, 'portal-contact-phone').fill('13712345678')
    await page.locator('[data-testid="portal-photo"]').setInputFiles({ name: 'lamp.png', mimeType: 'image/png', buffer: PNG })
    await page.waitForTimeout(300)
    await page.locator('[data-testid="portal-submit"]').click()
    const shown = page.locator('[data-testid="tracking-code"]')
    await shown.waitFor()
    code = (await shown.innerText()).trim()
    assert(/^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/.test(code), `tracking code ${code}`)
    const receipt = await page.locator('[data-testid="receipt"]').innerText()
    assert(receipt.includes('已转 鼓东街道 办理'), `receipt: ${receipt}`)
    await shot(page, 'receipt')
    const view = await get(`/api/v1/public/opinions/${code}`, false)
    assertEq(view.org_name, '鼓东街道', 'routed org')
    assertEq(view.category_id, leaf.id, 'category')
    assertEq(view.division_code, '350102001', 'division')
    assertEq(view.has_photo, true, 'photo stored')
    assert(!JSON.stringify(view).includes('13712345678') && !JSON.stringify(view).includes('王小明'), 'contact in the public view')
  })

  await step('the staff reply through the API', async () => {
    const org = (await get('/api/v1/orgs?division_code=350102001')).items[0]
    const list = (await get(`/api/v1/opinions?org_id=${org.id}&limit=20`)).items
    const mine = list.find((o) => o.title === title)
    assert(mine, 'the staff see the opinion in 鼓东街道')
    assertEq(mine.channel, 'web', 'channel')
    opinionId = mine.id
    const r = await call('POST', `/api/v1/opinions/${opinionId}/reply`, { text: reply })
    assertEq(r.status, 200, `reply: ${JSON.stringify(r.body)}`)
  })

  await step('tracks it by the code and sees the reply', async () => {
    await page.locator('[data-testid="track-receipt"]').click()
    const replied = page.locator('[data-testid="tracked-reply"]')
    await replied.waitFor()
    assert((await replied.innerText()).includes(reply), 'reply text')
    assertEq((await page.locator('[data-testid="tracked-status"]').innerText()).trim(), '已答复', 'status')
    const shown = await page.locator('[data-testid="tracked"]').innerText()
    assert(shown.includes('我叫王某某') && shown.includes('[电话]'), `the text is masked: ${shown}`)
    assert(!shown.includes('13712345678'), 'phone number shown')
    await shot(page, 'tracked')
  })

  await step('rates the reply 基本满意 once, and the staff see the rating', async () => {
    await page.locator('[data-testid="rate-choice"] label', { hasText: '基本满意' }).click()
    await field(page, 'rate-comment').fill('修得挺快')
    await page.locator('[data-testid="rate-submit"]').click()
    const rated = page.locator('[data-testid="tracked-rating"]')
    await rated.waitFor()
    assert((await rated.innerText()).includes('基本满意'), 'rating shown')
    assertEq(await page.locator('[data-testid="rate-submit"]').count(), 0, 'no second rating form')
    const staff = await get(`/api/v1/opinions/${opinionId}`)
    assertEq(staff.satisfaction, 'basically_satisfied', 'satisfaction')
    assertEq(staff.rating_comment, '修得挺快', 'comment')
    await shot(page, 'rated')
  })

  await step('a mistyped code is refused with a message', async () => {
    await field(page, 'track-code').fill('ABCD-EFGH-JKM0')
    await page.locator('[data-testid="track-submit"]').click()
    const err = page.locator('[data-testid="track-error"]')
    await err.waitFor()
    assert((await err.innerText()).includes('不含 0、O、1、I、L'), await err.innerText())
    // Typed in lower case without dashes, the real code is found.
    await field(page, 'track-code').fill(code.replace(/-/g, '').toLowerCase())
    await page.locator('[data-testid="track-submit"]').click()
    await page.locator('[data-testid="tracked-rating"]').waitFor()
  })

  await step('the staff accept the opinion as a problem of 鼓东街道 and carry it to close-out through the API', async () => {
    const accepted = await call('POST', `/api/v1/opinions/${opinionId}/accept`, {})
    assertEq(accepted.status, 200, `accept: ${JSON.stringify(accepted.body)}`)
    const P = `/api/v1/problems/${accepted.body.problem.id}`
    const owner = accepted.body.problem.owner_org_id
    const task = await call('POST', `${P}/tasks`, { org_id: owner, title: '修复路灯', responsible_person: '街道城管 赵工', type: 'immediate', due_at: '2031-12-31T00:00:00+08:00' })
    assertEq(task.status, 201, `task: ${JSON.stringify(task.body)}`)
    const T = `/api/v1/tasks/${task.body.id}`
    for (const [path, body, status] of [[`${T}/start`, {}, 200], [`${T}/reports`, { text: '已修复', percent: 100 }, 201], [`${T}/submit`, {}, 200], [`${T}/accept`, {}, 200], [`${P}/close`, {}, 200]]) {
      const r = await call('POST', path, body)
      assertEq(r.status, status, `${path}: ${JSON.stringify(r.body)}`)
    }
  })

  await step('the notice board of 福州市 shows its closed problems, masked, the newest linking to the opinion it answers', async () => {
    await page.locator('.el-tabs__item', { hasText: '整改公示' }).click()
    await page.locator('[data-testid="notice-child"]', { hasText: '福建省' }).click()
    await page.locator('[data-testid="notice-child"]', { hasText: '福州市' }).click()
    await page.waitForFunction(() => document.querySelectorAll('.el-loading-mask').length === 0)
    const fuzhou = (await get('/api/v1/orgs?division_code=3501')).items[0]
    const board = await get(`/api/v1/public/orgs/${fuzhou.id}/notices?limit=20`, false)
    assert(board.problems.items.length > 0, 'the API has closed problems of 福州市')
    const cards = page.locator('[data-testid="notice-problem"]')
    await cards.first().waitFor()
    assertEq(await cards.count(), board.problems.items.length, 'problem cards')
    assertEq((await cards.first().locator('h4').innerText()).trim(), board.problems.items[0].title.trim(), 'first problem')
    // The newest closed problem is the one made of this test's opinion (previous step): its card links to
    // the opinion it answers, masked, the channel and day shown.
    assertEq(board.problems.items[0].title, title, 'the problem made of the opinion leads the board')
    assertEq(board.problems.items[0].opinion_count, 1, 'it answers one opinion')
    const toggle = cards.first().locator('[data-testid="notice-opinions-toggle"]')
    assertEq((await toggle.innerText()).trim(), '回应的群众意见（1 条）', 'the link to the opinion')
    assertEq(await toggle.getAttribute('aria-expanded'), 'false', 'closed at first')
    await toggle.click()
    const answered = cards.first().locator('[data-testid="notice-opinion"]')
    await answered.first().waitFor()
    assertEq(await toggle.getAttribute('aria-expanded'), 'true', 'open after the click')
    assertEq(await answered.count(), 1, 'one opinion shown')
    const shownOpinion = await answered.first().innerText()
    assert(shownOpinion.includes(title) && shownOpinion.includes('我叫王某某') && shownOpinion.includes('[电话]'), `the opinion, masked: ${shownOpinion}`)
    assert(shownOpinion.includes('网站'), `its channel: ${shownOpinion}`)
    assert(!shownOpinion.includes(code), 'no tracking code on the notice board')
    const all = await page.locator('[data-testid="notices"]').innerText()
    assert(!/(?<!\d)1[3-9]\d{9}(?!\d)/.test(all), 'a mobile number on the notice board')
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert(width <= WIDTH, `the notice board is ${width} px wide`)
    await shot(page, 'notices')
  })

  await step('switches to English', async () => {
    await choose(page, 'portal-language', 'English')
    await page.locator('.el-tabs__item', { hasText: 'Public notices' }).waitFor()
    assertEq((await page.locator('.el-tabs__item').nth(1).innerText()).trim(), 'Track', 'second tab')
    await shot(page, 'english')
  })

  await step('no page error, staff call, failed API call or CSP violation', async () => {
    assert(problems.length === 0, problems.join('\n'))
  })

  await context.close()
  finish()
}

main().catch((e) => {
  console.log(`FAIL - ${e?.stack || e}`)
  console.log(`${run.passed} passed, ${run.failed + 1} failed`)
  process.exit(1)
})
