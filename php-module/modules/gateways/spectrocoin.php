<?php
/**
 * SpectroCoin (Bitcoin) payment gateway for WHMCS.
 *
 * Everything SpectroCoin-specific (signing, order creation, callback verification, what a status
 * means for an invoice) lives in the `spectrocoin` PHP extension; this module only does WHMCS I/O.
 * Files: this one, callback/spectrocoin.php (SpectroCoin's callbacks) and spectrocoin/ (Pay Now
 * endpoint, classes, metadata). Refunds are made in the SpectroCoin dashboard, so there is
 * deliberately no spectrocoin_refund(): SpectroCoin's REFUNDED callback lists the refund for the
 * admin to record by hand, or, with "Record SpectroCoin refunds in WHMCS" on, records it once as
 * WHMCS's "Manual Refund Processed Externally" does (CallbackHandler).
 */
if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/spectrocoin/lib/bootstrap.php';

use WHMCS\Module\Gateway\Spectrocoin\AdminStatus;
use WHMCS\Module\Gateway\Spectrocoin\Decimal;
use WHMCS\Module\Gateway\Spectrocoin\Extension;
use WHMCS\Module\Gateway\Spectrocoin\Html;
use WHMCS\Module\Gateway\Spectrocoin\Lang;
use WHMCS\Module\Gateway\Spectrocoin\OrderStore;
use WHMCS\Module\Gateway\Spectrocoin\PayNowToken;
use WHMCS\Module\Gateway\Spectrocoin\Settings;
use WHMCS\Module\Gateway\Spectrocoin\SettingsCheck;
use WHMCS\Module\Gateway\Spectrocoin\CallbackUrlCheck;

function spectrocoin_MetaData()
{
    return [
        'DisplayName' => 'SpectroCoin (Bitcoin)',
        // 1.1: parameters arrive decoded, not HTML-entity-encoded.
        'APIVersion' => '1.1',
        'DisableLocalCreditCardInput' => true,
        'TokenisedStorage' => false,
    ];
}

