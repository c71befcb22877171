<?php

declare(strict_types=1);

namespace Testbed;

/**
 * The SpectroCoin simulator (tests/simulator/) on its own php -S with a fresh state dir, and
 * helpers for its JSON control API (tests/simulator/README.md).
 *
 *     $sim = new Simulator();                  // free port, fresh temp state dir
 *     $sim->apiUrl();                          // http://127.0.0.1:<port>/api/merchant/1
 *     $sim->publicKeyUrl();                    // …/files/merchant.public.pem
 *     $sim->pay($orderRequestId);              // PENDING then PAID callbacks, delivered once
 *     $sim->dispatch(force: true);             // retry everything pending now
 *
 * Current public API (section 2 of the doc):
 *     $sim->publicApiUrl();                    // http://127.0.0.1:<port>/api/public
 *     $sim->accessToken();                     // a bearer token of sim-client-1
 *     $sim->setCallbackFormat('json');         // JSON {id, merchantApiId} callbacks
 *     $sim->pay($preOrderIdOrOrderUuid);       // the payer keeps BTC, pays; callbacks delivered
 *
 * Control helpers throw \RuntimeException when the simulator answers with an error.
 */
final class Simulator
{
    /** The default project's OAuth client (default-config.json). */
    public const DEFAULT_CLIENT_ID = 'sim-client-1';
    public const DEFAULT_CLIENT_SECRET = 'sim-secret-1';
    /** The default project's UUID (merchantApiId = projectId of the current API). */
    public const DEFAULT_PROJECT_ID = 'a1b2c3d4-e5f6-4789-8abc-def012345678';

    private PhpServer $server;
    private string $stateDir;
    private bool $ownsStateDir;
    /** @var resource|null */
    private $dispatcher = null;

    /**
     * @param int|null $port fixed port, or null for a free one
     * @param string|null $stateDir state directory; null: a fresh temp dir (removed at stop())
     * @param array<string, string> $env extra env for the server (e.g. SIM_CONFIG, SIM_BASE_URL)
     * @param int $workers PHP_CLI_SERVER_WORKERS (callbacks to a receiver that calls back into
     *                     the simulator need at least 2)
     */
    public function __construct(?int $port = null, ?string $stateDir = null, array $env = [], int $workers = 4)
    {
        $this->ownsStateDir = $stateDir === null;
        $this->stateDir = $stateDir ?? self::tempDir('spectrocoin-sim-');
        $root = dirname(__DIR__) . '/simulator';
        $this->server = new PhpServer(
            docroot: $root,
            router: $root . '/router.php',
            ini: ['ffi.enable' => '1', 'display_errors' => 'stderr', 'log_errors' => '1'],
            env: ['SIM_STATE_DIR' => $this->stateDir] + $env,
            port: $port,
            workers: $workers,
            logPath: $this->stateDir . '/server.log',
        );
        // Generates the simulator's key pair now rather than inside the first timed request.
        $this->publicKeyPem();
    }

    public function url(): string
    {
        return $this->server->url();
    }

    /** Base of the legacy merchant API: `<url>/api/merchant/1`. */
    public function apiUrl(): string
    {
        return $this->url() . '/api/merchant/1';
    }

    /** Base of the current public API: `<url>/api/public` (token: `…/oauth/token`). */
    public function publicApiUrl(): string
    {
        return $this->url() . '/api/public';
    }

    public function publicKeyUrl(): string
    {
        return $this->url() . '/files/merchant.public.pem';
    }

    /** The simulator's callback-signing public key (bypasses publicKey faults). */
    public function publicKeyPem(): string
    {
        $pem = @file_get_contents($this->stateDir . '/spectrocoin.public.pem');
        if ($pem === false) {
            // Not generated yet: the first request to the key URL generates it.
            $pem = $this->http('GET', '/files/merchant.public.pem')[1];
        }
        return $pem;
    }

    public function stateDir(): string
    {
        return $this->stateDir;
    }

