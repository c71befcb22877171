<?php

declare(strict_types=1);

namespace Tests\Browser;

/**
 * The customer's side in a real browser: log in, open the invoice, Pay Now, SpectroCoin's
 * checkout (the simulator's), back to the invoice; and the pages a customer meets when something
 * is off (a stale Pay Now, the Pay Now address opened directly).
 */
final class CustomerTest extends BrowserTestCase
{
    public function testACustomerPaysAnInvoiceThroughTheCheckoutAndSeesItPaid(): void
    {
        $b = $this->browser();
        $this->clientLogsIn('alice@example.com', 'viewinvoice.php?id=1');
        $b->waitForUrl(self::site()->url('viewinvoice.php?id=1'));
        $this->assertSees('Unpaid');
        $this->assertSees('Pay Now');
        $this->assertNoRawStatus();
        $b->screenshot('invoice-unpaid');

        $b->clickText('button', 'Pay Now');
        $b->waitForUrl(self::sim()->url() . '/checkout/');
        $this->assertSees('BTC');
        $this->assertSees('Pay in full');
        $b->screenshot('checkout');
        self::assertSame('CREATED', $this->latestOrder(1)['status'], 'Pay Now created the order');

        $b->click('button[value=pay]');
        $this->assertSees('Done: pay.');
        $b->screenshot('checkout-paid');
        $b->click('#return');
        $b->waitForUrl(self::site()->url('viewinvoice.php?id=1&paymentsuccess=true'));
        $this->assertSees('Paid');
        $this->assertDoesNotSee('Unpaid');
        $this->assertDoesNotSee('Pay Now');
        $this->assertNoRawStatus();
        $b->screenshot('invoice-paid');

        self::assertSame('Paid', $this->invoiceStatus(1));
        $tx = self::site()->transactions(1);
        self::assertCount(1, $tx, 'one payment');
        self::assertSame('100.00', $tx[0]['amountin']);
    }

    public function testAPayNowPressedOnAPageOpenedBeforeTheInvoiceWasPaidStartsNothing(): void
    {
        $b = $this->browser();
        $this->clientLogsIn('alice@example.com', 'viewinvoice.php?id=1');
        $this->assertSees('Pay Now');
        // Paid meanwhile (another tab, another gateway, the admin): this page is stale.
        self::site()->call('addInvoicePayment', [1, 'BANK-1', '100.00', '0', 'banktransfer']);
        self::assertSame('Paid', $this->invoiceStatus(1));

        $b->clickText('button', 'Pay Now');
        $this->assertSees('not awaiting payment');
        $this->assertNoRawStatus();
        $b->screenshot('stale-press-paid');
        self::assertSame([], self::sim()->requests(), 'no order was created at SpectroCoin');
        self::assertSame([], $this->orders(1));
        $this->followsTheLinkBackToTheInvoice(1);
        $this->assertSees('Paid');
        $this->assertDoesNotSee('Pay Now');
    }

    public function testAStalePayNowOfAnInvoiceAwaitingConfirmationStartsNothing(): void
    {
        $b = $this->browser();
        $this->clientLogsIn('bob@example.com', 'viewinvoice.php?id=2');
        $this->assertSees('Pay Now');
        self::site()->query("UPDATE tblinvoices SET status = 'Payment Pending' WHERE id = 2");

        $b->clickText('button', 'Pay Now');
        $this->assertSees('not awaiting payment');
        $b->screenshot('stale-press-pending');
        self::assertSame([], self::sim()->requests());
        $this->followsTheLinkBackToTheInvoice(2);
    }

    public function testThePayNowAddressOpenedDirectlyTellsTheCustomerWhereToStart(): void
    {
        $b = $this->browser();
        $this->clientLogsIn('alice@example.com');
        $b->open(self::site()->url('modules/gateways/spectrocoin/paynow.php?invoiceid=1'));
        $this->assertSees('Open your invoice and press Pay Now.');
        $this->assertNoRawStatus();
        $b->screenshot('paynow-get');
        self::assertSame([], self::sim()->requests());
    }

    /** Customer pages of ours end with a way back: the link to the invoice, followed. */
    private function followsTheLinkBackToTheInvoice(int $invoiceId): void
    {
        $this->browser()->clickText('a', 'Back to the invoice');
        $this->browser()->waitForUrl(self::site()->url('viewinvoice.php?id=' . $invoiceId));
        $this->assertSees('Status: ');
    }
}
