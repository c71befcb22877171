<?php

declare(strict_types=1);

namespace Sim;

/**
 * Callbacks: legacy signed form callbacks (spectrocoin-api.md 1.5) and, for projects whose
 * callbackFormat is "json", the current API's unsigned {"id","merchantApiId"} (section 2);
 * queueing them as deliveries, and delivering due ones with the `*ok*` rule and exponential
 * backoff.
 *
 * A delivery's body is fixed when it is queued; every retry sends the same bytes.
 */
final class Callbacks
{
    /**
     * The callback for an order in a given status: signed fields in order, then the
     * unsigned ids (and the payer fields when the order carried them).
     *
     * @param array<string, mixed> $order
     * @param array<string, mixed> $project
     * @return array{signed: array<string, string>, unsigned: array<string, string>}
     */
    public static function fieldsFor(array $order, array $project, int $status, string $receivedAmount): array
    {
        $signed = [
            'merchantId' => $project['merchantId'],
            'apiId' => $project['apiId'],
            'orderId' => (string) $order['orderId'],
            'payCurrency' => (string) $order['payCurrency'],
            'payAmount' => (string) $order['payAmount'],
            'receiveCurrency' => (string) $order['receiveCurrency'],
            'receiveAmount' => (string) $order['receiveAmount'],
            'receivedAmount' => $receivedAmount,
            'description' => (string) $order['description'],
            'orderRequestId' => (string) $order['orderRequestId'],
            'status' => (string) $status,
        ];
        $unsigned = ['userId' => $project['userId'], 'merchantApiId' => $project['merchantApiId']];
        // Per project: the payer fields when the order had them (nonEmpty), always (empty when
        // the order had none), or never. SpectroCoin/Bitcoin-Merchant-PHP refuses callbacks
        // without them; whether the live server sends them empty is unknown.
        $mode = $project['payerFields'] ?? 'nonEmpty';
        foreach (['payerEmail', 'payerName', 'payerSurname'] as $payer) {
            $value = (string) ($order[$payer] ?? '');
            if ($mode === 'always' || ($mode === 'nonEmpty' && $value !== '')) {
                $unsigned[$payer] = $value;
            }
        }
        return ['signed' => $signed, 'unsigned' => $unsigned];
    }

    /**
     * Form-encodes a callback: signed fields, `sign` (unless null), then unsigned fields.
     * urlencode semantics; with $spaceAs20 spaces go out as %20 instead of `+`.
     *
     * @param array<string, string> $signed
     * @param array<string, string> $unsigned
     */
    public static function body(array $signed, ?string $sign, array $unsigned, bool $spaceAs20 = false, bool $java = false): string
    {
        $all = $signed;
        if ($sign !== null) {
            $all['sign'] = $sign;
        }
        $all += $unsigned;
        $parts = [];
        foreach ($all as $name => $value) {
            $parts[] = Canon::pair((string) $name, (string) $value, $java);
        }
        $body = implode('&', $parts);
        // A literal '+' is always %2B after urlencode, so every '+' left is a space.
        return $spaceAs20 ? str_replace('+', '%20', $body) : $body;
    }

