package clip_test

import (
	"testing"
	"unicode/utf8"

	"papo/internal/clip"
)

func TestStringCutsOnARuneBoundary(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"olá", 10, "olá"}, {"olá", 3, "ol"}, {"olá", 4, "olá"}, {"ação", 2, "a"}, {"👍👍", 5, "👍"}, {"", 0, ""},
	} {
		got := clip.String(c.in, c.n)
		if got != c.want || !utf8.ValidString(got) {
			t.Errorf("String(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
