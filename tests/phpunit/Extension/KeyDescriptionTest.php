<?php

declare(strict_types=1);

namespace Tests\Extension;

use SpectroCoin\ConfigException;

/**
 * spectrocoin_describe_key: what the settings page shows about the merchant key (issue 17),
 * checked against PHP's own openssl: the same public key, the same fingerprint, nothing private.
 */
final class KeyDescriptionTest extends ExtensionTestCase
{
    /** SHA-256 of the DER SubjectPublicKeyInfo, computed by PHP: lowercase hex pairs joined by colons. */
    private static function fingerprintByPhp(string $publicPem): string
    {
        $b64 = preg_replace('/-----[^-]+-----|\s+/', '', $publicPem);
        return implode(':', str_split(hash('sha256', (string) base64_decode((string) $b64, true)), 2));
    }

    public function testTheKeyIsDescribedAsPhpsOpenSslSeesIt(): void
    {
        $v = self::vectors();
        $pem = $v['merchant_test_private_key_pem'];
        $details = openssl_pkey_get_details(openssl_pkey_get_private($pem));
        $d = spectrocoin_describe_key($pem);
        self::assertSame(['algorithm', 'bits', 'fingerprintSha256', 'publicKeyPem'], array_keys($d));
        self::assertSame('RSA', $d['algorithm']);
        self::assertSame(OPENSSL_KEYTYPE_RSA, $details['type']);
        self::assertSame($details['bits'], $d['bits']);
        self::assertSame(2048, $d['bits']);
        self::assertSame(trim($details['key']), trim($d['publicKeyPem']), 'the public key openssl derives');
        self::assertSame(trim($v['merchant_test_public_key_pem']), trim($d['publicKeyPem']), 'the published public half');
        self::assertSame(self::fingerprintByPhp($details['key']), $d['fingerprintSha256']);
        self::assertMatchesRegularExpression('/^[0-9a-f]{2}(:[0-9a-f]{2}){31}$/D', $d['fingerprintSha256']);
        self::assertStringNotContainsString('PRIVATE', implode("\n", array_map('strval', $d)));
        self::assertSame(1, openssl_verify('x', (string) base64_decode(spectrocoin_sign('x', $pem)), $d['publicKeyPem'], OPENSSL_ALGO_SHA1),
            'it verifies what the key signs');
    }

    public function testAPkcs8KeyOnOneLineAndAFreshKeyAreDescribedToo(): void
    {
        $fresh = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_RSA, 'private_key_bits' => 3072]);
        openssl_pkey_export($fresh, $pkcs8);
        self::assertStringContainsString('BEGIN PRIVATE KEY', $pkcs8);
        $d = spectrocoin_describe_key(str_replace("\n", ' ', $pkcs8));
        $public = openssl_pkey_get_details($fresh)['key'];
        self::assertSame(3072, $d['bits']);
        self::assertSame(trim($public), trim($d['publicKeyPem']));
        self::assertSame(self::fingerprintByPhp($public), $d['fingerprintSha256']);
    }

    public function testUnusableKeysAreRefusedWithWhatToDo(): void
    {
        $v = self::vectors();
        openssl_pkey_export(openssl_pkey_get_private($v['merchant_test_private_key_pem']), $encrypted, 'secret');
        $cases = [
            'paste the whole private key, from the "-----BEGIN" line to the "-----END' => ['', 'garbage',
                substr($v['merchant_test_private_key_pem'], 0, 300)],
            'openssl pkey -in enc.pem -out plain.pem' => [$encrypted],
            'a public key or certificate was given where the private key is needed' => [$v['merchant_test_public_key_pem']],
        ];
        foreach ($cases as $needle => $pems) {
            foreach ($pems as $pem) {
                try {
                    spectrocoin_describe_key($pem);
                    self::fail('described ' . $pem);
                } catch (ConfigException $e) {
                    self::assertStringContainsString($needle, $e->getMessage());
                }
            }
        }
    }
}
