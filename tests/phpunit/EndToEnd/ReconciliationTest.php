<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\Simulator;

/**
 * Lost callbacks recovered on WHMCS's cron (addon spectrocoinops, AfterCronJob) for a merchant on
 * the current API: the order's state is fetched from SpectroCoin and goes through the callback's
 * own path, so the payment is applied once whoever comes first, cron or callback.
 */
final class ReconciliationTest extends EndToEndTestCase
{
    public const ADDON = 'spectrocoinops';

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

    /** Pay Now, then a delivered PENDING callback (the row learns SpectroCoin's order UUID), then PAID paid with its callback held back. */
    private function paidWithTheCallbackLost(int $invoiceId): string
    {
        $preOrder = basename((string) $this->startPayment($invoiceId)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        self::assertSame('Payment Pending', $this->invoiceStatus($invoiceId));
        $paid = self::sim()->setStatus($preOrder, 3, null, true, false);
        self::assertSame([], $paid['attempts'], 'the PAID callback was not delivered');
        return $preOrder;
    }

    private function cron(): void
    {
        $run = self::site()->runCron();
        self::assertSame(0, $run['exit'], $run['stdout'] . $run['stderr']);
        self::assertStringNotContainsString('SpectroCoin reconciliation failed', json_encode(self::site()->query(
            'SELECT description FROM tblactivitylog'
        )));
    }

    private function recoveredLines(): array
    {
        return array_values(array_filter($this->gatewayLog(), static fn (array $l): bool => $l['result'] === 'Recovered by reconciliation'));
    }

    public function testACronRunCreditsAPaymentWhoseCallbackWasLostAndTheLateCallbackIsADuplicate(): void
    {
        $this->paidWithTheCallbackLost(1);

        $this->cron();

        self::assertSame('Paid', $this->invoiceStatus(1));
        $tx = self::site()->transactions(1);
        self::assertCount(1, $tx);
        self::assertSame('100.00', $tx[0]['amountin']);
        self::assertCount(1, $this->recoveredLines());
        self::assertStringContainsString('check that SpectroCoin can reach', $this->recoveredLines()[0]['data']);
        self::assertCount(1, self::site()->query("SELECT id FROM tblactivitylog WHERE description LIKE '%Recovered by reconciliation%'"));

        // The callback arrives after all: answered *ok*, nothing applied twice.
        self::assertAnswered(200, '*ok*', self::sim()->dispatch(true));
        self::assertSame('Duplicate', $this->lastLog()['result']);
        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));

