<?php

namespace StandIn;

use WHMCS\Database\Capsule;

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

    /**
     * includes/hooks/*.php, then the hooks.php of modules for which WHMCS detects one (developer
     * docs, "Module Hooks"): active addon modules (tblconfiguration ActiveAddonModules, a comma
     * list as WHMCS keeps it), provisioning (modules/servers) and registrar modules. Payment
     * gateways are not among them: a gateway's hooks.php is never loaded; hooks a gateway needs
     * belong in an addon module or in includes/hooks/.
     */
    public static function loadHookFiles(): void
    {
        foreach (glob(ROOTDIR . '/includes/hooks/*.php') ?: [] as $file) {
            if (basename($file) !== 'index.php') {
                self::includeIsolated($file);
            }
        }
        $active = (string) Capsule::table('tblconfiguration')->where('setting', 'ActiveAddonModules')->value('value');
        foreach (array_filter(array_map('trim', explode(',', $active))) as $addon) {
            if (preg_match('/^[A-Za-z0-9_]+$/', $addon)) {
                $file = ROOTDIR . '/modules/addons/' . $addon . '/hooks.php';
                if (is_file($file)) {
                    self::includeIsolated($file);
                }
            }
        }
        foreach (['servers', 'registrars'] as $kind) {
            foreach (glob(ROOTDIR . '/modules/' . $kind . '/*/hooks.php') ?: [] as $file) {
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
