<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/** Tiny HTML layout and session helpers for the stand-in's pages. */
final class Page
{
    public static function e($value): string
    {
        return htmlspecialchars((string) $value, ENT_QUOTES);
    }

    public static function render(string $title, string $body, int $status = 200): void
    {
        http_response_code($status);
        header('Content-Type: text/html; charset=utf-8');
        $company = self::e(Config::companyName());
        $who = '';
        if (Auth::clientId() > 0) {
            $who = 'Client #' . Auth::clientId() . ' · <a href="' . self::e(Config::systemUrl()) . 'logout.php">Logout</a>';
        }
        echo "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" . self::e($title) . " - $company</title>"
            . '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}'
            . '.alert{padding:8px;margin:8px 0;border:1px solid}.alert-success{background:#dfd}.alert-danger{background:#fdd}'
            . '.alert-info{background:#def}.alert-warning{background:#ffd}</style></head><body>'
            . "<header><strong>$company</strong> <small>(WHMCS stand-in)</small> $who</header><hr>\n"
            . $body . "\n</body></html>\n";
    }

    public static function redirect(string $location): void
    {
        header('Location: ' . $location, true, 302);
    }

    public static function clientId(): int
    {
        return Auth::clientId();
    }

    public static function adminId(): int
    {
        return (int) ($_SESSION['adminid'] ?? 0);
    }

    /** Admin pages: redirect to admin/login.php unless an admin is logged in. */
    public static function requireAdmin(): bool
    {
        if (self::adminId() > 0 && Capsule::table('tbladmins')->where('id', self::adminId())->where('disabled', 0)->exists()) {
            return true;
        }
        self::redirect(Config::systemUrl() . 'admin/login.php');
        return false;
    }

    /** Raw request value: undoes init.php's entity encoding for the stand-in's own forms. */
    public static function raw(array $source, string $key, $default = '')
    {
        if (!array_key_exists($key, $source)) {
            return $default;
        }
        return self::decode($source[$key]);
    }

    public static function decode($value)
    {
        if (is_array($value)) {
            return array_map([self::class, 'decode'], $value);
        }
        return is_string($value) ? html_entity_decode($value, ENT_QUOTES) : $value;
    }
}
