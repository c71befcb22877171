<?php

declare(strict_types=1);

namespace SimulatorTests;

require_once __DIR__ . '/SimulatorTestCase.php';

final class CallbackTest extends SimulatorTestCase
{
    private function simulatorKey(): string
    {
        // Fetched the way a merchant does, over HTTP.
        $pem = file_get_contents($this->sim()->publicKeyUrl());
        self::assertIsString($pem);
        self::assertNotFalse(openssl_pkey_get_public($pem));
        return $pem;
    }

    public function testPayDeliversPendingThenPaidSignedWithTheSimulatorKey(): void
    {
        $order = $this->createOrder(['receiveAmount' => '125.5', 'orderId' => 'INV-42']);

        $result = $this->sim()->pay($order['orderRequestId']);

        self::assertSame(3, $result['order']['status']);
        self::assertCount(2, $result['attempts']);
        $requests = $this->receiver()->requests();
        self::assertCount(2, $requests);
        $key = $this->simulatorKey();
        foreach ($requests as $request) {
            self::assertSame('POST', $request['method']);
            self::assertSame('/callback.php?invoice=42&x=a+b', $request['uri'], 'query string preserved');
            self::assertSame('application/x-www-form-urlencoded', $request['contentType']);
            self::assertTrue(self::callbackVerifies($request['body'], $key), $request['body']);
        }
        $pending = self::decodeForm($requests[0]['body']);
        $paid = self::decodeForm($requests[1]['body']);
        self::assertSame(['2', '0.0'], [$pending['status'], $pending['receivedAmount']]);
        self::assertSame(['3', '0.00251'], [$paid['status'], $paid['receivedAmount']]);
        self::assertSame([
            'merchantId' => '25', 'apiId' => '74', 'orderId' => 'INV-42', 'payCurrency' => 'BTC',
            'payAmount' => '0.00251', 'receiveCurrency' => 'EUR', 'receiveAmount' => '125.5',
            'receivedAmount' => '0.00251', 'description' => 'Invoice #42 – zaļš *',
            'orderRequestId' => (string) $order['orderRequestId'], 'status' => '3',
        ], array_slice($paid, 0, 11));
        self::assertSame(
            ['merchantId', 'apiId', 'orderId', 'payCurrency', 'payAmount', 'receiveCurrency', 'receiveAmount',
                'receivedAmount', 'description', 'orderRequestId', 'status', 'sign', 'userId', 'merchantApiId'],
            self::formNames($requests[1]['body']),
        );
        self::assertSame('3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d', $paid['userId']);
        self::assertSame('a1b2c3d4-e5f6-4789-8abc-def012345678', $paid['merchantApiId']);
        self::assertStringContainsString('description=Invoice+%2342+%E2%80%93+za%C4%BC%C5%A1+%2A&', $requests[1]['body']);
    }

    public function testExpireFailAndPartialSequences(): void
    {
        $expired = $this->createOrder();
        $failed = $this->createOrder();
        $part = $this->createOrder(['receiveAmount' => '100.0']);

        $this->sim()->expire($expired['orderRequestId']);
        $this->sim()->fail($failed['orderRequestId']);
        $this->sim()->payPart($part['orderRequestId'], '0.0005');

        $statuses = array_map(static fn ($r) => [self::decodeForm($r['body'])['status'], self::decodeForm($r['body'])['receivedAmount']], $this->receiver()->requests());
        self::assertSame([['5', '0.0'], ['4', '0.0'], ['2', '0.0'], ['11', '0.0005']], $statuses);

        // The rest of a part-paid order: PENDING with what was confirmed, then PAID in full.
        $this->sim()->pay($part['orderRequestId']);
        $last = array_slice($this->receiver()->requests(), -2);
        self::assertSame(['2', '0.0005'], [self::decodeForm($last[0]['body'])['status'], self::decodeForm($last[0]['body'])['receivedAmount']]);
        self::assertSame(['3', '0.002'], [self::decodeForm($last[1]['body'])['status'], self::decodeForm($last[1]['body'])['receivedAmount']]);
    }

