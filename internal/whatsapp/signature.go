package whatsapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// SignatureHeader is the HTTP header in which Meta sends the webhook
// signature.
const SignatureHeader = "X-Hub-Signature-256"

// signaturePrefix starts every X-Hub-Signature-256 value.
const signaturePrefix = "sha256="

// Signature errors returned by [CheckSignature]. ErrSignatureMalformed and
// ErrSignatureMismatch both match ErrSignatureInvalid with [errors.Is], so a
// caller that only cares whether to answer 401 can test for that one.
var (
	// ErrSignatureMissing means the request carried no signature header.
	ErrSignatureMissing = errors.New("whatsapp: signature header missing")
	// ErrSignatureInvalid is matched by every signature that is present but
	// not acceptable.
	ErrSignatureInvalid = errors.New("whatsapp: signature invalid")
	// ErrSignatureMalformed means the header is not "sha256=" followed by 64
	// hexadecimal digits.
	ErrSignatureMalformed error = &signatureError{"whatsapp: signature header malformed"}
	// ErrSignatureMismatch means the header is well formed but matches none
	// of the secrets.
	ErrSignatureMismatch error = &signatureError{"whatsapp: signature does not match"}
)

// signatureError is a sentinel that also matches ErrSignatureInvalid.
type signatureError struct{ msg string }

func (e *signatureError) Error() string        { return e.msg }
func (e *signatureError) Is(target error) bool { return target == ErrSignatureInvalid }

// Sign returns the X-Hub-Signature-256 value for body under secret:
// "sha256=" followed by the lowercase hex HMAC-SHA256 of the exact bytes.
// The sandbox and tests use it to sign what they send.
func Sign(body, secret []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return signaturePrefix + hex.EncodeToString(m.Sum(nil))
}

// VerifySignature reports whether header is a valid signature of body under
// one of secrets, and the index of the first secret that matched (-1 when
// none did). Several channels may share one Meta app and so one app secret;
// any match is enough. Empty secrets never match. See [CheckSignature] for
// the reason of a failure.
func VerifySignature(body []byte, header string, secrets [][]byte) (index int, ok bool) {
	i, err := CheckSignature(body, header, secrets)
	return i, err == nil
}

// CheckSignature verifies header (the X-Hub-Signature-256 value) against the
// HMAC-SHA256 of the raw body under each of secrets, comparing in constant
// time with [hmac.Equal]. It returns the index of the first matching secret,
// or -1 and [ErrSignatureMissing] (empty header), [ErrSignatureMalformed]
// (not "sha256=<64 hex digits>") or [ErrSignatureMismatch] (no secret
// matches). The body must be the bytes exactly as received: Meta signs its
// own serialisation, \uXXXX escapes included, and re-encoding decoded JSON
// would not reproduce it.
func CheckSignature(body []byte, header string, secrets [][]byte) (int, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return -1, ErrSignatureMissing
	}
	if len(header) < len(signaturePrefix) || !strings.EqualFold(header[:len(signaturePrefix)], signaturePrefix) {
		return -1, ErrSignatureMalformed
	}
	hexSum := header[len(signaturePrefix):]
	if len(hexSum) != hex.EncodedLen(sha256.Size) {
		return -1, ErrSignatureMalformed
	}
	want, err := hex.DecodeString(hexSum)
	if err != nil {
		return -1, ErrSignatureMalformed
	}
	for i, secret := range secrets {
		if len(secret) == 0 {
			continue
		}
		m := hmac.New(sha256.New, secret)
		m.Write(body)
		if hmac.Equal(m.Sum(nil), want) {
			return i, nil
		}
	}
	return -1, ErrSignatureMismatch
}
