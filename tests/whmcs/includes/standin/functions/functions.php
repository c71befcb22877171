<?php
/**
 * Global WHMCS helpers loaded by init.php: activity log, currencies, hooks, email, localAPI.
 */

use StandIn\Hooks;
use StandIn\Invoices;
use StandIn\Money;
use WHMCS\Database\Capsule;

/** Inserts a row into tblactivitylog. */
function logActivity($message, $userId = 0)
{
    $user = 'System';
    if (!empty($_SESSION['adminid'])) {
        $user = (string) Capsule::table('tbladmins')->where('id', (int) $_SESSION['adminid'])->value('username');
    } elseif (!empty($_SESSION['uid'])) {
        $user = 'Client';
    }
    Capsule::table('tblactivitylog')->insert([
        'date' => date('Y-m-d H:i:s'),
        'description' => (string) $message,
        'user' => $user,
        'userid' => (int) $userId,
        'admin_id' => (int) ($_SESSION['adminid'] ?? 0),
        'ipaddr' => (string) ($_SERVER['REMOTE_ADDR'] ?? ''),
    ]);
}

/**
 * Currency of a client (`$userId`), or the currency `$currencyId`, or the default currency:
 * ['id', 'code', 'prefix', 'suffix', 'format', 'rate'].
 */
function getCurrency($userId = '', $currencyId = '')
{
    $row = null;
    if ((int) $currencyId > 0) {
        $row = Capsule::table('tblcurrencies')->where('id', (int) $currencyId)->first();
    } elseif ((int) $userId > 0) {
        $row = Invoices::currencyOfClient((int) $userId);
    }
    $row = $row ?? Capsule::table('tblcurrencies')->where('default', 1)->first();
    if ($row === null) {
        return [];
    }
    return [
        'id' => (int) $row->id,
        'code' => (string) $row->code,
        'prefix' => (string) $row->prefix,
        'suffix' => (string) $row->suffix,
        'format' => (int) $row->format,
        'rate' => (string) $row->rate,
    ];
}

/**
 * amount / from.rate * to.rate, rounded to 2 decimals, as a 'x.xx' string.
 * `$baseCurrencyExchangeRate` replaces the source rate when given.
 */
function convertCurrency($amount, $fromCurrencyId, $toCurrencyId, $baseCurrencyExchangeRate = '')
{
    $from = getCurrency('', $fromCurrencyId);
    $to = getCurrency('', $toCurrencyId);
    $fromRate = $baseCurrencyExchangeRate !== '' && $baseCurrencyExchangeRate !== null
        ? (float) $baseCurrencyExchangeRate : (float) ($from['rate'] ?? 1);
    $toRate = (float) ($to['rate'] ?? 1);
    if ((int) $fromCurrencyId === (int) $toCurrencyId && ($baseCurrencyExchangeRate === '' || $baseCurrencyExchangeRate === null)) {
        return Money::normalize($amount);
    }
    if ($fromRate <= 0) {
        $fromRate = 1;
    }
    return number_format(round((float) $amount / $fromRate * $toRate, 2), 2, '.', '');
}

/** Raw 'x.xx' formatting used all over WHMCS. */
function format_as_currency($amount)
{
    return Money::normalize($amount);
}

/**
 * prefix + number + suffix in the currency's format (1: 1234.56, 2: 1,234.56,
 * 3: 1.234,56, 4: 1,235). Without `$currencyId`, the default currency.
 */
function formatCurrency($amount, $currencyId = false)
{
    $currency = getCurrency('', $currencyId ?: '');
    $value = round((float) $amount, 2);
    switch ((int) ($currency['format'] ?? 1)) {
        case 2:
            $number = number_format($value, 2, '.', ',');
            break;
        case 3:
            $number = number_format($value, 2, ',', '.');
            break;
        case 4:
            $number = number_format($value, 0, '', ',');
            break;
        default:
            $number = number_format($value, 2, '.', '');
    }
    return ($currency['prefix'] ?? '') . $number . ($currency['suffix'] ?? '');
}

