// End-to-end check of the Chamados screens in a real browser against a running papo (F22, F12):
// a ticket is created through the "Novo chamado" form (with a requester found by search), then found
// in the list by search (the search lands in the URL), then opened.
//
//   PAPO_URL=http://127.0.0.1:18080 node e2e/tickets.e2e.mjs
//
// Env: PAPO_URL (required), ARTIFACTS_DIR, E2E_EMAIL, E2E_PASSWORD, E2E_TIMEOUT_MS, CHROMIUM.
import { resolve } from 'node:path'

import { artifacts, email, expect, password, start } from './harness.mjs'

const { page, pageErrors, step, finish } = await start('tickets')

const stamp = `e2echamado${Date.now().toString(36)}`
const title = `Impressora parada ${stamp}`
let number = ''

try {
  await step('sign in and open Chamados', async () => {
    await page.goto('/login')
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Senha').fill(password)
    await page.getByTestId('login-submit').click()
    await page.waitForURL(/\/conversas/)
    await page.goto('/chamados')
    await page.getByTestId('view-tickets').waitFor({ state: 'visible' })
  })

  await step('F12 the form shows a field error, then creates the ticket', async () => {
    await page.getByTestId('new-ticket').click()
    const dialog = page.getByTestId('new-ticket-dialog')
    await dialog.waitFor({ state: 'visible' })
    await page.getByTestId('new-save').click()
    await page.getByTestId('new-title-error').waitFor({ state: 'visible' })
    await page.getByTestId('new-title').fill(title)
    await page.getByTestId('new-description').fill('A impressora da recepção não liga.')
    await page.getByTestId('new-requester-search').fill('Maria')
    await page.getByTestId('new-requester-option').filter({ hasText: 'Maria Silva' }).first().click()
    await page.getByTestId('new-requester-chosen').waitFor({ state: 'visible' })
    const team = page.getByTestId('new-team')
    const teamOptions = await team.locator('option').evaluateAll((els) => els.map((el) => el.value).filter(Boolean))
    expect(teamOptions.length > 0, 'no team to choose')
    await team.selectOption(teamOptions[0])
    await page.getByTestId('new-origin').selectOption('phone')
    await page.getByTestId('new-save').click()
    await page.waitForURL(/\/chamados\/\d+$/)
    number = new URL(page.url()).pathname.split('/').pop()
    await page.getByTestId('ticket-title').filter({ hasText: title }).waitFor({ state: 'visible' })
    expect((await page.getByTestId('ticket-requester').textContent()) === 'Maria Silva', 'requester not shown')
  })

  await step('F22 finds the ticket in the list by search (kept in the URL)', async () => {
    await page.getByTestId('ticket-back').click()
    await page.waitForURL(/\/chamados$/)
    await page.getByTestId('ticket-search').fill(stamp)
    await page.getByTestId('ticket-search-submit').click()
    await page.waitForURL((url) => url.searchParams.get('q') === stamp)
    const rows = page.getByTestId('ticket-row')
    await rows.filter({ hasText: title }).waitFor({ state: 'visible' })
    expect((await rows.count()) === 1, `expected 1 row, got ${await rows.count()}`)
    const row = rows.first()
    expect((await row.getAttribute('data-number')) === number, 'wrong ticket number in the row')
    expect((await row.textContent()).includes('Telefone'), 'origin not shown')
    // The filtered list is bookmarkable.
    await page.reload()
    await page.getByTestId('ticket-row').filter({ hasText: title }).waitFor({ state: 'visible' })
  })

  await step('F22 opens the ticket from the list', async () => {
    await page.getByTestId('ticket-row').first().getByTestId('ticket-link').click()
    await page.waitForURL(new RegExp(`/chamados/${number}$`))
    await page.getByTestId('ticket-title').filter({ hasText: title }).waitFor({ state: 'visible' })
    await page.getByTestId('transcript-empty').waitFor({ state: 'visible' })
    const shot = resolve(artifacts, 'tickets.png')
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
