package conversation

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"papo/internal/search"
	"papo/internal/store"
)

// Search (F05): a list's q keeps the conversations whose contact matches
// every term (registered customer's name, WhatsApp profile name, phone
// digits), or that hold one message matching every term. Terms are words
// of letters and digits, folded (case and accents: "joao" finds "João");
// from minPrefix characters on a term also matches the words it begins
// ("bol" finds "boleto"), shorter ones match whole words. Search never
// widens the list: candidates pass the same view rule (scope.inView, the
// same as the SQL of lists.sql) and keyset as the list without q.
//
// Both engines answer from an index (SQLite FTS5, PostgreSQL GIN over
// tsvectors; migration 00021). Which way round depends on how common the
// terms are — the choice a query planner makes between an index and an
// ordered scan:
//
//   - rare terms (at most searchProbe matching messages and searchContacts
//     matching contacts): the index lists every match; those conversations
//     are read by primary key, filtered by the view and ordered in Go.
//   - common terms: the view is read in its own order (its partial index,
//     as without q), batch by batch, and each batch keeps the conversations
//     whose contact the index matched or one of whose messages matches the
//     terms (checked in Go by matcher, the index's rule), until the page is
//     full. A request examines at most searchBudget conversations; a page
//     cut short there still carries next_cursor (from the last conversation
//     examined), so paging goes on and nothing is skipped.
//
// (Variables so that tests reach both ways with a few rows.)
var (
	searchProbe        = 1000
	searchContacts     = 20000 // contacts listed in full (a set to look rows up in)
	searchRareContacts = 1000  // … and few enough to read their conversations by key
	searchBatch        = 512   // the largest batch; the first is twice the page
	searchBudget       = 2000
)

const (
	maxSearchTerms = 8
	// minPrefix: terms this long match as word prefixes (the SQLite
	// index keeps prefixes of 3 and 4 characters).
	minPrefix = 3
)

// parseQuery turns q into folded search terms: words of letters and digits,
// or, when q looks like a phone number ("(11) 98765-4321"), its digits as
// one term.
func parseQuery(q string) []string {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	digits, phoneLike := 0, true
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-().", r):
		default:
			phoneLike = false
		}
	}
	if phoneLike && digits >= 4 {
		return []string{strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, q)}
	}
	return search.Terms(q, maxSearchTerms)
}

// isPrefix reports whether a term matches as a word prefix.
func isPrefix(term string) bool { return utf8.RuneCountInString(term) >= minPrefix }

// matchExpr builds the engine's query for the terms: an FTS5 MATCH
// expression (on column, when set) or a tsquery. exact leaves prefixes out.
func (s *Service) matchExpr(terms []string, column string, exact bool) string {
	parts := make([]string, len(terms))
	if s.db.Dialect == store.Postgres {
		for i, t := range terms {
			parts[i] = "'" + t + "'"
			if isPrefix(t) && !exact {
				parts[i] += ":*"
			}
		}
		return strings.Join(parts, " & ")
	}
	for i, t := range terms {
		parts[i] = `"` + t + `"`
		if isPrefix(t) && !exact {
			parts[i] += "*"
		}
	}
	expr := strings.Join(parts, " AND ")
	if column != "" {
		expr = column + " : (" + expr + ")"
	}
	return expr
}

// planEach has PostgreSQL plan a search query for its actual arguments (an
// unnamed statement) rather than reuse a generic plan: how many rows a term
// matches decides between the GIN index and a scan that stops at the limit.
func (s *Service) planEach(args ...any) []any {
	if s.db.Dialect == store.Postgres {
		return append([]any{pgx.QueryExecModeExec}, args...)
	}
	return args
}

// search returns up to n rows of the scope's view after the cursor whose
// contact or messages match the terms. resume, when set, is where a page
// cut short by searchBudget continues.
func (s *Service) search(ctx context.Context, sc *scope, terms []string, after ListCursor, n int) (rows []Row, resume *ListCursor, err error) {
	for _, t := range terms {
		if !validTerm(t) {
			return nil, nil, fmt.Errorf("conversation: search term %q", t)
		}
	}
	var contactIDs []store.ID
	if err := s.db.R.SelectContext(ctx, &contactIDs, s.lq.ContactHits, s.planEach(s.matchExpr(terms, "", false), searchContacts+1)...); err != nil {
		return nil, nil, fmt.Errorf("conversation: search contacts: %w", err)
	}
	convIDs, common, err := s.probeMessages(ctx, terms)
	if err != nil {
		return nil, nil, err
	}
	if len(contactIDs) <= searchRareContacts && !common {
		rows, err := s.searchRare(ctx, sc, contactIDs, convIDs, after, n)
		return rows, nil, err
	}
	// What the index listed in full becomes a set to look rows up in; what
	// it did not (nil) is checked batch by batch.
	var contacts, messages idSet
	if len(contactIDs) <= searchContacts {
		contacts = newIDSet(contactIDs)
	}
	if !common {
		messages = newIDSet(convIDs)
	}
	return s.searchCommon(ctx, sc, terms, contacts, messages, after, n)
}