    /** Refund news after a payment (status codes 17–19, section 1.6): signed like every callback. */
    public function testRefundStatusesAreSentAsSignedCallbacks(): void
    {
        $order = $this->createOrder();
        $this->sim()->pay($order['orderRequestId']);
        foreach ([17, 18, 19] as $status) {
            $this->sim()->setStatus($order['orderRequestId'], $status);
        }
        $key = $this->simulatorKey();
        $last = array_slice($this->receiver()->requests(), -3);
        self::assertSame(['17', '18', '19'], array_map(static fn ($r) => self::decodeForm($r['body'])['status'], $last));
        foreach ($last as $request) {
            self::assertTrue(self::callbackVerifies($request['body'], $key), $request['body']);
            self::assertSame((string) $order['orderRequestId'], self::decodeForm($request['body'])['orderRequestId']);
        }
        self::assertSame(19, $this->sim()->order($order['orderRequestId'])['status']);
    }

    public function testActionsOutOfSequenceAreRefused(): void
    {
        $order = $this->createOrder();
        $this->sim()->pay($order['orderRequestId']);

        $this->expectExceptionMessageMatches('/HTTP 409: cannot expire order \d+ in status 3 PAID/');
        $this->sim()->expire($order['orderRequestId']);
    }

    public function testTestProjectsSendStatus6(): void
    {
        $this->sim()->registerMerchant(self::project(['test' => true]));
        $order = $this->createOrder();

        $this->sim()->pay($order['orderRequestId']);

        $requests = $this->receiver()->requests();
        self::assertCount(1, $requests);
        self::assertSame('6', self::decodeForm($requests[0]['body'])['status']);
    }

    public function testOrderCanBeDrivenToAnyDocumentedStatus(): void
    {
        $order = $this->createOrder();

        $result = $this->sim()->setStatus($order['orderRequestId'], 12, '0.001');

        self::assertSame(12, $result['order']['status']);
        $callback = self::decodeForm($this->receiver()->requests()[0]['body']);
        self::assertSame(['12', '0.001'], [$callback['status'], $callback['receivedAmount']]);
        self::assertTrue(self::callbackVerifies($this->receiver()->requests()[0]['body'], $this->simulatorKey()));

        $this->expectExceptionMessageMatches('/unknown status code 7/');
        $this->sim()->setStatus($order['orderRequestId'], 7);
    }

    public function testOnlyHttp200WithBodyExactlyOkCountsAndFailuresAreRetriedWithBackoff(): void
    {
        $order = $this->createOrder();
        $this->receiver()->script([
            ['status' => 200, 'body' => 'ok'],
            ['status' => 200, 'body' => "*ok*\n"],
            ['status' => 500, 'body' => '*ok*'],
            ['status' => 200, 'body' => '*ok*'],
        ]);

        $first = $this->sim()->setStatus($order['orderRequestId'], 3, '0.00251')['attempts'][0];
        self::assertFalse($first['ok']);
        self::assertSame(200, $first['httpStatus']);
        self::assertSame('ok', $first['responseExcerpt']);
        self::assertSame('pending', $first['deliveryState']);
        self::assertEqualsWithDelta($first['at'] + 1000, $first['nextAttemptAt'], 50, 'first retry after 1 s');
        self::assertSame([], $this->sim()->dispatch(), 'nothing is due yet');

        $second = $this->sim()->dispatch(true)[0];
        self::assertEqualsWithDelta($second['at'] + 2000, $second['nextAttemptAt'], 50, 'then 2 s');
        $third = $this->sim()->dispatch(true)[0];
        self::assertSame(500, $third['httpStatus']);
        self::assertEqualsWithDelta($third['at'] + 4000, $third['nextAttemptAt'], 50, 'then 4 s');
        $fourth = $this->sim()->dispatch(true)[0];
        self::assertTrue($fourth['ok']);
        self::assertSame('delivered', $fourth['deliveryState']);
        self::assertSame([], $this->sim()->dispatch(true), 'delivered callbacks are not sent again');

        $delivery = $this->sim()->callbacks()[0];
        self::assertSame([1, 2, 3, 4], array_column($delivery['attempts'], 'attempt'));
        self::assertCount(4, $this->receiver()->requests());
        self::assertSame(1, count(array_unique(array_column($this->receiver()->requests(), 'body'))), 'retries resend the same body');
    }

