<?php

declare(strict_types=1);

namespace Sim;

/**
 * The legacy protocol's canonical forms (spectrocoin-api.md 1.2, 1.3, 1.5), written
 * independently of the product's Rust core: field orders, amount formatting, form encoding,
 * SHA1withRSA signing and verification with plain PHP OpenSSL.
 */
final class Canon
{
    /**
     * createOrder fields in signing order (1.2). Slots 1 and 2 accept either name:
     * numeric ids travel as merchantId/apiId, UUIDs as userId/merchantApiId.
     */
    public const REQUEST_SLOTS = [
        ['merchantId', 'userId'],
        ['apiId', 'merchantApiId'],
        ['orderId'],
        ['payCurrency'],
        ['payAmount'],
        ['receiveCurrency'],
        ['receiveAmount'],
        ['description'],
        ['payerEmail'],
        ['payerName'],
        ['payerSurname'],
        ['culture'],
        ['callbackUrl'],
        ['successUrl'],
        ['failureUrl'],
    ];

    /** Signed callback fields in signing order (1.5); userId/merchantApiId/payer* are unsigned. */
    public const CALLBACK_FIELDS = [
        'merchantId', 'apiId', 'orderId', 'payCurrency', 'payAmount', 'receiveCurrency',
        'receiveAmount', 'receivedAmount', 'description', 'orderRequestId', 'status',
    ];

    public const AMOUNT_FIELDS = ['payAmount', 'receiveAmount', 'receivedAmount'];

    /**
     * Formats a decimal string with the pattern 0.0####### (1.3 step 3): at least one, at most
     * eight decimals, trailing zeros dropped. Works on strings only. Returns null for anything
     * that is not a plain non-negative decimal, or that needs more than eight decimals
     * (unless $roundHalfUp, which rounds such values half-up to eight decimals, the way
     * SpectroCoin's PHP plugins treat incoming callback amounts).
     */
    public static function formatAmount(string $value, bool $roundHalfUp = false): ?string
    {
        if (!preg_match('/^([0-9]+)(?:\.([0-9]+))?$/D', $value, $m)) {
            return null;
        }
        $int = ltrim($m[1], '0');
        $frac = rtrim($m[2] ?? '', '0');
        if (strlen($frac) > 8) {
            if (!$roundHalfUp) {
                return null;
            }
            $up = $frac[8] >= '5';
            $frac = substr($frac, 0, 8);
            if ($up) {
                [$int, $frac] = self::incrementLastDigit($int === '' ? '0' : $int, $frac);
            }
            $frac = rtrim($frac, '0');
            $int = ltrim($int, '0');
        }
        return ($int === '' ? '0' : $int) . '.' . ($frac === '' ? '0' : $frac);
    }

    /** @return array{string, string} */
    private static function incrementLastDigit(string $int, string $frac): array
    {
        $digits = $int . $frac;
        $i = strlen($digits) - 1;
        while ($i >= 0 && $digits[$i] === '9') {
            $digits[$i] = '0';
            $i--;
        }
        if ($i < 0) {
            $digits = '1' . $digits;
        } else {
            $digits[$i] = (string) ((int) $digits[$i] + 1);
        }
        $intLen = strlen($digits) - strlen($frac);
        return [substr($digits, 0, $intLen), substr($digits, $intLen)];
    }

    /** One `name=value` pair of the signed string: PHP urlencode (RFC 1738, uppercase hex). */
    public static function pair(string $name, string $value, bool $java = false): string
    {
        $pair = urlencode($name) . '=' . urlencode($value);
        // Java's form encoder (Apache URLEncodedUtils, used by SpectroCoin's server and its Java
        // sample) leaves `*` literal where PHP's urlencode writes %2A; every other byte agrees.
        return $java ? str_replace('%2A', '*', $pair) : $pair;
    }

    /**
     * Parses a form-encoded body into an ordered list of [name, value] pairs, decoding `+` and
     * `%XX`. Duplicates are kept, so the caller can refuse them.
     *
     * @return list<array{string, string}>
     */
    public static function parseForm(string $body): array
    {
        $pairs = [];
        if ($body === '') {
            return $pairs;
        }
        foreach (explode('&', $body) as $chunk) {
            if ($chunk === '') {
                continue;
            }
            $eq = strpos($chunk, '=');
            $name = $eq === false ? $chunk : substr($chunk, 0, $eq);
            $value = $eq === false ? '' : substr($chunk, $eq + 1);
            $pairs[] = [urldecode($name), urldecode($value)];
        }
        return $pairs;
    }

    /**
     * The createOrder signed string over exactly the fields present in $fields, in table order.
     * Amounts must already be valid (see formatAmount); they are re-formatted here.
     *
     * @param array<string, string> $fields
     */
    public static function requestSignedString(array $fields): string
    {
        $parts = [];
        foreach (self::REQUEST_SLOTS as $names) {
            foreach ($names as $name) {
                if (array_key_exists($name, $fields)) {
                    $parts[] = self::pair($name, self::canonicalValue($name, $fields[$name], false));
                    break;
                }
            }
        }
        return implode('&', $parts);
    }

    /**
     * The callback signed string: the eleven signed fields that are present, in order, amounts
     * re-formatted (half-up to eight decimals where needed; values that are no decimal at all
     * are taken as they are, so a tampered callback still gets a signed string).
     *
     * @param array<string, string> $fields
     */
    public static function callbackSignedString(array $fields, bool $java = false): string
    {
        $parts = [];
        foreach (self::CALLBACK_FIELDS as $name) {
            if (array_key_exists($name, $fields)) {
                $parts[] = self::pair($name, self::canonicalValue($name, (string) $fields[$name], true), $java);
            }
        }
        return implode('&', $parts);
    }

    private static function canonicalValue(string $name, string $value, bool $roundHalfUp): string
    {
        if (in_array($name, self::AMOUNT_FIELDS, true)) {
            return self::formatAmount($value, $roundHalfUp) ?? $value;
        }
        return $value;
    }

    /** Base64 SHA1withRSA signature (RSASSA-PKCS1-v1_5). */
    public static function sign(string $data, string $privateKeyPem): string
    {
        $key = openssl_pkey_get_private($privateKeyPem);
        if ($key === false) {
            throw new \InvalidArgumentException('not a usable private key: ' . (openssl_error_string() ?: 'unknown error'));
        }
        if (!openssl_sign($data, $signature, $key, OPENSSL_ALGO_SHA1)) {
            throw new \RuntimeException('openssl_sign failed: ' . (openssl_error_string() ?: 'unknown error'));
        }
        return base64_encode($signature);
    }

    /** True only for a signature that verifies exactly (openssl_verify === 1). */
    public static function verify(string $data, string $signatureBase64, string $publicKeyPem): bool
    {
        $signature = base64_decode($signatureBase64, true);
        if ($signature === false || $signature === '') {
            return false;
        }
        $key = openssl_pkey_get_public($publicKeyPem);
        if ($key === false) {
            return false;
        }
        return openssl_verify($data, $signature, $key, OPENSSL_ALGO_SHA1) === 1;
    }

    public static function isUuid(string $value): bool
    {
        return (bool) preg_match('/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/D', $value);
    }
}
