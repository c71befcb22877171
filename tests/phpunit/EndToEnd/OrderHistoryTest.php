<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * Issue 16: the callbacks received per order (mod_spectrocoin_events), the order page of Addons →
 * SpectroCoin Operations (&order=<orderId>) and the optional admin e-mail, on SpectroCoin's legacy
 * API (signed form callbacks).
 *
 * A forged callback that names one of our orderIds is recorded under that order as "not
 * authenticated" (at most Events::KEEP_UNVERIFIED of them, so forgeries never push the genuine
 * history out); one naming no order of ours is recorded nowhere but in the gateway log.
 */
final class OrderHistoryTest extends EndToEndTestCase
{
    private const PAGE = 'admin/addonmodules.php?module=' . ReconciliationTest::ADDON;

    protected function setUp(): void
    {
        parent::setUp();
        // Activation creates the addon's tables: the installer's database user, as in WHMCS.
        $this->activateOperationsAddon();
    }

    /** The signed body SpectroCoin would (re)send for an order, without delivering it. */
    private function body(array $order, int $status, ?string $amount = null): string
    {
        $id = (int) $order['order_request_id'];
        $queued = self::sim()->setStatus($id, $status, $amount ?? (string) self::sim()->order($id)['payAmount'], true, false);
        foreach (self::sim()->callbacks() as $d) {
            if ($d['id'] === $queued['deliveryIds'][0]) {
                return (string) $d['body'];
            }
        }
        self::fail('queued delivery not found');
    }

    /** @return list<array<string, mixed>> the order's history, oldest first */
    private function events(string $orderId): array
    {
        return self::site()->query('SELECT source, verified, status, result, detail, http, repeats FROM mod_spectrocoin_events '
            . 'WHERE order_id = ? ORDER BY id', [$orderId]);
    }

    private function setRow(string $orderId, array $values): void
    {
        $sets = implode(', ', array_map(static fn (string $c): string => "`$c` = ?", array_keys($values)));
        self::site()->pdo()->prepare("UPDATE mod_spectrocoin_orders SET $sets WHERE order_id = ?")
            ->execute([...array_values($values), $orderId]);
    }

    private function cron(): void
    {
        $run = self::site()->runCron();
        self::assertSame(0, $run['exit'], $run['stdout'] . $run['stderr']);
        self::assertSame([], self::site()->query("SELECT description FROM tblactivitylog WHERE description LIKE 'SpectroCoin%failed%'"));
    }

    private function adminMails(): array
    {
        return array_map(static fn (array $r): array => json_decode((string) $r['extra'], true) + ['recipient' => $r['recipient']],
            self::site()->emails('SendAdminEmail'));
    }

    public function testEachCallbackIsRecordedWithItsResultAndRepeatsAreCounted(): void
    {
        $order = $this->startPayment(1);
        $orderId = (string) $order['order_id'];
        $paid = $this->body($order, 3);
        for ($i = 0; $i < 3; $i++) {
            self::assertSame('*ok*', $this->postCallback($paid)['body']);
        }
        $events = $this->events($orderId);
        self::assertCount(2, $events, json_encode($events));
        self::assertSame(['legacy callback', 1, 'PAID', 'Credited', 200, 0],
            [$events[0]['source'], (int) $events[0]['verified'], $events[0]['status'], $events[0]['result'], (int) $events[0]['http'], (int) $events[0]['repeats']]);
        self::assertStringContainsString('Trans ID SC' . $order['order_request_id'], (string) $events[0]['detail']);
        self::assertSame(['Duplicate', 200, 1], [$events[1]['result'], (int) $events[1]['http'], (int) $events[1]['repeats']],
            'the second and third delivery: one row, counted');
        self::assertCount(1, self::site()->transactions(1));

        // Forged: our orderId with a bad signature. Refused, and recorded under the order it names, marked.
        parse_str($paid, $fields);
        $fields['sign'] = base64_encode(random_bytes(128));
        $fields['receivedAmount'] = '999';
        self::assertSame(400, $this->postCallback(http_build_query($fields))['status']);
        $forged = $this->events($orderId)[2];
        self::assertSame(['legacy callback', 0, '', 'Rejected', 400], [$forged['source'], (int) $forged['verified'], $forged['status'],
            $forged['result'], (int) $forged['http']]);
        self::assertStringContainsString('bad signature', (string) $forged['detail']);
        // Never the body or its signature.
        self::assertStringNotContainsString($fields['sign'], json_encode(self::site()->query('SELECT * FROM mod_spectrocoin_events')));
        self::assertStringNotContainsString('sign=', json_encode(self::site()->query('SELECT * FROM mod_spectrocoin_events')));

        // Forged for no order of ours: recorded nowhere but the gateway log.
        $fields['orderId'] = '77-1-deadbeef';
        self::assertSame(400, $this->postCallback(http_build_query($fields))['status']);
        self::assertCount(3, self::site()->query('SELECT id FROM mod_spectrocoin_events'));
        self::assertSame('Rejected', $this->lastLog()['result']);
    }

