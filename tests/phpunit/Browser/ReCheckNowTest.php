<?php

declare(strict_types=1);

namespace Tests\Browser;


/**
 * Addons → SpectroCoin Operations on SpectroCoin's current API (API client credentials): a
 * payment whose callback was lost is found from the dashboard widget and applied with
 * "Re-check now", once.
 */
final class ReCheckNowTest extends BrowserTestCase
{
    private const ADDON = 'spectrocoinops';

    protected static function gatewaySettings(): array
    {
        return self::currentApiSettings();
    }

    protected function setUp(): void
    {
        parent::setUp();
        self::sim()->setCallbackFormat('json');
        // Activation creates the addon's tables: the installer's database user, as in WHMCS.
        $this->activateOperationsAddon();
    }

    public function testALostPaymentIsFoundFromTheDashboardAndAppliedOnceWithReCheckNow(): void
    {
        $preOrder = basename((string) $this->startPayment(1)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        self::assertSame([], self::sim()->setStatus($preOrder, 3, null, true, false)['attempts'], 'the PAID callback is lost');
        $orderId = (string) $this->latestOrder(1)['order_id'];
        // Its validity over, the invoice still waits in Payment Pending.
        self::site()->pdo()->prepare('UPDATE mod_spectrocoin_orders SET valid_until = ? WHERE order_id = ?')
            ->execute([(int) floor(microtime(true) * 1000) - 60000, $orderId]);

        $b = $this->browser();
        $this->adminLogsIn();
        $this->assertSees('1 SpectroCoin item needs you', '#spectrocoin-widget');
        $b->screenshot('dashboard-widget');
        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        self::assertStringContainsString($orderId, $b->text('#spectrocoin-attention'));
        $b->screenshot('needs-you-stuck');

        // The admin has the page open in a second tab too.
        $first = $b->newTab();
        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        $b->click('#spectrocoin-attention form.spectrocoin-recheck button[type=submit]');
        $this->assertSees('the payment was applied to invoice #1', '#spectrocoin-notice');
        $this->assertSees('Nothing needs you', '#spectrocoin-attention-none');
        $b->screenshot('rechecked');
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1));

        // The same button in the first, stale tab: nothing applied twice.
        $b->switchTo($first);
        $b->click('#spectrocoin-attention form.spectrocoin-recheck button[type=submit]');
        $this->assertSees('already credited', '#spectrocoin-notice');
        $b->screenshot('rechecked-again');
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
    }
}
