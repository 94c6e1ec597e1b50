package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/events"
	"papo/internal/message"
)

// Live events (api.md "Live events", F23): a Server-Sent Events stream of
// the conversations and messages the caller may see, as the bare JSON
// resources, from the events hub.

// heartbeat is how often an idle stream sends a comment (api.md: every
// 25 s), which also keeps proxies from closing it; at each one the session
// is checked again, so a stream ends soon after its session does and sees
// team changes. Atomic: tests shorten it (export_test.go).
var heartbeat atomic.Int64

func init() { heartbeat.Store(int64(25 * time.Second)) }

func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) error {
	if s.events == nil {
		return apperr.New(apperr.ErrUnavailable, "Live events are not available.")
	}
	after, err := lastEventID(r)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	sub, complete := s.events.Subscribe(after)
	defer sub.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold events back
	w.WriteHeader(http.StatusOK)
	if !complete {
		// Some of what happened since after is no longer kept: the client
		// reloads what it shows instead of trusting the stream to fill it.
		fmt.Fprintf(w, "event: reset\ndata: {}\n\n")
	}
	if err := rc.Flush(); err != nil {
		return nil // the client is gone
	}
	p := principal(r)
	tick := time.NewTicker(time.Duration(heartbeat.Load()))
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-s.ending:
			return nil // shutting down: the client reconnects, elsewhere or later, with Last-Event-ID
		case <-tick.C:
			if p, err = s.reauthenticate(r); err != nil {
				return nil // the session ended: so does the stream
			}
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
		case e, ok := <-sub.C:
			if !ok { // too far behind: the client reconnects with Last-Event-ID
				return nil
			}
			data, err := s.eventData(r, p, e)
			if err != nil {
				s.log.Warn("live event not sent", "seq", e.Seq, "kind", e.Kind, "id", e.ID, "err", err)
				continue
			}
			if data == nil {
				continue // not for this caller
			}
			if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Kind, data); err != nil {
				return nil
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// EndStreams ends every open event stream (and any opened later): a graceful
// shutdown waits for requests to finish, and a stream never would
// (register it with http.Server.RegisterOnShutdown).
func (s *Server) EndStreams() { s.endOnce.Do(func() { close(s.ending) }) }

// lastEventID is the Seq a reconnecting client saw last (the EventSource
// Last-Event-ID header, or ?last_event_id= for clients that cannot set
// headers), 0 for none.
func lastEventID(r *http.Request) (uint64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("last_event_id")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, apperr.Invalid("Last-Event-ID", "must be an event id this stream sent")
	}
	return n, nil
}

// reauthenticate checks the stream's session again.
func (s *Server) reauthenticate(r *http.Request) (*auth.Principal, error) {
	token, _ := requestToken(r)
	return s.auth.Authenticate(r.Context(), token)
}

// eventData is the resource an event names as p may see it, encoded; nil
// when p may not see it (or it no longer exists).
func (s *Server) eventData(r *http.Request, p *auth.Principal, e events.Event) ([]byte, error) {
	ctx := r.Context()
	var v any
	switch e.Kind {
	case events.ConversationCreated, events.ConversationUpdated:
		c, err := s.conv.Get(ctx, p, e.ID)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		v = c
	case events.MessageCreated, events.MessageUpdated:
		m, err := s.messages.Load(ctx, nil, e.ID)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		if _, err := s.conv.LoadVisible(ctx, nil, p, m.ConversationID); errors.Is(err, apperr.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		out, err := s.messages.Present(ctx, nil, []message.Row{*m})
		if err != nil {
			return nil, err
		}
		v = out[0]
	case events.SettingsUpdated:
		st, err := s.settings.Get(ctx)
		if err != nil {
			return nil, err
		}
		v = st
	default:
		return nil, nil
	}
	return json.Marshal(v) // one line: JSON escapes newlines in strings
}
