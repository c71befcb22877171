<?php

declare(strict_types=1);

namespace SimulatorTests;

use Testbed\Simulator;

require_once __DIR__ . '/SimulatorTestCase.php';

/** POST /api/public/merchants/orders/create, GET …/orders/{id}, the pre-order checkout. */
final class PublicOrderTest extends SimulatorTestCase
{
    private const OTHER_PROJECT = '0b7c1e2d-3f4a-4b5c-8d6e-7f8091a2b3c4';

    private function registerOtherProject(): void
    {
        $this->sim()->registerMerchant(self::project([
            'merchantId' => '26', 'apiId' => '75',
            'userId' => '11111111-2222-4333-8444-555555555555', 'merchantApiId' => self::OTHER_PROJECT,
        ]));
        $this->sim()->registerClient('other-client', 'other-secret', self::OTHER_PROJECT);
    }

    public function testCreateAnswersAPreOrderWithTheDocumentedFields(): void
    {
        $started = time();
        $r = $this->sim()->publicApi('POST', '/merchants/orders/create', $this->sim()->accessToken(), $this->publicOrderBody([
            'orderId' => 'INV-42', 'receiveAmount' => '12.30',
        ]));

        self::assertSame(200, $r['status'], $r['body']);
        self::assertStringStartsWith('application/json', $r['headers']['content-type']);
        $o = $r['json'];
        self::assertSame([
            'preOrderId', 'orderId', 'validUntil', 'payCurrencyCode', 'payNetworkCode', 'payAmount',
            'depositAddress', 'memo', 'receiveCurrencyCode', 'receiveAmount', 'redirectUrl',
        ], array_keys($o));
        self::assertUuid($o['preOrderId']);
        self::assertSame('INV-42', $o['orderId']);
        self::assertMatchesRegularExpression('/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/D', $o['validUntil']);
        $validUntil = (new \DateTimeImmutable($o['validUntil']))->getTimestamp();
        self::assertEqualsWithDelta($started + 900, $validUntil, 5, 'orderLifetimeMs: 15 min');
        self::assertSame('BTC', $o['payCurrencyCode']);
        self::assertSame('BTC', $o['payNetworkCode']);
        self::assertSame('0.000246', $o['payAmount'], 'ceil8(12.3 / 50000)');
        self::assertNull($o['depositAddress'], 'null until the payer chooses');
        self::assertNull($o['memo']);
        self::assertSame('EUR', $o['receiveCurrencyCode']);
        self::assertSame('12.30', $o['receiveAmount'], 'a string, as sent');
        self::assertSame($this->sim()->url() . '/checkout/pre/' . $o['preOrderId'], $o['redirectUrl']);

        $pre = $this->sim()->preOrder($o['preOrderId']);
        self::assertSame('12.3', $pre['receiveAmount']);
        self::assertNull($pre['orderRequestId']);
        self::assertSame([], $this->sim()->orders(), 'no order before the payer chooses');
    }

    public function testOlderFieldNamesPerProject(): void
    {
        $this->sim()->setLegacyFieldNames(true);
        $created = $this->createPublicOrder();

        self::assertSame([
            'preOrderId', 'orderId', 'validUntil', 'payCurrency', 'payNetworkName', 'payAmount',
            'depositAddress', 'memo', 'receiveCurrency', 'receiveAmount', 'redirectUrl',
        ], array_keys($created));
        self::assertSame(['BTC', 'BTC', 'EUR'], [$created['payCurrency'], $created['payNetworkName'], $created['receiveCurrency']]);

        $order = $this->sim()->choose($created['preOrderId'])['order'];
        $got = $this->getPublicOrder($order['id'])['json'];
        self::assertArrayHasKey('payCurrency', $got);
        self::assertArrayHasKey('payNetworkName', $got);
        self::assertArrayHasKey('receiveCurrency', $got);
        self::assertArrayNotHasKey('receiveCurrencyCode', $got);
        self::assertArrayNotHasKey('payCurrencyCode', $got);
    }

