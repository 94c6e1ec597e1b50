package app

import (
	"context"

	"papo/internal/events"
	"papo/internal/inbound"
	"papo/internal/store"
)

// What the webhook and the sender change is published on the events hub
// (F23): inbound messages and statuses, conversations they open or update,
// and outbound messages as their sends progress.

// inboundEvents publishes what a committed batch of webhooks changed.
func inboundEvents(h *events.Hub) inbound.Notifier {
	return inbound.NotifierFunc(func(_ context.Context, c inbound.Changes) {
		h.Publish(events.ConversationCreated, c.ConversationsCreated...)
		h.Publish(events.ConversationUpdated, c.ConversationsUpdated...)
		h.Publish(events.MessageCreated, c.MessagesCreated...)
		h.Publish(events.MessageUpdated, c.MessagesUpdated...)
	})
}

// outboundEvents publishes the messages the sender created or changed.
type outboundEvents struct{ h *events.Hub }

func (o outboundEvents) MessagesChanged(_ context.Context, created, updated []store.ID) {
	o.h.Publish(events.MessageCreated, created...)
	o.h.Publish(events.MessageUpdated, updated...)
}

// ConversationsChanged publishes the conversations a new message changed.
func (o outboundEvents) ConversationsChanged(_ context.Context, ids []store.ID) {
	o.h.Publish(events.ConversationUpdated, ids...)
}
