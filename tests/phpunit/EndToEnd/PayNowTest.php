<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\WhmcsSite;

/** The invoice page's form and the Pay Now endpoint. */
final class PayNowTest extends EndToEndTestCase
{
    public function testTheInvoicePageShowsARealPostFormWithoutSecrets(): void
    {
        $cookies = self::site()->clientLogin(1);
        $page = self::site()->get('viewinvoice.php?id=1', $cookies);
        $form = WhmcsSite::firstForm($page['body']);
        self::assertSame('POST', $form['method']);
        self::assertSame(self::site()->url('modules/gateways/spectrocoin/paynow.php'), $form['action']);
        self::assertSame(['invoiceid', 'spectrocoin_token'], array_keys($form['fields']));
        self::assertSame('1', $form['fields']['invoiceid']);
        self::assertMatchesRegularExpression('/^\d+\.[0-9a-f]{64}$/', $form['fields']['spectrocoin_token']);
        self::assertStringNotContainsString('PRIVATE KEY', $page['body']);
        self::assertSame([], self::sim()->requests(), 'the invoice page must not call SpectroCoin');
        self::assertSame([], $this->orders(1));
    }

    public function testPayNowReusesAStillValidOpenOrder(): void
    {
        $first = $this->startPayment(1);
        $second = $this->startPayment(1);
        self::assertSame($first['order_id'], $second['order_id']);
        self::assertCount(1, self::sim()->requests());
        self::assertCount(1, $this->orders(1));
        self::assertSame('Order Reused', $this->lastLog()['result']);
    }

