<?php
/**
 * Setup > Payment Gateways. Activate / Deactivate, and the configuration form of each active
 * gateway rendered from NAME_config(): text, password, yesno, dropdown, radio, textarea;
 * any other type shows only its Description. Save goes through StandIn\Gateways::save(),
 * which runs NAME_config_validate() and rejects the save with the exception's message.
 * Password fields show a mask (one `*` per character), never the stored secret.
 */

require __DIR__ . '/../init.php';

use StandIn\Gateways;
use StandIn\Page;
use WHMCS\Database\Capsule;

if (!Page::requireAdmin()) {
    exit;
}

$notice = '';
$action = (string) ($_POST['action'] ?? '');
$module = (string) ($_POST['gateway'] ?? '');
if ($_SERVER['REQUEST_METHOD'] === 'POST' && Gateways::isValidName($module) && in_array($module, Gateways::installed(), true)) {
    if ($action === 'activate') {
        Gateways::activate($module);
        $notice = '<div class="alert alert-success" id="config-activated">Gateway activated</div>';
    } elseif ($action === 'deactivate') {
        Gateways::deactivate($module);
        $notice = '<div class="alert alert-success" id="config-deactivated">Gateway deactivated</div>';
    } elseif ($action === 'save') {
        $posted = Page::decode($_POST['field'] ?? []);
        $input = [
            'name' => (string) Page::raw($_POST, 'name', ''),
            'convertto' => (string) Page::raw($_POST, 'convertto', ''),
        ];
        foreach (Gateways::fields($module) as $key => $def) {
            $type = strtolower((string) ($def['Type'] ?? ''));
            if ($type === 'yesno') {
                $input[$key] = isset($posted[$key]) ? 'on' : '';
            } elseif (in_array($type, Gateways::INPUT_TYPES, true)) {
                $input[$key] = (string) ($posted[$key] ?? '');
            }
        }
        $errors = Gateways::save($module, $input);
        $notice = $errors === []
            ? '<div class="alert alert-success" id="config-saved">Changes Saved Successfully!</div>'
            : '<div class="alert alert-danger" id="config-error" data-gateway="' . Page::e($module) . '">'
                . implode('<br>', array_map([Page::class, 'e'], $errors)) . '</div>';
    }
}

$body = $notice . '<h1>Payment Gateways</h1>';
$currencies = Capsule::table('tblcurrencies')->orderBy('id')->get();
foreach (Gateways::installed() as $name) {
    try {
        $friendly = Gateways::friendlyName($name);
    } catch (\Throwable $e) {
        $body .= '<div class="gateway" data-gateway="' . Page::e($name) . '"><h2>' . Page::e($name)
            . '</h2><div class="alert alert-danger">Module failed to load: ' . Page::e($e->getMessage()) . '</div></div>';
        continue;
    }
    if (!Gateways::isActive($name)) {
        $body .= '<div class="gateway inactive" data-gateway="' . Page::e($name) . '"><h2>' . Page::e($friendly) . '</h2>'
            . '<form method="post" action="configgateways.php"><input type="hidden" name="action" value="activate">'
            . '<input type="hidden" name="gateway" value="' . Page::e($name) . '"><button type="submit">Activate</button></form></div>';
        continue;
    }
    $values = Gateways::shownValues($name);
    $rows = '<tr data-field="name" data-type="text"><td>Display Name</td><td><input type="text" name="name" size="30" value="'
        . Page::e($values['name']) . '"></td></tr>';
    foreach (Gateways::fields($name) as $key => $def) {
        $rows .= renderField((string) $key, $def, $values[$key] ?? '');
    }
    $options = '<option value="">N/A</option>';
    foreach ($currencies as $c) {
        $options .= '<option value="' . (int) $c->id . '"' . ((string) $values['convertto'] === (string) $c->id ? ' selected' : '')
            . '>' . Page::e($c->code) . '</option>';
    }
    $rows .= '<tr data-field="convertto" data-type="dropdown"><td>Convert To For Processing</td><td><select name="convertto">'
        . $options . '</select></td></tr>';
    $body .= '<div class="gateway active" data-gateway="' . Page::e($name) . '"><h2>' . Page::e($friendly) . '</h2>'
        . '<form method="post" action="configgateways.php" id="form-' . Page::e($name) . '">'
        . '<input type="hidden" name="action" value="save"><input type="hidden" name="gateway" value="' . Page::e($name) . '">'
        . '<table>' . $rows . '</table><p><button type="submit">Save Changes</button></p></form>'
        . '<form method="post" action="configgateways.php"><input type="hidden" name="action" value="deactivate">'
        . '<input type="hidden" name="gateway" value="' . Page::e($name) . '"><button type="submit">Deactivate</button></form></div>';
}
Page::render('Payment Gateways', $body);

/** One form row; FriendlyName and Description are module-provided HTML, shown as-is like WHMCS. */
function renderField(string $key, array $def, string $value): string
{
    $type = strtolower((string) ($def['Type'] ?? ''));
    $label = (string) ($def['FriendlyName'] ?? $key);
    $description = (string) ($def['Description'] ?? '');
    $name = 'field[' . Page::e($key) . ']';
    $size = (int) ($def['Size'] ?? 30);
    switch ($type) {
        case 'text':
        case 'password':
            $input = '<input type="' . $type . '" name="' . $name . '" size="' . $size . '" value="' . Page::e($value) . '"> ' . $description;
            break;
        case 'yesno':
            $input = '<label><input type="checkbox" name="' . $name . '" value="on"' . ($value === 'on' ? ' checked' : '') . '> '
                . $description . '</label>';
            break;
        case 'dropdown':
            $input = '<select name="' . $name . '">';
            foreach (Gateways::options($def['Options'] ?? []) as $optValue => $optLabel) {
                $input .= '<option value="' . Page::e($optValue) . '"' . ((string) $optValue === $value ? ' selected' : '') . '>'
                    . Page::e($optLabel) . '</option>';
            }
            $input .= '</select> ' . $description;
            break;
        case 'radio':
            $input = '';
            foreach (Gateways::options($def['Options'] ?? []) as $optValue => $optLabel) {
                $input .= '<label><input type="radio" name="' . $name . '" value="' . Page::e($optValue) . '"'
                    . ((string) $optValue === $value ? ' checked' : '') . '> ' . Page::e($optLabel) . '</label> ';
            }
            $input .= $description;
            break;
        case 'textarea':
            $input = '<textarea name="' . $name . '" rows="' . (int) ($def['Rows'] ?? 3) . '" cols="' . (int) ($def['Cols'] ?? 60) . '">'
                . Page::e($value) . '</textarea> ' . $description;
            break;
        default:
            $input = '<div class="field-description">' . $description . '</div>';
    }
    return '<tr data-field="' . Page::e($key) . '" data-type="' . Page::e($type) . '"><td>' . $label . '</td><td>' . $input . '</td></tr>';
}
