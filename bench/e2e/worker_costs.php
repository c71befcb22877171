<?php

declare(strict_types=1);

/**
 * Two figures a merchant feels, through nginx + PHP-FPM + MariaDB + the WHMCS stand-in + php-module/
 * with the extension (SpectroCoin = Testbed\Simulator, legacy signed API):
 *
 * 1. Pay Now in a fresh PHP-FPM worker against a warm one. One worker, pm.max_requests = 3; each
 *    cycle is [pid.php (a new worker: proven by its pid), Pay Now on invoice A (the worker's first
 *    use of the merchant key), Pay Now on invoice B (warm)], then FPM replaces the worker. Times are
 *    the client's, per POST to paynow.php (the 303 to SpectroCoin's checkout).
 * 2. The module's cost per callback: the PAID callbacks of those orders POSTed one by one to the
 *    module's callback (first delivery: credits the invoice; then a duplicate), interleaved with a
 *    no-op callback that runs the same bootstrap (init.php, the gateway includes, the module's
 *    bootstrap.php, getGatewayVariables, reading the body) and answers *ok*.
 *
 *   php bench/e2e/worker_costs.php [--cycles=N]      (SPECTROCOIN_EXT = the .so)
 * Prints one JSON line; milliseconds are medians.
 */

require __DIR__ . '/../../tests/bootstrap.php';
require_once __DIR__ . '/fpm.php';

use Testbed\Simulator;
use Testbed\WhmcsSite;

$opts = getopt('', ['cycles::']);
$cycles = max(3, (int) ($opts['cycles'] ?? 15));
$ext = getenv('SPECTROCOIN_EXT') ?: dirname(__DIR__, 2) . '/target/release/libspectrocoin.so';
$t0 = microtime(true);
$log = static fn (string $m) => fprintf(STDERR, "  worker-costs [%5.1fs] %s\n", microtime(true) - $t0, $m);
$median = static function (array $xs): float {
    sort($xs);
    $n = count($xs);
    return $n === 0 ? NAN : ($n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2);
};

$sim = new Simulator();
$site = new WhmcsSite(modules: [dirname(__DIR__, 2) . '/php-module/modules'], ini: [
    'extension' => $ext,
    'spectrocoin.api_url' => $sim->apiUrl(),
    'spectrocoin.public_key_url' => $sim->publicKeyUrl(),
    'spectrocoin.timeout' => '10',
], workers: 4);
$site->activateGateway('spectrocoin');
$vectors = json_decode((string) file_get_contents(dirname(__DIR__, 2) . '/tests/fixtures/vectors/spectrocoin-vectors.json'), true);
$errors = $site->saveGatewaySettings('spectrocoin', [
    'merchantId' => '25', 'projectId' => '74', 'privateKey' => $vectors['merchant_test_private_key_pem'],
]);
if ($errors !== []) {
    throw new RuntimeException('gateway settings: ' . implode('; ', $errors));
}

// Invoices: clones of seeded invoice 1, two per cycle and two for priming.
$pdo = $site->pdo();
$template = $pdo->query('SELECT * FROM tblinvoices WHERE id = 1')->fetch(PDO::FETCH_ASSOC);
$items = $pdo->query('SELECT * FROM tblinvoiceitems WHERE invoiceid = 1')->fetchAll(PDO::FETCH_ASSOC);
$invoiceIds = [];
for ($i = 0; $i < 2 * ($cycles + 1); $i++) {
    $row = $template;
    unset($row['id']);
    $row['invoicenum'] = '';
    $cols = array_keys($row);
    $pdo->prepare('INSERT INTO tblinvoices (`' . implode('`,`', $cols) . '`) VALUES (' . implode(',', array_fill(0, count($cols), '?')) . ')')->execute(array_values($row));
    $id = (int) $pdo->lastInsertId();
    $invoiceIds[] = $id;
    foreach ($items as $item) {
        unset($item['id']);
        $item['invoiceid'] = $id;
        $icols = array_keys($item);
        $pdo->prepare('INSERT INTO tblinvoiceitems (`' . implode('`,`', $icols) . '`) VALUES (' . implode(',', array_fill(0, count($icols), '?')) . ')')->execute(array_values($item));
    }
}
$cookies = $site->clientLogin((int) $template['userid']);

// Bench-only files in the temporary site root (never part of the module).
$root = $site->root();
file_put_contents("$root/pid.php", '<?php echo getmypid();');
file_put_contents("$root/modules/gateways/callback/noop.php", <<<'PHP'
<?php
ob_start();
require __DIR__ . '/../../../init.php';
require_once ROOTDIR . '/includes/gatewayfunctions.php';
require_once ROOTDIR . '/includes/invoicefunctions.php';
require_once __DIR__ . '/../spectrocoin/lib/bootstrap.php';
$variables = getGatewayVariables('spectrocoin');
$raw = (string) file_get_contents('php://input');
ob_end_clean();
echo empty($variables['type']) || $raw === '' ? 'not ok' : '*ok*';
PHP);

