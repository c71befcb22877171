<?php

declare(strict_types=1);

namespace Testbed;

/**
 * A private MariaDB server for tests: its own datadir and unix socket in a temp directory,
 * no TCP listener (`--skip-networking`), no option files read (`--no-defaults`), so neither
 * the system service nor the system database is ever touched.
 *
 *     $db = MariaDb::shared();          // one server per PHP process, started on first use
 *     $db->createDatabase('site_1');
 *     $pdo = $db->pdo('site_1');        // root over the socket, empty password
 *     $db->socket();                    // "/tmp/testbed-mariadb-xxxx/mysqld.sock"
 *
 * The server is stopped and its directory removed when the PHP process exits (shutdown
 * function; SIGINT/SIGTERM turned into a clean exit when no other handler is installed).
 * A small watchdog process also stops it if this PHP process dies without running
 * shutdown functions (SIGKILL, fatal crash), so no mariadbd is left behind.
 */
final class MariaDb
{
    private static ?MariaDb $shared = null;

    private string $dir;
    private string $socket;
    /** @var resource|null */
    private $process = null;
    /** @var resource|null */
    private $watchdog = null;
    private int $pid = 0;
    private int $ownerPid;

    /**
     * @param float $startTimeout seconds to wait for the socket to accept a login
     */
    public function __construct(float $startTimeout = 30.0)
    {
        foreach (['mariadb-install-db' => self::installDbBinary(), 'mariadbd' => self::serverBinary()] as $name => $bin) {
            if ($bin === null) {
                throw new \RuntimeException("$name not found (is the mariadb-server package installed?)");
            }
        }
        $this->ownerPid = getmypid();
        $this->dir = self::makeTempDir();
        $this->socket = $this->dir . '/mysqld.sock';
        register_shutdown_function(function (): void {
            // A forked child inherits shutdown functions; only the starter stops the server.
            if (getmypid() === $this->ownerPid) {
                $this->stop();
            }
        });
        self::installSignalHandlers();
        try {
            $this->installDataDir();
            $this->launch($startTimeout);
        } catch (\Throwable $e) {
            $this->stop();
            throw $e;
        }
    }

    /** The server of this PHP process, started on first use. */
    public static function shared(): self
    {
        if (self::$shared === null || !self::$shared->isRunning()) {
            self::$shared = new self();
        }
        return self::$shared;
    }

    /** Absolute path of the server's unix socket. */
    public function socket(): string
    {
        return $this->socket;
    }

    /** Temp directory holding datadir, socket, pid file and error log. */
    public function directory(): string
    {
        return $this->dir;
    }

    public function errorLogPath(): string
    {
        return $this->dir . '/error.log';
    }

