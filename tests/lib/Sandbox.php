<?php

declare(strict_types=1);

namespace Testbed;

/**
 * A hands-on environment: the private MariaDB, the WHMCS stand-in with php-module/modules
 * installed (the extension loaded when built) and the SpectroCoin simulator with its
 * dispatcher, the gateway activated and configured for the simulator's default project. Every
 * SpectroCoin endpoint the extension calls (legacy API, public API token and orders, public key)
 * points at the simulator, so API client credentials work here too. Used by
 * tests/bin/sandbox.php (`make sandbox`) and EndToEnd/SandboxTest.
 *
 *     $sandbox = new Sandbox(sitePort: 8180, simulatorPort: 8181);
 *     $sandbox->start();
 *     echo $sandbox->summary();
 *     ...
 *     $sandbox->stop();
 */
final class Sandbox
{
    public const GATEWAY = 'spectrocoin';
    /** The simulator's default project (tests/simulator/default-config.json). */
    public const MERCHANT_ID = '25';
    public const PROJECT_ID = '74';

    private ?WhmcsSite $site = null;
    private ?Simulator $simulator = null;
    private ?MariaDb $db = null;
    private ?string $extension;
    /** @var list<string> */
    private array $notes = [];

    /**
     * @param int|null $sitePort null: a free port (tests)
     * @param int|null $simulatorPort null: a free port (tests)
     * @param string|null $extension path of the built extension; null: env SPECTROCOIN_EXT or
     *        target/debug/libspectrocoin.so when it exists; '' = do not load it
     * @param bool $stopDatabase whether stop() also stops the process's shared MariaDB (false in
     *        a test process, where other tests still use it)
     */
    public function __construct(
        private ?int $sitePort = 8180,
        private ?int $simulatorPort = 8181,
        ?string $extension = null,
        private bool $withSimulator = true,
        private bool $stopDatabase = true,
    ) {
        $this->extension = $extension ?? self::defaultExtension();
    }

    public static function repoRoot(): string
    {
        return dirname(__DIR__, 2);
    }

    /** env SPECTROCOIN_EXT (relative to the repository) or target/debug/libspectrocoin.so, if the file exists. */
    public static function defaultExtension(): ?string
    {
        $path = getenv('SPECTROCOIN_EXT') ?: 'target/debug/libspectrocoin.so';
        if ($path[0] !== '/') {
            $path = self::repoRoot() . '/' . $path;
        }
        return is_file($path) ? $path : null;
    }

    public function start(): void
    {
        $this->db = MariaDb::shared();
        $ini = [];
        if ($this->withSimulator) {
            $this->simulator = new Simulator(port: $this->simulatorPort);
            $this->simulator->startDispatcher();
            $ini['spectrocoin.api_url'] = $this->simulator->apiUrl();
            $ini['spectrocoin.public_key_url'] = $this->simulator->publicKeyUrl();
            $ini['spectrocoin.public_api_url'] = $this->simulator->publicApiUrl();
        }
        if ($this->extension !== null && $this->extension !== '') {
            $problem = self::extensionProblem($this->extension);
            if ($problem === null) {
                $ini['extension'] = $this->extension;
            } else {
                $this->notes[] = "extension NOT loaded: $problem";
                $this->extension = null;
            }
        } else {
            $this->notes[] = 'extension not built (make ext); the module runs without it';
        }

        $modules = self::repoRoot() . '/php-module/modules';
        $this->site = new WhmcsSite(
            modules: is_dir($modules) ? [$modules] : [],
            ini: $ini,
            port: $this->sitePort,
            workers: 8,
        );
        if (is_file($this->site->root() . '/modules/gateways/' . self::GATEWAY . '.php')) {
            $this->configureGateway();
        } else {
            $this->notes[] = 'php-module/modules/gateways/' . self::GATEWAY . '.php not found: no gateway installed';
        }
    }

