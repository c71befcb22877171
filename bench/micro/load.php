<?php

declare(strict_types=1);

// Extension load time: `php -n -r ''` with and without `-d extension=<so>`, run alternately
// (A B A B …, so that the machine's noise hits both alike), N pairs:
//   php bench/micro/load.php <so> [pairs=300]
// Wall time per run (hrtime around proc_open … proc_close, no shell) and CPU time (user+sys of
// the child, from getrusage). Overhead = median(with) − median(without); also the median of the
// paired differences. Prints one JSON line.

$so = $argv[1];
$pairs = (int) ($argv[2] ?? 300);
$cmds = [
    'without' => [PHP_BINARY, '-n', '-r', ''],
    'with' => [PHP_BINARY, '-n', '-d', "extension=$so", '-r', ''],
];

function run_once(array $cmd): array
{
    $ru = getrusage(1);
    $t = hrtime(true);
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['pipe', 'w']], $pipes);
    $err = stream_get_contents($pipes[2]);
    $rc = proc_close($p);
    $wall = (hrtime(true) - $t) / 1e6;
    $ru2 = getrusage(1);
    $cpu = (($ru2['ru_utime.tv_sec'] - $ru['ru_utime.tv_sec']) + ($ru2['ru_stime.tv_sec'] - $ru['ru_stime.tv_sec'])) * 1e3
        + (($ru2['ru_utime.tv_usec'] - $ru['ru_utime.tv_usec']) + ($ru2['ru_stime.tv_usec'] - $ru['ru_stime.tv_usec'])) / 1e3;
    if ($rc !== 0 || $err !== '') {
        fwrite(STDERR, "failed: " . implode(' ', $cmd) . "\n$err");
        exit(1);
    }
    return [$wall, $cpu];
}

function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n % 2 ? $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

for ($i = 0; $i < 10; $i++) {
    run_once($cmds['without']);
    run_once($cmds['with']);
}
$wall = ['without' => [], 'with' => []];
$cpu = ['without' => [], 'with' => []];
$diff = [];
for ($i = 0; $i < $pairs; $i++) {
    $order = $i % 2 ? ['with', 'without'] : ['without', 'with'];
    $pair = [];
    foreach ($order as $k) {
        [$w, $c] = run_once($cmds[$k]);
        $wall[$k][] = $w;
        $cpu[$k][] = $c;
        $pair[$k] = $w;
    }
    $diff[] = $pair['with'] - $pair['without'];
}
echo json_encode([
    'pairs' => $pairs,
    'median_without_ms' => round(median($wall['without']), 3),
    'median_with_ms' => round(median($wall['with']), 3),
    'min_without_ms' => round(min($wall['without']), 3),
    'min_with_ms' => round(min($wall['with']), 3),
    'median_paired_diff_ms' => round(median($diff), 3),
    'cpu_median_without_ms' => round(median($cpu['without']), 3),
    'cpu_median_with_ms' => round(median($cpu['with']), 3),
    'overhead_ms' => round(median($wall['with']) - median($wall['without']), 3),
]), "\n";
