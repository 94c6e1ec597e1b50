import { describe, expect, it } from 'vitest'
import { createAppI18n } from '@/i18n'
import en from './en.json'
import ptBR from './pt-BR.json'

type Tree = { [key: string]: string | Tree }

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>()
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof value === 'string') out.set(path, value)
    else for (const [k, v] of flatten(value, path)) out.set(k, v)
  }
  return out
}

const catalogues = { 'pt-BR': flatten(ptBR), en: flatten(en) }

// Every error code of the API contract (api.md, Conventions) plus the client's own.
const errorCodes = [
  'unauthenticated',
  'forbidden',
  'not_found',
  'invalid_request',
  'conflict',
  'window_closed',
  'ticket_not_found',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'unavailable',
  'network_error',
  'server_error',
  'unknown_error',
]

describe('locale catalogues', () => {
  it('have the same keys in pt-BR and en', () => {
    const pt = [...catalogues['pt-BR'].keys()].sort()
    const english = [...catalogues.en.keys()].sort()
    expect(english.filter((k) => !catalogues['pt-BR'].has(k)), 'keys only in en.json').toEqual([])
    expect(pt.filter((k) => !catalogues.en.has(k)), 'keys only in pt-BR.json').toEqual([])
  })

  it('have no empty messages', () => {
    for (const [locale, messages] of Object.entries(catalogues)) {
      const empty = [...messages].filter(([, v]) => !v.trim()).map(([k]) => `${locale}:${k}`)
      expect(empty).toEqual([])
    }
  })

  it('use the same placeholders in both languages', () => {
    const names = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    const mismatched = [...catalogues['pt-BR']]
      .filter(([key, value]) => JSON.stringify(names(value)) !== JSON.stringify(names(catalogues.en.get(key) ?? '')))
      .map(([key]) => key)
    expect(mismatched).toEqual([])
  })

  it('translate every API error code', () => {
    for (const messages of Object.values(catalogues)) {
      expect(errorCodes.filter((code) => !messages.has(`errors.${code}`))).toEqual([])
    }
  })

  it('compile every message (no stray vue-i18n syntax)', () => {
    for (const locale of ['pt-BR', 'en'] as const) {
      const { global } = createAppI18n(locale)
      for (const key of catalogues[locale].keys()) {
        const text = global.t(key, { count: 2, n: 2, id: 'x', number: 1, name: 'n', path: '/p', seconds: 3, section: 's' })
        expect(text, `${locale}:${key}`).not.toBe(key)
      }
    }
  })
})
