<?php
/**
 * Addons > NAME: addonmodules.php?module=NAME runs NAME_output($vars) (StandIn\Addons::output)
 * for a logged-in admin whose role is in the addon's `access`; the module's echoed HTML is shown
 * inside the admin page. Inactive or unknown module, or a role without access: an error page.
 */

require __DIR__ . '/../init.php';

use StandIn\Addons;
use StandIn\Page;

if (!Page::requireAdmin()) {
    exit;
}
$module = (string) Page::raw($_GET, 'module', '');
if (!Addons::isValidName($module) || !Addons::isActive($module) || !in_array($module, Addons::installed(), true)) {
    Page::render('Addon Modules', '<div class="alert alert-danger" id="addon-not-active">Invalid or inactive addon module</div>', 404);
    exit;
}
if (!Addons::adminMayAccess($module, Page::adminId())) {
    Page::render('Addon Modules', '<div class="alert alert-danger" id="addon-access-denied">Access Denied</div>', 403);
    exit;
}
$config = Addons::config($module);
Page::render((string) ($config['name'] ?? $module), '<h1>' . Page::e($config['name'] ?? $module) . '</h1><div id="addon-output">'
    . Addons::output($module) . '</div>');
