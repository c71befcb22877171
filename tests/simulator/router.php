<?php

declare(strict_types=1);

/*
 * SpectroCoin simulator: router for PHP's built-in server.
 *   SIM_STATE_DIR  state directory (required): state.json, the simulator's key pair
 *   SIM_CONFIG     registration config (default: default-config.json next to this file)
 *   SIM_BASE_URL   base of redirectUrl (default: http://<Host header>)
 * Legacy API under /api/merchant/1, current public API under /api/public (see README.md).
 * Run: SIM_STATE_DIR=/tmp/sim php -S 127.0.0.1:8090 tests/simulator/router.php
 */

namespace Sim;

foreach (['Canon', 'Net', 'State', 'Store', 'Keys', 'Flow', 'Callbacks', 'Faults', 'OrderApi', 'PublicApi', 'Checkout', 'Control'] as $class) {
    require_once __DIR__ . "/lib/$class.php";
}

function json_answer(int $status, mixed $value): void
{
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode($value, JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
}

$stateDir = getenv('SIM_STATE_DIR');
if ($stateDir === false || $stateDir === '') {
    json_answer(500, ['error' => 'SIM_STATE_DIR is not set']);
    return true;
}
$store = new Store($stateDir);
$method = $_SERVER['REQUEST_METHOD'];
$path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$baseUrl = rtrim(getenv('SIM_BASE_URL') ?: 'http://' . ($_SERVER['HTTP_HOST'] ?? '127.0.0.1'), '/');

try {
    if ($path === '/api/merchant/1/createOrder') {
        if ($method !== 'POST') {
            header('Allow: POST');
            json_answer(405, [['code' => 99, 'message' => 'Check your request: POST only']]);
            return true;
        }
        $fault = Faults::take($store, 'createOrder');
        if ($fault !== null && $fault['delayMs'] > 0) {
            usleep($fault['delayMs'] * 1000);
        }
        $contentType = (string) ($_SERVER['CONTENT_TYPE'] ?? $_SERVER['HTTP_CONTENT_TYPE'] ?? '');
        $body = '';
        if ($fault === null || $fault['kind'] === 'delay' || $fault['process']) {
            [$status, $answer] = OrderApi::createOrder(
                $store,
                $contentType,
                (string) file_get_contents('php://input'),
                $baseUrl,
                Keys::privatePem($stateDir),
            );
            $body = (string) json_encode($answer, JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
        } else {
            $store->transaction(static function (array &$s) use ($contentType, $fault): void {
                $s['requests'][] = [
                    'id' => count($s['requests']) + 1,
                    'at' => State::nowMs(),
                    'contentType' => $contentType,
                    'rawBody' => (string) file_get_contents('php://input'),
                    'parsed' => Canon::parseForm((string) file_get_contents('php://input')),
                    'signedString' => null,
                    'verdict' => ['httpStatus' => null, 'answer' => null, 'ok' => false, 'fault' => $fault['kind']],
                ];
            });
            $status = 200;
            $body = '{"orderRequestId":0,"orderId":"","payCurrency":"BTC","payAmount":0.0,"receiveCurrency":"EUR","receiveAmount":0.0}';
        }
        if ($fault !== null && $fault['kind'] !== 'delay') {
            Faults::answer($fault, $body, 'application/json');
        }
        http_response_code($status);
        header('Content-Type: application/json');
        echo $body;
        return true;
    }

    if ($path === '/files/merchant.public.pem') {
        $fault = Faults::take($store, 'publicKey');
        if ($fault !== null && $fault['delayMs'] > 0) {
            usleep($fault['delayMs'] * 1000);
        }
        $pem = Keys::publicPem($stateDir);
        if ($fault !== null && $fault['kind'] !== 'delay') {
            Faults::answer($fault, $pem, 'application/x-pem-file');
        }
        header('Content-Type: application/x-pem-file');
        echo $pem;
        return true;
    }

    if (str_starts_with($path, PublicApi::PREFIX . '/')) {
        $sub = substr($path, strlen(PublicApi::PREFIX));
        $target = null;
        $id = null;
        if ($sub === '/oauth/token') {
            $target = 'token';
        } elseif ($sub === '/merchants/orders/create') {
            $target = 'create';
        } elseif (preg_match('#^/merchants/orders/([^/]+)$#', $sub, $m)) {
            $target = 'get';
            $id = rawurldecode($m[1]);
        }
        if ($target === null) {
            json_answer(404, PublicApi::errorBody("No endpoint $method $path", 'NOT_FOUND'));
            return true;
        }
        $headers = function_exists('getallheaders') ? array_change_key_case(getallheaders(), CASE_LOWER) : [];
        PublicApi::serve($store, $target, [
            'method' => $method,
            'path' => $path,
            'id' => $id,
            'contentType' => (string) ($_SERVER['CONTENT_TYPE'] ?? $_SERVER['HTTP_CONTENT_TYPE'] ?? ''),
            'rawBody' => (string) file_get_contents('php://input'),
            'remoteAddr' => (string) ($_SERVER['REMOTE_ADDR'] ?? ''),
            'authorization' => (string) ($_SERVER['HTTP_AUTHORIZATION'] ?? $headers['authorization'] ?? ''),
            'baseUrl' => $baseUrl,
        ]);
        return true;
    }

    if (preg_match('#^/checkout/pre/([0-9a-fA-F-]{36})$#', $path, $m)) {
        header('Content-Type: text/html; charset=utf-8');
        Checkout::handlePreOrder($store, $method, strtolower($m[1]));
        return true;
    }

    if (preg_match('#^/checkout/(\d+)$#', $path, $m)) {
        header('Content-Type: text/html; charset=utf-8');
        Checkout::handle($store, $method, (int) $m[1]);
        return true;
    }

    if (str_starts_with($path, '/__sim/')) {
        [$status, $answer] = (new Control($store))->handle($method, $path, (string) file_get_contents('php://input'));
        json_answer($status, $answer);
        return true;
    }

    json_answer(404, ['error' => "not found: $method $path"]);
    return true;
} catch (\Throwable $e) {
    error_log('simulator: ' . $e);
    if (str_starts_with($path ?? '', PublicApi::PREFIX . '/')) {
        json_answer(500, PublicApi::errorBody('Unexpected error: ' . $e->getMessage(), 'INTERNAL_ERROR'));
        return true;
    }
    json_answer(500, [['code' => 100, 'message' => 'Unexpected error: ' . $e->getMessage()]]);
    return true;
}
