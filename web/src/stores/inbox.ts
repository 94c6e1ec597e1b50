import { defineStore } from 'pinia'
import { ref } from 'vue'
import { conversationsApi } from '@/api/conversations'

/**
 * Inbox-wide state shared by the frame. For now only the pending count shown on the
 * WhatsApp badge; the inbox screens and the realtime store will keep it current.
 */
export const useInboxStore = defineStore('inbox', () => {
  const pendingCount = ref(0)

  async function refreshCounts(): Promise<void> {
    try {
      const page = await conversationsApi.list({ limit: 1 })
      pendingCount.value = page.counts?.pending ?? 0
    } catch {
      // The badge is a hint: keep the last value when the list cannot be read.
    }
  }

  function reset() {
    pendingCount.value = 0
  }

  return { pendingCount, refreshCounts, reset }
})
