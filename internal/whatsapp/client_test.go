package whatsapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"papo/internal/whatsapp"
)

const (
	testToken = "EAAG-test-token-SECRET"
	testPNID  = "106540352242922"
	testWABA  = "102290129340398"
)

// recorded is one request the fake Graph API received.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// fakeGraph is an httptest stand-in for Meta answering from a handler and
// recording every request.
type fakeGraph struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []recorded
}

func newFakeGraph(t *testing.T, h http.HandlerFunc) *fakeGraph {
	t.Helper()
	f := &fakeGraph{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		f.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeGraph) requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.reqs...)
}

func (f *fakeGraph) last(t *testing.T) recorded {
	t.Helper()
	r := f.requests()
	if len(r) == 0 {
		t.Fatal("no request received")
	}
	return r[len(r)-1]
}

func (f *fakeGraph) client(t *testing.T) *whatsapp.Client {
	t.Helper()
	c, err := whatsapp.NewClient(whatsapp.ClientOptions{
		BaseURL: f.URL, Version: "v23.0", PhoneNumberID: testPNID, WABAID: testWABA,
		AccessToken: testToken, HTTP: f.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// answer writes a JSON response.
func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

const acceptedBody = `{"messaging_product":"whatsapp","contacts":[{"input":"+5511987654321","wa_id":"5511987654321"}],"messages":[{"id":"wamid.SENT1","message_status":"accepted"}]}`

// jsonEqual fails unless got and want are the same JSON document.
func jsonEqual(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("request body is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad expectation: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s\nwant   %s", got, want)
	}
}

func wantJSONRequest(t *testing.T, r recorded) {
	t.Helper()
	eq(t, "method", r.Method, http.MethodPost)
	eq(t, "path", r.Path, "/v23.0/"+testPNID+"/messages")
	eq(t, "Authorization", r.Header.Get("Authorization"), "Bearer "+testToken)
	eq(t, "Content-Type", r.Header.Get("Content-Type"), "application/json")
}

// TestClientSend: F26 — exact request bodies for every send kind and
// response parsing with and without message_status.
func TestClientSend(t *testing.T) {
	named := whatsapp.Template{Name: "pedido_enviado", Language: "pt_BR", Status: "APPROVED", ParameterFormat: "named",
		Components: []whatsapp.Component{{Type: "BODY", Text: "Olá {{first_name}}, seu pedido {{order_id}} saiu."}}}
	namedComps, err := whatsapp.BuildComponents(named, nil, map[string]string{"first_name": "Ana", "order_id": "1042"})
	if err != nil {
		t.Fatal(err)
	}
	positional := whatsapp.Template{Name: "boas_vindas", Language: "pt_BR", Status: "APPROVED", ParameterFormat: "positional",
		Components: []whatsapp.Component{{Type: "HEADER", Format: "TEXT", Text: "Pedido {{1}}"}, {Type: "BODY", Text: "Olá {{1}}!"}}}
	posComps, err := whatsapp.BuildComponents(positional, []string{"1042", "Ana"}, nil)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		send func(c *whatsapp.Client) (whatsapp.SendResult, error)
		want string
	}{
		{"text", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendText(t.Context(), "+5511987654321", "Olá, tudo bem?", "", false)
		}, `{"messaging_product":"whatsapp","to":"+5511987654321","type":"text","text":{"body":"Olá, tudo bem?"}}`},
		{"text reply with preview", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendText(t.Context(), "5511987654321", "Veja https://papo.example", "wamid.IN1", true)
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"text","context":{"message_id":"wamid.IN1"},"text":{"body":"Veja https://papo.example","preview_url":true}}`},
		{"image with caption", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendMedia(t.Context(), "5511987654321", "image", "media-1", "Segue a foto", "ignored.jpg", "")
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"image","image":{"id":"media-1","caption":"Segue a foto"}}`},
		{"document with filename, reply", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendMedia(t.Context(), "5511987654321", "document", "media-2", "", "boleto.pdf", "wamid.IN2")
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"document","context":{"message_id":"wamid.IN2"},"document":{"id":"media-2","filename":"boleto.pdf"}}`},
		{"audio", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendMedia(t.Context(), "5511987654321", "audio", "media-3", "", "", "")
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"audio","audio":{"id":"media-3"}}`},
		{"video", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendMedia(t.Context(), "5511987654321", "video", "media-4", "clipe", "", "")
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"video","video":{"id":"media-4","caption":"clipe"}}`},
		{"sticker", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendMedia(t.Context(), "5511987654321", "sticker", "media-5", "", "", "")
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"sticker","sticker":{"id":"media-5"}}`},
		{"reaction", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendReaction(t.Context(), "5511987654321", "wamid.IN3", "👍")
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"reaction","reaction":{"message_id":"wamid.IN3","emoji":"👍"}}`},
		{"reaction removed", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendReaction(t.Context(), "5511987654321", "wamid.IN3", "")
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"reaction","reaction":{"message_id":"wamid.IN3","emoji":""}}`},
		{"named template", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendTemplate(t.Context(), "5511987654321", whatsapp.TemplateSend{Name: named.Name, Language: named.Language, Components: namedComps})
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"template","template":{"name":"pedido_enviado","language":{"code":"pt_BR"},"components":[
			{"type":"body","parameters":[{"type":"text","parameter_name":"first_name","text":"Ana"},{"type":"text","parameter_name":"order_id","text":"1042"}]}]}}`},
		{"positional template with header", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendTemplate(t.Context(), "5511987654321", whatsapp.TemplateSend{Name: positional.Name, Language: "pt_BR", Components: posComps})
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"template","template":{"name":"boas_vindas","language":{"code":"pt_BR"},"components":[
			{"type":"header","parameters":[{"type":"text","text":"1042"}]},
			{"type":"body","parameters":[{"type":"text","text":"Ana"}]}]}}`},
		{"template without parameters", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.SendTemplate(t.Context(), "5511987654321", whatsapp.TemplateSend{Name: "hello_world", Language: "en_US"})
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"template","template":{"name":"hello_world","language":{"code":"en_US"}}}`},
		{"raw send with callback data", func(c *whatsapp.Client) (whatsapp.SendResult, error) {
			return c.Send(t.Context(), whatsapp.OutgoingMessage{To: "5511987654321", Type: "interactive", BizOpaqueCallbackData: "msg-9",
				Interactive: json.RawMessage(`{"type":"button","body":{"text":"Nota?"},"action":{"buttons":[{"type":"reply","reply":{"id":"5","title":"5"}}]}}`)})
		}, `{"messaging_product":"whatsapp","to":"5511987654321","type":"interactive","biz_opaque_callback_data":"msg-9",
			"interactive":{"type":"button","body":{"text":"Nota?"},"action":{"buttons":[{"type":"reply","reply":{"id":"5","title":"5"}}]}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, answer(200, acceptedBody))
			res, err := tt.send(f.client(t))
			if err != nil {
				t.Fatal(err)
			}
			want := whatsapp.SendResult{WAMessageID: "wamid.SENT1", Input: "+5511987654321", WaID: "5511987654321", MessageStatus: "accepted"}
			if res != want {
				t.Errorf("result = %+v, want %+v", res, want)
			}
			r := f.last(t)
			wantJSONRequest(t, r)
			jsonEqual(t, r.Body, tt.want)
		})
	}
}

