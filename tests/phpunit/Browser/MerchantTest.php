<?php

declare(strict_types=1);

namespace Tests\Browser;

/**
 * The merchant's side in a real browser: the admin invoice page's SpectroCoin box, the gateway's
 * settings page (Setup → Payment Gateways) and Addons → SpectroCoin Operations.
 */
final class MerchantTest extends BrowserTestCase
{
    private const ADDON = 'spectrocoinops';

    public function testTheAdminFindsAPaidOrderWithItsTransactionInTheInvoiceBox(): void
    {
        $order = $this->startPayment(1);
        self::sim()->pay((int) $order['order_request_id']);
        self::assertSame('Paid', $this->invoiceStatus(1));

        $b = $this->browser();
        $this->adminLogsIn();
        $b->clickText('a', '#1');
        $b->waitForUrl(self::site()->url('admin/invoices.php?action=edit&id=1'));
        $box = $b->text('#gateway-status-msg');
        self::assertStringContainsString('SpectroCoin: 1 order, nothing to review', $box);
        self::assertStringContainsString((string) $order['order_id'], $box);
        self::assertStringContainsString('100.00 EUR credited, transaction SC' . $order['order_request_id'], $box, 'credited, with the transaction id');
        self::assertStringContainsString('100.00 EUR', $box);
        $this->assertSees('Status: Paid');
        $this->assertDoesNotSee('needs review');
        self::assertSame('info', $b->attribute('#gateway-status-msg', 'data-type'));
        $this->assertDoesNotSee('PRIVATE KEY');
        $b->screenshot('invoice-box-paid');
    }

    public function testAPartPaymentShowsInTheInvoiceBoxAsNeedingReview(): void
    {
        $order = $this->startPayment(2);
        self::sim()->payPart((int) $order['order_request_id']);
        self::assertSame('Unpaid', $this->invoiceStatus(2), 'a part payment credits nothing');

        $b = $this->browser();
        $this->adminLogsIn();
        $b->open(self::site()->url('admin/invoices.php?action=edit&id=2'));
        $box = $b->text('#gateway-status-msg');
        self::assertStringContainsString('1 order needs review', $box);
        self::assertStringContainsString('Needs review – order ' . $order['order_id'], $box);
        self::assertStringContainsString('nothing was credited', $box);
        self::assertSame('error', $b->attribute('#gateway-status-msg', 'data-type'), 'the box stands out');
        $this->assertSees('Balance: 55.00');
        $b->screenshot('invoice-box-part-paid');
    }

    public function testAnInvoiceWithoutOrdersShowsNoBox(): void
    {
        $b = $this->browser();
        $this->adminLogsIn();
        $b->open(self::site()->url('admin/invoices.php?action=edit&id=7'));
        $this->assertSees('Invoice #7');
        self::assertFalse($b->has('#gateway-status-msg'));
        $b->screenshot('invoice-no-orders');
    }

    public function testTheSettingsPageShowsTheChecksAndSavesWhatTheAdminTypes(): void
    {
        $b = $this->browser();
        $this->adminLogsIn();
        $b->clickText('a', 'Payment Gateways');
        $b->waitForUrl(self::site()->url('admin/configgateways.php'));
        $this->assertSees('SpectroCoin (Bitcoin)');
        $this->assertSees(self::site()->callbackUrl(self::GATEWAY));
        $this->assertSees('Settings check');
        $this->assertSees('legacy signed API');
        $this->assertSees('Installed, version');
        $b->screenshot('settings');

        $field = '#form-spectrocoin input[name="field[successUrl]"]';
        $b->fill($field, 'https://shop.example/thanks/{invoiceid}');
        $b->click('#form-spectrocoin button[type=submit]');
        $this->assertSees('Changes Saved Successfully!');
        self::assertSame('https://shop.example/thanks/{invoiceid}', $b->attribute($field, 'value'));
        self::assertSame('https://shop.example/thanks/{invoiceid}', self::site()->gatewaySettings(self::GATEWAY)['successUrl']);
        $b->screenshot('settings-saved');
    }

    public function testASettingsMistakeIsNamedOnThePageAndNothingIsSaved(): void
    {
        $before = self::site()->gatewaySettings(self::GATEWAY);
        $b = $this->browser();
        $this->adminLogsIn();
        $b->open(self::site()->url('admin/configgateways.php'));
        $b->fill('#form-spectrocoin input[name="field[merchantId]"]', 'not-a-merchant');
        $b->click('#form-spectrocoin button[type=submit]');
        $error = $b->text('#config-error');
        self::assertStringContainsString('Merchant', $error);
        $this->assertDoesNotSee('Changes Saved Successfully!');
        $this->assertDoesNotSee('Fatal error');
        self::assertSame($before, self::site()->gatewaySettings(self::GATEWAY), 'nothing saved');
        $b->screenshot('settings-refused');
    }

