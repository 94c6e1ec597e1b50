package sandbox

import (
	"encoding/json"
	"net/http"
	"time"
)

// bucket is a token bucket for one phone_number_id: rate tokens a second, burst one second's worth.
// It runs on the real clock (Options.Now may be frozen in tests).
type bucket struct {
	tokens float64
	last   time.Time
}

// take refills for the time elapsed and takes one token if there is one.
func (b *bucket) take(now time.Time, rate float64) bool {
	burst := max(rate, 1)
	if b.last.IsZero() {
		b.tokens = burst
	} else if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(burst, b.tokens+el*rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// allowSend applies the throughput limit of phoneNumberID and counts the outcome.
func (s *Sandbox) allowSend(phoneNumberID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[phoneNumberID]
	if b == nil {
		b = &bucket{}
		s.buckets[phoneNumberID] = b
	}
	ok := b.take(time.Now(), s.rate)
	if !ok {
		s.stats.RateLimited++
		s.stats.phone(phoneNumberID).RateLimited++
	}
	return ok
}

// stats are the counters of GET api/stats.
type stats struct {
	Accepted      int                    `json:"accepted"`      // business messages accepted (200 + wamid)
	RateLimited   int                    `json:"rate_limited"`  // sends refused with 130429
	Duplicates    int                    `json:"duplicates"`    // accepted sends equal to an earlier one (same number, recipient, type and content)
	Failed        int                    `json:"failed"`        // accepted sends reported failed (131047, injected async)
	Rejected      int                    `json:"rejected"`      // sends refused for another reason (validation, templates, window)
	Injected      int                    `json:"injected"`      // Graph calls answered by an injected failure
	ReadReceipts  int                    `json:"read_receipts"` // mark-as-read calls accepted
	MediaUploads  int                    `json:"media_uploads"`
	ByPhone       map[string]*phoneStats `json:"by_phone"` // by phone_number_id
	FirstAccepted *time.Time             `json:"first_accepted_at"`
	LastAccepted  *time.Time             `json:"last_accepted_at"`
}

type phoneStats struct {
	Accepted    int `json:"accepted"`
	RateLimited int `json:"rate_limited"`
	Duplicates  int `json:"duplicates"`
}

func (st *stats) phone(id string) *phoneStats {
	if st.ByPhone == nil {
		st.ByPhone = map[string]*phoneStats{}
	}
	p := st.ByPhone[id]
	if p == nil {
		p = &phoneStats{}
		st.ByPhone[id] = p
	}
	return p
}

// sentRecord is one accepted business message as GET api/sent lists it.
type sentRecord struct {
	ID            string          `json:"id"`
	PhoneNumberID string          `json:"phone_number_id"`
	To            string          `json:"to"`    // as sent
	WaID          string          `json:"wa_id"` // as resolved
	Type          string          `json:"type"`
	Text          string          `json:"text"`
	Duplicate     bool            `json:"duplicate"`
	AcceptedAt    time.Time       `json:"accepted_at"` // real clock, nanoseconds: for pacing checks
	Request       json.RawMessage `json:"request"`
}

// maxSentLog bounds the sent log (benchmarks may send a lot).
const maxSentLog = 200_000

func (s *Sandbox) handleStats(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	st := s.stats
	st.ByPhone = map[string]*phoneStats{}
	for id, p := range s.stats.ByPhone {
		c := *p
		st.ByPhone[id] = &c
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, st)
}

// handleStatsReset zeroes the counters and empties the sent log.
func (s *Sandbox) handleStatsReset(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats = stats{}
	s.sent = nil
	s.dupKeys = map[string]bool{}
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// handleSent lists accepted business messages, oldest first; ?to= and ?phone_number_id= filter.
func (s *Sandbox) handleSent(w http.ResponseWriter, r *http.Request) {
	to := normalizeWAID(r.URL.Query().Get("to"))
	pnid := r.URL.Query().Get("phone_number_id")
	s.mu.Lock()
	items := make([]sentRecord, 0, len(s.sent))
	for _, rec := range s.sent {
		if to != "" && rec.WaID != to && brAlternate(to) != rec.WaID {
			continue
		}
		if pnid != "" && rec.PhoneNumberID != pnid {
			continue
		}
		items = append(items, rec)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Sandbox) handleFailureList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	items := make([]failureRule, 0, len(s.failures))
	for _, f := range s.failures {
		items = append(items, *f)
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// handleFailureAdd queues a failure rule: the next count matching Graph calls fail.
func (s *Sandbox) handleFailureAdd(w http.ResponseWriter, r *http.Request) {
	var f failureRule
	if err := decodeJSON(w, r, maxJSONBody, &f); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	f.Used = 0
	if err := f.normalize(); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if f.PhoneNumberID != "" && s.number(f.PhoneNumberID) == nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "unknown phone_number_id")
		return
	}
	s.mu.Lock()
	s.nextFailureID++
	f.ID = s.nextFailureID
	s.failures = append(s.failures, &f)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, f)
}

func (s *Sandbox) handleFailureClear(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.failures = nil
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// handleToken rotates the expected access token and/or marks it expired (190, subcode 463):
// {"access_token"?: "...", "expired"?: bool}.
func (s *Sandbox) handleToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AccessToken *string `json:"access_token"`
		Expired     *bool   `json:"expired"`
	}
	if err := decodeJSON(w, r, maxJSONBody, &in); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if in.AccessToken != nil && *in.AccessToken == "" {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "access_token must not be empty")
		return
	}
	s.mu.Lock()
	if in.AccessToken != nil {
		s.token = *in.AccessToken
	}
	if in.Expired != nil {
		s.tokenExpired = *in.Expired
	}
	expired := s.tokenExpired
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"expired": expired})
}

func (s *Sandbox) handleNumbers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": s.numbers, "waba_id": s.wabaID})
}
