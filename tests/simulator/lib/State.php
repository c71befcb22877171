<?php

declare(strict_types=1);

namespace Sim;

/** Shape of the state document and the project registry rules. */
final class State
{
    /** Status codes of spectrocoin-api.md 1.6. */
    public const STATUS_NAMES = [
        1 => 'NEW', 2 => 'PENDING', 3 => 'PAID', 4 => 'FAILED', 5 => 'EXPIRED', 6 => 'TEST',
        10 => 'LATE_CRYPTO_PAYMENT', 11 => 'PARTIAL_PAYMENT', 12 => 'UNDERPAID', 13 => 'CANCELLED',
        14 => 'INVALID_PAYMENT', 15 => 'TEST_PAID', 16 => 'TEST_EXPIRED', 17 => 'PROCESSING_REFUND',
        18 => 'REFUNDED', 19 => 'REJECTED_REFUND', 20 => 'PENDING_LATE_CRYPTO_PAYMENT', 21 => 'REJECTED',
    ];

    public const DEFAULT_SETTINGS = [
        'orderLifetimeMs' => 900_000,
        // Callback retries: first retry after retryBaseMs, doubling, capped; maxAttempts in all.
        'retryBaseMs' => 1000,
        'retryCapMs' => 60_000,
        'maxAttempts' => 8,
        'callbackTimeoutMs' => 10_000,
        'firstOrderRequestId' => 100001,
        // Current public API (section 2): access-token lifetime, unless the project sets its own.
        'tokenLifetimeS' => 3600,
    ];

    /** Callback formats a project can be set to. */
    public const CALLBACK_FORMATS = ['legacy', 'json'];

    /** OAuth scopes of the simulator (the doc names none; see README). */
    public const SCOPES = ['orders:create', 'orders:read'];

    /** Fault targets, and the state key of each queue. */
    public const FAULT_TARGETS = ['createOrder', 'publicKey', 'token', 'create', 'get'];

    /** @return array<string, mixed> */
    public static function initial(): array
    {
        $config = self::config();
        $projects = [];
        $clients = [];
        foreach ($config['projects'] as $project) {
            $stored = self::normalizeProject($project);
            $projects[] = $stored;
            foreach ($project['clients'] ?? [] as $client) {
                $client['merchantApiId'] = $stored['merchantApiId'];
                $client = self::normalizeClient($client);
                $clients[$client['clientId']] = $client;
            }
        }
        return [
            'settings' => self::DEFAULT_SETTINGS,
            'rates' => $config['rates'],
            'projects' => $projects,
            'orders' => [],
            'requests' => [],
            'deliveries' => [],
            'faults' => self::emptyFaults(),
            'nextOrderRequestId' => self::DEFAULT_SETTINGS['firstOrderRequestId'],
            'nextDeliveryId' => 1,
            // Current public API (section 2).
            'clients' => $clients,
            'tokens' => [],
            'nextTokenId' => 1,
            'preOrders' => [],
            'tokenRequests' => [],
            'apiRequests' => [],
        ];
    }

    /** @return array<string, list<mixed>> */
    public static function emptyFaults(): array
    {
        return array_fill_keys(self::FAULT_TARGETS, []);
    }

    /**
     * Fills keys a state document written by an older simulator lacks.
     *
     * @param array<string, mixed> $state
     * @return array<string, mixed>
     */
    public static function upgrade(array $state): array
    {
        if (!isset($state['clients'])) {
            $fresh = self::initial();
            foreach (['clients', 'tokens', 'nextTokenId', 'preOrders', 'tokenRequests', 'apiRequests'] as $k) {
                $state[$k] ??= $fresh[$k];
            }
            $state['settings'] += self::DEFAULT_SETTINGS;
            $state['faults'] += self::emptyFaults();
            foreach ($state['projects'] as $i => $p) {
                $state['projects'][$i] = self::normalizeProject($p);
            }
        }
        return $state;
    }

