<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/** Contract section 3 helpers, driven over HTTP through the dummy callback where they exit. */
final class CallbackHelpersTest extends StandInTestCase
{
    private function postCallback(array $post): array
    {
        return $this->site()->post('modules/gateways/callback/standindummy.php', $post);
    }

    public function test_callback_in_sample_order_applies_payment_and_logs_flattened_data(): void
    {
        $response = $this->postCallback(['invoiceid' => '1', 'transid' => 'CB-1', 'amount' => '100.00', 'fees' => '0.00']);

        $this->assertStatus(200, $response);
        $this->assertSame('APPLIED', $response['body']);
        $this->assertSame('Paid', $this->site()->invoice(1)['status']);
        $log = $this->site()->gatewayLog();
        $this->assertCount(1, $log);
        $this->assertSame('Stand-in Dummy', $log[0]['gateway'], 'module name replaced by its display name');
        $this->assertSame('Success', $log[0]['result']);
        $this->assertSame("invoiceid => 1\ntransid => CB-1\namount => 100.00\nfees => 0.00\n", $log[0]['data']);
    }

    public function test_unknown_invoice_exits_with_empty_200_and_logs_invoice_id_not_found(): void
    {
        $response = $this->postCallback(['invoiceid' => '999', 'transid' => 'CB-2', 'amount' => '1.00']);

        $this->assertStatus(200, $response);
        $this->assertSame('', $response['body']);
        $log = $this->site()->gatewayLog();
        $this->assertCount(1, $log);
        $this->assertSame('Invoice ID Not Found', $log[0]['result']);
        $this->assertStringContainsString("invoiceid => 999\n", $log[0]['data']);
        $this->assertSame('Stand-in Dummy', $log[0]['gateway']);
    }

    public function test_known_transaction_id_exits_with_empty_200_and_logs_nothing(): void
    {
        $first = $this->postCallback(['invoiceid' => '1', 'transid' => 'CB-DUP', 'amount' => '10.00']);
        $this->assertSame('APPLIED', $first['body']);
        $logBefore = count($this->site()->gatewayLog());

        $second = $this->postCallback(['invoiceid' => '1', 'transid' => 'CB-DUP', 'amount' => '10.00']);

        $this->assertStatus(200, $second);
        $this->assertSame('', $second['body']);
        $this->assertCount($logBefore, $this->site()->gatewayLog());
        $this->assertCount(1, $this->site()->transactions(1));
    }

    public function test_check_cb_invoice_id_accepts_any_status(): void
    {
        foreach ([3 => 'Cancelled', 4 => 'Paid', 5 => 'Draft', 6 => 'Collections'] as $id => $status) {
            $this->assertSame($id, $this->site()->call('checkCbInvoiceID', [(string) $id, 'standindummy']), $status);
        }
        $outcome = $this->site()->tryCall('checkCbInvoiceID', ['424242', 'standindummy']);
        $this->assertTrue($outcome['exited']);
        $this->assertSame('', $outcome['output']);
    }

    public function test_check_cb_trans_id_returns_for_unknown_and_exits_for_seeded_transaction(): void
    {
        $this->assertFalse($this->site()->tryCall('checkCbTransID', ['NEW-ID'])['exited']);
        $this->assertTrue($this->site()->tryCall('checkCbTransID', ['SEED-PAID-4'])['exited']);
    }

    public function test_get_gateway_variables_of_inactive_module_throws(): void
    {
        $outcome = $this->site()->tryCall('getGatewayVariables', ['standinlegacy']);
        $this->assertSame('WHMCS\Exception\Module\NotActivated', $outcome['exception']['class'] ?? null);

        $outcome = $this->site()->tryCall('getGatewayVariables', ['nosuchmodule']);
        $this->assertSame('WHMCS\Exception\Module\NotActivated', $outcome['exception']['class'] ?? null);
    }

    public function test_get_gateway_variables_returns_settings_and_system_values_html_encoded(): void
    {
        $this->assertSame([], $this->site()->saveGatewaySettings('standindummy', ['apiKey' => 'k<e>y&"1"']));
        $vars = $this->site()->call('getGatewayVariables', ['standindummy']);

        $this->assertSame('Invoices', $vars['type']);
        $this->assertSame('Stand-in Dummy', $vars['name']);
        $this->assertSame('standindummy', $vars['paymentmethod']);
        $this->assertSame($this->site()->systemUrl(), $vars['systemurl']);
        $this->assertSame('Stand-in Hosting &amp; Co', $vars['companyname']);
        $this->assertSame('k&lt;e&gt;y&amp;&quot;1&quot;', $vars['apiKey'], 'reported: encoded even for APIVersion 1.1');
    }

    public function test_encoding_of_gateway_variables_is_a_knob(): void
    {
        $this->site()->setConfig('StandInGatewayVariablesEncoded', '');
        $vars = $this->site()->call('getGatewayVariables', ['standindummy']);
        $this->assertSame('Stand-in Hosting & Co', $vars['companyname'], 'APIVersion 1.1 module gets decoded values');
    }

