import { computed } from 'vue'
import { useI18n } from 'vue-i18n'
import { isAppLocale, persistLocale, SUPPORTED_LOCALES, type AppLocale } from '@/i18n'

/** useLocaleSwitch reads and changes the interface language (kept in localStorage). */
export function useLocaleSwitch() {
  const { locale } = useI18n({ useScope: 'global' })

  const current = computed<AppLocale>(() => (isAppLocale(locale.value) ? locale.value : 'pt-BR'))

  function setLocale(next: AppLocale) {
    locale.value = next
    persistLocale(next)
  }

  return { locale: current, locales: SUPPORTED_LOCALES, setLocale }
}
