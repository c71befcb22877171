<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/**
 * Gateway modules and their settings in tblpaymentgateways (one row per setting).
 *
 * Activation writes `name`, `type` = Invoices, `visible` = on. Save (admin page and
 * Testbed\WhmcsSite::saveGatewaySettings both come here) writes every input field and
 * `convertto`; a field's `Default` is only the form's initial value. Values are stored
 * decoded; password fields are stored encrypted (WHMCS 8.7+), so raw SQL reads see ciphertext.
 */
final class Gateways
{
    /** Field types that carry a value; any other type only shows its Description. */
    public const INPUT_TYPES = ['text', 'password', 'yesno', 'dropdown', 'radio', 'textarea'];

    /** Settings that belong to WHMCS, not to the module's config fields. */
    private const SYSTEM_SETTINGS = ['name', 'type', 'visible', 'convertto'];

    public static function isValidName(string $name): bool
    {
        return preg_match('/^[a-z][a-z0-9_]*$/D', $name) === 1;
    }

    public static function modulePath(string $name): string
    {
        return ROOTDIR . '/modules/gateways/' . $name . '.php';
    }

    /** Module names installed under modules/gateways/, sorted. */
    public static function installed(): array
    {
        $names = [];
        foreach (glob(ROOTDIR . '/modules/gateways/*.php') ?: [] as $file) {
            $name = basename($file, '.php');
            if (self::isValidName($name) && $name !== 'index') {
                $names[] = $name;
            }
        }
        sort($names);
        return $names;
    }

    /** Requires modules/gateways/NAME.php once; throws when it does not exist. */
    public static function load(string $name): void
    {
        if (!self::isValidName($name)) {
            throw new \WHMCS\Exception("Invalid gateway module name: $name");
        }
        $path = self::modulePath($name);
        if (!is_file($path)) {
            throw new \WHMCS\Exception("Gateway module not found: $name");
        }
        (static function () use ($path): void {
            require_once $path;
        })();
    }

    public static function config(string $name): array
    {
        self::load($name);
        $fn = $name . '_config';
        if (!function_exists($fn)) {
            throw new \WHMCS\Exception("Gateway module $name has no {$fn}() function");
        }
        $config = $fn();
        return is_array($config) ? $config : [];
    }

    public static function metaData(string $name): array
    {
        self::load($name);
        $fn = $name . '_MetaData';
        if (function_exists($fn)) {
            $meta = $fn();
            return is_array($meta) ? $meta : [];
        }
        return [];
    }

    /** The module's declared APIVersion; without one, the stand-in default (*reported* 1.0). */
    public static function apiVersion(string $name): string
    {
        $meta = self::metaData($name);
        if (isset($meta['APIVersion']) && (string) $meta['APIVersion'] !== '') {
            return (string) $meta['APIVersion'];
        }
        return Config::get('StandInDefaultGatewayApiVersion', '1.0');
    }

    /** FriendlyName from _config, else DisplayName from _MetaData, else the module name. */
    public static function friendlyName(string $name): string
    {
        $config = self::config($name);
        if (isset($config['FriendlyName']['Value']) && $config['FriendlyName']['Value'] !== '') {
            return (string) $config['FriendlyName']['Value'];
        }
        $meta = self::metaData($name);
        return (string) ($meta['DisplayName'] ?? $name);
    }

    /** Input fields of _config (key => definition), in module order. */
    public static function fields(string $name): array
    {
        $fields = [];
        foreach (self::config($name) as $key => $def) {
            if ($key === 'FriendlyName' || !is_array($def)) {
                continue;
            }
            if (($def['Type'] ?? '') === 'System') {
                continue;
            }
            $fields[$key] = $def;
        }
        return $fields;
    }

    public static function isActive(string $name): bool
    {
        return Capsule::table('tblpaymentgateways')
            ->where('gateway', $name)->where('setting', 'type')->exists();
    }

    public static function activeNames(): array
    {
        return Capsule::table('tblpaymentgateways')->where('setting', 'type')
            ->orderBy('order')->pluck('gateway')->map(fn ($g) => (string) $g)->all();
    }

    /** Setup > Payment Gateways > Activate. Idempotent. */
    public static function activate(string $name): void
    {
        if (self::isActive($name)) {
            return;
        }
        $displayName = self::friendlyName($name);
        $order = (int) Capsule::table('tblpaymentgateways')->max('order') + 1;
        foreach (['name' => $displayName, 'type' => 'Invoices', 'visible' => 'on'] as $setting => $value) {
            Capsule::table('tblpaymentgateways')->insert([
                'gateway' => $name, 'setting' => $setting, 'value' => $value, 'order' => $order,
            ]);
        }
        logActivity("Gateway Module Activated: '$displayName'");
        $fn = $name . '_post_activation';
        if (function_exists($fn)) {
            $fn(Params::encodeFor($name, self::settings($name) + ['paymentmethod' => $name]));
        }
    }

    public static function deactivate(string $name): void
    {
        if (!self::isActive($name)) {
            return;
        }
        self::load($name);
        $fn = $name . '_deactivate';
        if (function_exists($fn)) {
            $fn(Params::encodeFor($name, self::settings($name) + ['paymentmethod' => $name]));
        }
        Capsule::table('tblpaymentgateways')->where('gateway', $name)->delete();
        logActivity("Gateway Module Deactivated: '$name'");
    }

    /** Stored settings, decoded and decrypted (setting => value). Empty when inactive. */
    public static function settings(string $name): array
    {
        $rows = Capsule::table('tblpaymentgateways')->where('gateway', $name)->orderBy('id')->get();
        $settings = [];
        foreach ($rows as $row) {
            $settings[(string) $row->setting] = Crypt::isEncrypted((string) $row->value)
                ? Crypt::decrypt((string) $row->value)
                : (string) $row->value;
        }
        return $settings;
    }