    public function testGetAnOrderWithStatusNamesOrNumericTwins(): void
    {
        $created = $this->createPublicOrder(['orderId' => 'INV-7', 'receiveAmount' => '125.5']);
        $chosen = $this->sim()->choose($created['preOrderId']);
        $id = $chosen['order']['id'];
        self::assertUuid($id);
        self::assertNotSame($created['preOrderId'], $id);

        $r = $this->getPublicOrder($id);
        self::assertSame(200, $r['status'], $r['body']);
        $o = $r['json'];
        self::assertSame([
            'id', 'orderId', 'merchantPreOrderId', 'status', 'description', 'payCurrencyCode', 'payNetworkCode',
            'payAmount', 'depositAddress', 'memo', 'receiveCurrencyCode', 'receiveAmount', 'validUntil',
        ], array_keys($o));
        self::assertSame($id, $o['id']);
        self::assertSame('INV-7', $o['orderId']);
        self::assertSame($created['preOrderId'], $o['merchantPreOrderId']);
        self::assertSame('NEW', $o['status']);
        self::assertSame('0.00251', $o['payAmount']);
        self::assertStringStartsWith('bc1q', $o['depositAddress']);
        self::assertSame('EUR', $o['receiveCurrencyCode']);
        self::assertSame('125.5', $o['receiveAmount']);

        $this->sim()->payPart($id, '0.001');
        self::assertSame('PARTIAL_PAYMENT', $this->getPublicOrder($id)['json']['status']);
        $this->sim()->pay($id);
        self::assertSame('PAID', $this->getPublicOrder($id)['json']['status']);
        $this->sim()->setNumericStatus(true);
        self::assertSame(3, $this->getPublicOrder($id)['json']['status']);
        $this->sim()->setStatus($id, 18, null, false);
        self::assertSame(18, $this->getPublicOrder($id)['json']['status']);
        $this->sim()->setNumericStatus(false);
        self::assertSame('REFUNDED', $this->getPublicOrder($id)['json']['status']);
    }

    public function testLegacyCreatedOrdersAreVisibleThroughTheCurrentApi(): void
    {
        $legacy = $this->createOrder(['orderId' => 'OLD-1']);
        $order = $this->sim()->order($legacy['orderRequestId']);

        $o = $this->getPublicOrder($order['id'])['json'];

        self::assertSame('OLD-1', $o['orderId']);
        self::assertNull($o['merchantPreOrderId']);
        self::assertSame('NEW', $o['status']);
    }

    public function testGetOf404s(): void
    {
        $this->registerOtherProject();
        $mine = $this->createPublicOrder();
        $mineOrder = $this->sim()->choose($mine['preOrderId'])['order'];
        $theirs = $this->createPublicOrder(['projectId' => self::OTHER_PROJECT], $this->sim()->accessToken('other-client', 'other-secret'));
        $theirOrder = $this->sim()->choose($theirs['preOrderId'])['order'];

        self::assertErrorBody(404, $this->getPublicOrder('5f0c7a52-0000-4000-8000-000000000000'), 'not found');
        self::assertErrorBody(404, $this->getPublicOrder('not-a-uuid'));
        self::assertErrorBody(404, $this->getPublicOrder($theirOrder['id']), 'not found');
        self::assertErrorBody(404, $this->getPublicOrder($mine['preOrderId']), 'not found'); // a pre-order id is not an order id
        self::assertSame(200, $this->getPublicOrder($mineOrder['id'])['status']);
        self::assertSame(200, $this->getPublicOrder($theirOrder['id'], $this->sim()->accessToken('other-client', 'other-secret'))['status']);
        self::assertSame('NOT_FOUND', $this->getPublicOrder($theirOrder['id'])['json']['key']);
    }

