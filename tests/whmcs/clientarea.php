<?php
/** Client area: the logged-in client's invoices. */

require __DIR__ . '/init.php';

use StandIn\Config;
use StandIn\Invoices;
use StandIn\Page;
use WHMCS\Database\Capsule;

if (Page::clientId() === 0) {
    Page::redirect(Config::systemUrl() . 'login.php');
    exit;
}
$rows = '';
foreach (Capsule::table('tblinvoices')->where('userid', Page::clientId())->where('status', '!=', 'Draft')->orderBy('id')->get() as $inv) {
    $rows .= '<tr><td><a href="viewinvoice.php?id=' . (int) $inv->id . '">#' . Page::e(Invoices::number($inv)) . '</a></td><td>'
        . Page::e($inv->duedate) . '</td><td>' . Page::e($inv->total) . '</td><td>' . Page::e(Invoices::balance((int) $inv->id))
        . '</td><td>' . Page::e($inv->status) . '</td></tr>';
}
Page::render('Client Area', '<h1>My Invoices</h1><table><tr><th>Invoice</th><th>Due</th><th>Total</th><th>Balance</th><th>Status</th></tr>'
    . $rows . '</table>');
