// The unread count of the signed-in user's inbox (GET /api/v1/notifications/unread_count), shared by the
// header's bell and the inbox page (which refreshes it after marking notices read).
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api/client.js'

export const useNotificationStore = defineStore('notifications', () => {
  const unread = ref(0)
  // Whether the server answered at all (an account without a user, e.g. a token of the command line,
  // has no inbox: 409), so the bell can stay away.
  const available = ref(true)
  let inflight = null

  /** Asks the server for the unread count; failures leave the last count (the bell is not worth an error box). */
  function refresh() {
    if (inflight) return inflight
    inflight = api
      .unreadCount()
      .then((r) => {
        unread.value = Number(r?.unread) || 0
        available.value = true
      })
      .catch((e) => {
        if (e?.status === 409) available.value = false
      })
      .finally(() => (inflight = null))
    return inflight
  }

  return { unread, available, refresh }
})
