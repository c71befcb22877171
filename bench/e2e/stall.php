<?php

declare(strict_types=1);

/**
 * How long a callback waits behind a slow InvoicePaid hook of another order of the same invoice.
 * nginx + PHP-FPM (tests/phpunit/Hardening/FpmNginx.php) over a WHMCS stand-in site with the
 * module and the extension; SpectroCoin = Testbed\Simulator. An InvoicePaid hook file sleeps
 * HOOK seconds (account creation, say). Per round, on a fresh invoice: order A is created and
 * expires, order B is created; B's PAID callback is sent, and once B's hook is running (the
 * stand-in journals the run), a late callback of order A (its EXPIRED, again) is sent and timed.
 *
 *   php -d extension=<so> bench/e2e/stall.php [--modules=DIR] [--rounds=N] [--hook=SECONDS]
 *
 * --modules: the php-module/modules tree to measure (default this checkout's), e.g. an older
 * commit's extracted with `git archive <commit> php-module | tar -x -C /tmp/old`. Prints one JSON line.
 */

require __DIR__ . '/../../tests/bootstrap.php';
require __DIR__ . '/../../tests/phpunit/Hardening/FpmNginx.php';

use Testbed\Simulator;
use Testbed\WhmcsSite;
use Tests\Hardening\FpmNginx;

$opts = getopt('', ['modules:', 'rounds:', 'hook:']);
$modules = $opts['modules'] ?? dirname(__DIR__, 2) . '/php-module/modules';
$rounds = (int) ($opts['rounds'] ?? 5);
$hookSeconds = (float) ($opts['hook'] ?? 3);
$ext = getenv('SPECTROCOIN_EXT') ?: dirname(__DIR__, 2) . '/target/debug/libspectrocoin.so';

$sim = new Simulator();
$ini = ['extension' => $ext, 'spectrocoin.api_url' => $sim->apiUrl(), 'spectrocoin.public_key_url' => $sim->publicKeyUrl(),
    'spectrocoin.public_api_url' => $sim->publicApiUrl(), 'spectrocoin.timeout' => '10'];
$site = new WhmcsSite(modules: [$modules], ini: $ini, workers: 4);
$site->activateGateway('spectrocoin');
$vectors = json_decode((string) file_get_contents(dirname(__DIR__, 2) . '/tests/fixtures/vectors/spectrocoin-vectors.json'), true);
$errors = $site->saveGatewaySettings('spectrocoin', ['merchantId' => '25', 'projectId' => '74', 'privateKey' => $vectors['merchant_test_private_key_pem']]);
if ($errors !== []) {
    throw new RuntimeException('gateway settings: ' . implode('; ', $errors));
}
file_put_contents($site->root() . '/includes/hooks/slow_provisioning.php',
    "<?php\nadd_hook('InvoicePaid', 1, function (\$vars) { usleep(" . (int) ($hookSeconds * 1e6) . "); });\n");
$web = new FpmNginx($site, $ini, 8);
$callbackUrl = $web->url('modules/gateways/callback/spectrocoin.php');
$cookies = $site->clientLogin(1);
$pdo = $site->pdo();

$bodyOf = static function (array $queued) use ($sim): string {
    foreach ($sim->callbacks() as $d) {
        if ($d['id'] === $queued['deliveryIds'][0]) {
            return (string) $d['body'];
        }
    }
    throw new RuntimeException('queued delivery not found');
};
$payNow = static function (int $invoiceId) use ($site, $cookies): array {
    $form = WhmcsSite::firstForm($site->get('viewinvoice.php?id=' . $invoiceId, $cookies)['body']);
    $r = $site->post($form['action'], $form['fields'], $cookies);
    if ($r['status'] !== 303) {
        throw new RuntimeException("Pay Now: HTTP {$r['status']}");
    }
    return $site->query('SELECT * FROM mod_spectrocoin_orders WHERE invoice_id = ? ORDER BY id DESC LIMIT 1', [$invoiceId])[0];
};
$post = static function (string $body) use ($callbackUrl): CurlHandle {
    $ch = curl_init($callbackUrl);
    curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => $body, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 60,
        CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:']]);
    return $ch;
};

$waits = [];
$answers = [];
for ($round = 0; $round < $rounds; $round++) {
    $invoiceId = 300 + $round;
    $pdo->exec("INSERT INTO tblinvoices (id, userid, invoicenum, date, duedate, datepaid, subtotal, credit, tax, tax2, total, taxrate, taxrate2, status, paymentmethod, notes)
        SELECT $invoiceId, userid, '', date, duedate, datepaid, subtotal, credit, tax, tax2, total, taxrate, taxrate2, 'Unpaid', 'spectrocoin', '' FROM tblinvoices WHERE id = 1");
    $pdo->exec("INSERT INTO tblinvoiceitems (invoiceid, userid, type, relid, description, amount, taxed, duedate, paymentmethod, notes)
        SELECT $invoiceId, userid, type, relid, description, amount, taxed, duedate, 'spectrocoin', notes FROM tblinvoiceitems WHERE invoiceid = 1");
    $a = $payNow($invoiceId);
    $expiredA = $bodyOf($sim->setStatus((int) $a['order_request_id'], 5, '0', true, false));
    $ch = $post($expiredA);
    curl_exec($ch);
    $b = $payNow($invoiceId);
    $paidB = $bodyOf($sim->setStatus((int) $b['order_request_id'], 3, (string) $sim->order((int) $b['order_request_id'])['payAmount'], true, false));

    $hooksBefore = count($site->hooks('InvoicePaid'));
    $mh = curl_multi_init();
    $slow = $post($paidB);
    curl_multi_add_handle($mh, $slow);
    $deadline = microtime(true) + 20;
    do { // until B's InvoicePaid hook is running
        curl_multi_exec($mh, $running);
        usleep(5000);
    } while (count($site->hooks('InvoicePaid')) === $hooksBefore && microtime(true) < $deadline);
    $late = $post($expiredA);
    curl_multi_add_handle($mh, $late);
    $t0 = hrtime(true);
    $lateDone = null;
    do {
        curl_multi_exec($mh, $running);
        while ($info = curl_multi_info_read($mh)) {
            if ($info['handle'] === $late) {
                $lateDone = (hrtime(true) - $t0) / 1e6;
            }
        }
        if ($running) {
            curl_multi_select($mh, 0.01);
        }
    } while ($running);
    $waits[] = $lateDone;
    foreach (['B paid' => $slow, 'A late' => $late] as $what => $h) {
        $k = $what . ': ' . curl_getinfo($h, CURLINFO_RESPONSE_CODE) . ' ' . curl_multi_getcontent($h);
        $answers[$k] = ($answers[$k] ?? 0) + 1;
    }
    curl_multi_close($mh);
}
sort($waits);
$credits = (int) $site->query('SELECT COUNT(*) AS n FROM tblaccounts WHERE invoiceid >= 300')[0]['n'];
$web->stop();
$site->stop();
$sim->stop();
echo json_encode([
    'modules' => $modules, 'rounds' => $rounds, 'hook_seconds' => $hookSeconds,
    'late_callback_wait_ms' => array_map(fn ($w) => round((float) $w, 1), $waits),
    'late_callback_wait_median_ms' => round((float) $waits[intdiv(count($waits), 2)], 1),
    'answers' => $answers, 'credits' => $credits,
], JSON_UNESCAPED_SLASHES), "\n";