    public function testAPaymentWhoseApplicationFailedKeepsItsHistoryAndTheRetryIsRecorded(): void
    {
        $order = $this->startPayment(1);
        $orderId = (string) $order['order_id'];
        $paid = $this->body($order, 3);
        // WHMCS fails before writing the payment: nothing applied, 503, SpectroCoin retries.
        self::site()->setConfig('StandInFault', 'addInvoicePayment:start=throw');
        self::assertSame(503, $this->postCallback($paid)['status']);
        self::assertCount(1, self::site()->hooks('StandInFault'), 'the fault fired');
        self::assertSame([], self::site()->transactions(1));
        self::assertSame('*ok*', $this->postCallback($paid)['body']);

        $events = $this->events($orderId);
        self::assertSame([['Retry Later', 503], ['Credited', 200]],
            array_map(static fn (array $e): array => [$e['result'], (int) $e['http']], $events));
        self::assertStringContainsString('not confirmed', (string) $events[0]['detail']);
        self::assertCount(1, self::site()->transactions(1));
    }

    public function testForgeriesCannotPushTheGenuineHistoryOutAndEachOrderKeepsABoundedHistory(): void
    {
        $order = $this->startPayment(1);
        $orderId = (string) $order['order_id'];
        self::assertSame('*ok*', $this->postCallback($this->body($order, 2))['body']);
        // Earlier forgeries naming this order, each different, then one more.
        $pdo = self::site()->pdo();
        $forged = $pdo->prepare("INSERT INTO mod_spectrocoin_events (order_id, received_at, last_at, source, verified, status, result, detail, http) "
            . "VALUES (?, UTC_TIMESTAMP(), UTC_TIMESTAMP(), 'legacy callback', 0, '', 'Rejected', ?, 400)");
        for ($i = 0; $i < 12; $i++) {
            $forged->execute([$orderId, 'forged ' . $i]);
        }
        parse_str($this->body($order, 3), $fields);
        $fields['sign'] = base64_encode(random_bytes(128));
        $fields['receivedAmount'] = '999';
        for ($i = 0; $i < 5; $i++) {
            self::assertSame(400, $this->postCallback(http_build_query($fields))['status']);
        }
        $events = $this->events($orderId);
        self::assertSame(['PENDING'], array_column(array_filter($events, static fn ($e) => (int) $e['verified'] === 1), 'status'),
            'the genuine PENDING callback is kept');
        $unverified = array_values(array_filter($events, static fn ($e) => (int) $e['verified'] === 0));
        self::assertCount(10, $unverified, 'the newest 10 unauthenticated events');
        self::assertSame('forged 3', $unverified[0]['detail']);
        self::assertSame(4, (int) $unverified[9]['repeats'], 'the same forgery five times: one row');

        // 60 different genuine events: the newest 50 are kept.
        $insert = $pdo->prepare("INSERT INTO mod_spectrocoin_events (order_id, received_at, last_at, source, verified, status, result, detail, http) "
            . "VALUES (?, UTC_TIMESTAMP(), UTC_TIMESTAMP(), 'legacy callback', 1, 'PENDING', 'Pending', ?, 200)");
        for ($i = 0; $i < 60; $i++) {
            $insert->execute([$orderId, 'old ' . $i]);
        }
        self::assertSame('*ok*', $this->postCallback($this->body($order, 3))['body']);
        $verified = array_values(array_filter($this->events($orderId), static fn ($e) => (int) $e['verified'] === 1));
        self::assertCount(50, $verified);
        self::assertSame('Credited', $verified[49]['result']);
        self::assertSame('old 11', $verified[0]['detail']);
        self::assertSame('Paid', $this->invoiceStatus(1));
    }