    public function server(): PhpServer
    {
        return $this->server;
    }

    public function logPath(): string
    {
        return $this->server->logPath();
    }

    // ---- control API -------------------------------------------------------------------

    /** Back to the default registration, no orders/requests/callbacks/faults. */
    public function reset(bool $newKey = false): void
    {
        $this->control('POST', '/reset', ['newKey' => $newKey]);
    }

    /**
     * Registers (or replaces, matched by numeric or UUID pair) a project.
     *
     * @param array<string, mixed> $project merchantId, apiId (numeric strings), userId,
     *        merchantApiId (UUIDs), publicKeyPem, optional receiveCurrencies, payCurrencies,
     *        preOrder, test, testCallbackStatus, name
     * @return array<string, mixed> the stored project
     */
    public function registerMerchant(array $project): array
    {
        return $this->control('POST', '/projects', $project);
    }

    /** @return list<array<string, mixed>> */
    public function projects(): array
    {
        return $this->control('GET', '/projects');
    }

    /** @return list<array<string, mixed>> orders, oldest first */
    public function orders(): array
    {
        return $this->control('GET', '/orders');
    }

    /**
     * An order by orderRequestId, system UUID (`id`) or preOrderId (once the payer has chosen).
     * The action helpers below (pay, payPart, expire, fail, setStatus) take the same ids; on a
     * pre-order nobody has chosen for yet they first pick the project's first coin (BTC).
     *
     * @return array<string, mixed>
     */
    public function order(int|string $orderRequestId): array
    {
        return $this->control('GET', "/orders/$orderRequestId");
    }

    /** @return list<array<string, mixed>> recorded createOrder requests: rawBody, parsed, signedString, verdict */
    public function requests(): array
    {
        return $this->control('GET', '/requests');
    }

    /** @return list<array<string, mixed>> callback deliveries, each with its attempts */
    public function callbacks(): array
    {
        return $this->control('GET', '/callbacks');
    }

    /** @return list<array<string, mixed>> all callback attempts, in time order */
    public function attempts(): array
    {
        return $this->control('GET', '/attempts');
    }

    /**
     * Delivers the callbacks that are due (all pending ones with $force) and returns the attempts.
     *
     * @return list<array<string, mixed>>
     */
    public function dispatch(bool $force = false): array
    {
        return $this->control('POST', '/dispatch', ['force' => $force]);
    }

    /** @return array{order: array<string, mixed>, deliveryIds: list<int>, attempts: list<array<string, mixed>>} */
    public function pay(int|string $orderRequestId, bool $deliver = true): array
    {
        return $this->control('POST', "/orders/$orderRequestId/pay", ['deliver' => $deliver]);
    }

    /** Pays part ($amount in payCurrency; default half): PENDING then PARTIAL_PAYMENT (11). */
    public function payPart(int|string $orderRequestId, ?string $amount = null, bool $deliver = true): array
    {
        return $this->control('POST', "/orders/$orderRequestId/part", array_filter(
            ['receivedAmount' => $amount, 'deliver' => $deliver],
            static fn ($v) => $v !== null,
        ));
    }

    public function expire(int|string $orderRequestId, bool $deliver = true): array
    {
        return $this->control('POST', "/orders/$orderRequestId/expire", ['deliver' => $deliver]);
    }

    public function fail(int|string $orderRequestId, bool $deliver = true): array
    {
        return $this->control('POST', "/orders/$orderRequestId/fail", ['deliver' => $deliver]);
    }

    /** Puts the order into any status (1–6, 10–21), with a callback unless $callback is false. */
    public function setStatus(int|string $orderRequestId, int $status, ?string $receivedAmount = null, bool $callback = true, bool $deliver = true): array
    {
        return $this->control('POST', "/orders/$orderRequestId/status", array_filter(
            ['status' => $status, 'receivedAmount' => $receivedAmount, 'callback' => $callback, 'deliver' => $deliver],
            static fn ($v) => $v !== null,
        ));
    }

