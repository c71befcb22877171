<?php
// Leak driver: every PHP-facing function of the extension, success and error paths,
// each called N times in this one process. Prints, per case, the Zend heap and RSS
// growth over the N calls (after a warm-up), and RSS at start and end.
// Usage: php -d extension=... driver.php N [case-regex]   (env LEAK_SERVER: fake SpectroCoin URL)
// Exit 1 when a case takes another path than expected, or memory grows with N.
declare(strict_types=1);

use SpectroCoin\ApiException;
use SpectroCoin\CallbackException;
use SpectroCoin\ConfigException;
use SpectroCoin\NetworkException;
use SpectroCoin\SignatureException;

$n = max(1, (int) ($argv[1] ?? 1000));
// Cases that make a round trip to the fake server cost ~3 ms each (the server, not us):
// they run N / LEAK_NET_DIVISOR times.
$netDivisor = max(1, (int) (getenv('LEAK_NET_DIVISOR') ?: 1));
// Under LeakSanitizer (USE_ZEND_ALLOC=0) the Zend heap is not measured and RSS has ASan's overhead.
$memCheck = getenv('LEAK_MEMCHECK') !== '0';
$only = $argv[2] ?? '';
$server = getenv('LEAK_SERVER') ?: '';
if (!extension_loaded('spectrocoin')) {
    fwrite(STDERR, "spectrocoin extension not loaded\n");
    exit(2);
}
$v = json_decode((string) file_get_contents(__DIR__ . '/../fixtures/vectors/spectrocoin-vectors.json'), true, 512, JSON_THROW_ON_ERROR);
$priv = $v['merchant_test_private_key_pem'];
$pub = $v['merchant_test_public_key_pem'];
$scPub = $v['spectrocoin_callback_public_key_pem'];
$cb = $v['callbacks'][0];
$v1 = http_build_query($cb['fields'] + ['sign' => $cb['sign']]);
$v1BadSign = http_build_query(['status' => '3'] + $cb['fields'] + ['sign' => $cb['sign']]);
$encrypted = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n";
$project = '9f1c2d3e-1111-4222-8333-444455556666';

// A port nobody listens on: connection refused.
$s = stream_socket_server('tcp://127.0.0.1:0');
$closedPort = (int) substr(strrchr(stream_socket_get_name($s, false), ':'), 1);
fclose($s);

$legacy = ['merchantId' => '25', 'projectId' => '74', 'privateKey' => $priv, 'publicKey' => $scPub,
    'apiUrl' => "$server/api/merchant/1", 'timeout' => 2];
$v1Merchant = ['merchantId' => '169', 'projectId' => '3', 'publicKey' => $scPub];
$v1Fetched = ['merchantId' => '169', 'projectId' => '3', 'publicKeyUrl' => "$server/files/merchant.public.pem", 'timeout' => 2];
$current = ['projectId' => $project, 'clientId' => 'leak', 'clientSecret' => 'secret',
    'publicApiUrl' => "$server/api/public", 'timeout' => 2];
$order = ['orderId' => 'leak-1', 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.30', 'description' => 'Invoice #7 <b>ąč</b>',
    'callbackUrl' => 'https://shop.example/cb', 'successUrl' => 'https://shop.example/ok', 'failureUrl' => 'https://shop.example/fail'];
$row = ['orderId' => '275', 'orderRequestId' => '275', 'receiveCurrency' => 'EUR', 'receiveAmount' => '8523.5',
    'status' => 'CREATED', 'credited' => 0, 'pendingSet' => 0];
$verified = spectrocoin_verify_callback($v1, $v1Merchant);
$paid = ['status' => 3, 'statusName' => 'PAID', 'receivedAmount' => '8523.5'] + $verified;
$reusable = ['status' => 'CREATED', 'credited' => 0, 'reviewReason' => null, 'redirectUrl' => 'https://x/1',
    'validUntil' => '1800000600000', 'receiveAmount' => '12.30', 'receiveCurrency' => 'EUR', 'invoiceAmount' => '12.30'];
$signature = spectrocoin_sign('data', $priv);

function expect(string $class, callable $f): void
{
    try {
        $f();
    } catch (Throwable $e) {
        if ($e instanceof $class) {
            return;
        }
        throw new RuntimeException("expected $class, got " . get_class($e) . ': ' . $e->getMessage());
    }
    throw new RuntimeException("expected $class, nothing was thrown");
}
function same($want, $got): void
{
    if ($want !== $got) {
        throw new RuntimeException('expected ' . var_export($want, true) . ', got ' . var_export($got, true));
    }
}

