// End-to-end check of the Conversas screen in a real browser against a running papo:
// a customer message sent through the sandbox appears live (F23), the agent opens it,
// replies, and the reply bubble reaches ✓✓ as the sandbox phone reports delivery.
//
//   PAPO_URL=http://127.0.0.1:18080 node e2e/inbox.e2e.mjs
//
// Env: PAPO_URL (required), CHROMIUM (default /usr/bin/chromium),
//      ARTIFACTS_DIR (default ../test-artifacts), E2E_EMAIL / E2E_PASSWORD (demo admin),
//      E2E_PHONE (sandbox phone of the demo customer).
import { resolve } from 'node:path'

import { artifacts, customerSays, email, expect, password, start, timeout } from './harness.mjs'

const { page, pageErrors, step, finish } = await start('inbox')

const stamp = Date.now().toString(36)
const inbound = `Olá, preciso de ajuda <b>${stamp}</b>`
const reply = `Claro! Como posso ajudar? ${stamp}`

try {
  await step(`logs in as ${email} and lands on /conversas`, async () => {
    await page.goto('/login')
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Senha').fill(password)
    await page.getByTestId('login-submit').click()
    await page.waitForURL(/\/conversas$/)
    await page.getByTestId('conversation-list').waitFor({ state: 'visible' })
    // Wait for the list to settle (rows, empty state or error) and the live stream to open.
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="conversation-row"], [data-testid="list-empty"], [data-testid="list-error"]') !==
        null,
    )
    expect(!(await page.getByTestId('list-error').isVisible()), 'the list shows an error')
  })

  let conversationId = null
  await step('F23 a customer message appears in the list without reloading', async () => {
    const previewOf = () =>
      page.evaluate(() => {
        const rows = [...document.querySelectorAll('[data-testid="conversation-row"]')]
        const row = rows.find((r) => r.querySelector('[data-testid="conversation-name"]')?.textContent?.trim() === 'Maria Silva')
        return row ? `${row.getAttribute('data-id')}|${row.querySelector('[data-testid="conversation-preview"]')?.textContent}|${row.querySelector('time')?.getAttribute('datetime')}` : null
      })
    const before = await previewOf()
    await page.evaluate(() => {
      window.__papoNoReload = true
    })
    await page.waitForTimeout(300) // let the EventSource connect
    await customerSays(inbound)
    await page.waitForFunction(
      (prev) => {
        const rows = [...document.querySelectorAll('[data-testid="conversation-row"]')]
        const row = rows.find((r) => r.querySelector('[data-testid="conversation-name"]')?.textContent?.trim() === 'Maria Silva')
        if (!row) return false
        const now = `${row.getAttribute('data-id')}|${row.querySelector('[data-testid="conversation-preview"]')?.textContent}|${row.querySelector('time')?.getAttribute('datetime')}`
        return now !== prev
      },
      before,
    )
    expect(await page.evaluate(() => window.__papoNoReload === true), 'the page reloaded')
    const row = page.getByTestId('conversation-row').filter({ has: page.getByTestId('conversation-name').getByText('Maria Silva', { exact: true }) }).first()
    conversationId = await row.getAttribute('data-id')
    const firstId = await page.getByTestId('conversation-row').first().getAttribute('data-id')
    expect(firstId === conversationId, 'the conversation is not at the top of the list')
    expect(await row.getByTestId('unread-bubble').isVisible(), 'no unread bubble on the row')
  })

  await step('F07 opening it shows the message as text and marks it read', async () => {
    const id = conversationId
    const row = page.locator(`[data-testid="conversation-row"][data-id="${id}"]`)
    const [readRes] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${id}/read`) && r.request().method() === 'POST'),
      row.click(),
    ])
    expect(readRes.ok(), `POST …/read answered ${readRes.status()}`)
    await page.waitForURL(new RegExp(`/conversas/${id}$`))
    expect((await page.getByTestId('conversation-title').textContent())?.trim() === 'Maria Silva', 'header lacks the name')
    const bubble = page.getByTestId('message-text').filter({ hasText: stamp }).last()
    await bubble.waitFor({ state: 'visible' })
    expect((await bubble.locator('b').count()) === 0, 'customer <b> was rendered as HTML')
    await row.getByTestId('unread-bubble').waitFor({ state: 'detached' })
  })

  await step('F26 the reply shows at once and reaches ✓✓ delivered', async () => {
    const input = page.getByTestId('composer-input')
    await input.fill(reply)
    const [sendRes] = await Promise.all([
      page.waitForResponse((r) => /\/api\/v1\/conversations\/[^/]+\/messages$/.test(r.url()) && r.request().method() === 'POST'),
      input.press('Enter'),
    ])
    expect(sendRes.status() === 202, `POST …/messages answered ${sendRes.status()}`)
    expect(sendRes.request().headers()['idempotency-key'], 'no Idempotency-Key header')
    const bubble = page.getByTestId('message').filter({ hasText: reply })
    await bubble.waitFor({ state: 'visible' })
    expect((await input.inputValue()) === '', 'composer not cleared')
    await bubble.locator('[data-testid="tick"][data-tick="delivered"], [data-testid="tick"][data-tick="read"]').waitFor({
      state: 'visible',
      timeout: Math.max(timeout, 20000),
    })
    const tick = (await bubble.getByTestId('tick').textContent())?.trim()
    expect(tick === '✓✓', `tick is "${tick}"`)
    // The first reply takes the conversation and becomes the row's preview, live.
    const row = page.locator(`[data-testid="conversation-row"][data-id="${conversationId}"]`)
    await row.getByTestId('conversation-preview').filter({ hasText: stamp }).waitFor({ state: 'visible' })
    await page.getByTestId('action-take').waitFor({ state: 'detached' })
    expect(await input.evaluate((el) => el === document.activeElement), 'the composer lost focus')
    expect(await page.evaluate(() => window.__papoNoReload === true), 'the page reloaded')
  })

  await step('full-page screenshot of the inbox', async () => {
    const shot = resolve(artifacts, 'inbox.png')
    await page.screenshot({ path: shot, fullPage: true })
    console.log(`     screenshot: ${shot}`)
  })

  await step('no uncaught errors in the page', async () => {
    expect(pageErrors.length === 0, `page errors: ${pageErrors.join(' | ')}`)
  })
} catch {
  // reported by step()
} finally {
  await finish()
}
