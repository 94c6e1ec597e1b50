// Package clip bounds untrusted text to the sizes papo keeps: customer
// messages, profile names, reasons WhatsApp or a failure gives. Every bound
// in papo cuts the same way, on a UTF-8 boundary, so a clipped string is
// still valid text wherever it is shown.
package clip

// String returns s cut to at most n bytes, without splitting a UTF-8
// sequence.
func String(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
