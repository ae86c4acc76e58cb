#!/usr/bin/env bash
# Start the platform on the embedded defaults (SQLite and local media under instance/)
# with demo data. HOST and PORT choose where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export FLASK_APP=wsgi
"$VENV/bin/flask" db upgrade
"$VENV/bin/flask" lms seed-demo
echo "Open http://${HOST:-127.0.0.1}:${PORT:-5000}/ and log in with one of the accounts above."
exec "$VENV/bin/flask" run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}"
