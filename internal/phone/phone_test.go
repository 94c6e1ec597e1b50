package phone_test

import (
	"errors"
	"strings"
	"testing"

	"papo/internal/phone"
)

func TestParse_F04Normalise(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		raw    string
		region string
		want   string
	}{
		{"br mobile formatted", "+55 (11) 98765-4321", "BR", "+5511987654321"},
		{"br mobile digits with country code", "5511987654321", "BR", "+5511987654321"},
		{"br mobile digits no region", "5511987654321", "", "+5511987654321"},
		{"br mobile trunk prefix", "011 98765-4321", "BR", "+5511987654321"},
		{"br mobile national", "(11) 98765-4321", "BR", "+5511987654321"},
		{"br mobile lowercase region", "11 98765-4321", "br", "+5511987654321"},
		{"br mobile surrounding space", "  +55 21 98765-4321\t", "", "+5521987654321"},
		{"br mobile full-width digits", "１１ ９８７６５-４３２１", "BR", "+5511987654321"},
		{"br old mobile without ninth digit kept", "+55 11 8765-4321", "BR", "+551187654321"},
		{"br old mobile as wa_id digits", "551187654321", "BR", "+551187654321"},
		{"br old mobile trunk prefix", "011 8765-4321", "BR", "+551187654321"},
		{"br old mobile starting 6", "+55 61 6123-4567", "", "+556161234567"},
		{"br landline", "+55 11 3456-7890", "BR", "+551134567890"},
		{"br landline national", "(11) 3456-7890", "BR", "+551134567890"},
		{"br toll free", "0800 123 4567", "BR", "+558001234567"},
		{"us", "+1 650 555 1234", "BR", "+16505551234"},
		{"us national", "(650) 555-1234", "US", "+16505551234"},
		{"pt mobile", "+351 912 345 678", "", "+351912345678"},
		{"pt wa_id pasted without plus", "351912345678", "BR", "+351912345678"},
		{"ar mobile", "+54 9 11 2345-6789", "BR", "+5491123456789"},
		{"it keeps leading zero", "+39 06 1234 5678", "", "+390612345678"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := phone.Parse(tt.raw, tt.region)
			if err != nil {
				t.Fatalf("Parse(%q, %q) error: %v", tt.raw, tt.region, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q, %q) = %q, want %q", tt.raw, tt.region, got, tt.want)
			}
		})
	}
}

func TestParse_F04Invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		raw    string
		region string
	}{
		{"empty", "", "BR"},
		{"blank", "   ", "BR"},
		{"letters", "abc", "BR"},
		{"letter O for zero", "+55 11 98765-432O", "BR"},
		{"extension in words", "+55 11 3456-7890 ramal 12", "BR"},
		{"extension hash", "+55 11 98765-4321 #12", "BR"},
		{"too short", "123", "BR"},
		{"br missing a digit", "+55 11 2345-678", ""},
		{"unknown country code", "+999 1234567", ""},
		{"unknown country code digits", "9991234567", ""},
		{"national without region", "(11) 98765-4321", ""},
		{"br invalid ddd", "+55 10 98765-4321", ""},
		{"br unassigned ddd", "+55 23 98765-4321", ""},
		{"br old form of unassigned ddd", "+55 23 8765-4321", ""},
		{"punctuation only", "+-() ", "BR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := phone.Parse(tt.raw, tt.region)
			if !errors.Is(err, phone.ErrInvalid) {
				t.Fatalf("Parse(%q, %q) = %q, %v; want ErrInvalid", tt.raw, tt.region, got, err)
			}
			if got != "" {
				t.Errorf("Parse(%q, %q) = %q on error, want empty", tt.raw, tt.region, got)
			}
			if !strings.HasPrefix(err.Error(), "phone: ") {
				t.Errorf("error %q lacks the \"phone: \" prefix", err)
			}
			if d := digitsOf(tt.raw); len(d) >= 6 && strings.Contains(err.Error(), d) {
				t.Errorf("error %q repeats the number", err)
			}
		})
	}
}

func TestFromWaID_F04KeepsDigits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		waID    string
		want    string
		wantErr bool
	}{
		{"br mobile with ninth digit", "5511987654321", "+5511987654321", false},
		{"br mobile without ninth digit kept", "551187654321", "+551187654321", false},
		{"br landline", "551134567890", "+551134567890", false},
		{"us", "16505551234", "+16505551234", false},
		{"pt", "351912345678", "+351912345678", false},
		{"ar mobile", "5491123456789", "+5491123456789", false},
		{"shortest plan niue", "6834002", "+6834002", false},
		{"empty", "", "", true},
		{"plus sign", "+5511987654321", "", true},
		{"spaces", "55 11 98765 4321", "", true},
		{"letters", "55119876abcd", "", true},
		{"non-ascii digits", "５５１１９８７６５４３２１", "", true},
		{"too short", "551234", "", true},
		{"too long", "5511987654321123", "", true},
		{"leading zero", "05511987654321", "", true},
		{"unknown country code", "9991234567", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := phone.FromWaID(tt.waID)
			if tt.wantErr {
				if !errors.Is(err, phone.ErrInvalid) {
					t.Fatalf("FromWaID(%q) = %q, %v; want ErrInvalid", tt.waID, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromWaID(%q) error: %v", tt.waID, err)
			}
			if got != tt.want {
				t.Errorf("FromWaID(%q) = %q, want %q", tt.waID, got, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"+55 (11) 98765-4321", "5511987654321", "011 98765-4321", "+55 11 8765-4321", "+55 11 3456-7890",
		"+1 650 555 1234", "+351 912 345 678", "+54 9 11 2345-6789", "", "abc", "123", "+999 1234567",
		"+", "++55", "0", "00", "tel:+55", "+55 11 98765-4321 #12", "１１ ９８７６５-４３２１",
	} {
		f.Add(s, "BR")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := phone.Parse(raw, region)
		if err != nil {
			if !errors.Is(err, phone.ErrInvalid) {
				t.Fatalf("Parse(%q, %q) error %v does not wrap ErrInvalid", raw, region, err)
			}
			return
		}
		waID, err := phone.FromWaID(strings.TrimPrefix(got, "+"))
		if err != nil || waID != got {
			t.Fatalf("Parse(%q, %q) = %q, not a wa_id shape: %v", raw, region, got, err)
		}
		if again, err := phone.Parse(got, ""); err != nil || again != got {
			t.Fatalf("Parse(%q) = %q, %v; Parse is not idempotent", got, again, err)
		}
		if keys := phone.MatchKeys(got); len(keys) == 0 || keys[0] != got[1:] {
			t.Fatalf("MatchKeys(%q) = %v", got, keys)
		}
		if phone.Format(got) == "" {
			t.Fatalf("Format(%q) is empty", got)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	for b.Loop() {
		_, _ = phone.Parse("+55 (11) 98765-4321", "BR")
	}
}

// digitsOf returns the ASCII digits of s.
func digitsOf(s string) string {
	var sb strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
