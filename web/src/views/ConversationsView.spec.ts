import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, conversationFixture, messageFixture, mockFetch } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const counts = { new: 2, mine: 1, others: 0, closed: 5, pending: 2 }

function inbox(opts: { segmented?: boolean; list?: unknown; extra?: Record<string, unknown> } = {}) {
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/settings': { body: { segmented_view: opts.segmented ?? false } },
    'GET /api/v1/conversations': opts.list ?? {
      body: {
        items: [
          conversationFixture({ id: 'c1', unread_count: 3, last_message: { type: 'text', direction: 'in', text: '<b>oi</b>' } }),
          conversationFixture({
            id: 'c2',
            status: 'resolved',
            unread_count: 0,
            contact: { id: 'k2', wa_id: '5511900000000', phone: '+5511900000000', profile_name: 'João', display_name: '' },
            last_activity_at: '2026-11-25T11:00:00Z',
          }),
        ],
        next_cursor: null,
        counts,
      },
    },
    'GET /api/v1/conversations/c1': { body: conversationFixture({ id: 'c1' }) },
    'GET /api/v1/conversations/c1/timeline': {
      body: { items: [{ kind: 'message', message: messageFixture({ conversation_id: 'c1' }) }], next_cursor: null },
    },
    'POST /api/v1/conversations/c1/read': { body: conversationFixture({ id: 'c1', unread_count: 0 }) },
    ...(opts.extra as Record<string, never>),
  })
}

