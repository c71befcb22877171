<?php

declare(strict_types=1);

namespace SimulatorTests;

use Testbed\Simulator;

require_once __DIR__ . '/SimulatorTestCase.php';

/** Callbacks of current-API orders: JSON {id, merchantApiId}, or legacy signed forms for old projects. */
final class PublicCallbackTest extends SimulatorTestCase
{
    /** @return array{string, array<string, mixed>} preOrderId and the order after the payer chose BTC */
    private function chosenOrder(array $overrides = []): array
    {
        $created = $this->createPublicOrder($overrides);
        return [$created['preOrderId'], $this->sim()->choose($created['preOrderId'])['order']];
    }

    public function testJsonCallbacksCarryOnlyTheOrderIdAndTheProjectUuid(): void
    {
        $this->sim()->setCallbackFormat('json');
        [, $order] = $this->chosenOrder();

        $result = $this->sim()->pay($order['id']);

        self::assertCount(2, $result['attempts']);
        self::assertSame([true, true], array_column($result['attempts'], 'ok'));
        $requests = $this->receiver()->requests();
        self::assertCount(2, $requests, 'one per status change: PENDING, PAID');
        $expected = '{"id":"' . $order['id'] . '","merchantApiId":"' . Simulator::DEFAULT_PROJECT_ID . '"}';
        foreach ($requests as $request) {
            self::assertSame('POST', $request['method']);
            self::assertSame('/callback.php?invoice=42', $request['uri']);
            self::assertSame('application/json', $request['contentType']);
            self::assertSame($expected, $request['body'], 'no signature, no status: the merchant re-fetches');
        }
        $deliveries = $this->sim()->callbacks();
        self::assertSame(['json', 'json'], array_column($deliveries, 'format'));
        self::assertSame([2, 3], array_column($deliveries, 'status'));
        // What the re-fetch sees after the callbacks.
        self::assertSame('PAID', $this->getPublicOrder($order['id'])['json']['status']);
    }

    public function testEachJsonCallbackIsDeliveredWhileTheOrderIsInItsStatus(): void
    {
        $this->sim()->setCallbackFormat('json');
        [, $order] = $this->chosenOrder();
        $fetch = [
            'fetchUrl' => $this->sim()->publicApiUrl() . '/merchants/orders/' . $order['id'],
            'fetchHeaders' => ['Authorization: Bearer ' . $this->sim()->accessToken()],
        ];
        $this->receiver()->script([$fetch, $fetch]);

        $this->sim()->pay($order['id']);

        $requests = $this->receiver()->requests();
        self::assertCount(2, $requests);
        $seen = array_map(static fn (array $r): string => (string) json_decode($r['fetched']['body'], true)['status'], $requests);
        self::assertSame(['PENDING', 'PAID'], $seen, 'the re-fetch during each callback reads the state of that moment');
    }

    public function testQueuedCallbacksDispatchedLaterReadTheFinalState(): void
    {
        $this->sim()->setCallbackFormat('json');
        [, $order] = $this->chosenOrder();
        $fetch = [
            'fetchUrl' => $this->sim()->publicApiUrl() . '/merchants/orders/' . $order['id'],
            'fetchHeaders' => ['Authorization: Bearer ' . $this->sim()->accessToken()],
        ];
        $this->receiver()->script([$fetch, $fetch]);

        $this->sim()->pay($order['id'], false);
        $this->sim()->dispatch(true);

        $seen = array_map(static fn (array $r): string => (string) json_decode($r['fetched']['body'], true)['status'], $this->receiver()->requests());
        self::assertSame(['PAID', 'PAID'], $seen, 'a delayed PENDING callback finds the order already paid');
    }

    public function testJsonCallbacksFollowTheOkRuleAndAreRetriedWithBackoff(): void
    {
        $this->sim()->setCallbackFormat('json');
        [, $order] = $this->chosenOrder();
        $this->receiver()->script([
            ['status' => 200, 'body' => 'ok'],
            ['status' => 200, 'body' => "*ok*\n"],
            ['status' => 503, 'body' => '*ok*'],
        ]);

        $first = $this->sim()->expire($order['id'])['attempts'][0];
        self::assertFalse($first['ok']);
        self::assertEqualsWithDelta(1000, $first['nextAttemptAt'] - $first['at'] - $first['durationMs'], 50, 'first retry after retryBaseMs');
        self::assertSame([], $this->sim()->dispatch(), 'nothing due yet');
        $second = $this->sim()->dispatch(true)[0];
        $third = $this->sim()->dispatch(true)[0];
        $fourth = $this->sim()->dispatch(true)[0];

        self::assertSame([false, false, true], [$second['ok'], $third['ok'], $fourth['ok']]);
        self::assertSame([2, 3, 4], [$second['attempt'], $third['attempt'], $fourth['attempt']]);
        $delivery = $this->sim()->callbacks()[0];
        self::assertSame('delivered', $delivery['state']);
        self::assertCount(4, $delivery['attempts']);
        $bodies = array_unique(array_column($this->receiver()->requests(), 'body'));
        self::assertCount(1, $bodies, 'every attempt resends the same bytes');
        self::assertSame([], $this->sim()->dispatch(true));
    }

