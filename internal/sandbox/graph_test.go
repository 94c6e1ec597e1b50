package sandbox_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"papo/internal/sandbox"
)

// F27: Graph calls need the Bearer token; a wrong, missing or expired one is 401 with code 190.
func TestF27GraphRequiresBearer(t *testing.T) {
	e := newEnv(t, nil)
	body := textSend(customer, "oi")
	for _, tok := range []string{"", "wrong-token"} {
		code, m := e.do(t, http.MethodPost, "graph/v23.0/"+testPNID+"/messages", tok, body)
		if code != http.StatusUnauthorized || graphCode(t, m) != 190 || path(m, "error", "type") != "OAuthException" || path(m, "error", "fbtrace_id") == nil {
			t.Errorf("token %q: %d %v", tok, code, m)
		}
	}
	if code, m := e.do(t, http.MethodPost, "api/token", "", map[string]any{"expired": true}); code != http.StatusOK {
		t.Fatalf("api/token: %d %v", code, m)
	}
	code, m := e.send(t, body)
	if code != http.StatusUnauthorized || graphCode(t, m) != 190 || path(m, "error", "error_subcode") != float64(463) {
		t.Errorf("expired token: %d %v", code, m)
	}
	e.do(t, http.MethodPost, "api/token", "", map[string]any{"expired": false})
	if code, m := e.do(t, http.MethodGet, "graph/v23.0/"+testWABA+"/message_templates", "", nil); code != http.StatusUnauthorized || graphCode(t, m) != 190 {
		t.Errorf("templates without token: %d %v", code, m)
	}
	if code, _ := e.do(t, http.MethodGet, "graph/v23.0/"+testWABA+"/message_templates", testToken, nil); code != http.StatusOK {
		t.Errorf("templates with token: %d", code)
	}
}

// F27: malformed sends are refused with code 100 and error_data.details; unknown objects and paths
// give GraphMethodException.
func TestF27SendValidation(t *testing.T) {
	e := newEnv(t, nil)
	e.customerSays(t, customer, "oi")
	cases := []struct {
		name string
		body any
		code int
	}{
		{"no messaging_product", map[string]any{"to": customer, "type": "text", "text": map[string]any{"body": "x"}}, 100},
		{"no to", map[string]any{"messaging_product": "whatsapp", "type": "text", "text": map[string]any{"body": "x"}}, 100},
		{"bad to", map[string]any{"messaging_product": "whatsapp", "to": "abc", "type": "text", "text": map[string]any{"body": "x"}}, 100},
		{"bad type", map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "hologram"}, 100},
		{"no text body", map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "text", "text": map[string]any{}}, 100},
		{"too long", textSend(customer, strings.Repeat("a", 4097)), 100},
		{"unknown media id", map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "image", "image": map[string]any{"id": "999"}}, 100},
		{"id and link", map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "image", "image": map[string]any{"id": "1", "link": "https://x.test/a.jpg"}}, 100},
		{"reaction without id", map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "reaction", "reaction": map[string]any{"emoji": "👍"}}, 100},
		{"not JSON", "{", 100},
		{"to self", textSend("5511940028922", "x"), 131021},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, m := e.send(t, c.body)
			if code != http.StatusBadRequest || graphCode(t, m) != c.code {
				t.Fatalf("%d %v", code, m)
			}
			if c.code == 100 && c.name != "not JSON" && path(m, "error", "error_data", "details") == nil {
				t.Errorf("no error_data.details: %v", m)
			}
		})
	}
	code, m := e.do(t, http.MethodPost, "graph/v23.0/999/messages", testToken, textSend(customer, "x"))
	if code != http.StatusBadRequest || path(m, "error", "type") != "GraphMethodException" || path(m, "error", "error_subcode") != float64(33) {
		t.Errorf("unknown phone number id: %d %v", code, m)
	}
	code, m = e.do(t, http.MethodGet, "graph/v23.0/"+testPNID+"/whatever/else", testToken, nil)
	if code != http.StatusBadRequest || path(m, "error", "type") != "GraphMethodException" {
		t.Errorf("unknown path: %d %v", code, m)
	}
	code, m = e.do(t, http.MethodGet, "graph/v23.0/"+testPNID, testToken, nil)
	if code != http.StatusOK || m["id"] != testPNID || m["display_phone_number"] != "5511940028922" {
		t.Errorf("phone number object: %d %v", code, m)
	}
	// Other message types are accepted.
	for _, body := range []map[string]any{
		{"messaging_product": "whatsapp", "to": customer, "type": "image", "image": map[string]any{"link": "https://example.com/a.jpg", "caption": "foto"}},
		{"messaging_product": "whatsapp", "to": customer, "type": "location", "location": map[string]any{"latitude": 1.5, "longitude": 2.5, "name": "Loja"}},
		{"messaging_product": "whatsapp", "to": customer, "type": "interactive", "interactive": map[string]any{"type": "button", "body": map[string]any{"text": "Escolha"},
			"action": map[string]any{"buttons": []any{map[string]any{"type": "reply", "reply": map[string]any{"id": "a", "title": "A"}}}}}},
		{"messaging_product": "whatsapp", "to": customer, "type": "reaction", "reaction": map[string]any{"message_id": "wamid.x", "emoji": "👍"}},
		{"messaging_product": "whatsapp", "to": customer, "text": map[string]any{"body": "type defaults to text"}, "context": map[string]any{"message_id": "wamid.y"}},
	} {
		if code, m := e.send(t, body); code != http.StatusOK {
			t.Errorf("%v: %d %v", body["type"], code, m)
		}
	}
}

