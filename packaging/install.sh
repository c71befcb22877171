#!/bin/sh
# install.sh: installs the prebuilt SpectroCoin PHP extension (and, with --module, the WHMCS
# gateway module) from the release zips in the folder this script is in. See README, "Install".
#
# POSIX sh on purpose: a merchant's server (AlmaLinux/CloudLinux/Ubuntu/Debian) has sh, unzip and
# sha256sum, and the target PHP itself is the only authority on where its extensions go.
#
#   sh install.sh [--php /path/to/php]... [--module /path/to/whmcs] [--dry-run] [--uninstall]
#                 [--so /path/to/spectrocoin.so]
#
# Exit status: 0 done (or nothing to do); 1 failure, nothing changed by the failing step;
# 2 usage error; 3 installed for some PHPs, no build for others (listed).
#
# SPECTROCOIN_INSTALL_ROOT (for the test suite only) makes the script look for PHP stacks under
# that folder instead of /, so tests can lay out fake /opt/cpanel, /etc/php, ... trees.
set -u

prog=install.sh
root=${SPECTROCOIN_INSTALL_ROOT:-}
root=${root%/}
here=$(cd "$(dirname "$0")" && pwd) || exit 1

dry_run=no
uninstall=no
module_root=
own_so=
php_args=
usage() {
  cat <<EOF
usage: sh $prog [--php /path/to/php]... [--module /path/to/whmcs] [--dry-run] [--uninstall]
                [--so /path/to/spectrocoin.so]
  --php PATH     the PHP binary to install into (repeatable); default: every PHP found
                 (Debian/Ubuntu php8.x, cPanel EA-PHP, CloudLinux alt-php, Plesk)
  --module DIR   also copy the WHMCS gateway module into the WHMCS root DIR
  --dry-run      print every action, change nothing
  --uninstall    remove what this script installs (the .so and ini; module files with --module)
  --so FILE      install FILE (your own build, e.g. target/release/libspectrocoin.so) instead
                 of a prebuilt zip; it is still test-loaded and verified with that PHP
EOF
}

# While an install is under way (armed), a failure first puts that PHP back as it was.
armed=no
die() {
  echo "$prog: error: $*" >&2
  if [ "$armed" = yes ]; then armed=no; restore_previous; echo "$prog: rolled back $php" >&2; fi
  exit 1
}
say() { echo "$prog: $*"; }
# Every change to the system goes through act, so --dry-run prints exactly what would happen.
act() {
  if [ "$dry_run" = yes ]; then
    echo "  would run: $*"
    return 0
  fi
  "$@" && return 0
  if [ "$(id -u)" != 0 ]; then die "failed: $* (not root: run it with sudo)"; fi
  die "failed: $*"
}

while [ $# -gt 0 ]; do
  case $1 in
    --php) [ $# -ge 2 ] || { usage >&2; exit 2; }; php_args="$php_args
$2"; shift 2 ;;
    --php=*) php_args="$php_args
${1#--php=}"; shift ;;
    --module) [ $# -ge 2 ] || { usage >&2; exit 2; }; module_root=$2; shift 2 ;;
    --module=*) module_root=${1#--module=}; shift ;;
    --so) [ $# -ge 2 ] || { usage >&2; exit 2; }; own_so=$2; shift 2 ;;
    --so=*) own_so=${1#--so=}; shift ;;
    --dry-run) dry_run=yes; shift ;;
    --uninstall) uninstall=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$prog: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

