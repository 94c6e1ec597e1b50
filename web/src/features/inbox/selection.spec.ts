import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, conversationFixture, messageFixture, mockFetch } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'
import { useThreadStore } from '@/stores/thread'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const settingsBody = { segmented_view: false, closing_message: { enabled: false, text: '' }, survey: { on_manual_close: false } }
const m1 = messageFixture({ id: 'm1', text: 'Meu pedido atrasou' })
const m2 = messageFixture({ id: 'm2', text: 'Pedido 123', created_at: '2026-11-25T12:01:00Z' })
const m3 = messageFixture({
  id: 'm3',
  direction: 'out',
  author: { type: 'agent', id: 'u1', name: 'Ana Admin' },
  text: 'Vou verificar',
  status: 'read',
  created_at: '2026-11-25T12:02:00Z',
})
const event = {
  kind: 'event',
  event: { id: 'e1', conversation_id: 'c1', type: 'assigned', actor_name: 'Ana', assignee_name: 'Ana', at: '2026-11-25T12:03:00Z' },
}

function inbox(extra: Record<string, unknown> = {}) {
  const conv = conversationFixture({ id: 'c1' })
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/settings': { body: settingsBody },
    'GET /api/v1/conversations': { body: { items: [conv], next_cursor: null } },
    'GET /api/v1/conversations/c1': { body: conv },
    'GET /api/v1/conversations/c1/timeline': (call) => ({
      body: {
        items: [
          { kind: 'message', message: m1 },
          { kind: 'message', message: m2 },
          { kind: 'message', message: m3 },
          ...(call.url.includes('events=false') ? [] : [event]),
        ],
        next_cursor: null,
      },
    }),
    'POST /api/v1/conversations/c1/read': { body: { ...conv, unread_count: 0 } },
    ...(extra as Record<string, never>),
  })
}

async function openSelecting() {
  const app = await mountApp('/conversas/c1')
  await app.wrapper.find('[data-testid="selection-start"]').trigger('click')
  await flushAll()
  return app
}

const checks = () => [...document.querySelectorAll<HTMLInputElement>('[data-testid="message-check"]')]

describe('F10 Selecionar mensagens', () => {
  it('F10 turns checkboxes on, counts the selection and Esc leaves selection mode', async () => {
    inbox()
    const { wrapper } = await mountApp('/conversas/c1')
    expect(checks()).toHaveLength(0)
    const start = wrapper.find('[data-testid="selection-start"]')
    expect(start.text()).toBe('Selecionar mensagens')
    await start.trigger('click')
    await flushAll()
    expect(checks()).toHaveLength(3)
    expect(wrapper.find('[data-testid="selection-count"]').text()).toBe('0 selecionadas')
    checks()[0]!.click()
    checks()[2]!.click()
    await flushAll()
    expect(wrapper.find('[data-testid="selection-count"]').text()).toBe('2 selecionadas')
    expect(useThreadStore().selected).toEqual(['m1', 'm3'])
    expect(wrapper.find('[data-testid="selection-by-time"]').text()).toBe('Selecionar mensagens com base no tempo')
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await flushAll()
    expect(checks()).toHaveLength(0)
    expect(wrapper.find('[data-testid="selection-count"]').exists()).toBe(false)
  })

  it('F10 selects by time through …/messages?within_hours and says how many', async () => {
    const { calls } = inbox({ 'GET /api/v1/conversations/c1/messages': { body: { items: [m2, m3] } } })
    const { wrapper } = await openSelecting()
    await wrapper.find('[data-testid="selection-hours"]').setValue('3')
    await wrapper.find('[data-testid="selection-by-time"]').trigger('click')
    await flushAll()
    const call = calls.find((c) => c.url.includes('/c1/messages'))!
    expect(call.method).toBe('GET')
    expect(call.url).toContain('within_hours=3')
    expect(wrapper.find('[data-testid="selection-status"]').text()).toBe('2 mensagens selecionadas')
    expect(checks().map((c) => c.checked)).toEqual([false, true, true])
    expect(wrapper.find('[data-testid="selection-count"]').text()).toBe('2 selecionadas')
  })

  it('F10 shows an error when the selection by time fails', async () => {
    inbox({ 'GET /api/v1/conversations/c1/messages': apiError(400, 'invalid_request', 'within_hours inválido') })
    const { wrapper } = await openSelecting()
    await wrapper.find('[data-testid="selection-by-time"]').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="selection-error"]').exists()).toBe(true)
  })
})

