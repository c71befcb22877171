<?php

declare(strict_types=1);

/**
 * `make bench`: every benchmark of issue 6, one table, bench/results/summary.json.
 *
 *   php bench/run.php [--ext=/abs/libspectrocoin.so] [--quick] [--only=micro,rss,load,roundtrip,e2e]
 *
 * Each measurement runs in its own process. Rates that are compared are measured side by side,
 * interleaved in rounds (the machine is noisy), and each ratio is the median of the per-round
 * ratios. Goals are printed as met or not; the exit code is 0 either way (it does not fail a build).
 */

$opts = getopt('', ['ext:', 'quick', 'only:']);
$root = dirname(__DIR__);
$ext = $opts['ext'] ?? "$root/target/release/libspectrocoin.so";
$quick = isset($opts['quick']);
$only = isset($opts['only']) ? explode(',', $opts['only']) : ['micro', 'rss', 'load', 'roundtrip', 'e2e'];
$results = "$root/bench/results";
$build = "$root/bench/build";
@mkdir($results, 0777, true);
@mkdir($build, 0777, true);
if (!is_file($ext)) {
    fwrite(STDERR, "extension not found: $ext (run make release)\n");
    exit(2);
}

$t0 = microtime(true);
$detail = ['started' => gmdate('c'), 'extension' => $ext];

function say(string $msg): void
{
    global $t0;
    fprintf(STDERR, "[%6.1fs] %s\n", microtime(true) - $t0, $msg);
}

/** Runs a command (argv list), returns the last JSON line of its stdout, decoded. */
function run_json(array $argv, ?array $env = null, int $timeout = 600): array
{
    $cmd = implode(' ', array_map('escapeshellarg', $argv));
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    $rc = proc_close($p);
    $lines = array_values(array_filter(explode("\n", trim((string) $out)), static fn ($l) => str_starts_with(ltrim($l), '{')));
    $json = $lines ? json_decode(end($lines), true) : null;
    if ($rc !== 0 || !is_array($json)) {
        throw new RuntimeException("failed ($rc): $cmd\n" . substr((string) $out, -2000) . substr((string) $err, -3000));
    }
    return $json;
}

function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n === 0 ? NAN : ($n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2);
}

$php = PHP_BINARY;
$summary = [
    'verify_vs_openssl' => null, 'verify_vs_php_reference' => null, 'sign_vs_openssl' => null,
    'sign_vs_php_reference' => null, 'create_order_keepalive_speedup' => null, 'callbacks_per_s' => null,
    'callback_p99_ms' => null, 'double_credits' => null, 'rss_growth_kb_per_1m_verify' => null,
    'load_overhead_ms' => null,
];

// ---- raw OpenSSL helper --------------------------------------------------------------------
$speed = "$build/rsa_sha1_speed";
if (!is_file($speed) || filemtime($speed) < filemtime("$root/bench/openssl/rsa_sha1_speed.c")) {
    exec('gcc -O2 -o ' . escapeshellarg($speed) . ' ' . escapeshellarg("$root/bench/openssl/rsa_sha1_speed.c") . ' -lcrypto 2>&1', $o, $rc);
    if ($rc !== 0) {
        fwrite(STDERR, implode("\n", $o) . "\n");
        exit(2);
    }
}

// ---- 1. verification and signing -----------------------------------------------------------
if (in_array('micro', $only, true)) {
    require_once "$root/bench/micro/fixtures.php";
    $v = bench_vectors();
    $tmp = sys_get_temp_dir() . '/sc-bench-' . getmypid();
    @mkdir($tmp);
    file_put_contents("$tmp/cb.pub.pem", $v['spectrocoin_callback_public_key_pem']);
    file_put_contents("$tmp/v1.txt", $v['callbacks'][0]['signed_string']);
    file_put_contents("$tmp/v1.sig", $v['callbacks'][0]['sign']);
    file_put_contents("$tmp/merchant.pem", $v['merchant_test_private_key_pem']);
    // The same bytes the extension signs for the benchmark order.
    file_put_contents("$tmp/order.txt", \Bench\Reference\Reference::orderRequest(bench_order_merchant(), bench_order())['signedString']);

    $secs = $quick ? '0.5' : '1.5';
    $rounds = $quick ? 2 : 3;
    $runs = [];
    for ($r = 0; $r < $rounds; $r++) {
        say("micro round " . ($r + 1) . "/$rounds");
        $row = [];
        $row['openssl_verify'] = run_json([$speed, 'verify', "$tmp/cb.pub.pem", "$tmp/v1.txt", $secs, "$tmp/v1.sig"])['rate'];
        $row['ext_verify'] = run_json([$php, '-n', '-d', "extension=$ext", "$root/bench/micro/rate.php", 'ext', 'verify', $secs])['rate'];
        $row['ref_verify'] = run_json([$php, '-n', "$root/bench/micro/rate.php", 'ref', 'verify', $secs])['rate'];
        $row['openssl_sign'] = run_json([$speed, 'sign', "$tmp/merchant.pem", "$tmp/order.txt", $secs])['rate'];
        $row['ext_sign'] = run_json([$php, '-n', '-d', "extension=$ext", "$root/bench/micro/rate.php", 'ext', 'sign', $secs])['rate'];
        $row['ref_sign'] = run_json([$php, '-n', "$root/bench/micro/rate.php", 'ref', 'sign', $secs])['rate'];
        $runs[] = $row;
    }
    $ratio = static fn (string $a, string $b) => median(array_map(static fn ($row) => $row[$a] / $row[$b], $runs));
    $summary['verify_vs_openssl'] = round($ratio('ext_verify', 'openssl_verify'), 3);
    $summary['verify_vs_php_reference'] = round($ratio('ext_verify', 'ref_verify'), 3);
    $summary['sign_vs_openssl'] = round($ratio('ext_sign', 'openssl_sign'), 3);
    $summary['sign_vs_php_reference'] = round($ratio('ext_sign', 'ref_sign'), 3);
    $med = [];
    foreach (array_keys($runs[0]) as $k) {
        $med[$k] = round(median(array_column($runs, $k)), 1);
    }
    $detail['micro'] = ['rounds' => $runs, 'median_rates_per_s' => $med];
    array_map('unlink', glob("$tmp/*"));
    @rmdir($tmp);
}

