<?php

namespace StandIn;

/**
 * add_hook()/run_hook() registry. Every run is recorded in `standin_hooks` (hook name, vars
 * as JSON) before the registered functions are called, through the Journal's own connection:
 * a hook's work (mail, provisioning) happens in the real world and no rollback undoes it.
 * A hook that throws propagates to the caller, as in WHMCS; output a hook prints goes out.
 */
final class Hooks
{
    /** @var array<string, list<array{int, callable}>> */
    private static array $registered = [];

    public static function add(string $hook, int $priority, $function): void
    {
        self::$registered[$hook][] = [$priority, $function];
    }

    public static function run(string $hook, array $vars): array
    {
        Journal::record('standin_hooks', [
            'date' => Journal::now(),
            'hook' => $hook,
            'vars' => json_encode($vars, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR),
        ]);
        Faults::point('hook:' . $hook);
        $entries = self::$registered[$hook] ?? [];
        usort($entries, static fn (array $a, array $b): int => $a[0] <=> $b[0]);
        $results = [];
        foreach ($entries as [, $function]) {
            if (is_callable($function)) {
                $results[] = $function($vars);
            }
        }
        if ($hook === 'InvoicePaid') {
            Faults::invoicePaidHook($vars);
        }
        return $results;
    }

    /** includes/hooks/*.php, then modules/gateways/NAME/hooks.php of every active gateway. */
    public static function loadHookFiles(): void
    {
        foreach (glob(ROOTDIR . '/includes/hooks/*.php') ?: [] as $file) {
            if (basename($file) !== 'index.php') {
                self::includeIsolated($file);
            }
        }
        foreach (Gateways::activeNames() as $name) {
            $file = ROOTDIR . '/modules/gateways/' . $name . '/hooks.php';
            if (is_file($file)) {
                self::includeIsolated($file);
            }
        }
    }

    private static function includeIsolated(string $file): void
    {
        (static function () use ($file): void {
            include_once $file;
        })();
    }
}
