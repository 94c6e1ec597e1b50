import { mount } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAppI18n } from '@/i18n'
import { adminUser, apiError, conversationFixture, messageFixture, mockFetch, type RecordedCall } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'
import WindowClock from './WindowClock.vue'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const PAST = '2020-01-01T00:00:00Z'

const settingsBody = {
  segmented_view: false,
  closing_message: { enabled: true, text: 'Tchau', template: '', template_language: '' },
  survey: { on_manual_close: false, on_inactivity_close: false, question: 'Nota?', options: ['1', '2'], answer_timeout_minutes: 60, template: '', template_language: '' },
}

const teams = {
  items: [
    { id: 't1', name: 'Suporte' },
    { id: 't2', name: 'Financeiro' },
  ],
  next_cursor: null,
}

const positional = {
  name: 'atualizacao_pedido',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'positional',
  parameters: null,
  parameter_count: 3,
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}' },
    { type: 'BODY', text: 'Olá {{1}}, o seu pedido foi {{2}}.' },
    { type: 'FOOTER', text: 'Responda SAIR' },
    { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Falar com atendente' }] },
  ],
}
const named = {
  name: 'retomar_atendimento',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'named',
  parameters: ['first_name'],
  parameter_count: 1,
  components: [{ type: 'BODY', text: 'Oi {{first_name}}, podemos continuar?' }],
}
const imageHeader = {
  name: 'novidades_loja',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'MARKETING',
  parameter_format: 'positional',
  components: [{ type: 'HEADER', format: 'IMAGE' }, { type: 'BODY', text: '{{1}}, novidades!' }],
}

function inbox(opts: { conv?: Record<string, unknown>; settings?: Record<string, unknown>; extra?: Record<string, unknown> } = {}) {
  const conv = conversationFixture({ id: 'c1', ...opts.conv })
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/settings': { body: opts.settings ?? settingsBody },
    'GET /api/v1/conversations': { body: { items: [conv], next_cursor: null } },
    'GET /api/v1/conversations/c1': { body: conv },
    'GET /api/v1/conversations/c1/timeline': {
      body: { items: [{ kind: 'message', message: messageFixture({ conversation_id: 'c1' }) }], next_cursor: null },
    },
    'POST /api/v1/conversations/c1/read': { body: { ...conv, unread_count: 0 } },
    'GET /api/v1/teams': { body: teams },
    ...(opts.extra as Record<string, never>),
  })
}

const q = (sel: string) => document.querySelector<HTMLElement>(sel)

