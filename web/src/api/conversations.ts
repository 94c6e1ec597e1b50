import { http } from './http'

export type ConversationView = 'all' | 'new' | 'mine' | 'others' | 'closed'

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

// The Conversation shape is filled in with the inbox screens; only the list envelope is used now.
export interface ConversationList<T = Record<string, unknown>> {
  items: T[]
  next_cursor: string | null
  counts?: ConversationCounts
}

export const conversationsApi = {
  list: (params: ConversationListParams = {}) =>
    http.get<ConversationList>('/conversations', { query: { ...params } }),
}
