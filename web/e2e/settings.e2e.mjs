// End-to-end check of Configurações (F21, F29) in a real browser (Debian's Chromium driven by
// playwright-core) against a running papo server with the demo workspace:
// the greeting is switched on with a text, saved, and still there after a reload; the sandbox
// channel's health opens. The greeting is put back as it was at the end.
//
//   PAPO_URL=http://127.0.0.1:18080 node e2e/settings.e2e.mjs
import { resolve } from 'node:path'

import { artifacts, email, expect, password, start } from './harness.mjs'

const { page, pageErrors, step, finish } = await start('settings', { viewport: { width: 1366, height: 900 } })

const greetingText = `Olá! Teste e2e ${Date.now()}`
let original = null

async function saveForm() {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/v1/settings') && r.request().method() === 'PUT'),
    page.getByTestId('settings-save').click(),
  ])
  expect(res.status() === 200, `PUT /api/v1/settings answered ${res.status()}`)
  await page.getByTestId('settings-saved').waitFor({ state: 'visible' })
}

try {
  await step(`logs in as ${email}`, async () => {
    await page.goto('/login')
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Senha').fill(password)
    await page.getByTestId('login-submit').click()
    await page.waitForURL(/\/conversas$/)
  })

  await step('F21 opens Configurações › Conversas from the menu', async () => {
    await page.getByTestId('nav-settings').click()
    await page.waitForURL(/\/configuracoes$/)
    await page.getByTestId('settings-nav-conversas').click()
    await page.waitForURL(/\/configuracoes\/conversas$/)
    await page.getByTestId('settings-form').waitFor({ state: 'visible' })
  })

  await step('F21 switches the greeting on with a text and saves', async () => {
    const enabled = page.getByTestId('set-greeting-enabled')
    const text = page.getByTestId('set-greeting-text')
    original = { enabled: await enabled.isChecked(), text: await text.inputValue() }
    if (original.enabled) {
      // Start from off so the switch is really exercised.
      await enabled.uncheck()
      await saveForm()
    }
    await enabled.check()
    await text.fill(greetingText)
    await saveForm()
  })

  await step('F21 the greeting is kept after a reload', async () => {
    await page.reload()
    await page.getByTestId('settings-form').waitFor({ state: 'visible' })
    expect(await page.getByTestId('set-greeting-enabled').isChecked(), 'greeting is not on after reload')
    const value = await page.getByTestId('set-greeting-text').inputValue()
    expect(value === greetingText, `greeting text after reload is "${value}"`)
  })

  await step("F29 opens the sandbox channel's health", async () => {
    await page.getByTestId('settings-nav-canais').click()
    await page.waitForURL(/\/configuracoes\/canais$/)
    const card = page.locator('[data-testid^="channel-"]').filter({ hasText: 'Sandbox' }).first()
    await card.waitFor({ state: 'visible' })
    const access = (await card.getByTestId('channel-access-token').textContent())?.trim()
    expect(access === 'definido', `access token shows "${access}"`)
    const url = (await card.getByTestId('channel-webhook-url').textContent())?.trim() ?? ''
    expect(url.endsWith('/webhooks/whatsapp'), `webhook URL is "${url}"`)
    const [res] = await Promise.all([
      page.waitForResponse((r) => /\/api\/v1\/channels\/[^/]+\/health$/.test(r.url())),
      card.locator('[data-testid^="channel-health-"]').click(),
    ])
    expect(res.status() === 200, `health answered ${res.status()}`)
    const health = page.getByTestId('channel-health')
    await health.waitFor({ state: 'visible' })
    await page.getByTestId('health-last-send').waitFor({ state: 'visible' })
    const shot = resolve(artifacts, 'settings-health.png')
    await page.screenshot({ path: shot, fullPage: true })
    console.log(`     screenshot: ${shot}`)
  })

  await step('puts the greeting back as it was', async () => {
    await page.getByTestId('settings-nav-conversas').click()
    await page.getByTestId('settings-form').waitFor({ state: 'visible' })
    const enabled = page.getByTestId('set-greeting-enabled')
    if (original.enabled) await enabled.check()
    else await enabled.uncheck()
    await page.getByTestId('set-greeting-text').fill(original.text)
    await saveForm()
  })

  await step('no uncaught errors in the page', async () => {
    expect(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`)
  })
} catch {
  // reported by step()
} finally {
  await finish()
}
