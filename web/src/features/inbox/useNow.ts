import { onBeforeUnmount, onMounted, ref } from 'vue'

/** useNow is a clock ref (ms since epoch) that ticks every `intervalMs` while the component lives. */
export function useNow(intervalMs = 30_000) {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | null = null
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), intervalMs)
  })
  onBeforeUnmount(() => {
    if (timer) clearInterval(timer)
  })
  return now
}

/** windowOpen says whether a conversation's 24-hour window is still open at `now`. */
export function windowOpen(expiresAt: string | null | undefined, now: number): boolean {
  if (!expiresAt) return false
  const at = Date.parse(expiresAt)
  return !Number.isNaN(at) && at > now
}
