// Command tickets measures the ticket list (F22) of a running papo with many
// tickets: "seed" fills a database with teams, users, customers and tickets
// (written directly, in large transactions, the way internal/ticket writes
// them), and "load" sends list, filter, search and paging requests to a
// server started on that database and prints latency percentiles.
//
//	go run ./bench/tickets seed -db sqlite://./data/bench.db -n 100000
//	PAPO_DATABASE_URL=sqlite://./data/bench.db bin/papo serve &
//	go run ./bench/tickets load -url http://127.0.0.1:8080
//
// See docs/benchmarks.md for the numbers and the exact commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "tickets:", err)
		os.Exit(1)
	}
}

const usage = `usage:
  tickets seed -db URL [-n 100000] [-teams 8] [-customers 2000]
  tickets load -url http://127.0.0.1:8080 [-requests 200] [-concurrency 4]
`

func run(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("missing command\n" + usage)
	}
	switch args[0] {
	case "seed":
		fs := flag.NewFlagSet("seed", flag.ContinueOnError)
		db := fs.String("db", "", "database URL (sqlite://… or postgres://…)")
		n := fs.Int("n", 100000, "tickets to create")
		teams := fs.Int("teams", 8, "teams")
		customers := fs.Int("customers", 2000, "customers")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *db == "" {
			return errors.New("seed: -db is required")
		}
		start := time.Now()
		if err := seed(ctx, *db, *n, *teams, *customers, out); err != nil {
			return err
		}
		fmt.Fprintf(out, "seeded %d tickets in %s\n", *n, time.Since(start).Round(time.Millisecond))
		return nil
	case "load":
		fs := flag.NewFlagSet("load", flag.ContinueOnError)
		url := fs.String("url", "http://127.0.0.1:8080", "papo's base URL")
		requests := fs.Int("requests", 200, "requests per scenario")
		conc := fs.Int("concurrency", 4, "requests in flight at once")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		return load(ctx, *url, *requests, *conc, out)
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}
