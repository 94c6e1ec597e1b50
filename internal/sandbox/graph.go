package sandbox

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// graphError is an error the Graph imitation answers with:
// {"error":{"message","type","code","error_subcode"?,"error_data"?:{"messaging_product","details"},"fbtrace_id"}}.
type graphError struct {
	status  int    // HTTP status
	code    int    // error.code
	subcode int    // error.error_subcode, 0 = absent
	typ     string // error.type; OAuthException unless set
	message string // error.message; "(#code) title" unless set
	details string // error_data.details; no error_data when empty
}

// newGraphError builds the usual WhatsApp error for code with Meta's title and the HTTP status Meta
// tends to use for it.
func newGraphError(code int, details string) *graphError {
	return &graphError{status: defaultHTTPStatus(code), code: code, details: details}
}

// methodError is Graph's answer for an unknown object or path (GraphMethodException, no error_data).
func methodError(method, id string) *graphError {
	return &graphError{
		status:  http.StatusBadRequest,
		code:    100,
		subcode: 33,
		typ:     "GraphMethodException",
		message: fmt.Sprintf("Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api", strings.ToLower(method), id),
	}
}

func (e *graphError) body() object {
	typ := e.typ
	if typ == "" {
		typ = "OAuthException"
	}
	msg := e.message
	if msg == "" {
		msg = fmt.Sprintf("(#%d) %s", e.code, errorTitle(e.code))
	}
	inner := object{{"message", msg}, {"type", typ}, {"code", e.code}}
	if e.subcode != 0 {
		inner = append(inner, member{"error_subcode", e.subcode})
	}
	if e.details != "" {
		inner = append(inner, member{"error_data", object{{"messaging_product", "whatsapp"}, {"details", e.details}}})
	}
	inner = append(inner, member{"fbtrace_id", newTraceID()})
	return object{{"error", inner}}
}

// writeGraphError answers a Graph call with e.
func writeGraphError(w http.ResponseWriter, e *graphError) {
	if e.code == 190 {
		w.Header().Set("WWW-Authenticate", `OAuth "Facebook Platform" "invalid_token" "`+errorTitle(190)+`"`)
	}
	writeGraphJSON(w, e.status, e.body())
}

// writeGraphJSON writes a Graph answer (Graph escapes like the webhooks do).
func writeGraphJSON(w http.ResponseWriter, status int, v any) {
	b, err := metaJSON(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorTitle is Meta's short title for a WhatsApp error code (the fact sheet, §6).
func errorTitle(code int) string {
	switch code {
	case 0:
		return "AuthException"
	case 1:
		return "An unknown error occurred"
	case 2:
		return "Service temporarily unavailable"
	case 3:
		return "Capability or permissions issue"
	case 4:
		return "Application request limit reached"
	case 10:
		return "Permission denied"
	case 100:
		return "Invalid parameter"
	case 190:
		return "Invalid OAuth access token - Cannot parse access token"
	case 200:
		return "Permission error"
	case 368:
		return "Temporarily blocked for policies violations"
	case 80007:
		return "Rate limit issues"
	case 130429:
		return "Rate limit hit"
	case 130472:
		return "User's number is part of an experiment"
	case 131000:
		return "Something went wrong"
	case 131005:
		return "Access denied"
	case 131008:
		return "Required parameter is missing"
	case 131009:
		return "Parameter value is not valid"
	case 131016:
		return "Service unavailable"
	case 131021:
		return "Recipient cannot be sender"
	case 131026:
		return "Message undeliverable"
	case 131030:
		return "Recipient phone number not in allowed list"
	case 131031:
		return "Business Account locked"
	case 131042:
		return "Business eligibility payment issue"
	case 131045:
		return "Incorrect certificate"
	case 131047:
		return "Re-engagement message"
	case 131048:
		return "Spam rate limit hit"
	case 131049:
		return "This message was not delivered to maintain healthy ecosystem engagement."
	case 131050:
		return "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business."
	case 131051:
		return "Unsupported message type"
	case 131052:
		return "Media download error"
	case 131053:
		return "Media upload error"
	case 131056:
		return "(Business Account, Consumer Account) pair rate limit hit"
	case 131057:
		return "Account in maintenance mode"
	case 132000:
		return "Number of parameters does not match the expected number of params"
	case 132001:
		return "Template name does not exist in the translation"
	case 132005:
		return "Translated text too long"
	case 132007:
		return "Template Format Character Policy Violated"
	case 132012:
		return "Parameter format does not match format in the created template"
	case 132015:
		return "Template is Paused"
	case 132016:
		return "Template is Disabled"
	case 133010:
		return "Phone number Not registered"
	}
	return "Unknown error"
}

// errorDetails is the default error_data.details for a code.
func errorDetails(code int) string {
	switch code {
	case 130429:
		return "Cloud API message throughput has been reached."
	case 131000:
		return "Something went wrong while processing the request."
	case 131026:
		return "Message Undeliverable."
	case 131047:
		return "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
	case 131049:
		return "In order to maintain a healthy ecosystem engagement, the message failed to be delivered."
	case 131053:
		return "Media upload error."
	case 131056:
		return "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time."
	}
	return errorTitle(code)
}

// defaultHTTPStatus is the HTTP status Graph usually pairs with code.
func defaultHTTPStatus(code int) int {
	switch code {
	case 190:
		return http.StatusUnauthorized
	case 1, 2, 131000, 131016:
		return http.StatusInternalServerError
	case 10, 200, 131005, 131031, 368:
		return http.StatusForbidden
	case 132001:
		return http.StatusNotFound
	}
	return http.StatusBadRequest
}

// checkBearer checks the access token (Authorization: Bearer, or ?access_token= as Graph also
// accepts). A wrong or missing token is code 190; an expired one (see POST api/token) adds
// subcode 463.
func (s *Sandbox) checkBearer(r *http.Request) *graphError {
	tok := ""
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, ok := strings.Cut(h, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			tok = strings.TrimSpace(rest)
		}
	} else {
		tok = r.URL.Query().Get("access_token")
	}
	s.mu.Lock()
	want, expired := s.token, s.tokenExpired
	s.mu.Unlock()
	if tok == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(want)) != 1 {
		return &graphError{status: http.StatusUnauthorized, code: 190, message: errorTitle(190)}
	}
	if expired {
		const layout = "Monday, 02-Jan-06 15:04:05 MST"
		now := s.now().UTC()
		return &graphError{
			status:  http.StatusUnauthorized,
			code:    190,
			subcode: 463,
			message: "Error validating access token: Session has expired on " + now.Add(-time.Hour).Format(layout) + ". The current time is " + now.Format(layout) + ".",
		}
	}
	return nil
}

var versionRE = regexp.MustCompile(`^v[0-9]{1,3}\.[0-9]{1,2}$`)

// checkVersion refuses path versions Graph would not know ("v23.0" is fine).
func checkVersion(r *http.Request) *graphError {
	v := r.PathValue("version")
	if versionRE.MatchString(v) {
		return nil
	}
	return &graphError{status: http.StatusBadRequest, code: 2500, typ: "OAuthException", message: "Unknown path components: /" + v}
}

// handleGraphUnknown answers any Graph path the sandbox does not imitate.
func (s *Sandbox) handleGraphUnknown(w http.ResponseWriter, r *http.Request) {
	if e := s.checkBearer(r); e != nil {
		writeGraphError(w, e)
		return
	}
	id := strings.TrimPrefix(r.URL.Path, "/graph/")
	if v, rest, ok := strings.Cut(id, "/"); ok && versionRE.MatchString(v) {
		id = rest
	}
	writeGraphError(w, methodError(r.Method, id))
}
