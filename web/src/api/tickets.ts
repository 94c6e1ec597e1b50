import type { Message } from './conversations'
import { http } from './http'

export type TicketStatus = 'open' | 'in_progress' | 'resolved' | 'closed'
export type TicketOrigin = 'whatsapp' | 'email' | 'phone' | 'web'

export const TICKET_STATUSES: TicketStatus[] = ['open', 'in_progress', 'resolved', 'closed']
export const TICKET_ORIGINS: TicketOrigin[] = ['whatsapp', 'email', 'phone', 'web']

/** A registered customer as a ticket's requester. */
export interface TicketRequester {
  id: string
  name: string
  email?: string | null
  phones?: string[]
  organization?: string | null
}

export interface Ticket {
  id: string
  number: number
  title: string
  description: string
  status: TicketStatus
  origin: string
  team_id: string | null
  assignee_id: string | null
  requester?: TicketRequester | null
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
  requester_id?: string
  team_id?: string
  origin?: TicketOrigin
  assignee_id?: string
}

/** F22: the list's filters; empty values are left out of the query. */
export interface TicketFilters {
  q?: string
  status?: string
  origin?: string
  team_id?: string
  requester_id?: string
  cursor?: string
  limit?: number
}

export interface TicketPatch {
  title?: string
  description?: string
  status?: TicketStatus
  team_id?: string
  assignee_id?: string | null
  requester_id?: string | null
}

export const ticketsApi = {
  /** F22: one page of tickets, newest first. */
  list: (filters: TicketFilters = {}, signal?: AbortSignal) =>
    http.get<{ items: Ticket[]; next_cursor: string | null }>('/tickets', { query: { ...filters }, signal }),
  /** One ticket with its linked_messages (the WhatsApp transcript). */
  get: (number: number | string) => http.get<Ticket>(`/tickets/${encodeURIComponent(String(number))}`),
  update: (number: number | string, patch: TicketPatch) =>
    http.patch<Ticket>(`/tickets/${encodeURIComponent(String(number))}`, patch),
  /** Customers matching a search (the requester picker). */
  searchCustomers: (q: string) => http.get<{ items: TicketRequester[]; next_cursor?: string | null }>('/customers', { query: { q } }),
  /** F12: a new ticket, optionally from a conversation with some of its messages linked. */
  create: (body: TicketCreate) => http.post<Ticket>('/tickets', body),
  /** F11: links messages of a conversation to an existing ticket; `linked` counts new links. */
  linkMessages: (number: number | string, conversationId: string, messageIds: string[]) =>
    http.post<{ linked: number }>(`/tickets/${encodeURIComponent(String(number))}/messages`, {
      conversation_id: conversationId,
      message_ids: messageIds,
    }),
}
