<?php

declare(strict_types=1);

// Inputs shared by the micro benchmarks: the V1 callback (really signed by SpectroCoin, ids 169/3)
// and a typical WHMCS order signed with the merchant test key (ids 25/74).

require_once __DIR__ . '/../php-reference/Reference.php';

function bench_vectors(): array
{
    static $v = null;
    return $v ??= json_decode((string) file_get_contents(__DIR__ . '/../../tests/fixtures/vectors/spectrocoin-vectors.json'), true, 512, JSON_THROW_ON_ERROR);
}

/** The V1 callback body as SpectroCoin posts it (form-encoded, sign last). */
function bench_callback_body(): string
{
    $cb = bench_vectors()['callbacks'][0];
    return http_build_query($cb['fields'] + ['sign' => $cb['sign']]);
}

function bench_callback_merchant(): array
{
    return ['merchantId' => '169', 'projectId' => '3', 'publicKey' => bench_vectors()['spectrocoin_callback_public_key_pem']];
}

function bench_order_merchant(): array
{
    return ['merchantId' => '25', 'projectId' => '74', 'privateKey' => bench_vectors()['merchant_test_private_key_pem']];
}

function bench_order(int $n = 7): array
{
    return [
        'orderId' => "$n-1", 'payCurrency' => 'BTC', 'payAmount' => '0', 'receiveCurrency' => 'EUR',
        'receiveAmount' => '12.30', 'description' => "Invoice #$n", 'culture' => 'en',
        'callbackUrl' => 'https://shop.example/modules/gateways/callback/spectrocoin.php',
        'successUrl' => "https://shop.example/viewinvoice.php?id=$n&paymentsuccess=true",
        'failureUrl' => "https://shop.example/viewinvoice.php?id=$n&paymentfailed=true",
    ];
}

/** Current VmRSS of this process in kB. */
function bench_rss_kb(): int
{
    preg_match('/^VmRSS:\s+(\d+) kB/m', (string) file_get_contents('/proc/self/status'), $m);
    return (int) ($m[1] ?? -1);
}
