<?php
/**
 * Pay Now endpoint: the invoice page's form posts here; we create (or reuse) the SpectroCoin order
 * and send the customer to SpectroCoin's checkout with a 303. Work in lib/PayNow.php.
 */
// A client area page (WHMCS "Creating Pages"): our answers are shown in the shop's theme.
define('CLIENTAREA', true);
require __DIR__ . '/../../../init.php';
require_once ROOTDIR . '/includes/gatewayfunctions.php';
require_once ROOTDIR . '/includes/invoicefunctions.php';
require_once __DIR__ . '/lib/bootstrap.php';

use WHMCS\Module\Gateway\Spectrocoin\CustomerPage;
use WHMCS\Module\Gateway\Spectrocoin\Extension;
use WHMCS\Module\Gateway\Spectrocoin\Lang;
use WHMCS\Module\Gateway\Spectrocoin\OrderStore;
use WHMCS\Module\Gateway\Spectrocoin\PayNow;
use WHMCS\Module\Gateway\Spectrocoin\Response;
use WHMCS\Module\Gateway\Spectrocoin\Settings;

// Works without the extension and without the gateway's settings: the shop's name and URL come from tblconfiguration.
$unavailable = function (int $status) {
    $invoiceId = (int) ($_POST['invoiceid'] ?? $_GET['invoiceid'] ?? 0);
    $lang = Lang::forClient(PayNow::viewer(isset($_SESSION) && is_array($_SESSION) ? $_SESSION : [])['client']);
    CustomerPage::response($status, $lang, 'title.unavailable', 'msg.unavailable',
        $invoiceId > 0 ? ['invoice' => (string) $invoiceId, 'invoiceId' => $invoiceId] : [], CustomerPage::siteSettings())->send();
};

if (Extension::problem() !== null) {
    if (function_exists('logTransaction')) {
        logTransaction(Settings::GATEWAY, ['error' => Extension::problem()], 'Extension Unavailable');
    }
    $unavailable(503);
    return;
}
try {
    $variables = getGatewayVariables(Settings::GATEWAY);
} catch (\Throwable $e) {
    $variables = [];
}
if (empty($variables['type'])) {
    $unavailable(503);
    return;
}
$schemaProblem = OrderStore::schemaProblem();
if ($schemaProblem !== null) {
    // Never DDL here: the tables are the admin's to install (activate or save the gateway).
    logTransaction(Settings::GATEWAY, ['error' => 'database: ' . $schemaProblem], 'Pay Now Error');
    $unavailable(503);
    return;
}
// $_POST values are HTML-encoded by WHMCS; the two we read are digits, '.' and hex, which encoding leaves intact.
$method = strtoupper((string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'));
// A GET (the address opened by hand) may name the invoice: only for the page's link back to it.
$post = $method === 'POST'
    ? ['invoiceid' => $_POST['invoiceid'] ?? '', 'token' => $_POST['spectrocoin_token'] ?? '']
    : ['invoiceid' => $_GET['invoiceid'] ?? '', 'token' => ''];
$handler = new PayNow(Settings::fromGatewayVariables($variables), new OrderStore());
// $_SESSION only serves WHMCS before 8.0: PayNow::viewer() asks WHMCS\Authentication\CurrentUser where it exists.
$header = function (string $name): string {
    return html_entity_decode((string) ($_SERVER[$name] ?? ''), ENT_QUOTES, 'UTF-8');
};
$handler->handle($method, $post, isset($_SESSION) && is_array($_SESSION) ? $_SESSION : [],
    ['origin' => $header('HTTP_ORIGIN'), 'secFetchSite' => $header('HTTP_SEC_FETCH_SITE')])->send();
