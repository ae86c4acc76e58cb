#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry.
# Each line: npm package, version, files to copy (path inside the package), destination.
# Licence files are copied beside each library. Run by hand when upgrading; never at
# run time or in tests (those use the committed copies).
set -euo pipefail
cd "$(dirname "$0")/.."

VENDORED=(
  "axe-core 4.14.1 axe.min.js tests/e2e/vendor/axe-core"
  "echarts 6.1.0 dist/echarts.min.js,NOTICE lms/static/vendor/echarts"
  "hls.js 1.7.4 dist/hls.min.js lms/static/vendor/hls.js"
  "jsqr 1.4.0 dist/jsQR.js lms/static/vendor/jsqr"
  "tus-js-client 4.3.1 dist/tus.min.js lms/static/vendor/tus-js-client"
)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for entry in "${VENDORED[@]}"; do
  read -r package version files destination <<<"$entry"
  echo "vendoring $package@$version -> $destination"
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  mkdir -p "$work/unpacked" "$destination"
  tar -xzf "$tarball" -C "$work/unpacked"
  for file in ${files//,/ }; do
    cp "$work/unpacked/package/$file" "$destination/"
  done
  cp "$work"/unpacked/package/LICEN[CS]E* "$destination/" 2>/dev/null || true
  ls "$destination" | grep -qiE 'licen[cs]e' || { echo "no licence file in $package" >&2; exit 1; }
  echo "$package@$version" > "$destination/VERSION"
  rm -rf "$work/unpacked" "$tarball"
done
