// F22: the list's filters as they live in the URL (`/chamados?q=&status=&origin=&team=&requester=`),
// so a filtered list is bookmarkable, and as the API expects them.
import type { LocationQuery, LocationQueryRaw } from 'vue-router'
import type { TicketFilters } from '@/api/tickets'

export interface ListFilters {
  q: string
  status: string
  origin: string
  team: string
  requester: string
}

export const emptyFilters = (): ListFilters => ({ q: '', status: '', origin: '', team: '', requester: '' })

function first(value: LocationQuery[string] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value
  return typeof v === 'string' ? v : ''
}

/** filtersFromQuery reads the filters from a route query (unknown keys ignored). */
export function filtersFromQuery(query: LocationQuery): ListFilters {
  return {
    q: first(query.q),
    status: first(query.status),
    origin: first(query.origin),
    team: first(query.team),
    requester: first(query.requester),
  }
}

/** filtersToQuery is the route query for some filters, without the empty ones. */
export function filtersToQuery(f: ListFilters): LocationQueryRaw {
  const out: LocationQueryRaw = {}
  const q = f.q.trim()
  if (q) out.q = q
  if (f.status) out.status = f.status
  if (f.origin) out.origin = f.origin
  if (f.team) out.team = f.team
  if (f.requester) out.requester = f.requester
  return out
}

/** apiFilters maps the URL filters to the API's parameter names. */
export function apiFilters(f: ListFilters): TicketFilters {
  const out: TicketFilters = {}
  const q = f.q.trim()
  if (q) out.q = q
  if (f.status) out.status = f.status
  if (f.origin) out.origin = f.origin
  if (f.team) out.team_id = f.team
  if (f.requester) out.requester_id = f.requester
  return out
}
