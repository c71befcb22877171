<?php

namespace StandIn;

use WHMCS\Database\Capsule;

/**
 * Test-only fault points, so tests can break a payment at each step WHMCS goes through:
 * tblconfiguration `StandInFault` = "POINT=ACTION". It fires once: the first request to reach
 * POINT deletes the setting (through the journal's own connection, so a rollback does not
 * re-arm it) and then does ACTION.
 *
 * Points: `getGatewayVariables` (a callback's first WHMCS call, before anything is decided),
 * `addInvoicePayment:start`, `addInvoicePayment:afterRow` (the payment row written, no hook run
 * yet), `hook:NAME` (inside run_hook, after the run was recorded), `addInvoicePayment:end` (every
 * side effect done, just before it returns).
 *
 * Actions: `kill-connection` (KILL CONNECTION of the site's database connection, as a server
 * restart or a network cut would: the next query on it fails, or reconnects where Laravel
 * does), `lock-timeout` (a real InnoDB lock wait timeout, error 1205, on the next statement),
 * `exit` (the script ends, as a fatal error would), `kill9` (SIGKILL of the worker process),
 * `throw` (a RuntimeException), `sleep:SECONDS` (a slow step).
 *
 * Hook behaviour: `StandInInvoicePaidHook` = comma list of `print` (output, as a stray echo or
 * a newline after `?>` in a hook file), `throw` (the hook throws; WHMCS lets it propagate),
 * `sleep:SECONDS` (slow automation, e.g. account creation); `BEHAVIOUR@INVOICEID` limits one to an invoice.
 */
final class Faults
{
    public const SETTING = 'StandInFault';
    public const INVOICE_PAID_HOOK = 'StandInInvoicePaidHook';
    private const LOCK_ROW = 'StandInFaultLock';

    public static function point(string $point): void
    {
        $pdo = Journal::pdo();
        $select = $pdo->prepare('SELECT value FROM tblconfiguration WHERE setting = ?');
        $select->execute([self::SETTING]);
        $armed = $select->fetchColumn();
        if (!is_string($armed) || strpos($armed, '=') === false) {
            return;
        }
        [$where, $action] = explode('=', $armed, 2);
        if ($where !== $point) {
            return;
        }
        $consume = $pdo->prepare('DELETE FROM tblconfiguration WHERE setting = ? AND value = ?');
        $consume->execute([self::SETTING, $armed]);
        if ($consume->rowCount() !== 1) {
            return; // another request took it
        }
        Journal::record('standin_hooks', ['date' => Journal::now(), 'hook' => 'StandInFault',
            'vars' => json_encode(['point' => $point, 'action' => $action, 'pid' => getmypid()])]);
        self::act($action, $point);
    }

    private static function act(string $action, string $point): void
    {
        switch ($action) {
            case 'kill-connection':
                Journal::pdo()->exec('KILL CONNECTION ' . Journal::siteConnectionId());
                return;
            case 'lock-timeout':
                self::lockTimeout();
                return;
            case 'exit':
                exit;
            case 'kill9':
                posix_kill(getmypid(), SIGKILL);
                sleep(5); // the signal is delivered at once; never go on
                exit;
            case 'throw':
                throw new \RuntimeException("stand-in fault at $point");
        }
        if (strncmp($action, 'sleep:', 6) === 0) {
            usleep((int) round(1e6 * (float) substr($action, 6)));
            return;
        }
        throw new \LogicException("unknown stand-in fault action '$action'");
    }

    /** The journal's connection holds a row lock; the site's connection waits 1 s for it and fails. */
    private static function lockTimeout(): void
    {
        $holder = Journal::pdo();
        $holder->prepare('INSERT IGNORE INTO tblconfiguration (setting, value) VALUES (?, ?)')->execute([self::LOCK_ROW, '']);
        $holder->beginTransaction();
        try {
            $holder->prepare('SELECT value FROM tblconfiguration WHERE setting = ? FOR UPDATE')->execute([self::LOCK_ROW]);
            $site = Capsule::connection();
            $site->statement('SET SESSION innodb_lock_wait_timeout = 1');
            try {
                $site->update('UPDATE tblconfiguration SET value = value WHERE setting = ?', [self::LOCK_ROW]);
            } finally {
                $site->statement('SET SESSION innodb_lock_wait_timeout = DEFAULT');
            }
        } finally {
            $holder->rollBack();
        }
    }

    /** What the stand-in's own InvoicePaid automation does, per the knob. */
    public static function invoicePaidHook(array $vars): void
    {
        $select = Journal::pdo()->prepare('SELECT value FROM tblconfiguration WHERE setting = ?');
        $select->execute([self::INVOICE_PAID_HOOK]);
        $knob = (string) $select->fetchColumn();
        foreach (array_filter(array_map('trim', explode(',', $knob))) as $behaviour) {
            // "BEHAVIOUR@INVOICEID": for that invoice only.
            if (strpos($behaviour, '@') !== false) {
                [$behaviour, $only] = explode('@', $behaviour, 2);
                if ((int) $only !== (int) ($vars['invoiceid'] ?? 0)) {
                    continue;
                }
            }
            if ($behaviour === 'print') {
                echo "\n<!-- InvoicePaid hook output for invoice " . (int) ($vars['invoiceid'] ?? 0) . " -->\n";
            } elseif (strncmp($behaviour, 'sleep:', 6) === 0) {
                usleep((int) round(1e6 * (float) substr($behaviour, 6)));
            } elseif ($behaviour === 'throw') {
                throw new \RuntimeException('InvoicePaid hook failed (stand-in knob): provisioning server unreachable');
            }
        }
    }
}
