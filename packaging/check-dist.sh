#!/usr/bin/env bash
# Proves each extension zip that packaging/build-dist.sh wrote into dist/ (see README, "Prebuilt
# builds"): PHP 8.2 on this machine, PHP 8.4 inside the Debian 13 root (packaging/rootfs.sh), the
# Debian 11 root for the old-glibc/OpenSSL-1.1 check. One PASS/FAIL line per check; exits non-zero
# if any fails. Needs root (chroot, mount namespaces); changes nothing outside its temp folders.
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
glibc_floor=2.28
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)

failed=0
pass() { echo "PASS: [$label] $*"; }
fail() { echo "FAIL: [$label] $*"; failed=1; }
label=dist

shopt -s nullglob
zips=(dist/php_spectrocoin-"${version}"_php*-x86_64-linux-glibc.zip)
[ ${#zips[@]} -gt 0 ] || { echo "FAIL: no extension zip in dist/ (run make dist)"; exit 1; }
(cd dist && sha256sum --quiet -c SHA256SUMS) && pass "SHA256SUMS match" || fail "SHA256SUMS do not match"
for z in "${zips[@]}" "dist/spectrocoin-whmcs-${version}.zip"; do
  grep -q " $(basename "$z")\$" dist/SHA256SUMS || fail "$(basename "$z") is not in SHA256SUMS"
done

trixie=$(bash packaging/rootfs.sh trixie) || { echo "FAIL: no Debian 13 root"; exit 1; }
bullseye=$(bash packaging/rootfs.sh bullseye) || { echo "FAIL: no Debian 11 root"; exit 1; }

# Where each PHP lives: "ROOT PHP-BINARY FPM-BINARY".
php_env() {
  case $1 in
    8.2) echo "/ $(command -v php8.2 || command -v php) $(command -v php-fpm8.2 || echo /usr/sbin/php-fpm8.2)" ;;
    8.4) echo "$trixie /usr/bin/php8.4 /usr/sbin/php-fpm8.4" ;;
    *) return 1 ;;
  esac
}
# Runs a command in a root (private mount namespace; the repo is at /work/repo there, the current
# zip's work folder $work at /tmp/sc-dist). The root is seen through an overlay whose upper layer is
# in $tmp, so the cached root is never written. On this machine (/) the paths are the host's.
in_root() {
  local r=$1; shift
  if [ "$r" = / ]; then packaging/in-root.sh / "$@"; return; fi
  ROOT_UPPER=$tmp/upper-$(basename "$r") IN_ROOT_BIND=$work:/tmp/sc-dist packaging/in-root.sh "$r" "$@"
}
path_in() { [ "$1" = / ] && echo "$work" || echo /tmp/sc-dist; }  # where $work is seen in a root
repo_in() { [ "$1" = / ] && echo "$repo" || echo /work/repo; }