    /** A JSON callback body: {"id":"…","merchantApiId":"…"} exactly, no whitespace. */
    public static function jsonBody(array $json): string
    {
        return (string) json_encode($json, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    }

    /**
     * Queues one delivery (caller holds the state transaction).
     *
     * @param array<string, mixed> $state
     * @param array<string, mixed> $meta extra facts recorded with the delivery
     * @return array<string, mixed> the delivery
     */
    public static function enqueue(array &$state, string $url, string $body, array $meta = []): array
    {
        $id = $state['nextDeliveryId']++;
        $delivery = $meta + [
            'id' => $id,
            'url' => $url,
            'body' => $body,
            'state' => 'pending',
            'createdAt' => State::nowMs(),
            'nextAttemptAt' => State::nowMs(),
            'leaseUntil' => 0,
            'attempts' => [],
        ];
        $state['deliveries'][(string) $id] = $delivery;
        return $delivery;
    }

    /**
     * Queues the signed callback for an order's current (or given) status.
     *
     * @param array<string, mixed> $state
     * @param array<string, mixed> $order
     * @return array<string, mixed>|null the delivery, or null when the order has no callbackUrl
     */
    public static function enqueueForOrder(array &$state, array $order, string $privateKeyPem, int $status, string $receivedAmount): ?array
    {
        if (($order['callbackUrl'] ?? '') === '') {
            return null;
        }
        $project = State::projectOf($state, $order);
        if ($project === null) {
            return null;
        }
        if (($project['callbackFormat'] ?? 'legacy') === 'json' && isset($order['id'])) {
            // Current API (section 2): {id, merchantApiId}, no signature.
            $json = ['id' => $order['id'], 'merchantApiId' => $project['merchantApiId']];
            return self::enqueue($state, (string) $order['callbackUrl'], self::jsonBody($json), [
                'orderRequestId' => $order['orderRequestId'],
                'status' => $status,
                'kind' => 'order',
                'format' => 'json',
                'contentType' => 'application/json',
                'signedString' => null,
                'fields' => $json,
            ]);
        }
        $fields = self::fieldsFor($order, $project, $status, $receivedAmount);
        $java = ($project['signEncoding'] ?? 'php') === 'java';
        $signedString = Canon::callbackSignedString($fields['signed'], $java);
        $sign = Canon::sign($signedString, $privateKeyPem);
        return self::enqueue($state, (string) $order['callbackUrl'], self::body($fields['signed'], $sign, $fields['unsigned'], false, $java), [
            'orderRequestId' => $order['orderRequestId'],
            'status' => $status,
            'kind' => 'order',
            'format' => 'legacy',
            'contentType' => 'application/x-www-form-urlencoded',
            'signedString' => $signedString,
            'fields' => $fields['signed'] + ['sign' => $sign] + $fields['unsigned'],
        ]);
    }

    /**
     * Delivers every pending delivery that is due (or all pending ones with $force), in queue
     * order, one HTTP POST each. Returns the attempts made.
     *
     * @param list<int>|null $onlyIds restrict to these deliveries
     * @return list<array<string, mixed>>
     */
    public static function dispatch(Store $store, bool $force = false, ?array $onlyIds = null): array
    {
        $claimed = $store->transaction(static function (array &$state) use ($force, $onlyIds): array {
            $now = State::nowMs();
            $lease = $now + (int) $state['settings']['callbackTimeoutMs'] + 5000;
            $claimed = [];
            foreach ($state['deliveries'] as $key => $d) {
                if ($d['state'] !== 'pending' || $d['leaseUntil'] > $now) {
                    continue;
                }
                if ($onlyIds !== null && !in_array((int) $d['id'], $onlyIds, true)) {
                    continue;
                }
                if (!$force && $d['nextAttemptAt'] > $now) {
                    continue;
                }
                $state['deliveries'][$key]['leaseUntil'] = $lease;
                $claimed[] = $d;
            }
            return [$claimed, $state['settings']];
        });
        [$deliveries, $settings] = $claimed;

        $attempts = [];
        foreach ($deliveries as $d) {
            $attempt = self::post($d, (int) $settings['callbackTimeoutMs']);
            $attempts[] = $store->transaction(static function (array &$state) use ($d, $attempt): array {
                $key = (string) $d['id'];
                if (!isset($state['deliveries'][$key])) {
                    return $attempt; // reset while in flight
                }
                $delivery = &$state['deliveries'][$key];
                $attempt['attempt'] = count($delivery['attempts']) + 1;
                $delivery['attempts'][] = $attempt;
                $delivery['leaseUntil'] = 0;
                $settings = $state['settings'];
                if ($attempt['ok']) {
                    $delivery['state'] = 'delivered';
                } elseif ($attempt['attempt'] >= (int) $settings['maxAttempts']) {
                    $delivery['state'] = 'failed';
                } else {
                    $delay = min(
                        (int) $settings['retryCapMs'],
                        (int) $settings['retryBaseMs'] * (2 ** ($attempt['attempt'] - 1)),
                    );
                    $delivery['nextAttemptAt'] = State::nowMs() + $delay;
                }
                $attempt['deliveryState'] = $delivery['state'];
                $attempt['nextAttemptAt'] = $delivery['state'] === 'pending' ? $delivery['nextAttemptAt'] : null;
                return $attempt;
            });
        }
        return $attempts;
    }

    /**
     * One HTTP attempt. Success means HTTP 200 with a body of exactly `*ok*`.
     *
     * @param array<string, mixed> $delivery
     * @return array<string, mixed>
     */
    private static function post(array $delivery, int $timeoutMs): array
    {
        $started = microtime(true);
        $attempt = [
            'deliveryId' => $delivery['id'],
            'at' => State::nowMs(),
            'url' => $delivery['url'],
            'body' => $delivery['body'],
            'httpStatus' => 0,
            'responseExcerpt' => '',
            'error' => null,
            'ok' => false,
        ];
        if (!self::isLoopbackUrl((string) $delivery['url'])) {
            $attempt['error'] = 'refused: the simulator only calls loopback hosts';
            $attempt['durationMs'] = 0;
            return $attempt;
        }
        $ch = curl_init((string) $delivery['url']);
        curl_setopt_array($ch, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => (string) $delivery['body'],
            CURLOPT_HTTPHEADER => ['Content-Type: ' . ($delivery['contentType'] ?? 'application/x-www-form-urlencoded'), 'Expect:'],
            CURLOPT_USERAGENT => 'SpectroCoin-Simulator/1',
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_TIMEOUT_MS => $timeoutMs,
            CURLOPT_CONNECTTIMEOUT_MS => min($timeoutMs, 5000),
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
        ]);
        $response = curl_exec($ch);
        $attempt['httpStatus'] = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        if ($response === false) {
            $attempt['error'] = curl_error($ch) ?: 'curl error ' . curl_errno($ch);
        } else {
            $attempt['responseExcerpt'] = substr((string) $response, 0, 500);
            $attempt['ok'] = $attempt['httpStatus'] === 200 && $response === '*ok*';
        }
        curl_close($ch);
        $attempt['durationMs'] = (int) round((microtime(true) - $started) * 1000);
        return $attempt;
    }

    public static function isLoopbackUrl(string $url): bool
    {
        $host = parse_url($url, PHP_URL_HOST);
        if (!is_string($host)) {
            return false;
        }
        $host = trim(strtolower($host), '[]');
        return $host === 'localhost' || $host === '::1' || str_starts_with($host, '127.');
    }
}
