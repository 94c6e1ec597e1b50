// End-to-end check of the Conversas header actions in a real browser against a running papo:
// the padlock (F17) toggles, the conversation is forwarded to another team through the dialog (F08)
// and the forward shows in the history, then it is closed through the dialog (F16) and shows as
// closed with the composer off. Before that: two messages are selected and a ticket is created from
// them (F10, F12, chips on the messages), the resumo lists it (F31), a canned response is inserted
// (F14). Runs after inbox.e2e.mjs (file order): it closes Maria's conversation.
//
//   PAPO_URL=http://127.0.0.1:18080 node e2e/thread-actions.e2e.mjs
//
// Env: as inbox.e2e.mjs.
import { resolve } from 'node:path'

import { artifacts, customerSays, email, expect, password, start } from './harness.mjs'

const { page, pageErrors, step, finish } = await start('thread-actions')

const stamp = Date.now().toString(36)
const inbound = `Quero falar com o financeiro ${stamp}`
const note = `Cliente pergunta do boleto ${stamp}`

try {
  await step(`logs in as ${email}`, async () => {
    await page.goto('/login')
    await page.getByLabel('E-mail').fill(email)
    await page.getByLabel('Senha').fill(password)
    await page.getByTestId('login-submit').click()
    await page.waitForURL(/\/conversas$/)
    await page.getByTestId('conversation-list').waitFor({ state: 'visible' })
  })

  let conversationId = null
  await step('opens the customer conversation', async () => {
    await page.waitForTimeout(300) // let the EventSource connect
    await customerSays(inbound)
    const row = page
      .getByTestId('conversation-row')
      .filter({ has: page.getByTestId('conversation-preview').getByText(stamp) })
      .first()
    await row.waitFor({ state: 'visible' })
    conversationId = await row.getAttribute('data-id')
    await row.click()
    await page.waitForURL(new RegExp(`/conversas/${conversationId}$`))
    await page.getByTestId('message-text').filter({ hasText: stamp }).last().waitFor({ state: 'visible' })
    await page.getByTestId('window-clock').waitFor({ state: 'visible' })
    await page.getByTestId('contact-panel').waitFor({ state: 'visible' })
  })

  await step('F17 the padlock blocks and unblocks automatic messages', async () => {
    const lock = page.getByTestId('action-lock')
    await lock.hover()
    const tip = page.locator(`[id="${await lock.getAttribute('aria-describedby')}"]`)
    await tip.waitFor({ state: 'visible' })
    expect((await tip.textContent()).includes('saudação'), 'tooltip does not say what it blocks')
    for (const want of ['true', 'false']) {
      const [res] = await Promise.all([
        page.waitForResponse((r) => /\/api\/v1\/contacts\/[^/]+\/automation-block$/.test(r.url()) && r.request().method() === 'PUT'),
        lock.click(),
      ])
      expect(res.ok(), `PUT automation-block answered ${res.status()}`)
      expect(JSON.parse(res.request().postData()).blocked === (want === 'true'), 'wrong blocked value sent')
      await page.locator(`[data-testid="action-lock"][aria-pressed="${want}"]`).waitFor({ state: 'visible' })
    }
  })

  await step('F10 F12 selects two messages, creates a ticket from them and the chips appear', async () => {
    const second = `Pedido ${stamp} chegou quebrado`
    await customerSays(second)
    await page.getByTestId('message-text').filter({ hasText: second }).waitFor({ state: 'visible' })
    await page.getByTestId('selection-start').click()
    const rows = page.getByTestId('message').filter({ hasText: stamp })
    expect((await rows.count()) === 2, `expected 2 messages with the stamp, saw ${await rows.count()}`)
    for (let i = 0; i < 2; i++) await rows.nth(i).getByTestId('message-check').check()
    await page.getByTestId('selection-count').filter({ hasText: '2 selecionadas' }).waitFor({ state: 'visible' })
    const ids = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-id')))
    await page.getByTestId('selection-create').click()
    const dialog = page.getByTestId('create-ticket-dialog')
    await dialog.waitFor({ state: 'visible' })
    expect((await page.getByTestId('create-title').inputValue()).length > 0, 'the title is not prefilled')
    expect((await page.getByTestId('create-description').inputValue()).includes(second), 'the description does not quote the messages')
    await page.getByTestId('create-title').fill(`Pedido quebrado ${stamp}`)
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/v1/tickets') && r.request().method() === 'POST'),
      page.getByTestId('create-save').click(),
    ])
    expect(res.status() === 201, `POST /tickets answered ${res.status()}: ${await res.text()}`)
    const sent = JSON.parse(res.request().postData())
    expect(sent.conversation_id === conversationId, 'wrong conversation_id')
    expect(JSON.stringify([...sent.message_ids].sort()) === JSON.stringify([...ids].sort()), `message_ids ${sent.message_ids}`)
    const ticket = await res.json()
    await dialog.waitFor({ state: 'detached' })
    await page.getByTestId('selection-status').filter({ hasText: `#${ticket.number}` }).waitFor({ state: 'visible' })
    expect((await page.getByTestId('message-check').count()) === 0, 'still in selection mode')
    for (let i = 0; i < 2; i++) {
      await rows.nth(i).getByTestId('ticket-chip').filter({ hasText: `#${ticket.number}` }).waitFor({ state: 'visible' })
    }
  })

  await step('F31 the resumo dialog lists the new ticket', async () => {
    await page.getByTestId('action-summary').click()
    const dialog = page.getByTestId('summary-dialog')
    await dialog.waitFor({ state: 'visible' })
    await page.getByTestId('summary-tickets').filter({ hasText: `Pedido quebrado ${stamp}` }).waitFor({ state: 'visible' })
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
  })

  await step('F14 "/" + shortcut inserts a canned response rendered for this conversation', async () => {
    const input = page.getByTestId('composer-input')
    await input.fill('/ola')
    await page.getByTestId('canned-suggestion').first().waitFor({ state: 'visible' })
    await input.press('Enter')
    await page.waitForFunction(() => !document.querySelector('[data-testid="composer-input"]').value.startsWith('/'))
    const value = await input.inputValue()
    expect(!value.includes('{{'), `placeholders were not rendered: ${value}`)
    await input.fill('')
  })

  await step('F08 forwards to another team through the dialog and the history shows it', async () => {
    await page.getByTestId('action-forward').click()
    const dialog = page.getByTestId('forward-dialog')
    await dialog.waitFor({ state: 'visible' })
    const select = page.getByTestId('forward-team')
    await select.waitFor({ state: 'visible' })
    const target = await select.evaluate((el) => {
      const opt = [...el.options].find((o) => o.value && !o.disabled)
      return opt ? { value: opt.value, label: opt.textContent.trim() } : null
    })
    expect(target, 'no other team to forward to')
    await select.selectOption(target.value)
    await page.getByTestId('forward-note').fill(note)
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${conversationId}/forward`) && r.request().method() === 'POST'),
      page.getByTestId('forward-confirm').click(),
    ])
    expect(res.ok(), `POST …/forward answered ${res.status()}: ${await res.text()}`)
    expect((await res.json()).team_id === target.value, 'the conversation is not in the new team')
    await dialog.waitFor({ state: 'detached' })
    const event = page.getByTestId('timeline-event').filter({ hasText: note })
    await event.waitFor({ state: 'visible' })
    expect((await event.textContent()).includes(target.label), `the forward event does not name ${target.label}`)
  })

  await step('F16 the close dialog closes on Esc, then closes the conversation', async () => {
    await page.getByTestId('action-close').click()
    const dialog = page.getByTestId('close-dialog')
    await dialog.waitFor({ state: 'visible' })
    expect(await dialog.evaluate((el) => el.contains(document.activeElement)), 'focus is not in the dialog')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    await page.getByTestId('action-close').click()
    await dialog.waitFor({ state: 'visible' })
    await page.getByTestId('close-send-survey').setChecked(false)
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/api/v1/conversations/${conversationId}/close`) && r.request().method() === 'POST'),
      page.getByTestId('close-confirm').click(),
    ])
    expect(res.ok(), `POST …/close answered ${res.status()}: ${await res.text()}`)
    const sent = JSON.parse(res.request().postData())
    expect(sent.send_survey === false && typeof sent.send_closing_message === 'boolean', `close body ${JSON.stringify(sent)}`)
    await dialog.waitFor({ state: 'detached' })
    await page.getByTestId('conversation-status').filter({ hasText: 'Encerrada' }).waitFor({ state: 'visible' })
    await page.getByTestId('composer-closed').waitFor({ state: 'visible' })
    expect((await page.getByTestId('composer-input').count()) === 0, 'the composer is still on')
    expect((await page.getByTestId('action-close').count()) === 0, 'the close action is still shown')
  })

  await step('full-page screenshot of the closed conversation', async () => {
    const shot = resolve(artifacts, 'actions.png')
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
