package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/clock"
	"papo/internal/conversation"
	"papo/internal/inbound"
	"papo/internal/outbound"
	"papo/internal/settings"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// ThankYou acknowledges a survey answer (api.md: "a short automatic
// thank-you").
const ThankYou = "Obrigado pela sua avaliação!"

// Surveys sends the satisfaction survey when a conversation is closed
// (F20), recognises the customer's answer among the next messages, and
// reports the scores. The survey goes as text (question and options) while
// the 24-hour window is open and as the settings' template after it (F28).
type Surveys struct {
	DB       *store.DB
	Settings *settings.Service
	Log      *slog.Logger
	Now      clock.Clock

	q struct {
		Insert   string `query:"insert-survey"`
		Waiting  string `query:"waiting-surveys,in"`
		Answer   string `query:"answer-survey"`
		Expire   string `query:"expire-survey"`
		Answered string `query:"note-survey-answer"`
		Report   string `query:"survey-report"`
		Scores   string `query:"survey-scores"`
		ByAgent  string `query:"survey-scores-by-agent"`
	}
	mu    sync.Mutex
	queue Queuer
}

// NewSurveys loads its queries; SetQueue links the sender.
func NewSurveys(s *Surveys) (*Surveys, error) {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Now == nil {
		s.Now = clock.Real
	}
	if err := store.LoadQueries(queryFS, s.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("automation: %w", err)
	}
	return s, nil
}

// SetQueue links the sender, built after the services that close
// conversations and receive webhooks.
func (s *Surveys) SetQueue(q Queuer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = q
}

func (s *Surveys) sender() Queuer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queue
}

// Send queues the survey of a conversation closed just now, inside the
// closing transaction, and records it, returning its message id; nothing
// (0) when the settings do not ask
// for it on this kind of close, for a contact with automatic messages
// blocked, or outside the window without a survey template.
func (s *Surveys) Send(ctx context.Context, tx *store.Tx, conv *conversation.Row, d settings.Document, manual bool) (store.ID, error) {
	q := s.sender()
	sv := d.Survey
	if q == nil || (manual && !sv.OnManualClose) || (!manual && !sv.OnInactivityClose) || len(sv.Options) == 0 {
		return 0, nil
	}
	text := strings.TrimSpace(sv.Question + "\n" + strings.Join(sv.Options, " · "))
	if utf8.RuneCountInString(text) > whatsapp.MaxTextLength {
		text = strings.TrimSpace(sv.Question) // each fits alone (settings), not always together
	}
	in := outbound.SystemInput{Text: text}
	if name := strings.TrimSpace(sv.Template); name != "" {
		in.Template = &outbound.TemplateInput{Name: name, Language: sv.TemplateLanguage}
	}
	id, queued, err := q.QueueSystem(ctx, tx, conv, in)
	if err != nil || !queued {
		return 0, err
	}
	opts, err := json.Marshal(sv.Options)
	if err != nil {
		return 0, err
	}
	now := s.Now()
	timeout := time.Duration(max(sv.AnswerTimeoutMinutes, 1)) * time.Minute
	if _, err := tx.ExecContext(ctx, s.q.Insert, conv.ID, conv.ChannelID, conv.ContactID, conv.TeamID, conv.AssigneeID,
		id, string(opts), now, now.Add(timeout)); err != nil {
		return 0, fmt.Errorf("automation: record survey: %w", err)
	}
	return id, nil
}

