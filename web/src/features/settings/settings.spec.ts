import { afterEach, describe, expect, it, vi } from 'vitest'
import { adminUser, apiError, mockFetch } from '@/test/fetchMock'
import { flushAll, mountApp } from '@/test/mountApp'

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

const settingsBody = {
  segmented_view: false,
  closing_message: { enabled: true, text: 'Tchau', template: 'encerramento', template_language: 'pt_BR' },
  survey: {
    on_manual_close: false,
    on_inactivity_close: false,
    question: 'Nota?',
    options: ['1', '2', '3'],
    answer_timeout_minutes: 60,
    template: '',
    template_language: '',
  },
  greeting: { enabled: false, text: '', template: 'ola', template_language: 'pt_BR' },
  out_of_hours: { enabled: false, text: 'Fechado', template: '', template_language: '' },
  inactivity_close: { enabled: false, hours: 24 },
}

const channel = {
  id: '1',
  name: 'Sandbox WhatsApp',
  phone_number_id: '106540352242922',
  waba_id: '102290129340398',
  display_phone_number: '5511940028922',
  default_team_id: 't1',
  graph_api_url: 'http://127.0.0.1/sandbox/graph',
  graph_api_version: 'v23.0',
  verify_token: 'verify-abc',
  messages_per_second: 80,
  webhook_url: 'http://127.0.0.1/webhooks/whatsapp',
  has_access_token: true,
  has_app_secret: true,
}
const teams = { items: [{ id: 't1', name: 'Suporte' }], next_cursor: null }
const users = {
  items: [
    { id: 'u1', name: 'Ana Admin', email: 'a@x', role: 'admin', team_ids: ['t1'], active: true },
    { id: 'u7', name: 'Carla Lima', email: 'c@x', role: 'agent', team_ids: ['t1'], active: true },
  ],
  next_cursor: null,
}

function api(extra: Record<string, unknown> = {}) {
  return mockFetch({
    'GET /api/v1/me': { body: adminUser },
    'GET /api/v1/settings': { body: settingsBody },
    'GET /api/v1/teams': { body: teams },
    'GET /api/v1/users': { body: users },
    'GET /api/v1/channels': { body: { items: [channel], next_cursor: null } },
    ...(extra as Record<string, never>),
  })
}

const q = <T extends HTMLElement = HTMLElement>(sel: string) => document.querySelector<T>(sel)

describe('Configurações menu', () => {
  it('shows Conversas at /configuracoes and links every section', async () => {
    api()
    const { wrapper, router } = await mountApp('/configuracoes')
    expect(wrapper.find('[data-testid="settings-conversations"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="settings-nav-canais"]').exists()).toBe(true)
    await wrapper.find('[data-testid="settings-nav-canais"]').trigger('click')
    await flushAll()
    expect(router.currentRoute.value.path).toBe('/configuracoes/canais')
    expect(wrapper.find('[data-testid="settings-channels"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="settings-nav-canais"]').attributes('aria-current')).toBe('page')
  })
})

describe('F21 F02 F28 F19 F20 Conversas settings', () => {
  it('F21 F02 PUTs the whole document, keeping fields the form does not edit, and confirms', async () => {
    const { calls } = api({
      'PUT /api/v1/settings': (call: { body: unknown }) => ({ body: call.body }),
    })
    const { wrapper } = await mountApp('/configuracoes/conversas')
    await wrapper.find('[data-testid="set-segmented"]').setValue(true)
    await wrapper.find('[data-testid="set-greeting-enabled"]').setValue(true)
    await wrapper.find('[data-testid="set-greeting-text"]').setValue('Olá! Já vamos responder.')
    await wrapper.find('[data-testid="set-survey-options"]').setValue('Ruim\n Bom \n\nÓtimo')
    await wrapper.find('[data-testid="set-survey-timeout"]').setValue('30')
    await wrapper.find('[data-testid="set-inactivity-enabled"]').setValue(true)
    await wrapper.find('[data-testid="set-inactivity-hours"]').setValue('12')
    await wrapper.find('[data-testid="settings-form"]').trigger('submit')
    await flushAll()
    const put = calls.find((c) => c.method === 'PUT')!
    expect(put.url).toBe('/api/v1/settings')
    expect(put.body).toEqual({
      segmented_view: true,
      closing_message: { enabled: true, text: 'Tchau', template: 'encerramento', template_language: 'pt_BR' },
      survey: {
        on_manual_close: false,
        on_inactivity_close: false,
        question: 'Nota?',
        options: ['Ruim', 'Bom', 'Ótimo'],
        answer_timeout_minutes: 30,
        template: '',
        template_language: '',
      },
      greeting: { enabled: true, text: 'Olá! Já vamos responder.', template: 'ola', template_language: 'pt_BR' },
      out_of_hours: { enabled: false, text: 'Fechado', template: '', template_language: '' },
      inactivity_close: { enabled: true, hours: 12 },
    })
    expect(wrapper.find('[data-testid="settings-saved"]').text()).toBe('Configurações salvas.')
  })

  it('F20 shows the API field errors next to their fields', async () => {
    api({
      'PUT /api/v1/settings': apiError(400, 'invalid_request', 'Some fields are invalid.', {
        details: { fields: { 'survey.options': 'between 2 and 10 options', 'inactivity_close.hours': 'between 1 and 720' } },
      }),
    })
    const { wrapper } = await mountApp('/configuracoes/conversas')
    await wrapper.find('[data-testid="set-survey-options"]').setValue('1')
    await wrapper.find('[data-testid="settings-form"]').trigger('submit')
    await flushAll()
    expect(wrapper.find('[data-testid="err-survey.options"]').text()).toBe('between 2 and 10 options')
    expect(wrapper.find('[data-testid="err-inactivity_close.hours"]').text()).toBe('between 1 and 720')
    expect(wrapper.find('[data-testid="settings-error"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="settings-saved"]').exists()).toBe(false)
  })
})

