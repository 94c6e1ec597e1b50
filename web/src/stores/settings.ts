import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { isApiError } from '@/api/http'
import { settingsApi, type Settings } from '@/api/settings'

/** The workspace settings (`GET /settings`), loaded after sign-in. */
export const useSettingsStore = defineStore('settings', () => {
  const settings = ref<Settings | null>(null)
  const loading = ref(false)
  const error = ref<string | null>(null)

  const segmentedView = computed(() => settings.value?.segmented_view ?? false)

  async function load(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      settings.value = await settingsApi.get()
    } catch (err) {
      error.value = isApiError(err) ? err.code : 'unknown_error'
    } finally {
      loading.value = false
    }
  }

  function reset() {
    settings.value = null
    error.value = null
  }

  return { settings, loading, error, segmentedView, load, reset }
})
