package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"papo/internal/auth"
	"papo/internal/search"
	"papo/internal/store"
	"papo/internal/team"
)

// The accounts the load client logs in with.
const (
	adminEmail = "bench-admin@papo.local"
	agentEmail = "bench-agent@papo.local"
	password   = "bench-password"
)

// vocabulary of ticket titles and descriptions; words early in the list are
// drawn far more often (Zipf), so searches range from very common words to
// rare ones.
var vocabulary = strings.Fields(`
problema cliente acesso boleto pagamento sistema erro internet conexão senha
fatura cobrança cartão login aplicativo pedido entrega atraso cancelamento troca
reembolso instalação roteador sinal lentidão queda técnico visita endereço cadastro
atualização contrato plano upgrade downgrade portabilidade número linha chip ativação
bloqueio desbloqueio suporte atendimento reclamação elogio sugestão dúvida informação
segunda via nota fiscal vencimento desconto promoção oferta renovação multa juros
parcelamento débito automático transferência estorno duplicado indevido recusado
aprovado pendente análise documento comprovante foto arquivo anexo email telefone
whatsapp site portal conta usuário perfil configuração notificação mensagem resposta
prazo urgente prioridade retorno ligação agendamento horário manhã tarde noite
sábado domingo feriado loja filial matriz estoque produto modelo garantia defeito
assistência conserto peça substituição devolução frete transportadora rastreio código
correios coleta embalagem avaria quebrado faltando errado tamanho cor voltagem manual
televisão geladeira fogão micro-ondas notebook celular tablet impressora monitor teclado
mouse cabo carregador bateria tela som câmera wi-fi bluetooth firmware driver licença
`)

// names are the contacts mentioned in descriptions.
var names = strings.Fields(`
Ana Beatriz Carla Daniela Eduarda Fernanda Gabriela Helena Isabela Juliana Larissa Mariana Natália Olívia Patrícia
Rafaela Sofia Tatiana Vitória Yasmin André Bruno Carlos Diego Eduardo Felipe Gustavo Henrique Igor João Lucas
Marcelo Nicolas Otávio Paulo Rafael Sérgio Thiago Vinícius Wagner`)