        // Later runs find nothing left to do and say nothing.
        $lines = count($this->gatewayLog());
        $this->cron();
        self::assertCount($lines, $this->gatewayLog());
    }

    public function testWhenTheCallbackComesFirstTheCronRunChangesNothing(): void
    {
        $preOrder = basename((string) $this->startPayment(1)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 3)['attempts']);
        $lines = count($this->gatewayLog());

        $this->cron();

        self::assertCount(1, self::site()->transactions(1));
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        self::assertSame([], $this->recoveredLines());
        self::assertCount($lines, $this->gatewayLog(), 'nothing to reconcile, nothing logged');
    }

    public function testAStillPendingOrderIsReCheckedQuietlyAndStaysOpen(): void
    {
        $preOrder = basename((string) $this->startPayment(1)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        $lines = count($this->gatewayLog());
        $gets = count(array_filter(self::sim()->apiRequests(), static fn (array $r): bool => ($r['endpoint'] ?? '') === 'get'));

        $this->cron();

        self::assertSame($gets + 1, count(array_filter(self::sim()->apiRequests(), static fn (array $r): bool => ($r['endpoint'] ?? '') === 'get')), 'the order was fetched from SpectroCoin');
        self::assertSame('Payment Pending', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
        self::assertCount($lines, $this->gatewayLog());
    }

    public function testCronAndCallbackRacingOnTheSameOrderCreditOnce(): void
    {
        $this->paidWithTheCallbackLost(1);
        $this->paidWithTheCallbackLost(2);
        $cron = self::site()->startCron($pipes);
        $delivered = self::sim()->dispatch(true);
        $stderr = stream_get_contents($pipes[2]);
        stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        self::assertSame(0, proc_close($cron), (string) $stderr);

        self::assertNotEmpty($delivered);
        // Whoever lost the race may have been told to retry (503): deliver until every answer is *ok*.
        for ($i = 0; $i < 5 && array_filter($delivered, static fn ($a) => $a['httpStatus'] !== 200) !== []; $i++) {
            usleep(300000);
            $delivered = self::sim()->dispatch(true);
        }
        foreach ([1, 2] as $inv) {
            self::assertCount(1, self::site()->transactions($inv), "invoice $inv credited once");
            self::assertSame('Paid', $this->invoiceStatus($inv));
        }
        self::assertCount(2, self::site()->hooks('InvoicePaid'));
    }

    public function testWithoutTheAddonNothingIsRecovered(): void
    {
        self::site()->useInstallerDatabaseUser();
        self::site()->deactivateAddon(self::ADDON);
        $this->paidWithTheCallbackLost(1);

        $this->cron();

        self::assertSame('Payment Pending', $this->invoiceStatus(1));
        self::assertSame([], self::site()->transactions(1));
    }

    public function testACronRunIsBoundedInOrders(): void
    {
        self::site()->useInstallerDatabaseUser();
        self::site()->saveAddonSettings(self::ADDON, ['reconcileMaxOrders' => '1']);
        $this->paidWithTheCallbackLost(1);
        $this->paidWithTheCallbackLost(2);

        $this->cron();
        $credited = fn (): int => count(self::site()->query('SELECT id FROM mod_spectrocoin_orders WHERE credited = 1'));
        self::assertSame(1, $credited(), 'one order per run');

        $this->cron();
        self::assertSame(2, $credited(), 'the next run takes the one not yet checked');
    }

    public function testAClaimLeftUnconfirmedByADeadCallbackIsConfirmedByTheCronRun(): void
    {
        $preOrder = basename((string) $this->startPayment(1)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        // The PAID callback's PHP dies right after WHMCS wrote the payment (before our confirmation).
        self::site()->setConfig('StandInFault', 'addInvoicePayment:end=exit');
        $died = self::sim()->setStatus($preOrder, 3);
        self::assertNotSame('*ok*', $died['attempts'][0]['responseExcerpt'] ?? null);
        $row = $this->order($this->orderIdOf(1, 1));
        self::assertSame(['applying', 0], [$row['claim_state'], (int) $row['credited']], 'claimed, not confirmed');

        $this->cron();

        $row = $this->order($this->orderIdOf(1, 1));
        self::assertSame([null, 1], [$row['claim_state'], (int) $row['credited']]);
        self::assertCount(1, self::site()->transactions(1), 'the payment row WHMCS wrote is the only one');
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        self::assertSame('Paid', $this->invoiceStatus(1));
    }

    public function testAnOrderSpectroCoinRefusesToShowIsReportedOnceAndNotAskedAgain(): void
    {
        $preOrder = basename((string) $this->startPayment(1)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        // A UUID SpectroCoin does not know for this project (404 on the re-fetch).
        self::site()->pdo()->prepare('UPDATE mod_spectrocoin_orders SET order_uuid = ?, order_request_id = ? WHERE order_id = ?')
            ->execute(['0b5c1f3e-1111-4222-8333-444455556666', '0b5c1f3e-1111-4222-8333-444455556666', $this->orderIdOf(1, 1)]);
        $gets = fn (): int => count(array_filter(self::sim()->apiRequests(), static fn (array $r): bool => ($r['endpoint'] ?? '') === 'get'));
        $before = $gets();

        $this->cron();
        self::assertSame($before + 1, $gets());
        $rejected = array_values(array_filter($this->gatewayLog(), static fn (array $l): bool => $l['result'] === 'Rejected'));
        self::assertCount(1, $rejected);

        $this->cron();
        self::assertSame($before + 1, $gets(), 'not asked again');
        self::assertCount(1, array_filter($this->gatewayLog(), static fn (array $l): bool => $l['result'] === 'Rejected'));
        $page = self::site()->get('admin/addonmodules.php?module=' . self::ADDON, self::site()->adminLogin());
        self::assertStringContainsString('data-kind="Re-check refused"', $page['body']);
        self::assertSame([], self::site()->transactions(1));
    }

    /**
     * 1,000 open current-API orders, as a shop accumulates them: most are pre-orders the customer
     * left on SpectroCoin's page before choosing a coin (no SpectroCoin order id is known, so
     * nothing can be fetched), every 20th a chosen order still waiting for payment, and one of
     * those paid with its callback lost. Each run visits at most the configured number, least
     * recently checked first, and re-fetches the ones with an id; the paid one is credited once,
     * on the run that reaches it; a slow SpectroCoin stops a run at its time budget.
     */
    public function testACronRunIsBoundedWithAThousandOpenOrdersOnTheCurrentApi(): void
    {
        $template = $this->startPayment(1);
        $pre = self::sim()->preOrder(basename((string) $template['redirect_url']));
        $body = [
            'orderId' => '1-1{n}-' . $this->orderTag(), 'description' => (string) $pre['description'],
            'receiveAmount' => (string) $template['receive_amount'], 'receiveCurrencyCode' => (string) $template['receive_currency'],
            'callbackUrl' => (string) $pre['callbackUrl'], 'successUrl' => (string) $pre['successUrl'],
            'failureUrl' => (string) $pre['failureUrl'], 'projectId' => Simulator::DEFAULT_PROJECT_ID,
        ];
        $chosen = self::sim()->bulkPreOrders(50, ['orderId' => str_replace('{n}', 'c{n}', $body['orderId'])] + $body);
        $left = self::sim()->bulkPreOrders(949, $body, false);
        unset($template['id']);
        $rows = [];
        foreach ($left as $i => $m) {
            if ($i % 19 === 0 && $chosen !== []) {
                $c = array_shift($chosen);
                $rows[] = ['order_id' => $c['orderId'], 'pre_order_id' => $c['preOrderId'], 'order_uuid' => $c['id'], 'redirect_url' => null] + $template;
            }
            $rows[] = ['order_id' => $m['orderId'], 'pre_order_id' => $m['preOrderId'], 'order_uuid' => null, 'redirect_url' => null] + $template;
        }
        self::assertCount(999, $rows);
        $this->insertOrderRows($rows);
        $known = array_values(array_filter($rows, static fn (array $r): bool => $r['order_uuid'] !== null));
        // A chosen order past the first 400 rows (the second run reaches it) is paid; its callback never arrives.
        $paidRow = self::site()->query('SELECT order_id, order_uuid FROM mod_spectrocoin_orders WHERE order_uuid IS NOT NULL AND id > 500 ORDER BY id LIMIT 1')[0];
        self::assertLessThan(801, (int) self::site()->query('SELECT id FROM mod_spectrocoin_orders WHERE order_id = ?', [$paidRow['order_id']])[0]['id']);
        self::assertSame([], self::sim()->setStatus((string) $paidRow['order_uuid'], 3, null, true, false)['attempts']);
        $checked = fn (): int => (int) self::site()->query('SELECT COUNT(*) AS n FROM mod_spectrocoin_reconcile')[0]['n'];
        $fetches = fn (): int => count(array_filter(self::sim()->apiRequests(), static fn (array $r): bool => ($r['endpoint'] ?? null) === 'get'));
        $knownUpTo = fn (int $id): int => (int) self::site()->query(
            'SELECT COUNT(*) AS n FROM mod_spectrocoin_orders WHERE order_uuid IS NOT NULL AND id <= ?', [$id])[0]['n'];

        self::site()->useInstallerDatabaseUser();
        self::site()->saveAddonSettings(self::ADDON, ['reconcileSeconds' => '120', 'reconcileMaxOrders' => '400']);
        $before = $fetches();
        $started = microtime(true);
        $this->cron();
        fwrite(STDERR, sprintf("\n[reconciliation] cron run over 1,000 open current-API orders, 400 visited, %d re-fetched: %.0f ms\n",
            $fetches() - $before, (microtime(true) - $started) * 1000));
        self::assertSame(400, $checked());
        self::assertSame($knownUpTo(400), $fetches() - $before, 'each visited order with a SpectroCoin id is re-fetched, and only those');
        self::assertSame([], self::site()->transactions(1), 'the paid order is not among the first 400');

        $this->cron();
        self::assertSame(800, $checked(), 'the next run takes orders not yet checked');
        $row = $this->order((string) $paidRow['order_id']);
        self::assertSame([1, 'PAID'], [(int) $row['credited'], $row['status']]);
        self::assertCount(1, self::site()->transactions(1));
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, $this->recoveredLines());

        $this->cron();
        self::assertSame(1000, $checked());
        $this->cron();
        self::assertCount(1, self::site()->transactions(1), 'open orders are visited again; the credited one is not');
        self::assertSame(1, (int) self::site()->query('SELECT COUNT(*) AS n FROM mod_spectrocoin_orders WHERE credited = 1')[0]['n']);
        self::assertCount(50, $known);

        // SpectroCoin answers every fetch after 300 ms: a 2 s budget starts at most 7 of them.
        self::sim()->fault('get', 'delay', 60, 300);
        self::site()->saveAddonSettings(self::ADDON, ['reconcileSeconds' => '2', 'reconcileMaxOrders' => '1000']);
        $before = $fetches();
        $this->cron();
        self::sim()->clearFaults();
        $slow = $fetches() - $before;
        self::assertGreaterThanOrEqual(1, $slow);
        self::assertLessThanOrEqual(7, $slow, 'the run stopped at its time budget');
    }
}
