// Builders of ECharts options from API stats objects. Pure functions: the
// caller passes label functions (i18n), so these are unit-tested without Vue.

import { PROBLEM_STATUSES, STATUS_COLORS } from './enums.js'

/** Last segment of a category path: "环境保护/环境污染" -> "环境污染". */
export function categoryLeaf(path) {
  if (!path) return ''
  const segs = String(path).split('/').filter(Boolean)
  return segs.length ? segs[segs.length - 1] : ''
}

/**
 * Donut of problems by status. Only statuses with a count > 0 get a slice;
 * each data item carries `status` so a click can filter the problem list.
 * @param stats   Stats object (needs by_status)
 * @param label   (status) => display label
 */
export function statusDonutOption(stats, label) {
  const by = stats?.by_status || {}
  const data = PROBLEM_STATUSES.filter((s) => (by[s] || 0) > 0).map((s) => ({
    name: label(s),
    value: by[s],
    status: s,
    itemStyle: { color: STATUS_COLORS[s] },
  }))
  const total = data.reduce((a, d) => a + d.value, 0)
  return {
    tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
    legend: { type: 'scroll', bottom: 0, left: 'center' },
    title: {
      text: String(total),
      left: 'center',
      top: '38%',
      textStyle: { fontSize: 22, fontWeight: 'bold' },
    },
    series: [
      {
        type: 'pie',
        radius: ['40%', '60%'],
        center: ['50%', '45%'],
        avoidLabelOverlap: true,
        minShowLabelAngle: 3,
        label: { show: true, formatter: '{b}\n{c}', overflow: 'break' },
        labelLine: { length: 10, length2: 8 },
        data,
      },
    ],
  }
}

/**
 * Top-N categories, as rows sorted by count (desc), ties by path.
 * Returns [{categoryId, path, leaf, count}].
 */
export function topCategories(stats, top = 10, uncategorized = '') {
  const rows = (stats?.by_category || [])
    .filter((c) => c.count > 0)
    .map((c) => ({
      categoryId: c.category_id ?? null,
      path: c.path || uncategorized,
      leaf: categoryLeaf(c.path) || uncategorized,
      count: c.count,
    }))
  rows.sort((a, b) => b.count - a.count || a.path.localeCompare(b.path))
  return rows.slice(0, top)
}

/**
 * Horizontal bars of the top-N categories, largest on top. Each data item
 * carries `categoryId` and `path` for the click-through.
 */
export function categoryBarOption(stats, { top = 10, uncategorized = '', seriesName = '' } = {}) {
  const rows = topCategories(stats, top, uncategorized).reverse()
  return {
    tooltip: {
      trigger: 'item',
      formatter: (p) => `${p.data.path}: ${p.data.value}`,
    },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: {
      type: 'category',
      data: rows.map((r) => r.leaf),
      axisLabel: { width: 120, overflow: 'truncate' },
    },
    series: [
      {
        name: seriesName,
        type: 'bar',
        barMaxWidth: 22,
        itemStyle: { color: '#409eff' },
        label: { show: true, position: 'right' },
        data: rows.map((r) => ({ value: r.count, categoryId: r.categoryId, path: r.path })),
      },
    ],
  }
}

/** A Rate of a Stats as a percentage with one decimal, or null. */
function ratePercent(r) {
  const v = r?.rate
  return v === null || v === undefined ? null : Math.round(v * 1000) / 10
}

/** On-time rate of a Stats as a percentage with one decimal, or null. */
export function onTimePercent(stats) {
  return ratePercent(stats?.closed_on_time)
}

/**
 * What the child ranking compares: problems (problems, closed, on-time rate)
 * when any child has problems, else opinions (opinions, replied, reply rate)
 * — e.g. a city whose only data are public messages.
 */
export function rankingMode(items) {
  return (items || []).some((c) => (c.problems || 0) > 0) ? 'problems' : 'opinions'
}

const MEASURES = {
  problems: {
    total: (s) => s.problems || 0,
    done: (s) => s.closed || 0,
    rate: (s) => ratePercent(s.closed_on_time),
  },
  opinions: {
    total: (s) => s.opinions || 0,
    done: (s) => s.opinions_replied?.numerator || 0,
    rate: (s) => ratePercent(s.opinions_replied),
  },
}

/**
 * Children stats sorted for the ranking: by the mode's total desc, then its
 * done count desc, then name.
 */
export function rankChildren(items, mode = 'problems') {
  const m = MEASURES[mode]
  return [...(items || [])].sort(
    (a, b) =>
      m.total(b) - m.total(a) ||
      m.done(b) - m.done(a) ||
      String(a.org?.name || '').localeCompare(String(b.org?.name || '')),
  )
}

