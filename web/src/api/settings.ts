import { http } from './http'

export interface Settings {
  segmented_view: boolean
  closing_message?: { enabled: boolean; text: string; template?: string; template_language?: string }
  survey?: {
    on_manual_close: boolean
    on_inactivity_close: boolean
    question: string
    options: string[]
    answer_timeout_minutes: number
    template?: string
    template_language?: string
  }
  greeting?: { enabled: boolean; text: string; template?: string; template_language?: string }
  out_of_hours?: { enabled: boolean; text: string; template?: string; template_language?: string }
  inactivity_close?: { enabled: boolean; hours: number }
  [key: string]: unknown
}

export const settingsApi = {
  get: () => http.get<Settings>('/settings'),
  put: (settings: Settings) => http.put<Settings>('/settings', settings),
}