$cases = [
    'info' => fn () => same('NTS', spectrocoin_info()['threading'] ?? 'NTS'),
    'format_amount ok' => fn () => same('12.3', spectrocoin_format_amount('12.30')),
    'format_amount ConfigException' => fn () => expect(ConfigException::class, fn () => spectrocoin_format_amount('1e5')),
    'format_amount TypeError' => fn () => expect(TypeError::class, fn () => spectrocoin_format_amount([])),
    'sign ok' => fn () => same($signature, spectrocoin_sign('data', $priv)),
    'sign bad key' => fn () => expect(ConfigException::class, fn () => spectrocoin_sign('data', 'not a key')),
    'sign encrypted key' => fn () => expect(ConfigException::class, fn () => spectrocoin_sign('data', $encrypted)),
    'verify true' => fn () => same(true, spectrocoin_verify('data', $signature, $pub)),
    'verify false' => fn () => same(false, spectrocoin_verify('datA', $signature, $pub)),
    'verify bad key' => fn () => expect(ConfigException::class, fn () => spectrocoin_verify('data', $signature, $priv)),
    'order_request ok' => fn () => same(3, count(spectrocoin_order_request($legacy, $order))),
    'order_request float amount' => fn () => expect(ConfigException::class, fn () => spectrocoin_order_request($legacy, ['receiveAmount' => 12.3] + $order)),
    'order_request no key' => fn () => expect(ConfigException::class, fn () => spectrocoin_order_request(['privateKey' => ''] + $legacy, $order)),
    'verify_callback ok' => fn () => same('275', spectrocoin_verify_callback($v1, $v1Merchant)['orderId']),
    'verify_callback SignatureException' => fn () => expect(SignatureException::class, fn () => spectrocoin_verify_callback($v1BadSign, $v1Merchant)),
    'verify_callback foreign' => fn () => expect(CallbackException::class, fn () => spectrocoin_verify_callback($v1, ['projectId' => '4'] + $v1Merchant)),
    'verify_callback malformed' => fn () => expect(CallbackException::class, fn () => spectrocoin_verify_callback("a=%zz\xff", $v1Merchant)),
    'verify_callback fetched key (cached)' => fn () => same('275', spectrocoin_verify_callback($v1, $v1Fetched)['orderId']),
    'handle_callback form' => fn () => same('legacy', spectrocoin_handle_callback($v1, 'application/x-www-form-urlencoded', $v1Merchant)['format']),
    'handle_callback bad content type' => fn () => expect(CallbackException::class, fn () => spectrocoin_handle_callback('<x/>', 'text/xml', $v1Merchant)),
    'handle_callback json malformed' => fn () => expect(CallbackException::class, fn () => spectrocoin_handle_callback('{"id":1}', 'application/json', $current)),
    'decide credit' => fn () => same('credit', spectrocoin_decide($paid, $row, ['status' => 'Unpaid', 'transactionExists' => false])['action']),
    'decide mismatch' => fn () => expect(CallbackException::class, fn () => spectrocoin_decide($paid, ['receiveAmount' => '1.0'] + $row, ['status' => 'Unpaid'])),
    'decide TypeError' => fn () => expect(TypeError::class, fn () => spectrocoin_decide($paid, $row, 'Unpaid')),
    'check_config ok' => fn () => same(true, spectrocoin_check_config($legacy)['legacy']),
    'describe_key ok' => fn () => same(2048, spectrocoin_describe_key($priv)['bits']),
    'describe_key encrypted' => fn () => expect(ConfigException::class, fn () => spectrocoin_describe_key($encrypted)),
    'describe_key bad key' => fn () => expect(ConfigException::class, fn () => spectrocoin_describe_key('not a key')),
    'check_config ConfigException' => fn () => expect(ConfigException::class, fn () => spectrocoin_check_config(['privateKey' => 'nope'] + $legacy)),
    'order_reusable' => fn () => same(true, spectrocoin_order_reusable($reusable, '12.3', 'EUR', '12.30', 1_800_000_000_000)),
    'transaction_id' => fn () => same('SC275', spectrocoin_transaction_id($paid, $row)),
    // Network paths (fake SpectroCoin on loopback).
    'create_order legacy ok' => fn () => same(1234567, spectrocoin_create_order($legacy, $order)['orderRequestId']),
    'create_order legacy 203 ApiException' => fn () => expect(ApiException::class, fn () => spectrocoin_create_order($legacy, ['orderId' => 'refuse'] + $order)),
    'create_order legacy truncated JSON' => fn () => expect(NetworkException::class, fn () => spectrocoin_create_order($legacy, ['orderId' => 'broken'] + $order)),
    'create_order connect refused' => fn () => expect(NetworkException::class, fn () => spectrocoin_create_order(['apiUrl' => "http://127.0.0.1:$closedPort/api"] + $legacy, $order)),
    'create_order HTTP 500' => fn () => expect(NetworkException::class, fn () => spectrocoin_create_order(['apiUrl' => "$server/nowhere"] + $legacy, $order)),
    'create_order current ok' => fn () => same('current', spectrocoin_create_order($current, $order)['api']),
    'create_order current 422' => fn () => expect(ApiException::class, fn () => spectrocoin_create_order($current, ['orderId' => 'refuse'] + $order)),
    'fetch_order ok' => fn () => same('PAID', spectrocoin_fetch_order($current, 'o-1')['statusName']),
    'fetch_order 404' => fn () => expect(ApiException::class, fn () => spectrocoin_fetch_order($current, 'missing')),
    'handle_callback json ok' => fn () => same('json', spectrocoin_handle_callback(json_encode(['id' => 'o-1', 'merchantApiId' => $project]), 'application/json', $current)['format']),
    'handle_callback json unknown order' => fn () => expect(CallbackException::class, fn () => spectrocoin_handle_callback(json_encode(['id' => 'missing', 'merchantApiId' => $project]), 'application/json', $current)),
    'handle_callback json SpectroCoin busy' => fn () => expect(NetworkException::class, fn () => spectrocoin_handle_callback(json_encode(['id' => 'busy', 'merchantApiId' => $project]), 'application/json', $current)),
];

