package sandbox

import "testing"

// F27: webhook bodies are serialised like Meta's.
func TestF27MetaJSONEscapes(t *testing.T) {
	got, err := metaJSON(object{{"b", "Olá 👍 <a&b> https://x/y"}, {"a", []any{1, true, nil}}, {"c", "\u2028"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"b":"Ol\u00e1 \ud83d\udc4d <a&b> https:\/\/x\/y","a":[1,true,null],"c":"\u2028"}`
	if string(got) != want {
		t.Errorf("metaJSON =\n%s\nwant\n%s", got, want)
	}
}

func TestF27BrazilianAlternate(t *testing.T) {
	for in, want := range map[string]string{
		"5511987654321": "551187654321",
		"551187654321":  "5511987654321",
		"551132345678":  "",
		"14155550100":   "",
	} {
		if got := brAlternate(in); got != want {
			t.Errorf("brAlternate(%s) = %q, want %q", in, got, want)
		}
	}
	if got := normalizeWAID("+55 (11) 98765-4321"); got != "5511987654321" {
		t.Errorf("normalizeWAID = %q", got)
	}
}
