// 台账 (the ledger): the export URL of GET /api/v1/ledger for a list (问题清单 / 任务清单 / 责任清单), a format
// (XLSX / CSV) and the problem list's current filters and org. A plain link to it downloads the file:
// the session cookie authenticates GETs.
import { problemQuery } from './format.js'

export const LEDGER_LISTS = ['problems', 'tasks', 'responsibilities']
export const LEDGER_FORMATS = ['xlsx', 'csv']
/** The most ids one export takes (the API's cap on `ids`, docs/API.md#the-ledger-台账). */
export const MAX_LEDGER_IDS = 1000

/**
 * The ledger URL. `filters` are those of problemQuery (orgId, status, source, categoryId, createdFrom,
 * createdTo, overdue, campaignId, specialItemId, batch, orgKind); sort and paging do not apply to an export
 * and are dropped. `ids` (problem ids, e.g. the selected rows of the problem list): the ledger of exactly
 * those problems — only the org is kept of the filters (it names the scope in the file's title); ids are
 * sent sorted, once each, at most MAX_LEDGER_IDS (more throws: the caller offers the filtered export).
 */
export function ledgerUrl(list, format, filters = {}, ids = []) {
  if (!LEDGER_LISTS.includes(list)) throw new Error(`unknown ledger list: ${list}`)
  if (!LEDGER_FORMATS.includes(format)) throw new Error(`unknown ledger format: ${format}`)
  const chosen = [...new Set((ids || []).map(Number))].sort((a, b) => a - b)
  if (chosen.some((id) => !Number.isInteger(id) || id <= 0)) throw new Error(`not a problem id in: ${ids}`)
  if (chosen.length > MAX_LEDGER_IDS) throw new Error(`at most ${MAX_LEDGER_IDS} problems per export`)
  if (chosen.length) {
    const params = new URLSearchParams({ list, format })
    if (filters.orgId !== undefined && filters.orgId !== null && filters.orgId !== '') params.set('org_id', String(filters.orgId))
    params.set('ids', chosen.join(','))
    return `/api/v1/ledger?${params.toString()}`
  }
  const q = problemQuery({ ...filters, sort: undefined, page: undefined, cursor: undefined, limit: 0 })
  const params = new URLSearchParams({ list, format })
  for (const k of ['org_id', 'status', 'category_id', 'source', 'created_from', 'created_to', 'overdue', 'campaign_id', 'special_item_id', 'batch', 'org_kind']) {
    if (q[k] !== undefined) params.set(k, q[k])
  }
  return `/api/v1/ledger?${params.toString()}`
}
