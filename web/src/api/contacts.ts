import type { Contact } from './conversations'
import { http } from './http'

export interface Customer {
  id: string
  name: string
  email?: string | null
  phones?: string[]
  organization?: string | null
}

export const contactsApi = {
  get: (id: string) => http.get<Contact>(`/contacts/${encodeURIComponent(id)}`),
  /** F17: blocks (or unblocks) the automatic messages for this contact. */
  setAutomationBlock: (id: string, blocked: boolean) =>
    http.put<Contact>(`/contacts/${encodeURIComponent(id)}/automation-block`, { blocked }),
  customer: (id: string) => http.get<Customer>(`/customers/${encodeURIComponent(id)}`),
}
