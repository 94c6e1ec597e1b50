package store

import (
	"fmt"
	"strconv"
)

// ID is a row id. In JSON it is a string (ids are opaque to API clients);
// in the database an integer.
type ID int64

// String returns the id in decimal.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// MarshalText encodes the id as decimal text (a JSON string).
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses a decimal id. Text that is no id of papo's decodes
// as 0, an id no row has, so that the domain's check of the reference names
// the field ("unknown team") instead of the decoder failing without one.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		v = 0
	}
	*id = v
	return nil
}

// ParseID parses an id given by a client; anything that is not a positive
// decimal integer is an error.
func ParseID(s string) (ID, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("store: invalid id %q", s)
	}
	return ID(v), nil
}
