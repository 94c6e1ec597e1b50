package httpapi_test

import (
	"testing"

	"papo/internal/store"
)

func mustID(t *testing.T, s string) store.ID {
	t.Helper()
	id, err := store.ParseID(s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}
