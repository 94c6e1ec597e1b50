import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, conversationFixture, messageFixture, mockFetch } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'

afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
  document.body.innerHTML = ''
})

const responses = [
  { id: '3', shortcut: 'encerrar', title: 'Despedida', body: 'Obrigado pelo contato, {{contact.name}}!', team_id: null },
  { id: '1', shortcut: 'ola', title: 'Saudação', body: 'Olá {{contact.name}}, sou {{agent.name}}', team_id: null },
  { id: '5', shortcut: 'olhar', title: 'Verificando', body: 'Vou olhar, <b>um momento</b>', team_id: 't1' },
]

function inbox(extra: Record<string, unknown> = {}) {
  const conv = conversationFixture({ id: 'c1' })
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/settings': { body: { segmented_view: false } },
    'GET /api/v1/conversations': { body: { items: [conv], next_cursor: null } },
    'GET /api/v1/conversations/c1': { body: conv },
    'GET /api/v1/conversations/c1/timeline': { body: { items: [{ kind: 'message', message: messageFixture() }], next_cursor: null } },
    'POST /api/v1/conversations/c1/read': { body: conv },
    'GET /api/v1/canned-responses': (call) => {
      const q = new URL(call.url, 'http://x').searchParams.get('q') ?? ''
      return { body: { items: responses.filter((r) => !q || (r.title + r.body).toLowerCase().includes(q)), next_cursor: null } }
    },
    'POST /api/v1/canned-responses/1/render': { body: { text: 'Olá Maria Silva, sou Ana Admin' } },
    'POST /api/v1/canned-responses/5/render': { body: { text: 'Vou olhar, <b>um momento</b>' } },
    ...(extra as Record<string, never>),
  })
}

describe('F14 Respostas prontas', () => {
  it('F14 the balloon opens a searchable list with preview and inserts the rendered text', async () => {
    const { calls } = inbox()
    const { wrapper } = await mountApp('/conversas/c1')
    const btn = wrapper.find('[data-testid="composer-canned"]')
    expect(btn.attributes('aria-label')).toBe('Respostas prontas')
    await btn.trigger('click')
    await flushAll()
    const list = calls.find((c) => c.url.includes('/canned-responses'))!
    expect(list.url).toContain('team_id=t1')
    expect(wrapper.findAll('[data-testid="canned-item"]')).toHaveLength(3)
    // The first is previewed; the preview is the body as text.
    expect(wrapper.find('[data-testid="canned-preview"]').text()).toBe('Obrigado pelo contato, {{contact.name}}!')
    await wrapper.find('[data-testid="canned-search"]').setValue('sou')
    await new Promise((r) => setTimeout(r, 250))
    await flushAll()
    expect(calls.filter((c) => c.url.includes('/canned-responses')).pop()!.url).toContain('q=sou')
    const items = wrapper.findAll('[data-testid="canned-item"]')
    expect(items).toHaveLength(1)
    expect(items[0]!.text()).toBe('/ola Saudação')
    expect(wrapper.find('[data-testid="canned-preview"]').text()).toBe('Olá {{contact.name}}, sou {{agent.name}}')
    await wrapper.find('[data-testid="canned-insert"]').trigger('click')
    await flushAll()
    const render = calls.find((c) => c.method === 'POST' && c.url.endsWith('/canned-responses/1/render'))!
    expect(render.body).toEqual({ conversation_id: 'c1' })
    expect(wrapper.find('[data-testid="canned-dialog"]').exists()).toBe(false)
    expect(wrapper.find<HTMLTextAreaElement>('[data-testid="composer-input"]').element.value).toBe('Olá Maria Silva, sou Ana Admin')
  })

  it('F14 shows the empty state and load errors', async () => {
    inbox({ 'GET /api/v1/canned-responses': { body: { items: [], next_cursor: null } } })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="composer-canned"]').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="canned-empty"]').text()).toBe('Nenhuma resposta pronta cadastrada.')
    document.body.innerHTML = ''
    inbox({ 'GET /api/v1/canned-responses': apiError(500, 'server_error', 'boom') })
    const second = await mountApp('/conversas/c1')
    await second.wrapper.find('[data-testid="composer-canned"]').trigger('click')
    await flushAll()
    expect(second.wrapper.find('[data-testid="canned-error"]').exists()).toBe(true)
  })

  it('F14 a render error stays in the dialog', async () => {
    inbox({ 'POST /api/v1/canned-responses/3/render': apiError(404, 'not_found', 'not found') })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="composer-canned"]').trigger('click')
    await flushAll()
    await wrapper.find('[data-testid="canned-insert"]').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="canned-dialog"] [data-testid="dialog-error"]').exists()).toBe(true)
  })

  it('F14 "/" + shortcut suggests inline; ↑/↓ move and Enter inserts (rendered, as text)', async () => {
    const { calls } = inbox()
    const { wrapper } = await mountApp('/conversas/c1')
    const input = wrapper.find<HTMLTextAreaElement>('[data-testid="composer-input"]')
    await input.setValue('/ol')
    await flushAll()
    let items = wrapper.findAll('[data-testid="canned-suggestion"]')
    expect(items.map((i) => i.text())).toEqual(['/ola Saudação', '/olhar Verificando'])
    expect(items[0]!.attributes('aria-selected')).toBe('true')
    await input.trigger('keydown', { key: 'ArrowDown' })
    items = wrapper.findAll('[data-testid="canned-suggestion"]')
    expect(items[1]!.attributes('aria-selected')).toBe('true')
    await input.trigger('keydown', { key: 'ArrowUp' })
    await input.trigger('keydown', { key: 'ArrowUp' })
    expect(wrapper.findAll('[data-testid="canned-suggestion"]')[1]!.attributes('aria-selected')).toBe('true')
    await input.trigger('keydown', { key: 'Enter' })
    await flushAll()
    expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/canned-responses/5/render'))).toBe(true)
    // Enter picked the suggestion; nothing was sent.
    expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/c1/messages'))).toBe(false)
    expect(input.element.value).toBe('Vou olhar, <b>um momento</b>')
    expect(wrapper.find('[data-testid="canned-suggestions"]').exists()).toBe(false)
    expect(wrapper.find('.composer b').exists()).toBe(false)
  })

  it('F14 no suggestions when "/" is not at the start, and Esc dismisses them', async () => {
    inbox()
    const { wrapper } = await mountApp('/conversas/c1')
    const input = wrapper.find<HTMLTextAreaElement>('[data-testid="composer-input"]')
    await input.setValue('oi /ol')
    await flushAll()
    expect(wrapper.find('[data-testid="canned-suggestions"]').exists()).toBe(false)
    await input.setValue('/')
    await flushAll()
    expect(wrapper.findAll('[data-testid="canned-suggestion"]')).toHaveLength(3)
    await input.trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[data-testid="canned-suggestions"]').exists()).toBe(false)
  })
})
