<?php

declare(strict_types=1);

/**
 * Stops a child process started with proc_open (nginx, php-fpm): SIGTERM, up to 5 s to exit,
 * then SIGKILL; always closed.
 *
 * @param resource $process
 */
function bench_stop_process($process): void
{
    if (!is_resource($process)) {
        return;
    }
    $st = proc_get_status($process);
    if ($st['running']) {
        posix_kill($st['pid'], SIGTERM); // our own child, by pid
        $deadline = microtime(true) + 5;
        while (proc_get_status($process)['running'] && microtime(true) < $deadline) {
            usleep(20_000);
        }
        if (proc_get_status($process)['running']) {
            posix_kill($st['pid'], SIGKILL);
        }
    }
    proc_close($process);
}
