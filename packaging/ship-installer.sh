#!/bin/sh
# Puts the installer beside the zips of `make dist` and its checksum into dist/SHA256SUMS, so a
# merchant's `sha256sum -c SHA256SUMS` covers install.sh too. Run after packaging/build-dist.sh.
set -eu
cd "$(dirname "$0")/.."
[ -f dist/SHA256SUMS ] || { echo "ship-installer: no dist/SHA256SUMS (run packaging/build-dist.sh first)" >&2; exit 1; }
cp packaging/install.sh dist/install.sh.new && chmod 755 dist/install.sh.new && mv -f dist/install.sh.new dist/install.sh
{ grep -v '  install\.sh$' dist/SHA256SUMS || true; (cd dist && sha256sum install.sh); } > dist/SHA256SUMS.new
mv -f dist/SHA256SUMS.new dist/SHA256SUMS
echo "dist/install.sh: $(cut -c1-16 < dist/SHA256SUMS | tail -n 1)… in SHA256SUMS"
