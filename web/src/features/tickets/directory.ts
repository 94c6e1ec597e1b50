// Names for the ids a ticket carries (teams, users), loaded once per page and shared by the
// tickets screens. A failure leaves the ids unnamed (the screens still work).
import { ref } from 'vue'
import { teamsApi, type Team } from '@/api/teams'
import { usersApi, type User } from '@/api/users'

export function useTicketDirectory() {
  const teams = ref<Team[]>([])
  const users = ref<User[]>([])

  async function load() {
    const [t, u] = await Promise.allSettled([teamsApi.list(), usersApi.list()])
    if (t.status === 'fulfilled') teams.value = t.value.items ?? []
    if (u.status === 'fulfilled') users.value = u.value.items ?? []
  }

  const teamName = (id: string | null | undefined) =>
    id ? (teams.value.find((x) => x.id === id)?.name ?? id) : ''
  const userName = (id: string | null | undefined) =>
    id ? (users.value.find((x) => x.id === id)?.name ?? id) : ''
  /** membersOf are the active users of a team (who may be assigned a ticket of it). */
  const membersOf = (teamId: string | null | undefined) =>
    users.value.filter((x) => x.active && !!teamId && x.team_ids.includes(teamId))

  return { teams, users, load, teamName, userName, membersOf }
}
