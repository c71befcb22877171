<?php

declare(strict_types=1);

/*
 * make sandbox: MariaDB + WHMCS stand-in (127.0.0.1:8180) + SpectroCoin simulator
 * (127.0.0.1:8181), the gateway installed and configured; runs until Ctrl-C / SIGTERM.
 *
 *   php tests/bin/sandbox.php [--site-port=N] [--sim-port=N] [--no-extension] [--no-simulator]
 *   env: SANDBOX_SITE_PORT, SANDBOX_SIM_PORT, SPECTROCOIN_EXT
 */

require __DIR__ . '/../bootstrap.php';

use Testbed\Sandbox;

$options = getopt('', ['site-port:', 'sim-port:', 'no-extension', 'no-simulator', 'help']);
if (isset($options['help'])) {
    echo "usage: php tests/bin/sandbox.php [--site-port=8180] [--sim-port=8181] [--no-extension] [--no-simulator]\n";
    exit(0);
}
$sitePort = (int) ($options['site-port'] ?? getenv('SANDBOX_SITE_PORT') ?: 8180);
$simPort = (int) ($options['sim-port'] ?? getenv('SANDBOX_SIM_PORT') ?: 8181);

// Signals first, so our handler (not a library default) decides how to stop.
$stopRequested = false;
if (function_exists('pcntl_async_signals')) {
    pcntl_async_signals(true);
    foreach ([SIGINT, SIGTERM, SIGHUP] as $signal) {
        pcntl_signal($signal, static function () use (&$stopRequested): void {
            $stopRequested = true;
        });
    }
} else {
    fwrite(STDERR, "pcntl is missing: stop with Ctrl-C; child servers are stopped at shutdown where possible\n");
}

$sandbox = new Sandbox(
    sitePort: $sitePort,
    simulatorPort: $simPort,
    extension: isset($options['no-extension']) ? '' : null,
    withSimulator: !isset($options['no-simulator']),
);
register_shutdown_function(static function () use ($sandbox): void {
    $sandbox->stop();
});

$started = microtime(true);
try {
    $sandbox->start();
} catch (\Throwable $e) {
    fwrite(STDERR, 'sandbox failed to start: ' . $e->getMessage() . "\n");
    exit(1);
}
printf("Sandbox up in %.1fs\n\n%s\nPress Ctrl-C to stop.\n", microtime(true) - $started, $sandbox->summary());

while (!$stopRequested) {
    usleep(250_000);
    if (!$sandbox->isHealthy()) {
        fwrite(STDERR, "a sandbox server died; stopping (see the logs above)\n");
        $sandbox->stop();
        exit(1);
    }
}
echo "\nStopping...\n";
$sandbox->stop();
echo "Stopped.\n";
exit(0);
