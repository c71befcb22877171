<?php

declare(strict_types=1);

/**
 * `make bench`: every benchmark of issue 6, one table, bench/results/summary.json.
 *
 *   php bench/run.php [--ext=/abs/libspectrocoin.so] [--quick] [--only=micro,hostile,callgrind,rss,load,roundtrip,e2e,workers] [--baseline=/abs/other.so]
 *
 * Each measurement runs in its own process. Rates that are compared are measured side by side:
 * two live processes run short slices in turn (the machine is noisy), and each ratio is the
 * median of the adjacent-slice ratios of rates per CPU second (wall-clock ratios and callgrind
 * instruction ratios alongside).
 * Goals are printed as met or not; the exit code is 0 either way (it does not fail a build).
 */

$opts = getopt('', ['ext:', 'quick', 'only:', 'baseline:']);
// --baseline: another build of the extension (e.g. main's), compared side by side with this one.
$baseline = $opts['baseline'] ?? null;
$root = dirname(__DIR__);
$ext = $opts['ext'] ?? "$root/target/release/libspectrocoin.so";
$quick = isset($opts['quick']);
$only = isset($opts['only']) ? explode(',', $opts['only']) : ['micro', 'hostile', 'callgrind', 'rss', 'load', 'roundtrip', 'e2e', 'workers'];
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
// Inputs of the raw OpenSSL helper: the same key, bytes and signature the extension works on.
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
register_shutdown_function(static function () use ($tmp): void {
    array_map('unlink', glob("$tmp/*") ?: []);
    @rmdir($tmp);
});
$cmds = [
    'openssl_verify' => static fn (string $how) => [$speed, 'verify', "$tmp/cb.pub.pem", "$tmp/v1.txt", $how, "$tmp/v1.sig"],
    'ext_verify' => static fn (string $how) => [$php, '-n', '-d', "extension=$ext", "$root/bench/micro/rate.php", 'ext', 'verify', $how],
    'ref_verify' => static fn (string $how) => [$php, '-n', "$root/bench/micro/rate.php", 'ref', 'verify', $how],
    'openssl_sign' => static fn (string $how) => [$speed, 'sign', "$tmp/merchant.pem", "$tmp/order.txt", $how],
    'ext_sign' => static fn (string $how) => [$php, '-n', '-d', "extension=$ext", "$root/bench/micro/rate.php", 'ext', 'sign', $how],
    'ref_sign' => static fn (string $how) => [$php, '-n', "$root/bench/micro/rate.php", 'ref', 'sign', $how],
];
if ($baseline !== null) {
    $cmds['baseline_verify'] = static fn (string $how) => [$php, '-n', '-d', "extension=$baseline", "$root/bench/micro/rate.php", 'ext', 'verify', $how];
    $cmds['baseline_sign'] = static fn (string $how) => [$php, '-n', '-d', "extension=$baseline", "$root/bench/micro/rate.php", 'ext', 'sign', $how];
}

// Side by side: the two processes of a comparison stay alive, pinned to one CPU, and run short
// slices in turn (A B B A …, about 50 ms each: `serve` mode), so both see the same CPU within a
// tenth of a second; on this shared 2-core VM the speed of a CPU moves by ±15 % over seconds. Each
// pair of adjacent slices gives one ratio; the summary ratio is the median of those, of rates
// per CPU second of each process (user + system: time spent waiting for a core is not counted).
// Wall-clock ratios are kept alongside in detail.json.
/**
 * One session: two fresh processes, $pairs pairs of slices.
 * @return array{cpu: list<float>, wall: list<float>, rates: array{a: list<float>, b: list<float>}}
 */