// F27: past MessagesPerSecond within one second sends get 130429, and the stats count both.
func TestF27ThroughputLimit(t *testing.T) {
	const rate, n = 5, 12
	e := newEnv(t, func(o *sandbox.Options) { o.MessagesPerSecond = rate; o.AutoDeliver = false })
	e.customerSays(t, customer, "oi")
	var mu sync.Mutex
	accepted, limited := 0, 0
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, m := e.send(t, textSend(customer, fmt.Sprint("msg ", i)))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case code == http.StatusOK:
				accepted++
			case code == http.StatusBadRequest && graphCode(t, m) == 130429:
				limited++
			default:
				t.Errorf("send %d: %d %v", i, code, m)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	// The burst is one second's worth; the bucket refills at rate per second meanwhile.
	if maxOK := rate + int(elapsed.Seconds()*rate) + 1; accepted < rate || accepted > maxOK || limited == 0 {
		t.Fatalf("accepted %d, rate limited %d in %v (want %d..%d accepted, the rest 130429)", accepted, limited, elapsed, rate, maxOK)
	}
	_, st := e.do(t, http.MethodGet, "api/stats", "", nil)
	if st["accepted"] != float64(accepted) || st["rate_limited"] != float64(limited) ||
		path(st, "by_phone", testPNID, "accepted") != float64(accepted) || path(st, "by_phone", testPNID, "rate_limited") != float64(limited) {
		t.Errorf("stats = %v, want %d accepted and %d rate limited", st, accepted, limited)
	}
}

