<?php

declare(strict_types=1);

// RSS of one PHP process over many spectrocoin_verify_callback calls (V1, key cached):
//   php -d extension=<so> bench/micro/rss.php [total=1000000] [cap-seconds=120]
// VmRSS after 1k calls and after `total` calls. If the time cap is hit first, the growth is
// scaled linearly to 1M and "extrapolated" is true. Prints one JSON line.

require __DIR__ . '/fixtures.php';

$total = (int) ($argv[1] ?? 1_000_000);
$cap = (float) ($argv[2] ?? 120);
$body = bench_callback_body();
$merchant = bench_callback_merchant();

$rss0 = bench_rss_kb();
for ($i = 0; $i < 1000; $i++) {
    spectrocoin_verify_callback($body, $merchant);
}
$rss1k = bench_rss_kb();
$start = hrtime(true);
$deadline = $start + (int) ($cap * 1e9);
$done = 1000;
while ($done < $total) {
    for ($i = 0; $i < 1000; $i++) {
        spectrocoin_verify_callback($body, $merchant);
    }
    $done += 1000;
    if (hrtime(true) > $deadline) {
        break;
    }
}
$rssEnd = bench_rss_kb();
$growth = $rssEnd - $rss1k;
$per1m = $done >= 1_000_000 ? $growth : $growth * 1_000_000 / max(1, $done - 1000);
echo json_encode([
    'rss_start_kb' => $rss0, 'rss_after_1k_kb' => $rss1k, 'rss_end_kb' => $rssEnd, 'verifications' => $done,
    'seconds' => round((hrtime(true) - $start) / 1e9, 3), 'extrapolated' => $done < 1_000_000,
    'growth_kb_per_1m' => round($per1m, 1),
]), "\n";
