package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"
	"testing"
)

func TestSealOpenRoundTripAndTamper(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("EAAG-access-token")
	sealed := b.Seal(plain)
	if bytes.Contains(sealed, plain) {
		t.Fatal("sealed value contains the plaintext")
	}
	if again := b.Seal(plain); bytes.Equal(again, sealed) {
		t.Fatal("two seals of one value are equal: nonce not random")
	}
	got, err := b.Open(sealed)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := b.Open(sealed); err == nil {
		t.Fatal("tampered value opened")
	}
	other, _ := NewBox(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(b.Seal(plain)); err == nil {
		t.Fatal("opened with the wrong key")
	}
}

func TestParseKey(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, KeySize)
	for _, s := range []string{hex.EncodeToString(raw), base64.StdEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw)} {
		k, err := ParseKey(s)
		if err != nil || !bytes.Equal(k, raw) {
			t.Errorf("ParseKey(%q) = %x, %v", s, k, err)
		}
	}
	for _, s := range []string{"", "short", hex.EncodeToString(raw[:31]), "zz" + hex.EncodeToString(raw)[2:]} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

func TestLoadOrCreateKeyFileIsStable(t *testing.T) {
	p := filepath.Join(t.TempDir(), "d", "secret.key")
	a, err := LoadOrCreateKeyFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadOrCreateKeyFile(p)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("second load = %x, %v; want %x", b, err, a)
	}
}
