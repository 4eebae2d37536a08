// The logged-in user: the session from GET /api/v1/session (user, grants, scope roots, CSRF token).
// The router guard loads it once; a 401 from any call clears it (main.js) and goes to the login page.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, setCsrfToken } from '../api/client.js'
import { homeOrgOf } from '../lib/auth.js'

export const useAuthStore = defineStore('auth', () => {
  const session = ref(null)
  const loaded = ref(false)

  function set(s) {
    session.value = s
    setCsrfToken(s?.csrf_token)
  }

  /** Asks the server who we are; no session is not an error (session becomes null). */
  async function load() {
    try {
      set(await api.session())
    } catch (e) {
      if (e?.status !== 401) throw e
      set(null)
    } finally {
      loaded.value = true
    }
  }

  async function login(name, password) {
    set(await api.login(name, password))
    loaded.value = true
    return session.value
  }

  async function logout() {
    try {
      await api.logout()
    } finally {
      set(null)
    }
  }

  function clear() {
    set(null)
  }

  async function changePassword(oldPassword, newPassword) {
    await api.changePassword(oldPassword, newPassword)
    await load()
  }

  const user = computed(() => session.value?.user || null)
  const scopeRoots = computed(() => session.value?.scope || [])
  const mustChange = computed(() => !!session.value?.must_change_password)
  const homeOrgId = computed(() => homeOrgOf(session.value))

  return { session, loaded, user, scopeRoots, mustChange, homeOrgId, load, login, logout, clear, changePassword }
})
