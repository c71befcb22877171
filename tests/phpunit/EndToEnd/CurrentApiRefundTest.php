<?php

declare(strict_types=1);

namespace Tests\EndToEnd;


/**
 * Refund news through the current API: unsigned JSON callbacks whose status is what the extension
 * fetches (RefundCallbackTest covers the legacy signed form).
 */
final class CurrentApiRefundTest extends EndToEndTestCase
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

    private function paidPreOrder(): string
    {
        $order = $this->startPayment(1);
        $preOrderId = basename((string) $order['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->pay($preOrderId)['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        return $preOrderId;
    }

    public function testAFetchedRefundedOrderIsRecordedOnceWhenEnabled(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['recordRefunds' => true]));
        $preOrderId = $this->paidPreOrder();
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrderId, 17)['attempts']);
        self::assertSame('PROCESSING_REFUND', $this->order($this->orderIdOf(1, 1))['status']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrderId, 18)['attempts']);
        for ($i = 0; $i < 2; $i++) {
            self::assertAnswered(200, '*ok*', self::sim()->sendJsonCallback([], ['order' => $preOrderId])['attempts']);
        }
        $uuid = (string) self::sim()->order($preOrderId)['id'];
        $tx = self::site()->transactions(1);
        self::assertCount(2, $tx);
        self::assertSame(['SC' . $uuid . '-refund', '100.00', (int) $tx[0]['id']], [$tx[1]['transid'], $tx[1]['amountout'], (int) $tx[1]['refundid']]);
        self::assertSame('Refunded', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->emails('Invoice Refund Confirmation'));
    }

    public function testByDefaultAFetchedRefundedOrderIsListedForTheAdmin(): void
    {
        $preOrderId = $this->paidPreOrder();
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrderId, 18)['attempts']);
        self::assertCount(1, self::site()->transactions(1));
        $row = $this->order($this->orderIdOf(1, 1));
        self::assertSame('REFUNDED', $row['status']);
        self::assertStringContainsString('record the refund', (string) $row['review_reason']);
        self::assertSame('Paid', $this->invoiceStatus(1));
    }
}
