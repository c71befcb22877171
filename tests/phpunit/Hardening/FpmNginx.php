<?php

declare(strict_types=1);

namespace Tests\Hardening;

use Testbed\MariaDb;
use Testbed\PhpServer;
use Testbed\WhmcsSite;

/**
 * A WHMCS site's root served the production way: nginx in front of a PHP-FPM pool (static,
 * `$children` workers) with the extension loaded, both private to a temp dir, on a free port.
 * Same database and settings as the given WhmcsSite. stop() (also at destruction) ends both.
 */
final class FpmNginx
{
    private string $dir;
    /** @var list<resource> */
    private array $procs = [];
    private int $port;

    public function __construct(WhmcsSite $site, array $ini, int $children = 16)
    {
        foreach (['/usr/sbin/php-fpm8.2', '/usr/sbin/nginx'] as $bin) {
            if (!is_executable($bin)) {
                throw new \RuntimeException("$bin not installed (make deps installs php8.2-fpm and nginx)");
            }
        }
        $this->dir = sys_get_temp_dir() . '/fpm-nginx-' . bin2hex(random_bytes(5));
        mkdir($this->dir . '/tmp', 0700, true);
        mkdir($this->dir . '/sessions', 0700);
        $this->port = PhpServer::freePort();
        $root = posix_getuid() === 0;

        $env = [
            'WHMCS_DB_SOCKET' => MariaDb::shared()->socket(), 'WHMCS_DB_NAME' => $site->databaseName(),
            'WHMCS_DB_USER' => 'root', 'WHMCS_DB_PASSWORD' => '', 'WHMCS_SESSION_DIR' => $this->dir . '/sessions',
            'WHMCS_STANDIN_TOKEN' => bin2hex(random_bytes(8)),
        ];
        $pool = "[global]\npid = {$this->dir}/fpm.pid\nerror_log = {$this->dir}/fpm.log\ndaemonize = no\n\n"
            . "[site]\nlisten = {$this->dir}/fpm.sock\nlisten.backlog = 1024\npm = static\npm.max_children = $children\n"
            . "clear_env = yes\ncatch_workers_output = yes\nrequest_terminate_timeout = 120\n";
        foreach (array_filter($env, fn ($v) => $v !== '') as $k => $v) { // FPM refuses empty values
            $pool .= "env[$k] = \"$v\"\n";
        }
        // The extension and its INI go on the command line (-d): a pool's php_admin_value cannot set
        // the INI of an extension the same pool loads.
        $defines = [];
        foreach ($ini + ['error_log' => $this->dir . '/php.log', 'log_errors' => '1', 'display_errors' => '0', 'date.timezone' => 'UTC'] as $k => $v) {
            array_push($defines, '-d', "$k=$v");
        }
        file_put_contents($this->dir . '/fpm.conf', $pool);

        $d = $this->dir;
        $nginx = ($root ? "user root;\n" : '') . "worker_processes 2;\npid $d/nginx.pid;\nerror_log $d/nginx-error.log warn;\n"
            . "events { worker_connections 2048; }\nhttp {\n  access_log $d/access.log;\n"
            . "  client_body_temp_path $d/tmp/body; fastcgi_temp_path $d/tmp/fastcgi; proxy_temp_path $d/tmp/proxy;\n"
            . "  uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;\n  client_max_body_size 2m;\n"
            . "  server {\n    listen 127.0.0.1:{$this->port};\n    root " . $site->root() . ";\n"
            . "    location ~ \\.php$ {\n      include /etc/nginx/fastcgi_params;\n"
            . "      fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;\n"
            . "      fastcgi_read_timeout 120s;\n      fastcgi_pass unix:$d/fpm.sock;\n    }\n  }\n}\n";
        file_put_contents($this->dir . '/nginx.conf', $nginx);

        $this->spawn(['/usr/sbin/php-fpm8.2', ...($root ? ['-R'] : []), '-F', ...$defines, '-y', $this->dir . '/fpm.conf'], 'fpm.out');
        $this->waitFor(fn () => file_exists($this->dir . '/fpm.sock'), 'php-fpm');
        $this->spawn(['/usr/sbin/nginx', '-p', $this->dir, '-e', $this->dir . '/nginx-error.log', '-c', $this->dir . '/nginx.conf',
            '-g', 'daemon off;'], 'nginx.out');
        $this->waitFor(fn () => @fsockopen('127.0.0.1', $this->port) !== false, 'nginx');
    }

    private function spawn(array $cmd, string $out): void
    {
        $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', $this->dir . '/' . $out, 'a'],
            2 => ['file', $this->dir . '/' . $out, 'a']], $pipes);
        if (!is_resource($p)) {
            throw new \RuntimeException('could not start ' . $cmd[0]);
        }
        $this->procs[] = $p;
    }

    private function waitFor(callable $ready, string $what): void
    {
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            if ($ready()) {
                return;
            }
            usleep(50_000);
        }
        $logs = $this->logs();
        $this->stop();
        throw new \RuntimeException("$what did not start:\n" . $logs);
    }

    public function url(string $path = ''): string
    {
        return 'http://127.0.0.1:' . $this->port . '/' . ltrim($path, '/');
    }

    public function logs(): string
    {
        $out = '';
        foreach (['fpm.out', 'fpm.log', 'php.log', 'nginx.out', 'nginx-error.log'] as $f) {
            $t = @file_get_contents($this->dir . '/' . $f);
            if ($t) {
                $out .= "---- $f\n" . substr($t, -2000) . "\n";
            }
        }
        return $out;
    }

    public function stop(): void
    {
        foreach (array_reverse($this->procs) as $p) {
            $status = proc_get_status($p);
            if ($status['running']) {
                posix_kill($status['pid'], SIGTERM); // nginx and php-fpm: graceful stop of their workers
            }
        }
        foreach (array_reverse($this->procs) as $p) {
            $deadline = microtime(true) + 5;
            while (proc_get_status($p)['running'] && microtime(true) < $deadline) {
                usleep(50_000);
            }
            if (proc_get_status($p)['running']) {
                posix_kill(proc_get_status($p)['pid'], SIGKILL);
            }
            proc_close($p);
        }
        $this->procs = [];
        if (is_dir($this->dir)) {
            exec('rm -rf ' . escapeshellarg($this->dir));
        }
    }

    public function __destruct()
    {
        $this->stop();
    }
}
