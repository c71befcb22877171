#!/usr/bin/env bash
# Debian packages `make bench` needs beyond `make deps`: nginx and PHP-FPM for the end-to-end run,
# gcc + libssl-dev for the raw-OpenSSL helper. Installs only what is missing; starts no service.
set -euo pipefail
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
[ -x /usr/sbin/php-fpm8.2 ] || need+=(php8.2-fpm)
command -v gcc >/dev/null 2>&1 || need+=(gcc)
[ -f /usr/include/openssl/evp.h ] || need+=(libssl-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # policy-rc.d-style guard: do not let the packages start system services
  $SUDO env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y --no-install-recommends "${need[@]}"
fi
