import type { RouteRecordRaw } from 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a session. */
    public?: boolean
    /** Only admins; others are sent to /conversas. */
    requiresAdmin?: boolean
    /** i18n key of the page title. */
    titleKey?: string
  }
}

// Paths are the product's pt-BR vocabulary; route names are English for code.
export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, titleKey: 'login.title' },
  },
  {
    path: '/',
    component: () => import('@/features/shell/AppShell.vue'),
    children: [
      { path: '', name: 'home', redirect: { name: 'conversations' } },
      {
        // One record for list and detail so the inbox does not remount when a conversation opens.
        path: 'conversas/:id?',
        name: 'conversations',
        component: () => import('@/views/ConversationsView.vue'),
        meta: { titleKey: 'shell.nav.conversations' },
      },
      {
        path: 'chamados',
        name: 'tickets',
        component: () => import('@/views/TicketsView.vue'),
        meta: { titleKey: 'shell.nav.tickets' },
      },
      {
        path: 'chamados/:number(\\d+)',
        name: 'ticket',
        component: () => import('@/views/TicketView.vue'),
        meta: { titleKey: 'shell.nav.tickets' },
      },
      {
        path: 'configuracoes/:section?',
        name: 'settings',
        component: () => import('@/views/SettingsView.vue'),
        meta: { requiresAdmin: true, titleKey: 'shell.nav.settings' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/NotFoundView.vue'),
        meta: { titleKey: 'notFound.title' },
      },
    ],
  },
]
