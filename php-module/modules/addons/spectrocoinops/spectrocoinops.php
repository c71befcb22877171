<?php
/**
 * SpectroCoin Operations: the WHMCS addon module beside the SpectroCoin gateway. WHMCS loads a
 * module's hooks.php only for addon, provisioning and registrar modules, never for gateways, so the
 * cron reconciliation (hooks.php) and the admin page live here. The gateway works without it.
 *
 * Named spectrocoinops, not spectrocoin: addon and gateway functions share PHP's global namespace
 * (NAME_config, NAME_activate, …) and WHMCS loads both, so one name would redeclare spectrocoin_config().
 * The logic is the gateway's lib/ (Reconciler, CallbackHandler, OrderStore), required from there.
 */
if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/../../gateways/spectrocoin/lib/bootstrap.php';

use WHMCS\Module\Gateway\Spectrocoin\AdminMail;
use WHMCS\Module\Gateway\Spectrocoin\Attention;
use WHMCS\Module\Gateway\Spectrocoin\CallbackUrlCheck;
use WHMCS\Module\Gateway\Spectrocoin\Html;
use WHMCS\Module\Gateway\Spectrocoin\OrderList;
use WHMCS\Module\Gateway\Spectrocoin\OrderPage;
use WHMCS\Module\Gateway\Spectrocoin\OrderStore;
use WHMCS\Module\Gateway\Spectrocoin\Reconciler;
use WHMCS\Module\Gateway\Spectrocoin\Reviews;

/** Bounds of a cron run until the admin saves others. */
const SPECTROCOINOPS_DEFAULT_SECONDS = 20;
const SPECTROCOINOPS_DEFAULT_ORDERS = 50;

function spectrocoinops_config()
{
    return [
        'name' => 'SpectroCoin Operations',
        'description' => 'Recovers SpectroCoin payments whose callbacks were lost (on every WHMCS cron run) and lists what needs the merchant.',
        'version' => '1.0',
        'author' => 'SpectroCoin for WHMCS',
        'fields' => [
            'reconcileSeconds' => [
                'FriendlyName' => 'Time per cron run',
                'Type' => 'text',
                'Size' => '4',
                'Default' => (string) SPECTROCOINOPS_DEFAULT_SECONDS,
                'Description' => 'seconds of re-checking per cron run at most',
            ],
            'reconcileMaxOrders' => [
                'FriendlyName' => 'Orders per cron run',
                'Type' => 'text',
                'Size' => '4',
                'Default' => (string) SPECTROCOINOPS_DEFAULT_ORDERS,
                'Description' => 'orders re-checked per cron run at most (least recently checked first)',
            ],
            'notifyAdmins' => [
                'FriendlyName' => 'E-mail the admins',
                'Type' => 'yesno',
                'Default' => '',
                'Description' => 'after each cron run, e-mail what newly needs you (WHMCS admin e-mail, to the admins who receive '
                    . 'system e-mails); once per order and reason',
            ],
        ],
    ];
}

function spectrocoinops_activate()
{
    try {
        Reconciler::install();
        Reviews::install();
    } catch (\Throwable $e) {
        return ['status' => 'error', 'description' => 'Could not create the tables ' . Reconciler::REPORTS . ', ' . Reviews::TABLE . ': '
            . $e->getMessage()];
    }
    return ['status' => 'success', 'description' => 'SpectroCoin Operations activated: lost callbacks are now recovered on every WHMCS cron run.'];
}

function spectrocoinops_deactivate()
{
    try {
        // Only what reconciliation derived (re-computed by the next run); the orders stay the gateway's,
        // and the admins' review notes (Reviews::TABLE) are kept.
        Reconciler::uninstall();
    } catch (\Throwable $e) {
        return ['status' => 'error', 'description' => 'Could not drop the table ' . Reconciler::REPORTS . ': ' . $e->getMessage()];
    }
    return ['status' => 'success', 'description' => 'SpectroCoin Operations deactivated: lost callbacks are no longer recovered.'];
}

/**
 * The bounds of a cron run from the addon's settings (tbladdonmodules; Default applies until Save).
 *
 * @return array{float, int}
 */
function spectrocoinops_bounds(array $settings)
{
    $seconds = trim((string) ($settings['reconcileSeconds'] ?? ''));
    $orders = trim((string) ($settings['reconcileMaxOrders'] ?? ''));
    return [
        ctype_digit($seconds) ? min(240, (int) $seconds) : SPECTROCOINOPS_DEFAULT_SECONDS,
        ctype_digit($orders) ? min(1000, (int) $orders) : SPECTROCOINOPS_DEFAULT_ORDERS,
    ];
}

/** The admin session's CSRF token (WHMCS's generate_token("plain")), or null where WHMCS has none. */
function spectrocoinops_token()
{
    return function_exists('generate_token') ? (string) generate_token('plain') : null;
}

