import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '@/api/http'
import { adminUser, agentUser, apiError, mockFetch } from '@/test/fetchMock'
import { useAuthStore } from './auth'
import { useInboxStore } from './inbox'
import { useSettingsStore } from './settings'

const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => vi.unstubAllGlobals())

describe('auth store', () => {
  it('logs in, keeps the user and loads settings and counts', async () => {
    const { calls } = mockFetch({
      'POST /api/v1/auth/login': { body: { token: 't', csrf_token: 'c', user: adminUser } },
      'GET /api/v1/settings': { body: { segmented_view: true } },
      'GET /api/v1/conversations': {
        body: { items: [], next_cursor: null, counts: { new: 1, mine: 0, others: 0, closed: 0, pending: 4 } },
      },
    })
    const auth = useAuthStore()
    const user = await auth.login('  admin@papo.local ', 'papo-demo')
    expect(user.name).toBe('Ana Admin')
    expect(auth.isAuthenticated).toBe(true)
    expect(auth.isAdmin).toBe(true)
    expect(calls[0]!.body).toEqual({ email: 'admin@papo.local', password: 'papo-demo' })
    await flush()
    expect(useSettingsStore().segmentedView).toBe(true)
    expect(useInboxStore().pendingCount).toBe(4)
  })

  it('keeps no user and rethrows when the login is refused', async () => {
    mockFetch({ 'POST /api/v1/auth/login': apiError(401, 'unauthenticated', 'invalid credentials') })
    const auth = useAuthStore()
    await expect(auth.login('a@b.c', 'nope')).rejects.toMatchObject({ status: 401, code: 'unauthenticated' })
    expect(auth.user).toBeNull()
    expect(auth.isAuthenticated).toBe(false)
  })

  it('asks /me once and becomes authenticated', async () => {
    const { calls } = mockFetch({
      'GET /api/v1/me': { body: agentUser },
      'GET /api/v1/settings': { body: { segmented_view: false } },
    })
    const auth = useAuthStore()
    await Promise.all([auth.ensureLoaded(), auth.ensureLoaded()])
    await auth.ensureLoaded()
    expect(calls.filter((c) => c.url === '/api/v1/me')).toHaveLength(1)
    expect(auth.status).toBe('authenticated')
    expect(auth.user?.email).toBe('bruno@papo.local')
    expect(auth.isAdmin).toBe(false)
  })

  it('becomes anonymous when /me answers 401', async () => {
    mockFetch({ 'GET /api/v1/me': apiError(401, 'unauthenticated', 'no session') })
    const auth = useAuthStore()
    await auth.ensureLoaded()
    expect(auth.status).toBe('anonymous')
    expect(auth.user).toBeNull()
  })

  it('logs out with the CSRF header and forgets the user', async () => {
    const { calls } = mockFetch({
      'POST /api/v1/auth/login': { body: { token: 't', csrf_token: 'c', user: adminUser } },
      'POST /api/v1/auth/logout': { status: 204 },
    })
    const auth = useAuthStore()
    await auth.login('admin@papo.local', 'x')
    document.cookie = 'papo_csrf=csrf-1; path=/'
    await auth.logout()
    const logout = calls.find((c) => c.url === '/api/v1/auth/logout')
    expect(logout?.method).toBe('POST')
    expect(logout?.headers['x-csrf-token']).toBe('csrf-1')
    expect(auth.user).toBeNull()
    expect(auth.status).toBe('anonymous')
    expect(useInboxStore().pendingCount).toBe(0)
  })

  it('forgets the user even when logout fails on the server', async () => {
    mockFetch({
      'POST /api/v1/auth/login': { body: { token: 't', csrf_token: 'c', user: adminUser } },
      'POST /api/v1/auth/logout': apiError(503, 'unavailable', 'down'),
    })
    const auth = useAuthStore()
    await auth.login('admin@papo.local', 'x')
    await expect(auth.logout()).resolves.toBeUndefined()
    expect(auth.isAuthenticated).toBe(false)
  })

  it('exposes ApiError for callers', async () => {
    mockFetch({ 'POST /api/v1/auth/login': apiError(503, 'unavailable', 'down') })
    const err = await useAuthStore()
      .login('a@b.c', 'x')
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
  })
})
