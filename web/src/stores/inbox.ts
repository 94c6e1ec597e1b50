import { defineStore } from 'pinia'
import { ref } from 'vue'
import { conversationsApi, type ConversationCounts } from '@/api/conversations'

/**
 * Inbox-wide state shared by the frame: the counts of the conversation lists and the pending
 * count shown on the WhatsApp badge. The list and the live events keep them current.
 */
export const useInboxStore = defineStore('inbox', () => {
  const pendingCount = ref(0)
  const counts = ref<ConversationCounts | null>(null)
  let timer: ReturnType<typeof setTimeout> | null = null

  function setCounts(next: ConversationCounts | undefined | null) {
    if (!next) return
    counts.value = next
    pendingCount.value = next.pending ?? 0
  }

  async function refreshCounts(): Promise<void> {
    try {
      const page = await conversationsApi.list({ limit: 1 })
      setCounts(page.counts)
    } catch {
      // The badge is a hint: keep the last value when the list cannot be read.
    }
  }

  /** scheduleRefresh coalesces the counts refetch of a burst of live events into one call. */
  function scheduleRefresh(delay = 250) {
    if (timer) return
    timer = setTimeout(() => {
      timer = null
      void refreshCounts()
    }, delay)
  }

  function reset() {
    pendingCount.value = 0
    counts.value = null
    if (timer) clearTimeout(timer)
    timer = null
  }

  return { pendingCount, counts, setCounts, refreshCounts, scheduleRefresh, reset }
})