    /**
     * Validates and completes an OAuth client registration (client credentials of a project).
     *
     * @param array<string, mixed> $c clientId, clientSecret, merchantApiId (the project), scopes?
     * @return array<string, mixed>
     */
    public static function normalizeClient(array $c): array
    {
        foreach (['clientId', 'clientSecret'] as $k) {
            if (!isset($c[$k]) || !is_string($c[$k]) || $c[$k] === '' || preg_match('/[\x00-\x20\x7f]/', $c[$k])) {
                throw new \InvalidArgumentException("client $k must be a non-empty string without spaces or control characters");
            }
        }
        if (!isset($c['merchantApiId']) || !Canon::isUuid((string) $c['merchantApiId'])) {
            throw new \InvalidArgumentException('client merchantApiId (its project UUID) must be a UUID');
        }
        $scopes = $c['scopes'] ?? self::SCOPES;
        if (!is_array($scopes) || array_diff($scopes, self::SCOPES) !== []) {
            throw new \InvalidArgumentException('client scopes must be a subset of ' . implode(', ', self::SCOPES));
        }
        return [
            'clientId' => $c['clientId'],
            'clientSecret' => $c['clientSecret'],
            'merchantApiId' => strtolower((string) $c['merchantApiId']),
            'scopes' => array_values(array_map('strval', $scopes)),
        ];
    }

    /**
     * The registration config: SIM_CONFIG (a JSON file) or default-config.json.
     *
     * @return array{projects: list<array<string, mixed>>, rates: array<string, array<string, string>>}
     */
    public static function config(): array
    {
        $path = getenv('SIM_CONFIG') ?: dirname(__DIR__) . '/default-config.json';
        $config = json_decode((string) file_get_contents($path), true);
        if (!is_array($config) || !isset($config['projects'], $config['rates'])) {
            throw new \RuntimeException("bad simulator config $path");
        }
        return $config;
    }

    /**
     * Validates and completes a project registration.
     *
     * @param array<string, mixed> $p
     * @return array<string, mixed>
     */
    public static function normalizeProject(array $p): array
    {
        foreach (['merchantId', 'apiId'] as $k) {
            if (!isset($p[$k]) || !preg_match('/^[0-9]+$/D', (string) $p[$k])) {
                throw new \InvalidArgumentException("project $k must be a numeric string");
            }
        }
        foreach (['userId', 'merchantApiId'] as $k) {
            if (!isset($p[$k]) || !Canon::isUuid((string) $p[$k])) {
                throw new \InvalidArgumentException("project $k must be a UUID");
            }
        }
        if (!isset($p['publicKeyPem']) || openssl_pkey_get_public((string) $p['publicKeyPem']) === false) {
            throw new \InvalidArgumentException('project publicKeyPem must be a PEM public key');
        }
        $status = (int) ($p['testCallbackStatus'] ?? 6);
        if (!isset(self::STATUS_NAMES[$status])) {
            throw new \InvalidArgumentException("unknown testCallbackStatus $status");
        }
        $format = (string) ($p['callbackFormat'] ?? 'legacy');
        if (!in_array($format, self::CALLBACK_FORMATS, true)) {
            throw new \InvalidArgumentException('project callbackFormat must be one of ' . implode(', ', self::CALLBACK_FORMATS));
        }
        $payerFields = (string) ($p['payerFields'] ?? 'nonEmpty');
        if (!in_array($payerFields, ['nonEmpty', 'always', 'never'], true)) {
            throw new \InvalidArgumentException('project payerFields must be one of nonEmpty, always, never');
        }
        $signEncoding = (string) ($p['signEncoding'] ?? 'php');
        if (!in_array($signEncoding, ['php', 'java'], true)) {
            throw new \InvalidArgumentException('project signEncoding must be php or java');
        }
        $allow = $p['ipAllowList'] ?? null;
        if ($allow !== null) {
            if (!is_array($allow)) {
                throw new \InvalidArgumentException('project ipAllowList must be null (everyone) or a list of IPs/CIDRs');
            }
            foreach ($allow as $entry) {
                if (!is_string($entry) || !Net::validEntry($entry)) {
                    throw new \InvalidArgumentException('ipAllowList entry is not an IP or CIDR: ' . json_encode($entry));
                }
            }
            $allow = array_values($allow);
        }
        $lifetime = $p['tokenLifetimeS'] ?? null;
        if ($lifetime !== null && (!is_int($lifetime) || $lifetime < 0)) {
            throw new \InvalidArgumentException('project tokenLifetimeS must be null or an integer >= 0');
        }
        return [
            'name' => (string) ($p['name'] ?? ($p['merchantId'] . '/' . $p['apiId'])),
            'merchantId' => (string) $p['merchantId'],
            'apiId' => (string) $p['apiId'],
            'userId' => strtolower((string) $p['userId']),
            'merchantApiId' => strtolower((string) $p['merchantApiId']),
            'publicKeyPem' => (string) $p['publicKeyPem'],
            'receiveCurrencies' => array_values(array_map('strval', $p['receiveCurrencies'] ?? ['EUR', 'USD'])),
            'payCurrencies' => array_values(array_map('strval', $p['payCurrencies'] ?? ['BTC'])),
            'preOrder' => (bool) ($p['preOrder'] ?? false),
            'test' => (bool) ($p['test'] ?? false),
            'testCallbackStatus' => $status,
            // Current public API (section 2).
            'callbackFormat' => $format,
            'legacyFieldNames' => (bool) ($p['legacyFieldNames'] ?? false),
            'numericStatus' => (bool) ($p['numericStatus'] ?? false),
            'ipAllowList' => $allow,
            'tokenLifetimeS' => $lifetime,
            // Legacy callbacks: which payer fields they carry, and which form encoder signs them.
            'payerFields' => $payerFields,
            'signEncoding' => $signEncoding,
        ];
    }