    public function testTheOrderPageShowsTheOrderItsIdsAndHistoryEscapedAndIsLinkedFromTheLists(): void
    {
        $admin = self::site()->adminLogin();
        $order = $this->startPayment(2);
        $orderId = (string) $order['order_id'];
        self::assertAnswered(200, '*ok*', self::sim()->payPart((int) $order['order_request_id'])['attempts']); // PENDING, then PARTIAL_PAYMENT
        $this->setRow($orderId, ['order_number' => '"><script>alert(1)</script>', 'pre_order_id' => 'pre-<b>1</b>',
            'order_uuid' => 'uuid-1', 'review_reason' => 'Underpaid <img src=x onerror=alert(2)>']);
        self::site()->pdo()->prepare("INSERT INTO mod_spectrocoin_events (order_id, received_at, last_at, source, verified, status, result, detail, http) "
            . "VALUES (?, UTC_TIMESTAMP(), UTC_TIMESTAMP(), 'legacy callback', 0, '<i>X</i>', 'Rejected', '<script>alert(3)</script>', 400)")
            ->execute([$orderId]);

        $list = self::site()->get(self::PAGE, $admin)['body'];
        $href = htmlspecialchars(self::PAGE . '&order=' . rawurlencode($orderId), ENT_QUOTES | ENT_HTML5);
        $href = substr($href, strlen('admin/'));
        self::assertSame(2, substr_count($list, '<a class="spectrocoin-order-link" href="' . $href . '">'), 'linked from Needs you and All orders');

        $page = self::site()->get(self::PAGE . '&order=' . rawurlencode($orderId), $admin);
        self::assertSame(200, $page['status']);
        $body = $page['body'];
        self::assertStringContainsString('<a id="spectrocoin-order-invoice" href="invoices.php?action=edit&amp;id=2">Invoice #2</a>', $body);
        foreach (['order-id' => $orderId, 'order-request-id' => (string) $order['order_request_id'], 'order-uuid' => 'uuid-1',
                     'pre-order-id' => 'pre-&lt;b&gt;1&lt;/b&gt;', 'order-number' => '&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;',
                     'amount' => $order['invoice_amount'] . ' ' . $order['invoice_currency'], 'status' => 'PARTIAL_PAYMENT', 'credited' => 'no'] as $id => $shown) {
            self::assertMatchesRegularExpression('#<td id="spectrocoin-order-' . $id . '">' . preg_quote($shown, '#') . '#', $body, $id);
        }
        self::assertStringContainsString('Underpaid &lt;img src=x onerror=alert(2)&gt;', $body);
        foreach (['<script>', '<img src=x', '<b>1</b>', '<i>X</i>'] as $raw) {
            self::assertStringNotContainsString($raw, $body);
        }
        // The history: the part payment, then the (hand-made) forgery, newest first.
        self::assertSame(1, preg_match('#<table class="table" id="spectrocoin-history">(.*?)</table>#s', $body, $h), $body);
        preg_match_all('#<tr data-result="([^"]*)" data-source="([^"]*)">#', $h[1], $rows);
        self::assertSame(['Rejected', 'Needs Review', 'Pending'], $rows[1], $h[1]);
        self::assertStringContainsString('(not authenticated)', $h[1]);
        self::assertStringContainsString('&lt;script&gt;alert(3)&lt;/script&gt;', $h[1]);
        // Mark reviewed works from here (the form posts back to this page), and the review is shown on it.
        self::assertSame(1, preg_match('#<form method="post" action="([^"]+)" class="spectrocoin-review">(.*?)</form>#s', $body, $f), $body);
        preg_match_all('#<input type="hidden" name="([^"]+)" value="([^"]*)">#', $f[2], $m, PREG_SET_ORDER);
        $fields = [];
        foreach ($m as [, $name, $value]) {
            $fields[$name] = html_entity_decode($value, ENT_QUOTES | ENT_HTML5);
        }
        self::assertSame($href, $f[1]);
        self::assertStringContainsString('Re-check now needs SpectroCoin', $body, 'legacy API: said, not offered');
        $done = self::site()->post('admin/' . html_entity_decode($f[1], ENT_QUOTES | ENT_HTML5), $fields + ['note' => 'Asked for the <rest>'], $admin);
        self::assertStringContainsString('marked reviewed', $done['body']);
        self::assertStringContainsString('id="spectrocoin-order-attention-none"', $done['body']);
        self::assertStringContainsString('Asked for the &lt;rest&gt;', $done['body']);

        // Unknown order; not an admin.
        $unknown = self::site()->get(self::PAGE . '&order=' . rawurlencode('<x>'), $admin)['body'];
        self::assertStringContainsString('No SpectroCoin order &lt;x&gt; is recorded.', $unknown);
        self::assertNotSame(200, self::site()->get(self::PAGE . '&order=' . rawurlencode($orderId))['status']);
    }

