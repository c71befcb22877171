<?php

declare(strict_types=1);

namespace Testbed;

/**
 * One `php -S 127.0.0.1:<port>` process for tests: a docroot, an optional router script,
 * extra `-d` ini settings and extra environment variables.
 *
 * The server runs in its own session / process group (via `setsid`), so stop() takes the
 * master and its PHP_CLI_SERVER_WORKERS children down together. Every running server is
 * also stopped when the PHP process that started it shuts down, and a small watchdog (sh)
 * kills the group if that process dies without shutting down (SIGKILL, crash).
 *
 * Usage:
 *
 *     $server = new PhpServer(
 *         docroot: '/path/to/root',
 *         router: '/path/to/root/router.php',          // null: plain docroot serving
 *         ini: ['extension' => '/abs/libspectrocoin.so', 'display_errors' => 'stderr'],
 *         env: ['SIM_STATE_DIR' => '/tmp/x'],          // added to this process' environment
 *         port: null,                                  // null: pick a free port
 *         workers: 4,                                  // PHP_CLI_SERVER_WORKERS
 *     );
 *     $server->url();      // "http://127.0.0.1:40123" (no trailing slash)
 *     $server->port();     // 40123
 *     $server->logPath();  // stderr + stdout of the server (request log, PHP errors)
 *     $server->stop();
 *
 * `ini` values that are lists are repeated (`['extension' => ['a.so', 'b.so']]`).
 * The constructor returns only when the port accepts connections; it throws
 * \RuntimeException (with the log tail) when the server dies or does not answer within
 * `startTimeout` seconds. With an automatically picked port, a lost race for the port is
 * retried with another one.
 */
final class PhpServer
{
    /** @var array<int, PhpServer> running servers, stopped at shutdown */
    private static array $running = [];
    private static bool $shutdownRegistered = false;

    /** @var resource|null */
    private $process = null;
    /** @var resource|null */
    private $watchdog = null;
    /** @var resource|null flock'ed claim on the port, shared by all test processes */
    private $portClaim = null;
    private int $pid = 0;
    private int $port;
    private string $logPath;

    /**
     * @param string $docroot directory given to `-t`
     * @param string|null $router router script (absolute path), or null
     * @param array<string, string|int|list<string>> $ini extra `-d name=value` settings
     * @param array<string, string> $env extra environment variables for the server
     * @param int|null $port fixed port, or null to pick a free one
     * @param int $workers PHP_CLI_SERVER_WORKERS (>1 lets servers call each other / themselves)
     * @param string|null $logPath file receiving the server's stderr/stdout; null: a temp file
     * @param float $startTimeout seconds to wait for the port to accept connections
     */
    public function __construct(
        private string $docroot,
        private ?string $router = null,
        private array $ini = [],
        private array $env = [],
        ?int $port = null,
        private int $workers = 4,
        ?string $logPath = null,
        private float $startTimeout = 10.0,
    ) {
        if (!is_dir($docroot)) {
            throw new \InvalidArgumentException("docroot is not a directory: $docroot");
        }
        if ($router !== null && !is_file($router)) {
            throw new \InvalidArgumentException("router script not found: $router");
        }
        $this->logPath = $logPath ?? (tempnam(sys_get_temp_dir(), 'phpserver-') . '.log');
        self::registerShutdown();

        $attempts = $port === null ? 5 : 1;
        $lastError = null;
        for ($i = 0; $i < $attempts; $i++) {
            $this->port = $port ?? self::freePort();
            if (!$this->claimPort()) {
                $lastError = new \RuntimeException("port {$this->port} is in use");
                continue;
            }
            try {
                $this->launch();
                self::$running[spl_object_id($this)] = $this;
                return;
            } catch (\RuntimeException $e) {
                $lastError = $e;
                $this->kill();
                $this->releasePort();
                // Only a port race is worth another try; anything else repeats identically.
                if (!str_contains($this->logTail(), 'Address already in use')) {
                    break;
                }
            }
        }
        throw $lastError ?? new \RuntimeException('php -S did not start');
    }

    /** Base URL without trailing slash, e.g. `http://127.0.0.1:40123`. */
    public function url(): string
    {
        return 'http://127.0.0.1:' . $this->port;
    }

    public function port(): int
    {
        return $this->port;
    }

    /** File holding the server's stderr and stdout. */
    public function logPath(): string
    {
        return $this->logPath;
    }

    /** Last bytes of the log, for error messages. */
    public function logTail(int $bytes = 4000): string
    {
        $size = @filesize($this->logPath);
        if ($size === false) {
            return '';
        }
        $content = @file_get_contents($this->logPath, false, null, max(0, $size - $bytes));
        return $content === false ? '' : $content;
    }

    public function isRunning(): bool
    {
        if ($this->process === null) {
            return false;
        }
        return proc_get_status($this->process)['running'];
    }

    /** Stops the server and its workers (whole process group). Idempotent. */
    public function stop(): void
    {
        unset(self::$running[spl_object_id($this)]);
        $this->kill();
        $this->releasePort();
    }

    public function __destruct()
    {
        $this->stop();
    }

