<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use PHPUnit\Framework\TestCase;
use Testbed\Simulator;
use Testbed\WhmcsSite;

/**
 * The whole product over HTTP: the WHMCS stand-in with php-module/ installed and the built
 * extension loaded, talking to the SpectroCoin simulator. One site and one simulator per test
 * class; the database and the simulator are reset before every test.
 */
abstract class EndToEndTestCase extends TestCase
{
    public const GATEWAY = 'spectrocoin';
    /** The simulator's default project (tests/simulator/default-config.json). */
    public const MERCHANT_ID = '25';
    public const PROJECT_ID = '74';
    /** Seconds the extension waits for SpectroCoin on the site. */
    public const SITE_TIMEOUT = 4;

    protected static ?Simulator $sim = null;
    protected static ?WhmcsSite $site = null;

    /** Load the extension into the site's PHP? (false: the "extension missing" host) */
    protected static function withExtension(): bool
    {
        return true;
    }

    public static function extensionPath(): string
    {
        $path = getenv('SPECTROCOIN_EXT') ?: 'target/debug/libspectrocoin.so';
        if ($path[0] !== '/') {
            $path = dirname(__DIR__, 3) . '/' . $path;
        }
        return $path;
    }

    /**
     * The extension's path; a missing build fails the tests (never skips them: a suite that
     * skips everything looks green while proving nothing).
     */
    public static function requireExtension(): string
    {
        $path = self::extensionPath();
        if (!is_file($path)) {
            self::fail('extension not built: ' . $path . ' (run make ext, or set SPECTROCOIN_EXT)');
        }
        return $path;
    }

    public static function setUpBeforeClass(): void
    {
        if (static::withExtension()) {
            self::requireExtension();
        }
        self::$sim = new Simulator();
        $ini = [
            'spectrocoin.api_url' => self::$sim->apiUrl(),
            'spectrocoin.public_key_url' => self::$sim->publicKeyUrl(),
            'spectrocoin.public_api_url' => self::$sim->publicApiUrl(),
            'spectrocoin.timeout' => (string) self::SITE_TIMEOUT,
        ];
        if (static::withExtension()) {
            $ini['extension'] = self::extensionPath();
        }
        self::$site = new WhmcsSite(
            modules: [dirname(__DIR__, 3) . '/php-module/modules'],
            ini: $ini,
            workers: 8,
        );
    }

    public static function tearDownAfterClass(): void
    {
        self::$site?->stop();
        self::$sim?->stop();
        self::$site = null;
        self::$sim = null;
    }

    /**
     * Run the test as a production WHMCS may: once the admin has activated and saved the gateway,
     * the site's database user has no CREATE/ALTER (WhmcsSite::useRestrictedDatabaseUser), so a
     * callback or Pay Now that tried DDL would fail. E2E_DB_USER=installer turns it off.
     */
    protected static function restrictedDatabaseUser(): bool
    {
        return getenv('E2E_DB_USER') !== 'installer';
    }

    protected function setUp(): void
    {
        // Installing and activating need CREATE/ALTER: the installer's user until then.
        self::$site->useInstallerDatabaseUser();
        self::$sim->reset();
        self::$site->resetDatabase();
        self::$site->activateGateway(self::GATEWAY);
        $errors = self::$site->saveGatewaySettings(self::GATEWAY, static::gatewaySettings());
        if (static::withExtension()) {
            self::assertSame([], $errors, 'saving the gateway settings');
        }
        if (static::restrictedDatabaseUser()) {
            self::$site->useRestrictedDatabaseUser();
        }
    }

    /** @return array<string, mixed> */
    protected static function gatewaySettings(): array
    {
        return [
            'merchantId' => self::MERCHANT_ID,
            'projectId' => self::PROJECT_ID,
            'privateKey' => self::merchantPrivateKey(),
        ];
    }

    /**
     * POSTs the same legacy callback body $copies times at once (curl_multi) and returns each answer
     * as "<status> <body>", in sending order.
     *
     * @return list<string>
     */
    protected function postConcurrently(string $body, int $copies): array
    {
        $multi = curl_multi_init();
        $handles = [];
        for ($i = 0; $i < $copies; $i++) {
            $ch = curl_init(self::$site->callbackUrl(static::GATEWAY));
            curl_setopt_array($ch, [
                CURLOPT_POST => true,
                CURLOPT_POSTFIELDS => $body,
                CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
                CURLOPT_RETURNTRANSFER => true,
                CURLOPT_TIMEOUT => 120,
            ]);
            curl_multi_add_handle($multi, $ch);
            $handles[] = $ch;
        }
        do {
            $status = curl_multi_exec($multi, $running);
            if ($running > 0) {
                curl_multi_select($multi, 1.0);
            }
        } while ($running > 0 && $status === CURLM_OK);
        $answers = [];
        foreach ($handles as $ch) {
            $answers[] = curl_getinfo($ch, CURLINFO_RESPONSE_CODE) . ' ' . curl_multi_getcontent($ch);
            curl_multi_remove_handle($multi, $ch);
            curl_close($ch);
        }
        curl_multi_close($multi);
        return $answers;
    }

