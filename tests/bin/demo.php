<?php
/**
 * `make demo`: the product's main job, end to end, printed step by step.
 *
 * Starts a private MariaDB, the WHMCS stand-in with php-module/ installed and the extension loaded,
 * and the SpectroCoin simulator (with its background callback dispatcher, so undelivered callbacks
 * are retried as SpectroCoin would). Then, over HTTP: an admin creates a client and an invoice, the
 * client presses Pay Now, follows the redirect to SpectroCoin's checkout, pays; the callbacks arrive.
 * Exits 0 only if the invoice ends Paid with exactly one transaction.
 */

declare(strict_types=1);

require __DIR__ . '/../bootstrap.php';

use Testbed\Simulator;
use Testbed\WhmcsSite;

$root = dirname(__DIR__, 2);
$ext = getenv('SPECTROCOIN_EXT') ?: $root . '/target/debug/libspectrocoin.so';
if (!is_file($ext)) {
    fwrite(STDERR, "The extension is not built: $ext (run `make ext`).\n");
    exit(1);
}

$step = 0;
$say = static function (string $title, string ...$lines) use (&$step): void {
    $step++;
    echo "\n[$step] $title\n";
    foreach ($lines as $l) {
        echo "    $l\n";
    }
};
$fail = static function (string $why) use (&$site, &$sim): never {
    fwrite(STDERR, "\nDEMO FAILED: $why\n");
    if ($site !== null) {
        fwrite(STDERR, "--- stand-in log ---\n" . $site->logTail(2000) . "\n");
    }
    exit(1);
};

$site = null;
$sim = null;
$t0 = microtime(true);
$sim = new Simulator();
$sim->startDispatcher(200);
$site = new WhmcsSite(
    modules: [$root . '/php-module/modules'],
    ini: [
        'extension' => $ext,
        'spectrocoin.api_url' => $sim->apiUrl(),
        'spectrocoin.public_key_url' => $sim->publicKeyUrl(),
        'spectrocoin.timeout' => '5',
    ],
);
$info = json_decode((string) shell_exec(escapeshellarg(PHP_BINARY) . ' -n -d extension=' . escapeshellarg($ext)
    . " -r 'echo json_encode(spectrocoin_info());'"), true) ?: [];
$say(
    'Test bed up in ' . round(microtime(true) - $t0, 1) . ' s',
    'WHMCS stand-in:        ' . $site->systemUrl() . '  (MariaDB database ' . $site->databaseName() . ')',
    'SpectroCoin simulator: ' . $sim->url(),
    'Extension:             spectrocoin ' . ($info['version'] ?? '?') . ', built for PHP ' . ($info['phpVersion'] ?? '?')
        . ' (API ' . ($info['phpApi'] ?? '?') . ', ' . ($info['threading'] ?? '?') . '), ' . ($info['openssl'] ?? ''),
);

// The admin activates the gateway and saves Merchant ID, Project ID and the private key.
$vectors = json_decode((string) file_get_contents($root . '/tests/fixtures/vectors/spectrocoin-vectors.json'), true);
$site->activateGateway('spectrocoin');
$errors = $site->saveGatewaySettings('spectrocoin', [
    'merchantId' => '25', 'projectId' => '74', 'privateKey' => $vectors['merchant_test_private_key_pem'],
]);
if ($errors !== []) {
    $fail('saving the gateway settings: ' . json_encode($errors));
}
$say('Admin activated "SpectroCoin" and saved Merchant ID 25, Project ID 74 and the private key (validated by the extension)');

// The admin creates a client and an invoice.
$pdo = $site->pdo();
$pdo->exec("INSERT INTO tblclients (firstname, lastname, companyname, email, address1, address2, city, state, postcode, country,
    phonenumber, password, currency, defaultgateway, credit, language, status, datecreated, notes)
    VALUES ('Dana', 'Demo', 'Demo Hosting & Co', 'dana@example.com', '1 Main St', '', 'Kaunas', '', 'LT-44280', 'LT', '',
    '" . password_hash('demo', PASSWORD_DEFAULT) . "', 1, 'spectrocoin', 0, 'english', 'Active', CURDATE(), '')");
$clientId = (int) $pdo->lastInsertId();
$pdo->exec("INSERT INTO tblinvoices (userid, invoicenum, date, duedate, datepaid, subtotal, credit, tax, tax2, total, taxrate, taxrate2,
    status, paymentmethod, notes) VALUES ($clientId, '', CURDATE(), CURDATE(), '0000-00-00 00:00:00', 42.50, 0, 0, 0, 42.50, 0, 0,
    'Unpaid', 'spectrocoin', '')");
