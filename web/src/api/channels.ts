import { http } from './http'

/** A WhatsApp channel (business number). `access_token`/`app_secret` are write-only. */
export interface Channel {
  id: string
  name: string
  phone_number_id: string
  waba_id: string
  display_phone_number: string
  default_team_id: string
  graph_api_url: string
  graph_api_version: string
  verify_token: string
  messages_per_second: number
  webhook_url: string
  has_access_token: boolean
  has_app_secret: boolean
}

/** Create/update body; secrets only when the admin typed one. */
export interface ChannelInput {
  name?: string
  phone_number_id?: string
  waba_id?: string
  display_phone_number?: string
  default_team_id?: string
  graph_api_url?: string
  graph_api_version?: string
  verify_token?: string
  messages_per_second?: number
  access_token?: string
  app_secret?: string
}

/** F29: how a channel is doing. */
export interface ChannelHealth {
  channel_id: string
  last_webhook_at: string | null
  last_send_at: string | null
  last_error: { code: string; message: string; at: string } | null
  token_problem: boolean
  failed_messages_24h: number
  failed_deliveries: number
  waiting_statuses: number
}

export interface WebhookDelivery {
  id: string
  received_at: string
  state: string
  error: string
  phone_number_ids: string
  items: number
  applied_at: string | null
}

const enc = encodeURIComponent

export const channelsApi = {
  list: () => http.get<{ items: Channel[]; next_cursor: string | null }>('/channels'),
  create: (input: ChannelInput) => http.post<Channel>('/channels', input),
  update: (id: string, input: ChannelInput) => http.patch<Channel>(`/channels/${enc(id)}`, input),
  syncTemplates: (id: string) => http.post<unknown>(`/channels/${enc(id)}/templates/sync`),
  health: (id: string) => http.get<ChannelHealth>(`/channels/${enc(id)}/health`),
  failedDeliveries: (channelId: string) =>
    http.get<{ items: WebhookDelivery[]; next_cursor: string | null }>('/webhook-deliveries', {
      query: { state: 'failed', channel_id: channelId },
    }),
  reapply: (deliveryId: string) =>
    http.post<{ delivery_id: string; state: string; reason: string }>(
      `/webhook-deliveries/${enc(deliveryId)}/reapply`,
    ),
}
