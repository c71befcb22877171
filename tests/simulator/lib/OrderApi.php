<?php

declare(strict_types=1);

namespace Sim;

/**
 * POST /api/merchant/1/createOrder (spectrocoin-api.md 1.2–1.4), decided from the raw body.
 *
 * Checks, in this order: media type (97), duplicated field names (99), required fields and
 * amount syntax (1), project ids (6), signature (2), currencies (3), merchant orderId
 * uniqueness in the project (5).
 */
final class OrderApi
{
    /** @return array{int, mixed} HTTP status and the JSON value to answer */
    public static function createOrder(Store $store, string $contentType, string $rawBody, string $baseUrl, string $privateKeyPem): array
    {
        $pairs = Canon::parseForm($rawBody);
        $record = [
            'at' => State::nowMs(),
            'contentType' => $contentType,
            'rawBody' => $rawBody,
            'parsed' => $pairs,
            'signedString' => null,
        ];
        [$status, $answer] = $store->transaction(static function (array &$state) use ($contentType, $pairs, $baseUrl, &$record): array {
            [$status, $answer] = self::decide($state, $contentType, $pairs, $baseUrl, $record);
            $record['id'] = count($state['requests']) + 1;
            $record['verdict'] = ['httpStatus' => $status, 'answer' => $answer, 'ok' => $status === 200];
            $state['requests'][] = $record;
            return [$status, $answer];
        });
        return [$status, $answer];
    }

