<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\Simulator;

/**
 * A merchant on SpectroCoin's current API (OAuth client credentials, no RSA key): orders are
 * pre-orders, callbacks are unsigned JSON {id, merchantApiId} that the extension authenticates
 * by re-fetching the order.
 */
final class CurrentApiTest extends EndToEndTestCase
{
    protected static function gatewaySettings(): array
    {
        return self::currentApiSettings();
    }

    protected function setUp(): void
    {
        parent::setUp();
        self::sim()->setCallbackFormat('json');
    }

    private function preOrderId(array $order): string
    {
        return basename((string) $order['redirect_url']);
    }

    public function testAPreOrderIsPaidThroughJsonCallbacksWithTheOfficialTransactionId(): void
    {
        $order = $this->startPayment(1);
        self::assertNull($order['order_request_id']);
        self::assertSame($this->preOrderId($order), $order['pre_order_id']);
        self::assertStringContainsString('api => current', $this->lastLog()['data']);

        $result = self::sim()->pay($this->preOrderId($order));
        self::assertAnswered(200, '*ok*', $result['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        $tx = self::site()->transactions(1);
        self::assertCount(1, $tx);
        self::assertSame('100.00', $tx[0]['amountin']);
        // SC<order uuid>, as SpectroCoin's own module writes it for the current API.
        $uuid = (string) self::sim()->order($this->preOrderId($order))['id'];
        self::assertMatchesRegularExpression('/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/', $uuid);
        self::assertSame('SC' . $uuid, $tx[0]['transid']);
        $row = $this->order($this->orderIdOf(1, 1));
        self::assertSame($uuid, $row['order_request_id']);
        self::assertSame(1, (int) $row['credited']);
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
    }

    public function testRepeatedJsonCallbacksCreditOnce(): void
    {
        $order = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->pay($this->preOrderId($order))['attempts']);
        for ($i = 0; $i < 3; $i++) {
            self::assertAnswered(200, '*ok*', self::sim()->sendJsonCallback([], ['order' => $this->preOrderId($order)])['attempts']);
        }
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
    }

    public function testAJsonCallbackForAnotherProjectIsRejected(): void
    {
        $order = $this->startPayment(1);
        self::sim()->pay($this->preOrderId($order), false);
        $attempts = self::sim()->sendJsonCallback(['merchantApiId' => '00000000-0000-4000-8000-000000000000'],
            ['order' => $this->preOrderId($order)])['attempts'];
        self::assertAnswered(400, '', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
    }

    public function testAJsonCallbackForAnUnknownOrderIsRejected(): void
    {
        $this->startPayment(1);
        $attempts = self::sim()->sendJsonCallback(['id' => '11111111-2222-4333-8444-555555555555', 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID],
            ['url' => self::site()->callbackUrl(self::GATEWAY)])['attempts'];
        self::assertAnswered(400, '', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
    }

    public function testAJsonCallbackForAnOrderOfAnotherInvoiceIsRefused(): void
    {
        // A copy of this installation (same orderId tag) on the same SpectroCoin project took our
        // next orderId first, and its customer paid it.
        $taken = $this->orderIdOf(1, 1);
        $token = self::sim()->accessToken();
        $foreign = self::sim()->publicApi('POST', '/merchants/orders/create', $token, [
            'orderId' => $taken, 'description' => 'another shop', 'receiveAmount' => '100.00', 'receiveCurrencyCode' => 'EUR',
            'callbackUrl' => self::sim()->url() . '/elsewhere', 'successUrl' => 'http://127.0.0.1/', 'failureUrl' => 'http://127.0.0.1/',
            'projectId' => Simulator::DEFAULT_PROJECT_ID,
        ]);
        self::assertSame(200, $foreign['status'], $foreign['body']);
        self::sim()->pay((string) $foreign['json']['preOrderId']);
        $foreignUuid = (string) self::sim()->order((string) $foreign['json']['preOrderId'])['id'];

        // Ours: SpectroCoin refuses the taken orderId; the same press retries under a new tag.
        $ours = $this->startPayment(1);
        self::assertNotNull($this->order($taken)['create_error']);
        self::assertSame(1, (int) $this->order($taken)['create_refused']);
        self::assertNotSame(explode('-', $taken)[2], $this->orderTag());
        self::assertSame($this->orderIdOf(1, 2), $ours['order_id']);

        // Someone forwards the other shop's (genuine, paid, our project) order to our callback URL.
        $attempts = self::sim()->sendJsonCallback(['id' => $foreignUuid, 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID],
            ['url' => self::site()->callbackUrl(self::GATEWAY)])['attempts'];
        self::assertAnswered(400, '', $attempts);
        self::assertSame('Rejected', $this->lastLog()['result']);
        self::assertStringContainsString('refused to create order', $this->lastLog()['data']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('CREATED', $this->order($taken)['status']);
        self::assertSame('CREATED', $this->order($ours['order_id'])['status']);
    }

    public function testAJsonCallbackWhoseOrderCameFromAnotherPreOrderIsRefused(): void
    {
        // Invoices 1 and 2 each have an order; our row 1-1 is made to claim invoice 2's pre-order
        // (as after restoring an old backup): the fetched order's merchantPreOrderId must match the row.
        $first = $this->startPayment(1);
        $second = $this->startPayment(2);
        self::site()->query('UPDATE mod_spectrocoin_orders SET pre_order_id = ? WHERE order_id = ?', [$second['pre_order_id'], $this->orderIdOf(1, 1)]);
        $attempts = self::sim()->pay($this->preOrderId($first))['attempts'];
        self::assertAnswered(400, '', $attempts);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        self::assertStringContainsString('pre-order', $this->lastLog()['data']);
    }

    public function testSpectroCoinUnreachableDuringTheReFetchAnswers503AndALaterRetryCreditsOnce(): void
    {
        $order = $this->startPayment(1);
        self::sim()->fault('get', 'drop', 20);
        $attempts = self::sim()->pay($this->preOrderId($order))['attempts'];
        self::assertCount(2, $attempts, 'PENDING and PAID');
        self::assertAnswered(503, '', $attempts);
        self::assertSame('Retry Later', $this->lastLog()['result']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));

        self::sim()->clearFaults();
        $retries = self::sim()->dispatch(true);
        self::assertAnswered(200, '*ok*', $retries);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        // Nothing is left to deliver, and a further forced retry changes nothing.
        self::assertSame([], self::sim()->dispatch(true));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testSpectroCoinBusyDuringTheReFetchAnswers503(): void
    {
        $order = $this->startPayment(1);
        self::sim()->fault('get', 'http503', 20);
        self::assertAnswered(503, '', self::sim()->pay($this->preOrderId($order))['attempts']);
        // Logged as what it was: SpectroCoin answered HTTP 503 (not "could not be reached"), with its facts.
        $log = $this->lastLog();
        self::assertSame('Retry Later', $log['result']);
        self::assertStringContainsString('HTTP 503', $log['data']);
        self::assertStringContainsString("httpStatus => 503\n", $log['data']);
        self::assertStringNotContainsString('could not be reached', $log['data']);
        self::assertStringNotContainsString('SpectroCoin unavailable', $log['data']);
        self::sim()->clearFaults();
        self::assertAnswered(200, '*ok*', self::sim()->dispatch(true));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testExpiredTokensAreRenewedThroughTheSite(): void
    {
        self::sim()->tokenLifetime(2);
        $first = $this->startPayment(1);
        $issued = count(self::sim()->tokens());
        self::assertGreaterThanOrEqual(1, $issued);
        sleep(3); // every token issued so far has expired
        $second = $this->startPayment(2);
        self::assertSame($this->orderIdOf(2, 1), $second['order_id']);
        self::assertAnswered(200, '*ok*', self::sim()->pay($this->preOrderId($first))['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertGreaterThan($issued, count(self::sim()->tokens()), 'a fresh token was fetched');
        foreach (self::sim()->apiRequests() as $r) {
            self::assertNotSame('expired', $r['auth']['tokenState'] ?? null, 'an expired token was sent: ' . json_encode($r));
        }
    }

    public function testARevokedTokenIsDroppedAndTheCallRetriedOnce(): void
    {
        $order = $this->startPayment(1);
        self::sim()->revokeTokens(['all' => true]);
        self::assertAnswered(200, '*ok*', self::sim()->pay($this->preOrderId($order))['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testWrongClientCredentialsAreRefusedClearlyOnSave(): void
    {
        $errors = self::site()->saveGatewaySettings(self::GATEWAY, ['clientSecret' => 'not-the-secret']);
        self::assertCount(1, $errors);
        self::assertStringContainsString('SpectroCoin settings rejected', $errors[0]);
        self::assertMatchesRegularExpression('/client|credential/i', $errors[0]);
        self::assertStringNotContainsString('not-the-secret', $errors[0]);
        self::assertSame(Simulator::DEFAULT_CLIENT_SECRET, self::site()->gatewaySettings(self::GATEWAY)['clientSecret']);

        $errors = self::site()->saveGatewaySettings(self::GATEWAY, ['clientId' => 'sim-client-unknown']);
        self::assertCount(1, $errors);
        self::assertStringContainsString('SpectroCoin settings rejected', $errors[0]);
    }

    public function testSavingWithoutRetypingTheSecretWorksWhenValidateSeesTheMask(): void
    {
        // Stand-in knob: _config_validate gets the masked secret ("****") for an untouched field.
        self::site()->setConfig('StandInValidateUntouchedSecret', 'masked');
        $before = count(self::sim()->tokenRequests());

        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['payCurrency' => 'BTC']));

        self::assertGreaterThan($before, count(self::sim()->tokenRequests()), 'the stored secret was proven');
        self::assertSame(Simulator::DEFAULT_CLIENT_SECRET, self::site()->gatewaySettings(self::GATEWAY)['clientSecret']);
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertStringContainsString('current API (client ID and secret, accepted by SpectroCoin)', $page['body']);
        self::assertStringNotContainsString(Simulator::DEFAULT_CLIENT_SECRET, $page['body'], 'the secret is masked on the page');
        $order = $this->startPayment(1);
        self::assertSame($this->preOrderId($order), $order['pre_order_id']);
    }

    public function testSavingProvesTheCredentialsWithAFreshTokenAndShowsWhatWorks(): void
    {
        $before = count(self::sim()->tokenRequests());
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, []));
        self::assertGreaterThan($before, count(self::sim()->tokenRequests()), 'Save fetched a token');
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertStringContainsString('current API (client ID and secret, accepted by SpectroCoin)', $page['body']);
        // No Merchant ID (user UUID): signed legacy callbacks could not be matched; the admin is told.
        self::assertStringContainsString('spectrocoin-warning', $page['body']);
        self::assertStringContainsString('Merchant ID', $page['body']);
    }

    public function testSpectroCoinUnreachableOnSaveSavesWithAVisibleWarning(): void
    {
        self::sim()->fault('token', 'drop', 5);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['markPending' => false]));
        self::assertSame('', self::site()->gatewaySettings(self::GATEWAY)['markPending']);
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertStringContainsString('NOT verified', $page['body']);
        self::assertStringContainsString('could not be checked just now', $page['body']);
    }

    public function testARefusalOnSaveIsNotMistakenForAnOutage(): void
    {
        // 422 is not temporary (the extension's isRetryable()): saving later would not help.
        self::sim()->fault('token', 'http422', 5);
        $errors = self::site()->saveGatewaySettings(self::GATEWAY, ['markPending' => false]);
        self::sim()->clearFaults();
        self::assertCount(1, $errors, 'the Save is refused');
        self::assertStringContainsString('HTTP 422', $errors[0]);
        self::assertStringNotContainsString('could not be checked just now', $errors[0]);
    }
}
