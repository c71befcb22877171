<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

use Testbed\WhmcsSite;

/** viewinvoice rule, banners, ownership, forward page, login, admin invoice page, routing. */
final class PagesTest extends StandInTestCase
{
    private function view(int $invoiceId, string $extra = '', int $clientId = 1): array
    {
        return $this->site()->get('viewinvoice.php?id=' . $invoiceId . $extra, $this->site()->clientLogin($clientId));
    }

    public function test_unpaid_invoice_with_balance_shows_the_gateway_button(): void
    {
        $page = $this->view(1);

        $this->assertStatus(200, $page);
        $this->assertStringContainsString('<div id="paymentbutton"', $page['body']);
        $this->assertStringContainsString('data-status="Unpaid"', $page['body']);
        $this->assertStringContainsString('id="invoice-balance" data-amount="100.00"', $page['body']);
        $this->assertCount(1, $this->recorded('link'));
    }

    public function test_partially_paid_invoice_shows_button_for_the_balance(): void
    {
        $page = $this->view(7);

        $this->assertStringContainsString('<input type="hidden" name="amount" value="50.00">', $page['body']);
        $this->assertStringContainsString('id="invoice-balance" data-amount="50.00"', $page['body']);
    }

    /** @dataProvider invoicesWithoutButton */
    public function test_no_button_unless_unpaid_with_positive_balance(int $invoiceId, int $clientId, string $status): void
    {
        $page = $this->view($invoiceId, '', $clientId);

        $this->assertStatus(200, $page);
        $this->assertStringContainsString('data-status="' . $status . '"', $page['body']);
        $this->assertStringNotContainsString('paymentbutton', $page['body']);
        $this->assertSame([], $this->recorded('link'), '_link is not even called');
    }

    public static function invoicesWithoutButton(): array
    {
        return [
            'Paid' => [4, 1, 'Paid'],
            'Cancelled' => [3, 1, 'Cancelled'],
            'Collections' => [6, 1, 'Collections'],
            'Payment Pending' => [8, 2, 'Payment Pending'],
        ];
    }

