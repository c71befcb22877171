<?php

declare(strict_types=1);

/**
 * Order creation round trip, keep-alive vs a fresh connection per order, the way it runs in
 * production: SpectroCoin's API behind a TLS-terminating reverse proxy with HTTP/1.1 keep-alive.
 *
 *   php -d extension=<so> bench/roundtrip/create_order.php [orders=300]   (SPECTROCOIN_EXT = the .so)
 *
 * 1. The simulator (Testbed\Simulator, php -S) as the origin. php -S answers `Connection: close`,
 *    so nginx (Debian's, config in a temp dir, a child process on loopback) sits in front of it:
 *    TLS on one port and plain HTTP on another, both with keep-alive to clients, proxying to the
 *    simulator (a new upstream connection per request for both modes alike).
 * 2. A throwaway CA and a server certificate for IP 127.0.0.1, made with the openssl CLI into the
 *    temp dir (removed at the end; never committed).
 * 3. The measuring process (worker.php) is given SSL_CERT_FILE=<the CA> and nothing else: the
 *    extension has no switch to loosen TLS. Before measuring, two probes check that the variable
 *    is what makes TLS work: without it the extension must refuse the certificate, with it it must
 *    succeed. If SSL_CERT_FILE is not honoured, the speedup is measured over plain HTTP through the
 *    same nginx and the reason is recorded (`transport`, `tls_probe`).
 * 4. worker.php measures, per transport: the extension's keep-alive agent vs a new curl handle per
 *    order (CURLOPT_CAINFO = the same CA). nginx's access log counts the client connections each
 *    mode used. Prints one JSON line; `speedup` is the TLS one when TLS works.
 */

require __DIR__ . '/../../tests/bootstrap.php';
require __DIR__ . '/../processes.php';

use Testbed\PhpServer;
use Testbed\Simulator;

$orders = (int) ($argv[1] ?? 300);
$ext = getenv('SPECTROCOIN_EXT') ?: dirname(__DIR__, 2) . '/target/release/libspectrocoin.so';
$log = static fn (string $m) => fprintf(STDERR, "  roundtrip: %s\n", $m);
if (!is_executable('/usr/sbin/nginx')) {
    fwrite(STDERR, "nginx not installed (apt-get install nginx-light)\n");
    exit(2);
}

$tmp = sys_get_temp_dir() . '/sc-bench-rt-' . bin2hex(random_bytes(4));
mkdir($tmp, 0700);
mkdir("$tmp/nginx-tmp");
$procs = [];
$sim = null;
$cleanup = static function () use (&$procs, &$sim, $tmp): void {
    foreach ($procs as $p) {
        bench_stop_process($p);
    }
    $procs = [];
    $sim?->stop();
    $sim = null;
    if (getenv('BENCH_KEEP') === false) {
        exec('rm -rf ' . escapeshellarg($tmp));
    }
};
register_shutdown_function($cleanup);

function sh(string $cmd): void
{
    exec($cmd . ' 2>&1', $out, $rc);
    if ($rc !== 0) {
        throw new RuntimeException("failed ($rc): $cmd\n" . implode("\n", $out));
    }
}

// ---- throwaway CA + server certificate for 127.0.0.1 ------------------------------------------
file_put_contents("$tmp/server.ext", "basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\n"
    . "extendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1\n");
$q = static fn (string $f) => escapeshellarg("$tmp/$f");
sh('openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1 -subj "/CN=sc-bench throwaway CA"'
    . ' -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"'
    . ' -keyout ' . $q('ca.key') . ' -out ' . $q('ca.pem'));
sh('openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=127.0.0.1" -keyout ' . $q('server.key') . ' -out ' . $q('server.csr'));
sh('openssl x509 -req -sha256 -days 1 -in ' . $q('server.csr') . ' -CA ' . $q('ca.pem') . ' -CAkey ' . $q('ca.key')
    . ' -CAcreateserial -extfile ' . $q('server.ext') . ' -out ' . $q('server.pem'));
sh('openssl verify -CAfile ' . $q('ca.pem') . ' ' . $q('server.pem'));