    public function testDeliveryGivesUpAfterMaxAttemptsAndCapsTheBackoff(): void
    {
        $this->sim()->settings(['maxAttempts' => 3, 'retryBaseMs' => 1000, 'retryCapMs' => 1500]);
        $order = $this->createOrder();
        $this->receiver()->script(array_fill(0, 5, ['status' => 503, 'body' => 'busy']));

        $this->sim()->setStatus($order['orderRequestId'], 3, '0.00251');
        $second = $this->sim()->dispatch(true)[0];
        $third = $this->sim()->dispatch(true)[0];

        self::assertEqualsWithDelta($second['at'] + 1500, $second['nextAttemptAt'], 50, 'capped');
        self::assertSame('failed', $third['deliveryState']);
        self::assertSame([], $this->sim()->dispatch(true));
    }

    public function testUnreachableReceiverIsRecordedAsAnAttempt(): void
    {
        $port = \Testbed\PhpServer::freePort();
        $attempt = $this->sim()->sendCallback([], ['orderRequestId' => $this->createOrder()['orderRequestId'], 'url' => "http://127.0.0.1:$port/cb"])['attempts'][0];

        self::assertSame(0, $attempt['httpStatus']);
        self::assertNotEmpty($attempt['error']);
        self::assertFalse($attempt['ok']);
    }

    public function testBackgroundDispatcherRetriesUntilDelivered(): void
    {
        $this->sim()->settings(['retryBaseMs' => 100]);
        $order = $this->createOrder();
        $this->receiver()->script([['status' => 500], ['status' => 500]]);
        $this->sim()->setStatus($order['orderRequestId'], 3, '0.00251');

        $this->sim()->startDispatcher(50);
        try {
            $deadline = microtime(true) + 10;
            do {
                usleep(50_000);
                $delivery = $this->sim()->callbacks()[0];
            } while ($delivery['state'] !== 'delivered' && microtime(true) < $deadline);
        } finally {
            $this->sim()->stopDispatcher();
        }

        self::assertSame('delivered', $delivery['state']);
        self::assertCount(3, $delivery['attempts']);
        self::assertGreaterThanOrEqual(100, $delivery['attempts'][1]['at'] - $delivery['attempts'][0]['at']);
        self::assertGreaterThanOrEqual(200, $delivery['attempts'][2]['at'] - $delivery['attempts'][1]['at']);
    }

    public function testCustomCallbackTamperedAfterSigningDoesNotVerify(): void
    {
        $order = $this->createOrder();

        $this->sim()->sendCallback([], ['orderRequestId' => $order['orderRequestId'], 'status' => 3, 'receivedAmount' => '0.00251', 'after' => ['receiveAmount' => '9999.0']]);

        $body = $this->receiver()->requests()[0]['body'];
        self::assertSame('9999.0', self::decodeForm($body)['receiveAmount']);
        self::assertFalse(self::callbackVerifies($body, $this->simulatorKey()));
    }

    public function testCustomCallbackWithForeignIdsSignedAfterTamperingVerifies(): void
    {
        $order = $this->createOrder();

        $this->sim()->sendCallback(['merchantId' => '999', 'apiId' => '1', 'receivedAmount' => '5', 'status' => '3'], [
            'orderRequestId' => $order['orderRequestId'],
            'unsigned' => ['userId' => '00000000-0000-4000-8000-000000000999'],
        ]);

        $body = $this->receiver()->requests()[0]['body'];
        $fields = self::decodeForm($body);
        self::assertSame(['999', '1', '5', '00000000-0000-4000-8000-000000000999'], [$fields['merchantId'], $fields['apiId'], $fields['receivedAmount'], $fields['userId']]);
        self::assertTrue(self::callbackVerifies($body, $this->simulatorKey()), 'genuinely signed, just not ours');
    }