describe('F11 Vincular mensagens selecionadas', () => {
  it('F11 shows ticket_not_found in the dialog, then links and the chips arrive by message.updated', async () => {
    let answer: ReturnType<typeof apiError> | { body: unknown } = apiError(404, 'ticket_not_found', 'ticket not found')
    const { calls } = inbox({ 'POST /api/v1/tickets/42/messages': () => answer })
    const { wrapper } = await openSelecting()
    await wrapper.find('[data-testid="selection-link"]').trigger('click')
    await flushAll()
    // Nothing selected: no dialog, a hint instead.
    expect(wrapper.find('[data-testid="link-dialog"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="selection-error"]').exists()).toBe(true)
    checks()[0]!.click()
    checks()[1]!.click()
    await flushAll()
    await wrapper.find('[data-testid="selection-link"]').trigger('click')
    await flushAll()
    const dialog = wrapper.find('[data-testid="link-dialog"]')
    expect(dialog.attributes('role')).toBe('dialog')
    await wrapper.find('[data-testid="link-number"]').setValue('#42')
    await wrapper.find('#link-form').trigger('submit')
    await flushAll()
    const call = calls.find((c) => c.method === 'POST' && c.url.endsWith('/tickets/42/messages'))!
    expect(call.body).toEqual({ conversation_id: 'c1', message_ids: ['m1', 'm2'] })
    expect(wrapper.find('[data-testid="link-dialog"] [data-testid="dialog-error"]').text()).toBe('Chamado #42 não encontrado.')
    answer = { body: { linked: 2 } }
    await wrapper.find('#link-form').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="link-dialog"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="selection-status"]').text()).toBe('2 vinculadas ao chamado #42')
    expect(checks()).toHaveLength(0)
    // The live stream announces the linked messages.
    const thread = useThreadStore()
    thread.applyMessage({ ...m1, ticket_numbers: [42] } as never)
    thread.applyMessage({ ...m2, ticket_numbers: [42] } as never)
    await flushAll()
    const chips = wrapper.findAll('[data-testid="ticket-chip"]')
    expect(chips.map((c) => c.text())).toEqual(['#42', '#42'])
    expect(chips[0]!.attributes('href')).toBe('/chamados/42')
  })

  it('F11 asks for a number before calling the API', async () => {
    const { calls } = inbox()
    const { wrapper } = await openSelecting()
    checks()[0]!.click()
    await flushAll()
    await wrapper.find('[data-testid="selection-link"]').trigger('click')
    await flushAll()
    await wrapper.find('#link-form').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="dialog-error"]').text()).toBe('Informe o número do chamado.')
    expect(calls.some((c) => c.url.includes('/tickets/'))).toBe(false)
  })
})

describe('F12 Criar novo chamado', () => {
  const created = { id: 't9', number: 7, title: 'x', description: '', status: 'open', origin: 'whatsapp', team_id: 't1', assignee_id: null, created_at: '', updated_at: '' }

  it('F12 prefills the form and creates the ticket with the selected messages', async () => {
    const { calls } = inbox({ 'POST /api/v1/tickets': { status: 201, body: created } })
    const { wrapper } = await openSelecting()
    checks()[0]!.click()
    checks()[2]!.click()
    await flushAll()
    await wrapper.find('[data-testid="selection-create"]').trigger('click')
    await flushAll()
    const title = wrapper.find<HTMLInputElement>('[data-testid="create-title"]')
    expect(title.element.value).toBe('Atendimento WhatsApp: Maria Silva')
    const description = wrapper.find<HTMLTextAreaElement>('[data-testid="create-description"]')
    expect(description.element.value).toBe('Maria Silva: Meu pedido atrasou\nAna Admin: Vou verificar')
    await title.setValue('Pedido atrasado')
    await wrapper.find('#create-ticket-form').trigger('submit')
    await flushAll()
    const call = calls.find((c) => c.method === 'POST' && c.url.endsWith('/api/v1/tickets'))!
    expect(call.body).toEqual({
      title: 'Pedido atrasado',
      description: 'Maria Silva: Meu pedido atrasou\nAna Admin: Vou verificar',
      conversation_id: 'c1',
      message_ids: ['m1', 'm3'],
    })
    expect(wrapper.find('[data-testid="create-ticket-dialog"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="selection-status"]').text()).toBe('Chamado #7 criado')
  })

  it('F12 with nothing selected asks "Criar chamado sem mensagens?" first', async () => {
    const { calls } = inbox({ 'POST /api/v1/tickets': { status: 201, body: created } })
    const { wrapper } = await openSelecting()
    await wrapper.find('[data-testid="selection-create"]').trigger('click')
    await flushAll()
    await wrapper.find('#create-ticket-form').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="create-empty-confirm"]').text()).toBe('Criar chamado sem mensagens?')
    expect(calls.some((c) => c.url.endsWith('/api/v1/tickets'))).toBe(false)
    await wrapper.find('#create-ticket-form').trigger('submit')
    await flushAll()
    const call = calls.find((c) => c.method === 'POST' && c.url.endsWith('/api/v1/tickets'))!
    expect(call.body).toEqual({ title: 'Atendimento WhatsApp: Maria Silva', description: '', conversation_id: 'c1' })
  })

  it('F12 shows a field error from the API in the dialog', async () => {
    inbox({ 'POST /api/v1/tickets': apiError(400, 'invalid_request', 'invalid', { details: { fields: { title: 'muito longo' } } }) })
    const { wrapper } = await openSelecting()
    checks()[0]!.click()
    await flushAll()
    await wrapper.find('[data-testid="selection-create"]').trigger('click')
    await flushAll()
    await wrapper.find('#create-ticket-form').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="create-title-error"]').text()).toBe('muito longo')
    expect(wrapper.find('[data-testid="create-ticket-dialog"] [data-testid="dialog-error"]').exists()).toBe(true)
  })
})

