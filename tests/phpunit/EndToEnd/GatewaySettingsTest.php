<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

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
        $body = preg_replace('/-----[^-]+-----|\s+/', '', self::merchantPrivateKey());
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

    public function testTheConfigPageShowsCallbackUrlAndExtensionBuild(): void
    {
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertSame(200, $page['status']);
        self::assertStringContainsString(self::site()->callbackUrl(self::GATEWAY), $page['body']);
        $info = spectrocoin_info();
        self::assertStringContainsString('loaded, version ' . $info['version'], $page['body']);
        self::assertStringContainsString((string) $info['phpApi'], $page['body']);
        self::assertStringNotContainsString('NOT AVAILABLE', $page['body']);
    }
}
