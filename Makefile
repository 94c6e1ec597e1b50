# papo — the daily loop. `make run` builds everything and starts a demo;
# `make test` runs every test (Go on SQLite and PostgreSQL, web, end to end).

GO        ?= go
BIN       := bin/papo
WEB_SRC   := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/package.json web/vite.config.ts
GO_SRC    := $(shell find cmd internal web -path web/node_modules -prune -o \( -name '*.go' -o -name '*.sql' -o -name '*.html' -o -name '*.json' \) -type f -print 2>/dev/null | grep -v '^web/dist/')
FUZZTIME  ?= 50000x

.PHONY: run build web test test-go test-sqlite test-pg test-web fuzz e2e lint clean

## run: build the web app and the binary, start papo on SQLite with the demo workspace
run: $(BIN)
	PAPO_DEMO=1 ./$(BIN) serve

build: $(BIN)

$(BIN): web/dist/index.html $(GO_SRC) go.mod go.sum
	CGO_ENABLED=0 $(GO) build -o $(BIN) ./cmd/papo

web: web/dist/index.html

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

## test: every test — Go (race detector) on SQLite and on PostgreSQL, fuzz smoke, Vitest, Playwright
test: test-go fuzz test-web e2e

test-go: test-sqlite test-pg

test-sqlite:
	@echo "== Go tests on SQLite"
	PAPO_TEST_DB=sqlite $(GO) test -race -count=1 ./...

test-pg:
	@echo "== Go tests on PostgreSQL ($${PAPO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test})"
	PAPO_TEST_DB=postgres $(GO) test -race -count=1 ./...

## fuzz: a short run of every fuzz target (seeded with the test corpora); a count, not a
## duration: a time limit can end a run on "context deadline exceeded" while a worker is busy
fuzz:
	@for pkg in $$($(GO) list ./internal/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== fuzz $$pkg $$f ($(FUZZTIME))"; \
	    $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

test-web: web/node_modules/.package-lock.json
	cd web && npm test

## e2e: start the built papo with the demo workspace and drive it with Chromium
e2e: $(BIN)
	scripts/e2e.sh

lint:
	gofmt -l cmd internal web/web.go
	$(GO) vet ./...

clean:
	rm -rf bin web/dist/assets web/dist/index.html test-artifacts