function spectrocoin_config()
{
    return [
        'FriendlyName' => ['Type' => 'System', 'Value' => 'SpectroCoin (Bitcoin)'],
        // Keys shared with SpectroCoin's legacy module, so switching keeps the settings.
        'merchantId' => [
            'FriendlyName' => 'Merchant ID',
            'Type' => 'text',
            'Size' => '40',
            'Description' => 'SpectroCoin merchant id (numeric) or user id (UUID).',
        ],
        'projectId' => [
            'FriendlyName' => 'Project ID',
            'Type' => 'text',
            'Size' => '40',
            'Description' => 'SpectroCoin project (API) id: numeric, or a UUID when the merchant id is a UUID.',
        ],
        // A password field: WHMCS stores it encrypted and never prints it back (a textarea showed the
        // whole key on every visit). It delivers a pasted PEM on one line, which the extension reads.
        'privateKey' => [
            'FriendlyName' => 'Private key',
            'Type' => 'password',
            'Size' => '64',
            'Description' => 'The RSA private key (PEM) whose public half is registered in your SpectroCoin project '
                . '(legacy API; not needed with API client credentials). Paste the whole key, from -----BEGIN to '
                . '-----END; it is kept encrypted and not shown again. Leave the stars to keep the saved key. '
                . 'A key with a passphrase is refused: decrypt it first (openssl pkey -in enc.pem -out plain.pem). '
                . 'After Save, the Settings check below shows the key\'s public half to compare with SpectroCoin\'s.',
        ],
        'clientId' => [
            'FriendlyName' => 'API client ID (optional)',
            'Type' => 'text',
            'Size' => '40',
            'Description' => 'SpectroCoin Settings → API. With client ID and secret, orders go through SpectroCoin\'s current API '
                . '(the customer picks the coin on SpectroCoin\'s page) and its JSON callbacks are accepted. '
                . 'Project ID is then the project UUID.',
        ],
        'clientSecret' => [
            'FriendlyName' => 'API client secret (optional)',
            'Type' => 'password',
            'Size' => '40',
        ],
        'legacyMerchantId' => [
            'FriendlyName' => 'Numeric merchant ID (UUID set-ups)',
            'Type' => 'text',
            'Size' => '20',
            'Description' => 'Only when Merchant ID and Project ID above are UUIDs and the project still sends signed '
                . '(legacy) callbacks: the project\'s numeric merchant ID. SpectroCoin signs only the numeric ids, so '
                . 'without them such callbacks for orders created through the current API cannot be proven yours.',
        ],
        'legacyProjectId' => [
            'FriendlyName' => 'Numeric project (API) ID (UUID set-ups)',
            'Type' => 'text',
            'Size' => '20',
            'Description' => 'The same project\'s numeric API id (apiId).',
        ],
        'payCurrency' => [
            'FriendlyName' => 'Pay currency',
            'Type' => 'text',
            'Size' => '10',
            'Default' => Settings::DEFAULT_PAY_CURRENCY,
            'Description' => 'Currency the customer pays in (default BTC).',
        ],
        'successUrl' => [
            'FriendlyName' => 'Success URL (optional)',
            'Type' => 'text',
            'Size' => '60',
            'Description' => 'Leave empty to return the customer to the invoice. <code>{invoiceid}</code> is replaced.',
        ],
        'failureUrl' => [
            'FriendlyName' => 'Failure URL (optional)',
            'Type' => 'text',
            'Size' => '60',
            'Description' => 'Leave empty to return the customer to the invoice. <code>{invoiceid}</code> is replaced.',
        ],
        'markPending' => [
            'FriendlyName' => 'Payment Pending',
            'Type' => 'yesno',
            'Default' => 'on',
            'Description' => 'Mark the invoice Payment Pending while the payment confirms.',
        ],
        'callbackUrlInfo' => [
            'FriendlyName' => 'Callback URL',
            'Type' => 'info',
            'Description' => '<code>' . Html::e(spectrocoin_system_url() . 'modules/gateways/callback/spectrocoin.php')
                . '</code> (sent with every order; nothing to configure at SpectroCoin).',
        ],
        'extensionStatus' => [
            'FriendlyName' => 'PHP extension',
            'Type' => 'info',
            'Description' => Html::e(Extension::statusLine()),
        ],
        'databaseStatus' => [
            'FriendlyName' => 'Database tables',
            'Type' => 'info',
            'Description' => spectrocoin_schema_status(),
        ],
        'settingsCheck' => [
            'FriendlyName' => 'Settings check',
            'Type' => 'info',
            'Description' => SettingsCheck::describe(new OrderStore()),
        ],
        'callbackUrlCheck' => [
            'FriendlyName' => 'Callback URL',
            'Type' => 'info',
            'Description' => CallbackUrlCheck::render(CallbackUrlCheck::last(new OrderStore())) . ' (tested on every Save)',
        ],
        'recordRefunds' => [
            'FriendlyName' => 'Record SpectroCoin refunds in WHMCS',
            'Type' => 'yesno',
            'Default' => '',
            'Description' => 'When SpectroCoin reports a paid order REFUNDED (a refund made in the SpectroCoin dashboard), '
                . 'record it on the invoice as WHMCS\'s "Manual Refund Processed Externally" does (a refund transaction '
                . 'linked to the payment; the invoice becomes Refunded when fully refunded). Off: the refund is listed for '
                . 'you to record by hand.',
        ],
    ];
}

/**
 * The module's tables are created and upgraded at admin time only: on activation, on Save and
 * when the settings page is shown (so an upgraded module migrates on the next visit). Callbacks
 * and Pay Now never run DDL; they answer "unavailable" until this has happened.
 */
function spectrocoin_post_activation($params)
{
    $problem = OrderStore::migrateForAdmin();
    if ($problem !== null) {
        logActivity('SpectroCoin: ' . $problem);
    }
}

/** The settings page's "Database tables" line; migrates when shown on the admin settings page. */
function spectrocoin_schema_status(): string
{
    $onSettingsPage = defined('ADMINAREA')
        || basename((string) ($_SERVER['SCRIPT_FILENAME'] ?? '')) === 'configgateways.php';
    try {
        $problem = $onSettingsPage ? OrderStore::migrateForAdmin() : OrderStore::schemaProblem();
    } catch (\Throwable $e) {
        $problem = $e->getMessage();
    }
    if ($problem !== null) {
        return '<strong class="text-danger spectrocoin-schema-problem">' . Html::e($problem) . '</strong>';
    }
    return Html::e('Installed, version ' . OrderStore::SCHEMA_VERSION . '.');
}

/**
 * Rejects the Save with a message the admin can act on. The extension checks the settings
 * (spectrocoin_check_config): ids, the private key, and with API client credentials a fresh token
 * from SpectroCoin, so wrong credentials are refused here rather than on a customer's Pay Now.
 * What it only warns about is kept and shown in the read-only "Settings check" field, with what
 * the private key is (spectrocoin_describe_key: RSA 2048, fingerprint, public key).
 *
 * Without a usable extension nothing can be checked: the settings are stored as typed (the
 * extension install may well come after them), marked "not checked — install the extension", and
 * checked on the next Save.
 */
