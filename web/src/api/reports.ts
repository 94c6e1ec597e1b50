import { http } from './http'

/** F20: satisfaction survey report. */
export interface SurveyReport {
  sent: number
  answered: number
  expired: number
  average: number | null
  distribution: Record<string, number>
  by_agent: { agent_id: string; answered: number; average: number | null }[]
}

export interface SurveyReportQuery {
  from?: string
  to?: string
  team_id?: string
  agent_id?: string
}

export const reportsApi = {
  surveys: (query: SurveyReportQuery = {}) =>
    http.get<SurveyReport>('/reports/surveys', { query: { ...query } }),
}