for tool in unzip sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' is needed (dnf/yum/apt-get install $tool)"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spectrocoin-install.XXXXXX") || die "cannot create a temp folder"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# ---------------------------------------------------------------------------------------------
# The release in this folder: one version of the extension zips, the module zip, SHA256SUMS.
version=
if [ -z "$own_so" ] || [ -n "$module_root" ]; then
  for z in "$here"/php_spectrocoin-*.zip "$here"/spectrocoin-whmcs-*.zip; do
    [ -e "$z" ] || continue
    v=${z##*/}
    case $v in
      php_spectrocoin-*) v=${v#php_spectrocoin-}; v=${v%%_php*} ;;
      *) v=${v#spectrocoin-whmcs-}; v=${v%.zip} ;;
    esac
    if [ -z "$version" ]; then
      version=$v
    elif [ "$version" != "$v" ]; then
      die "$here holds zips of several versions ($version, $v): keep one release per folder"
    fi
  done
fi

if [ -z "$version" ] && [ -z "$own_so" ] && [ "$uninstall" = no ]; then
  die "no php_spectrocoin-*.zip or spectrocoin-whmcs-*.zip in $here: keep install.sh next to the release files"
fi

# Refuses a zip whose SHA256SUMS line is missing or does not match: a truncated download or a
# swapped file must never reach a PHP.
verify_checksum() { # zip path
  name=${1##*/}
  [ -f "$here/SHA256SUMS" ] || die "no SHA256SUMS next to $name in $here: download it from the same release"
  grep -E "^[0-9a-f]{64} [ *]$name\$" "$here/SHA256SUMS" > "$tmp/sum.line"
  [ -s "$tmp/sum.line" ] || die "SHA256SUMS in $here has no line for $name"
  (cd "$here" && sha256sum -c --status "$tmp/sum.line") \
    || die "checksum mismatch for $name (SHA256SUMS says $(cut -c1-64 "$tmp/sum.line"), the file is $(sha256sum "$1" | cut -c1-64)): download it again"
}

# ---------------------------------------------------------------------------------------------
# PHP stacks. stack_of prints the stack a PHP binary belongs to by its path.
stack_of() {
  case ${1#"$root"} in
    /opt/cpanel/ea-php[0-9][0-9]/root/usr/bin/php*) echo ea ;;
    /opt/alt/php[0-9][0-9]/usr/bin/php*) echo alt ;;
    /opt/plesk/php/[0-9].[0-9]*/bin/php*) echo plesk ;;
    /usr/bin/php[0-9].[0-9]) echo debian ;;
    *) echo other ;;
  esac
}

discover() {
  found=no
  for p in "$root"/usr/bin/php[0-9].[0-9] \
           "$root"/opt/cpanel/ea-php[0-9][0-9]/root/usr/bin/php \
           "$root"/opt/alt/php[0-9][0-9]/usr/bin/php \
           "$root"/opt/plesk/php/[0-9].[0-9]/bin/php; do
    [ -x "$p" ] && { echo "$p"; found=yes; }
  done
  # A PHP of none of the stacks above (own build in /usr/local): the one on PATH.
  if [ $found = no ] && [ -z "$root" ] && command -v php >/dev/null 2>&1; then
    command -v php
  fi
}

# Asks the PHP itself; never guesses its paths. Output: key=value lines in $tmp/probe.
probe() { # php
  "$1" -d display_errors=stderr -d display_startup_errors=0 -r '
    $scan = getenv("PHP_INI_SCAN_DIR");
    if ($scan === false) { $scan = PHP_CONFIG_FILE_SCAN_DIR; }
    $dirs = array_values(array_filter(explode(PATH_SEPARATOR, $scan), "strlen"));
    echo "version=", PHP_VERSION, "\nmm=", PHP_MAJOR_VERSION, ".", PHP_MINOR_VERSION,
      "\nzts=", PHP_ZTS, "\ndebug=", PHP_DEBUG, "\nmachine=", php_uname("m"),
      "\nintsize=", PHP_INT_SIZE, "\nos=", PHP_OS_FAMILY,
      "\nmusl=", glob("/lib/ld-musl-*") ? 1 : 0,
      "\nextdir=", ini_get("extension_dir"), "\nscandir=", $dirs ? $dirs[0] : "",
      "\nloaded=", extension_loaded("spectrocoin") ? 1 : 0, "\n";' > "$tmp/probe" 2> "$tmp/probe.err"
}
field() { sed -n "s/^$1=//p" "$tmp/probe" | head -n 1; }

# What the PIE naming convention calls this PHP: php_{ext}-{ver}_php{mm}-{arch}-{os}-{libc}[-debug][-zts].zip
describe_php() {
  p_version=$(field version); p_mm=$(field mm); p_extdir=$(field extdir); p_scandir=$(field scandir)
  p_loaded=$(field loaded)
  case $(field machine) in
    x86_64|amd64) p_arch=x86_64 ;;
    aarch64|arm64) p_arch=arm64 ;;
    *) p_arch=$(field machine) ;;
  esac
  [ "$(field intsize)" = 8 ] || p_arch="$p_arch-32bit"
  p_os=$(field os | tr 'A-Z' 'a-z')
  p_libc=glibc; [ "$(field musl)" = 1 ] && p_libc=musl
  p_suffix=
  [ "$(field debug)" = 1 ] && p_suffix="$p_suffix-debug"
  [ "$(field zts)" = 1 ] && p_suffix="$p_suffix-zts"
  p_threading=NTS; [ "$(field zts)" = 1 ] && p_threading=ZTS
  p_debug=; [ "$(field debug)" = 1 ] && p_debug=", debug build"
  p_summary="PHP $p_version, $p_threading$p_debug, $p_arch, $p_os-$p_libc"
}

