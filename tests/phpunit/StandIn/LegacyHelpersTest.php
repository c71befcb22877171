<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/**
 * WHMCS 8 still has the legacy database helpers (developer docs, advanced/db-interaction) and
 * lets modules include its includes/ files again or before init.php (SpectroCoin's official
 * callback and BTCPay's do; both ran against real WHMCS 8.13).
 */
final class LegacyHelpersTest extends StandInTestCase
{
    public function test_select_query_and_mysql_fetch_read_rows(): void
    {
        $result = $this->site()->run(<<<'PHP'
            $one = mysql_fetch_array(select_query('tblinvoices', 'total,status', ['id' => 1]));
            $rows = [];
            $res = select_query('tblinvoices', 'id', ['userid' => 1, 'status' => ['sqltype' => 'NEQ', 'value' => 'Paid']], 'id', 'DESC', '2');
            while ($row = mysql_fetch_assoc($res)) {
                $rows[] = (int) $row['id'];
            }
            $quoted = mysql_fetch_assoc(select_query('tblinvoices', 'id', ['notes' => "x' OR '1'='1"]));
            return ['total' => $one['total'], 'status' => $one[1], 'rows' => $rows, 'injection' => $quoted,
                'count' => mysql_num_rows(select_query('tblinvoices', 'id', ''))];
            PHP);
        $this->assertSame('100.00', $result['total']);
        $this->assertSame('Unpaid', $result['status'], 'numeric keys too, like mysql_fetch_array');
        $this->assertCount(2, $result['rows']);
        $this->assertGreaterThan($result['rows'][1], $result['rows'][0], 'sorted DESC');
        $this->assertFalse($result['injection'], 'values are quoted');
        $this->assertSame((int) $this->site()->query('SELECT COUNT(*) c FROM tblinvoices')[0]['c'], $result['count']);
    }

    public function test_update_insert_and_full_query_write_and_report_errors(): void
    {
        $result = $this->site()->run(<<<'PHP'
            $updated = update_query('tblinvoices', ['status' => 'Cancelled', 'notes' => "O'Hara"], ['id' => 2]);
            $id = insert_query('tblactivitylog', ['date' => '2026-12-03 10:00:00', 'description' => 'legacy insert', 'user' => 'System', 'userid' => 0, 'ipaddr' => '']);
            $row = mysql_fetch_assoc(full_query('SELECT description FROM tblactivitylog WHERE id = ' . (int) $id));
            $bad = full_query('SELECT nosuchcolumn FROM tblinvoices');
            return ['updated' => $updated, 'id' => $id, 'row' => $row, 'bad' => $bad, 'error' => mysql_error(),
                'escaped' => mysql_real_escape_string("a'b")];
            PHP);
        $this->assertTrue($result['updated']);
        $this->assertSame(['Cancelled', "O'Hara"], [$this->site()->invoice(2)['status'], $this->site()->invoice(2)['notes']]);
        $this->assertGreaterThan(0, $result['id']);
        $this->assertSame(['description' => 'legacy insert'], $result['row']);
        $this->assertFalse($result['bad']);
        $this->assertStringContainsString('nosuchcolumn', $result['error']);
        $this->assertSame("a\\'b", $result['escaped']);
    }

    public function test_includes_can_be_included_again_after_init(): void
    {
        $result = $this->site()->run(<<<'PHP'
            foreach (['functions', 'gatewayfunctions', 'invoicefunctions', 'dbfunctions'] as $file) {
                include ROOTDIR . "/includes/$file.php";
                include ROOTDIR . "/includes/$file.php";
            }
            return function_exists('addInvoicePayment') && function_exists('select_query');
            PHP);
        $this->assertTrue($result);
    }

    public function test_includes_before_init_then_a_callback_works_over_http(): void
    {
        // SpectroCoin's callback style (init.php, then includes again, relative paths) and
        // BTCPay's (includes first, then init.php), as pages in the site's callback folder.
        $dir = $this->site()->root() . '/modules/gateways/callback';
        file_put_contents($dir . '/probe_after.php', <<<'PHP'
            <?php
            include '../../../init.php';
            include '../../../includes/functions.php';
            include '../../../includes/gatewayfunctions.php';
            include '../../../includes/invoicefunctions.php';
            $row = mysql_fetch_array(select_query('tblinvoices', 'total', ['id' => 1]));
            echo 'after:' . $row['total'];
            PHP);
        file_put_contents($dir . '/probe_before.php', <<<'PHP'
            <?php
            require_once __DIR__ . '/../../../includes/gatewayfunctions.php';
            require_once __DIR__ . '/../../../includes/invoicefunctions.php';
            require_once __DIR__ . '/../../../includes/functions.php';
            require_once __DIR__ . '/../../../init.php';
            $vars = getGatewayVariables('standindummy');
            echo 'before:' . $vars['paymentmethod'];
            PHP);

        $after = $this->site()->get('modules/gateways/callback/probe_after.php');
        $before = $this->site()->get('modules/gateways/callback/probe_before.php');

        $this->assertStatus(200, $after);
        $this->assertSame('after:100.00', $after['body']);
        $this->assertStatus(200, $before);
        $this->assertSame('before:standindummy', $before['body']);
    }
}
