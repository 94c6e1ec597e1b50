package app

import (
	"net/http"
	"time"
)

// inboundHTTP downloads inbound media (internal/inbound): the Graph API
// client's transport (loopback only in tests), with time for large files.
func inboundHTTP() *http.Client {
	c := graphHTTP()
	c.Timeout = 2 * time.Minute
	return c
}