    public function testAddonsSpectroCoinListsWhatNeedsTheMerchantAndLeadsToTheInvoice(): void
    {
        self::site()->useInstallerDatabaseUser();
        self::assertSame('success', self::site()->activateAddon(self::ADDON)['status']);
        $order = $this->startPayment(2);
        self::sim()->payPart((int) $order['order_request_id']);

        $b = $this->browser();
        $this->adminLogsIn();
        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        $this->assertSees('SpectroCoin Operations');
        $this->assertSees('Needs you');
        $rows = $b->texts('#spectrocoin-attention tr[data-order]');
        self::assertCount(1, $rows, implode("\n", $rows));
        self::assertStringContainsString('Needs review', $rows[0]);
        self::assertStringContainsString((string) $order['order_id'], $rows[0]);
        self::assertStringContainsString((string) $order['order_request_id'], $rows[0], 'SpectroCoin id');
        $this->assertSees('re-checked on every WHMCS cron run');
        $this->assertDoesNotSee('PRIVATE KEY');
        $b->screenshot('addon-needs-you');

        $b->click('#spectrocoin-attention tr[data-order] a');
        $b->waitForUrl(self::site()->url('admin/invoices.php?action=edit&id=2'));
        self::assertStringContainsString('Needs review – order ' . $order['order_id'], $b->text('#gateway-status-msg'));
        $b->screenshot('addon-to-invoice');
    }

    public function testTheMerchantMarksAnItemReviewedWithANoteThatIsKept(): void
    {
        self::site()->useInstallerDatabaseUser();
        self::assertSame('success', self::site()->activateAddon(self::ADDON)['status']);
        $order = $this->startPayment(2);
        self::sim()->payPart((int) $order['order_request_id']);

        $b = $this->browser();
        $this->adminLogsIn();
        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        $b->fill('#spectrocoin-attention form.spectrocoin-review input[name=note]', 'Customer paid the rest <b>by bank</b>');
        $b->click('#spectrocoin-attention form.spectrocoin-review button[type=submit]');
        $this->assertSees('Order ' . $order['order_id'] . ' marked reviewed', '#spectrocoin-notice');
        $this->assertSees('Nothing needs you', '#spectrocoin-attention-none');
        // Kept and shown as typed (escaped: the markup is text, not bold).
        $this->assertSees('Customer paid the rest <b>by bank</b>');
        $b->screenshot('addon-marked-reviewed');

        // Reloading the page (GET) repeats nothing, and the note stays.
        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        self::assertFalse($b->has('#spectrocoin-notice'));
        $this->assertSees('Customer paid the rest <b>by bank</b>');
        self::assertSame('Unpaid', $this->invoiceStatus(2), 'reviewing credits nothing');
    }

    public function testTheAllOrdersListFiltersByStatusAndInvoice(): void
    {
        self::site()->useInstallerDatabaseUser();
        self::assertSame('success', self::site()->activateAddon(self::ADDON)['status']);
        $paid = $this->startPayment(1);
        self::sim()->pay((int) $paid['order_request_id']);
        $part = $this->startPayment(2);
        self::sim()->payPart((int) $part['order_request_id']);

        $b = $this->browser();
        $this->adminLogsIn();
        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        $this->assertSees('2 orders', '#spectrocoin-orders-count');
        $b->screenshot('all-orders');

        $b->click('#spectrocoin-filters select[name=status] option[value=PAID]');
        $b->clickText('#spectrocoin-filters button', 'Filter');
        $this->assertSees('1 order', '#spectrocoin-orders-count');
        $rows = $b->texts('#spectrocoin-orders tr[data-order]');
        self::assertCount(1, $rows);
        self::assertStringContainsString((string) $paid['order_id'], $rows[0]);
        self::assertStringContainsString('credited (SC' . $paid['order_request_id'] . ')', $rows[0]);
        $b->screenshot('all-orders-paid');

        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        $b->fill('#spectrocoin-filters input[name=invoice]', '2');
        $b->clickText('#spectrocoin-filters button', 'Filter');
        $this->assertSees('1 order', '#spectrocoin-orders-count');
        $rows = $b->texts('#spectrocoin-orders tr[data-order]');
        self::assertCount(1, $rows);
        self::assertStringContainsString((string) $part['order_id'], $rows[0]);
    }

    public function testAddonsSpectroCoinIsForAdminsOnly(): void
    {
        self::site()->useInstallerDatabaseUser();
        self::assertSame('success', self::site()->activateAddon(self::ADDON)['status']);
        $b = $this->browser();
        $this->clientLogsIn('alice@example.com');
        $b->open(self::site()->url('admin/addonmodules.php?module=' . self::ADDON));
        $b->waitForUrl(self::site()->url('admin/login.php'));
        $this->assertSees('Admin Login');
        $this->assertDoesNotSee('Needs you');
    }
}