    public function test_unpaid_invoice_with_zero_balance_shows_no_button(): void
    {
        $this->site()->pdo()->exec("INSERT INTO tblaccounts (userid, currency, gateway, date, description, amountin, transid, invoiceid)
            VALUES (1, 1, 'standindummy', NOW(), 'Invoice Payment', 100.00, 'ZERO', 1)");

        $page = $this->view(1);
        $this->assertStringContainsString('data-status="Unpaid"', $page['body']);
        $this->assertStringNotContainsString('paymentbutton', $page['body']);
    }

    public function test_banners(): void
    {
        $this->assertStringContainsString('id="payment-success"', $this->view(4, '&paymentsuccess=true')['body']);
        $this->assertStringContainsString('id="payment-success-awaiting"', $this->view(1, '&paymentsuccess=true')['body']);
        $this->assertStringContainsString('id="payment-failed"', $this->view(1, '&paymentfailed=true')['body']);
        $this->assertStringContainsString('id="payment-pending-review"', $this->view(1, '&pendingreview=true')['body']);
        $plain = $this->view(1)['body'];
        $this->assertDoesNotMatchRegularExpression('/id="payment-(success|failed|pending)/', $plain);
        $this->assertStringNotContainsString('id="payment-failed"', $this->view(1, '&paymentfailed=1')['body'], 'only the value true');
    }

    public function test_guest_is_redirected_to_login(): void
    {
        $page = $this->site()->get('viewinvoice.php?id=1');

        $this->assertStatus(302, $page);
        $this->assertStringContainsString('login.php', (string) $page['location']);
        $this->assertStringNotContainsString('paymentbutton', $page['body']);
    }

    public function test_other_clients_invoice_is_refused(): void
    {
        $page = $this->view(9, '', 1);  // invoice 9 belongs to client 3

        $this->assertStatus(403, $page);
        $this->assertStringContainsString('id="access-denied"', $page['body']);
        $this->assertStringNotContainsString('paymentbutton', $page['body']);
        $this->assertSame([], $this->recorded('link'));
        $this->assertStatus(200, $this->view(9, '', 3));
    }

    public function test_draft_invoice_is_not_shown_to_its_owner(): void
    {
        $this->assertStatus(403, $this->view(5));
    }

    public function test_password_login_and_logout(): void
    {
        $login = $this->site()->post('dologin.php', ['username' => 'bob@example.com', 'password' => 'client', 'goto' => 'viewinvoice.php?id=2']);
        $this->assertStatus(302, $login);
        $this->assertStringEndsWith('viewinvoice.php?id=2', (string) $login['location']);
        $cookies = [WhmcsSite::SESSION_COOKIE => $login['cookies'][WhmcsSite::SESSION_COOKIE]];
        $this->assertStatus(200, $this->site()->get('viewinvoice.php?id=2', $cookies));
        $this->assertStatus(403, $this->site()->get('viewinvoice.php?id=1', $cookies));

        $this->site()->get('logout.php', $cookies);
        $this->assertStatus(302, $this->site()->get('viewinvoice.php?id=2', $cookies));

        $bad = $this->site()->post('dologin.php', ['username' => 'bob@example.com', 'password' => 'nope']);
        $this->assertStringContainsString('incorrect=true', (string) $bad['location']);
    }

    public function test_forward_page_auto_submits_the_first_form(): void
    {
        $page = $this->site()->get('cart.php?a=complete&invoiceid=1', $this->site()->clientLogin(1));

        $this->assertStatus(200, $page);
        $this->assertStringContainsString('<div id="frmPayment" data-autosubmit-delay="5000">', $page['body']);
        $this->assertStringContainsString('f[0].submit()', $page['body']);
        $this->assertStringContainsString('5000', $page['body']);
        $form = WhmcsSite::firstForm($page['body']);
        $this->assertSame($this->site()->url('modules/gateways/standindummy/pay.php'), $form['action']);
        $this->assertSame('POST', $form['method']);
        $this->assertSame(['invoiceid' => '1', 'amount' => '100.00', 'currency' => 'EUR'], $form['fields']);
    }

    public function test_forward_page_of_a_paid_invoice_goes_to_the_invoice(): void
    {
        $page = $this->site()->get('cart.php?a=complete&invoiceid=4', $this->site()->clientLogin(1));
        $this->assertStatus(302, $page);
        $this->assertStringEndsWith('viewinvoice.php?id=4', (string) $page['location']);
    }

    public function test_admin_invoice_page_shows_adminstatusmsg(): void
    {
        $page = $this->site()->get('admin/invoices.php?action=edit&id=4', $this->site()->adminLogin());

        $this->assertStatus(200, $page);
        $this->assertMatchesRegularExpression('/id="gateway-status-msg" data-type="info"><strong>Dummy status<\/strong><br>Invoice 4 is Paid/', $page['body']);
        $this->assertSame('Paid', $this->recorded('adminstatusmsg')[0]['status']);
        $this->assertStatus(302, $this->site()->get('admin/invoices.php?action=edit&id=4'));
    }

    public function test_module_files_are_served_and_core_files_protected(): void
    {
        $static = $this->site()->get('modules/gateways/standindummy/whmcs.json');
        $this->assertStatus(200, $static);
        $this->assertSame('whmcs-gateways', json_decode($static['body'], true)['type']);

        $this->assertStatus(200, $this->site()->get('modules/gateways/standindummy/echo.php'));
        $this->assertStatus(403, $this->site()->get('configuration.php'));
        $this->assertStatus(403, $this->site()->get('includes/gatewayfunctions.php'));
        $this->assertStatus(404, $this->site()->get('modules/gateways/nope.php'));
    }

    public function test_module_file_refuses_direct_access_without_init(): void
    {
        $page = $this->site()->get('modules/gateways/standindummy.php');
        $this->assertStringContainsString('cannot be accessed directly', $page['body']);
    }
}
