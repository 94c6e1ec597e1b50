package sandbox

import (
	_ "embed"
	"net/http"
)

//go:embed page.html
var pageHTML []byte

// handlePage serves the phone page: self-contained HTML, CSS and JavaScript that chats as a customer
// through the api/ endpoints (relative URLs, so it works at any mount point).
func (s *Sandbox) handlePage(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'")
	_, _ = w.Write(pageHTML)
}
