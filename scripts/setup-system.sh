#!/usr/bin/env bash
# Install what akn needs beyond Python, idempotently and quietly when already done.
#
#   setup-system.sh runtime   what the writers need to render every document (`make`):
#     libharfbuzz-subset0 (WeasyPrint subsets the fonts it embeds with it; without it
#     WeasyPrint falls back to fontTools, which makes the seed's PDF about 1.5x slower and
#     other bytes), fonts for the UN languages that the PyPI font wheels do not cover
#     (Noto CJK for Chinese, Noto/DejaVu for Latin and Cyrillic). Not root: a warning, and
#     the build goes on (Arabic needs only the Amiri wheel); exit status 3 says so.
#   setup-system.sh [test]    the runtime, and what the tests need (`make test`): chromium
#     (axe-core, screenshots), a Java runtime (Nu HTML Checker), poppler-utils (pdftotext,
#     pdftoppm), qpdf, Node.js + npm; npm (pinned, install scripts off, no browser
#     download): axe-core, playwright-core, vnu-jar into .tools/ of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-test}
TOOLS=${AKN_TOOLS:-$PWD/.tools}
AXE=4.14.1 PW=1.65.1 VNU=26.9.27

pkgs=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || pkgs+=("$2"); }
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || pkgs+=("$1"); }
need_pkg libharfbuzz-subset0
need_pkg fonts-noto-cjk
need_pkg fonts-noto-core
need_pkg fonts-dejavu-core
if [ "$MODE" != runtime ]; then
  need_cmd chromium chromium
  need_cmd java default-jre-headless
  need_cmd pdftotext poppler-utils
  need_cmd qpdf qpdf
  need_cmd node nodejs
  need_cmd npm npm
fi
if ((${#pkgs[@]})); then
  if [ "$(id -u)" != 0 ]; then
    if [ "$MODE" = runtime ]; then
      echo "setup-system: warning: missing Debian packages: ${pkgs[*]} (without them PDFs are" \
           "slower, or set in fallback fonts); run as root: apt-get install ${pkgs[*]}" >&2
      exit 3  # make goes on, and asks again next time
    fi
    echo "setup-system: missing Debian packages: ${pkgs[*]}; run as root: apt-get install ${pkgs[*]}" >&2
    exit 1
  fi
  echo "setup-system: apt-get install ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null
fi

[ "$MODE" = runtime ] && exit 0

have() { [ "$(node -p "require('$TOOLS/node_modules/$1/package.json').version" 2>/dev/null)" = "$2" ]; }
if ! have axe-core $AXE || ! have playwright-core $PW || ! have vnu-jar $VNU; then
  echo "setup-system: npm install into $TOOLS: axe-core@$AXE playwright-core@$PW vnu-jar@$VNU"
  mkdir -p "$TOOLS"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$TOOLS" --save-exact --ignore-scripts \
    --no-audit --no-fund --loglevel=error "axe-core@$AXE" "playwright-core@$PW" "vnu-jar@$VNU" >/dev/null
fi
