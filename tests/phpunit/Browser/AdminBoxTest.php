<?php

declare(strict_types=1);

namespace Tests\Browser;

/**
 * The SpectroCoin box on the admin invoice page as the admin reads it in Chromium, in each state
 * (issue 17): paid, needs review with the transaction id to apply, failed creation with its reason,
 * partly paid. Rendered text only; no status constant anywhere in the box.
 */
final class AdminBoxTest extends BrowserTestCase
{
    private const BOX = '#gateway-status-msg';

    /** Opens the invoice as the admin; returns the box's text (asserted free of status constants). */
    private function openBox(int $invoiceId): string
    {
        $b = $this->browser();
        $this->adminLogsIn();
        $b->open(self::site()->url('admin/invoices.php?action=edit&id=' . $invoiceId));
        $this->assertSees('Invoice #' . $invoiceId);
        $box = $b->text(self::BOX);
        self::assertDoesNotMatchRegularExpression(self::RAW_STATUS, $box, "a status constant in the box:\n" . $box);
        self::assertStringNotContainsString('? BTC', $box);
        return $box;
    }

    /** The rendered cell of the order's row under the column headed $column. */
    private function cell(string $orderId, string $column): string
    {
        $heads = $this->browser()->texts('#spectrocoin-orders th');
        $index = array_search($column, $heads, true);
        self::assertNotFalse($index, 'no column ' . $column . ' in ' . implode(' | ', $heads));
        return $this->browser()->text('#spectrocoin-orders tr[data-order="' . $orderId . '"] td:nth-child(' . ($index + 1) . ')');
    }

    public function testPaid(): void
    {
        $order = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        $box = $this->openBox(1);
        self::assertStringStartsWith('SpectroCoin: 1 order, nothing to review', $box);
        self::assertSame('info', $this->browser()->attribute(self::BOX, 'data-type'));
        self::assertSame('paid and credited', $this->cell($order['order_id'], 'Status'));
        self::assertSame('100.00 EUR credited, transaction SC' . $order['order_request_id'], $this->cell($order['order_id'], 'Received'));
        self::assertStringEndsWith(' UTC', $this->cell($order['order_id'], 'Created'));
        $this->browser()->screenshot('admin-box-paid');
    }

    public function testNeedsReviewWithTheTransactionIdToApply(): void
    {
        $order = $this->startPayment(1);
        self::site()->query("UPDATE tblinvoices SET status = 'Cancelled' WHERE id = 1");
        self::assertAnswered(200, '*ok*', self::sim()->pay((int) $order['order_request_id'])['attempts']);
        $box = $this->openBox(1);
        self::assertStringStartsWith('SpectroCoin: 1 order needs review', $box);
        self::assertSame('error', $this->browser()->attribute(self::BOX, 'data-type'));
        self::assertStringContainsString('Paid at SpectroCoin, but NOT applied: the invoice was Cancelled when the payment came; apply payment SC'
            . $order['order_request_id'] . ' by hand', $box);
        // What the admin copies into WHMCS's Add Payment form, each on its own.
        self::assertSame('SC' . $order['order_request_id'], $this->browser()->text(self::BOX . ' code.spectrocoin-transid'));
        self::assertSame('100.00', $this->browser()->text(self::BOX . ' code.spectrocoin-amount'));
        self::assertStringContainsString('Payment Method SpectroCoin, Transaction ID SC' . $order['order_request_id'] . ' and Amount 100.00 EUR', $box);
        self::assertSame('paid at SpectroCoin, not credited in WHMCS', $this->cell($order['order_id'], 'Status'));
        $this->browser()->screenshot('admin-box-needs-review');
    }

    public function testFailedCreationShowsItsReason(): void
    {
        self::sim()->fault('createOrder', 'http503');
        self::assertSame(502, $this->pressPayNow(1)['status']);
        $orderId = $this->orderIdOf(1, 1);
        $box = $this->openBox(1);
        self::assertStringNotContainsString('(not created)', $box);
        self::assertStringNotContainsString('could not be reached', $box);
        $status = $this->cell($orderId, 'Status');
        self::assertStringStartsWith('not created: SpectroCoin answered HTTP 503', $status);
        self::assertSame('–', $this->cell($orderId, 'To pay'));
        self::assertSame('nothing', $this->cell($orderId, 'Received'));
        $this->browser()->screenshot('admin-box-failed-creation');
    }

    public function testPartlyPaid(): void
    {
        $order = $this->startPayment(2);
        self::assertAnswered(200, '*ok*', self::sim()->payPart((int) $order['order_request_id'], '0.0005')['attempts']);
        $payAmount = $this->order($order['order_id'])['pay_amount'];
        $box = $this->openBox(2);
        self::assertStringStartsWith('SpectroCoin: 1 order needs review', $box);
        self::assertSame('partly paid: SpectroCoin reports 0.0005 received of ' . $payAmount . ' BTC to pay', $this->cell($order['order_id'], 'Status'));
        self::assertStringContainsString('0.0005', $this->cell($order['order_id'], 'Received'));
        self::assertStringContainsString('nothing credited', $this->cell($order['order_id'], 'Received'));
        self::assertFalse($this->browser()->has(self::BOX . ' code.spectrocoin-transid'), 'a part payment is not one to apply');
        $this->browser()->screenshot('admin-box-partly-paid');
    }
}
