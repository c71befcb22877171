<?php

declare(strict_types=1);

namespace Tests\Hardening;

use Testbed\PhpServer;
use Testbed\WhmcsSite;
use Tests\EndToEnd\EndToEndTestCase;

/**
 * SpectroCoin misbehaving while a customer presses Pay Now. Each fault must give the customer
 * a clear page within the configured timeout, the admin a gateway log line that says what
 * happened, bounded memory, and leave no order row that blocks the next attempt.
 *
 * The site talks to SpectroCoin through tests/phpunit/Hardening/fault-server.php, which
 * relays to the simulator (whose control API injects 500/garbage/truncated/delay) or
 * misbehaves itself (203, 10 MB, down).
 */
final class SpectroCoinFaultTest extends EndToEndTestCase
{
    private static ?PhpServer $fault = null;
    private static string $modeFile = '';
    private static int $faultPort = 0;

    public static function setUpBeforeClass(): void
    {
        self::requireExtension();
        self::$sim = new \Testbed\Simulator();
        self::$modeFile = tempnam(sys_get_temp_dir(), 'fault-mode-');
        self::startFaultServer(null);
        self::$site = new WhmcsSite(
            modules: [dirname(__DIR__, 3) . '/php-module/modules'],
            ini: self::siteIni(self::faultApiUrl('http')),
            workers: 4,
        );
    }

    public static function tearDownAfterClass(): void
    {
        self::$fault?->stop();
        self::$fault = null;
        @unlink(self::$modeFile);
        @unlink(self::$modeFile . '.hits');
        parent::tearDownAfterClass();
    }

    protected function setUp(): void
    {
        parent::setUp();
        self::mode('pass');
    }

    private static function startFaultServer(?int $port): void
    {
        self::$fault = new PhpServer(
            docroot: __DIR__,
            router: __DIR__ . '/fault-server.php',
            env: ['FAULT_MODE_FILE' => self::$modeFile, 'SIM_URL' => self::$sim->url()],
            port: $port,
            workers: 4,
        );
        self::$faultPort = self::$fault->port();
    }

    private static function faultApiUrl(string $scheme): string
    {
        return $scheme . '://127.0.0.1:' . self::$faultPort . parse_url(self::$sim->apiUrl(), PHP_URL_PATH);
    }

    private static function siteIni(string $apiUrl): array
    {
        return [
            'extension' => self::extensionPath(),
            'spectrocoin.api_url' => $apiUrl,
            'spectrocoin.public_key_url' => self::$sim->publicKeyUrl(),
            'spectrocoin.public_api_url' => self::$sim->publicApiUrl(),
            'spectrocoin.timeout' => (string) self::SITE_TIMEOUT,
        ];
    }

    /** The `error => …` line of a gateway log entry, shortened. */
    private static function errorOf(string $data): string
    {
        return preg_match('/^error => (.*)$/m', $data, $m) ? substr($m[1], 0, 200) : substr($data, 0, 200);
    }

    private static function mode(string $mode): void
    {
        file_put_contents(self::$modeFile, $mode);
    }

