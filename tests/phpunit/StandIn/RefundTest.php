<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/** Admin refund through the gateway (NAME_refund) and the Refunded transition. */
final class RefundTest extends StandInTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        // Seed payments belong to "spectrocoin"; these tests refund through the dummy.
        $this->site()->pdo()->exec("UPDATE tblaccounts SET gateway = 'standindummy'");
    }

    public function test_full_refund_records_refund_and_marks_invoice_refunded(): void
    {
        $result = $this->site()->refund(1);  // invoice 4, 30.00, SEED-PAID-4

        $this->assertSame('success', $result['status']);
        $call = $this->recorded('refund')[0];
        $this->assertSame(['30.00', 'SEED-PAID-4', 4, 'EUR'], [$call['amount'], $call['transid'], $call['invoiceid'], $call['currency']]);
        $refund = $this->site()->transactions(4)[1];
        $this->assertSame(['0.00', '30.00', 'RF-SEED-PAID-4', 1, '-0.50'],
            [$refund['amountin'], $refund['amountout'], $refund['transid'], (int) $refund['refundid'], $refund['fees']]);
        $invoice = $this->site()->invoice(4);
        $this->assertSame('Refunded', $invoice['status']);
        $this->assertSame('30.00', $invoice['balance']);
        $this->assertSame('Invoice Refund Confirmation', $this->site()->emails()[0]['template']);
        $this->assertContains('InvoiceRefunded', $this->hookNames());
        $this->assertSame('Refund Success', $this->site()->gatewayLog()[0]['result']);
    }

    public function test_partial_refund_keeps_status(): void
    {
        $this->assertSame('success', $this->site()->refund(1, '10.00')['status']);

        $this->assertSame('Paid', $this->site()->invoice(4)['status']);
        $this->assertSame('10.00', $this->site()->invoice(4)['balance']);
        $this->assertSame('10.00', $this->recorded('refund')[0]['amount']);

        $this->assertSame('success', $this->site()->refund(1)['status'], 'the rest');
        $this->assertSame('20.00', $this->recorded('refund')[1]['amount']);
        $this->assertSame('Refunded', $this->site()->invoice(4)['status']);
    }

    public function test_declined_refund_changes_nothing_but_is_logged(): void
    {
        $result = $this->site()->refund(1, '13.13');

        $this->assertSame('declined', $result['status']);
        $this->assertCount(1, $this->site()->transactions(4));
        $this->assertSame('Paid', $this->site()->invoice(4)['status']);
        $log = $this->site()->gatewayLog();
        $this->assertSame('Refund Declined', $log[0]['result']);
        $this->assertSame("reason => unlucky amount\n", $log[0]['data']);
    }

    public function test_refund_above_the_paid_amount_is_refused_without_calling_the_gateway(): void
    {
        $this->assertSame('error', $this->site()->refund(1, '30.01')['status']);
        $this->assertSame([], $this->recorded('refund'));
    }

    public function test_refund_of_a_gateway_without_refund_function_is_an_error(): void
    {
        $this->site()->activateGateway('standinlegacy');
        $this->site()->pdo()->exec("UPDATE tblaccounts SET gateway = 'standinlegacy'");
        $this->assertSame('error', $this->site()->refund(1)['status']);
        $this->assertSame('Paid', $this->site()->invoice(4)['status']);
    }

    public function test_admin_page_refund_form(): void
    {
        $admin = $this->site()->adminLogin();
        $page = $this->site()->get('admin/invoices.php?action=edit&id=4', $admin);
        $this->assertStringContainsString('name="transid" value="1"', $page['body']);

        $response = $this->site()->post('admin/invoices.php?action=edit&id=4',
            ['action' => 'refund', 'id' => '4', 'transid' => '1', 'amount' => ''], $admin);

        $this->assertStatus(200, $response);
        $this->assertStringContainsString('id="refund-result" data-status="success"', $response['body']);
        $this->assertStringContainsString('data-status="Refunded"', $response['body']);
    }
}