function side_by_side(array $a, array $b, float $slice, int $pairs): array
{
    // Both on the same CPU (they never run at once): on a VM the two vCPUs can differ in
    // speed for minutes, which would bias every pair the same way.
    $pin = is_executable('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', (string) (getenv('BENCH_CPU') ?: '0')] : [];
    $procs = [];
    foreach (['a' => array_merge($pin, $a), 'b' => array_merge($pin, $b)] as $k => $argv) {
        $cmd = implode(' ', array_map('escapeshellarg', $argv));
        $procs[$k] = ['p' => proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes), 'io' => $pipes];
    }
    $run = static function (string $k, int $n) use (&$procs): array {
        fwrite($procs[$k]['io'][0], "$n\n");
        fflush($procs[$k]['io'][0]);
        $line = fgets($procs[$k]['io'][1]);
        if ($line === false || !preg_match('/^(\d+) (\d+)$/', trim($line), $m)) {
            throw new RuntimeException("side-by-side: no answer from process $k");
        }
        return ['cpu' => $n / max((int) $m[1], 1) * 1e9, 'wall' => $n / max((int) $m[2], 1) * 1e9];
    };
    try {
        // Warm-up, then slice sizes of about $slice seconds each.
        $n = [];
        foreach (['a', 'b'] as $k) {
            $run($k, 3);
            $rate = $run($k, 20)['wall'];
            $n[$k] = max(1, (int) round($rate * $slice));
        }
        $cpu = $wall = [];
        $rates = ['a' => [], 'b' => []];
        for ($i = 0; $i < $pairs; $i++) {
            $r = [];
            foreach ($i % 2 ? ['b', 'a'] : ['a', 'b'] as $k) {
                $r[$k] = $run($k, $n[$k]);
                $rates[$k][] = $r[$k]['cpu'];
            }
            $cpu[] = $r['a']['cpu'] / $r['b']['cpu'];
            $wall[] = $r['a']['wall'] / $r['b']['wall'];
        }
    } finally {
        foreach ($procs as $p) {
            @fwrite($p['io'][0], "0\n");
            @fclose($p['io'][0]);
            @fclose($p['io'][1]);
            proc_close($p['p']);
        }
    }
    return ['cpu' => $cpu, 'wall' => $wall, 'rates' => $rates];
}

/**
 * Several sessions (fresh processes each: a process's own layout can make it a few per cent
 * faster or slower for its whole life), all pair ratios pooled; medians.
 * @return array{cpu: float, wall: float, rates: array{a: float, b: float}, pairs: int, session_medians: list<float>}
 */
function compare(array $a, array $b, float $slice, int $sessions, int $pairs): array
{
    $cpu = $wall = $ra = $rb = $per = [];
    for ($s = 0; $s < $sessions; $s++) {
        $r = side_by_side($a, $b, $slice, $pairs);
        array_push($cpu, ...$r['cpu']);
        array_push($wall, ...$r['wall']);
        array_push($ra, ...$r['rates']['a']);
        array_push($rb, ...$r['rates']['b']);
        $per[] = round(median($r['cpu']), 3);
    }
    return [
        'cpu' => round(median($cpu), 3), 'wall' => round(median($wall), 3),
        'rates' => ['a' => round(median($ra), 1), 'b' => round(median($rb), 1)],
        'pairs' => count($cpu), 'session_medians' => $per,
    ];
}

