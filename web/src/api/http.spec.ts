import { afterEach, describe, expect, it, vi } from 'vitest'
import { mockFetch } from '@/test/fetchMock'
import { ApiError, http, onUnauthorized, parseRetryAfter, readCookie, setCsrfFallback } from './http'

afterEach(() => vi.unstubAllGlobals())

describe('http', () => {
  it('sends JSON to /api/v1 with the same-origin credentials', async () => {
    const { calls } = mockFetch({ 'POST /api/v1/things': { status: 201, body: { id: 'x' } } })
    const res = await http.post<{ id: string }>('/things', { name: 'a' })
    expect(res).toEqual({ id: 'x' })
    expect(calls).toHaveLength(1)
    expect(calls[0]!.url).toBe('/api/v1/things')
    expect(calls[0]!.headers['content-type']).toBe('application/json')
    expect(calls[0]!.body).toEqual({ name: 'a' })
    expect(calls[0]!.credentials).toBe('same-origin')
  })

  it('reads the CSRF token from the papo_csrf cookie at request time', async () => {
    const { calls } = mockFetch({
      'POST /api/v1/a': { status: 204 },
      'PATCH /api/v1/a': { body: {} },
      'DELETE /api/v1/a': { status: 204 },
    })
    document.cookie = 'other=1; path=/'
    document.cookie = 'papo_csrf=first%2Btoken; path=/'
    await http.post('/a', {})
    document.cookie = 'papo_csrf=second; path=/'
    await http.patch('/a', {})
    await http.delete('/a')
    expect(calls.map((c) => c.headers['x-csrf-token'])).toEqual(['first+token', 'second', 'second'])
  })

  it('does not send the CSRF header on GET', async () => {
    const { calls } = mockFetch({ 'GET /api/v1/me': { body: { id: '1' } } })
    document.cookie = 'papo_csrf=tok; path=/'
    await http.get('/me')
    expect(calls[0]!.headers['x-csrf-token']).toBeUndefined()
    expect(calls[0]!.body).toBeUndefined()
  })

  it('falls back to the login token when the cookie is absent', async () => {
    const { calls } = mockFetch({ 'POST /api/v1/a': { status: 204 } })
    setCsrfFallback('from-login')
    await http.post('/a')
    expect(calls[0]!.headers['x-csrf-token']).toBe('from-login')
    document.cookie = 'papo_csrf=from-cookie; path=/'
    await http.post('/a')
    expect(calls[1]!.headers['x-csrf-token']).toBe('from-cookie')
  })

  it('encodes query parameters and skips empty ones', async () => {
    const { calls } = mockFetch({ 'GET /api/v1/conversations': { body: { items: [] } } })
    await http.get('/conversations', { query: { q: 'joão silva', limit: 1, cursor: undefined, team_id: '' } })
    expect(calls[0]!.url).toBe('/api/v1/conversations?q=jo%C3%A3o+silva&limit=1')
  })

  it('returns undefined for 204', async () => {
    mockFetch({ 'POST /api/v1/auth/logout': { status: 204 } })
    await expect(http.post('/auth/logout')).resolves.toBeUndefined()
  })

  it('turns an error body into an ApiError with code, message and fields', async () => {
    mockFetch({
      'POST /api/v1/users': {
        status: 400,
        body: {
          error: {
            code: 'invalid_request',
            message: 'email is invalid',
            details: { fields: { email: 'must be an e-mail', team_ids: 'unknown team' } },
          },
        },
      },
    })
    const err = await http.post('/users', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    const apiErr = err as ApiError
    expect(apiErr.status).toBe(400)
    expect(apiErr.code).toBe('invalid_request')
    expect(apiErr.message).toBe('email is invalid')
    expect(apiErr.fields).toEqual({ email: 'must be an e-mail', team_ids: 'unknown team' })
    expect(apiErr.retryAfter).toBeNull()
  })

  it('reads Retry-After on 429', async () => {
    mockFetch({
      'POST /api/v1/auth/login': {
        status: 429,
        headers: { 'Retry-After': '37' },
        body: { error: { code: 'rate_limited', message: 'slow down' } },
      },
    })
    const err = (await http.post('/auth/login', {}).catch((e: unknown) => e)) as ApiError
    expect(err.code).toBe('rate_limited')
    expect(err.retryAfter).toBe(37)
  })

  it('derives a code from the status when the body is not JSON', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response('<html>Bad gateway</html>', { status: 503, statusText: 'Service Unavailable' })),
    )
    const err = (await http.get('/settings').catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(503)
    expect(err.code).toBe('unavailable')
    expect(err.message).toBe('Service Unavailable')
  })

  it('reports network failures as network_error', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    const err = (await http.get('/me').catch((e: unknown) => e)) as ApiError
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.code).toBe('network_error')
  })

  it('calls the unauthorized handler on 401 unless told not to', async () => {
    mockFetch({ 'GET /api/v1/users': { status: 401, body: { error: { code: 'unauthenticated', message: 'no' } } } })
    const handler = vi.fn()
    onUnauthorized(handler)
    await expect(http.get('/users')).rejects.toBeInstanceOf(ApiError)
    expect(handler).toHaveBeenCalledTimes(1)
    await expect(http.get('/users', { skipAuthHandler: true })).rejects.toBeInstanceOf(ApiError)
    expect(handler).toHaveBeenCalledTimes(1)
  })
})

describe('readCookie', () => {
  it('finds a cookie among others and decodes it', () => {
    document.cookie = 'a=1; path=/'
    document.cookie = 'papo_csrf=x%3Dy; path=/'
    expect(readCookie('papo_csrf')).toBe('x=y')
    expect(readCookie('missing')).toBeNull()
  })
})

describe('parseRetryAfter', () => {
  it('accepts seconds and HTTP dates', () => {
    expect(parseRetryAfter('12')).toBe(12)
    const now = Date.parse('2026-11-25T18:00:00Z')
    expect(parseRetryAfter('Wed, 25 Nov 2026 18:00:30 GMT', now)).toBe(30)
    expect(parseRetryAfter(null)).toBeNull()
    expect(parseRetryAfter('soon')).toBeNull()
  })
})