    public function test_log_transaction_flattens_nested_arrays_and_keeps_strings(): void
    {
        $this->site()->call('logTransaction', ['standindummy', ['a' => '1', 'b' => ['c' => 'd']], 'Nested']);
        $this->site()->call('logTransaction', ['Some Other Gateway', 'raw body', 'Raw']);

        $log = $this->site()->gatewayLog();
        $this->assertSame("a => 1\nb[c] => d\n", $log[0]['data']);
        $this->assertSame('Stand-in Dummy', $log[0]['gateway']);
        $this->assertSame(['Some Other Gateway', 'raw body', 'Raw'], [$log[1]['gateway'], $log[1]['data'], $log[1]['result']]);
    }

    public function test_currency_helpers(): void
    {
        $this->assertSame('110.00', $this->site()->call('convertCurrency', ['100', 1, 2]));
        $this->assertSame('100.00', $this->site()->call('convertCurrency', ['110.00', 2, 1]));
        $this->assertSame('7.73', $this->site()->call('convertCurrency', ['10', 2, 3]), '10 / 1.1 * 0.85');
        $this->assertSame('12.35', $this->site()->call('convertCurrency', ['12.345', 1, 1]));
        $this->assertSame('€1,234.50 EUR', $this->site()->call('formatCurrency', [1234.5, 1]));
        $this->assertSame(['id' => 2, 'code' => 'USD', 'prefix' => '$', 'suffix' => ' USD', 'format' => 2, 'rate' => '1.10000'],
            $this->site()->call('getCurrency', [2]));
        $this->assertSame('EUR', $this->site()->call('getCurrency', [])['code'], 'default currency');
    }

    public function test_payment_reversed_records_reversal_and_moves_invoice_to_collections(): void
    {
        $this->site()->call('paymentReversed', ['REV-1', 'SEED-PAID-4', 4, 'standindummy']);

        $invoice = $this->site()->invoice(4);
        $this->assertSame('Collections', $invoice['status']);
        $this->assertSame('30.00', $invoice['balance']);
        $reversal = $this->site()->transactions(4)[1];
        $this->assertSame(['REV-1', '30.00', 1], [$reversal['transid'], $reversal['amountout'], (int) $reversal['refundid']]);

        $again = $this->site()->tryCall('paymentReversed', ['REV-1', 'SEED-PAID-4', 4, 'standindummy']);
        $this->assertNotNull($again['exception']);
    }

    public function test_log_activity_and_local_api_get_invoice_balance(): void
    {
        $this->site()->call('logActivity', ['Hello from a module', 2]);
        $row = $this->site()->query('SELECT * FROM tblactivitylog ORDER BY id DESC LIMIT 1')[0];
        $this->assertSame(['Hello from a module', 2], [$row['description'], (int) $row['userid']]);

        $result = $this->site()->call('localAPI', ['GetInvoice', ['invoiceid' => 7]]);
        $this->assertSame(['success', '80.00', '50.00', 'Unpaid'], [$result['result'], $result['total'], $result['balance'], $result['status']]);
    }

    /** API reference "SendAdminEmail": a custom subject and HTML message to the admins; a template name needs the template. */
    public function test_local_api_send_admin_email_is_recorded(): void
    {
        $this->assertSame(['result' => 'success'], $this->site()->call('localAPI', ['SendAdminEmail',
            ['customsubject' => 'Hello & welcome', 'custommessage' => '<p>Body</p>', 'type' => 'nonsense']]));
        $mails = $this->site()->emails('SendAdminEmail');
        $this->assertCount(1, $mails);
        $this->assertSame(['0', '0', 'admin@standin.example'], [(string) $mails[0]['relid'], (string) $mails[0]['userid'], $mails[0]['recipient']]);
        $extra = json_decode($mails[0]['extra'], true);
        $this->assertSame(['system', 'Hello & welcome', '<p>Body</p>'], [$extra['type'], $extra['subject'], $extra['message']]);

        // No admin templates in the stand-in: the documented error, nothing recorded.
        $this->assertSame(['result' => 'error', 'message' => 'Email Template not found'],
            $this->site()->call('localAPI', ['SendAdminEmail', ['messagename' => 'Service Unsuspension Successful']]));
        $this->assertCount(1, $this->site()->emails('SendAdminEmail'));
    }

    public function test_capsule_behaves_like_laravel_query_builder(): void
    {
        $result = $this->site()->run(<<<'PHP'
            $pdo = \WHMCS\Database\Capsule::connection()->getPdo();
            $inTx = \WHMCS\Database\Capsule::connection()->transaction(function () use ($pdo) {
                \WHMCS\Database\Capsule::table('tblinvoices')->where('id', 1)->lockForUpdate()->first();
                return $pdo->inTransaction();
            });
            \WHMCS\Database\Capsule::schema()->create('mod_probe', function ($t) { $t->increments('id'); $t->string('v'); });
            \WHMCS\Database\Capsule::table('mod_probe')->insert(['v' => 'x']);
            return [
                'pdo' => get_class($pdo),
                'inTx' => $inTx,
                'total' => \WHMCS\Database\Capsule::table('tblinvoices')->where('id', 1)->value('total'),
                'probe' => \WHMCS\Database\Capsule::table('mod_probe')->count(),
                'base' => get_parent_class(\WHMCS\Database\Capsule::class),
            ];
            PHP);
        $this->assertSame(['pdo' => 'PDO', 'inTx' => true, 'total' => '100.00', 'probe' => 1,
            'base' => 'Illuminate\Database\Capsule\Manager'], $result);
    }
}