if (in_array('micro', $only, true)) {
    $pairsOf = [
        'verify_vs_openssl' => ['ext_verify', 'openssl_verify', 0.05],
        'verify_vs_php_reference' => ['ext_verify', 'ref_verify', 0.05],
        'sign_vs_openssl' => ['ext_sign', 'openssl_sign', 0.1],
        'sign_vs_php_reference' => ['ext_sign', 'ref_sign', 0.1],
    ];
    if ($baseline !== null) {
        $pairsOf['verify_vs_baseline'] = ['ext_verify', 'baseline_verify', 0.05];
        $pairsOf['sign_vs_baseline'] = ['ext_sign', 'baseline_sign', 0.1];
    }
    [$sessions, $count] = $quick ? [2, 10] : [5, 20];
    $wallRatios = [];
    $med = [];
    $results_by_pair = [];
    foreach ($pairsOf as $key => [$a, $b, $slice]) {
        say("micro: $a against $b, $sessions sessions of $count pairs of ~" . ($slice * 1000) . ' ms slices');
        $r = compare($cmds[$a]('serve'), $cmds[$b]('serve'), $slice, $sessions, $count);
        $summary[$key] = $r['cpu'];
        $wallRatios[$key] = $r['wall'];
        $med[$a][] = $r['rates']['a'];
        $med[$b][] = $r['rates']['b'];
        $results_by_pair[$key] = $r;
    }
    $detail['micro'] = [
        'method' => 'alternating slices (A B B A ...) of two live processes pinned to one CPU, in fresh sessions; median of all adjacent-pair ratios',
        'comparisons' => $results_by_pair, 'wall_ratios' => $wallRatios,
        'median_rates_per_cpu_s' => array_map(static fn ($xs) => round(median($xs), 1), $med),
    ];
}

// ---- 1b. the same operations in instructions (callgrind) -------------------------------------
// Wall-clock ratios on a shared 2-core machine move with whatever else runs; instruction counts
// do not. Each operation runs n1 and n2 times under callgrind; (Ir(n2) - Ir(n1)) / (n2 - n1) is
// the instructions per operation with start-up, warm-up and key parsing cancelled out.
// Ratios are openssl/ext (or ref/ext): comparable to the rate ratios above (>1: the extension
// executes fewer instructions). Reported in detail.json and printed; not in summary.json.
// Caveat: valgrind's virtual CPU lacks ADX and SHA-NI, so OpenSSL takes its plain bignum and SHA-1
// code under callgrind and runs faster natively: the RSA part weighs less in real runs than in these
// counts, and the instruction ratios against OpenSSL read higher than the CPU-time ones.
// detail.json keeps both OPENSSL_ia32cap vectors (native, under valgrind).
if (in_array('callgrind', $only, true)) {
    if (!is_executable('/usr/bin/valgrind')) {
        say('callgrind: valgrind not installed, skipped (apt-get install valgrind)');
    } else {
        $ir = static function (array $argv) use ($tmp): int {
            $out = "$tmp/callgrind.out";
            @unlink($out);
            run_json(array_merge(['/usr/bin/valgrind', '--tool=callgrind', '--quiet', "--callgrind-out-file=$out"], $argv), null, 600);
            if (!preg_match('/^(?:summary|totals):\s+(\d+)/m', (string) file_get_contents($out), $m)) {
                throw new RuntimeException('no callgrind total for ' . implode(' ', $argv));
            }
            return (int) $m[1];
        };
        $ns = $quick
            ? ['verify' => [10, 60], 'sign' => [3, 13]]
            : ['verify' => [20, 220], 'sign' => [5, 45]];
        $per = [];
        foreach ($cmds as $k => $cmd) {
            [$n1, $n2] = $ns[str_ends_with($k, 'verify') ? 'verify' : 'sign'];
            say("callgrind: $k ($n1 and $n2 operations)");
            $per[$k] = (int) round(($ir($cmd("n=$n2")) - $ir($cmd("n=$n1"))) / ($n2 - $n1));
        }
        $detail['callgrind'] = [
            'openssl_ia32cap_native' => trim((string) shell_exec('openssl version -c 2>/dev/null')),
            'openssl_ia32cap_valgrind' => trim((string) shell_exec('/usr/bin/valgrind --tool=none -q openssl version -c 2>/dev/null')),
            'instructions_per_op' => $per,
            'verify_vs_openssl' => round($per['openssl_verify'] / $per['ext_verify'], 3),
            'verify_vs_php_reference' => round($per['ref_verify'] / $per['ext_verify'], 3),
            'sign_vs_openssl' => round($per['openssl_sign'] / $per['ext_sign'], 3),
            'sign_vs_php_reference' => round($per['ref_sign'] / $per['ext_sign'], 3),
        ];
    }
}