describe('F16 Encerrar conversa', () => {
  it('F16 defaults the checkboxes from the settings, sends them, and shows the conversation closed', async () => {
    const closed = conversationFixture({ id: 'c1', status: 'closed', closed_at: '2026-11-25T13:00:00Z', closed_reason: 'manual' })
    const { calls } = inbox({ extra: { 'POST /api/v1/conversations/c1/close': { body: closed } } })
    const { wrapper } = await mountApp('/conversas/c1')
    const btn = wrapper.find('[data-testid="action-close"]')
    expect(btn.attributes('aria-label')).toBe('Encerrar conversa')
    expect(btn.element.parentElement!.querySelector('[role="tooltip"]')!.textContent).toBe('Encerrar conversa')
    await btn.trigger('click')
    await flushAll()
    const dialog = wrapper.find('[data-testid="close-dialog"]')
    expect(dialog.attributes('role')).toBe('dialog')
    expect(dialog.attributes('aria-modal')).toBe('true')
    expect(dialog.text()).toContain('Enviar mensagem de encerramento')
    expect(dialog.text()).toContain('Enviar pesquisa de satisfação')
    const closing = wrapper.find<HTMLInputElement>('[data-testid="close-send-closing"]')
    const survey = wrapper.find<HTMLInputElement>('[data-testid="close-send-survey"]')
    expect(closing.element.checked).toBe(true)
    expect(survey.element.checked).toBe(false)
    // The window is open (fixture): no F28 warning.
    expect(wrapper.find('[data-testid="close-no-template"]').exists()).toBe(false)
    await survey.setValue(true)
    await wrapper.find('#close-form').trigger('submit')
    await flushAll()
    const call = calls.find((c) => c.method === 'POST' && c.url.endsWith('/c1/close'))!
    expect(call.body).toEqual({ send_closing_message: true, send_survey: true })
    expect(wrapper.find('[data-testid="close-dialog"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="conversation-status"]').text()).toBe('Encerrada')
    expect(wrapper.find('[data-testid="composer-closed"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="composer-input"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="action-close"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="action-forward"]').exists()).toBe(false)
  })

  it('F28 says the closing message will not be sent when the window closed and no template is set', async () => {
    inbox({ conv: { window_expires_at: PAST } })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="action-close"]').trigger('click')
    await flushAll()
    const warn = wrapper.find('[data-testid="close-no-template"]')
    expect(warn.exists()).toBe(true)
    expect(warn.text()).toContain('a mensagem de encerramento não será enviada')
    // Unchecking the closing message removes the warning (nothing would be sent anyway).
    await wrapper.find('[data-testid="close-send-closing"]').setValue(false)
    expect(wrapper.find('[data-testid="close-no-template"]').exists()).toBe(false)
  })

  it('F28 no warning when a closing template is configured', async () => {
    inbox({
      conv: { window_expires_at: PAST },
      settings: { ...settingsBody, closing_message: { enabled: true, text: 'Tchau', template: 'encerramento', template_language: 'pt_BR' } },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="action-close"]').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="close-send-closing"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="close-no-template"]').exists()).toBe(false)
  })

  it('F16 shows an API error inside the dialog, traps Tab and closes on Esc', async () => {
    inbox({ extra: { 'POST /api/v1/conversations/c1/close': apiError(409, 'conflict', 'This conversation is closed.') } })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="action-close"]').trigger('click')
    await flushAll()
    const box = q('[data-testid="close-dialog"]')!
    expect(box.contains(document.activeElement)).toBe(true)
    await wrapper.find('#close-form').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="close-dialog"] [data-testid="dialog-error"]').text()).toContain('Isso mudou')
    expect(wrapper.find('[data-testid="conversation-status"]').text()).toBe('Pendente')
    // Focus trap: Tab on the last focusable goes to the first, Shift+Tab on the first to the last.
    const focusables = [...box.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled])')]
    focusables[focusables.length - 1]!.focus()
    await wrapper.find('[data-testid="close-dialog"]').trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(focusables[0])
    await wrapper.find('[data-testid="close-dialog"]').trigger('keydown', { key: 'Tab', shiftKey: true })
    expect(document.activeElement).toBe(focusables[focusables.length - 1])
    await wrapper.find('[data-testid="close-dialog"]').trigger('keydown', { key: 'Escape' })
    expect(wrapper.find('[data-testid="close-dialog"]').exists()).toBe(false)
  })
})