/**
 * Grouped bars (total, done) per child org plus the rate (%) as a line on a
 * second axis; in `problems` mode these are problems, closed and the on-time
 * rate, in `opinions` mode opinions, replied and the reply rate. Data items
 * carry `orgId` for the click-through.
 * @param names  {total, done, rate} series names
 */
export function childRankingOption(items, names, mode = 'problems') {
  const m = MEASURES[mode]
  const rows = rankChildren(items, mode)
  const many = rows.length > 8
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: rows.map((r) => r.org?.name ?? String(r.org?.id ?? '')),
      axisLabel: { interval: 0, rotate: many ? 35 : 0 },
    },
    yAxis: [
      { type: 'value', minInterval: 1 },
      { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
    ],
    series: [
      {
        name: names.total,
        type: 'bar',
        barMaxWidth: 26,
        itemStyle: { color: '#409eff' },
        data: rows.map((r) => ({ value: m.total(r), orgId: r.org?.id })),
      },
      {
        name: names.done,
        type: 'bar',
        barMaxWidth: 26,
        itemStyle: { color: '#67c23a' },
        data: rows.map((r) => ({ value: m.done(r), orgId: r.org?.id })),
      },
      {
        name: names.rate,
        type: 'line',
        yAxisIndex: 1,
        connectNulls: false,
        itemStyle: { color: '#e6a23c' },
        data: rows.map((r) => ({ value: m.rate(r), orgId: r.org?.id })),
      },
    ],
  }
}

/**
 * Weekly created (bars) and closed (line) problems from `stats.weekly` ({week_start, created, closed},
 * oldest first). The x labels are the weeks' Mondays as YYYY-MM-DD (`dateOf` turns the RFC 3339
 * week_start into one); each data item carries `weekStart` for the click-through.
 * @param names  {created, closed} series names
 */
export function weeklyTrendOption(stats, names, dateOf = (iso) => String(iso).slice(0, 10)) {
  const weeks = stats?.weekly || []
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: weeks.map((w) => dateOf(w.week_start)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: names.created,
        type: 'bar',
        barMaxWidth: 18,
        itemStyle: { color: '#409eff' },
        data: weeks.map((w) => ({ value: w.created || 0, weekStart: w.week_start })),
      },
      {
        name: names.closed,
        type: 'line',
        smooth: false,
        showSymbol: weeks.length <= 60,
        itemStyle: { color: '#67c23a' },
        data: weeks.map((w) => ({ value: w.closed || 0, weekStart: w.week_start })),
      },
    ],
  }
}

/** Totals of `stats.weekly`: {created, closed}. */
export function weeklyTotals(stats) {
  return (stats?.weekly || []).reduce((a, w) => ({ created: a.created + (w.created || 0), closed: a.closed + (w.closed || 0) }), {
    created: 0,
    closed: 0,
  })
}

/**
 * Problems by source (`stats.by_source`, every source with its count) as horizontal bars, largest on
 * top, sources with no problem left out. Each data item carries `source` for the click-through.
 * @param label  (source) => display label
 */
export function sourceBarOption(stats, label, seriesName = '') {
  const by = stats?.by_source || {}
  const rows = Object.entries(by)
    .filter(([, n]) => (n || 0) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .reverse()
  return {
    tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${p.value}` },
    grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', data: rows.map(([s]) => label(s)), axisLabel: { width: 110, overflow: 'truncate' } },
    series: [
      {
        name: seriesName,
        type: 'bar',
        barMaxWidth: 22,
        itemStyle: { color: '#e6a23c' },
        label: { show: true, position: 'right' },
        data: rows.map(([s, n]) => ({ value: n, source: s })),
      },
    ],
  }
}

/**
 * Hot issues (GET /orgs/{id}/hot-issues items, ranked) as horizontal bars of people per cluster, the
 * first-ranked at the top; each bar carries the representative opinion's id for click-through.
 */
export function hotIssueBarOption(items, { peopleName = '', messagesName = '' } = {}) {
  const rows = [...(items || [])].reverse()
  return {
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
    },
    legend: { data: [peopleName, messagesName], top: 0 },
    grid: { left: 8, right: 40, top: 28, bottom: 8, containLabel: true },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: {
      type: 'category',
      data: rows.map((r) => r.title),
      axisLabel: { width: 180, overflow: 'truncate' },
    },
    series: [
      {
        name: peopleName,
        type: 'bar',
        barMaxWidth: 18,
        itemStyle: { color: '#f56c6c' },
        label: { show: true, position: 'right' },
        data: rows.map((r) => ({ value: r.people, opinionId: r.representative_id })),
      },
      {
        name: messagesName,
        type: 'bar',
        barMaxWidth: 18,
        itemStyle: { color: '#409eff' },
        label: { show: true, position: 'right' },
        data: rows.map((r) => ({ value: r.size, opinionId: r.representative_id })),
      },
    ],
  }
}
