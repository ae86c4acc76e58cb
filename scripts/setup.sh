#!/usr/bin/env bash
# Prepare this checkout: system packages (Debian), a virtual environment with the
# package and its dev and scale extras, and compiled translations.
#   scripts/setup.sh run    what the platform needs (ffmpeg; Pango, HarfBuzz and a CJK font
#                           for PDFs)
#   scripts/setup.sh test   also what the tests need (chromium, poppler-utils,
#                           redis-server: the scale-out tests start private ones; and
#                           Ralph, the learning record store, in $VENV-ralph)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-run}
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}

missing=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing+=(ffmpeg)
# PDFs (certificates, transcripts): WeasyPrint lays out with Pango, subsets fonts with
# HarfBuzz, and embeds the Noto CJK fonts so Chinese renders anywhere.
shared_libs=$( (ldconfig -p || /sbin/ldconfig -p) 2>/dev/null || true)
grep -q "libpangoft2-1.0.so.0" <<<"$shared_libs" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
grep -q "libharfbuzz-subset.so.0" <<<"$shared_libs" || missing+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
if [ "$purpose" = test ]; then
  command -v chromium >/dev/null || missing+=(chromium)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  command -v redis-server >/dev/null || missing+=(redis-server)
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing from Debian's packages: ${missing[*]}"
  if command -v apt-get >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >/dev/null
  else
    echo "setup: apt-get is not available here. Install these with your system's package" >&2
    echo "       manager, then run this again: ${missing[*]}" >&2
    exit 1
  fi
fi

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "setup: Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))" >&2
  exit 1
}
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
stamp="$VENV/.installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -e '.[dev,scale]'
  touch "$stamp"
fi
# The xAPI tests start a real Ralph LRS. Its own environment: ralph-malph pins click
# below 8.2.1 and a dozen server packages exactly, which the project's must not inherit.
if [ "$purpose" = test ]; then
  RALPH_VENV="$VENV-ralph"
  [ -x "$RALPH_VENV/bin/python" ] || "$PYTHON" -m venv "$RALPH_VENV"
  ralph_stamp="$RALPH_VENV/.installed"
  if [ ! -f "$ralph_stamp" ] || [ tests/xapi/ralph-requirements.txt -nt "$ralph_stamp" ]; then
    "$RALPH_VENV/bin/pip" install -q -r tests/xapi/ralph-requirements.txt
    touch "$ralph_stamp"
  fi
fi
"$VENV/bin/pybabel" compile -d lms/translations >/dev/null
