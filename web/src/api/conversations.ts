import { http } from './http'

export type ConversationView = 'all' | 'new' | 'mine' | 'others' | 'closed'
export type ConversationStatus = 'pending' | 'resolved' | 'closed'

/** Counts the conversation list answers with, for the caller. */
export interface ConversationCounts {
  new: number
  mine: number
  others: number
  closed: number
  pending: number
}

export interface ConversationListParams {
  view?: ConversationView
  team_id?: string
  status?: string
  q?: string
  cursor?: string
  limit?: number
}

export interface Contact {
  id: string
  wa_id: string
  phone?: string | null
  profile_name?: string | null
  display_name?: string | null
  customer_id?: string | null
  automation_blocked?: boolean
  /** The contact's newest ticket of origin WhatsApp (F13), or null. */
  last_whatsapp_ticket?: { id: string; number: number; title: string; status: string } | null
  [key: string]: unknown
}

/** The short form of a conversation's last message, as the list shows it. */
export interface MessageSummary {
  id?: string
  direction?: MessageDirection
  type?: string
  text?: string | null
  status?: MessageStatus
  created_at?: string
  [key: string]: unknown
}

export interface Conversation {
  id: string
  channel_id: string
  contact: Contact
  team_id: string | null
  assignee_id: string | null
  status: ConversationStatus
  unread_count: number
  last_message: MessageSummary | null
  last_activity_at: string
  window_expires_at: string | null
  created_at: string
  closed_at: string | null
  closed_reason?: string | null
}

export interface ConversationList<T = Conversation> {
  items: T[]
  next_cursor: string | null
  counts?: ConversationCounts
}

export type MessageDirection = 'in' | 'out' | 'note'
export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'received'

export interface Message {
  id: string
  conversation_id: string
  direction: MessageDirection
  author: { type: 'contact' | 'agent' | 'system'; id?: string | null; name?: string | null } | null
  type: string
  text: string | null
  media?: { id: string; mime_type?: string; filename?: string; size?: number; url?: string } | null
  payload?: Record<string, unknown> | null
  reply_to_id?: string | null
  reactions?: { emoji: string; by: string }[] | null
  status: MessageStatus
  error?: { code: string; message: string; retryable?: boolean } | null
  created_at: string
  edited_at?: string | null
  revoked_at?: string | null
  ticket_numbers?: number[] | null
}

export interface ConversationEvent {
  id: string
  conversation_id: string
  type: string
  actor_id?: string | null
  actor_name?: string | null
  from_team_name?: string | null
  to_team_name?: string | null
  assignee_id?: string | null
  assignee_name?: string | null
  status?: string | null
  note?: string | null
  at: string
}

export type TimelineItem =
  | { kind: 'message'; message: Message }
  | { kind: 'note'; note?: Message; message?: Message }
  | { kind: 'event'; event: ConversationEvent }

export interface TimelinePage {
  items: TimelineItem[]
  next_cursor: string | null
}

const base = (id: string) => `/conversations/${encodeURIComponent(id)}`

export const conversationsApi = {
  list: (params: ConversationListParams = {}) =>
    http.get<ConversationList>('/conversations', { query: { ...params } }),
  get: (id: string) => http.get<Conversation>(base(id)),
  timeline: (id: string, params: { before?: string; limit?: number; events?: boolean } = {}) =>
    http.get<TimelinePage>(`${base(id)}/timeline`, { query: { ...params } }),
  sendText: (id: string, text: string, idempotencyKey: string) =>
    http.post<Message>(`${base(id)}/messages`, { type: 'text', text }, { headers: { 'Idempotency-Key': idempotencyKey } }),
  read: (id: string) => http.post<unknown>(`${base(id)}/read`),
  assign: (id: string, assigneeId: string) => http.post<Conversation>(`${base(id)}/assign`, { assignee_id: assigneeId }),
  setStatus: (id: string, status: 'pending' | 'resolved') =>
    http.post<Conversation>(`${base(id)}/status`, { status }),
  /** F08: moves the conversation to another team's New list. */
  forward: (id: string, teamId: string, note: string) =>
    http.post<Conversation>(`${base(id)}/forward`, { team_id: teamId, note }),
  /** F16: closes the conversation, optionally with the closing message and the survey. */
  close: (id: string, opts: { send_closing_message: boolean; send_survey: boolean }) =>
    http.post<Conversation>(`${base(id)}/close`, opts),
  /** F10: the conversation's own messages and notes of the last N hours (1–24), oldest first. */
  messagesWithin: (id: string, hours: number) =>
    http.get<{ items: Message[] }>(`${base(id)}/messages`, { query: { within_hours: hours } }),
  /** F31: the conversation's summary. */
  summary: (id: string) => http.get<ConversationSummary>(`${base(id)}/summary`),
  /** F15: sends an approved template (the only kind allowed once the 24-hour window closed). */
  sendTemplate: (id: string, template: TemplateSend, idempotencyKey: string) =>
    http.post<Message>(
      `${base(id)}/messages`,
      { type: 'template', template },
      { headers: { 'Idempotency-Key': idempotencyKey } },
    ),
}

export interface ConversationSummary {
  conversation_id: string
  status: ConversationStatus
  opened_at: string
  closed_at: string | null
  closed_reason: string | null
  teams: { id: string; name: string }[]
  handlers: { id: string; name: string }[]
  tickets: { id: string; number: number; title: string; status: string; relation: 'created' | 'linked' }[]
  survey_answer: { answer: string; answered_at: string } | null
  messages: { in: number; out: number; notes: number }
}

/** The `template` of a template send: positional values as a list, named ones as an object. */
export interface TemplateSend {
  name: string
  language: string
  parameters: string[] | Record<string, string>
}

/** contactName is what the UI calls a conversation (F04): registered name, WhatsApp name, number. */
export function contactName(contact: Contact | null | undefined): string {
  if (!contact) return ''
  return contact.display_name || contact.profile_name || contact.phone || contact.wa_id || ''
}