    /**
     * Presses Pay Now under a fault and checks the customer page, the time, the log line;
     * then clears the fault and checks the next press starts a payment.
     */
    private function assertFaultHandled(string $case, string $logNeedle, ?WhmcsSite $site = null, string $result = 'Order Failed'): void
    {
        $site ??= self::site();
        $cookies = $site->clientLogin(1);
        $form = WhmcsSite::firstForm($site->get('viewinvoice.php?id=1', $cookies)['body']);
        self::assertNotNull($form);
        $t0 = microtime(true);
        $response = $site->post($form['action'], $form['fields'], $cookies);
        $elapsed = microtime(true) - $t0;

        self::assertContains($response['status'], [502, 503], "$case: " . substr($response['body'], 0, 300));
        self::assertStringContainsString('could not start this payment', $response['body'], $case);
        self::assertStringContainsString('viewinvoice.php?id=1', $response['body'], "$case: a way back to the invoice");
        self::assertStringNotContainsString('Fatal error', $response['body']);
        self::assertLessThan(self::SITE_TIMEOUT + 2, $elapsed, "$case: the customer waited too long");
        $log = $site->gatewayLog();
        $last = $log[count($log) - 1];
        self::assertSame($result, $last['result'], $case);
        self::assertStringContainsStringIgnoringCase($logNeedle, $last['data'], "$case: gateway log line");
        self::assertStringNotContainsString('PRIVATE KEY', $last['data']);
        self::assertLessThan(8000, strlen($last['data']), "$case: log line is bounded");

        // Fault gone: the next press starts a payment; the failed row does not block it.
        self::mode('pass');
        self::$sim->clearFaults();
        $form = WhmcsSite::firstForm($site->get('viewinvoice.php?id=1', $cookies)['body']);
        $retry = $site->post($form['action'], $form['fields'], $cookies);
        self::assertSame(303, $retry['status'], "$case: retry after the fault: " . substr($retry['body'], 0, 300));
        self::assertStringStartsWith(self::$sim->url() . '/checkout/', (string) $retry['location']);
        $rows = $site->query('SELECT order_id, create_error, redirect_url FROM mod_spectrocoin_orders WHERE invoice_id = 1 ORDER BY id');
        self::assertNotNull($rows[0]['create_error'], "$case: the failed attempt is recorded");
        self::assertSame($retry['location'], $rows[count($rows) - 1]['redirect_url']);
        HardeningFigures::record('spectrocoin-fault', sprintf('%-24s HTTP %d in %.2f s; log: %s', $case, $response['status'],
            $elapsed, self::errorOf($last['data'])));
    }

    /** @return array<string, array{string, string}> simulator fault kind, log needle */
    public static function simulatorFaults(): array
    {
        return [
            'HTTP 500' => ['http500', 'HTTP 500'],
            'garbage JSON' => ['garbage', 'unexpected body'],
            'truncated JSON' => ['truncated', 'unexpected body'],
        ];
    }

    /** @dataProvider simulatorFaults */
    public function testASimulatorFaultGivesAClearPageAndTheRetryWorks(string $kind, string $needle): void
    {
        self::$sim->fault('createOrder', $kind);
        $this->assertFaultHandled($kind, $needle);
    }

    public function testNoAnswerPastTheTimeout(): void
    {
        self::$sim->fault('createOrder', 'delay', 1, (self::SITE_TIMEOUT + 4) * 1000);
        $this->assertFaultHandled('no answer (delay)', 'did not answer within', null, 'Order Unconfirmed (No Answer)');
    }

    public function testA203ErrorArray(): void
    {
        self::mode('http203');
        // SpectroCoin's code on its own log line, apart from the HTTP status.
        $this->assertFaultHandled('HTTP 203 code 4', "spectroCoinCode => 4\n", null, 'Order Refused');
    }

    public function testATenMegabyteAnswerIsRefusedWithBoundedMemory(): void
    {
        self::mode('big');
        $this->assertFaultHandled('10 MB body', 'more than');
        // The same answer read by the extension alone: peak RSS with a 10 MB answer against a tiny one.
        $peak = function (string $mode): int {
            self::mode($mode);
            $script = '$k = json_decode(file_get_contents($argv[1]), true)["merchant_test_private_key_pem"];'
                . 'try { spectrocoin_create_order(["merchantId" => "25", "projectId" => "74", "privateKey" => $k, "apiUrl" => $argv[2], "timeout" => 5],'
                . ' ["orderId" => "m-1", "receiveCurrency" => "EUR", "receiveAmount" => "1.00", "description" => "x", "callbackUrl" => "https://x/cb"]); }'
                . ' catch (Throwable $e) { echo get_class($e), ": ", substr($e->getMessage(), 0, 120), "\n"; }'
                . 'preg_match("/VmHWM:\\s+(\\d+)/", file_get_contents("/proc/self/status"), $m); echo $m[1], "\n";';
            $cmd = [PHP_BINARY, '-n', '-d', 'extension=' . self::extensionPath(), '-r', $script,
                dirname(__DIR__, 2) . '/fixtures/vectors/spectrocoin-vectors.json', self::faultApiUrl('http')];
            $out = [];
            exec(implode(' ', array_map('escapeshellarg', $cmd)) . ' 2>&1', $out);
            self::assertCount(2, $out, implode("\n", $out));
            self::assertStringContainsString('NetworkException', $out[0] . ($mode === 'big' ? '' : 'NetworkException'));
            return (int) $out[1];
        };
        $small = $peak('http203');
        $big = $peak('big');
        self::mode('pass');
        self::assertLessThan(4 * 1024, $big - $small, "peak RSS grew by {$big}-{$small} kB for a 10 MB answer");
        HardeningFigures::record('spectrocoin-fault', sprintf('10 MB answer: peak RSS %d kB vs %d kB for a 203 (+%d kB; answers over 1 MiB are refused)', $big, $small, $big - $small));
    }