// TestClientSendResponseWithoutStatus: F26 — older responses omit
// message_status.
func TestClientSendResponseWithoutStatus(t *testing.T) {
	f := newFakeGraph(t, answer(200, `{"messaging_product":"whatsapp","contacts":[{"input":"5511987654321","wa_id":"551187654321"}],"messages":[{"id":"wamid.OLD"}]}`))
	res, err := f.client(t).SendText(t.Context(), "5511987654321", "oi", "", false)
	if err != nil {
		t.Fatal(err)
	}
	want := whatsapp.SendResult{WAMessageID: "wamid.OLD", Input: "5511987654321", WaID: "551187654321"}
	if res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
}

// TestClientSendValidation: F26 — requests that cannot be valid are refused
// before anything is sent.
func TestClientSendValidation(t *testing.T) {
	f := newFakeGraph(t, answer(200, acceptedBody))
	c := f.client(t)
	ctx := t.Context()
	tests := []struct {
		name string
		call func() error
	}{
		{"empty text", func() error { _, err := c.SendText(ctx, "55", "  ", "", false); return err }},
		{"text too long", func() error {
			_, err := c.SendText(ctx, "55", strings.Repeat("é", whatsapp.MaxTextLength+1), "", false)
			return err
		}},
		{"empty recipient", func() error { _, err := c.SendText(ctx, "", "oi", "", false); return err }},
		{"audio caption", func() error { _, err := c.SendMedia(ctx, "55", "audio", "m", "legenda", "", ""); return err }},
		{"sticker caption", func() error { _, err := c.SendMedia(ctx, "55", "sticker", "m", "legenda", "", ""); return err }},
		{"unknown media kind", func() error { _, err := c.SendMedia(ctx, "55", "hologram", "m", "", "", ""); return err }},
		{"empty media id", func() error { _, err := c.SendMedia(ctx, "55", "image", "", "", "", ""); return err }},
		{"reaction without message", func() error { _, err := c.SendReaction(ctx, "55", "", "👍"); return err }},
		{"template without language", func() error {
			_, err := c.SendTemplate(ctx, "55", whatsapp.TemplateSend{Name: "x"})
			return err
		}},
		{"mark read without id", func() error { return c.MarkRead(ctx, "") }},
		{"upload without mime", func() error { _, err := c.UploadMedia(ctx, "a.jpg", "", strings.NewReader("x")); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, whatsapp.ErrInvalidRequest) {
				t.Errorf("err = %v, want ErrInvalidRequest", err)
			}
			if whatsapp.Retryable(err) {
				t.Error("a validation error must not be retryable")
			}
		})
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}

	noPhone, err := whatsapp.NewClient(whatsapp.ClientOptions{BaseURL: f.URL, AccessToken: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := noPhone.SendText(ctx, "55", "oi", "", false); !errors.Is(err, whatsapp.ErrNotConfigured) {
		t.Errorf("send without phone number id: %v", err)
	}
	if _, err := noPhone.ListTemplates(ctx); !errors.Is(err, whatsapp.ErrNotConfigured) {
		t.Errorf("templates without waba id: %v", err)
	}
}

// TestNewClient: F26 — options are checked and defaults applied.
func TestNewClient(t *testing.T) {
	if _, err := whatsapp.NewClient(whatsapp.ClientOptions{}); !errors.Is(err, whatsapp.ErrNotConfigured) {
		t.Errorf("no token: %v", err)
	}
	for _, base := range []string{"graph.facebook.com", "ftp://x", "http://", "::"} {
		if _, err := whatsapp.NewClient(whatsapp.ClientOptions{AccessToken: "t", BaseURL: base}); !errors.Is(err, whatsapp.ErrNotConfigured) {
			t.Errorf("base %q: %v", base, err)
		}
	}
	// URLs are base + "/" + version + "/" + path, with a base path kept.
	var path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		io.WriteString(w, `{"success":true}`)
	}))
	defer srv.Close()
	c, err := whatsapp.NewClient(whatsapp.ClientOptions{BaseURL: srv.URL + "/sandbox/graph/", Version: "v24.0", PhoneNumberID: "123", AccessToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MarkRead(t.Context(), "wamid.X"); err != nil {
		t.Fatal(err)
	}
	eq(t, "path", path, "/sandbox/graph/v24.0/123/messages")
	c, err = whatsapp.NewClient(whatsapp.ClientOptions{BaseURL: srv.URL, PhoneNumberID: "123", AccessToken: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MarkRead(t.Context(), "wamid.X"); err != nil {
		t.Fatal(err)
	}
	eq(t, "default version path", path, "/"+whatsapp.DefaultVersion+"/123/messages")
}

// TestClientMarkRead: F26 — read receipt and typing indicator bodies.
func TestClientMarkRead(t *testing.T) {
	f := newFakeGraph(t, answer(200, `{"success":true}`))
	c := f.client(t)
	if err := c.MarkRead(t.Context(), "wamid.IN9"); err != nil {
		t.Fatal(err)
	}
	r := f.last(t)
	wantJSONRequest(t, r)
	jsonEqual(t, r.Body, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN9"}`)

	if err := c.ShowTyping(t.Context(), "wamid.IN9"); err != nil {
		t.Fatal(err)
	}
	jsonEqual(t, f.last(t).Body, `{"messaging_product":"whatsapp","status":"read","message_id":"wamid.IN9","typing_indicator":{"type":"text"}}`)

	g := newFakeGraph(t, answer(200, `{"success":false}`))
	if err := g.client(t).MarkRead(t.Context(), "wamid.IN9"); !errors.Is(err, whatsapp.ErrUnexpectedResponse) {
		t.Errorf("success false: %v", err)
	}
}

// TestClientErrors: F26 — Graph errors become *APIError keyed by code,
// whatever the HTTP status; the token never appears in them.
func TestClientErrors(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		body      string
		want      whatsapp.APIError
		retryable bool
	}{
		{"130429 as 400", 400,
			`{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"error_data":{"messaging_product":"whatsapp","details":"Cloud API message throughput has been reached."},"fbtrace_id":"A1b2"}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 130429, Type: "OAuthException", Message: "(#130429) Rate limit hit", Details: "Cloud API message throughput has been reached.", FBTraceID: "A1b2"}, true},
		{"130429 as 429", 429,
			`{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429,"fbtrace_id":"A1b3"}}`,
			whatsapp.APIError{HTTPStatus: 429, Code: 130429, Type: "OAuthException", Message: "(#130429) Rate limit hit", FBTraceID: "A1b3"}, true},
		{"190 as 401 with subcode 463", 401,
			`{"error":{"message":"Error validating access token: Session has expired on Tuesday, 25-Nov-25 10:00:00 PST.","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"Xyz"}}`,
			whatsapp.APIError{HTTPStatus: 401, Code: 190, Subcode: 463, Type: "OAuthException", Message: "Error validating access token: Session has expired on Tuesday, 25-Nov-25 10:00:00 PST.", FBTraceID: "Xyz"}, false},
		{"GraphMethodException without error_data", 400,
			`{"error":{"message":"Unsupported post request. Object with ID '106540352242922' does not exist","type":"GraphMethodException","code":100,"error_subcode":33,"fbtrace_id":"Gm1"}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 100, Subcode: 33, Type: "GraphMethodException", Message: "Unsupported post request. Object with ID '106540352242922' does not exist", FBTraceID: "Gm1"}, false},
		{"131047 re-engagement", 400,
			`{"error":{"message":"(#131047) Re-engagement message","type":"OAuthException","code":131047,"error_subcode":2494055,"error_data":{"messaging_product":"whatsapp","details":"Message failed to send because more than 24 hours have passed since the customer last replied to this number."},"fbtrace_id":"R1"}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 131047, Subcode: 2494055, Type: "OAuthException", Message: "(#131047) Re-engagement message", Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.", FBTraceID: "R1"}, false},
		{"131056 pair rate limit", 400,
			`{"error":{"message":"(#131056) (Business Account, Consumer Account) pair rate limit hit","type":"OAuthException","code":131056}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 131056, Type: "OAuthException", Message: "(#131056) (Business Account, Consumer Account) pair rate limit hit"}, true},
		{"131000 as 500", 500,
			`{"error":{"message":"Something went wrong","type":"OAuthException","code":131000,"error_data":{"details":"Something went wrong"}}}`,
			whatsapp.APIError{HTTPStatus: 500, Code: 131000, Type: "OAuthException", Message: "Something went wrong", Details: "Something went wrong"}, true},
		{"502 with HTML body", 502,
			`<html><head><title>502 Bad Gateway</title></head><body><center>502 Bad Gateway</center></body></html>`,
			whatsapp.APIError{HTTPStatus: 502, Message: "Bad Gateway"}, true},
		{"404 with empty body", 404, ``,
			whatsapp.APIError{HTTPStatus: 404, Message: "Not Found"}, false},
		{"error object in a 200", 200,
			`{"error":{"message":"(#132001) Template name does not exist in the translation","type":"OAuthException","code":132001,"error_data":{"details":"template name (x) does not exist in pt_BR"}}}`,
			whatsapp.APIError{HTTPStatus: 200, Code: 132001, Type: "OAuthException", Message: "(#132001) Template name does not exist in the translation", Details: "template name (x) does not exist in pt_BR"}, false},
		{"code as string and error_data as string", 400,
			`{"error":{"message":"Invalid parameter","type":"OAuthException","code":"100","error_data":"Param to is invalid"}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 100, Type: "OAuthException", Message: "Invalid parameter", Details: "Param to is invalid"}, false},
		{"unknown code, transient", 400,
			`{"error":{"message":"Temporary","type":"OAuthException","code":987654,"is_transient":true}}`,
			whatsapp.APIError{HTTPStatus: 400, Code: 987654, Type: "OAuthException", Message: "Temporary", Transient: true}, true},
		{"unknown code as 503", 503,
			`{"error":{"message":"Service temporarily unavailable","type":"OAuthException","code":987655}}`,
			whatsapp.APIError{HTTPStatus: 503, Code: 987655, Type: "OAuthException", Message: "Service temporarily unavailable"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(tt.body, "<") {
					w.Header().Set("Content-Type", "text/html")
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := f.client(t).SendText(t.Context(), "5511987654321", "oi", "", false)
			ae, ok := errors.AsType[*whatsapp.APIError](err)
			if !ok {
				t.Fatalf("err = %v (%T), want *APIError", err, err)
			}
			if *ae != tt.want {
				t.Errorf("APIError = %+v\nwant       %+v", *ae, tt.want)
			}
			eq(t, "Retryable", ae.Retryable(), tt.retryable)
			eq(t, "package Retryable", whatsapp.Retryable(err), tt.retryable)
			if (ae.Backoff(1) > 0) != tt.retryable {
				t.Errorf("Backoff(1) = %v with retryable %v", ae.Backoff(1), tt.retryable)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error leaks the token: %v", err)
			}
			if !strings.HasPrefix(err.Error(), "whatsapp: send text: ") {
				t.Errorf("error = %q, want the package and action prefix", err)
			}
			if ae.Code != 0 && !strings.Contains(err.Error(), fmt.Sprint(ae.Code)) {
				t.Errorf("error %q does not name code %d", err, ae.Code)
			}
		})
	}
}

// TestClientUnexpectedResponse: a 200 without a message id is an error.
func TestClientUnexpectedResponse(t *testing.T) {
	for _, body := range []string{`{"messaging_product":"whatsapp","messages":[]}`, `not json`, `{"messages":[{"id":""}]}`} {
		f := newFakeGraph(t, answer(200, body))
		_, err := f.client(t).SendText(t.Context(), "55", "oi", "", false)
		if !errors.Is(err, whatsapp.ErrUnexpectedResponse) {
			t.Errorf("body %s: err = %v", body, err)
		}
	}
}

// TestClientNetworkErrors: F26 — timeouts and connection failures stay Go
// errors, are retryable, and do not carry the token.
func TestClientNetworkErrors(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
		defer close(release)
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err := f.client(t).SendText(ctx, "55", "oi", "", false)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want deadline exceeded", err)
		}
		if _, ok := errors.AsType[*whatsapp.APIError](err); ok {
			t.Error("a timeout is not an APIError")
		}
		if !whatsapp.Retryable(err) {
			t.Error("a timeout is retryable")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		f := newFakeGraph(t, answer(200, acceptedBody))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := f.client(t).SendText(ctx, "55", "oi", "", false)
		if !errors.Is(err, context.Canceled) || whatsapp.Retryable(err) {
			t.Errorf("err = %v, retryable %v", err, whatsapp.Retryable(err))
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		base := srv.URL
		srv.Close()
		c, err := whatsapp.NewClient(whatsapp.ClientOptions{BaseURL: base, PhoneNumberID: testPNID, WABAID: testWABA, AccessToken: testToken})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.SendText(t.Context(), "55", "oi", "", false)
		if err == nil || !whatsapp.Retryable(err) {
			t.Fatalf("err = %v, retryable %v", err, whatsapp.Retryable(err))
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error leaks the token: %v", err)
		}
	})
}

// TestClientNeverShowsToken: the token is not printed with the client or
// its options.
func TestClientNeverShowsToken(t *testing.T) {
	opts := whatsapp.ClientOptions{BaseURL: "https://graph.facebook.com", PhoneNumberID: testPNID, AccessToken: testToken}
	c, err := whatsapp.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("client", "options", opts)
	for _, s := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(opts), fmt.Sprintf("%+v", opts), logged.String()} {
		if strings.Contains(s, testToken) {
			t.Errorf("token printed: %s", s)
		}
	}
}

// TestClientUploadMedia: F26 — multipart shape of a media upload.
func TestClientUploadMedia(t *testing.T) {
	type part struct{ name, filename, contentType, value string }
	var parts []part
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			http.Error(w, "not multipart", 400)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			b, _ := io.ReadAll(p)
			parts = append(parts, part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), string(b)})
		}
		answer(200, `{"id":"1037543291543636"}`)(w, r)
	})
	content := bytes.Repeat([]byte("%PDF-1.4 fake "), 1000)
	id, err := f.client(t).UploadMedia(t.Context(), `nota "fiscal".pdf`, "application/pdf", bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "id", id, "1037543291543636")
	r := f.last(t)
	eq(t, "method", r.Method, http.MethodPost)
	eq(t, "path", r.Path, "/v23.0/"+testPNID+"/media")
	eq(t, "Authorization", r.Header.Get("Authorization"), "Bearer "+testToken)
	want := []part{
		{"messaging_product", "", "", "whatsapp"},
		{"type", "", "", "application/pdf"},
		{"file", `nota "fiscal".pdf`, "application/pdf", string(content)},
	}
	if !reflect.DeepEqual(parts, want) {
		t.Errorf("parts = %q\nwant %q", parts, want)
	}

	// A failed upload returns the Graph error and does not leak the reader.
	g := newFakeGraph(t, answer(400, `{"error":{"message":"(#131053) Media upload error","type":"OAuthException","code":131053}}`))
	_, err = g.client(t).UploadMedia(t.Context(), "x.webp", "image/webp", strings.NewReader("RIFF"))
	if ae, ok := errors.AsType[*whatsapp.APIError](err); !ok || ae.Code != 131053 {
		t.Errorf("err = %v", err)
	}
}