    public function testOldProjectsGetLegacySignedCallbacksForCurrentApiOrders(): void
    {
        // The default project is an old one: callbackFormat legacy.
        [, $order] = $this->chosenOrder(['orderId' => 'INV-9', 'receiveAmount' => '125.50', 'description' => 'Invoice #9']);

        $this->sim()->pay($order['id']);

        $requests = $this->receiver()->requests();
        self::assertCount(2, $requests);
        $key = $this->sim()->publicKeyPem();
        foreach ($requests as $request) {
            self::assertSame('application/x-www-form-urlencoded', $request['contentType']);
            self::assertTrue(self::callbackVerifies($request['body'], $key), $request['body']);
        }
        $paid = self::decodeForm($requests[1]['body']);
        self::assertSame([
            'merchantId' => '25', 'apiId' => '74', 'orderId' => 'INV-9', 'payCurrency' => 'BTC',
            'payAmount' => '0.00251', 'receiveCurrency' => 'EUR', 'receiveAmount' => '125.5',
            'receivedAmount' => '0.00251', 'description' => 'Invoice #9',
            'orderRequestId' => (string) $order['orderRequestId'], 'status' => '3',
        ], array_slice($paid, 0, 11), 'numeric orderRequestId and the numeric project pair');
        self::assertMatchesRegularExpression('/^[0-9]+$/D', $paid['orderRequestId']);
        self::assertSame(Simulator::DEFAULT_PROJECT_ID, $paid['merchantApiId']);
        self::assertSame(['legacy', 'legacy'], array_column($this->sim()->callbacks(), 'format'));
    }

    public function testTheFormatIsTheProjectsNotTheApiGenerations(): void
    {
        $this->sim()->setCallbackFormat('json');
        $legacy = $this->createOrder();
        $id = $this->sim()->order($legacy['orderRequestId'])['id'];

        $this->sim()->fail($legacy['orderRequestId']);

        $request = $this->receiver()->requests()[0];
        self::assertSame('application/json', $request['contentType']);
        self::assertSame(['id' => $id, 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID], json_decode($request['body'], true));
    }

    public function testCheckoutButtonsSendJsonCallbacks(): void
    {
        $this->sim()->setCallbackFormat('json');
        $created = $this->createPublicOrder();
        $ch = curl_init($created['redirectUrl']);
        curl_setopt_array($ch, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => 'action=choose&payCurrency=BTC', CURLOPT_RETURNTRANSFER => true]);
        curl_exec($ch);
        curl_setopt($ch, CURLOPT_POSTFIELDS, 'action=part&amount=0.001');
        $page = (string) curl_exec($ch);
        curl_close($ch);

        self::assertStringContainsString('data-code="11"', $page);
        self::assertStringContainsString('(*ok*)', $page);
        $order = $this->sim()->orders()[0];
        self::assertSame(
            array_fill(0, 2, '{"id":"' . $order['id'] . '","merchantApiId":"' . Simulator::DEFAULT_PROJECT_ID . '"}'),
            array_column($this->receiver()->requests(), 'body'),
        );
    }

    public function testHandMadeJsonCallbacks(): void
    {
        [$preOrderId, $order] = $this->chosenOrder();

        $genuine = $this->sim()->sendJsonCallback([], ['order' => $order['id']]);
        $foreignProject = $this->sim()->sendJsonCallback(['merchantApiId' => '99999999-9999-4999-8999-999999999999'], ['order' => $preOrderId]);
        $unknownOrder = $this->sim()->sendJsonCallback(
            ['id' => '00000000-0000-4000-8000-000000000000', 'merchantApiId' => Simulator::DEFAULT_PROJECT_ID],
            ['url' => $this->receiver()->url() . '/cb'],
        );
        $noProject = $this->sim()->sendJsonCallback(['merchantApiId' => null], ['order' => $order['orderRequestId'], 'extra' => ['status' => 'PAID']]);
        $raw = $this->sim()->sendJsonCallback([], ['order' => $order['id'], 'rawBody' => '{"id":', 'contentType' => 'text/plain']);

        self::assertTrue($genuine['attempts'][0]['ok']);
        $bodies = array_column($this->receiver()->requests(), 'body');
        self::assertSame([
            '{"id":"' . $order['id'] . '","merchantApiId":"' . Simulator::DEFAULT_PROJECT_ID . '"}',
            '{"id":"' . $order['id'] . '","merchantApiId":"99999999-9999-4999-8999-999999999999"}',
            '{"id":"00000000-0000-4000-8000-000000000000","merchantApiId":"' . Simulator::DEFAULT_PROJECT_ID . '"}',
            '{"id":"' . $order['id'] . '","status":"PAID"}',
            '{"id":',
        ], $bodies);
        self::assertSame(['application/json', 'application/json', 'application/json', 'application/json', 'text/plain'], array_column($this->receiver()->requests(), 'contentType'));
        self::assertSame('/cb', $this->receiver()->requests()[2]['uri']);
        self::assertSame('custom', $foreignProject['delivery']['kind']);
        self::assertSame('json', $unknownOrder['delivery']['format']);
        self::assertNotNull($noProject['delivery']['id']);
        self::assertNotNull($raw['delivery']['id']);
    }

    public function testUnknownCallbackFormatIsRefused(): void
    {
        $this->expectExceptionMessageMatches('/callbackFormat must be one of legacy, json/');
        $this->sim()->setCallbackFormat('xml');
    }
}
