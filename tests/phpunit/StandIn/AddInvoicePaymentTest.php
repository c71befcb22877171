<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/** addInvoicePayment(): contract section 3, "Payment application". Seed: see seed.sql. */
final class AddInvoicePaymentTest extends StandInTestCase
{
    private function pay(int $invoiceId, $amount, string $transId = 'TX-1', $fees = 0, bool $noEmail = false)
    {
        return $this->site()->call('addInvoicePayment', [$invoiceId, $transId, $amount, $fees, 'standindummy', $noEmail]);
    }

    public function test_partial_payment_records_transaction_and_keeps_invoice_unpaid(): void
    {
        $this->assertTrue($this->pay(1, '40.00', 'TX-P', '1.20'));

        $invoice = $this->site()->invoice(1);
        $this->assertSame('Unpaid', $invoice['status']);
        $this->assertSame('60.00', $invoice['balance']);
        $tx = $this->site()->transactions(1);
        $this->assertCount(1, $tx);
        $this->assertSame(['40.00', '1.20', '0.00', 'TX-P', 'standindummy', 1, 1], [
            $tx[0]['amountin'], $tx[0]['fees'], $tx[0]['amountout'], $tx[0]['transid'], $tx[0]['gateway'],
            (int) $tx[0]['currency'], (int) $tx[0]['userid'],
        ]);
        $this->assertSame(['AddTransaction', 'AddInvoicePayment'], $this->hookNames());
        $this->assertSame([], $this->site()->emails());
        $this->assertSame('1', (string) $this->site()->hooks('AddInvoicePayment')[0]['vars']['invoiceid']);
    }

    public function test_full_payment_marks_paid_sends_confirmation_and_fires_invoice_paid(): void
    {
        $this->assertTrue($this->pay(1, '100.00'));

        $invoice = $this->site()->invoice(1);
        $this->assertSame('Paid', $invoice['status']);
        $this->assertSame('0.00', $invoice['balance']);
        $this->assertNotSame('0000-00-00 00:00:00', $invoice['datepaid']);
        $this->assertSame(['AddTransaction', 'AddInvoicePayment', 'InvoicePaidPreEmail', 'InvoicePaid'], $this->hookNames());
        $emails = $this->site()->emails();
        $this->assertCount(1, $emails);
        $this->assertSame('Invoice Payment Confirmation', $emails[0]['template']);
        $this->assertSame('alice@example.com', $emails[0]['recipient']);
        $this->assertSame([], $this->site()->query('SELECT * FROM tblcredit'));
    }

    public function test_module_hooks_file_runs_on_invoice_paid(): void
    {
        $this->pay(1, '100.00');
        $calls = $this->recorded('hook:InvoicePaid');
        $this->assertCount(1, $calls);
        $this->assertSame(1, $calls[0]['invoiceid']);
    }

    public function test_empty_amount_means_full_balance(): void
    {
        $this->assertTrue($this->pay(7, ''));  // total 80.00, 30.00 already paid

        $this->assertSame('50.00', $this->site()->transactions(7)[1]['amountin']);
        $this->assertSame('Paid', $this->site()->invoice(7)['status']);
    }

    public function test_overpayment_becomes_client_credit(): void
    {
        $this->assertTrue($this->pay(1, '120.50'));

        $this->assertSame('Paid', $this->site()->invoice(1)['status']);
        $this->assertSame('-20.50', $this->site()->invoice(1)['balance']);
        $credit = $this->site()->query('SELECT * FROM tblcredit');
        $this->assertCount(1, $credit);
        $this->assertSame(['1', '20.50'], [(string) $credit[0]['clientid'], $credit[0]['amount']]);
        $this->assertSame('20.50', $this->site()->query('SELECT credit FROM tblclients WHERE id = 1')[0]['credit']);
    }

    public function test_cancelled_invoice_returns_false_and_writes_nothing(): void
    {
        $this->assertFalse($this->pay(3, '20.00'));

        $this->assertSame('Cancelled', $this->site()->invoice(3)['status']);
        $this->assertSame([], $this->site()->transactions(3));
        $this->assertSame([], $this->site()->hooks());
    }

    public function test_draft_invoice_returns_false_and_writes_nothing(): void
    {
        $this->assertFalse($this->pay(5, '40.00'));

        $this->assertSame('Draft', $this->site()->invoice(5)['status']);
        $this->assertSame([], $this->site()->transactions(5));
    }

    public function test_collections_invoice_takes_money_but_is_not_marked_paid(): void
    {
        $this->assertTrue($this->pay(6, '60.00'));

        $invoice = $this->site()->invoice(6);
        $this->assertSame('Collections', $invoice['status']);
        $this->assertSame('0.00', $invoice['balance']);
        $this->assertNotContains('InvoicePaid', $this->hookNames());
        $this->assertSame([], $this->site()->emails());
    }

    public function test_payment_pending_invoice_is_marked_paid_when_settled(): void
    {
        $this->assertTrue($this->pay(8, '25.00'));
        $this->assertSame('Paid', $this->site()->invoice(8)['status']);
    }

    public function test_amounts_are_rounded_to_two_decimals(): void
    {
        $this->assertTrue($this->pay(1, '10.005', 'TX-R1', '0.125'));
        $this->assertTrue($this->pay(1, 33.333, 'TX-R2'));

        $tx = $this->site()->transactions(1);
        $this->assertSame(['10.01', '0.13'], [$tx[0]['amountin'], $tx[0]['fees']]);
        $this->assertSame('33.33', $tx[1]['amountin']);
        $this->assertSame('56.66', $this->site()->invoice(1)['balance']);
    }

    public function test_usd_client_payment_uses_client_currency_and_rate(): void
    {
        $this->assertTrue($this->pay(2, '55.00'));

        $tx = $this->site()->transactions(2)[0];
        $this->assertSame(2, (int) $tx['currency']);
        $this->assertSame('1.10000', $tx['rate']);
        $this->assertSame('Paid', $this->site()->invoice(2)['status']);
    }

    public function test_no_email_flag_suppresses_confirmation_only(): void
    {
        $this->assertTrue($this->pay(1, '100.00', 'TX-1', 0, true));

        $this->assertSame('Paid', $this->site()->invoice(1)['status']);
        $this->assertSame([], $this->site()->emails());
        $this->assertContains('InvoicePaid', $this->hookNames());
    }

    public function test_negative_or_unknown_invoice_returns_false(): void
    {
        $this->assertFalse($this->pay(1, '-5.00'));
        $this->assertFalse($this->pay(999, '5.00'));
        $this->assertSame([], $this->site()->transactions(1));
    }

    public function test_paying_a_paid_invoice_again_credits_the_client(): void
    {
        $this->assertTrue($this->pay(4, '30.00', 'TX-AGAIN'));

        $this->assertSame('Paid', $this->site()->invoice(4)['status']);
        $this->assertSame('30.00', $this->site()->query('SELECT credit FROM tblclients WHERE id = 1')[0]['credit']);
        $this->assertSame([], $this->site()->emails(), 'no second confirmation for an already paid invoice');
    }

    public function test_explicit_date_is_used_for_transaction_and_datepaid(): void
    {
        $this->site()->call('addInvoicePayment', [1, 'TX-D', '100.00', 0, 'standindummy', false, '2026-11-20 08:30:00']);

        $this->assertSame('2026-11-20 08:30:00', $this->site()->transactions(1)[0]['date']);
        $this->assertSame('2026-11-20 08:30:00', $this->site()->invoice(1)['datepaid']);
    }
}
