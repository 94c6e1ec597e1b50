import { describe, expect, it } from 'vitest'
import type { Template } from '@/api/templates'
import { renderTemplate, templateFields, templateParameters, unsupportedReason } from './templateRender'

const tpl = (over: Partial<Template>): Template => ({
  name: 'x',
  language: 'pt_BR',
  status: 'APPROVED',
  category: 'UTILITY',
  parameter_format: 'positional',
  components: [],
  ...over,
})

describe('F15 template rendering', () => {
  it('F15 positional values fill the header first, then the body; missing ones stay as placeholders', () => {
    const t = tpl({
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Pedido {{1}}' },
        { type: 'BODY', text: '{{2}} e {{1}} de novo {{ 1 }}' },
      ],
    })
    expect(templateFields(t).map((f) => [f.key, f.placeholder, f.part])).toEqual([
      ['1', '{{1}}', 'header'],
      ['2', '{{1}}', 'body'],
      ['3', '{{2}}', 'body'],
    ])
    expect(renderTemplate(t, { '1': 'A', '2': 'B' })).toBe('Pedido A\n\n{{2}} e B de novo B')
    expect(templateParameters(t, { '1': 'A', '2': 'B', '3': 'C' })).toEqual(['A', 'B', 'C'])
  })

  it('F15 named values are taken once each, header first; HTML stays as typed', () => {
    const t = tpl({
      parameter_format: 'named',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Oi {{nome}}' },
        { type: 'BODY', text: '{{pedido}} para {{nome}}' },
      ],
    })
    expect(templateFields(t).map((f) => f.key)).toEqual(['nome', 'pedido'])
    expect(renderTemplate(t, { nome: '<i>Ana</i>', pedido: '#1' })).toBe('Oi <i>Ana</i>\n\n#1 para <i>Ana</i>')
    expect(templateParameters(t, { nome: 'Ana', pedido: '#1' })).toEqual({ nome: 'Ana', pedido: '#1' })
  })

  it('F15 media headers and dynamic buttons are not sendable from the composer', () => {
    expect(unsupportedReason(tpl({ components: [{ type: 'HEADER', format: 'IMAGE' }] }))).toBe('header')
    expect(
      unsupportedReason(tpl({ components: [{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Ver', url: 'https://x/{{1}}' }] }] })),
    ).toBe('buttons')
    expect(
      unsupportedReason(tpl({ components: [{ type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Ver', url: 'https://x/' }] }] })),
    ).toBeNull()
  })
})
