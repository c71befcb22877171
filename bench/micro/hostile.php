<?php

declare(strict_types=1);

// Hostile callback bodies through spectrocoin_verify_callback, the way a worker meets them:
//   php -d extension=<so> bench/micro/hostile.php [repeats]
// Each shape is as large as a callback may be (64 KiB) and must be refused; prints one JSON line
// {"shape": µs per refusal, ...} (median of the repeats) plus the real callback for scale.
// The linearity itself is proven by a test that counts the decoder's work (src/core/form.rs);
// these are the times a release build takes.

require __DIR__ . '/fixtures.php';

$repeats = max(3, (int) ($argv[1] ?? 31));
$size = 64 * 1024;
$cycle = static fn (string $head, string $unit): string =>
    substr($head . str_repeat($unit, intdiv($size, strlen($unit)) + 1), 0, $size);
$manyFields = '';
for ($i = 0; strlen($manyFields) < $size; $i++) {
    $manyFields .= dechex($i) . '=&';
}
$manyFields = substr($manyFields, 0, $size);
$shapes = [
    'many_short_fields' => $manyFields,
    'many_short_fields_last_repeats_first' => substr($manyFields, 0, $size - 4) . '&0=1',
    'many_escapes' => $cycle('a=', '%41'),
    'many_pluses' => $cycle('a=', '+'),
    'one_long_field' => $cycle('a=', 'x'),
    'one_long_name' => str_repeat('n', $size),
    'many_empty_segments' => str_repeat('&', $size),
];
$merchant = bench_callback_merchant();
$time = static function (string $body) use ($merchant, $repeats): float {
    $us = [];
    for ($r = 0; $r < $repeats; $r++) {
        $t = hrtime(true);
        try {
            spectrocoin_verify_callback($body, $merchant);
        } catch (\Throwable) {
            // refused, as it must be
        }
        $us[] = (hrtime(true) - $t) / 1e3;
    }
    sort($us);
    return round($us[intdiv(count($us), 2)], 1);
};
$out = ['real_callback' => $time(bench_callback_body())];
foreach ($shapes as $name => $body) {
    try {
        spectrocoin_verify_callback($body, $merchant);
        fwrite(STDERR, "$name: accepted\n");
        exit(1);
    } catch (\Throwable) {
    }
    $out[$name] = $time($body);
}
echo json_encode(['unit' => 'us_per_call', 'body_bytes' => $size] + $out), "\n";
