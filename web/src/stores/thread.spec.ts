import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Message } from '@/api/conversations'
import { apiError, conversationFixture, messageFixture, mockFetch } from '@/test/fetchMock'
import { useRealtimeStore } from './realtime'
import { itemMessage, mergeMessage, useThreadStore } from './thread'

const msg = (over: Record<string, unknown>) => messageFixture(over) as unknown as Message

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => vi.unstubAllGlobals())

function routes(extra: Record<string, unknown> = {}) {
  return mockFetch({
    'GET /api/v1/conversations/c1': { body: conversationFixture() },
    'GET /api/v1/conversations/c1/timeline': {
      body: { items: [{ kind: 'message', message: messageFixture() }], next_cursor: 'older' },
    },
    'POST /api/v1/conversations/c1/read': { body: conversationFixture({ unread_count: 0 }) },
    ...(extra as Record<string, never>),
  })
}

describe('thread store', () => {
  it('F07 opens a conversation, loads its timeline and posts …/read', async () => {
    const { calls } = routes()
    const thread = useThreadStore()
    await thread.open('c1')
    await vi.waitFor(() => expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/c1/read'))).toBe(true))
    expect(thread.items).toHaveLength(1)
    expect(thread.before).toBe('older')
  })

  it('F07 loads older history before the current items', async () => {
    routes()
    const thread = useThreadStore()
    await thread.open('c1')
    const { calls } = mockFetch({
      'GET /api/v1/conversations/c1/timeline': {
        body: { items: [{ kind: 'message', message: messageFixture({ id: 'm0', text: 'antes' }) }], next_cursor: null },
      },
    })
    await thread.loadOlder()
    expect(calls[0]!.url).toContain('before=older')
    expect(thread.items.map((i) => itemMessage(i)?.id)).toEqual(['m0', 'm1'])
    expect(thread.before).toBeNull()
  })

  it('F26 shows a sent message at once as queued, with an Idempotency-Key, then the server copy', async () => {
    routes()
    const thread = useThreadStore()
    await thread.open('c1')
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const { calls } = mockFetch({
      'POST /api/v1/conversations/c1/messages': async () => {
        await gate
        return { status: 202, body: messageFixture({ id: 'm2', direction: 'out', text: 'Oi', status: 'queued' }) }
      },
    })
    const sending = thread.send('Oi')
    const local = itemMessage(thread.items[thread.items.length - 1]!)!
    expect(local.status).toBe('queued')
    expect(local.text).toBe('Oi')
    release()
    await sending
    expect(calls[0]!.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(calls[0]!.body).toEqual({ type: 'text', text: 'Oi' })
    expect(thread.items.map((i) => itemMessage(i)?.id)).toEqual(['m1', 'm2'])
  })

  it('F26 a live event for our own send before its answer replaces the queued row (never shown twice)', async () => {
    routes()
    const thread = useThreadStore()
    await thread.open('c1')
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    mockFetch({
      'POST /api/v1/conversations/c1/messages': async () => {
        await gate
        return { status: 202, body: messageFixture({ id: 'm2', direction: 'out', text: 'Oi', status: 'queued' }) }
      },
    })
    const sending = thread.send('Oi')
    useRealtimeStore().handle('message.created', msg({ id: 'm2', direction: 'out', text: 'Oi', status: 'sent' }))
    expect(thread.items.map((i) => itemMessage(i)?.id)).toEqual(['m1', 'm2'])
    release()
    await sending
    expect(thread.items.map((i) => itemMessage(i)?.id)).toEqual(['m1', 'm2'])
    expect(itemMessage(thread.items[1]!)!.status).toBe('sent')
  })

  it('F23 updates ticks from message events, forward only, and appends new messages', async () => {
    routes()
    const thread = useThreadStore()
    await thread.open('c1')
    const rt = useRealtimeStore()
    rt.handle('message.created', msg({ id: 'm2', direction: 'out', status: 'queued' }))
    rt.handle('message.updated', msg({ id: 'm2', direction: 'out', status: 'delivered' }))
    rt.handle('message.updated', msg({ id: 'm2', direction: 'out', status: 'sent' }))
    rt.handle('message.created', msg({ id: 'x', conversation_id: 'other' }))
    expect(thread.items).toHaveLength(2)
    expect(itemMessage(thread.items[1]!)!.status).toBe('delivered')
  })

  it('F15 removes the queued copy when the window is closed (422) and rethrows', async () => {
    routes()
    const thread = useThreadStore()
    await thread.open('c1')
    mockFetch({
      'POST /api/v1/conversations/c1/messages': apiError(422, 'window_closed', 'window closed'),
    })
    await expect(thread.send('Oi')).rejects.toMatchObject({ code: 'window_closed' })
    expect(thread.items).toHaveLength(1)
  })

  it('F07 merges statuses: failed then delivered proves delivery; read never goes back', () => {
    const failed = msg({ status: 'failed', error: { code: '131047', message: 'fora da janela' } })
    expect(mergeMessage(msg({ status: 'sent' }), failed).status).toBe('failed')
    expect(mergeMessage(failed, msg({ status: 'delivered' })).status).toBe('delivered')
    expect(mergeMessage(msg({ status: 'read' }), msg({ status: 'delivered' })).status).toBe('read')
  })
})
