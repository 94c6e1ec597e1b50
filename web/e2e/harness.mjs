// What every browser test shares: its settings from the environment, Debian's Chromium driven
// by playwright-core, one page, and step-by-step reporting with a screenshot on failure.
//
// Env: PAPO_URL (required), CHROMIUM (default /usr/bin/chromium), ARTIFACTS_DIR (default
// ../test-artifacts), E2E_EMAIL / E2E_PASSWORD (the demo admin), E2E_PHONE (the sandbox phone
// of the demo customer), E2E_TIMEOUT_MS (default 10000).
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { chromium } from 'playwright-core'

export const baseURL = (process.env.PAPO_URL || '').replace(/\/+$/, '')
export const artifacts = resolve(process.env.ARTIFACTS_DIR || '../test-artifacts')
export const email = process.env.E2E_EMAIL || 'admin@papo.local'
export const password = process.env.E2E_PASSWORD || 'papo-demo'
export const phone = process.env.E2E_PHONE || '5511987654321'
export const timeout = Number(process.env.E2E_TIMEOUT_MS || 10000)

if (!baseURL) {
  console.error('e2e: PAPO_URL is not set (e.g. PAPO_URL=http://127.0.0.1:18080)')
  process.exit(2)
}
mkdirSync(artifacts, { recursive: true })

export class StepError extends Error {}

export function expect(condition, message) {
  if (!condition) throw new StepError(message)
}

/**
 * start launches Chromium and opens a pt-BR page on PAPO_URL. `name` labels the failure
 * screenshot. step(name, fn) runs and reports one step (the first failure stops the spec);
 * finish() closes the browser, prints the tally and exits with its status.
 */
export async function start(name, { viewport = { width: 1366, height: 768 } } = {}) {
  const browser = await chromium
    .launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    })
    .catch((err) => {
      console.error(`e2e: cannot start Chromium: ${err.message}`)
      process.exit(2)
    })
  const context = await browser.newContext({ baseURL, viewport, locale: 'pt-BR' })
  context.setDefaultTimeout(timeout)
  const page = await context.newPage()
  const pageErrors = []
  page.on('pageerror', (err) => pageErrors.push(err.message))
  let passed = 0
  let failed = 0

  async function step(stepName, fn) {
    const started = Date.now()
    try {
      await fn()
      passed++
      console.log(`ok   ${stepName} (${Date.now() - started} ms)`)
    } catch (err) {
      failed++
      console.error(`FAIL ${stepName}: ${err instanceof StepError ? err.message : (err?.message ?? err)}`)
      console.error(`     at ${page.url()}`)
      const shot = resolve(artifacts, `${name}-failure.png`)
      await page.screenshot({ path: shot, fullPage: true }).catch(() => {})
      console.error(`     screenshot: ${shot}`)
      throw err
    }
  }

  async function finish() {
    await browser.close().catch(() => {})
    console.log(`e2e: ${passed} passed, ${failed} failed`)
    process.exit(failed > 0 ? 1 : 0)
  }

  return { browser, context, page, pageErrors, step, finish }
}

/** customerSays makes the sandbox customer send a text: a real, signed webhook to papo. */
export async function customerSays(text, from = phone) {
  const res = await fetch(`${baseURL}/sandbox/api/phones/${from}/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ type: 'text', text }),
  })
  expect(res.ok, `sandbox answered ${res.status}: ${await res.text()}`)
}
