<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

use Testbed\Simulator;

/** The admin side: saving settings (validated by the extension) and what the config page shows. */
final class GatewaySettingsTest extends EndToEndTestCase
{
    public function testValidSettingsSaveAndKeepTheLegacyModuleKeys(): void
    {
        $settings = self::site()->gatewaySettings(self::GATEWAY);
        self::assertSame(self::MERCHANT_ID, $settings['merchantId']);
        self::assertSame(self::PROJECT_ID, $settings['projectId']);
        self::assertStringContainsString('PRIVATE KEY', $settings['privateKey']);
        self::assertSame('BTC', $settings['payCurrency']);
        self::assertSame('on', $settings['markPending']);
    }

    public function testUuidIdsAreAccepted(): void
    {
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, [
            'merchantId' => '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d',
            'projectId' => 'a1b2c3d4-e5f6-4789-8abc-def012345678',
        ]));
    }

    public function testAPkcs8KeyWithWindowsLineEndsIsAccepted(): void
    {
        $key = openssl_pkey_get_private(self::merchantPrivateKey());
        openssl_pkey_export($key, $pkcs8);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, [
            'privateKey' => "  " . str_replace("\n", "\r\n", $pkcs8) . "\r\n",
        ]));
    }

    public function testThePrivateKeyIsAMaskedFieldNeverPrintedBack(): void
    {
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        self::assertSame(1, preg_match('#<tr data-field="privateKey" data-type="password">.*?</tr>#s', $page, $row), 'a password field');
        // (The first ~300 bytes hold the modulus, which the Settings check shows as the public key.)
        $body = substr((string) preg_replace('/-----[^-]+-----|\s+/', '', self::merchantPrivateKey()), 400);
        foreach (str_split($body, 40) as $piece) {
            self::assertStringNotContainsString($piece, $page, 'no part of the key is on the page');
        }
        self::assertStringNotContainsString('PRIVATE KEY', strip_tags($page));
        // Saving other fields leaves the stars, and the saved key is kept (and still signs).
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['payCurrency' => 'BTC']));
        self::assertSame(self::merchantPrivateKey(), self::site()->gatewaySettings(self::GATEWAY)['privateKey']);
        self::assertSame(303, $this->pressPayNow(1)['status']);
    }

    public function testAKeyPastedIntoThePasswordFieldOnOneLineIsAcceptedAndSigns(): void
    {
        // A browser strips the line breaks of text pasted into a one-line field.
        $oneLine = str_replace(["\r", "\n"], '', self::merchantPrivateKey());
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['privateKey' => $oneLine]));
        self::assertSame(303, $this->pressPayNow(1)['status'], 'orders are signed with it');
        // And with spaces where the line breaks were.
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['privateKey' => str_replace("\n", ' ', self::merchantPrivateKey())]));
    }

    /** @return array<string, array{array<string, string>, string}> */
    public static function badSettings(): array
    {
        return [
            'garbage key' => [['privateKey' => 'not a key'], 'private key'],
            'truncated key' => [['privateKey' => "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----"], 'private key'],
            'empty merchant id' => [['merchantId' => ''], 'Merchant ID'],
            'mixed id kinds' => [['projectId' => 'a1b2c3d4-e5f6-4789-8abc-def012345678'], 'both be numbers or both be UUIDs'],
            'not an id' => [['merchantId' => 'my shop'], 'both be numbers or both be UUIDs'],
            'no credentials at all' => [['privateKey' => ''], 'Client ID and secret'],
            'client id without secret' => [['clientId' => 'sim-client-1'], 'client secret'],
        ];
    }

    /** @dataProvider badSettings */
    public function testBadSettingsAreRejectedWithAClearMessage(array $values, string $needle): void
    {
        $errors = self::site()->saveGatewaySettings(self::GATEWAY, $values);
        self::assertCount(1, $errors);
        self::assertStringContainsStringIgnoringCase($needle, $errors[0]);
        self::assertSame(self::MERCHANT_ID, self::site()->gatewaySettings(self::GATEWAY)['merchantId']);
    }

    public function testAnEcKeyIsRejected(): void
    {
        $ec = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
        openssl_pkey_export($ec, $pem);
        $errors = self::site()->saveGatewaySettings(self::GATEWAY, ['privateKey' => $pem]);
        self::assertCount(1, $errors);
        self::assertStringContainsStringIgnoringCase('private key', $errors[0]);
    }

    public function testTheConfigPageShowsCallbackUrlAndTheExtensionBuildInOneShortLine(): void
    {
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        self::assertStringContainsString(self::site()->callbackUrl(self::GATEWAY), $page['body']);
        $info = spectrocoin_info();
        $line = self::field($page['body'], 'extensionStatus');
        self::assertStringStartsWith('Loaded: version ' . $info['version'] . ' for PHP ' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION
            . ' (API ' . $info['phpApi'] . ', ' . $info['threading'] . '), OpenSSL ', $line);
        self::assertLessThan(120, strlen($line), $line);
        self::assertStringNotContainsString('NOT AVAILABLE', $page['body']);
    }

    /** The visible text of one field's row on the gateway settings page. */
    private static function field(string $page, string $name): string
    {
        self::assertSame(1, preg_match('#<tr data-field="' . $name . '"[^>]*><td>.*?</td><td>(.*?)</td></tr>#s', $page, $m), $name . ' on ' . $page);
        return trim(html_entity_decode(strip_tags($m[1]), ENT_QUOTES | ENT_HTML5));
    }

    public function testTheSettingsCheckShowsWhatTheKeyIsAndThePublicKeyToRegister(): void
    {
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        // Computed here by PHP's openssl, independently of the extension.
        $public = openssl_pkey_get_details(openssl_pkey_get_private(self::merchantPrivateKey()))['key'];
        $der = base64_decode((string) preg_replace('/-----[^-]+-----|\s+/', '', $public), true);
        $fingerprint = implode(':', str_split(hash('sha256', (string) $der), 2));
        $check = self::field($page, 'settingsCheck');
        self::assertStringContainsString('Private key: RSA 2048, SHA-256 fingerprint ' . $fingerprint . ' (of the public key).', $check);
        self::assertSame(1, preg_match('#<pre id="spectrocoin-public-key">(.*?)</pre>#s', $page, $m));
        self::assertSame(trim($public), html_entity_decode($m[1]));
        self::assertSame(trim(self::vectors()['merchant_test_public_key_pem']), html_entity_decode($m[1]), 'the registered public half');
        self::assertStringNotContainsString('PRIVATE KEY', strip_tags($page));

        // Another key: the check follows the saved key.
        $other = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_RSA, 'private_key_bits' => 2048]);
        openssl_pkey_export($other, $otherPem);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['privateKey' => $otherPem]));
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        self::assertStringContainsString(trim(openssl_pkey_get_details($other)['key']), html_entity_decode($page));
        self::assertStringNotContainsString($fingerprint, $page);

        // Client credentials only: no key, nothing to show.
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, ['merchantId' => '', 'privateKey' => '',
            'clientId' => Simulator::DEFAULT_CLIENT_ID, 'clientSecret' => Simulator::DEFAULT_CLIENT_SECRET,
            'projectId' => Simulator::DEFAULT_PROJECT_ID]));
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        self::assertStringNotContainsString('spectrocoin-public-key', $page);
    }

    public function testSettingsSavedWithoutTheExtensionAreCheckedOnTheNextSave(): void
    {
        // What a Save made while the extension was missing left (WithoutExtensionTest makes one).
        self::site()->query("REPLACE INTO mod_spectrocoin_meta (name, value) VALUES ('settings_check', ?)",
            [json_encode(['at' => '2026-01-01 00:00:00 UTC', 'unchecked' => 'The spectrocoin PHP extension is not loaded'])]);
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        $check = self::field($page, 'settingsCheck');
        self::assertStringContainsString('Not checked — install the extension.', $check);
        self::assertStringContainsString('It is now: press Save to check the settings.', $check);
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, []));
        $check = self::field(self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'], 'settingsCheck');
        self::assertStringStartsWith('Checked ', $check);
        self::assertStringContainsString('RSA 2048', $check);
    }

    /** @return array<string, array{string, string}> */
    public static function keyMistakes(): array
    {
        $key = openssl_pkey_get_private(self::vectors()['merchant_test_private_key_pem']);
        openssl_pkey_export($key, $encrypted, 'secret');
        $pem = self::vectors()['merchant_test_private_key_pem'];
        return [
            'encrypted' => [$encrypted, 'decrypt it (openssl pkey -in enc.pem -out plain.pem asks for the passphrase) and paste plain.pem'],
            'only the body' => [(string) preg_replace('/-----[^-]+-----/', '', $pem), 'paste the whole private key, from the "-----BEGIN" line to the "-----END ...-----" line'],
            'cut short' => [substr($pem, 0, 900), 'paste the whole private key, from the "-----BEGIN" line'],
        ];
    }

    /** @dataProvider keyMistakes */
    public function testAKeyMistakeIsRefusedWithWhatToDo(string $pem, string $what): void
    {
        $errors = self::site()->saveGatewaySettings(self::GATEWAY, ['privateKey' => $pem]);
        self::assertCount(1, $errors);
        self::assertStringContainsString($what, $errors[0]);
        self::assertSame(self::merchantPrivateKey(), self::site()->gatewaySettings(self::GATEWAY)['privateKey'], 'nothing saved');
    }

    public function testACallbackUrlSpectroCoinCannotReachIsFlaggedButSaves(): void
    {
        // The test site runs on 127.0.0.1: it works from here, and is flagged.
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        self::assertSame(1, preg_match('#<span id="spectrocoin-callback-check" data-ok="1">(.*?)</span>#s', $page, $m), $page);
        $shown = html_entity_decode(strip_tags($m[1]), ENT_QUOTES | ENT_HTML5);
        self::assertStringContainsString('works', $shown);
        self::assertStringContainsString('Warning: SpectroCoin cannot reach this callback URL: 127.0.0.1 is a loopback address', $shown);
        self::assertStringContainsString('System URL to the address the internet reaches', $shown);
        // localhost likewise; the Save is never refused for it.
        $port = (int) parse_url(self::site()->systemUrl(), PHP_URL_PORT);
        self::site()->setConfig('SystemURL', 'http://localhost:' . $port . '/');
        try {
            self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, []));
        } finally {
            self::site()->setConfig('SystemURL', self::site()->systemUrl());
        }
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin())['body'];
        self::assertStringContainsString('cannot reach this callback URL: localhost is this server itself', $page);
    }

    /** @return array<string, array{string, ?string}> */
    public static function hosts(): array
    {
        return [
            'localhost' => ['localhost', 'this server itself'],
            'IPv4 loopback' => ['127.0.0.2', 'loopback'],
            '10/8' => ['10.20.30.40', 'private network'],
            '172.16/12' => ['172.31.255.1', 'private network'],
            '192.168/16' => ['192.168.0.10', 'private network'],
            'IPv4 link-local' => ['169.254.169.254', 'link-local'],
            'CGNAT' => ['100.100.1.1', 'shared'],
            'IPv6 loopback' => ['[::1]', 'loopback'],
            'IPv6 unique local' => ['[fd12:3456::1]', 'unique local'],
            'IPv6 link-local' => ['[fe80::1]', 'link-local'],
            'IPv4-mapped private' => ['[::ffff:192.168.1.1]', 'private network'],
            'intranet name' => ['whmcs', 'local network name'],
            'public IPv4' => ['203.0.113.7', null],
            '172.32 is public' => ['172.32.0.1', null],
            'public IPv6' => ['[2001:db8::1]', null],
            'public name' => ['billing.example.com', null],
        ];
    }

    /** @dataProvider hosts */
    public function testHostsSpectroCoinCannotReachAreNamed(string $host, ?string $why): void
    {
        require_once dirname(__DIR__, 3) . '/php-module/modules/gateways/spectrocoin/lib/CallbackUrlCheck.php';
        $reason = \WHMCS\Module\Gateway\Spectrocoin\CallbackUrlCheck::unreachableHost($host);
        if ($why === null) {
            self::assertNull($reason);
        } else {
            self::assertStringContainsString($why, (string) $reason);
        }
    }
}
