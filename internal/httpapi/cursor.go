package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"papo/internal/apperr"
)

// encodeCursor makes an opaque, signed paging cursor from v.
func (s *Server) encodeCursor(v any) *string {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	payload := base64.RawURLEncoding.EncodeToString(b)
	c := payload + "." + s.cursorMAC(payload)
	return &c
}

// decodeCursor reads a cursor made by encodeCursor into v; anything else
// (a cursor papo did not issue, or altered) is a 400.
func (s *Server) decodeCursor(raw string, v any) error {
	payload, mac, ok := strings.Cut(raw, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(s.cursorMAC(payload))) {
		return apperr.Invalid("cursor", "not a cursor issued by papo")
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(b, v) != nil {
		return apperr.Invalid("cursor", "not a cursor issued by papo")
	}
	return nil
}

func (s *Server) cursorMAC(payload string) string {
	m := hmac.New(sha256.New, s.cursor)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// writePage answers one page of a list: its items and, unless it is the
// last page (next nil), the signed cursor of the next one.
func writePage[T, C any](s *Server, w http.ResponseWriter, items []T, next *C) {
	out := list[T]{Items: items}
	if next != nil {
		out.NextCursor = s.encodeCursor(next)
	}
	writeJSON(w, http.StatusOK, out)
}
