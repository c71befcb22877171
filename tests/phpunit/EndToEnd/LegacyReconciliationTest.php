<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * Reconciliation for a legacy-only project (no API client credentials: that API has no status
 * query): an order whose validity ended with no callback at all is reported for the admin page,
 * nothing is credited and SpectroCoin is not asked.
 */
final class LegacyReconciliationTest extends EndToEndTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        // Activation creates the addon's tables: the installer's database user, as in WHMCS.
        $this->activateOperationsAddon();
    }

    private function endValidity(string $orderId): void
    {
        self::site()->pdo()->prepare('UPDATE mod_spectrocoin_orders SET valid_until = ? WHERE order_id = ?')
            ->execute([(int) floor(microtime(true) * 1000) - 60000, $orderId]);
    }

    private function reports(): array
    {
        return array_column(self::site()->query('SELECT order_id, report FROM mod_spectrocoin_reconcile WHERE report IS NOT NULL'), 'report', 'order_id');
    }

    public function testAnExpiredOrderWithNoCallbackIsReportedAndNothingIsCredited(): void
    {
        $expired = (string) $this->startPayment(1)['order_id'];
        $stillValid = (string) $this->startPayment(2)['order_id'];
        $this->endValidity($expired);
        // Paid at SpectroCoin, every callback lost: the legacy API cannot tell us.
        self::sim()->pay((int) $this->order($expired)['order_request_id'], false);
        $apiCalls = count(self::sim()->requests()) + count(self::sim()->apiRequests());

        $run = self::site()->runCron();

        self::assertSame(0, $run['exit'], $run['stderr']);
        self::assertSame([$expired => 'no callback received — check that SpectroCoin can reach the callback URL'], $this->reports());
        self::assertArrayNotHasKey($stillValid, $this->reports(), 'an order still valid may simply be unpaid');
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('Unpaid', $this->invoiceStatus(1));
        self::assertSame($apiCalls, count(self::sim()->requests()) + count(self::sim()->apiRequests()), 'SpectroCoin was not asked');

        // Reported once: a second run keeps the report and its time.
        $first = self::site()->query('SELECT reported_at FROM mod_spectrocoin_reconcile WHERE order_id = ?', [$expired])[0]['reported_at'];
        sleep(1);
        self::site()->runCron();
        self::assertSame($first, self::site()->query('SELECT reported_at FROM mod_spectrocoin_reconcile WHERE order_id = ?', [$expired])[0]['reported_at']);
    }

    public function testAnOrderThatGotACallbackIsNotReportedAsUnreachable(): void
    {
        $row = $this->startPayment(1);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus((int) $row['order_request_id'], 2)['attempts']);
        $this->endValidity((string) $row['order_id']);

        self::site()->runCron();

        self::assertSame([], $this->reports());
    }

    /** 1,000 open orders: each run looks at the configured number, least recently checked first, and stops at its time budget. */
    public function testACronRunIsBoundedWithAThousandOpenOrders(): void
    {
        $template = $this->startPayment(1);
        unset($template['id']);
        $rows = [];
        for ($i = 1; $i < 1000; $i++) {
            $rows[] = ['order_id' => 'bulk-' . $i, 'order_request_id' => (string) (900000 + $i)] + $template;
        }
        $this->insertOrderRows($rows);
        $checked = fn (): int => (int) self::site()->query('SELECT COUNT(*) AS n FROM mod_spectrocoin_reconcile')[0]['n'];

        self::site()->useInstallerDatabaseUser();
        self::site()->saveAddonSettings(ReconciliationTest::ADDON, ['reconcileSeconds' => '0']);
        self::site()->runCron();
        self::assertSame(0, $checked(), 'no time budget, nothing checked');

        self::site()->saveAddonSettings(ReconciliationTest::ADDON, ['reconcileSeconds' => '20', 'reconcileMaxOrders' => '400']);
        self::site()->runCron();
        self::assertSame(400, $checked());
        self::site()->runCron();
        self::assertSame(800, $checked(), 'the next run takes orders not yet checked');
        $started = microtime(true);
        self::site()->runCron();
        fwrite(STDERR, sprintf("\n[reconciliation] cron run over 1,000 open legacy orders, 400 checked: %.0f ms\n", (microtime(true) - $started) * 1000));
        self::assertSame(1000, $checked());
        self::assertSame([], self::site()->query('SELECT id FROM tblaccounts WHERE invoiceid = 1'));
    }
}
