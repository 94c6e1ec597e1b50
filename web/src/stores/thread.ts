import { defineStore } from 'pinia'
import { ref } from 'vue'
import { contactsApi } from '@/api/contacts'
import {
  conversationsApi,
  type Contact,
  type Conversation,
  type TemplateSend,
  type Message,
  type MessageStatus,
  type TimelineItem,
} from '@/api/conversations'
import { useConversationListStore } from './conversationList'

const PAGE = 50

const statusRank: Record<MessageStatus, number> = {
  queued: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 1,
  received: 0,
}

/** newer keeps message statuses moving forward only (an older update arriving late is ignored). */
export function mergeMessage(current: Message, incoming: Message): Message {
  if (current.status === incoming.status) return incoming
  if (incoming.status === 'failed') return current.status === 'queued' || current.status === 'sent' ? incoming : { ...incoming, status: current.status, error: current.error }
  if (current.status === 'failed') return incoming.status === 'delivered' || incoming.status === 'read' ? incoming : { ...incoming, status: current.status, error: current.error }
  return statusRank[incoming.status] >= statusRank[current.status] ? incoming : { ...incoming, status: current.status }
}

export function itemMessage(item: TimelineItem): Message | null {
  if (item.kind === 'message') return item.message
  if (item.kind === 'note') return item.note ?? item.message ?? null
  return null
}

export function itemKey(item: TimelineItem): string {
  if (item.kind === 'event') return `e${item.event.id}`
  return `m${itemMessage(item)?.id ?? ''}`
}

function newKey(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  return `${Date.now()}-${Math.random().toString(36).slice(2)}`
}

