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
        $this->assertSees('Bitcoin', '#spectrocoin-pay-in');
        $this->assertSees('SpectroCoin', '#spectrocoin-pay-in');
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
        $this->assertOurCustomerPage('Invoice #1');
        $this->assertSees('already paid');
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
        $this->assertOurCustomerPage('Invoice #INV-2026-0002');
        $this->assertSees('Your payment is being confirmed');
        $b->screenshot('stale-press-pending');
        self::assertSame([], self::sim()->requests());
        $this->followsTheLinkBackToTheInvoice(2);
    }

    public function testThePayNowAddressOpenedDirectlyTellsTheCustomerWhereToStart(): void
    {
        $b = $this->browser();
        $this->clientLogsIn('alice@example.com');
        $b->open(self::site()->url('modules/gateways/spectrocoin/paynow.php?invoiceid=1'));
        $this->assertOurCustomerPage('Invoice #1');
        $this->assertSees('This page is opened from your invoice');
        $this->assertDoesNotSee('Method not allowed');
        $b->screenshot('paynow-get');
        self::assertSame([], self::sim()->requests());
        $this->followsTheLinkBackToTheInvoice(1);
    }

    public function testAPartPaidInvoiceSaysWhatWasReceivedAndOffersPayNowForTheRest(): void
    {
        $order = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 2)['attempts']);
        // The invoice grew while the payment was confirming: our payment leaves a balance.
        self::site()->query('UPDATE tblinvoices SET subtotal = 150.00, total = 150.00 WHERE id = 1');
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $order['order_request_id'], 3)['attempts']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));

        $b = $this->browser();
        $this->clientLogsIn('alice@example.com', 'viewinvoice.php?id=1');
        $this->assertSees('Received so far: €100.00 EUR of €150.00 EUR. Pay Now pays the remaining €50.00 EUR.', '#spectrocoin-received');
        $this->assertNoRawStatus();
        $b->screenshot('invoice-part-paid');

        $b->clickText('button', 'Pay Now');
        $b->waitForUrl(self::sim()->url() . '/checkout/');
        self::assertSame('50.00', $this->latestOrder(1)['receive_amount'], 'Pay Now asks for the rest');
        $b->screenshot('checkout-rest');
    }

    public function testAnOrderSpectroCoinRefusesShowsOurPageWithTheOrderToQuoteAndTheAdminBoxListsIt(): void
    {
        // A project SpectroCoin does not know: the order is refused (code 6).
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['projectId' => '75']));
        $b = $this->browser();
        $this->clientLogsIn('alice@example.com', 'viewinvoice.php?id=1');
        $b->clickText('button', 'Pay Now');
        $this->assertOurCustomerPage($this->orderIdOf(1, 1));
        $this->assertSees('could not start this payment');
        $b->screenshot('order-refused');
        self::assertNotNull($this->latestOrder(1)['create_error']);
        $this->followsTheLinkBackToTheInvoice(1);
        $this->assertSees('Unpaid');

        $this->adminLogsIn();
        $b->open(self::site()->url('admin/invoices.php?action=edit&id=1'));
        $box = $b->text('#gateway-status-msg');
        self::assertStringContainsString($this->orderIdOf(1, 1), $box);
        self::assertStringContainsString('75 (legacy)', $box, 'the project it was sent to');
        $b->screenshot('admin-box-failed-creation');
    }

    public function testACustomerReadsOurPagesInTheirLanguage(): void
    {
        self::site()->query("UPDATE tblclients SET language = 'german' WHERE id = 1");
        $b = $this->browser();
        $this->clientLogsIn('alice@example.com', 'viewinvoice.php?id=1');
        $this->assertSees('Sie bezahlen in Bitcoin auf der Zahlungsseite von SpectroCoin.', '#spectrocoin-pay-in');
        $b->screenshot('invoice-german');
        self::site()->query("UPDATE tblinvoices SET status = 'Payment Pending' WHERE id = 1");

        $b->click('#spectrocoin-paynow button');
        $this->assertSees('Ihre Zahlung wird bestätigt', '#spectrocoin-title');
        $this->assertSees('Rechnung Nr. 1', '#spectrocoin-reference');
        $this->assertSees('Zurück zur Rechnung', '#spectrocoin-back');
        $this->assertDoesNotSee('Back to the invoice');
        $this->assertNoRawStatus();
        $b->screenshot('stale-press-german');
    }

    /**
     * One of our customer pages (issue 17): in the shop's look with its name, plain words (no
     * status constant, no "(status: …)"), a reference to quote and a link back to the invoice.
     */
    private function assertOurCustomerPage(string $reference): void
    {
        $this->assertSees('Stand-in Hosting & Co', '#company-name');
        $this->assertSees($reference, '#spectrocoin-reference');
        $this->assertSees('Back to the invoice', '#spectrocoin-back');
        $this->assertDoesNotSee('(status:');
        $this->assertNoRawStatus();
    }

    /** Customer pages of ours end with a way back: the link to the invoice, followed. */
    private function followsTheLinkBackToTheInvoice(int $invoiceId): void
    {
        $this->browser()->clickText('a', 'Back to the invoice');
        $this->browser()->waitForUrl(self::site()->url('viewinvoice.php?id=' . $invoiceId));
        $this->assertSees('Status: ');
    }
}
