<?php

declare(strict_types=1);

namespace Tests\Extension;

use SpectroCoin\ConfigException;

/** The small pure functions the WHMCS module relies on. */
final class ModuleSupportTest extends ExtensionTestCase
{
    public function testCheckConfigAcceptsEachCredentialSetAndSaysWhatWorks(): void
    {
        $key = self::vectors()['merchant_test_private_key_pem'];
        $r = spectrocoin_check_config(['merchantId' => '25', 'projectId' => '74', 'privateKey' => $key]);
        self::assertSame([true, false, 'numeric', []], [$r['legacy'], $r['current'], $r['idScheme'], $r['warnings']]);
        $current = ['projectId' => 'a1b2c3d4-e5f6-4789-8abc-def012345678', 'clientId' => 'c', 'clientSecret' => 's'];
        $r = spectrocoin_check_config($current);
        self::assertSame([false, true, null], [$r['legacy'], $r['current'], $r['idScheme']]);
        self::assertStringContainsString('Merchant ID', $r['warnings'][0]);
        $r = spectrocoin_check_config($current + ['merchantId' => '3f2b6a1c-7d4e-4a8b-9c1d-2e5f6a7b8c9d', 'privateKey' => $key]);
        self::assertSame([true, true, 'uuid', []], [$r['legacy'], $r['current'], $r['idScheme'], $r['warnings']]);
    }

    /** Pay Now's converted amount is rounded on its decimal digits, half up, never via number_format. */
    public function testConvertedAmountsAreRoundedHalfUpOnTheirDigits(): void
    {
        require_once dirname(__DIR__, 3) . '/php-module/modules/gateways/spectrocoin/lib/Decimal.php';
        $cases = [
            ['12.345', '12.35'], ['12.344', '12.34'], ['99.995', '100.00'], ['-1.005', '-1.01'],
            ['7', '7.00'], [10, '10.00'], ['0.004', '0.00'], ['-0.004', '0.00'],
            // The float WHMCS may answer: written once with 10 decimals, then rounded as text.
            [12.345, '12.35'], [0.1 + 0.2, '0.30'], [1e-7, '0.00'],
            // More than 15 integer digits is refused; 15 keep every digit (a float would not).
            ['9007199254740993.5', null], ['900719925474099.35', '900719925474099.35'],
            ['1e5', null], ['abc', null], ['', null], [INF, null], [NAN, null],
        ];
        foreach ($cases as [$in, $want]) {
            self::assertSame($want, \WHMCS\Module\Gateway\Spectrocoin\Decimal::round2($in), var_export($in, true));
        }
    }

    /** @dataProvider badConfigs */
    public function testCheckConfigNamesTheProblem(array $merchant, string $needle): void
    {
        $this->expectException(ConfigException::class);
        $this->expectExceptionMessageMatches('/' . preg_quote($needle, '/') . '/');
        spectrocoin_check_config($merchant);
    }

    public static function badConfigs(): array
    {
        $key = self::vectors()['merchant_test_private_key_pem'];
        return [
            'nothing' => [['projectId' => '74'], 'configure either'],
            'mixed ids' => [['merchantId' => '25', 'projectId' => 'a1b2c3d4-e5f6-4789-8abc-def012345678', 'privateKey' => $key], 'both be numbers'],
            'bad key' => [['merchantId' => '25', 'projectId' => '74', 'privateKey' => 'nope'], 'not a PEM key'],
            'numeric project with oauth' => [['projectId' => '74', 'clientId' => 'c', 'clientSecret' => 's'], 'UUID'],
        ];
    }

