<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * Addons → SpectroCoin Operations (admin/addonmodules.php?module=spectrocoinops): what needs the
 * merchant, most urgent first, escaped, for admins only.
 */
final class OperationsPageTest extends EndToEndTestCase
{
    private const PAGE = 'admin/addonmodules.php?module=' . ReconciliationTest::ADDON;

    protected function setUp(): void
    {
        parent::setUp();
        // Activation creates the addon's tables: the installer's database user, as in WHMCS.
        $this->activateOperationsAddon();
    }

    private function setRow(string $orderId, array $values): void
    {
        $sets = implode(', ', array_map(static fn (string $c): string => "`$c` = ?", array_keys($values)));
        self::site()->pdo()->prepare("UPDATE mod_spectrocoin_orders SET $sets WHERE order_id = ?")
            ->execute([...array_values($values), $orderId]);
    }

    /** @return list<array{kind: string, order: string}> the rows of the "needs you" table, in order */
    private function listed(string $html): array
    {
        preg_match_all('#<tr data-order="([^"]*)" data-kind="([^"]*)">#', $html, $m, PREG_SET_ORDER);
        return array_map(static fn (array $r): array => ['kind' => html_entity_decode($r[2]), 'order' => html_entity_decode($r[1])], $m);
    }

    public function testTheMerchantSeesEveryKindOfItemMostUrgentFirstAndEscaped(): void
    {
        $noCallback = (string) $this->startPayment(1)['order_id'];
        $review = (string) $this->startPayment(2)['order_id'];
        $this->setRow($noCallback, ['valid_until' => (int) floor(microtime(true) * 1000) - 60000]);
        $this->setRow($review, ['review_reason' => 'Underpaid <script>alert(1)</script>', 'status' => 'PAID']);
        self::assertSame(0, self::site()->runCron()['exit']);

        $page = self::site()->get(self::PAGE, self::site()->adminLogin());

        self::assertSame(200, $page['status'], $page['body']);
        self::assertSame([
            ['kind' => 'Needs review', 'order' => $review],
            ['kind' => 'No callback received', 'order' => $noCallback],
        ], $this->listed($page['body']));
        self::assertStringNotContainsString('<script>alert(1)</script>', $page['body']);
        self::assertStringContainsString('Underpaid &lt;script&gt;', $page['body']);
        self::assertStringContainsString('check that SpectroCoin can reach the callback URL', $page['body']);
        self::assertStringContainsString('invoices.php?action=edit&amp;id=2', $page['body']);
        self::assertStringNotContainsString('PRIVATE KEY', $page['body']);
    }

    public function testAPaymentWhmcsRefusedComesFirstAndAStuckPaymentPendingIsListed(): void
    {
        $stuck = (string) $this->startPayment(1)['order_id'];
        $refused = (string) $this->startPayment(2)['order_id'];
        $this->setRow($stuck, ['pending_set' => 1, 'status' => 'PENDING', 'valid_until' => (int) floor(microtime(true) * 1000) - 60000]);
        self::site()->pdo()->exec("UPDATE tblinvoices SET status = 'Payment Pending' WHERE id = 1");
        $this->setRow($refused, ['review_reason' => 'Paid at SpectroCoin, but WHMCS did not accept the payment', 'transid' => 'SC999', 'status' => 'PAID']);

        $page = self::site()->get(self::PAGE, self::site()->adminLogin());

        self::assertSame([
            ['kind' => 'Paid, not applied', 'order' => $refused],
            ['kind' => 'Stuck in Payment Pending', 'order' => $stuck],
        ], $this->listed($page['body']));
    }

    public function testNothingToDoSaysSo(): void
    {
        $page = self::site()->get(self::PAGE, self::site()->adminLogin());

        self::assertStringContainsString('id="spectrocoin-attention-none"', $page['body']);
    }

    public function testOnlyAdminsSeeThePage(): void
    {
        $this->startPayment(1);
        self::assertSame(302, self::site()->get(self::PAGE)['status']);
        $client = self::site()->get(self::PAGE, self::site()->clientLogin(1));
        self::assertSame(302, $client['status']);
        self::assertStringNotContainsString('spectrocoin-attention', $client['body']);
    }
}