    public function testMissingParametersAre400NamingThemAll(): void
    {
        $token = $this->sim()->accessToken();
        foreach (['receiveAmount', 'receiveCurrencyCode', 'callbackUrl', 'projectId', 'description'] as $name) {
            $body = array_filter($this->publicOrderBody([$name => null]), static fn ($v) => $v !== null);
            $r = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $body);
            self::assertErrorBody(400, $r, "Missing required parameter(s): $name");
            self::assertSame(['GEN_8', 'VALIDATION', 'MISSING_PARAMETER', [$name]],
                [$r['json']['errorCode'], $r['json']['category'], $r['json']['key'], $r['json']['errorParameters']]);
        }
        $several = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, ['orderId' => 'x']);
        self::assertErrorBody(400, $several, 'receiveAmount');
        self::assertSame(['description', 'receiveAmount', 'receiveCurrencyCode', 'callbackUrl', 'projectId'], $several['json']['errorParameters']);
        self::assertSame([], $this->sim()->preOrders());
    }

    public function testInvalidValuesAre400WithTheParameterAtFault(): void
    {
        $token = $this->sim()->accessToken();
        $cases = [
            'orderId must not be blank' => ['orderId', ['orderId' => '']],
            'receiveAmount must be a decimal' => ['receiveAmount', ['receiveAmount' => '12,3']],
            'at most 8 decimals' => ['receiveAmount', ['receiveAmount' => '1.123456789']],
            'receiveAmount must be greater than 0' => ['receiveAmount', ['receiveAmount' => '0.00']],
            'callbackUrl must be an absolute http(s) URL' => ['callbackUrl', ['callbackUrl' => 'ftp://127.0.0.1/cb']],
            'projectId must be a UUID' => ['projectId', ['projectId' => '74']],
            'payerEmail must be an email address' => ['payerEmail', ['payerEmail' => 'nope']],
        ];
        foreach ($cases as $message => [$parameter, $overrides]) {
            $r = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody($overrides));
            self::assertErrorBody(400, $r, $message);
            self::assertSame([$parameter], $r['json']['errorParameters'], $message);
        }
        self::assertSame([], $this->sim()->preOrders());
        $jpy = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody(['receiveCurrencyCode' => 'JPY']));
        self::assertErrorBody(422, $jpy, 'Currency JPY is not supported');
        self::assertSame('UNSUPPORTED_CURRENCY', $jpy['json']['key']);
    }

    public function testTheDocumentedExampleShapesAreAccepted(): void
    {
        $token = $this->sim()->accessToken();
        // The docs' example: a JSON number; orderId, successUrl and failureUrl left out.
        $numeric = $this->sim()->publicApi('POST', '/merchants/orders/create', $token,
            array_diff_key(['receiveAmount' => 10] + $this->publicOrderBody(), array_flip(['orderId', 'successUrl', 'failureUrl'])));
        self::assertSame(200, $numeric['status'], $numeric['body']);
        self::assertSame('10', (string) $numeric['json']['receiveAmount']);
        self::assertUuid($numeric['json']['orderId']);
        $float = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, ['receiveAmount' => 12.3] + $this->publicOrderBody());
        self::assertSame(200, $float['status'], $float['body']);
        self::assertSame('0.000246', (string) $float['json']['payAmount'], '12.3 EUR at 50000');

        // payAmount + payCurrencyCode instead of receiveAmount: receiveAmount = round2(pay × rate).
        $byPay = $this->sim()->publicApi('POST', '/merchants/orders/create', $token,
            ['payAmount' => '0.001', 'payCurrencyCode' => 'BTC'] + array_diff_key($this->publicOrderBody(), ['receiveAmount' => 1]));
        self::assertSame(200, $byPay['status'], $byPay['body']);
        self::assertSame('50', rtrim(rtrim((string) $byPay['json']['receiveAmount'], '0'), '.'));
        self::assertSame('0.001', (string) $byPay['json']['payAmount']);
        $payWithoutCurrency = $this->sim()->publicApi('POST', '/merchants/orders/create', $token,
            ['payAmount' => '0.001'] + array_diff_key($this->publicOrderBody(), ['receiveAmount' => 1]));
        self::assertErrorBody(400, $payWithoutCurrency, 'payCurrencyCode');

        self::assertSame(200, $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody(['description' => '', 'payerEmail' => 'a@b.lt', 'payerName' => 'Jonas']))['status'], 'empty description and payer fields are fine');
        self::assertCount(4, $this->sim()->preOrders());
    }

    public function testMalformedJsonIs422AndAWrongContentType400(): void
    {
        $token = $this->sim()->accessToken();
        $form = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, http_build_query($this->publicOrderBody()), 'application/x-www-form-urlencoded');
        $broken = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, '{"orderId": "x",');
        $list = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, '[1,2]');

        self::assertErrorBody(400, $form, 'application/json');
        self::assertErrorBody(422, $broken, 'Malformed JSON');
        self::assertSame('GEN_7', $broken['json']['errorCode']);
        self::assertErrorBody(422, $list, 'Malformed JSON');
        self::assertSame(405, $this->sim()->publicApi('GET', '/merchants/orders/create', $token)['status']);
    }

    public function testDuplicateOrderIdInTheProjectIs422(): void
    {
        $this->createPublicOrder(['orderId' => 'DUP-1']);
        $this->createOrder(['orderId' => 'DUP-2']); // legacy API, same project

        foreach (['DUP-1', 'DUP-2'] as $orderId) {
            $r = $this->sim()->publicApi('POST', '/merchants/orders/create', $this->sim()->accessToken(), $this->publicOrderBody(['orderId' => $orderId]));
            self::assertErrorBody(422, $r, "Order with orderId $orderId already exists");
        }
        $legacy = $this->sim()->createOrderRaw(self::signedBody($this->orderFields(['orderId' => 'DUP-1'])));
        self::assertSame([['code' => 5, 'message' => 'Merchant order id already exists']], $legacy['json'], 'and the other way round');

        $this->registerOtherProject();
        $other = $this->createPublicOrder(['orderId' => 'DUP-1', 'projectId' => self::OTHER_PROJECT], $this->sim()->accessToken('other-client', 'other-secret'));
        self::assertSame('DUP-1', $other['orderId'], 'unique per project only');
    }

    public function testProjectOfAnotherClientOrUnknownIs404(): void
    {
        $this->registerOtherProject();
        $token = $this->sim()->accessToken();

        $foreign = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody(['projectId' => self::OTHER_PROJECT]));
        $unknown = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody(['projectId' => 'ffffffff-ffff-4fff-8fff-ffffffffffff']));

        self::assertErrorBody(404, $foreign, 'Project ' . self::OTHER_PROJECT . ' not found');
        self::assertErrorBody(404, $unknown, 'not found');
        self::assertSame([], $this->sim()->preOrders());
        $upper = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody(['projectId' => strtoupper(Simulator::DEFAULT_PROJECT_ID)]));
        self::assertSame(200, $upper['status'], 'UUIDs compare case-insensitively');
    }

    public function testIpAllowList(): void
    {
        $token = $this->sim()->accessToken();
        $created = $this->createPublicOrder([], $token);
        $id = $this->sim()->choose($created['preOrderId'])['order']['id'];

        $this->sim()->setIpAllowList(['203.0.113.7', '10.0.0.0/8']);
        $create = $this->sim()->publicApi('POST', '/merchants/orders/create', $token, $this->publicOrderBody());
        $get = $this->getPublicOrder($id, $token);
        $newToken = $this->sim()->tokenRaw();

        self::assertErrorBody(403, $create, 'IP address 127.0.0.1');
        self::assertErrorBody(403, $get, 'allow-list');
        self::assertSame('FORBIDDEN', $get['json']['key']);
        self::assertSame(200, $newToken['status'], 'the allow-list guards the merchant endpoints, not the token endpoint');

        $this->sim()->setIpAllowList(['127.0.0.0/8']);
        self::assertSame(200, $this->getPublicOrder($id, $token)['status']);
        $this->sim()->setIpAllowList(null);
        self::assertSame(200, $this->getPublicOrder($id, $token)['status']);
    }

    public function testCheckoutPageTurnsThePreOrderIntoAnOrder(): void
    {
        $created = $this->createPublicOrder(['receiveAmount' => '125.5']);
        $url = $created['redirectUrl'];

        $page = (string) file_get_contents($url);
        self::assertStringContainsString('name="payCurrency"', $page);
        self::assertStringContainsString('<option value="BTC" selected>', $page);
        self::assertStringContainsString('data-code="1"', $page);

        $tooEarly = $this->post($url, ['action' => 'pay']);
        self::assertSame(409, $tooEarly['status']);

        $chosen = $this->post($url, ['action' => 'choose', 'payCurrency' => 'BTC']);
        self::assertSame(200, $chosen['status']);
        self::assertStringContainsString('Pay 0.00251 BTC', $chosen['body']);
        self::assertStringContainsString('id="depositAddress">bc1q', $chosen['body']);
        $pre = $this->sim()->preOrder($created['preOrderId']);
        $order = $this->sim()->order($pre['orderRequestId']);
        self::assertSame($created['preOrderId'], $order['merchantPreOrderId']);
        self::assertSame(200, $this->getPublicOrder($order['id'])['status']);

        $again = $this->post($url, ['action' => 'choose']);
        self::assertSame(200, $again['status']);
        self::assertCount(1, $this->sim()->orders(), 'choosing is done once');

        $paid = $this->post($url, ['action' => 'pay']);
        self::assertStringContainsString('data-code="3"', $paid['body']);
        self::assertStringContainsString('id="return" href="http://127.0.0.1/success"', $paid['body']);
        self::assertSame('PAID', $this->getPublicOrder($order['id'])['json']['status']);
        self::assertCount(2, $this->receiver()->requests(), 'PENDING and PAID callbacks');
    }

    public function testControlActionsOnAPreOrderPickBtc(): void
    {
        $created = $this->createPublicOrder();

        $result = $this->sim()->expire($created['preOrderId']);

        self::assertSame(5, $result['order']['status']);
        self::assertSame('BTC', $result['order']['payCurrency']);
        self::assertSame('EXPIRED', $this->getPublicOrder($result['order']['id'])['json']['status']);
    }

    /** @return array{status: int, body: string} */
    private function post(string $url, array $fields): array
    {
        $ch = curl_init($url);
        curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => http_build_query($fields), CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30]);
        $body = (string) curl_exec($ch);
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return ['status' => $status, 'body' => $body];
    }

    public function testBulkPreOrdersAreRealOrdersCreatedThroughTheCreatePath(): void
    {
        $token = $this->sim()->accessToken();
        $made = $this->sim()->bulkPreOrders(3, $this->publicOrderBody(['orderId' => 'BULK-{n}', 'receiveAmount' => '7.50']));
        self::assertSame(['BULK-1', 'BULK-2', 'BULK-3'], array_column($made, 'orderId'));
        self::assertSame([], $this->sim()->apiRequests(), 'set-up is not logged as traffic');
        $r = $this->sim()->publicApi('GET', '/merchants/orders/' . $made[1]['id'], $token);
        self::assertSame(200, $r['status'], $r['body']);
        self::assertSame(['BULK-2', 'NEW', '7.50'], [$r['json']['orderId'], $r['json']['status'], $r['json']['receiveAmount']]);

        $unchosen = $this->sim()->bulkPreOrders(1, $this->publicOrderBody(['orderId' => 'LEFT-{n}']), false);
        self::assertNull($unchosen[0]['id']);
        self::assertNull($this->sim()->preOrder($unchosen[0]['preOrderId'])['orderRequestId']);

        // The create's own rules hold: a used orderId is refused and nothing of the batch is kept.
        try {
            $this->sim()->bulkPreOrders(2, $this->publicOrderBody(['orderId' => 'BULK-3']));
            self::fail('a taken orderId was accepted');
        } catch (\Throwable $e) {
            self::assertStringContainsString('422', $e->getMessage());
        }
        self::assertCount(4, $this->sim()->preOrders());
    }
}
