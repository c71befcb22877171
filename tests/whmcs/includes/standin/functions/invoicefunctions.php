<?php
/**
 * Invoice helpers (contract section 3): addInvoicePayment, paymentReversed.
 */

use StandIn\Faults;
use StandIn\Invoices;
use StandIn\Money;
use WHMCS\Database\Capsule;

/**
 * Applies a payment (*reported* WHMCS 8 semantics):
 *  - an empty amount (null, '', 0, '0', false) means the full balance; a resulting amount <= 0,
 *    an unknown invoice, or a Cancelled/Draft invoice ⇒ false, nothing written, nothing logged;
 *  - tblaccounts row (client currency and rate; amounts rounded to 2 decimals), hook
 *    AddTransaction, activity log; hook AddInvoicePayment (partial payments too);
 *  - balance <= 0 and status Unpaid/Payment Pending ⇒ Paid + datepaid, email
 *    "Invoice Payment Confirmation" (unless `$noEmail`), hook InvoicePaid. Collections and
 *    other statuses take the money but keep their status; InvoicePaidPreEmail fires before the
 *    e-mail (hooks reference);
 *  - balance < 0 ⇒ the excess becomes client credit (tblcredit + tblclients.credit).
 * Not atomic and not locked, like WHMCS: concurrent calls can double-apply. E-mails and hook runs
 * are journalled outside the caller's transaction (StandIn\Journal): a rollback does not undo
 * them. A hook that throws propagates out of here after the payment row was written. Fault points
 * (StandIn\Faults): addInvoicePayment:start, :afterRow, :end.
 */
function addInvoicePayment($invoiceId, $transId, $amount, $fees, $gateway, $noEmail = false, $date = null)
{
    Faults::point('addInvoicePayment:start');
    $invoice = Invoices::find((int) $invoiceId);
    if ($invoice === null || in_array((string) $invoice->status, ['Cancelled', 'Draft'], true)) {
        return false;
    }
    $invoiceId = (int) $invoice->id;
    $userId = (int) $invoice->userid;
    $balance = Invoices::balanceCents($invoiceId);
    $amountCents = !$amount ? $balance : Money::toCents($amount);
    if ($amountCents <= 0) {
        return false;
    }
    $when = date('Y-m-d H:i:s');
    if ($date !== null && $date !== '' && ($ts = strtotime((string) $date)) !== false) {
        $when = date('Y-m-d H:i:s', $ts);
    }
    $currency = Invoices::currencyOfClient($userId);

    $row = [
        'userid' => $userId,
        'currency' => (int) $currency->id,
        'gateway' => (string) $gateway,
        'date' => $when,
        'description' => 'Invoice Payment',
        'amountin' => Money::format($amountCents),
        'fees' => Money::normalize($fees),
        'amountout' => '0.00',
        'rate' => (string) $currency->rate,
        'transid' => (string) $transId,
        'invoiceid' => $invoiceId,
        'refundid' => 0,
    ];
    $row['id'] = (int) Capsule::table('tblaccounts')->insertGetId($row);
    Faults::point('addInvoicePayment:afterRow');
    run_hook('AddTransaction', $row);
    logActivity("Added Invoice Payment - Invoice ID: $invoiceId", $userId);

    $newBalance = $balance - $amountCents;
    run_hook('AddInvoicePayment', ['invoiceid' => $invoiceId]);

    if ($newBalance <= 0 && in_array((string) $invoice->status, ['Unpaid', 'Payment Pending'], true)) {
        Capsule::table('tblinvoices')->where('id', $invoiceId)->update(['status' => 'Paid', 'datepaid' => $when]);
        logActivity("Invoice Marked Paid - Invoice ID: $invoiceId", $userId);
        run_hook('InvoicePaidPreEmail', ['invoiceid' => $invoiceId]);
        if (!$noEmail) {
            sendMessage('Invoice Payment Confirmation', $invoiceId);
        }
        run_hook('InvoicePaid', ['invoiceid' => $invoiceId]);
    }

    if ($newBalance < 0) {
        $excess = -$newBalance;
        Capsule::table('tblcredit')->insert([
            'clientid' => $userId,
            'date' => substr($when, 0, 10),
            'description' => 'Invoice #' . $invoiceId . ' Overpayment',
            'amount' => Money::format($excess),
            'relid' => $invoiceId,
        ]);
        Capsule::table('tblclients')->where('id', $userId)
            ->update(['credit' => Capsule::raw('credit + ' . Money::format($excess))]);
        logActivity('Added Credit - Invoice #' . $invoiceId . ' Overpayment - Amount: ' . Money::format($excess), $userId);
    }
    Faults::point('addInvoicePayment:end');
    return true;
}

/**
 * A payment reversal (chargeback): a tblaccounts row paying the original amount back out
 * (transid = `$reverseTransId`, refundid = the original row) and the invoice set to
 * Collections. Throws when the original transaction is unknown or already reversed.
 */
function paymentReversed($reverseTransId, $originalTransId, $invoiceId = 0, $gateway = '')
{
    $query = Capsule::table('tblaccounts')->where('transid', (string) $originalTransId)->where('amountin', '>', 0);
    if ((int) $invoiceId > 0) {
        $query->where('invoiceid', (int) $invoiceId);
    }
    $original = $query->orderBy('id')->first();
    if ($original === null) {
        throw new \WHMCS\Exception('Original Transaction Not Found');
    }
    if (Capsule::table('tblaccounts')->where('transid', (string) $reverseTransId)->exists()) {
        throw new \WHMCS\Exception('Transaction Already Reversed');
    }
    $invoiceId = (int) $original->invoiceid;
    Capsule::table('tblaccounts')->insert([
        'userid' => (int) $original->userid,
        'currency' => (int) $original->currency,
        'gateway' => $gateway !== '' ? (string) $gateway : (string) $original->gateway,
        'date' => date('Y-m-d H:i:s'),
        'description' => 'Payment Reversal - Transaction ID: ' . $original->transid,
        'amountin' => '0.00',
        'fees' => '0.00',
        'amountout' => Money::normalize($original->amountin),
        'rate' => (string) $original->rate,
        'transid' => (string) $reverseTransId,
        'invoiceid' => $invoiceId,
        'refundid' => (int) $original->id,
    ]);
    if ($invoiceId > 0) {
        Capsule::table('tblinvoices')->where('id', $invoiceId)->update(['status' => 'Collections']);
    }
    logActivity("Payment Reversed - Invoice ID: $invoiceId - Transaction ID: $originalTransId", (int) $original->userid);
}
