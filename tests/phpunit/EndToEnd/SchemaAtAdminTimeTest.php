<?php

declare(strict_types=1);

namespace Tests\EndToEnd;

/**
 * The module's tables are created and migrated when the admin activates the gateway, saves it or
 * views its settings page; never by a callback or Pay Now, which answer 503 until then (logged).
 * A database user without CREATE/ALTER is named plainly on the settings page.
 */
final class SchemaAtAdminTimeTest extends EndToEndTestCase
{
    /** The gateway's tables (the addon's own come with its activation) and their version. */
    private const TABLES = ['mod_spectrocoin_events', 'mod_spectrocoin_meta', 'mod_spectrocoin_notices', 'mod_spectrocoin_orders'];
    private const VERSION = 6;

    private function paidBody(array $order): string
    {
        $id = (int) $order['order_request_id'];
        $queued = self::sim()->setStatus($id, 3, (string) self::sim()->order($id)['payAmount'], true, false);
        foreach (self::sim()->callbacks() as $d) {
            if ($d['id'] === $queued['deliveryIds'][0]) {
                return (string) $d['body'];
            }
        }
        self::fail('queued delivery not found');
    }

    private function moduleTables(): array
    {
        return array_map(fn ($r) => array_values($r)[0], self::site()->query("SHOW TABLES LIKE 'mod_spectrocoin%'"));
    }

    private function claimColumns(): array
    {
        return array_column(self::site()->query("SHOW COLUMNS FROM mod_spectrocoin_orders LIKE 'claim%'"), 'Field');
    }

    public function testActivationAndSaveInstallTheCurrentVersion(): void
    {
        self::assertSame(self::TABLES, $this->moduleTables());
        self::assertSame((string) self::VERSION, self::site()->query("SELECT value FROM mod_spectrocoin_meta WHERE name = 'schema_version'")[0]['value']);
        self::assertSame(['claim_transid', 'claim_state', 'claimed_at', 'claimed_by'], $this->claimColumns());
        self::assertSame(['refund_transid', 'refund_state', 'refund_claimed_by', 'refund_claimed_at'],
            array_column(self::site()->query("SHOW COLUMNS FROM mod_spectrocoin_orders LIKE 'refund%'"), 'Field'));
    }

    public function testAnUpgradedModuleMigratesOnTheSettingsPageNotInACallback(): void
    {
        $order = $this->startPayment(1);
        $body = $this->paidBody($order);
        // The tables as the previous module version left them: no claim columns, no version row.
        self::site()->query('ALTER TABLE mod_spectrocoin_orders DROP COLUMN claim_transid, DROP COLUMN claim_state, DROP COLUMN claimed_at, DROP COLUMN claimed_by');
        self::site()->query("DELETE FROM mod_spectrocoin_meta WHERE name = 'schema_version'");

        $r = $this->postCallback($body);
        self::assertSame([503, 'Service Unavailable'], [$r['status'], $r['body']]);
        self::assertSame('Retry Later', $this->lastLog()['result']);
        self::assertStringContainsString('tables are at version 1, this module needs ' . self::VERSION, $this->lastLog()['data']);
        self::assertSame([], $this->claimColumns(), 'a callback ran DDL');
        self::assertSame([], self::site()->transactions(1));

        // The upgrade: the admin opens the settings page (as a database user allowed to ALTER).
        self::site()->useInstallerDatabaseUser();
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::site()->useRestrictedDatabaseUser();
        self::assertSame(200, $page['status']);
        self::assertStringContainsString('Installed, version ' . self::VERSION . '.', $page['body']);
        self::assertSame(['claim_transid', 'claim_state', 'claimed_at', 'claimed_by'], $this->claimColumns());

        $r = $this->postCallback($body);
        self::assertSame([200, '*ok*'], [$r['status'], $r['body']]);
        self::assertSame('Paid', $this->invoiceStatus(1));
    }

    public function testWithoutTablesCallbacksAndPayNowAnswer503AndCreateNothing(): void
    {
        $order = $this->startPayment(1);
        $body = $this->paidBody($order);
        self::site()->query('DROP TABLE ' . implode(', ', self::TABLES));

        $r = $this->postCallback($body);
        self::assertSame(503, $r['status']);
        self::assertStringContainsString('tables are not installed', $this->lastLog()['data']);
        $cookies = self::site()->clientLogin($this->ownerOf(2));
        $page = self::site()->get('viewinvoice.php?id=2', $cookies);
        self::assertStringContainsString('Paying with SpectroCoin is temporarily unavailable', $page['body']);
        $pay = self::site()->post('modules/gateways/spectrocoin/paynow.php', ['invoiceid' => '2', 'spectrocoin_token' => str_repeat('0', 64)], $cookies);
        self::assertSame(503, $pay['status']);
        self::assertStringContainsString('tables are not installed', $this->lastLog()['data']);
        self::assertSame([], $this->moduleTables(), 'a callback or Pay Now ran DDL');

        // As the restricted site user, Save cannot install them and the page says why.
        self::site()->useRestrictedDatabaseUser();
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings()));
        self::assertSame([], $this->moduleTables());
        $page = self::site()->get('admin/configgateways.php', self::site()->adminLogin());
        self::assertStringContainsString('may not create or alter tables (CREATE and ALTER privileges are missing)', $page['body']);
        self::site()->useInstallerDatabaseUser();
        self::assertSame([], self::site()->saveGatewaySettings(self::GATEWAY, static::gatewaySettings()));
        self::assertSame(self::TABLES, $this->moduleTables());
    }

    public function testTheSettingsPageSaysPlainlyWhenTheDatabaseUserMayNotCreateTables(): void
    {
        self::site()->query('DROP TABLE ' . implode(', ', self::TABLES));
        $user = 'sc_' . bin2hex(random_bytes(4));
        $db = self::site()->databaseName();
        self::site()->query("CREATE USER '$user'@'localhost' IDENTIFIED BY 'pw'");
        try {
            self::site()->query("GRANT SELECT, INSERT, UPDATE, DELETE ON `$db`.* TO '$user'@'localhost'");
            $status = self::site()->run('
                \StandIn\Gateways::load("spectrocoin");
                $m = new \Illuminate\Database\Capsule\Manager();
                $m->addConnection(["driver" => "mysql", "unix_socket" => $GLOBALS["db_socket"], "database" => $GLOBALS["db_name"],
                    "username" => "' . $user . '", "password" => "pw", "charset" => "utf8mb4", "collation" => "utf8mb4_unicode_ci"]);
                $m->setAsGlobal();
                $_SERVER["SCRIPT_FILENAME"] = ROOTDIR . "/admin/configgateways.php";
                return spectrocoin_schema_status();');
        } finally {
            self::site()->query("DROP USER '$user'@'localhost'");
        }
        self::assertStringContainsString('may not create or alter tables (CREATE and ALTER privileges are missing)', $status);
        self::assertStringContainsString('callbacks are answered 503', $status);
        self::assertSame([], $this->moduleTables());
    }
}