    /**
     * A hand-made callback (README "POST /__sim/callback").
     *
     * @param array<string, string|null> $fields signed-field overrides (null removes a field)
     * @param array<string, mixed> $options orderRequestId, url, status, receivedAmount,
     *        unsigned, after, sign (string|false), signWith ("simulator" or a PEM private key),
     *        spaceAs20, rawBody, deliver, encoding ("php" or "java": how `*` is written; default
     *        the order's project's signEncoding)
     * @return array{delivery: array<string, mixed>, attempts: list<array<string, mixed>>}
     */
    public function sendCallback(array $fields, array $options = []): array
    {
        return $this->control('POST', '/callback', ['fields' => (object) $fields] + $options);
    }

    /**
     * Faults for the next $count requests of $target ("createOrder", "publicKey"; current API:
     * "token", "create", "get"); kinds: delay, http500, garbage, truncated, drop, and http401,
     * http403, http429, http502, http503. $process: still handle the request (create the order,
     * issue the token) and only replace the answer.
     */
    public function fault(string $target, string $kind, int $count = 1, int $delayMs = 0, bool $process = false): void
    {
        $this->control('POST', '/faults', [
            'target' => $target, 'kind' => $kind, 'count' => $count, 'delayMs' => $delayMs, 'process' => $process,
        ]);
    }

    public function clearFaults(): void
    {
        $this->control('POST', '/faults/clear', []);
    }

    /**
     * Changes settings (orderLifetimeMs, retryBaseMs, retryCapMs, maxAttempts,
     * callbackTimeoutMs, rates) and returns them all.
     *
     * @param array<string, mixed> $settings
     * @return array<string, mixed>
     */
    public function settings(array $settings = []): array
    {
        return $settings === [] ? $this->control('GET', '/settings') : $this->control('POST', '/settings', $settings);
    }

    // ---- current public API (section 2) --------------------------------------------------

    /**
     * Registers (or replaces, by client id) OAuth client credentials of a project.
     *
     * @param string|null $projectId project UUID (merchantApiId); null: the default project
     * @param list<string>|null $scopes subset of orders:create, orders:read; null: both
     * @return array<string, mixed> the client, without its secret
     */
    public function registerClient(string $clientId, string $clientSecret, ?string $projectId = null, ?array $scopes = null): array
    {
        return $this->control('POST', '/clients', array_filter([
            'clientId' => $clientId,
            'clientSecret' => $clientSecret,
            'merchantApiId' => $projectId ?? self::DEFAULT_PROJECT_ID,
            'scopes' => $scopes,
        ], static fn ($v) => $v !== null));
    }

    /** Removes a client; its tokens stop working at once. */
    public function deleteClient(string $clientId): void
    {
        $this->control('POST', '/clients/delete', ['clientId' => $clientId]);
    }

    /** @return list<array<string, mixed>> registered clients (no secrets) */
    public function clients(): array
    {
        return $this->control('GET', '/clients');
    }

    /**
     * Access-token lifetime in seconds (`expires_in`) for tokens issued from now on: for one
     * project, or instance-wide when $projectId is null (default 3600). A project's own
     * lifetime wins over the instance's; pass $projectId with $seconds null to clear it.
     */
    public function tokenLifetime(?int $seconds, ?string $projectId = null): void
    {
        if ($projectId === null) {
            $this->settings(['tokenLifetimeS' => $seconds ?? 3600]);
        } else {
            $this->updateProject(['tokenLifetimeS' => $seconds], $projectId);
        }
    }

    /**
     * Revokes tokens; $filter: token (the access token itself), tokenId, fingerprint, clientId,
     * merchantApiId, or all => true. Returns how many were revoked.
     *
     * @param array<string, mixed> $filter
     */
    public function revokeTokens(array $filter = ['all' => true]): int
    {
        return (int) $this->control('POST', '/tokens/revoke', $filter)['revoked'];
    }

