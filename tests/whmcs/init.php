<?php
/**
 * WHMCS stand-in bootstrap, required by every page and by gateway callbacks
 * (`require __DIR__ . '/../../../init.php'`).
 *
 * Like WHMCS' init.php it defines WHMCS and ROOTDIR, boots WHMCS\Database\Capsule, rewrites
 * the request superglobals (htmlspecialchars, NUL bytes, odd keys), starts the session and
 * loads the global helper functions and hooks. php://input is left raw.
 */

if (defined('WHMCS')) {
    return;
}
define('WHMCS', true);
define('ROOTDIR', __DIR__);

date_default_timezone_set('UTC');

// Laravel's database component as packaged by Debian (php-illuminate-database); its
// autoloader pulls in Illuminate/Support etc. through the include_path.
if (!class_exists(\Illuminate\Database\Capsule\Manager::class)) {
    $illuminate = '/usr/share/php/Illuminate/Database/autoload.php';
    if (!is_file($illuminate)) {
        http_response_code(500);
        exit("WHMCS stand-in: $illuminate is missing (install php-illuminate-database)\n");
    }
    require_once $illuminate;
}

spl_autoload_register(static function (string $class): void {
    $path = null;
    if (strncmp($class, 'StandIn\\', 8) === 0) {
        $path = ROOTDIR . '/includes/standin/' . str_replace('\\', '/', substr($class, 8)) . '.php';
    } elseif (preg_match('/^WHMCS\\\\Module\\\\(Gateway|Addon)\\\\([A-Za-z0-9_]+)\\\\(.+)$/', $class, $m)) {
        // A gateway's or addon's lib/ folder: WHMCS\Module\Gateway\NAME\Foo =>
        // modules/gateways/name/lib/Foo.php, WHMCS\Module\Addon\NAME\Foo => modules/addons/name/lib/Foo.php
        // (WHMCS's sample addon uses WHMCS\Module\Addon\AddonModule\… from modules/addons/addonmodule/lib
        // without requiring it).
        $type = $m[1] === 'Gateway' ? 'gateways' : 'addons';
        $rel = str_replace('\\', '/', $m[3]) . '.php';
        foreach ([$m[2], strtolower($m[2])] as $dir) {
            $candidate = ROOTDIR . '/modules/' . $type . '/' . $dir . '/lib/' . $rel;
            if (is_file($candidate)) {
                $path = $candidate;
                break;
            }
        }
    } elseif (strncmp($class, 'WHMCS\\', 6) === 0) {
        $path = ROOTDIR . '/includes/classes/' . str_replace('\\', '/', $class) . '.php';
    }
    if ($path !== null && is_file($path)) {
        require_once $path;
    }
});

\StandIn\Boot::configuration();
\StandIn\Boot::database();
\StandIn\InputFilter::applyToSuperglobals();
\StandIn\Boot::session();

require_once ROOTDIR . '/includes/functions.php';
require_once ROOTDIR . '/includes/dbfunctions.php';

\StandIn\Hooks::loadHookFiles();
