import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { authApi } from '@/api/auth'
import { isApiError, setCsrfFallback } from '@/api/http'
import type { User } from '@/api/users'
import { useConversationListStore } from './conversationList'
import { useInboxStore } from './inbox'
import { useSettingsStore } from './settings'

/** 'unknown' until the first /me answer; then 'anonymous' or 'authenticated'. */
export type AuthStatus = 'unknown' | 'anonymous' | 'authenticated'

export const useAuthStore = defineStore('auth', () => {
  const user = ref<User | null>(null)
  const status = ref<AuthStatus>('unknown')
  let probe: Promise<void> | null = null

  const isAuthenticated = computed(() => status.value === 'authenticated' && user.value !== null)
  const isAdmin = computed(() => user.value?.role === 'admin')

  function setUser(next: User | null) {
    user.value = next
    status.value = next ? 'authenticated' : 'anonymous'
  }

  /** afterSignIn loads what every screen needs once the user is known. */
  function afterSignIn() {
    // Not awaited: a failure here must not block the shell.
    void useSettingsStore().load()
    void useInboxStore().refreshCounts()
  }

  /** ensureLoaded asks the server once who is logged in (cookie session). */
  function ensureLoaded(): Promise<void> {
    if (status.value !== 'unknown') return Promise.resolve()
    probe ??= authApi
      .me()
      .then((me) => {
        setUser(me)
        afterSignIn()
      })
      .catch((err: unknown) => {
        // 401 is the normal anonymous answer; anything else also means "not signed in"
        // for routing purposes, and the login page will show the server's error on submit.
        if (!isApiError(err)) console.error(err)
        setUser(null)
      })
      .finally(() => {
        probe = null
      })
    return probe
  }

  async function login(email: string, password: string): Promise<User> {
    const res = await authApi.login(email.trim(), password)
    setCsrfFallback(res.csrf_token ?? null)
    setUser(res.user)
    afterSignIn()
    return res.user
  }

  /** logout ends the server session; local state is cleared even if the call fails. */
  async function logout(): Promise<void> {
    try {
      await authApi.logout()
    } catch (err) {
      if (!isApiError(err)) throw err
    } finally {
      clearSession()
    }
  }

  /** clearSession forgets the user locally (after logout or when the session expired). */
  function clearSession() {
    setCsrfFallback(null)
    setUser(null)
    useSettingsStore().reset()
    useInboxStore().reset()
    useConversationListStore().reset()
  }

  return { user, status, isAuthenticated, isAdmin, ensureLoaded, login, logout, clearSession }
})
