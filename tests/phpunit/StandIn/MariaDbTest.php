<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

use PHPUnit\Framework\TestCase;
use Testbed\MariaDb;

final class MariaDbTest extends TestCase
{
    public function test_shared_server_is_private_socket_only_and_reused(): void
    {
        $db = MariaDb::shared();
        $this->assertSame($db, MariaDb::shared());
        $this->assertFileExists($db->socket());
        $this->assertStringStartsWith($db->directory() . '/', $db->socket());

        $vars = $db->pdo()->query("SELECT @@skip_networking AS net, @@datadir AS datadir, @@socket AS sock")->fetch();
        $this->assertSame('1', (string) $vars['net'], 'no TCP listener');
        $this->assertStringStartsWith($db->directory() . '/', $vars['datadir']);
        $this->assertSame($db->socket(), $vars['sock']);
    }

    public function test_databases_are_separate(): void
    {
        $db = MariaDb::shared();
        $a = 'probe_a_' . bin2hex(random_bytes(3));
        $b = 'probe_b_' . bin2hex(random_bytes(3));
        $db->createDatabase($a);
        $db->createDatabase($b);
        $db->pdo($a)->exec('CREATE TABLE t (id int)');
        $this->assertSame([], $db->pdo($b)->query("SHOW TABLES")->fetchAll());
        $db->dropDatabase($a);
        $db->dropDatabase($b);
        $this->expectException(\InvalidArgumentException::class);
        $db->createDatabase('bad name; DROP');
    }

    public function test_stop_ends_the_server_and_removes_its_directory(): void
    {
        $db = new MariaDb();
        $dir = $db->directory();
        $this->assertTrue($db->isRunning());
        $db->stop();
        $this->assertFalse($db->isRunning());
        $this->assertDirectoryDoesNotExist($dir);
    }
}
