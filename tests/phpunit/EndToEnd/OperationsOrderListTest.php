<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * "All orders" on Addons → SpectroCoin Operations: filters (status, invoice, creation date), paging,
 * and the CSV export of the filtered list, safe to open in a spreadsheet.
 */
final class OperationsOrderListTest extends EndToEndTestCase
{
    private const PAGE = 'admin/addonmodules.php?module=' . ReconciliationTest::ADDON;

    protected function setUp(): void
    {
        parent::setUp();
        // Activation creates the addon's tables: the installer's database user, as in WHMCS.
        $this->activateOperationsAddon();
    }

    /** Copies of one real order row, as many as asked, with their own ids, status and creation time. */
    private function copies(string $template, array $rows): void
    {
        $pdo = self::site()->pdo();
        $columns = array_keys(self::site()->query('SELECT * FROM mod_spectrocoin_orders WHERE order_id = ?', [$template])[0]);
        $copy = array_values(array_diff($columns, ['id', 'order_id', 'status', 'created_at', 'invoice_id', 'review_reason']));
        $list = implode(', ', array_map(static fn ($c) => "`$c`", $copy));
        $insert = $pdo->prepare("INSERT INTO mod_spectrocoin_orders (order_id, status, created_at, invoice_id, review_reason, $list) "
            . "SELECT ?, ?, ?, ?, ?, $list FROM mod_spectrocoin_orders WHERE order_id = ?");
        foreach ($rows as $r) {
            $insert->execute([$r['order_id'], $r['status'], $r['created_at'], $r['invoice_id'], $r['review_reason'] ?? null, $template]);
        }
    }

    /** @return list<string> the orders of the "All orders" table, in order */
    private function listed(string $html): array
    {
        if (!preg_match('#<table class="table" id="spectrocoin-orders">.*?</table>#s', $html, $t)) {
            return [];
        }
        preg_match_all('#<tr data-order="([^"]*)"#', $t[0], $m);
        return array_map('html_entity_decode', $m[1]);
    }

    public function testFiltersAndPagesNewestFirst(): void
    {
        $admin = self::site()->adminLogin();
        $template = (string) $this->startPayment(1)['order_id'];
        $rows = [];
        for ($n = 1; $n <= 120; $n++) {
            $rows[] = ['order_id' => "9-$n-t", 'status' => $n % 3 === 0 ? 'EXPIRED' : 'NEW', 'invoice_id' => $n <= 60 ? 2 : 3,
                'created_at' => sprintf('2026-11-%02d 12:00:00', 1 + intdiv($n - 1, 5))];
        }
        $this->copies($template, $rows);

        $first = self::site()->get(self::PAGE, $admin)['body'];
        self::assertStringContainsString('121 orders', $first);
        self::assertCount(50, $this->listed($first));
        self::assertSame($template, $this->listed($first)[0], 'newest first');
        self::assertStringContainsString('Page 1 of 3', $first);
        self::assertSame(1, preg_match('#<a rel="next" href="([^"]+)"#', $first, $next));
        $second = self::site()->get('admin/' . html_entity_decode($next[1]), $admin)['body'];
        self::assertSame('9-71-t', $this->listed($second)[0]);
        self::assertStringContainsString('Page 2 of 3', $second);

        $expired = self::site()->get(self::PAGE . '&status=EXPIRED&invoice=2', $admin)['body'];
        self::assertStringContainsString('20 orders', $expired);
        foreach ($this->listed($expired) as $orderId) {
            self::assertSame(0, ((int) explode('-', $orderId)[1]) % 3, $orderId);
        }
        // Creation dates 2026-11-03 and -04: orders 11 to 20.
        $dated = self::site()->get(self::PAGE . '&from=2026-11-03&to=2026-11-04', $admin)['body'];
        self::assertSame(array_map(static fn ($n) => "9-$n-t", range(20, 11)), $this->listed($dated));

        $bad = self::site()->get(self::PAGE . '&status=' . rawurlencode("x' OR 1=1") . '&invoice=abc&from=2026-13-01', $admin)['body'];
        self::assertStringContainsString('status filter ignored', $bad);
        self::assertStringContainsString('invoice filter ignored', $bad);
        self::assertStringContainsString('from date ignored', $bad);
        self::assertStringContainsString('121 orders', $bad, 'ignored filters filter nothing');
    }

    public function testCsvExportIsTheFilteredListAndNeverAFormula(): void
    {
        $admin = self::site()->adminLogin();
        $template = (string) $this->startPayment(1)['order_id'];
        $this->copies($template, [
            ['order_id' => '9-1-t', 'status' => 'PAID', 'invoice_id' => 2, 'created_at' => '2026-11-01 10:00:00',
                'review_reason' => '=HYPERLINK("http://evil.example","click")'],
            ['order_id' => '9-2-t', 'status' => 'PAID', 'invoice_id' => 2, 'created_at' => '2026-11-02 10:00:00',
                'review_reason' => "line one\nline \"two\", with comma"],
            ['order_id' => '9-3-t', 'status' => 'NEW', 'invoice_id' => 3, 'created_at' => '2026-11-03 10:00:00'],
        ]);

        $csv = self::site()->get(self::PAGE . '&export=csv&status=PAID', $admin);

        self::assertSame(200, $csv['status']);
        self::assertStringStartsWith('text/csv', $csv['headers']['content-type'] ?? '');
        self::assertStringContainsString('attachment; filename="spectrocoin-orders-', $csv['headers']['content-disposition'] ?? '');
        self::assertStringNotContainsString('<html', $csv['body'], 'the file only, no admin page around it');
        $stream = fopen('php://memory', 'w+');
        fwrite($stream, $csv['body']);
        rewind($stream);
        $lines = [];
        while (($row = fgetcsv($stream, 0, ',', '"', '')) !== false) {
            $lines[] = $row;
        }
        self::assertSame('Created (UTC)', $lines[0][0]);
        $reason = array_search('Review reason', $lines[0], true);
        $order = array_search('Order', $lines[0], true);
        self::assertSame(['9-2-t', '9-1-t'], [$lines[1][$order], $lines[2][$order]], 'only PAID, newest first');
        self::assertCount(3, $lines);
        self::assertSame("line one\nline \"two\", with comma", $lines[1][$reason]);
        self::assertSame("'=HYPERLINK(\"http://evil.example\",\"click\")", $lines[2][$reason]);

        // Not an admin: no file.
        self::assertStringNotContainsString('9-1-t', self::site()->get(self::PAGE . '&export=csv')['body']);
    }
}