    /**
     * @param array<string, mixed> $state
     * @param list<array{string, string}> $pairs
     * @param array<string, mixed> $record
     * @return array{int, mixed}
     */
    private static function decide(array &$state, string $contentType, array $pairs, string $baseUrl, array &$record): array
    {
        $mediaType = strtolower(trim(explode(';', $contentType)[0]));
        if ($mediaType !== 'application/x-www-form-urlencoded') {
            return self::error(97, 'Unsupported media type');
        }
        $fields = [];
        foreach ($pairs as [$name, $value]) {
            if (array_key_exists($name, $fields)) {
                return self::error(99, "Check your request: field $name is repeated");
            }
            $fields[$name] = $value;
        }

        $errors = [];
        $slot1 = array_key_exists('userId', $fields) && !array_key_exists('merchantId', $fields) ? 'userId' : 'merchantId';
        $slot2 = $slot1 === 'userId' ? 'merchantApiId' : 'apiId';
        if (array_key_exists('merchantId', $fields) && array_key_exists('userId', $fields)) {
            $errors[] = ['code' => 1, 'message' => 'merchantId and userId must not both be sent'];
        }
        foreach ([$slot1, $slot2, 'payCurrency', 'receiveCurrency', 'sign'] as $required) {
            if (($fields[$required] ?? '') === '') {
                $errors[] = ['code' => 1, 'message' => "$required is required"];
            }
        }
        $amounts = [];
        foreach (['payAmount', 'receiveAmount'] as $name) {
            if (!array_key_exists($name, $fields)) {
                continue;
            }
            $formatted = Canon::formatAmount($fields[$name]);
            if ($formatted === null) {
                $errors[] = ['code' => 1, 'message' => "$name is invalid: a decimal with at most 8 decimals is expected"];
            } else {
                $amounts[$name] = $formatted;
            }
        }
        if ($errors === [] && (float) ($amounts['payAmount'] ?? 0) <= 0 && (float) ($amounts['receiveAmount'] ?? 0) <= 0) {
            $errors[] = ['code' => 1, 'message' => 'receiveAmount or payAmount must be greater than 0'];
        }
        if ($errors !== []) {
            return [203, $errors];
        }

        $projectIndex = State::findProject($state, $slot1, $fields[$slot1], $fields[$slot2]);
        if ($projectIndex === null) {
            return self::error(6, 'Check merchantId and apiId');
        }
        $project = $state['projects'][$projectIndex];

        $signedString = Canon::requestSignedString($fields);
        $record['signedString'] = $signedString;
        if (!Canon::verify($signedString, $fields['sign'], $project['publicKeyPem'])) {
            return self::error(2, 'Bad sign');
        }

        $payCurrency = $fields['payCurrency'];
        $receiveCurrency = $fields['receiveCurrency'];
        $rate = $state['rates'][$payCurrency][$receiveCurrency] ?? null;
        if (!in_array($payCurrency, $project['payCurrencies'], true)) {
            return self::error(3, "Currency $payCurrency is not supported");
        }
        if (!in_array($receiveCurrency, $project['receiveCurrencies'], true) || $rate === null) {
            return self::error(3, "Currency $receiveCurrency is not supported");
        }

        $orderRequestId = (int) $state['nextOrderRequestId'];
        $orderId = ($fields['orderId'] ?? '') === '' ? (string) $orderRequestId : $fields['orderId'];
        if (PublicApi::orderIdTaken($state, $project, $orderId)) {
            return self::error(5, 'Merchant order id already exists');
        }
        $state['nextOrderRequestId']++;

        // receiveAmount wins when both are positive; the other side comes from the fixed rate.
        if ((float) ($amounts['receiveAmount'] ?? 0) > 0) {
            $receiveAmount = $amounts['receiveAmount'];
            $payAmount = self::decimal(max(1e-8, ceil((float) $receiveAmount / (float) $rate * 1e8) / 1e8), 8);
        } else {
            $payAmount = $amounts['payAmount'];
            $receiveAmount = self::decimal(round((float) $payAmount * (float) $rate, 2), 2);
        }
        $now = State::nowMs();
        $order = [
            'orderRequestId' => $orderRequestId,
            // The system UUID the current API knows the order by (GET /api/public/merchants/orders/{id}).
            'id' => State::uuid(),
            'merchantId' => $project['merchantId'],
            'apiId' => $project['apiId'],
            'idsSentAs' => $slot1 === 'merchantId' ? 'numeric' : 'uuid',
            'orderId' => $orderId,
            'payCurrency' => $payCurrency,
            'payAmount' => $payAmount,
            'receiveCurrency' => $receiveCurrency,
            'receiveAmount' => $receiveAmount,
            'receivedAmount' => '0.0',
            'description' => $fields['description'] ?? '',
            'payerEmail' => $fields['payerEmail'] ?? '',
            'payerName' => $fields['payerName'] ?? '',
            'payerSurname' => $fields['payerSurname'] ?? '',
            'culture' => $fields['culture'] ?? '',
            'callbackUrl' => $fields['callbackUrl'] ?? '',
            'successUrl' => $fields['successUrl'] ?? '',
            'failureUrl' => $fields['failureUrl'] ?? '',
            'depositAddress' => self::depositAddress($orderRequestId, $state['projects'][$projectIndex]['merchantApiId']),
            'redirectUrl' => $baseUrl . '/checkout/' . $orderRequestId,
            'createdAt' => $now,
            'validUntil' => $now + (int) $state['settings']['orderLifetimeMs'],
            'preOrder' => $project['preOrder'],
            'status' => 1,
            'history' => [['at' => $now, 'status' => 1, 'receivedAmount' => '0.0']],
        ];
        $state['orders'][(string) $orderRequestId] = $order;

        $answer = [
            'orderRequestId' => $orderRequestId,
            'orderId' => $orderId,
            'payCurrency' => $payCurrency,
            'payAmount' => (float) $payAmount,
            'receiveCurrency' => $receiveCurrency,
            'receiveAmount' => (float) $receiveAmount,
            'depositAddress' => $order['depositAddress'],
            'redirectUrl' => $order['redirectUrl'],
            'validUntil' => $order['validUntil'],
        ];
        if ($project['preOrder']) {
            unset($answer['orderRequestId'], $answer['depositAddress']);
        }
        return [200, $answer];
    }

    /** @return array{int, list<array{code: int, message: string}>} */
    private static function error(int $code, string $message): array
    {
        return [203, [['code' => $code, 'message' => $message]]];
    }

    private static function decimal(float $value, int $decimals): string
    {
        return (string) Canon::formatAmount(sprintf('%.' . $decimals . 'F', $value));
    }

    /** A bech32-looking (not checksum-valid) address, stable per order and project. */
    public static function depositAddress(int $orderRequestId, string $salt): string
    {
        $alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
        $hash = hash('sha256', $salt . ':' . $orderRequestId, true);
        $address = 'bc1q';
        for ($i = 0; $i < 38; $i++) {
            $address .= $alphabet[ord($hash[$i % 32]) % 32];
        }
        return $address;
    }
}
