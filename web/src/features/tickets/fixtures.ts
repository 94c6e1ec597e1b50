// Test fixtures for the tickets screens (only imported by specs).
export function ticketFixture(over: Record<string, unknown> = {}) {
  return {
    id: 'tk1',
    number: 1042,
    title: 'Pedido atrasado',
    description: 'Cliente diz que o pedido não chegou.',
    status: 'open',
    origin: 'whatsapp',
    requester: { id: 'cu1', name: 'Maria Silva', email: 'maria@example.com', phones: [], organization: '' },
    contact_id: 'k1',
    conversation_id: 'c1',
    team_id: 't1',
    assignee_id: 'u2',
    created_at: '2026-11-25T12:00:00Z',
    updated_at: '2026-11-25T12:00:00Z',
    ...over,
  }
}

export const teamsReply = { body: { items: [{ id: 't1', name: 'Suporte' }, { id: 't2', name: 'Financeiro' }], next_cursor: null } }
export const usersReply = {
  body: {
    items: [
      { id: 'u1', name: 'Ana Admin', email: 'admin@papo.local', role: 'admin', team_ids: ['t1', 't2'], active: true },
      { id: 'u2', name: 'Bruno Agente', email: 'bruno@papo.local', role: 'agent', team_ids: ['t1'], active: true },
    ],
    next_cursor: null,
  },
}
export const customersReply = {
  body: {
    items: [
      { id: 'cu1', name: 'Maria Silva', email: 'maria@example.com' },
      { id: 'cu2', name: 'João Pereira', email: 'joao@example.com' },
    ],
    next_cursor: null,
  },
}
