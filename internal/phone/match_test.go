package phone_test

import (
	"fmt"
	"slices"
	"testing"

	"papo/internal/phone"
)

func TestMatchKeys_F04NinthDigit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"br mobile with 9 adds form without", "+5511987654321", []string{"5511987654321", "551187654321"}},
		{"br wa_id without 9 adds form with", "+551187654321", []string{"551187654321", "5511987654321"}},
		{"bare wa_id without 9", "551187654321", []string{"551187654321", "5511987654321"}},
		{"br old mobile starting 6", "+556161234567", []string{"556161234567", "5561961234567"}},
		{"br old mobile starting 7", "+552171234567", []string{"552171234567", "5521971234567"}},
		{"br landline untouched", "+551134567890", []string{"551134567890"}},
		{"br landline starting 2", "+552123456789", []string{"552123456789"}},
		{"br landline starting 5", "+551152345678", []string{"551152345678"}},
		{"br new mobile 9 then 5 has no old form", "+5511952345678", []string{"5511952345678"}},
		{"br toll free untouched", "+558001234567", []string{"558001234567"}},
		{"br ddd with zero untouched", "+551087654321", []string{"551087654321"}},
		{"us untouched", "+16505551234", []string{"16505551234"}},
		{"pt untouched", "+351912345678", []string{"351912345678"}},
		{"ar mobile untouched", "+5491123456789", []string{"5491123456789"}},
		{"ar landline untouched", "+541123456789", []string{"541123456789"}},
		{"empty", "", nil},
		{"plus only", "+", nil},
		{"formatted", "+55 11 98765-4321", nil},
		{"letters", "+55abc", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := phone.MatchKeys(tt.in)
			if !slices.Equal(got, tt.want) {
				t.Errorf("MatchKeys(%q) = %q, want %q", tt.in, got, tt.want)
			}
			// Symmetry: every key names a number with the same key set.
			for _, k := range got {
				if other := phone.MatchKeys(k); !sameSet(other, got) {
					t.Errorf("MatchKeys(%q) = %q, but MatchKeys(%q) = %q", tt.in, got, k, other)
				}
			}
		})
	}
}

func TestSameNumber_F04NinthDigit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"wa_id without 9 matches customer with 9", "+551187654321", "+5511987654321", true},
		{"customer with 9 matches wa_id without 9", "+5511987654321", "+551187654321", true},
		{"bare wa_id matches e164", "551187654321", "+5511987654321", true},
		{"identical", "+5511987654321", "+5511987654321", true},
		{"identical landline", "+551134567890", "+551134567890", true},
		{"landline does not gain a 9", "+551134567890", "+5511934567890", false},
		{"new mobile does not match landline", "+5511952345678", "+551152345678", false},
		{"different ddd", "+551187654321", "+5521987654321", false},
		{"different subscriber", "+551187654321", "+5511987654322", false},
		{"us untouched", "+16505551234", "+165055512340", false},
		{"pt not confused", "+351912345678", "+35112345678", false},
		{"ar not confused", "+5491123456789", "+541123456789", false},
		{"invalid never matches", "", "", false},
		{"invalid vs valid", "abc", "+5511987654321", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := phone.SameNumber(tt.a, tt.b); got != tt.want {
				t.Errorf("SameNumber(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := phone.SameNumber(tt.b, tt.a); got != tt.want {
				t.Errorf("SameNumber(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

// TestMatchKeys_F04ParseThenMatch runs the F04 flow end to end: a customer
// registered by hand and a contact arriving by wa_id resolve to the same keys.
func TestMatchKeys_F04ParseThenMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		typed string
		waID  string
		want  bool
	}{
		{"registered with 9, wa_id without", "+55 (11) 98765-4321", "551187654321", true},
		{"registered without 9, wa_id with", "(11) 8765-4321", "5511987654321", true},
		{"landline registered, other landline", "(11) 3456-7890", "551134567891", false},
		{"portugal", "+351 912 345 678", "351912345678", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			registered, err := phone.Parse(tt.typed, "BR")
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.typed, err)
			}
			contact, err := phone.FromWaID(tt.waID)
			if err != nil {
				t.Fatalf("FromWaID(%q): %v", tt.waID, err)
			}
			if got := phone.SameNumber(registered, contact); got != tt.want {
				t.Errorf("SameNumber(%q, %q) = %v, want %v", registered, contact, got, tt.want)
			}
		})
	}
}

func ExampleMatchKeys() {
	fmt.Println(phone.MatchKeys("+5511987654321"))
	fmt.Println(phone.MatchKeys("551187654321"))
	fmt.Println(phone.MatchKeys("+551134567890"))
	// Output:
	// [5511987654321 551187654321]
	// [551187654321 5511987654321]
	// [551134567890]
}

func BenchmarkMatchKeys(b *testing.B) {
	for b.Loop() {
		_ = phone.MatchKeys("+551187654321")
	}
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) })
}
