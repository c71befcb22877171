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
        // Orders are addressed by orderRequestId, by system UUID (id), or by preOrderId (an
        // action on a pre-order the payer has not chosen for yet picks the project's first coin).
        if (preg_match('#^(GET|POST) /orders/([0-9a-fA-F-]{36})(/.*)?$#', $route, $m)) {
            $orderRequestId = $this->store->transaction(static function (array &$s) use ($m): int {
                $uuid = strtolower($m[2]);
                foreach ($s['orders'] as $o) {
                    if (($o['id'] ?? null) === $uuid) {
                        return (int) $o['orderRequestId'];
                    }
                }
                $pre = $s['preOrders'][$uuid] ?? null;
                if ($pre === null) {
                    throw new FlowError("unknown order $uuid", 404);
                }
                if ($pre['orderRequestId'] === null && $m[1] === 'GET') {
                    throw new FlowError("pre-order $uuid has no order yet (GET /__sim/preorders/$uuid)", 404);
                }
                $index = State::findProjectByUuid($s, $pre['merchantApiId']);
                return PublicApi::choose($s, $uuid, $index === null ? 'BTC' : ($s['projects'][$index]['payCurrencies'][0] ?? 'BTC'));
            });
            $route = $m[1] . ' /orders/' . $orderRequestId . ($m[3] ?? '');
        }
        if (preg_match('#^POST /orders/(\d+)/(pay|part|expire|fail)$#', $route, $m) && ($in['deliver'] ?? true)) {
            $done = Flow::actAndDeliver(
                $this->store,
                (int) $m[1],
                $m[2],
                Keys::privatePem($dir),
                isset($in['receivedAmount']) ? (string) $in['receivedAmount'] : null,
            );
            return [
                'order' => $this->store->read()['orders'][$m[1]],
                'deliveryIds' => $done['ids'],
                'attempts' => $done['attempts'],
            ];
        }
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
        if (preg_match('#^GET /preorders/([0-9a-fA-F-]{36})$#', $route, $m)) {
            $pre = $this->store->read()['preOrders'][strtolower($m[1])] ?? null;
            if ($pre === null) {
                throw new FlowError("unknown pre-order {$m[1]}", 404);
            }
            return $pre;
        }
        if (preg_match('#^POST /preorders/([0-9a-fA-F-]{36})/choose$#', $route, $m)) {
            $id = strtolower($m[1]);
            $orderRequestId = $this->store->transaction(static fn (array &$s) => PublicApi::choose($s, $id, (string) ($in['payCurrency'] ?? 'BTC')));
            $state = $this->store->read();
            return ['preOrder' => $state['preOrders'][$id], 'order' => $state['orders'][(string) $orderRequestId]];
        }
        if ($route === 'POST /preorders/bulk') {
            return $this->bulk($in);
        }
        switch ($route) {
            case 'GET /preorders':
                return array_values($this->store->read()['preOrders']);
            case 'GET /clients':
                return array_values(array_map(self::publicClient(...), $this->store->read()['clients']));
            case 'POST /clients':
                return $this->store->transaction(static function (array &$s) use ($in): array {
                    $in['merchantApiId'] = $s['projects'][self::projectIndex($s, $in)]['merchantApiId'];
                    $client = State::normalizeClient($in);
                    $s['clients'][$client['clientId']] = $client;
                    return self::publicClient($client);
                });
            case 'POST /clients/delete':
                return $this->store->transaction(static function (array &$s) use ($in): array {
                    $id = (string) ($in['clientId'] ?? '');
                    $deleted = isset($s['clients'][$id]) ? 1 : 0;
                    unset($s['clients'][$id]);
                    return ['deleted' => $deleted];
                });
            case 'GET /tokens':
                $tokens = [];
                foreach ($this->store->read()['tokens'] as $t) {
                    $t['state'] = $t['revokedAt'] !== null ? 'revoked' : (State::nowMs() >= $t['expiresAt'] ? 'expired' : 'valid');
                    $tokens[] = $t;
                }
                return $tokens;
            case 'POST /tokens/revoke':
                return $this->store->transaction(static function (array &$s) use ($in): array {
                    $n = 0;
                    $hash = isset($in['token']) ? hash('sha256', (string) $in['token']) : null;
                    foreach ($s['tokens'] as $key => $t) {
                        $match = !empty($in['all'])
                            || ($hash !== null && $key === $hash)
                            || (isset($in['tokenId']) && $t['id'] === $in['tokenId'])
                            || (isset($in['fingerprint']) && $t['fingerprint'] === $in['fingerprint'])
                            || (isset($in['clientId']) && $t['clientId'] === $in['clientId'])
                            || (isset($in['merchantApiId']) && $t['merchantApiId'] === strtolower((string) $in['merchantApiId']));
                        if ($match && $t['revokedAt'] === null) {
                            $s['tokens'][$key]['revokedAt'] = State::nowMs();
                            $n++;
                        }
                    }
                    return ['revoked' => $n];
                });
            case 'POST /projects/update':
                return $this->store->transaction(static function (array &$s) use ($in): array {
                    $i = self::projectIndex($s, $in);
                    $changes = $in;
                    unset($changes['project']);
                    foreach (['merchantId', 'apiId', 'userId', 'merchantApiId'] as $id) {
                        unset($changes[$id]); // ids select the project; they are not changed here
                    }
                    $s['projects'][$i] = State::normalizeProject(array_replace($s['projects'][$i], $changes));
                    return $s['projects'][$i];
                });
            case 'GET /token-requests':
                return $this->store->read()['tokenRequests'];
            case 'GET /api-requests':
                return $this->store->read()['apiRequests'];
            case 'POST /callback/json':
                return $this->jsonCallback($in);
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
                    $s['faults'] = State::emptyFaults();
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

    /** A client registration without its secret. */
    private static function publicClient(array $client): array
    {
        unset($client['clientSecret']);
        return $client + ['secretSet' => true];
    }

    /**
     * The project named by a control request: `merchantApiId` (or `project`) UUID, or the
     * numeric `merchantId` + `apiId` pair; neither: the first registered project.
     *
     * @param array<string, mixed> $state
     * @param array<string, mixed> $in
     */
    private static function projectIndex(array $state, array $in): int
    {
        $uuid = $in['project'] ?? $in['merchantApiId'] ?? null;
        if ($uuid !== null) {
            $i = State::findProjectByUuid($state, (string) $uuid);
        } elseif (isset($in['merchantId'], $in['apiId'])) {
            $i = State::findProject($state, 'merchantId', (string) $in['merchantId'], (string) $in['apiId']);
        } else {
            $i = $state['projects'] === [] ? null : 0;
        }
        if ($i === null) {
            throw new FlowError('no such project', 404);
        }
        return $i;
    }

    /**
     * A hand-made JSON callback (current API): body {"id","merchantApiId"} with either value
     * chosen freely. Keys: order (orderRequestId, order UUID or preOrderId: defaults id,
     * merchantApiId and url from it), id, merchantApiId (null: leave the key out), extra
     * (more keys), url, rawBody, contentType (default application/json), deliver.
     *
     * @param array<string, mixed> $in
     * @return array<string, mixed>
     */
    private function jsonCallback(array $in): array
    {
        $delivery = $this->store->transaction(static function (array &$s) use ($in): array {
            $body = [];
            $url = $in['url'] ?? null;
            $orderRequestId = null;
            if (isset($in['order'])) {
                $ref = strtolower((string) $in['order']);
                foreach ($s['orders'] as $o) {
                    if ((string) $o['orderRequestId'] === $ref || ($o['id'] ?? null) === $ref || ($o['merchantPreOrderId'] ?? null) === $ref) {
                        $order = $o;
                    }
                }
                if (!isset($order)) {
                    throw new FlowError("unknown order $ref", 404);
                }
                $project = State::projectOf($s, $order);
                $orderRequestId = $order['orderRequestId'];
                $body = ['id' => $order['id'] ?? null, 'merchantApiId' => $project['merchantApiId'] ?? null];
                $url ??= $order['callbackUrl'];
            }
            foreach (['id', 'merchantApiId'] as $k) {
                if (array_key_exists($k, $in)) {
                    $body[$k] = $in[$k];
                }
            }
            $body = array_filter($body, static fn ($v) => $v !== null);
            foreach ((array) ($in['extra'] ?? []) as $k => $v) {
                $body[$k] = $v;
            }
            if (!is_string($url) || $url === '') {
                throw new FlowError('url is required (or an order with a callbackUrl)', 400);
            }
            $raw = isset($in['rawBody']) ? (string) $in['rawBody'] : Callbacks::jsonBody($body);
            return Callbacks::enqueue($s, $url, $raw, [
                'orderRequestId' => $orderRequestId,
                'status' => null,
                'kind' => 'custom',
                'format' => 'json',
                'contentType' => (string) ($in['contentType'] ?? 'application/json'),
                'signedString' => null,
                'fields' => $body,
            ]);
        });
        $attempts = ($in['deliver'] ?? true) ? Callbacks::dispatch($this->store, false, [(int) $delivery['id']]) : [];
        return ['delivery' => $delivery, 'attempts' => $attempts];
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
            $java = ($in['encoding'] ?? (isset($project) ? ($project['signEncoding'] ?? 'php') : 'php')) === 'java';
            $signedString = Canon::callbackSignedString($signed, $java);
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
                : Callbacks::body($signed, $sign, $unsigned, (bool) ($in['spaceAs20'] ?? false), $java);
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

    /**
     * Many pre-orders at once, for tests that need hundreds of orders (a cron run over 1,000 open
     * orders): each goes through the public API's own create (token, validation) and, with choose,
     * the checkout's coin choice, all in one state transaction so the test does not pay a state
     * rewrite per order; they are not kept in the API request log. in: token (a bearer token of
     * the project), count (1..2000), order (the create body; "{n}" in its orderId is replaced by
     * 1, 2, …), choose (default true), payCurrency, baseUrl.
     *
     * @param array<string, mixed> $in
     * @return list<array{orderId: string, preOrderId: string, id: ?string, orderRequestId: ?int}>
     */
    private function bulk(array $in): array
    {
        $count = (int) ($in['count'] ?? 0);
        if ($count < 1 || $count > 2000 || !is_array($in['order'] ?? null) || !is_string($in['token'] ?? null)) {
            throw new \InvalidArgumentException('bulk takes token, count (1..2000) and order (a create body)');
        }
        return $this->store->transaction(static function (array &$s) use ($in, $count): array {
            $logged = count($s['apiRequests']);
            $made = [];
            for ($n = 1; $n <= $count; $n++) {
                $body = $in['order'];
                $body['orderId'] = str_replace('{n}', (string) $n, (string) ($body['orderId'] ?? 'bulk-{n}'));
                [$status, , $answer] = PublicApi::handle($s, 'create', [
                    'method' => 'POST', 'path' => '/api/public/merchants/orders/create', 'id' => null,
                    'contentType' => 'application/json', 'rawBody' => (string) json_encode($body),
                    'remoteAddr' => '127.0.0.1', 'authorization' => 'Bearer ' . $in['token'],
                    'baseUrl' => (string) ($in['baseUrl'] ?? ''),
                ]);
                if ($status !== 200) {
                    throw new FlowError('bulk create ' . $body['orderId'] . ' answered ' . $status . ': ' . json_encode($answer), $status);
                }
                $pre = strtolower((string) $answer['preOrderId']);
                $orderRequestId = ($in['choose'] ?? true) ? PublicApi::choose($s, $pre, (string) ($in['payCurrency'] ?? 'BTC')) : null;
                $made[] = [
                    'orderId' => $body['orderId'],
                    'preOrderId' => $pre,
                    'id' => $orderRequestId === null ? null : (string) $s['orders'][(string) $orderRequestId]['id'],
                    'orderRequestId' => $orderRequestId,
                ];
            }
            // The test's set-up, not traffic to inspect: not kept in the API request log (which
            // every later request would otherwise re-read and rewrite).
            array_splice($s['apiRequests'], $logged);
            return $made;
        });
    }
}
