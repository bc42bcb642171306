#!/usr/bin/env bash
# Rebuild static/vendor/ (the JavaScript, CSS, images and fonts folium maps need) from pinned
# npm versions, so maps render with no internet. Nothing is fetched at run time by the app.
#
#   tools/refresh_vendor.sh           # rebuild static/vendor/ in place
#   tools/refresh_vendor.sh --check   # rebuild in a temp dir and fail if static/vendor/ differs
#
# Needs npm (registry reachable) and a Python with the project's folium installed
# (PYTHON=/path/to/python, default: python3). node_modules never lands in the repository:
# everything is installed in a temporary directory that is removed on exit.
# After changing a version here, run the script, run the tests, and update
# layers/offline_assets.py if a file name changed.
set -euo pipefail

LEAFLET=1.9.4
MARKERCLUSTER=1.5.3
LEAFLET_HEAT=0.2.0        # licence only; the JS is folium's patched copy (see below)
JQUERY=3.7.1
BOOTSTRAP=5.3.8
FONTAWESOME=6.7.2
AWESOME_MARKERS=2.0.5
D3V3=3.5.17
D3V4=4.13.0

MAX_FILE_BYTES=$((1024 * 1024))        # every file under 1 MB
MAX_TOTAL_BYTES=$((2560 * 1024))       # the whole of static/ under ~2.5 MB

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"
PYTHON="${PYTHON:-python3}"
CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

command -v npm >/dev/null || { echo "npm not found: install Node.js/npm first" >&2; exit 1; }
FOLIUM_TEMPLATES="$("$PYTHON" -c 'import folium, pathlib; print(pathlib.Path(folium.__file__).parent / "templates")')" \
  || { echo "folium is not importable with $PYTHON: set PYTHON=/work/venv/bin/python" >&2; exit 1; }
FOLIUM_VERSION="$("$PYTHON" -c 'import folium; print(folium.__version__)')"
FOLIUM_LICENCE="$("$PYTHON" - <<'PY'
from importlib.metadata import distribution
dist = distribution("folium")
print(next(str(dist.locate_file(f)) for f in dist.files if f.name.startswith("LICENSE")))
PY
)"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "installing pinned packages in $WORK ..."
(
  cd "$WORK"
  npm init -y >/dev/null
  npm install --no-audit --no-fund --ignore-scripts --save-exact \
    "leaflet@$LEAFLET" "leaflet.markercluster@$MARKERCLUSTER" "leaflet.heat@$LEAFLET_HEAT" \
    "jquery@$JQUERY" "bootstrap@$BOOTSTRAP" "@fortawesome/fontawesome-free@$FONTAWESOME" \
    "leaflet.awesome-markers@$AWESOME_MARKERS" "d3v3@npm:d3@$D3V3" "d3v4@npm:d3@$D3V4" >/dev/null
)
NM="$WORK/node_modules"
OUT="$WORK/vendor"

# Fail if npm resolved anything other than the pinned version.
check_version() {  # <folder under node_modules> <expected version>
  local got
  got="$(node -p "require('$NM/$1/package.json').version")"
  [[ "$got" == "$2" ]] || { echo "$1: expected $2, npm gave $got" >&2; exit 1; }
}
check_version leaflet "$LEAFLET"
check_version leaflet.markercluster "$MARKERCLUSTER"
check_version leaflet.heat "$LEAFLET_HEAT"
check_version jquery "$JQUERY"
check_version bootstrap "$BOOTSTRAP"
check_version @fortawesome/fontawesome-free "$FONTAWESOME"
check_version leaflet.awesome-markers "$AWESOME_MARKERS"
check_version d3v3 "$D3V3"
check_version d3v4 "$D3V4"

put() {  # <source file> <destination relative to static/vendor>
  mkdir -p "$(dirname "$OUT/$2")"
  cp "$1" "$OUT/$2"
}

