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
    ];

    /** @return array<string, mixed> */
    public static function initial(): array
    {
        $config = self::config();
        $projects = [];
        foreach ($config['projects'] as $project) {
            $projects[] = self::normalizeProject($project);
        }
        return [
            'settings' => self::DEFAULT_SETTINGS,
            'rates' => $config['rates'],
            'projects' => $projects,
            'orders' => [],
            'requests' => [],
            'deliveries' => [],
            'faults' => ['createOrder' => [], 'publicKey' => []],
            'nextOrderRequestId' => self::DEFAULT_SETTINGS['firstOrderRequestId'],
            'nextDeliveryId' => 1,
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
        ];
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
