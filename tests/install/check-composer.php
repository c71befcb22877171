<?php
// Checks composer.json's PIE metadata against the keys and values PIE documents
// (../shared/docs/distribution.md; php/pie resources/composer-json-php-ext-schema.json) and against
// what make dist really ships. Usage: php check-composer.php composer.json Cargo.toml dist/
// Prints one PASS/FAIL line per check; exits 1 if any failed.

[$composerPath, $cargoPath, $distDir] = array_slice($argv, 1) + [null, null, null];
$failures = 0;
function check(string $name, bool $ok, string $detail = ''): void
{
    global $failures;
    echo ($ok ? 'PASS' : 'FAIL'), " composer.json: $name", ($ok || $detail === '' ? '' : " ($detail)"), "\n";
    $failures += $ok ? 0 : 1;
}

$json = json_decode((string) file_get_contents($composerPath), true);
check('parses as a JSON object', is_array($json), json_last_error_msg());
$json = is_array($json) ? $json : [];
$cargo = (string) file_get_contents($cargoPath);
preg_match('/^license\s*=\s*"([^"]+)"/m', $cargo, $license);
preg_match('/^version\s*=\s*"([^"]+)"/m', $cargo, $version);

check('type is php-ext', ($json['type'] ?? null) === 'php-ext');
check('name is vendor/name', is_string($json['name'] ?? null) && preg_match('~^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$~', $json['name']) === 1);
check('license is the one in Cargo.toml', ($json['license'] ?? null) === ($license[1] ?? ''), 'Cargo.toml: ' . ($license[1] ?? '?'));
check('has a description', is_string($json['description'] ?? null) && $json['description'] !== '');

$ext = $json['php-ext'] ?? null;
check('has a php-ext object', is_array($ext));
$ext = is_array($ext) ? $ext : [];
$documented = ['extension-name', 'priority', 'support-zts', 'support-nts', 'build-path', 'download-url-method',
    'override-download-url-method', 'os-families', 'os-families-exclude', 'configure-options'];
$unknown = array_diff(array_keys($ext), $documented);
check('php-ext has only documented keys', $unknown === [], implode(', ', $unknown));
check('extension-name is spectrocoin', ($ext['extension-name'] ?? null) === 'spectrocoin');
check('priority is an integer 10-99', !isset($ext['priority']) || (is_int($ext['priority']) && $ext['priority'] >= 10 && $ext['priority'] <= 99));
check('support-zts is false (the builds are NTS)', ($ext['support-zts'] ?? true) === false);
check('support-nts is true', ($ext['support-nts'] ?? true) === true);
$methods = $ext['download-url-method'] ?? null;
check('download-url-method is ["pre-packaged-binary"]', $methods === ['pre-packaged-binary']);

check('os-families is ["linux"]', ($ext['os-families'] ?? null) === ['linux']);
check('not both os-families and os-families-exclude', !(isset($ext['os-families']) && isset($ext['os-families-exclude'])));

// Every zip make dist wrote is named as PIE looks for it, and its PHP is allowed by require.php.
$php = (string) ($json['require']['php'] ?? '');
$allowed = [];
foreach (preg_split('/\s*\|\|\s*/', $php) as $alt) {
    if (preg_match('/^~(\d+)\.(\d+)\.0$/', $alt, $m) === 1) {
        $allowed[] = "$m[1].$m[2]";
    }
}
check('require.php lists PHP minors as ~X.Y.0 alternatives', $allowed !== [] && count($allowed) === count(preg_split('/\s*\|\|\s*/', $php)), $php);
$zips = glob(rtrim((string) $distDir, '/') . '/php_*.zip') ?: [];
check('dist/ has extension zips', $zips !== [], (string) $distDir);
$name = $ext['extension-name'] ?? '';
foreach ($zips as $zip) {
    $base = basename($zip);
    $ok = preg_match('/^php_' . preg_quote($name, '/') . '-' . preg_quote($version[1] ?? '', '/')
        . '_php(\d+\.\d+)-(x86_64|arm64)-(linux)-(glibc|musl)(-debug)?(-zts)?\.zip$/', $base, $m) === 1;
    check("$base follows the PIE asset name", $ok);
    if ($ok) {
        check("$base: PHP $m[1] is allowed by require.php", in_array($m[1], $allowed, true), $php);
        check("$base: not ZTS, as support-zts says", !isset($m[6]) || $m[6] === '');
    }
}
foreach ($allowed as $mm) {
    $want = "php_{$name}-" . ($version[1] ?? '') . "_php$mm-x86_64-linux-glibc.zip";
    check("require.php allows PHP $mm and dist/ has $want", is_file("$distDir/$want"));
}
exit($failures === 0 ? 0 : 1);
