package inbound

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"papo/internal/apperr"
	"papo/internal/clip"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// ReasonLanguage is the language of the failure reasons stored with failed
// statuses (agents read them).
const ReasonLanguage = "pt-BR"

// applier applies notifications inside one transaction.
type applier struct {
	s        *Service
	tx       *store.Tx
	channels map[string]*chanInfo // by phone_number_id; nil: no such channel

	deliveries []deliveryRow // deferred inserts (flushDeliveries)
	// answer: the automation that is on (Arrivals.Active), which filed
	// messages are handed to.
	answer Activity

	// precheck looks the batch's messages up at once, before anything is
	// applied: known holds those papo already has, waiting those reactions,
	// edits or revokes wait for; added lists what the current delivery put
	// in known, undone by forget.
	known   map[waKey]bool
	waiting map[waKey]bool
	added   []waKey
}

type waKey struct {
	channel store.ID
	wa      string
}

type chanInfo struct {
	ID            store.ID `db:"id"`
	DefaultTeamID store.ID `db:"default_team_id"`
}

func (s *Service) newApplier(tx *store.Tx) *applier {
	return &applier{s: s, tx: tx, channels: map[string]*chanInfo{}}
}

// forget drops what the applier learnt from the delivery whose savepoint
// was rolled back.
func (a *applier) forget() {
	clear(a.channels)
	for _, k := range a.added {
		delete(a.known, k)
	}
	a.added = a.added[:0]
}

// begin starts a delivery: what it adds to known is its own.
func (a *applier) begin() { a.added = a.added[:0] }

// precheck looks up, for every message of the batch at once, whether papo
// has it already and whether reactions wait for it.
func (a *applier) precheck(ctx context.Context, batch []*request) error {
	ids := map[store.ID][]string{}
	for _, r := range batch {
		if r.n == nil {
			continue
		}
		for i := range r.n.Messages {
			m := &r.n.Messages[i]
			ch, err := a.channel(ctx, m.PhoneNumberID)
			if err != nil {
				return err
			}
			if ch != nil && m.Type != whatsapp.TypeReaction {
				ids[ch.ID] = append(ids[ch.ID], m.ID)
			}
		}
	}
	a.known, a.waiting = map[waKey]bool{}, map[waKey]bool{}
	for ch, wa := range ids {
		for len(wa) > 0 {
			chunk := wa[:min(len(wa), 500)]
			wa = wa[len(chunk):]
			query, args, err := a.s.db.In(a.s.q.BatchLookUp, ch, chunk, ch, chunk, ch, chunk)
			if err != nil {
				return err
			}
			var found []struct {
				Wa   string `db:"wa"`
				What string `db:"what"`
			}
			if err := a.tx.SelectContext(ctx, &found, query, args...); err != nil {
				return fmt.Errorf("inbound: batch look-up: %w", err)
			}
			for _, f := range found {
				if f.What == "known" {
					a.known[waKey{ch, f.Wa}] = true
				} else {
					a.waiting[waKey{ch, f.Wa}] = true
				}
			}
		}
	}
	return nil
}

// channel finds the channel of a phone_number_id, read in the transaction
// so that a channel's default team is always current.
func (a *applier) channel(ctx context.Context, phoneNumberID string) (*chanInfo, error) {
	if c, ok := a.channels[phoneNumberID]; ok {
		return c, nil
	}
	var c chanInfo
	err := store.Get(ctx, a.tx, &c, a.s.q.ChannelByPhone, phoneNumberID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.channels[phoneNumberID] = nil
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("inbound: channel of %s: %w", phoneNumberID, err)
	}
	a.channels[phoneNumberID] = &c
	a.s.touch(c.ID)
	return &c, nil
}

// outcome is what applying one notification did.
type outcome struct {
	applied, duplicates, ignored, failed int
	notes                                []string
	changes                              Changes
	media                                bool
}

func (o *outcome) note(format string, args ...any) {
	if len(o.notes) < 20 {
		o.notes = append(o.notes, fmt.Sprintf(format, args...))
	} else if len(o.notes) == 20 {
		o.notes = append(o.notes, "…")
	}
}

func (o *outcome) ignore(format string, args ...any) {
	o.ignored++
	o.note(format, args...)
}

func (o *outcome) fail(format string, args ...any) {
	o.failed++
	o.note(format, args...)
}