# Where each stack's development files and restart command live (../shared/docs/distribution.md).
php_config_for() { # php stack mm
  xy=$(echo "$3" | tr -d .)
  case $2 in
    debian) echo "/usr/bin/php-config$3 (apt-get install php$3-dev)" ;;
    ea) echo "/opt/cpanel/ea-php$xy/root/usr/bin/php-config (dnf install ea-php$xy-php-devel)" ;;
    alt) echo "/opt/alt/php$xy/usr/bin/php-config (dnf install alt-php$xy-devel)" ;;
    plesk) echo "/opt/plesk/php/$3/bin/php-config (Plesk: the plesk-php$xy-dev / plesk-php$xy-devel package)" ;;
    *) echo "$(dirname "$1")/php-config (this PHP's -dev/-devel package)" ;;
  esac
}

restart_hint() { # stack mm
  xy=$(echo "$2" | tr -d .)
  case $1 in
    debian)
      said=no
      if [ -x "$root/usr/sbin/php-fpm$2" ]; then echo "  systemctl restart php$2-fpm"; said=yes; fi
      if [ -d "$root/etc/php/$2/apache2" ]; then echo "  systemctl restart apache2    (mod_php)"; said=yes; fi
      [ $said = yes ] || echo "  (no php$2-fpm or Apache mod_php found: the CLI picks it up now)" ;;
    ea)
      echo "  /scripts/restartsrv_apache_php_fpm    (PHP-FPM; or: systemctl restart ea-php$xy-php-fpm)"
      echo "  /scripts/restartsrv_httpd             (if ea-php$xy runs under Apache: suPHP, CGI, lsapi)" ;;
    alt)
      echo "  cagefsctl --rebuild-alt-php-ini       (CloudLinux PHP Selector with CageFS)"
      echo "  then restart the web server or PHP handler that uses alt-php$xy, e.g. systemctl restart httpd" ;;
    plesk)
      echo "  systemctl restart plesk-php$xy-fpm" ;;
    *)
      echo "  restart the PHP-FPM service or web server that runs this PHP" ;;
  esac
}

no_build_message() { # php stack wanted
  cfg=$(php_config_for "$1" "$2" "$p_mm")
  cat >&2 <<EOF
$prog: no prebuilt build for $1 ($p_summary).
  wanted:    $3
  available: $(cd "$here" && ls php_spectrocoin-*.zip 2>/dev/null | tr '\n' ' ' | grep . || echo "(none in $here)")
  Prebuilt builds exist for PHP 8.2 and 8.4, NTS, x86_64, Linux glibc >= 2.28. For this PHP,
  build from the project's source (Rust >= 1.88, clang, perl, make) with this PHP's
  development files ${cfg#* }, then install that build with this script:
    make release PHP=$1 PHP_CONFIG=${cfg%% *} FEATURES=vendored-openssl
    sudo sh $here/$prog --php $1 --so target/release/libspectrocoin.so
EOF
}

# ---------------------------------------------------------------------------------------------
# Atomic placement: copy beside the target, then rename. A running PHP-FPM keeps the old .so
# mapped; overwriting it in place would crash its workers.
place() { # src dst mode
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    echo "  unchanged: $2"
    return 0
  fi
  act cp "$1" "$2.spectrocoin-new"
  act chmod "$3" "$2.spectrocoin-new"
  act mv -f "$2.spectrocoin-new" "$2"
  [ "$dry_run" = yes ] || echo "  installed: $2"
}

remove() { # path
  if [ -e "$1" ] || [ -L "$1" ]; then
    act rm -f "$1"
    [ "$dry_run" = yes ] || echo "  removed: $1"
  fi
}

# The ini this script writes; the marker line lets uninstall tell it from a hand-written one.
write_ini() { # file priority
  {
    echo "; SpectroCoin payments for WHMCS $version, written by install.sh (remove: sh install.sh --uninstall)"
    echo "; priority=$2"
    echo "extension=spectrocoin.so"
  } > "$1"
}

debian_sapis() { # mm
  for d in "$root/etc/php/$1"/*/conf.d; do
    [ -d "$d" ] && { s=${d%/conf.d}; echo "${s##*/}"; }
  done
}

