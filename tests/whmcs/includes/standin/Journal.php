<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/**
 * What happens in the real world when WHMCS applies a payment (e-mails sent, hooks run, the
 * provisioning behind them) cannot be undone by a caller's rollback. The stand-in writes those
 * events through a connection of its own, in autocommit: a transaction of the module rolled
 * back, a killed site connection or a killed worker leaves them recorded, so tests count how
 * often a customer was e-mailed or a service provisioned.
 *
 * The same connection serves the fault points (Faults), which must act on the site's
 * connection from outside it.
 */
final class Journal
{
    private static ?\PDO $pdo = null;

    public static function pdo(): \PDO
    {
        if (self::$pdo === null) {
            $dsn = 'mysql:dbname=' . $GLOBALS['db_name'] . ';charset=utf8mb4;'
                . ($GLOBALS['db_socket'] !== '' ? 'unix_socket=' . $GLOBALS['db_socket']
                    : 'host=' . $GLOBALS['db_host'] . ($GLOBALS['db_port'] !== '' ? ';port=' . $GLOBALS['db_port'] : ''));
            self::$pdo = new \PDO($dsn, $GLOBALS['db_username'], $GLOBALS['db_password'], [
                \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
                \PDO::ATTR_DEFAULT_FETCH_MODE => \PDO::FETCH_ASSOC,
            ]);
        }
        return self::$pdo;
    }

    /** Inserts one event row (standin_hooks or standin_emails), committed at once. */
    public static function record(string $table, array $row): void
    {
        $columns = array_keys($row);
        $sql = 'INSERT INTO `' . $table . '` (`' . implode('`, `', $columns) . '`) VALUES ('
            . implode(', ', array_fill(0, count($columns), '?')) . ')';
        self::pdo()->prepare($sql)->execute(array_values($row));
    }

    public static function now(): string
    {
        return (new \DateTimeImmutable())->format('Y-m-d H:i:s.u');
    }

    /** The site connection's id at the database (what KILL CONNECTION takes). */
    public static function siteConnectionId(): int
    {
        return (int) Capsule::connection()->selectOne('SELECT CONNECTION_ID() AS id')->id;
    }
}
