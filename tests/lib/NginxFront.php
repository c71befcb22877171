<?php

declare(strict_types=1);

namespace Testbed;

/**
 * nginx in front of a site, the way hosting set-ups stand between SpectroCoin and WHMCS: one
 * loopback port per behaviour, each either passing requests through to the site or standing in
 * the way (an http→https redirect, a Cloudflare-style 403 challenge page, HTTP basic auth, a
 * maintenance page, a certificate no client trusts). Private to a temp dir; stop() (also at
 * destruction) ends it.
 */
final class NginxFront
{
    const BEHAVIOURS = ['proxy', 'redirect-https', 'redirect-www', 'challenge', 'basic-auth', 'maintenance', 'tls-untrusted'];

    private string $dir;
    /** @var resource|null */
    private $proc = null;
    /** @var array<string, int> */
    private array $ports = [];

    /** @param list<string> $behaviours */
    public function __construct(string $upstreamUrl, array $behaviours)
    {
        if (!is_executable('/usr/sbin/nginx')) {
            throw new \RuntimeException('/usr/sbin/nginx not installed (make deps installs nginx)');
        }
        $this->dir = sys_get_temp_dir() . '/nginx-front-' . bin2hex(random_bytes(5));
        mkdir($this->dir . '/tmp', 0700, true);
        $d = $this->dir;
        $upstream = rtrim($upstreamUrl, '/');
        $servers = '';
        foreach ($behaviours as $b) {
            if (!in_array($b, self::BEHAVIOURS, true)) {
                throw new \InvalidArgumentException("unknown behaviour $b");
            }
            $port = PhpServer::freePort();
            $this->ports[$b] = $port;
            $pass = "    location / { proxy_pass $upstream; proxy_set_header Host \$http_host; }\n";
            switch ($b) {
                case 'proxy':
                    $body = $pass;
                    break;
                case 'redirect-https':
                    $body = "    return 301 https://\$http_host\$request_uri;\n";
                    break;
                case 'redirect-www':
                    // Served as http://localhost:PORT/ (url()), sent on to the www host name.
                    $body = "    return 301 http://www.\$host:\$server_port\$request_uri;\n";
                    break;
                case 'challenge':
                    file_put_contents("$d/challenge.html", "<!DOCTYPE html><html><head><title>Just a moment...</title></head>"
                        . "<body><h1>Checking your browser before accessing the site.</h1><p>Enable JavaScript and cookies to continue</p></body></html>\n");
                    $body = "    add_header cf-mitigated challenge always;\n    error_page 403 /challenge.html;\n"
                        . "    location = /challenge.html { root $d; internal; }\n    location / { return 403; }\n";
                    break;
                case 'basic-auth':
                    // user "u", password "p" (apr1 hash made here, at start)
                    file_put_contents("$d/htpasswd", 'u:' . crypt('p', '$6$' . bin2hex(random_bytes(6)) . '$') . "\n");
                    $body = "    auth_basic \"Restricted\";\n    auth_basic_user_file $d/htpasswd;\n" . $pass;
                    break;
                case 'maintenance':
                    file_put_contents("$d/maintenance.html", "<html><body><h1>Down for maintenance</h1><p>We'll be back soon.</p></body></html>\n");
                    $body = "    error_page 503 /maintenance.html;\n    location = /maintenance.html { root $d; internal; }\n"
                        . "    location / { return 503; }\n";
                    break;
                case 'tls-untrusted':
                    exec('openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -keyout ' . escapeshellarg("$d/key.pem")
                        . ' -out ' . escapeshellarg("$d/cert.pem") . ' 2>/dev/null', $o, $rc);
                    if ($rc !== 0) {
                        throw new \RuntimeException('openssl could not make a certificate');
                    }
                    $body = "    ssl_certificate $d/cert.pem;\n    ssl_certificate_key $d/key.pem;\n" . $pass;
                    break;
            }
            $listen = "127.0.0.1:$port" . ($b === 'tls-untrusted' ? ' ssl' : '');
            $servers .= "  server {\n    listen $listen;\n$body  }\n";
        }
        $root = function_exists('posix_getuid') && posix_getuid() === 0;
        file_put_contents("$d/nginx.conf", ($root ? "user root;\n" : '') . "worker_processes 1;\npid $d/nginx.pid;\n"
            . "error_log $d/error.log warn;\nevents { worker_connections 256; }\nhttp {\n  access_log $d/access.log;\n"
            . "  client_body_temp_path $d/tmp/body; fastcgi_temp_path $d/tmp/fastcgi; proxy_temp_path $d/tmp/proxy;\n"
            . "  uwsgi_temp_path $d/tmp/uwsgi; scgi_temp_path $d/tmp/scgi;\n  default_type text/html;\n$servers}\n");
        $this->proc = proc_open(['/usr/sbin/nginx', '-p', $d, '-e', "$d/error.log", '-c', "$d/nginx.conf", '-g', 'daemon off;'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$d/nginx.out", 'a'], 2 => ['file', "$d/nginx.out", 'a']], $pipes);
        $deadline = microtime(true) + 10;
        foreach ($this->ports as $port) {
            while (@fsockopen('127.0.0.1', $port) === false) {
                if (microtime(true) > $deadline) {
                    $log = @file_get_contents("$d/error.log") . @file_get_contents("$d/nginx.out");
                    $this->stop();
                    throw new \RuntimeException("nginx did not start:\n$log");
                }
                usleep(50_000);
            }
        }
    }

    /** The System URL (with trailing slash) of one behaviour's port. */
    public function url(string $behaviour): string
    {
        $host = $behaviour === 'redirect-www' ? 'localhost' : '127.0.0.1';
        return ($behaviour === 'tls-untrusted' ? 'https' : 'http') . '://' . $host . ':' . $this->ports[$behaviour] . '/';
    }

    public function stop(): void
    {
        if (is_resource($this->proc)) {
            $status = proc_get_status($this->proc);
            if ($status['running']) {
                posix_kill($status['pid'], SIGTERM);
                $deadline = microtime(true) + 5;
                while (proc_get_status($this->proc)['running'] && microtime(true) < $deadline) {
                    usleep(50_000);
                }
                if (proc_get_status($this->proc)['running']) {
                    posix_kill(proc_get_status($this->proc)['pid'], SIGKILL);
                }
            }
            proc_close($this->proc);
            $this->proc = null;
        }
        if (is_dir($this->dir)) {
            exec('rm -rf ' . escapeshellarg($this->dir));
        }
    }

    public function __destruct()
    {
        $this->stop();
    }
}
