import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import type { Message } from '@/api/conversations'
import { createAppI18n } from '@/i18n'
import { messageFixture } from '@/test/fetchMock'
import MessageBubble from './MessageBubble.vue'

function render(over: Record<string, unknown>) {
  return mount(MessageBubble, {
    props: { message: messageFixture(over) as unknown as Message },
    global: { plugins: [createAppI18n('pt-BR')] },
  })
}

describe('MessageBubble', () => {
  it('F07 shows ticks: ✓ sent, ✓✓ delivered, blue ✓✓ read, red ! failed with the reason', () => {
    const sent = render({ direction: 'out', status: 'sent' }).find('[data-testid="tick"]')
    expect(sent.text()).toBe('✓')
    expect(sent.attributes('title')).toBe('Enviada')
    const delivered = render({ direction: 'out', status: 'delivered' }).find('[data-testid="tick"]')
    expect(delivered.text()).toBe('✓✓')
    expect(delivered.classes()).not.toContain('tick--read')
    const read = render({ direction: 'out', status: 'read' }).find('[data-testid="tick"]')
    expect(read.text()).toBe('✓✓')
    expect(read.classes()).toContain('tick--read')
    const failed = render({
      direction: 'out',
      status: 'failed',
      error: { code: '131047', message: 'Mais de 24 horas desde a última mensagem' },
    }).find('[data-testid="tick"]')
    expect(failed.text()).toBe('!')
    expect(failed.classes()).toContain('tick--failed')
    expect(failed.attributes('title')).toBe('Falhou: Mais de 24 horas desde a última mensagem')
    expect(failed.attributes('aria-label')).toBe(failed.attributes('title'))
  })

  it('F07 shows no ticks on customer messages and places sides', () => {
    const w = render({ direction: 'in', status: 'received' })
    expect(w.find('[data-testid="tick"]').exists()).toBe(false)
    expect(w.find('.bubble-row--in').exists()).toBe(true)
    expect(render({ direction: 'out' }).find('.bubble-row--out').exists()).toBe(true)
    expect(render({ direction: 'note', author: { type: 'agent', name: 'Ana' } }).find('.bubble--note').text()).toContain('Nota interna')
    expect(render({ direction: 'out', author: { type: 'system' } }).find('.bubble--system').exists()).toBe(true)
  })

  it('F07 renders customer text as text: a <b> stays literal', () => {
    const w = render({ text: '<b>negrito</b> <img src=x onerror=alert(1)>' })
    const text = w.find('[data-testid="message-text"]')
    expect(text.text()).toBe('<b>negrito</b> <img src=x onerror=alert(1)>')
    expect(text.find('b').exists()).toBe(false)
    expect(text.find('img').exists()).toBe(false)
  })

  it('F07 links http(s) URLs safely and leaves javascript: as text', () => {
    const w = render({ text: 'Veja https://papo.example/a?b=1. e javascript:alert(1) ou <a href="x">y</a>' })
    const links = w.findAll('[data-testid="message-text"] a')
    expect(links).toHaveLength(1)
    expect(links[0]!.attributes('href')).toBe('https://papo.example/a?b=1')
    expect(links[0]!.attributes('rel')).toBe('noopener noreferrer')
    expect(links[0]!.attributes('target')).toBe('_blank')
    expect(w.find('[data-testid="message-text"]').text()).toBe(
      'Veja https://papo.example/a?b=1. e javascript:alert(1) ou <a href="x">y</a>',
    )
  })

  it('F07 marks edited and revoked messages', () => {
    expect(render({ edited_at: '2026-11-25T12:01:00Z' }).find('[data-testid="mark-edited"]').text()).toBe('editada')
    expect(render({ revoked_at: '2026-11-25T12:01:00Z' }).find('[data-testid="mark-revoked"]').text()).toBe(
      'apagada pelo cliente',
    )
  })
})
