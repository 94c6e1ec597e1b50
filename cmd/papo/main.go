// Command papo is the WhatsApp team inbox: one binary serving the API, the
// web app, the WhatsApp webhook and (optionally) the Cloud API sandbox.
//
//	papo serve [--demo] [--addr host:port]
//	papo migrate
//	papo user create --email E --name N --role admin|agent --password P [--team ID]...
//	papo sandbox --addr host:port --webhook-url URL --app-secret S [--access-token T] [--phone-number-id ID]
//
// Configuration comes from PAPO_* environment variables (see README.md).
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
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"papo/internal/app"
	"papo/internal/auth"
	"papo/internal/config"
	"papo/internal/demo"
	"papo/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "papo:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  papo serve [--demo] [--addr host:port]   start the server
  papo migrate                             bring the database schema up to date
  papo user create --email E --name N --role admin|agent --password P [--team ID]...
  papo sandbox --addr host:port --webhook-url URL --app-secret S [--access-token T] [--phone-number-id ID]
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, getenv, stderr)
	case "user":
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, usage)
			return errors.New("unknown user command (want: user create)")
		}
		return userCreate(ctx, args[2:], getenv, stdout, stderr)
	case "sandbox":
		return sandboxCmd(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// envWith lets flags override the environment.
func envWith(getenv func(string) string, over map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := over[k]; ok {
			return v
		}
		return getenv(k)
	}
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demoFlag := fs.Bool("demo", false, "seed a demo workspace and enable the sandbox (PAPO_DEMO=1)")
	addr := fs.String("addr", "", "listen address (PAPO_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// papo's live heap is small (tens of MiB) while webhook bursts allocate
	// fast: at the default GOGC=100 the collector cost about 7 % of the
	// webhook throughput (docs/benchmarks.md). Unless the operator chose,
	// collect at 400 %: the heap may then grow to about 5× the live data.
	if getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	over := map[string]string{}
	if *demoFlag {
		over["PAPO_DEMO"] = "1"
	}
	if *addr != "" {
		over["PAPO_ADDR"] = *addr
	}
	cfg, err := config.Load(envWith(getenv, over))
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	a, err := app.New(ctx, app.Options{Config: cfg, Log: log})
	if err != nil {
		return err
	}
	defer a.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Server,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(a.Server.EndStreams) // live event streams would hold the shutdown
	log.Info("papo listening", "addr", ln.Addr().String(), "url", cfg.BaseURL,
		"database", store.RedactURL(cfg.DatabaseURL), "demo", cfg.Demo, "sandbox", cfg.Sandbox)
	fmt.Fprintf(stdout, "papo is running at %s\n", cfg.BaseURL)
	if cfg.Demo {
		fmt.Fprintf(stdout, "demo login: %s / %s\n", demo.AdminEmail, demo.AdminPassword)
	}
	return serveUntilDone(ctx, srv, ln, 15*time.Second, func() { log.Info("shutting down") })
}

// serveUntilDone serves on ln until the server fails or ctx ends (a
// signal), then shuts down, letting requests in flight finish for grace.
func serveUntilDone(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration, onStop func()) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
		if onStop != nil {
			onStop()
		}
		sctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
		return nil
	}
}

func migrate(ctx context.Context, getenv func(string) string, stderr io.Writer) error {
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "papo: schema at version %d\n", v)
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func userCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("user create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail (login)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "agent", "admin or agent")
	password := fs.String("password", "", "password (8 characters at least)")
	var teams multiFlag
	fs.Var(&teams, "team", "team id (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	in := auth.CreateUserInput{Name: *name, Email: *email, Role: auth.Role(*role), Password: *password}
	for _, t := range teams {
		id, err := store.ParseID(t)
		if err != nil {
			return fmt.Errorf("--team %q: not a team id", t)
		}
		in.TeamIDs = append(in.TeamIDs, id)
	}
	a, err := app.New(ctx, app.Options{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	defer a.Close()
	u, created, err := a.Auth.EnsureUser(ctx, in)
	if err != nil {
		return err
	}
	if created {
		fmt.Fprintf(stdout, "created %s %s (id %s)\n", u.Role, u.Email, u.ID)
	} else {
		fmt.Fprintf(stdout, "user %s already exists (id %s); nothing changed\n", u.Email, u.ID)
	}
	return nil
}

// sandboxCmd lives in sandbox.go.
