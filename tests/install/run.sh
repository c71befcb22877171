#!/usr/bin/env bash
# make test-install: runs packaging/install.sh (with dash, as a merchant's /bin/sh may be) against
# fake PHP stacks laid out in private temp folders, each "php" a wrapper around this machine's real
# PHP 8.2 reading only its own ini, scan dir and extension_dir inside the fake tree. The real
# /etc/php and /usr/lib/php are never touched. Needs the zips of `make dist` in $DIST (default dist/).
# Prints one PASS/FAIL line per check; exits non-zero if any check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
DIST=${DIST:-$repo/dist}
INSTALLER=${INSTALLER:-$repo/packaging/install.sh}
PHP82=${PHP82:-/usr/bin/php8.2}
SH=${SH:-dash}
command -v "$SH" >/dev/null || SH=sh

version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)
zip82=php_spectrocoin-${version}_php8.2-x86_64-linux-glibc.zip
zip84=php_spectrocoin-${version}_php8.4-x86_64-linux-glibc.zip
modzip=spectrocoin-whmcs-${version}.zip
for f in "$zip82" "$modzip" SHA256SUMS; do
  [ -f "$DIST/$f" ] || { echo "FAIL setup: no $DIST/$f (run make dist)"; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/spectrocoin-test-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
failures=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failures=$((failures + 1)); }
check() { # name, then a command that must succeed
  local name=$1; shift
  local cmd="$*"
  if "$@"; then pass "$name"; else fail "$name" "$(printf '%s' "${cmd:0:160}" | tr '\n' ' ')"; fi
}