// ---- simulator behind nginx ---------------------------------------------------------------------
$sim = new Simulator();
$simPort = parse_url($sim->url(), PHP_URL_PORT);
$tlsPort = PhpServer::freePort();
$httpPort = PhpServer::freePort();
while ($httpPort === $tlsPort) {
    $httpPort = PhpServer::freePort();
}
$proxy = <<<PROXY
        location / {
            proxy_pass http://127.0.0.1:$simPort;
            proxy_http_version 1.1;
            proxy_set_header Host \$http_host;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
PROXY;
file_put_contents("$tmp/nginx.conf", <<<NGINX
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log warn;
events { worker_connections 1024; }
http {
    log_format conns '\$connection \$connection_requests \$scheme "\$http_user_agent" \$status';
    access_log $tmp/access.log conns;
    client_body_temp_path $tmp/nginx-tmp/body;
    proxy_temp_path $tmp/nginx-tmp/proxy;
    fastcgi_temp_path $tmp/nginx-tmp/fastcgi;
    uwsgi_temp_path $tmp/nginx-tmp/uwsgi;
    scgi_temp_path $tmp/nginx-tmp/scgi;
    keepalive_timeout 75s;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:$tlsPort ssl;
        ssl_certificate $tmp/server.pem;
        ssl_certificate_key $tmp/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
$proxy
    }
    server {
        listen 127.0.0.1:$httpPort;
$proxy
    }
}
NGINX);
$procs['nginx'] = proc_open(
    ['/usr/sbin/nginx', '-p', $tmp, '-e', "$tmp/nginx-error.log", '-c', "$tmp/nginx.conf", '-g', 'daemon off;'],
    [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$tmp/nginx.out", 'a'], 2 => ['file', "$tmp/nginx.out", 'a']],
    $pipes
);
$tlsBase = "https://127.0.0.1:$tlsPort";
$httpBase = "http://127.0.0.1:$httpPort";
$deadline = microtime(true) + 15;
do {
    usleep(100_000);
    $ch = curl_init("$tlsBase/files/merchant.public.pem");
    curl_setopt_array($ch, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 2, CURLOPT_CAINFO => "$tmp/ca.pem"]);
    $pem = curl_exec($ch);
    $code = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
    curl_close($ch);
} while ($code !== 200 && microtime(true) < $deadline);
if ($code !== 200 || !str_contains((string) $pem, 'PUBLIC KEY')) {
    throw new RuntimeException("nginx TLS proxy did not come up (HTTP $code): " . @file_get_contents("$tmp/nginx.out") . @file_get_contents("$tmp/nginx-error.log"));
}

// ---- the measuring process ----------------------------------------------------------------------
$baseEnv = getenv();
unset($baseEnv['SSL_CERT_FILE'], $baseEnv['SSL_CERT_DIR']);
$worker = static function (array $args, array $env) use ($ext): array {
    $cmd = array_merge([PHP_BINARY, '-d', "extension=$ext", __DIR__ . '/worker.php'], $args);
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    $rc = proc_close($p);
    $json = json_decode((string) trim((string) $out), true);
    if ($rc !== 0 || !is_array($json)) {
        throw new RuntimeException("worker failed ($rc): " . implode(' ', $args) . "\n$out\n$err");
    }
    return $json;
};

// Probes: the trust really comes from SSL_CERT_FILE (and verification is on).
$tlsApi = "$tlsBase/api/merchant/1";
$httpApi = "$httpBase/api/merchant/1";
$without = $worker(['probe', $tlsApi], $baseEnv);
$with = $worker(['probe', $tlsApi], ['SSL_CERT_FILE' => "$tmp/ca.pem"] + $baseEnv);
$tlsWorks = $with['ok'] && !$without['ok'];
$probe = [
    'without_SSL_CERT_FILE' => $without['ok'] ? 'accepted (verification not using the system store?)' : 'refused: ' . $without['error'],
    'with_SSL_CERT_FILE' => $with['ok'] ? 'accepted' : 'refused: ' . $with['error'],
    'SSL_CERT_FILE_honoured' => $tlsWorks,
];
$log('TLS probe: ' . json_encode($probe, JSON_UNESCAPED_SLASHES));

$result = ['origin' => 'simulator on php -S (Connection: close) behind nginx 1.x, keep-alive to clients'];
$run = bin2hex(random_bytes(3));
$logLines = static fn () => count(file("$tmp/access.log", FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: []);
$connections = static function (int $from) use ($tmp): array {
    $lines = array_slice(file("$tmp/access.log", FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) ?: [], $from);
    $by = [];
    foreach ($lines as $l) {
        if (preg_match('/^(\d+) (\d+) (\S+) "([^"]*)" (\d+)$/', $l, $m)) {
            $who = str_starts_with($m[4], 'spectrocoin-php/') ? 'extension' : ($m[4] === 'bench-fresh-curl' ? 'fresh_curl' : 'other');
            $by[$who]['requests'] = ($by[$who]['requests'] ?? 0) + 1;
            $by[$who]['conns'][$m[1]] = true;
        }
    }
    return array_map(static fn ($x) => ['requests' => $x['requests'], 'connections' => count($x['conns'])], $by);
};
$simUrl = $sim->url();
$measure = static function (string $transport) use ($simUrl, $worker, $tlsApi, $httpApi, $orders, $tmp, $baseEnv, $run, $logLines, $connections, $log): array {
    $from = $logLines();
    $tls = $transport === 'https';
    $r = $worker(
        ['measure', $tls ? $tlsApi : $httpApi, (string) $orders, $tls ? "$tmp/ca.pem" : '-', "$run-$transport", $simUrl],
        ($tls ? ['SSL_CERT_FILE' => "$tmp/ca.pem"] : []) + $baseEnv
    );
    $r['nginx_client_connections'] = $connections($from);
    $log("$transport: " . json_encode($r, JSON_UNESCAPED_SLASHES));
    return $r;
};
if ($tlsWorks) {
    $result['https'] = $measure('https');
}
$result['http'] = $measure('http');
$result['transport'] = $tlsWorks ? 'https' : 'http';
$result['tls_probe'] = $probe;
$result['speedup'] = $result[$result['transport']]['speedup'];
$cleanup();

echo json_encode($result, JSON_UNESCAPED_SLASHES), "\n";