    public function testPayNowReusesAPendingOrderRatherThanInvitingASecondPayment(): void
    {
        // With "Payment Pending" off the invoice stays Unpaid (and payable) while the payment confirms.
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['markPending' => false]));
        $first = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $first['order_request_id'], 2)['attempts']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        // Even once its checkout time has run out: the money is on its way.
        self::site()->query('UPDATE mod_spectrocoin_orders SET valid_until = ? WHERE id = ?', [(time() - 60) * 1000, $first['id']]);
        $second = $this->startPayment(1);
        self::assertSame($first['order_id'], $second['order_id']);
        self::assertCount(1, self::sim()->requests());
        self::assertCount(1, $this->orders(1));
        self::assertSame('Order Reused', $this->lastLog()['result']);
    }

    public function testPayNowDoesNotReuseAnOrderUnderReview(): void
    {
        $first = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $first['order_request_id'], 11, '0.0001')['attempts']);
        self::assertSame($this->orderIdOf(1, 2), $this->startPayment(1)['order_id']);
    }

    public function testPayNowCreatesANewOrderWhenTheBalanceChanged(): void
    {
        $first = $this->startPayment(1);
        self::site()->call('addInvoicePayment', [1, 'BANK-1', '40.00', 0, 'banktransfer']);
        $second = $this->startPayment(1);
        self::assertSame($this->orderIdOf(1, 1), $first['order_id']);
        self::assertSame($this->orderIdOf(1, 2), $second['order_id']);
        self::assertSame('60.00', $second['receive_amount']);
        self::assertCount(2, self::sim()->requests());
    }

    public function testPayNowCreatesANewOrderWhenTheOpenOneIsAboutToExpire(): void
    {
        $first = $this->startPayment(1);
        self::site()->query('UPDATE mod_spectrocoin_orders SET valid_until = ? WHERE id = ?', [(time() + 60) * 1000, $first['id']]);
        $second = $this->startPayment(1);
        self::assertSame($this->orderIdOf(1, 2), $second['order_id']);
    }

    public function testPayNowDoesNotReuseAnExpiredOrder(): void
    {
        $first = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->expire((int) $first['order_request_id'])['attempts']);
        self::assertSame($this->orderIdOf(1, 2), $this->startPayment(1)['order_id']);
    }

    public function testAReinstalledModuleUsesNewOrderIdsAndIgnoresTheEarlierInstallationsOrders(): void
    {
        $before = $this->startPayment(1);
        // Reinstall: the module's tables are gone, SpectroCoin still has the earlier order.
        self::site()->useInstallerDatabaseUser();
        self::site()->resetDatabase();
        self::site()->activateGateway(self::GATEWAY);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings()));
        $after = $this->startPayment(1);
        self::assertNotSame($before['order_id'], $after['order_id']);
        self::assertStringStartsWith('1-1-', $after['order_id']);
        self::assertCount(2, self::sim()->requests());

        // The earlier installation's order is paid: its callback reaches the same URL but matches no row of ours.
        $attempts = self::sim()->pay((int) $before['order_request_id'])['attempts'];
        self::assertAnswered(400, '', $attempts);
        self::assertStringContainsString('was not issued by this WHMCS', $this->lastLog()['data']);
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
    }

    public function testAnOrderIdTakenByACopyOfThisInstallationIsRetriedOnceUnderANewTag(): void
    {
        $before = $this->startPayment(1);
        $tag = $this->orderTag();
        // A staging copy restored from a backup: same tag, empty order table, same SpectroCoin project.
        self::site()->useInstallerDatabaseUser();
        self::site()->resetDatabase();
        self::site()->activateGateway(self::GATEWAY);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings()));
        self::site()->query("INSERT INTO mod_spectrocoin_meta (name, value) VALUES ('order_tag', ?)", [$tag]);

        $after = $this->startPayment(1);
        self::assertNotSame($tag, $this->orderTag());
        self::assertSame($this->orderIdOf(1, 2), $after['order_id']);
        $refused = $this->order($before['order_id']);
        self::assertSame(1, (int) $refused['create_refused']);
        self::assertStringContainsString('already used in this project', (string) $refused['create_error']);
        $results = array_column(array_slice($this->gatewayLog(), -2), 'result');
        self::assertSame(['Order Refused', 'Order Created'], $results);
        self::assertCount(3, self::sim()->requests(), 'one retry, not more');
    }

    public function testSomeoneElsesInvoiceIsRefused(): void
    {
        $alice = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $alice);
        // Alice's token for invoice 1 does not open Carol's invoice 9.
        $response = self::site()->post($form['action'], ['invoiceid' => '9'] + $form['fields'], $alice);
        self::assertSame(403, $response['status']);
        // Carol's own token, replayed from Alice's session, is refused too.
        $carolForm = $this->payNowForm(9, self::site()->clientLogin(3));
        $response = self::site()->post($carolForm['action'], $carolForm['fields'], $alice);
        self::assertSame(403, $response['status']);
        self::assertSame([], self::sim()->requests());
    }

    public function testTheLoggedInClientComesFromCurrentUserNotTheLegacySessionKey(): void
    {
        // Stand-in knob: the session has no legacy `uid`; only WHMCS 8's CurrentUser knows the client.
        self::site()->setConfig('StandInSessionUid', 'off');
        $alice = self::site()->clientLogin(1);
        $carolForm = $this->payNowForm(9, self::site()->clientLogin(3));

        $response = self::site()->post($carolForm['action'], $carolForm['fields'], $alice);

        self::assertSame(403, $response['status'], 'Alice\'s session, Carol\'s invoice');
        self::assertStringContainsString('another account', $response['body']);
        self::assertSame([], self::sim()->requests());
        $this->startPayment(1, $alice);
    }

    public function testALeakedFormPostedWithoutASessionStartsNothing(): void
    {
        $form = $this->payNowForm(1, self::site()->clientLogin(1));
        $response = self::site()->post($form['action'], $form['fields']);
        self::assertSame(403, $response['status']);
        self::assertSame([], self::sim()->requests());
        self::assertSame([], $this->orders(1));
    }

    public function testAFormPostedFromAnotherSiteStartsNothing(): void
    {
        $cookies = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $cookies);
        $response = self::site()->post($form['action'], $form['fields'], $cookies, ['Origin' => 'https://attacker.example']);
        self::assertSame(403, $response['status']);
        $response = self::site()->post($form['action'], $form['fields'], $cookies, ['Sec-Fetch-Site' => 'cross-site']);
        self::assertSame(403, $response['status']);
        self::assertSame([], self::sim()->requests());
        // The same form from our own origin works.
        $origin = rtrim(self::site()->url(''), '/');
        $origin = preg_replace('#^(https?://[^/]+).*$#', '$1', $origin);
        self::assertSame(303, self::site()->post($form['action'], $form['fields'], $cookies, ['Origin' => $origin])['status']);
    }

    public function testAnExpiredTokenIsRefused(): void
    {
        $cookies = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $cookies);
        // README: "<expiry>.<HMAC-SHA256(key, 'invoice:<id>|viewer:client:<id>|until:<expiry>')>", key = HMAC(secret, domain).
        $secret = self::site()->query("SELECT value FROM mod_spectrocoin_meta WHERE name = 'paynow_secret'")[0]['value'];
        $key = hash_hmac('sha256', 'spectrocoin/paynow-token/v2', $secret, true);
        $mint = fn (int $until) => $until . '.' . hash_hmac('sha256', 'invoice:1|viewer:client:1|until:' . $until, $key);
        $expired = ['spectrocoin_token' => $mint(time() - 1)] + $form['fields'];
        self::assertSame(403, self::site()->post($form['action'], $expired, $cookies)['status']);
        self::assertSame([], self::sim()->requests());
        // The construction is the one the module uses: a fresh expiry is accepted.
        $fresh = ['spectrocoin_token' => $mint(time() + 600)] + $form['fields'];
        self::assertSame(303, self::site()->post($form['action'], $fresh, $cookies)['status']);
    }

    public function testAForgedTokenIsRefused(): void
    {
        $cookies = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $cookies);
        $fields = ['spectrocoin_token' => str_repeat('0', 64)] + $form['fields'];
        $response = self::site()->post($form['action'], $fields, $cookies);
        self::assertSame(403, $response['status']);
        self::assertStringContainsString('not valid', $response['body']);
        self::assertSame([], self::sim()->requests());
    }

    public function testGetIsNotAllowed(): void
    {
        $response = self::site()->get('modules/gateways/spectrocoin/paynow.php?invoiceid=1');
        self::assertSame(405, $response['status']);
    }

    public function testAnInvoiceThatIsNoLongerUnpaidIsRefused(): void
    {
        $cookies = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $cookies);
        self::site()->query("UPDATE tblinvoices SET status = 'Paid' WHERE id = 1");
        $response = self::site()->post($form['action'], $form['fields'], $cookies);
        self::assertSame(409, $response['status']);
        self::assertStringContainsString('already paid', $response['body']);
        self::assertSame([], self::sim()->requests());
    }

    public function testAnInvoiceOfAnotherGatewayIsRefused(): void
    {
        $cookies = self::site()->clientLogin(1);
        $form = $this->payNowForm(1, $cookies);
        self::site()->query("UPDATE tblinvoices SET paymentmethod = 'banktransfer' WHERE id = 1");
        $response = self::site()->post($form['action'], $form['fields'], $cookies);
        self::assertSame(409, $response['status']);
        self::assertSame([], self::sim()->requests());
    }

    public function testSpectroCoinRefusalShowsAPlainPageAndLogsItsCodeButNoSecret(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['projectId' => '75']));
        $response = $this->pressPayNow(1);
        self::assertSame(502, $response['status']);
        self::assertStringContainsString('could not start this payment', $response['body']);
        self::assertStringContainsString('viewinvoice.php?id=1', $response['body']);
        $log = $this->lastLog();
        self::assertSame('Order Refused', $log['result']);
        // The extension's facts, each on its own line: SpectroCoin's code 6 apart from HTTP 203.
        self::assertStringContainsString("spectroCoinCode => 6\n", $log['data']);
        self::assertStringContainsString("httpStatus => 203\n", $log['data']);
        self::assertStringContainsString("temporary => no\n", $log['data']);
        self::assertStringContainsString('orderId => ' . $this->orderIdOf(1, 1), $log['data']);
        foreach ($this->gatewayLog() as $row) {
            self::assertStringNotContainsString('PRIVATE KEY', $row['data']);
            self::assertStringNotContainsString('sign=', $row['data']);
        }
        self::assertNotNull($this->latestOrder(1)['create_error']);
        // The next press tries a new order id rather than reusing the failed one.
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['projectId' => self::PROJECT_ID]));
        self::assertSame($this->orderIdOf(1, 2), $this->startPayment(1)['order_id']);
    }

    public function testASpectroCoinTimeoutShowsAPlainPageWithinTheTimeout(): void
    {
        self::sim()->fault('createOrder', 'delay', 1, (self::SITE_TIMEOUT + 6) * 1000);
        $started = microtime(true);
        $response = $this->pressPayNow(1);
        $elapsed = microtime(true) - $started;
        self::assertSame(502, $response['status']);
        self::assertStringContainsString('could not start this payment', $response['body']);
        self::assertLessThan(self::SITE_TIMEOUT + 2, $elapsed);
        // Not a refusal: nothing came back, so the order may exist at SpectroCoin.
        self::assertSame('Order Unconfirmed (No Answer)', $this->lastLog()['result']);
    }

    /** @return array<string, array{string}> */
    public static function brokenAnswers(): array
    {
        return ['HTTP 500' => ['http500'], 'garbage' => ['garbage'], 'truncated' => ['truncated'], 'dropped' => ['drop']];
    }

    /** @dataProvider brokenAnswers */
    public function testABrokenSpectroCoinAnswerShowsAPlainPage(string $kind): void
    {
        self::sim()->fault('createOrder', $kind);
        $response = $this->pressPayNow(1);
        self::assertSame(502, $response['status']);
        self::assertStringContainsString('could not start this payment', $response['body']);
    }

    public function testSuccessAndFailureUrlOverrides(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, [
            'successUrl' => 'https://shop.example/thanks?invoice={invoiceid}',
            'failureUrl' => 'https://shop.example/sorry',
        ]));
        $order = $this->startPayment(1);
        // This press's request (a request an earlier test's fault delayed may be recorded after the reset).
        $sent = array_values(array_filter(array_map(fn ($i) => $this->sentOrder($i), array_keys(self::sim()->requests())),
            fn ($f) => ($f['orderId'] ?? '') === $order['order_id']))[0];
        self::assertSame('https://shop.example/thanks?invoice=1', $sent['successUrl']);
        self::assertSame('https://shop.example/sorry', $sent['failureUrl']);
    }

    public function testTheCustomerReturnsToTheInvoiceWithWhmcsBanners(): void
    {
        $cookies = self::site()->clientLogin(1);
        $this->startPayment(1, $cookies);
        $page = self::site()->get($this->sentOrder()['successUrl'], $cookies);
        self::assertSame(200, $page['status']);
        self::assertStringContainsString('id="payment-success-awaiting"', $page['body']);
        $page = self::site()->get($this->sentOrder()['failureUrl'], $cookies);
        self::assertStringContainsString('id="payment-failed"', $page['body']);
    }
}
