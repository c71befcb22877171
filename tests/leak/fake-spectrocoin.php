<?php
// A canned SpectroCoin for the leak check (php -S router): fixed answers, no state,
// so 100k requests cost as little as possible. Not the simulator: no protocol checks.
declare(strict_types=1);

$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$body = (string) file_get_contents('php://input');
$json = static function (int $status, $data): void {
    http_response_code($status);
    header('Content-Type: application/json');
    echo is_string($data) ? $data : json_encode($data);
};
$vectors = json_decode((string) file_get_contents(__DIR__ . '/../fixtures/vectors/spectrocoin-vectors.json'), true);

switch (true) {
    case $path === '/api/merchant/1/createOrder':
        if (str_contains($body, 'orderId=refuse')) {
            $json(203, [['code' => 5, 'message' => 'merchant order id already exists']]);
        } elseif (str_contains($body, 'orderId=broken')) {
            $json(200, '{"orderRequestId":1,"redirectUrl":');
        } else {
            $json(200, ['orderRequestId' => 1234567, 'orderId' => 'leak-1', 'payCurrency' => 'BTC',
                'payAmount' => 0.00024699, 'receiveCurrency' => 'EUR', 'receiveAmount' => 12.3,
                'depositAddress' => 'bc1qexample', 'redirectUrl' => 'https://spectrocoin.test/order/1',
                'validUntil' => 1795678200000]);
        }
        break;
    case $path === '/files/merchant.public.pem':
        header('Content-Type: application/x-pem-file');
        echo $vectors['spectrocoin_callback_public_key_pem'];
        break;
    case $path === '/api/public/oauth/token':
        $json(200, ['access_token' => 'leak-token', 'expires_in' => 3600, 'token_type' => 'bearer']);
        break;
    case $path === '/api/public/merchants/orders/create':
        if (str_contains($body, '"refuse')) {
            $json(422, ['defaultMessage' => 'orderId already exists', 'errorCode' => 'ORDER_EXISTS', 'traceId' => 't']);
        } else {
            $json(200, ['preOrderId' => '0b6f0c7e-2a5b-4c7d-9e1f-123456789abc', 'orderId' => 'leak-1',
                'validUntil' => '2026-11-26T07:30:00Z', 'payCurrencyCode' => 'BTC', 'payAmount' => '0.000246',
                'depositAddress' => null, 'receiveCurrencyCode' => 'EUR', 'receiveAmount' => '12.30',
                'redirectUrl' => 'https://spectrocoin.test/pre/1']);
        }
        break;
    case str_starts_with($path, '/api/public/merchants/orders/'):
        $id = substr($path, strlen('/api/public/merchants/orders/'));
        if ($id === 'missing') {
            $json(404, ['defaultMessage' => 'not found', 'errorCode' => 'NOT_FOUND']);
        } elseif ($id === 'busy') {
            $json(503, '<html>busy</html>');
        } else {
            $json(200, ['id' => $id, 'orderId' => 'leak-1', 'status' => 'PAID', 'merchantPreOrderId' => 'p-1',
                'receiveAmount' => '12.30', 'receiveCurrencyCode' => 'EUR', 'payAmount' => '0.000246', 'payCurrencyCode' => 'BTC']);
        }
        break;
    default:
        $json(500, '<html>Internal Server Error</html>');
}
