package search

import (
	"slices"
	"testing"
)

func TestFoldAccentsAndCase(t *testing.T) {
	for in, want := range map[string]string{"João": "joao", "AÇÃO": "acao", "Müller": "muller", "abc 123": "abc 123", "": ""} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerms(t *testing.T) {
	if got := Terms("  João, da-Silva 11 ", 10); !slices.Equal(got, []string{"joao", "da", "silva", "11"}) {
		t.Errorf("Terms = %q", got)
	}
	if got := Terms("a b c d", 2); len(got) != 2 {
		t.Errorf("Terms not bounded: %q", got)
	}
}

func TestLikePatternEscapes(t *testing.T) {
	if got := LikePattern(`50%_a\b`); got != `%50\%\_a\\b%` {
		t.Errorf("LikePattern = %q", got)
	}
}
