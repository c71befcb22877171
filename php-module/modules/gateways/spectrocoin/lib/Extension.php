<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * Whether the spectrocoin PHP extension is usable here. Many hosts cannot load custom extensions,
 * so every entry point asks this first and degrades to a clear message instead of a fatal error.
 */
final class Extension
{
    const NAME = 'spectrocoin';

    /** Functions of the extension's PHP API the module calls. */
    const REQUIRED_FUNCTIONS = [
        'spectrocoin_info',
        'spectrocoin_check_config',
        'spectrocoin_create_order',
        'spectrocoin_order_reusable',
        'spectrocoin_authenticate_callback',
    ];

    /** null when the extension can be used; otherwise why not, for admins. */
    public static function problem(): ?string
    {
        if (!extension_loaded(self::NAME)) {
            return 'The spectrocoin PHP extension is not loaded in this PHP (' . self::runtime() . '). '
                . 'Install the spectrocoin.so built for exactly this PHP version and thread-safety, '
                . 'enable it with extension=spectrocoin.so in the php.ini used by the web server, and restart PHP.';
        }
        $missing = array_values(array_filter(self::REQUIRED_FUNCTIONS, function ($f) {
            return !function_exists($f);
        }));
        if ($missing !== []) {
            return 'The loaded spectrocoin extension lacks ' . implode(', ', $missing)
                . '; install the version that ships with this module.';
        }
        return null;
    }

    /** spectrocoin_info() of the loaded build, or [] when unavailable. */
    public static function info(): array
    {
        if (!extension_loaded(self::NAME) || !function_exists('spectrocoin_info')) {
            return [];
        }
        try {
            $info = \spectrocoin_info();
            return is_array($info) ? $info : [];
        } catch (\Throwable $e) {
            return [];
        }
    }

    /** This PHP, described the way an extension build is matched to it. */
    public static function runtime(): string
    {
        $api = basename((string) ini_get('extension_dir'));
        $parts = ['PHP ' . PHP_VERSION, PHP_ZTS ? 'ZTS' : 'NTS'];
        if (preg_match('/^\d{8}/', $api, $m)) {
            $parts[] = 'API ' . $m[0];
        }
        return implode(', ', $parts);
    }

    /** One line for the admin config page. */
    public static function statusLine(): string
    {
        $problem = self::problem();
        if ($problem !== null) {
            return 'NOT AVAILABLE. ' . $problem;
        }
        $info = self::info();
        $version = $info['version'] ?? phpversion(self::NAME);
        $parts = ['loaded, version ' . $version];
        if (isset($info['phpApi'])) {
            $parts[] = 'built for PHP API ' . $info['phpApi'];
        }
        if (isset($info['phpVersion'])) {
            $parts[] = 'PHP ' . $info['phpVersion'];
        }
        if (isset($info['threading'])) {
            $parts[] = (string) $info['threading'];
        }
        if (isset($info['openssl'])) {
            $parts[] = (string) $info['openssl'];
        }
        return implode('; ', $parts) . ' (running on ' . self::runtime() . ')';
    }
}
