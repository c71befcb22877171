<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * Invoices that change after the order was created, and payments that end without a credit: no
 * invoice stays Payment Pending without an open order that can still complete it, and the admin
 * box describes the present.
 */
final class ChangedInvoiceTest extends EndToEndTestCase
{
    private function pending(array $order): void
    {
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 2)['attempts']);
        self::assertSame('Payment Pending', $this->invoiceStatus(1));
    }

    private function adminBox(int $invoiceId): string
    {
        $page = self::site()->get('admin/invoices.php?action=edit&id=' . $invoiceId, self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        return $page['body'];
    }

    public function testATotalRaisedAfterTheOrderCreditsTheOrdersAmountAndReopensTheInvoice(): void
    {
        $order = $this->startPayment(1);
        $this->pending($order);
        self::site()->query('UPDATE tblinvoices SET subtotal = 150.00, total = 150.00 WHERE id = 1');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 3)['attempts']);

        $tx = self::site()->transactions(1);
        self::assertCount(1, $tx);
        self::assertSame('100.00', $tx[0]['amountin']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        $row = $this->order($order['order_id']);
        self::assertSame(1, (int) $row['credited']);
        self::assertStringContainsString('50.00 EUR remain', (string) $row['review_reason']);
        self::assertStringContainsString('50.00 EUR remain', $this->adminBox(1));

        // The customer pays the rest with Pay Now.
        $rest = $this->startPayment(1);
        self::assertSame('50.00', $rest['receive_amount']);
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $rest['order_request_id'])['attempts']);
        self::assertSame('Paid', $this->invoiceStatus(1));
    }

    public function testAPartPaidInvoiceOffersPayNowForTheRestAndSaysWhatWasReceived(): void
    {
        $order = $this->startPayment(1);
        $this->pending($order);
        self::site()->query('UPDATE tblinvoices SET subtotal = 150.00, total = 150.00 WHERE id = 1');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 3)['attempts']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));

        $page = self::site()->get('viewinvoice.php?id=1', self::site()->clientLogin(1));
        self::assertNotNull(\Testbed\WhmcsSite::firstForm($page['body']), 'Pay Now for the rest');
        self::assertMatchesRegularExpression('#<p class="spectrocoin-received" id="spectrocoin-received">Received so far: '
            . '€100\.00 EUR of €150\.00 EUR\. Pay Now pays the remaining €50\.00 EUR\.</p>#u', $page['body']);
        // What Pay Now then asks for is that rest.
        self::assertSame('50.00', $this->startPayment(1)['receive_amount']);
    }

    public function testAPaymentReversedAfterTheOrderLeavesTheInvoiceUnpaidForTheRest(): void
    {
        self::site()->call('addInvoicePayment', [1, 'BANK-1', '40.00', 0, 'banktransfer']);
        $order = $this->startPayment(1);
        self::assertSame('60.00', $order['receive_amount']);
        $this->pending($order);
        // The bank payment bounces: WHMCS records the reversal as money out.
        self::site()->query("UPDATE tblaccounts SET amountout = 40.00 WHERE transid = 'BANK-1'");
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 3)['attempts']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertStringContainsString('40.00 EUR remain', (string) $this->order($order['order_id'])['review_reason']);
    }

    /** @return array<string, array{int, bool}> status code, review item expected */
    public static function endingsWithoutCredit(): array
    {
        return [
            'UNDERPAID' => [12, true], 'PARTIAL_PAYMENT' => [11, true], 'INVALID_PAYMENT' => [14, true],
            'LATE_CRYPTO_PAYMENT' => [10, true], 'FAILED' => [4, false], 'EXPIRED' => [5, false],
            'CANCELLED' => [13, false], 'REJECTED' => [21, false],
        ];
    }

    /** @dataProvider endingsWithoutCredit */
    public function testAPaymentEndingWithoutACreditReturnsTheInvoiceToUnpaid(int $status, bool $review): void
    {
        $order = $this->startPayment(1);
        $this->pending($order);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], $status, '0.0001')['attempts']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        $row = $this->order($order['order_id']);
        self::assertSame(0, (int) $row['pending_set']);
        self::assertSame($review, $row['review_reason'] !== null, (string) $row['review_reason']);
        // Nothing blocks the customer from paying again.
        self::assertNotSame($order['order_id'], $this->startPayment(1)['order_id']);
    }

    public function testAHeldPaymentCreditedLaterClearsItsReviewItem(): void
    {
        $order = $this->startPayment(1);
        self::site()->query("UPDATE tblinvoices SET status = 'Cancelled' WHERE id = 1");
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        self::assertNotNull($this->order($order['order_id'])['review_reason']);
        self::assertStringContainsString('order needs review', $this->adminBox(1));

        // The admin re-opens the invoice; SpectroCoin redelivers (the dashboard's Retry).
        self::site()->query("UPDATE tblinvoices SET status = 'Unpaid' WHERE id = 1");
        self::assertAnswered(200, '*ok*', $this->sendCallback((int) $order['order_request_id'], 3, [], ['url' => self::site()->callbackUrl(self::GATEWAY)]));
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
        $row = $this->order($order['order_id']);
        self::assertSame(1, (int) $row['credited']);
        self::assertNull($row['review_reason']);
        $box = $this->adminBox(1);
        self::assertStringNotContainsStringIgnoringCase('needs review', $box);
        self::assertStringNotContainsString('Apply it manually', $box);
        self::assertStringNotContainsString('Add Payment', $box);
    }

    public function testAHeldPaymentTheAdminAppliedByHandIsNoLongerForReview(): void
    {
        $order = $this->startPayment(1);
        self::site()->query("UPDATE tblinvoices SET status = 'Cancelled' WHERE id = 1");
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        $transId = (string) $this->order($order['order_id'])['transid'];
        self::assertSame('SC' . $order['order_request_id'], $transId);
        // The admin re-opens the invoice and adds the payment by hand with SpectroCoin's transaction id.
        self::site()->query("UPDATE tblinvoices SET status = 'Unpaid' WHERE id = 1");
        self::assertTrue((bool) self::site()->call('addInvoicePayment', [1, $transId, '100.00', 0, 'spectrocoin']));
        $box = $this->adminBox(1);
        self::assertStringNotContainsStringIgnoringCase('needs review', $box);
        self::assertStringNotContainsString('Apply it manually', $box);
        self::assertStringNotContainsString('Add Payment', $box);
        self::assertStringContainsString('is recorded in WHMCS (applied by hand)', $box);
    }
}
