package httpapi

import "time"

// SetHeartbeat changes the live stream's heartbeat for the streams opened
// from now on and returns the previous interval (tests).
func SetHeartbeat(d time.Duration) time.Duration {
	return time.Duration(heartbeat.Swap(int64(d)))
}
