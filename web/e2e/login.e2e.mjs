// End-to-end check of sign-in, the application shell and sign-out, in a real browser
// (Debian's Chromium driven by playwright-core) against a running papo server.
//
//   PAPO_URL=http://127.0.0.1:18080 npm run e2e
//
// Env: PAPO_URL (required), CHROMIUM (default /usr/bin/chromium),
//      ARTIFACTS_DIR (default ../test-artifacts), E2E_EMAIL / E2E_PASSWORD (demo admin).
import { resolve } from 'node:path'

import { artifacts, email, expect, password, start } from './harness.mjs'

const { page, pageErrors, step, finish } = await start('login')

const loginForm = () => page.locator('form:has(input[type="password"])')
const profileButton = () => page.getByTestId('profile-button')
let adminName = ''

try {
  await step('anonymous visit to / shows the login page', async () => {
    const res = await page.goto('/')
    expect(res && res.ok(), `GET / answered ${res?.status()}`)
    await page.waitForURL(/\/login(\?|$)/)
    await loginForm().waitFor({ state: 'visible' })
    expect(await page.getByLabel('E-mail').isVisible(), 'e-mail field has no label "E-mail"')
    expect(await page.getByLabel('Senha').isVisible(), 'password field has no label "Senha"')
  })

  await step('wrong password shows the error from the API', async () => {
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Senha').fill(`${password}-wrong`)
    await page.getByTestId('login-submit').click()
    const alert = page.getByTestId('login-error')
    await alert.waitFor({ state: 'visible' })
    const text = (await alert.textContent())?.trim() ?? ''
    expect(text.length > 0, 'error message is empty')
  })

  await step(`logs in as ${email} through the form`, async () => {
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Senha').fill(password)
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/login') && r.request().method() === 'POST'),
      page.getByTestId('login-submit').click(),
    ])
    expect(response.status() === 200, `POST /api/v1/auth/login answered ${response.status()}`)
    const body = await response.json()
    adminName = body?.user?.name ?? ''
    expect(adminName, 'login answer has no user.name')
    expect(body.user.role === 'admin', `expected role admin, got ${body.user.role}`)
    await page.waitForURL(/\/conversas$/)
  })

  await step("shell shows the admin's name, Configurações and the WhatsApp button", async () => {
    await profileButton().waitFor({ state: 'visible' })
    const label = (await profileButton().getAttribute('aria-label')) ?? ''
    expect(label.includes(adminName), `profile button label "${label}" lacks "${adminName}"`)
    const settings = page.getByTestId('nav-settings')
    await settings.waitFor({ state: 'visible' })
    expect((await settings.textContent())?.includes('Configurações'), 'no "Configurações" menu entry')
    const wa = page.getByTestId('whatsapp-button')
    await wa.waitFor({ state: 'visible' })
    const waLabel = (await wa.getAttribute('aria-label')) ?? ''
    expect(/pendente/i.test(waLabel), `WhatsApp button label "${waLabel}" does not mention pending`)
    const waBox = await wa.boundingBox()
    const avatarBox = await profileButton().boundingBox()
    expect(waBox && avatarBox && waBox.x < avatarBox.x, 'WhatsApp button is not left of the profile photo')
    await profileButton().click()
    await page.getByTestId('profile-name').waitFor({ state: 'visible' })
    expect((await page.getByTestId('profile-name').textContent())?.trim() === adminName, 'menu lacks the name')
    await page.keyboard.press('Escape')
  })

  await step('menu links are bookmarkable and back/forward work', async () => {
    await page.getByTestId('nav-tickets').click()
    await page.waitForURL(/\/chamados$/)
    await page.getByTestId('view-tickets').waitFor({ state: 'visible' })
    await page.getByTestId('nav-settings').click()
    await page.waitForURL(/\/configuracoes$/)
    await page.goBack()
    await page.waitForURL(/\/chamados$/)
    await page.goBack()
    await page.waitForURL(/\/conversas$/)
    await page.goForward()
    await page.waitForURL(/\/chamados$/)
    await page.goto('/conversas/e2e-123')
    await page.getByTestId('view-conversations').waitFor({ state: 'visible' })
  })

  await step('reload keeps the session', async () => {
    await page.goto('/conversas')
    await page.reload()
    await profileButton().waitFor({ state: 'visible' })
    expect(/\/conversas$/.test(page.url()), `after reload the URL is ${page.url()}`)
    expect(!(await loginForm().isVisible()), 'login form visible after reload')
  })

  await step('full-page screenshot of the shell', async () => {
    await page.getByTestId('view-conversations').waitFor({ state: 'visible' })
    const shot = resolve(artifacts, 'login-shell.png')
    await page.screenshot({ path: shot, fullPage: true })
    console.log(`     screenshot: ${shot}`)
  })

  await step('logout returns to the login page and ends the session', async () => {
    await profileButton().click()
    await page.getByTestId('logout').click()
    await page.waitForURL(/\/login(\?|$)/)
    await loginForm().waitFor({ state: 'visible' })
    await page.goto('/conversas')
    await page.waitForURL(/\/login\?next=/)
    await loginForm().waitFor({ state: 'visible' })
  })

  await step('no uncaught errors in the page', async () => {
    expect(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`)
  })
} catch {
  // reported by step()
} finally {
  await finish()
}
