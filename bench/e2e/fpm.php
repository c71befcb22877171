<?php

declare(strict_types=1);

/**
 * nginx + PHP-FPM (Debian packages) in front of a Testbed\WhmcsSite root: configs generated into a
 * temp dir, both run in the foreground as child processes on loopback, the site's env and INI
 * (extension included) handed to the pool. Used by the end-to-end benchmarks.
 */

require_once __DIR__ . '/../processes.php';

use Testbed\WhmcsSite;

/**
 * @param array<string, string> $poolExtra more pool settings (e.g. pm.max_requests)
 * @return array{url: string, tmp: string, stop: callable(): void}
 */
function bench_start_fpm_nginx(WhmcsSite $site, int $children, array $poolExtra = []): array
{
    foreach (['nginx' => '/usr/sbin/nginx', 'php-fpm8.2' => '/usr/sbin/php-fpm8.2'] as $name => $bin) {
        if (!is_executable($bin)) {
            throw new RuntimeException("$name not installed (apt-get install nginx-light php8.2-fpm)");
        }
    }
    $tmp = sys_get_temp_dir() . '/sc-bench-fpm-' . bin2hex(random_bytes(4));
    mkdir($tmp);
    mkdir("$tmp/nginx-tmp");
    $s = stream_socket_server('tcp://127.0.0.1:0');
    $name = (string) stream_socket_get_name($s, false);
    fclose($s);
    $port = (int) substr($name, strrpos($name, ':') + 1);
    $env = (new ReflectionProperty(WhmcsSite::class, 'env'))->getValue($site);
    $siteIni = (new ReflectionProperty(WhmcsSite::class, 'ini'))->getValue($site);
    $root = $site->root();
    $isRoot = function_exists('posix_geteuid') && posix_geteuid() === 0;
    $pool = "[global]\npid = $tmp/fpm.pid\nerror_log = $tmp/fpm.log\ndaemonize = no\n\n[bench]\n"
        . ($isRoot ? "user = root\ngroup = root\n" : '')
        . "listen = $tmp/fpm.sock\nlisten.mode = 0666\npm = static\npm.max_children = $children\nclear_env = yes\ncatch_workers_output = yes\n"
        . "php_admin_value[error_log] = $tmp/php-errors.log\n";
    foreach ($poolExtra as $k => $v) {
        $pool .= "$k = $v\n";
    }
    foreach ($env as $k => $v) {
        if ((string) $v !== '') { // FPM refuses empty values; getenv() of an unset variable is '' as well
            $pool .= "env[$k] = " . $v . "\n";
        }
    }
    file_put_contents("$tmp/fpm.conf", $pool);
    $fpmCmd = ['/usr/sbin/php-fpm8.2', '-F', '-y', "$tmp/fpm.conf", '-p', $tmp];
    if ($isRoot) {
        $fpmCmd[] = '-R';
    }
    foreach ($siteIni as $k => $v) {
        foreach ((array) $v as $one) {
            array_push($fpmCmd, '-d', "$k=$one");
        }
    }
    file_put_contents("$tmp/nginx.conf", <<<NGINX
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx-tmp/body;
    proxy_temp_path $tmp/nginx-tmp/proxy;
    fastcgi_temp_path $tmp/nginx-tmp/fastcgi;
    uwsgi_temp_path $tmp/nginx-tmp/uwsgi;
    scgi_temp_path $tmp/nginx-tmp/scgi;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$port;
        root $root;
        location ~ \.php$ {
            fastcgi_pass unix:$tmp/fpm.sock;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
        }
    }
}
NGINX);
    $procs = [];
    $procs[] = proc_open($fpmCmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$tmp/fpm.out", 'a'], 2 => ['file', "$tmp/fpm.out", 'a']], $p1);
    $procs[] = proc_open(['/usr/sbin/nginx', '-p', $tmp, '-e', "$tmp/nginx-error.log", '-c', "$tmp/nginx.conf", '-g', 'daemon off;'], [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$tmp/nginx.out", 'a'], 2 => ['file', "$tmp/nginx.out", 'a']], $p2);
    $stop = static function () use (&$procs, $tmp): void {
        foreach ($procs as $p) {
            bench_stop_process($p);
        }
        $procs = [];
        if (getenv('BENCH_KEEP') === false) {
            exec('rm -rf ' . escapeshellarg($tmp));
        }
    };
    register_shutdown_function($stop);
    $url = "http://127.0.0.1:$port";
    $deadline = microtime(true) + 15;
    do {
        usleep(100_000);
        $ch = curl_init("$url/modules/gateways/callback/spectrocoin.php");
        curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 2]);
        curl_exec($ch);
        $code = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        curl_close($ch);
    } while ($code !== 405 && microtime(true) < $deadline);
    if ($code !== 405) {
        throw new RuntimeException("nginx/php-fpm did not come up (HTTP $code): " . @file_get_contents("$tmp/fpm.out")
            . @file_get_contents("$tmp/nginx-error.log") . @file_get_contents("$tmp/php-errors.log"));
    }
    return ['url' => $url, 'tmp' => $tmp, 'stop' => $stop];
}