    /** Inserts mod_spectrocoin_orders rows (all with the same columns) 200 per statement, for tests of many orders. */
    protected function insertOrderRows(array $rows): void
    {
        $columns = array_keys($rows[0]);
        $pdo = self::$site->pdo();
        foreach (array_chunk($rows, 200) as $chunk) {
            $sql = 'INSERT INTO mod_spectrocoin_orders (`' . implode('`, `', $columns) . '`) VALUES '
                . implode(', ', array_fill(0, count($chunk), '(' . implode(', ', array_fill(0, count($columns), '?')) . ')'));
            $pdo->prepare($sql)->execute(array_merge(...array_map(static fn (array $r): array => array_values($r), $chunk)));
        }
    }

    /** Settings of a merchant on SpectroCoin's current API only (client credentials, no key). */
    protected static function currentApiSettings(): array
    {
        return [
            'merchantId' => '',
            'projectId' => \Testbed\Simulator::DEFAULT_PROJECT_ID,
            'privateKey' => '',
            'clientId' => \Testbed\Simulator::DEFAULT_CLIENT_ID,
            'clientSecret' => \Testbed\Simulator::DEFAULT_CLIENT_SECRET,
        ];
    }

    /**
     * Activates the operations addon (spectrocoinops) as WHMCS does: the installer's database user
     * (activation creates its tables), then back to the restricted one callbacks run as.
     */
    protected function activateOperationsAddon(): void
    {
        self::$site->useInstallerDatabaseUser();
        self::assertSame('success', self::$site->activateAddon('spectrocoinops')['status']);
        if (static::restrictedDatabaseUser()) {
            self::$site->useRestrictedDatabaseUser();
        }
    }

    protected static function vectors(): array
    {
        return json_decode((string) file_get_contents(dirname(__DIR__, 2) . '/fixtures/vectors/spectrocoin-vectors.json'), true);
    }

    /** SpectroCoin's published sample merchant key; its public half is the simulator's default project key. */
    protected static function merchantPrivateKey(): string
    {
        return self::vectors()['merchant_test_private_key_pem'];
    }

    protected static function site(): WhmcsSite
    {
        return self::$site;
    }

    protected static function sim(): Simulator
    {
        return self::$sim;
    }

    // ---- the customer's side ----------------------------------------------------------------

    /**
     * A customer page of ours (issue 17): the status code, shown in the shop's client area with its
     * name, a link back to the invoice (or the invoice list when none is known), the reference to
     * quote, and words rather than HTTP or WHMCS status jargon. Returns the page's visible text.
     */
    protected static function assertCustomerPage(array $response, int $status, ?int $invoiceId, ?string $orderId = null): string
    {
        $body = $response['body'];
        self::assertSame($status, $response['status'], $body);
        self::assertStringContainsString('<strong id="company-name">Stand-in Hosting &amp; Co</strong>', $body, 'the shop\'s name');
        self::assertStringContainsString('id="spectrocoin-message"', $body);
        self::assertMatchesRegularExpression('#<a id="spectrocoin-back"[^>]* href="([^"]+)"#', $body);
        preg_match('#<a id="spectrocoin-back"[^>]* href="([^"]+)"#', $body, $m);
        $back = html_entity_decode($m[1], ENT_QUOTES | ENT_HTML5);
        if ($invoiceId !== null) {
            self::assertSame(self::$site->url('viewinvoice.php?id=' . $invoiceId), $back);
            // "Invoice #1", "Rechnung Nr. 1": the number, in whatever language.
            self::assertMatchesRegularExpression('#<p id="spectrocoin-reference"[^>]*>[^<]*<strong>[^<]*\b' . $invoiceId . '\b#', $body);
        } else {
            self::assertSame(self::$site->url('clientarea.php?action=invoices'), $back);
        }
        if ($orderId !== null) {
            self::assertMatchesRegularExpression('#<p id="spectrocoin-reference"[^>]*>.*' . preg_quote($orderId, '#') . '#', $body);
        }
        preg_match('#<main[^>]*>(.*)</main>#s', $body, $main);
        $text = html_entity_decode(strip_tags($main[1] ?? $body), ENT_QUOTES | ENT_HTML5);
        $withoutReference = $orderId !== null ? str_replace($orderId, '', $text) : $text;
        self::assertDoesNotMatchRegularExpression('/\b(403|405|409|502|503)\b|HTTP|Method not allowed|Forbidden|Conflict|Bad Gateway'
            . '|Service Unavailable|status:|Payment Pending|Unpaid|\b[A-Z]{4,}(_[A-Z]+)*\b/', $withoutReference, 'jargon in: ' . $text);
        return $text;
    }

    /** The invoice page's Pay Now form (first form of the gateway's output), as the customer sees it. */
    protected function payNowForm(int $invoiceId, array $cookies): array
    {
        $page = self::$site->get('viewinvoice.php?id=' . $invoiceId, $cookies);
        self::assertSame(200, $page['status'], 'viewinvoice: ' . substr($page['body'], 0, 500));
        $form = WhmcsSite::firstForm($page['body']);
        self::assertNotNull($form, 'no Pay Now form on the invoice page: ' . $page['body']);
        return $form;
    }

