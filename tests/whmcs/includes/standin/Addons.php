<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/**
 * Addon modules (developer docs, "Addon Modules"): modules/addons/NAME/NAME.php with
 * NAME_config() (name, description, version, author, fields), optional NAME_activate() /
 * NAME_deactivate() returning ['status' => success|error|info, 'description' => …], and
 * NAME_output($vars) for the admin page addonmodules.php?module=NAME.
 *
 * Active addons are the comma list tblconfiguration ActiveAddonModules (init.php loads their
 * hooks.php); settings live in tbladdonmodules (module, setting, value): activation writes
 * `version` and `access` (admin role ids allowed on the page, comma list), Save writes the
 * fields. As for gateways, a field's Default is only the form's initial value. Deactivation
 * removes the module from the list and deletes its tbladdonmodules rows (the stand-in's choice:
 * WHMCS's own docs say only that _deactivate should undo what _activate did).
 */
final class Addons
{
    public const INPUT_TYPES = ['text', 'password', 'yesno', 'dropdown', 'radio', 'textarea'];

    /** Settings WHMCS itself keeps for an addon, beside its fields. */
    private const SYSTEM_SETTINGS = ['version', 'access'];

    /** Role id of the seeded "Full Administrator" role, allowed on activation. */
    public const FULL_ADMIN_ROLE = '1';

    public static function isValidName(string $name): bool
    {
        return preg_match('/^[a-z][a-z0-9_]*$/D', $name) === 1;
    }

    public static function modulePath(string $name): string
    {
        return ROOTDIR . '/modules/addons/' . $name . '/' . $name . '.php';
    }

    /** Addon names installed under modules/addons/NAME/NAME.php, sorted. */
    public static function installed(): array
    {
        $names = [];
        foreach (glob(ROOTDIR . '/modules/addons/*/*.php') ?: [] as $file) {
            $name = basename($file, '.php');
            if (self::isValidName($name) && basename(dirname($file)) === $name) {
                $names[] = $name;
            }
        }
        sort($names);
        return $names;
    }

    public static function load(string $name): void
    {
        if (!self::isValidName($name) || !is_file(self::modulePath($name))) {
            throw new \WHMCS\Exception("Addon module not found: $name");
        }
        $path = self::modulePath($name);
        (static function () use ($path): void {
            require_once $path;
        })();
    }

    public static function config(string $name): array
    {
        self::load($name);
        $fn = $name . '_config';
        if (!function_exists($fn)) {
            throw new \WHMCS\Exception("Addon module $name has no {$fn}() function");
        }
        $config = $fn();
        return is_array($config) ? $config : [];
    }

    public static function fields(string $name): array
    {
        $fields = self::config($name)['fields'] ?? [];
        return is_array($fields) ? $fields : [];
    }

    public static function activeNames(): array
    {
        $list = (string) Capsule::table('tblconfiguration')->where('setting', 'ActiveAddonModules')->value('value');
        return array_values(array_filter(array_map('trim', explode(',', $list)), static fn ($n) => $n !== ''));
    }

    public static function isActive(string $name): bool
    {
        return in_array($name, self::activeNames(), true);
    }

    private static function writeActiveNames(array $names): void
    {
        Capsule::table('tblconfiguration')->updateOrInsert(['setting' => 'ActiveAddonModules'], ['value' => implode(',', $names)]);
    }

    /**
     * Runs NAME_activate(); status "error" keeps the module inactive. Returns the module's
     * answer (status, description) as the admin page shows it.
     *
     * @return array{status: string, description: string}
     */
    public static function activate(string $name): array
    {
        $config = self::config($name);
        $answer = self::callLifecycle($name . '_activate');
        if ($answer['status'] === 'error') {
            return $answer;
        }
        if (!self::isActive($name)) {
            self::writeActiveNames(array_merge(self::activeNames(), [$name]));
        }
        self::put($name, 'version', (string) ($config['version'] ?? ''));
        self::put($name, 'access', self::FULL_ADMIN_ROLE);
        return $answer;
    }