// idSet is a set of ids; nil stands for "not known in full".
type idSet map[store.ID]bool

func newIDSet(ids []store.ID) idSet {
	out := make(idSet, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// probeMessages asks the index how many messages match, up to
// searchProbe, and when no more, the conversations they are in; common
// reports more. On SQLite a term read as a prefix costs a merge of every
// word it begins (beyond the 3- and 4-character prefix indexes), so the
// exact words are counted first: when they alone pass the limit, the
// prefixes need not be read.
func (s *Service) probeMessages(ctx context.Context, terms []string) (convIDs []store.ID, common bool, err error) {
	count := func(expr string) (bool, error) {
		var ids []store.ID
		if err := s.db.R.SelectContext(ctx, &ids, s.lq.MessageIDs, s.planEach(expr, searchProbe+1)...); err != nil {
			return false, fmt.Errorf("conversation: search messages: %w", err)
		}
		return len(ids) > searchProbe, nil
	}
	expr := s.matchExpr(terms, "text", false)
	if exact := s.matchExpr(terms, "text", true); s.db.Dialect == store.SQLite && exact != expr {
		if common, err := count(exact); err != nil || common {
			return nil, common, err
		}
	}
	if common, err := count(expr); err != nil || common {
		return nil, common, err
	}
	if err := s.db.R.SelectContext(ctx, &convIDs, s.lq.MessageHits, s.planEach(expr, searchProbe+1)...); err != nil {
		return nil, false, fmt.Errorf("conversation: search messages: %w", err)
	}
	return convIDs, false, nil
}

// searchRare reads every matching conversation by key and keeps those of
// the view after the cursor, in list order.
func (s *Service) searchRare(ctx context.Context, sc *scope, contactIDs, convIDs []store.ID, after ListCursor, n int) ([]Row, error) {
	var cand []Row
	for chunk := range chunks(contactIDs, 500) {
		var rs []Row
		if err := s.selectIn(ctx, &rs, s.lq.OfContacts, chunk); err != nil {
			return nil, fmt.Errorf("conversation: search: conversations of contacts: %w", err)
		}
		cand = append(cand, rs...)
	}
	seen := make(map[store.ID]bool, len(cand)+len(convIDs))
	for _, r := range cand {
		seen[r.ID] = true
	}
	var need []store.ID
	for _, id := range convIDs {
		if !seen[id] {
			seen[id] = true
			need = append(need, id)
		}
	}
	for chunk := range chunks(need, 500) {
		var rs []Row
		if err := s.selectIn(ctx, &rs, s.lq.GetByIDs, chunk); err != nil {
			return nil, fmt.Errorf("conversation: search: conversations: %w", err)
		}
		cand = append(cand, rs...)
	}
	out := cand[:0]
	for i := range cand {
		if sc.inView(&cand[i]) && after.before(&cand[i]) {
			out = append(out, cand[i])
		}
	}
	sortRows(out)
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// searchCommon walks the view in its order and keeps, batch by batch, the
// conversations that match: by contact or by message, each from its set
// when the index listed it in full, else asked of the index (contacts) or
// checked by matcher (the messages of the batch, in order, until the page
// is full).
func (s *Service) searchCommon(ctx context.Context, sc *scope, terms []string, contacts, messages idSet, after ListCursor, n int) ([]Row, *ListCursor, error) {
	streams := sc.streams(s)
	m := matcher{terms: terms}
	var out []Row
	cur := after
	size := min(2*n, searchBatch)
	for examined := 0; ; {
		batch, err := s.readStreams(ctx, streams, sc.status, cur, size)
		if err != nil {
			return nil, nil, err
		}
		if len(batch) == 0 {
			return out, nil, nil
		}
		byContact := contacts
		if byContact == nil {
			if byContact, err = s.contactsAmong(ctx, terms, batch); err != nil {
				return nil, nil, err
			}
		}
		var texts map[store.ID][]string
		if messages == nil {
			if texts, err = s.batchTexts(ctx, batch, byContact); err != nil {
				return nil, nil, err
			}
		}
		for _, r := range batch {
			ok := byContact[r.ContactID] || messages[r.ID]
			if !ok && messages == nil {
				for _, t := range texts[r.ID] {
					if m.match(t) {
						ok = true
						break
					}
				}
			}
			if ok {
				if out = append(out, r); len(out) == n {
					return out, nil, nil
				}
			}
		}
		if len(batch) < size {
			return out, nil, nil
		}
		last := batch[len(batch)-1]
		cur = ListCursor{At: last.LastActivityAt, ID: last.ID}
		if examined += len(batch); examined >= searchBudget {
			return out, &cur, nil
		}
		size = min(2*size, searchBatch, searchBudget-examined)
	}
}

// contactsAmong asks the index which contacts of a batch match.
func (s *Service) contactsAmong(ctx context.Context, terms []string, batch []Row) (idSet, error) {
	ids := make([]store.ID, len(batch))
	for i, r := range batch {
		ids[i] = r.ContactID
	}
	var hits []store.ID
	if err := s.selectIn(ctx, &hits, s.lq.ContactsAmong, s.matchExpr(terms, "", false), ids); err != nil {
		return nil, fmt.Errorf("conversation: search: contacts among: %w", err)
	}
	return newIDSet(hits), nil
}

// batchTexts reads the message texts of a batch's conversations that their
// contact did not match already.
func (s *Service) batchTexts(ctx context.Context, batch []Row, byContact idSet) (map[store.ID][]string, error) {
	var ids []store.ID
	for _, r := range batch {
		if !byContact[r.ContactID] {
			ids = append(ids, r.ID)
		}
	}
	texts := make(map[store.ID][]string, len(ids))
	if len(ids) == 0 {
		return texts, nil
	}
	var msgs []struct {
		ConversationID store.ID `db:"conversation_id"`
		Text           string   `db:"text"`
	}
	if err := s.selectIn(ctx, &msgs, s.lq.MessageTexts, ids); err != nil {
		return nil, fmt.Errorf("conversation: search: messages of a batch: %w", err)
	}
	for _, msg := range msgs {
		texts[msg.ConversationID] = append(texts[msg.ConversationID], msg.Text)
	}
	return texts, nil
}

// matcher is the indexes' rule in Go: text folded (as search.Fold does) and
// split into words of letters and digits, as FTS5's unicode61 tokenizer and
// papo_search_vector (migration 00021) split it; every term must equal a
// word or, from minPrefix characters on, begin one.
type matcher struct{ terms []string }

func (m matcher) match(text string) bool {
	if text == "" {
		return false
	}
	words := strings.FieldsFunc(fold(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	for _, t := range m.terms {
		prefix, found := isPrefix(t), false
		for _, w := range words {
			if w == t || (prefix && strings.HasPrefix(w, t)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// foldTable maps the letters of Latin-1 and Latin Extended-A to what
// search.Fold makes of them, for fold's fast path.
var foldTable = func() map[rune]string {
	t := map[rune]string{}
	for r := rune(0xC0); r <= 0x17F; r++ {
		t[r] = search.Fold(string(r))
	}
	return t
}()

// fold is search.Fold with a fast path for text of ASCII and Latin-1/
// Latin Extended-A letters (checking a batch folds hundreds of messages);
// anything else goes through search.Fold itself. lists_search_test.go
// checks both agree.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < 0x80:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r >= 0xC0 && r <= 0x17F && r != 0xD7 && r != 0xF7:
			b.WriteString(foldTable[r])
		default:
			return search.Fold(s)
		}
	}
	return b.String()
}

func (s *Service) selectIn(ctx context.Context, dest any, query string, args ...any) error {
	q, a, err := s.db.In(query, args...)
	if err != nil {
		return err
	}
	return s.db.R.SelectContext(ctx, dest, q, a...)
}

// validTerm guards the query syntax: terms are folded words of letters and
// digits only (search.Terms, parseQuery), so no quote or operator can reach
// MATCH or to_tsquery.
func validTerm(t string) bool {
	if t == "" {
		return false
	}
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return true
}

// chunks splits ids into slices of at most size.
func chunks(ids []store.ID, size int) func(func([]store.ID) bool) {
	return func(yield func([]store.ID) bool) {
		for len(ids) > 0 {
			k := min(size, len(ids))
			if !yield(ids[:k]) {
				return
			}
			ids = ids[k:]
		}
	}
}
