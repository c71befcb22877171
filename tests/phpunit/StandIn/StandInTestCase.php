<?php

declare(strict_types=1);

namespace Testbed\Tests\StandIn;

use PHPUnit\Framework\TestCase;
use Testbed\WhmcsSite;

/**
 * One stand-in site per test class (server start is the slow part); every test gets a fresh
 * database from schema + seed with the dummy gateway activated.
 */
abstract class StandInTestCase extends TestCase
{
    protected static ?WhmcsSite $site = null;

    public static function fixtureModules(): string
    {
        return dirname(__DIR__, 2) . '/fixtures/gateways/modules';
    }

    public static function setUpBeforeClass(): void
    {
        self::$site = new WhmcsSite(modules: [self::fixtureModules()], paymentMethod: 'standindummy');
    }

    public static function tearDownAfterClass(): void
    {
        self::$site?->stop();
        self::$site = null;
    }

    protected function setUp(): void
    {
        self::$site->resetDatabase();
        self::$site->activateGateway('standindummy');
        // The dummy's InvoicePaid hook lives in an addon, where WHMCS looks for module hooks.
        self::$site->setConfig('ActiveAddonModules', 'standindummyhooks');
    }

    protected function site(): WhmcsSite
    {
        return self::$site;
    }

    /** Payloads the dummy gateway recorded for one of its functions, oldest first. */
    protected function recorded(string $kind): array
    {
        $exists = $this->site()->query("SHOW TABLES LIKE 'mod_standindummy_calls'");
        if ($exists === []) {
            return [];
        }
        return array_map(
            static fn (array $row): array => json_decode($row['payload'], true),
            $this->site()->query('SELECT payload FROM mod_standindummy_calls WHERE kind = ? ORDER BY id', [$kind]),
        );
    }

    protected function hookNames(): array
    {
        return array_column($this->site()->hooks(), 'hook');
    }

    /** Fails with the server log attached, which is where PHP errors of pages end up. */
    protected function assertStatus(int $expected, array $response): void
    {
        $this->assertSame($expected, $response['status'], "HTTP status; body:\n" . substr($response['body'], 0, 2000)
            . "\nserver log:\n" . $this->site()->logTail(2000));
    }
}