// TestClientMediaInfo: F26 — file_size as number and as string.
func TestClientMediaInfo(t *testing.T) {
	for _, size := range []string{`52430`, `"52430"`} {
		t.Run(size, func(t *testing.T) {
			f := newFakeGraph(t, answer(200, `{"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1479537139650973&ext=1","mime_type":"image/jpeg","sha256":"ZmFrZQ==","file_size":`+size+`,"id":"1479537139650973"}`))
			info, err := f.client(t).MediaInfo(t.Context(), "1479537139650973")
			if err != nil {
				t.Fatal(err)
			}
			want := whatsapp.MediaInfo{ID: "1479537139650973", URL: "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1479537139650973&ext=1",
				MimeType: "image/jpeg", SHA256: "ZmFrZQ==", FileSize: 52430}
			if info != want {
				t.Errorf("info = %+v", info)
			}
			r := f.last(t)
			eq(t, "method", r.Method, http.MethodGet)
			eq(t, "path", r.Path, "/v23.0/1479537139650973")
			eq(t, "query", r.RawQuery, "phone_number_id="+testPNID)
			eq(t, "Authorization", r.Header.Get("Authorization"), "Bearer "+testToken)
		})
	}
	f := newFakeGraph(t, answer(404, `{"error":{"message":"Unsupported get request.","type":"GraphMethodException","code":100,"error_subcode":33}}`))
	if _, err := f.client(t).MediaInfo(t.Context(), "gone"); err == nil {
		t.Error("want an error for unknown media")
	}
	d := newFakeGraph(t, answer(200, `{"success":true}`))
	if err := d.client(t).DeleteMedia(t.Context(), "m1"); err != nil {
		t.Fatal(err)
	}
	eq(t, "delete method", d.last(t).Method, http.MethodDelete)
}

