import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, agentUser, apiError, conversationFixture, mockFetch } from '@/test/fetchMock'
import { mountApp } from '@/test/mountApp'
import { safeNext } from './guards'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

function asAnonymous() {
  return mockFetch({ 'GET /api/v1/me': apiError(401, 'unauthenticated', 'no session') })
}

function as(user: typeof adminUser | typeof agentUser) {
  return mockFetch({
    'GET /api/v1/me': { body: user },
    'GET /api/v1/settings': { body: { segmented_view: false } },
    'GET /api/v1/conversations': { body: { items: [], next_cursor: null } },
    'GET /api/v1/conversations/c-77': { body: conversationFixture({ id: 'c-77' }) },
    'GET /api/v1/conversations/c-77/timeline': { body: { items: [], next_cursor: null } },
    'POST /api/v1/conversations/c-77/read': { body: conversationFixture({ id: 'c-77' }) },
  })
}

describe('route guard', () => {
  it('sends anonymous users to /login with next', async () => {
    asAnonymous()
    const { router, wrapper } = await mountApp('/chamados/42?x=1')
    expect(router.currentRoute.value.name).toBe('login')
    expect(router.currentRoute.value.query.next).toBe('/chamados/42?x=1')
    expect(wrapper.find('form input[type="password"]').exists()).toBe(true)
  })

  it('redirects / to /conversas (through login when anonymous)', async () => {
    asAnonymous()
    const { router } = await mountApp('/')
    expect(router.currentRoute.value.fullPath).toBe('/login?next=/conversas')
  })

  it('lets a signed-in user open bookmarkable routes', async () => {
    as(agentUser)
    const { router, wrapper } = await mountApp('/conversas/c-77')
    expect(router.currentRoute.value.name).toBe('conversations')
    expect(router.currentRoute.value.params.id).toBe('c-77')
    expect(wrapper.find('[data-testid="view-conversations"]').text()).toContain('Maria Silva')
    await router.push('/chamados/1042')
    expect(router.currentRoute.value.name).toBe('ticket')
    await router.push('/')
    expect(router.currentRoute.value.path).toBe('/conversas')
  })

  it('sends an agent away from Configurações and hides its menu entry', async () => {
    as(agentUser)
    const { router, wrapper } = await mountApp('/configuracoes/equipes')
    expect(router.currentRoute.value.path).toBe('/conversas')
    expect(wrapper.find('[data-testid="nav-settings"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="nav-conversations"]').exists()).toBe(true)
    expect(wrapper.text()).not.toContain('Configurações')
  })

  it('lets an admin open Configurações and shows the menu entry', async () => {
    as(adminUser)
    const { router, wrapper } = await mountApp('/configuracoes/equipes')
    expect(router.currentRoute.value.path).toBe('/configuracoes/equipes')
    const link = wrapper.find('[data-testid="nav-settings"]')
    expect(link.exists()).toBe(true)
    expect(link.attributes('aria-current')).toBe('page')
    expect(wrapper.find('[data-testid="view-settings"]').text()).toContain('equipes')
  })

  it('sends a signed-in user away from /login to next', async () => {
    as(agentUser)
    const { router } = await mountApp('/login?next=/chamados')
    expect(router.currentRoute.value.path).toBe('/chamados')
  })

  it('renders the not-found view for unknown routes', async () => {
    as(agentUser)
    const { router, wrapper } = await mountApp('/nada/aqui')
    expect(router.currentRoute.value.name).toBe('not-found')
    expect(wrapper.find('[data-testid="view-not-found"]').exists()).toBe(true)
    await router.push('/chamados/abc')
    expect(router.currentRoute.value.name).toBe('not-found')
  })
})

describe('safeNext', () => {
  it('accepts only local paths', () => {
    expect(safeNext('/conversas/1?x=2')).toBe('/conversas/1?x=2')
    expect(safeNext('//evil.example')).toBeNull()
    expect(safeNext('/\\evil.example')).toBeNull()
    expect(safeNext('https://evil.example')).toBeNull()
    expect(safeNext('/login?next=/x')).toBeNull()
    expect(safeNext(undefined)).toBeNull()
    expect(safeNext(['/chamados', '/x'])).toBe('/chamados')
  })
})
