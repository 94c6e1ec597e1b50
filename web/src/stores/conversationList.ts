import { defineStore } from 'pinia'
import { ref } from 'vue'
import { conversationsApi, type Conversation, type ConversationView } from '@/api/conversations'
import { isApiError } from '@/api/http'
import { useAuthStore } from './auth'
import { useInboxStore } from './inbox'

const PAGE = 50

/** byActivity orders newest activity first (ties by id, like the server's keyset). */
export function byActivity(a: Conversation, b: Conversation): number {
  const d = Date.parse(b.last_activity_at) - Date.parse(a.last_activity_at)
  if (d !== 0) return d
  return b.id < a.id ? -1 : b.id > a.id ? 1 : 0
}

/** belongsTo says whether a conversation is part of a list view for a user. */
export function belongsTo(c: Conversation, view: ConversationView, userId: string | null): boolean {
  const closed = c.status === 'closed'
  switch (view) {
    case 'closed':
      return closed
    case 'new':
      return !closed && !c.assignee_id
    case 'mine':
      return !closed && c.assignee_id === userId
    case 'others':
      return !closed && !!c.assignee_id && c.assignee_id !== userId
    default:
      return !closed
  }
}

/** The conversation list pane: one view (tab) and search at a time, paged by next_cursor. */
export const useConversationListStore = defineStore('conversationList', () => {
  const view = ref<ConversationView>('all')
  const q = ref('')
  const items = ref<Conversation[]>([])
  const nextCursor = ref<string | null>(null)
  const loading = ref(false)
  const loadingMore = ref(false)
  const error = ref<unknown>(null)
  const loaded = ref(false)
  let generation = 0

  async function load(next: { view?: ConversationView; q?: string } = {}): Promise<void> {
    if (next.view !== undefined) view.value = next.view
    if (next.q !== undefined) q.value = next.q
    const gen = ++generation
    loading.value = true
    error.value = null
    try {
      const page = await conversationsApi.list({ view: view.value, q: q.value.trim() || undefined, limit: PAGE })
      if (gen !== generation) return
      items.value = page.items ?? []
      nextCursor.value = page.next_cursor
      useInboxStore().setCounts(page.counts)
      loaded.value = true
    } catch (err) {
      if (gen !== generation) return
      error.value = err
      items.value = []
      nextCursor.value = null
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  async function loadMore(): Promise<void> {
    if (!nextCursor.value || loading.value || loadingMore.value) return
    const gen = generation
    loadingMore.value = true
    try {
      const page = await conversationsApi.list({
        view: view.value,
        q: q.value.trim() || undefined,
        cursor: nextCursor.value,
        limit: PAGE,
      })
      if (gen !== generation) return
      const seen = new Set(items.value.map((c) => c.id))
      items.value = [...items.value, ...(page.items ?? []).filter((c) => !seen.has(c.id))]
      nextCursor.value = page.next_cursor
    } catch (err) {
      if (gen === generation && isApiError(err)) error.value = err
    } finally {
      loadingMore.value = false
    }
  }

  /**
   * apply takes a conversation from a live event or an action: it replaces the row, adds it when
   * it now belongs to the view, removes it when it left, and keeps the newest-activity order.
   * While searching only rows already shown are updated (the server decides what matches).
   */
  function apply(c: Conversation): void {
    const userId = useAuthStore().user?.id ?? null
    const idx = items.value.findIndex((x) => x.id === c.id)
    const fits = belongsTo(c, view.value, userId)
    const list = items.value.slice()
    if (idx >= 0) {
      if (fits) list[idx] = c
      else list.splice(idx, 1)
    } else if (fits && !q.value.trim()) {
      // A row older than the last loaded page belongs to a later page; paging will bring it.
      const last = list[list.length - 1]
      if (nextCursor.value && last && byActivity(c, last) > 0) return
      list.push(c)
    } else {
      return
    }
    list.sort(byActivity)
    items.value = list
  }

  /** markRead clears a row's unread bubble at once (the read action confirms it). */
  function markRead(id: string): void {
    const idx = items.value.findIndex((x) => x.id === id)
    const row = items.value[idx]
    if (row && row.unread_count > 0) {
      const list = items.value.slice()
      list[idx] = { ...row, unread_count: 0 }
      items.value = list
    }
  }

  function reset() {
    generation++
    items.value = []
    nextCursor.value = null
    loaded.value = false
    error.value = null
    q.value = ''
  }

  return { view, q, items, nextCursor, loading, loadingMore, error, loaded, load, loadMore, apply, markRead, reset }
})
