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
    $settings = [];
    try {
        $settings = Capsule::table('tbladdonmodules')->where('module', 'spectrocoinops')->pluck('value', 'setting')->all();
        [$seconds, $orders] = spectrocoinops_bounds($settings);
        \WHMCS\Module\Gateway\Spectrocoin\Reconciler::onCron($seconds, $orders);
    } catch (\Throwable $e) {
        // The cron's other hooks and tasks must not fail because of ours; the next run tries again.
        logActivity('SpectroCoin reconciliation failed: ' . get_class($e) . ': ' . $e->getMessage());
    }
    // Then, when the admin turned it on: one e-mail naming what newly needs them (once per order and reason).
    try {
        if (($settings['notifyAdmins'] ?? '') === 'on' && \WHMCS\Module\Gateway\Spectrocoin\OrderStore::schemaProblem() === null) {
            $store = new \WHMCS\Module\Gateway\Spectrocoin\OrderStore();
            $mail = \WHMCS\Module\Gateway\Spectrocoin\AdminMail::notifyNew(\WHMCS\Module\Gateway\Spectrocoin\Attention::items($store));
            if ($mail['error'] !== null) {
                logActivity('SpectroCoin: ' . $mail['error'] . '; the next cron run tries again');
            }
        }
    } catch (\Throwable $e) {
        logActivity('SpectroCoin admin e-mail failed: ' . get_class($e) . ': ' . $e->getMessage());
    }
});

// The admin dashboard: how many SpectroCoin items need the merchant, with a link to the page.
add_hook('AdminHomeWidgets', 1, function () {
    return new SpectroCoinOpsWidget();
});

/** Dashboard widget (WHMCS "Admin Dashboard Widgets"): the count of Addons → SpectroCoin Operations' "Needs you". */
class SpectroCoinOpsWidget extends \WHMCS\Module\AbstractWidget
{
    protected $title = 'SpectroCoin';
    protected $description = 'SpectroCoin payments that need you';
    protected $weight = 150;
    protected $columns = 1;
    protected $cache = false;
    protected $requiredPermission = '';

    public function getData()
    {
        require_once __DIR__ . '/spectrocoinops.php';
        try {
            $problem = \WHMCS\Module\Gateway\Spectrocoin\OrderStore::schemaProblem();
            if ($problem !== null) {
                return ['problem' => $problem];
            }
            return ['count' => count(\WHMCS\Module\Gateway\Spectrocoin\Attention::items(new \WHMCS\Module\Gateway\Spectrocoin\OrderStore()))];
        } catch (\Throwable $e) {
            return ['problem' => 'orders unavailable: ' . $e->getMessage()];
        }
    }

    public function generateOutput($data)
    {
        $e = static fn ($v): string => htmlspecialchars((string) $v, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
        $link = '<a href="addonmodules.php?module=spectrocoinops">Addons → SpectroCoin Operations</a>';
        if (isset($data['problem'])) {
            return '<div class="widget-content-padded" id="spectrocoin-widget">SpectroCoin: ' . $e($data['problem']) . ' (' . $link . ')</div>';
        }
        $n = (int) ($data['count'] ?? 0);
        return '<div class="widget-content-padded" id="spectrocoin-widget">'
            . ($n === 0 ? 'No SpectroCoin payment needs you.'
                : '<strong id="spectrocoin-widget-count">' . $n . '</strong> SpectroCoin item' . ($n === 1 ? ' needs' : 's need') . ' you')
            . ' — ' . $link . '</div>';
    }
}
