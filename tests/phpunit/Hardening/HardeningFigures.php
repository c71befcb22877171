<?php

declare(strict_types=1);

namespace Tests\Hardening;

/** Figures the hardening tests measure, for the README: target/hardening/figures.txt. */
final class HardeningFigures
{
    public static function record(string $test, string $line): void
    {
        $dir = dirname(__DIR__, 3) . '/target/hardening';
        @mkdir($dir, 0777, true);
        file_put_contents($dir . '/figures.txt', sprintf("%s  %-28s %s\n", date('c'), $test, $line), FILE_APPEND | LOCK_EX);
    }
}