    /** Presses Pay Now: returns the Pay Now endpoint's response. */
    protected function pressPayNow(int $invoiceId, ?array $cookies = null): array
    {
        $cookies ??= self::$site->clientLogin($this->ownerOf($invoiceId));
        $form = $this->payNowForm($invoiceId, $cookies);
        self::assertSame('POST', $form['method']);
        return self::$site->post($form['action'], $form['fields'], $cookies);
    }

    /** Presses Pay Now and expects the 303 to SpectroCoin's checkout; returns our order row. */
    protected function startPayment(int $invoiceId, ?array $cookies = null): array
    {
        $response = $this->pressPayNow($invoiceId, $cookies);
        if ($response['status'] !== 303) {
            $log = self::$site->gatewayLog();
            self::fail('Pay Now answered ' . $response['status'] . ":\n" . $response['body'] . "\ngateway log: "
                . json_encode(array_slice($log, -3), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n" . self::$site->logTail(1500));
        }
        self::assertStringStartsWith(self::$sim->url() . '/checkout/', (string) $response['location']);
        $order = $this->latestOrder($invoiceId);
        self::assertSame($response['location'], $order['redirect_url']);
        return $order;
    }

    protected function ownerOf(int $invoiceId): int
    {
        return (int) self::$site->invoice($invoiceId)['userid'];
    }

    // ---- state ------------------------------------------------------------------------------

    /** @return list<array<string, mixed>> mod_spectrocoin_orders rows of an invoice, oldest first */
    protected function orders(int $invoiceId): array
    {
        return self::$site->query('SELECT * FROM mod_spectrocoin_orders WHERE invoice_id = ? ORDER BY id', [$invoiceId]);
    }

    protected function latestOrder(int $invoiceId): array
    {
        $orders = $this->orders($invoiceId);
        self::assertNotEmpty($orders, "no SpectroCoin order for invoice $invoiceId");
        return $orders[count($orders) - 1];
    }

    protected function order(string $orderId): array
    {
        $rows = self::$site->query('SELECT * FROM mod_spectrocoin_orders WHERE order_id = ?', [$orderId]);
        self::assertCount(1, $rows, "order $orderId");
        return $rows[0];
    }

    /**
     * This installation's orderId tag (OrderStore::orderTag). Before the first order it is created
     * here the way the module does (first writer wins), so a test can name orderIds in advance.
     */
    protected function orderTag(): string
    {
        $read = fn () => self::$site->query("SELECT value FROM mod_spectrocoin_meta WHERE name = 'order_tag'")[0]['value'] ?? null;
        if ($read() === null) {
            self::$site->query("INSERT IGNORE INTO mod_spectrocoin_meta (name, value) VALUES ('order_tag', ?)", [bin2hex(random_bytes(4))]);
        }
        return (string) $read();
    }

    /** The orderId of the n-th order of an invoice under the current tag. */
    protected function orderIdOf(int $invoiceId, int $n): string
    {
        return $invoiceId . '-' . $n . '-' . $this->orderTag();
    }

    protected function invoiceStatus(int $invoiceId): string
    {
        return (string) self::$site->invoice($invoiceId)['status'];
    }

    /** Gateway log rows written by this module (the display name replaces the module name). */
    protected function gatewayLog(): array
    {
        return self::$site->gatewayLog();
    }

    protected function lastLog(): array
    {
        $log = $this->gatewayLog();
        self::assertNotEmpty($log, 'gateway log is empty');
        return $log[count($log) - 1];
    }

    /**
     * Asserts every callback attempt got the given answer.
     *
     * @param list<array<string, mixed>> $attempts
     */
    protected static function assertAnswered(int $status, string $body, array $attempts): void
    {
        self::assertNotEmpty($attempts, 'no callback was delivered');
        foreach ($attempts as $a) {
            self::assertSame($status, $a['httpStatus'], 'callback answer: ' . json_encode($a) . "\n" . self::$site->logTail());
            if ($body !== '') {
                self::assertSame($body, $a['responseExcerpt']);
            }
        }
    }

    /** A hand-made callback for one of our orders (status, overrides, signing key). */
    protected function sendCallback(int $orderRequestId, int $status, array $fields = [], array $options = []): array
    {
        $result = self::$sim->sendCallback($fields, ['orderRequestId' => $orderRequestId, 'status' => $status] + $options);
        return $result['attempts'];
    }

    /** The fields of the n-th createOrder request the simulator received, name => value. */
    protected function sentOrder(int $index = 0): array
    {
        $requests = self::$sim->requests();
        self::assertArrayHasKey($index, $requests, 'createOrder request #' . $index);
        $fields = [];
        foreach ($requests[$index]['parsed'] as [$name, $value]) {
            $fields[$name] = $value;
        }
        return $fields;
    }

    /** Raw POST to our callback URL. */
    protected function postCallback(string $body): array
    {
        return self::$site->post(self::$site->callbackUrl(self::GATEWAY), $body, [], ['Content-Type' => 'application/x-www-form-urlencoded']);
    }
}