    /**
     * A well-formed key whose RSA check fails (its private exponent changed) is refused at Save
     * (spectrocoin_check_config), which is where the ~47 ms check runs; signing does not repeat it.
     */
    public function testAnInconsistentKeyIsRefusedWhenTheSettingsAreChecked(): void
    {
        $rsa = openssl_pkey_get_details(openssl_pkey_get_private(self::vectors()['merchant_test_private_key_pem']))['rsa'];
        $rsa['d'][strlen($rsa['d']) - 1] = chr(ord($rsa['d'][strlen($rsa['d']) - 1]) ^ 2);
        $broken = openssl_pkey_new(['rsa' => $rsa]);
        self::assertNotFalse($broken);
        self::assertTrue(openssl_pkey_export($broken, $pem));
        try {
            spectrocoin_check_config(['merchantId' => '25', 'projectId' => '74', 'privateKey' => $pem]);
            self::fail('an inconsistent key was accepted at Save');
        } catch (ConfigException $e) {
            self::assertStringContainsString('inconsistent', $e->getMessage());
        }
        self::assertNotSame('', spectrocoin_sign('merchantId=25', $pem));
    }

    public function testTransactionIdPrefersTheStoredSpectroCoinId(): void
    {
        $cb = ['orderId' => '7-1', 'orderRequestId' => '901', 'status' => 3, 'receiveCurrency' => 'EUR', 'receiveAmount' => '1'];
        $row = ['orderId' => '7-1', 'receiveCurrency' => 'EUR', 'receiveAmount' => '1'];
        self::assertSame('SC901', spectrocoin_transaction_id($cb, $row));
        self::assertSame('SC900', spectrocoin_transaction_id($cb, $row + ['orderRequestId' => 900]));
    }

    public function testOrderReuseRule(): void
    {
        $now = 1_800_000_000_000;
        $open = ['status' => 'CREATED', 'credited' => 0, 'reviewReason' => null, 'redirectUrl' => 'https://x/1',
            'validUntil' => (string) ($now + 600_000), 'receiveAmount' => '12.30000000', 'receiveCurrency' => 'EUR', 'invoiceAmount' => '12.30'];
        self::assertTrue(spectrocoin_order_reusable($open, '12.3', 'EUR', '12.30', $now));
        self::assertFalse(spectrocoin_order_reusable(['validUntil' => $now + 60_000] + $open, '12.3', 'EUR', '12.30', $now));
        self::assertFalse(spectrocoin_order_reusable(['reviewReason' => 'x'] + $open, '12.3', 'EUR', '12.30', $now));
        self::assertFalse(spectrocoin_order_reusable($open, '12.3', 'EUR', '10.00', $now));
        self::assertTrue(spectrocoin_order_reusable(['status' => 'PENDING', 'validUntil' => $now - 1] + $open, '12.3', 'EUR', '12.30', $now));
        // The row's status as the module stores it, exactly; anything else is never reused.
        foreach (['', 'created', 'WHATEVER', 'PAID', 'EXPIRED'] as $status) {
            self::assertFalse(spectrocoin_order_reusable(['status' => $status] + $open, '12.3', 'EUR', '12.30', $now), $status);
        }
        self::assertTrue(spectrocoin_order_reusable(['status' => 'NEW'] + $open, '12.3', 'EUR', '12.30', $now));
        $realNow = (int) (microtime(true) * 1000);
        self::assertFalse(spectrocoin_order_reusable(['validUntil' => $realNow + 60_000] + $open, '12.3', 'EUR', '12.30'), 'the real clock is the default');
        self::assertTrue(spectrocoin_order_reusable(['validUntil' => $realNow + 600_000] + $open, '12.3', 'EUR', '12.30'));
    }

    public function testDecisionReportsThePendingFlag(): void
    {
        $cb = ['orderId' => '7-1', 'orderRequestId' => '900', 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.3', 'status' => 2];
        $row = ['orderId' => '7-1', 'orderRequestId' => '900', 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.3', 'status' => 'CREATED'];
        self::assertTrue(spectrocoin_decide($cb, $row, ['status' => 'Unpaid'])['row']['pendingSet']);
        self::assertNull(spectrocoin_decide($cb, $row, ['status' => 'Unpaid'], false)['row']['pendingSet']);
    }
}
