// Resolve org ids to names for tables (list items carry only ids).
import { reactive } from 'vue'
import { useOrgStore } from '../stores/org.js'

export function useOrgNames() {
  const store = useOrgStore()
  const names = reactive({})

  function orgName(id) {
    if (id === null || id === undefined) return ''
    return names[id] || store.cachedName(id) || `#${id}`
  }

  async function resolveOrgs(ids) {
    const todo = [...new Set(ids.filter((id) => id !== null && id !== undefined && !names[id]))]
    // A few at a time: a page usually has a handful of distinct owners.
    const workers = Array.from({ length: Math.min(4, todo.length) }, async () => {
      while (todo.length) {
        const id = todo.shift()
        const org = await store.getOrg(id)
        if (org) names[id] = org.name
      }
    })
    await Promise.all(workers)
  }

  return { orgName, resolveOrgs }
}
