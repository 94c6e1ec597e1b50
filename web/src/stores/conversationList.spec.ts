import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Conversation } from '@/api/conversations'
import { adminUser, conversationFixture, mockFetch } from '@/test/fetchMock'
import { useAuthStore } from './auth'
import { belongsTo, byActivity, useConversationListStore } from './conversationList'
import { useInboxStore } from './inbox'
import { useRealtimeStore } from './realtime'

const conv = (over: Record<string, unknown>) => conversationFixture(over) as unknown as Conversation

beforeEach(() => {
  setActivePinia(createPinia())
  const auth = useAuthStore()
  auth.user = { ...adminUser }
  auth.status = 'authenticated'
})
afterEach(() => vi.unstubAllGlobals())

async function loaded(items: Conversation[], view: 'all' | 'new' = 'all', next: string | null = null) {
  mockFetch({
    'GET /api/v1/conversations': {
      body: { items, next_cursor: next, counts: { new: 1, mine: 0, others: 0, closed: 0, pending: 2 } },
    },
  })
  const list = useConversationListStore()
  await list.load({ view })
  return list
}

describe('conversation list store', () => {
  it('F01 loads a view, keeps next_cursor and feeds the counts and the badge (F24)', async () => {
    const list = await loaded([conv({ id: 'a' })], 'all', 'cur1')
    expect(list.items.map((c) => c.id)).toEqual(['a'])
    expect(list.nextCursor).toBe('cur1')
    expect(useInboxStore().pendingCount).toBe(2)
    expect(useInboxStore().counts?.new).toBe(1)
  })

  it('F23 moves an updated conversation to the top by last_activity_at', async () => {
    const list = await loaded([
      conv({ id: 'a', last_activity_at: '2026-11-25T12:00:00Z' }),
      conv({ id: 'b', last_activity_at: '2026-11-25T11:00:00Z' }),
    ])
    useRealtimeStore().handle('conversation.updated', conv({ id: 'b', last_activity_at: '2026-11-25T13:00:00Z', unread_count: 4 }))
    expect(list.items.map((c) => c.id)).toEqual(['b', 'a'])
    expect(list.items[0]!.unread_count).toBe(4)
  })

  it('F23 inserts a created conversation in order and drops one that left the view', async () => {
    const list = await loaded([
      conv({ id: 'a', last_activity_at: '2026-11-25T12:00:00Z' }),
      conv({ id: 'b', last_activity_at: '2026-11-25T10:00:00Z' }),
    ], 'new')
    const rt = useRealtimeStore()
    rt.handle('conversation.created', conv({ id: 'c', last_activity_at: '2026-11-25T11:00:00Z' }))
    expect(list.items.map((c) => c.id)).toEqual(['a', 'c', 'b'])
    rt.handle('conversation.updated', conv({ id: 'a', assignee_id: 'u9' }))
    expect(list.items.map((c) => c.id)).toEqual(['c', 'b'])
  })

  it('F23 does not add rows to a search result nor beyond the loaded page', async () => {
    const list = await loaded([conv({ id: 'a', last_activity_at: '2026-11-25T12:00:00Z' })], 'all', 'more')
    list.apply(conv({ id: 'old', last_activity_at: '2026-11-20T12:00:00Z' }))
    expect(list.items.map((c) => c.id)).toEqual(['a'])
    list.q = 'boleto'
    list.apply(conv({ id: 'new', last_activity_at: '2026-11-26T12:00:00Z' }))
    expect(list.items.map((c) => c.id)).toEqual(['a'])
  })

  it('F23 a new message refetches its conversation so the row moves up with the new preview', async () => {
    const list = await loaded([
      conv({ id: 'a', last_activity_at: '2026-11-25T12:00:00Z' }),
      conv({ id: 'b', last_activity_at: '2026-11-25T11:00:00Z' }),
    ])
    const { calls } = mockFetch({
      'GET /api/v1/conversations/b': {
        body: conv({ id: 'b', last_activity_at: '2026-11-25T13:00:00Z', last_message: { type: 'text', text: 'novo' } }),
      },
    })
    const rt = useRealtimeStore()
    rt.handle('message.created', { id: 'm5', conversation_id: 'b', direction: 'out', status: 'queued' })
    rt.handle('message.created', { id: 'm6', conversation_id: 'b', direction: 'out', status: 'queued' })
    await vi.waitFor(() => expect(list.items.map((c) => c.id)).toEqual(['b', 'a']))
    expect(list.items[0]!.last_message?.text).toBe('novo')
    expect(calls.filter((c) => c.url.endsWith('/conversations/b'))).toHaveLength(1)
    rt.disconnect()
  })

  it('F01 pages with next_cursor without repeating rows', async () => {
    const list = await loaded([conv({ id: 'a' })], 'all', 'cur1')
    const { calls } = mockFetch({
      'GET /api/v1/conversations': { body: { items: [conv({ id: 'a' }), conv({ id: 'b' })], next_cursor: null } },
    })
    await list.loadMore()
    expect(calls[0]!.url).toContain('cursor=cur1')
    expect(list.items.map((c) => c.id)).toEqual(['a', 'b'])
    expect(list.nextCursor).toBeNull()
  })

  it('F03 sorts and classifies by view', () => {
    const a = conv({ id: 'a', last_activity_at: '2026-11-25T12:00:00Z' })
    const b = conv({ id: 'b', last_activity_at: '2026-11-25T13:00:00Z' })
    expect([a, b].sort(byActivity).map((c) => c.id)).toEqual(['b', 'a'])
    expect(belongsTo(conv({ assignee_id: 'u1' }), 'mine', 'u1')).toBe(true)
    expect(belongsTo(conv({ assignee_id: 'u2' }), 'others', 'u1')).toBe(true)
    expect(belongsTo(conv({ assignee_id: null }), 'new', 'u1')).toBe(true)
    expect(belongsTo(conv({ status: 'closed' }), 'all', 'u1')).toBe(false)
    expect(belongsTo(conv({ status: 'closed' }), 'closed', 'u1')).toBe(true)
  })
})
