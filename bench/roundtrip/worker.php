<?php

declare(strict_types=1);

// The measuring process of bench/roundtrip/create_order.php (which starts the simulator, nginx and
// the throwaway CA, and sets SSL_CERT_FILE for this process only):
//
//   php -d extension=<so> bench/roundtrip/worker.php probe   <apiUrl>
//   php -d extension=<so> bench/roundtrip/worker.php measure <apiUrl> <orders> <ca-file|-> <run-tag> [simUrl]
//
// probe:   one spectrocoin_create_order(); prints {"ok":bool,"error":"..."}.
// measure: A = spectrocoin_create_order() repeatedly in this one process (the extension's keep-alive
//          agent, as in a long-lived PHP-FPM worker); B = what PHP's curl does per request: the body
//          from spectrocoin_order_request(), a new curl handle per order (fresh TCP + TLS
//          connection), POST, decode; TLS trusted through CURLOPT_CAINFO = the same CA.
//          Alternated in blocks of 10, which mode goes first alternating. The simulator keeps every
//          order in one JSON state file, so its answer slows down as orders accumulate; with simUrl
//          its state is reset (control API, directly, outside the timed region) before every block,
//          so both modes see the same origin, that of a fresh simulator. Latency per order, in ms. Prints one JSON line.

require_once __DIR__ . '/../micro/fixtures.php';

[$mode, $apiUrl] = [$argv[1] ?? '', $argv[2] ?? ''];
$merchant = bench_order_merchant() + ['apiUrl' => $apiUrl];

if ($mode === 'probe') {
    try {
        $order = bench_order(1);
        $order['orderId'] = 'probe-' . bin2hex(random_bytes(4));
        $a = spectrocoin_create_order($merchant, $order);
        echo json_encode(['ok' => ($a['orderId'] ?? null) === $order['orderId'], 'error' => null]), "\n";
    } catch (Throwable $e) {
        echo json_encode(['ok' => false, 'error' => get_class($e) . ': ' . $e->getMessage()]), "\n";
    }
    exit(0);
}
if ($mode !== 'measure') {
    fwrite(STDERR, "usage: worker.php probe|measure <apiUrl> [orders ca run]\n");
    exit(2);
}
$orders = (int) ($argv[3] ?? 300);
$ca = ($argv[4] ?? '-') === '-' ? null : $argv[4];
$run = $argv[5] ?? bin2hex(random_bytes(3));
$simUrl = $argv[6] ?? null;
$resetSimulator = static function () use ($simUrl): void {
    if ($simUrl === null) {
        return;
    }
    $ch = curl_init($simUrl . '/__sim/reset');
    curl_setopt_array($ch, [
        CURLOPT_POST => true, CURLOPT_POSTFIELDS => '{"newKey":false}', CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => ['Content-Type: application/json'], CURLOPT_TIMEOUT => 10,
    ]);
    curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
    if ($status !== 200) {
        throw new RuntimeException("simulator reset: HTTP $status");
    }
};

$viaExtension = static fn (array $order): array => spectrocoin_create_order($merchant, $order);
$handshakes = [];
$viaFreshCurl = static function (array $order) use ($merchant, $apiUrl, $ca, &$handshakes): array {
    $req = spectrocoin_order_request($merchant, $order);
    $ch = curl_init($apiUrl . '/createOrder');
    $opts = [
        CURLOPT_POST => true,
        CURLOPT_POSTFIELDS => $req['body'],
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
        CURLOPT_USERAGENT => 'bench-fresh-curl',
        CURLOPT_TIMEOUT => 10,
    ];
    if ($ca !== null) {
        $opts += [CURLOPT_CAINFO => $ca, CURLOPT_SSL_VERIFYPEER => true, CURLOPT_SSL_VERIFYHOST => 2];
    }
    curl_setopt_array($ch, $opts);
    $body = curl_exec($ch);
    $status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    // Time to connected + TLS done (connect only for plain HTTP), seconds since the start.
    $handshakes[] = (float) curl_getinfo($ch, $ca !== null ? CURLINFO_APPCONNECT_TIME : CURLINFO_CONNECT_TIME) * 1000;
    $err = curl_error($ch);
    curl_close($ch);
    $json = is_string($body) ? json_decode($body, true) : null;
    if ($status !== 200 || !is_array($json) || !isset($json['redirectUrl'])) {
        throw new RuntimeException("createOrder via curl: HTTP $status $err " . substr((string) $body, 0, 200));
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
// Warm-up: key parsed, simulator and nginx warm, agent connected.
for ($i = 0; $i < 5; $i++) {
    $call('extension', $viaExtension);
    $call('fresh_curl', $viaFreshCurl);
}
$lat = ['extension' => [], 'fresh_curl' => []];
$handshakes = [];
for ($block = 0; $block * 20 < $orders; $block++) {
    // Each mode's block of 10 starts from a freshly reset simulator; which mode goes first alternates.
    foreach ($block % 2 ? ['fresh_curl' => $viaFreshCurl, 'extension' => $viaExtension] : ['extension' => $viaExtension, 'fresh_curl' => $viaFreshCurl] as $mode => $f) {
        $resetSimulator();
        for ($i = 0; $i < 10; $i++) {
            $call($mode, $f);
        }
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

echo json_encode([
    'orders_per_mode' => count($lat['extension']),
    'extension_median_ms' => round(median($lat['extension']), 3),
    'extension_p99_ms' => round(pct($lat['extension'], 99), 3),
    'fresh_curl_median_ms' => round(median($lat['fresh_curl']), 3),
    'fresh_curl_p99_ms' => round(pct($lat['fresh_curl'], 99), 3),
    'fresh_curl_handshake_median_ms' => round(median($handshakes), 3),
    'speedup' => round(median($lat['fresh_curl']) / median($lat['extension']), 3),
]), "\n";
