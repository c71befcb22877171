<?php

declare(strict_types=1);

/**
 * End to end: nginx + PHP-FPM (Debian packages; configs generated into a temp dir, run in the
 * foreground as child processes on loopback) serving a WHMCS stand-in root (Testbed\WhmcsSite:
 * MariaDB, the stand-in, php-module/) with the extension, SpectroCoin = Testbed\Simulator.
 *
 *   php -d extension=<so> bench/e2e/run.php [--quick|--full]      (SPECTROCOIN_EXT = the .so)
 *
 * 1. N unpaid invoices (clones of seeded invoice 1); Pay Now for each through the site creates the
 *    order at the simulator (the real flow).
 * 2. The simulator pays every order without delivering (deliver: false): its PAID callback bodies,
 *    signed with the simulator's SpectroCoin key as SpectroCoin would, are read from /__sim/callbacks.
 * 3. A bounded curl_multi load generator (concurrency C) POSTs each PAID body D times to nginx, the
 *    copies of one order close together so that duplicates are in flight at the same time.
 * 4. Throughput, latency percentiles, answers; then tblaccounts credits per order:
 *    double_credits = Σ max(0, credits − 1); missed = orders with no credit.
 * Prints one JSON line.
 */

require __DIR__ . '/../../tests/bootstrap.php';
require_once __DIR__ . '/fpm.php';

use Testbed\Simulator;
use Testbed\WhmcsSite;

$quick = in_array('--quick', $argv, true);
$orders = $quick ? 40 : 150;
$dups = 4;
$concurrency = 16;
$fpmChildren = 8;
$ext = getenv('SPECTROCOIN_EXT') ?: dirname(__DIR__, 2) . '/target/release/libspectrocoin.so';
$t0 = microtime(true);
$log = static fn (string $m) => fprintf(STDERR, "  e2e [%5.1fs] %s\n", microtime(true) - $t0, $m);

foreach (['nginx' => '/usr/sbin/nginx', 'php-fpm8.2' => '/usr/sbin/php-fpm8.2'] as $name => $bin) {
    if (!is_executable($bin)) {
        fwrite(STDERR, "$name not installed (apt-get install nginx-light php8.2-fpm)\n");
        exit(2);
    }
}

$sim = new Simulator();
$ini = [
    'extension' => $ext,
    'spectrocoin.api_url' => $sim->apiUrl(),
    'spectrocoin.public_key_url' => $sim->publicKeyUrl(),
    'spectrocoin.timeout' => '10',
];
$site = new WhmcsSite(modules: [dirname(__DIR__, 2) . '/php-module/modules'], ini: $ini, workers: 8);
$site->activateGateway('spectrocoin');
$vectors = json_decode((string) file_get_contents(dirname(__DIR__, 2) . '/tests/fixtures/vectors/spectrocoin-vectors.json'), true);
$errors = $site->saveGatewaySettings('spectrocoin', [
    'merchantId' => '25', 'projectId' => '74', 'privateKey' => $vectors['merchant_test_private_key_pem'],
]);
if ($errors !== []) {
    throw new RuntimeException('gateway settings: ' . implode('; ', $errors));
}

// ---- 1. invoices and orders -----------------------------------------------------------------
$pdo = $site->pdo();
$template = $pdo->query('SELECT * FROM tblinvoices WHERE id = 1')->fetch(PDO::FETCH_ASSOC);
$items = $pdo->query('SELECT * FROM tblinvoiceitems WHERE invoiceid = 1')->fetchAll(PDO::FETCH_ASSOC);
if ($template['status'] !== 'Unpaid') {
    throw new RuntimeException('seeded invoice 1 is not Unpaid');
}
$invoiceIds = [];
$pdo->beginTransaction();
for ($i = 0; $i < $orders; $i++) {
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
$pdo->commit();
$log("$orders invoices; Pay Now for each");
$cookies = $site->clientLogin((int) $template['userid']);
foreach ($invoiceIds as $id) {
    $page = $site->get('viewinvoice.php?id=' . $id, $cookies);
    $form = WhmcsSite::firstForm($page['body']);
    if ($form === null) {
        throw new RuntimeException("no Pay Now form on invoice $id: " . substr($page['body'], 0, 300));
    }
    $r = $site->post($form['action'], $form['fields'], $cookies);
    if ($r['status'] !== 303) {
        throw new RuntimeException("Pay Now for invoice $id: HTTP {$r['status']} " . substr($r['body'], 0, 300) . "\n" . $site->logTail());
    }
}
$rows = $site->query('SELECT invoice_id, order_id, order_request_id FROM mod_spectrocoin_orders ORDER BY id');
if (count($rows) !== $orders) {
    throw new RuntimeException('expected ' . $orders . ' orders, found ' . count($rows));
}

// ---- 2. PAID callbacks signed by the simulator ----------------------------------------------
$log('simulator pays every order (callbacks queued, not delivered)');
foreach ($rows as $row) {
    $sim->pay((int) $row['order_request_id'], deliver: false);
}
$bodies = [];
foreach ($sim->callbacks() as $cb) {
    if ((int) ($cb['status'] ?? 0) === 3) {
        $bodies[(string) $cb['orderRequestId']] = $cb['body'];
    }
}
if (count($bodies) !== $orders) {
    throw new RuntimeException('expected ' . $orders . ' PAID callbacks, got ' . count($bodies));
}

// ---- nginx + PHP-FPM ------------------------------------------------------------------------
$fpm = bench_start_fpm_nginx($site, $fpmChildren);
$tmp = $fpm['tmp'];
$cleanup = $fpm['stop'];
$callbackUrl = $fpm['url'] . '/modules/gateways/callback/spectrocoin.php';
// Warm every FPM worker (opcache); the extension's key caches stay cold, as after a restart.
for ($i = 0; $i < 4 * $fpmChildren; $i++) {
    $ch = curl_init($callbackUrl);
    curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true]);
    curl_exec($ch);
    curl_close($ch);
}

