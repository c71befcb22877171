<?php
/**
 * Loaded by WHMCS on every page while the addon is active: only registrations here, the work is
 * loaded when a hook runs.
 */
if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

use WHMCS\Database\Capsule;

// Every cron run ("after all scheduled tasks finish"): recover payments whose callbacks were lost.
add_hook('AfterCronJob', 1, function ($vars) {
    require_once __DIR__ . '/spectrocoinops.php';
    require_once ROOTDIR . '/includes/gatewayfunctions.php';
    require_once ROOTDIR . '/includes/invoicefunctions.php';
    try {
        $settings = Capsule::table('tbladdonmodules')->where('module', 'spectrocoinops')->pluck('value', 'setting')->all();
        [$seconds, $orders] = spectrocoinops_bounds($settings);
        \WHMCS\Module\Gateway\Spectrocoin\Reconciler::onCron($seconds, $orders);
    } catch (\Throwable $e) {
        // The cron's other hooks and tasks must not fail because of ours; the next run tries again.
        logActivity('SpectroCoin reconciliation failed: ' . get_class($e) . ': ' . $e->getMessage());
    }
});
