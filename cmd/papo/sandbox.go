package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"papo/internal/sandbox"
)

// sandboxCmd runs the Cloud API sandbox alone (F27):
//
//	papo sandbox --addr 127.0.0.1:9090 --webhook-url http://127.0.0.1:8080/webhooks/whatsapp --app-secret S
//
// It serves the Graph API imitation, the customer simulator API and the
// phone page at the root of --addr (and the same under /sandbox/), signs
// its webhooks with --app-secret and posts them to --webhook-url. Point a
// papo channel at it: graph_api_url http://ADDR/graph, the same app secret
// and access token, phone_number_id as printed.
func sandboxCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9090", "listen address")
	webhookURL := fs.String("webhook-url", "", "papo's webhook, e.g. http://127.0.0.1:8080/webhooks/whatsapp")
	appSecret := fs.String("app-secret", "", "the app secret webhooks are signed with (the channel's app_secret)")
	accessToken := fs.String("access-token", sandbox.DefaultAccessToken, "the Bearer token Graph calls must carry (the channel's access_token)")
	phoneNumberID := fs.String("phone-number-id", sandbox.DefaultPhoneNumberID, "the business number's phone_number_id")
	publicURL := fs.String("public-url", "", "the URL the sandbox is reached at (default http://ADDR)")
	autoDeliver := fs.Bool("auto-deliver", true, "report sent and delivered for every business message")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *appSecret == "" {
		return errors.New("sandbox: --app-secret is required")
	}
	if *webhookURL == "" {
		return errors.New("sandbox: --webhook-url is required")
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("sandbox: listen on %s: %w", *addr, err)
	}
	base := *publicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	sb, err := sandbox.New(sandbox.Options{
		PhoneNumberID: *phoneNumberID, AccessToken: *accessToken, AppSecret: *appSecret,
		WebhookURL: *webhookURL, PublicURL: base, AutoDeliver: *autoDeliver, Log: log,
	})
	if err != nil {
		ln.Close()
		return err
	}
	defer sb.Close()
	mux := http.NewServeMux()
	mux.Handle("/sandbox/", http.StripPrefix("/sandbox", sb.Handler()))
	mux.Handle("/", sb.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	n := sb.Numbers()[0]
	fmt.Fprintf(stdout, "sandbox is running at %s/\n", base)
	fmt.Fprintf(stdout, "channel settings: phone_number_id %s, waba_id %s, graph_api_url %s/graph, access_token %q\n",
		n.ID, sandbox.DefaultWABAID, base, *accessToken)
	fmt.Fprintf(stdout, "webhooks go to %s\n", *webhookURL)
	return serveUntilDone(ctx, srv, ln, 5*time.Second, nil)
}
