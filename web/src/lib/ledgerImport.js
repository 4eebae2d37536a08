// 台账导入 (the ledger import, POST /api/v1/ledger/import): turning a chosen file into the request body, and
// the mapping step's state. The server keeps the one table of header variants (docs/API.md#ledger-import) and
// answers every dry run with the mapping it used; the screen shows it with a dropdown per field, and sends
// back only the fields the user changed. XLSX is read here with exceljs (docs/ARCHITECTURE.md): its cells
// become text the way the server reads CSV cells.

// The field keys in the export's column order (labels: ledgerImport.fields.<key> in the locales).
export const LEDGER_FIELDS = [
  'seq',
  'problem_id',
  'task_id',
  'source',
  'category',
  'special_item',
  'description',
  'target',
  'measure',
  'unit',
  'person',
  'lead',
  'deadline',
  'progress',
  'status',
  'closed',
  'closed_at',
  'task_type',
]

const pad = (n) => String(n).padStart(2, '0')

/**
 * One exceljs cell value as text. Dates: exceljs returns the sheet's wall-clock time as a UTC Date, so the
* UTC fields are the cell's own ("2030-06-30", or "2030-06-30 18:00" with a time of day). Numbers as JS
 * prints them (45366, 0.5); rich text joined; a formula's cached result; a hyperlink's text; errors and empty cells "".
 */
export function cellText(value) {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return ''
    const day = `${value.getUTCFullYear()}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`
    const h = value.getUTCHours()
    const m = value.getUTCMinutes()
    return h || m ? `${day} ${pad(h)}:${pad(m)}` : day
  }
  if (typeof value === 'number') return String(value)
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (typeof value === 'string') return value
  if (Array.isArray(value.richText)) return value.richText.map((r) => r.text || '').join('')
  if ('result' in value || 'formula' in value || 'sharedFormula' in value) return cellText(value.result)
  if ('text' in value) return cellText(value.text)
  if ('error' in value) return ''
  return String(value)
}

/**
 * Every row of an exceljs worksheet from row 1, as arrays of text; blank rows stay (as []) so the row numbers
 * the server reports are those the spreadsheet shows. Trailing empty cells are dropped.
 */
export function sheetRows(worksheet) {
  const rows = []
  const count = worksheet.rowCount || 0
  for (let r = 1; r <= count; r++) {
    const row = worksheet.getRow(r)
    const cells = []
    const width = row.cellCount || 0
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value))
    while (cells.length && cells[cells.length - 1].trim() === '') cells.pop()
    rows.push(cells)
  }
  return rows
}

/** The kind of a chosen file by its name: 'csv', 'xlsx', or null for anything else. */
export function fileKind(name) {
  const lower = String(name || '').toLowerCase()
  if (lower.endsWith('.csv')) return 'csv'
  if (lower.endsWith('.xlsx')) return 'xlsx'
  return null
}

/**
 * The mapping to send: only the fields whose chosen column differs from the server's auto-match
 * (`auto`: the report's mapping, key -> header or null). A field set to none is sent as null.
 */
export function mappingOverrides(auto, chosen) {
  const out = {}
  for (const key of LEDGER_FIELDS) {
    const a = auto?.[key] || null
    const c = chosen?.[key] || null // a cleared dropdown ('' or undefined) is none
    if (a !== c) out[key] = c
  }
  return out
}

/** The header cells a field can be mapped to: the report's mapped and unmapped columns, each once. */
export function columnOptions(report) {
  const seen = new Set()
  const out = []
  for (const v of [...Object.values(report?.mapping || {}), ...(report?.unmapped_columns || [])]) {
    if (v && !seen.has(v)) {
      seen.add(v)
      out.push(v)
    }
  }
  return out
}

/** The request body: {rows} for a parsed sheet or {csv} for a CSV's text, with the mapping when it has any. */
export function importBody(source, mapping) {
  const body = source.rows ? { rows: source.rows } : { csv: source.csv }
  if (mapping && Object.keys(mapping).length) body.mapping = mapping
  return body
}

/** Whether the commit may be offered: a dry run of the current file and mapping with no rejected row. */
export function canCommit(report, mappingChanged) {
  return !!report && report.dry_run && !mappingChanged && report.rejected.length === 0 && report.rows_read > 0
}