// F27: an injected failure answers the next N matching calls, then sends succeed again; HTML bodies
// imitate a proxy's 502.
func TestF27InjectedFailuresAreConsumed(t *testing.T) {
	e := newEnv(t, nil)
	e.customerSays(t, customer, "oi")
	code, m := e.do(t, http.MethodPost, "api/failures", "", map[string]any{"code": 131000, "http_status": 500, "count": 2})
	if code != http.StatusCreated {
		t.Fatalf("api/failures: %d %v", code, m)
	}
	for i := range 2 {
		code, m := e.send(t, textSend(customer, "oi"))
		if code != http.StatusInternalServerError || graphCode(t, m) != 131000 {
			t.Fatalf("call %d: %d %v", i, code, m)
		}
	}
	if code, m := e.send(t, textSend(customer, "oi")); code != http.StatusOK {
		t.Fatalf("after the failures: %d %v", code, m)
	}

	e.do(t, http.MethodPost, "api/failures", "", map[string]any{"html": true, "code": 1, "match": "messages"})
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/graph/v23.0/"+testPNID+"/messages", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.HasPrefix(b, []byte("<html>")) {
		t.Errorf("html failure: %d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}

	// Rules filter by kind; DELETE clears them.
	e.do(t, http.MethodPost, "api/failures", "", map[string]any{"code": 4, "match": "templates", "count": -1})
	if code, _ := e.send(t, textSend(customer, "oi")); code != http.StatusOK {
		t.Errorf("a templates rule hit a send")
	}
	if code, m := e.do(t, http.MethodGet, "graph/v23.0/"+testWABA+"/message_templates", testToken, nil); code != http.StatusBadRequest || graphCode(t, m) != 4 {
		t.Errorf("templates rule: %d %v", code, m)
	}
	if code, _ := e.do(t, http.MethodDelete, "api/failures", "", nil); code != http.StatusNoContent {
		t.Errorf("DELETE api/failures: %d", code)
	}
	if code, _ := e.do(t, http.MethodGet, "graph/v23.0/"+testWABA+"/message_templates", testToken, nil); code != http.StatusOK {
		t.Errorf("templates after clearing: %d", code)
	}

	// Async rules accept the send and fail it later; accept rules lose the answer of an accepted send.
	e.do(t, http.MethodPost, "api/failures", "", map[string]any{"code": 131026, "async": true})
	code, m = e.send(t, textSend(customer, "async"))
	if code != http.StatusOK {
		t.Fatalf("async rule: %d %v", code, m)
	}
	st := e.rc.waitStatuses(t, wamidOf(t, m), "failed")
	if st[0].Errors[0].Code != 131026 {
		t.Errorf("async failure = %+v", st[0])
	}
	e.do(t, http.MethodPost, "api/failures", "", map[string]any{"code": 131000, "accept": true})
	if code, _ := e.send(t, textSend(customer, "lost answer")); code != http.StatusInternalServerError {
		t.Errorf("accept rule: %d", code)
	}
	_, sent := e.do(t, http.MethodGet, "api/sent", "", nil)
	items := sent["items"].([]any)
	if last := items[len(items)-1].(map[string]any); last["text"] != "lost answer" {
		t.Errorf("accept rule did not accept: %v", last)
	}
}

// F27: every accepted message is listed with its request; equal sends count as duplicates.
func TestF27SentLogAndDuplicates(t *testing.T) {
	e := newEnv(t, nil)
	e.customerSays(t, customer, "oi")
	for range 2 {
		if code, m := e.send(t, textSend(customer, "mesma coisa")); code != http.StatusOK {
			t.Fatalf("%d %v", code, m)
		}
	}
	e.send(t, textSend(customer, "outra coisa"))
	_, st := e.do(t, http.MethodGet, "api/stats", "", nil)
	if st["accepted"] != float64(3) || st["duplicates"] != float64(1) {
		t.Errorf("stats = %v", st)
	}
	_, sent := e.do(t, http.MethodGet, "api/sent?to="+customer, "", nil)
	items := sent["items"].([]any)
	if len(items) != 3 {
		t.Fatalf("sent = %v", items)
	}
	second := items[1].(map[string]any)
	if second["duplicate"] != true || second["text"] != "mesma coisa" || path(second, "request", "text", "body") != "mesma coisa" ||
		second["wa_id"] != customer || second["accepted_at"] == nil {
		t.Errorf("sent[1] = %v", second)
	}
	if code, _ := e.do(t, http.MethodDelete, "api/stats", "", nil); code != http.StatusNoContent {
		t.Errorf("DELETE api/stats: %d", code)
	}
	_, st = e.do(t, http.MethodGet, "api/stats", "", nil)
	if st["accepted"] != float64(0) {
		t.Errorf("stats after reset = %v", st)
	}
}

// F27: the template list pages with cursors; next is absolute and absent on the last page.
func TestF27TemplatePaging(t *testing.T) {
	e := newEnv(t, nil)
	code, m := e.do(t, http.MethodPost, "api/templates", "", []map[string]any{
		{"name": "extra_um", "language": "pt_BR", "category": "utility", "components": []any{map[string]any{"type": "body", "text": "Um {{1}}"}}},
		{"name": "extra_dois", "language": "en_US", "status": "APPROVED", "components": []any{map[string]any{"type": "BODY", "text": "Two"}}},
	})
	if code != http.StatusCreated {
		t.Fatalf("api/templates: %d %v", code, m)
	}
	want := len(sandbox.DefaultTemplates()) + 2
	var names []string
	next := e.srv.URL + "/graph/v23.0/" + testWABA + "/message_templates?fields=name,status,language,components,parameter_format,category&limit=2"
	pages := 0
	for next != "" {
		pages++
		code, m := e.do(t, http.MethodGet, next, testToken, nil)
		if code != http.StatusOK {
			t.Fatalf("page %d: %d %v", pages, code, m)
		}
		data := m["data"].([]any)
		for _, d := range data {
			item := d.(map[string]any)
			names = append(names, item["name"].(string))
			if item["id"] == nil || item["status"] == nil || item["components"] == nil {
				t.Errorf("item = %v", item)
			}
		}
		if path(m, "paging", "cursors", "after") == nil || path(m, "paging", "cursors", "before") == nil {
			t.Errorf("page %d has no cursors: %v", pages, m["paging"])
		}
		n, _ := path(m, "paging", "next").(string)
		if n != "" && !strings.HasPrefix(n, e.srv.URL+"/graph/v23.0/"+testWABA+"/message_templates?") {
			t.Fatalf("next is not an absolute sandbox URL: %s", n)
		}
		if n == "" && len(names) != want {
			t.Fatalf("next absent after %d of %d templates", len(names), want)
		}
		next = n
	}
	if len(names) != want || pages != (want+1)/2 {
		t.Errorf("got %d templates in %d pages: %v", len(names), pages, names)
	}

	// Fields restrict the items; filters select them.
	_, m = e.do(t, http.MethodGet, "graph/v23.0/"+testWABA+"/message_templates?fields=name&status=PENDING", testToken, nil)
	data := m["data"].([]any)
	if len(data) != 1 || len(data[0].(map[string]any)) != 2 || path(m, "paging", "next") != nil {
		t.Errorf("filtered list = %v", m)
	}
	// Meta's shapes: UPPERCASE components, parameter_format, examples.
	_, m = e.do(t, http.MethodGet, "graph/v23.0/"+testWABA+"/message_templates?name=retomar_atendimento", testToken, nil)
	item := path(m, "data", 0).(map[string]any)
	if item["parameter_format"] != "NAMED" || path(item, "components", 0, "type") != "BODY" ||
		path(item, "components", 0, "example", "body_text_named_params", 0, "param_name") != "first_name" {
		t.Errorf("named template = %v", item)
	}
	if code, m := e.do(t, http.MethodGet, "graph/v23.0/"+testWABA+"/message_templates?after=garbage", testToken, nil); code != http.StatusBadRequest || graphCode(t, m) != 100 {
		t.Errorf("bad cursor: %d %v", code, m)
	}
	if code, m := e.do(t, http.MethodGet, "graph/v23.0/123/message_templates", testToken, nil); code != http.StatusBadRequest || path(m, "error", "type") != "GraphMethodException" {
		t.Errorf("wrong WABA: %d %v", code, m)
	}
}

// F27: template sends are checked against the definitions and rendered into the phone's chat.
func TestF27TemplateSends(t *testing.T) {
	e := newEnv(t, nil)
	tpl := func(name string, components ...any) map[string]any {
		tp := map[string]any{"name": name, "language": map[string]any{"code": "pt_BR"}}
		if len(components) > 0 {
			tp["components"] = components
		}
		return map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "template", "template": tp}
	}
	body := func(params ...any) map[string]any { return map[string]any{"type": "body", "parameters": params} }
	text := func(s string) map[string]any { return map[string]any{"type": "text", "text": s} }
	named := func(n, s string) map[string]any {
		return map[string]any{"type": "text", "parameter_name": n, "text": s}
	}

	cases := []struct {
		name string
		req  map[string]any
		code int
	}{
		{"pending", tpl("oferta_relampago", body(text("Ana"), text("10%"))), 132001},
		{"rejected", tpl("cupom_desconto", body(text("x"))), 132001},
		{"unknown", tpl("nao_existe"), 132001},
		{"wrong language", map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "template",
			"template": map[string]any{"name": "boas_vindas", "language": map[string]any{"code": "en_US"}}}, 132001},
		{"missing params", tpl("boas_vindas"), 132000},
		{"extra params", tpl("boas_vindas", body(text("Ana"), text("extra"))), 132000},
		{"named without names", tpl("retomar_atendimento", body(text("Ana"))), 100},
		{"wrong name", tpl("retomar_atendimento", body(named("nome", "Ana"))), 132000},
		{"newline in param", tpl("boas_vindas", body(text("Ana\nSilva"))), 100},
		{"image header missing", tpl("novidades_loja", body(text("Ana"))), 132012},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, m := e.send(t, c.req)
			if code < 400 || graphCode(t, m) != c.code {
				t.Fatalf("%d %v", code, m)
			}
		})
	}
	ok := []struct {
		req  map[string]any
		text string
	}{
		{tpl("boas_vindas", body(text("Ana"))), "Olá Ana! Aqui é o atendimento. Como podemos ajudar você hoje?"},
		{tpl("retomar_atendimento", body(named("first_name", "Ana"))), "Oi Ana, tudo bem? Podemos continuar o seu atendimento por aqui?"},
		{tpl("atualizacao_pedido",
			map[string]any{"type": "header", "parameters": []any{text("#77")}},
			body(text("Ana"), text("enviado"), map[string]any{"type": "date_time", "date_time": map[string]any{"fallback_value": "28/11"}})),
			"Pedido #77\n\nOlá Ana, o seu pedido foi enviado. Previsão de entrega: 28/11.\n\nResponda SAIR para não receber mais avisos"},
		{tpl("novidades_loja",
			map[string]any{"type": "header", "parameters": []any{map[string]any{"type": "image", "image": map[string]any{"link": "https://example.com/p.jpg"}}}},
			body(text("Ana"))),
			"Ana, chegaram novidades na loja! Confira antes que acabem."},
	}
	for _, c := range ok {
		code, m := e.send(t, c.req)
		if code != http.StatusOK {
			t.Fatalf("%v: %d %v", c.req["template"], code, m)
		}
		id := wamidOf(t, m)
		var got map[string]any
		for _, it := range e.chat(t, customer) {
			if it["id"] == id {
				got = it
			}
		}
		if got == nil || got["type"] != "template" || got["text"] != c.text {
			t.Errorf("chat item = %v, want text %q", got, c.text)
		}
	}
	_, st := e.do(t, http.MethodGet, "api/stats", "", nil)
	if st["rejected"] != float64(len(cases)) {
		t.Errorf("rejected = %v, want %d", st["rejected"], len(cases))
	}
}

