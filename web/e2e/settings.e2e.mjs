// End-to-end check of Configurações (F21, F29) in a real browser (Debian's Chromium driven by
// playwright-core) against a running papo server with the demo workspace:
// the greeting is switched on with a text, saved, and still there after a reload; the sandbox
// channel's health opens. The greeting is put back as it was at the end.
//
//   PAPO_URL=http://127.0.0.1:18080 node e2e/settings.e2e.mjs
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium } from 'playwright-core'

const baseURL = (process.env.PAPO_URL || '').replace(/\/+$/, '')
const artifacts = resolve(process.env.ARTIFACTS_DIR || '../test-artifacts')
const email = process.env.E2E_EMAIL || 'admin@papo.local'
const password = process.env.E2E_PASSWORD || 'papo-demo'
const timeout = Number(process.env.E2E_TIMEOUT_MS || 10000)

if (!baseURL) {
  console.error('e2e: PAPO_URL is not set (e.g. PAPO_URL=http://127.0.0.1:18080)')
  process.exit(2)
}
mkdirSync(artifacts, { recursive: true })

let passed = 0
let failed = 0

class StepError extends Error {}
function expect(condition, message) {
  if (!condition) throw new StepError(message)
}

const browser = await chromium
  .launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
  .catch((err) => {
    console.error(`e2e: cannot start Chromium: ${err.message}`)
    process.exit(2)
  })

const context = await browser.newContext({ baseURL, viewport: { width: 1366, height: 900 }, locale: 'pt-BR' })
context.setDefaultTimeout(timeout)
const page = await context.newPage()
const pageErrors = []
page.on('pageerror', (err) => pageErrors.push(err.message))

async function step(name, fn) {
  const started = Date.now()
  try {
    await fn()
    passed++
    console.log(`ok   ${name} (${Date.now() - started} ms)`)
  } catch (err) {
    failed++
    console.error(`FAIL ${name}: ${err instanceof StepError ? err.message : (err?.message ?? err)}`)
    console.error(`     at ${page.url()}`)
    const shot = resolve(artifacts, 'settings-failure.png')
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {})
    console.error(`     screenshot: ${shot}`)
    throw err
  }
}

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
  await browser.close().catch(() => {})
}

console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
