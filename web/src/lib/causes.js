// 症结分析 and 个人检视 (issue 12, docs/CAUSES.md): the small rules the screens need, kept pure for tests.

/** The name of a cause category in the UI language (zh-CN or en). */
export function causeName(category, locale) {
  if (!category) return ''
  return String(locale || '').startsWith('zh') ? category.name_zh : category.name_en
}

/**
 * The body of PUT /problems/{id}/cause-analysis from the editor's form {ids, text} and the analysis read
 * (null when none): {body} or {error: message key}. The version sent is the one read (0: none yet).
 */
export function causeBody(form, analysis) {
  const ids = [...new Set((form?.ids || []).map(Number))]
  if (!ids.length) return { error: 'cause.pickOne' }
  return { body: { cause_category_ids: ids, text: (form.text || '').trim(), version: analysis ? analysis.version : 0 } }
}

const OPEN = ['registered', 'planned', 'in_progress', 'pending_verification']

/**
 * True when the problem detail's analysis names a higher-level cause and the problem can still be
 * escalated: open, full access, no pending escalation (the server's escalation_suggested rule; the parent
 * org is checked by the escalation dialog, which lists the ancestors).
 */
export function suggestsEscalation(problem) {
  if (!problem || problem.access === 'part' || !OPEN.includes(problem.status)) return false
  if ((problem.escalations || []).some((e) => e.status === 'pending')) return false
  return (problem.causes || []).some((c) => c.higher_level)
}

/**
 * Bars of the cause chart from GET /orgs/{id}/stats/causes: categories with problems, most first, then
 * "without analysis"; [{name, problems, closed, open}].
 */
export function causeBars(stats, locale, withoutLabel) {
  if (!stats) return []
  const rows = (stats.categories || [])
    .filter((r) => r.problems > 0)
    .map((r) => ({ id: r.cause_category.id, name: causeName(r.cause_category, locale), problems: r.problems, closed: r.closed, open: r.open }))
    .sort((a, b) => b.problems - a.problems)
  const w = stats.without_analysis
  if (w && w.problems > 0) rows.push({ id: null, name: withoutLabel, problems: w.problems, closed: w.closed, open: w.open })
  return rows
}

/** The body of a new self-inspection item from its form, or {error: message key}. */
export function selfItemBody(form, kind) {
  const problem = (form?.problem_text || '').trim()
  if (!problem || !form?.deadline) return { error: 'selfInspection.required' }
  const body = { kind, problem_text: problem, deadline: form.deadline }
  for (const k of ['measures', 'position', 'note']) if ((form[k] || '').trim()) body[k] = form[k].trim()
  return { body }
}

/** True when the account is a leading cadre under the default setting (division and above, 处级以上). */
export function isLeadingCadre(user) {
  return ['division', 'bureau', 'province', 'state'].includes(user?.cadre_rank)
}