function spectrocoin_config_validate($params)
{
    // Save is admin time: install or upgrade the tables first (the page then shows any problem).
    OrderStore::migrateForAdmin();
    if (Extension::problem() !== null) {
        SettingsCheck::recordUnchecked(new OrderStore(), (string) Extension::problem());
        CallbackUrlCheck::runAndRecord(new OrderStore());
        return;
    }
    $settings = Settings::fromParams(spectrocoin_unmask_secret(is_array($params) ? $params : []));
    $merchant = $settings->merchant();
    $unverified = null;
    try {
        // Online: with client credentials the extension proves them with a fresh token.
        $report = \spectrocoin_check_config($merchant, true);
    } catch (\SpectroCoin\ConfigException $e) {
        // Includes client credentials SpectroCoin rejected (401) and an IP allow-list refusal (403).
        spectrocoin_invalid_config('SpectroCoin settings rejected: ' . rtrim($e->getMessage(), '.') . '.');
    } catch (\SpectroCoin\NetworkException | \SpectroCoin\ApiException $e) {
        if (!$e->isRetryable()) {
            // Not an outage (say a 404 from a wrong public API URL): asking again will not help.
            spectrocoin_invalid_config('SpectroCoin settings rejected: ' . rtrim($e->getMessage(), '.') . '.');
        }
        // SpectroCoin unreachable or busy: a temporary outage must not lock the admin out of the
        // settings. Everything offline is checked again without the token; the gap is shown.
        $unverified = 'The API client ID and secret could not be checked just now (' . $e->getMessage()
            . '). Press Save again later to check them.';
        try {
            $report = \spectrocoin_check_config($merchant, false);
        } catch (\SpectroCoin\ConfigException $e2) {
            spectrocoin_invalid_config('SpectroCoin settings rejected: ' . rtrim($e2->getMessage(), '.') . '.');
        }
    }
    SettingsCheck::record(new OrderStore(), $report, !empty($report['current']) && $unverified === null, $unverified,
        spectrocoin_describe_private_key($merchant));
    // Never blocks the Save: the result is shown in the "Callback URL" field.
    CallbackUrlCheck::runAndRecord(new OrderStore());
}

/** What the checked private key is (no secret in it), or null without one. */
function spectrocoin_describe_private_key(array $merchant): ?array
{
    $pem = (string) ($merchant['privateKey'] ?? '');
    if (trim($pem) === '') {
        return null;
    }
    try {
        return \spectrocoin_describe_key($pem);
    } catch (\Throwable $e) {
        return null; // check_config accepted it; nothing to show is better than a refused Save
    }
}

/**
 * WHMCS shows a saved password field masked and, when the admin saves without retyping it, may
 * hand `_config_validate` the mask instead of the secret (undocumented; the stand-in tests both).
 * A value made only of `*` is then the untouched stored secret: check that one, not the stars.
 */
function spectrocoin_unmask_secret(array $params): array
{
    foreach (['clientSecret', 'privateKey'] as $field) {
        $secret = $params[$field] ?? '';
        if (!is_string($secret) || $secret === '' || strspn($secret, '*') !== strlen($secret)) {
            continue;
        }
        if (!function_exists('getGatewayVariables')) {
            require_once ROOTDIR . '/includes/gatewayfunctions.php';
        }
        try {
            $stored = Settings::fromGatewayVariables(getGatewayVariables('spectrocoin'))->merchant()[$field] ?? '';
        } catch (\Throwable $e) {
            continue; // not active yet: nothing stored, the stars are checked as typed
        }
        if (is_string($stored) && $stored !== '') {
            $params[$field] = $stored;
        }
    }
    return $params;
}

/**
 * The invoice page's Pay Now form, with one line on how the customer pays and, on a part-paid
 * invoice, what was received. Cheap and side-effect free: no remote call here.
 */
