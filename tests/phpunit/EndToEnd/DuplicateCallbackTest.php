<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/** The same PAID callback many times, one after another and all at once: one payment, one InvoicePaid. */
final class DuplicateCallbackTest extends EndToEndTestCase
{
    /** The signed PAID body SpectroCoin would (re)send for an order, without delivering it. */
    private function paidBody(array $order): string
    {
        $id = (int) $order['order_request_id'];
        $payAmount = (string) self::sim()->order($id)['payAmount'];
        $queued = self::sim()->setStatus($id, 3, $payAmount, true, false);
        $ids = $queued['deliveryIds'];
        self::assertCount(1, $ids);
        foreach (self::sim()->callbacks() as $delivery) {
            if ($delivery['id'] === $ids[0]) {
                return (string) $delivery['body'];
            }
        }
        self::fail('queued delivery not found');
    }

    public function testSequentialDuplicatesAreAnsweredOkAndCreditedOnce(): void
    {
        $order = $this->startPayment(1);
        $body = $this->paidBody($order);
        for ($i = 0; $i < 5; $i++) {
            $response = $this->postCallback($body);
            self::assertSame(200, $response['status'], $response['body']);
            self::assertSame('*ok*', $response['body']);
        }
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        self::assertSame('Paid', $this->invoiceStatus(1));
        $results = array_column($this->gatewayLog(), 'result');
        self::assertSame(1, count(array_keys($results, 'Successful', true)));
        self::assertSame(4, count(array_keys($results, 'Duplicate', true)));
    }

    public function testFiftyConcurrentDuplicatesCreditOnce(): void
    {
        $order = $this->startPayment(1);
        $body = $this->paidBody($order);
        $answers = $this->postConcurrently($body, 50);

        self::assertSame(array_fill(0, 50, '200 *ok*'), $answers, self::site()->logTail());
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        self::assertCount(1, self::site()->emails('Invoice Payment Confirmation'));
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertSame('0.00', self::site()->invoice(1)['balance']);
        self::assertSame('0.00', (string) self::site()->query('SELECT credit FROM tblclients WHERE id = 1')[0]['credit']);
    }

    public function testAPaymentAlreadyRecordedByTheOfficialModuleIsNotCreditedAgain(): void
    {
        $order = $this->startPayment(1);
        // The official module uses the same transaction id scheme: SC<orderRequestId>.
        self::site()->call('addInvoicePayment', [1, 'SC' . $order['order_request_id'], '100.00', 0, 'spectrocoin']);
        $body = $this->paidBody($order);
        $response = $this->postCallback($body);
        self::assertSame('*ok*', $response['body']);
        self::assertCount(1, self::site()->transactions(1));
        $row = $this->order($order['order_id']);
        self::assertSame(1, (int) $row['credited']);
        self::assertSame('Duplicate', $this->lastLog()['result']);
    }
}