    /** @return array{status: string, description: string} */
    public static function deactivate(string $name): array
    {
        self::load($name);
        $answer = self::callLifecycle($name . '_deactivate');
        if ($answer['status'] === 'error') {
            return $answer;
        }
        self::writeActiveNames(array_values(array_diff(self::activeNames(), [$name])));
        Capsule::table('tbladdonmodules')->where('module', $name)->delete();
        return $answer;
    }

    private static function callLifecycle(string $fn): array
    {
        if (!function_exists($fn)) {
            return ['status' => 'success', 'description' => ''];
        }
        $answer = $fn();
        $status = is_array($answer) ? strtolower((string) ($answer['status'] ?? 'success')) : 'success';
        return [
            'status' => in_array($status, ['success', 'error', 'info'], true) ? $status : 'success',
            'description' => is_array($answer) ? (string) ($answer['description'] ?? '') : '',
        ];
    }

    private static function put(string $name, string $setting, string $value): void
    {
        Capsule::table('tbladdonmodules')->where('module', $name)->where('setting', $setting)->delete();
        Capsule::table('tbladdonmodules')->insert(['module' => $name, 'setting' => $setting, 'value' => $value]);
    }

    /** Stored settings of an active addon (fields, version, access); [] when inactive. */
    public static function settings(string $name): array
    {
        if (!self::isActive($name)) {
            return [];
        }
        $out = [];
        foreach (Capsule::table('tbladdonmodules')->where('module', $name)->orderBy('id')->get() as $row) {
            $out[$row->setting] = (string) $row->value;
        }
        return $out;
    }

    /**
     * Save of the configuration form: every input field (yesno `on`/empty; missing fields keep
     * what the form shows: stored value, else Default) and `access` (admin role ids).
     */
    public static function save(string $name, array $input): void
    {
        if (!self::isActive($name)) {
            throw new \WHMCS\Exception("Addon module $name is not active");
        }
        $stored = self::settings($name);
        foreach (self::fields($name) as $key => $def) {
            $type = strtolower((string) ($def['Type'] ?? ''));
            if (!in_array($type, self::INPUT_TYPES, true) || in_array($key, self::SYSTEM_SETTINGS, true)) {
                continue;
            }
            if (array_key_exists($key, $input)) {
                $value = $type === 'yesno' ? (in_array($input[$key], ['on', '1', 'yes', true], true) ? 'on' : '') : (string) $input[$key];
            } else {
                $value = $stored[$key] ?? (string) ($def['Default'] ?? '');
            }
            self::put($name, (string) $key, $value);
        }
        if (array_key_exists('access', $input)) {
            $roles = array_filter(array_map('trim', explode(',', (string) $input['access'])), 'ctype_digit');
            self::put($name, 'access', implode(',', $roles));
        }
    }

    /** Whether the admin's role is in the addon's `access` list. */
    public static function adminMayAccess(string $name, int $adminId): bool
    {
        $role = (string) Capsule::table('tbladmins')->where('id', $adminId)->value('roleid');
        $access = array_map('trim', explode(',', self::settings($name)['access'] ?? ''));
        return $role !== '' && in_array($role, $access, true);
    }

    /**
     * NAME_output($vars) captured: $vars = the stored fields + `modulelink`
     * ("addonmodules.php?module=NAME"), `version`, `_lang` (no language files in the stand-in).
     */
    public static function output(string $name): string
    {
        self::load($name);
        $fn = $name . '_output';
        if (!function_exists($fn)) {
            return '';
        }
        $settings = self::settings($name);
        $vars = $settings;
        unset($vars['access']);
        $vars['modulelink'] = 'addonmodules.php?module=' . $name;
        $vars['version'] = $settings['version'] ?? '';
        $vars['_lang'] = [];
        ob_start();
        try {
            $fn($vars);
        } finally {
            $html = (string) ob_get_clean();
        }
        return $html;
    }
}
