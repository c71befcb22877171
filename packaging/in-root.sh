#!/usr/bin/env bash
# Runs a command inside a Debian root made by packaging/rootfs.sh (or on this machine with ROOT=/),
# in a private mount namespace, so nothing it mounts is seen outside and neither the root's cache
# nor the host is changed:
#   * the repository at /work/repo, and the host's PHPUnit (/usr/share/php + /tmp/phpunit);
#   * /proc and /dev;
#   * with CA_LAYOUT=debian|rhel|none (and CA_FILE for debian/rhel): /etc seen through an overlay
#     whose trust stores are emptied, then CA_FILE placed where that distribution keeps its bundle
#     (Debian /etc/ssl/certs/ca-certificates.crt; RHEL /etc/pki/tls/certs/ca-bundle.crt with the
#     /etc/pki/ca-trust/extracted layout), so TLS trusts exactly that CA;
#   * with ROOT_UPPER=DIR: the root seen through an overlay whose upper layer is DIR (kept between
#     calls), so what the command writes lands in DIR, never in the cached root;
#   * with IN_ROOT_BIND=SRC:DST: SRC bind-mounted at DST inside the root.
#   usage: packaging/in-root.sh ROOT CMD [ARG...]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: in-root.sh ROOT CMD [ARG...]" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "in-root.sh: mount namespaces and chroot need root" >&2; exit 1; }
repo=$(cd "$(dirname "$0")/.." && pwd)

if [ -z "${IN_ROOT_NAMESPACE:-}" ]; then
  IN_ROOT_NAMESPACE=1 exec unshare -m "$0" "$@"
fi
root=$1; shift
mount --make-rprivate /
if [ -n "${ROOT_UPPER:-}" ]; then
  mkdir -p "$ROOT_UPPER/upper" "$ROOT_UPPER/work" "$ROOT_UPPER/merged"
  mount -t overlay overlay -o "lowerdir=$root,upperdir=$ROOT_UPPER/upper,workdir=$ROOT_UPPER/work" "$ROOT_UPPER/merged"
  root=$ROOT_UPPER/merged
fi
if [ "$root" != / ]; then
  mkdir -p "$root/work/repo" "$root/usr/share/php" "$root/proc" "$root/dev" "$root/tmp"
  mount --bind "$repo" "$root/work/repo"
  mount --bind /usr/share/php "$root/usr/share/php"
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  cp /usr/bin/phpunit "$root/tmp/phpunit"
fi
if [ -n "${IN_ROOT_BIND:-}" ]; then
  mkdir -p "${root%/}${IN_ROOT_BIND#*:}"
  mount --bind "${IN_ROOT_BIND%%:*}" "${root%/}${IN_ROOT_BIND#*:}"
fi

if [ -n "${CA_LAYOUT:-}" ]; then
  etc=${root%/}/etc
  # One fixed folder for every call: each private namespace mounts its own tmpfs on it, so
  # concurrent calls do not meet and nothing is left behind in /tmp.
  ov=/tmp/.spectrocoin-in-root
  mkdir -p "$ov"
  mount -t tmpfs tmpfs "$ov"
  mkdir "$ov/upper" "$ov/work"
  mount -t overlay overlay -o "lowerdir=$etc,upperdir=$ov/upper,workdir=$ov/work" "$etc"
  rm -rf "$etc/ssl/certs" "$etc/pki" "$etc/ssl/cert.pem"
  mkdir -p "$etc/ssl/certs"
  case $CA_LAYOUT in
    debian) cp "$CA_FILE" "$etc/ssl/certs/ca-certificates.crt" ;;
    rhel)
      mkdir -p "$etc/pki/ca-trust/extracted/pem" "$etc/pki/tls/certs"
      cp "$CA_FILE" "$etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"
      ln -s /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem "$etc/pki/tls/certs/ca-bundle.crt"
      rmdir "$etc/ssl/certs" ;;
    none) ;;
    *) echo "in-root.sh: CA_LAYOUT is debian, rhel or none" >&2; exit 2 ;;
  esac
fi
unset IN_ROOT_NAMESPACE CA_LAYOUT CA_FILE ROOT_UPPER IN_ROOT_BIND
exec chroot "$root" "$@"