# A throwaway CA and a certificate for 127.0.0.1; nginx serves SpectroCoin's published callback key
# (from the vectors) over TLS on loopback, so the real signed callback verifies only if TLS worked.
tmp=$(mktemp -d); nginx_pid=
cleanup() {
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null
  [ -n "${fpm_pid:-}" ] && kill "$fpm_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'; }
vectors=$repo/tests/fixtures/vectors/spectrocoin-vectors.json
php -n -r '$v = json_decode(file_get_contents($argv[1]), true); file_put_contents($argv[2], $v["spectrocoin_callback_public_key_pem"]);' "$vectors" "$tmp/merchant.public.pem"
(
  cd "$tmp"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=spectrocoin-dist-check-ca
  openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1
  printf 'subjectAltName=IP:127.0.0.1\n' > ext.cnf
  openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext.cnf
) >"$tmp/openssl.log" 2>&1 || { echo "FAIL: making the test CA: $(tail -3 "$tmp/openssl.log")"; exit 1; }
tls_port=$(free_port); fcgi_port=$(free_port); http_port=$(free_port)
mkdir -p "$tmp/www" "$tmp/nginx"
cp "$tmp/merchant.public.pem" "$tmp/www/"
chmod 755 "$tmp" "$tmp/www"; chmod 644 "$tmp/www/merchant.public.pem"  # nginx workers run unprivileged
cat > "$tmp/nginx/nginx.conf" <<NGINX
daemon off; worker_processes 1; pid $tmp/nginx/nginx.pid; error_log $tmp/nginx/error.log;
events { worker_connections 64; }
http {
  access_log off; client_body_temp_path $tmp/nginx/body; fastcgi_temp_path $tmp/nginx/fcgi;
  proxy_temp_path $tmp/nginx/proxy; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
  server { listen 127.0.0.1:$tls_port ssl; ssl_certificate $tmp/srv.pem; ssl_certificate_key $tmp/srv.key; root $tmp/www; }
  server { listen 127.0.0.1:$http_port;
    location / { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME \$http_x_script; fastcgi_pass 127.0.0.1:$fcgi_port; } }
}
NGINX
nginx -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" & nginx_pid=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$tls_port) 2>/dev/null && break; sleep 0.1; done

for zip in "${zips[@]}"; do
  php_mm=$(basename "$zip" | sed 's/.*_php\([0-9]*\.[0-9]*\)-.*/\1/')
  label="php$php_mm"
  read -r root php fpm <<<"$(php_env "$php_mm")" || { fail "no PHP $php_mm to check $zip with"; continue; }
  work=$tmp/php$php_mm
  inner=$(path_in "$root")
  mkdir -p "$work"
  unzip -q "$zip" -d "$work"
  so=$work/spectrocoin.so
  [ -f "$work/spectrocoin.ini" ] && pass "zip holds spectrocoin.so and spectrocoin.ini" || fail "spectrocoin.ini missing from the zip"

  # Highest GLIBC_x.y symbol version the .so asks for.
  highest=$(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -1)
  if [ "$(printf '%s\n%s\n' "$highest" "$glibc_floor" | sort -V | tail -1)" = "$glibc_floor" ]; then
    pass "highest GLIBC symbol version $highest <= $glibc_floor"
  else
    fail "needs GLIBC_$highest (> $glibc_floor): $(objdump -T "$so" | grep -o 'GLIBC_[0-9.]*' | sort -uV | tr '\n' ' ')"
  fi
  needed=$(objdump -p "$so" | awk '$1 == "NEEDED" { print $2 }')
  unexpected=$(echo "$needed" | grep -Ev '^(libc|libm|libdl|libpthread|libgcc_s)\.so\.[0-9]+$|^ld-linux-x86-64\.so\.2$' || true)
  [ -z "$unexpected" ] && pass "NEEDED only system C libraries: $(echo $needed)" \
    || fail "NEEDED has more than libc/libm/libdl/libpthread/ld-linux/libgcc_s: $(echo $unexpected)"
  exports=$(objdump -T "$so" | awk '$4 != "*UND*" && NF >= 7 { print $NF }' | sort -u)
  others=$(echo "$exports" | grep -Ev '^((spectrocoin_)?get_module|ext_php_rs_.*|_init|_fini)$' | grep -v '^$' || true)
  [ -z "$others" ] && pass "exports only module entry points: $(echo $exports)" \
    || fail "exports more than the module entry points: $(echo "$others" | head -20 | tr '\n' ' ')"
  openssl_syms=$(objdump -T "$so" | grep -Ec '\b(SSL_|OPENSSL_|EVP_|RSA_|X509_|BIO_|ERR_)' || true)
  [ "$openssl_syms" -eq 0 ] && pass "no OpenSSL symbol exported or imported" || fail "$openssl_syms OpenSSL symbols in the dynamic table"

  if out=$(in_root "$root" "$php" -n -d extension="$inner/spectrocoin.so" -r 'echo json_encode(spectrocoin_info());' 2>&1) \
      && echo "$out" | grep -q "\"phpVersion\":\"$php_mm\."; then
    pass "loads in PHP $php_mm (php -n): $out"
  else
    fail "does not load in PHP $php_mm: $(echo "$out" | head -3)"
  fi

  # The extension suite against the shipped .so (TlsTest's subprocesses read SPECTROCOIN_EXT).
  r=$(repo_in "$root")
  if log=$(in_root "$root" sh -c "cd $r && SPECTROCOIN_EXT=$inner/spectrocoin.so nice $php -d extension=$inner/spectrocoin.so $( [ "$root" = / ] && echo /usr/bin/phpunit || echo /tmp/phpunit) --testsuite extension" 2>&1); then
    pass "PHPUnit extension suite: $(echo "$log" | grep -E '^(OK|Tests:)' | tail -1)"
  else
    fail "PHPUnit extension suite: $(echo "$log" | tail -5 | tr '\n' ' ')"
  fi

  # The bundled OpenSSL signs exactly as PHP's own ext/openssl (the system's libssl) in one process.
  cp "$vectors" "$work/vectors.json"
  cat > "$work/sign.php" <<'PHP'
<?php
$vectors = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
$key = $vectors['merchant_test_private_key_pem'];
$pub = $vectors['merchant_test_public_key_pem'];
$data = "merchantId=1&apiId=2&orderId=INV-42&payCurrency=BTC&payAmount=0.00012345";
if (!openssl_sign($data, $php, $key, OPENSSL_ALGO_SHA1)) { echo "openssl_sign failed\n"; exit(1); }
$ours = base64_decode(spectrocoin_sign($data, $key), true);
if ($ours !== $php) { echo "signatures differ\n"; exit(1); }
if (openssl_verify($data, $ours, $pub, OPENSSL_ALGO_SHA1) !== 1) { echo "PHP cannot verify ours\n"; exit(1); }
echo "identical (", strlen($ours), " bytes), verified by openssl_verify (", OPENSSL_VERSION_TEXT, ")\n";
PHP
  if out=$(in_root "$root" "$php" -d extension="$inner/spectrocoin.so" "$inner/sign.php" "$inner/vectors.json" 2>&1); then
    pass "spectrocoin_sign equals openssl_sign(SHA1) in one process: $out"
  else
    fail "signature check: $out"
  fi

  # TLS trust: the real callback verifies with SpectroCoin's key fetched over TLS from nginx, when
  # the test CA is the system's bundle in the Debian or the RHEL layout; refused with no CA.
  cat > "$work/tls.php" <<PHP
<?php
\$v = json_decode(file_get_contents('$inner/vectors.json'), true);
\$c = \$v['callbacks'][0];
try {
    \$cb = spectrocoin_verify_callback(http_build_query(\$c['fields'] + ['sign' => \$c['sign']]),
        ['merchantId' => \$c['fields']['merchantId'], 'projectId' => \$c['fields']['apiId'],
         'publicKeyUrl' => 'https://127.0.0.1:$tls_port/merchant.public.pem', 'timeout' => 5]);
    echo 'verified';
} catch (\SpectroCoin\Exception \$e) { echo get_class(\$e), ': ', \$e->getMessage(); }
PHP
  cp "$tmp/ca.pem" "$work/ca.pem"
  for layout in debian rhel none; do
    out=$(CA_LAYOUT=$layout CA_FILE=$work/ca.pem in_root "$root" env -u SSL_CERT_FILE -u SSL_CERT_DIR "$php" -n -d extension="$inner/spectrocoin.so" "$inner/tls.php" 2>&1)
    case $layout in
      none) echo "$out" | grep -q 'NetworkException: TLS handshake' && pass "TLS refused with no trusted CA: ${out:0:90}" \
              || fail "TLS with no trusted CA should fail: $out" ;;
      *) [ "$out" = verified ] && pass "TLS to nginx trusted through the $layout CA layout; real callback verified" \
              || fail "TLS with the CA in the $layout layout: $out" ;;
    esac
  done

  # PHP-FPM recycling its workers after 3 requests: no crash at shutdown, every answer right.
  mkdir -p "$work/fpm"
  cat > "$work/fpm/sign.php" <<PHP
