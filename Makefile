# Every target a developer or CI needs. `make test` is what CI runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CARGO ?= cargo
NPM ?= npm
BIN_DEBUG := target/debug/delivery
BIN_RELEASE := target/release/delivery

DEMO ?= 1
BIND ?= 127.0.0.1:8080

.PHONY: help run build test lint fmt openapi test-backend test-frontend test-e2e \
        frontend-deps e2e-deps frontend-build fuzz bench bench-quick test-contract fuzz-api

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

run: frontend-build ## Build and start the product on the embedded default (SQLite, ./data)
	$(CARGO) build --release --bin delivery
	@# On an empty data dir: a demo shop with a sample file, an article and a paid order (DEMO=0 skips it).
	@export DELIVERY_PUBLIC_URL=$${DELIVERY_PUBLIC_URL:-http://$(BIND)}; \
	if [ "$(DEMO)" != "0" ]; then $(BIN_RELEASE) demo; fi; \
	echo "  Data: ./data    Mail: ./data/mail    Stop: Ctrl-C"; \
	exec $(BIN_RELEASE) serve --bind $(BIND)

build: frontend-build ## Build the server (debug) and the dashboard
	$(CARGO) build --bin delivery

test: lint test-backend test-contract test-frontend test-e2e ## Everything CI checks: lint, backend on SQLite and PostgreSQL, contract fuzzing, frontend, e2e

lint: frontend-deps e2e-deps ## fmt, clippy, tsc, eslint, and the generated-contract checks
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	cd frontend && $(NPM) run --silent typecheck && $(NPM) run --silent lint && $(NPM) run --silent check:api
	cd e2e && $(NPM) run --silent typecheck

fmt: ## Format the Rust code
	$(CARGO) fmt --all

openapi: ## Regenerate openapi.yaml from the code, and the dashboard's API types from it
	$(CARGO) run --quiet --bin delivery -- openapi > openapi.yaml
	cd frontend && $(NPM) run --silent gen:api

test-backend: ## Backend tests, every API test on SQLite and on PostgreSQL (TEST_DATABASE_URL or a throwaway cluster)
	$(CARGO) test --workspace

# The checks the contract holds today; the rest (schema constraints the
# document does not state yet) run in `make fuzz-api`, see RELIABILITY.md.
CONTRACT_CHECKS ?= not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,ignored_auth,use_after_free,missing_required_header,negative_data_rejection
test-contract: ## Contract fuzzing, quick profile: schemathesis against a seeded server (~1 min)
	$(CARGO) test --no-run --quiet --test api
	CONTRACT_CHECKS=$(CONTRACT_CHECKS) contract/run.sh quick

fuzz-api: ## Contract fuzzing, long profile: every check, tens of thousands of cases (~10 min)
	$(CARGO) test --no-run --quiet --test api
	contract/run.sh long

test-frontend: frontend-deps ## Frontend unit tests (vitest)
	cd frontend && $(NPM) test

test-e2e: frontend-build e2e-deps ## Browser tests against the real server on SQLite and on PostgreSQL (Playwright, Debian's Chromium)
	# Builds target/debug/delivery with the test build's features, so after
	# `make test-backend` nothing is compiled twice.
	$(CARGO) test --no-run --quiet --test api
	# The test bucket's S3 server (delivery-bench s3), same features again.
	$(CARGO) build --quiet --workspace --all-targets
	@echo "== e2e on SQLite"
	cd e2e && $(NPM) test
	@echo "== e2e on PostgreSQL"
	cd e2e && ../scripts/with-postgres.sh $(NPM) test

frontend-build: frontend-deps
	cd frontend && $(NPM) run --silent build

frontend-deps: frontend/node_modules/.package-lock.json
frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund

e2e-deps: e2e/node_modules/.package-lock.json
e2e/node_modules/.package-lock.json: e2e/package-lock.json
	cd e2e && $(NPM) ci --no-audit --no-fund

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := content_disposition object_keys templates portal_codes
fuzz: ## Fuzz the parsers of untrusted input with libFuzzer, FUZZ_SECONDS each (needs cargo-fuzz)
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	@# cargo-fuzz passes nightly -Z flags; RUSTC_BOOTSTRAP lets the stable toolchain take them.
	cd fuzz && for target in $(FUZZ_TARGETS); do \
		RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run -O $$target -- -max_total_time=$(FUZZ_SECONDS) -max_len=4096 || exit 1; \
	done

# PostgreSQL for the bench: TEST_DATABASE_URL's server when set, otherwise a
# throwaway cluster (fsync off) from the local binaries; see BENCHMARKS.md.
bench: ## Measure against this machine's ceilings on SQLite and PostgreSQL (release build, ~15 min); BENCHMARKS.md
	$(CARGO) build --release -p delivery -p delivery-bench
	scripts/with-postgres.sh python3 bench/run.py --profile full

bench-quick: ## The same, smaller and shorter (~3 min after the build)
	$(CARGO) build --release -p delivery -p delivery-bench
	scripts/with-postgres.sh python3 bench/run.py --profile quick