# Leaflet: JS, CSS and the images its CSS and default markers use.
put "$NM/leaflet/dist/leaflet.js" leaflet/leaflet.js
put "$NM/leaflet/dist/leaflet.css" leaflet/leaflet.css
for f in layers.png layers-2x.png marker-icon.png marker-icon-2x.png marker-shadow.png; do
  put "$NM/leaflet/dist/images/$f" "leaflet/images/$f"
done
put "$NM/leaflet/LICENSE" leaflet/LICENSE

# Leaflet.markercluster.
put "$NM/leaflet.markercluster/dist/leaflet.markercluster.js" leaflet.markercluster/leaflet.markercluster.js
put "$NM/leaflet.markercluster/dist/MarkerCluster.css" leaflet.markercluster/MarkerCluster.css
put "$NM/leaflet.markercluster/dist/MarkerCluster.Default.css" leaflet.markercluster/MarkerCluster.Default.css
put "$NM/leaflet.markercluster/MIT-LICENCE.txt" leaflet.markercluster/LICENSE

# Leaflet.heat: folium's HeatMap is written against folium's own patched copy of 0.2.0
# (weights fix, Leaflet.heat PR #78, and pane support), so ship that one.
put "$FOLIUM_TEMPLATES/leaflet_heat.min.js" leaflet.heat/leaflet_heat.min.js
put "$NM/leaflet.heat/LICENSE" leaflet.heat/LICENSE
put "$FOLIUM_LICENCE" leaflet.heat/LICENSE-folium

# jQuery and Bootstrap (folium loads both on every map).
put "$NM/jquery/dist/jquery.min.js" jquery/jquery.min.js
put "$NM/jquery/LICENSE.txt" jquery/LICENSE
put "$NM/bootstrap/dist/js/bootstrap.bundle.min.js" bootstrap/bootstrap.bundle.min.js
put "$NM/bootstrap/dist/css/bootstrap.min.css" bootstrap/bootstrap.min.css
put "$NM/bootstrap/LICENSE" bootstrap/LICENSE