describe('F31 Resumo', () => {
  it('F31 opens the summary in a dialog', async () => {
    const { calls } = inbox({
      'GET /api/v1/conversations/c1/summary': {
        body: {
          conversation_id: 'c1',
          status: 'pending',
          opened_at: '2026-11-25T12:00:00Z',
          closed_at: null,
          closed_reason: null,
          teams: [{ id: 't1', name: 'Suporte' }, { id: 't2', name: 'Financeiro' }],
          handlers: [{ id: 'u1', name: 'Ana Admin' }],
          tickets: [{ id: 'x', number: 7, title: 'Pedido', status: 'open', relation: 'created' }],
          survey_answer: null,
          messages: { in: 2, out: 1, notes: 0 },
        },
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    const btn = wrapper.find('[data-testid="action-summary"]')
    expect(btn.attributes('aria-label')).toBe('Resumo da conversa')
    await btn.trigger('click')
    await flushAll()
    expect(calls.some((c) => c.method === 'GET' && c.url.endsWith('/c1/summary'))).toBe(true)
    expect(wrapper.find('[data-testid="summary-teams"]').text()).toBe('Suporte → Financeiro')
    expect(wrapper.find('[data-testid="summary-handlers"]').text()).toBe('Ana Admin')
    expect(wrapper.find('[data-testid="summary-tickets"]').text()).toContain('#7 Pedido')
    expect(wrapper.find('[data-testid="summary-messages"]').text()).toBe('2 recebidas, 1 enviadas, 0 notas')
  })

  it('F31 shows an error when the summary cannot load', async () => {
    inbox({ 'GET /api/v1/conversations/c1/summary': apiError(500, 'server_error', 'boom') })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="action-summary"]').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="summary-error"]').exists()).toBe(true)
  })
})

describe('F07 Ocultar histórico de alterações', () => {
  it('F07 the toggle reads the timeline with events=false and hides the change lines', async () => {
    const { calls } = inbox()
    const { wrapper } = await mountApp('/conversas/c1')
    expect(wrapper.findAll('[data-testid="timeline-event"]')).toHaveLength(1)
    const toggle = wrapper.find<HTMLInputElement>('[data-testid="toggle-events"]')
    expect(toggle.element.parentElement!.textContent).toContain('Ocultar histórico de alterações')
    await toggle.setValue(true)
    await flushAll()
    expect(calls.filter((c) => c.url.includes('/timeline')).pop()!.url).toContain('events=false')
    expect(wrapper.findAll('[data-testid="timeline-event"]')).toHaveLength(0)
    expect(wrapper.findAll('[data-testid="message"]')).toHaveLength(3)
    await toggle.setValue(false)
    await flushAll()
    expect(calls.filter((c) => c.url.includes('/timeline')).pop()!.url).not.toContain('events=')
    expect(wrapper.findAll('[data-testid="timeline-event"]')).toHaveLength(1)
  })
})
