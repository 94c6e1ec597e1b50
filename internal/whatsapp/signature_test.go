package whatsapp_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"papo/internal/whatsapp"
)

// TestCheckSignature: F25 — X-Hub-Signature-256 is checked on the raw
// bytes against every channel's app secret.
func TestCheckSignature(t *testing.T) {
	body := readCorpus(t, "text.json")
	secretA, secretB, secretC := []byte("app-secret-a"), []byte("app-secret-b"), []byte("app-secret-c")
	sigA := whatsapp.Sign(body, secretA)
	hexA := strings.TrimPrefix(sigA, "sha256=")

	tests := []struct {
		name    string
		body    []byte
		header  string
		secrets [][]byte
		index   int
		err     error
	}{
		{"valid", body, sigA, [][]byte{secretA}, 0, nil},
		{"valid with surrounding space", body, " " + sigA + " ", [][]byte{secretA}, 0, nil},
		{"uppercase hex and prefix", body, "SHA256=" + strings.ToUpper(hexA), [][]byte{secretA}, 0, nil},
		{"second secret matches", body, sigA, [][]byte{secretB, secretA, secretC}, 1, nil},
		{"wrong secret among several", body, sigA, [][]byte{secretB, secretC}, -1, whatsapp.ErrSignatureMismatch},
		{"no secrets", body, sigA, nil, -1, whatsapp.ErrSignatureMismatch},
		{"body changed", append(bytes.Clone(body), ' '), sigA, [][]byte{secretA}, -1, whatsapp.ErrSignatureMismatch},
		{"signature of another body", body, whatsapp.Sign([]byte("{}"), secretA), [][]byte{secretA}, -1, whatsapp.ErrSignatureMismatch},
		{"empty secret never matches", body, whatsapp.Sign(body, nil), [][]byte{{}, nil}, -1, whatsapp.ErrSignatureMismatch},
		{"missing", body, "", [][]byte{secretA}, -1, whatsapp.ErrSignatureMissing},
		{"blank", body, "   ", [][]byte{secretA}, -1, whatsapp.ErrSignatureMissing},
		{"no prefix", body, hexA, [][]byte{secretA}, -1, whatsapp.ErrSignatureMalformed},
		{"sha1 prefix", body, "sha1=" + hexA[:40], [][]byte{secretA}, -1, whatsapp.ErrSignatureMalformed},
		{"not hex", body, "sha256=" + strings.Repeat("zz", 32), [][]byte{secretA}, -1, whatsapp.ErrSignatureMalformed},
		{"too short", body, sigA[:len(sigA)-2], [][]byte{secretA}, -1, whatsapp.ErrSignatureMalformed},
		{"too long", body, sigA + "00", [][]byte{secretA}, -1, whatsapp.ErrSignatureMalformed},
		{"prefix only", body, "sha256=", [][]byte{secretA}, -1, whatsapp.ErrSignatureMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			index, err := whatsapp.CheckSignature(tt.body, tt.header, tt.secrets)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if index != tt.index {
				t.Errorf("index = %d, want %d", index, tt.index)
			}
			vi, ok := whatsapp.VerifySignature(tt.body, tt.header, tt.secrets)
			if ok != (tt.err == nil) || vi != tt.index {
				t.Errorf("VerifySignature = %d, %v", vi, ok)
			}
			// Malformed and mismatched both count as invalid; missing does not.
			invalid := errors.Is(err, whatsapp.ErrSignatureInvalid)
			wantInvalid := errors.Is(tt.err, whatsapp.ErrSignatureMalformed) || errors.Is(tt.err, whatsapp.ErrSignatureMismatch)
			if invalid != wantInvalid {
				t.Errorf("errors.Is(err, ErrSignatureInvalid) = %v, want %v", invalid, wantInvalid)
			}
		})
	}
}

// TestSignatureOverEscapedBody: F25 — Meta signs its own serialisation
// (non-ASCII as \uXXXX); verification must use the bytes as sent, and a
// re-encoded body must not verify.
func TestSignatureOverEscapedBody(t *testing.T) {
	body := readCorpus(t, "text_unicode_escaped.json")
	if !bytes.Contains(body, []byte(`Ol\u00e1, Jo\u00e3o \ud83d\udc4d`)) {
		t.Fatal("corpus file lost its escapes")
	}
	secret := []byte("meta-app-secret")
	header := whatsapp.Sign(body, secret)
	if !strings.HasPrefix(header, "sha256=") || header != strings.ToLower(header) {
		t.Errorf("Sign = %q, want lowercase sha256=<hex>", header)
	}
	if i, err := whatsapp.CheckSignature(body, header, [][]byte{secret}); err != nil || i != 0 {
		t.Fatalf("signature over the bytes as sent: %d, %v", i, err)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	reencoded, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := whatsapp.CheckSignature(reencoded, header, [][]byte{secret}); !errors.Is(err, whatsapp.ErrSignatureMismatch) {
		t.Errorf("re-encoded body verified (err %v); the check must use raw bytes", err)
	}
	n, err := whatsapp.ParseWebhook(body)
	if err != nil || len(n.Messages) != 1 || n.Messages[0].Text != "Olá, João 👍" {
		t.Errorf("parse after verify: %+v, %v", n, err)
	}
}
