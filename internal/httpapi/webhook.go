package httpapi

import (
	"errors"
	"io"
	"net/http"

	"papo/internal/apperr"
	"papo/internal/inbound"
	"papo/internal/whatsapp"
)

// The WhatsApp webhook (api.md "WhatsApp webhook", F25). It is public and
// authenticated by its signature; the inbound service does the work.

// webhookVerify answers Meta's subscription handshake: the challenge, byte
// for byte, when the verify token is a channel's; else 403.
func (s *Server) webhookVerify(w http.ResponseWriter, r *http.Request) error {
	token, challenge, ok := whatsapp.ParseVerification(r.URL.Query())
	if ok && s.inbound != nil {
		match, err := s.inbound.VerifyToken(r.Context(), token)
		if err != nil {
			return err
		}
		if match {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, challenge)
			return nil
		}
	}
	s.log.Warn("webhook verification refused", "request_id", requestID(r), "mode", r.URL.Query().Get("hub.mode"))
	return apperr.New(apperr.ErrForbidden, "The verify token matches no channel.")
}

// webhookReceive takes a notification: body bounded to 3 MiB, signature
// checked on the raw bytes before anything parses them (401 and nothing
// stored when it fails), then stored and applied before the 200. A body
// that is not JSON is kept for inspection and answered 400.
func (s *Server) webhookReceive(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r, inbound.MaxBody)
	if err != nil {
		return err
	}
	if s.inbound == nil {
		return apperr.New(apperr.ErrUnavailable, "The webhook is not available.")
	}
	if err := s.inbound.CheckSignature(r.Context(), body, r.Header.Get(whatsapp.SignatureHeader)); err != nil {
		if errors.Is(err, whatsapp.ErrSignatureMissing) || errors.Is(err, whatsapp.ErrSignatureInvalid) {
			s.log.Warn("webhook signature refused", "request_id", requestID(r), "reason", err)
			return apperr.New(apperr.ErrUnauthenticated, "The X-Hub-Signature-256 header is missing or does not match any channel's app secret.")
		}
		return err
	}
	receipt, err := s.inbound.Receive(r.Context(), body)
	switch {
	case errors.Is(err, inbound.ErrMalformed):
		s.log.Warn("webhook body is not a notification; kept", "request_id", requestID(r), "delivery_id", receipt.DeliveryID)
		return apperr.Invalid("body", "not a WhatsApp webhook notification (kept for inspection as delivery "+receipt.DeliveryID.String()+")")
	case errors.Is(err, apperr.ErrUnavailable):
		return err
	case err != nil:
		s.log.Error("webhook delivery not stored", "request_id", requestID(r), "err", err)
		return apperr.New(apperr.ErrUnavailable, "The delivery could not be stored; deliver it again.")
	}
	if receipt.State != inbound.StateApplied {
		s.log.Info("webhook delivery kept", "request_id", requestID(r), "delivery_id", receipt.DeliveryID,
			"state", receipt.State, "reason", receipt.Reason)
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "received", "delivery_id": receipt.DeliveryID.String()})
	return nil
}
