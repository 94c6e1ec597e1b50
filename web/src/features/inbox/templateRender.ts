// Template helpers for the F15 composer, mirroring papo's rules (internal/whatsapp/template.go):
// positional values fill the TEXT header's {{n}} first, then the body's; named templates take each
// distinct {{name}} once (header first, then body). The preview is plain text: callers render it
// with text interpolation, never as HTML.
import type { Template, TemplateComponent } from '@/api/templates'

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g

export interface TemplateField {
  /** The key of the value: "1", "2" … (position in the values list, 1-based) or the name. */
  key: string
  /** The placeholder as written in the template, e.g. {{1}} or {{first_name}}. */
  placeholder: string
  part: 'header' | 'body'
}

function component(t: Template, type: string): TemplateComponent | undefined {
  return t.components?.find((c) => c.type?.toUpperCase() === type)
}

function headerText(t: Template): string {
  const h = component(t, 'HEADER')
  if (!h || (h.format && h.format.toUpperCase() !== 'TEXT')) return ''
  return h.text ?? ''
}

function bodyText(t: Template): string {
  return component(t, 'BODY')?.text ?? ''
}

function footerText(t: Template): string {
  return component(t, 'FOOTER')?.text ?? ''
}

function positionalCount(text: string): number {
  let n = 0
  for (const m of text.matchAll(PLACEHOLDER)) {
    const v = Number(m[1])
    if (Number.isInteger(v) && v > n && v <= 1000) n = v
  }
  return n
}

function namedParams(text: string, seen: string[]): string[] {
  for (const m of text.matchAll(PLACEHOLDER)) if (!seen.includes(m[1]!)) seen.push(m[1]!)
  return seen
}

export function isNamed(t: Template): boolean {
  return t.parameter_format === 'named'
}

/** templateFields lists the values a template takes, in the order papo expects them. */
export function templateFields(t: Template): TemplateField[] {
  const header = headerText(t)
  const body = bodyText(t)
  if (isNamed(t)) {
    const inHeader = namedParams(header, [])
    return namedParams(body, inHeader.slice()).map((name) => ({
      key: name,
      placeholder: `{{${name}}}`,
      part: inHeader.includes(name) ? 'header' : 'body',
    }))
  }
  const hn = positionalCount(header)
  const bn = positionalCount(body)
  const out: TemplateField[] = []
  for (let i = 1; i <= hn; i++) out.push({ key: String(i), placeholder: `{{${i}}}`, part: 'header' })
  for (let i = 1; i <= bn; i++) out.push({ key: String(hn + i), placeholder: `{{${i}}}`, part: 'body' })
  return out
}

/**
 * unsupportedReason says why papo refuses to send a template from the composer (a media or
 * location header, or a dynamic button), or null when it can be sent.
 */
export function unsupportedReason(t: Template): 'header' | 'buttons' | null {
  const h = component(t, 'HEADER')
  if (h?.format && h.format.toUpperCase() !== 'TEXT') return 'header'
  for (const c of t.components ?? []) {
    if (c.type?.toUpperCase() !== 'BUTTONS') continue
    for (const b of c.buttons ?? []) {
      const type = b.type?.toUpperCase()
      if (type === 'COPY_CODE' || (type === 'URL' && (b.url ?? '').includes('{{'))) return 'buttons'
    }
  }
  return null
}

/** renderTemplate returns the preview text: header, body and footer with the values in place. */
export function renderTemplate(t: Template, values: Record<string, string>): string {
  const named = isNamed(t)
  const header = headerText(t)
  const hn = named ? 0 : positionalCount(header)
  const subst = (text: string, offset: number) =>
    text.replace(PLACEHOLDER, (m, key: string) => {
      if (named) return values[key] ? values[key]! : m
      const n = Number(key)
      const v = Number.isInteger(n) && n >= 1 ? values[String(offset + n)] : undefined
      return v ? v : m
    })
  return [subst(header, 0), subst(bodyText(t), hn), footerText(t)].filter((p) => p !== '').join('\n\n')
}

/** templateParameters builds the `parameters` of a send: a list (positional) or an object (named). */
export function templateParameters(t: Template, values: Record<string, string>): string[] | Record<string, string> {
  const fields = templateFields(t)
  if (isNamed(t)) return Object.fromEntries(fields.map((f) => [f.key, values[f.key] ?? '']))
  return fields.map((f) => values[f.key] ?? '')
}

/** buttonLabels returns the quick-reply and link buttons shown under the preview. */
export function buttonLabels(t: Template): string[] {
  return (component(t, 'BUTTONS')?.buttons ?? []).map((b) => b.text ?? '').filter(Boolean)
}
