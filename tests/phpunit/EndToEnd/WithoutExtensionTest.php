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

    protected function setUp(): void
    {
        parent::setUp();
        // Settings saved while the extension was still there (validation needs it).
        self::site()->query("DELETE FROM tblpaymentgateways WHERE gateway = 'spectrocoin' AND setting IN ('merchantId','projectId','privateKey')");
        $insert = "INSERT INTO tblpaymentgateways (gateway, setting, value, `order`) VALUES ('spectrocoin', ?, ?, 0)";
        foreach (['merchantId' => self::MERCHANT_ID, 'projectId' => self::PROJECT_ID] as $k => $v) {
            self::site()->query($insert, [$k, $v]);
        }
    }

    public function testSavingSettingsExplainsThatTheExtensionIsMissing(): void
    {
        $errors = self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings());
        self::assertCount(1, $errors);
        self::assertStringContainsString('extension is not loaded', $errors[0]);
    }

    public function testTheConfigPageShowsTheExtensionStatus(): void
    {
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        self::assertStringContainsString('NOT AVAILABLE', $page['body']);
        self::assertStringContainsString(PHP_VERSION, $page['body']);
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
