<?php

declare(strict_types=1);

namespace Tests\Extension;

use SpectroCoin\ConfigException;

final class SigningTest extends ExtensionTestCase
{
    public function testEveryPublishedAmountCaseFormatsAsDocumented(): void
    {
        foreach (self::vectors()['amount_format'] as [$in, $want]) {
            self::assertSame($want, spectrocoin_format_amount($in), $in);
        }
    }

    public function testEveryRejectedAmountThrowsConfigException(): void
    {
        foreach (self::vectors()['order_amount_rejected'] as $in) {
            try {
                spectrocoin_format_amount($in);
                self::fail("accepted {$in}");
            } catch (ConfigException $e) {
                self::assertStringContainsString('amount', $e->getMessage());
            }
        }
    }

    public function testPublishedRequestVectorsReproduceExactlyThroughSign(): void
    {
        $v = self::vectors();
        foreach ($v['requests'] as $r) {
            self::assertSame($r['sign'], spectrocoin_sign($r['signed_string'], $v['merchant_test_private_key_pem']), $r['name']);
            self::assertTrue(spectrocoin_verify($r['signed_string'], $r['sign'], $v['merchant_test_public_key_pem']));
            self::assertFalse(spectrocoin_verify($r['signed_string'] . 'x', $r['sign'], $v['merchant_test_public_key_pem']));
        }
    }

    public function testOpenSslAgreesWithTheExtension(): void
    {
        $v = self::vectors();
        $data = "merchantId=1&description=" . urlencode("ąčę <b> & \"x\"");
        $sig = spectrocoin_sign($data, $v['merchant_test_private_key_pem']);
        self::assertSame(1, openssl_verify($data, base64_decode($sig), $v['merchant_test_public_key_pem'], OPENSSL_ALGO_SHA1));
        openssl_sign($data, $raw, $v['merchant_test_private_key_pem'], OPENSSL_ALGO_SHA1);
        self::assertSame(base64_encode($raw), $sig);
    }

    public function testV2OrderRequestReproducesThePublishedSignedStringAndSignature(): void
    {
        $v = self::vectors();
        $req = spectrocoin_order_request(
            ['merchantId' => '25', 'projectId' => '74', 'privateKey' => $v['merchant_test_private_key_pem']],
            ['orderId' => 'NO-2514', 'payCurrency' => 'BTC', 'payAmount' => '20', 'receiveCurrency' => 'EUR',
             'description' => 'Super payment', 'culture' => '', 'callbackUrl' => 'http://mySite.com/callback',
             'successUrl' => '', 'failureUrl' => '']
        );
        self::assertSame($v['requests'][0]['signed_string'], $req['signedString']);
        self::assertSame($v['requests'][0]['sign'], $req['sign']);
        self::assertSame($req['signedString'] . '&sign=' . urlencode($req['sign']), $req['body']);
    }

    public function testV4OrderRequestWithEmptyPayerFieldsReproducesThePublishedSignature(): void
    {
        $v = self::vectors();
        $req = spectrocoin_order_request(
            ['merchantId' => 87, 'projectId' => 1, 'privateKey' => $v['merchant_test_private_key_pem']],
            ['orderId' => '', 'payCurrency' => 'BTC', 'payAmount' => '0.0', 'receiveCurrency' => 'USD',
             'receiveAmount' => '15.99', 'description' => 'Payment for Order-2547', 'payerEmail' => '',
             'payerName' => '', 'payerSurname' => '', 'culture' => '',
             'callbackUrl' => 'https://merchant.com/callback?user=123',
             'successUrl' => 'https://merchant.com/success?user=123',
             'failureUrl' => 'https://merchant.com/failure?user=123']
        );
        self::assertSame($v['requests'][1]['signed_string'], $req['signedString']);
        self::assertSame($v['requests'][1]['sign'], $req['sign']);
    }

