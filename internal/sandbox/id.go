package sandbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// newWAMID returns a message id shaped like Meta's: "wamid." and the base64 of a small binary
// record that names the user, as real ids do. Callers must treat it as opaque.
func newWAMID(waID string) string {
	var b bytes.Buffer
	b.Write([]byte{0x1c, 0x18, byte(len(waID))})
	b.WriteString(waID)
	b.Write([]byte{0x15, 0x02, 0x00, 0x12, 0x18, 0x14})
	b.WriteString(strings.ToUpper(randomHex(10)))
	b.WriteByte(0)
	return "wamid." + base64.StdEncoding.EncodeToString(b.Bytes())
}

// randomHex returns 2n lowercase hex digits from crypto/rand.
func randomHex(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // never fails (crypto/rand panics rather than return an error)
	return hex.EncodeToString(buf)
}

// randomDigits returns n decimal digits, the first not zero (Meta's media and template ids).
func randomDigits(n int) string {
	buf := make([]byte, n)
	_, _ = rand.Read(buf)
	for i := range buf {
		buf[i] = '0' + buf[i]%10
	}
	if buf[0] == '0' {
		buf[0] = '1'
	}
	return string(buf)
}

// newTraceID imitates Graph's fbtrace_id.
func newTraceID() string {
	buf := make([]byte, 16)
	_, _ = rand.Read(buf)
	return base64.RawURLEncoding.EncodeToString(buf)[:22]
}

// normalizeWAID turns a typed number ("+55 (11) 98765-4321") into digits, or "" when it is not a
// plausible international number (8 to 15 digits).
func normalizeWAID(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		default:
			return ""
		}
	}
	d := b.String()
	if len(d) < 8 || len(d) > 15 || d[0] == '0' {
		return ""
	}
	return d
}

// brAlternate returns the other form of a Brazilian mobile number: without the ninth digit for a
// 13-digit number (55 + DDD + 9XXXXXXXX), with it for a 12-digit one whose local part starts like
// a mobile (6-9). Anything else has no alternate and gives "".
func brAlternate(d string) string {
	if !strings.HasPrefix(d, "55") {
		return ""
	}
	switch {
	case len(d) == 13 && d[4] == '9':
		return d[:4] + d[5:]
	case len(d) == 12 && d[4] >= '6' && d[4] <= '9':
		return d[:4] + "9" + d[4:]
	}
	return ""
}