describe('F08 Encaminhar conversa para outra equipe', () => {
  it('F08 lists the other teams, sends team and note, and shows the forward event', async () => {
    const forwarded = conversationFixture({ id: 'c1', team_id: 't2' })
    let timelineCalls = 0
    const { calls } = inbox({
      extra: {
        'POST /api/v1/conversations/c1/forward': { body: forwarded },
        'GET /api/v1/conversations/c1/timeline': () => {
          timelineCalls++
          const items: unknown[] = [{ kind: 'message', message: messageFixture({ conversation_id: 'c1' }) }]
          if (timelineCalls > 1)
            items.push({
              kind: 'event',
              event: { id: 'e1', conversation_id: 'c1', type: 'forwarded', actor_name: 'Ana Admin', from_team_name: 'Suporte', to_team_name: 'Financeiro', note: 'boleto', at: '2026-11-25T12:05:00Z' },
            })
          return { body: { items, next_cursor: null } }
        },
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    expect(wrapper.find('[data-testid="action-forward"]').attributes('aria-label')).toBe('Encaminhar conversa para outra equipe')
    await wrapper.find('[data-testid="action-forward"]').trigger('click')
    await flushAll()
    const options = wrapper.findAll('[data-testid="forward-team"] option').map((o) => o.text())
    expect(options).toEqual(['Escolha uma equipe', 'Financeiro'])
    // Submitting without a team says so in the dialog.
    await wrapper.find('#forward-form').trigger('submit')
    expect(wrapper.find('[data-testid="forward-team-error"]').text()).toBe('Escolha uma equipe')
    await wrapper.find('[data-testid="forward-team"]').setValue('t2')
    await wrapper.find('[data-testid="forward-note"]').setValue('  boleto  ')
    await wrapper.find('#forward-form').trigger('submit')
    await flushAll()
    expect(calls.find((c) => c.url.endsWith('/c1/forward'))!.body).toEqual({ team_id: 't2', note: 'boleto' })
    expect(wrapper.find('[data-testid="forward-dialog"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="timeline-event"]').text()).toContain('Ana Admin encaminhou de Suporte para Financeiro')
  })

  it('F08 shows a 400 on team_id next to the field', async () => {
    inbox({
      extra: {
        'POST /api/v1/conversations/c1/forward': apiError(400, 'invalid_request', 'Some fields are invalid.', {
          details: { fields: { team_id: 'the conversation is already in this team' } },
        }),
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="action-forward"]').trigger('click')
    await flushAll()
    await wrapper.find('[data-testid="forward-team"]').setValue('t2')
    await wrapper.find('#forward-form').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="forward-team-error"]').text()).toBe('the conversation is already in this team')
    expect(wrapper.find('[data-testid="forward-dialog"] [data-testid="dialog-error"]').exists()).toBe(true)
  })

  it('F08 the teams list failing shows an error in the dialog', async () => {
    inbox({ extra: { 'GET /api/v1/teams': apiError(503, 'unavailable', 'down') } })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="action-forward"]').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="forward-teams-error"]').text()).toContain('Não foi possível carregar as equipes.')
  })
})

describe('F17 cadeado', () => {
  it('F17 toggles the automation block with PUT and shows the state; the tooltip explains it', async () => {
    const { calls } = inbox({
      extra: {
        'PUT /api/v1/contacts/k1/automation-block': (call: RecordedCall) => ({
          body: { ...conversationFixture().contact, automation_blocked: (call.body as { blocked: boolean }).blocked },
        }),
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    const lock = () => wrapper.find('[data-testid="action-lock"]')
    expect(lock().attributes('aria-pressed')).toBe('false')
    expect(lock().attributes('aria-label')).toBe('Bloquear mensagens automáticas')
    const tip = document.getElementById(lock().attributes('aria-describedby')!)!
    expect(tip.getAttribute('role')).toBe('tooltip')
    for (const word of ['saudação', 'fora do horário', 'mensagem de encerramento', 'pesquisa', 'atendentes continuam']) {
      expect(tip.textContent).toContain(word)
    }
    await lock().trigger('click')
    await flushAll()
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ blocked: true }])
    expect(lock().attributes('aria-pressed')).toBe('true')
    expect(lock().attributes('data-blocked')).toBe('true')
    expect(lock().attributes('aria-label')).toBe('Mensagens automáticas bloqueadas')
    expect(wrapper.find('[data-testid="contact-automation"]').text()).toBe('Bloqueadas')
    await lock().trigger('click')
    await flushAll()
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ blocked: true }, { blocked: false }])
    expect(lock().attributes('aria-pressed')).toBe('false')
  })

  it('F17 a failed toggle keeps the state and shows the error', async () => {
    inbox({ extra: { 'PUT /api/v1/contacts/k1/automation-block': apiError(403, 'forbidden', 'no') } })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="action-lock"]').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="action-lock"]').attributes('aria-pressed')).toBe('false')
    expect(wrapper.find('.pane__action-error').text()).toContain('permissão')
  })
})

