// One fetch wrapper for the papo API (`/api/v1`, same origin, cookie session).
// - JSON in and out; FormData bodies are passed through untouched.
// - Unsafe methods carry `X-CSRF-Token`, read from the `papo_csrf` cookie at request time.
// - Any non-2xx answer (and any network failure) becomes an ApiError.

export const API_BASE = '/api/v1'
export const CSRF_COOKIE = 'papo_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'

/** Field errors of an `invalid_request`: field name → message. */
export type FieldErrors = Record<string, string>

/** ApiError is any failed API call: the HTTP status plus the body's `error` object. */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: FieldErrors
  /** Seconds to wait before retrying (Retry-After), or null. */
  readonly retryAfter: number | null
  readonly details: Record<string, unknown>

  constructor(init: {
    status: number
    code: string
    message: string
    fields?: FieldErrors
    retryAfter?: number | null
    details?: Record<string, unknown>
  }) {
    super(init.message)
    this.name = 'ApiError'
    this.status = init.status
    this.code = init.code
    this.fields = init.fields ?? {}
    this.retryAfter = init.retryAfter ?? null
    this.details = init.details ?? {}
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
type QueryValue = string | number | boolean | null | undefined

export interface RequestOptions {
  method?: Method
  body?: unknown
  query?: Record<string, QueryValue>
  headers?: Record<string, string>
  signal?: AbortSignal
  /** Do not call the unauthorized handler on 401 (login, the initial /me probe). */
  skipAuthHandler?: boolean
}

let unauthorizedHandler: ((err: ApiError) => void) | null = null

/** onUnauthorized registers what happens when a call answers 401 (session ended). */
export function onUnauthorized(handler: ((err: ApiError) => void) | null): void {
  unauthorizedHandler = handler
}

/** readCookie returns a cookie's value from document.cookie, or null. */
export function readCookie(name: string): string | null {
  if (typeof document === 'undefined' || !document.cookie) return null
  for (const part of document.cookie.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim()
      try {
        return decodeURIComponent(raw)
      } catch {
        return raw
      }
    }
  }
  return null
}

// Token from the last login answer, used only when the cookie cannot be read.
let csrfFallback: string | null = null

export function setCsrfFallback(token: string | null): void {
  csrfFallback = token
}

function csrfToken(): string | null {
  return readCookie(CSRF_COOKIE) ?? csrfFallback
}

function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  let url = API_BASE + path
  if (query) {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.append(key, String(value))
    }
    const qs = params.toString()
    if (qs) url += (url.includes('?') ? '&' : '?') + qs
  }
  return url
}

/** parseRetryAfter reads a Retry-After header (seconds or HTTP date) as whole seconds. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return null
  return Math.max(0, Math.ceil((at - now) / 1000))
}

const codeByStatus: Record<number, string> = {
  400: 'invalid_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'invalid_request',
  429: 'rate_limited',
  503: 'unavailable',
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown = null
  try {
    const text = await res.text()
    body = text ? JSON.parse(text) : null
  } catch {
    body = null
  }
  const error = asRecord(asRecord(body)?.error)
  const details = asRecord(error?.details) ?? {}
  const fields: FieldErrors = {}
  const rawFields = asRecord(details.fields)
  if (rawFields) {
    for (const [key, value] of Object.entries(rawFields)) fields[key] = String(value)
  }
  const code =
    typeof error?.code === 'string' && error.code
      ? error.code
      : (codeByStatus[res.status] ?? (res.status >= 500 ? 'server_error' : 'unknown_error'))
  const message =
    typeof error?.message === 'string' && error.message
      ? error.message
      : res.statusText || `HTTP ${res.status}`
  return new ApiError({
    status: res.status,
    code,
    message,
    fields,
    details,
    retryAfter: parseRetryAfter(res.headers.get('Retry-After')),
  })
}

/** request performs one API call and returns the decoded JSON (undefined for 204). */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET'
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  let body: BodyInit | undefined
  if (options.body !== undefined) {
    if (options.body instanceof FormData || options.body instanceof Blob) {
      body = options.body
    } else {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(options.body)
    }
  }
  if (method !== 'GET') {
    const token = csrfToken()
    if (token) headers[CSRF_HEADER] = token
  }

  let res: Response
  try {
    res = await fetch(buildUrl(path, options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    })
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err
    throw new ApiError({
      status: 0,
      code: 'network_error',
      message: err instanceof Error ? err.message : 'network error',
    })
  }

  if (!res.ok) {
    const apiError = await toApiError(res)
    if (apiError.status === 401 && !options.skipAuthHandler) unauthorizedHandler?.(apiError)
    throw apiError
  }
  if (res.status === 204 || res.status === 205) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

type Opts = Omit<RequestOptions, 'method' | 'body'>

/** http holds one shortcut per method. */
export const http = {
  get: <T>(path: string, options?: Opts) => request<T>(path, { ...options, method: 'GET' }),
  post: <T>(path: string, body?: unknown, options?: Opts) =>
    request<T>(path, { ...options, method: 'POST', body }),
  put: <T>(path: string, body?: unknown, options?: Opts) =>
    request<T>(path, { ...options, method: 'PUT', body }),
  patch: <T>(path: string, body?: unknown, options?: Opts) =>
    request<T>(path, { ...options, method: 'PATCH', body }),
  delete: <T = void>(path: string, options?: Opts) =>
    request<T>(path, { ...options, method: 'DELETE' }),
}
