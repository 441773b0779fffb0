#!/usr/bin/env bash
# Serve ChainCRM for `make run`: the background-job worker beside the web server, both stopped together.
set -euo pipefail
FLASK=${FLASK:-.venv/bin/flask --app crm}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
$FLASK jobs worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Serving ChainCRM on http://$HOST:$PORT (worker pid $worker) — the sign-in details are printed above."
$FLASK run --host "$HOST" --port "$PORT"