function spectrocoin_link($params)
{
    $settings = Settings::fromParams($params);
    $invoiceId = (int) ($params['invoiceid'] ?? 0);
    $clientId = (int) ($params['clientdetails']['userid'] ?? $params['clientdetails']['id'] ?? 0);
    $lang = Lang::forClient($clientId, isset($params['clientdetails']['language']) ? (string) $params['clientdetails']['language'] : null);
    if (Extension::problem() !== null) {
        return '<div class="alert alert-warning" id="spectrocoin-unavailable">' . Html::e($lang->t('invoice.unavailable')) . '</div>';
    }
    try {
        // Bound to who sees the page: WHMCS renders _link only for people it shows the invoice to.
        $viewer = PayNowToken::viewerFor(\WHMCS\Module\Gateway\Spectrocoin\PayNow::viewer(isset($_SESSION) && is_array($_SESSION) ? $_SESSION : []),
            $clientId);
        if ($viewer === null) {
            return '<div class="alert alert-info" id="spectrocoin-log-in">' . Html::e($lang->t('invoice.log_in')) . '</div>';
        }
        $store = new OrderStore();
        $token = PayNowToken::fromStore($store)->issue($invoiceId, $viewer);
    } catch (\Throwable $e) {
        return '<div class="alert alert-warning" id="spectrocoin-unavailable">' . Html::e($lang->t('invoice.unavailable_retry')) . '</div>';
    }
    $label = (string) ($params['langpaynow'] ?? 'Pay Now');
    $payCurrency = strtoupper($settings->payCurrency());
    $payIn = $settings->apiGeneration() === 'current'
        ? $lang->t('invoice.pay_in_coin_of_choice')
        : $lang->t('invoice.pay_in', ['currency' => $lang->t('currency.' . $payCurrency) !== 'currency.' . $payCurrency
            ? $lang->t('currency.' . $payCurrency) : $payCurrency]);
    return '<form method="post" action="' . Html::e($settings->payNowUrl()) . '" id="spectrocoin-paynow" class="spectrocoin-paynow">'
        . '<input type="hidden" name="invoiceid" value="' . Html::e($invoiceId) . '">'
        . '<input type="hidden" name="spectrocoin_token" value="' . Html::e($token) . '">'
        . '<button type="submit" class="btn btn-success">' . Html::e($label) . '</button>'
        . '</form>'
        . spectrocoin_received_line($store, $invoiceId, $lang)
        . '<p class="small text-muted spectrocoin-pay-in" id="spectrocoin-pay-in">' . Html::e($payIn) . '</p>';
}

/**
 * On a part-paid invoice (balance below the total: an earlier payment of ours or another's was
 * credited), what was received and what Pay Now pays now, in the invoice's currency. Empty otherwise.
 */
function spectrocoin_received_line(OrderStore $store, int $invoiceId, Lang $lang): string
{
    try {
        $invoice = $store->invoice($invoiceId);
        if ($invoice === null) {
            return '';
        }
        $total = Decimal::round2((string) $invoice->total);
        $balance = $store->balance($invoiceId);
        if ($total === null || Decimal::compare($balance, $total) >= 0 || Decimal::compare($balance, '0') <= 0) {
            return '';
        }
        $currency = $store->invoiceCurrency((int) $invoice->userid);
        $received = Decimal::subtract($total, $balance);
        $format = function (string $amount) use ($currency): string {
            if ($currency !== null && function_exists('formatCurrency')) {
                return (string) formatCurrency($amount, (int) $currency->id);
            }
            return $amount . ($currency !== null ? ' ' . $currency->code : '');
        };
    } catch (\Throwable $e) {
        return '';
    }
    return '<p class="spectrocoin-received" id="spectrocoin-received">' . Html::e($lang->t('invoice.received', [
        'received' => $format($received), 'total' => $format($total), 'balance' => $format($balance),
    ])) . '</p>';
}

function spectrocoin_adminstatusmsg($params)
{
    $invoiceId = (int) ($params['invoiceid'] ?? 0);
    return $invoiceId > 0 ? AdminStatus::forInvoice($invoiceId, new OrderStore()) : null;
}

/** @return never */
function spectrocoin_invalid_config(string $message)
{
    $class = '\\WHMCS\\Exception\\Module\\InvalidConfiguration';
    if (class_exists($class)) {
        throw new $class($message);
    }
    throw new \InvalidArgumentException($message);
}

/** WHMCS System URL with a trailing slash, for display on the config page. */
function spectrocoin_system_url()
{
    try {
        if (class_exists('\\WHMCS\\Config\\Setting')) {
            $url = (string) \WHMCS\Config\Setting::getValue('SystemURL');
        } else {
            $url = (string) \WHMCS\Database\Capsule::table('tblconfiguration')->where('setting', 'SystemURL')->value('value');
        }
    } catch (\Throwable $e) {
        $url = '';
    }
    return $url === '' ? '{System URL}/' : rtrim($url, '/') . '/';
}