describe('F15 window clock and template composer', () => {
  function clock(expiresAt: string | null, now: number) {
    return mount(WindowClock, { props: { expiresAt, now }, global: { plugins: [createAppI18n('pt-BR')] } })
  }

  it('F15 the clock shows the time left, amber under one hour', () => {
    const now = Date.parse('2026-11-25T12:00:00Z')
    const ok = clock('2026-11-26T10:30:00Z', now)
    expect(ok.attributes('data-state')).toBe('ok')
    expect(ok.classes()).not.toContain('is-amber')
    expect(ok.text()).toContain('22 h 30 min')
    const amber = clock('2026-11-25T12:45:00Z', now)
    expect(amber.attributes('data-state')).toBe('amber')
    expect(amber.classes()).toContain('is-amber')
    expect(amber.text()).toContain('45 min')
    expect(clock('2026-11-25T11:00:00Z', now).attributes('data-state')).toBe('closed')
  })

  it('F15 an open window shows the clock next to the text composer', async () => {
    inbox({ conv: { window_expires_at: new Date(Date.now() + 30 * 60_000).toISOString() } })
    const { wrapper } = await mountApp('/conversas/c1')
    expect(wrapper.find('[data-testid="composer-input"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="window-clock"]').attributes('data-state')).toBe('amber')
    expect(wrapper.find('[data-testid="template-composer"]').exists()).toBe(false)
  })

  it('F15 a closed window turns the composer into the template sender with a live text preview', async () => {
    const { calls } = inbox({
      conv: { window_expires_at: PAST },
      extra: {
        'GET /api/v1/channels/1/templates': { body: { items: [positional, named, imageHeader], next_cursor: null } },
        'POST /api/v1/conversations/c1/messages': {
          status: 202,
          body: messageFixture({ id: 'm9', conversation_id: 'c1', direction: 'out', type: 'template', text: 'Pedido #1', status: 'queued' }),
        },
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    expect(wrapper.find('[data-testid="composer-input"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="template-composer"]').text()).toContain('Enviar template de mensagem')
    expect(calls.find((c) => c.url.includes('/channels/1/templates'))!.url).toContain('status=APPROVED')
    const options = wrapper.findAll('[data-testid="template-select"] option')
    expect(options.map((o) => o.text())).toEqual([
      'Escolha um template',
      'atualizacao_pedido · pt_BR · UTILITY',
      'retomar_atendimento · pt_BR · UTILITY',
      'novidades_loja · pt_BR · MARKETING (não suportado aqui)',
    ])
    expect(options[3]!.attributes('disabled')).toBeDefined()
    await wrapper.find('[data-testid="template-select"]').setValue('atualizacao_pedido|pt_BR')
    // Header {{1}} then body {{1}}, {{2}}: three positional values.
    expect(wrapper.findAll('[data-testid^="template-param-"]')).toHaveLength(3)
    const preview = () => wrapper.find('[data-testid="template-preview"]')
    expect(preview().text()).toContain('Pedido {{1}}')
    await wrapper.find('[data-testid="template-param-1"]').setValue('#4821')
    await wrapper.find('[data-testid="template-param-2"]').setValue('<b>Maria</b>')
    await wrapper.find('[data-testid="template-param-3"]').setValue('enviado')
    expect(preview().text()).toContain('Pedido #4821')
    expect(preview().text()).toContain('Olá <b>Maria</b>, o seu pedido foi enviado.')
    expect(preview().text()).toContain('Responda SAIR')
    expect(preview().find('b').exists()).toBe(false)
    await wrapper.find('[data-testid="template-composer"]').trigger('submit')
    await flushAll()
    const sent = calls.find((c) => c.method === 'POST' && c.url.endsWith('/c1/messages'))!
    expect(sent.body).toEqual({
      type: 'template',
      template: { name: 'atualizacao_pedido', language: 'pt_BR', parameters: ['#4821', '<b>Maria</b>', 'enviado'] },
    })
    expect(sent.headers['idempotency-key']).toBeTruthy()
    expect(wrapper.findAll('[data-testid="message"]').map((m) => m.attributes('data-id'))).toContain('m9')
  })

  it('F15 named templates send an object; a 400 on template.parameters shows next to the fields', async () => {
    const { calls } = inbox({
      conv: { window_expires_at: null },
      extra: {
        'GET /api/v1/channels/1/templates': { body: { items: [named], next_cursor: null } },
        'POST /api/v1/conversations/c1/messages': apiError(400, 'invalid_request', 'Some fields are invalid.', {
          details: { fields: { 'template.parameters': 'parameter first_name is empty' } },
        }),
      },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    await wrapper.find('[data-testid="template-select"]').setValue('retomar_atendimento|pt_BR')
    // Empty fields are caught before sending.
    await wrapper.find('[data-testid="template-composer"]').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="template-error-parameters"]').text()).toBe('Preencha todos os campos.')
    expect(calls.some((c) => c.method === 'POST' && c.url.endsWith('/messages'))).toBe(false)
    await wrapper.find('[data-testid="template-param-first_name"]').setValue('Maria')
    expect(wrapper.find('[data-testid="template-preview"]').text()).toBe('Oi Maria, podemos continuar?')
    await wrapper.find('[data-testid="template-composer"]').trigger('submit')
    await flushAll()
    const sent = calls.find((c) => c.method === 'POST' && c.url.endsWith('/c1/messages'))!
    expect((sent.body as { template: unknown }).template).toEqual({ name: 'retomar_atendimento', language: 'pt_BR', parameters: { first_name: 'Maria' } })
    expect(wrapper.find('[data-testid="template-error-parameters"]').text()).toBe('parameter first_name is empty')
    expect(wrapper.findAll('[data-testid="message"]')).toHaveLength(1)
  })

  it('F15 no approved templates shows an empty state', async () => {
    inbox({ conv: { window_expires_at: PAST }, extra: { 'GET /api/v1/channels/1/templates': { body: { items: [], next_cursor: null } } } })
    const { wrapper } = await mountApp('/conversas/c1')
    expect(wrapper.find('[data-testid="template-empty"]').text()).toContain('Nenhum template aprovado')
  })
})

describe('F13 contact panel', () => {
  it('F13 shows the contact, the registered customer and the last ticket link; collapses', async () => {
    inbox({
      conv: {
        contact: {
          ...conversationFixture().contact,
          customer_id: 'cu1',
          last_whatsapp_ticket: { id: 'tk', number: 42, title: 'Boleto <vencido>', status: 'open' },
        },
      },
      extra: { 'GET /api/v1/customers/cu1': { body: { id: 'cu1', name: 'Maria Silva', email: 'maria@example.com', phones: [], organization: 'Padaria Silva' } } },
    })
    const { wrapper } = await mountApp('/conversas/c1')
    const panel = wrapper.find('[data-testid="contact-panel"]')
    expect(panel.find('[data-testid="contact-name"]').text()).toBe('Maria Silva')
    expect(panel.find('[data-testid="contact-phone"]').text()).toBe('+5511987654321')
    expect(panel.find('[data-testid="contact-profile"]').text()).toBe('Cliente 4321')
    expect(panel.find('[data-testid="contact-customer"]').text()).toContain('Padaria Silva')
    const link = panel.find('[data-testid="contact-last-ticket-link"]')
    expect(link.attributes('href')).toBe('/chamados/42')
    expect(link.text()).toBe('#42 — Boleto <vencido>')
    expect(wrapper.find('[data-testid="last-ticket-link"]').attributes('href')).toBe('/chamados/42')
    await wrapper.find('[data-testid="action-panel"]').trigger('click')
    expect(wrapper.find('[data-testid="contact-panel"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="action-panel"]').attributes('aria-pressed')).toBe('false')
  })

  it('F13 an unregistered contact without tickets says so', async () => {
    inbox()
    const { wrapper } = await mountApp('/conversas/c1')
    expect(wrapper.find('[data-testid="contact-customer"]').text()).toBe('Número não cadastrado')
    expect(wrapper.find('[data-testid="contact-last-ticket"]').text()).toBe('Nenhum chamado')
    expect(wrapper.find('[data-testid="last-ticket-link"]').exists()).toBe(false)
  })
})
