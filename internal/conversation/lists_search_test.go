package conversation_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"unicode"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/search"
	"papo/internal/store"
	"papo/internal/store/storetest"
)

// searchWays are the thresholds (probe, contacts, rare contacts, batch,
// budget) that send a search each way of lists_search.go: every match read
// by key; the view walked with both sets of matches known in full; the view
// walked asking the contact index and checking message texts per batch,
// with pages cut short by a tiny budget.
var searchWays = map[string][5]int{
	"by key":            {1000, 20000, 1000, 512, 2000},
	"walk, sets":        {1000, 20000, -1, 2, 3},
	"walk, batch check": {1, 1, -1, 2, 3},
}

// searchAll pages through a search and returns the ids in order.
func (in *inbox) searchAll(t *testing.T, p *auth.Principal, params conversation.ListParams) []store.ID {
	t.Helper()
	if params.Limit == 0 {
		params.Limit = 3
	}
	ids := []store.ID{}
	for page := 0; ; page++ {
		res, err := in.svc.List(context.Background(), p, params)
		if err != nil {
			t.Fatalf("search %+v as %s: %v", params, p.Name, err)
		}
		for _, c := range res.Items {
			ids = append(ids, c.ID)
		}
		if res.Next == nil {
			return ids
		}
		if page > 200 {
			t.Fatal("endless paging")
		}
		params.After = res.Next
	}
}

// TestSearch_F05: q finds conversations by the registered customer's name,
// the WhatsApp profile name, phone digits and message words or word
// prefixes, ignoring case and accents, all terms required; it follows a
// customer's rename, and it never shows what the caller may not see. Each
// case runs twice: with the index giving every match (rare terms), and with
// thresholds so low that every term counts as common (the view read in its
// order, batch by batch).
func TestSearch_F05(t *testing.T) {
	in := newInbox(t)
	ctx := context.Background()
	joao := in.add(t, in.teamA, nil, conversation.StatusPending, 10)
	ze := in.add(t, in.teamA, in.a1, conversation.StatusPending, 11)
	boleto := in.add(t, in.teamA, in.a1, conversation.StatusPending, 12)
	pedido := in.add(t, in.teamA, nil, conversation.StatusResolved, 13)
	vendas := in.add(t, in.teamB, nil, conversation.StatusPending, 14)
	closed := in.add(t, in.teamA, in.a1, conversation.StatusClosed, 15)
	for range 6 { // noise
		r := in.add(t, in.teamA, nil, conversation.StatusPending, 20)
		in.say(t, r, "Bom dia, tudo bem? Quero saber do meu cadastro")
	}
	customer, err := in.e.App.Contacts.CreateCustomer(ctx, in.admin, contact.CustomerInput{
		Name: strp("João da Silva"), Phones: &[]string{"+" + mustWaID(t, in, joao)}})
	if err != nil {
		t.Fatal(err)
	}
	db := in.e.App.DB
	if _, err := db.W.ExecContext(ctx, db.W.Rebind(`UPDATE contacts SET profile_name = ?, wa_id = ?, phone = ? WHERE id = ?`),
		"Zé Carlos", "5521987654321", "+5521987654321", ze.ContactID); err != nil {
		t.Fatal(err)
	}
	in.say(t, boleto, "Segue o BOLETO da fatura de março. Obrigado pela atenção!")
	in.say(t, boleto, "Recebi, obrigado")
	in.say(t, pedido, "Meu pedido #4471 chegou quebrado")
	in.say(t, vendas, "Quero o boleto do pedido de vendas")
	in.say(t, closed, "boleto antigo")

	type tc struct {
		p    *auth.Principal
		seg  bool
		view string
		q    string
		want []conversation.Row
	}
	rows := func(rs ...conversation.Row) []conversation.Row { return append([]conversation.Row{}, rs...) }
	cases := []tc{
		{in.a1, false, "", "joao", rows(joao)},             // customer's name without the accent
		{in.a1, false, "", "JOÃO silva", rows(joao)},       // case, accent, two terms
		{in.a1, false, "", "silva joa", rows(joao)},        // any order, word prefix
		{in.a1, false, "", "joao pedido", rows()},          // every term is required
		{in.a1, false, "", "ze", rows(ze)},                 // WhatsApp profile name
		{in.a1, false, "", "carl", rows(ze)},               //
		{in.a1, false, "", "21 98765-4321", rows(ze)},      // phone as typed, national
		{in.a1, false, "", "98765", rows(ze)},              // without the area code
		{in.a1, false, "", "+55 21 9876", rows(ze)},        // international prefix
		{in.a1, false, "", "5521987654321", rows(ze)},      // wa_id
		{in.a1, false, "", "bol", rows(boleto)},            // message word prefix (agents' All: open only)
		{in.a1, false, "closed", "bol", rows(closed)},      // the closed one, in Closed
		{in.a1, false, "", "marco atencao", rows(boleto)},  // accents in the message
		{in.a1, false, "", "fatura quebrado", rows()},      // not in one message
		{in.a1, false, "", "4471", rows(pedido)},           // a number in a message
		{in.a1, false, "", "pedido", rows(pedido)},         // team B's is not theirs
		{in.b1, false, "", "joao", rows()},                 // never another team's
		{in.b1, false, "", "pedido", rows(vendas)},         //
		{in.ab, false, "", "boleto", rows(boleto, vendas)}, // both teams, newest first
		{in.admin, false, "", "boleto", rows(boleto, vendas)},
		{in.admin, false, "mine", "boleto", rows()},
		{in.admin, false, "others", "boleto", rows(boleto)},
		{in.a2, true, "mine", "boleto", rows()}, // segmentation: Ana's, not Alice's
		{in.a2, true, "new", "boleto", rows()},
		{in.a2, true, "closed", "boleto", rows()},
		{in.a1, true, "mine", "boleto", rows(boleto)},
		{in.a1, true, "closed", "boleto", rows(closed)},
		{in.a2, true, "new", "quero cadastro", nil}, // nil: the six noise conversations
		{in.a1, false, "new", "recebi", rows()},     // Ana's boleto is not New
	}
	run := func(t *testing.T) {
		for _, c := range cases {
			in.segment(t, c.seg)
			want := []store.ID{}
			for _, r := range c.want {
				want = append(want, r.ID)
			}
			if c.want == nil {
				want = in.expected(c.p, c.seg, conversation.ViewNew, nil, "")
				want = slices.DeleteFunc(want, func(id store.ID) bool { return id == joao.ID || id == pedido.ID })
			}
			got := in.searchAll(t, c.p, conversation.ListParams{View: c.view, Query: c.q})
			if !slices.Equal(got, want) {
				t.Errorf("%s seg=%v view=%q q=%q: got %v, want %v", c.p.Name, c.seg, c.view, c.q, got, want)
			}
		}
	}
	for way, lim := range searchWays {
		t.Run(way, func(t *testing.T) {
			defer conversation.SetSearchLimits(lim[0], lim[1], lim[2], lim[3], lim[4])()
			run(t)
		})
	}

	// A customer renamed: found by the new name only (F04).
	in.segment(t, false)
	if _, err := in.e.App.Contacts.UpdateCustomer(ctx, in.admin, customer.ID, contact.CustomerInput{Name: strp("Maria Souza")}); err != nil {
		t.Fatal(err)
	}
	if got := in.searchAll(t, in.a1, conversation.ListParams{Query: "maria"}); !slices.Equal(got, []store.ID{joao.ID}) {
		t.Errorf("after rename, maria: %v", got)
	}
	if got := in.searchAll(t, in.a1, conversation.ListParams{Query: "joao"}); len(got) != 0 {
		t.Errorf("after rename, joao: %v", got)
	}
}

