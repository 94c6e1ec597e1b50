package app

import (
	"context"
	"time"
)

// inactivityEvery is how often papo looks for conversations to close for
// inactivity (F19): the close happens within this much of the deadline.
const inactivityEvery = time.Minute

// startInactivity runs conversation.CloseInactive every inactivityEvery
// until Close. Every instance may run it: each conversation is closed once.
func (a *App) startInactivity() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(inactivityEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := a.Conv.CloseInactive(ctx); err != nil && ctx.Err() == nil {
					a.Log.Error("inactivity close", "err", err)
				} else if n > 0 {
					a.Log.Info("closed for inactivity", "conversations", n)
				}
			}
		}
	}()
	a.closers = append(a.closers, func() error { cancel(); <-done; return nil })
}
