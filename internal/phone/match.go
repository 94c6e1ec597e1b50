package phone

// MatchKeys returns the keys under which a number is stored and looked up so
// that Brazil's mobile ninth digit matches both ways (feature F04). A key is
// the number's digits without the '+'. The first key is always e164's own
// digits; at most one more follows:
//
//   - Brazilian mobile, 13 digits: 55 + DDD + 9 + eight digits starting with
//     6, 7, 8 or 9 ("5511987654321"): also the 12-digit form without the 9
//     ("551187654321"), the form an older WhatsApp account's wa_id carries.
//   - Brazilian old-form mobile, 12 digits: 55 + DDD + eight digits starting
//     with 6, 7, 8 or 9 ("551187654321"): also the 13-digit form with the 9
//     inserted after the DDD ("5511987654321").
//   - Anything else (Brazilian landlines, whose eight digits start with 2 to
//     5, such as "551134567890"; non-geographic numbers; every other
//     country): only its own key.
//
// A DDD is two digits, neither 0. A nine-digit mobile whose remaining eight
// digits start with 2 to 5 ("5511952345678") gets no second key: no
// eight-digit mobile ever had that form, and "551152345678" is a landline.
// This keeps the rule symmetric: two numbers that match have the same key set.
//
// e164 is a number from [Parse] or [FromWaID]; the leading '+' is optional,
// so a raw wa_id works too. Anything that is not all ASCII digits after that
// gives nil.
func MatchKeys(e164 string) []string {
	digits := e164
	if len(digits) > 0 && digits[0] == '+' {
		digits = digits[1:]
	}
	if !isDigits(digits) {
		return nil
	}
	if alt, ok := brazilNinthDigitAlt(digits); ok {
		return []string{digits, alt}
	}
	return []string{digits}
}

// brazilNinthDigitAlt returns the other form of a Brazilian mobile (with the
// ninth digit removed or inserted), as described in [MatchKeys].
func brazilNinthDigitAlt(digits string) (string, bool) {
	if len(digits) < 12 || digits[:2] != "55" || !isDDD(digits[2:4]) {
		return "", false
	}
	switch {
	case len(digits) == 13 && digits[4] == '9' && isOldMobileLead(digits[5]):
		return digits[:4] + digits[5:], true
	case len(digits) == 12 && isOldMobileLead(digits[4]):
		return digits[:4] + "9" + digits[4:], true
	}
	return "", false
}

// SameNumber reports whether a and b are the same number under the rule of
// [MatchKeys], so "+5511987654321" and "+551187654321" (the ninth digit)
// match. Each may be E.164 or a bare wa_id; an invalid one never matches.
func SameNumber(a, b string) bool {
	ka, kb := MatchKeys(a), MatchKeys(b)
	for _, x := range ka {
		for _, y := range kb {
			if x == y {
				return true
			}
		}
	}
	return false
}
