#!/usr/bin/env bash
# Re-create plugins/sinergi/quality/data_docs_vendor/ from the npm registry:
# the JS, CSS and fonts GX's Data Docs pages load from public CDNs, which
# sinergi.quality.offline_data_docs serves from the site itself instead
# (government networks have no internet). Versions are the CDN ones, pinned;
# VENDORED.md maps each CDN URL to its file here. Needs npm, tar, openssl.
#
#   deploy/vendor-data-docs-assets.sh        # then review `git diff --stat`
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=$ROOT/plugins/sinergi/quality/data_docs_vendor
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# <package@version> <destination folder> <file in the package>...
# Minified files only (a CDN's non-minified URL maps to the same file
# minified); licences beside them. Font Awesome: the CSS and the one woff2
# font GX's pages use (`fas` icons only); every @font-face lists woff2 first,
# so browsers never ask for the ttf fallbacks left out.
ASSETS=(
    "jquery@3.7.1 jquery dist/jquery.min.js LICENSE.txt"
    "popper.js@1.12.9 popper.js dist/umd/popper.min.js"
    "bootstrap@4.3.1 bootstrap dist/css/bootstrap.min.css dist/js/bootstrap.min.js LICENSE"
    "bootstrap-table@1.19.1 bootstrap-table dist/bootstrap-table.min.css dist/bootstrap-table.min.js
        dist/extensions/filter-control/bootstrap-table-filter-control.min.css
        dist/extensions/filter-control/bootstrap-table-filter-control.min.js LICENSE"
    "bootstrap-datepicker@1.9.0 bootstrap-datepicker dist/css/bootstrap-datepicker.min.css
        dist/js/bootstrap-datepicker.min.js LICENSE"
    "@forevolve/bootstrap-dark@1.1.0 bootstrap-dark dist/css/bootstrap-prefers-dark.min.css LICENSE"
    "vega@5.33.1 vega build/vega.min.js"
    "vega-lite@5.23.0 vega-lite build/vega-lite.min.js LICENSE"
    "vega-embed@6.29.0 vega-embed build/vega-embed.min.js LICENSE"
)
# Kept with their folder structure (the CSS finds its fonts at ../webfonts/).
FONTAWESOME="@fortawesome/fontawesome-free@6.6.0 fontawesome-free css/all.min.css
    webfonts/fa-solid-900.woff2 LICENSE.txt"
# vega 5.33.1's package ships no LICENSE (5.33.0's does, same repository and text).
VEGA_LICENSE="vega@5.33.0 vega"
# The CDN tags carry these SRI hashes: the npm files must be the same bytes.
SRI=(
    "popper.js/popper.min.js sha384-ApNbgh9B+Y1QKtv3Rn7W3mgPxhU9K/ScQsAP7hUibX39j7fakFPskvXusvfa0b4Q"
    "bootstrap/bootstrap.min.js sha384-JjSmVgyd0p3pXB1rRibZUAYoIIy6OrQ6VrjIEaFf/nJGzIxFDsf4x0xIM+B07jRM"
)

# unpack <package@version> <destination folder> <flatten: yes|no> <file>...
unpack() {
    local spec=$1 folder=$2 flatten=$3
    shift 3
    local tarball
    tarball=$(cd "$WORK" && npm pack --silent "$spec" | tail -n 1)
    mkdir -p "$DEST/$folder"
    for file in "$@"; do
        local out=$DEST/$folder/$file
        [ "$flatten" = yes ] && out=$DEST/$folder/$(basename "$file")
        mkdir -p "$(dirname "$out")"
        tar -xzOf "$WORK/$tarball" "package/$file" >"$out"
    done
}

# Everything but VENDORED.md is output of this script.
find "$DEST" -mindepth 1 ! -name VENDORED.md -delete 2>/dev/null || mkdir -p "$DEST"
for entry in "${ASSETS[@]}"; do
    # shellcheck disable=SC2086  # word splitting is the point
    unpack $(echo $entry | cut -d' ' -f1-2) yes $(echo $entry | cut -d' ' -f3-)
done
# shellcheck disable=SC2086
unpack $(echo $FONTAWESOME | cut -d' ' -f1-2) no $(echo $FONTAWESOME | cut -d' ' -f3-)
# shellcheck disable=SC2086
unpack $VEGA_LICENSE yes LICENSE

for entry in "${SRI[@]}"; do
    read -r file expected <<<"$entry"
    actual="sha384-$(openssl dgst -sha384 -binary "$DEST/$file" | openssl base64 -A)"
    if [ "$actual" != "$expected" ]; then
        echo "$file: $actual, but the CDN tag expects $expected" >&2
        exit 1
    fi
done
du -sh "$DEST"
