package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"unicode/utf8"

	"papo/internal/apperr"
)

// maxJSONBody bounds every JSON request body (api.md: 1 MiB).
const maxJSONBody = 1 << 20

// maxJSONDepth bounds nesting (api.md: deeper than 100 levels is 400).
const maxJSONDepth = 100

// readBody reads a body of at most limit bytes; a larger declared length is
// refused before anything is read.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, errPayloadTooLarge
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, errPayloadTooLarge
		}
		return nil, apperr.Invalid("body", "could not be read")
	}
	return b, nil
}

// decode reads a JSON request body into a T. Empty bodies decode to the zero
// T when allowEmpty (action endpoints whose fields all have defaults).
// Unknown fields are ignored; wrong types name their field.
func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	return decodeBody[T](w, r, false)
}

func decodeOptional[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	return decodeBody[T](w, r, true)
}

func decodeBody[T any](w http.ResponseWriter, r *http.Request, allowEmpty bool) (T, error) {
	var v T
	ct := r.Header.Get("Content-Type")
	if allowEmpty && r.ContentLength == 0 && ct == "" {
		return v, nil
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return v, errUnsupportedMediaType
	}
	b, err := readBody(w, r, maxJSONBody)
	if err != nil {
		return v, err
	}
	if allowEmpty && len(bytes.TrimSpace(b)) == 0 {
		return v, nil
	}
	if err := checkJSON(b); err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, jsonError(err)
	}
	return v, nil
}

// checkJSON refuses invalid UTF-8 and nesting deeper than maxJSONDepth
// before the decoder sees the body.
func checkJSON(b []byte) error {
	if !utf8.Valid(b) {
		return apperr.Invalid("body", "invalid UTF-8")
	}
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > maxJSONDepth {
				return apperr.Invalid("body", fmt.Sprintf("JSON nested deeper than %d levels", maxJSONDepth))
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return apperr.Invalid(field, "wrong type: expected "+jsonKind(te.Type.Kind().String()))
	}
	return apperr.Invalid("body", "malformed JSON")
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "number"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "bool":
		return "boolean"
	}
	return k
}

// parseLimit reads ?limit= (default 50, at most 200; negative or not a
// number is 400).
func parseLimit(r *http.Request) (int, error) {
	raw := r.URL.Query().Get("limit")
	if raw == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 0 {
		return 0, apperr.Invalid("limit", "must be a number between 1 and 200")
	}
	if n == 0 {
		return 50, nil
	}
	if n > 200 {
		n = 200
	}
	return n, nil
}