// F27: media upload → info → download with the Bearer token; limits give 131053.
func TestF27MediaUploadInfoDownload(t *testing.T) {
	e := newEnv(t, nil)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...)
	code, m := upload(t, e.srv.URL, testToken, "image/png", "foto.png", png)
	if code != http.StatusOK || m["id"] == nil {
		t.Fatalf("upload: %d %v", code, m)
	}
	id := m["id"].(string)

	code, info := e.do(t, http.MethodGet, "graph/v23.0/"+id, testToken, nil)
	sum := sha256.Sum256(png)
	if code != http.StatusOK || info["mime_type"] != "image/png" || info["sha256"] != hex.EncodeToString(sum[:]) ||
		info["file_size"] != float64(len(png)) || info["id"] != id || info["messaging_product"] != "whatsapp" {
		t.Fatalf("info: %d %v", code, info)
	}
	url := info["url"].(string)
	if !strings.HasPrefix(url, e.srv.URL+"/") {
		t.Fatalf("url %q is not an absolute sandbox URL", url)
	}
	got, status := download(t, url, testToken)
	if status != http.StatusOK || !bytes.Equal(got, png) {
		t.Errorf("download: %d, %d bytes", status, len(got))
	}
	if _, status := download(t, url, ""); status != http.StatusUnauthorized {
		t.Errorf("download without token: %d", status)
	}
	if _, status := download(t, strings.Replace(url, "hash=", "hash=x", 1), testToken); status == http.StatusOK {
		t.Errorf("download with a forged hash succeeded")
	}

	// The id can be sent; a WebP sent as image is accepted then fails with 131053.
	e.customerSays(t, customer, "oi")
	if code, m := e.send(t, map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "image", "image": map[string]any{"id": id, "caption": "veja"}}); code != http.StatusOK {
		t.Errorf("send by id: %d %v", code, m)
	}
	_, wm := upload(t, e.srv.URL, testToken, "image/webp", "s.webp", []byte("RIFF0000WEBP"))
	code, m = e.send(t, map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "image", "image": map[string]any{"id": wm["id"]}})
	if code != http.StatusOK {
		t.Fatalf("webp as image: %d %v", code, m)
	}
	if st := e.rc.waitStatuses(t, wamidOf(t, m), "failed"); st[0].Errors[0].Code != 131053 {
		t.Errorf("webp as image = %+v", st[0])
	}

	for _, c := range []struct {
		mime string
		size int
	}{{"image/gif", 10}, {"image/webp", 600 << 10}, {"image/jpeg", 5<<20 + 1}, {"application/zip", 10}} {
		code, m := upload(t, e.srv.URL, testToken, c.mime, "f", make([]byte, c.size))
		if code != http.StatusBadRequest || graphCode(t, m) != 131053 {
			t.Errorf("%s %d bytes: %d %v", c.mime, c.size, code, m)
		}
	}
	if code, m := upload(t, e.srv.URL, "", "image/png", "f.png", png); code != http.StatusUnauthorized || graphCode(t, m) != 190 {
		t.Errorf("upload without token: %d %v", code, m)
	}
	if code, m := e.do(t, http.MethodDelete, "graph/v23.0/"+id, testToken, nil); code != http.StatusOK || m["success"] != true {
		t.Errorf("delete: %d %v", code, m)
	}
	if code, _ := e.do(t, http.MethodGet, "graph/v23.0/"+id, testToken, nil); code != http.StatusBadRequest {
		t.Errorf("info after delete: %d", code)
	}
}

