<?php
/**
 * Checkout completion with a third-party gateway: the "forward page". It shows NAME_link
 * output inside #frmPayment and, after 5 seconds, submits the FIRST <form> inside it
 * (WHMCS' autoSubmitFormByContainer). Stand-in URL: cart.php?a=complete&invoiceid=N
 * (WHMCS takes the invoice id from the order in the session).
 */

require __DIR__ . '/init.php';

use StandIn\Config;
use StandIn\Invoices;
use StandIn\Link;
use StandIn\Page;

if (($_GET['a'] ?? '') !== 'complete') {
    Page::render('Shopping Cart', '<p>The stand-in has no shop. Use cart.php?a=complete&amp;invoiceid=N for the checkout forward page.</p>', 404);
    exit;
}
$invoiceId = (int) ($_GET['invoiceid'] ?? 0);
if (Page::clientId() === 0) {
    Page::redirect(Config::systemUrl() . 'login.php');
    exit;
}
$invoice = Invoices::find($invoiceId);
if ($invoice === null || (int) $invoice->userid !== Page::clientId()) {
    Page::render('Access Denied', '<div class="alert alert-danger" id="access-denied">Access Denied</div>', 403);
    exit;
}
$gateway = Link::gatewayFor($invoice);
if (!Link::shouldShow($invoice) || $gateway === null) {
    Page::redirect(Config::systemUrl() . 'viewinvoice.php?id=' . $invoiceId);
    exit;
}
try {
    $html = Link::html($gateway, $invoiceId);
} catch (\Throwable $ex) {
    error_log('WHMCS stand-in: ' . $gateway . '_link failed: ' . $ex);
    Page::render('Oops!', '<div class="alert alert-danger" id="oops">Oops! Something went wrong and we couldn\'t process your request.</div>', 500);
    exit;
}
Page::render('Order Confirmation', '<div class="alert alert-info" id="forward-message">Please wait while you are '
    . 'redirected to the gateway you chose to make payment...</div>'
    . '<div id="frmPayment" data-autosubmit-delay="5000">' . $html . '</div>'
    . '<script>setTimeout(function () { var c = document.getElementById("frmPayment");'
    . ' var f = c ? c.getElementsByTagName("form") : []; if (f.length) { f[0].submit(); } }, 5000);</script>');
