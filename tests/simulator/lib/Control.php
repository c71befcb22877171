<?php

declare(strict_types=1);

namespace Sim;

/** The JSON control API under /__sim/ (see README.md). */
final class Control
{
    public function __construct(private Store $store)
    {
    }

    /** @return array{int, mixed} */
    public function handle(string $method, string $path, string $rawBody): array
    {
        $input = [];
        if ($rawBody !== '') {
            $input = json_decode($rawBody, true);
            if (!is_array($input)) {
                return [400, ['error' => 'control requests take a JSON object body']];
            }
        }
        $route = $method . ' ' . substr($path, strlen('/__sim'));
        try {
            return [200, $this->route($route, $input)];
        } catch (FlowError $e) {
            return [$e->httpStatus, ['error' => $e->getMessage()]];
        } catch (\InvalidArgumentException $e) {
            return [400, ['error' => $e->getMessage()]];
        }
    }

    /** @param array<string, mixed> $in */
    private function route(string $route, array $in): mixed
    {
        $dir = $this->store->dir();
        if (preg_match('#^POST /orders/(\d+)/(pay|part|expire|fail)$#', $route, $m)) {
            $ids = $this->store->transaction(fn (array &$s) => Flow::act(
                $s,
                (int) $m[1],
                $m[2],
                Keys::privatePem($dir),
                isset($in['receivedAmount']) ? (string) $in['receivedAmount'] : null,
            ));
            return $this->afterQueue((int) $m[1], $ids, $in);
        }
        if (preg_match('#^POST /orders/(\d+)/status$#', $route, $m)) {
            if (!isset($in['status'])) {
                throw new FlowError('status is required', 400);
            }
            $ids = $this->store->transaction(fn (array &$s) => Flow::setStatus(
                $s,
                (int) $m[1],
                (int) $in['status'],
                isset($in['receivedAmount']) ? (string) $in['receivedAmount'] : null,
                (bool) ($in['callback'] ?? true),
                Keys::privatePem($dir),
            ));
            return $this->afterQueue((int) $m[1], $ids, $in);
        }
        if (preg_match('#^GET /orders/(\d+)$#', $route, $m)) {
            $order = $this->store->read()['orders'][$m[1]] ?? null;
            if ($order === null) {
                throw new FlowError("unknown order {$m[1]}", 404);
            }
            return $order;
        }
        switch ($route) {
            case 'GET /state':
                return $this->store->read();
            case 'POST /reset':
                if (!empty($in['newKey'])) {
                    Keys::regenerate($dir);
                }
                $this->store->transaction(static function (array &$s): void {
                    $s = State::initial();
                });
                return ['reset' => true];
            case 'GET /projects':
                return $this->store->read()['projects'];
            case 'POST /projects':
                return $this->store->transaction(static fn (array &$s) => State::upsertProject($s, $in));
            case 'POST /projects/delete':
                return $this->store->transaction(static function (array &$s) use ($in): array {
                    $before = count($s['projects']);
                    $s['projects'] = array_values(array_filter(
                        $s['projects'],
                        static fn (array $p) => !($p['merchantId'] === (string) ($in['merchantId'] ?? '')
                            && $p['apiId'] === (string) ($in['apiId'] ?? '')),
                    ));
                    return ['deleted' => $before - count($s['projects'])];
                });
            case 'GET /orders':
                return array_values($this->store->read()['orders']);
            case 'GET /requests':
                return $this->store->read()['requests'];
            case 'GET /callbacks':
                return array_values($this->store->read()['deliveries']);
            case 'GET /attempts':
                $attempts = [];
                foreach ($this->store->read()['deliveries'] as $d) {
                    foreach ($d['attempts'] as $a) {
                        $attempts[] = $a;
                    }
                }
                usort($attempts, static fn ($a, $b) => $a['at'] <=> $b['at']);
                return $attempts;
            case 'POST /dispatch':
                return Callbacks::dispatch($this->store, (bool) ($in['force'] ?? false));
            case 'POST /callback':
                return $this->customCallback($in);
            case 'GET /faults':
                return $this->store->read()['faults'];
            case 'POST /faults':
                return $this->store->transaction(static fn (array &$s) => Faults::add($s, $in));
            case 'POST /faults/clear':
                $this->store->transaction(static function (array &$s): void {
                    $s['faults'] = ['createOrder' => [], 'publicKey' => []];
                });
                return ['cleared' => true];
            case 'GET /settings':
                return $this->store->read()['settings'] + ['rates' => $this->store->read()['rates']];
            case 'POST /settings':
                return $this->store->transaction(static function (array &$s) use ($in): array {
                    foreach ($in as $k => $v) {
                        if ($k === 'rates' && is_array($v)) {
                            $s['rates'] = array_replace_recursive($s['rates'], $v);
                        } elseif (array_key_exists($k, State::DEFAULT_SETTINGS)) {
                            $s['settings'][$k] = (int) $v;
                        } else {
                            throw new FlowError("unknown setting $k", 400);
                        }
                    }
                    return $s['settings'] + ['rates' => $s['rates']];
                });
        }
        throw new FlowError("no control route $route", 404);
    }

