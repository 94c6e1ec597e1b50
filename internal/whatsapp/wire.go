package whatsapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// This file holds the lenient JSON scalars the wire format needs: Meta
// documents most values as strings but has been seen sending numbers for
// some of them (file_size, created_timestamp, error codes) and vice versa.

// flexString decodes a JSON string, or a number kept as its literal text.
// null decodes to "".
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*s = ""
		return nil
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*s = flexString(n.String())
		return nil
	default:
		return fmt.Errorf("whatsapp: want a string or a number, got %.20s", b)
	}
}

// flexInt64 decodes a JSON integer or a string holding one. null and ""
// decode to 0.
type flexInt64 int64

func (n *flexInt64) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	if s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(s)), 10, 64)
	if err != nil {
		return fmt.Errorf("whatsapp: want an integer, got %q", string(s))
	}
	*n = flexInt64(v)
	return nil
}

// jsonText decodes a JSON string to its value, and any other JSON value to
// its literal text. Flows' nfm_reply.response_json is documented as a string
// holding JSON; should an object arrive instead its text is kept as is.
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*t = jsonText(v)
		return nil
	}
	if string(b) == "null" {
		*t = ""
		return nil
	}
	*t = jsonText(b)
	return nil
}

// parseUnix parses a unix-seconds timestamp as Meta sends it (a string of
// decimal digits) into a UTC time.
func parseUnix(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: empty", ErrBadTimestamp)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrBadTimestamp, s)
	}
	if v < 0 {
		return time.Time{}, fmt.Errorf("%w: %q is negative", ErrBadTimestamp, s)
	}
	// Bound it to years that time.Time formats as RFC 3339 (up to 9999).
	if v > 253402300799 {
		return time.Time{}, fmt.Errorf("%w: %q out of range", ErrBadTimestamp, s)
	}
	return time.Unix(v, 0).UTC(), nil
}
