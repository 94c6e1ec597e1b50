package inbound_test

import "testing"

// TestChannelHealthF29MediaDownloadToken: when the channel's token stops
// working, the first customer photo that cannot be fetched shows it in the
// channel's health (F29) — before any agent tries to reply.
func TestChannelHealthF29MediaDownloadToken(t *testing.T) {
	h := newHook(t)
	path := "/api/v1/channels/" + h.ch.ID.String()
	h.admin.MustDo(200, "PATCH", path, map[string]any{"access_token": "revoked"}, nil)
	h.deliver(t, "image_caption.json")
	var health struct {
		LastError *struct {
			Code string `json:"code"`
		} `json:"last_error"`
		TokenProblem bool `json:"token_problem"`
	}
	eventually(t, "the token error in the channel's health", func() bool {
		h.admin.MustDo(200, "GET", path+"/health", nil, &health)
		return health.LastError != nil
	})
	if health.LastError.Code != "190" || !health.TokenProblem {
		t.Errorf("health = %+v (error %+v)", health, health.LastError)
	}
}
