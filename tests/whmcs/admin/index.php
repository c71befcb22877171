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
// The dashboard: widgets returned by AdminHomeWidgets hooks (developer docs "Widgets"), lightest
// weight first, each in a panel with its title unless it asks for no wrapper.
$widgets = array_values(array_filter(\StandIn\Hooks::run('AdminHomeWidgets', []), static fn ($w) => $w instanceof \WHMCS\Module\AbstractWidget));
usort($widgets, static fn ($a, $b) => $a->getWeight() <=> $b->getWeight());
$dashboard = '';
foreach ($widgets as $widget) {
    $body = $widget->render();
    $dashboard .= '<div class="widget" id="widget-' . Page::e(strtolower($widget->getId())) . '">'
        . ($widget->showWrapper() ? '<h3>' . Page::e($widget->getTitle()) . '</h3>' : '') . $body . '</div>';
}
Page::render('Admin', '<h1>Admin area</h1><p><a href="configgateways.php">Setup &gt; Payment Gateways</a> · '
    . '<a href="logout.php">Logout</a></p><div id="dashboard">' . $dashboard . '</div><table><tr><th>Invoice</th><th>Client</th><th>Total</th><th>Balance</th>'
    . '<th>Status</th><th>Gateway</th></tr>' . $rows . '</table>');