    /**
     * @param array<string, mixed> $state
     * @return int|null index into $state['projects']
     */
    public static function findProjectByUuid(array $state, string $merchantApiId): ?int
    {
        foreach ($state['projects'] as $i => $p) {
            if ($p['merchantApiId'] === strtolower($merchantApiId)) {
                return $i;
            }
        }
        return null;
    }

    /** A random (version 4) UUID. */
    public static function uuid(): string
    {
        $b = random_bytes(16);
        $b[6] = chr((ord($b[6]) & 0x0f) | 0x40);
        $b[8] = chr((ord($b[8]) & 0x3f) | 0x80);
        $h = bin2hex($b);
        return substr($h, 0, 8) . '-' . substr($h, 8, 4) . '-' . substr($h, 12, 4) . '-' . substr($h, 16, 4) . '-' . substr($h, 20);
    }

    /** ISO-8601 UTC with milliseconds, e.g. 2025-02-10T12:34:56.789Z. */
    public static function isoMs(int $ms): string
    {
        return gmdate('Y-m-d\TH:i:s', intdiv($ms, 1000)) . sprintf('.%03dZ', $ms % 1000);
    }

    /**
     * Adds a project, or replaces the one with the same numeric pair or the same UUID pair.
     *
     * @param array<string, mixed> $state
     * @param array<string, mixed> $project
     * @return array<string, mixed> the stored project
     */
    public static function upsertProject(array &$state, array $project): array
    {
        $project = self::normalizeProject($project);
        foreach ($state['projects'] as $i => $existing) {
            if (($existing['merchantId'] === $project['merchantId'] && $existing['apiId'] === $project['apiId'])
                || ($existing['userId'] === $project['userId'] && $existing['merchantApiId'] === $project['merchantApiId'])) {
                $state['projects'][$i] = $project;
                return $project;
            }
        }
        $state['projects'][] = $project;
        return $project;
    }

    /**
     * The project addressed by an id pair: numeric (merchantId/apiId) or UUID
     * (userId/merchantApiId), as named by the request.
     *
     * @param array<string, mixed> $state
     * @return int|null index into $state['projects']
     */
    public static function findProject(array $state, string $slot1Name, string $slot1, string $slot2): ?int
    {
        foreach ($state['projects'] as $i => $p) {
            if ($slot1Name === 'merchantId' && $p['merchantId'] === $slot1 && $p['apiId'] === $slot2) {
                return $i;
            }
            if ($slot1Name === 'userId' && $p['userId'] === strtolower($slot1) && $p['merchantApiId'] === strtolower($slot2)) {
                return $i;
            }
        }
        return null;
    }

    /**
     * @param array<string, mixed> $state
     * @return array<string, mixed>|null
     */
    public static function projectOf(array $state, array $order): ?array
    {
        foreach ($state['projects'] as $p) {
            if ($p['merchantId'] === $order['merchantId'] && $p['apiId'] === $order['apiId']) {
                return $p;
            }
        }
        return null;
    }

    public static function nowMs(): int
    {
        return (int) floor(microtime(true) * 1000);
    }
}