    public function testSpectroCoinDownConnectRefused(): void
    {
        self::$fault->stop();
        try {
            $this->assertFaultHandledDown();
        } finally {
            self::startFaultServer(self::$faultPort);
        }
        // Back up: the next press works.
        self::mode('pass');
        self::assertSame($this->orderIdOf(1, 3), $this->startPayment(1)['order_id'] ?? null);
    }

    private function assertFaultHandledDown(): void
    {
        $cookies = self::site()->clientLogin(1);
        $form = WhmcsSite::firstForm(self::site()->get('viewinvoice.php?id=1', $cookies)['body']);
        $t0 = microtime(true);
        $response = self::site()->post($form['action'], $form['fields'], $cookies);
        $elapsed = microtime(true) - $t0;
        self::assertSame(502, $response['status']);
        self::assertStringContainsString('could not start this payment', $response['body']);
        self::assertLessThan(self::SITE_TIMEOUT + 2, $elapsed);
        self::assertMatchesRegularExpression('/could not connect|connection refused/i', $this->lastLog()['data']);
        // Nothing reached SpectroCoin: not created (never "the order may exist").
        self::assertSame('Order Failed', $this->lastLog()['result']);
        self::assertStringStartsWith('Not created: ', (string) self::site()->query(
            'SELECT create_error FROM mod_spectrocoin_orders ORDER BY id DESC LIMIT 1')[0]['create_error']);
        // A second press while still down: same answer, no pile-up of blocking rows.
        $form = WhmcsSite::firstForm(self::site()->get('viewinvoice.php?id=1', $cookies)['body']);
        self::assertSame(502, self::site()->post($form['action'], $form['fields'], $cookies)['status']);
        HardeningFigures::record('spectrocoin-fault', sprintf('%-24s HTTP %d in %.2f s; log: %s', 'connect refused', $response['status'],
            $elapsed, self::errorOf($this->lastLog()['data'])));
    }

    public function testTlsToAPlainHttpPort(): void
    {
        $site = new WhmcsSite(
            modules: [dirname(__DIR__, 3) . '/php-module/modules'],
            ini: self::siteIni(self::faultApiUrl('https')),
            workers: 2,
        );
        try {
            $site->activateGateway(self::GATEWAY);
            self::assertSame([], $site->saveGatewaySettings(self::GATEWAY, static::gatewaySettings()));
            $cookies = $site->clientLogin(1);
            $form = WhmcsSite::firstForm($site->get('viewinvoice.php?id=1', $cookies)['body']);
            $t0 = microtime(true);
            $response = $site->post($form['action'], $form['fields'], $cookies);
            $elapsed = microtime(true) - $t0;
            self::assertSame(502, $response['status'], substr($response['body'], 0, 300));
            self::assertStringContainsString('could not start this payment', $response['body']);
            self::assertLessThan(self::SITE_TIMEOUT + 2, $elapsed);
            $log = $site->gatewayLog();
            $data = $log[count($log) - 1]['data'];
            self::assertMatchesRegularExpression('/TLS|ssl|handshake|wrong version/i', $data);
            $row = $site->query('SELECT create_error FROM mod_spectrocoin_orders WHERE invoice_id = 1')[0];
            self::assertNotNull($row['create_error']);
            HardeningFigures::record('spectrocoin-fault', sprintf('%-24s HTTP %d in %.2f s; log: %s', 'TLS to plain HTTP', $response['status'],
                $elapsed, self::errorOf($data)));
        } finally {
            $site->stop();
        }
    }
}
