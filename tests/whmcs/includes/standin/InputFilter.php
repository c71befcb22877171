<?php

namespace StandIn;

/**
 * WHMCS' request input rewriting (*reported*): every string in $_GET, $_POST, $_REQUEST,
 * $_COOKIE and $_SERVER, at any depth, loses its NUL bytes and goes through
 * htmlspecialchars(ENT_QUOTES); keys with characters outside [A-Za-z0-9_.-] are dropped.
 * A consequence worth knowing: htmlspecialchars() without ENT_SUBSTITUTE turns a string with
 * invalid UTF-8 into ''. php://input is not touched.
 */
final class InputFilter
{
    public static function applyToSuperglobals(): void
    {
        $_GET = self::clean($_GET);
        $_POST = self::clean($_POST);
        $_REQUEST = self::clean($_REQUEST);
        $_COOKIE = self::clean($_COOKIE);
        $_SERVER = self::clean($_SERVER);
    }

    public static function clean(array $input): array
    {
        $out = [];
        foreach ($input as $key => $value) {
            if (is_string($key) && !self::acceptableKey($key)) {
                continue;
            }
            if (is_array($value)) {
                $out[$key] = self::clean($value);
            } elseif (is_string($value)) {
                $out[$key] = htmlspecialchars(str_replace("\0", '', $value), ENT_QUOTES);
            } else {
                $out[$key] = $value;
            }
        }
        return $out;
    }

    private static function acceptableKey(string $key): bool
    {
        return preg_match('/^[A-Za-z0-9_.\-]+$/D', $key) === 1;
    }
}
