import { http } from './http'

/** A canned response (F14); `body` may hold placeholders such as `{{contact.name}}`. */
export interface CannedResponse {
  id: string
  shortcut: string
  title: string
  body: string
  team_id: string | null
}

export const cannedResponsesApi = {
  /** The responses the caller may use, by shortcut; `q` searches shortcut, title and body. */
  list: (params: { q?: string; team_id?: string | null; limit?: number } = {}) =>
    http.get<{ items: CannedResponse[]; next_cursor?: string | null }>('/canned-responses', { query: { ...params } }),
  /** The response's text with its placeholders filled for one conversation. */
  render: (id: string, conversationId: string) =>
    http.post<{ text: string }>(`/canned-responses/${encodeURIComponent(id)}/render`, { conversation_id: conversationId }),
}
