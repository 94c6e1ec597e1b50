package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"papo/internal/apperr"
)

// Cookie names of a browser session.
const (
	sessionCookie = "papo_session"
	csrfCookie    = "papo_csrf"
	csrfHeader    = "X-CSRF-Token"
)

var errNotFound = fmt.Errorf("httpapi: %w", apperr.ErrNotFound)

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach Flush for streams.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id, recovers panics, logs one line per
// request (path without query: queries may carry tokens) and counts it.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, id))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("panic serving request", "request_id", id, "path", r.URL.Path, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					s.writeError(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			elapsed := time.Since(start)
			s.metrics.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
			s.metrics.duration.WithLabelValues(route).Observe(elapsed.Seconds())
			attrs := []any{"request_id", id, "method", r.Method, "path", r.URL.Path, "route", route,
				"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(elapsed.Microseconds()) / 1000}
			if p := principal(r); p != nil {
				attrs = append(attrs, "user_id", p.ID)
			}
			s.log.Info("http request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

// requireAuth authenticates /api/v1 requests by Bearer token or session
// cookie — before anything else, so an anonymous caller learns nothing
// (not even which routes exist) — and checks the CSRF header of unsafe
// cookie-authenticated requests.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, viaCookie := requestToken(r)
		p, err := s.auth.Authenticate(r.Context(), token)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if viaCookie && !safeMethod(r.Method) {
			got := r.Header.Get(csrfHeader)
			if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.CSRFToken)) != 1 {
				s.writeError(w, r, apperr.New(apperr.ErrForbidden, "Missing or wrong CSRF token: reload the page and try again."))
				return
			}
		}
		// The principal is also set on the original request so that the
		// request log (outside this middleware) can name the user.
		*r = *r.WithContext(withPrincipal(r.Context(), p))
		next.ServeHTTP(w, r)
	})
}

// requestToken is the session token of a request: its Bearer header, else
// its session cookie (viaCookie).
func requestToken(r *http.Request) (token string, viaCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, t, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return c.Value, true
	}
	return "", false
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// adminOnly refuses agents with 403 (the resource is visible, the action is not theirs).
func adminOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !principal(r).IsAdmin() {
			return apperr.New(apperr.ErrForbidden, "Only administrators can do this.")
		}
		return h(w, r)
	}
}
