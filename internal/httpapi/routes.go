package httpapi

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// routes is the whole HTTP surface of papo in one table.
func (s *Server) routes(web, sandbox http.Handler) http.Handler {
	api := http.NewServeMux()
	h := func(pattern string, fn handlerFunc) {
		s.patterns = append(s.patterns, pattern)
		api.Handle(pattern, s.wrap(fn))
	}

	h("POST /api/v1/auth/logout", s.logout)
	h("GET /api/v1/me", s.me)

	// -- live events (F23): a Server-Sent Events stream --
	h("GET /api/v1/events", s.streamEvents)

	h("GET /api/v1/users", s.listUsers)
	h("POST /api/v1/users", adminOnly(s.createUser))
	h("PATCH /api/v1/users/{id}", adminOnly(s.updateUser))

	h("GET /api/v1/teams", s.listTeams)
	h("POST /api/v1/teams", adminOnly(s.createTeam))
	h("PATCH /api/v1/teams/{id}", adminOnly(s.updateTeam))
	h("DELETE /api/v1/teams/{id}", adminOnly(s.deleteTeam))

	h("GET /api/v1/customers", s.listCustomers)
	h("POST /api/v1/customers", s.createCustomer)
	h("GET /api/v1/customers/{id}", s.getCustomer)
	h("PATCH /api/v1/customers/{id}", s.updateCustomer)

	h("GET /api/v1/channels", adminOnly(s.listChannels))
	h("POST /api/v1/channels", adminOnly(s.createChannel))
	h("GET /api/v1/channels/{id}", adminOnly(s.getChannel))
	h("PATCH /api/v1/channels/{id}", adminOnly(s.updateChannel))

	// -- channel health and the webhook's stored deliveries (F29) --
	h("GET /api/v1/channels/{id}/health", adminOnly(s.channelHealth))
	h("GET /api/v1/webhook-deliveries", adminOnly(s.listDeliveries))
	h("GET /api/v1/webhook-deliveries/{id}", adminOnly(s.getDelivery))
	h("POST /api/v1/webhook-deliveries/{id}/reapply", adminOnly(s.reapplyDelivery))

	h("GET /api/v1/reports/surveys", adminOnly(s.surveyReport))

	h("GET /api/v1/settings", s.getSettings)
	h("PUT /api/v1/settings", adminOnly(s.putSettings))

	// -- conversations: lists and search (inbox) --
	h("GET /api/v1/conversations", s.listConversations)

	// -- conversations: detail, actions, timeline, notes, summary; contacts --
	h("GET /api/v1/conversations/{id}", s.getConversation)
	h("POST /api/v1/conversations/{id}/assign", s.assignConversation)
	h("POST /api/v1/conversations/{id}/forward", s.forwardConversation)
	h("POST /api/v1/conversations/{id}/status", s.setConversationStatus)
	h("POST /api/v1/conversations/{id}/close", s.closeConversation)
	h("POST /api/v1/conversations/{id}/read", s.readConversation)
	h("GET /api/v1/conversations/{id}/timeline", s.conversationTimeline)
	h("GET /api/v1/conversations/{id}/messages", s.conversationMessagesWithin)
	h("POST /api/v1/conversations/{id}/notes", s.createNote)
	h("GET /api/v1/conversations/{id}/summary", s.conversationSummary)
	h("GET /api/v1/contacts/{id}", s.getContact)
	h("PUT /api/v1/contacts/{id}/automation-block", s.setAutomationBlock)

	// -- canned responses --
	h("GET /api/v1/canned-responses", s.listCanned)
	h("POST /api/v1/canned-responses", adminOnly(s.createCanned))
	h("PATCH /api/v1/canned-responses/{id}", adminOnly(s.updateCanned))
	h("DELETE /api/v1/canned-responses/{id}", adminOnly(s.deleteCanned))
	h("POST /api/v1/canned-responses/{id}/render", s.renderCanned)

	// -- messages, media, templates (WhatsApp outbound) --
	h("POST /api/v1/conversations/{id}/messages", s.sendMessage)
	h("POST /api/v1/conversations/{id}/template-preview", s.templatePreview)
	h("POST /api/v1/media", s.uploadMedia)
	h("GET /api/v1/media/{id}", s.getMedia)
	h("GET /api/v1/channels/{id}/templates", s.listTemplates)
	h("POST /api/v1/channels/{id}/templates/sync", adminOnly(s.syncTemplates))

	// -- tickets --
	h("GET /api/v1/tickets", s.listTickets)
	h("POST /api/v1/tickets", s.createTicket)
	h("GET /api/v1/tickets/{number}", s.getTicket)
	h("PATCH /api/v1/tickets/{number}", s.updateTicket)
	h("POST /api/v1/tickets/{number}/messages", s.linkTicketMessages)

	// Anything else under /api/v1/ is an API 404 (after authentication).
	api.Handle("/api/v1/", s.wrap(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))

	root := http.NewServeMux()
	s.patterns = append(s.patterns, "POST /api/v1/auth/login")
	root.Handle("POST /api/v1/auth/login", s.wrap(s.login))
	root.Handle("/api/v1/", s.requireAuth(api))
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	root.Handle("GET /readyz", s.wrap(s.ready))
	root.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	// -- WhatsApp webhook (public: authenticated by its signature) --
	root.Handle("GET /webhooks/whatsapp", s.wrap(s.webhookVerify))
	root.Handle("POST /webhooks/whatsapp", s.wrap(s.webhookReceive))

	if sandbox != nil {
		root.Handle("/sandbox/", http.StripPrefix("/sandbox", sandbox))
	}
	if web != nil {
		root.Handle("/", web)
	}
	return s.observe(root)
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) error {
	if err := s.db.Ping(r.Context()); err != nil {
		s.log.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: errorBody{Code: "unavailable",
			Message: "The database is not answering.", Details: map[string]any{}}})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

// Patterns lists every API route pattern ("GET /api/v1/users"), so tests can
// check that each one is covered (the authorization table must name them all).
func (s *Server) Patterns() []string { return append([]string(nil), s.patterns...) }
