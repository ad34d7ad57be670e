#!/usr/bin/env bash
# `npm test`: the whole suite. Brings the infrastructure up when it is not running
# (idempotent, about a second when it is), then lint, type checks, unit tests and the
# integration tests against the real Kafka, Postgres, Mosquitto and NATS.
set -euo pipefail
cd "$(dirname "$0")/../.."

export NX_TUI=false
bash infra/infra.sh up
npx prettier --check . --log-level warn
npx nx run-many -t lint typecheck test --output-style=static
# Integration suites share the brokers; one at a time keeps timings honest on 2 cores.
npx nx run-many -t int --parallel=1 --output-style=static
