<?php

declare(strict_types=1);

namespace SimulatorTests;

use PHPUnit\Framework\TestCase;
use Sim\Canon;

require_once dirname(__DIR__, 2) . '/simulator/lib/Canon.php';

/** The simulator's own canonicalization code, checked against the real vectors. */
final class CanonTest extends TestCase
{
    /** @var array<string, mixed> */
    private static array $vectors;

    public static function setUpBeforeClass(): void
    {
        self::$vectors = json_decode(
            (string) file_get_contents(dirname(__DIR__, 2) . '/fixtures/vectors/spectrocoin-vectors.json'),
            true,
            512,
            JSON_THROW_ON_ERROR,
        );
    }

    public function testRealSpectroCoinCallbackV1VerifiesUnderItsKey(): void
    {
        $v1 = self::$vectors['callbacks'][0];

        $signedString = Canon::callbackSignedString($v1['fields']);

        self::assertSame($v1['signed_string'], $signedString);
        self::assertTrue(Canon::verify($signedString, $v1['sign'], self::$vectors[$v1['key']]));
    }

    public function testV1WithAnyFieldChangedDoesNotVerify(): void
    {
        $v1 = self::$vectors['callbacks'][0];
        $fields = $v1['fields'];
        $fields['receivedAmount'] = '20.0';

        self::assertFalse(Canon::verify(Canon::callbackSignedString($fields), $v1['sign'], self::$vectors[$v1['key']]));
    }

    public function testRequestVectorsRebuildAndVerify(): void
    {
        foreach (self::$vectors['requests'] as $vector) {
            $fields = [];
            foreach (Canon::parseForm($vector['signed_string']) as [$name, $value]) {
                $fields[$name] = $value;
            }
            self::assertSame($vector['signed_string'], Canon::requestSignedString($fields), $vector['name']);
            self::assertTrue(Canon::verify($vector['signed_string'], $vector['sign'], self::$vectors['merchant_test_public_key_pem']));
            self::assertSame($vector['sign'], Canon::sign($vector['signed_string'], self::$vectors['merchant_test_private_key_pem']), 'deterministic');
        }
    }

    public function testAmountFormatVectors(): void
    {
        foreach (self::$vectors['amount_format'] as [$input, $expected]) {
            self::assertSame($expected, Canon::formatAmount($input), "format($input)");
        }
    }

    public function testRejectedAmountVectors(): void
    {
        foreach (self::$vectors['order_amount_rejected'] as $input) {
            self::assertNull(Canon::formatAmount($input), "format($input) must be refused");
        }
    }

    public function testIncomingAmountsWithMoreThanEightDecimalsRoundHalfUp(): void
    {
        self::assertSame('0.12345679', Canon::formatAmount('0.123456785', true));
        self::assertSame('0.12345678', Canon::formatAmount('0.123456784', true));
        self::assertSame('10.0', Canon::formatAmount('9.999999995', true));
    }

    public function testEncodingIsRfc1738WithUppercaseHex(): void
    {
        self::assertSame('d=a+b%2A%7E%2F%3A-_.%C4%81', Canon::pair('d', "a b*~/:-_.\u{101}"));
    }

    public function testFormParsingTakesPlusAndPercent20AsSpace(): void
    {
        self::assertSame([['a', 'x y z'], ['b', '']], Canon::parseForm('a=x+y%20z&b='));
    }
}
