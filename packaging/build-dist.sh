#!/usr/bin/env bash
# Builds the prebuilt artifacts into dist/ (see README, "Prebuilt builds" and
# ../shared/docs/distribution.md): the extension for PHP 8.2 (this machine's PHP) and PHP 8.4 (a
# Debian 13 root made by packaging/rootfs.sh), each for glibc >= 2.28 with OpenSSL linked
# statically, the WHMCS module zip, the installer, and SHA256SUMS. Installs its tools only if missing.
#   DIST_PHP="8.2 8.4" (default) chooses the PHP versions.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
[ -n "$version" ] || { echo "no version in Cargo.toml" >&2; exit 1; }
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

mkdir -p dist
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
mod_zip=dist/spectrocoin-whmcs-${version}.zip
rm -f dist/php_spectrocoin-*.zip "$mod_zip" dist/install.sh dist/SHA256SUMS

# PHP and PHP_CONFIG tell ext-php-rs's and our build.rs which PHP to build for. For PHP 8.4 they
# are wrappers running the trixie root's binaries in chroot, with --includes rewritten to the
# root's paths. The wrappers live at a fixed path so cargo sees the same environment each run.
wrappers=$CARGO_TARGET_DIR/php-wrappers
php_for() {  # prints "PHP PHP_CONFIG" for a PHP major.minor
  case $1 in
    8.2) echo "$(command -v php8.2 || command -v php) $(command -v php-config8.2 || command -v php-config)" ;;
    8.4)
      r=$(bash packaging/rootfs.sh trixie)
      mkdir -p "$wrappers"
      printf '#!/bin/sh\nexec chroot %s php8.4 "$@"\n' "$r" > "$wrappers/php8.4"
      printf '#!/bin/sh\nchroot %s php-config8.4 "$@" | sed "s| -I/| -I%s/|g; s|^-I/|-I%s/|"\n' "$r" "$r" "$r" > "$wrappers/php-config8.4"
      chmod +x "$wrappers/php8.4" "$wrappers/php-config8.4"
      echo "$wrappers/php8.4 $wrappers/php-config8.4" ;;
    *) echo "build-dist.sh: no recipe for PHP $1 (prebuilt: 8.2, 8.4)" >&2; return 1 ;;
  esac
}

for php_mm in ${DIST_PHP:-8.2 8.4}; do
  pair=$(php_for "$php_mm")
  read -r PHP PHP_CONFIG <<<"$pair"
  export PHP PHP_CONFIG
  got=$("$PHP" -n -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
  [ "$got" = "$php_mm" ] || { echo "build-dist.sh: $PHP is PHP $got, not $php_mm" >&2; exit 1; }
  start=$(date +%s)
  nice cargo zigbuild --release --features vendored-openssl --target "$target.$glibc_floor"
  echo "build for PHP $php_mm: $(( $(date +%s) - start )) s"
  so=$CARGO_TARGET_DIR/$target/release/libspectrocoin.so
  ext_zip=dist/php_spectrocoin-${version}_php${php_mm}-x86_64-linux-glibc.zip

  rm -rf "$stage/ext"; mkdir "$stage/ext"
  cp "$so" "$stage/ext/spectrocoin.so"
  strip --strip-debug "$stage/ext/spectrocoin.so"
  cat > "$stage/ext/spectrocoin.ini" <<INI
; SpectroCoin payments for WHMCS ($version, PHP $php_mm). Copy into your PHP's ini scan directory
; (Debian/Ubuntu: /etc/php/$php_mm/mods-available/, then phpenmod spectrocoin) and restart PHP-FPM.
extension=spectrocoin.so
INI
  (cd "$stage/ext" && zip -q -X "$root/$ext_zip" spectrocoin.so spectrocoin.ini)
  echo "spectrocoin.so for PHP $php_mm: $(stat -c %s "$stage/ext/spectrocoin.so") bytes"
done
(cd php-module && zip -q -X -r "$root/$mod_zip" modules)
install -m 755 packaging/install.sh dist/install.sh  # the merchant's installer, covered by SHA256SUMS too
(cd dist && sha256sum php_spectrocoin-*.zip "$(basename "$mod_zip")" install.sh > SHA256SUMS)
ls -l dist/
