<?php

declare(strict_types=1);

/*
 * Background callback dispatcher: delivers due callbacks of one simulator state dir, with the
 * retry/backoff rules of the state's settings, until SIGTERM/SIGINT.
 *
 *   php tests/simulator/dispatcher.php <state-dir> [--interval-ms=200] [--once] [--parent-pid=N]
 *
 * With --parent-pid the loop ends when that process is gone (no orphan after a killed test run).
 * SIM_STATE_DIR is used when no state dir argument is given. Each delivered attempt is printed
 * as one JSON line on stdout.
 */

namespace Sim;

foreach (['Canon', 'Net', 'State', 'Store', 'Keys', 'Flow', 'Callbacks'] as $class) {
    require_once __DIR__ . "/lib/$class.php";
}

$args = array_slice($argv, 1);
$dir = getenv('SIM_STATE_DIR') ?: null;
$intervalMs = 200;
$once = false;
$parentPid = 0;
foreach ($args as $arg) {
    if (str_starts_with($arg, '--parent-pid=')) {
        $parentPid = (int) substr($arg, 13);
    } elseif ($arg === '--once') {
        $once = true;
    } elseif (str_starts_with($arg, '--interval-ms=')) {
        $intervalMs = max(10, (int) substr($arg, 14));
    } else {
        $dir = $arg;
    }
}
if ($dir === null || $dir === '') {
    fwrite(STDERR, "usage: php dispatcher.php <state-dir> [--interval-ms=200] [--once]\n");
    exit(2);
}

$stop = false;
if (function_exists('pcntl_async_signals')) {
    pcntl_async_signals(true);
    pcntl_signal(SIGTERM, static function () use (&$stop): void {
        $stop = true;
    });
    pcntl_signal(SIGINT, static function () use (&$stop): void {
        $stop = true;
    });
}

$store = new Store($dir);
do {
    foreach (Callbacks::dispatch($store) as $attempt) {
        unset($attempt['body']);
        echo json_encode($attempt, JSON_UNESCAPED_SLASHES), "\n";
    }
    if (!$once && !$stop) {
        usleep($intervalMs * 1000);
    }
    if ($parentPid > 0 && !posix_kill($parentPid, 0)) {
        $stop = true;
    }
} while (!$once && !$stop);
