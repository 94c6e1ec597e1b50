package outbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// Template is a channel's message template as the API shows it (api.md
// "Channels"): status and category as Meta spells them, parameter_format
// "positional" or "named".
type Template struct {
	Name            string               `json:"name"`
	Language        string               `json:"language"`
	Status          string               `json:"status"`
	Category        string               `json:"category"`
	Components      []whatsapp.Component `json:"components"`
	ParameterFormat string               `json:"parameter_format"`
	// Parameters are the names a named template takes, or null for a
	// positional one; ParameterCount is how many values it takes.
	Parameters     []string  `json:"parameters"`
	ParameterCount int       `json:"parameter_count"`
	SyncedAt       time.Time `json:"synced_at"`
}

type templateRow struct {
	ID              store.ID  `db:"id"`
	ChannelID       store.ID  `db:"channel_id"`
	WATemplateID    string    `db:"wa_template_id"`
	Name            string    `db:"name"`
	Language        string    `db:"language"`
	Status          string    `db:"status"`
	Category        string    `db:"category"`
	Components      string    `db:"components"`
	ParameterFormat string    `db:"parameter_format"`
	SyncedAt        time.Time `db:"synced_at"`
}

func (r *templateRow) wa() (whatsapp.Template, error) {
	t := whatsapp.Template{ID: r.WATemplateID, Name: r.Name, Language: r.Language, Status: r.Status, Category: r.Category,
		ParameterFormat: r.ParameterFormat}
	if err := json.Unmarshal([]byte(r.Components), &t.Components); err != nil {
		return t, fmt.Errorf("outbound: template %s/%s components: %w", r.Name, r.Language, err)
	}
	return t, nil
}

func (r *templateRow) present() (Template, error) {
	t, err := r.wa()
	if err != nil {
		return Template{}, err
	}
	names, n := t.Parameters()
	if t.Components == nil {
		t.Components = []whatsapp.Component{}
	}
	return Template{Name: r.Name, Language: r.Language, Status: r.Status, Category: r.Category, Components: t.Components,
		ParameterFormat: r.ParameterFormat, Parameters: names, ParameterCount: n, SyncedAt: r.SyncedAt}, nil
}

// TemplateInput names a template and its values, as agents send them:
// parameters are a list for positional templates or an object for named
// ones.
type TemplateInput struct {
	Name       string
	Language   string
	Positional []string
	Named      map[string]string
}

// ParseParameters reads the "parameters" of a template request: a JSON
// array of strings (positional), an object of strings (named), or nothing.
func ParseParameters(raw json.RawMessage) (positional []string, named map[string]string, err error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil, nil
	}
	switch raw[0] {
	case '[':
		if err := json.Unmarshal(raw, &positional); err != nil {
			return nil, nil, apperr.Invalid("template.parameters", "must be a list of strings or an object of strings")
		}
		if positional == nil {
			positional = []string{}
		}
		return positional, nil, nil
	case '{':
		if err := json.Unmarshal(raw, &named); err != nil {
			return nil, nil, apperr.Invalid("template.parameters", "must be a list of strings or an object of strings")
		}
		return nil, named, nil
	}
	return nil, nil, apperr.Invalid("template.parameters", "must be a list of strings or an object of strings")
}

// payload is what a template message stores: name, language and the values
// as given.
func (in TemplateInput) payload() map[string]any {
	p := map[string]any{"name": in.Name, "language": in.Language}
	switch {
	case in.Named != nil:
		p["parameters"] = in.Named
	case in.Positional != nil:
		p["parameters"] = in.Positional
	default:
		p["parameters"] = []string{}
	}
	return p
}

// findTemplate returns a channel's template by name and language; an empty
// language picks the template's only language. Errors name template.name
// or template.language.
func (s *Service) findTemplate(ctx context.Context, q store.Queryer, channelID store.ID, name, language string) (*templateRow, error) {
	if q == nil {
		q = s.db.R
	}
	if strings.TrimSpace(name) == "" {
		return nil, apperr.Invalid("template.name", "required")
	}
	if language == "" {
		var rows []templateRow
		if err := q.SelectContext(ctx, &rows, s.q.TemplateByName, channelID, name); err != nil {
			return nil, fmt.Errorf("outbound: templates by name: %w", err)
		}
		switch len(rows) {
		case 0:
			return nil, apperr.Invalid("template.name", "unknown template for this channel (sync the templates?)")
		case 1:
			return &rows[0], nil
		default:
			return nil, apperr.Invalid("template.language", "required: this template exists in several languages")
		}
	}
	var r templateRow
	if err := store.Get(ctx, q, &r, s.q.TemplateGet, channelID, name, language); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, apperr.Invalid("template.name", "unknown template in this language for this channel (sync the templates?)")
		}
		return nil, fmt.Errorf("outbound: template: %w", err)
	}
	return &r, nil
}

