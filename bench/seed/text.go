package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

var (
	firstNames = strings.Fields(`Ana Bruno Carla Diego Eduarda Felipe Gabriela Henrique Isabela João Júlia Lucas
		Mariana Matheus Natália Otávio Paula Rafael Sofia Thiago Vitória Wesley Beatriz Caio Letícia Márcio Renata
		Sérgio Tânia Vinícius Conceição Antônio Luíza Fábio Débora`)
	lastNames = strings.Fields(`Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa
		Ribeiro Martins Carvalho Almeida Lopes Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira
		Nunes Marques Machado Mendes Freitas Araújo Cardoso Teixeira Correia Magalhães Simões Brandão Conceição`)
	areaCodes = []int{11, 21, 31, 41, 51, 61, 71, 81, 85, 91, 19, 27, 48, 62, 92}
	cities    = []string{"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Porto Alegre", "Brasília",
		"Salvador", "Recife", "Fortaleza", "Belém", "Campinas", "Vitória", "Florianópolis", "Goiânia", "Manaus", "Niterói"}
	products = []string{"notebook", "celular", "fogão", "micro-ondas", "televisor", "roteador", "tablet", "geladeira",
		"fone de ouvido", "impressora", "monitor", "carregador", "ar-condicionado", "aspirador"}
	plans  = []string{"Básico", "Família", "Premium", "Empresarial", "Fibra 500", "Controle"}
	months = []string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
		"outubro", "novembro", "dezembro"}
	weekdays  = []string{"segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo"}
	greetings = []string{"Olá", "Oi", "Bom dia", "Boa tarde", "Boa noite", "Olá, tudo bem?"}

	customerLines = []string{
		"gostaria de saber o status do meu pedido {ped}",
		"o boleto que venceu dia {dia} ainda não foi baixado",
		"preciso da segunda via do boleto da fatura de {mes}",
		"meu {produto} chegou com defeito e quero trocar",
		"a entrega para {cidade} está atrasada há {n} dias",
		"não consigo acessar minha conta no aplicativo",
		"quero cancelar a assinatura do plano {plano}",
		"o cartão foi recusado na compra de ontem à noite",
		"vocês entregam em {cidade}?",
		"qual o prazo para o reembolso do pedido {ped}?",
		"fiz o pagamento por pix e ainda aparece como pendente",
		"a nota fiscal não veio junto com o {produto}",
		"o técnico não apareceu no horário combinado",
		"recebi a cobrança em duplicidade na fatura de {mes}",
		"minha internet está muito lenta desde {semana}",
		"obrigado pela atenção",
	}
	agentLines = []string{
		"Olá {nome}, tudo bem? Vou verificar o seu pedido {ped} agora mesmo.",
		"Seu protocolo de atendimento é {proto}.",
		"Enviamos a segunda via do boleto para o seu e-mail cadastrado.",
		"Obrigado pelo contato! Posso ajudar em algo mais?",
		"Já abrimos a solicitação de troca do {produto}, a coleta será em até {n} dias úteis.",
		"Identificamos o pagamento, a baixa acontece em até 48 horas.",
		"Peço desculpas pela demora, a transportadora informou atraso na região de {cidade}.",
		"O reembolso será feito na mesma forma de pagamento em até {n} dias.",
		"Para sua segurança, confirme o CPF do titular, por favor.",
		"Sua solicitação foi encaminhada para o time financeiro, que retorna até {semana}.",
	}
)

const protoAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// messageText writes about 165 characters of a customer's or an agent's
// message; token is the protocol code it holds, if any (a rare word: each
// code is drawn at random from 32^8).
func messageText(rng *rand.Rand, customer bool) (text, token string) {
	lines := agentLines
	var b strings.Builder
	if customer {
		lines = customerLines
		if rng.IntN(2) == 0 {
			b.WriteString(greetings[rng.IntN(len(greetings))])
			b.WriteString(",")
		}
	}
	target := 115 + rng.IntN(50)
	for b.Len() < target {
		line := lines[rng.IntN(len(lines))]
		line = strings.NewReplacer(
			"{ped}", fmt.Sprintf("#%06d", rng.IntN(1000000)),
			"{dia}", fmt.Sprintf("%02d/%02d", 1+rng.IntN(28), 1+rng.IntN(12)),
			"{mes}", months[rng.IntN(len(months))],
			"{produto}", products[rng.IntN(len(products))],
			"{cidade}", cities[rng.IntN(len(cities))],
			"{n}", fmt.Sprint(2+rng.IntN(12)),
			"{plano}", plans[rng.IntN(len(plans))],
			"{semana}", weekdays[rng.IntN(len(weekdays))],
			"{nome}", firstNames[rng.IntN(len(firstNames))],
		).Replace(line)
		if strings.Contains(line, "{proto}") {
			var p [8]byte
			for i := range p {
				p[i] = protoAlphabet[rng.IntN(len(protoAlphabet))]
			}
			token = string(p[:])
			line = strings.ReplaceAll(line, "{proto}", token)
		}
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		if customer {
			line = strings.ToUpper(line[:1]) + line[1:] + "."
			line = strings.ReplaceAll(line, "?.", "?")
		}
		b.WriteString(line)
	}
	return b.String(), token
}
