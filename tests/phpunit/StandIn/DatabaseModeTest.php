<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

require_once __DIR__ . '/StandInTestCase.php';

/**
 * The database as WHMCS runs it: strict mode off (WHMCS system requirements), and optionally a
 * site user without CREATE/ALTER once installed (WhmcsSite::useRestrictedDatabaseUser()).
 */
final class DatabaseModeTest extends StandInTestCase
{
    protected function tearDown(): void
    {
        $this->site()->useInstallerDatabaseUser();
    }

    public function test_site_connections_run_with_empty_sql_mode_so_long_text_is_truncated(): void
    {
        $result = $this->site()->run(<<<'PHP'
            $mode = \WHMCS\Database\Capsule::connection()->selectOne('SELECT @@SESSION.sql_mode AS m')->m;
            \WHMCS\Database\Capsule::table('tblconfiguration')->insert(['setting' => str_repeat('s', 100), 'value' => 'v']);
            return $mode;
            PHP);
        $this->assertSame('', $result);
        $stored = $this->site()->query("SELECT setting FROM tblconfiguration WHERE value = 'v' AND setting LIKE 'sss%'");
        $this->assertSame([str_repeat('s', 64)], array_column($stored, 'setting'), 'varchar(64) silently truncated, as in WHMCS');
    }

    public function test_pages_too_run_without_strict_mode(): void
    {
        $file = $this->site()->root() . '/modules/gateways/callback/probe_mode.php';
        file_put_contents($file, "<?php\nrequire __DIR__ . '/../../../init.php';\n"
            . "echo '[' . \\WHMCS\\Database\\Capsule::connection()->selectOne('SELECT @@SESSION.sql_mode AS m')->m . ']';\n");
        $response = $this->site()->get('modules/gateways/callback/probe_mode.php');
        $this->assertStatus(200, $response);
        $this->assertSame('[]', $response['body']);
    }

    public function test_restricted_user_reads_and_writes_but_cannot_create_or_alter(): void
    {
        $before = $this->site()->schemaSnapshot();
        $this->site()->useRestrictedDatabaseUser();
        $this->assertNotSame('root', $this->site()->databaseUser());

        $result = $this->site()->run(<<<'PHP'
            $c = \WHMCS\Database\Capsule::connection();
            $user = $c->selectOne('SELECT CURRENT_USER() AS u')->u;
            $c->table('tblconfiguration')->insert(['setting' => 'RestrictedProbe', 'value' => '1']);
            $c->table('tblconfiguration')->where('setting', 'RestrictedProbe')->update(['value' => '2']);
            $errors = [];
            foreach ([
                fn () => \WHMCS\Database\Capsule::schema()->create('mod_probe', function ($t) { $t->increments('id'); }),
                fn () => \WHMCS\Database\Capsule::schema()->table('tblconfiguration', function ($t) { $t->string('extra')->default(''); }),
                fn () => $c->statement('CREATE INDEX probe_idx ON tblconfiguration (value(10))'),
            ] as $ddl) {
                try {
                    $ddl();
                    $errors[] = 'allowed';
                } catch (\Throwable $e) {
                    $errors[] = str_contains($e->getMessage(), 'denied') ? 'denied' : $e->getMessage();
                }
            }
            return ['user' => $user, 'errors' => $errors];
            PHP);

        $this->assertStringStartsWith($this->site()->databaseUser() . '@', $result['user']);
        $this->assertSame(['denied', 'denied', 'denied'], $result['errors']);
        $this->assertSame('2', $this->site()->query("SELECT value FROM tblconfiguration WHERE setting = 'RestrictedProbe'")[0]['value']);
        $this->assertSame($before, $this->site()->schemaSnapshot(), 'no DDL ran');
    }

    public function test_snapshot_sees_ddl_and_the_installer_user_may_run_it(): void
    {
        $before = $this->site()->schemaSnapshot();
        $this->site()->useRestrictedDatabaseUser();
        $this->site()->useInstallerDatabaseUser();
        $this->assertSame('root', $this->site()->databaseUser());

        $this->site()->run("\\WHMCS\\Database\\Capsule::schema()->create('mod_probe', function (\$t) { \$t->increments('id'); }); return null;");

        $after = $this->site()->schemaSnapshot();
        $this->assertNotSame($before, $after);
        $this->assertArrayHasKey('mod_probe', $after);
    }
}