// ---- 2. memory -----------------------------------------------------------------------------
if (in_array('rss', $only, true)) {
    say('rss: up to 1M verifications in one process');
    $rss = run_json([$php, '-n', '-d', "extension=$ext", "$root/bench/micro/rss.php", '1000000', $quick ? '20' : '150']);
    $summary['rss_growth_kb_per_1m_verify'] = $rss['growth_kb_per_1m'];
    $detail['rss'] = $rss;
}

// ---- 3. extension load time ----------------------------------------------------------------
if (in_array('load', $only, true)) {
    say('load overhead: php -n -r \'\' with and without the extension, alternated');
    $load = run_json([$php, '-n', "$root/bench/micro/load.php", $ext, $quick ? '100' : '300']);
    $summary['load_overhead_ms'] = $load['overhead_ms'];
    $detail['load'] = $load;
}

// ---- 4. order creation round trip ----------------------------------------------------------
if (in_array('roundtrip', $only, true)) {
    say('create order round trip against the simulator');
    try {
        $rt = run_json([$php, '-d', "extension=$ext", "$root/bench/roundtrip/create_order.php", $quick ? '100' : '300'], ['SPECTROCOIN_EXT' => $ext] + getenv());
        $summary['create_order_keepalive_speedup'] = $rt['speedup'];
        $detail['roundtrip'] = $rt;
    } catch (Throwable $e) {
        $detail['roundtrip'] = ['error' => $e->getMessage()];
        say('roundtrip FAILED: ' . $e->getMessage());
    }
}

// ---- 5. end to end -------------------------------------------------------------------------
if (in_array('e2e', $only, true)) {
    say('end to end: nginx + php-fpm + MariaDB + stand-in + module');
    try {
        $e2e = run_json([$php, '-d', "extension=$ext", "$root/bench/e2e/run.php", $quick ? '--quick' : '--full'], ['SPECTROCOIN_EXT' => $ext] + getenv(), 900);
        foreach (['callbacks_per_s', 'callback_p99_ms', 'double_credits'] as $k) {
            $summary[$k] = $e2e[$k];
        }
        $detail['e2e'] = $e2e;
    } catch (Throwable $e) {
        $detail['e2e'] = ['error' => $e->getMessage()];
        say('e2e FAILED: ' . $e->getMessage());
    }
}

// ---- table ---------------------------------------------------------------------------------
$goals = [
    'verify_vs_openssl' => ['>=', 0.9], 'verify_vs_php_reference' => ['>=', 10], 'sign_vs_openssl' => ['>=', 0.9],
    'sign_vs_php_reference' => ['>=', 2.5], 'create_order_keepalive_speedup' => null, 'callbacks_per_s' => null,
    'callback_p99_ms' => null, 'double_credits' => ['=', 0], 'rss_growth_kb_per_1m_verify' => ['<', 1024],
    'load_overhead_ms' => ['<', 2],
];
$lines = [];
$lines[] = sprintf('| %-31s | %12s | %-8s | %-7s |', 'metric', 'value', 'goal', 'met');
$lines[] = '|' . str_repeat('-', 33) . '|' . str_repeat('-', 14) . '|' . str_repeat('-', 10) . '|' . str_repeat('-', 9) . '|';
foreach ($summary as $k => $val) {
    $g = $goals[$k];
    $met = '';
    if ($g !== null) {
        if ($val === null) {
            $met = 'n/a';
        } else {
            $ok = match ($g[0]) { '>=' => $val >= $g[1], '<' => $val < $g[1], '=' => $val == $g[1] };
            $met = $ok ? 'yes' : 'NO';
        }
    }
    $lines[] = sprintf('| %-31s | %12s | %-8s | %-7s |', $k, $val === null ? 'n/a' : (string) $val, $g === null ? '' : $g[0] . ' ' . $g[1], $met);
}
$table = implode("\n", $lines);
$detail['seconds'] = round(microtime(true) - $t0, 1);
$detail['summary'] = $summary;
if (in_array('micro', $only, true) && in_array('e2e', $only, true)) {
    file_put_contents("$results/summary.json", json_encode($summary, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
}
file_put_contents("$results/detail.json", json_encode($detail, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n");
file_put_contents("$results/table.md", $table . "\n");
echo "\n$table\n\n";
if (isset($detail['micro'])) {
    echo "median rates /s: " . json_encode($detail['micro']['median_rates_per_s']) . "\n";
}
foreach (['rss', 'load', 'roundtrip', 'e2e'] as $k) {
    if (isset($detail[$k])) {
        echo "$k: " . json_encode($detail[$k], JSON_UNESCAPED_SLASHES) . "\n";
    }
}
printf("total %.0f s; details in bench/results/detail.json\n", $detail['seconds']);