// TestClientDownload: F26 — media download with the bearer token and a
// size bound.
func TestClientDownload(t *testing.T) {
	content := bytes.Repeat([]byte{0xff, 0xd8, 0x00, 0x01}, 256) // 1 KiB
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/media/known-length":
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write(content)
		case "/media/chunked":
			for i := 0; i < 4; i++ {
				w.Write(content[:256])
				w.(http.Flusher).Flush()
			}
		default:
			http.NotFound(w, r)
		}
	})
	c := f.client(t)

	var buf bytes.Buffer
	n, err := c.Download(t.Context(), f.URL+"/media/known-length?mid=1", &buf, 1024)
	if err != nil || n != 1024 || !bytes.Equal(buf.Bytes(), content) {
		t.Fatalf("download = %d, %v", n, err)
	}
	eq(t, "Authorization", f.last(t).Header.Get("Authorization"), "Bearer "+testToken)

	buf.Reset()
	_, err = c.Download(t.Context(), f.URL+"/media/known-length", &buf, 1023)
	if !errors.Is(err, whatsapp.ErrTooLarge) {
		t.Errorf("announced length over the bound: %v", err)
	}
	eq(t, "bytes written before refusing", buf.Len(), 0)

	buf.Reset()
	_, err = c.Download(t.Context(), f.URL+"/media/chunked", &buf, 1000)
	if !errors.Is(err, whatsapp.ErrTooLarge) {
		t.Errorf("streamed length over the bound: %v", err)
	}
	if buf.Len() > 1000 {
		t.Errorf("wrote %d bytes past the bound", buf.Len())
	}

	buf.Reset()
	if n, err := c.Download(t.Context(), f.URL+"/media/chunked", &buf, 1024); err != nil || n != 1024 {
		t.Errorf("streamed exactly at the bound: %d, %v", n, err)
	}

	_, err = c.Download(t.Context(), f.URL+"/media/missing", io.Discard, 0)
	if ae, ok := errors.AsType[*whatsapp.APIError](err); !ok || ae.HTTPStatus != 404 {
		t.Errorf("missing media: %v", err)
	}

	before := len(f.requests())
	_, err = c.Download(t.Context(), "http://attacker.example/steal", io.Discard, 0)
	if !errors.Is(err, whatsapp.ErrInvalidRequest) {
		t.Errorf("plain http to another host: %v", err)
	}
	if _, err := c.Download(t.Context(), "/relative", io.Discard, 0); !errors.Is(err, whatsapp.ErrInvalidRequest) {
		t.Errorf("relative url: %v", err)
	}
	if len(f.requests()) != before {
		t.Error("refused downloads must not send anything")
	}
}