func (o *outcome) state() string {
	switch {
	case o.failed > 0:
		return StateFailed
	case o.applied+o.duplicates == 0 && o.ignored > 0:
		return StateIgnored
	}
	return StateApplied
}

func (o *outcome) reason() string { return strings.Join(o.notes, "; ") }

// apply applies every item of n. An error means the transaction (or the
// savepoint) must be rolled back; items papo cannot use are noted instead.
func (a *applier) apply(ctx context.Context, n *whatsapp.Notification) (*outcome, error) {
	outs, err := a.applyAll(ctx, []*whatsapp.Notification{n})
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// noteRest records the parts of n that change nothing in papo: WhatsApp's
// out-of-band errors, other webhook fields, unreadable items.
func (a *applier) noteRest(o *outcome, n *whatsapp.Notification) {
	for _, e := range n.Errors {
		a.s.log.Warn("inbound: WhatsApp reported an error", "phone_number_id", e.PhoneNumberID, "code", e.Code,
			"title", e.Title, "details", e.Details)
		o.ignore("WhatsApp error %d (%s) for %s", e.Code, firstNonEmpty(e.Details, e.Title, e.Message), e.PhoneNumberID)
	}
	for _, other := range n.Others {
		a.s.log.Info("inbound: webhook field kept, not applied", "field", other.Field, "waba_id", other.WABAID)
		o.ignore("field %q is not applied by papo", other.Field)
	}
	for _, iv := range n.Invalid {
		a.s.log.Warn("inbound: webhook item could not be read", "kind", iv.Kind, "entry", iv.Entry, "change", iv.Change,
			"index", iv.Index, "err", iv.Err)
		if iv.Kind == whatsapp.InvalidContacts { // the messages apply, without profile names
			o.note("unreadable %s at entry %d change %d: %v", iv.Kind, iv.Entry, iv.Change, iv.Err)
			continue
		}
		o.fail("unreadable %s at entry %d change %d index %d: %v", iv.Kind, iv.Entry, iv.Change, iv.Index, iv.Err)
	}
}

// applyAll applies the items of several notifications — a batch — in one
// order that every committer shares: messages by sender (so contacts and
// conversations are locked in the same order by concurrent transactions,
// which then wait for each other instead of deadlocking), each sender's in
// arrival order, then statuses by message id. The messages papo files are
// written together, a few set-based statements for the whole batch (file);
// reactions and statuses follow, one by one, so that they find the messages
// of the same batch. It returns an outcome per notification (nil for a nil
// notification).
func (a *applier) applyAll(ctx context.Context, ns []*whatsapp.Notification) ([]*outcome, error) {
	type item struct {
		o   *outcome
		m   *whatsapp.Inbound
		st  *whatsapp.Status
		key string
	}
	outs := make([]*outcome, len(ns))
	var items []item
	for i, n := range ns {
		if n == nil {
			continue
		}
		o := &outcome{}
		outs[i] = o
		for j := range n.Messages {
			m := &n.Messages[j]
			items = append(items, item{o: o, m: m, key: "m" + firstNonEmpty(m.From, m.FromUserID) + "\x00" + m.PhoneNumberID})
		}
		for j := range n.Statuses {
			st := &n.Statuses[j]
			items = append(items, item{o: o, st: st, key: "s" + st.ID + "\x00" + st.PhoneNumberID})
		}
	}
	slices.SortStableFunc(items, func(x, y item) int { return strings.Compare(x.key, y.key) })
	var files []filing
	var rest []item
	for _, it := range items {
		if it.st != nil {
			rest = append(rest, it)
			continue
		}
		ch, kind, err := a.sortOut(ctx, it.o, it.m)
		switch {
		case err != nil:
			return nil, err
		case kind == toFile:
			files = append(files, filing{o: it.o, m: it.m, ch: ch})
		case kind == toReact, kind == toChange:
			rest = append(rest, it)
		}
	}
	if err := a.file(ctx, files); err != nil {
		return nil, err
	}
	for _, it := range rest {
		var err error
		if it.m != nil {
			ch, _ := a.channel(ctx, it.m.PhoneNumberID) // known: sortOut found it
			if it.m.Type == whatsapp.TypeReaction {
				err = a.reaction(ctx, it.o, ch, it.m)
			} else {
				err = a.change(ctx, it.o, ch, it.m)
			}
		} else {
			err = a.status(ctx, it.o, it.st)
		}
		if err != nil {
			return nil, err
		}
	}
	for i, n := range ns {
		if n != nil {
			a.noteRest(outs[i], n)
		}
	}
	return outs, nil
}

// applyHook, when set (tests only), runs before each message is applied;
// its error fails the delivery as a bug or a broken constraint would.
var applyHook atomic.Pointer[func(m *whatsapp.Inbound) error]

// What sortOut decides for an inbound message.
const (
	toSkip   = iota // noted in the outcome (ignored or failed): nothing to write
	toFile          // a message to file in its conversation
	toReact         // a reaction, applied to its target
	toChange        // an edit or revoke, applied to the original
)

// sortOut decides, before anything is written, what becomes of an inbound
// message, noting in o why one is not applied.
func (a *applier) sortOut(ctx context.Context, o *outcome, m *whatsapp.Inbound) (*chanInfo, int, error) {
	if hook := applyHook.Load(); hook != nil {
		if err := (*hook)(m); err != nil {
			return nil, toSkip, err
		}
	}
	ch, err := a.channel(ctx, m.PhoneNumberID)
	if err != nil {
		return nil, toSkip, err
	}
	switch {
	case ch == nil:
		a.s.log.Warn("inbound: message for an unknown phone_number_id kept, not applied", "phone_number_id", m.PhoneNumberID)
		o.ignore("message %s: unknown phone_number_id %q", m.ID, m.PhoneNumberID)
		return nil, toSkip, nil
	case m.Type == whatsapp.TypeReaction:
		return ch, toReact, nil
	case m.Type == whatsapp.TypeEdit && m.Edit != nil && m.Edit.OriginalMessageID != "",
		m.Type == whatsapp.TypeRevoke && m.Revoke != nil && m.Revoke.OriginalMessageID != "":
		return ch, toChange, nil
	case m.From == "" && m.FromUserID == "":
		o.fail("message %s: names no sender (neither wa_id nor user id)", m.ID)
		return nil, toSkip, nil
	}
	return ch, toFile, nil
}

// filing is an inbound message to file (F18): its contact, conversation and
// the message itself.
type filing struct {
	o  *outcome
	m  *whatsapp.Inbound
	ch *chanInfo

	typ          string
	payload      []byte
	conv         conversation.Opened
	contact      store.ID
	media        *store.ID
	surveyAnswer bool
}

// file files a batch's messages, each once: their senders' contacts, their
// open conversations and the messages in a few set-based statements, then
// each conversation's activity and unread count in one more.
func (a *applier) file(ctx context.Context, files []filing) error {
	// Messages papo has (earlier batches, or twice in this one) are done.
	todo := files[:0:0]
	var senders []contact.Sender
	for i := range files {
		f := &files[i]
		key := waKey{f.ch.ID, f.m.ID}
		if a.known[key] {
			f.o.duplicates++
			continue
		}
		a.known[key] = true
		a.added = append(a.added, key)
		var err error
		if f.typ, f.payload, err = Convert(f.m); err != nil {
			return fmt.Errorf("inbound: message %s: %w", f.m.ID, err)
		}
		todo = append(todo, *f)
		senders = append(senders, contact.Sender{WaID: f.m.From, BSUID: f.m.FromUserID, ProfileName: f.m.ProfileName})
	}
	if len(todo) == 0 {
		return nil
	}
	contacts, err := a.s.contacts.UpsertMany(ctx, a.tx, senders)
	if err != nil {
		return fmt.Errorf("inbound: contacts: %w", err)
	}
	for i := range todo {
		todo[i].contact = contacts[i]
	}
	routes, err := a.route(ctx, todo)
	if err != nil {
		return err
	}
	openings := make([]conversation.Opening, 0, len(todo))
	for i := range todo {
		if f := &todo[i]; routes[i] == 0 {
			openings = append(openings, conversation.Opening{ChannelID: f.ch.ID, DefaultTeamID: f.ch.DefaultTeamID, ContactID: f.contact, At: f.m.Timestamp})
		}
	}
	found, err := a.s.conv.OpenForInboundMany(ctx, a.tx, openings)
	if err != nil {
		return fmt.Errorf("inbound: conversations: %w", err)
	}
	opened := make([]conversation.Opened, len(todo))
	for i := range todo {
		if routes[i] == 0 {
			opened[i], found = found[0], found[1:]
			continue
		}
		row, err := a.s.conv.Load(ctx, a.tx, routes[i])
		if err != nil {
			return fmt.Errorf("inbound: survey's conversation: %w", err)
		}
		opened[i] = conversation.Opened{Row: row}
		todo[i].surveyAnswer = true
	}
	ins := make([]message.Inbound, len(todo))
	for i := range todo {
		f := &todo[i]
		f.conv = opened[i]
		m := f.m
		if whatsapp.IsMedia(m.Type) && m.Media != nil && m.Media.ID != "" {
			id, err := a.insertMedia(ctx, f.ch.ID, m.Media)
			if err != nil {
				return fmt.Errorf("inbound: message %s: %w", m.ID, err)
			}
			f.media = &id
		}
		ins[i] = message.Inbound{
			ConversationID: f.conv.Row.ID, ChannelID: f.ch.ID, ContactID: f.contact, Type: f.typ, Text: m.Text,
			MediaID: f.media, Payload: f.payload, WAMessageID: m.ID, At: m.Timestamp,
		}
		if m.Context != nil {
			ins[i].ReplyToWaID = m.Context.ID
		}
	}
	ids, err := a.s.messages.InsertInboundMany(ctx, a.tx, ins)
	if err != nil {
		return fmt.Errorf("inbound: messages: %w", err)
	}
	records := make([]conversation.Record, 0, len(todo))
	for i := range todo {
		f := &todo[i]
		if ids[i] == 0 { // applied by a concurrent batch meanwhile
			if f.media != nil {
				if _, err := a.tx.ExecContext(ctx, a.s.q.DeleteMedia, *f.media); err != nil {
					return fmt.Errorf("inbound: drop duplicate media: %w", err)
				}
			}
			f.o.duplicates++
			continue
		}
		records = append(records, conversation.Record{ConversationID: f.conv.Row.ID, MessageID: ids[i], At: f.m.Timestamp})
		if f.conv.Created {
			f.o.changes.ConversationsCreated = append(f.o.changes.ConversationsCreated, f.conv.Row.ID)
		} else {
			f.o.changes.ConversationsUpdated = append(f.o.changes.ConversationsUpdated, f.conv.Row.ID)
		}
		f.o.changes.MessagesCreated = append(f.o.changes.MessagesCreated, ids[i])
		f.o.media = f.o.media || f.media != nil
		f.o.applied++
	}
	if err := a.s.conv.RecordInboundMany(ctx, a.tx, records); err != nil {
		return err
	}
	if err := a.arrived(ctx, todo, ids); err != nil {
		return err
	}
	// Reactions, edits and revokes that arrived before their message.
	for i := range todo {
		f := &todo[i]
		if ids[i] != 0 && a.waiting[waKey{f.ch.ID, f.m.ID}] {
			if err := a.s.applyWaitingReactions(ctx, a.tx, f.ch.ID, f.m.ID, ids[i], &f.o.changes); err != nil {
				return err
			}
			if err := a.s.applyWaitingChanges(ctx, a.tx, f.ch.ID, f.m.ID, ids[i], &f.o.changes); err != nil {
				return err
			}
		}
	}
	return nil
}

// route asks the automation which of the batch's messages answer a survey
// (F20), inside a savepoint: a failure is logged and the messages filed by
// the usual rule.
func (a *applier) route(ctx context.Context, todo []filing) ([]store.ID, error) {
	routes := make([]store.ID, len(todo))
	if !a.answer.Surveys {
		return routes, nil
	}
	in := make([]Incoming, len(todo))
	for i := range todo {
		f := &todo[i]
		in[i] = Incoming{ChannelID: f.ch.ID, ContactID: f.contact, Text: f.m.Text, At: f.m.Timestamp}
	}
	err := a.guarded(ctx, "route", func() error {
		got, err := a.s.arrivals.Route(ctx, a.tx, in)
		if err == nil && len(got) == len(routes) {
			copy(routes, got)
		}
		return err
	})
	if errors.Is(err, errSavepoint) {
		return nil, err
	}
	if err != nil {
		clear(routes)
	}
	return routes, nil
}

// arrived tells the automation about the messages just filed (F19, F20),
// inside a savepoint: what it cannot do is logged and undone, and the
// messages stay filed.
func (a *applier) arrived(ctx context.Context, todo []filing, ids []store.ID) error {
	if !a.answer.any() {
		return nil
	}
	var in []Arrival
	wanted := a.answer.OutOfHours // else only new conversations and survey answers are answered
	var first *outcome
	for i := range todo {
		f := &todo[i]
		if ids[i] == 0 {
			continue
		}
		if first == nil {
			first = f.o
		}
		conv := *f.conv.Row
		at := f.m.Timestamp
		conv.LastInboundAt = &at
		if conv.Status == conversation.StatusResolved {
			conv.Status = conversation.StatusPending
		}
		in = append(in, Arrival{Conversation: conv, Created: f.conv.Created, SurveyAnswer: f.surveyAnswer, MessageID: ids[i], At: at})
		wanted = wanted || f.surveyAnswer || (f.conv.Created && a.answer.Greeting)
	}
	if !wanted {
		return nil // nothing to answer: no savepoint, no query
	}
	var queued []store.ID
	err := a.guarded(ctx, "arrived", func() error {
		var err error
		queued, err = a.s.arrivals.Arrived(ctx, a.tx, in)
		return err
	})
	if errors.Is(err, errSavepoint) {
		return err
	}
	if err == nil {
		// Committed with the batch, so announced with its changes.
		first.changes.MessagesCreated = append(first.changes.MessagesCreated, queued...)
	}
	return nil
}

// guarded runs fn, the automation's part of a batch, under a savepoint: an
// error fn returns is logged and its writes undone, and the batch goes on
// (the error is returned for the caller's bookkeeping). Only a failure of
// the savepoint itself fails the batch — returned wrapped with errSavepoint.
func (a *applier) guarded(ctx context.Context, what string, fn func() error) error {
	if _, err := a.tx.ExecContext(ctx, "SAVEPOINT automation"); err != nil {
		return fmt.Errorf("%w: %w", errSavepoint, err)
	}
	ferr := fn()
	if ferr != nil {
		a.s.log.Error("inbound: automation failed; messages filed without it", "step", what, "err", ferr)
		if _, err := a.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT automation"); err != nil {
			return fmt.Errorf("%w: rollback: %w (after %w)", errSavepoint, err, ferr)
		}
	}
	if _, err := a.tx.ExecContext(ctx, "RELEASE SAVEPOINT automation"); err != nil {
		return fmt.Errorf("%w: release: %w", errSavepoint, err)
	}
	return ferr
}

