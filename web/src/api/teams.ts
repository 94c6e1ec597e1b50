import { http } from './http'

export interface Team {
  id: string
  name: string
  timezone?: string
  business_hours?: { weekday: number; start: string; end: string }[]
}

export const teamsApi = {
  list: () => http.get<{ items: Team[]; next_cursor?: string | null }>('/teams'),
}
