// 台账 (the ledger): the export URL of GET /api/v1/ledger for a list (问题清单 / 任务清单 / 责任清单), a format
// (XLSX / CSV) and the problem list's current filters and org. A plain link to it downloads the file:
// the session cookie authenticates GETs.
import { problemQuery } from './format.js'

export const LEDGER_LISTS = ['problems', 'tasks', 'responsibilities']
export const LEDGER_FORMATS = ['xlsx', 'csv']

/**
 * The ledger URL. `filters` are those of problemQuery (orgId, status, source, categoryId, createdFrom,
 * createdTo, overdue, campaignId, specialItemId, batch, orgKind); sort and paging do not apply to an export
 * and are dropped.
 */
export function ledgerUrl(list, format, filters = {}) {
  if (!LEDGER_LISTS.includes(list)) throw new Error(`unknown ledger list: ${list}`)
  if (!LEDGER_FORMATS.includes(format)) throw new Error(`unknown ledger format: ${format}`)
  const q = problemQuery({ ...filters, sort: undefined, page: undefined, cursor: undefined, limit: 0 })
  const params = new URLSearchParams({ list, format })
  for (const k of ['org_id', 'status', 'category_id', 'source', 'created_from', 'created_to', 'overdue', 'campaign_id', 'special_item_id', 'batch', 'org_kind']) {
    if (q[k] !== undefined) params.set(k, q[k])
  }
  return `/api/v1/ledger?${params.toString()}`
}
