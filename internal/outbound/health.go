package outbound

import (
	"context"
	"errors"

	"papo/internal/store"
	"papo/internal/whatsapp"
)

// noteGraphError records err, when the Graph API answered it, as the
// channel's latest error (F29 channel health), so that an expired token
// shows on the channel at once. Recording is best effort: the caller's
// outcome (retry, fail the message) does not depend on it.
func (s *Service) noteGraphError(ctx context.Context, channelID store.ID, err error) {
	ae, ok := errors.AsType[*whatsapp.APIError](err)
	if !ok {
		return
	}
	if rerr := s.channels.RecordGraphError(ctx, s.db.W, channelID, ae, s.lang); rerr != nil {
		s.log.Warn("could not record the channel's Graph API error", "channel_id", channelID, "code", ae.Code, "err", rerr)
	}
}
