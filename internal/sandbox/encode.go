package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// object is a JSON object that keeps its keys in the order given, as Meta's payloads do.
type object []member

type member struct {
	key   string
	value any
}

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshalPlain(m.key)
		if err != nil {
			return nil, err
		}
		v, err := marshalPlain(m.value)
		if err != nil {
			return nil, fmt.Errorf("sandbox: encode %q: %w", m.key, err)
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// get returns the value of key, or nil.
func (o object) get(key string) any {
	for _, m := range o {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// marshalPlain is json.Marshal without HTML escaping (Meta does not escape <, > and &).
func marshalPlain(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// metaJSON encodes v the way Meta serialises webhook bodies: compact, keys in the order an [object]
// gives, every non-ASCII character as a lowercase \uXXXX escape (UTF-16 surrogate pairs beyond the
// Basic Multilingual Plane, so "👍" is "\ud83d\udc4d") and "/" as "\/". The signature is computed
// over these exact bytes, so a receiver that re-encodes the decoded JSON cannot reproduce it.
func metaJSON(v any) ([]byte, error) {
	plain, err := marshalPlain(v)
	if err != nil {
		return nil, fmt.Errorf("sandbox: encode webhook: %w", err)
	}
	return escapeMeta(plain), nil
}

// escapeMeta rewrites compact JSON text with Meta's escapes. Outside strings JSON holds only ASCII
// and no "/", so every rewritten byte lies inside a string.
func escapeMeta(src []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(src) + len(src)/8)
	for i := 0; i < len(src); {
		c := src[i]
		if c < utf8.RuneSelf {
			if c == '/' {
				b.WriteString(`\/`)
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(src[i:])
		if r >= 0x10000 {
			r1, r2 := utf16.EncodeRune(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		} else {
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.Bytes()
}
