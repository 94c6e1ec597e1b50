/** A piece of message text: plain, or a link papo may render (http and https only). */
export interface TextSegment {
  text: string
  href?: string
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi
const TRAILING = /[.,;:!?)\]}'"]+$/

/**
 * linkify splits plain text into text and http(s) links. It never produces HTML: the caller
 * renders each segment as text (links as <a> with rel="noopener noreferrer"). Anything that
 * is not http(s) — javascript:, data:, mailto: — stays text.
 */
export function linkify(text: string): TextSegment[] {
  const out: TextSegment[] = []
  let last = 0
  for (const match of text.matchAll(URL_RE)) {
    let url = match[0]
    const trail = url.match(TRAILING)?.[0] ?? ''
    if (trail) url = url.slice(0, -trail.length)
    const start = match.index ?? 0
    let href: string | null = null
    try {
      const parsed = new URL(url)
      if (parsed.protocol === 'http:' || parsed.protocol === 'https:') href = parsed.href
    } catch {
      href = null
    }
    if (!href) continue
    if (start > last) out.push({ text: text.slice(last, start) })
    out.push({ text: url, href })
    last = start + url.length
  }
  if (last < text.length) out.push({ text: text.slice(last) })
  return out
}
