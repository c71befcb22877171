#!/usr/bin/env bash
# Builds the prebuilt artifacts into dist/ (see README, "Prebuilt builds (first step)" and
# ../shared/docs/distribution.md): the PHP 8.2 extension for glibc >= 2.28 with OpenSSL linked
# statically, the WHMCS module zip, and SHA256SUMS. Installs its tools only if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
[ -n "$version" ] || { echo "no version in Cargo.toml" >&2; exit 1; }
php_mm=$(php -n -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
target=x86_64-unknown-linux-gnu
glibc_floor=2.28  # EL8 (AlmaLinux/Rocky/CloudLinux 8), the oldest hosting base we aim at
export CARGO_TARGET_DIR=$root/target/dist  # keeps the developer's target/debug build untouched
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$HOME/.local/bin:$PATH"

# Tools: apt zip/unzip/binutils, PyPI ziglang + libclang-ng, crates.io cargo-zigbuild.
missing=()
for p in zip unzip binutils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
pip_install() { pip install --quiet "$@" 2>/dev/null || pip install --quiet --break-system-packages "$@"; }
python3 -c 'import ziglang' 2>/dev/null || pip_install ziglang==0.17.1
python3 -c 'import clang.native' 2>/dev/null || pip_install libclang-ng
command -v cargo-zigbuild >/dev/null || cargo install cargo-zigbuild --locked

# Debian 12's libclang 14 crashes in ext-php-rs's bindgen on the -Xclang arguments cargo-zigbuild
# appends; PyPI's libclang-ng (22.x) does not.
if [ -z "${LIBCLANG_PATH:-}" ]; then
  LIBCLANG_PATH=$(python3 -c 'import clang.native, os; print(os.path.dirname(clang.native.__file__))')
  export LIBCLANG_PATH
fi

start=$(date +%s)
nice cargo zigbuild --release --features vendored-openssl --target "$target.$glibc_floor"
echo "build: $(( $(date +%s) - start )) s"
so=$CARGO_TARGET_DIR/$target/release/libspectrocoin.so

mkdir -p dist
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
ext_zip=dist/php_spectrocoin-${version}_php${php_mm}-x86_64-linux-glibc.zip
mod_zip=dist/spectrocoin-whmcs-${version}.zip
rm -f "$ext_zip" "$mod_zip" dist/SHA256SUMS

mkdir "$stage/ext"
cp "$so" "$stage/ext/spectrocoin.so"
strip --strip-debug "$stage/ext/spectrocoin.so"
cat > "$stage/ext/spectrocoin.ini" <<INI
; SpectroCoin payments for WHMCS ($version). Copy into your PHP's ini scan directory
; (Debian/Ubuntu: /etc/php/$php_mm/mods-available/, then phpenmod spectrocoin) and restart PHP-FPM.
extension=spectrocoin.so
INI
(cd "$stage/ext" && zip -q -X "$root/$ext_zip" spectrocoin.so spectrocoin.ini)
(cd php-module && zip -q -X -r "$root/$mod_zip" modules)
(cd dist && sha256sum "$(basename "$ext_zip")" "$(basename "$mod_zip")" > SHA256SUMS)
ls -l dist/
echo "spectrocoin.so: $(stat -c %s "$stage/ext/spectrocoin.so") bytes"
