import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, mockFetch } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'
import { customersReply, teamsReply, ticketFixture, usersReply } from './fixtures'

afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function setup(create: Parameters<typeof mockFetch>[0][string]) {
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/teams': teamsReply,
    'GET /api/v1/users': usersReply,
    'GET /api/v1/customers': customersReply,
    'GET /api/v1/tickets': { body: { items: [], next_cursor: null } },
    'POST /api/v1/tickets': create,
    'GET /api/v1/tickets/1043': { body: ticketFixture({ number: 1043, title: 'Novo', linked_messages: [] }) },
  })
}

async function openForm() {
  const app = await mountApp('/chamados')
  await app.wrapper.find('[data-testid="new-ticket"]').trigger('click')
  await flushAll()
  return app
}

describe('Novo chamado form (F12, F22)', () => {
  it('F12 shows validation errors per field and sends nothing', async () => {
    const { calls } = setup({ status: 201, body: ticketFixture() })
    const { wrapper } = await openForm()
    // A user of exactly one team gets it preselected; without a team the form asks for one.
    expect((wrapper.find('[data-testid="new-team"]').element as HTMLSelectElement).value).toBe('t1')
    await wrapper.find('[data-testid="new-team"]').setValue('')
    await wrapper.find('[data-testid="new-ticket-dialog"] form').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="new-title-error"]').text()).toBe('Informe o título.')
    expect(wrapper.find('[data-testid="new-team-error"]').text()).toBe('Escolha a equipe do chamado.')
    expect(wrapper.find('[data-testid="new-title"]').attributes('aria-invalid')).toBe('true')
    expect(calls.some((c) => c.method === 'POST')).toBe(false)
  })

  it('F12 shows the server field errors next to their fields', async () => {
    setup(apiError(400, 'invalid_request', 'Some fields are invalid.', {
      details: { fields: { requester_id: 'must be a customer', team_id: 'not your team' } },
    }))
    const { wrapper } = await openForm()
    await wrapper.find('[data-testid="new-title"]').setValue('Algo')
    await wrapper.find('[data-testid="new-team"]').setValue('t2')
    await wrapper.find('[data-testid="new-ticket-dialog"] form').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="new-requester-error"]').text()).toBe('must be a customer')
    expect(wrapper.find('[data-testid="new-team-error"]').text()).toBe('not your team')
    expect(wrapper.find('[data-testid="new-title-error"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="dialog-error"]').exists()).toBe(true)
  })

  it('F12 searches a requester, posts the ticket and opens it', async () => {
    const { calls } = setup({ status: 201, body: ticketFixture({ number: 1043, title: 'Novo' }) })
    const { wrapper, router } = await openForm()
    await wrapper.find('[data-testid="new-title"]').setValue('  Novo  ')
    await wrapper.find('[data-testid="new-description"]').setValue('detalhes')
    await wrapper.find('[data-testid="new-team"]').setValue('t1')
    await wrapper.find('[data-testid="new-origin"]').setValue('phone')
    await wrapper.find('[data-testid="new-requester-search"]').setValue('joão')
    await new Promise((r) => setTimeout(r, 300))
    await flushAll()
    const search = calls.filter((c) => c.url.startsWith('/api/v1/customers')).at(-1)!
    expect(new URL(search.url, 'http://x').searchParams.get('q')).toBe('joão')
    const options = wrapper.findAll('[data-testid="new-requester-option"]')
    await options[1]!.trigger('click')
    expect(wrapper.find('[data-testid="new-requester-chosen"]').text()).toContain('João Pereira')
    await wrapper.find('[data-testid="new-ticket-dialog"] form').trigger('submit')
    await flushAll()
    const post = calls.find((c) => c.method === 'POST')!
    expect(post.body).toEqual({ title: 'Novo', description: 'detalhes', team_id: 't1', origin: 'phone', requester_id: 'cu2' })
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/chamados/1043'))
    await vi.waitFor(() => expect(wrapper.find('[data-testid="ticket-title"]').text()).toContain('#1043'))
  })
})