# A release folder as a merchant downloads it: the installer, the zips, SHA256SUMS.
release() { # dir [zip...] (default: the 8.2 zip and the module zip)
  local dir=$1; shift
  mkdir -p "$dir"
  cp "$INSTALLER" "$dir/install.sh"
  [ $# -gt 0 ] || set -- "$zip82" "$modzip"
  for z in "$@"; do cp "$DIST/$z" "$dir/"; done
  cp "$DIST/SHA256SUMS" "$dir/SHA256SUMS"
}

# Everything about a tree that an install could change: paths, types, modes, link targets, contents.
snapshot() {
  (cd "$1" && find . -printf '%p %y %m %l\n' | sort && find . -type f -exec sha256sum {} + | sort)
}

php_wrapper() { # path ini scandir
  mkdir -p "$(dirname "$1")"
  cat > "$1" <<EOF
#!/bin/sh
PHP_INI_SCAN_DIR=$3 exec $PHP82 -c $2 "\$@"
EOF
  chmod 755 "$1"
}

fake_ea() { # root: cPanel EA-PHP 8.2 and a WHMCS root of an account
  local b=$1/opt/cpanel/ea-php82/root
  mkdir -p "$b/etc/php.d" "$b/usr/lib64/php/modules"
  printf 'extension_dir=%s\n' "$b/usr/lib64/php/modules" > "$b/etc/php.ini"
  echo 'extension=bogus_other.so ; an existing file of the host, must stay' > "$b/etc/php.d/zz-other.ini.disabled"
  php_wrapper "$b/usr/bin/php" "$b/etc/php.ini" "$b/etc/php.d"
  fake_whmcs "$1/home/acct/public_html/billing"
}

fake_debian() { # root: Debian php8.2 CLI + FPM
  local e=$1/etc/php/8.2
  mkdir -p "$e/cli/conf.d" "$e/fpm/conf.d" "$e/mods-available" "$1/usr/lib/php/20220829" "$1/usr/sbin"
  printf 'extension_dir=%s\n' "$1/usr/lib/php/20220829" > "$e/cli/php.ini"
  printf '; priority=20\nextension=curl.so\n' > "$e/mods-available/curl.ini"
  php_wrapper "$1/usr/bin/php8.2" "$e/cli/php.ini" "$e/cli/conf.d"
  printf '#!/bin/sh\nexit 0\n' > "$1/usr/sbin/php-fpm8.2"; chmod 755 "$1/usr/sbin/php-fpm8.2"
}

fake_whmcs() { # dir
  mkdir -p "$1/modules/gateways/callback"
  echo '<?php // WHMCS' > "$1/init.php"
  echo '<?php // another gateway' > "$1/modules/gateways/paypal.php"
  echo '<?php // its callback' > "$1/modules/gateways/callback/paypal.php"
  # WHMCS ships addon modules of its own in modules/addons/.
  mkdir -p "$1/modules/addons/project_management"
  echo '<?php // a bundled addon' > "$1/modules/addons/project_management/project_management.php"
}

run_installer() { # root out args...: runs install.sh of $rel under the fake root, output in $out
  local r=$1 o=$2; shift 2
  SPECTROCOIN_INSTALL_ROOT=$r "$SH" "$rel/install.sh" "$@" > "$o" 2>&1
}

loads() { # php -> prints the version spectrocoin reports, or not-loaded
  "$1" -d display_startup_errors=1 -d display_errors=stderr -r 'echo extension_loaded("spectrocoin") ? spectrocoin_info()["version"] : "not-loaded";' 2>/dev/null
}

contains() { grep -qF -- "$2" "$1" || { echo "  ($1 lacks '$2'):"; sed 's/^/    /' "$1" | head -40; return 1; }; }
same() { # got expected (long snapshots: the differing lines only)
  [ "$1" = "$2" ] && return 0
  if [ "${#2}" -gt 200 ]; then diff <(echo "$2") <(echo "$1") | head -n 12 | sed 's/^/    /'
  else echo "  expected '$2', got '$1'"; fi
  return 1
}
is_rc() { [ "$1" = "$2" ] || { echo "  exit status $1, expected $2"; return 1; }; }

rel=$work/release
release "$rel"
mkdir "$work/unz" && unzip -q "$DIST/$zip82" -d "$work/unz" && unzip -q "$DIST/$modzip" -d "$work/unz"

# --- (a) cPanel EA-PHP layout: discovered, installed, verified, idempotent, uninstalled cleanly.
R=$work/ea; fake_ea "$R"; ea_php=$R/opt/cpanel/ea-php82/root/usr/bin/php
whmcs=$R/home/acct/public_html/billing
chown -R 4711:4712 "$R/home/acct"  # the cPanel account owns its WHMCS
before=$(snapshot "$R")
check "ea: php without the extension before" same "$(loads "$ea_php")" not-loaded
run_installer "$R" "$work/out" --module "$whmcs"; rc=$?
check "ea: install exits 0" is_rc $rc 0
check "ea: found EA-PHP 8.2 by itself" contains "$work/out" "$ea_php: PHP 8.2"
check "ea: .so in extension_dir is the shipped one" cmp -s "$work/unz/spectrocoin.so" "$R/opt/cpanel/ea-php82/root/usr/lib64/php/modules/spectrocoin.so"
check "ea: ini in php.d" grep -qx 'extension=spectrocoin.so' "$R/opt/cpanel/ea-php82/root/etc/php.d/spectrocoin.ini"
check "ea: that PHP loads it and reports $version" same "$(loads "$ea_php")" "$version"
check "ea: installer says it verified" contains "$work/out" "verified: $ea_php loads spectrocoin $version"
check "ea: prints the EA-PHP restart command" contains "$work/out" "/scripts/restartsrv_apache_php_fpm"
check "ea: module files copied into WHMCS" diff -r "$work/unz/modules/gateways/spectrocoin" "$whmcs/modules/gateways/spectrocoin"
check "ea: module callback copied" cmp -s "$work/unz/modules/gateways/callback/spectrocoin.php" "$whmcs/modules/gateways/callback/spectrocoin.php"
check "ea: other gateways untouched" contains "$whmcs/modules/gateways/paypal.php" "another gateway"
check "ea: the addon copied into WHMCS" diff -r "$work/unz/modules/addons/spectrocoinops" "$whmcs/modules/addons/spectrocoinops"
check "ea: other addons untouched" contains "$whmcs/modules/addons/project_management/project_management.php" "a bundled addon"
if [ "$(id -u)" = 0 ]; then
  check "ea: module files owned by the WHMCS account" same "$(find "$whmcs/modules" -newer "$whmcs/init.php" ! -user 4711 -print | head -3)" ""
fi
installed=$(snapshot "$R")
run_installer "$R" "$work/out" --module "$whmcs"; rc=$?
check "ea: second install exits 0" is_rc $rc 0
check "ea: second install changes nothing" same "$(snapshot "$R")" "$installed"
check "ea: second install says unchanged" contains "$work/out" "unchanged: $R/opt/cpanel/ea-php82/root/usr/lib64/php/modules/spectrocoin.so"
run_installer "$R" "$work/out" --uninstall --module "$whmcs"; rc=$?
check "ea: uninstall exits 0" is_rc $rc 0
check "ea: uninstall leaves the tree as before install" same "$(snapshot "$R")" "$before"
check "ea: php no longer loads it" same "$(loads "$ea_php")" not-loaded
run_installer "$R" "$work/out" --uninstall; rc=$?
check "ea: uninstall again is a no-op" is_rc $rc 0
check "ea: ... and says so" contains "$work/out" "nothing installed here"

# --module refuses a folder that is not a WHMCS root, before touching any PHP.
mkdir -p "$R/home/acct/public_html/blog/modules"
run_installer "$R" "$work/out" --module "$R/home/acct/public_html/blog"; rc=$?
check "ea: --module on a non-WHMCS folder fails" is_rc $rc 1
check "ea: ... with a clear message" contains "$work/out" "is not a WHMCS root"
rm -r "$R/home/acct/public_html/blog"
check "ea: ... and installs nothing" same "$(snapshot "$R")" "$before"

# --- (b) Debian/Ubuntu layout: mods-available + the conf.d links phpenmod makes, for CLI and FPM.
R=$work/deb; fake_debian "$R"; deb_php=$R/usr/bin/php8.2
before=$(snapshot "$R")
run_installer "$R" "$work/out"; rc=$?
check "debian: install exits 0" is_rc $rc 0
check "debian: ini in mods-available" grep -qx 'extension=spectrocoin.so' "$R/etc/php/8.2/mods-available/spectrocoin.ini"
check "debian: enabled for cli" same "$(readlink "$R/etc/php/8.2/cli/conf.d/20-spectrocoin.ini")" "$R/etc/php/8.2/mods-available/spectrocoin.ini"
check "debian: enabled for fpm" same "$(readlink "$R/etc/php/8.2/fpm/conf.d/20-spectrocoin.ini")" "$R/etc/php/8.2/mods-available/spectrocoin.ini"
check "debian: .so in extension_dir" cmp -s "$work/unz/spectrocoin.so" "$R/usr/lib/php/20220829/spectrocoin.so"
check "debian: php8.2 loads it and reports $version" same "$(loads "$deb_php")" "$version"
check "debian: prints the FPM restart" contains "$work/out" "systemctl restart php8.2-fpm"
installed=$(snapshot "$R")
run_installer "$R" "$work/out"; rc=$?
check "debian: second install exits 0 and changes nothing" same "$rc $(snapshot "$R")" "0 $installed"

# --- (d) --dry-run changes nothing, for install and for uninstall.
run_installer "$R" "$work/out" --uninstall --dry-run; rc=$?
check "dry-run uninstall: exits 0" is_rc $rc 0
check "dry-run uninstall: shows the removal" contains "$work/out" "would run: rm -f $R/usr/lib/php/20220829/spectrocoin.so"
check "dry-run uninstall: changes nothing" same "$(snapshot "$R")" "$installed"
run_installer "$R" "$work/out" --uninstall; rc=$?
check "debian: uninstall exits 0 and restores the tree" same "$rc $(snapshot "$R")" "0 $before"
run_installer "$R" "$work/out" --dry-run; rc=$?
check "dry-run install (debian): exits 0" is_rc $rc 0
check "dry-run install (debian): shows the link" contains "$work/out" "would run: ln -sfn $R/etc/php/8.2/mods-available/spectrocoin.ini $R/etc/php/8.2/fpm/conf.d/20-spectrocoin.ini"
check "dry-run install (debian): changes nothing" same "$(snapshot "$R")" "$before"
R=$work/ea2; fake_ea "$R"; ea_php=$R/opt/cpanel/ea-php82/root/usr/bin/php; before=$(snapshot "$R")
run_installer "$R" "$work/out" --dry-run --module "$R/home/acct/public_html/billing"; rc=$?
check "dry-run install (ea + module): exits 0" is_rc $rc 0
check "dry-run install (ea + module): shows the module copy" contains "$work/out" "modules/gateways/callback/spectrocoin.php.spectrocoin-new"
check "dry-run install (ea + module): changes nothing" same "$(snapshot "$R")" "$before"

# --- (e) a zip that does not match SHA256SUMS is refused; nothing is installed.
bad=$work/bad; release "$bad"; printf 'x' >> "$bad/$zip82"
rel_saved=$rel; rel=$bad
run_installer "$R" "$work/out"; rc=$?
check "bad checksum: refused" is_rc $rc 1
check "bad checksum: says so" contains "$work/out" "checksum mismatch for $zip82"
check "bad checksum: nothing installed" same "$(snapshot "$R")" "$before"
rm "$bad/SHA256SUMS"
run_installer "$R" "$work/out"; rc=$?
check "no SHA256SUMS: refused" is_rc $rc 1
check "no SHA256SUMS: says so" contains "$work/out" "no SHA256SUMS"
check "no SHA256SUMS: nothing installed" same "$(snapshot "$R")" "$before"

# --- no build for this PHP (here: a release without the 8.2 zip): named, with the source build.
nomatch=$work/nomatch; release "$nomatch" "$modzip"; rel=$nomatch
run_installer "$R" "$work/out"; rc=$?
check "no match: fails" is_rc $rc 1
check "no match: names the wanted zip" contains "$work/out" "wanted:    $zip82"
check "no match: gives the build command for this PHP" contains "$work/out" "make release PHP=$R/opt/cpanel/ea-php82/root/usr/bin/php PHP_CONFIG=/opt/cpanel/ea-php82/root/usr/bin/php-config"
check "no match: nothing installed" same "$(snapshot "$R")" "$before"

# --- --so: a file that is no extension for this PHP fails the test load; nothing installed.
rel=$rel_saved
echo 'not an ELF file' > "$work/bogus.so"
run_installer "$R" "$work/out" --so "$work/bogus.so"; rc=$?
check "--so bogus: refused" is_rc $rc 1
check "--so bogus: says this PHP refuses it" contains "$work/out" "refuses $work/bogus.so, nothing was installed"
check "--so bogus: nothing installed" same "$(snapshot "$R")" "$before"
run_installer "$R" "$work/out" --so "$work/unz/spectrocoin.so"; rc=$?
check "--so own build: installed and verified" contains "$work/out" "verified: $ea_php loads spectrocoin $version"
SPECTROCOIN_INSTALL_ROOT=$R "$SH" "$rel/install.sh" --uninstall >/dev/null 2>&1
check "--so own build: uninstalled" same "$(snapshot "$R")" "$before"

# --- what make dist ships: install.sh beside the zips, the current one, covered by SHA256SUMS.
if [ -f "$DIST/install.sh" ]; then
  check "dist: shipped install.sh is packaging/install.sh" cmp -s "$DIST/install.sh" "$INSTALLER"
  check "dist: SHA256SUMS covers install.sh" sh -c 'cd "$1" && grep "  install.sh\$" SHA256SUMS | sha256sum -c --status -' _ "$DIST"
else
  fail "dist: install.sh" "not in $DIST (make dist puts it there)"
fi

# --- composer.json for PIE: valid for Composer, PIE's documented php-ext keys, matches dist/.
if command -v composer >/dev/null; then
  check "composer validate" composer validate --quiet --no-check-publish --no-check-lock "$repo/composer.json"
else
  fail "composer validate" "composer not installed (make deps)"
fi
if "$PHP82" -n tests/install/check-composer.php "$repo/composer.json" "$repo/Cargo.toml" "$DIST"; then :; else
  failures=$((failures + 1))
fi

# --- every stack in one host: EA-PHP, CloudLinux alt-php, Plesk and Debian found and served at once.
R=$work/all; fake_ea "$R"; fake_debian "$R"
alt=$R/opt/alt/php82; mkdir -p "$alt/etc/php.d" "$alt/usr/lib64/php/modules"
printf 'extension_dir=%s\n' "$alt/usr/lib64/php/modules" > "$alt/etc/php.ini"
php_wrapper "$alt/usr/bin/php" "$alt/etc/php.ini" "$alt/etc/php.d"
plesk=$R/opt/plesk/php/8.2; mkdir -p "$plesk/etc/php.d" "$plesk/lib/php/modules"
printf 'extension_dir=%s\n' "$plesk/lib/php/modules" > "$plesk/etc/php.ini"
php_wrapper "$plesk/bin/php" "$plesk/etc/php.ini" "$plesk/etc/php.d"
before=$(snapshot "$R")
run_installer "$R" "$work/out"; rc=$?
check "all stacks: install exits 0" is_rc $rc 0
for p in "$R/opt/cpanel/ea-php82/root/usr/bin/php" "$alt/usr/bin/php" "$plesk/bin/php" "$R/usr/bin/php8.2"; do
  check "all stacks: ${p#"$R"} loads it" same "$(loads "$p")" "$version"
done
check "all stacks: alt-php ini in its php.d" test -f "$alt/etc/php.d/spectrocoin.ini"
check "all stacks: Plesk .so in its modules" cmp -s "$work/unz/spectrocoin.so" "$plesk/lib/php/modules/spectrocoin.so"
check "all stacks: CloudLinux restart hint" contains "$work/out" "cagefsctl --rebuild-alt-php-ini"
check "all stacks: Plesk restart hint" contains "$work/out" "systemctl restart plesk-php82-fpm"
run_installer "$R" "$work/out" --uninstall; rc=$?
check "all stacks: uninstall exits 0 and restores the tree" same "$rc $(snapshot "$R")" "0 $before"

# --- the PHP does not work with the installed extension (here: a hardening ini in its scan dir
# disables spectrocoin_info; the test load with -n passes, the check with the PHP's own
# configuration fails): rolled back, a previous install kept intact.
R=$work/rollback; fake_ea "$R"; ea_php=$R/opt/cpanel/ea-php82/root/usr/bin/php
ini=$R/opt/cpanel/ea-php82/root/etc/php.d/00-hardening.ini
before=$(snapshot "$R")
echo 'disable_functions=spectrocoin_info' > "$ini"
before_broken=$(snapshot "$R")
run_installer "$R" "$work/out"; rc=$?
check "rollback: install fails" is_rc $rc 1
check "rollback: says it rolled back" contains "$work/out" "rolled back"
check "rollback: nothing left installed" same "$(snapshot "$R")" "$before_broken"
rm "$ini"
run_installer "$R" "$work/out" >/dev/null; echo 'disable_functions=spectrocoin_info' > "$ini"
installed=$(snapshot "$R")
cp "$work/unz/spectrocoin.so" "$work/other.so" && printf 'x' >> "$work/other.so"
run_installer "$R" "$work/out" --so "$work/other.so"; rc=$?
check "rollback over an install: fails" is_rc $rc 1
check "rollback over an install: the previous install is back" same "$(snapshot "$R")" "$installed"
rm "$ini"
run_installer "$R" "$work/out" --uninstall; rc=$?
check "rollback: then uninstall restores the tree" same "$rc $(snapshot "$R")" "0 $before"

# --- (c) a real other PHP: the Debian 13 root's PHP 8.4, the installer run inside it by chroot.
# The root is a cache shared with other runs: it is mounted read-only under an overlay in a private
# mount namespace, so nothing is written into it and parallel runs do not meet.
# TRIXIE_ROOT overrides the root packaging/rootfs.sh makes (once, cached).
trixie_root=${TRIXIE_ROOT:-$(bash packaging/rootfs.sh trixie 2>"$work/rootfs.err")}
in_trixie() { # release_dir cmd...: cmd chrooted; the overlay's upper dir keeps state between calls
  local rel_dir=$1; shift
  ROOT_UPPER=$work/trixie IN_ROOT_BIND=$rel_dir:/tmp/release packaging/in-root.sh "$trixie_root" "$@"
}
trixie_snapshot() {
  in_trixie "$1" sh -c 'for d in /etc/php /usr/lib/php /var/lib/php; do [ -e "$d" ] || continue
    find "$d" -printf "%p %y %m %l\n"; find "$d" -type f -exec sha256sum {} +; done | sort'
}
if [ -z "$trixie_root" ] || [ ! -x "$trixie_root/usr/bin/php8.4" ]; then
  fail "trixie" "no Debian 13 root with php8.4 at '$trixie_root': $(tail -n 3 "$work/rootfs.err" 2>/dev/null | tr '\n' ' ')"
else
  tx82=$work/tx82; release "$tx82"
  before=$(trixie_snapshot "$tx82")
  in_trixie "$tx82" sh /tmp/release/install.sh > "$work/out" 2>&1; rc=$?
  check "trixie, 8.2 zip only: no matching build" is_rc $rc 1
  check "trixie: names the PHP it found" contains "$work/out" "no prebuilt build for /usr/bin/php8.4 (PHP 8.4."
  check "trixie: names the zip it wanted" contains "$work/out" "wanted:    $zip84"
  check "trixie: names the zip it has" contains "$work/out" "available: $zip82"
  check "trixie: gives the source build for php8.4" contains "$work/out" "make release PHP=/usr/bin/php8.4 PHP_CONFIG=/usr/bin/php-config8.4 FEATURES=vendored-openssl"
  check "trixie: nothing changed" same "$(trixie_snapshot "$tx82")" "$before"
  unzip -q "$tx82/$zip82" spectrocoin.so -d "$tx82"  # an 8.2 build, as a merchant's wrong download
  in_trixie "$tx82" sh /tmp/release/install.sh --so /tmp/release/spectrocoin.so > "$work/out" 2>&1; rc=$?
  check "trixie, the 8.2 .so forced with --so: refused" is_rc $rc 1
  check "trixie: PHP's own API-mismatch message is shown" contains "$work/out" "These options need to match"
  check "trixie: ... and nothing changed" same "$(trixie_snapshot "$tx82")" "$before"
  if [ -f "$DIST/$zip84" ]; then
    tx84=$work/tx84; release "$tx84" "$zip82" "$zip84" "$modzip"
    in_trixie "$tx84" sh /tmp/release/install.sh > "$work/out" 2>&1; rc=$?
    check "trixie, with the 8.4 zip: install exits 0" is_rc $rc 0
    check "trixie: verified" contains "$work/out" "verified: /usr/bin/php8.4 loads spectrocoin $version"
    check "trixie: php8.4 loads it" same "$(in_trixie "$tx84" php8.4 -d display_errors=stderr -r 'echo spectrocoin_info()["version"];' 2>/dev/null)" "$version"
    check "trixie: enabled by phpenmod for the CLI" same "$(in_trixie "$tx84" readlink /etc/php/8.4/cli/conf.d/20-spectrocoin.ini)" /etc/php/8.4/mods-available/spectrocoin.ini
    check "trixie: enabled by phpenmod for FPM" same "$(in_trixie "$tx84" readlink /etc/php/8.4/fpm/conf.d/20-spectrocoin.ini)" /etc/php/8.4/mods-available/spectrocoin.ini
    check "trixie: prints the FPM restart" contains "$work/out" "systemctl restart php8.4-fpm"
    installed=$(trixie_snapshot "$tx84")
    in_trixie "$tx84" sh /tmp/release/install.sh > "$work/out" 2>&1; rc=$?
    check "trixie: second install exits 0 and changes nothing" same "$rc $(trixie_snapshot "$tx84")" "0 $installed"
    in_trixie "$tx84" sh /tmp/release/install.sh --uninstall > "$work/out" 2>&1; rc=$?
    check "trixie: uninstall exits 0" is_rc $rc 0
    check "trixie: uninstall restores /etc/php, /usr/lib/php, /var/lib/php" same "$(trixie_snapshot "$tx84")" "$before"
  else
    fail "trixie install/verify/uninstall" "no $zip84 in $DIST (make dist builds it)"
  fi
fi

# --- two PHPs, a build for one only (EA-PHP 8.2 here, the Debian 13 root's PHP 8.4 reached by a
# chroot wrapper and only probed): the one installed, the other named, exit 3.
if [ -x "$trixie_root/usr/bin/php8.4" ]; then
  R=$work/partial; fake_ea "$R"; before=$(snapshot "$R")
  printf '#!/bin/sh\nexec chroot %s /usr/bin/php8.4 "$@"\n' "$trixie_root" > "$work/php84-in-root"
  chmod 755 "$work/php84-in-root"
  run_installer "$R" "$work/out" --php "$R/opt/cpanel/ea-php82/root/usr/bin/php" --php "$work/php84-in-root"; rc=$?
  check "partial: exit 3" is_rc $rc 3
  check "partial: 8.2 installed" same "$(loads "$R/opt/cpanel/ea-php82/root/usr/bin/php")" "$version"
  check "partial: 8.4 named as without a build" contains "$work/out" "no prebuilt build for $work/php84-in-root (PHP 8.4."
  check "partial: summary" contains "$work/out" "installed for 1 PHP(s); 1 PHP(s) above have no prebuilt build"
  SPECTROCOIN_INSTALL_ROOT=$R "$SH" "$rel/install.sh" --uninstall --php "$R/opt/cpanel/ea-php82/root/usr/bin/php" >/dev/null 2>&1
  check "partial: uninstalled" same "$(snapshot "$R")" "$before"
fi

# --- install.sh alone, without the release files: a clear refusal.
mkdir "$work/alone" && cp "$INSTALLER" "$work/alone/install.sh"
R=$work/alone-root; fake_ea "$R"; before=$(snapshot "$R")
SPECTROCOIN_INSTALL_ROOT=$R "$SH" "$work/alone/install.sh" > "$work/out" 2>&1; rc=$?
check "alone: fails" is_rc $rc 1
check "alone: says where the zips should be" contains "$work/out" "keep install.sh next to the release files"
check "alone: nothing installed" same "$(snapshot "$R")" "$before"

# --- the script itself is POSIX sh.
check "dash -n" dash -n "$INSTALLER"
if command -v checkbashisms >/dev/null; then
  check "checkbashisms" checkbashisms "$INSTALLER"
else
  fail "checkbashisms" "not installed (devscripts; make deps)"
fi
"$SH" "$INSTALLER" --bogus > "$work/out" 2>&1; rc=$?
check "unknown argument: exit 2 with usage" is_rc $rc 2
check "unknown argument: ... names it" contains "$work/out" "unknown argument: --bogus"

echo "$failures check(s) failed"
[ "$failures" -eq 0 ]
