<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/**
 * Which hooks.php files init.php loads (developer docs, "Module Hooks"): includes/hooks/, active
 * addon modules, provisioning and registrar modules; never a payment gateway's.
 */
final class ModuleHooksTest extends StandInTestCase
{
    private function payInFull(): void
    {
        $this->assertTrue($this->site()->call('addInvoicePayment', [1, 'TX-HOOKS', '100.00', 0, 'standindummy']));
    }

    public function test_active_addon_and_provisioning_hooks_run_but_not_the_gateways(): void
    {
        $this->payInFull();

        $this->assertCount(1, $this->recorded('hook:InvoicePaid'), 'active addon hooks.php');
        $this->assertCount(1, $this->recorded('server-hooks:InvoicePaid'), 'provisioning module hooks.php');
        $this->assertSame([], $this->recorded('gateway-hooks:InvoicePaid'), 'an active gateway\'s hooks.php is not loaded');
    }

    public function test_inactive_addon_hooks_do_not_run(): void
    {
        $this->site()->setConfig('ActiveAddonModules', '');

        $this->payInFull();

        $this->assertSame([], $this->recorded('hook:InvoicePaid'));
        $this->assertCount(1, $this->recorded('server-hooks:InvoicePaid'));
    }

    public function test_includes_hooks_files_run(): void
    {
        $file = $this->site()->root() . '/includes/hooks/standin_probe.php';
        file_put_contents($file, "<?php\nadd_hook('InvoicePaid', 1, function (array \$vars) {\n"
            . "    \\WHMCS\\Module\\Gateway\\Standindummy\\Recorder::record('includes-hooks:InvoicePaid', \$vars);\n});\n");
        try {
            $this->payInFull();
        } finally {
            unlink($file);
        }

        $this->assertCount(1, $this->recorded('includes-hooks:InvoicePaid'));
    }
}
