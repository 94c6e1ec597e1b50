/** initials returns up to two letters for an avatar: first and last word of the name. */
export function initials(name: string | null | undefined, fallback = '?'): string {
  const words = (name ?? '')
    .replace(/[@._-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
  if (words.length === 0) return fallback
  const first = Array.from(words[0] ?? '')[0] ?? ''
  const last = words.length > 1 ? (Array.from(words[words.length - 1] ?? '')[0] ?? '') : ''
  return (first + last).toLocaleUpperCase()
}

const palette = ['#0f766e', '#1d4ed8', '#7c3aed', '#b45309', '#be185d', '#15803d', '#0369a1', '#4d7c0f']

/** avatarColor picks a stable background colour for a name. */
export function avatarColor(seed: string): string {
  let hash = 0
  for (const ch of seed) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0
  return palette[hash % palette.length] ?? palette[0]!
}
