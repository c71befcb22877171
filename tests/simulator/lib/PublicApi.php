<?php

declare(strict_types=1);

namespace Sim;

/**
 * The current public API (spectrocoin-api.md section 2): OAuth2 client credentials, JSON
 * pre-orders and orders. Written from the document only.
 *
 *   POST /api/public/oauth/token                 client credentials ⇒ bearer token
 *   POST /api/public/merchants/orders/create     JSON ⇒ pre-order (the payer picks the coin later)
 *   GET  /api/public/merchants/orders/{id}       an order by its system UUID
 *
 * Errors carry the documented body {"defaultMessage","errorCode","spanId","traceId"} in
 * SpectroCoin's vocabulary (../shared/docs/spectrocoin-api.md section 4): `errorCode` "GEN_n"
 * ("GEN_1 - Internal server error occurred" as in the docs), 16-hex spanId and traceId, and
 * `category`, `key` (the simulator's label of the error) and, for parameter errors,
 * `errorParameters`. Which GEN number stands for what beyond GEN_1 is not documented; the
 * simulator's table is in README.md.
 *
 * Secrets never reach the logs: token requests record the client id and whether a secret was
 * given; API requests record the presented token's fingerprint (first 12 hex digits of its
 * SHA-256) and the id of the issued token it matched. Issued tokens are stored by hash only.
 */
final class PublicApi
{
    public const PREFIX = '/api/public';

    /** Networks of the pay currencies the simulator knows (payNetworkCode / payNetworkName). */
    private const NETWORKS = ['BTC' => 'BTC'];

