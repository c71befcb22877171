<?php
/**
 * Setup > Addon Modules: Activate / Deactivate (NAME_activate / NAME_deactivate answers shown;
 * status "error" refuses), and the configuration form of each active addon rendered from the
 * `fields` of NAME_config() plus the role ids allowed on its page (`access`). See StandIn\Addons.
 */

require __DIR__ . '/../init.php';

use StandIn\Addons;
use StandIn\Page;

if (!Page::requireAdmin()) {
    exit;
}

$notice = '';
$action = (string) ($_POST['action'] ?? '');
$module = (string) ($_POST['module'] ?? '');
if ($_SERVER['REQUEST_METHOD'] === 'POST' && Addons::isValidName($module) && in_array($module, Addons::installed(), true)) {
    $answer = null;
    if ($action === 'activate') {
        $answer = Addons::activate($module);
    } elseif ($action === 'deactivate') {
        $answer = Addons::deactivate($module);
    } elseif ($action === 'save' && Addons::isActive($module)) {
        $posted = Page::decode($_POST['field'] ?? []);
        $input = ['access' => (string) Page::raw($_POST, 'access', '')];
        foreach (Addons::fields($module) as $key => $def) {
            $type = strtolower((string) ($def['Type'] ?? ''));
            if ($type === 'yesno') {
                $input[$key] = isset($posted[$key]) ? 'on' : '';
            } elseif (in_array($type, Addons::INPUT_TYPES, true)) {
                $input[$key] = (string) ($posted[$key] ?? '');
            }
        }
        Addons::save($module, $input);
        $notice = '<div class="alert alert-success" id="addon-saved">Changes Saved Successfully!</div>';
    }
    if ($answer !== null) {
        $class = ['success' => 'alert-success', 'error' => 'alert-danger', 'info' => 'alert-info'][$answer['status']];
        $notice = '<div class="alert ' . $class . '" id="addon-' . Page::e($action) . '-' . Page::e($answer['status']) . '">'
            . Page::e($answer['description'] !== '' ? $answer['description'] : ucfirst($action) . 'd') . '</div>';
    }
}

$body = $notice . '<h1>Addon Modules</h1>';
foreach (Addons::installed() as $name) {
    try {
        $config = Addons::config($name);
    } catch (\Throwable $e) {
        $body .= '<div class="addon" data-module="' . Page::e($name) . '"><div class="alert alert-danger">Module failed to load: '
            . Page::e($e->getMessage()) . '</div></div>';
        continue;
    }
    $title = '<h2>' . Page::e($config['name'] ?? $name) . ' <small>' . Page::e($config['version'] ?? '') . '</small></h2><p>'
        . Page::e($config['description'] ?? '') . '</p>';
    $hidden = '<input type="hidden" name="module" value="' . Page::e($name) . '">';
    if (!Addons::isActive($name)) {
        $body .= '<div class="addon inactive" data-module="' . Page::e($name) . '">' . $title
            . '<form method="post" action="configaddonmods.php"><input type="hidden" name="action" value="activate">' . $hidden
            . '<button type="submit">Activate</button></form></div>';
        continue;
    }
    $values = Addons::settings($name);
    $rows = '';
    foreach (Addons::fields($name) as $key => $def) {
        $type = strtolower((string) ($def['Type'] ?? ''));
        $value = $values[$key] ?? (string) ($def['Default'] ?? '');
        $field = 'field[' . Page::e($key) . ']';
        if ($type === 'yesno') {
            $input = '<input type="checkbox" name="' . $field . '" value="on"' . ($value === 'on' ? ' checked' : '') . '>';
        } elseif ($type === 'password') {
            $input = '<input type="password" name="' . $field . '" value="' . Page::e($value) . '">';
        } elseif (in_array($type, Addons::INPUT_TYPES, true)) {
            $input = '<input type="text" name="' . $field . '" value="' . Page::e($value) . '">';
        } else {
            $input = '';
        }
        $rows .= '<tr data-field="' . Page::e($key) . '"><td>' . Page::e($def['FriendlyName'] ?? $key) . '</td><td>' . $input . ' '
            . ($def['Description'] ?? '') . '</td></tr>';
    }
    $rows .= '<tr data-field="access"><td>Access Control (role ids)</td><td><input type="text" name="access" value="'
        . Page::e($values['access'] ?? '') . '"></td></tr>';
    $body .= '<div class="addon active" data-module="' . Page::e($name) . '">' . $title
        . '<form method="post" action="configaddonmods.php"><input type="hidden" name="action" value="save">' . $hidden
        . '<table>' . $rows . '</table><button type="submit">Save Changes</button></form>'
        . '<form method="post" action="configaddonmods.php"><input type="hidden" name="action" value="deactivate">' . $hidden
        . '<button type="submit">Deactivate</button></form></div>';
}
Page::render('Addon Modules', $body);