    /**
     * @param list<int> $ids
     * @param array<string, mixed> $in
     * @return array<string, mixed>
     */
    private function afterQueue(int $orderRequestId, array $ids, array $in): array
    {
        $attempts = ($in['deliver'] ?? true) && $ids !== [] ? Callbacks::dispatch($this->store, false, $ids) : [];
        return [
            'order' => $this->store->read()['orders'][(string) $orderRequestId],
            'deliveryIds' => $ids,
            'attempts' => $attempts,
        ];
    }

    /**
     * A hand-made callback: see README "POST /__sim/callback".
     *
     * @param array<string, mixed> $in
     * @return array<string, mixed>
     */
    private function customCallback(array $in): array
    {
        $dir = $this->store->dir();
        $delivery = $this->store->transaction(static function (array &$s) use ($in, $dir): array {
            $signed = [];
            $unsigned = [];
            $url = $in['url'] ?? null;
            $orderRequestId = isset($in['orderRequestId']) ? (int) $in['orderRequestId'] : null;
            if ($orderRequestId !== null) {
                $order = $s['orders'][(string) $orderRequestId] ?? null;
                if ($order === null) {
                    throw new FlowError("unknown order $orderRequestId", 404);
                }
                $project = State::projectOf($s, $order);
                if ($project === null) {
                    throw new FlowError("order $orderRequestId has no registered project any more", 409);
                }
                $base = Callbacks::fieldsFor(
                    $order,
                    $project,
                    (int) ($in['status'] ?? $order['status']),
                    (string) ($in['receivedAmount'] ?? $order['receivedAmount']),
                );
                $signed = $base['signed'];
                $unsigned = $base['unsigned'];
                $url ??= $order['callbackUrl'];
            }
            if (!is_string($url) || $url === '') {
                throw new FlowError('url is required (or an orderRequestId whose order has a callbackUrl)', 400);
            }
            foreach ((array) ($in['fields'] ?? []) as $k => $v) {
                if ($v === null) {
                    unset($signed[$k]);
                } else {
                    $signed[$k] = (string) $v;
                }
            }
            foreach ((array) ($in['unsigned'] ?? []) as $k => $v) {
                if ($v === null) {
                    unset($unsigned[$k]);
                } else {
                    $unsigned[$k] = (string) $v;
                }
            }
            $signedString = Canon::callbackSignedString($signed);
            $signWith = $in['signWith'] ?? 'simulator';
            $key = $signWith === 'simulator' ? Keys::privatePem($dir) : (string) $signWith;
            $sign = Canon::sign($signedString, $key);
            if (array_key_exists('sign', $in)) {
                $sign = $in['sign'] === false ? null : (string) $in['sign'];
            }
            foreach ((array) ($in['after'] ?? []) as $k => $v) {
                if (array_key_exists($k, $signed)) {
                    $signed[$k] = (string) $v;
                } else {
                    $unsigned[$k] = (string) $v;
                }
            }
            $body = isset($in['rawBody'])
                ? (string) $in['rawBody']
                : Callbacks::body($signed, $sign, $unsigned, (bool) ($in['spaceAs20'] ?? false));
            return Callbacks::enqueue($s, $url, $body, [
                'orderRequestId' => $orderRequestId,
                'status' => isset($signed['status']) ? (int) $signed['status'] : null,
                'kind' => 'custom',
                'signedString' => $signedString,
                'fields' => $signed + ($sign === null ? [] : ['sign' => $sign]) + $unsigned,
            ]);
        });
        $attempts = ($in['deliver'] ?? true) ? Callbacks::dispatch($this->store, false, [(int) $delivery['id']]) : [];
        return ['delivery' => $delivery, 'attempts' => $attempts];
    }
}