// route finds, for each incoming message, the closed conversation whose
// survey it answers (0: none), recording the answers and expiring the
// surveys the messages did not answer. Only a contact's first message after
// the survey counts.
func (s *Surveys) route(ctx context.Context, tx *store.Tx, in []inbound.Incoming) ([]store.ID, error) {
	routes := make([]store.ID, len(in))
	var contacts []store.ID
	for _, m := range in {
		contacts = append(contacts, m.ContactID)
	}
	query, args, err := s.DB.In(s.q.Waiting, contacts)
	if err != nil {
		return nil, err
	}
	var waiting []struct {
		ID             store.ID  `db:"id"`
		ConversationID store.ID  `db:"conversation_id"`
		ChannelID      store.ID  `db:"channel_id"`
		ContactID      store.ID  `db:"contact_id"`
		Options        string    `db:"options"`
		SentAt         time.Time `db:"sent_at"`
		ExpiresAt      time.Time `db:"expires_at"`
	}
	if err := tx.SelectContext(ctx, &waiting, query, args...); err != nil {
		return nil, fmt.Errorf("automation: waiting surveys: %w", err)
	}
	if len(waiting) == 0 {
		return routes, nil
	}
	type key struct{ channel, contact store.ID }
	byKey := map[key]int{}
	for i, w := range waiting {
		byKey[key{w.ChannelID, w.ContactID}] = i
	}
	for i, m := range in {
		k := key{m.ChannelID, m.ContactID}
		wi, ok := byKey[k]
		if !ok {
			continue
		}
		w := waiting[wi]
		if m.At.Before(w.SentAt.Add(-time.Minute)) {
			continue // written before the survey, delivered late: neither an answer nor the next message
		}
		delete(byKey, k) // the next message only
		var options []string
		_ = json.Unmarshal([]byte(w.Options), &options)
		answer, score, matched := matchOption(options, m.Text)
		if !matched || m.At.After(w.ExpiresAt) {
			if _, err := tx.ExecContext(ctx, s.q.Expire, w.ID); err != nil {
				return nil, fmt.Errorf("automation: expire survey: %w", err)
			}
			continue
		}
		res, err := tx.ExecContext(ctx, s.q.Answer, answer, score, m.At, w.ID)
		if err != nil {
			return nil, fmt.Errorf("automation: survey answer: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			routes[i] = w.ConversationID
		}
	}
	return routes, nil
}

// answered notes the message that answered a survey and thanks the
// customer (in the closed conversation, which stays closed), returning the
// thank-you's id (0 when none was queued).
func (s *Surveys) answered(ctx context.Context, tx *store.Tx, ar inbound.Arrival) (store.ID, error) {
	if _, err := tx.ExecContext(ctx, s.q.Answered, ar.MessageID, ar.Conversation.ID); err != nil {
		return 0, fmt.Errorf("automation: survey answer: %w", err)
	}
	q := s.sender()
	if q == nil {
		return 0, nil
	}
	id, _, err := q.QueueSystem(ctx, tx, &ar.Conversation, outbound.SystemInput{Text: ThankYou})
	if err != nil {
		return 0, fmt.Errorf("automation: survey thanks: %w", err)
	}
	return id, nil
}

// matchOption reads a reply as one of the options: the option itself or
// its position (1…), trimmed and case-insensitive. The score is the option
// as a number when it is one, else its position.
func matchOption(options []string, text string) (answer string, score int, ok bool) {
	t := strings.ToLower(strings.TrimSpace(text))
	for i, o := range options {
		if t == strings.ToLower(strings.TrimSpace(o)) || t == strconv.Itoa(i+1) {
			if n, err := strconv.Atoi(strings.TrimSpace(o)); err == nil {
				return o, n, true
			}
			return o, i + 1, true
		}
	}
	return "", 0, false
}

// ReportQuery narrows the survey report (api.md "reports/surveys").
type ReportQuery struct {
	From, To time.Time // sent_at in [From, To)
	TeamID   *store.ID
	AgentID  *store.ID
}

// Report is the survey report: how many were sent, answered and expired in
// the period, the average score, how many chose each option, and per agent.
type Report struct {
	Sent         int            `json:"sent"`
	Answered     int            `json:"answered"`
	Expired      int            `json:"expired"`
	Average      *float64       `json:"average"`
	Distribution map[string]int `json:"distribution"`
	ByAgent      []AgentScore   `json:"by_agent"`
}

// AgentScore is one agent's answered surveys and average.
type AgentScore struct {
	AgentID  store.ID `json:"agent_id" db:"agent_id"`
	Answered int      `json:"answered" db:"answered"`
	Average  float64  `json:"average" db:"average"`
}

// Report computes the survey report.
func (s *Surveys) Report(ctx context.Context, rq ReportQuery) (*Report, error) {
	if !rq.To.After(rq.From) {
		return nil, apperr.Invalid("to", "must be after from")
	}
	now := s.Now()
	args := []any{now, rq.From, rq.To, rq.TeamID, rq.TeamID, rq.AgentID, rq.AgentID}
	var totals struct {
		Sent     int      `db:"sent"`
		Answered int      `db:"answered"`
		Expired  int      `db:"expired"`
		Average  *float64 `db:"average"`
	}
	if err := store.Get(ctx, s.DB.R, &totals, s.q.Report, args...); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("automation: survey report: %w", err)
	}
	r := &Report{Sent: totals.Sent, Answered: totals.Answered, Expired: totals.Expired, Average: totals.Average,
		Distribution: map[string]int{}, ByAgent: []AgentScore{}}
	var dist []struct {
		Answer string `db:"answer"`
		N      int    `db:"n"`
	}
	if err := s.DB.R.SelectContext(ctx, &dist, s.q.Scores, args[1:]...); err != nil {
		return nil, fmt.Errorf("automation: survey distribution: %w", err)
	}
	for _, d := range dist {
		r.Distribution[d.Answer] = d.N
	}
	if err := s.DB.R.SelectContext(ctx, &r.ByAgent, s.q.ByAgent, args[1:]...); err != nil {
		return nil, fmt.Errorf("automation: survey by agent: %w", err)
	}
	return r, nil
}
