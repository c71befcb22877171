<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/** The steps of init.php that need more than one line. */
final class Boot
{
    /** Reads configuration.php into globals, as WHMCS does (modules may `global $cc_encryption_hash`). */
    public static function configuration(): void
    {
        $read = static function (): array {
            require ROOTDIR . '/configuration.php';
            return get_defined_vars();
        };
        foreach ($read() as $name => $value) {
            $GLOBALS[$name] = $value;
        }
        if (($GLOBALS['db_name'] ?? '') === '') {
            self::fail('configuration.php: no database name (set WHMCS_DB_NAME)');
        }
    }

    public static function database(): void
    {
        $capsule = new Capsule();
        $config = [
            'driver' => 'mysql',
            'host' => $GLOBALS['db_host'],
            'database' => $GLOBALS['db_name'],
            'username' => $GLOBALS['db_username'],
            'password' => $GLOBALS['db_password'],
            'charset' => $GLOBALS['mysql_charset'],
            'collation' => 'utf8mb4_unicode_ci',
            'prefix' => '',
            // WHMCS requires MySQL strict mode off (system requirements; SpectroCoin's
            // real-WHMCS harness ran with sql_mode=''): over-long text is truncated with a
            // warning and zero dates are accepted, not refused. Laravel sets exactly this list.
            'modes' => [],
        ];
        if ($GLOBALS['db_socket'] !== '') {
            $config['unix_socket'] = $GLOBALS['db_socket'];
        }
        if ($GLOBALS['db_port'] !== '') {
            $config['port'] = $GLOBALS['db_port'];
        }
        $capsule->addConnection($config);
        $capsule->setAsGlobal();
        try {
            Capsule::connection()->getPdo();
        } catch (\Throwable $e) {
            self::fail('cannot connect to the database: ' . $e->getMessage());
        }
    }

    public static function session(): void
    {
        if (PHP_SAPI === 'cli' || session_status() === PHP_SESSION_ACTIVE) {
            return;
        }
        $dir = $GLOBALS['standin_session_dir'];
        if ($dir !== '') {
            if (!is_dir($dir)) {
                @mkdir($dir, 0700, true);
            }
            session_save_path($dir);
        }
        session_name('WHMCSStandIn');
        session_start();
        // WHMCS's language switch: `?language=NAME` on a client page is kept for the session.
        $language = strtolower((string) ($_GET['language'] ?? ''));
        if (preg_match('/^[a-z]{2,32}$/', $language)) {
            $_SESSION['Language'] = $language;
        }
    }

    private static function fail(string $message): void
    {
        if (PHP_SAPI !== 'cli') {
            http_response_code(500);
        }
        fwrite(STDERR, "WHMCS stand-in: $message\n");
        exit("WHMCS stand-in: " . htmlspecialchars($message) . "\n");
    }
}
