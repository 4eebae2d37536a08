// 学习调研 (issue 12, docs/STUDY.md): the pure parts of the study and research screen — the request bodies
// built from its forms, the counts an attendance table implies, and the ECharts option of the participation
// rate per child org. Shared by views/StudyView.vue and its unit tests.

export const STUDY_FORMS = ['collective_study', 'party_lecture', 'self_study', 'site_visit', 'other']

// {expected, present} of an attendance table: the named rows, and those ticked present. Rows without a
// name are blank lines of the table and are not sent.
export function attendanceCounts(rows) {
  const named = (rows || []).filter((r) => (r.name || '').trim() !== '')
  return { expected: named.length, present: named.filter((r) => r.present).length }
}

// POST /orgs/{id}/study-sessions body from the session form. With a roster the server derives the counts,
// so they are not sent; without one the typed counts are.
export function sessionBody(form) {
  const body = {
    held_on: form.heldOn,
    topic: (form.topic || '').trim(),
    form: form.form,
    hours: Number(form.hours),
  }
  if (form.materials) body.materials = form.materials
  if (form.notes) body.notes = form.notes
  const roster = (form.attendance || []).filter((r) => (r.name || '').trim() !== '')
  if (roster.length) {
    body.attendance = roster.map((r) => ({ name: r.name.trim(), present: !!r.present }))
  } else {
    body.expected = Number(form.expected)
    body.present = Number(form.present)
  }
  return body
}

// Names typed one per line or separated by commas (，、, or ;), trimmed, blanks dropped.
export function splitNames(text) {
  return (text || '')
    .split(/[\n,，、;；]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

// POST /orgs/{id}/research-visits body from the visit form; opinions without text are blank lines.
export function visitBody(form) {
  const body = { visitors: splitNames(form.visitors), visited_on: form.visitedOn }
  if (form.visitedOrgId) body.visited_org_id = form.visitedOrgId
  if ((form.place || '').trim()) body.place = form.place.trim()
  if (form.met) body.met = form.met
  if (form.summary) body.summary = form.summary
  const opinions = (form.opinions || [])
    .filter((o) => (o.text || '').trim() !== '')
    .map((o) => {
      const op = { text: o.text.trim() }
      if (o.kind) op.kind = o.kind
      return op
    })
  if (opinions.length) body.opinions = opinions
  return body
}

// A rate {numerator, denominator, rate} as a percentage with one decimal, or null without a denominator.
export function ratePercent(r) {
  if (!r || r.rate === null || r.rate === undefined) return null
  return Math.round(r.rate * 1000) / 10
}

// The bar chart of the participation rate (present / expected) of each child org's subtree, children
// with no expected attendee left out; each bar carries its org id (a click selects the child).
export function participationChartOption(children, name) {
  const shown = (children || []).filter((c) => (c.participation?.denominator || 0) > 0)
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v) => (v === null || v === undefined ? '—' : `${v}%`),
    },
    grid: { left: 8, right: 8, top: 24, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: shown.map((c) => c.org?.name ?? String(c.org?.id ?? '')),
      axisLabel: { interval: 0, rotate: shown.length > 8 ? 35 : 0 },
    },
    yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
    series: [
      {
        name,
        type: 'bar',
        barMaxWidth: 32,
        itemStyle: { color: '#409eff' },
        label: { show: true, position: 'top', formatter: (p) => (p.value === null ? '' : `${p.value}%`), fontSize: 10 },
        data: shown.map((c) => ({ value: ratePercent(c.participation), orgId: c.org?.id })),
      },
    ],
  }
}

// The first day and today, "YYYY-MM-DD" in the browser's zone: the default period of the figures
// (this year so far).
export function yearSoFar(now = new Date()) {
  const pad = (n) => String(n).padStart(2, '0')
  const today = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
  return [`${now.getFullYear()}-01-01`, today]
}
