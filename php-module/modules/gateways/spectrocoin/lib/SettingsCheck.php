<?php
namespace WHMCS\Module\Gateway\Spectrocoin;

/**
 * What the extension said about the settings at the last successful Save
 * (spectrocoin_check_config), kept in mod_spectrocoin_meta and shown in the read-only
 * "Settings check" field of the gateway's configuration page. WHMCS lets _config_validate only
 * reject a Save, so warnings (settings that save but leave something not working) live here.
 */
final class SettingsCheck
{
    const META_NAME = 'settings_check';

    /** Called from _config_validate once the settings passed; never blocks the Save. */
    public static function record(OrderStore $store, array $report, bool $verifiedOnline, ?string $unverified = null): void
    {
        $warnings = array_values(array_map('strval', is_array($report['warnings'] ?? null) ? $report['warnings'] : []));
        if ($unverified !== null) {
            $warnings[] = $unverified;
        }
        $record = [
            'at' => gmdate('Y-m-d H:i:s') . ' UTC',
            'legacy' => !empty($report['legacy']),
            'current' => !empty($report['current']),
            'idScheme' => isset($report['idScheme']) ? (string) $report['idScheme'] : null,
            'verifiedOnline' => $verifiedOnline,
            'warnings' => $warnings,
        ];
        try {
            $store->setMeta(self::META_NAME, (string) json_encode($record, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE));
        } catch (\Throwable $e) {
            error_log('spectrocoin: could not store the settings check: ' . $e->getMessage());
        }
    }

    /** HTML for the config page's info field. */
    public static function describe(OrderStore $store): string
    {
        try {
            $json = $store->meta(self::META_NAME);
        } catch (\Throwable $e) {
            return Html::e('Not available (' . $e->getMessage() . ').');
        }
        $r = is_string($json) ? json_decode($json, true) : null;
        if (!is_array($r)) {
            return 'Not checked yet: enter the credentials and press Save.';
        }
        $apis = [];
        if (!empty($r['legacy'])) {
            $apis[] = 'legacy signed API (private key' . (($r['idScheme'] ?? null) === 'uuid' ? ', UUID ids' : ', numeric ids') . ')';
        }
        if (!empty($r['current'])) {
            $apis[] = 'current API (client ID and secret' . (!empty($r['verifiedOnline']) ? ', accepted by SpectroCoin' : ', NOT verified') . ')';
        }
        $out = Html::e('Checked ' . ($r['at'] ?? '') . ': ' . ($apis === [] ? 'nothing configured' : implode(' and ', $apis)) . '.');
        if (!empty($r['current'])) {
            $out .= ' ' . Html::e('Orders go through the current API' . (!empty($r['legacy']) ? '; signed legacy callbacks are still accepted.' : '.'));
        }
        foreach ((array) ($r['warnings'] ?? []) as $w) {
            $out .= '<br><strong class="text-danger spectrocoin-warning">Warning:</strong> ' . Html::e($w);
        }
        return $out;
    }
}
