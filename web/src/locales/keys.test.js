// Every literal message key the source uses exists in both locales, and both locales have the same keys.
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zh from './zh-CN.js'
import en from './en.js'

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name)
    if (d.isDirectory()) return files(p)
    return /\.(vue|js)$/.test(d.name) && !d.name.endsWith('.test.js') ? [p] : []
  })
}
function leaves(obj, prefix = '') {
  return Object.entries(obj).flatMap(([k, v]) => (v && typeof v === 'object' ? leaves(v, `${prefix}${k}.`) : [`${prefix}${k}`]))
}
const has = (obj, key) => key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), obj) !== undefined

describe('locales', () => {
  it('zh-CN and en have the same keys', () => {
    expect(leaves(en).sort()).toEqual(leaves(zh).sort())
  })
  it('every t("...") key in the source exists in both', () => {
    const used = new Set()
    for (const f of files(src)) {
      const text = fs.readFileSync(f, 'utf8')
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)) used.add(m[1])
    }
    expect(used.size).toBeGreaterThan(100)
    const missing = [...used].filter((k) => !has(zh, k) || !has(en, k))
    expect(missing).toEqual([])
  })
})
