import { http } from './http'

export interface TemplateComponent {
  type: string
  format?: string
  text?: string
  buttons?: { type: string; text?: string; url?: string }[]
  [key: string]: unknown
}

/** A WhatsApp message template of a channel, as last synced. */
export interface Template {
  name: string
  language: string
  status: string
  category: string
  components: TemplateComponent[]
  parameter_format: 'positional' | 'named'
  /** The names a named template takes (header first, then body), or null. */
  parameters?: string[] | null
  parameter_count?: number
  synced_at?: string
}

export const templatesApi = {
  /** The channel's sendable templates (`status=APPROVED`). */
  approved: (channelId: string) =>
    http.get<{ items: Template[]; next_cursor?: string | null }>(
      `/channels/${encodeURIComponent(channelId)}/templates`,
      { query: { status: 'APPROVED' } },
    ),
}
