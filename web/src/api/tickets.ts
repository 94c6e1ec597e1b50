import type { Message } from './conversations'
import { http } from './http'

export type TicketStatus = 'open' | 'in_progress' | 'resolved' | 'closed'

export interface Ticket {
  id: string
  number: number
  title: string
  description: string
  status: TicketStatus
  origin: string
  team_id: string | null
  assignee_id: string | null
  conversation_id?: string | null
  contact_id?: string | null
  created_at: string
  updated_at: string
  linked_messages?: Message[]
  [key: string]: unknown
}

export interface TicketCreate {
  title: string
  description?: string
  conversation_id?: string
  message_ids?: string[]
}

export const ticketsApi = {
  /** F12: a new ticket, optionally from a conversation with some of its messages linked. */
  create: (body: TicketCreate) => http.post<Ticket>('/tickets', body),
  /** F11: links messages of a conversation to an existing ticket; `linked` counts new links. */
  linkMessages: (number: number | string, conversationId: string, messageIds: string[]) =>
    http.post<{ linked: number }>(`/tickets/${encodeURIComponent(String(number))}/messages`, {
      conversation_id: conversationId,
      message_ids: messageIds,
    }),
}
