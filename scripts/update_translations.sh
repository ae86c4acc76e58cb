#!/usr/bin/env bash
# Extract the UI strings and merge them into the Chinese catalogue; then fill in the
# new msgstr entries of lms/translations/zh_Hans_CN/LC_MESSAGES/messages.po by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
pot=$(mktemp --suffix=.pot)
.venv/bin/pybabel extract -F babel.cfg -k _l -o "$pot" . >/dev/null
.venv/bin/pybabel update -i "$pot" -d lms/translations --no-fuzzy-matching
rm -f "$pot"