    public function revokeToken(string $accessToken): int
    {
        return $this->revokeTokens(['token' => $accessToken]);
    }

    /** @return list<array<string, mixed>> issued tokens: id, fingerprint, clientId, merchantApiId, scopes, issuedAt, expiresAt, revokedAt, state */
    public function tokens(): array
    {
        return $this->control('GET', '/tokens');
    }

    /** The fingerprint the logs show for an access token (first 12 hex digits of its SHA-256). */
    public static function tokenFingerprint(string $accessToken): string
    {
        return substr(hash('sha256', $accessToken), 0, 12);
    }

    /**
     * Changes settings of a project (callbackFormat, legacyFieldNames, numericStatus,
     * ipAllowList, tokenLifetimeS, receiveCurrencies, payCurrencies, preOrder, test, …).
     *
     * @param array<string, mixed> $changes
     * @return array<string, mixed> the stored project
     */
    public function updateProject(array $changes, ?string $projectId = null): array
    {
        return $this->control('POST', '/projects/update', ['merchantApiId' => $projectId ?? self::DEFAULT_PROJECT_ID] + $changes);
    }

    /** "legacy" (signed form callbacks) or "json" ({id, merchantApiId}, unsigned). */
    public function setCallbackFormat(string $format, ?string $projectId = null): array
    {
        return $this->updateProject(['callbackFormat' => $format], $projectId);
    }

    /** Answer create/get with the older names payCurrency, receiveCurrency, payNetworkName. */
    public function setLegacyFieldNames(bool $on, ?string $projectId = null): array
    {
        return $this->updateProject(['legacyFieldNames' => $on], $projectId);
    }

    /** Send order status as the numeric twin (3) instead of the name ("PAID"). */
    public function setNumericStatus(bool $on, ?string $projectId = null): array
    {
        return $this->updateProject(['numericStatus' => $on], $projectId);
    }

    /**
     * IP allow-list of a project for the merchant endpoints (create/get): IPs or CIDRs; null
     * lets everyone in. A list without 127.0.0.1 makes local clients get 403.
     *
     * @param list<string>|null $ips
     */
    public function setIpAllowList(?array $ips, ?string $projectId = null): array
    {
        return $this->updateProject(['ipAllowList' => $ips], $projectId);
    }

    /** @return list<array<string, mixed>> token endpoint log (client id, auth method, verdict; never the secret) */
    public function tokenRequests(): array
    {
        return $this->control('GET', '/token-requests');
    }

    /** @return list<array<string, mixed>> create/get log (rawBody, auth: scheme, tokenId, tokenFingerprint, tokenState; verdict) */
    public function apiRequests(): array
    {
        return $this->control('GET', '/api-requests');
    }

    /**
     * $count pre-orders through the public API's create (and the payer's coin choice unless
     * $choose is false) in one go; $order is the create body, "{n}" in its orderId replaced by 1, 2, ….
     *
     * @param array<string, mixed> $order
     * @return list<array{orderId: string, preOrderId: string, id: ?string, orderRequestId: ?int}>
     */
    public function bulkPreOrders(int $count, array $order, bool $choose = true): array
    {
        return $this->control('POST', '/preorders/bulk', [
            'token' => $this->accessToken(), 'count' => $count, 'order' => $order, 'choose' => $choose, 'baseUrl' => $this->url(),
        ]);
    }

    /** @return list<array<string, mixed>> */
    public function preOrders(): array
    {
        return $this->control('GET', '/preorders');
    }

    /** @return array<string, mixed> */
    public function preOrder(string $preOrderId): array
    {
        return $this->control('GET', "/preorders/$preOrderId");
    }

    /**
     * The payer picks the coin on the checkout page: the pre-order becomes an order.
     *
     * @return array{preOrder: array<string, mixed>, order: array<string, mixed>}
     */
    public function choose(string $preOrderId, string $payCurrency = 'BTC'): array
    {
        return $this->control('POST', "/preorders/$preOrderId/choose", ['payCurrency' => $payCurrency]);
    }

