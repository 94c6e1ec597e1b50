import { createRouter, createWebHistory, type RouterHistory } from 'vue-router'
import { installGuards } from './guards'
import { routes } from './routes'

/** createAppRouter builds the router with its guards (history mode by default). */
export function createAppRouter(history: RouterHistory = createWebHistory()) {
  const router = createRouter({
    history,
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  })
  installGuards(router)
  return router
}