    public function testPkcs8KeyWithCrlfFromATextareaSignsTheSame(): void
    {
        $v = self::vectors();
        $key = openssl_pkey_get_private($v['merchant_test_private_key_pem']);
        openssl_pkey_export($key, $pkcs8);
        $messy = "  \r\n" . str_replace("\n", "\r\n  ", $pkcs8) . "\r\n";
        $s = $v['requests'][0]['signed_string'];
        self::assertSame($v['requests'][0]['sign'], spectrocoin_sign($s, $messy));
    }

    /** @dataProvider badKeys */
    public function testUnusableKeysThrowConfigExceptionNamingTheProblem(string $pem, string $reason): void
    {
        $this->expectException(ConfigException::class);
        $this->expectExceptionMessageMatches('/' . preg_quote($reason, '/') . '/');
        spectrocoin_sign('x', $pem);
    }

    public static function badKeys(): array
    {
        $v = self::vectors();
        $key = openssl_pkey_get_private($v['merchant_test_private_key_pem']);
        openssl_pkey_export($key, $encrypted, 'secret');
        $ec = openssl_pkey_new(['private_key_type' => OPENSSL_KEYTYPE_EC, 'curve_name' => 'prime256v1']);
        openssl_pkey_export($ec, $ecPem);
        return [
            'encrypted' => [$encrypted, 'encrypted'],
            'ec' => [$ecPem, 'not an RSA key'],
            'public' => [$v['merchant_test_public_key_pem'], 'public key'],
            'garbage' => ['not a key', 'not a PEM key'],
            'empty' => ['', 'not a PEM key'],
            'truncated' => [substr($v['merchant_test_private_key_pem'], 0, 300), 'incomplete'],
        ];
    }

    public function testBadPublicKeyThrowsAndWrongSignatureIsFalseNotError(): void
    {
        $v = self::vectors();
        self::assertFalse(spectrocoin_verify('x', 'not base64!!', $v['merchant_test_public_key_pem']));
        self::assertFalse(spectrocoin_verify('x', '', $v['merchant_test_public_key_pem']));
        $this->expectException(ConfigException::class);
        spectrocoin_verify('x', 'AAAA', 'garbage');
    }

    public function testWronglyTypedArgumentsStayTypeErrors(): void
    {
        $this->expectException(\TypeError::class);
        spectrocoin_order_request('not an array', []);
    }

    public function testFloatAmountsInArraysAreRefusedNotRounded(): void
    {
        $v = self::vectors();
        $this->expectException(ConfigException::class);
        $this->expectExceptionMessageMatches('/float/');
        spectrocoin_order_request(
            ['merchantId' => '25', 'projectId' => '74', 'privateKey' => $v['merchant_test_private_key_pem']],
            ['orderId' => '1-1', 'receiveCurrency' => 'EUR', 'receiveAmount' => 99999999999.99]
        );
    }

    public function testExceptionTreeIsAsDocumented(): void
    {
        self::assertTrue(is_subclass_of(\SpectroCoin\Exception::class, \Exception::class));
        foreach (['ConfigException', 'ApiException', 'NetworkException', 'CallbackException'] as $c) {
            self::assertTrue(is_subclass_of("SpectroCoin\\$c", \SpectroCoin\Exception::class), $c);
        }
        self::assertTrue(is_subclass_of(\SpectroCoin\SignatureException::class, \SpectroCoin\CallbackException::class));
    }

    public function testInfoSaysWhichPhpTheBuildIsFor(): void
    {
        $info = spectrocoin_info();
        self::assertSame(PHP_VERSION, $info['phpVersion']);
        self::assertSame(PHP_ZTS ? 'ZTS' : 'NTS', $info['threading']);
        self::assertMatchesRegularExpression('/^\d{8}$/', $info['phpApi']);
        self::assertStringContainsString('OpenSSL', $info['openssl']);
        ob_start();
        phpinfo(INFO_MODULES);
        $page = (string) ob_get_clean();
        self::assertStringContainsString('built for PHP API => ' . $info['phpApi'], $page);
    }
}
