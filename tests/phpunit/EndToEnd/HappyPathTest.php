<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

final class HappyPathTest extends EndToEndTestCase
{
    public function testPayNowToCheckoutToCallbacksMarksTheInvoicePaidOnce(): void
    {
        $order = $this->startPayment(1);
        self::assertSame($this->orderIdOf(1, 1), $order['order_id']);
        self::assertSame('100.00', $order['receive_amount']);
        self::assertSame('EUR', $order['receive_currency']);
        self::assertSame('100.00', $order['invoice_amount']);
        self::assertSame('CREATED', $order['status']);
        self::assertNotNull($order['order_request_id']);

        $sent = $this->sentOrder();
        self::assertSame($this->orderIdOf(1, 1), $sent['orderId']);
        self::assertSame('100.0', $sent['receiveAmount']);
        self::assertSame(self::site()->callbackUrl(self::GATEWAY), $sent['callbackUrl']);
        self::assertSame(self::site()->url('viewinvoice.php?id=1&paymentsuccess=true'), $sent['successUrl']);
        self::assertSame(self::site()->url('viewinvoice.php?id=1&paymentfailed=true'), $sent['failureUrl']);

        $result = self::sim()->pay((int) $order['order_request_id']);
        self::assertAnswered(200, '*ok*', $result['attempts']);

        self::assertSame('Paid', $this->invoiceStatus(1));
        $tx = self::site()->transactions(1);
        self::assertCount(1, $tx);
        self::assertSame('SC' . $order['order_request_id'], $tx[0]['transid']);
        self::assertSame('100.00', $tx[0]['amountin']);
        self::assertSame(self::GATEWAY, $tx[0]['gateway']);
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        $row = $this->order($this->orderIdOf(1, 1));
        self::assertSame('PAID', $row['status']);
        self::assertSame(1, (int) $row['credited']);
    }
}
