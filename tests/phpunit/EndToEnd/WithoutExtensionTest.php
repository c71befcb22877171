<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/** A host that cannot load the extension: clear messages everywhere, no fatal error, callbacks 503. */
final class WithoutExtensionTest extends EndToEndTestCase
{
    protected static function withExtension(): bool
    {
        return false;
    }

    public function testSettingsSaveWithoutTheExtensionAndAreMarkedNotChecked(): void
    {
        // (setUp saved them already, as an admin does before the extension is installed.)
        $key = self::merchantPrivateKey();
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings() + ['payCurrency' => 'BTC']));
        $stored = self::site()->gatewaySettings(self::GATEWAY);
        self::assertSame(self::MERCHANT_ID, $stored['merchantId']);
        self::assertSame($key, $stored['privateKey'], 'the key is stored as pasted');
        // A mistake the extension would refuse is stored too: nothing here can check it.
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['merchantId' => 'not-a-number']));
        self::assertSame('not-a-number', self::site()->gatewaySettings(self::GATEWAY)['merchantId']);

        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        self::assertSame(1, preg_match('#<tr data-field="settingsCheck"[^>]*><td>.*?</td><td>(.*?)</td></tr>#s', $page, $m), $page);
        $check = html_entity_decode(strip_tags($m[1]), ENT_QUOTES | ENT_HTML5);
        self::assertStringContainsString('Not checked — install the extension.', $check);
        self::assertStringContainsString('press Save again to check them', $check);
        self::assertStringNotContainsString('PRIVATE KEY', strip_tags($page));
    }

    public function testTheConfigPageShowsTheExtensionStatusInOneShortLine(): void
    {
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        self::assertSame(1, preg_match('#<tr data-field="extensionStatus"[^>]*><td>.*?</td><td>(.*?)</td></tr>#s', $page['body'], $m), $page['body']);
        $line = trim(html_entity_decode(strip_tags($m[1]), ENT_QUOTES | ENT_HTML5));
        self::assertStringContainsString('NOT AVAILABLE: not loaded in this PHP (PHP ' . PHP_VERSION, $line);
        self::assertStringContainsString('Install spectrocoin.so built for it', $line);
        self::assertLessThan(200, strlen($line), $line);
        self::assertStringContainsString(self::site()->callbackUrl(self::GATEWAY), $page['body']);
    }

    public function testTheInvoicePageShowsAMessageInsteadOfAForm(): void
    {
        $page = self::site()->get('viewinvoice.php?id=1', self::site()->clientLogin(1));
        self::assertSame(200, $page['status']);
        self::assertStringContainsString('temporarily unavailable', $page['body']);
        self::assertStringNotContainsString('paynow.php', $page['body']);
        self::assertStringNotContainsString('Fatal error', $page['body']);
    }

    public function testPayNowAnswers503WithAPlainPage(): void
    {
        $response = self::site()->post('modules/gateways/spectrocoin/paynow.php', ['invoiceid' => '1', 'spectrocoin_token' => 'x'],
            self::site()->clientLogin(1));
        self::assertSame(503, $response['status']);
        self::assertStringContainsString('temporarily unavailable', $response['body']);
    }

    public function testPayNowsPageStillHasTheShopsLookTheWayBackAndTheCustomersLanguage(): void
    {
        self::site()->query("UPDATE tblclients SET language = 'german' WHERE id = 1");
        $response = self::site()->post('modules/gateways/spectrocoin/paynow.php', ['invoiceid' => '1', 'spectrocoin_token' => 'x'],
            self::site()->clientLogin(1));
        $text = self::assertCustomerPage($response, 503, 1);
        self::assertStringContainsString('vorübergehend nicht verfügbar', $text);
        $page = self::site()->get('viewinvoice.php?id=1', self::site()->clientLogin(1));
        self::assertStringContainsString('id="spectrocoin-unavailable"', $page['body']);
        self::assertStringContainsString('vorübergehend nicht verfügbar', $page['body']);
    }

    public function testCallbacksAnswer503SoSpectroCoinRetries(): void
    {
        $response = $this->postCallback('merchantId=25&apiId=74&orderId=1-1&status=3&sign=x');
        self::assertSame(503, $response['status']);
        self::assertSame('Extension Unavailable', $this->lastLog()['result']);
        self::assertSame('Unpaid', $this->invoiceStatus(1));
    }

    public function testTheAdminInvoicePageExplainsTheProblem(): void
    {
        $page = self::site()->get('admin/invoices.php?action=edit&id=1', self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        self::assertStringContainsString('Extension unavailable', $page['body']);
    }
}
