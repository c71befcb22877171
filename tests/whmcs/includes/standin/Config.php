<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/** tblconfiguration access (WHMCS' \WHMCS\Config\Setting, reduced). */
final class Config
{
    public static function get(string $setting, string $default = ''): string
    {
        $value = Capsule::table('tblconfiguration')->where('setting', $setting)->value('value');
        return $value === null ? $default : (string) $value;
    }

    /** SystemURL, always with exactly one trailing slash. */
    public static function systemUrl(): string
    {
        return rtrim(self::get('SystemURL'), '/') . '/';
    }

    public static function companyName(): string
    {
        return self::get('CompanyName');
    }

    public static function version(): string
    {
        return self::get('Version', '8.10.1-release.1');
    }
}
