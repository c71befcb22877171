<?php

declare(strict_types=1);

namespace Tests\Hardening;

use Tests\EndToEnd\EndToEndTestCase;

/**
 * The database fails while a PAID callback waits for the invoice lock of its claim: the
 * connection is killed, or the lock wait times out. Each must answer 503 (SpectroCoin retries),
 * leave nothing half-written, and SpectroCoin's retry must then credit exactly once. Faults at
 * the later steps (after the claim, inside WHMCS, before the confirmation) are ExactlyOnceFaultTest.
 */
final class CallbackDatabaseFaultTest extends EndToEndTestCase
{
    private array $order;
    private string $body;

    protected function setUp(): void
    {
        parent::setUp();
        $this->order = $this->startPayment(1);
        $id = (int) $this->order['order_request_id'];
        $queued = self::sim()->setStatus($id, 3, (string) self::sim()->order($id)['payAmount'], true, false);
        foreach (self::sim()->callbacks() as $d) {
            if ($d['id'] === $queued['deliveryIds'][0]) {
                $this->body = (string) $d['body'];
            }
        }
        self::assertNotEmpty($this->body);
    }

    protected function tearDown(): void
    {
        self::site()->query('SET GLOBAL innodb_lock_wait_timeout = 50');
        parent::tearDown();
    }

    /** Starts the callback POST without waiting; returns [multi, handle]. */
    private function startCallback(): array
    {
        $ch = curl_init(self::site()->callbackUrl(self::GATEWAY));
        curl_setopt_array($ch, [
            CURLOPT_POST => true, CURLOPT_POSTFIELDS => $this->body, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 60,
            CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
        ]);
        $multi = curl_multi_init();
        curl_multi_add_handle($multi, $ch);
        curl_multi_exec($multi, $running);
        return [$multi, $ch];
    }

    /** @return array{int, string} status and body */
    private function finishCallback(array $pending): array
    {
        [$multi, $ch] = $pending;
        do {
            curl_multi_exec($multi, $running);
            if ($running) {
                curl_multi_select($multi, 0.2);
            }
        } while ($running);
        $answer = [(int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), (string) curl_multi_getcontent($ch)];
        curl_multi_remove_handle($multi, $ch);
        curl_multi_close($multi);
        return $answer;
    }

    /** The site's connection that is blocked on a lock (waits up to 10 s for it to appear). */
    private function blockedConnection(\PDO $mine, string $needle, array $pending): int
    {
        $myId = (int) $mine->query('SELECT CONNECTION_ID()')->fetchColumn();
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            curl_multi_exec($pending[0], $running); // keep the request going
            $stmt = $mine->prepare('SELECT ID, INFO FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> ? AND INFO LIKE ?');
            $stmt->execute([self::site()->databaseName(), $myId, "%$needle%"]);
            $row = $stmt->fetch(\PDO::FETCH_ASSOC);
            if ($row) {
                return (int) $row['ID'];
            }
            usleep(20_000);
        }
        self::fail("no site connection blocked on '$needle': " . self::site()->logTail(1500));
    }

    private function snapshot(): array
    {
        return [
            'invoice' => self::site()->invoice(1)['status'],
            'transactions' => self::site()->transactions(1),
            'hooks' => self::site()->hooks('InvoicePaid'),
            'emails' => self::site()->emails(),
            'order' => $this->order($this->order['order_id']),
        ];
    }

    private function assertNothingHalfWrittenThenTheRetryCreditsOnce(array $before, array $answer, string $case): void
    {
        self::assertSame(503, $answer[0], "$case: " . $answer[1] . "\n" . self::site()->logTail(1500));
        self::assertSame($before, $this->snapshot(), "$case: something was half-written");
        $log = $this->lastLog();
        self::assertSame('Retry Later', $log['result'], $case);

        // SpectroCoin retries (the same frozen body), then a duplicate arrives too.
        $forced = self::sim()->dispatch(true);
        self::assertAnswered(200, '*ok*', $forced);
        $again = self::site()->post(self::site()->callbackUrl(self::GATEWAY), $this->body, [], ['Content-Type' => 'application/x-www-form-urlencoded']);
        self::assertSame([200, '*ok*'], [$again['status'], $again['body']]);
        self::assertSame('Paid', $this->invoiceStatus(1));
        self::assertCount(1, self::site()->transactions(1), "$case: credited exactly once");
        self::assertCount(1, self::site()->hooks('InvoicePaid'));
        self::assertSame([], self::site()->query('SELECT * FROM information_schema.INNODB_TRX'), 'a transaction was left open');
        HardeningFigures::record('db-fault', sprintf('%-46s first delivery %d, retry 200 *ok*, credits %d; log: %s', $case, $answer[0],
            count(self::site()->transactions(1)), preg_match('/^(error|reason|message) => (.*)$/m', $log['data'], $m) ? substr($m[2], 0, 160) : '-'));
    }

    public function testConnectionLostWhileTheCallbackWaitsForTheInvoiceLock(): void
    {
        $before = $this->snapshot();
        $mine = self::site()->pdo();
        $mine->beginTransaction();
        $mine->query('SELECT id FROM tblinvoices WHERE id = 1 FOR UPDATE')->fetchAll();
        $pending = $this->startCallback();
        try {
            $victim = $this->blockedConnection($mine, 'FOR UPDATE', $pending);
            $mine->exec("KILL CONNECTION $victim");
        } finally {
            $mine->rollBack();
        }
        $this->assertNothingHalfWrittenThenTheRetryCreditsOnce($before, $this->finishCallback($pending), 'connection killed before writing');
    }

    public function testLockWaitTimeoutWhileTheCallbackWaitsForTheInvoiceLock(): void
    {
        $before = $this->snapshot();
        $mine = self::site()->pdo();
        $mine->exec('SET SESSION innodb_lock_wait_timeout = 50');
        self::site()->query('SET GLOBAL innodb_lock_wait_timeout = 1');
        $mine->beginTransaction();
        $mine->query('SELECT id FROM tblinvoices WHERE id = 1 FOR UPDATE')->fetchAll();
        try {
            $answer = $this->finishCallback($this->startCallback());
        } finally {
            $mine->rollBack();
            self::site()->query('SET GLOBAL innodb_lock_wait_timeout = 50');
        }
        $this->assertNothingHalfWrittenThenTheRetryCreditsOnce($before, $answer, 'lock wait timeout before the claim');
    }
}
