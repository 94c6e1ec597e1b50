package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/demo"
	"papo/internal/sandbox"
	"papo/internal/store/storetest"
)

// TestSandboxChannelKeptAcrossRestarts: with the sandbox on, papo makes sure
// one channel points at it, in the demo's first team, with credentials kept
// encrypted and read back on the next start so the new sandbox shares them;
// its graph_api_url follows the base URL (F27).
func TestSandboxChannelKeptAcrossRestarts(t *testing.T) {
	ctx := context.Background()
	vars := map[string]string{"PAPO_DATABASE_URL": storetest.URL(t), "PAPO_SECRET_KEY": strings.Repeat("12", 32),
		"PAPO_DEMO": "1", "PAPO_BASE_URL": "http://127.0.0.1:1"}
	a := start(t, vars)
	chs, err := a.Channels.List(ctx)
	if err != nil || len(chs) != 1 {
		t.Fatalf("channels = %+v %v", chs, err)
	}
	ch := chs[0]
	teams, _ := a.Teams.List(ctx)
	first := teams[0]
	for _, tm := range teams {
		if tm.ID < first.ID {
			first = tm
		}
	}
	if ch.PhoneNumberID != sandbox.DefaultPhoneNumberID || ch.GraphAPIURL != "http://127.0.0.1:1/sandbox/graph" ||
		ch.DefaultTeamID != first.ID || first.Name != "Suporte" || a.Sandbox == nil {
		t.Fatalf("sandbox channel = %+v (first team %+v)", ch, first)
	}
	creds, err := a.Channels.Credentials(ctx, ch.ID)
	if err != nil || creds.AccessToken == "" || creds.AppSecret == "" || creds.AccessToken == sandbox.DefaultAccessToken {
		t.Fatalf("credentials = %v", err)
	}
	a.Close()

	vars["PAPO_BASE_URL"] = "http://127.0.0.1:2"
	b := start(t, vars)
	defer b.Close()
	chs, _ = b.Channels.List(ctx)
	again, _ := b.Channels.Credentials(ctx, ch.ID)
	if len(chs) != 1 || chs[0].ID != ch.ID || chs[0].GraphAPIURL != "http://127.0.0.1:2/sandbox/graph" ||
		*again != *creds {
		t.Fatalf("after a restart: %+v", chs)
	}
	sc, err := demo.EnsureSandboxChannel(ctx, b.Channels, b.Teams, "http://127.0.0.1:2")
	if err != nil || sc.AccessToken != creds.AccessToken || sc.AppSecret != creds.AppSecret {
		t.Fatalf("EnsureSandboxChannel = %+v %v", sc, err)
	}
}

// TestSandboxWithoutDemo: PAPO_SANDBOX=1 on an empty workspace creates a
// team for the sandbox channel.
func TestSandboxWithoutDemo(t *testing.T) {
	a := start(t, map[string]string{"PAPO_DATABASE_URL": storetest.URL(t), "PAPO_SECRET_KEY": strings.Repeat("34", 32),
		"PAPO_SANDBOX": "1"})
	defer a.Close()
	ctx := context.Background()
	chs, _ := a.Channels.List(ctx)
	teams, _ := a.Teams.List(ctx)
	if len(chs) != 1 || len(teams) != 1 || chs[0].DefaultTeamID != teams[0].ID || !chs[0].HasAppSecret {
		t.Fatalf("channels %+v teams %+v", chs, teams)
	}
}

// TestSandboxPhoneMessageReachesPapo: a customer typing on the sandbox phone
// (its API, which the phone page calls) reaches papo through a signed
// webhook over HTTP and shows as a pending conversation with the message,
// through papo's API (F25, F27).
func TestSandboxPhoneMessageReachesPapo(t *testing.T) {
	e := apptest.New(t, map[string]string{"PAPO_DEMO": "1"})
	body := `{"type":"text","text":"Olá, meu pedido não chegou","name":"Maria Silva"}`
	res, err := http.Post(e.URL+"/sandbox/api/phones/5511987654321/messages", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 || !bytes.Contains(b, []byte(`"webhook":{"status":200}`)) {
		t.Fatalf("phone send = %d %s", res.StatusCode, b)
	}
	var login struct {
		Token string `json:"token"`
	}
	lb, _ := json.Marshal(map[string]string{"email": demo.AdminEmail, "password": demo.AdminPassword})
	res, err = http.Post(e.URL+"/api/v1/auth/login", "application/json", bytes.NewReader(lb))
	if err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	get := func(path string, out any) {
		req, _ := http.NewRequest("GET", e.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+login.Token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s = %d %s", path, res.StatusCode, b)
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	var convs struct {
		Items []struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Contact struct {
				WaID        string `json:"wa_id"`
				DisplayName string `json:"display_name"`
			} `json:"contact"`
			LastMessage struct {
				Text string `json:"text"`
			} `json:"last_message"`
		} `json:"items"`
	}
	get("/api/v1/conversations", &convs)
	if len(convs.Items) != 1 || convs.Items[0].Status != "pending" || convs.Items[0].Contact.WaID != "5511987654321" ||
		convs.Items[0].Contact.DisplayName != "Maria Silva" || convs.Items[0].LastMessage.Text != "Olá, meu pedido não chegou" {
		t.Fatalf("conversations = %+v", convs)
	}
	var tl struct {
		Items []struct {
			Kind    string `json:"kind"`
			Message struct {
				Direction string `json:"direction"`
				Text      string `json:"text"`
			} `json:"message"`
		} `json:"items"`
	}
	get("/api/v1/conversations/"+convs.Items[0].ID+"/timeline", &tl)
	// The customer's message, and the demo's greeting answering it (F19).
	got := map[string]string{}
	for _, it := range tl.Items {
		got[it.Message.Direction] = it.Message.Text
	}
	if len(tl.Items) != 2 || got["in"] != "Olá, meu pedido não chegou" || !strings.HasPrefix(got["out"], "Olá! Recebemos a sua mensagem") {
		t.Fatalf("timeline = %+v", tl)
	}
}

// TestDemoSandboxTemplatesAreSynced (F15, F27): a fresh demo fetches the
// sandbox's templates once papo answers, so an agent can send one when a
// 24-hour window closes without an admin syncing first.
func TestDemoSandboxTemplatesAreSynced(t *testing.T) {
	e := apptest.New(t, map[string]string{"PAPO_DEMO": "1"})
	admin := e.Login(t, e.User(t, "Templates Admin", auth.RoleAdmin))
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	admin.MustDo(200, "GET", "/api/v1/channels", nil, &list)
	if len(list.Items) != 1 {
		t.Fatalf("channels = %+v", list)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		var tpl struct {
			Items []struct {
				Name   string `json:"name"`
				Status string `json:"status"`
			} `json:"items"`
		}
		admin.MustDo(200, "GET", "/api/v1/channels/"+list.Items[0].ID+"/templates", nil, &tpl)
		if len(tpl.Items) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the sandbox's templates were not synced within 10 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
}
