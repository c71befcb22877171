<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/**
 * addInvoicePayment's side effects happen in the real world (contract section 8): the stand-in
 * journals e-mails and hook runs outside the caller's transaction, lets a throwing or printing
 * hook do what it does, and offers fault points at each step of a payment.
 */
final class SideEffectJournalTest extends StandInTestCase
{
    private function arm(string $setting, string $value): void
    {
        $this->site()->setConfig($setting, $value);
    }

    public function test_a_rollback_undoes_the_payment_row_but_not_the_email_or_the_hook_run(): void
    {
        $result = $this->site()->run('
            // The dummy gateway\'s hooks.php records into a table it creates on first use (DDL commits).
            \WHMCS\Module\Gateway\Standindummy\Recorder::record("setup", []);
            $db = \WHMCS\Database\Capsule::connection();
            $db->beginTransaction();
            $ok = addInvoicePayment(1, "TX-RB", "100.00", 0, "standindummy");
            $db->rollBack();
            return $ok;');
        $this->assertTrue($result);
        $this->assertSame([], $this->site()->transactions(1));
        $this->assertSame('Unpaid', $this->site()->invoice(1)['status']);
        $this->assertCount(1, $this->site()->emails('Invoice Payment Confirmation'), 'the customer was e-mailed anyway');
        $this->assertCount(1, $this->site()->hooks('InvoicePaid'), 'the automation ran anyway');
    }

    public function test_hooks_fire_in_the_documented_order_and_log_transaction_fires_its_hook(): void
    {
        $this->site()->call('addInvoicePayment', [1, 'TX-1', '100.00', 0, 'standindummy']);
        $this->site()->call('logTransaction', ['standindummy', ['a' => 'b'], 'Successful']);
        $this->assertSame(['AddTransaction', 'AddInvoicePayment', 'InvoicePaidPreEmail', 'InvoicePaid', 'LogTransaction'], $this->hookNames());
        $log = $this->site()->hooks('LogTransaction')[0]['vars'];
        $this->assertSame(['b', 'Successful'], [$log['data']['a'], $log['result']]);
    }

    public function test_a_throwing_invoice_paid_hook_propagates_after_the_payment_was_written(): void
    {
        $this->arm('StandInInvoicePaidHook', 'throw');
        $outcome = $this->site()->tryCall('addInvoicePayment', [1, 'TX-T', '100.00', 0, 'standindummy']);
        $this->assertSame('RuntimeException', $outcome['exception']['class'] ?? null);
        $this->assertStringContainsString('InvoicePaid hook failed', $outcome['exception']['message']);
        $this->assertCount(1, $this->site()->transactions(1));
        $this->assertSame('Paid', $this->site()->invoice(1)['status']);
        $this->assertCount(1, $this->site()->emails('Invoice Payment Confirmation'));
    }

    public function test_a_printing_hook_prints_and_a_sleeping_hook_takes_its_time(): void
    {
        $this->arm('StandInInvoicePaidHook', 'print,sleep:0.6');
        $t0 = microtime(true);
        $outcome = $this->site()->tryCall('addInvoicePayment', [1, 'TX-P', '100.00', 0, 'standindummy']);
        $this->assertGreaterThanOrEqual(0.6, microtime(true) - $t0);
        $this->assertTrue($outcome['result']);
        $this->assertStringContainsString('InvoicePaid hook output for invoice 1', $outcome['output']);
    }

    public function test_a_fault_fires_once_at_its_point(): void
    {
        $this->arm('StandInFault', 'addInvoicePayment:afterRow=throw');
        $first = $this->site()->tryCall('addInvoicePayment', [1, 'TX-F1', '40.00', 0, 'standindummy']);
        $this->assertSame('stand-in fault at addInvoicePayment:afterRow', $first['exception']['message'] ?? null);
        $this->assertCount(1, $this->site()->transactions(1), 'the row was written before the fault');
        $this->assertSame([], $this->site()->hooks('AddTransaction'), 'no hook ran after the fault');
        $this->assertTrue($this->site()->call('addInvoicePayment', [1, 'TX-F2', '60.00', 0, 'standindummy']));
        $this->assertSame('Paid', $this->site()->invoice(1)['status']);
        $this->assertCount(1, $this->site()->hooks('StandInFault'));
    }

    public function test_a_killed_connection_fails_the_callers_transaction(): void
    {
        $this->arm('StandInFault', 'addInvoicePayment:afterRow=kill-connection');
        $outcome = $this->site()->tryRun('
            $db = \WHMCS\Database\Capsule::connection();
            $db->beginTransaction();
            return addInvoicePayment(1, "TX-K", "100.00", 0, "standindummy");');
        $this->assertNotNull($outcome['exception'], 'the next statement in the transaction must fail');
        $this->assertMatchesRegularExpression('/gone away|Lost connection|server closed|Connection was killed/i', $outcome['exception']['message']);
        $this->assertSame([], $this->site()->transactions(1), 'the uncommitted row died with the connection');
        $this->assertSame('Unpaid', $this->site()->invoice(1)['status']);
    }

    public function test_a_lock_wait_timeout_is_a_real_innodb_timeout(): void
    {
        $this->arm('StandInFault', 'addInvoicePayment:start=lock-timeout');
        $outcome = $this->site()->tryCall('addInvoicePayment', [1, 'TX-L', '100.00', 0, 'standindummy']);
        $this->assertStringContainsString('Lock wait timeout exceeded', $outcome['exception']['message'] ?? '');
        $this->assertSame([], $this->site()->transactions(1));
    }

    public function test_exit_and_kill9_end_the_process_mid_payment(): void
    {
        $this->arm('StandInFault', 'addInvoicePayment:afterRow=exit');
        $this->assertTrue($this->site()->tryCall('addInvoicePayment', [1, 'TX-E', '40.00', 0, 'standindummy'])['exited']);
        $this->assertCount(1, $this->site()->transactions(1));
        $this->assertSame([], $this->site()->hooks('AddTransaction'));

        $this->arm('StandInFault', 'hook:InvoicePaid=kill9');
        try {
            $this->site()->tryCall('addInvoicePayment', [1, 'TX-9', '60.00', 0, 'standindummy']);
            $this->fail('the process was expected to die');
        } catch (\RuntimeException $e) {
            $this->assertStringContainsString('exit 9)', $e->getMessage(), 'killed by signal 9');
        }
        $this->assertCount(2, $this->site()->transactions(1));
        $this->assertCount(1, $this->site()->hooks('InvoicePaid'), 'the hook run was journalled before the kill');
        $this->assertCount(1, $this->site()->emails('Invoice Payment Confirmation'));
    }
}