// TestSearchPagesCommonTerms_F05: a term in many conversations pages like
// the list itself — same order, nothing repeated or skipped — whichever way
// the index is read, even when a page is cut short by the search budget.
func TestSearchPagesCommonTerms_F05(t *testing.T) {
	in := newInbox(t)
	var want []store.ID
	for i := range 30 {
		r := in.add(t, in.teamA, nil, conversation.StatusPending, i/2)
		if i%3 != 1 {
			in.say(t, r, fmt.Sprintf("Sobre o pedido %d: obrigado", i))
		} else {
			in.say(t, r, "Outro assunto")
		}
	}
	ids := in.expected(in.a1, false, conversation.ViewNew, nil, "")
	texts := map[store.ID]bool{}
	for i, r := range in.rows {
		texts[r.ID] = i%3 != 1
	}
	for _, id := range ids {
		if texts[id] {
			want = append(want, id)
		}
	}
	for _, lim := range [][5]int{{1000, 20000, 1000, 512, 2000}, {1000, 20000, -1, 4, 8}, {1, 1, -1, 4, 8}, {1, 1, -1, 3, 3}} {
		restore := conversation.SetSearchLimits(lim[0], lim[1], lim[2], lim[3], lim[4])
		for _, limit := range []int{1, 4, 50} {
			got := in.searchAll(t, in.a1, conversation.ListParams{View: conversation.ViewNew, Query: "pedi obrigado", Limit: limit})
			if !slices.Equal(got, want) {
				t.Errorf("limits %v page %d:\n got %v\nwant %v", lim, limit, got, want)
			}
		}
		restore()
	}
}

// TestPostgresFoldMatchesGo_F05: on PostgreSQL the index folds text with
// papo_fold (migration 00021, no unaccent extension needed) and queries are
// folded by search.Fold in Go: both must agree on every Latin letter, or a
// word typed with accents and stored without (or the reverse) would be lost.
func TestPostgresFoldMatchesGo_F05(t *testing.T) {
	if storetest.Engine() != store.Postgres {
		t.Skip("PostgreSQL only (SQLite's FTS5 folds with its unicode61 tokenizer)")
	}
	e := apptest.New(t, nil)
	var letters []string
	for _, rg := range [][2]rune{{'A', 'Z'}, {'a', 'z'}, {0xC0, 0x24F}, {0x1E00, 0x1EFF}} {
		for r := rg[0]; r <= rg[1]; r++ {
			if unicode.IsLetter(r) {
				letters = append(letters, string(r))
			}
		}
	}
	letters = append(letters, "Ação", "JOÃO", "São Paulo", "e\u0301") // decomposed é too
	for _, l := range letters {
		var got string
		if err := e.App.DB.R.GetContext(context.Background(), &got, "SELECT papo_fold($1)", l); err != nil {
			t.Fatal(err)
		}
		if want := search.Fold(l); got != want {
			t.Errorf("papo_fold(%q) = %q, search.Fold = %q", l, got, want)
		}
	}
}

// TestFoldFastPath_F05: the search's own folding (a fast path for Latin
// text) gives what search.Fold gives, so a batch checked in Go matches what
// the index matched.
func TestFoldFastPath_F05(t *testing.T) {
	var all []string
	for r := rune(1); r < 0x2000; r++ {
		all = append(all, string(r))
	}
	all = append(all, "Olá, JOÃO! Ação nº 12 — São Paulo, ½ € Ça Ærø", "e\u0301", "İstanbul", "ǅemal")
	for _, s := range all {
		if got, want := conversation.Fold(s), search.Fold(s); got != want {
			t.Errorf("fold(%q) = %q, search.Fold = %q", s, got, want)
		}
	}
}
