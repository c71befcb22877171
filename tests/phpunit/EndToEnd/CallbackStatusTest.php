<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/** Each row of the status table in issue 4, driven by a real (simulator-signed) callback. */
final class CallbackStatusTest extends EndToEndTestCase
{
    private function orderFor(int $invoiceId = 1): array
    {
        return $this->startPayment($invoiceId);
    }

    private function set(array $order, int $status, ?string $received = null): array
    {
        $result = self::sim()->setStatus((int) $order['order_request_id'], $status, $received);
        return $result['attempts'];
    }

    public function testPendingMarksTheInvoicePaymentPending(): void
    {
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', $this->set($order, 2));
        self::assertSame('Payment Pending', $this->invoiceStatus(1));
        $row = $this->order($order['order_id']);
        self::assertSame('PENDING', $row['status']);
        self::assertSame(1, (int) $row['pending_set']);
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('Pending', $this->lastLog()['result']);
    }

    public function testPendingLeavesTheInvoiceUnpaidWhenTheOptionIsOff(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['markPending' => false]));
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', $this->set($order, 2));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame('PENDING', $this->order($order['order_id'])['status']);
    }

    public function testANeverSavedPaymentPendingOptionMeansOn(): void
    {
        self::site()->query("DELETE FROM tblpaymentgateways WHERE gateway = 'spectrocoin' AND setting = 'markPending'");
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', $this->set($order, 2));
        self::assertSame('Payment Pending', $this->invoiceStatus(1));
    }

    public function testPaidCreditsTheOrderAmountAndLogsEverything(): void
    {
        $order = $this->orderFor(7); // partially paid: balance 50.00 of 80.00
        self::assertSame('50.00', $order['invoice_amount']);
        self::assertAnswered(200, '*ok*', $this->set($order, 3, $this->sentPayAmount($order)));
        self::assertSame('Paid', $this->invoiceStatus(7));
        $tx = self::site()->transactions(7);
        self::assertCount(2, $tx);
        self::assertSame('50.00', $tx[1]['amountin']);
        $log = $this->lastLog();
        self::assertSame('Successful', $log['result']);
        foreach (['invoiceid => 7', 'orderId => ' . $this->orderIdOf(7, 1), 'orderRequestId => ' . $order['order_request_id'], 'status => 3',
                     'statusName => PAID', 'receiveAmount => 50.0', 'receiveCurrency => EUR', 'payCurrency => BTC',
                     'payAmount => ', 'receivedAmount => '] as $line) {
            self::assertStringContainsString($line, $log['data']);
        }
        $activity = self::site()->query("SELECT description FROM tblactivitylog WHERE description LIKE 'SpectroCoin payment applied%'");
        self::assertCount(1, $activity);
        self::assertStringContainsString('Invoice ID: 7', $activity[0]['description']);
    }

    /** @return array<string, array{int}> */
    public static function closingStatuses(): array
    {
        return ['FAILED' => [4], 'EXPIRED' => [5], 'CANCELLED' => [13], 'REJECTED' => [21]];
    }

    /** @dataProvider closingStatuses */
    public function testClosingStatusesReturnAPendingInvoiceToUnpaidAndNeverCancelIt(int $status): void
    {
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', $this->set($order, 2));
        self::assertSame('Payment Pending', $this->invoiceStatus(1));
        self::assertAnswered(200, '*ok*', $this->set($order, $status));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        $row = $this->order($order['order_id']);
        self::assertSame(0, (int) $row['pending_set']);
        self::assertSame('Closed', $this->lastLog()['result']);
        self::assertSame([], self::site()->transactions(1));
    }

    /** @dataProvider closingStatuses */
    public function testClosingStatusesOnAFreshOrderLeaveTheInvoiceUnpaid(int $status): void
    {
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', $this->set($order, $status));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
    }

    public function testClosingAnOrderNeverTouchesAPaymentPendingSomeoneElseSet(): void
    {
        $order = $this->orderFor();
        self::site()->query("UPDATE tblinvoices SET status = 'Payment Pending' WHERE id = 1");
        self::assertAnswered(200, '*ok*', $this->set($order, 5));
        self::assertSame('Payment Pending', $this->invoiceStatus(1));
    }

    public function testNewIsRecorded(): void
    {
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', $this->set($order, 1));
        self::assertSame('NEW', $this->order($order['order_id'])['status']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame('Recorded', $this->lastLog()['result']);
    }

    /** @return array<string, array{int}> */
    public static function testStatuses(): array
    {
        return ['TEST' => [6], 'TEST_PAID' => [15], 'TEST_EXPIRED' => [16]];
    }

    /** @dataProvider testStatuses */
    public function testTestModeCallbacksAreNeverAppliedAsPayments(int $status): void
    {
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', $this->set($order, $status, $this->sentPayAmount($order)));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        self::assertStringContainsString('Test', $this->lastLog()['result']);
    }

    /** @return array<string, array{int}> */
    public static function reviewStatuses(): array
    {
        return ['LATE_CRYPTO_PAYMENT' => [10], 'PARTIAL_PAYMENT' => [11], 'UNDERPAID' => [12],
            'INVALID_PAYMENT' => [14], 'PENDING_LATE_CRYPTO_PAYMENT' => [20]];
    }

    /** @dataProvider reviewStatuses */
    public function testIrregularPaymentsAreNotCreditedButMarkedForReview(int $status): void
    {
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', $this->set($order, $status, '0.0001'));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        $row = $this->order($order['order_id']);
        self::assertNotEmpty($row['review_reason']);
        self::assertSame(0, (int) $row['credited']);
        $this->assertAdminSeesReview(1, $order['order_id']);
    }

    /**
     * Refund news that needs the merchant (refunds not recorded: the default). PROCESSING_REFUND is
     * shown without a review item, and recording refunds is RefundCallbackTest's.
     *
     * @return array<string, array{int}>
     */
    public static function refundStatuses(): array
    {
        return ['REFUNDED' => [18], 'REJECTED_REFUND' => [19]];
    }

    /** @dataProvider refundStatuses */
    public function testRefundNewsIsLoggedAndShownToTheAdmin(int $status): void
    {
        $order = $this->orderFor();
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        self::assertAnswered(200, '*ok*', $this->set($order, $status));
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));
        self::assertSame('Refund Notice', $this->lastLog()['result']);
        $this->assertAdminSeesReview(1, $order['order_id']);
    }

    private function assertAdminSeesReview(int $invoiceId, string $orderId): void
    {
        $cookies = self::site()->adminLogin();
        $page = self::site()->get('admin/invoices.php?action=edit&id=' . $invoiceId, $cookies);
        self::assertSame(200, $page['status']);
        self::assertStringContainsString('order needs review', $page['body']);
        self::assertStringContainsString($orderId, $page['body']);
    }

    private function sentPayAmount(array $order): string
    {
        return (string) self::sim()->order((int) $order['order_request_id'])['payAmount'];
    }
}