    public function testCustomCallbackSignedWithAnotherKey(): void
    {
        $other = openssl_pkey_new(['private_key_bits' => 2048, 'private_key_type' => OPENSSL_KEYTYPE_RSA]);
        openssl_pkey_export($other, $otherPem);
        $order = $this->createOrder();

        $this->sim()->sendCallback(['status' => '3'], ['orderRequestId' => $order['orderRequestId'], 'signWith' => $otherPem]);

        $body = $this->receiver()->requests()[0]['body'];
        self::assertFalse(self::callbackVerifies($body, $this->simulatorKey()));
        self::assertTrue(self::callbackVerifies($body, openssl_pkey_get_details($other)['key']));
    }

    public function testCustomCallbackWithoutSignOrWithGarbageSign(): void
    {
        $order = $this->createOrder();

        $this->sim()->sendCallback([], ['orderRequestId' => $order['orderRequestId'], 'sign' => false]);
        $this->sim()->sendCallback([], ['orderRequestId' => $order['orderRequestId'], 'sign' => 'bm90IGEgc2lnbmF0dXJl']);

        [$unsigned, $garbage] = $this->receiver()->requests();
        self::assertNotContains('sign', self::formNames($unsigned['body']));
        self::assertSame('bm90IGEgc2lnbmF0dXJl', self::decodeForm($garbage['body'])['sign']);
    }

    public function testCustomCallbackWithPercent20SpacesAndRawAmountsStillVerifies(): void
    {
        // V1 shows a callback may carry receivedAmount "0"; the signature covers "0.0".
        $order = $this->createOrder();

        $this->sim()->sendCallback(['receivedAmount' => '0', 'payAmount' => '0.002510'], ['orderRequestId' => $order['orderRequestId'], 'spaceAs20' => true]);

        $body = $this->receiver()->requests()[0]['body'];
        self::assertStringContainsString('receivedAmount=0&', $body);
        self::assertStringContainsString('payAmount=0.002510&', $body);
        self::assertStringContainsString('Invoice%20%2342', $body);
        self::assertTrue(self::callbackVerifies($body, $this->simulatorKey()));
    }

    public function testCustomCallbackCanBeQueuedWithoutDelivering(): void
    {
        $order = $this->createOrder();

        $result = $this->sim()->sendCallback([], ['orderRequestId' => $order['orderRequestId'], 'deliver' => false]);

        self::assertSame([], $result['attempts']);
        self::assertSame([], $this->receiver()->requests());
        self::assertCount(1, $this->sim()->dispatch());
    }

    public function testCheckoutPageShowsTheOrderAndItsButtonsDriveIt(): void
    {
        $order = $this->createOrder(['receiveAmount' => '125.5']);

        $page = (string) file_get_contents($order['redirectUrl']);
        self::assertStringContainsString('Pay 0.00251 BTC', $page);
        self::assertStringContainsString($order['depositAddress'], $page);
        self::assertStringContainsString('data-ms="' . $order['validUntil'] . '"', $page);
        foreach (['pay', 'part', 'expire', 'fail'] as $action) {
            self::assertStringContainsString('name="action" value="' . $action . '"', $page);
        }

        $paid = (string) file_get_contents($order['redirectUrl'], false, stream_context_create(['http' => [
            'method' => 'POST',
            'header' => 'Content-Type: application/x-www-form-urlencoded',
            'content' => 'action=pay',
        ]]));

        self::assertStringContainsString('data-code="3"', $paid);
        self::assertStringContainsString('href="http://127.0.0.1/success"', $paid);
        self::assertCount(2, $this->receiver()->requests());
    }
}
