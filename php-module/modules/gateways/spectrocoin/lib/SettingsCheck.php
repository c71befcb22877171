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

    /**
     * Called from _config_validate once the settings passed; never blocks the Save. `$key` is
     * spectrocoin_describe_key() of the private key (nothing secret), or null without one.
     */
    public static function record(OrderStore $store, array $report, bool $verifiedOnline, ?string $unverified = null,
        ?array $key = null): void
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
            'key' => self::keyFacts($key),
        ];
        self::store($store, $record);
    }

    /**
     * A Save while the extension cannot be used: WHMCS stores the settings unchecked, and the
     * field says so until a Save with the extension checks them.
     */
    public static function recordUnchecked(OrderStore $store, string $problem): void
    {
        self::store($store, ['at' => gmdate('Y-m-d H:i:s') . ' UTC', 'unchecked' => $problem]);
    }

    /** The public facts of a key description, or null when there are none. */
    private static function keyFacts(?array $key): ?array
    {
        if ($key === null || !isset($key['algorithm'], $key['bits'], $key['fingerprintSha256'], $key['publicKeyPem'])) {
            return null;
        }
        return [
            'algorithm' => (string) $key['algorithm'],
            'bits' => (int) $key['bits'],
            'fingerprintSha256' => (string) $key['fingerprintSha256'],
            'publicKeyPem' => (string) $key['publicKeyPem'],
        ];
    }

    private static function store(OrderStore $store, array $record): void
    {
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
        if (isset($r['unchecked'])) {
            return '<strong class="text-danger spectrocoin-unchecked">' . Html::e('Not checked — install the extension.') . '</strong> '
                . Html::e('Saved ' . ($r['at'] ?? '') . ' without a check: the spectrocoin extension was not usable. '
                    . (Extension::problem() === null ? 'It is now: press Save to check the settings.'
                        : 'Install it (see the PHP extension field above), then press Save again to check them.'));
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
        $key = $r['key'] ?? null;
        if (is_array($key)) { // as keyFacts() stored it
            $out .= '<br><span id="spectrocoin-key">' . Html::e('Private key: ' . $key['algorithm'] . ' ' . $key['bits']
                . ', SHA-256 fingerprint ' . $key['fingerprintSha256'] . ' (of the public key).') . '</span> '
                . Html::e("Its public key, to compare with the one registered in your SpectroCoin project (in the project's settings at SpectroCoin):")
                . '<pre id="spectrocoin-public-key">' . Html::e(trim((string) $key['publicKeyPem'])) . '</pre>';
        }
        foreach ((array) ($r['warnings'] ?? []) as $w) {
            $out .= '<br><strong class="text-danger spectrocoin-warning">Warning:</strong> ' . Html::e($w);
        }
        return $out;
    }
}
