<?php
// Interim demo (until the end-to-end flow lands): sign a sample order and verify V1.
declare(strict_types=1);
$ext = getenv('SPECTROCOIN_EXT') ?: __DIR__ . '/../../target/debug/libspectrocoin.so';
if (!extension_loaded('spectrocoin')) {
    if (!function_exists('dl')) { fwrite(STDERR, "run with -d extension=$ext\n"); exit(1); }
}
$v = json_decode(file_get_contents(__DIR__ . '/../fixtures/vectors/spectrocoin-vectors.json'), true);
$req = spectrocoin_order_request(
    ['merchantId' => '25', 'projectId' => '74', 'privateKey' => $v['merchant_test_private_key_pem']],
    ['orderId' => '7-1', 'receiveCurrency' => 'EUR', 'receiveAmount' => '12.30', 'description' => 'Invoice #7',
     'callbackUrl' => 'https://shop.example/modules/gateways/callback/spectrocoin.php']
);
echo "Signed order request:\n  {$req['body']}\n\n";
$cb = $v['callbacks'][0];
$body = http_build_query($cb['fields'] + ['sign' => $cb['sign']]);
$r = spectrocoin_verify_callback($body, ['merchantId' => '169', 'projectId' => '3', 'publicKey' => $v['spectrocoin_callback_public_key_pem']]);
echo "SpectroCoin-signed callback V1 verified: order {$r['orderId']} status {$r['status']} ({$r['statusName']})\n";
