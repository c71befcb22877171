#!/usr/bin/env bash
# Debian packages `make bench` needs beyond `make deps`: nginx and PHP-FPM for the end-to-end run,
# nginx and the openssl CLI (throwaway CA) for the order round trip, gcc + libssl-dev for the
# raw-OpenSSL helper, valgrind for the instruction counts. Installs only what is missing; starts no
# service.
set -euo pipefail
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/php-fpm8.2 ] || need+=(php8.2-fpm)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/include/openssl/evp.h ] || need+=(libssl-dev)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
[ -x /usr/bin/valgrind ] || need+=(valgrind)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # The benchmark starts its own nginx and php-fpm in a temp dir; it never uses the system services.
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}"
fi
