#!/usr/bin/env bash
# Start the platform on the embedded defaults (SQLite and local media under instance/)
# with demo data. HOST and PORT choose where it listens.
#
# The demo goes into an empty database only (the first start, which prints the demo
# log-ins); later starts serve what the database holds, passwords and all.
#
# seed-demo transcodes the lessons a newcomer plays first, so they are ready when the
# server starts; the other demo lessons are queued and the embedded worker (started by
# the first request) transcodes them in the background.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
STARTED=${EPOCHREALTIME:-$(date +%s)}
export FLASK_APP=wsgi
"$VENV/bin/flask" db upgrade
"$VENV/bin/flask" lms seed-demo --if-empty
echo "Open http://${HOST}:${PORT}/"
# Knock once the server answers: that starts the embedded worker at once rather than
# with the first visitor, and says how long the start took.
"$VENV/bin/python" - "$HOST" "$PORT" "$STARTED" <<'PY' &
import sys, time, urllib.request
host, port, started = sys.argv[1], sys.argv[2], float(sys.argv[3].replace(",", "."))
host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/healthz"
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url, timeout=2):
            print(f"Serving {time.time() - started:.0f} s after start; demo lessons "
                  "still waiting are transcoded in the background.", flush=True)
            break
    except OSError:
        time.sleep(0.2)
PY
exec "$VENV/bin/flask" run --host "$HOST" --port "$PORT"
