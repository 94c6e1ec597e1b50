import { vi } from 'vitest'

export interface MockReply {
  status?: number
  body?: unknown
  headers?: Record<string, string>
}

export interface RecordedCall {
  method: string
  url: string
  headers: Record<string, string>
  body: unknown
  credentials: RequestCredentials | undefined
}

type Handler = MockReply | ((call: RecordedCall) => MockReply | Promise<MockReply>)

/**
 * mockFetch replaces global fetch with a table of `"METHOD /path"` → reply (path without the
 * query string). Unknown routes answer 404 not_found. Returns the recorded calls.
 */
export function mockFetch(routes: Record<string, Handler>) {
  const calls: RecordedCall[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input)
    const method = (init.method ?? 'GET').toUpperCase()
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, key) => (headers[key] = value))
    let body: unknown = init.body
    if (typeof init.body === 'string') {
      try {
        body = JSON.parse(init.body)
      } catch {
        body = init.body
      }
    }
    const call: RecordedCall = { method, url, headers, body, credentials: init.credentials }
    calls.push(call)
    const path = url.split('?')[0]
    const handler = routes[`${method} ${path}`]
    const reply: MockReply = handler
      ? typeof handler === 'function'
        ? await handler(call)
        : handler
      : { status: 404, body: { error: { code: 'not_found', message: 'not found' } } }
    const status = reply.status ?? 200
    const hasBody = reply.body !== undefined && status !== 204
    return new Response(hasBody ? JSON.stringify(reply.body) : null, {
      status,
      headers: { ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...reply.headers },
    })
  })
  vi.stubGlobal('fetch', fn)
  return { calls, fn }
}

export const adminUser = {
  id: 'u1',
  name: 'Ana Admin',
  email: 'admin@papo.local',
  role: 'admin' as const,
  team_ids: ['t1'],
  active: true,
}

export const agentUser = {
  id: 'u2',
  name: 'Bruno Agente',
  email: 'bruno@papo.local',
  role: 'agent' as const,
  team_ids: ['t1'],
  active: true,
}

export function apiError(status: number, code: string, message: string, extra: Record<string, unknown> = {}) {
  return { status, body: { error: { code, message, ...extra } } }
}

/** conversationFixture is a Conversation as the API returns it, with overrides. */
export function conversationFixture(over: Record<string, unknown> = {}) {
  return {
    id: 'c1',
    channel_id: '1',
    contact: {
      id: 'k1',
      wa_id: '5511987654321',
      phone: '+5511987654321',
      profile_name: 'Cliente 4321',
      display_name: 'Maria Silva',
      automation_blocked: false,
    },
    team_id: 't1',
    assignee_id: null,
    status: 'pending',
    unread_count: 1,
    last_message: { id: 'm1', direction: 'in', type: 'text', text: 'Olá', status: 'received', created_at: '2026-11-25T12:00:00Z' },
    last_activity_at: '2026-11-25T12:00:00Z',
    window_expires_at: '2099-01-01T00:00:00Z',
    created_at: '2026-11-25T12:00:00Z',
    closed_at: null,
    closed_reason: null,
    ...over,
  }
}

/** messageFixture is a Message as the API returns it, with overrides. */
export function messageFixture(over: Record<string, unknown> = {}) {
  return {
    id: 'm1',
    conversation_id: 'c1',
    direction: 'in',
    author: { type: 'contact', id: 'k1', name: 'Maria Silva' },
    type: 'text',
    text: 'Olá',
    media: null,
    payload: {},
    reply_to_id: null,
    reactions: [],
    status: 'received',
    error: null,
    ticket_numbers: [],
    created_at: '2026-11-25T12:00:00Z',
    edited_at: null,
    revoked_at: null,
    ...over,
  }
}
