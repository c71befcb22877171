<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/** The `$params` builder of NAME_link (contract section 2). */
final class ParamsTest extends StandInTestCase
{
    public function test_amount_is_the_balance_not_the_total(): void
    {
        $params = $this->site()->linkParams('standindummy', 7);  // total 80.00, 30.00 paid

        $this->assertSame('50.00', $params['amount']);
    }

    public function test_standard_fields(): void
    {
        $params = $this->site()->linkParams('standindummy', 2);
        $url = $this->site()->systemUrl();

        $this->assertStringEndsWith('/', $params['systemurl']);
        $this->assertSame($url, $params['systemurl']);
        $this->assertSame($url . 'viewinvoice.php?id=2', $params['returnurl']);
        $this->assertSame(2, $params['invoiceid']);
        $this->assertSame('INV-2026-0002', $params['invoicenum']);
        $this->assertSame('55.00', $params['amount']);
        $this->assertSame('USD', $params['currency']);
        $this->assertSame(2, $params['currencyId']);
        $this->assertSame('Stand-in Hosting & Co - Invoice #INV-2026-0002', $params['description']);
        $this->assertSame('2026-11-16', $params['dueDate']);
        $this->assertSame('Pay Now', $params['langpaynow']);
        $this->assertSame('standindummy', $params['paymentmethod']);
        $this->assertSame('Stand-in Hosting & Co', $params['companyname']);
        $this->assertMatchesRegularExpression('/^8\.\d+/', $params['whmcsVersion']);
        $this->assertSame('bob@example.com', $params['clientdetails']['email']);
        $this->assertSame('Bob', $params['clientdetails']['firstname']);
        $this->assertSame('US', $params['clientdetails']['country']);
        $this->assertSame(2, $params['clientdetails']['currency']);
        $this->assertArrayNotHasKey('basecurrencyamount', $params);
    }

    public function test_invoicenum_falls_back_to_id_and_settings_are_included(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['accountId' => 'acct-42']);
        $params = $this->site()->linkParams('standindummy', 1);

        $this->assertSame('1', $params['invoicenum']);
        $this->assertSame('acct-42', $params['accountId']);
        $this->assertSame('on', $params['testMode']);
    }

    public function test_convertto_converts_amount_and_passes_base_values(): void
    {
        $this->assertSame([], $this->site()->saveGatewaySettings('standindummy', ['convertto' => '2']));
        $params = $this->site()->linkParams('standindummy', 7);  // EUR client, balance 50.00

        $this->assertSame('55.00', $params['amount']);
        $this->assertSame('USD', $params['currency']);
        $this->assertSame(2, $params['currencyId']);
        $this->assertSame('50.00', $params['basecurrencyamount']);
        $this->assertSame('EUR', $params['basecurrency']);
        $this->assertSame(1, $params['baseCurrencyId']);
    }

    public function test_convertto_to_the_invoice_currency_changes_nothing(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['convertto' => '2']);
        $params = $this->site()->linkParams('standindummy', 2);  // USD client

        $this->assertSame(['55.00', 'USD'], [$params['amount'], $params['currency']]);
        $this->assertArrayNotHasKey('basecurrencyamount', $params);
    }

    public function test_api_version_1_0_module_gets_every_param_html_encoded(): void
    {
        $this->site()->activateGateway('standinlegacy');
        $this->site()->saveGatewaySettings('standinlegacy', ['secret' => 'a&b<c>']);
        $legacy = $this->site()->linkParams('standinlegacy', 1);
        $modern = $this->site()->linkParams('standindummy', 1);

        $this->assertSame('a&amp;b&lt;c&gt;', $legacy['secret']);
        $this->assertSame('Stand-in Hosting &amp; Co', $legacy['companyname']);
        $this->assertSame('O&#039;Hara', $legacy['clientdetails']['lastname']);
        $this->assertSame('Alice &amp; Sons', $legacy['clientdetails']['companyname']);
        $this->assertSame('Stand-in Hosting & Co', $modern['companyname']);
        $this->assertSame("O'Hara", $modern['clientdetails']['lastname']);
    }

    public function test_link_function_receives_the_same_params_over_http(): void
    {
        $this->site()->saveGatewaySettings('standindummy', ['convertto' => '2']);
        $cookies = $this->site()->clientLogin(1);
        $this->assertStatus(200, $this->site()->get('viewinvoice.php?id=7', $cookies));

        $calls = $this->recorded('link');
        $this->assertCount(1, $calls);
        $this->assertSame($this->site()->linkParams('standindummy', 7), $calls[0]);
        $this->assertSame('55.00', $calls[0]['amount']);
    }
}
