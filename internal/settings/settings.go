// Package settings holds the workspace's settings document (api.md
// "Settings"): segmentation of the inbox (F02), closing message and survey
// (F16, F20), greeting, out-of-hours and inactivity close (F19).
package settings

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/clock"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// Document is the whole settings document. PUT replaces it; absent fields
// take their defaults.
type Document struct {
	SegmentedView   bool            `json:"segmented_view"`
	ClosingMessage  Message         `json:"closing_message"`
	Survey          Survey          `json:"survey"`
	Greeting        Message         `json:"greeting"`
	OutOfHours      Message         `json:"out_of_hours"`
	InactivityClose InactivityClose `json:"inactivity_close"`
}

// Message is an automatic message that can be switched on and off. Template
// names the approved WhatsApp template sent instead when the 24-hour window
// is closed (F28); empty means none.
type Message struct {
	Enabled          bool   `json:"enabled"`
	Text             string `json:"text"`
	Template         string `json:"template"`
	TemplateLanguage string `json:"template_language"`
}

// Survey is the satisfaction survey (F20).
type Survey struct {
	OnManualClose        bool     `json:"on_manual_close"`
	OnInactivityClose    bool     `json:"on_inactivity_close"`
	Question             string   `json:"question"`
	Options              []string `json:"options"`
	AnswerTimeoutMinutes int      `json:"answer_timeout_minutes"`
	Template             string   `json:"template"`
	TemplateLanguage     string   `json:"template_language"`
}

// InactivityClose closes conversations the customer left silent (F19).
type InactivityClose struct {
	Enabled bool `json:"enabled"`
	Hours   int  `json:"hours"`
}

// Defaults returns the settings of a new workspace.
func Defaults() Document {
	return Document{
		ClosingMessage: Message{Text: "Atendimento encerrado. Obrigado pelo contato!"},
		Survey: Survey{
			Question:             "Como você avalia o nosso atendimento? Responda de 1 (ruim) a 5 (ótimo).",
			Options:              []string{"1", "2", "3", "4", "5"},
			AnswerTimeoutMinutes: 60,
		},
		Greeting:        Message{Text: "Olá! Recebemos a sua mensagem e logo um atendente vai responder."},
		OutOfHours:      Message{Text: "Olá! Estamos fora do horário de atendimento. Responderemos assim que possível."},
		InactivityClose: InactivityClose{Hours: 24},
	}
}

// Decode reads a document, filling what body leaves out with the defaults.
func Decode(body []byte) (Document, error) {
	d := Defaults()
	if err := json.Unmarshal(body, &d); err != nil {
		return Document{}, err
	}
	return d, nil
}

// Validate checks the document's bounds.
func (d *Document) Validate() error {
	f := apperr.Fields{}
	texts := map[string]string{
		"closing_message.text": d.ClosingMessage.Text,
		"greeting.text":        d.Greeting.Text,
		"out_of_hours.text":    d.OutOfHours.Text,
		"survey.question":      d.Survey.Question,
	}
	for field, t := range texts {
		if utf8.RuneCountInString(t) > 4096 {
			f.Add(field, "too long (4096 characters at most)")
		}
	}
	enabled := map[string]Message{"closing_message.text": d.ClosingMessage, "greeting.text": d.Greeting, "out_of_hours.text": d.OutOfHours}
	for field, m := range enabled {
		if m.Enabled && strings.TrimSpace(m.Text) == "" {
			f.Add(field, "required when enabled")
		}
	}
	if (d.Survey.OnManualClose || d.Survey.OnInactivityClose) && strings.TrimSpace(d.Survey.Question) == "" {
		f.Add("survey.question", "required when the survey is sent")
	}
	if len(d.Survey.Options) < 2 || len(d.Survey.Options) > 10 {
		f.Add("survey.options", "between 2 and 10 options")
	}
	seen := map[string]bool{}
	for _, o := range d.Survey.Options {
		k := strings.ToLower(strings.TrimSpace(o))
		if k == "" || utf8.RuneCountInString(o) > 100 || seen[k] {
			f.Add("survey.options", "options must be distinct, non-empty and short")
		}
		seen[k] = true
	}
	if d.Survey.AnswerTimeoutMinutes < 1 || d.Survey.AnswerTimeoutMinutes > 7*24*60 {
		f.Add("survey.answer_timeout_minutes", "between 1 and 10080")
	}
	if d.InactivityClose.Hours < 1 || d.InactivityClose.Hours > 24*30 {
		f.Add("inactivity_close.hours", "between 1 and 720")
	}
	return f.Err()
}

// Options configure a Service.
type Options struct {
	DB  *store.DB
	Now clock.Clock
}

// Service reads and replaces the settings. It is safe for concurrent use.
type Service struct {
	db  *store.DB
	now clock.Clock
	q   struct {
		Get string `query:"get-settings"`
		Put string `query:"put-settings"`
	}
}

// New returns a Service.
func New(o Options) (*Service, error) {
	s := &Service{db: o.DB, now: o.Now}
	if s.now == nil {
		s.now = clock.Real
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	return s, nil
}

// Get returns the current document (the defaults when never saved).
func (s *Service) Get(ctx context.Context) (Document, error) {
	return s.get(ctx, s.db.R)
}

// GetTx reads the document inside a transaction.
func (s *Service) GetTx(ctx context.Context, tx *store.Tx) (Document, error) {
	return s.get(ctx, tx)
}

func (s *Service) get(ctx context.Context, q store.Queryer) (Document, error) {
	var doc string
	if err := store.Get(ctx, q, &doc, s.q.Get); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return Defaults(), nil
		}
		return Document{}, fmt.Errorf("settings: get: %w", err)
	}
	d, err := Decode([]byte(doc))
	if err != nil {
		return Document{}, fmt.Errorf("settings: stored document unreadable: %w", err)
	}
	return d, nil
}

// Put validates and replaces the whole document.
func (s *Service) Put(ctx context.Context, d Document) (Document, error) {
	if d.Survey.Options == nil {
		d.Survey.Options = Defaults().Survey.Options
	}
	if err := d.Validate(); err != nil {
		return Document{}, err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return Document{}, fmt.Errorf("settings: encode: %w", err)
	}
	if _, err := s.db.W.ExecContext(ctx, s.q.Put, string(b), s.now()); err != nil {
		return Document{}, fmt.Errorf("settings: put: %w", err)
	}
	return d, nil
}
