import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, mockFetch } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function signedIn(pending: number) {
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/settings': { body: { segmented_view: false } },
    'GET /api/v1/conversations': {
      body: { items: [], next_cursor: null, counts: { new: 0, mine: 0, others: 0, closed: 0, pending } },
    },
    'POST /api/v1/auth/logout': { status: 204 },
  })
}

describe('AppShell', () => {
  it('shows the product, search, menu sections and no badge when nothing is pending', async () => {
    signedIn(0)
    const { wrapper } = await mountApp('/conversas')
    expect(wrapper.find('.top-bar').text()).toContain('papo')
    expect(wrapper.find('input[type="search"]').attributes('placeholder')).toBe(
      'Pesquisar conversas, contatos e chamados',
    )
    expect(wrapper.find('nav').text()).toContain('Atendimento')
    expect(wrapper.find('[data-testid="nav-conversations"]').attributes('aria-current')).toBe('page')
    const button = wrapper.find('[data-testid="whatsapp-button"]')
    expect(button.attributes('aria-label')).toBe('WhatsApp: nenhuma conversa pendente')
    expect(wrapper.find('[data-testid="whatsapp-badge"]').exists()).toBe(false)
  })

  it('shows the pending count on the WhatsApp badge, just left of the profile photo', async () => {
    signedIn(3)
    const { wrapper } = await mountApp('/chamados')
    await vi.waitFor(() => expect(wrapper.find('[data-testid="whatsapp-badge"]').exists()).toBe(true))
    expect(wrapper.find('[data-testid="whatsapp-badge"]').text()).toBe('3')
    expect(wrapper.find('[data-testid="whatsapp-button"]').attributes('aria-label')).toBe(
      'WhatsApp: 3 conversas pendentes',
    )
    const actions = wrapper.find('.top-bar__actions').element.children
    expect(actions[0]?.getAttribute('data-testid')).toBe('whatsapp-button')
    expect(actions[1]?.querySelector('[data-testid="profile-button"]')).not.toBeNull()
    expect(wrapper.find('[data-testid="nav-tickets"]').attributes('aria-current')).toBe('page')
  })

  it('opens the profile menu with name and e-mail, switches language and closes on Escape', async () => {
    signedIn(0)
    const { wrapper } = await mountApp('/conversas')
    const trigger = wrapper.find('[data-testid="profile-button"]')
    expect(trigger.text()).toBe('AA')
    expect(trigger.attributes('aria-expanded')).toBe('false')
    await trigger.trigger('click')
    await flushAll(1)
    expect(trigger.attributes('aria-expanded')).toBe('true')
    const menu = wrapper.find('[data-testid="profile-menu"]')
    expect(menu.isVisible()).toBe(true)
    expect(menu.text()).toContain('Ana Admin')
    expect(menu.text()).toContain('admin@papo.local')

    await wrapper.find('[data-testid="locale-en"]').trigger('click')
    expect(localStorage.getItem('papo.locale')).toBe('en')
    expect(wrapper.find('[data-testid="nav-conversations"]').text()).toBe('Conversations')
    expect(wrapper.find('[data-testid="locale-en"]').attributes('aria-pressed')).toBe('true')

    await menu.trigger('keydown', { key: 'Escape' })
    expect(trigger.attributes('aria-expanded')).toBe('false')
    expect(document.activeElement).toBe(trigger.element)
  })

  it('logs out from the profile menu and lands on the login page', async () => {
    const { calls } = signedIn(0)
    const { wrapper, router } = await mountApp('/conversas')
    await wrapper.find('[data-testid="profile-button"]').trigger('click')
    await wrapper.find('[data-testid="logout"]').trigger('click')
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe('login'))
    expect(calls.some((c) => c.method === 'POST' && c.url === '/api/v1/auth/logout')).toBe(true)
    await vi.waitFor(() => expect(wrapper.find('#login-email').exists()).toBe(true))
  })

  it('keeps working when the conversations list is not available yet', async () => {
    mockFetch({
      'GET /api/v1/me': { body: adminUser },
      'GET /api/v1/settings': { body: { segmented_view: false } },
      'GET /api/v1/conversations': apiError(404, 'not_found', 'no route'),
    })
    const { wrapper } = await mountApp('/conversas')
    expect(wrapper.find('[data-testid="whatsapp-button"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="whatsapp-badge"]').exists()).toBe(false)
  })
})
