#!/usr/bin/env bash
# Install what the tests need beyond Python, idempotently and quietly when already done:
#   Debian: chromium (axe-core, screenshots), a Java runtime (Nu HTML Checker), poppler-utils
#   (pdftotext, pdftoppm), qpdf, Node.js + npm, fonts for the six UN languages that the
#   PyPI font wheels do not cover (Noto CJK for Chinese, Noto/DejaVu for Latin and Cyrillic).
#   npm (pinned, install scripts off, no browser download): axe-core, playwright-core,
#   vnu-jar into .tools/ of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
TOOLS=${AKN_TOOLS:-$PWD/.tools}
AXE=4.14.1 PW=1.65.1 VNU=26.9.27

pkgs=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || pkgs+=("$2"); }
need_pkg() { dpkg -s "$1" >/dev/null 2>&1 || pkgs+=("$1"); }
need_cmd chromium chromium
need_cmd java default-jre-headless
need_cmd pdftotext poppler-utils
need_cmd qpdf qpdf
need_cmd node nodejs
need_cmd npm npm
need_pkg fonts-noto-cjk
need_pkg fonts-noto-core
need_pkg fonts-dejavu-core
if ((${#pkgs[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "setup-system: missing Debian packages: ${pkgs[*]}; run as root: apt-get install ${pkgs[*]}" >&2
    exit 1
  fi
  echo "setup-system: apt-get install ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${pkgs[@]}" >/dev/null
fi

have() { [ "$(node -p "require('$TOOLS/node_modules/$1/package.json').version" 2>/dev/null)" = "$2" ]; }
if ! have axe-core $AXE || ! have playwright-core $PW || ! have vnu-jar $VNU; then
  echo "setup-system: npm install into $TOOLS: axe-core@$AXE playwright-core@$PW vnu-jar@$VNU"
  mkdir -p "$TOOLS"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --prefix "$TOOLS" --save-exact --ignore-scripts \
    --no-audit --no-fund --loglevel=error "axe-core@$AXE" "playwright-core@$PW" "vnu-jar@$VNU" >/dev/null
fi
