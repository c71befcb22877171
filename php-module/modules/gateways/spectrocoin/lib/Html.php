<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/** HTML output helpers: everything the module prints goes through e(). */
final class Html
{
    public static function e($value): string
    {
        return htmlspecialchars((string) $value, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }

    /** A minimal stand-alone page for the customer (Pay Now errors). */
    public static function page(string $title, string $message, ?string $backUrl = null): string
    {
        $back = $backUrl === null ? ''
            : '<p><a href="' . self::e($backUrl) . '">Back to the invoice</a></p>';
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            . '<meta name="viewport" content="width=device-width, initial-scale=1">'
            . '<title>' . self::e($title) . '</title></head>'
            . '<body style="font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em">'
            . '<h1>' . self::e($title) . '</h1><p>' . self::e($message) . '</p>' . $back
            . "</body></html>\n";
    }
}
