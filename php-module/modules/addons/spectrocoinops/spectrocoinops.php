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

use WHMCS\Module\Gateway\Spectrocoin\Attention;
use WHMCS\Module\Gateway\Spectrocoin\Html;
use WHMCS\Module\Gateway\Spectrocoin\OrderStore;
use WHMCS\Module\Gateway\Spectrocoin\Reconciler;

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
        ],
    ];
}

function spectrocoinops_activate()
{
    try {
        Reconciler::install();
    } catch (\Throwable $e) {
        return ['status' => 'error', 'description' => 'Could not create the table ' . Reconciler::REPORTS . ': ' . $e->getMessage()];
    }
    return ['status' => 'success', 'description' => 'SpectroCoin Operations activated: lost callbacks are now recovered on every WHMCS cron run.'];
}

function spectrocoinops_deactivate()
{
    try {
        // Only what reconciliation derived (re-computed by the next run); the orders stay the gateway's.
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

/**
 * Addons → SpectroCoin Operations. WHMCS shows it only to logged-in admins whose role the addon's
 * Access Control allows; this page only reads.
 */
function spectrocoinops_output($vars)
{
    $store = new OrderStore();
    $problem = OrderStore::schemaProblem();
    echo '<h2>Needs you</h2>';
    if ($problem !== null) {
        echo '<div class="alert alert-danger">' . Html::e('Orders unavailable: ' . $problem) . '</div>';
        return;
    }
    try {
        echo Attention::render(Attention::items($store));
    } catch (\Throwable $e) {
        echo '<div class="alert alert-danger">' . Html::e('Orders unavailable: ' . $e->getMessage()) . '</div>';
    }
    [$seconds, $orders] = spectrocoinops_bounds($vars);
    echo '<p>Lost callbacks are re-checked on every WHMCS cron run (at most ' . (int) $orders . ' orders and ' . (int) $seconds
        . ' seconds per run), for orders of SpectroCoin\'s current API (API client credentials set).</p>';
}