// checkTemplate validates a template send: an approved template and values
// that fit it. It returns the template's name and language as stored.
func (s *Service) checkTemplate(ctx context.Context, q store.Queryer, channelID store.ID, in *TemplateInput) (*templateRow, error) {
	r, err := s.findTemplate(ctx, q, channelID, in.Name, in.Language)
	if err != nil {
		return nil, err
	}
	if r.Status != whatsapp.TemplateApproved {
		return nil, apperr.Invalid("template.name", fmt.Sprintf("template is %s, not APPROVED", r.Status))
	}
	t, err := r.wa()
	if err != nil {
		return nil, err
	}
	if _, err := whatsapp.BuildComponents(t, in.Positional, in.Named); err != nil {
		return nil, templateError(err)
	}
	in.Language = r.Language
	return r, nil
}

// templateError turns a whatsapp.TemplateParamError into a field error.
func templateError(err error) error {
	if te, ok := errors.AsType[*whatsapp.TemplateParamError](err); ok {
		return apperr.Invalid(te.Field, te.Reason)
	}
	return apperr.Invalid("template.parameters", err.Error())
}

// Templates lists a channel's templates as last synced. Every logged-in
// user may list them: agents pick one to send when the window is closed.
func (s *Service) Templates(ctx context.Context, channelID store.ID, status string) ([]Template, error) {
	if err := s.channelExists(ctx, channelID); err != nil {
		return nil, err
	}
	var rows []templateRow
	if err := s.db.R.SelectContext(ctx, &rows, s.q.TemplateList, channelID); err != nil {
		return nil, fmt.Errorf("outbound: list templates: %w", err)
	}
	out := make([]Template, 0, len(rows))
	for i := range rows {
		if status != "" && !strings.EqualFold(rows[i].Status, status) {
			continue
		}
		t, err := rows[i].present()
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

func (s *Service) channelExists(ctx context.Context, id store.ID) error {
	var ok bool
	if err := s.db.R.GetContext(ctx, &ok, s.q.ChannelExists, id); err != nil {
		return fmt.Errorf("outbound: channel exists: %w", err)
	}
	if !ok {
		return fmt.Errorf("channel %s: %w", id, apperr.ErrNotFound)
	}
	return nil
}

// SyncTemplates fetches a channel's templates from the Graph API
// ({waba_id}/message_templates, every page) and replaces the stored ones
// with them. It returns how many it stored. Graph failures are
// apperr.ErrUnavailable with the readable reason.
func (s *Service) SyncTemplates(ctx context.Context, channelID store.ID) (int, error) {
	cl, err := s.client(ctx, channelID, true)
	if err != nil {
		return 0, err
	}
	if cl.ch.WABAID == "" {
		return 0, apperr.Invalid("waba_id", "the channel has no WhatsApp Business Account id: set waba_id first")
	}
	list, err := cl.wa.ListTemplates(ctx)
	if err != nil {
		s.log.Warn("template sync failed", "channel_id", channelID, "err", err)
		s.noteGraphError(ctx, channelID, err)
		if ae, ok := errors.AsType[*whatsapp.APIError](err); ok {
			return 0, apperr.New(apperr.ErrUnavailable, "WhatsApp refused the template list: "+ae.Reason(s.lang))
		}
		return 0, apperr.New(apperr.ErrUnavailable, "The WhatsApp Graph API could not be reached to list the templates.")
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	now := s.now()
	seen := map[string]bool{}
	n := 0
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.TemplateDeleteAll, channelID); err != nil {
			return fmt.Errorf("outbound: drop old templates: %w", err)
		}
		for _, t := range list {
			if t.Name == "" || t.Language == "" || seen[t.Name+"\x00"+t.Language] {
				continue
			}
			seen[t.Name+"\x00"+t.Language] = true
			format := whatsapp.FormatPositional
			if t.Named() {
				format = whatsapp.FormatNamed
			}
			comps := t.Components
			if comps == nil {
				comps = []whatsapp.Component{}
			}
			cj, err := json.Marshal(comps)
			if err != nil {
				return fmt.Errorf("outbound: template %s: %w", t.Name, err)
			}
			if _, err := tx.ExecContext(ctx, s.q.TemplateUpsert, channelID, t.ID, t.Name, t.Language, t.Status, t.Category,
				string(cj), format, now); err != nil {
				return fmt.Errorf("outbound: store template %s: %w", t.Name, err)
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.log.Info("templates synced", "channel_id", channelID, "count", n)
	return n, nil
}

// Preview renders a template with the given values as the customer would
// read it (F15), for a conversation the caller may see. Values may be
// incomplete: missing placeholders stay as they are.
func (s *Service) Preview(ctx context.Context, p *auth.Principal, convID store.ID, in TemplateInput) (string, error) {
	conv, err := s.conv.LoadVisible(ctx, nil, p, convID)
	if err != nil {
		return "", err
	}
	r, err := s.findTemplate(ctx, nil, conv.ChannelID, in.Name, in.Language)
	if err != nil {
		return "", err
	}
	t, err := r.wa()
	if err != nil {
		return "", err
	}
	return whatsapp.Render(t, in.Positional, in.Named), nil
}
