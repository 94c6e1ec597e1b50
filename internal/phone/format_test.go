package phone_test

import (
	"testing"

	"papo/internal/phone"
)

func TestFormat_F04ContactDisplay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e164 string
		want string
	}{
		{"br mobile", "+5511987654321", "+55 11 98765-4321"},
		{"br mobile other ddd", "+5561987654321", "+55 61 98765-4321"},
		{"br mobile wa_id without ninth digit", "+551187654321", "+55 11 8765-4321"},
		{"br landline", "+551134567890", "+55 11 3456-7890"},
		{"br toll free", "+558001234567", "+55 800 123 4567"},
		{"us", "+16505551234", "+1 650-555-1234"},
		{"pt", "+351912345678", "+351 912 345 678"},
		{"ar mobile", "+5491123456789", "+54 9 11 2345-6789"},
		{"gb", "+442079460958", "+44 20 7946 0958"},
		{"empty", "", ""},
		{"plus only", "+", "+"},
		{"no plus", "5511987654321", "5511987654321"},
		{"letters", "+55abc", "+55abc"},
		{"formatted input", "+55 11 98765-4321", "+55 11 98765-4321"},
		{"unknown country code", "+9991234567", "+9991234567"},
		{"invalid utf-8", "+\xff\xfe", "+\xff\xfe"},
		{"very long", "+5511987654321987654321", "+5511987654321987654321"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := phone.Format(tt.e164); got != tt.want {
				t.Errorf("Format(%q) = %q, want %q", tt.e164, got, tt.want)
			}
		})
	}
}

func FuzzFormat(f *testing.F) {
	for _, s := range []string{"+5511987654321", "+551187654321", "+16505551234", "", "+", "+55", "+55abc", "+\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if phone.Format(s) == "" && s != "" {
			t.Fatalf("Format(%q) is empty", s)
		}
		keys := phone.MatchKeys(s)
		for _, k := range keys {
			if !phone.SameNumber(k, s) {
				t.Fatalf("MatchKeys(%q) = %q, but %q does not match it", s, keys, k)
			}
		}
	})
}
