// The selected org (from the route), its ancestor chain, and small caches of
// orgs and stats used across screens.
import { defineStore } from 'pinia'
import { ref, computed } from 'vue'
import { api, showError } from '../api/client.js'
import { ancestorChain } from '../lib/org.js'

export const useOrgStore = defineStore('org', () => {
  const currentId = ref(null)
  const current = ref(null)
  const ancestors = ref([]) // root first, without the current org
  const loading = ref(false)
  const orgs = new Map() // id -> Org
  const pending = new Map() // id -> Promise<Org>
  const statsCache = new Map() // id -> Promise<Stats>

  function remember(org) {
    if (org && org.id !== undefined) orgs.set(org.id, org)
    return org
  }

  /** Org by id, fetched once; resolves to null on error. */
  function getOrg(id) {
    id = Number(id)
    if (orgs.has(id)) return Promise.resolve(orgs.get(id))
    if (!pending.has(id)) {
      pending.set(
        id,
        api
          .org(id)
          .then(remember)
          .catch(() => null)
          .finally(() => pending.delete(id)),
      )
    }
    return pending.get(id)
  }

  function cachedName(id) {
    return orgs.get(Number(id))?.name
  }

  /** Stats of an org, cached for the session (reload with force). */
  function getStats(id, force = false) {
    id = Number(id)
    if (force || !statsCache.has(id)) {
      const p = api.stats(id).then((s) => {
        remember(s.org)
        return s
      })
      p.catch(() => statsCache.delete(id))
      statsCache.set(id, p)
    }
    return statsCache.get(id)
  }

  /** Puts fresh (unfiltered) stats of an org in the cache. */
  function putStats(id, stats) {
    statsCache.set(Number(id), Promise.resolve(stats))
  }

  // The category catalogue (GET /categories), loaded once: id -> category.
  let categoriesPromise = null
  function getCategories() {
    if (!categoriesPromise) {
      categoriesPromise = api
        .categories()
        .then((r) => new Map((r.items || []).map((c) => [c.id, c])))
        .catch((e) => {
          categoriesPromise = null
          throw e
        })
    }
    return categoriesPromise
  }

  // Campaigns visible to the user (GET /campaigns), loaded once: [Campaign], oldest first as the API
  // answers; and each campaign's special items (GET /campaigns/{id}), loaded once per campaign.
  let campaignsPromise = null
  function getCampaigns() {
    if (!campaignsPromise) {
      campaignsPromise = api
        .campaigns()
        .then((r) => r.items || [])
        .catch((e) => {
          campaignsPromise = null
          throw e
        })
    }
    return campaignsPromise
  }
  const itemsCache = new Map() // campaign id -> Promise<[{id, code, title}]>
  function getSpecialItems(campaignId) {
    const id = Number(campaignId)
    if (!itemsCache.has(id)) {
      const p = api.campaign(id).then((c) => c.special_items || [])
      p.catch(() => itemsCache.delete(id))
      itemsCache.set(id, p)
    }
    return itemsCache.get(id)
  }

  let seq = 0
  async function select(id) {
    id = Number(id)
    if (currentId.value === id && current.value) return
    currentId.value = id
    const my = ++seq
    loading.value = true
    try {
      const [org, anc] = await Promise.all([api.org(id), api.ancestors(id)])
      if (my !== seq) return
      remember(org)
      for (const a of anc.items || []) remember(a)
      current.value = org
      ancestors.value = ancestorChain(org, anc.items || [])
    } catch (e) {
      if (my === seq) {
        current.value = null
        ancestors.value = []
        showError(e)
      }
    } finally {
      if (my === seq) loading.value = false
    }
  }

  const breadcrumb = computed(() => (current.value ? [...ancestors.value, current.value] : ancestors.value))

  return {
    currentId,
    current,
    ancestors,
    breadcrumb,
    loading,
    select,
    getOrg,
    cachedName,
    getStats,
    putStats,
    getCategories,
    getCampaigns,
    getSpecialItems,
    remember,
  }
})