# Debian: mods-available + phpenmod (or, under a test root or without phpenmod, the same symlinks
# phpenmod makes: /etc/php/X.Y/<sapi>/conf.d/20-spectrocoin.ini).
use_phpenmod() { [ -z "$root" ] && command -v phpenmod >/dev/null 2>&1; }

enable_debian() { # mm
  if use_phpenmod; then
    act phpenmod -v "$1" -s ALL spectrocoin
  else
    for s in $(debian_sapis "$1"); do
      link="$root/etc/php/$1/$s/conf.d/20-spectrocoin.ini"
      [ -L "$link" ] && [ "$(readlink "$link")" = "$root/etc/php/$1/mods-available/spectrocoin.ini" ] && continue
      act ln -sfn "$root/etc/php/$1/mods-available/spectrocoin.ini" "$link"
    done
  fi
}

disable_debian() { # mm
  if use_phpenmod; then
    act phpdismod -p -v "$1" -s ALL spectrocoin
  fi
  for s in $(debian_sapis "$1"); do
    remove "$root/etc/php/$1/$s/conf.d/20-spectrocoin.ini"
    # phpdismod -p purges the state of the last SAPI only (Debian php-common 93/96) and leaves
    # disabled_by_admin/spectrocoin behind for the others; the state folders phpenmod made for
    # us go when empty.
    for st in enabled_by_admin disabled_by_admin enabled_by_maint disabled_by_maint; do
      d="$root/var/lib/php/modules/$1/$s/$st"
      [ -d "$d" ] || continue
      remove "$d/spectrocoin"
      [ "$dry_run" = yes ] || rmdir "$d" 2>/dev/null || true
    done
  done
}

ini_path() { # stack mm scandir
  if [ "$1" = debian ] && [ -d "$root/etc/php/$2/mods-available" ]; then
    echo "$root/etc/php/$2/mods-available/spectrocoin.ini"
  elif [ -n "$3" ]; then
    echo "$3/spectrocoin.ini"
  fi
}

# Loads a .so into the PHP with no ini at all (-n): proves it fits before anything is changed.
preflight() { # php so
  "$1" -n -d extension="$2" -r 'echo spectrocoin_info()["version"];' > "$tmp/pre.out" 2>&1
}

# With the PHP's own configuration, as PHP-FPM will read it after the restart.
loaded_version() { # php
  "$1" -d display_errors=stderr -r 'echo extension_loaded("spectrocoin") ? spectrocoin_info()["version"] : "not-loaded";' 2>"$tmp/verify.err"
}

