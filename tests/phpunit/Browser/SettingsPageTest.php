<?php

declare(strict_types=1);

namespace Tests\Browser;

use Testbed\WhmcsSite;

/**
 * The gateway's settings page (Setup → Payment Gateways) in a real browser (issue 17): the private
 * key is a masked field, the Settings check shows what the key is and the public key to register at
 * SpectroCoin, key mistakes say what to do, and Save works before the extension is installed.
 */
final class SettingsPageTest extends BrowserTestCase
{
    private const KEY_FIELD = '#form-spectrocoin input[name="field[privateKey]"]';

    /** SHA-256 of the DER SubjectPublicKeyInfo, computed by PHP's openssl. */
    private static function fingerprint(string $publicPem): string
    {
        $der = base64_decode((string) preg_replace('/-----[^-]+-----|\s+/', '', $publicPem), true);
        return implode(':', str_split(hash('sha256', (string) $der), 2));
    }

    private function openSettings(): void
    {
        $this->browser()->open(self::site()->url('admin/configgateways.php'));
        $this->assertSees('SpectroCoin (Bitcoin)');
    }

    public function testTheKeyIsMaskedAndTheSettingsCheckShowsItsPublicKey(): void
    {
        $b = $this->browser();
        $this->adminLogsIn();
        $this->openSettings();
        self::assertSame('password', $b->attribute(self::KEY_FIELD, 'type'));
        self::assertMatchesRegularExpression('/^\*+$/D', (string) $b->attribute(self::KEY_FIELD, 'value'), 'stars, not the key');
        $this->assertDoesNotSee('PRIVATE KEY');

        $public = openssl_pkey_get_details(openssl_pkey_get_private(self::merchantPrivateKey()))['key'];
        $this->assertSees('Private key: RSA 2048, SHA-256 fingerprint ' . self::fingerprint($public), '#spectrocoin-key');
        self::assertSame(trim($public), trim($b->text('#spectrocoin-public-key')), 'the public key, as openssl derives it');
        $this->assertSees('to compare with the one registered in your SpectroCoin project');
        // The extension's status is one short line; the loopback System URL of this sandbox is flagged.
        $this->assertSees('Loaded: version ' . spectrocoin_info()['version']);
        $this->assertSees('SpectroCoin cannot reach this callback URL: 127.0.0.1 is a loopback address', '#spectrocoin-callback-check');
        $b->screenshot('settings-key-described');
    }

    public function testANewKeyPastedOnOneLineIsSavedMaskedAndDescribed(): void
    {
        $new = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_RSA, 'private_key_bits' => 2048]);
        openssl_pkey_export($new, $pem);
        $public = openssl_pkey_get_details($new)['key'];
        $b = $this->browser();
        $this->adminLogsIn();
        $this->openSettings();
        // A browser drops the line breaks of text pasted into a one-line field.
        $b->fill(self::KEY_FIELD, str_replace(["\r", "\n"], '', $pem));
        $b->click('#form-spectrocoin button[type=submit]');
        $this->assertSees('Changes Saved Successfully!');
        self::assertMatchesRegularExpression('/^\*+$/D', (string) $b->attribute(self::KEY_FIELD, 'value'));
        $this->assertSees('SHA-256 fingerprint ' . self::fingerprint($public), '#spectrocoin-key');
        self::assertSame(trim($public), trim($b->text('#spectrocoin-public-key')));
        $this->assertDoesNotSee('PRIVATE KEY');
        $b->screenshot('settings-new-key');
    }

    public function testAnEncryptedKeyIsRefusedWithHowToDecryptIt(): void
    {
        openssl_pkey_export(openssl_pkey_get_private(self::merchantPrivateKey()), $encrypted, 'secret');
        $b = $this->browser();
        $this->adminLogsIn();
        $this->openSettings();
        $b->fill(self::KEY_FIELD, str_replace("\n", '', $encrypted));
        $b->click('#form-spectrocoin button[type=submit]');
        $error = $b->text('#config-error');
        self::assertStringContainsString('encrypted with a passphrase', $error);
        self::assertStringContainsString('openssl pkey -in enc.pem -out plain.pem', $error);
        $this->assertDoesNotSee('Changes Saved Successfully!');
        self::assertSame(self::merchantPrivateKey(), self::site()->gatewaySettings(self::GATEWAY)['privateKey'], 'the saved key is kept');
        $b->screenshot('settings-encrypted-key');
    }

    public function testSettingsSaveBeforeTheExtensionIsInstalled(): void
    {
        // A second site on the same simulator whose PHP has no spectrocoin extension.
        $site = new WhmcsSite(modules: [dirname(__DIR__, 3) . '/php-module/modules'], ini: [
            'spectrocoin.api_url' => self::sim()->apiUrl(),
            'spectrocoin.public_key_url' => self::sim()->publicKeyUrl(),
        ], workers: 2);
        try {
            $site->activateGateway(self::GATEWAY);
            $b = $this->browser();
            $b->open($site->url('admin/login.php'));
            $b->fill('input[name=username]', 'admin');
            $b->fill('input[name=password]', 'admin');
            $b->click('button[type=submit]');
            $b->open($site->url('admin/configgateways.php'));
            $this->assertSees('NOT AVAILABLE: not loaded in this PHP');
            $this->assertSees('Not checked yet');
            $b->screenshot('no-extension-before-save');

            $b->fill('#form-spectrocoin input[name="field[merchantId]"]', self::MERCHANT_ID);
            $b->fill('#form-spectrocoin input[name="field[projectId]"]', self::PROJECT_ID);
            $b->fill(self::KEY_FIELD, str_replace("\n", '', self::merchantPrivateKey()));
            $b->click('#form-spectrocoin button[type=submit]');
            $this->assertSees('Changes Saved Successfully!');
            $this->assertSees('Not checked — install the extension.');
            $this->assertSees('press Save again to check them');
            // The callback URL is tested without the extension too (the probe needs none).
            $this->assertSees('Callback URL ' . $site->callbackUrl(self::GATEWAY) . ' tested', '#spectrocoin-callback-check');
            $this->assertSees('works', '#spectrocoin-callback-check');
            $this->assertDoesNotSee('PRIVATE KEY');
            self::assertMatchesRegularExpression('/^\*+$/D', (string) $b->attribute(self::KEY_FIELD, 'value'));
            $stored = $site->gatewaySettings(self::GATEWAY);
            self::assertSame([self::MERCHANT_ID, self::PROJECT_ID], [$stored['merchantId'], $stored['projectId']]);
            self::assertSame(str_replace("\n", '', self::merchantPrivateKey()), $stored['privateKey']);
            $b->screenshot('no-extension-saved');
        } finally {
            $site->stop();
        }
    }
}