/** A POSTed value as typed: WHMCS HTML-encodes the request superglobals. */
function spectrocoinops_posted(string $name): string
{
    $value = $_POST[$name] ?? '';
    return is_string($value) ? html_entity_decode($value, ENT_QUOTES | ENT_HTML5, 'UTF-8') : '';
}

/** The query-string values as typed (HTML-encoded by WHMCS too), strings only. */
function spectrocoinops_query(): array
{
    $out = [];
    foreach ($_GET as $name => $value) {
        if (is_string($name) && is_string($value)) {
            $out[$name] = html_entity_decode($value, ENT_QUOTES | ENT_HTML5, 'UTF-8');
        }
    }
    return $out;
}

/** "Export CSV": the filtered list as a download instead of the page (WHMCS's page buffered so far is dropped). */
function spectrocoinops_send_csv(array $filters)
{
    $csv = OrderList::csv($filters);
    while (ob_get_level() > 0) {
        ob_end_clean();
    }
    header('Content-Type: text/csv; charset=utf-8');
    header('Content-Disposition: attachment; filename="spectrocoin-orders-' . gmdate('Ymd-His') . '.csv"');
    header('X-Content-Type-Options: nosniff');
    echo $csv;
    exit;
}

/**
 * Carries out a POSTed action ("review", "recheck") of the page; returns the notice to show. Refused
 * without the admin session's token: a page of another site cannot make an admin's browser act.
 *
 * @return array{ok: bool, message: string}
 */
function spectrocoinops_act(OrderStore $store): array
{
    $token = spectrocoinops_token();
    $sent = spectrocoinops_posted('token');
    if ($token === null || $token === '' || $sent === '' || !hash_equals($token, $sent)) {
        return ['ok' => false, 'message' => 'Nothing was changed: the form\'s security token is missing or out of date. Reload the page and try again.'];
    }
    $orderId = spectrocoinops_posted('order');
    switch (spectrocoinops_posted('action')) {
        case 'review':
            $refused = Reviews::record(Attention::items($store), $orderId, spectrocoinops_posted('item'), spectrocoinops_posted('note'),
                (int) ($_SESSION['adminid'] ?? 0));
            return $refused === null ? ['ok' => true, 'message' => 'Order ' . $orderId . ' marked reviewed; your note is kept below.']
                : ['ok' => false, 'message' => $refused];
        case 'recheck':
            return Reconciler::recheckNow($orderId);
        case 'callbacktest':
            $r = CallbackUrlCheck::runAndRecord($store);
            return ['ok' => $r['ok'], 'message' => $r['ok'] ? 'The callback URL works from this server (the module answered).'
                : 'The callback URL test found a problem: ' . $r['problem'] . ' Fix: ' . $r['fix']];
        default:
            return ['ok' => false, 'message' => 'Unknown action; nothing was changed.'];
    }
}

/** The action forms of one listed item; $withRecheck false: "Mark reviewed" only (the order page has its own "Re-check now"). */
function spectrocoinops_item_actions(string $link, string $token, bool $canRecheck, bool $withRecheck = true): callable
{
    return static function (array $item) use ($link, $token, $canRecheck, $withRecheck): string {
        $o = $item['order'];
        $html = '<form method="post" action="' . Html::e($link) . '" class="spectrocoin-review">'
            . '<input type="hidden" name="token" value="' . Html::e($token) . '">'
            . '<input type="hidden" name="order" value="' . Html::e($o->order_id) . '">'
            . '<input type="hidden" name="action" value="review"><input type="hidden" name="item" value="' . Html::e($item['key']) . '">'
            . '<input type="text" name="note" maxlength="' . Reviews::NOTE_MAX . '" placeholder="What you checked or did" required> '
            . '<button type="submit" class="btn btn-default btn-sm">Mark reviewed</button></form>';
        if ($withRecheck && $canRecheck && !(bool) $o->credited) {
            $html .= spectrocoinops_recheck_form($link, $token, (string) $o->order_id);
        }
        return $html;
    };
}

function spectrocoinops_recheck_form(string $link, string $token, string $orderId): string
{
    return '<form method="post" action="' . Html::e($link) . '" class="spectrocoin-recheck">'
        . '<input type="hidden" name="token" value="' . Html::e($token) . '">'
        . '<input type="hidden" name="order" value="' . Html::e($orderId) . '">'
        . '<input type="hidden" name="action" value="recheck">'
        . '<button type="submit" class="btn btn-default btn-sm">Re-check now</button></form>';
}

