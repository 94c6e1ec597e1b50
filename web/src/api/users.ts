import { http } from './http'

export type Role = 'admin' | 'agent'

/** User as the API returns it (`GET /me`, `GET /users`). */
export interface User {
  id: string
  name: string
  email: string
  role: Role
  team_ids: string[]
  active: boolean
}

export interface NewUser {
  name: string
  email: string
  role: Role
  password: string
  team_ids: string[]
}

export const usersApi = {
  list: () => http.get<{ items: User[]; next_cursor: string | null }>('/users'),
  create: (input: NewUser) => http.post<User>('/users', input),
  update: (id: string, patch: Partial<NewUser> & { active?: boolean }) =>
    http.patch<User>(`/users/${encodeURIComponent(id)}`, patch),
}