// ---- 1c. hostile callback bodies (64 KiB, every one refused): µs per call ------------------
if (in_array('hostile', $only, true)) {
    say('hostile: 64 KiB callback bodies of adversarial shapes');
    $detail['hostile'] = run_json([$php, '-n', '-d', "extension=$ext", "$root/bench/micro/hostile.php", $quick ? '11' : '51']);
    say('hostile (us per refusal): ' . json_encode($detail['hostile']));
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

// ---- 6. fresh vs warm PHP-FPM worker, the module's cost per callback --------------------------
if (in_array('workers', $only, true)) {
    say('Pay Now in a fresh PHP-FPM worker vs a warm one; the module per callback vs a no-op callback');
    try {
        $w = run_json([$php, '-d', "extension=$ext", "$root/bench/e2e/worker_costs.php", '--cycles=' . ($quick ? 5 : 15)], ['SPECTROCOIN_EXT' => $ext] + getenv(), 600);
        foreach (['paynow_fresh_worker_ms', 'paynow_warm_worker_ms', 'module_cost_per_callback_ms', 'module_cost_per_duplicate_ms'] as $k) {
            $summary[$k] = $w[$k];
        }
        $detail['workers'] = $w;
    } catch (Throwable $e) {
        $detail['workers'] = ['error' => $e->getMessage()];
        say('workers FAILED: ' . $e->getMessage());
    }
}

// ---- table ---------------------------------------------------------------------------------
$goals = [
    'verify_vs_openssl' => ['>=', 0.8], 'verify_vs_php_reference' => ['>=', 10], 'sign_vs_openssl' => ['>=', 0.9],
    'sign_vs_php_reference' => ['>=', 2.5], 'create_order_keepalive_speedup' => null, 'callbacks_per_s' => null,
    'callback_p99_ms' => null, 'double_credits' => ['=', 0], 'rss_growth_kb_per_1m_verify' => ['<', 1024],
    'load_overhead_ms' => ['<', 2],
];
$lines = [];
$lines[] = sprintf('| %-31s | %12s | %-8s | %-7s |', 'metric', 'value', 'goal', 'met');
$lines[] = '|' . str_repeat('-', 33) . '|' . str_repeat('-', 14) . '|' . str_repeat('-', 10) . '|' . str_repeat('-', 9) . '|';
foreach ($summary as $k => $val) {
    $g = $goals[$k] ?? null;
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
    foreach ($detail['micro']['comparisons'] as $k => $c) {
        printf("%s: median rates per CPU second %s, per-session medians %s\n", $k, json_encode($c['rates']), json_encode($c['session_medians']));
    }
    echo 'wall-clock ratios: ' . json_encode($detail['micro']['wall_ratios']) . "\n";
}
if (isset($detail['callgrind'])) {
    $c = $detail['callgrind'];
    echo 'instructions per operation: ' . json_encode($c['instructions_per_op']) . "\n";
    printf("instruction ratios: verify_vs_openssl %.3f, verify_vs_php_reference %.3f, sign_vs_openssl %.3f, sign_vs_php_reference %.3f\n",
        $c['verify_vs_openssl'], $c['verify_vs_php_reference'], $c['sign_vs_openssl'], $c['sign_vs_php_reference']);
}
if (isset($detail['roundtrip']['transport'])) {
    $rt = $detail['roundtrip'];
    printf("create_order_keepalive_speedup measured over %s through nginx%s\n", $rt['transport'],
        $rt['transport'] === 'https' ? '' : ' (SSL_CERT_FILE not honoured by the extension: ' . ($rt['tls_probe']['with_SSL_CERT_FILE'] ?? '?') . ')');
}
foreach (['rss', 'load', 'roundtrip', 'e2e', 'workers'] as $k) {
    if (isset($detail[$k])) {
        echo "$k: " . json_encode($detail[$k], JSON_UNESCAPED_SLASHES) . "\n";
    }
}
printf("total %.0f s; details in bench/results/detail.json\n", $detail['seconds']);
