import { afterEach, vi } from 'vitest'
import { onUnauthorized, setCsrfFallback } from '@/api/http'

// jsdom does not implement scrolling; the router's scrollBehavior calls it.
window.scrollTo = vi.fn() as unknown as typeof window.scrollTo

afterEach(() => {
  // Global state that tests may have touched.
  onUnauthorized(null)
  setCsrfFallback(null)
  for (const cookie of document.cookie.split(';')) {
    const name = cookie.split('=')[0]?.trim()
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`
  }
  localStorage.clear()
})