    /** Creates an empty utf8mb4 database; fails if it exists. */
    public function createDatabase(string $name): void
    {
        self::assertIdentifier($name);
        $this->pdo()->exec("CREATE DATABASE `$name` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
    }

    public function dropDatabase(string $name): void
    {
        self::assertIdentifier($name);
        $this->pdo()->exec("DROP DATABASE IF EXISTS `$name`");
    }

    /** A new PDO connection as root over the socket; `$db` empty = no default database. */
    public function pdo(string $db = ''): \PDO
    {
        $dsn = 'mysql:unix_socket=' . $this->socket . ';charset=utf8mb4' . ($db !== '' ? ';dbname=' . $db : '');
        return new \PDO($dsn, 'root', '', [
            \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
            \PDO::ATTR_DEFAULT_FETCH_MODE => \PDO::FETCH_ASSOC,
            \PDO::MYSQL_ATTR_MULTI_STATEMENTS => true,
        ]);
    }

    public function isRunning(): bool
    {
        return $this->process !== null && proc_get_status($this->process)['running'];
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and removes its directory. Idempotent. */
    public function stop(): void
    {
        if ($this->process !== null) {
            $status = proc_get_status($this->process);
            if ($status['running']) {
                @posix_kill($this->pid, SIGTERM);
                $deadline = microtime(true) + 10.0;
                while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
                    usleep(20_000);
                }
                if (proc_get_status($this->process)['running']) {
                    @posix_kill($this->pid, SIGKILL);
                }
            }
            proc_close($this->process);
            $this->process = null;
        }
        if ($this->watchdog !== null) {
            $wd = proc_get_status($this->watchdog);
            if ($wd['running']) {
                @posix_kill($wd['pid'], SIGKILL);
            }
            proc_close($this->watchdog);
            $this->watchdog = null;
        }
        if (is_dir($this->dir)) {
            self::removeTree($this->dir);
        }
        if (self::$shared === $this) {
            self::$shared = null;
        }
    }

    private function installDataDir(): void
    {
        $cmd = [
            self::installDbBinary(), '--no-defaults',
            '--datadir=' . $this->dir . '/data',
            '--auth-root-authentication-method=normal',
            '--skip-test-db', '--user=' . self::userName(),
            // Passed through to the bootstrap server: a small redo log is much faster to create.
            '--innodb-log-file-size=8M',
        ];
        [$code, $output] = self::run($cmd);
        if ($code !== 0) {
            throw new \RuntimeException("mariadb-install-db failed ($code):\n" . $output);
        }
    }

    private function launch(float $timeout): void
    {
        // setsid: a terminal's Ctrl-C reaches us, not the server; we stop it in order.
        $cmd = [
            'setsid', self::serverBinary(), '--no-defaults',
            '--datadir=' . $this->dir . '/data',
            '--socket=' . $this->socket,
            '--pid-file=' . $this->dir . '/mysqld.pid',
            '--log-error=' . $this->errorLogPath(),
            '--skip-networking',
            '--user=' . self::userName(),
            '--skip-log-bin',
            '--skip-performance-schema',
            '--innodb-buffer-pool-size=64M',
            '--innodb-log-file-size=8M',
            // Throwaway data: durability is traded for speed.
            '--innodb-flush-log-at-trx-commit=0',
            '--innodb-doublewrite=0',
            '--sync-frm=0',
            '--character-set-server=utf8mb4',
            '--collation-server=utf8mb4_unicode_ci',
            '--max-connections=500',
        ];
        $process = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->dir . '/stdout.log', 'a'], 2 => ['file', $this->dir . '/stdout.log', 'a']], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('proc_open failed for mariadbd');
        }
        $this->process = $process;
        $this->pid = proc_get_status($process)['pid'];
        $this->startWatchdog();

        $deadline = microtime(true) + $timeout;
        $lastError = '';
        while (microtime(true) < $deadline) {
            if (!$this->isRunning()) {
                throw new \RuntimeException("mariadbd exited during start; log:\n" . $this->logTail());
            }
            if (file_exists($this->socket)) {
                try {
                    $this->pdo()->query('SELECT 1');
                    return;
                } catch (\PDOException $e) {
                    $lastError = $e->getMessage();
                }
            }
            usleep(25_000);
        }
        throw new \RuntimeException("mariadbd did not accept logins within {$timeout}s ($lastError); log:\n" . $this->logTail());
    }

    /** Kills the server and removes the directory once the owning PHP process is gone. */
    private function startWatchdog(): void
    {
        $script = 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; '
            . 'kill -TERM "$2" 2>/dev/null; i=0; while kill -0 "$2" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; '
            . 'kill -KILL "$2" 2>/dev/null; rm -rf "$3"';
        $wd = proc_open(
            ['setsid', 'sh', '-c', $script, 'mariadb-watchdog', (string) $this->ownerPid, (string) $this->pid, $this->dir],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
        );
        if (is_resource($wd)) {
            $this->watchdog = $wd;
        }
    }

    private function logTail(): string
    {
        $out = '';
        foreach ([$this->errorLogPath(), $this->dir . '/stdout.log'] as $file) {
            if (is_file($file)) {
                $content = (string) file_get_contents($file);
                $out .= substr($content, -3000);
            }
        }
        return $out;
    }

    private static bool $signalsInstalled = false;

    /**
     * Ctrl-C / SIGTERM would otherwise end the process without shutdown functions and leave
     * the server to the watchdog; exiting normally runs them. Handlers already installed by
     * the caller (e.g. the sandbox) are left alone.
     */
    private static function installSignalHandlers(): void
    {
        if (self::$signalsInstalled || PHP_SAPI !== 'cli' || !function_exists('pcntl_signal')) {
            return;
        }
        self::$signalsInstalled = true;
        pcntl_async_signals(true);
        foreach ([SIGINT, SIGTERM] as $signal) {
            if (pcntl_signal_get_handler($signal) === SIG_DFL) {
                pcntl_signal($signal, static function (int $signo): void {
                    exit(128 + $signo);
                });
            }
        }
    }

    /** @return array{0:int,1:string} exit code and combined output */
    private static function run(array $cmd): array
    {
        $process = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
        if (!is_resource($process)) {
            return [127, 'proc_open failed: ' . implode(' ', $cmd)];
        }
        $output = (string) stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        return [proc_close($process), $output];
    }

    private static function installDbBinary(): ?string
    {
        return self::findBinary(['mariadb-install-db', 'mysql_install_db'], ['/usr/bin', '/usr/local/bin', '/usr/sbin']);
    }

    private static function serverBinary(): ?string
    {
        return self::findBinary(['mariadbd', 'mysqld'], ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']);
    }

    private static function findBinary(array $names, array $dirs): ?string
    {
        foreach ($names as $name) {
            foreach ($dirs as $dir) {
                if (is_executable("$dir/$name")) {
                    return "$dir/$name";
                }
            }
        }
        return null;
    }

    private static function userName(): string
    {
        if (function_exists('posix_geteuid') && function_exists('posix_getpwuid')) {
            $info = posix_getpwuid(posix_geteuid());
            if (is_array($info)) {
                return $info['name'];
            }
        }
        return (string) get_current_user();
    }

    private static function makeTempDir(): string
    {
        // Short path: unix socket paths are limited to ~107 bytes.
        $base = is_dir('/tmp') && is_writable('/tmp') ? '/tmp' : sys_get_temp_dir();
        for ($i = 0; $i < 20; $i++) {
            $dir = $base . '/testbed-mariadb-' . bin2hex(random_bytes(4));
            if (@mkdir($dir, 0700)) {
                return $dir;
            }
        }
        throw new \RuntimeException("cannot create a temp directory under $base");
    }

    private static function assertIdentifier(string $name): void
    {
        if (!preg_match('/^[A-Za-z0-9_]{1,64}$/', $name)) {
            throw new \InvalidArgumentException("invalid database name: $name");
        }
    }

    /** rm -rf without following symlinks. */
    public static function removeTree(string $path): void
    {
        if (is_link($path) || is_file($path)) {
            @unlink($path);
            return;
        }
        if (!is_dir($path)) {
            return;
        }
        foreach (scandir($path) ?: [] as $entry) {
            if ($entry !== '.' && $entry !== '..') {
                self::removeTree($path . '/' . $entry);
            }
        }
        @rmdir($path);
    }
}
