// Package crashtest proves that the WhatsApp webhook loses nothing it
// acknowledged when papo is killed (F25): it builds the real binary, drives a
// storm of signed deliveries at it, SIGKILLs it mid-storm, restarts it,
// redelivers what was not answered 200 — as WhatsApp does — and checks that
// every acknowledged message is stored, exactly once, with its conversation
// bookkeeping applied once. It runs on the engine of the test run
// (PAPO_TEST_DB) and is skipped with -short.
package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"papo/internal/store"
	"papo/internal/store/storetest"
	"papo/internal/whatsapp"
)

const (
	secret      = "crash-test-app-secret"
	phoneID     = "106540352242922"
	adminEmail  = "crash@papo.local"
	adminPass   = "crash-test-password"
	nMessages   = 600
	nSenders    = 25
	killAfter   = 0.4 // fraction of the storm's requests sent before SIGKILL
	stormWorker = 24
)

type delivery struct {
	body  []byte
	sig   string
	wamid []string
	acked atomic.Bool
}

func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills papo: skipped with -short")
	}
	start := time.Now()
	bin := build(t)
	dbURL := storetest.URL(t)
	p := &papo{t: t, bin: bin, db: dbURL, dir: t.TempDir()}
	p.start()
	defer p.stop()
	p.setupChannel()

	deliveries := storm()
	// Every delivery is sent 1–3 times, all shuffled together.
	var sends []*delivery
	for _, d := range deliveries {
		for range 1 + rand.IntN(3) {
			sends = append(sends, d)
		}
	}
	rand.Shuffle(len(sends), func(i, j int) { sends[i], sends[j] = sends[j], sends[i] })
	t.Logf("%d messages in %d deliveries, %d requests; SIGKILL after %.0f%%", nMessages, len(deliveries), len(sends), killAfter*100)

	var sent atomic.Int64
	killAt := int64(float64(len(sends)) * killAfter)
	killed := make(chan struct{})
	var killOnce sync.Once
	work := make(chan *delivery)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for range stormWorker {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				if n := sent.Add(1); n == killAt {
					killOnce.Do(func() { p.kill(); close(killed) })
				}
				if post(client, p.url, d) == nil {
					d.acked.Store(true)
				}
			}
		}()
	}
send:
	for _, d := range sends {
		select {
		case work <- d:
		case <-killed:
			break send
		}
	}
	close(work)
	wg.Wait()
	acked := 0
	for _, d := range deliveries {
		if d.acked.Load() {
			acked++
		}
	}
	t.Logf("before the kill: %d of %d deliveries acknowledged", acked, len(deliveries))
	if acked == 0 || acked == len(deliveries) {
		t.Fatalf("the kill did not happen mid-storm (%d of %d acknowledged)", acked, len(deliveries))
	}

	// Restarted, papo has every message it acknowledged — before anything
	// is delivered again.
	p.start()
	db, err := store.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	have := storedWamids(t, db)
	lost := 0
	for _, d := range deliveries {
		if !d.acked.Load() {
			continue
		}
		for _, w := range d.wamid {
			if have[w] != 1 {
				lost++
				t.Errorf("acknowledged message %s stored %d times after the crash", w, have[w])
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d acknowledged messages lost", lost)
	}

	// WhatsApp delivers again what was not answered 200 (here: twice, in
	// another order), and every acknowledged one once more for good measure.
	var again []*delivery
	for _, d := range deliveries {
		again = append(again, d)
		if !d.acked.Load() {
			again = append(again, d)
		}
	}
	rand.Shuffle(len(again), func(i, j int) { again[i], again[j] = again[j], again[i] })
	work = make(chan *delivery)
	errs := make(chan error, len(again))
	for range stormWorker {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for d := range work {
				if err := post(client, p.url, d); err != nil {
					errs <- err
				}
			}
		}()
	}
	for _, d := range again {
		work <- d
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("redelivery: %v", err)
	}

	// Every message exactly once, each counted once in its conversation, one
	// conversation per customer.
	have = storedWamids(t, db)
	for _, d := range deliveries {
		for _, w := range d.wamid {
			if have[w] != 1 {
				t.Errorf("message %s stored %d times", w, have[w])
			}
		}
	}
	var total, unread, convs, contacts int
	q := func(dst *int, query string) {
		if err := db.R.GetContext(context.Background(), dst, query); err != nil {
			t.Fatal(err)
		}
	}
	q(&total, "SELECT COUNT(*) FROM messages")
	q(&unread, "SELECT COALESCE(SUM(unread_count), 0) FROM conversations")
	q(&convs, "SELECT COUNT(*) FROM conversations")
	q(&contacts, "SELECT COUNT(*) FROM contacts")
	if total != nMessages || unread != nMessages || convs != nSenders || contacts != nSenders {
		t.Errorf("messages %d, unread %d, conversations %d, contacts %d; want %d, %d, %d, %d",
			total, unread, convs, contacts, nMessages, nMessages, nSenders, nSenders)
	}
	t.Logf("done in %s", time.Since(start).Round(time.Millisecond))
}

