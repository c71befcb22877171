<?php
/**
 * Client area invoice page. Requires the logged-in owner. Shows status, totals, balance and
 * transactions; the gateway's NAME_link output only when the invoice is Unpaid with balance
 * > 0; banners for paymentsuccess=true, pendingreview=true, paymentfailed=true.
 */

require __DIR__ . '/init.php';

use StandIn\Config;
use StandIn\Gateways;
use StandIn\Invoices;
use StandIn\Link;
use StandIn\Page;

$invoiceId = (int) ($_GET['id'] ?? 0);
if (Page::clientId() === 0) {
    Page::redirect(Config::systemUrl() . 'login.php?goto=' . rawurlencode('viewinvoice.php?id=' . $invoiceId));
    exit;
}
$invoice = Invoices::find($invoiceId);
if ($invoice === null || (int) $invoice->userid !== Page::clientId() || $invoice->status === 'Draft') {
    Page::render('Access Denied', '<div class="alert alert-danger" id="access-denied">Access Denied: '
        . 'this invoice does not exist or belongs to another client.</div>', 403);
    exit;
}

$e = [Page::class, 'e'];
$currencyId = Invoices::currencyOfClient((int) $invoice->userid)->id;
$balance = Invoices::balance($invoiceId);
$banner = '';
if (($_GET['paymentsuccess'] ?? '') === 'true') {
    // *reported*: while the callback has not arrived yet (still Unpaid) WHMCS says so.
    $banner = $invoice->status === 'Unpaid'
        ? '<div class="alert alert-success" id="payment-success-awaiting">Your payment is being processed. '
            . 'It may take a few moments for the invoice status to update.</div>'
        : '<div class="alert alert-success" id="payment-success">Thank You! Your payment was successful.</div>';
} elseif (($_GET['pendingreview'] ?? '') === 'true') {
    $banner = '<div class="alert alert-info" id="payment-pending-review">Thank You! Your payment was successful '
        . 'and will be applied to your invoice as soon as it has completed review.</div>';
} elseif (($_GET['paymentfailed'] ?? '') === 'true') {
    $banner = '<div class="alert alert-danger" id="payment-failed">Unfortunately your payment attempt was not '
        . 'successful. Please try again or contact support.</div>';
}

$gateway = Link::gatewayFor($invoice);
$gatewayName = $gateway !== null ? (Gateways::settings($gateway)['name'] ?? $gateway) : (string) $invoice->paymentmethod;
$button = '';
if (Link::shouldShow($invoice) && $gateway !== null) {
    try {
        $button = '<div id="paymentbutton" class="payment-btn-container">' . Link::html($gateway, $invoiceId) . '</div>';
    } catch (\Throwable $ex) {
        error_log('WHMCS stand-in: ' . $gateway . '_link failed: ' . $ex);
        Page::render('Oops!', '<div class="alert alert-danger" id="oops">Oops! Something went wrong and we couldn\'t process your request.</div>', 500);
        exit;
    }
}

$items = '';
foreach (Invoices::items($invoiceId) as $item) {
    $items .= '<tr><td>' . $e($item->description) . '</td><td>' . $e(formatCurrency($item->amount, $currencyId)) . '</td></tr>';
}
$transactions = '';
foreach (Invoices::transactions($invoiceId) as $tx) {
    $amount = (float) $tx->amountin > 0 ? $tx->amountin : '-' . $tx->amountout;
    $transactions .= '<tr class="transaction"><td>' . $e($tx->date) . '</td><td>' . $e($tx->gateway) . '</td><td>'
        . $e($tx->transid) . '</td><td>' . $e(formatCurrency($amount, $currencyId)) . '</td></tr>';
}

Page::render('Invoice #' . Invoices::number($invoice), $banner
    . '<h1>Invoice #' . $e(Invoices::number($invoice)) . '</h1>'
    . '<p>Status: <span id="invoice-status" class="invoice-status status-' . $e(strtolower(str_replace(' ', '', $invoice->status))) . '" data-status="' . $e($invoice->status) . '">' . $e($invoice->status) . '</span></p>'
    . '<p>Invoice Date: ' . $e($invoice->date) . ' · Due Date: ' . $e($invoice->duedate) . '</p>'
    . '<p>Payment Method: <span id="payment-method">' . $e($gatewayName) . '</span></p>'
    . $button
    . '<table><tr><th>Description</th><th>Amount</th></tr>' . $items . '</table>'
    . '<p>Total: <span id="invoice-total" data-amount="' . $e($invoice->total) . '">' . $e(formatCurrency($invoice->total, $currencyId)) . '</span></p>'
    . '<p>Balance: <span id="invoice-balance" data-amount="' . $e($balance) . '">' . $e(formatCurrency($balance, $currencyId)) . '</span></p>'
    . '<h2>Transactions</h2><table id="transactions"><tr><th>Date</th><th>Gateway</th><th>Transaction ID</th><th>Amount</th></tr>'
    . ($transactions !== '' ? $transactions : '<tr><td colspan="4">No Related Transactions Found</td></tr>') . '</table>');
