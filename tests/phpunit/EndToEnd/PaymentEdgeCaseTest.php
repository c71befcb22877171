<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/** Late, out-of-order and cross-currency payments: money is never lost, invoices never cancelled. */
final class PaymentEdgeCaseTest extends EndToEndTestCase
{
    private function payAmount(array $order): string
    {
        return (string) self::sim()->order((int) $order['order_request_id'])['payAmount'];
    }

    public function testPaidAfterExpiredIsStillCredited(): void
    {
        $order = $this->startPayment(1);
        $id = (int) $order['order_request_id'];
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($id, 5)['attempts']);
        self::assertSame('EXPIRED', $this->order($order['order_id'])['status']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($id, 3, $this->payAmount($order))['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testExpiredAfterPaidNeverCancelsOrReopens(): void
    {
        $order = $this->startPayment(1);
        $id = (int) $order['order_request_id'];
        self::assertAnswered(200, '*ok*', self::sim()->pay($id)['attempts']);
        foreach ([5, 4, 13, 21, 2, 1] as $status) {
            self::assertAnswered(200, '*ok*', self::sim()->setStatus($id, $status)['attempts']);
            self::assertSame('Paid', $this->invoiceStatus(1), "after status $status");
        }
        self::assertSame('PAID', $this->order($order['order_id'])['status']);
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testPaidOnACancelledInvoiceIsKeptForReview(): void
    {
        $order = $this->startPayment(1);
        self::site()->query("UPDATE tblinvoices SET status = 'Cancelled' WHERE id = 1");
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        self::assertSame('Cancelled', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        $row = $this->order($order['order_id']);
        self::assertSame('PAID', $row['status']);
        self::assertSame(0, (int) $row['credited']);
        self::assertStringContainsString('Cancelled', (string) $row['review_reason']);
        self::assertSame('Held for Review', $this->lastLog()['result']);
        $page = self::site()->get('admin/invoices.php?action=edit&id=1', self::site()->adminLogin());
        self::assertStringContainsString('order needs review', $page['body']);
    }

    public function testASecondOrderPaidAfterTheInvoiceWasPaidIsHeldNotCredited(): void
    {
        $first = $this->startPayment(1);
        self::site()->query("UPDATE mod_spectrocoin_orders SET valid_until = 0 WHERE id = ?", [$first['id']]);
        $second = $this->startPayment(1);
        self::assertNotSame($first['order_id'], $second['order_id']);
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $first['order_request_id'])['attempts']);
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $second['order_request_id'])['attempts']);
        self::assertCount(1, self::site()->transactions(1));
        self::assertNotEmpty($this->order($second['order_id'])['review_reason']);
    }

    public function testAConvertToOrderCreditsTheInvoiceCurrencyAmount(): void
    {
        // Invoice 2: client 2 pays in USD (rate 1.1); the gateway converts to EUR (rate 1.0).
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['convertto' => '1']));
        $order = $this->startPayment(2);
        self::assertSame('50.00', $order['receive_amount']);
        self::assertSame('EUR', $order['receive_currency']);
        self::assertSame('55.00', $order['invoice_amount']);
        self::assertSame('USD', $order['invoice_currency']);
        self::assertSame('50.0', $this->sentOrder()['receiveAmount']);
        self::assertSame('EUR', $this->sentOrder()['receiveCurrency']);

        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(2));
        $tx = self::site()->transactions(2);
        self::assertCount(1, $tx);
        self::assertSame('55.00', $tx[0]['amountin']);
        self::assertSame('0.00', (string) self::site()->query('SELECT credit FROM tblclients WHERE id = 2')[0]['credit']);
    }

    public function testDescriptionsWithHtmlQuotesAndNonAsciiSurviveTheRoundTrip(): void
    {
        $company = 'Müller & <Söhne> "Hosting" \'Ltd\' – ąčęėįšųūž 日本';
        self::site()->setConfig('CompanyName', $company);
        $order = $this->startPayment(1);
        self::assertSame($company . ' Invoice #1', $this->sentOrder()['description']);
        // The callback echoes the description, signed: it must still verify.
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        $page = self::site()->get('viewinvoice.php?id=1', self::site()->clientLogin(1));
        self::assertStringNotContainsString('<Söhne>', $page['body']);
    }

    public function testACallbackWithSpacesEncodedAsPercent20Verifies(): void
    {
        $order = $this->startPayment(1);
        $attempts = $this->sendCallback((int) $order['order_request_id'], 3,
            ['receivedAmount' => $this->payAmount($order)], ['spaceAs20' => true]);
        self::assertAnswered(200, '*ok*', $attempts);
        self::assertSame('Paid', $this->invoiceStatus(1));
    }

    public function testAPreOrderWithoutOrderRequestIdIsPaidThroughItsCallbacks(): void
    {
        $default = self::sim()->projects()[0];
        self::sim()->registerMerchant(['preOrder' => true] + $default);
        $order = $this->startPayment(1);
        self::assertNull($order['order_request_id']);
        $simOrders = self::sim()->orders();
        self::assertCount(1, $simOrders);
        $id = (int) $simOrders[0]['orderRequestId'];

        self::assertAnswered(200, '*ok*', self::sim()->pay($id)['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
        $row = $this->order($this->orderIdOf(1, 1));
        self::assertSame((string) $id, $row['order_request_id']);
        self::assertSame('SC' . $id, self::site()->transactions(1)[0]['transid']);
        self::assertNotNull($row['pay_amount']);
    }
}