function rss(): int
{
    return preg_match('/^VmRSS:\s+(\d+) kB/m', (string) file_get_contents('/proc/self/status'), $m) ? (int) $m[1] * 1024 : 0;
}
$mb = static fn (int $b): string => sprintf('%+.2f MB', $b / 1048576);

$rssStart = rss();
printf("leak driver: %d calls per case, RSS at start %.1f MB\n", $n, $rssStart / 1048576);
printf("%-40s %8s %14s %12s %10s\n", 'case', 'calls', 'Zend heap', 'RSS', 'time');
$bad = 0;
$calls = 0;
foreach ($cases as $name => $case) {
    if ($only !== '' && !preg_match("/$only/", $name)) {
        continue;
    }
    $network = (bool) preg_match('/create_order|fetch_order|json ok|json unknown|busy/', $name);
    if ($server === '' && ($network || str_contains($name, 'fetched key'))) {
        printf("%-40s skipped (no LEAK_SERVER)\n", $name);
        continue;
    }
    $runs = $network ? max(1, intdiv($n, $netDivisor)) : $n;
    try {
        for ($i = 0; $i < 50; $i++) {
            $case();
        }
        gc_collect_cycles();
        [$heap0, $rss0, $t0] = [memory_get_usage(), rss(), microtime(true)];
        for ($i = 0; $i < $runs; $i++) {
            $case();
        }
        gc_collect_cycles();
        [$heap, $grow, $t] = [memory_get_usage() - $heap0, rss() - $rss0, microtime(true) - $t0];
        $calls += $runs;
    } catch (Throwable $e) {
        printf("%-40s WRONG PATH: %s\n", $name, $e->getMessage());
        $bad++;
        continue;
    }
    // Growth that scales with N is a leak; allow what allocator pages and caches settle to.
    $leaks = $memCheck && ($heap > 64 * 1024 || $grow > 2 * 1048576 + 64 * $runs);
    printf("%-40s %8d %14s %12s %9.1fs%s\n", $name, $runs, $mb($heap), $mb($grow), $t, $leaks ? '  GROWS' : '');
    $bad += $leaks ? 1 : 0;
}
$rssEnd = rss();
printf("RSS at start %.1f MB, at end %.1f MB (%s) after %d calls\n", $rssStart / 1048576, $rssEnd / 1048576, $mb($rssEnd - $rssStart), $calls);
if ($memCheck && $rssEnd - $rssStart > 16 * 1048576) {
    echo "RSS is not flat\n";
    $bad++;
}
echo $bad === 0 ? "leak driver: OK\n" : "leak driver: $bad problem(s)\n";
exit($bad === 0 ? 0 : 1);
