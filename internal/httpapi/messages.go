package httpapi

import (
	"encoding/json"
	"net/http"

	"papo/internal/outbound"
	"papo/internal/store"
)

// sendRequest is the body of POST /api/v1/conversations/{id}/messages: one
// of text, media (image, audio, video, document, sticker), reaction or
// template (api.md "Messages").
type sendRequest struct {
	Type      string           `json:"type"`
	Text      string           `json:"text"`
	ReplyToID store.ID         `json:"reply_to_id"`
	MediaID   store.ID         `json:"media_id"`
	Caption   string           `json:"caption"`
	Reaction  *reactionRequest `json:"reaction"`
	Template  *templateRequest `json:"template"`
}

type reactionRequest struct {
	MessageID store.ID `json:"message_id"`
	Emoji     string   `json:"emoji"`
}

// templateRequest names a template; parameters are a list (positional) or
// an object (named).
type templateRequest struct {
	Name       string          `json:"name"`
	Language   string          `json:"language"`
	Parameters json.RawMessage `json:"parameters"`
}

func (t *templateRequest) input() (*outbound.TemplateInput, error) {
	pos, named, err := outbound.ParseParameters(t.Parameters)
	if err != nil {
		return nil, err
	}
	return &outbound.TemplateInput{Name: t.Name, Language: t.Language, Positional: pos, Named: named}, nil
}

// sendMessage queues a message (F10, F15, F26): 202 with the new message,
// or 200 with the first one when the Idempotency-Key was used before.
func (s *Server) sendMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principal(r)
	if _, err := s.conv.LoadVisible(r.Context(), nil, p, id); err != nil {
		return err // visibility before anything else
	}
	in, err := decode[sendRequest](w, r)
	if err != nil {
		return err
	}
	si := outbound.SendInput{
		Type: in.Type, Text: in.Text, ReplyToID: in.ReplyToID, MediaID: in.MediaID, Caption: in.Caption,
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
	}
	if in.Reaction != nil {
		si.Reaction = &outbound.ReactionInput{MessageID: in.Reaction.MessageID, Emoji: in.Reaction.Emoji}
	}
	if in.Template != nil && in.Type == outbound.TypeTemplate {
		if si.Template, err = in.Template.input(); err != nil {
			return err
		}
	}
	m, created, err := s.outbound.Send(r.Context(), p, id, si)
	status := http.StatusOK
	if created {
		status = http.StatusAccepted
	}
	return reply(w, status, m, err)
}
