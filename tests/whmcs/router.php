<?php
/**
 * Router for `php -S`: files are served as a web server would serve a WHMCS root (PHP files
 * executed, static files as-is, directory index.php), with configuration.php, includes/,
 * this router and dotfiles refused.
 */

$path = rawurldecode((string) parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH));
if (str_contains($path, "\0") || preg_match('#(^|/)\.#', $path)
    || preg_match('#^/(configuration\.php|router\.php|includes(/|$))#', $path)) {
    http_response_code(403);
    header('Content-Type: text/plain');
    echo "Forbidden\n";
    return true;
}
$file = __DIR__ . $path;
if (is_file($file) || is_dir($file)) {
    return false;
}
// PATH_INFO style (/x.php/extra) is left to the built-in server; anything else is a 404.
if (preg_match('#^(.+?\.php)/#', $path, $m) && is_file(__DIR__ . $m[1])) {
    return false;
}
http_response_code(404);
header('Content-Type: text/plain');
echo "Not Found: $path\n";
return true;
