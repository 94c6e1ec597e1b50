import { createI18n } from 'vue-i18n'
import en from './locales/en.json'
import ptBR from './locales/pt-BR.json'

export type MessageSchema = typeof ptBR
export const SUPPORTED_LOCALES = ['pt-BR', 'en'] as const
export type AppLocale = (typeof SUPPORTED_LOCALES)[number]
export const DEFAULT_LOCALE: AppLocale = 'pt-BR'
export const LOCALE_STORAGE_KEY = 'papo.locale'

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value)
}

/** storedLocale reads the user's choice from localStorage (pt-BR when none). */
export function storedLocale(): AppLocale {
  try {
    const value = localStorage.getItem(LOCALE_STORAGE_KEY)
    return isAppLocale(value) ? value : DEFAULT_LOCALE
  } catch {
    return DEFAULT_LOCALE
  }
}

/** persistLocale remembers the choice and sets <html lang>. */
export function persistLocale(locale: AppLocale): void {
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, locale)
  } catch {
    // private mode or storage disabled: the choice lasts for this page only
  }
  document.documentElement.lang = locale
}

export function createAppI18n(locale: AppLocale = storedLocale()) {
  if (typeof document !== 'undefined') document.documentElement.lang = locale
  return createI18n<[MessageSchema], AppLocale, false>({
    legacy: false,
    locale,
    fallbackLocale: DEFAULT_LOCALE,
    messages: { 'pt-BR': ptBR, en },
  })
}
