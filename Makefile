# Two commands for a fresh machine (see README):
#   make run    installs what is needed, builds, serves http://127.0.0.1:3000
#   make test   installs what is needed, runs every test (unit, integration, browser)
SHELL := /bin/bash
TOOLS_DIR ?= $(or $(TIDINGS_TOOLS_DIR),$(HOME)/.cache/tidings/tools)
export TIDINGS_TOOLS_DIR := $(TOOLS_DIR)
export PATH := $(TOOLS_DIR)/bin:$(CURDIR)/tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# The Postgres variants of the store tests run against this server; set it
# empty to skip them (each skipped test then says so).
export TIDINGS_TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
export TIDINGS_TEST_REDIS_URL ?= redis://127.0.0.1:6379

.PHONY: run test setup build test-rust test-e2e test-api wasm-budget bench soak

# Serving needs no browser: skip installing Chromium and playwright-core.
run:
	@TIDINGS_SETUP_BROWSER=0 scripts/setup.sh
	cargo leptos build --release --split
	$(or $(CARGO_TARGET_DIR),target)/release/tidings serve

test: setup test-rust build wasm-budget test-api test-e2e

setup:
	@scripts/setup.sh

# The site and server, and the example bots the browser tests run.
build:
	cargo leptos build --release --split
	cargo build --release --locked -p echo-agent -p reminder-bot

test-rust:
	cargo test --locked -p tidings -p app -p echo-agent -p reminder-bot --features app/ssr

test-e2e:
	node end2end/run.mjs

# Fuzzes /api/v1 from its OpenAPI document against the release build.
test-api:
	scripts/fuzz-api.sh

# Fails when the main WASM module is over its 250 KB gzip budget.
wasm-budget:
	@scripts/wasm-budget.sh

# The long browser soak: 1,000 seeded random steps on each profile (the
# 100-step run is part of `make test`). Set TIDINGS_SOAK_SEED to replay one.
soak: setup build
	TIDINGS_SOAK_STEPS=$(or $(TIDINGS_SOAK_STEPS),1000) node end2end/run.mjs soak

bench: setup
	cargo bench --locked -p tidings
