import type { LocationQueryValue, RouteLocationRaw, Router } from 'vue-router'
import { useAuthStore } from '@/stores/auth'

/**
 * safeNext accepts a `?next=` value only when it is a path on this site (no scheme, no
 * protocol-relative `//host`, not the login page itself), so login cannot redirect elsewhere.
 */
export function safeNext(value: LocationQueryValue | LocationQueryValue[] | undefined): string | null {
  const next = Array.isArray(value) ? value[0] : value
  if (typeof next !== 'string' || !next.startsWith('/')) return null
  if (next.startsWith('//') || next.startsWith('/\\')) return null
  if (next === '/login' || next.startsWith('/login?') || next.startsWith('/login/')) return null
  return next
}

/** installGuards adds the authentication and role checks to a router. */
export function installGuards(router: Router): void {
  router.beforeEach(async (to): Promise<true | RouteLocationRaw> => {
    const auth = useAuthStore()
    await auth.ensureLoaded()

    if (to.meta.public) {
      if (to.name === 'login' && auth.isAuthenticated) {
        return safeNext(to.query.next) ?? { name: 'conversations' }
      }
      return true
    }
    if (!auth.isAuthenticated) {
      return { name: 'login', query: { next: to.fullPath } }
    }
    if (to.matched.some((record) => record.meta.requiresAdmin) && !auth.isAdmin) {
      return { name: 'conversations' }
    }
    return true
  })
}