describe('F21 Canais WhatsApp', () => {
  it('F21 never renders a secret: shows "definido", webhook URL and verify token with copy buttons', async () => {
    api()
    const { wrapper } = await mountApp('/configuracoes/canais')
    const card = wrapper.find('[data-testid="channel-1"]')
    expect(card.find('[data-testid="channel-webhook-url"]').text()).toBe('http://127.0.0.1/webhooks/whatsapp')
    expect(card.find('[data-testid="channel-verify-token"]').text()).toBe('verify-abc')
    expect(card.find('[data-testid="channel-access-token"]').text()).toBe('definido')
    expect(card.find('[data-testid="channel-app-secret"]').text()).toBe('definido')
    expect(card.findAll('button').some((b) => b.text() === 'Copiar')).toBe(true)
  })

  it('F21 edits with PATCH sending secrets only when typed, and the form never holds their values', async () => {
    const { calls } = api({
      'PATCH /api/v1/channels/1': (call: { body: unknown }) => ({ body: { ...channel, ...(call.body as object), access_token: undefined } }),
    })
    const { wrapper } = await mountApp('/configuracoes/canais')
    await wrapper.find('[data-testid="channel-edit-1"]').trigger('click')
    await flushAll()
    const token = q<HTMLInputElement>('[data-testid="ch-access-token"]')!
    const secret = q<HTMLInputElement>('[data-testid="ch-app-secret"]')!
    expect(token.value).toBe('')
    expect(token.type).toBe('password')
    expect(secret.value).toBe('')
    expect(wrapper.find('[data-testid="ch-access-token-set"]').text()).toBe('definido')
    await wrapper.find('[data-testid="ch-name"]').setValue('Loja')
    await wrapper.find('[data-testid="ch-access-token"]').setValue('EAAG-new')
    await wrapper.find('#channel-form').trigger('submit')
    await flushAll()
    const patch = calls.find((c) => c.method === 'PATCH')!
    expect(patch.url).toBe('/api/v1/channels/1')
    expect(patch.body).toMatchObject({ name: 'Loja', access_token: 'EAAG-new' })
    expect(patch.body).not.toHaveProperty('app_secret')
    expect(wrapper.find('[data-testid="channel-dialog"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('EAAG-new')
    expect(wrapper.find('[data-testid="channel-1"]').text()).toContain('Loja')
  })

  it('F21 creates with POST and shows field errors in the dialog', async () => {
    const { calls } = api({
      'POST /api/v1/channels': apiError(400, 'invalid_request', 'Some fields are invalid.', {
        details: { fields: { phone_number_id: 'required' } },
      }),
    })
    const { wrapper } = await mountApp('/configuracoes/canais')
    await wrapper.find('[data-testid="channel-new"]').trigger('click')
    await flushAll()
    await wrapper.find('[data-testid="ch-name"]').setValue('Novo')
    await wrapper.find('#channel-form').trigger('submit')
    await flushAll()
    const post = calls.find((c) => c.method === 'POST' && c.url === '/api/v1/channels')!
    expect(post.body).toMatchObject({ name: 'Novo', default_team_id: 't1' })
    expect(post.body).not.toHaveProperty('access_token')
    expect(wrapper.find('[data-testid="channel-dialog"]').text()).toContain('required')
  })

  it('F21 syncs templates', async () => {
    const { calls } = api({ 'POST /api/v1/channels/1/templates/sync': { body: { items: [] } } })
    const { wrapper } = await mountApp('/configuracoes/canais')
    await wrapper.find('[data-testid="channel-sync-1"]').trigger('click')
    await flushAll()
    expect(calls.some((c) => c.method === 'POST' && c.url === '/api/v1/channels/1/templates/sync')).toBe(true)
    expect(wrapper.find('[data-testid="channel-sync-result-1"]').text()).toBe('Templates sincronizados.')
  })
})

describe('F29 Saúde do canal', () => {
  const health = {
    channel_id: '1',
    last_webhook_at: '2026-11-25T12:00:00Z',
    last_send_at: null,
    last_error: { code: '190', message: 'Token de acesso inválido (Error validating access token)', at: '2026-11-25T12:05:00Z' },
    token_problem: true,
    failed_messages_24h: 4,
    failed_deliveries: 1,
    waiting_statuses: 0,
  }
  const delivery = {
    id: 'd9',
    received_at: '2026-11-25T11:00:00Z',
    state: 'failed',
    error: 'item 0: bad timestamp',
    phone_number_ids: '106540352242922',
    items: 1,
    applied_at: null,
  }

  it('F29 shows the token problem prominently, the counts, and reapplies a failed delivery', async () => {
    const { calls } = api({
      'GET /api/v1/channels/1/health': { body: health },
      'GET /api/v1/webhook-deliveries': { body: { items: [delivery], next_cursor: null } },
      'POST /api/v1/webhook-deliveries/d9/reapply': { body: { delivery_id: 'd9', state: 'applied', reason: '' } },
    })
    const { wrapper } = await mountApp('/configuracoes/canais')
    await wrapper.find('[data-testid="channel-health-1"]').trigger('click')
    await flushAll()
    const problem = wrapper.find('[data-testid="health-token-problem"]')
    expect(problem.attributes('role')).toBe('alert')
    expect(problem.text()).toContain('O token de acesso expirou')
    expect(wrapper.find('[data-testid="health-last-error"]').text()).toContain('190')
    expect(wrapper.find('[data-testid="health-last-send"]').text()).toBe('nunca')
    expect(wrapper.find('[data-testid="health-failed-messages"]').text()).toBe('4')
    await wrapper.find('[data-testid="health-failed-deliveries"]').trigger('click')
    await flushAll()
    const list = calls.find((c) => c.url.startsWith('/api/v1/webhook-deliveries?'))!
    expect(list.url).toBe('/api/v1/webhook-deliveries?state=failed&channel_id=1')
    expect(wrapper.find('[data-testid="delivery-d9"]').text()).toContain('item 0: bad timestamp')
    await wrapper.find('[data-testid="reapply-d9"]').trigger('click')
    await flushAll()
    const reapply = calls.find((c) => c.method === 'POST' && c.url === '/api/v1/webhook-deliveries/d9/reapply')!
    expect(reapply.body).toBeUndefined()
    expect(wrapper.find('[data-testid="reapply-result-d9"]').text()).toBe('Reaplicada.')
  })

  it('F29 shows no token alert when the channel is fine', async () => {
    api({
      'GET /api/v1/channels/1/health': {
        body: { ...health, token_problem: false, last_error: null, failed_deliveries: 0, failed_messages_24h: 0 },
      },
    })
    const { wrapper } = await mountApp('/configuracoes/canais')
    await wrapper.find('[data-testid="channel-health-1"]').trigger('click')
    await flushAll()
    expect(wrapper.find('[data-testid="channel-health"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="health-token-problem"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="health-last-error"]').text()).toBe('nenhum')
  })
})

describe('F20 Relatório de pesquisas', () => {
  it('F20 asks the report with the period and filters, and draws the bars and per-agent averages', async () => {
    const { calls } = api({
      'GET /api/v1/reports/surveys': {
        body: {
          sent: 10,
          answered: 6,
          expired: 2,
          average: 4.1666,
          distribution: { '5': 4, '3': 2, '10': 0 },
          by_agent: [{ agent_id: 'u7', answered: 6, average: 4.5 }],
        },
      },
    })
    const { wrapper } = await mountApp('/configuracoes/relatorio-pesquisas')
    expect(wrapper.find('[data-testid="report-sent"]').text()).toBe('10')
    expect(wrapper.find('[data-testid="report-answered"]').text()).toBe('6')
    expect(wrapper.find('[data-testid="report-expired"]').text()).toBe('2')
    expect(wrapper.find('[data-testid="report-average"]').text()).toBe('4,17')
    const bars = wrapper.findAll('[data-testid^="bar-"]')
    expect(bars.map((b) => b.attributes('data-testid'))).toEqual(['bar-3', 'bar-5', 'bar-10'])
    expect(wrapper.find('[data-testid="bar-5"] .set-bar__fill').attributes('style')).toContain('width: 100%')
    expect(wrapper.find('[data-testid="bar-3"] .set-bar__fill').attributes('style')).toContain('width: 50%')
    expect(wrapper.find('[data-testid="bar-10"] .set-bar__fill').attributes('style')).toContain('width: 0%')
    expect(wrapper.find('[data-testid="report-agent-u7"]').text()).toContain('Carla Lima')
    expect(wrapper.find('[data-testid="report-agent-u7"]').text()).toContain('4,5')

    await wrapper.find('[data-testid="report-from"]').setValue('2026-11-01')
    await wrapper.find('[data-testid="report-to"]').setValue('2026-11-30')
    await wrapper.find('[data-testid="report-team"]').setValue('t1')
    await wrapper.find('[data-testid="report-agent"]').setValue('u7')
    await wrapper.find('[data-testid="report-filters"]').trigger('submit')
    await flushAll()
    const last = calls.filter((c) => c.url.startsWith('/api/v1/reports/surveys')).at(-1)!
    expect(last.url).toBe('/api/v1/reports/surveys?from=2026-11-01&to=2026-12-01&team_id=t1&agent_id=u7')
  })
})