// storm makes nMessages text messages from nSenders customers, in
// deliveries of 1 to 3 messages.
func storm() []*delivery {
	var out []*delivery
	run := fmt.Sprintf("%d", time.Now().UnixNano())
	ts := time.Now().Add(-time.Hour).Unix()
	for i := 0; i < nMessages; {
		n := min(1+rand.IntN(3), nMessages-i)
		var msgs, contacts []string
		d := &delivery{}
		for j := range n {
			from := fmt.Sprintf("55119%08d", (i+j)%nSenders)
			wamid := fmt.Sprintf("wamid.CRASH%s.%04d", run, i+j)
			d.wamid = append(d.wamid, wamid)
			contacts = append(contacts, fmt.Sprintf(`{"profile":{"name":"Cliente %d"},"wa_id":%q}`, (i+j)%nSenders, from))
			msgs = append(msgs, fmt.Sprintf(`{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":"mensagem %d \u00e9"}}`,
				from, wamid, ts+int64(i+j), i+j))
		}
		d.body = fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"5511940028922","phone_number_id":%q},"contacts":[%s],"messages":[%s]},"field":"messages"}]}]}`,
			phoneID, strings.Join(contacts, ","), strings.Join(msgs, ","))
		d.sig = whatsapp.Sign(d.body, []byte(secret))
		out = append(out, d)
		i += n
	}
	return out
}

func post(c *http.Client, url string, d *delivery) error {
	req, err := http.NewRequest("POST", url+"/webhooks/whatsapp", bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(whatsapp.SignatureHeader, d.sig)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		return fmt.Errorf("HTTP %d %s", res.StatusCode, b)
	}
	return nil
}

func storedWamids(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	var rows []string
	if err := db.R.SelectContext(context.Background(), &rows, "SELECT wa_message_id FROM messages WHERE wa_message_id IS NOT NULL"); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, w := range rows {
		out[w]++
	}
	return out
}

// build compiles cmd/papo once per test run.
func build(t *testing.T) string {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(t.TempDir(), "papo")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/papo")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type papo struct {
	t   *testing.T
	bin string
	db  string
	dir string
	url string
	cmd *exec.Cmd
	log *os.File
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs papo and waits until it answers /readyz.
func (p *papo) start() {
	p.t.Helper()
	addr := freePort(p.t)
	p.url = "http://" + addr
	logf, err := os.OpenFile(filepath.Join(p.dir, "papo.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	p.log = logf
	p.cmd = exec.Command(p.bin, "serve")
	p.cmd.Env = append(os.Environ(),
		"PAPO_DATABASE_URL="+p.db, "PAPO_ADDR="+addr, "PAPO_SECRET_KEY="+strings.Repeat("ab", 32),
		"PAPO_ADMIN_EMAIL="+adminEmail, "PAPO_ADMIN_PASSWORD="+adminPass, "PAPO_LOG_LEVEL=warn",
		"PAPO_DEMO=0", "PAPO_SANDBOX=0")
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	cmd := p.cmd
	p.t.Cleanup(func() { // whatever happens, no papo outlives the test
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(p.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logf.Name())
			p.t.Fatalf("papo did not start: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends papo at once, as a crash or a power cut would.
func (p *papo) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
	p.log.Close()
}

func (p *papo) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
	}
	p.log.Close()
}

// setupChannel creates a team and the channel through the API.
func (p *papo) setupChannel() {
	p.t.Helper()
	call := func(method, path, token string, in, out any) {
		b, _ := json.Marshal(in)
		req, _ := http.NewRequest(method, p.url+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			p.t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode >= 300 {
			p.t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, body)
		}
		if out != nil {
			_ = json.Unmarshal(body, out)
		}
	}
	var login struct {
		Token string `json:"token"`
	}
	call("POST", "/api/v1/auth/login", "", map[string]string{"email": adminEmail, "password": adminPass}, &login)
	var team struct {
		ID string `json:"id"`
	}
	call("POST", "/api/v1/teams", login.Token, map[string]string{"name": "Suporte"}, &team)
	call("POST", "/api/v1/channels", login.Token, map[string]any{"name": "Principal", "phone_number_id": phoneID,
		"default_team_id": team.ID, "app_secret": secret, "access_token": "token", "graph_api_url": "http://127.0.0.1:9"}, nil)
}
