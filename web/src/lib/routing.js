// Routing rules (派单规则) and transfers (转办), issue 5: the browser's copy of the rule precedence for the
// 试算 (try) panel, the editable grid's request body, and reading the server's rules[i].field errors.
// Precedence: docs/LINKAGE.md#routing-rules (the same as src/domain/routing.cpp's PickRoutingRule).

/** Lengths of GB/T 2260 / NBS division codes: province, city, county, township, village. */
export const DIVISION_CODE_LENGTHS = [2, 4, 6, 9, 12]

/** Whether `code` is a division code: 2, 4, 6, 9 or 12 digits. */
export function isDivisionCode(code) {
  return typeof code === 'string' && /^\d+$/.test(code) && DIVISION_CODE_LENGTHS.includes(code.length)
}

/**
 * The areas a location lies in, most specific first: "350102001" -> ["350102001", "350102", "3501", "35"]
 * (the prefixes of 12, 9, 6, 4 and 2 digits; public intake's RoutingCandidates). [] for '' or null (a
 * free address only); null when `code` is not a division code.
 */
export function divisionChain(code) {
  if (code === null || code === undefined || code === '') return []
  if (!isDivisionCode(code)) return null
  return [12, 9, 6, 4, 2].filter((n) => n <= code.length).map((n) => code.slice(0, n))
}

/**
 * A category and its ancestors, deepest first, from `categories` (Map id -> {id, parent_id}, GET
 * /categories). [] without a category; an id not in the map gives just [id]. Stops on a cycle.
 */
export function categoryChain(categoryId, categories) {
  const out = []
  let id = categoryId
  while (id !== null && id !== undefined && !out.includes(id)) {
    out.push(id)
    id = categories?.get(id)?.parent_id ?? null
  }
  return out
}

/**
 * The index into `rules` ([{division_code|null, category_id|null, org_id}]) of the rule that routes an
 * opinion with `areas` (divisionChain) and `categories` (categoryChain), or -1 when none matches (the
 * default applies). 1. a category rule naming the category or an ancestor, in the most specific area that
 * has one (no area = the whole jurisdiction, last), the deepest category within an area; 2. else the
 * fallback (no category) of the most specific area; ties (not in a checked table) go to the earlier rule.
 */
export function pickRule(rules, { areas = [], categories = [] } = {}) {
  let bestCat = -1
  let bestCatKey = null
  let bestFallback = -1
  let bestFallbackArea = Infinity
  ;(rules || []).forEach((rule, i) => {
    const code = rule.division_code || null
    const area = code === null ? areas.length : areas.indexOf(code)
    if (area < 0) return
    const cat = rule.category_id ?? null
    if (cat !== null) {
      const rank = categories.indexOf(cat)
      if (rank < 0) return
      if (!bestCatKey || area < bestCatKey[0] || (area === bestCatKey[0] && rank < bestCatKey[1])) {
        bestCatKey = [area, rank]
        bestCat = i
      }
    } else if (area < bestFallbackArea) {
      bestFallbackArea = area
      bestFallback = i
    }
  })
  return bestCat >= 0 ? bestCat : bestFallback
}

/**
 * The 试算 answer for a division code ('' for a free address) and a category id (null for none):
 * {index, rule, kind} with kind 'category' (a category rule applied), 'fallback' (an area's 兜底) or
 * 'default' (no rule: docs/PUBLIC.md#routing's default; index -1, rule null); or {error: 'badCode'}.
 */
export function tryRouting(rules, divisionCode, categoryId, categories) {
  const areas = divisionChain((divisionCode || '').trim())
  if (areas === null) return { error: 'badCode' }
  const index = pickRule(rules, { areas, categories: categoryChain(categoryId ?? null, categories) })
  if (index < 0) return { index: -1, rule: null, kind: 'default' }
  const rule = rules[index]
  return { index, rule, kind: rule.category_id !== null && rule.category_id !== undefined ? 'category' : 'fallback' }
}

/** A grid row from a stored rule (or a blank one): {division_code: '', category_id: null, org_id: null, note: ''}. */
export function ruleRow(rule = {}) {
  return {
    division_code: rule.division_code || '',
    category_id: rule.category_id ?? null,
    org_id: rule.org_id ?? null,
    note: rule.note || '',
  }
}

/**
 * The body of POST /routing-rules from the grid's rows and the change note: {note, rules: [{division_code?,
 * category_id?, org_id, note?}]} (an empty area or category is left out: the whole jurisdiction / the
 * fallback). The server checks the rest and names rules[i].field.
 */
export function rulesBody(rows, note) {
  return {
    note: (note || '').trim(),
    rules: rows.map((r) => {
      const out = { org_id: r.org_id }
      const code = (r.division_code || '').trim()
      if (code) out.division_code = code
      if (r.category_id !== null && r.category_id !== undefined && r.category_id !== '') out.category_id = r.category_id
      if ((r.note || '').trim()) out.note = r.note.trim()
      return out
    }),
  }
}

/**
 * What a row misses before the server is asked, as i18n keys by row index ({0: 'routing.needOrg'}): every
 * row needs a target org, and a division code if given must be one. {} when fine.
 */
export function rowProblems(rows) {
  const out = {}
  rows.forEach((r, i) => {
    const code = (r.division_code || '').trim()
    if (r.org_id === null || r.org_id === undefined || r.org_id === '') out[i] = 'routing.needOrg'
    else if (code && !isDivisionCode(code)) out[i] = 'routing.badCode'
  })
  return out
}

/**
 * The rule a server error names: "rules[3].division_code: \"35010\" is not ..." -> {index: 3, field:
 * 'division_code', message}; "rules[7]: the same area ..." -> {index: 7, field: null, message}; null when
 * the message names no rule.
 */
export function ruleError(message) {
  const m = /^rules\[(\d+)\](?:\.([a-z_]+))?:/.exec(String(message || ''))
  if (!m) return null
  return { index: Number(m[1]), field: m[2] || null, message: String(message) }
}

/**
 * Org ids named in routing steps ([{from_org_id, to_org_id}]), for resolving names.
 */
export function routingOrgIds(steps) {
  const ids = new Set()
  for (const s of steps || []) {
    if (s.from_org_id !== null && s.from_org_id !== undefined) ids.add(s.from_org_id)
    if (s.to_org_id !== null && s.to_org_id !== undefined) ids.add(s.to_org_id)
  }
  return [...ids]
}

/** The opinion-rates `transfers` figure as "transferred / transfers" ("—" when absent, e.g. an older server). */
export function transfersText(figure) {
  if (!figure) return '—'
  return `${figure.opinions_transferred ?? 0} / ${figure.transfers ?? 0}`
}
