// The plumbing the browser tests in tests/e2e/*.spec.mjs share: the environment, the step runner and
// its counters, the API client (the e2e user's bearer token), the figures worked out here independently
// of the UI's own formatting code, and the Element Plus page helpers. A plain ES module; playwright-core
// comes from web/node_modules (`npm ci` in web/).

import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '..', '..', '..')
const require = createRequire(path.join(repo, 'web', 'package.json'))
export const { chromium } = require('playwright-core')

export const BASE = (process.env.RECTIFY_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '')
export const OUT = process.env.E2E_OUT || '/tmp'
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
export const TIMEOUT = Number(process.env.E2E_TIMEOUT_MS || 15000)
export const USER = process.env.E2E_USER || ''
export const PASSWORD = process.env.E2E_PASSWORD || ''
export const TOKEN = process.env.E2E_TOKEN || ''

// The counters, the page to photograph when a step fails (set by launch) and the name of that picture:
// `${failurePrefix}-${n}.png` in OUT.
export const run = { passed: 0, failed: 0, page: null, failurePrefix: 'rectify-failed' }
export const screenshots = []

export async function step(name, fn) {
  const t0 = Date.now()
  try {
    await fn()
    run.passed++
    console.log(`ok   - ${name} (${Date.now() - t0} ms)`)
    return true
  } catch (e) {
    run.failed++
    console.log(`FAIL - ${name}: ${e?.message?.split('\n').slice(0, 6).join('\n       ') || e}`)
    if (run.page) {
      const file = path.join(OUT, `${run.failurePrefix}-${run.failed}.png`)
      await run.page.screenshot({ path: file, fullPage: true }).catch(() => {})
      console.log(`     screenshot of the failure: ${file}`)
    }
    return false
  }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg)
}
export function assertEq(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

// The summary of a run: the last line printed is "N passed, N failed"; the exit code is 1 on failure.
export function finish() {
  console.log(`${run.passed} passed, ${run.failed} failed`)
  process.exit(run.failed ? 1 : 0)
}

// Runs `main` (its steps), counting an exception out of it as a failed setup, lists the screenshots taken
// and finishes.
export async function runMain(main) {
  try {
    await main()
  } catch (e) {
    run.failed++
    console.log(`FAIL - setup: ${e?.message || e}`)
  }
  if (screenshots.length) console.log(`screenshots in ${OUT}: ${screenshots.map((s) => path.basename(s)).join(', ')}`)
  finish()
}

// ---- the API, as the e2e user (E2E_TOKEN). `prefix` is put before the path; `auth` false sends no token.
export async function call(method, p, body, { auth = true, prefix = '/api/v1' } = {}) {
  const res = await fetch(`${BASE}${prefix}${p}`, {
    method,
    headers: {
      ...(auth ? { Authorization: `Bearer ${TOKEN}` } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  const json = await res.json().catch(() => null)
  return { status: res.status, body: json }
}
export async function api(p, opts) {
  const r = await call('GET', p, undefined, opts)
  if (r.status !== 200) throw new Error(`GET ${p} -> ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}
export async function post(p, body, opts) {
  const r = await call('POST', p, body, opts)
  if (r.status !== 201) throw new Error(`POST ${p} -> ${r.status} ${JSON.stringify(r.body)}`)
  return r.body
}

// ---- the figures as the UI must show them, worked out here, independently of the UI's code.
export const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
const oneDecimal = (x) => `${(Math.round(x * 1000) / 10).toFixed(1)}%`
// A rate (a number, null or undefined) as a percentage.
export const percent = (x) => (x === null || x === undefined ? '—' : oneDecimal(x))
// The rate of a {rate, numerator, denominator} as a percentage.
export const pct = (r) => (r.rate === null ? '—' : oneDecimal(r.rate))
export const ratio = (r) => `${r.numerator}/${r.denominator}`
export const rateCell = (r) => `${pct(r)} (${ratio(r)})`
// A date in Beijing (the display zone) as YYYY-MM-DD.
export const beijingDay = (ms) => new Date(ms + 8 * 3600 * 1000).toISOString().slice(0, 10)

// ---- the browser
// The desktop window of the staff screens.
export const DESKTOP = { viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' }

// Headless chromium on a fresh profile (`profilePrefix` in the temp dir) with the context `options`;
// returns { context, page, userDir }, the page with the default timeout and photographed if a step fails.
export async function launch(options, { profilePrefix = 'rectify-e2e-' } = {}) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), profilePrefix))
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    ...options,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const page = context.pages()[0] || (await context.newPage())
  page.setDefaultTimeout(TIMEOUT)
  run.page = page
  return { context, page, userDir }
}

// Closes what launch opened and removes its profile.
export async function close({ context, userDir }) {
  await context.close()
  fs.rmSync(userDir, { recursive: true, force: true })
}

// Collects page errors, failed API calls and CSP violations of a staff screen. A 401 from /session is
// expected (asking who we are before logging in, a wrong password); so is each refusal in
// `expectedRefusals` ({status, path}), once: the test provokes it to see the UI show the server's message.
export function watchPage(page, expectedRefusals = []) {
  const pageErrors = []
  page.on('pageerror', (e) => pageErrors.push(`page error: ${e.message}`))
  page.on('response', (r) => {
    if (r.url().includes('/api/') && r.status() >= 400 && !(r.status() === 401 && r.url().endsWith('/api/v1/session'))) {
      const i = expectedRefusals.findIndex((x) => x.status === r.status() && r.url().includes(x.path))
      if (i >= 0) expectedRefusals.splice(i, 1)
      else pageErrors.push(`HTTP ${r.status()} ${r.url()}`)
    }
  })
  const cspViolations = []
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|apply|execute|connect)/i.test(m.text())) cspViolations.push(m.text())
  })
  return { pageErrors, cspViolations }
}

// Opens `p` without a session, is sent to the login page, logs in as E2E_USER and lands on `p`.
export async function logIn(page, p) {
  await page.goto(`${BASE}${p}`)
  await page.waitForURL(/\/login\?redirect=/)
  await page.locator('[data-testid="login-name"]').fill(USER)
  await page.locator('[data-testid="login-password"]').fill(PASSWORD)
  await page.locator('[data-testid="login-submit"]').click()
  await page.waitForURL(`**${p}`)
}

// A full-page screenshot `${prefix}${name}.png` in OUT, listed in `screenshots`. By default after the
// loading masks are gone and 1 s for ECharts' entry animation; `waitMasks` false and `settleMs` change that.
export async function shot(page, name, { prefix = 'rectify-', waitMasks = true, settleMs = 1000 } = {}) {
  // Let loading masks fade and transitions finish before taking the picture.
  if (waitMasks) await page.waitForFunction(() => document.querySelectorAll('.el-loading-mask').length === 0, null, { timeout: TIMEOUT })
  await page.waitForTimeout(settleMs)
  fs.mkdirSync(OUT, { recursive: true })
  const file = path.join(OUT, `${prefix}${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  screenshots.push(file)
  return file
}

// ---- Element Plus
// The text field of an el-input / el-date-picker (its data-testid lands on the <input> or <textarea>).
export function field(scope, testid) {
  const t = `[data-testid="${testid}"]`
  return scope.locator(`input${t}, textarea${t}, ${t} input, ${t} textarea`).first()
}

export async function dialog(page, testid) {
  const d = page.locator(`.el-dialog[data-testid="${testid}"]`)
  await d.waitFor()
  return d
}

export async function tableRows(page, testid) {
  const sel = `[data-testid="${testid}"] .el-table__body tr.el-table__row`
  // A selection column (bulk actions) is not a cell of the row's data: left out.
  return page.$$eval(sel, (trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td:not(.el-table-column--selection)')].map((td) => td.innerText.trim())),
  )
}

// Waits until the table `testid` shows `n` rows and no loading mask. On a timeout the error names the
// rows seen, unless `explain` is false (then it is Playwright's own timeout error).
export async function waitRows(page, testid, n, { explain = true } = {}) {
  const waiting = page.waitForFunction(
    ({ testid, n }) =>
      document.querySelectorAll(`[data-testid="${testid}"] .el-table__body tr.el-table__row`).length === n &&
      !document.querySelector(`[data-testid="${testid}"] .el-loading-mask`),
    { testid, n },
    { timeout: TIMEOUT },
  )
  if (!explain) return void (await waiting)
  await waiting.catch(async (e) => {
    const got = await page.$$eval(`[data-testid="${testid}"] .el-table__body tr.el-table__row`, (els) => els.length)
    throw new Error(`${testid}: expected ${n} rows, got ${got} (${e.message.split('\n')[0]})`)
  })
}

// The count shown on a queue tab (waits until it equals `want`, then returns it).
export async function tabCount(page, kind, want) {
  const sel = `[data-testid="queue-tab-${kind}"] [data-role="count"]`
  await page
    .waitForFunction(({ sel, want }) => document.querySelector(sel)?.textContent.trim() === want, { sel, want }, { timeout: TIMEOUT })
    .catch(() => {})
  return (await page.locator(sel).innerText()).trim()
}