$fpm = bench_start_fpm_nginx($site, 1, ['pm.max_requests' => '3']);
$base = $fpm['url'];
$curl = curl_init();
$fetch = static function (string $method, string $url, ?string $body = null, array $headers = []) use ($curl): array {
    curl_reset($curl);
    curl_setopt_array($curl, [CURLOPT_URL => $url, CURLOPT_CUSTOMREQUEST => $method, CURLOPT_RETURNTRANSFER => true,
        CURLOPT_TIMEOUT => 30, CURLOPT_HTTPHEADER => array_merge(['Expect:'], $headers)]);
    if ($body !== null) {
        curl_setopt($curl, CURLOPT_POSTFIELDS, $body);
    }
    $t = hrtime(true);
    $out = curl_exec($curl);
    $ms = (hrtime(true) - $t) / 1e6;
    return [(int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE), (string) $out, $ms];
};
$pid = static fn (): string => $fetch('GET', "$base/pid.php")[1];
$payNow = static function (int $invoiceId) use ($site, $cookies, $base, $fetch): float {
    $page = $site->get('viewinvoice.php?id=' . $invoiceId, $cookies);
    $form = WhmcsSite::firstForm($page['body']) ?? throw new RuntimeException("no Pay Now form on invoice $invoiceId");
    $path = preg_replace('#^https?://[^/]+/#', '', $form['action']);
    $cookie = 'Cookie: ' . implode('; ', array_map(fn ($k, $v) => "$k=$v", array_keys($cookies), $cookies));
    [$status, $body, $ms] = $fetch('POST', "$base/" . ltrim($path, '/'), http_build_query($form['fields']),
        [$cookie, 'Content-Type: application/x-www-form-urlencoded']);
    if ($status !== 303) {
        throw new RuntimeException("Pay Now on invoice $invoiceId: HTTP $status " . substr($body, 0, 300));
    }
    return $ms;
};

// Align on a fresh worker: pid.php until the pid changes.
$align = static function () use ($pid): string {
    $first = $pid();
    for ($i = 0; $i < 4; $i++) {
        $p = $pid();
        if ($p !== $first) {
            return $p;
        }
    }
    throw new RuntimeException('the FPM worker was not replaced after 3 requests');
};
$log("$cycles cycles of [fresh worker, Pay Now, Pay Now]");
$align();
$payNow($invoiceIds[0]);   // priming: opcache holds the module's files for every later worker
$payNow($invoiceIds[1]);
$cold = [];
$warm = [];
$seen = [];
for ($c = 1; $c <= $cycles; $c++) {
    $p = $pid();
    if (isset($seen[$p])) {
        $p = $align();
    }
    $seen[$p] = true;
    $cold[] = $payNow($invoiceIds[2 * $c]);
    $warm[] = $payNow($invoiceIds[2 * $c + 1]);
}
($fpm['stop'])();

// ---- 2. callbacks ---------------------------------------------------------------------------
$rows = $site->query('SELECT order_request_id FROM mod_spectrocoin_orders ORDER BY id');
foreach ($rows as $row) {
    $sim->pay((int) $row['order_request_id'], deliver: false);
}
$bodies = [];
foreach ($sim->callbacks() as $cb) {
    if ((int) ($cb['status'] ?? 0) === 3) {
        $bodies[] = $cb['body'];
    }
}
$fpm = bench_start_fpm_nginx($site, 1);
$base = $fpm['url'];
$form = ['Content-Type: application/x-www-form-urlencoded'];
for ($i = 0; $i < 20; $i++) { // warm the worker (opcache, the extension's caches) on no-ops
    $fetch('POST', "$base/modules/gateways/callback/noop.php", $bodies[0], $form);
}
$log(count($bodies) . ' PAID callbacks: module against no-op, interleaved');
$firstMs = $dupMs = $noopMs = [];
foreach ([false, true] as $duplicate) {
    foreach ($bodies as $body) {
        [$s1, $o1, $ms1] = $fetch('POST', "$base/modules/gateways/callback/spectrocoin.php", $body, $form);
        [$s2, $o2, $ms2] = $fetch('POST', "$base/modules/gateways/callback/noop.php", $body, $form);
        if ($s1 !== 200 || $o1 !== '*ok*' || $s2 !== 200 || $o2 !== '*ok*') {
            throw new RuntimeException("callback answered $s1 " . substr($o1, 0, 200) . " / no-op $s2 " . substr($o2, 0, 200));
        }
        if ($duplicate) {
            $dupMs[] = $ms1;
        } else {
            $firstMs[] = $ms1;
        }
        $noopMs[] = $ms2;
    }
}
$credits = (int) $site->query('SELECT COUNT(*) AS n FROM tblaccounts WHERE amountin > 0 AND invoiceid IN (' . implode(',', $invoiceIds) . ')')[0]['n'];
($fpm['stop'])();
$site->stop();
$sim->stop();

$r = static fn (float $x) => round($x, 2);
echo json_encode([
    'cycles' => $cycles,
    'paynow_fresh_worker_ms' => $r($median($cold)), 'paynow_warm_worker_ms' => $r($median($warm)),
    'paynow_fresh_minus_warm_ms' => $r($median($cold) - $median($warm)),
    'paynow_fresh_all_ms' => array_map($r, $cold), 'paynow_warm_all_ms' => array_map($r, $warm),
    'callbacks' => count($bodies), 'credits' => $credits,
    'callback_first_delivery_ms' => $r($median($firstMs)), 'callback_duplicate_ms' => $r($median($dupMs)),
    'callback_noop_ms' => $r($median($noopMs)),
    'module_cost_per_callback_ms' => $r($median($firstMs) - $median($noopMs)),
    'module_cost_per_duplicate_ms' => $r($median($dupMs) - $median($noopMs)),
], JSON_UNESCAPED_SLASHES), "\n";