<?php
\$v = json_decode(file_get_contents('$inner/vectors.json'), true);
echo strlen(base64_decode(spectrocoin_sign('merchantId=1', \$v['merchant_test_private_key_pem']))), ' ', getmypid(), "\n";
PHP
  cat > "$work/fpm/fpm.conf" <<FPM
[global]
error_log = $inner/fpm/fpm.log
log_level = notice
daemonize = no
[www]
listen = 127.0.0.1:$fcgi_port
pm = static
pm.max_children = 2
pm.max_requests = 3
catch_workers_output = yes
php_admin_value[extension] = $inner/spectrocoin.so
FPM
  # Started directly (not through a shell function) so $! is the FPM master after the execs.
  if [ "$root" = / ]; then
    packaging/in-root.sh / "$fpm" -n -y "$inner/fpm/fpm.conf" -R >/dev/null 2>&1 & fpm_pid=$!
  else
    ROOT_UPPER=$tmp/upper-$(basename "$root") IN_ROOT_BIND=$work:/tmp/sc-dist \
      packaging/in-root.sh "$root" "$fpm" -n -y "$inner/fpm/fpm.conf" -R >/dev/null 2>&1 & fpm_pid=$!
  fi
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$fcgi_port) 2>/dev/null && break; sleep 0.1; done
  good=0; pids=""
  for _ in $(seq 30); do
    a=$(curl -s --max-time 5 -H "X-Script: $inner/fpm/sign.php" "http://127.0.0.1:$http_port/") && [ "${a%% *}" = 256 ] && good=$((good + 1)) && pids="$pids ${a##* }"
  done
  kill -TERM "$fpm_pid" 2>/dev/null; wait "$fpm_pid" 2>/dev/null; fpm_pid=
  workers=$(echo $pids | tr ' ' '\n' | sort -u | grep -c .)
  crashes=$(grep -Eci 'SIGSEGV|SIGBUS|SIGABRT|SIGILL|SIGFPE|core dumped' "$work/fpm/fpm.log" || true)
  if [ "$good" -eq 30 ] && [ "$crashes" -eq 0 ] && [ "$workers" -ge 10 ]; then
    pass "PHP-FPM pm.max_requests=3: 30/30 answers right from $workers workers, no worker died by a signal"
  else
    fail "PHP-FPM recycling: $good/30 answers right, $workers workers, $crashes signal lines; last answer: ${a:0:100}; FPM log: $(tail -3 "$work/fpm/fpm.log" 2>&1 | tr '\n' ' ')"
  fi

  # Another PHP refuses it with PHP's own clear message, without crashing.
  case $php_mm in 8.2) other=8.4 ;; *) other=8.2 ;; esac
  read -r oroot ophp _ <<<"$(php_env "$other")"
  out=$(in_root "$oroot" "$ophp" -n -d extension="$(path_in "$oroot")/spectrocoin.so" -r 'echo function_exists("spectrocoin_info") ? "loaded" : "not loaded";' 2>&1); rc=$?
  if [ "$rc" -lt 128 ] && echo "$out" | grep -q 'Module compiled with module API=' && echo "$out" | grep -q 'not loaded'; then
    pass "PHP $other refuses it cleanly: $(echo "$out" | grep -m1 -o 'Module compiled with module API=[0-9]*')…"
  else
    fail "PHP $other loading the $php_mm build: rc $rc, $(echo "$out" | head -2)"
  fi

  # Debian 11 (glibc 2.31, OpenSSL 1.1): every library and symbol version resolves; only PHP's
  # own symbols (which PHP provides at load) stay undefined.
  out=$(in_root "$bullseye" ldd -r /tmp/sc-dist/spectrocoin.so 2>&1)
  missing=$(echo "$out" | grep 'not found' || true)
  undefined=$(echo "$out" | grep -c 'undefined symbol' || true)
  [ -z "$missing" ] && pass "ldd -r in Debian 11 resolves every library and version ($undefined PHP symbols left to PHP)" \
    || fail "ldd -r in Debian 11: $(echo "$missing" | head -3 | tr '\n' ' ')"
done

# Control: the same Debian 11 check refuses a normal build (system OpenSSL 3, glibc 2.36), so the
# check above can fail.
label=control
if [ -f target/debug/libspectrocoin.so ]; then
  work=$tmp/control; mkdir -p "$work"; cp target/debug/libspectrocoin.so "$work/"
  out=$(in_root "$bullseye" ldd -r /tmp/sc-dist/libspectrocoin.so 2>&1 | grep 'not found' | head -2 | tr '\n' ' ')
  [ -n "$out" ] && pass "the Debian 11 check refuses a normal build: ${out:0:120}" || fail "a normal build passed the Debian 11 check"
else
  echo "note: no target/debug/libspectrocoin.so (make ext), Debian 11 control check not run"
fi

exit $failed
