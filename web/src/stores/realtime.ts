import { defineStore } from 'pinia'
import { ref } from 'vue'
import { conversationsApi, type Conversation, type Message } from '@/api/conversations'
import { API_BASE } from '@/api/http'
import type { Settings } from '@/api/settings'
import { useConversationListStore } from './conversationList'
import { useInboxStore } from './inbox'
import { useSettingsStore } from './settings'
import { useThreadStore } from './thread'

export type RealtimeState = 'idle' | 'connecting' | 'open' | 'error'

type Listener = (kind: string, data: unknown) => void

/**
 * One EventSource for the whole app (`GET /api/v1/events`, F23). The browser sends the session
 * cookie and, on reconnect, Last-Event-ID itself. Events update the list, the open conversation,
 * the counts and the settings; `reset` reloads them.
 */
export const useRealtimeStore = defineStore('realtime', () => {
  const state = ref<RealtimeState>('idle')
  let source: EventSource | null = null
  const listeners = new Set<Listener>()
  const pending = new Map<string, ReturnType<typeof setTimeout>>()

  /**
   * refreshConversation refetches a conversation shortly after one of its messages changed.
   * papo does not always publish conversation.updated when a reply changes last_message,
   * last_activity_at or the assignee (the first reply takes the conversation), so the list
   * row and the header are brought up to date from GET; a burst costs one request.
   */
  function refreshConversation(id: string, delay = 300): void {
    if (pending.has(id)) return
    pending.set(
      id,
      setTimeout(() => {
        pending.delete(id)
        conversationsApi
          .get(id)
          .then((conv) => {
            useConversationListStore().apply(conv)
            useThreadStore().applyConversation(conv)
          })
          .catch(() => {
            // Not visible any more, or offline: the next event or reload settles it.
          })
      }, delay),
    )
  }

  function handle(kind: string, data: unknown): void {
    const list = useConversationListStore()
    const thread = useThreadStore()
    const inbox = useInboxStore()
    switch (kind) {
      case 'conversation.created':
      case 'conversation.updated': {
        const conv = data as Conversation
        list.apply(conv)
        thread.applyConversation(conv)
        inbox.scheduleRefresh()
        break
      }
      case 'message.created':
      case 'message.updated': {
        const msg = data as Message
        thread.applyMessage(msg)
        const shown = list.items.some((c) => c.id === msg.conversation_id) || thread.id === msg.conversation_id
        if (kind === 'message.created' && msg.direction !== 'note' && shown) refreshConversation(msg.conversation_id)
        break
      }
      case 'settings.updated':
        useSettingsStore().settings = data as Settings
        break
      case 'reset':
        if (list.loaded) void list.load()
        void thread.reload()
        inbox.scheduleRefresh(0)
        break
    }
    for (const l of listeners) l(kind, data)
  }

  /** subscribe calls fn after each event is applied; returns the unsubscribe function. */
  function subscribe(fn: Listener): () => void {
    listeners.add(fn)
    return () => listeners.delete(fn)
  }

  function connect(): void {
    if (source || typeof EventSource === 'undefined') return
    state.value = 'connecting'
    const es = new EventSource(`${API_BASE}/events`, { withCredentials: true })
    source = es
    es.onopen = () => (state.value = 'open')
    es.onerror = () => (state.value = 'error') // EventSource reconnects on its own.
    const kinds = [
      'conversation.created',
      'conversation.updated',
      'message.created',
      'message.updated',
      'settings.updated',
      'reset',
    ]
    for (const kind of kinds) {
      es.addEventListener(kind, (ev) => {
        let data: unknown = null
        try {
          data = JSON.parse((ev as MessageEvent<string>).data)
        } catch {
          return
        }
        handle(kind, data)
      })
    }
  }

  function disconnect(): void {
    for (const timer of pending.values()) clearTimeout(timer)
    pending.clear()
    source?.close()
    source = null
    state.value = 'idle'
  }

  return { state, connect, disconnect, handle, subscribe }
})
