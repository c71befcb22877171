<?php
/**
 * SpectroCoin callback endpoint: {SystemURL}modules/gateways/callback/spectrocoin.php
 * The work is in spectrocoin/lib/CallbackHandler.php; this file is WHMCS' standard bootstrap.
 *
 * SpectroCoin retries until the body is exactly "*ok*": whatever WHMCS, its hooks or any included
 * file print (stray output, a newline after "?>", a BOM) is buffered from here on and dropped when
 * the answer is sent (Response::sendAlone()).
 */
ob_start();
require __DIR__ . '/../../../init.php';
require_once ROOTDIR . '/includes/gatewayfunctions.php';
require_once ROOTDIR . '/includes/invoicefunctions.php';
require_once __DIR__ . '/../spectrocoin/lib/bootstrap.php';

use WHMCS\Module\Gateway\Spectrocoin\CallbackHandler;
use WHMCS\Module\Gateway\Spectrocoin\CallbackUrlCheck;
use WHMCS\Module\Gateway\Spectrocoin\OrderStore;
use WHMCS\Module\Gateway\Spectrocoin\Response;
use WHMCS\Module\Gateway\Spectrocoin\Settings;

$method = strtoupper((string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'));
// The raw body, never $_POST: WHMCS HTML-encodes superglobals, which would break the signature.
$raw = (string) file_get_contents('php://input');
try {
    $variables = getGatewayVariables(Settings::GATEWAY);
} catch (\Throwable $e) {
    $variables = [];
}
// The self-test's probe (CallbackUrlCheck, sent from this server on Save and from the addon page):
// answered with its marker before any order, signature or database work; it changes and logs nothing.
$probe = CallbackUrlCheck::probeNonce($method, $raw);
if ($probe !== null) {
    CallbackUrlCheck::probeAnswer($probe, !empty($variables['type']))->sendAlone();
    return;
}
if (empty($variables['type'])) {
    // Not active: 503, so SpectroCoin retries and nothing is lost once the admin activates it again;
    // a genuine callback for one of our orders is written to the activity log, so the merchant learns
    // that money arrived (CallbackHandler::whileInactive).
    CallbackHandler::whileInactive($method, $raw, html_entity_decode(
        (string) ($_SERVER['CONTENT_TYPE'] ?? $_SERVER['HTTP_CONTENT_TYPE'] ?? ''), ENT_QUOTES, 'UTF-8'), new OrderStore())->sendAlone();
    return;
}
// Content-Type picks the format (form: legacy signed; JSON: current API). WHMCS encodes $_SERVER
// like the other superglobals, so decode it; media types contain nothing it would change anyway.
$contentType = html_entity_decode((string) ($_SERVER['CONTENT_TYPE'] ?? $_SERVER['HTTP_CONTENT_TYPE'] ?? ''), ENT_QUOTES, 'UTF-8');
(new CallbackHandler(Settings::fromGatewayVariables($variables), new OrderStore()))->handle($method, $raw, $contentType)->sendAlone();
