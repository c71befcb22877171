<?php
/**
 * Invoice helpers (contract section 3): addInvoicePayment, paymentReversed; refundInvoicePayment
 * (record-only refunds, *reported*: see its comment).
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

/**
 * Records a refund of one payment (`$transid`: its tblaccounts id), as the admin's Refund tab does
 * with "Manual Refund Processed Externally" (WHMCS docs, Billing > Invoices > Refunding: "record
 * refunds against invoices when something outside of the system processed the refund, e.g. in
 * your payment gateway"). Not in the developer docs; *reported*: WHMCS 8.x defines it in
 * includes/invoicefunctions.php as refundInvoicePayment($transid, $amount, $sendtogateway,
 * $addascredit = '', $sendemail = true, $refundtransid = '', $reverse = false) (public decoded
 * copies of 8.7), and gateway callbacks of public modules call it with $sendtogateway false to
 * record a refund made at the gateway (WHMCS's own PayPal IPN callback, FasterPay's pingback).
 * Reproduced, for $sendtogateway and $addascredit false (the record-only path):
 *  - `$amount` empty = what is left of that payment (amountin − Σ amountout of rows whose
 *    refundid is it); more than that, nothing left, or no such payment ⇒ 'amounterror', nothing
 *    written;
 *  - hook ManualRefund (`transid` = the payment's tblaccounts id, `amount`; hooks reference);
 *  - a tblaccounts row: amountin 0, amountout = amount, fees = minus the payment's fees not yet
 *    refunded, transid = `$refundtransid`, the payment's gateway, client, rate and invoice,
 *    refundid = the payment's row; hook AddTransaction ("can be a payment or a refund");
 *    activity "Refunded Invoice Payment - Invoice ID: N - Transaction ID: <payment row id>";
 *  - everything paid on the invoice now refunded ⇒ status Refunded, date_refunded, hook
 *    InvoiceRefunded ("when an invoice status is changed to Refunded");
 *  - `$sendemail` ⇒ e-mail "Invoice Refund Confirmation" (partial refunds too);
 *  - returns 'manual'. `$reverse` (undo the payment's automation) is not reproduced.
 * Not locked and not idempotent, like WHMCS: the same call twice records two refunds. Fault points
 * (StandIn\Faults): refundInvoicePayment:start, :afterRow (refund row written, no hook run yet).
 */
function refundInvoicePayment($transid, $amount, $sendtogateway, $addascredit = '', $sendemail = true, $refundtransid = '', $reverse = false)
{
    if ($sendtogateway || $addascredit || $reverse) {
        throw new \LogicException('stand-in: refundInvoicePayment reproduces only the record-only path '
            . '($sendtogateway, $addascredit and $reverse false); use StandIn\Refunds for "Refund through gateway"');
    }
    Faults::point('refundInvoicePayment:start');
    $payment = Capsule::table('tblaccounts')->where('id', (int) $transid)->first();
    if ($payment === null) {
        return 'amounterror';
    }
    $refunds = Capsule::table('tblaccounts')->where('refundid', (int) $payment->id)
        ->selectRaw('COALESCE(SUM(amountout), 0) AS amountout, COALESCE(SUM(fees), 0) AS fees')->first();
    $left = Money::toCents($payment->amountin) - Money::toCents($refunds->amountout);
    $cents = !$amount ? $left : Money::toCents($amount);
    if ($cents <= 0 || $cents > $left) {
        return 'amounterror';
    }
    $fees = max(0, Money::toCents($payment->fees) + Money::toCents($refunds->fees));
    $invoiceId = (int) $payment->invoiceid;
    run_hook('ManualRefund', ['transid' => (int) $payment->id, 'amount' => Money::format($cents)]);
    $row = [
        'userid' => (int) $payment->userid,
        'currency' => (int) $payment->currency,
        'gateway' => (string) $payment->gateway,
        'date' => date('Y-m-d H:i:s'),
        'description' => 'Refund of Transaction ID ' . $payment->transid,
        'amountin' => '0.00',
        'fees' => Money::format(-$fees),
        'amountout' => Money::format($cents),
        'rate' => (string) $payment->rate,
        'transid' => (string) $refundtransid,
        'invoiceid' => $invoiceId,
        'refundid' => (int) $payment->id,
    ];
    $row['id'] = (int) Capsule::table('tblaccounts')->insertGetId($row);
    Faults::point('refundInvoicePayment:afterRow');
    run_hook('AddTransaction', $row);
    logActivity('Refunded Invoice Payment - Invoice ID: ' . $invoiceId . ' - Transaction ID: ' . (int) $payment->id, (int) $payment->userid);
    if ($invoiceId > 0) {
        $sums = Capsule::table('tblaccounts')->where('invoiceid', $invoiceId)
            ->selectRaw('COALESCE(SUM(amountin), 0) AS paid, COALESCE(SUM(amountout), 0) AS refunded')->first();
        if (Money::toCents($sums->paid) - Money::toCents($sums->refunded) <= 0) {
            Capsule::table('tblinvoices')->where('id', $invoiceId)
                ->update(['status' => 'Refunded', 'date_refunded' => date('Y-m-d H:i:s')]);
            run_hook('InvoiceRefunded', ['invoiceid' => $invoiceId]);
        }
        if ($sendemail) {
            sendMessage('Invoice Refund Confirmation', $invoiceId);
        }
    }
    return 'manual';
}
