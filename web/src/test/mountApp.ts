import { mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import App from '@/App.vue'
import { createAppI18n, type AppLocale } from '@/i18n'
import { createAppRouter } from '@/router'

/** mountApp mounts the whole app (router, guards, i18n, pinia) at a path, in memory. */
export async function mountApp(path: string, locale: AppLocale = 'pt-BR') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const i18n = createAppI18n(locale)
  const router = createAppRouter(createMemoryHistory())
  await router.push(path)
  await router.isReady()
  const wrapper = mount(App, { global: { plugins: [pinia, i18n, router] }, attachTo: document.body })
  await flushAll()
  return { wrapper, router, i18n, pinia }
}

/** flushAll lets pending promises, lazy route components and re-renders settle. */
export async function flushAll(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}
