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
        // With it came the exceptions' getFailure(), which Pay Now and callbacks call.
        'spectrocoin_describe_key',
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

    /**
     * One short line for the admin config page: "Loaded: version 0.9.0 for PHP 8.2 (API 20220829,
     * NTS), OpenSSL 3.0.17." or "NOT AVAILABLE: …" with the short reason; problem() has the long one.
     */
    public static function statusLine(): string
    {
        if (!extension_loaded(self::NAME)) {
            return 'NOT AVAILABLE: not loaded in this PHP (' . self::runtime() . '). Install spectrocoin.so built for it and restart PHP.';
        }
        if (self::problem() !== null) {
            return 'NOT AVAILABLE: an old build is loaded (' . (string) phpversion(self::NAME) . '); install the one that ships with this module.';
        }
        $info = self::info();
        $for = isset($info['phpVersion']) ? ' for PHP ' . implode('.', array_slice(explode('.', (string) $info['phpVersion']), 0, 2)) : '';
        $build = array_values(array_filter([isset($info['phpApi']) ? 'API ' . $info['phpApi'] : null, $info['threading'] ?? null]));
        return 'Loaded: version ' . ($info['version'] ?? phpversion(self::NAME)) . $for . ($build !== [] ? ' (' . implode(', ', $build) . ')' : '')
            . (isset($info['openssl']) ? ', ' . implode(' ', array_slice(explode(' ', (string) $info['openssl']), 0, 2)) : '') . '.';
    }
}