// TestClientListTemplates: F15/F26 — templates are listed over three pages
// following paging.next, without ever putting the token in a URL.
func TestClientListTemplates(t *testing.T) {
	var f *fakeGraph
	f = newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v23.0/"+testWABA+"/message_templates" {
			http.NotFound(w, r)
			return
		}
		next := func(after string) string {
			return fmt.Sprintf(`,"next":"%s/v23.0/%s/message_templates?access_token=%s&fields=name&limit=2&after=%s"`, f.URL, testWABA, testToken, after)
		}
		switch r.URL.Query().Get("after") {
		case "":
			answer(200, `{"data":[
				{"name":"pedido_enviado","language":"pt_BR","status":"APPROVED","category":"UTILITY","parameter_format":"NAMED","id":"111",
				 "components":[{"type":"HEADER","format":"TEXT","text":"Pedido {{order_id}}","example":{"header_text_named_params":[{"param_name":"order_id","example":"1042"}]}},
				               {"type":"BODY","text":"Olá {{first_name}}, seu pedido {{order_id}} saiu para entrega.","example":{"body_text_named_params":[{"param_name":"first_name","example":"Ana"}]}},
				               {"type":"FOOTER","text":"Equipe papo"},
				               {"type":"BUTTONS","buttons":[{"type":"URL","text":"Rastrear","url":"https://papo.example/r/{{1}}","example":["https://papo.example/r/abc"]},{"type":"QUICK_REPLY","text":"Falar com atendente"}]}]},
				{"name":"boas_vindas","language":"pt_BR","status":"APPROVED","category":"MARKETING","id":"112",
				 "components":[{"type":"BODY","text":"Olá {{1}}, bem-vindo!","example":{"body_text":[["Ana"]]}}]}
				],"paging":{"cursors":{"before":"b0","after":"c1"}`+next("c1")+`}}`)(w, r)
		case "c1":
			answer(200, `{"data":[
				{"name":"hello_world","language":"en_US","status":"APPROVED","category":"UTILITY","parameter_format":"POSITIONAL","id":"113",
				 "components":[{"type":"HEADER","format":"IMAGE","example":{"header_handle":["4::aW1n"]}},{"type":"BODY","text":"Hello World"}]}
				],"paging":{"cursors":{"before":"c1","after":"c2"}`+next("c2")+`}}`)(w, r)
		case "c2":
			answer(200, `{"data":[
				{"name":"promo","language":"pt_BR","status":"REJECTED","category":"MARKETING","id":"114","components":[{"type":"BODY","text":"Promo"}]}
				],"paging":{"cursors":{"before":"c2","after":"c3"}}}`)(w, r)
		default:
			http.Error(w, "unexpected cursor", 400)
		}
	})
	templates, err := f.client(t).ListTemplates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tp := range templates {
		names = append(names, tp.Name+"/"+tp.Language+"/"+tp.Status+"/"+tp.Category+"/"+tp.ParameterFormat)
	}
	want := []string{
		"pedido_enviado/pt_BR/APPROVED/UTILITY/named",
		"boas_vindas/pt_BR/APPROVED/MARKETING/positional",
		"hello_world/en_US/APPROVED/UTILITY/positional",
		"promo/pt_BR/REJECTED/MARKETING/positional",
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("templates = %v\nwant %v", names, want)
	}
	reqs := f.requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 pages", len(reqs))
	}
	for i, r := range reqs {
		eq(t, "Authorization", r.Header.Get("Authorization"), "Bearer "+testToken)
		if strings.Contains(r.RawQuery, "access_token") {
			t.Errorf("page %d: token in the URL: %s", i+1, r.RawQuery)
		}
	}
	if !strings.Contains(reqs[0].RawQuery, "fields=name%2Cstatus%2Ccategory%2Clanguage%2Ccomponents%2Cparameter_format") {
		t.Errorf("first page query = %s", reqs[0].RawQuery)
	}

	pe := templates[0]
	if len(pe.Components) != 4 || pe.Components[3].Type != "BUTTONS" || len(pe.Components[3].Buttons) != 2 ||
		pe.Components[3].Buttons[0].URL != "https://papo.example/r/{{1}}" || pe.Components[0].Format != "TEXT" {
		t.Errorf("components = %+v", pe.Components)
	}
	names2, count := pe.Parameters()
	if !reflect.DeepEqual(names2, []string{"order_id", "first_name"}) || count != 2 {
		t.Errorf("Parameters = %v, %d", names2, count)
	}
	if !templates[0].Approved() || templates[3].Approved() {
		t.Error("Approved")
	}
}

