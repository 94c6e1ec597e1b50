import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, messageFixture, mockFetch } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'
import { teamsReply, ticketFixture, usersReply } from './fixtures'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const transcript = [
  messageFixture({ id: 'm1', conversation_id: 'c1', text: '<img src=x onerror=alert(1)> veja https://example.com/p', ticket_numbers: [1042] }),
  messageFixture({
    id: 'm2',
    conversation_id: 'c9',
    direction: 'out',
    author: { type: 'user', id: 'u2', name: 'Bruno Agente' },
    text: 'Já verifiquei',
    status: 'read',
    ticket_numbers: [1042, 7],
  }),
]

function setup(extra: Parameters<typeof mockFetch>[0] = {}) {
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/teams': teamsReply,
    'GET /api/v1/users': usersReply,
    'GET /api/v1/tickets/1042': { body: ticketFixture({ linked_messages: transcript }) },
    ...extra,
  })
}

describe('Chamado detail (F22, F11)', () => {
  it('F22 shows the fields and the description as text', async () => {
    setup()
    const { wrapper } = await mountApp('/chamados/1042')
    expect(wrapper.find('[data-testid="ticket-title"]').text()).toContain('#1042')
    expect(wrapper.find('[data-testid="ticket-title"]').text()).toContain('Pedido atrasado')
    expect(wrapper.find('[data-testid="ticket-requester"]').text()).toBe('Maria Silva')
    expect(wrapper.find('[data-testid="ticket-description"]').text()).toBe('Cliente diz que o pedido não chegou.')
    expect((wrapper.find('[data-testid="edit-status"]').element as HTMLSelectElement).value).toBe('open')
    expect((wrapper.find('[data-testid="edit-team"]').element as HTMLSelectElement).value).toBe('t1')
    expect((wrapper.find('[data-testid="edit-assignee"]').element as HTMLSelectElement).value).toBe('u2')
    expect(wrapper.find('[data-testid="ticket-conversation"]').attributes('href')).toBe('/conversas/c1')
  })

  it('F11 renders the WhatsApp transcript as text bubbles, each linking to its conversation', async () => {
    setup()
    const { wrapper } = await mountApp('/chamados/1042')
    const items = wrapper.findAll('[data-testid="transcript-item"]')
    expect(items).toHaveLength(2)
    const first = items[0]!
    expect(first.find('[data-testid="message-text"]').text()).toContain('<img src=x onerror=alert(1)>')
    expect(first.find('img').exists()).toBe(false)
    const ext = first.find('[data-testid="message-text"] a')
    expect(ext.attributes('href')).toBe('https://example.com/p')
    expect(ext.attributes('rel')).toBe('noopener noreferrer')
    expect(first.find('[data-testid="transcript-link"]').attributes('href')).toBe('/conversas/c1')
    expect(items[1]!.find('[data-testid="transcript-link"]').attributes('href')).toBe('/conversas/c9')
    expect(items[1]!.text()).toContain('Já verifiquei')
  })

  it('F22 saves status, title, team and assignee through PATCH with only the changed fields', async () => {
    const { calls } = setup({
      'PATCH /api/v1/tickets/1042': (call) => ({
        body: ticketFixture({ ...(call.body as object), assignee_id: null }),
      }),
    })
    const { wrapper } = await mountApp('/chamados/1042')
    await wrapper.find('[data-testid="edit-status"]').setValue('resolved')
    await wrapper.find('[data-testid="edit-team"]').setValue('t2')
    await wrapper.find('[data-testid="edit-team"]').trigger('change')
    await wrapper.find('[data-testid="ticket-edit"]').trigger('submit')
    await flushAll()
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.body).toEqual({ status: 'resolved', team_id: 't2', assignee_id: null })
    expect(patch.headers['content-type']).toBe('application/json')
    expect(wrapper.find('[data-testid="edit-saved"]').exists()).toBe(true)
    expect(wrapper.findAll('[data-testid="transcript-item"]')).toHaveLength(2)
  })

  it('F22 shows a field error from the server next to the assignee', async () => {
    setup({
      'PATCH /api/v1/tickets/1042': apiError(400, 'invalid_request', 'Some fields are invalid.', {
        details: { fields: { assignee_id: 'must be an active member of the team' } },
      }),
    })
    const { wrapper } = await mountApp('/chamados/1042')
    await wrapper.find('[data-testid="edit-assignee"]').setValue('u1')
    await wrapper.find('[data-testid="ticket-edit"]').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="edit-assignee-error"]').text()).toBe('must be an active member of the team')
    expect(wrapper.find('[data-testid="edit-error"]').exists()).toBe(true)
  })

  it('F22 shows a clear not-found state for an unknown number (ticket_not_found or not_found)', async () => {
    setup({ 'GET /api/v1/tickets/77': apiError(404, 'ticket_not_found', 'no ticket') })
    const { wrapper, router } = await mountApp('/chamados/77')
    const nf = wrapper.find('[data-testid="ticket-not-found"]')
    expect(nf.text()).toContain('Chamado nº 77 não encontrado')
    expect(nf.find('a').attributes('href')).toBe('/chamados')
    await router.push('/chamados/78')
    await flushAll()
    expect(wrapper.find('[data-testid="ticket-not-found"]').text()).toContain('nº 78')
  })
})
