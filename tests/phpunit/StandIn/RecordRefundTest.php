<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/**
 * refundInvoicePayment() with $sendtogateway false: what the admin's "Manual Refund Processed
 * Externally" records for a refund made outside WHMCS (see its comment for the sources).
 * Seed: invoice 4 (30.00) paid by tblaccounts row 1, transid SEED-PAID-4.
 */
final class RecordRefundTest extends StandInTestCase
{
    public function test_a_full_record_only_refund_links_to_the_payment_and_marks_the_invoice_refunded(): void
    {
        $result = $this->site()->call('refundInvoicePayment', [1, '', false, false, true, 'REF-1']);

        $this->assertSame('manual', $result);
        $this->assertSame([], $this->recorded('refund'), 'the gateway is never asked');
        [$payment, $refund] = $this->site()->transactions(4);
        $this->assertSame(['0.00', '30.00', 'REF-1', 1, 4, $payment['gateway'], 'Refund of Transaction ID SEED-PAID-4'],
            [$refund['amountin'], $refund['amountout'], $refund['transid'], (int) $refund['refundid'], (int) $refund['invoiceid'],
                $refund['gateway'], $refund['description']]);
        $invoice = $this->site()->invoice(4);
        $this->assertSame(['Refunded', '30.00'], [$invoice['status'], $invoice['balance']]);
        $this->assertSame(['Invoice Refund Confirmation'], array_column($this->site()->emails(), 'template'));
        $hooks = $this->hookNames();
        $this->assertSame(['ManualRefund', 'AddTransaction', 'InvoiceRefunded'],
            array_values(array_intersect($hooks, ['ManualRefund', 'AddTransaction', 'InvoiceRefunded'])));
        $manual = $this->site()->hooks('ManualRefund')[0];
        $this->assertStringContainsString('"transid":1', json_encode($manual));
        $activity = $this->site()->query("SELECT description FROM tblactivitylog WHERE description LIKE 'Refunded Invoice Payment%'");
        $this->assertSame('Refunded Invoice Payment - Invoice ID: 4 - Transaction ID: 1', $activity[0]['description']);
    }

    public function test_a_partial_refund_keeps_the_status_and_the_rest_can_follow(): void
    {
        $this->assertSame('manual', $this->site()->call('refundInvoicePayment', [1, '10.00', false, false, false, 'REF-1']));
        $this->assertSame(['Paid', '10.00'], [$this->site()->invoice(4)['status'], $this->site()->invoice(4)['balance']]);
        $this->assertSame([], $this->site()->emails(), 'no e-mail asked for');
        $this->assertNotContains('InvoiceRefunded', $this->hookNames());

        $this->assertSame('manual', $this->site()->call('refundInvoicePayment', [1, 0, false, false, true, 'REF-2']));
        $this->assertSame('20.00', $this->site()->transactions(4)[2]['amountout'], 'empty amount: what is left');
        $this->assertSame('Refunded', $this->site()->invoice(4)['status']);
    }

    public function test_more_than_is_left_or_an_unknown_payment_records_nothing(): void
    {
        $this->assertSame('amounterror', $this->site()->call('refundInvoicePayment', [1, '30.01', false, false, true, 'REF-1']));
        $this->assertSame('amounterror', $this->site()->call('refundInvoicePayment', [999, '', false, false, true, 'REF-1']));
        $this->assertSame('manual', $this->site()->call('refundInvoicePayment', [1, '', false, false, true, 'REF-1']));
        $this->assertSame('amounterror', $this->site()->call('refundInvoicePayment', [1, '', false, false, true, 'REF-2']), 'nothing left');
        $this->assertCount(2, $this->site()->transactions(4));
        $this->assertCount(1, $this->site()->emails());
    }

    public function test_the_same_call_twice_records_two_refunds_as_whmcs_does(): void
    {
        $this->site()->call('refundInvoicePayment', [1, '5.00', false, false, false, 'REF-1']);
        $this->site()->call('refundInvoicePayment', [1, '5.00', false, false, false, 'REF-1']);
        $this->assertSame('10.00', $this->site()->invoice(4)['balance']);
        $this->assertCount(3, $this->site()->transactions(4));
    }
}