$invoiceId = (int) $pdo->lastInsertId();
$pdo->exec("INSERT INTO tblinvoiceitems (invoiceid, userid, type, relid, description, amount, taxed, duedate, paymentmethod, notes)
    VALUES ($invoiceId, $clientId, 'Hosting', 0, 'VPS \"Medium\" – dana.example (December)', 42.50, 0, CURDATE(), 'spectrocoin', '')");
$statusOf = static fn (): string => (string) ($site->invoice($invoiceId)['status'] ?? '?');
$say("Admin created client #$clientId (Dana Demo) and invoice #$invoiceId: 42.50 EUR, status " . $statusOf());

// The client opens the invoice and presses Pay Now.
$cookies = $site->clientLogin($clientId);
$page = $site->get("viewinvoice.php?id=$invoiceId", $cookies);
$form = WhmcsSite::firstForm($page['body']);
if ($page['status'] !== 200 || $form === null) {
    $fail("the invoice page has no Pay Now form (HTTP {$page['status']})");
}
$say("Client opened viewinvoice.php?id=$invoiceId: the gateway shows a Pay Now form",
    "<form method=\"{$form['method']}\" action=\"{$form['action']}\"> with fields " . implode(', ', array_keys($form['fields'])));
$pay = $site->post($form['action'], $form['fields'], $cookies);
if ($pay['status'] !== 303 || empty($pay['location'])) {
    $fail("Pay Now answered HTTP {$pay['status']}: " . substr(strip_tags($pay['body']), 0, 300));
}
$orders = $site->query('SELECT * FROM mod_spectrocoin_orders WHERE invoice_id = ?', [$invoiceId]);
$order = $orders[0] ?? $fail('no order row stored');
$say('Pay Now created a signed order at SpectroCoin and redirected (HTTP 303)',
    'Location: ' . $pay['location'],
    "our order {$order['order_id']}: {$order['receive_amount']} {$order['receive_currency']} (invoice amount {$order['invoice_amount']} {$order['invoice_currency']}), "
        . "SpectroCoin order {$order['order_request_id']}, status {$order['status']}");
$request = $sim->requests()[0] ?? null;
if ($request !== null) {
    $say('What SpectroCoin received (createOrder, form-encoded, RSA-SHA1 signed) and its verdict: HTTP '
            . ($request['verdict']['httpStatus'] ?? '?'),
        ...array_map(static fn (array $pair) => str_pad($pair[0], 16) . ($pair[0] === 'sign' ? substr($pair[1], 0, 24) . '…' : $pair[1]),
            $request['parsed'] ?? []));
}

// The client lands on SpectroCoin's checkout page and pays.
$checkout = file_get_contents($pay['location']);
$text = static fn (string $id) => preg_match('~id="' . $id . '"[^>]*>([^<]*)<~', (string) $checkout, $m) ? html_entity_decode($m[1]) : '?';
preg_match('~<h1>([^<]*)</h1>~', (string) $checkout, $h1);
$say('SpectroCoin checkout page', ($h1[1] ?? '?') . ' to deposit address ' . $text('depositAddress') . ', valid until ' . $text('validUntil'));
$context = stream_context_create(['http' => ['method' => 'POST', 'header' => 'Content-Type: application/x-www-form-urlencoded',
    'content' => http_build_query(['action' => 'pay', 'do' => 'pay']), 'ignore_errors' => true]]);
$after = (string) file_get_contents($pay['location'], false, $context);
preg_match_all('~<p class="attempt">([^<]*)</p>~', $after, $attempts);
$say('Client pressed "Pay in full"; SpectroCoin sends its callbacks (PENDING, then PAID)',
    ...array_map('html_entity_decode', $attempts[1] ?: ['(delivery in progress)']));

// Wait for the callbacks to be acknowledged (the dispatcher retries anything not answered *ok*).
$deadline = microtime(true) + 30;
while ($statusOf() !== 'Paid' && microtime(true) < $deadline) {
    usleep(200_000);
}
foreach ($site->gatewayLog() as $line) {
    $data = [];
    foreach (preg_split('/\R/', (string) $line['data']) as $l) {
        if (str_contains($l, ' => ')) {
            [$k, $v] = explode(' => ', $l, 2);
            $data[trim($k)] = trim($v);
        }
    }
    $f = static fn (string $k): string => $data[$k] ?? '-';
    $say("Gateway log ({$line['date']}): {$line['result']}",
        ...array_values(array_filter([
            isset($data['status']) ? "callback status {$f('status')} {$f('statusName')}" : null,
            "order {$f('orderId')} / SpectroCoin {$f('orderRequestId')}, pay {$f('payAmount')} {$f('payCurrency')}, "
                . "receive {$f('receiveAmount')} {$f('receiveCurrency')}" . (isset($data['receivedAmount']) ? ", received {$f('receivedAmount')}" : ''),
            isset($data['invoiceStatus']) ? "invoice {$f('invoiceStatus')}: {$f('message')}" : null,
        ])));
}

$tx = $site->transactions($invoiceId);
$final = $statusOf();
$say("Invoice #$invoiceId is now: $final",
    ...array_map(static fn ($t) => "transaction {$t['transid']}: {$t['amountin']} in, gateway {$t['gateway']}, {$t['date']}", $tx));
$back = $site->get("viewinvoice.php?id=$invoiceId&paymentsuccess=true", $cookies);
if (preg_match('~class="[^"]*(success|alert)[^"]*"[^>]*>([^<]+)<~', $back['body'], $banner)) {
    $say('Back on the invoice page, WHMCS shows: ' . trim($banner[2]));
}

$sim->stopDispatcher();
$site->stop();
$sim->stop();
if ($final !== 'Paid' || count($tx) !== 1) {
    $fail("expected the invoice Paid with exactly one transaction, got $final with " . count($tx));
}
echo "\nDEMO OK: invoice #$invoiceId paid exactly once through SpectroCoin (" . round(microtime(true) - $t0, 1) . " s).\n";
exit(0);