    /** What the configuration form shows: stored value, else the field's Default. */
    public static function formValues(string $name): array
    {
        $stored = self::settings($name);
        $values = [];
        foreach (self::fields($name) as $key => $def) {
            $type = strtolower((string) ($def['Type'] ?? ''));
            if (!in_array($type, self::INPUT_TYPES, true)) {
                continue;
            }
            if (array_key_exists($key, $stored)) {
                $values[$key] = $stored[$key];
            } else {
                $default = $def['Default'] ?? '';
                $values[$key] = $type === 'yesno' ? (self::truthy($default) ? 'on' : '') : (string) $default;
            }
        }
        $values['name'] = $stored['name'] ?? self::friendlyName($name);
        $values['convertto'] = $stored['convertto'] ?? '';
        return $values;
    }

    /**
     * What a password field shows instead of its stored secret: one `*` per character, as WHMCS
     * masks saved passwords (a module must not expect the clear secret back in the form).
     */
    public static function mask(string $secret): string
    {
        return str_repeat('*', strlen($secret));
    }

    /** formValues() as the page renders them: password fields masked. */
    public static function shownValues(string $name): array
    {
        $values = self::formValues($name);
        foreach (self::passwordFields($name) as $key) {
            if (isset($values[$key])) {
                $values[$key] = self::mask($values[$key]);
            }
        }
        return $values;
    }

    /** @return list<string> keys of the module's password fields */
    public static function passwordFields(string $name): array
    {
        $keys = [];
        foreach (self::fields($name) as $key => $def) {
            if (strtolower((string) ($def['Type'] ?? '')) === 'password') {
                $keys[] = (string) $key;
            }
        }
        return $keys;
    }

    /**
     * Save: `$input` holds the submitted values (decoded); fields not in `$input` keep what the
     * form showed (stored value or Default; a password field its mask), as when an admin edits
     * some fields and presses Save. yesno becomes 'on'/''. A password field that comes back
     * as its mask was not retyped: the stored secret is kept. NAME_config_validate($params)
     * runs first; an exception it throws rejects the whole save and its message is returned.
     *
     * What `_config_validate` sees for such an untouched secret is not documented by WHMCS, so
     * it is a knob (tblconfiguration StandInValidateUntouchedSecret): 'stored' (default) gives
     * the stored secret, 'masked' gives the mask as submitted. A module must work under both.
     *
     * @return list<string> validation errors (empty = saved)
     */
    public static function save(string $name, array $input): array
    {
        if (!self::isActive($name)) {
            return ["Gateway module $name is not activated"];
        }
        $fields = self::fields($name);
        $stored = self::formValues($name);
        $values = self::shownValues($name);
        foreach ($input as $key => $value) {
            if (!array_key_exists($key, $values)) {
                continue; // unknown keys are ignored, like unknown form fields
            }
            $values[$key] = is_array($value) ? implode(',', $value) : (string) $value;
        }
        foreach ($fields as $key => $def) {
            if (strtolower((string) ($def['Type'] ?? '')) === 'yesno' && array_key_exists($key, $values)) {
                $values[$key] = self::truthy($values[$key]) ? 'on' : '';
            }
        }
        if ($values['convertto'] !== '' && !Capsule::table('tblcurrencies')->where('id', (int) $values['convertto'])->exists()) {
            return ['Convert To For Processing: unknown currency id ' . $values['convertto']];
        }

        $toValidate = $values;
        foreach (self::passwordFields($name) as $key) {
            $secret = $stored[$key] ?? '';
            if ($secret !== '' && ($values[$key] ?? null) === self::mask($secret)) {
                $values[$key] = $secret;
                if (Config::get('StandInValidateUntouchedSecret', 'stored') !== 'masked') {
                    $toValidate[$key] = $secret;
                }
            }
        }

        $validate = $name . '_config_validate';
        if (function_exists($validate)) {
            try {
                $validate(Params::encodeFor($name, $toValidate + ['paymentmethod' => $name]));
            } catch (\Exception $e) {
                return [$e->getMessage()];
            }
        }

        Capsule::connection()->transaction(function () use ($name, $fields, $values): void {
            $order = (int) Capsule::table('tblpaymentgateways')->where('gateway', $name)->value('order');
            foreach ($values as $key => $value) {
                if (!in_array($key, self::SYSTEM_SETTINGS, true)
                    && strtolower((string) ($fields[$key]['Type'] ?? '')) === 'password') {
                    $value = Crypt::encrypt($value);
                }
                $updated = Capsule::table('tblpaymentgateways')
                    ->where('gateway', $name)->where('setting', $key)->update(['value' => $value]);
                if ($updated === 0 && !Capsule::table('tblpaymentgateways')
                        ->where('gateway', $name)->where('setting', $key)->exists()) {
                    Capsule::table('tblpaymentgateways')->insert([
                        'gateway' => $name, 'setting' => $key, 'value' => $value, 'order' => $order,
                    ]);
                }
            }
        });
        logActivity("Gateway Module Configuration Modified: '{$values['name']}'");
        return [];
    }

    /** Options of a dropdown/radio field: array (value => label) or "a,b,c". */
    public static function options($options): array
    {
        if (is_array($options)) {
            $out = [];
            foreach ($options as $k => $v) {
                $out[is_int($k) ? (string) $v : (string) $k] = (string) $v;
            }
            return $out;
        }
        $out = [];
        foreach (explode(',', (string) $options) as $opt) {
            $out[$opt] = $opt;
        }
        return $out;
    }

    private static function truthy($value): bool
    {
        if (is_bool($value)) {
            return $value;
        }
        return in_array(strtolower(trim((string) $value)), ['on', '1', 'yes', 'true'], true);
    }
}
