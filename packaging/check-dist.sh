#!/usr/bin/env bash
# Checks the PHP 8.2 extension zip that packaging/build-dist.sh wrote into dist/ (see README,
# "Prebuilt builds (first step)"). One PASS/FAIL line per check; exits non-zero if any fails.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
php=${PHP:-php}
glibc_floor=2.28

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
php_mm=$($php -n -r 'echo PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION;')
zipfile=dist/php_spectrocoin-${version}_php${php_mm}-x86_64-linux-glibc.zip
[ -f "$zipfile" ] || { echo "FAIL: $zipfile missing (run make dist)"; exit 1; }

failed=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failed=1; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
unzip -q "$zipfile" -d "$work"
so=$work/spectrocoin.so

(cd dist && sha256sum --quiet -c SHA256SUMS) && pass "SHA256SUMS match" || fail "SHA256SUMS do not match"
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
if [ -z "$unexpected" ]; then
  pass "NEEDED only system C libraries: $(echo $needed)"
else
  fail "NEEDED has more than libc/libm/libdl/libpthread/ld-linux/libgcc_s: $(echo $unexpected)"
fi
echo "$needed" | grep -Eq 'libssl|libcrypto' && fail "links libssl/libcrypto dynamically" || pass "no libssl/libcrypto in NEEDED"

# Defined dynamic symbols (value column non-zero section, not *UND*).
exports=$(objdump -T "$so" | awk '$4 != "*UND*" && NF >= 7 { print $NF }' | sort -u)
others=$(echo "$exports" | grep -Ev '^((spectrocoin_)?get_module|ext_php_rs_.*|_init|_fini)$' | grep -v '^$' || true)
if [ -z "$others" ]; then
  pass "exports only module entry points: $(echo $exports)"
else
  fail "exports more than the module entry points: $(echo "$others" | head -20 | tr '\n' ' ')"
fi
openssl_syms=$(objdump -T "$so" | grep -Ec '\b(SSL_|OPENSSL_|EVP_|RSA_|X509_|BIO_|ERR_)' || true)
[ "$openssl_syms" -eq 0 ] && pass "no OpenSSL symbol exported or imported" || fail "$openssl_syms OpenSSL symbols in the dynamic table"

if out=$($php -n -d extension="$so" -r 'var_dump(spectrocoin_info());' 2>&1) && echo "$out" | grep -q '^array'; then
  pass "loads in $($php -n -r 'echo PHP_VERSION;') (php -n) and spectrocoin_info() answers"
else
  fail "does not load in this PHP: $(echo "$out" | head -3)"
fi

# The extension suite against the shipped .so (TlsTest's subprocesses read SPECTROCOIN_EXT).
if log=$(SPECTROCOIN_EXT="$so" nice $php -d extension="$so" /usr/bin/phpunit --testsuite extension 2>&1); then
  pass "PHPUnit extension suite: $(echo "$log" | grep -E '^(OK|Tests:)' | tail -1)"
else
  fail "PHPUnit extension suite: $(echo "$log" | tail -5 | tr '\n' ' ')"
fi

# The bundled OpenSSL signs exactly as PHP's own ext/openssl (system libssl) in the same process.
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
echo "identical (", strlen($ours), " bytes), verified by openssl_verify\n";
PHP
vectors=$root/tests/fixtures/vectors/spectrocoin-vectors.json  # the merchant test key
if out=$($php -d extension="$so" "$work/sign.php" "$vectors" 2>&1); then
  pass "spectrocoin_sign equals openssl_sign(SHA1) in one process: $out"
else
  fail "signature check: $out"
fi

exit $failed
