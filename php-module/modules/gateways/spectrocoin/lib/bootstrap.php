<?php
/**
 * Loads the module's own classes. WHMCS autoloads modules/gateways/NAME/lib, but the module does
 * not rely on it: every entry point requires this file.
 */
if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

require_once __DIR__ . '/Html.php';
require_once __DIR__ . '/Decimal.php';
require_once __DIR__ . '/Response.php';
require_once __DIR__ . '/ExchangeFailure.php';
require_once __DIR__ . '/Lang.php';
require_once __DIR__ . '/CustomerPage.php';
require_once __DIR__ . '/Extension.php';
require_once __DIR__ . '/Settings.php';
require_once __DIR__ . '/OrderStore.php';
require_once __DIR__ . '/PayNowToken.php';
require_once __DIR__ . '/PayNow.php';
require_once __DIR__ . '/CallbackHandler.php';
require_once __DIR__ . '/Reconciler.php';
require_once __DIR__ . '/Attention.php';
require_once __DIR__ . '/Reviews.php';
require_once __DIR__ . '/OrderList.php';
require_once __DIR__ . '/AdminStatus.php';
require_once __DIR__ . '/SettingsCheck.php';
require_once __DIR__ . '/CallbackUrlCheck.php';
