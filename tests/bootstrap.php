<?php

declare(strict_types=1);

// Autoloads the test harness (`Testbed\<Class>` from tests/lib/<Class>.php) and shared
// test-case classes (`Tests\<Suite>\<Class>` from tests/phpunit/<Suite>/<Class>.php).
spl_autoload_register(static function (string $class): void {
    $roots = ['Testbed\\' => __DIR__ . '/lib/', 'Tests\\' => __DIR__ . '/phpunit/'];
    foreach ($roots as $prefix => $dir) {
        if (str_starts_with($class, $prefix)) {
            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
            return;
        }
    }
});
