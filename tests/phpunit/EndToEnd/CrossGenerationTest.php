<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\Simulator;

/**
 * Orders across API generations: SpectroCoin moves a project from signed form callbacks to JSON
 * callbacks (and the merchant may configure both credential sets), so an order created through one
 * API is reported by callbacks of the other, in either order of arrival. Every case: the order is
 * matched to its row, credited exactly once, the row keeps both SpectroCoin ids, and the
 * transaction id is the same whichever format arrives, so duplicate detection spans the switch.
 */
final class CrossGenerationTest extends EndToEndTestCase
{
    public const USER_ID = '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d';

    /** Both credential sets (orders through the current API), as in MixedApiTest. */
    protected static function gatewaySettings(): array
    {
        return [
            'merchantId' => self::USER_ID,
            'projectId' => Simulator::DEFAULT_PROJECT_ID,
            'privateKey' => self::merchantPrivateKey(),
            'clientId' => Simulator::DEFAULT_CLIENT_ID,
            'clientSecret' => Simulator::DEFAULT_CLIENT_SECRET,
            'legacyMerchantId' => self::MERCHANT_ID,
            'legacyProjectId' => self::PROJECT_ID,
        ];
    }

    /** A legacy order: created while only the private key was configured, before the API credentials were added. */
    private function legacyOrder(int $invoiceId): array
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['clientId' => '', 'clientSecret' => ''] + static::gatewaySettings()));
        $order = $this->startPayment($invoiceId);
        self::assertSame('legacy', $order['api']);
        self::assertMatchesRegularExpression('/^\d+$/', (string) $order['order_request_id']);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings()));
        return $order;
    }

    private function assertCreditedOnceAs(int $invoiceId, string $transId): void
    {
        self::assertSame('Paid', $this->invoiceStatus($invoiceId));
        $tx = self::site()->transactions($invoiceId);
        self::assertCount(1, $tx);
        self::assertSame($transId, $tx[0]['transid']);
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
    }

    public function testALegacyOrderPaidThroughJsonCallbacksIsCreditedWithItsLegacyTransactionId(): void
    {
        $order = $this->legacyOrder(1);
        $numeric = (string) $order['order_request_id'];
        self::sim()->setCallbackFormat('json');
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $numeric)['attempts']);
        $this->assertCreditedOnceAs(1, 'SC' . $numeric);
        $row = $this->order($order['order_id']);
        // Every SpectroCoin id is kept: the numeric one it was created with, the UUID the JSON callback named.
        self::assertSame($numeric, $row['order_request_id']);
        self::assertSame((string) self::sim()->order((int) $numeric)['id'], $row['order_uuid']);

        // A redelivered signed PAID after the switch is the same payment.
        self::assertAnswered(200, '*ok*', $this->sendCallback((int) $numeric, 3, [], ['url' => self::site()->callbackUrl(self::GATEWAY)]));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testALegacyOrderPendingAsSignedFormAndPaidAsJsonIsCreditedOnce(): void
    {
        $order = $this->legacyOrder(1);
        $numeric = (int) $order['order_request_id'];
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($numeric, 2)['attempts']);
        self::assertSame('Payment Pending', $this->invoiceStatus(1));
        self::sim()->setCallbackFormat('json');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($numeric, 3)['attempts']);
        $this->assertCreditedOnceAs(1, 'SC' . $numeric);
    }

    public function testALegacyOrderPendingAsJsonAndPaidAsSignedFormIsCreditedOnce(): void
    {
        $order = $this->legacyOrder(1);
        $numeric = (int) $order['order_request_id'];
        self::sim()->setCallbackFormat('json');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($numeric, 2)['attempts']);
        self::assertSame('PENDING', $this->order($order['order_id'])['status']);
        self::sim()->setCallbackFormat('legacy');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($numeric, 3)['attempts']);
        $this->assertCreditedOnceAs(1, 'SC' . $numeric);
        // And the JSON PAID redelivered afterwards changes nothing.
        self::sim()->setCallbackFormat('json');
        self::assertAnswered(200, '*ok*', self::sim()->sendJsonCallback([], ['order' => $numeric])['attempts']);
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testAPreOrderPendingAsJsonAndPaidAsSignedFormIsCreditedOnceUnderTheFirstId(): void
    {
        $order = $this->startPayment(1);
        self::assertSame('current', $order['api']);
        $pre = (string) $order['pre_order_id'];
        self::sim()->setCallbackFormat('json');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($pre, 2)['attempts']);
        $uuid = (string) self::sim()->order($pre)['id'];
        self::assertSame($uuid, $this->order($order['order_id'])['order_request_id']);
        self::sim()->setCallbackFormat('legacy');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($pre, 3)['attempts']);
        $this->assertCreditedOnceAs(1, 'SC' . $uuid);
        $row = $this->order($order['order_id']);
        self::assertSame((string) self::sim()->order($pre)['orderRequestId'], $row['order_number']);
        self::assertSame($uuid, $row['order_uuid']);
    }

    public function testAPreOrderPendingAsSignedFormAndPaidAsJsonIsCreditedOnceUnderTheFirstId(): void
    {
        $order = $this->startPayment(1);
        $pre = (string) $order['pre_order_id'];
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($pre, 2)['attempts']);
        $numeric = (string) self::sim()->order($pre)['orderRequestId'];
        self::sim()->setCallbackFormat('json');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($pre, 3)['attempts']);
        $this->assertCreditedOnceAs(1, 'SC' . $numeric);
    }

    public function testASignedCallbackWithAnotherNumericIdThanTheRecordedOneIsRefused(): void
    {
        $order = $this->legacyOrder(1);
        $numeric = (int) $order['order_request_id'];
        self::sim()->setCallbackFormat('json');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($numeric, 2)['attempts']);
        // Genuinely signed, our ids and orderId, but SpectroCoin's order number of some other order.
        $attempts = $this->sendCallback($numeric, 3, ['orderRequestId' => (string) ($numeric + 1000)], ['url' => self::site()->callbackUrl(self::GATEWAY)]);
        self::assertAnswered(400, '', $attempts);
        self::assertSame([], self::site()->transactions(1));
    }
}
