import { isApiError } from '@/api/http'

type Translate = (key: string, named?: Record<string, unknown>) => string
type Exists = (key: string) => boolean

/**
 * apiErrorMessage turns any thrown value into text for the user: `errors.<code>` from the
 * catalogue when it exists, otherwise the server's own (safe to show) message.
 */
export function apiErrorMessage(err: unknown, t: Translate, te: Exists): string {
  if (isApiError(err)) {
    const key = `errors.${err.code}`
    if (te(key)) return t(key)
    if (err.message) return err.message
  }
  return t('errors.unknown_error')
}