// seed fills the database at dbURL: teams, an admin and an agent (in the
// first team), customers, and n tickets spread over the last year.
func seed(ctx context.Context, dbURL string, n, teams, customers int, out io.Writer) error {
	if n < 1 || teams < 1 || customers < 1 {
		return errors.New("seed: -n, -teams and -customers must be at least 1")
	}
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)

	ts, err := team.New(team.Options{DB: db})
	if err != nil {
		return err
	}
	var teamIDs []store.ID
	for i := range teams {
		name := fmt.Sprintf("Equipe %d", i+1)
		t, err := ts.Create(ctx, team.Input{Name: &name})
		if err != nil {
			return fmt.Errorf("team %s (seed an empty database): %w", name, err)
		}
		teamIDs = append(teamIDs, t.ID)
	}
	as, err := auth.New(auth.Options{DB: db})
	if err != nil {
		return err
	}
	admin, err := as.CreateUser(ctx, auth.CreateUserInput{Name: "Bench Admin", Email: adminEmail, Password: password, Role: auth.RoleAdmin})
	if err != nil {
		return err
	}
	agent, err := as.CreateUser(ctx, auth.CreateUserInput{Name: "Bench Agent", Email: agentEmail, Password: password,
		Role: auth.RoleAgent, TeamIDs: teamIDs[:1]})
	if err != nil {
		return err
	}

	var customerIDs []store.ID
	err = db.InTx(ctx, func(tx *store.Tx) error {
		q := tx.Rebind(`INSERT INTO customers (name, email, organization, phones, search_text, created_at, updated_at)
			VALUES (?, ?, '', '[]', ?, ?, ?) RETURNING id`)
		for i := range customers {
			name := fmt.Sprintf("Cliente %d", i+1)
			var id store.ID
			if err := tx.GetContext(ctx, &id, q, name, fmt.Sprintf("cliente%d@example.com", i+1), search.Fold(name), now, now); err != nil {
				return fmt.Errorf("customer: %w", err)
			}
			customerIDs = append(customerIDs, id)
		}
		return nil
	})
	if err != nil {
		return err
	}

	var first int64
	err = db.InTx(ctx, func(tx *store.Tx) error {
		// Take n numbers at once from the counter internal/ticket uses.
		return tx.GetContext(ctx, &first, tx.Rebind(`INSERT INTO counters (name, value) VALUES ('ticket_number', ?)
			ON CONFLICT (name) DO UPDATE SET value = counters.value + ? RETURNING value`), n, n)
	})
	if err != nil {
		return err
	}
	first -= int64(n) - 1

	r := rand.New(rand.NewPCG(1, 2))
	zipf := rand.NewZipf(r, 1.2, 2, uint64(len(vocabulary)-1))
	words := func(min, max int) string {
		k := min + r.IntN(max-min+1)
		ws := make([]string, k)
		for i := range ws {
			ws[i] = vocabulary[zipf.Uint64()]
		}
		return strings.Join(ws, " ")
	}
	pick := func(weights map[string]int) string {
		x := r.IntN(100)
		for _, k := range []string{"open", "in_progress", "resolved", "closed", "whatsapp", "email", "phone", "web"} {
			w, ok := weights[k]
			if !ok {
				continue
			}
			if x < w {
				return k
			}
			x -= w
		}
		panic("weights must sum to 100")
	}
	statusW := map[string]int{"open": 20, "in_progress": 10, "resolved": 20, "closed": 50}
	originW := map[string]int{"whatsapp": 55, "email": 20, "phone": 15, "web": 10}
	start := now.Add(-365 * 24 * time.Hour)
	step := 365 * 24 * time.Hour / time.Duration(n)

	const perStatement, perTx = 100, 5000
	cols := "(number, title, description, status, origin, requester_id, team_id, assignee_id, created_by, search_text, created_at, updated_at)"
	row := "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	for done := 0; done < n; {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for k := 0; k < perTx && done < n; {
				m := min(perStatement, n-done)
				args := make([]any, 0, m*12)
				for j := 0; j < m; j++ {
					i := done + j
					title := words(3, 7)
					title = strings.ToUpper(title[:1]) + title[1:]
					// Real tickets carry a long tail of rare words: protocol
					// numbers, product models, names. Without it the planner's
					// statistics see a 200-word language.
					desc := fmt.Sprintf("%s. Protocolo %08d, modelo %c%c-%d, contato %s.", words(8, 40), r.IntN(100000000),
						'A'+rune(r.IntN(26)), 'A'+rune(r.IntN(26)), 100+r.IntN(9900), names[r.IntN(len(names))])
					var requester *store.ID
					if r.IntN(100) < 85 {
						requester = &customerIDs[r.IntN(len(customerIDs))]
					}
					tm := teamIDs[r.IntN(len(teamIDs))]
					var assignee *store.ID
					if tm == teamIDs[0] && r.IntN(3) == 0 {
						assignee = &agent.ID
					}
					at := start.Add(time.Duration(i) * step)
					args = append(args, first+int64(i), title, desc, pick(statusW), pick(originW), requester, tm, assignee,
						admin.ID, search.Fold(title+"\n"+desc), at, at)
				}
				q := "INSERT INTO tickets " + cols + " VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", m), ", ")
				if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
					return fmt.Errorf("tickets: %w", err)
				}
				done += m
				k += m
			}
			return nil
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\r%d/%d tickets", done, n)
	}
	fmt.Fprintln(out)
	if db.Dialect == store.Postgres {
		// What autovacuum does shortly after a bulk load: planner statistics.
		if _, err := db.W.ExecContext(ctx, "ANALYZE tickets"); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "admin %s / agent %s (team %s), password %q; numbers %d…%d\n", adminEmail, agentEmail, teamIDs[0],
		password, first, first+int64(n)-1)
	return nil
}
