<?php
/**
 * Gateway callback helpers (contract section 3): getGatewayVariables, checkCbInvoiceID,
 * checkCbTransID, logTransaction.
 */

use StandIn\Config;
use StandIn\Gateways;
use StandIn\Params;
use WHMCS\Database\Capsule;

/**
 * Module settings + companyname, systemurl, paymentmethod (and type, name, visible, convertto
 * from the stored settings); with `$invoiceId`, also the invoice params of NAME_link. Loads the
 * module file. Throws WHMCS\Exception\Module\NotActivated for an inactive module. Values are
 * HTML-encoded (*reported*; the StandInGatewayVariablesEncoded setting turns this off, then
 * the module's APIVersion decides).
 */
function getGatewayVariables($gatewayName, $invoiceId = '')
{
    \StandIn\Faults::point('getGatewayVariables');
    $gatewayName = (string) $gatewayName;
    if (!Gateways::isValidName($gatewayName) || !is_file(Gateways::modulePath($gatewayName))) {
        throw new \WHMCS\Exception\Module\NotActivated('Module Not Activated');
    }
    Gateways::load($gatewayName);
    if (!Gateways::isActive($gatewayName)) {
        throw new \WHMCS\Exception\Module\NotActivated('Module Not Activated');
    }
    $params = Params::base($gatewayName);
    if ($invoiceId !== '' && $invoiceId !== null && (int) $invoiceId > 0 && \StandIn\Invoices::find((int) $invoiceId) !== null) {
        $params = Params::forInvoice($gatewayName, (int) $invoiceId);
    }
    if (Config::get('StandInGatewayVariablesEncoded', 'on') === 'on') {
        return Params::encodeAll($params);
    }
    return Params::encodeFor($gatewayName, $params);
}

/**
 * Returns the invoice id when an invoice with that id exists (any status). Otherwise logs
 * "Invoice ID Not Found" (data: $_REQUEST) and ends the request: HTTP 200, empty body.
 */
function checkCbInvoiceID($invoiceId, $gatewayName = 'Unknown')
{
    $found = Capsule::table('tblinvoices')->where('id', (string) $invoiceId)->value('id');
    if ($found === null) {
        logTransaction($gatewayName, $_REQUEST, 'Invoice ID Not Found');
        exit;
    }
    return (int) $found;
}

/**
 * Ends the request (HTTP 200, empty body, nothing logged) when a transaction with this
 * transid is already recorded. Check-then-act: tblaccounts.transid is not unique, so two
 * concurrent callbacks can both pass.
 */
function checkCbTransID($transId)
{
    if (Capsule::table('tblaccounts')->where('transid', (string) $transId)->exists()) {
        exit;
    }
}

/**
 * Gateway log row (tblgatewaylog). Arrays become "key => value" lines (nested arrays as
 * "key[sub] => value"); a module name is replaced by the gateway's display name. Fires the
 * LogTransaction hook (gateway, data, result), as WHMCS documents.
 */
function logTransaction($gateway, $data, $result, $passedParams = [], $gatewayModule = null)
{
    $gateway = is_array($gateway) ? (string) ($gateway['paymentmethod'] ?? $gateway['name'] ?? '') : (string) $gateway;
    $displayName = Capsule::table('tblpaymentgateways')
        ->where('gateway', $gateway)->where('setting', 'name')->value('value');
    if ($displayName !== null && $displayName !== '') {
        $gateway = (string) $displayName;
    }
    Capsule::table('tblgatewaylog')->insert([
        'date' => date('Y-m-d H:i:s'),
        'gateway' => $gateway,
        'data' => is_array($data) ? standin_flatten_log_data($data) : (string) $data,
        'result' => (string) $result,
    ]);
    run_hook('LogTransaction', ['gateway' => $gateway, 'data' => $data, 'result' => (string) $result]);
}

/** @internal stand-in helper of logTransaction() */
function standin_flatten_log_data(array $data, string $prefix = '')
{
    $out = '';
    foreach ($data as $key => $value) {
        $name = $prefix === '' ? (string) $key : $prefix . '[' . $key . ']';
        if (is_array($value)) {
            $out .= standin_flatten_log_data($value, $name);
        } elseif (is_object($value)) {
            $out .= $name . ' => ' . json_encode($value) . "\n";
        } else {
            $out .= $name . ' => ' . (is_bool($value) ? ($value ? '1' : '') : (string) $value) . "\n";
        }
    }
    return $out;
}
