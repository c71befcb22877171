<?php

declare(strict_types=1);

namespace Tests\EndToEnd;


/**
 * Issue 16 on SpectroCoin's current API (JSON callbacks): the history names each event's source —
 * the callback, the cron's re-check, the admin's "Re-check now" — and a cron that finds the same
 * state every run adds to one row instead of filling the history.
 */
final class OrderHistoryReCheckTest extends EndToEndTestCase
{
    private const PAGE = 'admin/addonmodules.php?module=' . ReconciliationTest::ADDON;

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

    /** @return list<array{0: string, 1: string, 2: string, 3: int}> source, status, result, repeats; oldest first */
    private function events(string $orderId): array
    {
        return array_map(static fn (array $r): array => [$r['source'], $r['status'], $r['result'], (int) $r['repeats']],
            self::site()->query('SELECT * FROM mod_spectrocoin_events WHERE order_id = ? ORDER BY id', [$orderId]));
    }

    private function cron(): void
    {
        $run = self::site()->runCron();
        self::assertSame(0, $run['exit'], $run['stdout'] . $run['stderr']);
    }

    public function testTheCallbackTheCronAndReCheckNowAreEachNamedAndUnchangedReChecksCounted(): void
    {
        $preOrder = basename((string) $this->startPayment(1)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        $orderId = (string) $this->latestOrder(1)['order_id'];

        // Still PENDING at SpectroCoin: every cron run re-checks it; one row, counted.
        $this->cron();
        $this->cron();
        self::assertSame([['current callback', 'PENDING', 'Pending', 0], ['cron re-check', 'PENDING', 'Pending', 1]], $this->events($orderId));

        // Paid, its callback lost; the admin presses "Re-check now" on the order page.
        self::assertSame([], self::sim()->setStatus($preOrder, 3, null, true, false)['attempts']);
        $admin = self::site()->adminLogin();
        $page = self::site()->get(self::PAGE . '&order=' . rawurlencode($orderId), $admin)['body'];
        self::assertSame(1, preg_match('#<form method="post" action="([^"]+)" class="spectrocoin-recheck">(.*?)</form>#s', $page, $f), $page);
        preg_match_all('#<input type="hidden" name="([^"]+)" value="([^"]*)">#', $f[2], $m, PREG_SET_ORDER);
        $fields = [];
        foreach ($m as [, $name, $value]) {
            $fields[$name] = html_entity_decode($value, ENT_QUOTES | ENT_HTML5);
        }
        $done = self::site()->post('admin/' . html_entity_decode($f[1], ENT_QUOTES | ENT_HTML5), $fields, $admin)['body'];

        self::assertStringContainsString('the payment was applied to invoice #1', $done);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertSame(['re-check now', 'PAID', 'Recovered by reconciliation', 0], $this->events($orderId)[2]);
        self::assertStringContainsString('id="spectrocoin-order-credited">yes, transaction SC', $done, 'the page shows the order as it is now');
        self::assertStringNotContainsString('class="spectrocoin-recheck"', $done, 'nothing left to re-check');

        // The lost callback arrives after all: a duplicate, from the callback.
        self::assertAnswered(200, '*ok*', self::sim()->dispatch(true));
        self::assertSame(['current callback', 'PAID', 'Duplicate', 0], $this->events($orderId)[3]);
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testARefusedReCheckIsRecordedWithSpectroCoinsReason(): void
    {
        $preOrder = basename((string) $this->startPayment(1)['redirect_url']);
        self::assertAnswered(200, '*ok*', self::sim()->setStatus($preOrder, 2)['attempts']);
        $orderId = (string) $this->latestOrder(1)['order_id'];
        // A UUID SpectroCoin does not know for this project (404 on the re-fetch).
        self::site()->pdo()->prepare('UPDATE mod_spectrocoin_orders SET order_uuid = ?, order_request_id = ? WHERE order_id = ?')
            ->execute(['0b5c1f3e-1111-4222-8333-444455556666', '0b5c1f3e-1111-4222-8333-444455556666', $orderId]);

        $this->cron();

        $events = $this->events($orderId);
        self::assertCount(2, $events);
        self::assertSame(['cron re-check', '', 'Rejected', 0], $events[1]);
        $detail = (string) self::site()->query('SELECT detail, http FROM mod_spectrocoin_events WHERE order_id = ? ORDER BY id DESC LIMIT 1', [$orderId])[0]['detail'];
        self::assertNotSame('', $detail, 'SpectroCoin\'s reason');
        self::assertSame([], self::site()->transactions(1));
    }
}