// F27: media a phone sends are stored like uploads: papo downloads them through the Graph path.
func TestF27InboundMediaIsDownloadable(t *testing.T) {
	e := newEnv(t, nil)
	code, m := e.do(t, http.MethodPost, "api/phones/"+customer+"/messages", "", map[string]any{"type": "image", "caption": "minha foto"})
	if code != http.StatusCreated {
		t.Fatalf("%d %v", code, m)
	}
	h := decodeHook(t, e.rc.all()[0])
	img := h.Entry[0].Changes[0].Value.Messages[0]["image"].(map[string]any)
	if img["caption"] != "minha foto" || img["mime_type"] != "image/jpeg" {
		t.Fatalf("image = %v", img)
	}
	_, info := e.do(t, http.MethodGet, "graph/v23.0/"+img["id"].(string), testToken, nil)
	data, status := download(t, info["url"].(string), testToken)
	sum := sha256.Sum256(data)
	if status != http.StatusOK || base64.StdEncoding.EncodeToString(sum[:]) != img["sha256"] {
		t.Errorf("download: %d, sha256 mismatch (%d bytes)", status, len(data))
	}
	if data, status := download(t, img["url"].(string), testToken); status != http.StatusOK || len(data) == 0 {
		t.Errorf("webhook url download: %d", status)
	}
}