    private function configureGateway(): void
    {
        try {
            $this->site->activateGateway(self::GATEWAY);
            $vectors = json_decode((string) file_get_contents(self::repoRoot() . '/tests/fixtures/vectors/spectrocoin-vectors.json'), true);
            $errors = $this->site->saveGatewaySettings(self::GATEWAY, [
                'merchantId' => self::MERCHANT_ID,
                'projectId' => self::PROJECT_ID,
                'privateKey' => (string) ($vectors['merchant_test_private_key_pem'] ?? ''),
            ]);
            if ($errors !== []) {
                $this->notes[] = 'gateway settings not saved: ' . implode('; ', $errors) . ' (configure it in the admin area)';
            }
        } catch (\Throwable $e) {
            $this->notes[] = 'gateway not configured: ' . $e->getMessage();
        }
    }

    public function site(): WhmcsSite
    {
        if ($this->site === null) {
            throw new \LogicException('sandbox not started');
        }
        return $this->site;
    }

    public function simulator(): ?Simulator
    {
        return $this->simulator;
    }

    /** True while every started server still runs. */
    public function isHealthy(): bool
    {
        return $this->site !== null && $this->site->server()->isRunning()
            && ($this->simulator === null || $this->simulator->server()->isRunning())
            && $this->db !== null && $this->db->isRunning();
    }

    /** URLs and log-ins, for people. */
    public function summary(): string
    {
        $site = $this->site();
        $lines = [
            'WHMCS stand-in       ' . $site->systemUrl(),
            '  client login       ' . $site->url('login.php') . '   alice@example.com / client (EUR), bob@example.com / client (USD)',
            '  unpaid invoice     ' . $site->url('viewinvoice.php?id=1') . '  (EUR 100.00; id=2 is USD 55.00 for bob)',
            '  admin              ' . $site->url('admin/') . '   admin / admin',
            '  gateway settings   ' . $site->url('admin/configgateways.php'),
            '  callback URL       ' . $site->callbackUrl(self::GATEWAY),
            '  server log         ' . $site->server()->logPath(),
        ];
        if ($this->simulator !== null) {
            $lines[] = 'SpectroCoin simulator ' . $this->simulator->url() . '/   (legacy API ' . $this->simulator->apiUrl()
                . ', public API ' . $this->simulator->publicApiUrl() . ')';
            $lines[] = '  current API        client ID ' . Simulator::DEFAULT_CLIENT_ID . ', secret ' . Simulator::DEFAULT_CLIENT_SECRET
                . ', project ID ' . Simulator::DEFAULT_PROJECT_ID . ' (a sandbox-only test client; use it in the gateway settings)';
            $lines[] = '  server log         ' . $this->simulator->logPath();
        }
        $lines[] = 'Extension            ' . ($this->extension !== null ? 'loaded: ' . $this->extension : 'not loaded');
        $lines[] = 'MariaDB              socket ' . $this->db->socket() . ', database ' . $site->databaseName()
            . '  (mariadb -S ' . $this->db->socket() . ' -u root ' . $site->databaseName() . ')';
        foreach ($this->notes as $note) {
            $lines[] = 'NOTE: ' . $note;
        }
        return implode("\n", $lines) . "\n";
    }

    /** Stops site, simulator and MariaDB. Idempotent. */
    public function stop(): void
    {
        $this->site?->stop();
        $this->simulator?->stop();
        $this->site = null;
        $this->simulator = null;
        if ($this->stopDatabase) {
            $this->db?->stop();
        }
        $this->db = null;
    }

    /** Why the extension cannot be loaded into this PHP, or null when it loads. */
    public static function extensionProblem(string $path): ?string
    {
        $process = proc_open(
            [PHP_BINARY, '-n', '-d', 'extension=' . $path, '-r', 'echo extension_loaded("spectrocoin") ? "ok" : "missing";'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]],
            $pipes,
        );
        if (!is_resource($process)) {
            return 'cannot run ' . PHP_BINARY;
        }
        $out = trim((string) stream_get_contents($pipes[1]));
        fclose($pipes[1]);
        proc_close($process);
        return str_ends_with($out, 'ok') && !str_contains($out, 'Warning') ? null : $out;
    }
}
