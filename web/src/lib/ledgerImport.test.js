import { describe, expect, it } from 'vitest'
import {
  LEDGER_FIELDS,
  canCommit,
  cellText,
  columnOptions,
  fileKind,
  importBody,
  mappingOverrides,
  sheetRows,
} from './ledgerImport.js'

// A worksheet shaped like exceljs's: rowCount, getRow(r).cellCount, getRow(r).getCell(c).value (1-based).
function fakeSheet(rows) {
  return {
    rowCount: rows.length,
    getRow: (r) => ({
      cellCount: rows[r - 1].length,
      getCell: (c) => ({ value: rows[r - 1][c - 1] }),
    }),
  }
}

describe('cellText', () => {
  it('writes exceljs dates (wall clock as UTC) as the sheet shows them', () => {
    expect(cellText(new Date(Date.UTC(2030, 5, 30)))).toBe('2030-06-30')
    expect(cellText(new Date(Date.UTC(2030, 5, 30, 18, 5)))).toBe('2030-06-30 18:05')
  })
  it('reads numbers, rich text, formulas, hyperlinks and empty cells', () => {
    expect(cellText(17)).toBe('17')
    expect(cellText(0.5)).toBe('0.5')
    expect(cellText({ richText: [{ text: '河道' }, { text: '黑臭' }] })).toBe('河道黑臭')
    expect(cellText({ formula: 'A1+1', result: 3 })).toBe('3')
    expect(cellText({ text: '链接', hyperlink: 'http://x' })).toBe('链接')
    expect(cellText({ error: '#N/A' })).toBe('')
    expect(cellText(null)).toBe('')
    expect(cellText(undefined)).toBe('')
  })
})

describe('sheetRows', () => {
  it('keeps blank rows so row numbers match the sheet, and drops trailing empty cells', () => {
    const rows = sheetRows(
      fakeSheet([
        ['问题清单'],
        ['序号', '问题编号', '整改时限'],
        [1, 12, new Date(Date.UTC(2030, 11, 31))],
        [null, null],
        [2, 13, null],
      ]),
    )
    expect(rows).toEqual([['问题清单'], ['序号', '问题编号', '整改时限'], ['1', '12', '2030-12-31'], [], ['2', '13']])
  })
})

describe('fileKind', () => {
  it('tells CSV and XLSX by the extension', () => {
    expect(fileKind('台账.CSV')).toBe('csv')
    expect(fileKind('问题清单-2026-11-29.xlsx')).toBe('xlsx')
    expect(fileKind('old.xls')).toBe(null)
    expect(fileKind('')).toBe(null)
  })
})

describe('mapping', () => {
  const report = {
    dry_run: true,
    rows_read: 3,
    rejected: [],
    mapping: { problem_id: '问题编号', deadline: '完成时限', unit: null },
    unmapped_columns: ['时间节点', '备注'],
  }
  it('offers every header cell once', () => {
    expect(columnOptions(report)).toEqual(['问题编号', '完成时限', '时间节点', '备注'])
  })
  it('sends only the fields the user changed; none is null', () => {
    const chosen = { problem_id: '问题编号', deadline: '时间节点', unit: null, progress: null }
    expect(mappingOverrides(report.mapping, chosen)).toEqual({ deadline: '时间节点' })
    expect(mappingOverrides(report.mapping, { ...chosen, problem_id: null })).toEqual({
      deadline: '时间节点',
      problem_id: null,
    })
    expect(mappingOverrides(report.mapping, { ...report.mapping })).toEqual({})
    expect(mappingOverrides(report.mapping, { ...report.mapping, unit: '', deadline: undefined })).toEqual({ deadline: null })
  })
  it('builds the body from rows or CSV text', () => {
    expect(importBody({ rows: [['a']] }, {})).toEqual({ rows: [['a']] })
    expect(importBody({ csv: 'x' }, { deadline: null })).toEqual({ csv: 'x', mapping: { deadline: null } })
  })
  it('offers the commit only after a clean dry run of the current mapping', () => {
    expect(canCommit(report, false)).toBe(true)
    expect(canCommit(report, true)).toBe(false)
    expect(canCommit({ ...report, rejected: [{ row: 4, column: '完成时限', reason: 'x' }] }, false)).toBe(false)
    expect(canCommit({ ...report, dry_run: false }, false)).toBe(false)
    expect(canCommit(null, false)).toBe(false)
  })
  it('knows the server\'s 18 fields in export order', () => {
    expect(LEDGER_FIELDS.length).toBe(18)
    expect(LEDGER_FIELDS.slice(0, 3)).toEqual(['seq', 'problem_id', 'task_id'])
  })
})
