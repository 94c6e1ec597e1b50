package phone

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Format returns the display form papo shows for a contact that is not a
// registered customer (feature F04).
//
// A Brazilian number is shown as "+55 DD 9XXXX-XXXX" for a nine-digit mobile
// and "+55 DD XXXX-XXXX" for an eight-digit number (a landline, or a mobile
// whose wa_id lacks the ninth digit). Any other number, including Brazilian
// non-geographic ones such as 0800, uses phonenumbers' INTERNATIONAL format
// ("+1 650-555-1234", "+351 912 345 678").
//
// e164 must be '+' followed by digits, as returned by [Parse] or [FromWaID].
// Format never panics: anything it cannot read is returned unchanged.
func Format(e164 string) string {
	if len(e164) < 2 || e164[0] != '+' || !isDigits(e164[1:]) {
		return e164
	}
	digits := e164[1:]
	if s, ok := formatBrazil(digits); ok {
		return s
	}
	num, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}

// formatBrazil formats digits (no '+') when they are a Brazilian geographic
// number: 55 + DDD + 9XXXXXXXX or 55 + DDD + XXXXXXXX (first digit 2–9).
func formatBrazil(digits string) (string, bool) {
	if !strings.HasPrefix(digits, "55") {
		return "", false
	}
	nsn := digits[2:]
	if len(nsn) < 10 || !isDDD(nsn[:2]) {
		return "", false
	}
	sub := nsn[2:]
	switch {
	case len(sub) == 9 && sub[0] == '9':
		return "+55 " + nsn[:2] + " " + sub[:5] + "-" + sub[5:], true
	case len(sub) == 8 && sub[0] >= '2':
		return "+55 " + nsn[:2] + " " + sub[:4] + "-" + sub[4:], true
	}
	return "", false
}