# Font Awesome Free: all.min.css unchanged, with only the woff2 fonts. Every browser the app
# supports takes the woff2 source first, so the .ttf fallbacks (~700 kB) are left out.
put "$NM/@fortawesome/fontawesome-free/css/all.min.css" fontawesome/css/all.min.css
for f in "$NM"/@fortawesome/fontawesome-free/webfonts/*.woff2; do
  put "$f" "fontawesome/webfonts/$(basename "$f")"
done
put "$NM/@fortawesome/fontawesome-free/LICENSE.txt" fontawesome/LICENSE

# Leaflet.awesome-markers: JS, CSS and only the sprites its CSS references.
put "$NM/leaflet.awesome-markers/dist/leaflet.awesome-markers.js" leaflet.awesome-markers/leaflet.awesome-markers.js
put "$NM/leaflet.awesome-markers/dist/leaflet.awesome-markers.css" leaflet.awesome-markers/leaflet.awesome-markers.css
for f in markers-soft.png markers-soft@2x.png markers-shadow.png markers-shadow@2x.png; do
  put "$NM/leaflet.awesome-markers/dist/images/$f" "leaflet.awesome-markers/images/$f"
done
put "$NM/leaflet.awesome-markers/LICENSE" leaflet.awesome-markers/LICENSE

# d3 v3 and v4: streamlit-folium adds both whenever a branca colormap is on the map.
put "$NM/d3v3/d3.min.js" d3-v3/d3.min.js
put "$NM/d3v3/LICENSE" d3-v3/LICENSE
put "$NM/d3v4/build/d3.min.js" d3-v4/d3.min.js
put "$NM/d3v4/LICENSE" d3-v4/LICENSE

# README.md: the inventory, generated so it never falls behind the files.
licence_of() {
  case "$1" in
    leaflet/*) echo "BSD-2-Clause" ;;
    leaflet.markercluster/*) echo "MIT" ;;
    leaflet.heat/*) echo "BSD-2-Clause (Leaflet.heat) + MIT (folium patch)" ;;
    jquery/*|bootstrap/*) echo "MIT" ;;
    fontawesome/webfonts/*) echo "SIL OFL 1.1 (fonts), CC BY 4.0 (icons)" ;;
    fontawesome/css/*) echo "MIT (code)" ;;
    fontawesome/*) echo "Font Awesome Free: CC BY 4.0 icons, OFL 1.1 fonts, MIT code" ;;
    leaflet.awesome-markers/*) echo "MIT" ;;
    d3-v3/*|d3-v4/*) echo "BSD-3-Clause" ;;
    *) echo "?" ;;
  esac
}
version_of() {
  case "$1" in
    leaflet/*) echo "leaflet $LEAFLET" ;;
    leaflet.markercluster/*) echo "leaflet.markercluster $MARKERCLUSTER" ;;
    leaflet.heat/*) echo "leaflet.heat $LEAFLET_HEAT (as patched in folium $FOLIUM_VERSION)" ;;
    jquery/*) echo "jquery $JQUERY" ;;
    bootstrap/*) echo "bootstrap $BOOTSTRAP" ;;
    fontawesome/*) echo "@fortawesome/fontawesome-free $FONTAWESOME" ;;
    leaflet.awesome-markers/*) echo "leaflet.awesome-markers $AWESOME_MARKERS" ;;
    d3-v3/*) echo "d3 $D3V3" ;;
    d3-v4/*) echo "d3 $D3V4" ;;
  esac
}
{
  cat <<'MD'
# static/vendor: third-party files for offline maps

Generated by `tools/refresh_vendor.sh` (do not edit by hand; change the pinned versions in the
script and run it again). Streamlit serves this folder at `/app/static/vendor/`
(`server.enableStaticServing = true`), and `layers/offline_assets.py` points folium and
streamlit-folium at these copies instead of CDNs, so no map ever fetches anything from the
internet. Files are copied unchanged from the npm packages (source maps are not shipped; the
`sourceMappingURL` comments are only followed when browser developer tools are open).

Left out on purpose: Font Awesome `.ttf` fallbacks (browsers load the `.woff2`), Bootstrap 3
glyphicons and folium's `leaflet.awesome.rotate.min.css` (`layers/offline_assets.py` drops both
from folium's defaults: use `prefix="fa"` icons, and no icon `angle`).
A plugin that needs another file makes `offline_assets.localise` raise `RemoteAssetError`:
add the file here through this script, and its CDN URL to `URL_MAP`.

| file | package and version | licence | bytes |
|---|---|---|---:|
MD
  (cd "$OUT" && find . -type f ! -name README.md | sed 's|^\./||' | LC_ALL=C sort) | while read -r f; do
    printf '| `%s` | %s | %s | %s |\n' "$f" "$(version_of "$f")" "$(licence_of "$f")" "$(wc -c <"$OUT/$f" | tr -d ' ')"
  done
} >"$OUT/README.md"

# Size limits.
big="$(find "$OUT" -type f -size +$((MAX_FILE_BYTES / 1024))k)"
[[ -z "$big" ]] || { echo "files over 1 MB: $big" >&2; exit 1; }
total="$(find "$OUT" -type f -exec cat {} + | wc -c)"
(( total <= MAX_TOTAL_BYTES )) || { echo "static/vendor is $total bytes, over $MAX_TOTAL_BYTES" >&2; exit 1; }

if (( CHECK )); then
  if diff -r "$OUT" "$DEST" >/dev/null; then
    echo "static/vendor matches the pinned versions ($total bytes)"
  else
    diff -rq "$OUT" "$DEST" >&2 || true
    echo "static/vendor differs from the pinned versions: run tools/refresh_vendor.sh" >&2
    exit 1
  fi
  exit 0
fi

rm -rf "$DEST"
mkdir -p "$(dirname "$DEST")"
cp -R "$OUT" "$DEST"
echo "wrote $DEST ($total bytes, $(find "$DEST" -type f | wc -l) files)"
