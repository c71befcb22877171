<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/**
 * Admin > Invoice > Refund > "Refund through gateway": calls NAME_refund($params) with the
 * invoice params plus `amount` (the refund amount) and `transid` (the original payment's).
 * On 'success': a tblaccounts row with amountout and refundid = the original row, and, once
 * everything paid on the invoice has been refunded, status Refunded + "Invoice Refund
 * Confirmation" email + hook InvoiceRefunded. Every attempt is written to the gateway log.
 */
final class Refunds
{
    /**
     * @param int $accountId tblaccounts.id of the payment to refund
     * @param string|null $amount null = everything not yet refunded of that payment
     * @return array{status: string, message: string, transid?: string}
     */
    public static function refund(int $accountId, ?string $amount = null): array
    {
        require_once ROOTDIR . '/includes/gatewayfunctions.php';
        $payment = Capsule::table('tblaccounts')->where('id', $accountId)->first();
        if ($payment === null || Money::toCents($payment->amountin) <= 0) {
            return ['status' => 'error', 'message' => 'Transaction not found'];
        }
        $refunded = Money::toCents(Capsule::table('tblaccounts')->where('refundid', $accountId)->sum('amountout'));
        $refundable = Money::toCents($payment->amountin) - $refunded;
        $cents = $amount === null || $amount === '' ? $refundable : Money::toCents($amount);
        if ($cents <= 0 || $cents > $refundable) {
            return ['status' => 'error', 'message' => 'Refund amount must be between 0.01 and ' . Money::format($refundable)];
        }
        $gateway = (string) $payment->gateway;
        $invoiceId = (int) $payment->invoiceid;
        try {
            Gateways::load($gateway);
        } catch (\WHMCS\Exception $e) {
            return ['status' => 'error', 'message' => $e->getMessage()];
        }
        $fn = $gateway . '_refund';
        if (!function_exists($fn) || !Gateways::isActive($gateway)) {
            return ['status' => 'error', 'message' => "Gateway $gateway does not support refunds or is not active"];
        }
        $params = Params::encodeFor($gateway, Params::forRefund($gateway, $invoiceId, $cents, (string) $payment->transid));
        $result = $fn($params);
        $result = is_array($result) ? $result : ['status' => 'error', 'rawdata' => $result];
        $status = strtolower((string) ($result['status'] ?? 'error'));
        logTransaction($gateway, $result['rawdata'] ?? '', 'Refund ' . ucfirst($status));
        if ($status !== 'success') {
            return ['status' => $status, 'message' => 'Refund ' . ucfirst($status)];
        }

        $refundTransId = (string) ($result['transid'] ?? '');
        Capsule::table('tblaccounts')->insert([
            'userid' => (int) $payment->userid,
            'currency' => (int) $payment->currency,
            'gateway' => $gateway,
            'date' => date('Y-m-d H:i:s'),
            'description' => 'Refund of Transaction ID ' . $payment->transid,
            'amountin' => '0.00',
            'fees' => Money::format(-Money::toCents($result['fees'] ?? 0)),
            'amountout' => Money::format($cents),
            'rate' => (string) $payment->rate,
            'transid' => $refundTransId,
            'invoiceid' => $invoiceId,
            'refundid' => $accountId,
        ]);
        logActivity("Refunded Invoice Payment - Invoice ID: $invoiceId - Transaction ID: {$payment->transid}", (int) $payment->userid);

        $sums = Capsule::table('tblaccounts')->where('invoiceid', $invoiceId)
            ->selectRaw('COALESCE(SUM(amountin), 0) AS paid, COALESCE(SUM(amountout), 0) AS refunded')->first();
        if ($invoiceId > 0 && Money::toCents($sums->refunded) >= Money::toCents($sums->paid)) {
            Capsule::table('tblinvoices')->where('id', $invoiceId)
                ->update(['status' => 'Refunded', 'date_refunded' => date('Y-m-d H:i:s')]);
            sendMessage('Invoice Refund Confirmation', $invoiceId);
            run_hook('InvoiceRefunded', ['invoiceid' => $invoiceId]);
        }
        return ['status' => 'success', 'message' => 'Refund Successful', 'transid' => $refundTransId];
    }
}
