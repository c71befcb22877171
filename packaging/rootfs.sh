#!/usr/bin/env bash
# Prints the path of a Debian root for SUITE (trixie: PHP 8.4 to build and test against;
# bullseye: glibc 2.31 + OpenSSL 1.1, to check the prebuilt .so resolves there), making it first
# if needed. Made with debootstrap from Debian's mirror into a cache folder outside the clone
# (SPECTROCOIN_ROOTS, default ~/.cache/spectrocoin-roots) and reused: a root is complete once its
# stamp file exists. The host's apt sources and packages are never touched.
#   usage: packaging/rootfs.sh trixie|bullseye
set -euo pipefail
suite=${1:?usage: rootfs.sh trixie|bullseye}
case $suite in
  trixie) packages="php8.4-cli php8.4-dev php8.4-fpm php8.4-xml php8.4-mbstring php8.4-curl unzip openssl ca-certificates" ;;
  bullseye) packages="" ;;
  *) echo "rootfs.sh: no package list for suite '$suite'" >&2; exit 2 ;;
esac
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${SPECTROCOIN_ROOTS:-$HOME/.cache/spectrocoin-roots}
dir=$cache/$suite
stamp=$dir/.spectrocoin-root-complete

# The stamp records the package list: a root made with another list gets the missing packages
# installed into it (apt inside the root), not a new debootstrap.
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$packages" ]; then
  echo "$dir"
  exit 0
fi

install_packages() {  # inside the root only: its own sources.list (written by debootstrap), its own dpkg
  [ -n "$packages" ] || return 0
  chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  chroot "$1" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages
  chroot "$1" apt-get clean
}

[ "$(id -u)" -eq 0 ] || { echo "rootfs.sh: debootstrap and chroot need root" >&2; exit 1; }
mkdir -p "$cache"
start=$(date +%s)
if [ -f "$stamp" ]; then
  install_packages "$dir" >"$cache/$suite.log" 2>&1 || { echo "rootfs.sh: installing into the $suite root failed; see $cache/$suite.log" >&2; tail -5 "$cache/$suite.log" >&2; exit 1; }
  printf '%s' "$packages" > "$stamp"
  echo "$dir"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "rootfs.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
rm -rf "$dir" "$dir.partial"
{
  debootstrap --variant=minbase "$suite" "$dir.partial" "$mirror"
  install_packages "$dir.partial"
} >"$cache/$suite.log" 2>&1 || { echo "rootfs.sh: making the $suite root failed; see $cache/$suite.log" >&2; tail -5 "$cache/$suite.log" >&2; exit 1; }
printf '%s' "$packages" > "$dir.partial/.spectrocoin-root-complete"
mv "$dir.partial" "$dir"
echo "rootfs.sh: $suite root made in $(( $(date +%s) - start )) s ($(du -sh "$dir" | cut -f1))" >&2
echo "$dir"
