// Package search normalises text for papo's searches: case and accents are
// folded so that "joao" finds "João", on both database engines alike.
package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fold lowercases s and strips diacritics ("Ação" → "acao").
func Fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// Terms splits a query into folded words (letters and digits), at most max.
func Terms(q string, max int) []string {
	words := strings.FieldsFunc(Fold(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	if len(words) > max {
		words = words[:max]
	}
	return words
}

// LikePattern escapes s for a LIKE … ESCAPE '\' "contains" pattern.
func LikePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