install_into() { # php
  php=$1
  stack=$(stack_of "$php")
  probe "$php" || { sed 's/^/  /' "$tmp/probe.err" >&2; die "$php did not run: $(head -c 300 "$tmp/probe.err")"; }
  describe_php
  say "$php: $p_summary ($stack)"

  if [ -n "$own_so" ]; then
    [ -f "$own_so" ] || die "--so $own_so: no such file"
    so_src=$own_so
    expect=
  else
    wanted="php_spectrocoin-${version}_php${p_mm}-${p_arch}-${p_os}-${p_libc}${p_suffix}.zip"
    if [ -z "$version" ] || [ ! -f "$here/$wanted" ]; then
      no_build_message "$php" "$stack" "$wanted"
      return 3
    fi
    verify_checksum "$here/$wanted"
    echo "  $wanted: checksum OK"
    rm -rf "$tmp/ext" && mkdir "$tmp/ext"
    unzip -q -o "$here/$wanted" spectrocoin.so -d "$tmp/ext" 2>"$tmp/unzip.err" \
      || die "$wanted: cannot extract spectrocoin.so ($(cat "$tmp/unzip.err"))"
    so_src=$tmp/ext/spectrocoin.so
    expect=$version
  fi

  if ! preflight "$php" "$so_src"; then
    die "$php refuses $so_src, nothing was installed:
$(sed 's/^/  /' "$tmp/pre.out" | head -n 5)"
  fi
  got=$(cat "$tmp/pre.out")
  [ -z "$expect" ] || [ "$got" = "$expect" ] \
    || die "$so_src reports version '$got', expected $expect; nothing was installed"
  [ -n "$expect" ] || expect=$got
  echo "  test load (php -n): spectrocoin $got loads in this PHP"

  [ -n "$p_extdir" ] || die "$php reports no extension_dir"
  [ -d "$p_extdir" ] || die "$php's extension_dir $p_extdir does not exist"
  ini=$(ini_path "$stack" "$p_mm" "$p_scandir")
  [ -n "$ini" ] || die "$php reads no ini scan directory ('php --ini'); add extension=spectrocoin.so to its php.ini by hand"
  [ -d "${ini%/*}" ] || die "$php's ini directory ${ini%/*} does not exist"
  # Loaded by some other ini (e.g. a hand-edited php.ini): a second extension= line would make
  # PHP warn "Module already loaded" on every request.
  if [ "$p_loaded" = 1 ] && [ ! -f "$ini" ]; then
    die "$php already loads spectrocoin from another ini (see '$php --ini'); remove that extension= line first, or install by hand"
  fi

  write_ini "$tmp/spectrocoin.ini" 20
  had_so=no; [ -f "$p_extdir/spectrocoin.so" ] && { had_so=yes; cp -p "$p_extdir/spectrocoin.so" "$tmp/old.so"; }
  had_ini=no; [ -f "$ini" ] && { had_ini=yes; cp -p "$ini" "$tmp/old.ini"; }
  [ "$dry_run" = yes ] || armed=yes
  place "$so_src" "$p_extdir/spectrocoin.so" 0644
  place "$tmp/spectrocoin.ini" "$ini" 0644
  [ "$stack" = debian ] && [ "${ini%/mods-available/*}" != "$ini" ] && enable_debian "$p_mm"

  if [ "$dry_run" = yes ]; then
    echo "  would verify: $php -r 'spectrocoin_info()' reports $expect"
  else
    got=$(loaded_version "$php")
    if [ "$got" != "$expect" ]; then
      die "$php does not load the installed extension (got '$got'; $(head -c 300 "$tmp/verify.err"))"
    fi
    armed=no
    say "verified: $php loads spectrocoin $got"
  fi
  echo "  restart the web server's PHP to load it:"
  restart_hint "$stack" "$p_mm"
  return 0
}

# Puts the PHP being installed into back as it was: no PHP is left loading a half-installed extension.
restore_previous() {
  if [ "$had_so" = yes ]; then mv -f "$tmp/old.so" "$p_extdir/spectrocoin.so"; else rm -f "$p_extdir/spectrocoin.so"; fi
  rm -f "$p_extdir/spectrocoin.so.spectrocoin-new" "$ini.spectrocoin-new"
  if [ "$had_ini" = yes ]; then mv -f "$tmp/old.ini" "$ini"; else
    rm -f "$ini"
    if [ "$stack" = debian ]; then disable_debian "$p_mm" >/dev/null 2>&1; fi
  fi
}

uninstall_from() { # php
  php=$1
  stack=$(stack_of "$php")
  probe "$php" || die "$php did not run: $(head -c 300 "$tmp/probe.err")"
  describe_php
  say "$php: $p_summary ($stack)"
  ini=$(ini_path "$stack" "$p_mm" "$p_scandir")
  found=no
  if [ -n "$ini" ] && [ -f "$ini" ]; then
    grep -q 'written by install.sh' "$ini" \
      || die "$ini was not written by install.sh; remove it by hand if it is yours"
    found=yes
    [ "$stack" = debian ] && [ "${ini%/mods-available/*}" != "$ini" ] && disable_debian "$p_mm"
    remove "$ini"
  fi
  if [ -n "$p_extdir" ] && [ -f "$p_extdir/spectrocoin.so" ]; then
    found=yes
    remove "$p_extdir/spectrocoin.so"
  fi
  if [ $found = no ]; then
    echo "  nothing installed here"
    return 0
  fi
  if [ "$dry_run" = no ]; then
    got=$(loaded_version "$php")
    [ "$got" = not-loaded ] || die "$php still loads spectrocoin ($got) from another ini: see '$php --ini'"
    say "verified: $php no longer loads spectrocoin"
  fi
  echo "  restart the web server's PHP:"
  restart_hint "$stack" "$p_mm"
}