// ---- 3. load --------------------------------------------------------------------------------
// Copies of one order sit within a window of 2×concurrency requests: duplicates overlap in time.
$queue = [];
$keys = array_keys($bodies);
shuffle($keys);
foreach (array_chunk($keys, $concurrency / 2) as $chunk) {
    $window = [];
    foreach ($chunk as $k) {
        for ($d = 0; $d < $dups; $d++) {
            $window[] = $k;
        }
    }
    shuffle($window);
    array_push($queue, ...$window);
}
$total = count($queue);
$log("load: $total callbacks ($orders orders × $dups), concurrency $concurrency, $fpmChildren FPM workers");
$mh = curl_multi_init();
$inFlight = [];
$lat = [];
$answers = [];
$next = 0;
$add = static function () use (&$next, $queue, $bodies, $callbackUrl, $mh, &$inFlight): void {
    $k = $queue[$next++];
    $ch = curl_init($callbackUrl);
    curl_setopt_array($ch, [
        CURLOPT_POST => true, CURLOPT_POSTFIELDS => $bodies[$k], CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 60,
        CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
    ]);
    curl_multi_add_handle($mh, $ch);
    $inFlight[(int) $ch] = [$ch, hrtime(true)];
};
$start = hrtime(true);
while ($next < $total && count($inFlight) < $concurrency) {
    $add();
}
do {
    curl_multi_exec($mh, $running);
    while ($info = curl_multi_info_read($mh)) {
        $ch = $info['handle'];
        [, $t] = $inFlight[(int) $ch];
        unset($inFlight[(int) $ch]);
        $lat[] = (hrtime(true) - $t) / 1e6;
        $key = curl_getinfo($ch, CURLINFO_RESPONSE_CODE) . ' ' . substr((string) curl_multi_getcontent($ch), 0, 40);
        $answers[$key] = ($answers[$key] ?? 0) + 1;
        curl_multi_remove_handle($mh, $ch);
        curl_close($ch);
        if ($next < $total) {
            $add();
        }
    }
    if ($running || $inFlight) {
        curl_multi_select($mh, 0.05);
    }
} while ($inFlight || $next < $total);
$wall = (hrtime(true) - $start) / 1e9;
curl_multi_close($mh);
sort($lat);
$pct = static fn (float $p) => $lat[min(count($lat) - 1, (int) ceil($p / 100 * count($lat)) - 1)];

// ---- 4. credits per order -------------------------------------------------------------------
$credits = $site->query(
    "SELECT o.order_id, o.invoice_id, (SELECT COUNT(*) FROM tblaccounts a WHERE a.invoiceid = o.invoice_id AND a.amountin > 0) AS credits
     FROM mod_spectrocoin_orders o"
);
$double = 0;
$missed = 0;
foreach ($credits as $c) {
    $double += max(0, (int) $c['credits'] - 1);
    $missed += (int) $c['credits'] === 0 ? 1 : 0;
}
$paid = (int) $site->query("SELECT COUNT(*) AS n FROM tblinvoices WHERE id IN (" . implode(',', $invoiceIds) . ") AND status = 'Paid'")[0]['n'];
$phpErrors = @file_get_contents("$tmp/php-errors.log");
$cleanup();
$site->stop();
$sim->stop();

echo json_encode([
    'orders' => $orders, 'duplicates_per_order' => $dups, 'requests' => $total, 'concurrency' => $concurrency,
    'fpm_workers' => $fpmChildren, 'seconds' => round($wall, 3),
    'callbacks_per_s' => round($total / $wall, 1),
    'callback_p50_ms' => round($pct(50), 2), 'callback_p99_ms' => round($pct(99), 2), 'callback_max_ms' => round(end($lat), 2),
    'answers' => $answers, 'double_credits' => $double, 'missed_credits' => $missed, 'invoices_paid' => $paid,
    'php_errors' => $phpErrors ? substr($phpErrors, -1500) : '',
], JSON_UNESCAPED_SLASHES), "\n";

