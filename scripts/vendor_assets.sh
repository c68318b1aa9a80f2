#!/usr/bin/env bash
# Vendor front-end files into registry/static/vendor/ from their npm packages, because bureau
# intranets cannot reach a CDN. Run it by hand when upgrading; the files it writes are committed.
#
#   bash scripts/vendor_assets.sh            # fetch the pinned versions below
#   REDOC_VERSION=2.5.4 ECHARTS_VERSION=6.1.0 bash scripts/vendor_assets.sh
#
# It uses only `npm pack` (the npm registry through npm's ordinary client), unpacks the tarballs
# in a temporary folder, copies the one browser bundle each feature needs plus its licence
# files, refuses a file of 2 MiB or more, and rewrites registry/static/vendor/SHA256SUMS
# (of the files as committed: redoc.standalone.js carries the two local patches noted below).
set -euo pipefail

REDOC_VERSION="${REDOC_VERSION:-2.5.4}"
ECHARTS_VERSION="${ECHARTS_VERSION:-6.1.0}"
MAX_BYTES=$((2 * 1024 * 1024))

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/registry/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fetch() {  # fetch NAME VERSION -> unpacked into $WORK/NAME/package
  local name="$1" version="$2"
  mkdir -p "$WORK/$name"
  (cd "$WORK/$name" && npm pack --silent "$name@$version" >/dev/null && tar xzf ./*.tgz)
}

copy() {  # copy SRC DEST, refusing files of 2 MiB or more
  local src="$1" dest="$2"
  local size
  size=$(stat -c %s "$src")
  if [ "$size" -ge "$MAX_BYTES" ]; then
    echo "refusing $src: $size bytes (limit $MAX_BYTES)" >&2
    exit 1
  fi
  install -D -m 0644 "$src" "$dest"
}

# Redoc: the browsable API reference at /api/v1/docs (config OPENAPI_REDOC_URL).
fetch redoc "$REDOC_VERSION"
copy "$WORK/redoc/package/bundles/redoc.standalone.js" "$VENDOR/redoc/redoc.standalone.js"
# Two local patches, so the docs page makes no request off the intranet: the "API docs by
# Redocly" footer loads its logo from Redocly's CDN (replaced by an empty inline SVG), and the
# source-map comment points at a .map file we do not ship (removed).
sed -i \
  -e 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22/%3E#g' \
  -e '/^\/\/# sourceMappingURL=/d' \
  "$VENDOR/redoc/redoc.standalone.js"
if grep -q 'https://cdn\.' "$VENDOR/redoc/redoc.standalone.js"; then
  echo "redoc.standalone.js still refers to a CDN: update the patch above" >&2
  exit 1
fi
copy "$WORK/redoc/package/bundles/redoc.standalone.js.LICENSE.txt" "$VENDOR/redoc/redoc.standalone.js.LICENSE.txt"
copy "$WORK/redoc/package/LICENSE" "$VENDOR/redoc/LICENSE"
echo "redoc $REDOC_VERSION" > "$VENDOR/redoc/VERSION"

# ECharts: schedule Gantt, reduction-vs-target and grade-distribution charts (DESIGN.md §4).
fetch echarts "$ECHARTS_VERSION"
copy "$WORK/echarts/package/dist/echarts.min.js" "$VENDOR/echarts/echarts.min.js"
copy "$WORK/echarts/package/LICENSE" "$VENDOR/echarts/LICENSE"
copy "$WORK/echarts/package/NOTICE" "$VENDOR/echarts/NOTICE"
echo "echarts $ECHARTS_VERSION" > "$VENDOR/echarts/VERSION"

(cd "$VENDOR" && find . -type f ! -name SHA256SUMS | sort | xargs sha256sum > SHA256SUMS)
echo "vendored into $VENDOR:"
cat "$VENDOR/SHA256SUMS"
