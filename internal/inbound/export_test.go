package inbound

import "papo/internal/whatsapp"

// SetApplyHook makes every message application call f first (nil: none).
// Tests use it to make a delivery fail the way a bug would.
func SetApplyHook(f func(m *whatsapp.Inbound) error) {
	if f == nil {
		applyHook.Store(nil)
		return
	}
	applyHook.Store(&f)
}
