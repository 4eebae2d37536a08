// Bulk actions (批量操作): one API call per selected row, one after the other (the server's own checks
// stay per row: scope, role, state), with progress and each row's failure kept. No Vue: unit-tested in
// bulk.test.js.

/**
 * Calls `fn(item)` for each item in turn. `onProgress({done, total, ok, failed})` after each; stops early
 * (leaving the rest as not run) when `shouldStop()` says so. Returns [{item, ok, value?, error?}] for the
 * items run, in order; a thrown error is kept with its message, never rethrown.
 */
export async function runBulk(items, fn, { onProgress, shouldStop } = {}) {
  const results = []
  let ok = 0
  let failed = 0
  for (const item of items) {
    if (shouldStop && shouldStop()) break
    try {
      const value = await fn(item)
      results.push({ item, ok: true, value })
      ok++
    } catch (e) {
      results.push({ item, ok: false, error: e?.message || String(e), status: e?.status ?? null })
      failed++
    }
    if (onProgress) onProgress({ done: results.length, total: items.length, ok, failed })
  }
  return results
}

/** The percentage done for el-progress: 0-100, whole numbers; 0 of 0 is 0. */
export function progressPercent(done, total) {
  if (!total) return 0
  return Math.round((100 * Math.min(done, total)) / total)
}

/** The ladder steps a bulk action may take with only a reason (约谈 needs an official and a time each). */
export const BULK_STEPS = ['urge', 'supervise']

/**
 * The selected queue rows a bulk ladder step applies to: task rows (not escalations or opinions), each
 * task once. The server may still refuse a row (e.g. 409 for a task whose deadline does not run).
 */
export function bulkTaskRows(rows) {
  const seen = new Set()
  const out = []
  for (const r of rows || []) {
    const id = r?.task?.id
    if (id === undefined || id === null || seen.has(id)) continue
    seen.add(id)
    out.push(r)
  }
  return out
}

/**
 * The name a screen reader speaks for a row's selection checkbox (WCAG 2.1 SC 4.1.2 "Name, Role, Value":
 * each checkbox names its own row, not just "select this row"). A problem-list row: "#12 路灯不亮".
 */
export function problemRowName(row) {
  const title = String(row?.title ?? '').trim()
  return title ? `#${row.id} ${title}` : `#${row?.id}`
}

/**
 * The same for a supervision-queue row: the problem's title (else "#id"), then the task's title when the
 * row is a task's: "路灯不亮 · 更换灯泡".
 */
export function queueRowName(row) {
  const problem = String(row?.problemTitle ?? '').trim() || `#${row?.problemId}`
  const task = String(row?.task?.title ?? '').trim()
  return task ? `${problem} · ${task}` : problem
}