# ---------------------------------------------------------------------------------------------
# The WHMCS module: modules/gateways/spectrocoin.php, modules/gateways/spectrocoin/…,
# modules/gateways/callback/spectrocoin.php, and the optional addon modules/addons/spectrocoinops/.
# WHMCS core files are never touched.
module_files() { unzip -Z1 "$1" | grep -v '/$'; }
# Every folder the files sit in, parents first.
module_dirs() { sed -n 's|/[^/]*$||p' "$1" | sort -u | while IFS= read -r d; do
  while [ -n "$d" ]; do echo "$d"; case $d in */*) d=${d%/*} ;; *) d= ;; esac; done
done | sort -u; }

# Checked before any PHP is touched, so a wrong --module path changes nothing.
module_check() {
  [ -n "$version" ] || die "no spectrocoin-whmcs-*.zip in $here"
  mzip=$here/spectrocoin-whmcs-$version.zip
  [ -f "$mzip" ] || die "no spectrocoin-whmcs-$version.zip in $here"
  [ -f "$module_root/init.php" ] && [ -d "$module_root/modules/gateways" ] \
    || die "$module_root is not a WHMCS root (no init.php and modules/gateways/ there)"
  [ "$uninstall" = yes ] || verify_checksum "$mzip"
}

module() {
  rm -rf "$tmp/mod" && mkdir "$tmp/mod"
  unzip -q "$mzip" -d "$tmp/mod" || die "cannot extract $mzip"
  module_files "$mzip" > "$tmp/mod.list"
  grep -Eqv '^modules/(gateways|addons/spectrocoinops)/' "$tmp/mod.list" \
    && die "$mzip holds files outside modules/gateways/ and modules/addons/spectrocoinops/"
  say "WHMCS module in $module_root"
  # Files take the owner of modules/gateways, so a per-account PHP (suPHP, lsapi) may run them.
  owner=$(stat -c %u:%g "$module_root/modules/gateways")
  if [ "$uninstall" = yes ]; then
    while IFS= read -r f; do remove "$module_root/$f"; done < "$tmp/mod.list"
    # Our own folders only, deepest first; one holding files of the merchant's stays.
    for d in $(module_dirs "$tmp/mod.list" | sort -r); do
      case $d in modules|modules/gateways|modules/gateways/callback|modules/addons) continue ;; esac
      [ -d "$module_root/$d" ] || continue
      if [ "$dry_run" = yes ]; then echo "  would run: rmdir $module_root/$d"
      else rmdir "$module_root/$d" 2>/dev/null && echo "  removed: $module_root/$d/"; fi
    done
    echo "  deactivate the gateway (Setup > Payments > Payment Gateways) and the addon SpectroCoin Operations (Setup > Addon Modules) in WHMCS before removing them"
    return 0
  fi
  for d in $(module_dirs "$tmp/mod.list"); do
    [ -d "$module_root/$d" ] || { act mkdir -p "$module_root/$d"; [ "$(id -u)" = 0 ] && act chown "$owner" "$module_root/$d"; }
  done
  while IFS= read -r f; do
    place "$tmp/mod/$f" "$module_root/$f" 0644
    [ "$(id -u)" = 0 ] && [ "$dry_run" = no ] && act chown "$owner" "$module_root/$f"
  done < "$tmp/mod.list"
  echo "  activate it in WHMCS: Setup > Payments > Payment Gateways > All Payment Gateways > SpectroCoin (Bitcoin)"
  echo "  recommended: Setup > Addon Modules > SpectroCoin Operations (recovers lost callbacks on WHMCS's cron)"
}

# ---------------------------------------------------------------------------------------------
[ "$dry_run" = yes ] && say "dry run: nothing will be changed"
if [ -n "$php_args" ]; then
  printf '%s\n' "$php_args" | sed '/^$/d' > "$tmp/phps"
else
  discover > "$tmp/phps"
  [ -s "$tmp/phps" ] || die "no PHP found (looked for ${root:-}/usr/bin/php8.x, /opt/cpanel/ea-phpXY, /opt/alt/phpXY, /opt/plesk/php/X.Y): name one with --php /path/to/php"
fi

[ -z "$module_root" ] || module_check
installed=0
missing=0
while IFS= read -r php; do
  [ -x "$php" ] || die "$php: not an executable PHP"
  if [ "$uninstall" = yes ]; then
    uninstall_from "$php"
  else
    install_into "$php" </dev/null
    case $? in
      0) installed=$((installed + 1)) ;;
      3) missing=$((missing + 1)) ;;
      *) exit 1 ;;
    esac
  fi
done < "$tmp/phps"

[ -z "$module_root" ] || module

if [ "$uninstall" = no ] && [ $missing -gt 0 ]; then
  [ $installed -gt 0 ] || die "no prebuilt build matches any PHP found (see above)"
  say "installed for $installed PHP(s); $missing PHP(s) above have no prebuilt build"
  exit 3
fi
exit 0