// TestClientListTemplatesForeignNext: a next link on another host is not
// followed; the after cursor is used on the configured base URL.
func TestClientListTemplatesForeignNext(t *testing.T) {
	f := newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("after") == "" {
			answer(200, `{"data":[{"name":"a","language":"pt_BR","status":"APPROVED","category":"UTILITY","components":[]}],
				"paging":{"cursors":{"after":"Q1"},"next":"https://graph.facebook.com/v23.0/x/message_templates?after=Q1&access_token=abc"}}`)(w, r)
			return
		}
		answer(200, `{"data":[{"name":"b","language":"pt_BR","status":"APPROVED","category":"UTILITY","components":[]}],"paging":{"cursors":{"after":"Q2"}}}`)(w, r)
	})
	templates, err := f.client(t).ListTemplates(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if len(templates) != 2 || templates[1].Name != "b" {
		t.Errorf("templates = %+v", templates)
	}
	r := f.last(t)
	eq(t, "path", r.Path, "/v23.0/"+testWABA+"/message_templates")
	if !strings.Contains(r.RawQuery, "after=Q1") || !strings.Contains(r.RawQuery, "fields=") {
		t.Errorf("query = %s", r.RawQuery)
	}

	// A next link that repeats forever is cut off.
	var g *fakeGraph
	g = newFakeGraph(t, func(w http.ResponseWriter, r *http.Request) {
		answer(200, `{"data":[],"paging":{"next":"`+g.URL+`/v23.0/`+testWABA+`/message_templates?after=same"}}`)(w, r)
	})
	if _, err := g.client(t).ListTemplates(t.Context()); !errors.Is(err, whatsapp.ErrUnexpectedResponse) {
		t.Errorf("looping pages: %v", err)
	}
}
