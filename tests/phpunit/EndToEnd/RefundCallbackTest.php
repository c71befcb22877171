<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * A refund made in SpectroCoin's dashboard (issue 16): REFUNDED of a credited order is a review
 * item by default; with "Record SpectroCoin refunds in WHMCS" on it is recorded once, as WHMCS's
 * "Manual Refund Processed Externally" records it (the stand-in's refundInvoicePayment); never for
 * an order that was not credited. PROCESSING_REFUND and REJECTED_REFUND are shown on the order.
 * Legacy signed callbacks here; the current API's JSON callbacks in CurrentApiRefundTest.
 */
final class RefundCallbackTest extends EndToEndTestCase
{
    private function paid(int $invoiceId = 1): array
    {
        $order = $this->startPayment($invoiceId);
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        self::assertSame('Paid', $this->invoiceStatus($invoiceId));
        return $order;
    }

    private function set(array $order, int $status): array
    {
        return self::sim()->setStatus((int) $order['order_request_id'], $status)['attempts'];
    }

    private function recordRefunds(bool $on): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['recordRefunds' => $on]));
    }

    /** The queued (undelivered) signed body of a status change. */
    private function queuedBody(array $order, int $status): string
    {
        $ids = self::sim()->setStatus((int) $order['order_request_id'], $status, null, true, false)['deliveryIds'];
        foreach (self::sim()->callbacks() as $delivery) {
            if ($delivery['id'] === $ids[0]) {
                return (string) $delivery['body'];
            }
        }
        self::fail('queued delivery not found');
    }

    private function refundRows(int $invoiceId): array
    {
        return array_values(array_filter(self::site()->transactions($invoiceId), static fn (array $t): bool => (float) $t['amountout'] > 0));
    }

    private function adminInvoicePage(int $invoiceId): string
    {
        $page = self::site()->get('admin/invoices.php?action=edit&id=' . $invoiceId, self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        return $page['body'];
    }

    public function testByDefaultRefundedIsAReviewItemAndNothingIsRecorded(): void
    {
        $order = $this->paid();
        self::assertAnswered(200, '*ok*', $this->set($order, 18));
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertSame([], $this->refundRows(1));
        $row = $this->order($order['order_id']);
        self::assertSame('REFUNDED', $row['status']);
        self::assertStringContainsString('Refunded at SpectroCoin: record the refund of payment SC' . $order['order_request_id'], (string) $row['review_reason']);
        self::assertSame('Refund Notice', $this->lastLog()['result']);
        $page = $this->adminInvoicePage(1);
        self::assertStringContainsString('1 order needs review', $page);
        self::assertStringContainsString('refunded at SpectroCoin', $page);
    }

    public function testWhenEnabledTheRefundIsRecordedOnceLinkedToThePayment(): void
    {
        $this->recordRefunds(true);
        $order = $this->paid();
        self::assertAnswered(200, '*ok*', $this->set($order, 17));
        self::assertAnswered(200, '*ok*', $this->set($order, 18));

        [$payment, $refund] = self::site()->transactions(1);
        $transId = 'SC' . $order['order_request_id'];
        self::assertSame([$transId, '100.00'], [$payment['transid'], $payment['amountin']]);
        self::assertSame(['0.00', '100.00', $transId . '-refund', (int) $payment['id'], 'spectrocoin'],
            [$refund['amountin'], $refund['amountout'], $refund['transid'], (int) $refund['refundid'], $refund['gateway']]);
        self::assertSame('Refunded', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->emails('Invoice Refund Confirmation'));
        self::assertCount(1, self::site()->hooks('InvoiceRefunded'));
        self::assertCount(1, self::site()->hooks('ManualRefund'));
        $row = $this->order($order['order_id']);
        self::assertSame(['REFUNDED', 'recorded', null], [$row['status'], $row['refund_state'], $row['review_reason']]);
        self::assertSame('Refund Recorded', $this->lastLog()['result']);
        self::assertCount(1, self::site()->query("SELECT id FROM tblactivitylog WHERE description LIKE 'SpectroCoin refund recorded on Invoice ID: 1 %'"));
        $page = $this->adminInvoicePage(1);
        self::assertStringNotContainsString('needs review', $page);
        self::assertStringContainsString('refunded in WHMCS, transaction ' . $transId . '-refund', $page);

        // SpectroCoin's retries and a second notice record nothing more.
        $body = $this->queuedBody($order, 18);
        for ($i = 0; $i < 3; $i++) {
            $r = $this->postCallback($body);
            self::assertSame([200, '*ok*'], [$r['status'], $r['body']]);
        }
        self::assertAnswered(200, '*ok*', $this->set($order, 18));
        self::assertCount(1, $this->refundRows(1));
        self::assertCount(1, self::site()->emails('Invoice Refund Confirmation'));
        self::assertSame('Ignored (stale)', $this->lastLog()['result']);
        // Older news changes nothing either.
        self::assertAnswered(200, '*ok*', $this->set($order, 3));
        self::assertCount(2, self::site()->transactions(1));
        self::assertSame('REFUNDED', $this->order($order['order_id'])['status']);
    }

    public function testOnlyTheOrdersPaymentIsRefundedAndAnInvoicePaidOtherwiseStaysPaid(): void
    {
        $this->recordRefunds(true);
        $order = $this->paid(7); // 30.00 of 80.00 paid before: the order credited the 50.00 balance
        self::assertAnswered(200, '*ok*', $this->set($order, 18));
        $refunds = $this->refundRows(7);
        self::assertCount(1, $refunds);
        self::assertSame('50.00', $refunds[0]['amountout']);
        self::assertSame(['Paid', '50.00'], [$this->invoiceStatus(7), self::site()->invoice(7)['balance']]);
        self::assertSame([], self::site()->hooks('InvoiceRefunded'));
        self::assertSame('recorded', $this->order($order['order_id'])['refund_state']);
    }

    public function testConcurrentRefundedCallbacksRecordOnce(): void
    {
        $this->recordRefunds(true);
        $order = $this->paid();
        $body = $this->queuedBody($order, 18);
        $answers = $this->postConcurrently($body, 12);
        // A delivery racing the one recording may be asked to retry (503); none records a second refund.
        foreach ($answers as $a) {
            self::assertContains($a, ['200 *ok*', '503 Service Unavailable'], self::site()->logTail());
        }
        self::assertContains('200 *ok*', $answers);
        $r = $this->postCallback($body); // SpectroCoin's retry of any 503
        self::assertSame([200, '*ok*'], [$r['status'], $r['body']]);
        self::assertCount(1, $this->refundRows(1));
        self::assertCount(1, self::site()->emails('Invoice Refund Confirmation'));
        self::assertCount(1, self::site()->hooks('InvoiceRefunded'));
        self::assertSame('recorded', $this->order($order['order_id'])['refund_state']);
    }

    public function testRefundedOfAnOrderThatWasNotCreditedIsNeverRecorded(): void
    {
        $this->recordRefunds(true);
        // An underpayment SpectroCoin refunded: WHMCS never held it.
        $order = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 12, '0.0001')['attempts']);
        self::assertAnswered(200, '*ok*', $this->set($order, 18));
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        $row = $this->order($order['order_id']);
        self::assertSame(['REFUNDED', 0], [$row['status'], (int) $row['credited']]);
        self::assertStringContainsString('never applied in WHMCS', (string) $row['review_reason']);
        // A late PAID of the refunded order is not applied either.
        self::assertAnswered(200, '*ok*', $this->sendCallback((int) $order['order_request_id'], 3));
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('Unpaid', $this->invoiceStatus(1));

        // A payment held for review (the invoice was cancelled) and then refunded: nothing to record.
        $held = $this->startPayment(2);
        self::site()->query("UPDATE tblinvoices SET status = 'Cancelled' WHERE id = 2");
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $held['order_request_id'])['attempts']);
        self::assertAnswered(200, '*ok*', $this->set($held, 18));
        self::assertSame([], self::site()->transactions(2));
        self::assertStringContainsString('never applied in WHMCS', (string) $this->order($held['order_id'])['review_reason']);
    }

    public function testARefundTheAdminAlreadyRecordedByHandIsNotRecordedAgain(): void
    {
        $order = $this->paid();
        self::assertAnswered(200, '*ok*', $this->set($order, 18)); // setting off: listed for the admin
        $payment = self::site()->transactions(1)[0];
        self::assertSame('manual', self::site()->call('refundInvoicePayment', [(int) $payment['id'], '', false, false, true, 'BY-HAND']));
        $this->recordRefunds(true);
        self::assertAnswered(200, '*ok*', $this->set($order, 18)); // a later notice, now with the setting on
        self::assertCount(1, $this->refundRows(1));
        self::assertStringContainsString('already records a refund', (string) $this->order($order['order_id'])['review_reason']);
    }

    public function testProcessingAndRejectedRefundAreShownOnTheOrderAndMoveNoMoney(): void
    {
        $this->recordRefunds(true);
        $order = $this->paid();
        self::assertAnswered(200, '*ok*', $this->set($order, 17));
        $row = $this->order($order['order_id']);
        self::assertSame(['PROCESSING_REFUND', null], [$row['status'], $row['review_reason']]);
        self::assertSame('Refund Notice', $this->lastLog()['result']);
        $page = $this->adminInvoicePage(1);
        self::assertStringContainsString('refund in progress at SpectroCoin', $page);
        self::assertStringNotContainsString('needs review', $page);

        self::assertAnswered(200, '*ok*', $this->set($order, 19));
        $row = $this->order($order['order_id']);
        self::assertSame('REJECTED_REFUND', $row['status']);
        self::assertStringContainsString('refund started at SpectroCoin was rejected', (string) $row['review_reason']);
        $page = $this->adminInvoicePage(1);
        self::assertMatchesRegularExpression('/refund[^<]*rejected/i', $page);
        self::assertStringContainsString('1 order needs review', $page);
        self::assertCount(1, self::site()->transactions(1));
        self::assertSame('Paid', $this->invoiceStatus(1));
    }

    public function testRejectedRefundAfterARecordedRefundKeepsItAndAsksTheAdmin(): void
    {
        $this->recordRefunds(true);
        $order = $this->paid();
        self::assertAnswered(200, '*ok*', $this->set($order, 18));
        self::assertAnswered(200, '*ok*', $this->set($order, 19));
        self::assertCount(1, $this->refundRows(1));
        self::assertSame('Refunded', $this->invoiceStatus(1));
        $row = $this->order($order['order_id']);
        self::assertSame('REFUNDED', $row['status']);
        self::assertStringContainsString('REJECTED_REFUND after REFUNDED', (string) $row['review_reason']);
    }

    /** @return array<string, array{string}> */
    public static function refundFaults(): array
    {
        return ['worker gone before the refund row' => ['refundInvoicePayment:start'],
            'worker gone after the refund row' => ['refundInvoicePayment:afterRow']];
    }

    /** @dataProvider refundFaults */
    public function testARefundInterruptedByACrashIsRecordedExactlyOnce(string $point): void
    {
        $this->recordRefunds(true);
        $order = $this->paid();
        $body = $this->queuedBody($order, 18);
        self::site()->setConfig('StandInFault', $point . '=exit');
        $answers = [];
        for ($attempt = 0; $attempt < 5; $attempt++) {
            $r = $this->postCallback($body);
            $answers[] = $r['status'] . ' ' . $r['body'];
            if ($r['body'] === '*ok*') {
                break;
            }
            // SpectroCoin's later retries, ten minutes on: an unconfirmed refund claim is stale by then.
            self::site()->pdo()->prepare("UPDATE mod_spectrocoin_orders SET refund_claimed_at = refund_claimed_at - INTERVAL 601 SECOND "
                . "WHERE order_id = ? AND refund_state = 'applying'")->execute([$order['order_id']]);
        }
        self::assertCount(1, self::site()->hooks('StandInFault'), 'the fault fired');
        self::assertSame('200 *ok*', end($answers), json_encode($answers));
        self::assertNotSame('200 *ok*', $answers[0], 'the interrupted delivery was not acknowledged');
        self::assertSame('200 *ok*', ($r = $this->postCallback($body))['status'] . ' ' . $r['body']);
        self::assertCount(1, $this->refundRows(1), json_encode($answers));
        $row = $this->order($order['order_id']);
        self::assertSame('recorded', $row['refund_state']);
        if ($point === 'refundInvoicePayment:afterRow') {
            // WHMCS died between its refund row and marking the invoice Refunded: told, not redone.
            self::assertSame('Paid', $this->invoiceStatus(1));
            self::assertSame([], self::site()->emails('Invoice Refund Confirmation'));
            self::assertStringContainsString('stopped before finishing it', (string) $row['review_reason']);
        } else {
            self::assertSame('Refunded', $this->invoiceStatus(1));
            self::assertCount(1, self::site()->emails('Invoice Refund Confirmation'));
            self::assertNull($row['review_reason']);
        }
    }
}