/** One order (&order=<orderId>): everything known of it, its history and its actions. */
function spectrocoinops_order_page(OrderStore $store, string $link, string $orderId, ?string $token): string
{
    $row = $store->findByOrderId($orderId);
    if ($row === null) {
        return '<p><a id="spectrocoin-back-to-list" href="' . Html::e($link) . '">&larr; All SpectroCoin orders</a></p>'
            . '<div class="alert alert-warning" id="spectrocoin-order-unknown">' . Html::e('No SpectroCoin order ' . $orderId . ' is recorded.') . '</div>';
    }
    $here = OrderPage::link($link, $orderId);
    $items = array_values(array_filter(Attention::items($store), static fn (array $i): bool => (string) $i['order']->order_id === $orderId));
    $actions = $token === null ? null : spectrocoinops_item_actions($here, $token, false, false);
    $recheck = '';
    if ($token !== null && !(bool) $row->credited) {
        $recheck = spectrocoinops_can_recheck() ? spectrocoinops_recheck_form($here, $token, $orderId)
            : '<p id="spectrocoin-recheck-unavailable">Re-check now needs SpectroCoin\'s current API (API client credentials in the gateway settings).</p>';
    }
    return OrderPage::render($row, $store, $items, $actions, $recheck, $link);
}

/**
 * Addons → SpectroCoin Operations. WHMCS shows it only to logged-in admins whose role the addon's
 * Access Control allows. Its actions (Mark reviewed, Re-check now) are POST forms carrying the admin
 * session's CSRF token.
 */
function spectrocoinops_output($vars)
{
    require_once ROOTDIR . '/includes/gatewayfunctions.php';
    require_once ROOTDIR . '/includes/invoicefunctions.php';
    $store = new OrderStore();
    $problem = OrderStore::schemaProblem();
    if ($problem !== null) {
        echo '<h2>Needs you</h2><div class="alert alert-danger">' . Html::e('Orders unavailable: ' . $problem) . '</div>';
        return;
    }
    $link = (string) ($vars['modulelink'] ?? 'addonmodules.php?module=spectrocoinops');
    try {
        // Admin time: the reviews table of an addon activated before it existed.
        Reviews::install();
        if (($_GET['export'] ?? '') === 'csv') {
            spectrocoinops_send_csv(OrderList::filters(spectrocoinops_query()));
        }
        if (($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'POST') {
            $done = spectrocoinops_act($store);
            echo '<div id="spectrocoin-notice" class="alert ' . ($done['ok'] ? 'alert-success' : 'alert-danger') . '">'
                . Html::e($done['message']) . '</div>';
        }
        $token = spectrocoinops_token();
        $query = spectrocoinops_query();
        if (isset($query['order']) && $query['order'] !== '') {
            echo spectrocoinops_order_page($store, $link, $query['order'], $token);
            return;
        }
        $actions = $token === null ? null : spectrocoinops_item_actions($link, $token, spectrocoinops_can_recheck());
        echo '<h2>Needs you</h2>' . Attention::render(Attention::items($store), $actions, $link);
        echo '<h2>Callback URL</h2><p>' . CallbackUrlCheck::render(CallbackUrlCheck::last($store)) . '</p>';
        if ($token !== null) {
            echo '<form method="post" action="' . Html::e($link) . '" id="spectrocoin-callback-test">'
                . '<input type="hidden" name="token" value="' . Html::e($token) . '"><input type="hidden" name="action" value="callbacktest">'
                . '<button type="submit" class="btn btn-default btn-sm">Test the callback URL now</button></form>';
        }
        echo '<h2>Reviewed</h2>' . Reviews::render(Reviews::latest());
        $filters = OrderList::filters(spectrocoinops_query());
        echo '<h2>All orders</h2>' . OrderList::render($filters, OrderList::page($filters), OrderList::statuses(), $link);
    } catch (\Throwable $e) {
        echo '<div class="alert alert-danger">' . Html::e('Orders unavailable: ' . $e->getMessage()) . '</div>';
    }
    [$seconds, $orders] = spectrocoinops_bounds($vars);
    echo '<p>Lost callbacks are re-checked on every WHMCS cron run (at most ' . (int) $orders . ' orders and ' . (int) $seconds
        . ' seconds per run), for orders of SpectroCoin\'s current API (API client credentials set). '
        . ((string) ($vars['notifyAdmins'] ?? '') === 'on'
            ? 'What newly needs you is e-mailed to the admins after each cron run (once per order and reason).'
            : 'Admin e-mail is off (addon setting "E-mail the admins").') . '</p>';
}

/** Whether "Re-check now" can work: the gateway is on SpectroCoin's current API (client credentials set). */
function spectrocoinops_can_recheck()
{
    try {
        $variables = \getGatewayVariables(\WHMCS\Module\Gateway\Spectrocoin\Settings::GATEWAY);
        return !empty($variables['type'])
            && \WHMCS\Module\Gateway\Spectrocoin\Settings::fromGatewayVariables($variables)->apiGeneration() === 'current';
    } catch (\Throwable $e) {
        return false;
    }
}