    /**
     * A hand-made JSON callback. $body: id, merchantApiId (null leaves the key out).
     * $options: order (orderRequestId, UUID or preOrderId: defaults for id, merchantApiId, url),
     * url, extra (more keys), rawBody, contentType, deliver.
     *
     * @param array<string, string|null> $body
     * @param array<string, mixed> $options
     * @return array{delivery: array<string, mixed>, attempts: list<array<string, mixed>>}
     */
    public function sendJsonCallback(array $body = [], array $options = []): array
    {
        return $this->control('POST', '/callback/json', $body + $options);
    }

    /**
     * POSTs a token request as a merchant would.
     *
     * @param array<string, string>|null $fields form fields; null: client_credentials of the default client
     * @return array{status: int, body: string, json: mixed, headers: array<string, string>}
     */
    public function tokenRaw(?array $fields = null, ?string $basicAuth = null, string $contentType = 'application/x-www-form-urlencoded'): array
    {
        $fields ??= ['grant_type' => 'client_credentials', 'client_id' => self::DEFAULT_CLIENT_ID, 'client_secret' => self::DEFAULT_CLIENT_SECRET];
        $headers = $basicAuth === null ? [] : ['Authorization: Basic ' . $basicAuth];
        return $this->publicRaw('POST', '/oauth/token', http_build_query($fields, '', '&', PHP_QUERY_RFC1738), $contentType, $headers);
    }

    /** A fresh access token (throws unless the token endpoint answers 200). */
    public function accessToken(string $clientId = self::DEFAULT_CLIENT_ID, string $clientSecret = self::DEFAULT_CLIENT_SECRET): string
    {
        $r = $this->tokenRaw(['grant_type' => 'client_credentials', 'client_id' => $clientId, 'client_secret' => $clientSecret]);
        if ($r['status'] !== 200 || !isset($r['json']['access_token'])) {
            throw new \RuntimeException("simulator token request: HTTP {$r['status']}: {$r['body']}");
        }
        return $r['json']['access_token'];
    }

    /**
     * A request to the public API (path below /api/public) with a bearer token (null: none).
     *
     * @param array<string, mixed>|string|null $body array: JSON-encoded
     * @param list<string> $headers extra request headers
     * @return array{status: int, body: string, json: mixed, headers: array<string, string>}
     */
    public function publicApi(string $method, string $path, ?string $token, array|string|null $body = null, string $contentType = 'application/json', array $headers = []): array
    {
        if (is_array($body)) {
            $body = json_encode($body, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR);
        }
        if ($token !== null) {
            $headers[] = 'Authorization: Bearer ' . $token;
        }
        return $this->publicRaw($method, $path, $body, $contentType, $headers);
    }