describe('Conversas screen', () => {
  it('F01 F04 lists rows: avatar, pending bar with a label, bold name when unread, preview as text, bubble', async () => {
    inbox()
    const { wrapper } = await mountApp('/conversas')
    const rows = wrapper.findAll('[data-testid="conversation-row"]')
    expect(rows).toHaveLength(2)
    const first = rows[0]!
    expect(first.find('[data-testid="conversation-name"]').text()).toBe('Maria Silva')
    expect(first.classes()).toContain('is-unread')
    expect(first.find('[data-testid="pending-bar"]').exists()).toBe(true)
    expect(first.text()).toContain('Pendente')
    expect(first.find('[data-testid="unread-bubble"]').text()).toContain('3')
    expect(first.find('[data-testid="conversation-preview"]').text()).toBe('<b>oi</b>')
    expect(first.find('[data-testid="conversation-preview"] b').exists()).toBe(false)
    expect(first.find('.ui-avatar').text()).toBe('MS')
    const second = rows[1]!
    expect(second.find('[data-testid="conversation-name"]').text()).toBe('João')
    expect(second.classes()).not.toContain('is-unread')
    expect(second.find('[data-testid="pending-bar"]').exists()).toBe(false)
    expect(wrapper.find('[role="tablist"]').exists()).toBe(false)
  })

  it('F02 shows the tabs with counts when segmentation is on', async () => {
    const { calls } = inbox({ segmented: true })
    const { wrapper } = await mountApp('/conversas')
    const tabs = wrapper.findAll('[role="tab"]')
    expect(tabs.map((t) => t.text())).toEqual([
      'Novas conversas2',
      'Minhas conversas1',
      'Outras conversas0',
      'Conversas encerradas5',
    ])
    expect(calls.some((c) => c.url.includes('view=new'))).toBe(true)
    await tabs[3]!.trigger('click')
    await flushAll()
    expect(calls[calls.length - 1]!.url).toContain('view=closed')
  })

  it('F01 shows empty and error states', async () => {
    inbox({ list: { body: { items: [], next_cursor: null, counts } } })
    const empty = await mountApp('/conversas')
    expect(empty.wrapper.find('[data-testid="list-empty"]').text()).toBe('Nenhuma conversa aqui por enquanto.')
    empty.wrapper.unmount()
    document.body.innerHTML = ''
    inbox({ list: apiError(503, 'unavailable', 'down') })
    const failed = await mountApp('/conversas')
    expect(failed.wrapper.find('[data-testid="list-error"]').text()).toContain('Tentar de novo')
  })

  it('F01 keyboard: / focuses search, ↓ moves through the rows, search queries q', async () => {
    const { calls } = inbox()
    const { wrapper } = await mountApp('/conversas')
    document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true }))
    const search = wrapper.find<HTMLInputElement>('[data-testid="conversation-search"]')
    expect(document.activeElement).toBe(search.element)
    await search.trigger('keydown', { key: 'ArrowDown' })
    const rows = wrapper.findAll('[data-testid="conversation-row"]')
    expect(document.activeElement).toBe(rows[0]!.element)
    await rows[0]!.trigger('keydown', { key: 'ArrowDown' })
    expect(document.activeElement).toBe(rows[1]!.element)
    vi.useFakeTimers()
    await search.setValue('boleto')
    vi.advanceTimersByTime(350)
    vi.useRealTimers()
    await flushAll()
    expect(calls.some((c) => c.url.includes('q=boleto'))).toBe(true)
  })

  it('F07 F09 opens a conversation: header, bubbles, read, take and resolve', async () => {
    const { calls } = inbox({
      extra: {
        'POST /api/v1/conversations/c1/assign': { body: conversationFixture({ id: 'c1', assignee_id: adminUser.id }) },
        'POST /api/v1/conversations/c1/status': { body: conversationFixture({ id: 'c1', status: 'resolved' }) },
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    expect(wrapper.find('[data-testid="conversation-title"]').text()).toBe('Maria Silva')
    expect(wrapper.find('[data-testid="conversation-pane"]').text()).toContain('+5511987654321')
    expect(wrapper.findAll('[data-testid="message"]')).toHaveLength(1)
    expect(wrapper.find('[data-testid="day-separator"]').exists()).toBe(true)
    expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/c1/read'))).toBe(true)
    expect(wrapper.find('[data-testid="conversation-row"][data-id="c1"] [data-testid="unread-bubble"]').exists()).toBe(false)
    await wrapper.find('[data-testid="action-take"]').trigger('click')
    await flushAll()
    expect(calls.find((c) => c.url.endsWith('/assign'))!.body).toEqual({ assignee_id: adminUser.id })
    expect(wrapper.find('[data-testid="action-take"]').exists()).toBe(false)
    await wrapper.find('[data-testid="action-status"]').trigger('click')
    await flushAll()
    expect(calls.find((c) => c.url.endsWith('/status'))!.body).toEqual({ status: 'resolved' })
    expect(wrapper.find('[data-testid="conversation-status"]').text()).toBe('Resolvida')
  })

  it('F26 composer: Enter sends, Shift+Enter does not, the bubble shows at once', async () => {
    const { calls } = inbox({
      extra: {
        'POST /api/v1/conversations/c1/messages': {
          status: 202,
          body: messageFixture({ id: 'm9', conversation_id: 'c1', direction: 'out', text: 'Olá!', status: 'queued' }),
        },
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    const input = wrapper.find('[data-testid="composer-input"]')
    await input.setValue('Olá!')
    await input.trigger('keydown', { key: 'Enter', shiftKey: true })
    expect(calls.some((c) => c.url.endsWith('/messages'))).toBe(false)
    await input.trigger('keydown', { key: 'Enter' })
    await flushAll()
    const sent = calls.find((c) => c.url.endsWith('/messages'))!
    expect(sent.headers['idempotency-key']).toBeTruthy()
    const bubbles = wrapper.findAll('[data-testid="message"]')
    expect(bubbles).toHaveLength(2)
    expect(bubbles[1]!.attributes('data-id')).toBe('m9')
    expect(bubbles[1]!.find('[data-testid="tick"]').attributes('data-tick')).toBe('queued')
    expect((input.element as HTMLTextAreaElement).value).toBe('')
  })

  it('F15 composer: 422 window_closed says so and keeps the text', async () => {
    inbox({
      extra: {
        'POST /api/v1/conversations/c1/messages': apiError(422, 'window_closed', 'outside the 24-hour window'),
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    const input = wrapper.find('[data-testid="composer-input"]')
    await input.setValue('Oi')
    await input.trigger('keydown', { key: 'Enter' })
    await flushAll()
    expect(wrapper.find('[data-testid="composer-error"]').text()).toContain('janela de 24 horas terminou')
    expect((input.element as HTMLTextAreaElement).value).toBe('Oi')
    expect(wrapper.findAll('[data-testid="message"]')).toHaveLength(1)
  })
})