// F27: mounted under /sandbox/ with StripPrefix, links carry the prefix and the page is served.
func TestF27MountedUnderPrefix(t *testing.T) {
	for _, strip := range []string{"/sandbox", "/sandbox/"} {
		t.Run(strip, func(t *testing.T) {
			sb, err := sandbox.New(sandbox.Options{AppSecret: testSecret, AccessToken: testToken})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sb.Close() })
			mux := http.NewServeMux()
			mux.Handle("/sandbox/", http.StripPrefix(strip, sb.Handler()))
			srv := httptest.NewServer(mux)
			t.Cleanup(srv.Close)

			resp, err := http.Get(srv.URL + "/sandbox/")
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !bytes.Contains(page, []byte("api/phones/")) {
				t.Fatalf("page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
			}
			code, m := upload(t, srv.URL+"/sandbox", testToken, "image/png", "a.png", []byte("png"))
			if code != http.StatusOK {
				t.Fatalf("upload: %d %v", code, m)
			}
			e := &env{srv: srv}
			_, info := e.do(t, http.MethodGet, "sandbox/graph/v23.0/"+m["id"].(string), testToken, nil)
			url, _ := info["url"].(string)
			if !strings.HasPrefix(url, srv.URL+"/sandbox/lookaside/") {
				t.Fatalf("url = %q", url)
			}
			if data, status := download(t, url, testToken); status != http.StatusOK || string(data) != "png" {
				t.Errorf("download: %d %q", status, data)
			}
			_, list := e.do(t, http.MethodGet, "sandbox/graph/v23.0/"+sandbox.DefaultWABAID+"/message_templates?limit=1", testToken, nil)
			if next, _ := path(list, "paging", "next").(string); !strings.HasPrefix(next, srv.URL+"/sandbox/graph/v23.0/") {
				t.Errorf("next = %q", next)
			}
		})
	}
}

// F27: the phone page is self-contained and never writes message text as HTML.
func TestF27PageIsSelfContained(t *testing.T) {
	e := newEnv(t, nil)
	resp, err := http.Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "<script src", "<link ", "@import"} {
		if bytes.Contains(page, []byte(bad)) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{"textContent", "5511987654321", "Maria Silva", "api/phones/", "/read", "setInterval(poll, 1000)"} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("page lacks %q", want)
		}
	}
	if code, _ := e.do(t, http.MethodGet, "nope", "", nil); code != http.StatusNotFound {
		t.Errorf("unknown path: %d", code)
	}
}

// upload posts a multipart media upload as papo's client would.
func upload(t *testing.T, base, token, mimeType, filename string, data []byte) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("messaging_product", "whatsapp")
	_ = mw.WriteField("type", mimeType)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, filename))
	h.Set("Content-Type", mimeType)
	pw, _ := mw.CreatePart(h)
	_, _ = pw.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/graph/v23.0/"+testPNID+"/media", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = jsonUnmarshal(b, &m)
	return resp.StatusCode, m
}

func download(t *testing.T, url, token string) ([]byte, int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b, resp.StatusCode
}
