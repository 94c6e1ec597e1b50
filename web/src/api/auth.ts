import { http } from './http'
import type { User } from './users'

export interface LoginResponse {
  token: string
  csrf_token: string
  user: User
}

export const authApi = {
  /** login starts a cookie session (the server sets papo_session and papo_csrf). */
  login: (email: string, password: string) =>
    http.post<LoginResponse>('/auth/login', { email, password }, { skipAuthHandler: true }),
  logout: () => http.post<void>('/auth/logout', undefined, { skipAuthHandler: true }),
  /** me answers 401 when there is no session. */
  me: () => http.get<User>('/me', { skipAuthHandler: true }),
}