/**
 * WHMCS's CSRF token of the session: generate_token("plain") is the token itself (what WHMCS's own
 * admin pages put in a form's `token` field), "link" gives "&token=…", anything else a hidden input.
 * One random token per session, as WHMCS keeps it while the session lives.
 */
function generate_token($type = 'form')
{
    if (session_status() !== PHP_SESSION_ACTIVE) {
        return '';
    }
    if (!isset($_SESSION['standin_csrf']) || !is_string($_SESSION['standin_csrf'])) {
        $_SESSION['standin_csrf'] = bin2hex(random_bytes(20));
    }
    $token = $_SESSION['standin_csrf'];
    if ($type === 'plain') {
        return $token;
    }
    if ($type === 'link') {
        return '&token=' . $token;
    }
    return '<input type="hidden" name="token" value="' . $token . '" />';
}

function add_hook($hookPoint, $priority, $function, $rollbackFunction = '')
{
    Hooks::add((string) $hookPoint, (int) $priority, $function);
}

/** Records the hook in standin_hooks and runs registered functions; returns their results. */
function run_hook($hookName, $vars)
{
    return Hooks::run((string) $hookName, is_array($vars) ? $vars : [$vars]);
}

/** Records the email in standin_emails (nothing is sent). */
function sendMessage($template, $relId, $extra = '', $displayResult = '', $attachments = '')
{
    return \StandIn\Mail::send((string) $template, (int) $relId, is_array($extra) ? $extra : []);
}

/**
 * Internal API. Supported: GetInvoice (with `balance`), GetCurrencies, SendAdminEmail (custom
 * messages; see Mail::sendAdmin). Anything else answers
 * result=error, so a module relying on it is noticed.
 */
function localAPI($command, $values = [], $adminUser = '')
{
    switch (strtolower((string) $command)) {
        case 'getinvoice':
            $invoice = Invoices::find((int) ($values['invoiceid'] ?? 0));
            if ($invoice === null) {
                return ['result' => 'error', 'message' => 'Invoice ID Not Found'];
            }
            $items = [];
            foreach (Invoices::items((int) $invoice->id) as $item) {
                $items[] = [
                    'id' => (int) $item->id, 'type' => $item->type, 'relid' => (int) $item->relid,
                    'description' => $item->description, 'amount' => $item->amount, 'taxed' => (int) $item->taxed,
                ];
            }
            $transactions = [];
            foreach (Invoices::transactions((int) $invoice->id) as $tx) {
                $transactions[] = (array) $tx;
            }
            return [
                'result' => 'success',
                'invoiceid' => (int) $invoice->id,
                'invoicenum' => (string) $invoice->invoicenum,
                'userid' => (int) $invoice->userid,
                'date' => (string) $invoice->date,
                'duedate' => (string) $invoice->duedate,
                'datepaid' => (string) $invoice->datepaid,
                'subtotal' => (string) $invoice->subtotal,
                'credit' => (string) $invoice->credit,
                'tax' => (string) $invoice->tax,
                'tax2' => (string) $invoice->tax2,
                'total' => (string) $invoice->total,
                'balance' => Invoices::balance((int) $invoice->id),
                'taxrate' => (string) $invoice->taxrate,
                'taxrate2' => (string) $invoice->taxrate2,
                'status' => (string) $invoice->status,
                'paymentmethod' => (string) $invoice->paymentmethod,
                'notes' => (string) $invoice->notes,
                'items' => ['item' => $items],
                'transactions' => $transactions === [] ? '' : ['transaction' => $transactions],
            ];
        case 'sendadminemail':
            return \StandIn\Mail::sendAdmin(is_array($values) ? $values : []);
        case 'getcurrencies':
            $rows = Capsule::table('tblcurrencies')->orderBy('id')->get()->map(fn ($r) => (array) $r)->all();
            return ['result' => 'success', 'totalresults' => count($rows), 'currencies' => ['currency' => $rows]];
        default:
            return ['result' => 'error', 'message' => "localAPI command $command is not supported by the WHMCS stand-in"];
    }
}
