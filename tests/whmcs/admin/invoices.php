<?php
/**
 * Admin invoice page: invoices.php?action=edit&id=N. Shows the gateway's
 * NAME_adminstatusmsg() box when the module has one, the transactions, and a refund form
 * per payment (POST action=refund, transid = tblaccounts id, amount; empty = all) that runs
 * StandIn\Refunds::refund() (NAME_refund through the gateway).
 */

require __DIR__ . '/../init.php';

use StandIn\Gateways;
use StandIn\Invoices;
use StandIn\Params;
use StandIn\Page;
use StandIn\Refunds;

if (!Page::requireAdmin()) {
    exit;
}
$invoiceId = (int) ($_REQUEST['id'] ?? 0);
$invoice = Invoices::find($invoiceId);
if ($invoice === null) {
    Page::render('Invoice', '<div class="alert alert-danger" id="invoice-not-found">Invoice not found</div>', 404);
    exit;
}

$notice = '';
if ($_SERVER['REQUEST_METHOD'] === 'POST' && ($_POST['action'] ?? '') === 'refund') {
    $amount = trim((string) Page::raw($_POST, 'amount', ''));
    $result = Refunds::refund((int) ($_POST['transid'] ?? 0), $amount === '' ? null : $amount);
    $notice = '<div class="alert alert-' . ($result['status'] === 'success' ? 'success' : 'danger') . '" id="refund-result" data-status="'
        . Page::e($result['status']) . '">' . Page::e($result['message']) . '</div>';
    $invoice = Invoices::find($invoiceId);
}

$statusBox = '';
$gateway = (string) $invoice->paymentmethod;
if (Gateways::isValidName($gateway) && is_file(Gateways::modulePath($gateway)) && Gateways::isActive($gateway)) {
    Gateways::load($gateway);
    $fn = $gateway . '_adminstatusmsg';
    if (function_exists($fn)) {
        $params = array_merge(Params::base($gateway), [
            'invoiceid' => (int) $invoice->id,
            'userid' => (int) $invoice->userid,
            'date' => (string) $invoice->date,
            'duedate' => (string) $invoice->duedate,
            'datepaid' => (string) $invoice->datepaid,
            'subtotal' => (string) $invoice->subtotal,
            'tax' => (string) $invoice->tax,
            'tax2' => (string) $invoice->tax2,
            'total' => (string) $invoice->total,
            'status' => (string) $invoice->status,
        ]);
        $msg = $fn(Params::encodeFor($gateway, $params));
        if (is_array($msg) && (($msg['msg'] ?? '') !== '' || ($msg['title'] ?? '') !== '')) {
            $type = preg_replace('/[^a-z]/', '', strtolower((string) ($msg['type'] ?? 'info')));
            $statusBox = '<div class="alert alert-' . $type . '" id="gateway-status-msg" data-type="' . Page::e($type) . '"><strong>'
                . ($msg['title'] ?? '') . '</strong><br>' . ($msg['msg'] ?? '') . '</div>';
        }
    }
}

$rows = '';
foreach (Invoices::transactions($invoiceId) as $tx) {
    $refund = '';
    if ((float) $tx->amountin > 0) {
        $refund = '<form method="post" action="invoices.php?action=edit&amp;id=' . $invoiceId . '">'
            . '<input type="hidden" name="action" value="refund"><input type="hidden" name="id" value="' . $invoiceId . '">'
            . '<input type="hidden" name="transid" value="' . (int) $tx->id . '"><input name="amount" size="8" placeholder="full">'
            . '<button type="submit">Refund through gateway</button></form>';
    }
    $rows .= '<tr class="transaction" data-id="' . (int) $tx->id . '"><td>' . Page::e($tx->date) . '</td><td>' . Page::e($tx->gateway)
        . '</td><td>' . Page::e($tx->transid) . '</td><td>' . Page::e($tx->amountin) . '</td><td>' . Page::e($tx->amountout)
        . '</td><td>' . Page::e($tx->fees) . '</td><td>' . $refund . '</td></tr>';
}

Page::render('Invoice #' . $invoiceId, $notice . $statusBox
    . '<h1>Invoice #' . $invoiceId . '</h1>'
    . '<p>Client #' . (int) $invoice->userid . ' · Status: <span id="invoice-status" data-status="' . Page::e($invoice->status) . '">'
    . Page::e($invoice->status) . '</span> · Payment method: ' . Page::e($gateway) . '</p>'
    . '<p>Total: ' . Page::e($invoice->total) . ' · Balance: <span id="invoice-balance" data-amount="'
    . Page::e(Invoices::balance($invoiceId)) . '">' . Page::e(Invoices::balance($invoiceId)) . '</span></p>'
    . '<table id="transactions"><tr><th>Date</th><th>Gateway</th><th>Transaction ID</th><th>In</th><th>Out</th><th>Fees</th><th></th></tr>'
    . $rows . '</table><p><a href="index.php">Back</a></p>');
