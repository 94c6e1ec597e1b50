package demo

import (
	"context"
	"fmt"

	"papo/internal/canned"
	"papo/internal/store"
)

// seedCanned adds the demo's canned responses (F14): three for every team
// and one for the support team.
func seedCanned(ctx context.Context, c *canned.Service, supportID store.ID) error {
	if c == nil {
		return nil
	}
	all := []struct {
		shortcut, title, body string
		team                  *store.ID
	}{
		{"ola", "Saudação", "Olá {{contact.name}}, aqui é {{agent.name}}, da equipe {{team.name}}. Como posso ajudar?", nil},
		{"aguarde", "Pedir um momento", "Um momento, por favor: estou verificando e já retorno.", nil},
		{"encerrar", "Despedida", "Obrigado pelo contato, {{contact.name}}! Se precisar, é só chamar.", nil},
		{"chamado", "Número do chamado", "Seu atendimento foi registrado no chamado nº {{ticket.number}}.", &supportID},
	}
	for _, r := range all {
		shortcut, title, body := r.shortcut, r.title, r.body
		if _, err := c.Create(ctx, canned.Input{Shortcut: &shortcut, Title: &title, Body: &body, TeamSet: true, TeamID: r.team}); err != nil {
			return fmt.Errorf("demo: canned response %s: %w", shortcut, err)
		}
	}
	return nil
}
