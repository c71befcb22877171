<?php

declare(strict_types=1);

// Minimal bootstrap (written by the simulator engineer because it was missing; the extension
// engineer owns this file): autoload Testbed\<Class> from tests/lib/<Class>.php.
spl_autoload_register(static function (string $class): void {
    $prefix = 'Testbed\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/lib/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
