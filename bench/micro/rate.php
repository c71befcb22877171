<?php

declare(strict_types=1);

// One micro benchmark in its own PHP process, the way a PHP-FPM worker calls it across requests:
//   php -d extension=<so> bench/micro/rate.php ext|ref verify|sign <seconds>|n=<count>
// ext: spectrocoin_verify_callback / spectrocoin_order_request (the extension caches the parsed key)
// ref: bench/php-reference (PEM parsed per call, as SpectroCoin's PHP plugins do)
// n=<count>: exactly that many timed operations (for callgrind: instructions per operation are the
// difference of two counts divided by the difference of operations, start-up cancels out).
// serve: slices on demand (bench/run.php's side-by-side protocol): each line "<n>" on stdin runs n
// operations and answers "<cpu_ns> <wall_ns>"; "0" or the end of input stops.
// Prints one JSON line {"impl","op","ops","seconds","rate","cpu_seconds","cpu_rate"}: rate per wall
// second and per second of this process's CPU time (user + system; not counting time the process
// waited for a core that other work on the machine had).

require __DIR__ . '/fixtures.php';

use Bench\Reference\Reference;

[$impl, $op, $how] = [$argv[1] ?? 'ext', $argv[2] ?? 'verify', $argv[3] ?? '1'];
$count = str_starts_with($how, 'n=') ? (int) substr($how, 2) : null;
$seconds = (float) $how;

// $run(n) makes n calls in a plain loop (no closure call per operation: the loop is
// what a worker's request does once, the call is what is measured).
if ($op === 'verify') {
    $body = bench_callback_body();
    if ($impl === 'ext') {
        $merchant = bench_callback_merchant();
        $call = static fn () => spectrocoin_verify_callback($body, $merchant);
        $run = static function (int $n) use ($body, $merchant): void {
            for ($i = 0; $i < $n; $i++) {
                spectrocoin_verify_callback($body, $merchant);
            }
        };
        $check = static fn ($r) => $r['statusName'] === 'EXPIRED' && $r['orderId'] === '275';
    } else {
        $pem = bench_vectors()['spectrocoin_callback_public_key_pem'];
        $call = static fn () => Reference::verifyCallback($body, $pem, '169', '3');
        $run = static function (int $n) use ($body, $pem): void {
            for ($i = 0; $i < $n; $i++) {
                Reference::verifyCallback($body, $pem, '169', '3');
            }
        };
        $check = static fn ($r) => $r['status'] === '5' && $r['orderId'] === '275';
    }
} else {
    $order = bench_order();
    $merchant = bench_order_merchant();
    if ($impl === 'ext') {
        $call = static fn () => spectrocoin_order_request($merchant, $order);
        $run = static function (int $n) use ($merchant, $order): void {
            for ($i = 0; $i < $n; $i++) {
                spectrocoin_order_request($merchant, $order);
            }
        };
    } else {
        $call = static fn () => Reference::orderRequest($merchant, $order);
        $run = static function (int $n) use ($merchant, $order): void {
            for ($i = 0; $i < $n; $i++) {
                Reference::orderRequest($merchant, $order);
            }
        };
    }
    // Both must produce the same, byte-exact request.
    $want = Reference::orderRequest($merchant, $order)['body'];
    $check = static fn ($r) => $r['body'] === $want;
}

// Warm-up (first call parses and caches the key in the extension).
for ($i = 0; $i < 3; $i++) {
    if (!$check($call())) {
        fwrite(STDERR, "$impl $op: wrong result\n");
        exit(1);
    }
}

$cpuNs = static function (): int {
    $r = getrusage();
    return ($r['ru_utime.tv_sec'] + $r['ru_stime.tv_sec']) * 1_000_000_000 + ($r['ru_utime.tv_usec'] + $r['ru_stime.tv_usec']) * 1000;
};
if ($how === 'serve') {
    while (($line = fgets(STDIN)) !== false && ($n = (int) $line) > 0) {
        [$c0, $w0] = [$cpuNs(), hrtime(true)];
        $run($n);
        echo ($cpuNs() - $c0), ' ', (hrtime(true) - $w0), "\n";
        fflush(STDOUT);
    }
    exit(0);
}

if ($count !== null) {
    $start = hrtime(true);
    $run($count);
    $el = (hrtime(true) - $start) / 1e9;
    echo json_encode(['impl' => $impl, 'op' => $op, 'ops' => $count, 'seconds' => round($el, 6), 'rate' => round($count / max($el, 1e-9), 3)]), "\n";
    exit(0);
}

$cpu = static function (): float {
    $r = getrusage();
    return $r['ru_utime.tv_sec'] + $r['ru_utime.tv_usec'] / 1e6 + $r['ru_stime.tv_sec'] + $r['ru_stime.tv_usec'] / 1e6;
};
$ops = 0;
$cpu0 = $cpu();
$start = hrtime(true);
$end = $start + (int) ($seconds * 1e9);
do {
    $run(8);
    $ops += 8;
    $now = hrtime(true);
} while ($now < $end);
$el = ($now - $start) / 1e9;
$cpuEl = $cpu() - $cpu0;
echo json_encode([
    'impl' => $impl, 'op' => $op, 'ops' => $ops, 'seconds' => round($el, 6), 'rate' => round($ops / $el, 3),
    'cpu_seconds' => round($cpuEl, 6), 'cpu_rate' => round($ops / max($cpuEl, 1e-6), 3),
]), "\n";
