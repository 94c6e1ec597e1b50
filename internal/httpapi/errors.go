package httpapi

import (
	"errors"
	"net/http"
	"strconv"

	"papo/internal/apperr"
)

// apiError is the body of every error answer (api.md "Conventions").
type apiError struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

// Errors the HTTP layer raises itself.
var (
	errUnsupportedMediaType = errors.New("unsupported media type")
	errPayloadTooLarge      = errors.New("payload too large")
)

// writeError answers err with the status and code api.md gives its kind.
// Anything unexpected is a 500 whose cause is logged once, with the request
// id, and never shown.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code, msg := http.StatusInternalServerError, "internal", "Something went wrong on the server. Try again; if it persists, tell your administrator."
	details := map[string]any{}
	var (
		verr *apperr.ValidationError
		rl   *apperr.RateLimitedError
		mbe  *http.MaxBytesError
		safe *apperr.Error
	)
	switch {
	case errors.As(err, &verr):
		status, code, msg = http.StatusBadRequest, "invalid_request", "Some fields are invalid."
		details["fields"] = verr.Fields
	case errors.As(err, &rl):
		secs := int(rl.RetryAfter.Seconds() + 0.999)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		status, code, msg = http.StatusTooManyRequests, "rate_limited", "Too many attempts. Wait a moment and try again."
		details["retry_after_seconds"] = secs
	case errors.As(err, &mbe), errors.Is(err, errPayloadTooLarge):
		status, code, msg = http.StatusRequestEntityTooLarge, "payload_too_large", "The request body is too large."
	case errors.Is(err, errUnsupportedMediaType):
		status, code, msg = http.StatusUnsupportedMediaType, "unsupported_media_type", "Send the body as application/json."
	case errors.Is(err, apperr.ErrUnauthenticated):
		status, code, msg = http.StatusUnauthorized, "unauthenticated", "Log in to continue."
	case errors.Is(err, apperr.ErrForbidden):
		status, code, msg = http.StatusForbidden, "forbidden", "You are not allowed to do this."
	case errors.Is(err, apperr.ErrTicketNotFound):
		status, code, msg = http.StatusNotFound, "ticket_not_found", "There is no ticket with this number."
	case errors.Is(err, apperr.ErrNotFound):
		status, code, msg = http.StatusNotFound, "not_found", "Not found."
	case errors.Is(err, apperr.ErrConflict):
		status, code, msg = http.StatusConflict, "conflict", "This cannot be done in the current state."
	case errors.Is(err, apperr.ErrWindowClosed):
		status, code, msg = http.StatusUnprocessableEntity, "window_closed", "The 24-hour window is closed: send an approved template instead."
	case errors.Is(err, apperr.ErrUnavailable):
		status, code, msg = http.StatusServiceUnavailable, "unavailable", "The service is temporarily unavailable. Try again shortly."
	}
	if status != http.StatusInternalServerError && errors.As(err, &safe) {
		msg = safe.Msg
	}
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed", "request_id", requestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
	} else if status == http.StatusBadRequest {
		s.log.DebugContext(r.Context(), "bad request", "request_id", requestID(r), "err", err)
	}
	writeJSON(w, status, apiError{Error: errorBody{Code: code, Message: msg, Details: details}})
}

// fieldError is a 400 naming one field.
func fieldError(field, msg string) error { return apperr.Invalid(field, msg) }
