#!/bin/sh
# deps.sh — install the Debian packages fairaudit needs, when missing.
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu
PKGS="gcc make pkg-config libsqlite3-dev sqlite3 libcsv-dev libjansson-dev \
libgsl-dev libsodium-dev zlib1g-dev libyaml-dev libcairo2-dev libpango1.0-dev libfontconfig-dev \
fonts-dejavu-core libxlsxwriter-dev libzip-dev libqpdf-dev check libsubunit-dev time jq poppler-utils qpdf \
libreoffice-calc-nogui python3 unzip"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "fairaudit: missing Debian packages:$missing" >&2
    echo "install them with: sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "fairaudit: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >&2