    public function testTheAdminEMailGoesOncePerOrderAndReasonAndOnlyWhenTurnedOn(): void
    {
        $order = $this->startPayment(2);
        $orderId = (string) $order['order_id'];
        self::assertAnswered(200, '*ok*', self::sim()->payPart((int) $order['order_request_id'])['attempts']);
        $this->cron();
        self::assertSame([], $this->adminMails(), 'off by default');
        $admin = self::site()->adminLogin();
        self::assertStringContainsString('Admin e-mail is off', self::site()->get(self::PAGE, $admin)['body']);

        self::site()->useInstallerDatabaseUser();
        self::site()->saveAddonSettings(ReconciliationTest::ADDON, ['notifyAdmins' => true]);
        if (static::restrictedDatabaseUser()) {
            self::site()->useRestrictedDatabaseUser();
        }
        self::assertStringContainsString('e-mailed to the admins after each cron run', self::site()->get(self::PAGE, $admin)['body']);
        $this->cron();
        $mails = $this->adminMails();
        self::assertCount(1, $mails);
        self::assertSame('system', $mails[0]['type']);
        self::assertSame('admin@standin.example', $mails[0]['recipient']);
        self::assertSame('SpectroCoin: 1 payment needs you', $mails[0]['subject']);
        self::assertStringContainsString('invoice #2', $mails[0]['message']);
        self::assertStringContainsString($orderId, $mails[0]['message']);
        // In the invoice box's words: what SpectroCoin reported received, and no status constant.
        self::assertStringContainsString('partly paid: SpectroCoin reports', $mails[0]['message']);
        self::assertDoesNotMatchRegularExpression('/\b[A-Z]+_[A-Z_]+\b/', strip_tags($mails[0]['message']));

        $this->cron();
        self::assertCount(1, $this->adminMails(), 'the same order and reason: not again');

        // Another reason for the same order, and a second order: one more e-mail naming both, escaped.
        $this->setRow($orderId, ['review_reason' => 'Paid twice <script>x</script>']);
        $other = $this->startPayment(1);
        $this->setRow((string) $other['order_id'], ['review_reason' => 'Overpaid', 'status' => 'PAID']);
        $this->cron();
        $mails = $this->adminMails();
        self::assertCount(2, $mails);
        self::assertSame('SpectroCoin: 2 payments need you', $mails[1]['subject']);
        self::assertStringContainsString('Paid twice &lt;script&gt;x&lt;/script&gt;', $mails[1]['message']);
        self::assertStringNotContainsString('<script>', $mails[1]['message']);
        self::assertStringContainsString((string) $other['order_id'], $mails[1]['message']);
        $this->cron();
        self::assertCount(2, $this->adminMails());

        // Turned off again: nothing more.
        $this->setRow($orderId, ['review_reason' => 'Third reason']);
        self::site()->useInstallerDatabaseUser();
        self::site()->saveAddonSettings(ReconciliationTest::ADDON, ['notifyAdmins' => false]);
        $this->cron();
        self::assertCount(2, $this->adminMails());
    }
}