// errSavepoint marks a failure of the automation's savepoint itself.
var errSavepoint = errors.New("inbound: automation savepoint")

func (a *applier) insertMedia(ctx context.Context, channelID store.ID, md *whatsapp.Media) (store.ID, error) {
	now := a.s.now()
	var id store.ID
	if err := a.tx.GetContext(ctx, &id, a.s.q.InsertMedia, channelID, md.ID, clip.String(md.MimeType, 200),
		clip.String(md.Filename, 255), clip.String(md.SHA256, 200), now, now, now); err != nil {
		return 0, fmt.Errorf("insert media: %w", err)
	}
	return id, nil
}

// reactor names who reacted, as message_reactions keeps it.
func reactor(m *whatsapp.Inbound) string {
	return "contact:" + firstNonEmpty(m.From, m.FromUserID)
}

// reaction applies a customer's reaction (F18): it is not a message but
// sets (or, with no emoji, removes) the reactor's entry on the target. A
// reaction to a message papo does not know yet waits for it.
func (a *applier) reaction(ctx context.Context, o *outcome, ch *chanInfo, m *whatsapp.Inbound) error {
	if m.Reaction == nil || m.Reaction.MessageID == "" {
		o.fail("reaction %s names no message", m.ID)
		return nil
	}
	who := reactor(m)
	res, err := a.tx.ExecContext(ctx, a.s.q.InsertReaction, ch.ID, m.ID, m.Reaction.MessageID, who,
		m.Reaction.Emoji, m.Timestamp, a.s.now())
	if err != nil {
		return fmt.Errorf("inbound: reaction %s: %w", m.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		o.duplicates++
		return nil
	}
	o.applied++
	target, err := a.s.messages.IDByWaID(ctx, a.tx, ch.ID, m.Reaction.MessageID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // waits for its message (messages are filed before reactions)
	} else if err != nil {
		return err
	}
	var newer int
	if err := a.tx.GetContext(ctx, &newer, a.s.q.NewerReaction, ch.ID, m.Reaction.MessageID, who, m.Timestamp); err != nil {
		return fmt.Errorf("inbound: reaction %s: %w", m.ID, err)
	}
	if newer == 0 {
		if err := a.s.messages.SetReaction(ctx, a.tx, target, who, m.Reaction.Emoji, m.Timestamp); err != nil {
			return err
		}
		o.changes.MessagesUpdated = append(o.changes.MessagesUpdated, target)
	}
	if _, err := a.tx.ExecContext(ctx, a.s.q.MarkReactionApplied, ch.ID, m.ID); err != nil {
		return fmt.Errorf("inbound: reaction %s: %w", m.ID, err)
	}
	return nil
}

// change applies a customer's edit or revoke of one of their messages
// (F18): kept once per its own wamid, applied to the original at once, or
// when the original arrives.
func (a *applier) change(ctx context.Context, o *outcome, ch *chanInfo, m *whatsapp.Inbound) error {
	kind, target, text := "revoke", "", ""
	if m.Type == whatsapp.TypeEdit {
		kind, target, text = "edit", m.Edit.OriginalMessageID, m.Edit.Text
	} else {
		target = m.Revoke.OriginalMessageID
	}
	res, err := a.tx.ExecContext(ctx, a.s.q.InsertChange, ch.ID, m.ID, target, kind, clip.String(text, message.MaxText),
		m.Timestamp, a.s.now())
	if err != nil {
		return fmt.Errorf("inbound: %s %s: %w", kind, m.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		o.duplicates++
		return nil
	}
	o.applied++
	id, err := a.s.messages.IDByWaID(ctx, a.tx, ch.ID, target)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // waits for its original (messages are filed before changes)
	} else if err != nil {
		return err
	}
	return a.s.applyWaitingChanges(ctx, a.tx, ch.ID, target, id, &o.changes)
}

// applyWaitingChanges applies the edits and revokes kept for a message,
// oldest first.
func (s *Service) applyWaitingChanges(ctx context.Context, tx *store.Tx, channelID store.ID, waMessageID string, msgID store.ID, c *Changes) error {
	var waiting []struct {
		WaID string    `db:"wa_message_id"`
		Kind string    `db:"kind"`
		Text string    `db:"text"`
		At   time.Time `db:"at"`
	}
	if err := tx.SelectContext(ctx, &waiting, s.q.WaitingChanges, channelID, waMessageID); err != nil {
		return fmt.Errorf("inbound: waiting edits: %w", err)
	}
	changed := false
	for _, w := range waiting {
		var previous *string
		if w.Kind == "edit" {
			prev, ok, err := s.messages.Edit(ctx, tx, msgID, w.Text, w.At)
			if err != nil {
				return err
			}
			if ok {
				previous, changed = &prev, true
			}
		} else {
			ok, err := s.messages.Revoke(ctx, tx, msgID, w.At)
			if err != nil {
				return err
			}
			changed = changed || ok
		}
		if _, err := tx.ExecContext(ctx, s.q.MarkChangeApplied, previous, channelID, w.WaID); err != nil {
			return fmt.Errorf("inbound: edit applied: %w", err)
		}
	}
	if changed {
		c.MessagesUpdated = append(c.MessagesUpdated, msgID)
	}
	return nil
}

// statusError is the error a failed status carries, as papo shows it: the
// WhatsApp code as a string and a readable reason.
func statusError(st *whatsapp.Status) *message.Error {
	if st.Status != whatsapp.StatusFailed {
		return nil
	}
	if len(st.Errors) == 0 || st.Errors[0].Code == 0 {
		return &message.Error{Code: "unknown", Message: whatsapp.Reason("", ReasonLanguage)}
	}
	code := st.Errors[0].Code
	cs := strconv.Itoa(code)
	return &message.Error{Code: cs, Message: whatsapp.Reason(cs, ReasonLanguage),
		Retryable: (&whatsapp.APIError{Code: code}).Retryable()}
}

// status applies a delivery status once per (message, status); a status of
// a message papo does not know yet waits for it.
func (a *applier) status(ctx context.Context, o *outcome, st *whatsapp.Status) error {
	ch, err := a.channel(ctx, st.PhoneNumberID)
	if err != nil {
		return err
	}
	if ch == nil {
		a.s.log.Warn("inbound: status for an unknown phone_number_id kept, not applied", "phone_number_id", st.PhoneNumberID)
		o.ignore("status %s %s: unknown phone_number_id %q", st.ID, st.Status, st.PhoneNumberID)
		return nil
	}
	e := statusError(st)
	var code, msg *string
	var retry *bool
	if e != nil {
		code, msg, retry = &e.Code, &e.Message, &e.Retryable
	}
	res, err := a.tx.ExecContext(ctx, a.s.q.InsertStatus, ch.ID, st.ID, clip.String(st.Status, 40), st.Timestamp, code, msg, retry, a.s.now())
	if err != nil {
		return fmt.Errorf("inbound: status %s %s: %w", st.ID, st.Status, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		o.duplicates++
		return nil
	}
	o.applied++
	id, found, changed, err := a.s.messages.ApplyStatus(ctx, a.tx, ch.ID, st.ID, st.Status, e)
	if err != nil {
		return err
	}
	if !found {
		return nil // waits for the message's WhatsApp id (ApplyPending)
	}
	if _, err := a.tx.ExecContext(ctx, a.s.q.MarkStatusApplied, ch.ID, st.ID, st.Status); err != nil {
		return fmt.Errorf("inbound: status %s: %w", st.ID, err)
	}
	if changed {
		o.changes.MessagesUpdated = append(o.changes.MessagesUpdated, id)
	}
	return nil
}

// ApplyPending applies what waited for the message that now has WhatsApp id
// waMessageID on the channel — the statuses that arrived before papo
// recorded the send, and reactions to it — inside the caller's transaction.
// The outbound sender calls it right after message.MarkSent.
func (s *Service) ApplyPending(ctx context.Context, tx *store.Tx, channelID store.ID, waMessageID string) error {
	var c Changes
	return s.applyPending(ctx, tx, channelID, waMessageID, &c)
}

func (s *Service) applyPending(ctx context.Context, tx *store.Tx, channelID store.ID, waMessageID string, c *Changes) error {
	var waiting []struct {
		Status    string    `db:"status"`
		At        time.Time `db:"at"`
		Code      *string   `db:"error_code"`
		Message   *string   `db:"error_message"`
		Retryable *bool     `db:"error_retryable"`
	}
	if err := tx.SelectContext(ctx, &waiting, s.q.WaitingStatuses, channelID, waMessageID); err != nil {
		return fmt.Errorf("inbound: waiting statuses: %w", err)
	}
	var msgID store.ID
	for _, w := range waiting {
		var e *message.Error
		if w.Code != nil {
			e = &message.Error{Code: *w.Code}
			if w.Message != nil {
				e.Message = *w.Message
			}
			if w.Retryable != nil {
				e.Retryable = *w.Retryable
			}
		}
		id, found, changed, err := s.messages.ApplyStatus(ctx, tx, channelID, waMessageID, w.Status, e)
		if err != nil {
			return err
		}
		if !found {
			return nil
		}
		msgID = id
		if _, err := tx.ExecContext(ctx, s.q.MarkStatusApplied, channelID, waMessageID, w.Status); err != nil {
			return fmt.Errorf("inbound: status applied: %w", err)
		}
		if changed {
			c.MessagesUpdated = append(c.MessagesUpdated, id)
		}
	}
	if msgID == 0 {
		id, err := s.messages.IDByWaID(ctx, tx, channelID, waMessageID)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		msgID = id
	}
	return s.applyWaitingReactions(ctx, tx, channelID, waMessageID, msgID, c)
}

// applyWaitingReactions applies the reactions kept for a message that has
// just appeared: the newest of each reactor.
func (s *Service) applyWaitingReactions(ctx context.Context, tx *store.Tx, channelID store.ID, waMessageID string, msgID store.ID, c *Changes) error {
	var waiting []struct {
		WaID    string    `db:"wa_message_id"`
		Reactor string    `db:"reactor"`
		Emoji   string    `db:"emoji"`
		At      time.Time `db:"at"`
	}
	if err := tx.SelectContext(ctx, &waiting, s.q.WaitingReactions, channelID, waMessageID); err != nil {
		return fmt.Errorf("inbound: waiting reactions: %w", err)
	}
	if len(waiting) == 0 {
		return nil
	}
	done := map[string]bool{}
	for _, w := range waiting {
		if done[w.Reactor] {
			continue
		}
		done[w.Reactor] = true
		if err := s.messages.SetReaction(ctx, tx, msgID, w.Reactor, w.Emoji, w.At); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, s.q.MarkTargetReactions, channelID, waMessageID); err != nil {
		return fmt.Errorf("inbound: reactions applied: %w", err)
	}
	c.MessagesUpdated = append(c.MessagesUpdated, msgID)
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
