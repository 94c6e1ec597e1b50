import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, mockFetch } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const anonymous = { 'GET /api/v1/me': apiError(401, 'unauthenticated', 'no session') }

async function submit(wrapper: Awaited<ReturnType<typeof mountApp>>['wrapper'], email = 'admin@papo.local', password = 'secret') {
  await wrapper.find('#login-email').setValue(email)
  await wrapper.find('#login-password').setValue(password)
  await wrapper.find('form').trigger('submit')
  await flushAll()
}

describe('LoginView', () => {
  it('has labelled fields and a submit button', async () => {
    mockFetch(anonymous)
    const { wrapper } = await mountApp('/login')
    expect(wrapper.find('label[for="login-email"]').text()).toBe('E-mail')
    expect(wrapper.find('label[for="login-password"]').text()).toBe('Senha')
    expect(wrapper.find('[data-testid="login-submit"]').text()).toBe('Entrar')
    expect(document.activeElement?.id).toBe('login-email')
  })

  it('shows a wrong-credentials message on 401', async () => {
    mockFetch({ ...anonymous, 'POST /api/v1/auth/login': apiError(401, 'unauthenticated', 'invalid credentials') })
    const { wrapper, router } = await mountApp('/login')
    await submit(wrapper)
    expect(wrapper.find('[role="alert"]').text()).toBe('E-mail ou senha incorretos. Confira e tente de novo.')
    expect(router.currentRoute.value.name).toBe('login')
  })

  it('maps the API error code to the catalogue', async () => {
    mockFetch({ ...anonymous, 'POST /api/v1/auth/login': apiError(503, 'unavailable', 'database down') })
    const { wrapper } = await mountApp('/login')
    await submit(wrapper)
    expect(wrapper.find('[role="alert"]').text()).toBe(
      'O serviço está indisponível no momento. Tente de novo em instantes.',
    )
  })

  it('falls back to the server message for an unknown code', async () => {
    mockFetch({ ...anonymous, 'POST /api/v1/auth/login': apiError(400, 'user_deactivated', 'Este usuário foi desativado.') })
    const { wrapper } = await mountApp('/login')
    await submit(wrapper)
    expect(wrapper.find('[role="alert"]').text()).toBe('Este usuário foi desativado.')
  })

  it('speaks English when the locale is en', async () => {
    mockFetch({ ...anonymous, 'POST /api/v1/auth/login': apiError(503, 'unavailable', 'database down') })
    const { wrapper } = await mountApp('/login', 'en')
    expect(wrapper.find('label[for="login-password"]').text()).toBe('Password')
    await submit(wrapper)
    expect(wrapper.find('[role="alert"]').text()).toBe('The service is unavailable right now. Try again shortly.')
  })

  it('switches language from the login page and remembers it', async () => {
    mockFetch(anonymous)
    const { wrapper } = await mountApp('/login')
    await wrapper.find('button[lang="en"]').trigger('click')
    expect(wrapper.find('[data-testid="login-submit"]').text()).toBe('Sign in')
    expect(localStorage.getItem('papo.locale')).toBe('en')
    expect(document.documentElement.lang).toBe('en')
  })

  it('shows the wait from Retry-After on 429 and blocks the button', async () => {
    mockFetch({
      ...anonymous,
      'POST /api/v1/auth/login': {
        status: 429,
        headers: { 'Retry-After': '42' },
        body: { error: { code: 'rate_limited', message: 'too many attempts' } },
      },
    })
    const { wrapper } = await mountApp('/login')
    await submit(wrapper)
    expect(wrapper.find('[role="alert"]').text()).toBe('Muitas tentativas. Tente novamente em 42 s.')
    expect(wrapper.find('[data-testid="login-submit"]').attributes('disabled')).toBeDefined()
  })

  it('disables the form while submitting, then goes to next', async () => {
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    mockFetch({
      ...anonymous,
      'POST /api/v1/auth/login': async () => {
        await gate
        return { body: { token: 't', csrf_token: 'c', user: adminUser } }
      },
      'GET /api/v1/settings': { body: { segmented_view: false } },
    })
    const { wrapper, router } = await mountApp('/login?next=/chamados/7')
    await wrapper.find('#login-email').setValue('admin@papo.local')
    await wrapper.find('#login-password').setValue('papo-demo')
    await wrapper.find('form').trigger('submit')
    await flushAll(1)
    const button = wrapper.find('[data-testid="login-submit"]')
    expect(button.attributes('disabled')).toBeDefined()
    expect(button.text()).toBe('Entrando…')
    expect(wrapper.find('#login-email').attributes('disabled')).toBeDefined()
    release()
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/chamados/7'))
    await vi.waitFor(() =>
      expect(wrapper.find('[data-testid="profile-button"]').attributes('aria-label')).toContain('Ana Admin'),
    )
    expect(wrapper.find('[data-testid="view-ticket"]').text()).toContain('Chamado nº 7')
  })
})
