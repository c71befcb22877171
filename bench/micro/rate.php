<?php

declare(strict_types=1);

// One micro benchmark in its own PHP process, the way a PHP-FPM worker calls it across requests:
//   php -d extension=<so> bench/micro/rate.php ext|ref verify|sign <seconds>
// ext: spectrocoin_verify_callback / spectrocoin_order_request (the extension caches the parsed key)
// ref: bench/php-reference (PEM parsed per call, as SpectroCoin's PHP plugins do)
// Prints one JSON line {"impl","op","ops","seconds","rate"}.

require __DIR__ . '/fixtures.php';

use Bench\Reference\Reference;

[$impl, $op, $seconds] = [$argv[1] ?? 'ext', $argv[2] ?? 'verify', (float) ($argv[3] ?? 1)];

if ($op === 'verify') {
    $body = bench_callback_body();
    if ($impl === 'ext') {
        $merchant = bench_callback_merchant();
        $call = static fn () => spectrocoin_verify_callback($body, $merchant);
        $check = static fn ($r) => $r['statusName'] === 'EXPIRED' && $r['orderId'] === '275';
    } else {
        $pem = bench_vectors()['spectrocoin_callback_public_key_pem'];
        $call = static fn () => Reference::verifyCallback($body, $pem, '169', '3');
        $check = static fn ($r) => $r['status'] === '5' && $r['orderId'] === '275';
    }
} else {
    $order = bench_order();
    $merchant = bench_order_merchant();
    $call = $impl === 'ext'
        ? static fn () => spectrocoin_order_request($merchant, $order)
        : static fn () => Reference::orderRequest($merchant, $order);
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

$ops = 0;
$start = hrtime(true);
$end = $start + (int) ($seconds * 1e9);
do {
    for ($i = 0; $i < 8; $i++) {
        $call();
    }
    $ops += 8;
    $now = hrtime(true);
} while ($now < $end);
$el = ($now - $start) / 1e9;
echo json_encode(['impl' => $impl, 'op' => $op, 'ops' => $ops, 'seconds' => round($el, 6), 'rate' => round($ops / $el, 3)]), "\n";