/** The open conversation: its detail, its timeline (oldest first) and the composer's sends. */
export const useThreadStore = defineStore('thread', () => {
  const id = ref<string | null>(null)
  const conversation = ref<Conversation | null>(null)
  const items = ref<TimelineItem[]>([])
  const before = ref<string | null>(null)
  const loading = ref(false)
  const loadingOlder = ref(false)
  const error = ref<unknown>(null)
  /** "Ocultar histórico de alterações": the timeline is read with `events=false`. */
  const hideEvents = ref(false)
  /** Selection mode (F10–F12): checkboxes on, and the ids checked. */
  const selecting = ref(false)
  const selected = ref<string[]>([])
  let generation = 0

  const timelineQuery = () => (hideEvents.value ? { events: false } : {})

  async function open(next: string | null): Promise<void> {
    const gen = ++generation
    id.value = next
    conversation.value = null
    items.value = []
    before.value = null
    error.value = null
    selecting.value = false
    selected.value = []
    if (!next) {
      loading.value = false
      return
    }
    loading.value = true
    try {
      const [conv, page] = await Promise.all([
        conversationsApi.get(next),
        conversationsApi.timeline(next, { limit: PAGE, ...timelineQuery() }),
      ])
      if (gen !== generation) return
      conversation.value = conv
      items.value = page.items ?? []
      before.value = page.next_cursor
      loading.value = false
      void markRead()
    } catch (err) {
      if (gen !== generation) return
      error.value = err
      loading.value = false
    }
  }

  async function markRead(): Promise<void> {
    const conv = conversation.value
    if (!conv) return
    useConversationListStore().markRead(conv.id)
    try {
      await conversationsApi.read(conv.id)
    } catch {
      // Reading is best effort; the next open tries again.
    }
  }

  async function loadOlder(): Promise<boolean> {
    if (!id.value || !before.value || loadingOlder.value) return false
    const gen = generation
    loadingOlder.value = true
    try {
      const page = await conversationsApi.timeline(id.value, { limit: PAGE, before: before.value, ...timelineQuery() })
      if (gen !== generation) return false
      const seen = new Set(items.value.map(itemKey))
      items.value = [...(page.items ?? []).filter((i) => !seen.has(itemKey(i))), ...items.value]
      before.value = page.next_cursor
      return true
    } catch {
      return false
    } finally {
      loadingOlder.value = false
    }
  }

  /** applyMessage takes a message from a live event or a send answer. */
  function applyMessage(msg: Message): 'added' | 'updated' | 'ignored' {
    if (!conversation.value || msg.conversation_id !== conversation.value.id) return 'ignored'
    const idx = items.value.findIndex((i) => itemMessage(i)?.id === msg.id)
    const list = items.value.slice()
    const kind = msg.direction === 'note' ? 'note' : 'message'
    if (idx >= 0) {
      const current = itemMessage(list[idx]!)!
      const merged = mergeMessage(current, msg)
      list[idx] = kind === 'note' ? { kind, note: merged } : { kind, message: merged }
      items.value = list
      return 'updated'
    }
    // Our own send, announced live before its POST answered: it takes the place of the local
    // queued row instead of showing twice (the answer then finds it by id).
    const localIdx =
      msg.direction === 'out'
        ? list.findIndex((i) => {
            const m = itemMessage(i)
            return !!m && m.id.startsWith('local-') && m.type === msg.type && m.text === msg.text
          })
        : -1
    if (localIdx >= 0) {
      list[localIdx] = { kind: 'message', message: msg }
      items.value = list
      return 'added'
    }
    list.push(kind === 'note' ? { kind, note: msg } : { kind, message: msg })
    items.value = list
    if (msg.direction === 'in') void markRead()
    return 'added'
  }

  function applyConversation(conv: Conversation): void {
    if (conversation.value && conv.id === conversation.value.id) conversation.value = conv
  }

  /**
   * send shows the message at once as queued (a local row), then swaps in the server's Message.
   * Throws the ApiError (e.g. window_closed) after removing the local row.
   */
  function send(text: string): Promise<Message> {
    return sendQueued('text', text, (convId, key) => conversationsApi.sendText(convId, text, key))
  }

  /** sendTemplate sends an approved template (F15); `preview` is the text the local row shows. */
  function sendTemplate(template: TemplateSend, preview: string): Promise<Message> {
    return sendQueued('template', preview, (convId, key) => conversationsApi.sendTemplate(convId, template, key))
  }

  async function sendQueued(
    type: string,
    text: string,
    call: (conversationId: string, idempotencyKey: string) => Promise<Message>,
  ): Promise<Message> {
    const conv = conversation.value
    if (!conv) throw new Error('no conversation open')
    const key = newKey()
    const localId = `local-${key}`
    const local: Message = {
      id: localId,
      conversation_id: conv.id,
      direction: 'out',
      author: { type: 'agent' },
      type,
      text,
      status: 'queued',
      created_at: new Date().toISOString(),
    }
    items.value = [...items.value, { kind: 'message', message: local }]
    const dropLocal = () => {
      items.value = items.value.filter((i) => itemMessage(i)?.id !== localId)
    }
    try {
      const msg = await call(conv.id, key)
      const idx = items.value.findIndex((i) => itemMessage(i)?.id === localId)
      if (items.value.some((i) => itemMessage(i)?.id === msg.id)) {
        dropLocal()
      } else if (idx >= 0) {
        const list = items.value.slice()
        list[idx] = { kind: 'message', message: msg }
        items.value = list
      }
      return msg
    } catch (err) {
      dropLocal()
      throw err
    }
  }

  async function take(userId: string): Promise<void> {
    const conv = conversation.value
    if (!conv) return
    const updated = await conversationsApi.assign(conv.id, userId)
    applyConversation(updated)
    useConversationListStore().apply(updated)
  }

  async function setStatus(status: 'pending' | 'resolved'): Promise<void> {
    const conv = conversation.value
    if (!conv) return
    const updated = await conversationsApi.setStatus(conv.id, status)
    applyConversation(updated)
    useConversationListStore().apply(updated)
  }

  /** forward moves the open conversation to another team (F08) and shows the event. */
  async function forward(teamId: string, note: string): Promise<void> {
    const conv = conversation.value
    if (!conv) return
    const updated = await conversationsApi.forward(conv.id, teamId, note)
    applyConversation(updated)
    useConversationListStore().apply(updated)
    await refreshLatest()
  }

  /** close ends the open conversation (F16). */
  async function close(opts: { send_closing_message: boolean; send_survey: boolean }): Promise<void> {
    const conv = conversation.value
    if (!conv) return
    const updated = await conversationsApi.close(conv.id, opts)
    applyConversation(updated)
    useConversationListStore().apply(updated)
    await refreshLatest()
  }

  /** setAutomationBlocked turns the contact's padlock on or off (F17). */
  async function setAutomationBlocked(blocked: boolean): Promise<void> {
    const conv = conversation.value
    if (!conv) return
    const contact = await contactsApi.setAutomationBlock(conv.contact.id, blocked)
    applyContact(contact)
  }

  /** applyContact puts an updated contact on the open conversation and on the list's rows. */
  function applyContact(contact: Contact): void {
    const conv = conversation.value
    if (conv && conv.contact.id === contact.id) conversation.value = { ...conv, contact: { ...conv.contact, ...contact } }
    const list = useConversationListStore()
    for (const item of list.items) {
      if (item.contact.id === contact.id) list.apply({ ...item, contact: { ...item.contact, ...contact } })
    }
  }

  /** refreshLatest appends the newest timeline items not shown yet (events of an action). */
  async function refreshLatest(): Promise<void> {
    const current = id.value
    if (!current) return
    const gen = generation
    try {
      const page = await conversationsApi.timeline(current, { limit: PAGE, ...timelineQuery() })
      if (gen !== generation) return
      const seen = new Set(items.value.map(itemKey))
      const fresh = (page.items ?? []).filter((i) => !seen.has(itemKey(i)))
      if (fresh.length) items.value = [...items.value, ...fresh]
    } catch {
      // The live stream or the next open shows them.
    }
  }

  /** setHideEvents turns the change lines off or on and reads the timeline again. */
  async function setHideEvents(hide: boolean): Promise<void> {
    if (hideEvents.value === hide) return
    hideEvents.value = hide
    const current = id.value
    if (!current) return
    const gen = ++generation
    try {
      const page = await conversationsApi.timeline(current, { limit: PAGE, ...timelineQuery() })
      if (gen !== generation) return
      items.value = page.items ?? []
      before.value = page.next_cursor
    } catch (err) {
      if (gen !== generation) return
      error.value = err
    }
  }

  function startSelecting(): void {
    selecting.value = true
    selected.value = []
  }

  function stopSelecting(): void {
    selecting.value = false
    selected.value = []
  }

  function toggleSelected(messageId: string): void {
    selected.value = selected.value.includes(messageId)
      ? selected.value.filter((x) => x !== messageId)
      : [...selected.value, messageId]
  }

  /** selectWithin checks the conversation's messages of the last `hours` hours; returns how many. */
  async function selectWithin(hours: number): Promise<number> {
    const conv = conversation.value
    if (!conv) return 0
    const page = await conversationsApi.messagesWithin(conv.id, hours)
    const ids = (page.items ?? []).map((m) => m.id)
    selecting.value = true
    selected.value = ids
    return ids.length
  }

  /** reload refetches the open conversation after a stream reset. */
  async function reload(): Promise<void> {
    if (id.value) await open(id.value)
  }

  return {
    id,
    conversation,
    items,
    before,
    loading,
    loadingOlder,
    error,
    open,
    loadOlder,
    applyMessage,
    applyConversation,
    send,
    sendTemplate,
    take,
    forward,
    close,
    setAutomationBlocked,
    applyContact,
    refreshLatest,
    setStatus,
    reload,
    hideEvents,
    setHideEvents,
    selecting,
    selected,
    startSelecting,
    stopSelecting,
    toggleSelected,
    selectWithin,
  }
})
