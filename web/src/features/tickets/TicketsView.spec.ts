import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, mockFetch, type RecordedCall } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'
import { customersReply, teamsReply, ticketFixture, usersReply } from './fixtures'
import { apiFilters, filtersFromQuery, filtersToQuery } from './query'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function listCalls(calls: RecordedCall[]) {
  return calls.filter((c) => c.method === 'GET' && c.url.split('?')[0] === '/api/v1/tickets').map((c) => new URL(c.url, 'http://x'))
}

function setup(list: Parameters<typeof mockFetch>[0][string]) {
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/teams': teamsReply,
    'GET /api/v1/users': usersReply,
    'GET /api/v1/customers': customersReply,
    'GET /api/v1/tickets': list,
  })
}

describe('Chamados list (F22)', () => {
  it('F22 shows rows with number, title, status, origin, requester, team, assignee and created', async () => {
    setup({ body: { items: [ticketFixture(), ticketFixture({ id: 'tk2', number: 7, title: '<b>x</b>', requester: null, assignee_id: null, status: 'in_progress', origin: 'phone' })], next_cursor: null } })
    const { wrapper } = await mountApp('/chamados')
    const rows = wrapper.findAll('[data-testid="ticket-row"]')
    expect(rows).toHaveLength(2)
    const first = rows[0]!.text()
    for (const part of ['#1042', 'Pedido atrasado', 'Aberto', 'WhatsApp', 'Maria Silva', 'Suporte', 'Bruno Agente']) expect(first).toContain(part)
    expect(rows[0]!.find('[data-testid="ticket-link"]').attributes('href')).toBe('/chamados/1042')
    expect(rows[1]!.text()).toContain('Em andamento')
    expect(rows[1]!.text()).toContain('Telefone')
    expect(rows[1]!.text()).toContain('<b>x</b>')
    expect(rows[1]!.find('b').exists()).toBe(false)
  })

  it('F22 filters from the URL become the request query; changing a filter updates the URL', async () => {
    const { calls } = setup({ body: { items: [], next_cursor: null } })
    const { wrapper, router } = await mountApp('/chamados?status=open&team=t1&q=pedido&requester=cu2&origin=web')
    const first = listCalls(calls).at(-1)!
    expect(first.searchParams.get('status')).toBe('open')
    expect(first.searchParams.get('team_id')).toBe('t1')
    expect(first.searchParams.get('requester_id')).toBe('cu2')
    expect(first.searchParams.get('origin')).toBe('web')
    expect(first.searchParams.get('q')).toBe('pedido')
    expect(wrapper.find('[data-testid="tickets-empty"]').text()).toContain('Nenhum chamado com esses filtros')

    await wrapper.find('[data-testid="filter-status"]').setValue('resolved')
    await flushAll()
    expect(router.currentRoute.value.query.status).toBe('resolved')
    expect(listCalls(calls).at(-1)!.searchParams.get('status')).toBe('resolved')

    await wrapper.find('[data-testid="ticket-search"]').setValue('  nota fiscal ')
    await wrapper.find('[data-testid="ticket-filters"]').trigger('submit')
    await flushAll()
    expect(router.currentRoute.value.query.q).toBe('nota fiscal')
    expect(listCalls(calls).at(-1)!.searchParams.get('q')).toBe('nota fiscal')

    await wrapper.find('[data-testid="filters-clear"]').trigger('click')
    await flushAll()
    expect(router.currentRoute.value.query).toEqual({})
    expect(listCalls(calls).at(-1)!.search).toBe('')
  })

  it('F22 pages with next_cursor and appends the next page', async () => {
    const { calls } = setup((call) => {
      const url = new URL(call.url, 'http://x')
      return url.searchParams.get('cursor') === 'CUR2'
        ? { body: { items: [ticketFixture({ id: 'tk3', number: 3, title: 'Terceiro' })], next_cursor: null } }
        : { body: { items: [ticketFixture({ id: 'tk5', number: 5, title: 'Quinto' })], next_cursor: 'CUR2' } }
    })
    const { wrapper } = await mountApp('/chamados?status=open')
    expect(wrapper.findAll('[data-testid="ticket-row"]')).toHaveLength(1)
    await wrapper.find('[data-testid="tickets-more"]').trigger('click')
    await flushAll()
    const last = listCalls(calls).at(-1)!
    expect(last.searchParams.get('cursor')).toBe('CUR2')
    expect(last.searchParams.get('status')).toBe('open')
    const rows = wrapper.findAll('[data-testid="ticket-row"]')
    expect(rows.map((r) => r.attributes('data-number'))).toEqual(['5', '3'])
    expect(wrapper.find('[data-testid="tickets-more"]').exists()).toBe(false)
  })

  it('F22 shows an empty state and an error state with retry', async () => {
    let fail = true
    setup(() => (fail ? apiError(500, 'server_error', 'boom') : { body: { items: [], next_cursor: null } }))
    const { wrapper } = await mountApp('/chamados')
    expect(wrapper.find('[data-testid="tickets-error"]').text()).toContain('Algo deu errado no servidor')
    fail = false
    await wrapper.find('[data-testid="tickets-error"] button').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="tickets-empty"]').text()).toContain('Nenhum chamado ainda')
  })

  it('F22 maps URL filters to API names and drops empty ones', () => {
    const f = filtersFromQuery({ q: ' a ', status: 'open', team: ['t1', 't2'], x: 'y' })
    expect(filtersToQuery(f)).toEqual({ q: 'a', status: 'open', team: 't1' })
    expect(apiFilters(f)).toEqual({ q: 'a', status: 'open', team_id: 't1' })
  })
})