    /**
     * @param list<string> $headers
     * @return array{status: int, body: string, json: mixed, headers: array<string, string>}
     */
    private function publicRaw(string $method, string $path, ?string $body, string $contentType, array $headers): array
    {
        $responseHeaders = [];
        $ch = curl_init($this->publicApiUrl() . $path);
        curl_setopt_array($ch, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 60,
            CURLOPT_HTTPHEADER => array_merge(['Content-Type: ' . $contentType, 'Expect:'], $headers),
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$responseHeaders): int {
                if (str_contains($line, ':')) {
                    [$name, $value] = explode(':', $line, 2);
                    $responseHeaders[strtolower(trim($name))] = trim($value);
                }
                return strlen($line);
            },
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        $response = curl_exec($ch);
        if ($response === false) {
            $error = curl_error($ch);
            curl_close($ch);
            throw new \RuntimeException("simulator $method $path failed: $error");
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return ['status' => $status, 'body' => (string) $response, 'json' => json_decode((string) $response, true), 'headers' => $responseHeaders];
    }

    /**
     * Calls the control API; returns the decoded JSON answer.
     *
     * @param array<string, mixed>|null $body
     */
    public function control(string $method, string $path, ?array $body = null): mixed
    {
        [$status, $response] = $this->http(
            $method,
            '/__sim' . $path,
            $body === null ? null : json_encode($body, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR),
            'application/json',
        );
        $decoded = json_decode($response, true);
        if ($status !== 200) {
            $message = is_array($decoded) && isset($decoded['error']) ? $decoded['error'] : $response;
            throw new \RuntimeException("simulator control $method $path: HTTP $status: $message");
        }
        return $decoded;
    }

    /**
     * POSTs a raw createOrder body as a merchant would.
     *
     * @return array{status: int, body: string, json: mixed}
     */
    public function createOrderRaw(string $body, string $contentType = 'application/x-www-form-urlencoded'): array
    {
        [$status, $response] = $this->http('POST', '/api/merchant/1/createOrder', $body, $contentType);
        return ['status' => $status, 'body' => $response, 'json' => json_decode($response, true)];
    }

    /**
     * Starts tests/simulator/dispatcher.php in the background (real retries with backoff);
     * stopped by stopDispatcher() or stop().
     */
    public function startDispatcher(int $intervalMs = 100): void
    {
        if ($this->dispatcher !== null) {
            return;
        }
        $process = proc_open(
            [PHP_BINARY, dirname(__DIR__) . '/simulator/dispatcher.php', $this->stateDir, "--interval-ms=$intervalMs", '--parent-pid=' . getmypid()],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->stateDir . '/dispatcher.log', 'a'], 2 => ['file', $this->stateDir . '/dispatcher.log', 'a']],
            $pipes,
        );
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start dispatcher.php');
        }
        $this->dispatcher = $process;
    }

    public function stopDispatcher(): void
    {
        if ($this->dispatcher === null) {
            return;
        }
        proc_terminate($this->dispatcher, SIGTERM);
        $deadline = microtime(true) + 3;
        while (proc_get_status($this->dispatcher)['running'] && microtime(true) < $deadline) {
            usleep(10_000);
        }
        if (proc_get_status($this->dispatcher)['running']) {
            proc_terminate($this->dispatcher, SIGKILL);
        }
        proc_close($this->dispatcher);
        $this->dispatcher = null;
    }

    /** Stops server and dispatcher; removes the state dir when this object created it. */
    public function stop(): void
    {
        $this->stopDispatcher();
        if (isset($this->server)) {
            $this->server->stop();
        }
        if ($this->ownsStateDir && is_dir($this->stateDir) && getenv('SIM_KEEP_STATE') === false) {
            self::removeTree($this->stateDir);
        }
    }

    public function __destruct()
    {
        $this->stop();
    }

    /** @return array{int, string} */
    private function http(string $method, string $path, ?string $body = null, string $contentType = 'application/json'): array
    {
        $ch = curl_init($this->url() . $path);
        $options = [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 60,
            CURLOPT_HTTPHEADER => ['Content-Type: ' . $contentType, 'Expect:'],
        ];
        if ($body !== null) {
            $options[CURLOPT_POSTFIELDS] = $body;
        }
        curl_setopt_array($ch, $options);
        $response = curl_exec($ch);
        if ($response === false) {
            $error = curl_error($ch);
            curl_close($ch);
            throw new \RuntimeException("simulator $method $path failed: $error");
        }
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
        return [$status, (string) $response];
    }

    private static function tempDir(string $prefix): string
    {
        $dir = sys_get_temp_dir() . '/' . $prefix . bin2hex(random_bytes(6));
        if (!mkdir($dir, 0700)) {
            throw new \RuntimeException("cannot create $dir");
        }
        return $dir;
    }

    private static function removeTree(string $dir): void
    {
        foreach (new \RecursiveIteratorIterator(
            new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS),
            \RecursiveIteratorIterator::CHILD_FIRST,
        ) as $file) {
            $file->isDir() ? @rmdir($file->getPathname()) : @unlink($file->getPathname());
        }
        @rmdir($dir);
    }
}
