<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/** The admin invoice box on a host without the extension: its title says so, with or without orders. */
final class AdminInvoiceBoxWithoutExtensionTest extends EndToEndTestCase
{
    protected static function withExtension(): bool
    {
        return false;
    }

    /** @return array{type: string, title: string, text: string} */
    private function box(int $invoiceId): array
    {
        $page = self::site()->get('admin/invoices.php?action=edit&id=' . $invoiceId, self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        self::assertMatchesRegularExpression('#id="gateway-status-msg" data-type="([a-z]+)"><strong>(.*?)</strong><br>(.*?)</div>#s', $page['body']);
        preg_match('#id="gateway-status-msg" data-type="([a-z]+)"><strong>(.*?)</strong><br>(.*?)</div>#s', $page['body'], $m);
        $text = static fn (string $html): string => trim(html_entity_decode(strip_tags(str_replace('<br>', ' ', $html)), ENT_QUOTES | ENT_HTML5));
        return ['type' => $m[1], 'title' => $text($m[2]), 'text' => $text($m[3])];
    }

    public function testWithoutOrdersTheTitleNamesTheMissingExtensionNotOrders(): void
    {
        self::assertSame([], $this->orders(1));
        $box = $this->box(1);
        self::assertSame('error', $box['type']);
        self::assertSame('SpectroCoin: extension unavailable, customers cannot pay', $box['title']);
        self::assertStringContainsString('Extension unavailable: The spectrocoin PHP extension is not loaded', $box['text']);
        self::assertStringContainsString('Customers cannot pay and callbacks are answered 503', $box['text']);
        self::assertStringNotContainsString('Order', $box['text']);
    }

    public function testWithAnOrderForReviewTheTitleCountsItToo(): void
    {
        self::site()->query("INSERT INTO mod_spectrocoin_orders (invoice_id, order_id, order_request_id, receive_amount, receive_currency,"
            . " invoice_amount, invoice_currency, pay_amount, pay_currency, status, credited, review_reason, transid, created_at, updated_at)"
            . " VALUES (1, '1-1-0badc0de', '4242', '100.00', 'EUR', 100.00, 'EUR', '0.0025', 'BTC', 'PAID', 0,"
            . " 'Paid at SpectroCoin, but NOT applied: the invoice was Cancelled when the payment came; apply payment SC4242 by hand or refund it in SpectroCoin', 'SC4242',"
            . " '2026-01-02 03:04:05', '2026-01-02 03:04:05')");
        $box = $this->box(1);
        self::assertSame('SpectroCoin: extension unavailable, customers cannot pay; 1 order needs review', $box['title']);
        self::assertStringContainsString('Transaction ID SC4242 and Amount 100.00 EUR', $box['text']);
        self::assertStringContainsString('2026-01-02 03:04:05 UTC', $box['text']);
    }
}
