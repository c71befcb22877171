<?php

declare(strict_types=1);

// Order creation round trip against the SpectroCoin simulator (Testbed\Simulator) on loopback:
//   php -d extension=<so> bench/roundtrip/create_order.php [orders=300]
// A: spectrocoin_create_order() repeatedly in this process (the extension's keep-alive agent);
// B: what PHP does per request: spectrocoin_order_request() for the body, then a new curl handle
//    per order (fresh connection), POST, decode.
// Alternated in blocks of 10 (state.json grows as orders accumulate, so both see the same
// simulator). Latency per order; speedup = median(B) / median(A). Prints one JSON line.

require __DIR__ . '/../../tests/bootstrap.php';
require_once __DIR__ . '/../micro/fixtures.php';

$orders = (int) ($argv[1] ?? 300);
$sim = new Testbed\Simulator();
$merchant = bench_order_merchant() + ['apiUrl' => $sim->apiUrl()];
$run = bin2hex(random_bytes(3));

$viaExtension = static function (array $order) use ($merchant): array {
    return spectrocoin_create_order($merchant, $order);
};
$viaFreshCurl = static function (array $order) use ($merchant, $sim): array {
    $req = spectrocoin_order_request($merchant, $order);
    $ch = curl_init($sim->apiUrl() . '/createOrder');
    curl_setopt_array($ch, [
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => $req['body'],
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
        CURLOPT_TIMEOUT => 10,
    ]);
    $body = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    $json = is_string($body) ? json_decode($body, true) : null;
    if ($status !== 200 || !is_array($json) || !isset($json['redirectUrl'])) {
        throw new RuntimeException("createOrder via curl: HTTP $status " . substr((string) $body, 0, 200));
    }
    return $json;
};

$lat = ['extension' => [], 'fresh_curl' => []];
$n = 0;
$call = static function (string $mode, callable $f) use (&$n, &$lat, $run): void {
    $n++;
    $order = bench_order($n);
    $order['orderId'] = "bench-$run-$n";
    $t = hrtime(true);
    $answer = $f($order);
    $lat[$mode][] = (hrtime(true) - $t) / 1e6;
    if (($answer['orderId'] ?? null) !== $order['orderId']) {
        throw new RuntimeException("$mode: unexpected answer " . json_encode($answer));
    }
};
// Warm-up: key parsed, simulator warm, agent connected.
for ($i = 0; $i < 5; $i++) {
    $call('extension', $viaExtension);
    $call('fresh_curl', $viaFreshCurl);
}
$lat = ['extension' => [], 'fresh_curl' => []];
for ($block = 0; $block * 20 < $orders; $block++) {
    for ($i = 0; $i < 10; $i++) {
        $call('extension', $viaExtension);
    }
    for ($i = 0; $i < 10; $i++) {
        $call('fresh_curl', $viaFreshCurl);
    }
}

function median(array $xs): float
{
    sort($xs);
    $c = count($xs);
    return $c % 2 ? $xs[intdiv($c, 2)] : ($xs[$c / 2 - 1] + $xs[$c / 2]) / 2;
}
function pct(array $xs, float $p): float
{
    sort($xs);
    return $xs[min(count($xs) - 1, (int) ceil($p / 100 * count($xs)) - 1)];
}

// Connections the simulator saw: php -S answers "Connection: close", so a keep-alive agent cannot
// reuse a connection against it; this records what the server said.
$ch = curl_init($sim->url() . '/files/merchant.public.pem');
curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_HEADER => true, CURLOPT_NOBODY => true]);
$head = (string) curl_exec($ch);
curl_close($ch);
$sim->stop();

echo json_encode([
    'orders_per_mode' => count($lat['extension']),
    'extension_median_ms' => round(median($lat['extension']), 3),
    'extension_p99_ms' => round(pct($lat['extension'], 99), 3),
    'fresh_curl_median_ms' => round(median($lat['fresh_curl']), 3),
    'fresh_curl_p99_ms' => round(pct($lat['fresh_curl'], 99), 3),
    'server_connection_header' => preg_match('/^Connection:\s*(\S+)/mi', $head, $m) ? $m[1] : null,
    'speedup' => round(median($lat['fresh_curl']) / median($lat['extension']), 3),
]), "\n";
