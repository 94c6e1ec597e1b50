package httpapi

import (
	"errors"
	"net/http"
	"strings"

	"papo/internal/apperr"
	"papo/internal/inbound"
	"papo/internal/store"
)

// Channel health and the webhook's stored deliveries (F29, api.md "Channel
// health"). Admins only — the routes wrap every handler in adminOnly —
// because delivery bodies are customer data.

var errNoWebhook = apperr.New(apperr.ErrUnavailable, "The webhook is not available.")

func (s *Server) channelHealth(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if s.inbound == nil {
		return errNoWebhook
	}
	h, err := s.channels.Health(r.Context(), id)
	if err != nil {
		return err
	}
	h.FailedDeliveries, h.WaitingStatuses, err = s.inbound.ChannelCounts(r.Context(), id, h.PhoneNumberID)
	return reply(w, http.StatusOK, h, err)
}

func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	if s.inbound == nil {
		return errNoWebhook
	}
	q, err := s.deliveryQuery(r)
	if err != nil {
		return err
	}
	page, err := s.inbound.FailedDeliveryPage(r.Context(), q)
	if err != nil {
		return err
	}
	writePage(s, w, page.Items, page.Next)
	return nil
}

// deliveryQuery reads ?state=failed (the one state listed: applied and
// ignored deliveries are pruned as routine), ?channel_id=, ?limit= and
// ?cursor=.
func (s *Server) deliveryQuery(r *http.Request) (inbound.DeliveryQuery, error) {
	var q inbound.DeliveryQuery
	v := r.URL.Query()
	if st := v.Get("state"); st != "" && st != inbound.StateFailed {
		return q, fieldError("state", "only failed deliveries are listed")
	}
	limit, err := parseLimit(r)
	if err != nil {
		return q, err
	}
	q.Limit = limit
	if raw := v.Get("channel_id"); raw != "" {
		if q.PhoneNumberID, err = s.channelNumber(r, raw); err != nil {
			return q, err
		}
	}
	if c := v.Get("cursor"); c != "" {
		q.After = new(inbound.DeliveryCursor)
		if err := s.decodeCursor(c, q.After); err != nil {
			return q, err
		}
	}
	return q, nil
}

// channelNumber returns the phone_number_id of the channel a query names.
func (s *Server) channelNumber(r *http.Request, raw string) (string, error) {
	id, err := store.ParseID(raw)
	if err != nil {
		return "", fieldError("channel_id", "not a channel id")
	}
	ch, err := s.channels.Get(r.Context(), id)
	if errors.Is(err, apperr.ErrNotFound) {
		return "", fieldError("channel_id", "unknown channel")
	}
	if err != nil {
		return "", err
	}
	return ch.PhoneNumberID, nil
}

// deliveryDetail is a delivery with its body as text: the raw JSON as
// received, invalid UTF-8 replaced so that it can be shown.
type deliveryDetail struct {
	inbound.Delivery
	Body string `json:"body"`
}

func (s *Server) getDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if s.inbound == nil {
		return errNoWebhook
	}
	d, err := s.inbound.Delivery(r.Context(), id)
	if err != nil {
		return err
	}
	out := deliveryDetail{Delivery: *d, Body: strings.ToValidUTF8(string(d.Body), "\uFFFD")}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type reapplyResult struct {
	DeliveryID store.ID `json:"delivery_id"`
	State      string   `json:"state"`
	Reason     string   `json:"reason"`
}

// reapplyDelivery applies a stored delivery again. A delivery that fails
// again is still a 200: its state and reason say so (and are stored).
func (s *Server) reapplyDelivery(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if s.inbound == nil {
		return errNoWebhook
	}
	rc, err := s.inbound.Reapply(r.Context(), id)
	if err != nil && rc.DeliveryID == 0 {
		return err // no such delivery (404), or it could not be loaded
	}
	if err != nil {
		s.log.Warn("webhook delivery failed again", "request_id", requestID(r), "delivery_id", id, "err", err)
	}
	writeJSON(w, http.StatusOK, reapplyResult{DeliveryID: id, State: rc.State, Reason: rc.Reason})
	return nil
}