    /**
     * One request to a public endpoint, with its fault handling. Emits the answer.
     *
     * @param string $target "token", "create" or "get"
     * @param array<string, mixed> $req method, path, contentType, rawBody, remoteAddr, authorization, baseUrl, id?
     */
    public static function serve(Store $store, string $target, array $req): void
    {
        $fault = Faults::take($store, $target);
        if ($fault !== null && $fault['delayMs'] > 0) {
            usleep($fault['delayMs'] * 1000);
        }
        // A get has no side effect: it is always handled, so a truncated answer is half the real one.
        if ($fault === null || $fault['kind'] === 'delay' || $fault['process'] || $target === 'get') {
            [$status, $headers, $answer] = $store->transaction(
                static fn (array &$s) => self::handle($s, $target, $req, $fault === null ? null : $fault['kind']),
            );
        } else {
            // Not processed: only logged.
            $store->transaction(static function (array &$s) use ($target, $req, $fault): void {
                $record = self::baseRecord($s, $target, $req);
                $record['verdict'] = ['httpStatus' => null, 'answer' => null, 'ok' => false, 'fault' => $fault['kind']];
                self::log($s, $target, $record);
            });
            [$status, $headers, $answer] = [200, [], $target === 'token'
                ? ['access_token' => 'x', 'expires_in' => 3600, 'token_type' => 'bearer']
                : ['id' => '', 'orderId' => '', 'status' => 'NEW']];
        }
        $body = (string) json_encode($answer, JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
        if ($fault !== null && $fault['kind'] !== 'delay') {
            Faults::answer($fault, $body, 'application/json', static fn (int $code) => self::faultError($code));
        }
        http_response_code($status);
        header('Content-Type: application/json');
        foreach ($headers as $name => $value) {
            header("$name: $value");
        }
        echo $body;
    }

    /**
     * Decides one request under the state lock and logs it.
     *
     * @param array<string, mixed> $state
     * @param array<string, mixed> $req
     * @return array{int, array<string, string>, mixed}
     */
    public static function handle(array &$state, string $target, array $req, ?string $fault = null): array
    {
        $record = self::baseRecord($state, $target, $req);
        [$status, $headers, $answer] = match ($target) {
            'token' => self::token($state, $req, $record),
            'create' => self::create($state, $req, $record),
            'get' => self::get($state, $req, $record),
        };
        $logged = $answer;
        if (isset($logged['access_token'])) {
            $logged['access_token'] = '<token ' . self::fingerprint($logged['access_token']) . '>';
        }
        $record['verdict'] = ['httpStatus' => $status, 'answer' => $logged, 'ok' => $status === 200, 'fault' => $fault];
        self::log($state, $target, $record);
        return [$status, $headers, $answer];
    }

    // ---- token --------------------------------------------------------------------------

    /**
     * @param array<string, mixed> $req
     * @param array<string, mixed> $record
     * @return array{int, array<string, string>, mixed}
     */
    private static function token(array &$state, array $req, array &$record): array
    {
        if ($req['method'] !== 'POST') {
            return self::error(405, 'Request method ' . $req['method'] . ' is not supported', 'METHOD_NOT_ALLOWED', ['Allow' => 'POST']);
        }
        $mediaType = strtolower(trim(explode(';', (string) $req['contentType'])[0]));
        if ($mediaType !== 'application/x-www-form-urlencoded') {
            return self::error(400, 'The token request must be application/x-www-form-urlencoded', 'invalid_request');
        }
        $fields = [];
        foreach (Canon::parseForm((string) $req['rawBody']) as [$name, $value]) {
            if (array_key_exists($name, $fields)) {
                return self::error(400, "Parameter $name is repeated", 'invalid_request');
            }
            $fields[$name] = $value;
        }
        $record['grantType'] = $fields['grant_type'] ?? null;
        $record['scope'] = $fields['scope'] ?? null;

        // Client authentication: form body (client_secret_post) or HTTP Basic (client_secret_basic).
        $clientId = $fields['client_id'] ?? null;
        $secret = $fields['client_secret'] ?? null;
        $record['clientAuth'] = $clientId !== null || $secret !== null ? 'body' : 'none';
        $authorization = (string) ($req['authorization'] ?? '');
        if (preg_match('/^Basic\s+(\S+)$/i', $authorization, $m)) {
            if ($secret !== null) {
                return self::error(400, 'Use one client authentication method, not two', 'invalid_request');
            }
            $decoded = base64_decode($m[1], true);
            if ($decoded === false || !str_contains($decoded, ':')) {
                return self::error(401, 'Client authentication failed', 'invalid_client', ['WWW-Authenticate' => 'Basic realm="spectrocoin"']);
            }
            [$basicId, $basicSecret] = explode(':', $decoded, 2);
            $basicId = urldecode($basicId);
            if ($clientId !== null && $clientId !== $basicId) {
                return self::error(400, 'client_id does not match the Basic credentials', 'invalid_request');
            }
            $clientId = $basicId;
            $secret = urldecode($basicSecret);
            $record['clientAuth'] = 'basic';
        }
        $record['clientId'] = $clientId;
        $record['secretGiven'] = $secret !== null && $secret !== '';

        $client = $clientId === null ? null : ($state['clients'][$clientId] ?? null);
        $projectIndex = $client === null ? null : State::findProjectByUuid($state, $client['merchantApiId']);
        if ($client === null || $secret === null || !hash_equals($client['clientSecret'], $secret) || $projectIndex === null) {
            $headers = $record['clientAuth'] === 'basic' ? ['WWW-Authenticate' => 'Basic realm="spectrocoin"'] : [];
            return self::error(401, 'Client authentication failed: bad client credentials', 'invalid_client', $headers);
        }
        if (($fields['grant_type'] ?? '') === '') {
            return self::error(400, 'grant_type is required', 'invalid_request');
        }
        if ($fields['grant_type'] !== 'client_credentials') {
            return self::error(400, 'Unsupported grant type: ' . $fields['grant_type'], 'unsupported_grant_type');
        }
        $scopes = $client['scopes'];
        if (($fields['scope'] ?? '') !== '') {
            $asked = preg_split('/ +/', trim($fields['scope']));
            if (array_diff($asked, $client['scopes']) !== []) {
                return self::error(400, 'Requested scope is not granted to this client', 'invalid_scope');
            }
            $scopes = array_values(array_unique($asked));
        }

        $project = $state['projects'][$projectIndex];
        $lifetime = (int) ($project['tokenLifetimeS'] ?? $state['settings']['tokenLifetimeS']);
        $token = rtrim(strtr(base64_encode(random_bytes(32)), '+/', '-_'), '=');
        $now = State::nowMs();
        $tokenRecord = [
            'id' => 'tok-' . $state['nextTokenId']++,
            'fingerprint' => self::fingerprint($token),
            'clientId' => $clientId,
            'merchantApiId' => $project['merchantApiId'],
            'scopes' => $scopes,
            'issuedAt' => $now,
            'expiresAt' => $now + $lifetime * 1000,
            'revokedAt' => null,
        ];
        $state['tokens'][hash('sha256', $token)] = $tokenRecord;
        $record['tokenId'] = $tokenRecord['id'];
        $record['tokenFingerprint'] = $tokenRecord['fingerprint'];
        return [200, ['Cache-Control' => 'no-store', 'Pragma' => 'no-cache'], [
            'access_token' => $token,
            'expires_in' => $lifetime,
            'token_type' => 'bearer',
        ]];
    }

    public static function fingerprint(string $token): string
    {
        return substr(hash('sha256', $token), 0, 12);
    }

    /**
     * Checks the bearer token, the project's IP allow-list and the scope.
     *
     * @param array<string, mixed> $req
     * @param array<string, mixed> $record
     * @return array{array<string, mixed>|null, array{int, array<string, string>, mixed}|null} the token, or an error answer
     */
    private static function authorize(array $state, array $req, array &$record, string $scope): array
    {
        $authorization = (string) ($req['authorization'] ?? '');
        $auth = ['scheme' => null, 'tokenId' => null, 'tokenFingerprint' => null, 'tokenState' => 'missing'];
        $deny = static fn (string $message) => self::error(401, $message, 'UNAUTHORIZED', ['WWW-Authenticate' => 'Bearer error="invalid_token"']);
        if ($authorization === '') {
            $record['auth'] = $auth;
            return [null, self::error(401, 'Full authentication is required to access this resource', 'UNAUTHORIZED', ['WWW-Authenticate' => 'Bearer'])];
        }
        $auth['scheme'] = strtolower(explode(' ', $authorization, 2)[0]);
        if (!preg_match('/^Bearer +([\x21-\x7e]+)$/i', $authorization, $m)) {
            $auth['tokenState'] = 'malformed';
            $record['auth'] = $auth;
            return [null, $deny('Invalid authorization header: a Bearer token is expected')];
        }
        $auth['tokenFingerprint'] = self::fingerprint($m[1]);
        $token = $state['tokens'][hash('sha256', $m[1])] ?? null;
        if ($token === null) {
            $auth['tokenState'] = 'unknown';
            $record['auth'] = $auth;
            return [null, $deny('Invalid access token')];
        }
        $auth['tokenId'] = $token['id'];
        $client = $state['clients'][$token['clientId']] ?? null;
        $projectIndex = State::findProjectByUuid($state, $token['merchantApiId']);
        $auth['tokenState'] = match (true) {
            $token['revokedAt'] !== null, $client === null, $projectIndex === null => 'revoked',
            State::nowMs() >= $token['expiresAt'] => 'expired',
            default => 'valid',
        };
        $record['auth'] = $auth;
        $record['clientId'] = $token['clientId'];
        if ($auth['tokenState'] === 'expired') {
            return [null, $deny('Access token expired')];
        }
        if ($auth['tokenState'] !== 'valid') {
            return [null, $deny('Access token revoked')];
        }
        $project = $state['projects'][$projectIndex];
        if (!Net::allowed($project['ipAllowList'], (string) $req['remoteAddr'])) {
            return [null, self::error(403, 'Access denied: IP address ' . $req['remoteAddr'] . ' is not in the allow-list of this API client', 'FORBIDDEN')];
        }
        if (!in_array($scope, $token['scopes'], true)) {
            return [null, self::error(403, "Access denied: the token lacks scope $scope", 'FORBIDDEN')];
        }
        return [$token + ['project' => $project], null];
    }

    // ---- create -------------------------------------------------------------------------

    /**
     * @param array<string, mixed> $req
     * @param array<string, mixed> $record
     * @return array{int, array<string, string>, mixed}
     */
    private static function create(array &$state, array $req, array &$record): array
    {
        if ($req['method'] !== 'POST') {
            return self::error(405, 'Request method ' . $req['method'] . ' is not supported', 'METHOD_NOT_ALLOWED', ['Allow' => 'POST']);
        }
        [$token, $error] = self::authorize($state, $req, $record, 'orders:create');
        if ($error !== null) {
            return $error;
        }
        $project = $token['project'];
        $mediaType = strtolower(trim(explode(';', (string) $req['contentType'])[0]));
        if ($mediaType !== 'application/json') {
            return self::error(400, "Content type '" . $req['contentType'] . "' is not supported: application/json expected", 'BAD_REQUEST');
        }
        $in = json_decode((string) $req['rawBody'], true);
        if (!is_array($in) || array_is_list($in) && $in !== []) {
            // The status codes page: 422 = malformed JSON syntax (400 is for missing parameters).
            return self::error(422, 'Malformed JSON request: a JSON object is expected', 'MALFORMED_JSON');
        }

        // Missing parameters answer 400 (all of them named); so do values of the wrong form. What
        // the request asks that the project cannot do (currency, a used orderId) stays 422.
        $missing = [];
        $errors = [];
        $invalid = [];
        $present = static fn (string $name): bool => array_key_exists($name, $in) && $in[$name] !== null;
        $string = static function (string $name, bool $required = true, bool $emptyOk = false) use ($in, $present, &$errors, &$missing, &$invalid): ?string {
            if (!$present($name)) {
                if ($required) {
                    $missing[] = $name;
                }
                return null;
            }
            if (!is_string($in[$name])) {
                $errors[] = "$name must be a string";
                $invalid[] = $name;
                return null;
            }
            if (!$emptyOk && trim($in[$name]) === '') {
                $errors[] = "$name must not be blank";
                $invalid[] = $name;
                return null;
            }
            return $in[$name];
        };
        // Amounts: the docs' example sends a JSON number ("receiveAmount": 10), the reference a string.
        $amount = static function (string $name) use ($in, $present, &$errors, &$invalid): ?array {
            if (!$present($name)) {
                return null;
            }
            $raw = $in[$name];
            $text = is_int($raw) || is_float($raw) ? (string) $raw : (is_string($raw) ? $raw : null);
            $formatted = $text === null ? null : Canon::formatAmount($text);
            if ($formatted === null) {
                $errors[] = "$name must be a decimal number with at most 8 decimals, e.g. 12.3 or \"12.3\"";
                $invalid[] = $name;
                return null;
            }
            if ((float) $formatted <= 0) {
                $errors[] = "$name must be greater than 0";
                $invalid[] = $name;
                return null;
            }
            return [$text, $formatted];
        };
        $orderId = $string('orderId', false);
        if ($orderId !== null && strlen($orderId) > 128) {
            $errors[] = 'orderId must be at most 128 characters';
            $invalid[] = 'orderId';
        }
        $description = $string('description', true, true);
        $receive = $amount('receiveAmount');
        $pay = $amount('payAmount');
        $payCurrencyCode = $string('payCurrencyCode', false);
        if (!$present('receiveAmount')) {
            // The alternative: payAmount + payCurrencyCode instead of receiveAmount.
            if (!$present('payAmount')) {
                $missing[] = 'receiveAmount';
            } elseif (!$present('payCurrencyCode')) {
                $missing[] = 'payCurrencyCode';
            }
        }
        $receiveCurrency = $string('receiveCurrencyCode');
        if ($receiveCurrency !== null && !preg_match('/^[A-Z]{3,5}$/D', $receiveCurrency)) {
            $errors[] = 'receiveCurrencyCode must be a currency code such as EUR';
            $invalid[] = 'receiveCurrencyCode';
            $receiveCurrency = null;
        }
        if ($payCurrencyCode !== null && !preg_match('/^[A-Z]{3,5}$/D', $payCurrencyCode)) {
            $errors[] = 'payCurrencyCode must be a currency code such as BTC';
            $invalid[] = 'payCurrencyCode';
            $payCurrencyCode = null;
        }
        $urls = [];
        foreach (['callbackUrl' => true, 'successUrl' => false, 'failureUrl' => false] as $name => $required) {
            $url = $string($name, $required);
            if ($url !== null && (filter_var($url, FILTER_VALIDATE_URL) === false
                || !in_array(strtolower((string) parse_url($url, PHP_URL_SCHEME)), ['http', 'https'], true))) {
                $errors[] = "$name must be an absolute http(s) URL";
                $invalid[] = $name;
            }
            $urls[$name] = $url;
        }
        $projectId = $string('projectId');
        if ($projectId !== null && !Canon::isUuid($projectId)) {
            $errors[] = 'projectId must be a UUID';
            $invalid[] = 'projectId';
        }
        $payer = [];
        foreach (['payerEmail', 'payerName', 'payerSurname'] as $name) {
            if (!array_key_exists($name, $in) || $in[$name] === null) {
                continue;
            }
            if (!is_string($in[$name])) {
                $errors[] = "$name must be a string";
                continue;
            }
            $payer[$name] = $in[$name];
        }
        if (($payer['payerEmail'] ?? '') !== '' && filter_var($payer['payerEmail'], FILTER_VALIDATE_EMAIL) === false) {
            $errors[] = 'payerEmail must be an email address';
            $invalid[] = 'payerEmail';
        }
        if ($missing !== []) {
            return self::error(400, 'Missing required parameter(s): ' . implode(', ', $missing)
                . ($errors !== [] ? '; ' . implode('; ', $errors) : ''), 'MISSING_PARAMETER', [], array_merge($missing, $invalid));
        }
        if ($errors !== []) {
            return self::error(400, 'Invalid parameter(s): ' . implode('; ', $errors), 'INVALID_PARAMETER', [], $invalid);
        }
        // Unknown projects and projects of other clients are not told apart (no existence oracle).
        if (strtolower($projectId) !== $project['merchantApiId']) {
            return self::error(404, "Project $projectId not found", 'NOT_FOUND');
        }
        if (!in_array($receiveCurrency, $project['receiveCurrencies'], true)) {
            return self::error(422, "Currency $receiveCurrency is not supported", 'UNSUPPORTED_CURRENCY', [], ['receiveCurrencyCode']);
        }
        // The quote shown before the payer chooses: the currency asked for, else the project's first.
        $payCurrency = $receive === null ? (string) $payCurrencyCode : ($project['payCurrencies'][0] ?? 'BTC');
        if (!in_array($payCurrency, $project['payCurrencies'], true)) {
            return self::error(422, "Currency $payCurrency is not supported", 'UNSUPPORTED_CURRENCY', [], ['payCurrencyCode']);
        }
        if ($receive !== null) {
            [$receiveAmount, $formattedAmount] = $receive;
            $payAmount = self::payAmount($state, $payCurrency, $receiveCurrency, $formattedAmount);
        } else {
            // Only payAmount given: receiveAmount = round2(payAmount × rate), as the legacy API does.
            $rate = $state['rates'][$payCurrency][$receiveCurrency] ?? null;
            if ($rate === null) {
                return self::error(422, "No rate $payCurrency/$receiveCurrency", 'UNSUPPORTED_CURRENCY', [], ['payCurrencyCode']);
            }
            $payAmount = $pay[1];
            $formattedAmount = Canon::formatAmount(sprintf('%.2F', round((float) $payAmount * (float) $rate, 2)));
            $receiveAmount = $formattedAmount;
        }
        $now = State::nowMs();
        $preOrderId = State::uuid();
        // An order without orderId gets the system's id, as the legacy API assigns the orderRequestId.
        $orderId ??= $preOrderId;
        if (self::orderIdTaken($state, $project, $orderId)) {
            return self::error(422, "Order with orderId $orderId already exists", 'DUPLICATE_ORDER_ID', [], ['orderId']);
        }
        $preOrder = [
            'preOrderId' => $preOrderId,
            'merchantId' => $project['merchantId'],
            'apiId' => $project['apiId'],
            'merchantApiId' => $project['merchantApiId'],
            'clientId' => $token['clientId'],
            'orderId' => $orderId,
            'description' => $description,
            'receiveAmount' => $formattedAmount,
            'receiveAmountAsSent' => $receiveAmount,
            'receiveCurrency' => $receiveCurrency,
            'payCurrency' => $payCurrency,
            'payAmount' => $payAmount,
            'callbackUrl' => $urls['callbackUrl'],
            'successUrl' => (string) $urls['successUrl'],
            'failureUrl' => (string) $urls['failureUrl'],
            'payerEmail' => $payer['payerEmail'] ?? '',
            'payerName' => $payer['payerName'] ?? '',
            'payerSurname' => $payer['payerSurname'] ?? '',
            'createdAt' => $now,
            'validUntil' => $now + (int) $state['settings']['orderLifetimeMs'],
            'redirectUrl' => $req['baseUrl'] . '/checkout/pre/' . $preOrderId,
            'orderRequestId' => null,
        ];
        $state['preOrders'][$preOrderId] = $preOrder;
        $record['preOrderId'] = $preOrderId;

        $names = self::names($project);
        return [200, [], [
            'preOrderId' => $preOrderId,
            'orderId' => $orderId,
            'validUntil' => State::isoMs($preOrder['validUntil']),
            $names['payCurrency'] => $payCurrency,
            $names['payNetwork'] => self::NETWORKS[$payCurrency] ?? $payCurrency,
            'payAmount' => $preOrder['payAmount'],
            'depositAddress' => null,
            'memo' => null,
            $names['receiveCurrency'] => $receiveCurrency,
            'receiveAmount' => $receiveAmount,
            'redirectUrl' => $preOrder['redirectUrl'],
        ]];
    }

    /** Whether a merchant orderId is used in the project, by an order (either API) or a pre-order. */
    public static function orderIdTaken(array $state, array $project, string $orderId): bool
    {
        foreach ($state['orders'] as $o) {
            if ($o['merchantId'] === $project['merchantId'] && $o['apiId'] === $project['apiId'] && $o['orderId'] === $orderId) {
                return true;
            }
        }
        foreach ($state['preOrders'] ?? [] as $p) {
            if ($p['merchantApiId'] === $project['merchantApiId'] && $p['orderId'] === $orderId) {
                return true;
            }
        }
        return false;
    }

    /** ceil₈(receiveAmount / rate), as in the legacy API. */
    private static function payAmount(array $state, string $payCurrency, string $receiveCurrency, string $receiveAmount): ?string
    {
        $rate = $state['rates'][$payCurrency][$receiveCurrency] ?? null;
        if ($rate === null) {
            return null;
        }
        $value = max(1e-8, ceil((float) $receiveAmount / (float) $rate * 1e8) / 1e8);
        return Canon::formatAmount(sprintf('%.8F', $value));
    }

    /** @return array{payCurrency: string, payNetwork: string, receiveCurrency: string} */
    private static function names(array $project): array
    {
        return $project['legacyFieldNames']
            ? ['payCurrency' => 'payCurrency', 'payNetwork' => 'payNetworkName', 'receiveCurrency' => 'receiveCurrency']
            : ['payCurrency' => 'payCurrencyCode', 'payNetwork' => 'payNetworkCode', 'receiveCurrency' => 'receiveCurrencyCode'];
    }

    // ---- the payer picks the coin ---------------------------------------------------------

    /**
     * Turns a pre-order into an order (idempotent: a chosen pre-order returns its order).
     *
     * @param array<string, mixed> $state
     * @return int the order's orderRequestId
     */
    public static function choose(array &$state, string $preOrderId, string $payCurrency): int
    {
        $pre = $state['preOrders'][strtolower($preOrderId)] ?? null;
        if ($pre === null) {
            throw new FlowError("unknown pre-order $preOrderId", 404);
        }
        if ($pre['orderRequestId'] !== null) {
            return (int) $pre['orderRequestId'];
        }
        $projectIndex = State::findProjectByUuid($state, $pre['merchantApiId']);
        if ($projectIndex === null) {
            throw new FlowError("pre-order $preOrderId has no registered project any more", 409);
        }
        $project = $state['projects'][$projectIndex];
        if (!in_array($payCurrency, $project['payCurrencies'], true)) {
            throw new FlowError("pay currency $payCurrency is not enabled for the project", 400);
        }
        $payAmount = self::payAmount($state, $payCurrency, $pre['receiveCurrency'], $pre['receiveAmount']);
        if ($payAmount === null) {
            throw new FlowError("no rate $payCurrency/{$pre['receiveCurrency']}", 400);
        }
        $orderRequestId = (int) $state['nextOrderRequestId']++;
        $now = State::nowMs();
        $state['orders'][(string) $orderRequestId] = [
            'orderRequestId' => $orderRequestId,
            'id' => State::uuid(),
            'merchantPreOrderId' => $pre['preOrderId'],
            'api' => 'public',
            'merchantId' => $pre['merchantId'],
            'apiId' => $pre['apiId'],
            'idsSentAs' => 'oauth',
            'orderId' => $pre['orderId'],
            'payCurrency' => $payCurrency,
            'payNetwork' => self::NETWORKS[$payCurrency] ?? $payCurrency,
            'payAmount' => $payAmount,
            'receiveCurrency' => $pre['receiveCurrency'],
            'receiveAmount' => $pre['receiveAmount'],
            'receiveAmountAsSent' => $pre['receiveAmountAsSent'],
            'receivedAmount' => '0.0',
            'description' => $pre['description'],
            'payerEmail' => $pre['payerEmail'],
            'payerName' => $pre['payerName'],
            'payerSurname' => $pre['payerSurname'],
            'culture' => '',
            'callbackUrl' => $pre['callbackUrl'],
            'successUrl' => $pre['successUrl'],
            'failureUrl' => $pre['failureUrl'],
            'depositAddress' => OrderApi::depositAddress($orderRequestId, $project['merchantApiId']),
            'memo' => null,
            'redirectUrl' => $pre['redirectUrl'],
            'createdAt' => $now,
            'validUntil' => $now + (int) $state['settings']['orderLifetimeMs'],
            'preOrder' => true,
            'status' => 1,
            'history' => [['at' => $now, 'status' => 1, 'receivedAmount' => '0.0']],
        ];
        $state['preOrders'][$pre['preOrderId']]['orderRequestId'] = $orderRequestId;
        $state['preOrders'][$pre['preOrderId']]['payCurrency'] = $payCurrency;
        $state['preOrders'][$pre['preOrderId']]['payAmount'] = $payAmount;
        return $orderRequestId;
    }

    // ---- get ------------------------------------------------------------------------------

    /**
     * @param array<string, mixed> $req
     * @param array<string, mixed> $record
     * @return array{int, array<string, string>, mixed}
     */
    private static function get(array &$state, array $req, array &$record): array
    {
        if ($req['method'] !== 'GET') {
            return self::error(405, 'Request method ' . $req['method'] . ' is not supported', 'METHOD_NOT_ALLOWED', ['Allow' => 'GET']);
        }
        [$token, $error] = self::authorize($state, $req, $record, 'orders:read');
        if ($error !== null) {
            return $error;
        }
        $project = $token['project'];
        $id = strtolower((string) $req['id']);
        $record['orderUuid'] = $req['id'];
        foreach ($state['orders'] as $order) {
            if (($order['id'] ?? null) === $id && $order['merchantId'] === $project['merchantId'] && $order['apiId'] === $project['apiId']) {
                return [200, [], self::orderView($order, $project)];
            }
        }
        return self::error(404, 'Order ' . $req['id'] . ' not found', 'NOT_FOUND');
    }

    /**
     * The GET answer for an order (either API generation created it).
     *
     * @return array<string, mixed>
     */
    public static function orderView(array $order, array $project): array
    {
        $names = self::names($project);
        $status = (int) $order['status'];
        return [
            'id' => $order['id'],
            'orderId' => $order['orderId'],
            'merchantPreOrderId' => $order['merchantPreOrderId'] ?? null,
            'status' => $project['numericStatus'] ? $status : (State::STATUS_NAMES[$status] ?? (string) $status),
            'description' => $order['description'],
            $names['payCurrency'] => $order['payCurrency'],
            $names['payNetwork'] => $order['payNetwork'] ?? (self::NETWORKS[$order['payCurrency']] ?? $order['payCurrency']),
            'payAmount' => (string) $order['payAmount'],
            'depositAddress' => $order['depositAddress'],
            'memo' => $order['memo'] ?? null,
            $names['receiveCurrency'] => $order['receiveCurrency'],
            'receiveAmount' => (string) ($order['receiveAmountAsSent'] ?? $order['receiveAmount']),
            'validUntil' => State::isoMs((int) $order['validUntil']),
        ];
    }

    // ---- errors and logs ------------------------------------------------------------------

    /**
     * The documented error body.
     *
     * @param array<string, string> $headers
     * @return array{int, array<string, string>, array{defaultMessage: string, errorCode: string, spanId: string, traceId: string}}
     */
    public static function error(int $status, string $message, string $key, array $headers = [], ?array $parameters = null): array
    {
        return [$status, $headers, self::errorBody($message, $key, $parameters)];
    }

    /**
     * GEN code and category of each error the simulator answers (its `key`). Only GEN_1 is
     * SpectroCoin's documented text; the other numbers are the simulator's.
     */
    private const GEN = [
        'INTERNAL_ERROR' => ['GEN_1 - Internal server error occurred', 'TECHNICAL'],
        'SERVICE_UNAVAILABLE' => ['GEN_2', 'TECHNICAL'],
        'BAD_GATEWAY' => ['GEN_2', 'TECHNICAL'],
        'UNAUTHORIZED' => ['GEN_3', 'SECURITY'],
        'invalid_client' => ['GEN_3', 'SECURITY'],
        'FORBIDDEN' => ['GEN_4', 'SECURITY'],
        'invalid_scope' => ['GEN_4', 'SECURITY'],
        'NOT_FOUND' => ['GEN_5', 'VALIDATION'],
        'METHOD_NOT_ALLOWED' => ['GEN_6', 'VALIDATION'],
        'MALFORMED_JSON' => ['GEN_7', 'VALIDATION'],
        'BAD_REQUEST' => ['GEN_8', 'VALIDATION'],
        'MISSING_PARAMETER' => ['GEN_8', 'VALIDATION'],
        'INVALID_PARAMETER' => ['GEN_8', 'VALIDATION'],
        'UNSUPPORTED_CURRENCY' => ['GEN_8', 'VALIDATION'],
        'DUPLICATE_ORDER_ID' => ['GEN_8', 'VALIDATION'],
        'invalid_request' => ['GEN_8', 'VALIDATION'],
        'unsupported_grant_type' => ['GEN_8', 'VALIDATION'],
        'TOO_MANY_REQUESTS' => ['GEN_9', 'TECHNICAL'],
    ];

    /**
     * @param list<string>|null $parameters the request parameters at fault (errorParameters)
     * @return array<string, mixed> defaultMessage, errorCode, spanId, traceId, category, key[, errorParameters]
     */
    public static function errorBody(string $message, string $key, ?array $parameters = null): array
    {
        [$code, $category] = self::GEN[$key] ?? ['GEN_1 - Internal server error occurred', 'TECHNICAL'];
        $body = [
            'defaultMessage' => $message,
            'errorCode' => $code,
            'spanId' => bin2hex(random_bytes(8)),
            'traceId' => bin2hex(random_bytes(8)),
            'category' => $category,
            'key' => $key,
        ];
        if ($parameters !== null) {
            $body['errorParameters'] = array_values(array_unique($parameters));
        }
        return $body;
    }

    /** Body of a faulted answer with HTTP status $code. */
    private static function faultError(int $code): string
    {
        [$message, $errorCode] = match ($code) {
            401 => ['Access token expired', 'UNAUTHORIZED'],
            403 => ['Access denied', 'FORBIDDEN'],
            429 => ['Too many requests', 'TOO_MANY_REQUESTS'],
            500 => ['Internal server error', 'INTERNAL_ERROR'],
            502 => ['Bad gateway', 'BAD_GATEWAY'],
            503 => ['Service unavailable', 'SERVICE_UNAVAILABLE'],
            default => ['Error', 'ERROR'],
        };
        return (string) json_encode(self::errorBody($message . ' (simulated)', $errorCode), JSON_UNESCAPED_SLASHES);
    }

    /** @return array<string, mixed> */
    private static function baseRecord(array $state, string $target, array $req): array
    {
        $record = [
            'at' => State::nowMs(),
            'method' => $req['method'],
            'path' => $req['path'],
            'remoteAddr' => $req['remoteAddr'],
            'contentType' => $req['contentType'],
        ];
        if ($target === 'token') {
            // Never the raw body: it carries the client secret.
            return $record + ['clientAuth' => null, 'clientId' => null, 'secretGiven' => false, 'grantType' => null,
                'scope' => null, 'tokenId' => null, 'tokenFingerprint' => null];
        }
        return $record + ['endpoint' => $target, 'rawBody' => $req['rawBody'], 'clientId' => null,
            'auth' => ['scheme' => null, 'tokenId' => null, 'tokenFingerprint' => null, 'tokenState' => null]];
    }

    private static function log(array &$state, string $target, array $record): void
    {
        $key = $target === 'token' ? 'tokenRequests' : 'apiRequests';
        $record = ['id' => count($state[$key]) + 1] + $record;
        $state[$key][] = $record;
    }
}
