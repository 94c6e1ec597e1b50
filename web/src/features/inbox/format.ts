// Dates and times as the inbox shows them, in the UI's locale.

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate()
}

function yesterdayOf(now: Date): Date {
  const d = new Date(now)
  d.setDate(d.getDate() - 1)
  return d
}

export type Translate = (key: string, named?: Record<string, unknown>) => string

/** timeOf is HH:MM. */
export function timeOf(iso: string, locale: string): string {
  return new Date(iso).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })
}

/** fullDate is for title attributes: date and time. */
export function fullDate(iso: string, locale: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' })
}

/**
 * relativeTime is the list's short time: "agora", "5 min", the time today, "ontem", then the date.
 */
export function relativeTime(iso: string, locale: string, t: Translate, now = new Date()): string {
  const at = new Date(iso)
  if (Number.isNaN(at.getTime())) return ''
  const minutes = Math.floor((now.getTime() - at.getTime()) / 60000)
  if (minutes < 1) return t('conversation.time.now')
  if (minutes < 60) return t('conversation.time.minutes', { n: minutes })
  if (sameDay(at, now)) return timeOf(iso, locale)
  if (sameDay(at, yesterdayOf(now))) return t('conversation.time.yesterday')
  const opts: Intl.DateTimeFormatOptions =
    at.getFullYear() === now.getFullYear() ? { day: '2-digit', month: '2-digit' } : { day: '2-digit', month: '2-digit', year: '2-digit' }
  return at.toLocaleDateString(locale, opts)
}

/** dayLabel is the timeline's day separator: "Hoje", "Ontem" or the long date. */
export function dayLabel(iso: string, locale: string, t: Translate, now = new Date()): string {
  const at = new Date(iso)
  if (sameDay(at, now)) return t('conversation.time.today')
  if (sameDay(at, yesterdayOf(now))) return t('conversation.time.yesterdayLong')
  return at.toLocaleDateString(locale, { day: 'numeric', month: 'long', year: 'numeric' })
}

/** dayKey groups timestamps by local day. */
export function dayKey(iso: string): string {
  const d = new Date(iso)
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`
}
