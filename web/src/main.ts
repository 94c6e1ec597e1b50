import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { onUnauthorized } from './api/http'
import { createAppI18n } from './i18n'
import { createAppRouter } from './router'
import { useAuthStore } from './stores/auth'
import './styles/tokens.css'
import './styles/base.css'

const app = createApp(App)
const pinia = createPinia()
const router = createAppRouter()
app.use(pinia).use(createAppI18n()).use(router)

// A 401 on any call after sign-in means the session ended (expired, logged out elsewhere,
// user deactivated): forget the user and come back here after signing in again.
onUnauthorized(() => {
  const auth = useAuthStore(pinia)
  if (!auth.isAuthenticated) return
  auth.clearSession()
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    void router.push({ name: 'login', query: { next: current.fullPath, expired: '1' } })
  }
})

void router.isReady().then(() => app.mount('#app'))