    private function launch(): void
    {
        $cmd = ['setsid', PHP_BINARY];
        foreach ($this->ini as $name => $value) {
            foreach ((array) $value as $v) {
                $cmd[] = '-d';
                $cmd[] = $name . '=' . $v;
            }
        }
        array_push($cmd, '-S', '127.0.0.1:' . $this->port, '-t', $this->docroot);
        if ($this->router !== null) {
            $cmd[] = $this->router;
        }

        $env = getenv();
        $env['PHP_CLI_SERVER_WORKERS'] = (string) $this->workers;
        foreach ($this->env as $k => $v) {
            $env[$k] = (string) $v;
        }

        file_put_contents($this->logPath, '# ' . implode(' ', $cmd) . "\n", FILE_APPEND);
        $process = proc_open(
            $cmd,
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->logPath, 'a'], 2 => ['file', $this->logPath, 'a']],
            $pipes,
            $this->docroot,
            $env,
        );
        if (!is_resource($process)) {
            throw new \RuntimeException('proc_open failed for: ' . implode(' ', $cmd));
        }
        $this->process = $process;
        // setsid execs directly (the forked child is not a group leader), so this pid is
        // the php master and also the id of its new process group.
        $this->pid = proc_get_status($process)['pid'];

        $deadline = microtime(true) + $this->startTimeout;
        while (microtime(true) < $deadline) {
            if (!$this->isRunning()) {
                throw new \RuntimeException(
                    "php -S on port {$this->port} exited during start; log {$this->logPath}:\n" . $this->logTail()
                );
            }
            // The banner proves that *our* process owns the port (a connect alone could reach
            // a foreign listener while ours is about to fail with "Address already in use").
            if (str_contains($this->logTail(), "(http://127.0.0.1:{$this->port}) started")) {
                $socket = @stream_socket_client('tcp://127.0.0.1:' . $this->port, $errno, $errstr, 0.2);
                if ($socket !== false) {
                    fclose($socket);
                    $this->startWatchdog();
                    return;
                }
            }
            usleep(20_000);
        }
        throw new \RuntimeException(
            "php -S on port {$this->port} did not answer within {$this->startTimeout}s; log {$this->logPath}:\n"
            . $this->logTail()
        );
    }

    private function startWatchdog(): void
    {
        $script = 'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done; '
            . 'kill -TERM "-$2" 2>/dev/null; sleep 1; kill -KILL "-$2" 2>/dev/null';
        $watchdog = proc_open(
            ['setsid', 'sh', '-c', $script, 'phpserver-watchdog', (string) getmypid(), (string) $this->pid],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
        );
        if (is_resource($watchdog)) {
            $this->watchdog = $watchdog;
        }
    }

    private function kill(): void
    {
        if ($this->watchdog !== null) {
            $status = proc_get_status($this->watchdog);
            if ($status['running']) {
                @posix_kill($status['pid'], SIGKILL);
            }
            proc_close($this->watchdog);
            $this->watchdog = null;
        }
        if ($this->process === null) {
            return;
        }
        if ($this->pid > 0) {
            @posix_kill(-$this->pid, SIGTERM);
            $deadline = microtime(true) + 2.0;
            while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
                usleep(10_000);
            }
            // Workers may outlive a master that ignored SIGTERM; the group kill gets them all.
            @posix_kill(-$this->pid, SIGKILL);
        }
        proc_close($this->process);
        $this->process = null;
        $this->pid = 0;
    }

    /**
     * Claims the port for this object: an flock'ed file under the temp dir, so concurrent
     * test processes on this machine never pick the same port, plus a check that nothing
     * listens there yet.
     */
    private function claimPort(): bool
    {
        $dir = sys_get_temp_dir() . '/testbed-ports';
        @mkdir($dir, 0777, true);
        $claim = @fopen("$dir/{$this->port}.lock", 'c');
        if ($claim === false) {
            throw new \RuntimeException("cannot create port claim file in $dir");
        }
        if (!flock($claim, LOCK_EX | LOCK_NB)) {
            fclose($claim);
            return false;
        }
        $probe = @stream_socket_client('tcp://127.0.0.1:' . $this->port, $errno, $errstr, 0.2);
        if ($probe !== false) {
            fclose($probe);
            flock($claim, LOCK_UN);
            fclose($claim);
            return false;
        }
        $this->portClaim = $claim;
        return true;
    }

    private function releasePort(): void
    {
        if ($this->portClaim !== null) {
            flock($this->portClaim, LOCK_UN);
            fclose($this->portClaim);
            $this->portClaim = null;
        }
    }

    /** A port that was free a moment ago (the kernel's pick for an ephemeral bind). */
    public static function freePort(): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
        if ($socket === false) {
            throw new \RuntimeException("cannot bind 127.0.0.1:0: $errstr");
        }
        $name = stream_socket_get_name($socket, false);
        fclose($socket);
        return (int) substr((string) $name, strrpos((string) $name, ':') + 1);
    }

    private static function registerShutdown(): void
    {
        if (self::$shutdownRegistered) {
            return;
        }
        self::$shutdownRegistered = true;
        register_shutdown_function(static function (): void {
            foreach (self::$running as $server) {
                $server->stop();
            }
        });
    }
}
