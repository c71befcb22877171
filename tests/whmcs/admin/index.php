<?php

require __DIR__ . '/../init.php';

use StandIn\Page;
use WHMCS\Database\Capsule;

if (!Page::requireAdmin()) {
    exit;
}
$rows = '';
foreach (Capsule::table('tblinvoices')->orderBy('id')->get() as $inv) {
    $rows .= '<tr><td><a href="invoices.php?action=edit&amp;id=' . (int) $inv->id . '">#' . (int) $inv->id . '</a></td><td>'
        . (int) $inv->userid . '</td><td>' . Page::e($inv->total) . '</td><td>' . Page::e(\StandIn\Invoices::balance((int) $inv->id))
        . '</td><td>' . Page::e($inv->status) . '</td><td>' . Page::e($inv->paymentmethod) . '</td></tr>';
}
Page::render('Admin', '<h1>Admin area</h1><p><a href="configgateways.php">Setup &gt; Payment Gateways</a> · '
    . '<a href="logout.php">Logout</a></p><table><tr><th>Invoice</th><th>Client</th><th>Total</th><th>Balance</th>'
    . '<th>Status</th><th>Gateway</th></tr>' . $rows . '</table>');
