<?php

declare(strict_types=1);

namespace Bench\Reference;

/**
 * The "PHP way" of SpectroCoin's legacy merchant API, written here from the documented algorithm
 * (/work/shared/docs/spectrocoin-api.md §1.3, §1.5) the way SpectroCoin's official PHP plugins do it:
 *
 *  * the PEM key is parsed on every call (openssl_pkey_get_private / openssl_pkey_get_public):
 *    a PHP request cannot keep a parsed key for the next request;
 *  * amounts are re-formatted through PHP's float path (sprintf %.8F, trailing zeros trimmed,
 *    at least one decimal), the plugins' formatCurrency;
 *  * the signed string is http_build_query() of the fields in protocol order (RFC 1738 form
 *    encoding, the same as urlencode);
 *  * RSASSA-PKCS1-v1_5 with SHA-1 through openssl_sign / openssl_verify (OPENSSL_ALGO_SHA1).
 *
 * It is the baseline the extension is measured against in bench/, not product code. Unlike the
 * official plugins it does not download SpectroCoin's public key on every callback (the key PEM is
 * passed in), and it checks openssl_verify() === 1 (the plugins accepted -1).
 */
final class Reference
{
    /** Signed callback fields, in signing order (§1.5). */
    public const CALLBACK_FIELDS = [
        'merchantId', 'apiId', 'orderId', 'payCurrency', 'payAmount', 'receiveCurrency',
        'receiveAmount', 'receivedAmount', 'description', 'orderRequestId', 'status',
    ];
    private const CALLBACK_AMOUNTS = ['payAmount', 'receiveAmount', 'receivedAmount'];

    /** The plugins' formatCurrency: float path, 8 decimals, trailing zeros dropped, at least one decimal. */
    public static function formatAmount($value): string
    {
        $s = sprintf('%.8F', (float) $value);
        $s = rtrim($s, '0');
        if (substr($s, -1) === '.') {
            $s .= '0';
        }
        return $s;
    }

    /**
     * Builds and signs a createOrder request (§1.2, §1.3).
     *
     * @param array{merchantId: string, projectId: string, privateKey: string} $merchant
     * @param array<string, string> $order
     * @return array{signedString: string, sign: string, body: string}
     */
    public static function orderRequest(array $merchant, array $order): array
    {
        $fields = [
            'merchantId' => $merchant['merchantId'],
            'apiId' => $merchant['projectId'],
            'orderId' => $order['orderId'] ?? '',
            'payCurrency' => $order['payCurrency'] ?? 'BTC',
            'payAmount' => self::formatAmount($order['payAmount'] ?? '0'),
            'receiveCurrency' => $order['receiveCurrency'],
            'receiveAmount' => self::formatAmount($order['receiveAmount'] ?? '0'),
            'description' => $order['description'] ?? '',
        ];
        foreach (['payerEmail', 'payerName', 'payerSurname'] as $payer) {
            if (isset($order[$payer])) {
                $fields[$payer] = $order[$payer];
            }
        }
        $fields += [
            'culture' => $order['culture'] ?? 'en',
            'callbackUrl' => $order['callbackUrl'] ?? '',
            'successUrl' => $order['successUrl'] ?? '',
            'failureUrl' => $order['failureUrl'] ?? '',
        ];
        $signedString = http_build_query($fields);
        $sign = self::sign($signedString, $merchant['privateKey']);
        return [
            'signedString' => $signedString,
            'sign' => $sign,
            'body' => $signedString . '&sign=' . urlencode($sign),
        ];
    }

    /** openssl_sign with a key parsed from the PEM for this call; Base64 result. */
    public static function sign(string $data, string $privateKeyPem): string
    {
        $key = openssl_pkey_get_private($privateKeyPem);
        if ($key === false) {
            throw new \RuntimeException('bad private key');
        }
        if (!openssl_sign($data, $signature, $key, OPENSSL_ALGO_SHA1)) {
            throw new \RuntimeException('openssl_sign failed');
        }
        return base64_encode($signature);
    }

    /**
     * Verifies a raw legacy callback body (§1.5) and returns its fields, or throws.
     * The body is decoded as PHP decodes a POST into $_POST (parse_str), amounts re-formatted,
     * re-encoded with http_build_query, and the Base64 signature checked with a key parsed now.
     *
     * @return array<string, string>
     */
    public static function verifyCallback(string $rawBody, string $publicKeyPem, string $merchantId, string $apiId): array
    {
        parse_str($rawBody, $post);
        $fields = [];
        foreach (self::CALLBACK_FIELDS as $name) {
            if (!isset($post[$name]) || !is_string($post[$name])) {
                throw new \RuntimeException("callback field $name missing");
            }
            $fields[$name] = in_array($name, self::CALLBACK_AMOUNTS, true)
                ? self::formatAmount($post[$name])
                : $post[$name];
        }
        if (!isset($post['sign']) || !is_string($post['sign'])) {
            throw new \RuntimeException('callback sign missing');
        }
        $signature = base64_decode($post['sign'], true);
        if ($signature === false) {
            throw new \RuntimeException('callback sign is not Base64');
        }
        $key = openssl_pkey_get_public($publicKeyPem);
        if ($key === false) {
            throw new \RuntimeException('bad public key');
        }
        if (openssl_verify(http_build_query($fields), $signature, $key, OPENSSL_ALGO_SHA1) !== 1) {
            throw new \RuntimeException('bad signature');
        }
        if ($fields['merchantId'] !== $merchantId || $fields['apiId'] !== $apiId) {
            throw new \RuntimeException('callback for another merchant/project');
        }
        return $fields;
    }
}
