<?php

declare(strict_types=1);

namespace Tests\Browser;

/**
 * Addons → SpectroCoin Operations → one order: from the All orders list to the order's page, with
 * its SpectroCoin ids and the callbacks received.
 */
final class OrderPageTest extends BrowserTestCase
{
    private const ADDON = 'spectrocoinops';

    public function testTheAdminOpensAnOrderFromTheListAndSeesItsIdsAndCallbacks(): void
    {
        self::site()->useInstallerDatabaseUser();
        self::assertSame('success', self::site()->activateAddon(self::ADDON)['status']);
        $order = $this->startPayment(1);
        self::sim()->pay((int) $order['order_request_id']);
        self::assertSame('Paid', $this->invoiceStatus(1));

        $b = $this->browser();
        $this->adminLogsIn();
        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        $b->click('#spectrocoin-orders a.spectrocoin-order-link');
        $b->waitForUrl(self::site()->url('admin/addonmodules.php?module=' . self::ADDON . '&order=' . rawurlencode((string) $order['order_id'])));
        $this->assertSees('Order ' . $order['order_id']);
        $this->assertSees((string) $order['order_request_id'], '#spectrocoin-order-order-request-id');
        $this->assertSees('yes, transaction SC' . $order['order_request_id'], '#spectrocoin-order-credited');
        $this->assertSees('Invoice #1', '#spectrocoin-order');
        $history = $b->texts('#spectrocoin-history tr[data-result]');
        self::assertCount(2, $history, implode("\n", $history)); // PENDING, then PAID (the simulator's pay)
        self::assertStringContainsString('Credited', $history[0]);
        self::assertStringContainsString('legacy callback', $history[0]);
        self::assertStringContainsString('PAID', $history[0]);
        self::assertStringContainsString('UTC', $history[0]);
        $this->assertDoesNotSee('PRIVATE KEY');
        $b->screenshot('order-page');

        $b->click('#spectrocoin-order-invoice');
        $b->waitForUrl(self::site()->url('admin/invoices.php?action=edit&id=1'));
    }
}
