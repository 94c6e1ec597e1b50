// Package phone parses, normalises, formats and matches telephone numbers for
// papo.
//
// Numbers are stored in E.164 form ("+5511987654321"). WhatsApp identifies a
// user by a wa_id, the same digits without the '+', and papo keeps the wa_id
// exactly as Meta sends it (see [FromWaID]). Brazilian mobiles gained a ninth
// digit in 2012–2016, but many WhatsApp accounts still carry a wa_id without
// it; [MatchKeys] and [SameNumber] let a number typed or imported with the
// ninth digit match a wa_id without it, and the reverse (feature F04).
//
// All functions are pure and safe for concurrent use. Parsing and validation
// rely on github.com/nyaruka/phonenumbers (Google's libphonenumber metadata).
package phone

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// ErrInvalid is returned, wrapped with the reason, when a string is not a
// usable telephone number. Test for it with errors.Is. The wrapped message
// never repeats the number, so it can be logged (see the style guide on
// phone numbers in logs).
var ErrInvalid = errors.New("phone: invalid number")

// brCountryCode is Brazil's country calling code.
const brCountryCode = 55

// Parse normalises a number typed by a person or imported from another
// system and returns it in E.164 form ("+5511987654321").
//
// defaultRegion is the ISO 3166-1 alpha-2 code (case-insensitive, e.g. "BR")
// used when raw has no leading '+': with "BR", "011 98765-4321",
// "(11) 98765-4321" and "5511987654321" all give "+5511987654321". When raw
// has no '+' and does not start with 0, and reading it as a national number
// of defaultRegion gives no valid number, Parse reads it once more as an
// international number without the '+' (a wa_id pasted as is, such as
// "351912345678"); an empty defaultRegion therefore accepts only that form
// or a leading '+'.
//
// The number must be valid according to phonenumbers (IsValidNumber), with
// one exception: a Brazilian mobile written in the old eight-digit form,
// without the ninth digit (DDD + a subscriber number starting with 6, 7, 8 or
// 9, such as "+55 11 8765-4321"), is accepted when inserting the 9 gives a
// valid mobile, and it is returned exactly as given ("+551187654321"),
// because WhatsApp still issues such wa_ids. Use [MatchKeys] to match it with
// the nine-digit form.
//
// Letters are rejected rather than read as a phone keypad would (so a
// mistyped letter O never silently becomes a 6), and so are extensions
// ("#12", ";ext=12"), which cannot reach WhatsApp. Every failure wraps
// [ErrInvalid].
func Parse(raw, defaultRegion string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalid)
	}
	if strings.IndexFunc(raw, unicode.IsLetter) >= 0 {
		return "", fmt.Errorf("%w: contains letters", ErrInvalid)
	}
	region := strings.ToUpper(strings.TrimSpace(defaultRegion))

	e164, err := parseValid(raw, region)
	if err == nil || raw[0] == '+' {
		return e164, err
	}
	// No '+': maybe an international number typed without it.
	digits := phonenumbers.NormalizeDigitsOnly(raw)
	if digits == "" || digits[0] == '0' {
		return "", err
	}
	if e164, err2 := parseValid("+"+digits, ""); err2 == nil {
		return e164, nil
	}
	return "", err
}

// parseValid parses raw with phonenumbers and returns its E.164 form when
// the number is valid or is an old-form Brazilian mobile.
func parseValid(raw, region string) (string, error) {
	num, err := phonenumbers.Parse(raw, region)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if num.GetExtension() != "" {
		return "", fmt.Errorf("%w: has an extension", ErrInvalid)
	}
	if !phonenumbers.IsValidNumber(num) && !isOldBrazilianMobile(num) {
		return "", fmt.Errorf("%w: not a valid number for its region", ErrInvalid)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// isOldBrazilianMobile reports whether num is a Brazilian mobile written
// without the ninth digit: a 10-digit national number (DDD + 8 digits)
// whose subscriber part starts with 6–9 and which becomes a valid mobile
// once a 9 is inserted after the DDD.
func isOldBrazilianMobile(num *phonenumbers.PhoneNumber) bool {
	if num.GetCountryCode() != brCountryCode {
		return false
	}
	nsn := phonenumbers.GetNationalSignificantNumber(num)
	if len(nsn) != 10 || !isDDD(nsn[:2]) || !isOldMobileLead(nsn[2]) {
		return false
	}
	withNine, err := phonenumbers.Parse("+55"+nsn[:2]+"9"+nsn[2:], "")
	if err != nil || !phonenumbers.IsValidNumber(withNine) {
		return false
	}
	switch phonenumbers.GetNumberType(withNine) {
	case phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
		return true
	}
	return false
}

// FromWaID converts a WhatsApp wa_id (digits only, country code first, no
// '+', e.g. "5511987654321") to E.164 by prefixing '+'. The digits are kept
// exactly as Meta sent them, including the 12-digit Brazilian form without
// the ninth digit, because replies must go to that same wa_id.
//
// Only the shape is checked, not phonenumbers' validity rules (Meta is the
// authority on which numbers exist): 7 to 15 ASCII digits, no leading 0, and
// a country calling code that exists. Anything else wraps [ErrInvalid].
func FromWaID(waID string) (string, error) {
	if waID == "" {
		return "", fmt.Errorf("%w: empty wa_id", ErrInvalid)
	}
	if !isDigits(waID) {
		return "", fmt.Errorf("%w: wa_id must be digits only", ErrInvalid)
	}
	if len(waID) < 7 || len(waID) > 15 {
		return "", fmt.Errorf("%w: wa_id must have 7 to 15 digits, got %d", ErrInvalid, len(waID))
	}
	if !hasKnownCountryCode(waID) {
		return "", fmt.Errorf("%w: unknown country calling code", ErrInvalid)
	}
	return "+" + waID, nil
}

// hasKnownCountryCode reports whether digits (no '+') starts with an assigned
// country calling code. Calling codes are prefix-free and 1 to 3 digits long.
func hasKnownCountryCode(digits string) bool {
	if digits[0] == '0' {
		return false
	}
	cc := 0
	for i := 0; i < 3 && i < len(digits); i++ {
		cc = cc*10 + int(digits[i]-'0')
		if phonenumbers.GetRegionCodeForCountryCode(cc) != phonenumbers.UNKNOWN_REGION {
			return true
		}
	}
	return false
}

// isDigits reports whether s is non-empty and made only of ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isDDD reports whether d has the shape of a Brazilian area code (DDD): two
// digits, neither of them 0. Every DDD in use has that shape, and numbers
// starting 0 or with a second digit 0 (0800, 0300, 0900…) are not
// geographic.
func isDDD(d string) bool {
	return len(d) == 2 && d[0] >= '1' && d[0] <= '9' && d[1] >= '1' && d[1] <= '9'
}

// isOldMobileLead reports whether c can start an eight-digit Brazilian
// mobile subscriber number from before the ninth digit (6, 7, 8 or 9);
// 2 to 5 start landlines.
func isOldMobileLead(c byte) bool {
	return c >= '6' && c <= '9'
}
